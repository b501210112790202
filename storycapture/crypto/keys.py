"""Key material beyond field keys: the recovery key, the device signing key, age identities."""

from __future__ import annotations

import hashlib
import os
import secrets

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from storycapture.crypto import agefile
from storycapture.crypto.aead import DecryptionFailed

# Crockford's base32: no I, L, O or U, so a key written by hand reads back the same.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
RECOVERY_BYTES = 20  # 160 bits: 32 characters in 8 groups of 4
RECOVERY_GROUP = 4


class MalformedRecoveryKey(ValueError):
    """The text is not a recovery key as StoryCapture prints them."""


def new_recovery_key() -> str:
    """A random recovery key in groups a person can copy by hand, e.g. ``7KQ2-MX9D-…``."""
    number = int.from_bytes(secrets.token_bytes(RECOVERY_BYTES), "big")
    chars = "".join(_ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(32)))
    return "-".join(chars[i : i + RECOVERY_GROUP] for i in range(0, 32, RECOVERY_GROUP))


def normalise_recovery_key(text: str) -> str:
    chars = "".join(c for c in text.upper() if c.isalnum()).translate(_CONFUSABLE)
    if len(chars) != 32 or any(c not in _ALPHABET for c in chars):
        raise MalformedRecoveryKey("a recovery key has 32 letters and digits")
    return "-".join(chars[i : i + RECOVERY_GROUP] for i in range(0, 32, RECOVERY_GROUP))


def recovery_kek(recovery_key: str, salt: bytes) -> bytes:
    """Key-encryption key from a recovery key. HKDF suffices: the key carries 160 random bits."""
    material = normalise_recovery_key(recovery_key).encode("ascii")
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"storycapture recovery")
    return hkdf.derive(material)


def new_salt() -> bytes:
    return os.urandom(16)


# --- device signing key (Ed25519) ---------------------------------------------------------


def new_signing_key() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes_raw()


def signing_public_key(private_key: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).public_key().public_bytes_raw()


def sign(private_key: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private_key).sign(message)


def verify_signature(public_key: bytes, signature: bytes, message: bytes) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError) as error:
        raise DecryptionFailed("signature does not verify") from error


FINGERPRINT_DIGITS = 32  # 128 bits: what two people compare, read aloud in eight groups
LEGACY_FINGERPRINT_DIGITS = 16  # 64 bits: what was compared before (kept for old trust)


def fingerprint(public_key: bytes, digits: int = FINGERPRINT_DIGITS) -> str:
    """A readable fingerprint of a public key: the first 128 bits of its SHA-256 as 32 hex
    digits in groups of four ("3F2A 9C41 07BE 55D0 1B8E 6A2F C930 4D17"). ``digits`` =
    ``LEGACY_FINGERPRINT_DIGITS`` gives the older, 64-bit form, which is its first half."""
    digest = hashlib.sha256(public_key).hexdigest()[:digits].upper()
    return " ".join(digest[i : i + 4] for i in range(0, digits, 4))


def fingerprints(public_key: bytes) -> tuple[str, str]:
    """The key's fingerprint, and its older 64-bit form (a device trusted before the longer
    one came is found by that)."""
    return fingerprint(public_key), fingerprint(public_key, LEGACY_FINGERPRINT_DIGITS)


def public_key_bytes_are_valid(public_key: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        return False
    return True


# --- age identities (X25519) --------------------------------------------------------------


def new_age_identity() -> str:
    """A new age identity as its ``AGE-SECRET-KEY-1…`` text (as ``age-keygen`` writes it)."""
    return agefile.new_identity()


def age_recipient(identity: str) -> str:
    """The ``age1…`` recipient of an identity; ``ValueError`` if it is not one."""
    return agefile.recipient_of(identity)


def is_age_recipient(text: str) -> bool:
    """Whether ``text`` is an X25519 age recipient (``age1…``, or the same in capitals)."""
    return agefile.is_recipient(text)


__all__ = [
    "MalformedRecoveryKey",
    "age_recipient",
    "fingerprint",
    "is_age_recipient",
    "new_age_identity",
    "new_recovery_key",
    "new_salt",
    "new_signing_key",
    "normalise_recovery_key",
    "recovery_kek",
    "sign",
    "signing_public_key",
    "verify_signature",
]

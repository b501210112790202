"""AES-256-GCM sealing with associated data: the one primitive every stored secret goes through."""

from __future__ import annotations

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
MAC_BYTES = 32
# The row-seal key is derived from the field key, so the one key a storyteller has covers both
# (and deleting it shreds both), while a tag can never be mistaken for a ciphertext.
_MAC_INFO = b"storycapture row seal v1"
# A version byte in front of every sealed blob lets a later format live beside this one.
_FORMAT = b"\x01"


class DecryptionFailed(Exception):
    """A sealed blob did not verify: wrong key, altered bytes, or moved to another place."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


class FieldCipher:
    """Seals and opens small values under one key; the AESGCM object is built once per key."""

    __slots__ = ("_aead", "_mac_key")

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("a field key is 32 bytes")
        self._aead = AESGCM(key)
        self._mac_key = HKDF(
            algorithm=hashes.SHA256(), length=MAC_BYTES, salt=None, info=_MAC_INFO
        ).derive(key)

    def mac(self, message: bytes) -> bytes:
        """An HMAC-SHA256 tag of ``message`` under this key's row-seal key."""
        return hmac.digest(self._mac_key, message, hashlib.sha256)

    def mac_matches(self, message: bytes, tag: bytes | None) -> bool:
        """Whether ``tag`` is this key's tag of ``message`` (compared in constant time)."""
        if tag is None or len(tag) != MAC_BYTES:
            return False
        return hmac.compare_digest(self.mac(message), tag)

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return _FORMAT + nonce + self._aead.encrypt(nonce, plaintext, associated_data)

    def open(self, sealed: bytes, associated_data: bytes) -> bytes:
        if len(sealed) < 1 + NONCE_BYTES + 16 or sealed[:1] != _FORMAT:
            raise DecryptionFailed("not a sealed value")
        nonce = sealed[1 : 1 + NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[1 + NONCE_BYTES :], associated_data)
        except InvalidTag as error:
            raise DecryptionFailed("sealed value does not verify") from error


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    return FieldCipher(key).seal(plaintext, associated_data)


def open_sealed(key: bytes, sealed: bytes, associated_data: bytes) -> bytes:
    return FieldCipher(key).open(sealed, associated_data)

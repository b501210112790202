"""AES-256-GCM sealing with associated data: the one primitive every stored secret goes through."""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
# A version byte in front of every sealed blob lets a later format live beside this one.
_FORMAT = b"\x01"


class DecryptionFailed(Exception):
    """A sealed blob did not verify: wrong key, altered bytes, or moved to another place."""


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


class FieldCipher:
    """Seals and opens small values under one key; the AESGCM object is built once per key."""

    __slots__ = ("_aead",)

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError("a field key is 32 bytes")
        self._aead = AESGCM(key)

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

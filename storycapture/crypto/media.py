"""Media (photos, later audio) as age files, streamed in chunks: never whole in memory.

age encrypts in 64 KiB chunks (see :mod:`storycapture.crypto.agefile`), so neither side of a
copy is ever held whole. Decryption writes to a stream the caller owns, so a failure part-way
leaves nothing on disk that the caller did not choose.
"""

from __future__ import annotations

from typing import BinaryIO

from storycapture.crypto.stream import decrypt_into, encrypt_from


def encrypt_stream(source: BinaryIO, target: BinaryIO, recipients: list[str]) -> None:
    """Encrypt ``source`` into ``target``. A full disk comes out as the ``OSError`` it is."""
    encrypt_from(source, target, recipients)


def decrypt_stream(source: BinaryIO, target: BinaryIO, identities: list[str]) -> None:
    """Decrypt into ``target``. On failure part of the plaintext may already be in ``target``:
    callers must pass a stream they discard on error (memory, or a file they then delete).
    Damage of any kind raises :class:`~storycapture.crypto.aead.DecryptionFailed`; a real I/O
    failure passes as the ``OSError`` it is."""
    decrypt_into(source, target, identities)

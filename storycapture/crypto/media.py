"""Media (photos, later audio) as age files, streamed in chunks: never whole in memory.

age encrypts in 64 KiB chunks; pyrage's ``encrypt_io``/``decrypt_io`` read and write file
objects, so neither side of a copy is ever held whole. Decryption writes to a stream the
caller owns, so a failure part-way leaves nothing on disk that the caller did not choose.
"""

from __future__ import annotations

from typing import BinaryIO

import pyrage

from storycapture.crypto.aead import DecryptionFailed
from storycapture.crypto.stream import encrypt_from


def encrypt_stream(source: BinaryIO, target: BinaryIO, recipients: list[str]) -> None:
    """Encrypt ``source`` into ``target``. A full disk comes out as the ``OSError`` it is
    (pyrage alone would turn it into an ``EncryptError`` with only its text)."""
    encrypt_from(source, target, recipients)


def decrypt_stream(source: BinaryIO, target: BinaryIO, identities: list[str]) -> None:
    """Decrypt into ``target``. On failure part of the plaintext may already be in ``target``:
    callers must pass a stream they discard on error (memory, or a file they then delete)."""
    parsed = [pyrage.x25519.Identity.from_str(i) for i in identities]
    try:
        pyrage.decrypt_io(source, target, parsed)
    except pyrage.DecryptError as error:
        raise DecryptionFailed("age file does not decrypt") from error
    except OSError as error:
        # Damage after the header surfaces from pyrage as an OSError without an errno;
        # a real I/O failure carries one and is passed on as it is.
        if error.errno is None:
            raise DecryptionFailed("age file does not decrypt") from error
        raise

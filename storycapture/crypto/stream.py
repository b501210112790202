"""age streams for sync bundles and stored photos: pull, push, the header, plaintext sizes.

The age format itself (header, stanzas, the STREAM payload) is :mod:`storycapture.crypto.agefile`;
this module keeps the names the rest of StoryCapture calls, each a thin layer over it:

- :func:`encrypt_from` pulls plaintext from a reader into an age file, :func:`decrypt_into`
  pushes an age file's plaintext into a writer;
- :class:`EncryptingWriter` is pushed into and :class:`DecryptingReader` pulled from, on the
  caller's thread (no helper thread, no pipe), 64 KiB at a time;
- :func:`read_age_header`, :func:`plaintext_size_of_payload` and :func:`age_plaintext_size`
  check a file and tell its plaintext size without decrypting it.

Exceptions of the caller's readers and writers (``OSError`` for a full disk,
``KeyboardInterrupt``…) come out as they were raised. Damage raises a :class:`DecryptionFailed`:
:class:`NotForTheseIdentities` when no identity opens the header, :class:`MalformedAgeFile` and
its kinds for a header or payload not as age writes them, :class:`DecryptionFailed` itself for a
chunk or a MAC that does not verify. Decryption hands on each chunk only once it verified, so a
target may hold the plaintext before the damage: it must be memory, or something the caller
discards.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from storycapture.crypto.agefile import (
    AGE_MAGIC,
    CHUNK_BYTES,
    DEFAULT_MAX_HEADER_BYTES,
    DEFAULT_MAX_STANZAS,
    NONCE_BYTES,
    TAG_BYTES,
    AgeHeader,
    AgeReader,
    AgeStanza,
    AgeWriter,
    EncryptionFailed,
    MalformedAgeFile,
    NotAnAgeFile,
    NotForTheseIdentities,
    OversizedAgeHeader,
    Readable,
    TruncatedAgeFile,
    Writable,
    decrypt,
    encrypt,
    plaintext_size_of_payload,
    read_age_header,
)


def age_plaintext_size(
    path: Path,
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
    max_stanzas: int = DEFAULT_MAX_STANZAS,
) -> int:
    """The plaintext length of an existing age file, from its header length and its size.

    Nothing is decrypted, so the answer is only as true as the file: a damaged file still
    fails when it is decrypted, and a caller streaming it must check the count it gets.
    """
    with open(path, "rb") as source:
        header = read_age_header(source, max_header_bytes, max_stanzas)
        size = source.seek(0, 2)
    return plaintext_size_of_payload(size - header.length)


def recipient_fingerprint(recipient: str) -> str:
    """How a bundle's manifest names a recipient: the SHA-256 of its ``age1…`` text, in hex."""
    return hashlib.sha256(recipient.encode("utf-8")).hexdigest()


def encrypt_from(source: Readable, target: Writable, recipients: Sequence[str]) -> None:
    """Encrypt everything ``source`` gives until it returns ``b""`` to ``target``, as an age
    file for all ``recipients`` (``ValueError`` before anything is read if one is not an
    ``age1…`` recipient). An exception from ``source`` or ``target`` comes out as it was
    raised, and the file is then never finished. ``target`` is not flushed: the caller owns
    it."""
    encrypt(source, target, recipients)


def decrypt_into(
    source: Readable,
    target: Writable,
    identities: Sequence[str],
    *,
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES,
    max_stanzas: int = DEFAULT_MAX_STANZAS,
) -> None:
    """Decrypt the age file ``source`` into ``target``.

    ``target`` receives plaintext as each chunk verifies, so on failure it may hold part of
    it: it must be memory, or something that the caller discards. Raises
    :class:`NotForTheseIdentities` when no identity opens the header,
    :class:`DecryptionFailed` for any other damage (a header over the caps among it), and
    exceptions of ``source`` and ``target`` as they were raised.
    """
    decrypt(source, target, identities, max_header_bytes=max_header_bytes, max_stanzas=max_stanzas)


class EncryptingWriter(AgeWriter):
    """Push plaintext in with ``write``; an age file for ``recipients`` comes out in ``target``.

    ``close()`` finishes the file; ``abort()`` stops without finishing, so ``target`` never
    holds a complete file for a cut-short input. As a context manager it closes, or aborts on
    an exception. A full disk raises from the ``write`` or ``close`` that met it, as raised.
    ``target`` is the caller's to flush, sync and close afterwards.
    """


class DecryptingReader(AgeReader):
    """Pull plaintext out of the age file ``source`` with ``read`` (a stored photo, say).

    The header is read and verified at once (a file for other keys or with a damaged header
    raises from the constructor); damage later in the file raises :class:`DecryptionFailed`
    from ``read`` when the reader gets there. The plaintext read before that was real, but
    the caller must treat the whole as failed. ``close()`` (or leaving the ``with``) drops it.
    """


@contextmanager
def open_decrypted(path: Path, identities: Sequence[str]) -> Iterator[DecryptingReader]:
    """``with open_decrypted(path, ids) as plain:`` the plaintext of an age file, pulled in
    pieces (for a stored photo going into a bundle). Nothing is written anywhere."""
    with open(path, "rb") as source, DecryptingReader(source, identities) as reader:
        yield reader


__all__ = [
    "AGE_MAGIC",
    "CHUNK_BYTES",
    "NONCE_BYTES",
    "TAG_BYTES",
    "AgeHeader",
    "AgeStanza",
    "DecryptingReader",
    "EncryptingWriter",
    "EncryptionFailed",
    "MalformedAgeFile",
    "NotAnAgeFile",
    "NotForTheseIdentities",
    "OversizedAgeHeader",
    "TruncatedAgeFile",
    "age_plaintext_size",
    "decrypt_into",
    "encrypt_from",
    "open_decrypted",
    "plaintext_size_of_payload",
    "read_age_header",
    "recipient_fingerprint",
]

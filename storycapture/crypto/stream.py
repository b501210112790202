"""age streams for sync bundles: pull, push, the header read without pyrage, and plaintext sizes.

pyrage offers one shape of call each way: ``encrypt_io`` *pulls* plaintext from a reader and
``decrypt_io`` *pushes* plaintext into a writer. This module wraps both, and bridges the other
two shapes (push into an encryptor, pull from a decryptor) with a helper thread and a small
in-memory pipe, so no plaintext is ever put in a temporary file.

What pyrage 1.4 does, found by experiment, that shapes the code below:

- It calls ``read(8192)`` on a reader (never ``readinto``) and ``write(bytes)`` on a writer.
- A writer must return ``len(data)``. A shorter count makes pyrage panic inside a destructor,
  which aborts the whole process; ``None`` becomes an ``OSError``.
- ``encrypt_io`` turns *any* exception from the reader or writer, ``KeyboardInterrupt``
  included, into ``pyrage.EncryptError`` carrying only the text. ``decrypt_io`` passes the
  writer's and reader's exceptions through unchanged. Either way, after the writer raised,
  pyrage calls ``write`` once more while it unwinds (its buffered writer's flush on drop).
  So every reader and writer handed to pyrage goes through a guard that keeps the first
  exception, answers the late ``write`` harmlessly, and the exception is raised again here.
- ``decrypt_io`` writes each 64 KiB chunk as soon as that chunk verifies: when a later chunk
  is damaged or missing, the earlier plaintext has already reached the writer. Damage after
  the header is an ``OSError`` without an errno; damage in the header is ``DecryptError``,
  whose text for a file made for other keys is "No matching keys found".
- rust-age adds one random "grease" stanza to every header it writes: a file for N
  recipients has N + 1 stanzas.
- It holds the GIL for the whole call and lets go only while it is in a Python callback (our
  readers and writers are Python, so other threads get their turn every few milliseconds).
  Two pyrage calls on two threads work side by side.
"""

from __future__ import annotations

import binascii
import hashlib
import re
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

import pyrage

from storycapture.crypto.aead import DecryptionFailed

AGE_MAGIC = b"age-encryption.org/v1\n"
CHUNK_BYTES = 64 * 1024  # plaintext per payload chunk
TAG_BYTES = 16  # Poly1305 tag after each chunk
NONCE_BYTES = 16  # payload nonce in front of the first chunk
DEFAULT_MAX_HEADER_BYTES = 64 * 1024
DEFAULT_MAX_STANZAS = 32
_PIPE_BYTES = 256 * 1024  # what the thread bridges hold in memory at most
_NO_MATCHING_KEYS = "No matching keys found"  # pyrage's DecryptError text for "not for us"

_ARGUMENT = re.compile(rb"[\x21-\x7e]+")
_BASE64 = re.compile(rb"[A-Za-z0-9+/]*")
_BODY_LINE = 64  # a stanza body is wrapped at 64 columns; its last line is shorter
_MAC_CHARS = 43  # 32 bytes in unpadded base64


class MalformedAgeFile(DecryptionFailed):
    """The file is not an age v1 file as age writes them, or its header is malformed."""


class NotAnAgeFile(MalformedAgeFile):
    """The file does not begin as an age v1 file (another kind of file, or armored age)."""


class TruncatedAgeFile(MalformedAgeFile):
    """The file ends before its header does, or its payload is shorter than any age payload."""


class OversizedAgeHeader(MalformedAgeFile):
    """The header is longer, or has more stanzas, than the caller accepts."""


class NotForTheseIdentities(DecryptionFailed):
    """The file was encrypted to other keys (or the stanza meant for us was altered)."""


class EncryptionFailed(Exception):
    """pyrage could not encrypt, for a reason of its own (not the reader's nor the writer's)."""


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class Writable(Protocol):
    def write(self, data: bytes, /) -> object: ...


# --- the header, read without pyrage ------------------------------------------------------


@dataclass(frozen=True)
class AgeStanza:
    type: str
    args: tuple[str, ...]
    body: bytes


@dataclass(frozen=True)
class AgeHeader:
    """An age header as read: its stanzas and its exact bytes (up to and with the MAC line)."""

    stanzas: tuple[AgeStanza, ...]
    raw: bytes

    @property
    def length(self) -> int:
        return len(self.raw)


def _unpadded_base64(text: bytes) -> bytes:
    """Decode age's base64 (no padding), refusing any other spelling of the same bytes."""
    if not _BASE64.fullmatch(text) or len(text) % 4 == 1:
        raise MalformedAgeFile("age header holds something that is not base64")
    decoded = binascii.a2b_base64(text + b"=" * (-len(text) % 4), strict_mode=True)
    if binascii.b2a_base64(decoded, newline=False).rstrip(b"=") != text:
        raise MalformedAgeFile("age header holds base64 in a non-canonical form")
    return decoded


def read_age_header(
    source: Readable,
    max_bytes: int = DEFAULT_MAX_HEADER_BYTES,
    max_stanzas: int = DEFAULT_MAX_STANZAS,
) -> AgeHeader:
    """Read and check the header of an age v1 file, leaving ``source`` at the payload.

    It reads at most ``max_bytes + 1`` bytes, so neither a huge header nor a file of another
    kind without line breaks is ever held whole, and refuses a header with more than
    ``max_stanzas`` stanzas before pyrage would spend work on each. It checks the grammar of
    the age spec (stanza arguments, 64-column base64 bodies, the MAC line) but no keys: the
    header's MAC and the stanzas' contents are pyrage's to verify.
    """
    raw = bytearray()

    def line() -> bytes:
        # One byte more than the room left, so that "too long" is seen without reading on.
        text = _read_line(source, max_bytes - len(raw) + 1)
        raw.extend(text)
        if len(raw) > max_bytes:
            raise OversizedAgeHeader(f"age header is longer than {max_bytes} bytes")
        if not text.endswith(b"\n"):
            raise TruncatedAgeFile("age file ends inside its header")
        return text[:-1]

    start = source.read(len(AGE_MAGIC))
    raw.extend(start)
    if start != AGE_MAGIC:
        if AGE_MAGIC.startswith(start):
            raise TruncatedAgeFile("age file ends inside its header")
        raise NotAnAgeFile("not an age v1 file")
    stanzas: list[AgeStanza] = []
    text = line()
    while text.startswith(b"-> "):
        if len(stanzas) == max_stanzas:
            raise OversizedAgeHeader(f"age header has more than {max_stanzas} stanzas")
        args = text[3:].split(b" ")
        if not all(_ARGUMENT.fullmatch(arg) for arg in args):
            raise MalformedAgeFile("age stanza has a malformed argument")
        body = bytearray()
        while True:
            body_line = line()
            body.extend(body_line)
            if len(body_line) > _BODY_LINE:
                raise MalformedAgeFile("age stanza body line is longer than 64 columns")
            if len(body_line) < _BODY_LINE:
                break
        names = [arg.decode("ascii") for arg in args]
        stanzas.append(AgeStanza(names[0], tuple(names[1:]), _unpadded_base64(bytes(body))))
        text = line()
    if not text.startswith(b"--- ") or len(text) != 4 + _MAC_CHARS:
        raise MalformedAgeFile("age header does not end with its MAC line")
    _unpadded_base64(text[4:])
    if not stanzas:
        raise MalformedAgeFile("age header has no stanzas")
    return AgeHeader(tuple(stanzas), bytes(raw))


def _read_line(source: Readable, limit: int) -> bytes:
    """One line of at most ``limit`` bytes, with its ``\\n`` (shorter at the end of the file)."""
    readline = getattr(source, "readline", None)
    if readline is not None:
        text: bytes = readline(limit)
        return text
    line = bytearray()
    while len(line) < limit:
        byte = source.read(1)
        if not byte:
            break
        line.extend(byte)
        if byte == b"\n":
            break
    return bytes(line)


def plaintext_size_of_payload(payload_bytes: int) -> int:
    """Plaintext length of an age payload of ``payload_bytes`` (nonce, chunks and their tags).

    Every chunk but the last holds 64 KiB; the last holds 1 to 64 KiB, or nothing when the
    whole plaintext is empty. A length no age payload can have means the file was cut short.
    """
    chunks_bytes = payload_bytes - NONCE_BYTES
    if chunks_bytes < TAG_BYTES:
        raise TruncatedAgeFile("age payload is shorter than its nonce and one chunk")
    full, rest = divmod(chunks_bytes, CHUNK_BYTES + TAG_BYTES)
    if rest == 0:
        return full * CHUNK_BYTES
    if rest < TAG_BYTES or (rest == TAG_BYTES and full > 0):
        raise TruncatedAgeFile("age payload ends inside a chunk")
    return full * CHUNK_BYTES + rest - TAG_BYTES


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


# --- recipients ---------------------------------------------------------------------------


def recipient_fingerprint(recipient: str) -> str:
    """How a bundle's manifest names a recipient: the SHA-256 of its ``age1…`` text, in hex."""
    return hashlib.sha256(recipient.encode("utf-8")).hexdigest()


def _recipients(recipients: Sequence[str]) -> list[Any]:
    if isinstance(recipients, str) or not recipients:
        raise ValueError("age encryption needs a list of at least one recipient")
    try:
        return [pyrage.x25519.Recipient.from_str(r) for r in recipients]
    except (pyrage.RecipientError, ValueError) as error:
        raise ValueError("not an age recipient (age1…)") from error


def _identities(identities: Sequence[str]) -> list[Any]:
    if isinstance(identities, str) or not identities:
        raise ValueError("age decryption needs a list of at least one identity")
    try:
        return [pyrage.x25519.Identity.from_str(i) for i in identities]
    except (pyrage.IdentityError, ValueError) as error:
        raise ValueError("not an age identity (AGE-SECRET-KEY-1…)") from error


# --- guards between pyrage and Python objects ---------------------------------------------


class _GuardedReader:
    """Hands pyrage ``read``; keeps the first exception so that it can be raised again as it
    was (``encrypt_io`` would turn it into text). After a failure every read fails again:
    an empty answer would read as a clean end and could seal a cut-short file."""

    def __init__(self, source: Readable) -> None:
        self._source = source
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        if self.error is not None:
            raise self.error
        try:
            data = self._source.read(size)
        except BaseException as error:
            self.error = error
            raise
        return data if type(data) is bytes else bytes(data)


class _GuardedWriter:
    """Hands pyrage ``write``; always answers ``len(data)`` (anything else can abort the
    process) and keeps the first exception. Writes after a failure are pyrage unwinding and
    are dropped: the target never sees bytes out of order."""

    def __init__(self, target: Writable) -> None:
        self._target = target
        self.error: BaseException | None = None

    def write(self, data: bytes) -> int:
        if self.error is None:
            try:
                _write_all(self._target, data)
            except BaseException as error:
                self.error = error
                raise
        return len(data)


def _write_all(target: Writable, data: bytes) -> None:
    """Write all of ``data``, again with the rest after a short write. A writer answering
    ``None`` (as push sinks may) has taken everything."""
    while data:
        written = target.write(data)
        if written is None:
            return
        if type(written) is not int or not 0 < written <= len(data):
            raise OSError(f"a writer answered {written!r} for {len(data)} bytes")
        data = data[written:]


def _raise_recorded(*guards: _GuardedReader | _GuardedWriter) -> None:
    for guard in guards:
        if guard.error is not None:
            raise guard.error


def encrypt_from(source: Readable, target: Writable, recipients: Sequence[str]) -> None:
    """Encrypt everything ``source`` gives until it returns ``b""`` to ``target``, as an age
    file for all ``recipients``. An exception from ``source`` or ``target`` (an ``OSError``
    for a full disk, ``KeyboardInterrupt``…) comes out as it was raised. ``target`` is not
    flushed: the caller owns it."""
    parsed = _recipients(recipients)
    reader, writer = _GuardedReader(source), _GuardedWriter(target)
    try:
        pyrage.encrypt_io(reader, writer, parsed)
    except pyrage.EncryptError as error:
        _raise_recorded(reader, writer)
        raise EncryptionFailed(str(error)) from error
    _raise_recorded(reader, writer)


def decrypt_into(source: Readable, target: Writable, identities: Sequence[str]) -> None:
    """Decrypt the age file ``source`` into ``target``.

    ``target`` receives plaintext as each chunk verifies, so on failure it may hold part of
    it: it must be memory, or something that the caller discards (see the module notes).
    Raises :class:`NotForTheseIdentities` when no identity opens the header,
    :class:`DecryptionFailed` for any other damage, and exceptions of ``source`` and
    ``target`` as they were raised.
    """
    parsed = _identities(identities)
    reader, writer = _GuardedReader(source), _GuardedWriter(target)
    try:
        pyrage.decrypt_io(reader, writer, parsed)
    except pyrage.DecryptError as error:
        _raise_recorded(reader, writer)
        if str(error) == _NO_MATCHING_KEYS:
            raise NotForTheseIdentities("age file is not for these identities") from error
        raise DecryptionFailed("age file does not decrypt") from error
    except OSError as error:
        _raise_recorded(reader, writer)
        # Damage after the header surfaces as an OSError without an errno; a real I/O
        # failure carries one and is passed on as it is.
        if error.errno is None:
            raise DecryptionFailed("age file does not decrypt") from error
        raise
    except BaseException:
        _raise_recorded(reader, writer)
        raise
    _raise_recorded(reader, writer)


# --- thread bridges -----------------------------------------------------------------------


class _Aborted(Exception):
    """Tells the other side of a bridge to stop; never seen by callers."""


class _Pipe:
    """A bounded in-memory pipe between two threads; the bytes never leave memory."""

    def __init__(self, limit: int = _PIPE_BYTES) -> None:
        self._condition = threading.Condition()
        self._chunks: deque[bytes] = deque()
        self._buffered = 0
        self._limit = limit
        self._ended = False
        self._end_error: BaseException | None = None  # raised to the reader at the end
        self._reader_gone: BaseException | None = None  # raised to the writer

    def put(self, data: bytes) -> None:
        with self._condition:
            while self._buffered >= self._limit and self._reader_gone is None:
                self._condition.wait()
            if self._reader_gone is not None:
                raise self._reader_gone
            if self._ended:
                raise ValueError("write after the end of a pipe")
            if data:
                self._chunks.append(bytes(data))
                self._buffered += len(data)
                self._condition.notify_all()

    def end(self, error: BaseException | None = None) -> None:
        """No more bytes; with ``error``, the bytes still buffered are dropped too and the
        reader gets ``error`` at once (a stopped encryption must not go on sealing them)."""
        with self._condition:
            if not self._ended:
                self._ended = True
                self._end_error = error
                if error is not None:
                    self._chunks.clear()
                    self._buffered = 0
            self._condition.notify_all()

    def get(self, size: int) -> bytes:
        with self._condition:
            while not self._chunks and not self._ended:
                self._condition.wait()
            if self._chunks:
                chunk = self._chunks.popleft()
                if 0 <= size < len(chunk):
                    self._chunks.appendleft(chunk[size:])
                    chunk = chunk[:size]
                self._buffered -= len(chunk)
                self._condition.notify_all()
                return chunk
            if self._end_error is not None:
                raise self._end_error
            return b""

    def close_reading(self, error: BaseException) -> None:
        with self._condition:
            if self._reader_gone is None:
                self._reader_gone = error
            self._chunks.clear()
            self._buffered = 0
            self._condition.notify_all()


class _PipeReader:
    def __init__(self, pipe: _Pipe) -> None:
        self._pipe = pipe

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            raise ValueError("a pipe is read in pieces")
        return self._pipe.get(size)


class EncryptingWriter:
    """Push plaintext in with ``write``; an age file for ``recipients`` comes out in ``target``.

    pyrage only pulls, so ``encrypt_from`` runs on a helper thread reading from an in-memory
    pipe. ``close()`` finishes the file and raises what went wrong on the thread (a full
    disk…); ``abort()`` stops without finishing, so ``target`` never holds a complete file
    for a cut-short input. As a context manager it closes, or aborts on an exception.
    ``target`` is the caller's to flush, sync and close afterwards.
    """

    def __init__(self, target: Writable, recipients: Sequence[str]) -> None:
        _recipients(recipients)  # refuse a bad recipient here, not on the thread
        self._pipe = _Pipe()
        self._error: BaseException | None = None
        self._done = False
        self._thread = threading.Thread(
            target=self._run, args=(target, list(recipients)), name="age-encrypt", daemon=True
        )
        self._thread.start()

    def _run(self, target: Writable, recipients: list[str]) -> None:
        try:
            encrypt_from(_PipeReader(self._pipe), target, recipients)
        except BaseException as error:
            self._error = error
            self._pipe.close_reading(error)

    def write(self, data: bytes) -> int:
        if self._done:
            raise ValueError("write to a closed encrypting writer")
        self._pipe.put(data)  # raises the thread's error once it has stopped
        return len(data)

    def close(self) -> None:
        if self._done:
            return
        self._done = True
        self._pipe.end()
        self._thread.join()
        if self._error is not None:
            raise self._error

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._pipe.end(_Aborted("encryption was stopped"))
        self._thread.join()

    def __enter__(self) -> EncryptingWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


class DecryptingReader:
    """Pull plaintext out of the age file ``source`` with ``read`` (a stored photo, say).

    pyrage only pushes, so ``decrypt_into`` runs on a helper thread writing into an in-memory
    pipe. Damage anywhere in the file raises :class:`DecryptionFailed` from ``read`` when
    the reader gets there; the plaintext read before that was real, but the caller must
    treat the whole as failed. ``close()`` (or leaving the ``with``) stops the thread.
    """

    def __init__(self, source: Readable, identities: Sequence[str]) -> None:
        _identities(identities)
        self._pipe = _Pipe()
        self._closed = False
        self._thread = threading.Thread(
            target=self._run, args=(source, list(identities)), name="age-decrypt", daemon=True
        )
        self._thread.start()

    def _run(self, source: Readable, identities: list[str]) -> None:
        try:
            decrypt_into(source, _PipeWriter(self._pipe), identities)
        except BaseException as error:
            self._pipe.end(error)
        else:
            self._pipe.end()

    def read(self, size: int = -1) -> bytes:
        if self._closed:
            raise ValueError("read from a closed decrypting reader")
        if size >= 0:
            return self._pipe.get(size)
        parts = []
        while part := self._pipe.get(CHUNK_BYTES):
            parts.append(part)
        return b"".join(parts)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._pipe.close_reading(_Aborted("the reader was closed"))
        self._thread.join()

    def __enter__(self) -> DecryptingReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class _PipeWriter:
    def __init__(self, pipe: _Pipe) -> None:
        self._pipe = pipe

    def write(self, data: bytes) -> int:
        self._pipe.put(data)
        return len(data)


@contextmanager
def open_decrypted(path: Path, identities: Sequence[str]) -> Iterator[DecryptingReader]:
    """``with open_decrypted(path, ids) as plain:`` the plaintext of an age file, pulled in
    pieces (for a stored photo going into a bundle). Nothing is written anywhere."""
    with open(path, "rb") as source, DecryptingReader(source, identities) as reader:
        yield reader


__all__ = [
    "AGE_MAGIC",
    "CHUNK_BYTES",
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

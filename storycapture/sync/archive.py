"""The inside of a bundle: canonical and strict JSON, and a POSIX ustar archive written by
pulling and read by pushing, so neither side ever holds a photo whole or puts it on disk.

Nothing here knows about the vault; ``bundle.py`` gives the members their meaning. Whatever
is refused raises :class:`ArchiveRefused` with a machine-readable reason, which ``bundle.py``
turns into a sentence for the facilitator.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import queue
import re
import tarfile
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

from storycapture.crypto.agefile import write_all

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

BLOCK = 512
END_OF_ARCHIVE = bytes(2 * BLOCK)
USTAR_MAGIC = b"ustar\x0000"  # magic and version of a POSIX ustar header
MAX_USTAR_SIZE = 8**11 - 1  # the largest size eleven octal digits hold

OPERATIONS = "operations.jsonl"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
MEDIA_PREFIX = "media/"

_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
UUID_PATTERN = re.compile(_UUID)
MEDIA_NAME = re.compile(f"media/({_UUID})/({_UUID})")

# Members from this size on are hashed on a helper thread while the caller's thread decrypts
# and encrypts (hashlib lets go of the GIL); smaller ones are not worth the hand-over.
BACKGROUND_BYTES = 1024 * 1024


class ArchiveRefused(ValueError):
    """Bytes that are not a bundle's archive or JSON as StoryCapture writes them.

    ``reason`` is one of ``bad-json``, ``too-large``, ``unsafe-member``, ``bad-archive``,
    ``bad-entry`` or ``truncated``; ``detail`` says what exactly, for logs and tests.
    """

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def is_canonical_uuid(text: object) -> bool:
    return isinstance(text, str) and _is_canonical_uuid_text(text)


@lru_cache(maxsize=65536)
def _is_canonical_uuid_text(text: str) -> bool:
    """(Remembered: a bundle names its device in each of its changes, a storyteller in each
    change of theirs and an item in each change to it.)"""
    return UUID_PATTERN.fullmatch(text) is not None


def media_name(storyteller_uuid: str, photo_uuid: str) -> str:
    name = f"{MEDIA_PREFIX}{storyteller_uuid}/{photo_uuid}"
    if not MEDIA_NAME.fullmatch(name):
        raise ValueError("media are named by two lowercase canonical uuids")
    return name


def is_bundle_member_name(name: str) -> bool:
    """The only names a bundle holds: the operations, media by uuid, the manifest and its
    signature. Anything else (a path with ``..``, an absolute path…) fails this too."""
    return name in (OPERATIONS, MANIFEST, SIGNATURE) or MEDIA_NAME.fullmatch(name) is not None


# --- JSON ---------------------------------------------------------------------------------


def canonical_json(obj: Any) -> bytes:
    """The one byte string for a JSON value: sorted keys, no spaces, UTF-8, no NaN/Infinity.

    Floats are written as Python writes them (shortest round-trip form); the manifest has
    none, operation values may (a strength card's position)."""
    text = json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode("utf-8")


_STRUCTURE = re.compile(rb'["\[\]{}]')
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_QUOTE = ord('"')
_OPENERS = frozenset(b"[{")


def _check_depth(data: bytes, max_depth: int) -> None:
    """Refuse nesting deeper than ``max_depth`` without parsing, so that a 100,000-deep
    array is refused before ``json`` could recurse into it.

    Strings (with their escapes) are skipped whole, so only brackets outside strings count,
    and every bracket the parser would reach is counted. The scan stops at a string that
    never ends: the parser refuses it there, before any bracket after it. Each byte is
    looked at a bounded number of times, so a hostile line costs linear time."""
    if data.count(b"[") + data.count(b"{") <= max_depth:
        return  # not enough brackets to nest that deep, even counting those inside strings
    depth = 0
    position = 0
    while (found := _STRUCTURE.search(data, position)) is not None:
        char = data[found.start()]
        if char == _QUOTE:
            string = _STRING.match(data, found.start())
            if string is None:
                return
            position = string.end()
            continue
        position = found.end()
        if char in _OPENERS:
            depth += 1
            if depth > max_depth:
                raise ArchiveRefused("bad-json", f"JSON nested deeper than {max_depth} levels")
        else:
            depth -= 1


def _refuse_constant(name: str) -> Any:
    raise ArchiveRefused("bad-json", f"JSON holds {name}")


def _refuse_float(text: str) -> Any:
    raise ArchiveRefused("bad-json", f"JSON holds a fraction ({text}) where only whole numbers go")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400 reads as infinity
        raise ArchiveRefused("bad-json", f"JSON holds a number too large for a float ({text})")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for key, _value in pairs:
            if key in seen:
                raise ArchiveRefused("bad-json", f"JSON object has the key {key!r} twice")
            seen.add(key)
    return result


# One decoder each, made once (``json.loads`` with hooks makes a new one for every text).
_DECODERS = {
    allow: json.JSONDecoder(
        object_pairs_hook=_unique_keys,
        parse_constant=_refuse_constant,
        parse_float=_finite_float if allow else _refuse_float,
    )
    for allow in (True, False)
}


def strict_json(data: bytes, *, max_bytes: int, max_depth: int, allow_floats: bool = True) -> Any:
    """Parse one JSON text, refusing what ``json.loads`` lets through: more than
    ``max_bytes``, invalid UTF-8 (and a byte-order mark), nesting beyond ``max_depth``,
    duplicate keys, NaN and Infinity (also spelt 1e400), floats unless ``allow_floats``, and
    anything after the value but whitespace. Integers longer than Python's 4,300-digit limit
    are refused too."""
    if len(data) > max_bytes:
        raise ArchiveRefused("too-large", f"JSON text is longer than {max_bytes} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ArchiveRefused("bad-json", "JSON text is not valid UTF-8") from error
    _check_depth(data, max_depth)
    if text.startswith("\ufeff"):  # as json.loads, which the decoder alone does not check
        raise ArchiveRefused("bad-json", "not a JSON text (it begins with a byte-order mark)")
    try:
        return _DECODERS[allow_floats].decode(text)
    except ArchiveRefused:
        raise
    except (ValueError, RecursionError) as error:
        # JSONDecodeError (a ValueError) for bad syntax, a BOM or trailing data; ValueError
        # for an integer too long to convert.
        raise ArchiveRefused("bad-json", f"not a JSON text ({error})") from error


# --- helper threads -----------------------------------------------------------------------
#
# ``cryptography`` holds the GIL while it seals or opens a chunk; hashlib and file writes let
# go of it. So the caller's thread keeps the encryption, and hashing and writing run on helper
# threads. Each hand-over between threads costs context switches, so bytes go over in batches
# of about BATCH_BYTES, each hashed or written in one call that runs without the GIL.

BATCH_BYTES = 1024 * 1024
_STOP = object()


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


def _rooms(count: int) -> queue.SimpleQueue[None]:
    room: queue.SimpleQueue[None] = queue.SimpleQueue()
    for _ in range(count):
        room.put(None)
    return room


class HashingThread:
    """SHA-256 computed on one helper thread, in the order the bytes were handed over.

    ``sha256()`` gives a hasher whose ``update`` keeps ``data`` (bytes: never changed after)
    and hands it to the thread in batches, waiting only while ``max_pending`` batches are
    already there; its ``hexdigest`` waits for its last batch. ``close()`` ends the thread
    (so does dropping the object).
    """

    def __init__(self, max_pending: int = 4) -> None:
        self._work: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._room = _rooms(max_pending)
        self._thread = threading.Thread(
            target=_hash_loop, args=(self._work, self._room), name="sha256", daemon=True
        )
        self._thread.start()
        self._stop = weakref.finalize(self, self._work.put, _STOP)

    def sha256(self) -> Hasher:
        return _ThreadedSha256(self)

    def _hand_over(self, hasher: Any, batch: list[bytes]) -> None:
        if not self._stop.alive:
            raise ValueError("hashing thread is closed")
        self._room.get()
        self._work.put((hasher, batch))

    def _hexdigest(self, hasher: Any) -> str:
        if not self._stop.alive:
            raise ValueError("hashing thread is closed")
        done: queue.SimpleQueue[BaseException | None] = queue.SimpleQueue()
        self._work.put((hasher, done))
        error = done.get()
        if error is not None:
            raise error
        digest: str = hasher.hexdigest()
        return digest

    def close(self) -> None:
        self._stop()
        self._thread.join()


class _ThreadedSha256:
    __slots__ = ("_batch", "_hasher", "_size", "_thread")

    def __init__(self, thread: HashingThread) -> None:
        self._thread = thread
        self._hasher = hashlib.sha256()
        self._batch: list[bytes] = []
        self._size = 0

    def update(self, data: bytes, /) -> None:
        self._batch.append(data)
        self._size += len(data)
        if self._size >= BATCH_BYTES:
            self._hand_over()

    def _hand_over(self) -> None:
        if self._batch:
            batch, self._batch, self._size = self._batch, [], 0
            self._thread._hand_over(self._hasher, batch)

    def hexdigest(self) -> str:
        self._hand_over()
        return self._thread._hexdigest(self._hasher)


def _hash_loop(work: queue.SimpleQueue[Any], room: queue.SimpleQueue[None]) -> None:
    error: BaseException | None = None
    while (item := work.get()) is not _STOP:
        hasher, batch = item
        if isinstance(batch, list):
            try:
                if error is None:
                    hasher.update(batch[0] if len(batch) == 1 else b"".join(batch))
            except BaseException as raised:
                error = raised
            finally:
                room.put(None)
        else:  # a caller waits for everything handed over before this
            batch.put(error)


@dataclass
class _WriterState:
    errors: list[BaseException] = field(default_factory=list)
    aborted: bool = False


class WritingThread:
    """Writes to ``target`` on a helper thread, so that the caller's thread goes on (say,
    encrypting the next chunks) while the disk takes the last ones.

    ``write`` keeps ``data`` and hands it over in batches, waiting only while
    ``max_pending`` batches are already there. The first exception of ``target`` is raised
    again, as it was raised, from a later ``write`` and from ``close``/``wait``; after it
    nothing more reaches ``target``. ``close()`` returns once everything is written;
    ``close(then=...)`` returns at once, and the thread calls ``then()`` after the last write
    (to sync and close the file, say) unless something failed, ``wait()`` then waiting for
    it. ``abort()`` stops at once (what was handed over may or may not be written, ``then``
    may or may not have run). One of ``close()``, ``wait()`` or ``abort()`` ends the thread,
    as does dropping the object; only then may ``target`` be used again.
    """

    def __init__(self, target: Any, max_pending: int = 4) -> None:
        self._work: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._room = _rooms(max_pending)
        self._state = _WriterState()
        self._batch: list[bytes] = []
        self._size = 0
        self._thread = threading.Thread(
            target=_write_loop,
            args=(target, self._work, self._room, self._state),
            name="writer",
            daemon=True,
        )
        self._thread.start()
        self._stop = weakref.finalize(self, self._work.put, _STOP)

    def write(self, data: bytes, /) -> int:
        if self._state.errors:
            raise self._state.errors[0]
        if not self._stop.alive:
            raise ValueError("write to a closed writing thread")
        if type(data) is not bytes:
            data = bytes(data)  # the caller may reuse its buffer
        self._batch.append(data)
        self._size += len(data)
        if self._size >= BATCH_BYTES:
            self._hand_over()
        return len(data)

    def _hand_over(self) -> None:
        if self._batch:
            batch, self._batch, self._size = self._batch, [], 0
            self._room.get()
            self._work.put(batch)

    def close(self, then: Callable[[], None] | None = None) -> None:
        if self._stop.alive:
            self._hand_over()
            if then is not None:
                self._work.put(then)
            self._stop()
            if then is not None:
                return
        self.wait()

    def wait(self) -> None:
        self._stop()
        self._thread.join()
        if self._state.errors:
            raise self._state.errors[0]

    def abort(self) -> None:
        self._batch = []
        self._state.aborted = True
        self._stop()
        self._thread.join()


def _write_loop(
    target: Any,
    work: queue.SimpleQueue[Any],
    room: queue.SimpleQueue[None],
    state: _WriterState,
) -> None:
    while (item := work.get()) is not _STOP:
        try:
            if state.errors or state.aborted:
                continue
            if isinstance(item, list):
                write_all(target, item[0] if len(item) == 1 else b"".join(item))
            else:
                item()
        except BaseException as error:
            state.errors.append(error)
        finally:
            if isinstance(item, list):
                room.put(None)


# --- writing: an archive to pull from -----------------------------------------------------


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class OutgoingMember:
    """One regular file to archive: ``open()`` gives a stream of exactly ``size`` bytes."""

    name: str
    size: int
    open: Callable[[], AbstractContextManager[Readable]]


@dataclass(frozen=True)
class ArchivedMember:
    """A member as it went into, or came out of, an archive, with the SHA-256 of its bytes."""

    name: str
    size: int
    sha256: str


class MemberSizeMismatch(ValueError):
    """A member's stream gave more or fewer bytes than the size its header declared."""


def ustar_header(name: str, size: int) -> bytes:
    """The 512-byte POSIX ustar header of a regular file: mode 0600, owned by 0, time 0."""
    if not 0 <= size <= MAX_USTAR_SIZE:
        raise ValueError(f"a ustar member holds 0 to {MAX_USTAR_SIZE} bytes")
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info.tobuf(format=tarfile.USTAR_FORMAT, encoding="utf-8", errors="strict")


def padding(size: int) -> bytes:
    return bytes(-size % BLOCK)


class _Current:
    """The member being streamed out."""

    def __init__(
        self, member: OutgoingMember, stream: Readable, stack: ExitStack, hasher: Hasher
    ) -> None:
        self.member = member
        self.stream = stream
        self.stack = stack
        self.left = member.size
        self.hasher = hasher


class TarWriter(io.RawIOBase):
    """A ustar archive of ``members``, produced as it is read, for age encryption to pull
    from. ``read(n)`` gives the next piece as it is (a header, padding, or what a member's
    stream gave, not copied), at most ``n`` bytes but maybe fewer, ``b""`` only at the end;
    ``readinto`` fills the buffer. ``members`` is iterated lazily: each is asked for only
    once the one before has been read to its end and reported to ``on_member``, so a last
    member (a manifest) can be built from what came before. Each member is opened when
    reached and closed at its end; one that gives more or fewer bytes than its declared
    size raises :class:`MemberSizeMismatch`. ``on_bytes`` hears how many member bytes went
    out. Members of :data:`BACKGROUND_BYTES` or more are hashed on a helper thread.
    Close it (or use ``with``) to close a member left open by an error and end the thread.
    """

    def __init__(
        self,
        members: Iterable[OutgoingMember],
        *,
        on_member: Callable[[ArchivedMember], None] | None = None,
        on_bytes: Callable[[int], None] | None = None,
    ) -> None:
        super().__init__()
        self._members: Iterator[OutgoingMember] = iter(members)
        self._on_member = on_member
        self._on_bytes = on_bytes
        self._pending = b""  # header, padding or end blocks not yet read
        self._current: _Current | None = None
        self._ended = False
        self._names: set[str] = set()
        self._hashing: HashingThread | None = None

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1, /) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if self.closed:
            raise ValueError("read from a closed archive writer")
        return self._piece(size) if size else b""

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view):
            piece = self._piece(len(view) - filled)
            if not piece:
                break
            view[filled : filled + len(piece)] = piece
            filled += len(piece)
        return filled

    def _piece(self, limit: int) -> bytes:
        """The next 1 to ``limit`` bytes of the archive; ``b""`` at its end."""
        while True:
            pending = self._pending
            if pending:
                if len(pending) <= limit:
                    self._pending = b""
                    return pending
                self._pending = pending[limit:]
                return pending[:limit]
            if self._current is not None:
                data = self._member_piece(self._current, limit)
                if data:
                    return data
            elif not self._start_next():
                return b""

    def _start_next(self) -> bool:
        """Queue the next member's header, or the end of the archive; False once all is out."""
        if self._ended:
            return False
        member = next(self._members, None)
        if member is None:
            self._ended = True
            self._pending = END_OF_ARCHIVE
            return True
        if member.name in self._names:
            raise ValueError(f"{member.name} is in the archive twice")
        self._names.add(member.name)
        header = ustar_header(member.name, member.size)
        stack = ExitStack()
        try:
            stream = stack.enter_context(member.open())
        except BaseException:
            stack.close()
            raise
        hasher: Hasher
        if member.size >= BACKGROUND_BYTES:
            if self._hashing is None:
                self._hashing = HashingThread()
            hasher = self._hashing.sha256()
        else:
            hasher = hashlib.sha256()
        self._current = _Current(member, stream, stack, hasher)
        self._pending = header
        return True

    def _member_piece(self, current: _Current, limit: int) -> bytes:
        """Up to ``limit`` bytes of the member, as its stream gave them; ``b""`` once it
        ended (then its padding is pending)."""
        if current.left == 0:
            if current.stream.read(1):
                raise MemberSizeMismatch(f"{current.member.name} is longer than it said")
            self._finish_member(current)
            return b""
        asked = min(limit, current.left)
        data = current.stream.read(asked)
        if not data:
            raise MemberSizeMismatch(f"{current.member.name} is shorter than it said")
        count = len(data)
        if count > asked:
            raise MemberSizeMismatch(f"{current.member.name} gave more bytes than were asked for")
        if type(data) is not bytes:
            data = bytes(data)  # the stream may reuse its buffer; the hash thread reads it later
        current.hasher.update(data)
        current.left -= count
        if self._on_bytes is not None:
            self._on_bytes(count)
        return data

    def _finish_member(self, current: _Current) -> None:
        self._current = None
        current.stack.close()
        member = current.member
        self._pending = padding(member.size)
        if self._on_member is not None:
            self._on_member(ArchivedMember(member.name, member.size, current.hasher.hexdigest()))

    def close(self) -> None:
        try:
            if self._current is not None:
                current, self._current = self._current, None
                current.stack.close()
        finally:
            try:
                if self._hashing is not None:
                    self._hashing.close()
            finally:
                super().close()


# --- reading: an archive pushed in --------------------------------------------------------


class MemberSink(Protocol):
    """Where one member's bytes go while the archive is read."""

    def write(self, data: bytes, /) -> object: ...

    def close(self) -> None:
        """The member arrived whole."""

    def abort(self) -> None:
        """The archive failed before the member arrived whole: drop what came."""


class Discard:
    """A sink that keeps nothing (the member is only hashed)."""

    def write(self, data: bytes, /) -> int:
        return len(data)

    def close(self) -> None:
        pass

    def abort(self) -> None:
        pass


class Collect:
    """A sink that keeps the member in memory; the reader has already checked its size."""

    def __init__(self) -> None:
        self._data = bytearray()
        self.complete = False

    def write(self, data: bytes, /) -> int:
        self._data.extend(data)
        return len(data)

    def close(self) -> None:
        self.complete = True

    def abort(self) -> None:
        self._data = bytearray()

    @property
    def data(self) -> bytes:
        return bytes(self._data)


_HEADER, _BODY, _PADDING, _END_BLOCK, _ENDED = range(5)


class TarReader:
    """Reads a ustar archive pushed in with ``write`` (any chunking), refusing on the way
    whatever StoryCapture does not write, before the bytes of it go anywhere:

    - headers that are not POSIX ustar, that fail their checksum, or that are not a regular
      file: links, symlinks, devices, fifos, directories, PAX and GNU extension headers;
    - names with ``..``, a leading ``/``, a backslash or a NUL, names that ``allowed_name``
      refuses, and a name seen twice;
    - a member of more than ``max_member_bytes`` (from its header, before its first byte),
      more than ``max_members`` members, and more than ``max_total_bytes`` in all (counted as
      bytes arrive);
    - anything but zeros after the end-of-archive blocks, and an end that never came
      (``close()``).

    ``open_member(name, size)`` picks the sink for each member; the reader hashes every
    member itself (members of :data:`BACKGROUND_BYTES` or more on a helper thread, which
    ``close`` and ``abort`` end) and lists them in ``members`` in archive order. A body that
    arrives as whole ``bytes`` is handed to its sink as it is. After an error every call
    raises it again, and the open sink has been aborted.
    """

    def __init__(
        self,
        open_member: Callable[[str, int], MemberSink],
        *,
        max_member_bytes: int,
        max_total_bytes: int,
        max_members: int,
        allowed_name: Callable[[str], bool] = is_bundle_member_name,
    ) -> None:
        self._open_member = open_member
        self._max_member_bytes = max_member_bytes
        self._max_total_bytes = max_total_bytes
        self._max_members = max_members
        self._allowed_name = allowed_name
        self.members: list[ArchivedMember] = []
        self.total = 0
        self._names: set[str] = set()
        self._state = _HEADER
        self._block = bytearray()
        self._left = 0  # bytes of the current member body, or of its padding
        self._name = ""
        self._size = 0
        self._sink: MemberSink | None = None
        self._hasher: Hasher = hashlib.sha256()
        self._hashing: HashingThread | None = None
        self._error: BaseException | None = None
        self._closed = False

    def write(self, data: bytes, /) -> int:
        if self._error is not None:
            raise self._error
        if self._closed:
            raise ValueError("write to a closed archive reader")
        try:
            self.total += len(data)
            if self.total > self._max_total_bytes:
                raise ArchiveRefused(
                    "too-large", f"archive is larger than {self._max_total_bytes} bytes"
                )
            self._consume(data)
        except BaseException as error:
            self._fail(error)
            raise
        return len(data)

    def close(self) -> None:
        """Check that the archive ended properly (both end blocks came)."""
        if self._error is not None:
            raise self._error
        if self._closed:
            return
        self._closed = True
        if self._state != _ENDED:
            error = ArchiveRefused("truncated", "archive ends before its end-of-archive blocks")
            self._fail(error)
            raise error
        self._stop_hashing()

    def abort(self) -> None:
        """Stop reading (the stream around it failed): the open sink, if any, is aborted.
        Nothing happens once the archive has been closed."""
        if self._error is None and not self._closed:
            self._fail(ArchiveRefused("truncated", "archive reading was stopped"))

    def _fail(self, error: BaseException) -> None:
        self._error = error
        sink, self._sink = self._sink, None
        try:
            if sink is not None:
                sink.abort()
        finally:
            self._stop_hashing()

    def _stop_hashing(self) -> None:
        hashing, self._hashing = self._hashing, None
        if hashing is not None:
            hashing.close()

    def _consume(self, data: bytes) -> None:
        view = memoryview(data).cast("B")
        whole = data if type(data) is bytes else None  # handed on as it is, not copied
        at, end = 0, len(view)
        while at < end:
            state = self._state
            if state in (_HEADER, _END_BLOCK):
                count = min(BLOCK - len(self._block), end - at)
                self._block.extend(view[at : at + count])
                at += count
                if len(self._block) == BLOCK:
                    block, self._block = bytes(self._block), bytearray()
                    self._on_block(block)
            elif state == _BODY:
                count = min(self._left, end - at)
                # The whole of ``data`` (count == end means at == 0) goes on without a copy.
                piece = bytes(view[at : at + count]) if whole is None or count < end else whole
                at += count
                self._hasher.update(piece)
                assert self._sink is not None
                self._sink.write(piece)
                self._left -= count
                if self._left == 0:
                    self._end_member()
            elif state == _PADDING:
                count = min(self._left, end - at)
                if any(view[at : at + count]):
                    raise ArchiveRefused("bad-archive", f"padding after {self._name} is not zero")
                at += count
                self._left -= count
                if self._left == 0:
                    self._state = _HEADER
            else:  # _ENDED: only zero padding may follow
                if any(view[at:]):
                    raise ArchiveRefused("bad-archive", "data after the end of the archive")
                return

    def _on_block(self, block: bytes) -> None:
        zero = not any(block)
        if self._state == _END_BLOCK:
            if not zero:
                raise ArchiveRefused("bad-archive", "a lone zero block inside the archive")
            self._state = _ENDED
        elif zero:
            self._state = _END_BLOCK
        else:
            self._start_member(block)

    def _start_member(self, block: bytes) -> None:
        name, size = _parse_header(block, self._allowed_name)
        if name in self._names:
            raise ArchiveRefused("bad-entry", f"{name} is in the archive twice")
        if len(self.members) >= self._max_members:
            raise ArchiveRefused("too-large", f"archive has more than {self._max_members} files")
        if size > self._max_member_bytes:
            raise ArchiveRefused(
                "too-large", f"{name} is larger than {self._max_member_bytes} bytes"
            )
        self._names.add(name)
        self._name, self._size, self._left = name, size, size
        if size >= BACKGROUND_BYTES:
            if self._hashing is None:
                self._hashing = HashingThread()
            self._hasher = self._hashing.sha256()
        else:
            self._hasher = hashlib.sha256()
        self._sink = self._open_member(name, size)
        self._state = _BODY
        if size == 0:
            self._end_member()

    def _end_member(self) -> None:
        sink, self._sink = self._sink, None
        assert sink is not None
        sink.close()
        self.members.append(ArchivedMember(self._name, self._size, self._hasher.hexdigest()))
        self._left = -self._size % BLOCK
        self._state = _PADDING if self._left else _HEADER


_REGULAR = (tarfile.REGTYPE, tarfile.AREGTYPE)
_KINDS = {
    tarfile.LNKTYPE: "a hard link",
    tarfile.SYMTYPE: "a symbolic link",
    tarfile.CHRTYPE: "a character device",
    tarfile.BLKTYPE: "a block device",
    tarfile.DIRTYPE: "a directory",
    tarfile.FIFOTYPE: "a fifo",
    tarfile.CONTTYPE: "a contiguous file",
    tarfile.XHDTYPE: "a PAX header",
    tarfile.XGLTYPE: "a PAX global header",
    tarfile.GNUTYPE_LONGNAME: "a GNU long name",
    tarfile.GNUTYPE_LONGLINK: "a GNU long link",
    tarfile.GNUTYPE_SPARSE: "a GNU sparse file",
}


def _name_field_is_clean(field: bytes) -> bool:
    """A NUL ends a name; anything after it but more NULs would be a name smuggled past."""
    _, _, rest = field.partition(b"\0")
    return not any(rest)


def _parse_header(block: bytes, allowed_name: Callable[[str], bool]) -> tuple[str, int]:
    try:
        info = tarfile.TarInfo.frombuf(block, "utf-8", "strict")
    except (tarfile.HeaderError, UnicodeDecodeError, ValueError) as error:
        raise ArchiveRefused("bad-archive", f"not a valid tar header ({error})") from error
    if block[257:265] != USTAR_MAGIC:
        raise ArchiveRefused("bad-archive", "not a POSIX ustar header")
    if info.type not in _REGULAR or info.isdir():
        kind = _KINDS.get(info.type, f"a member of type {info.type!r}")
        raise ArchiveRefused("unsafe-member", f"{info.name!r} is {kind}")
    if not (_name_field_is_clean(block[0:100]) and _name_field_is_clean(block[345:500])):
        raise ArchiveRefused("unsafe-member", "a name with a NUL inside")
    name = info.name
    if name.startswith("/") or "\\" in name or "\0" in name or ".." in name.split("/"):
        raise ArchiveRefused("unsafe-member", f"unsafe name {name!r}")
    if not allowed_name(name):
        raise ArchiveRefused("unsafe-member", f"{name!r} is not a name StoryCapture writes")
    if info.linkname:
        raise ArchiveRefused("unsafe-member", f"{name!r} names a link target")
    if info.size < 0:
        raise ArchiveRefused("bad-archive", f"{name!r} has a negative size")
    return name, info.size


__all__ = [
    "BACKGROUND_BYTES",
    "BATCH_BYTES",
    "END_OF_ARCHIVE",
    "MANIFEST",
    "MEDIA_NAME",
    "OPERATIONS",
    "SIGNATURE",
    "ArchiveRefused",
    "ArchivedMember",
    "Collect",
    "Discard",
    "HashingThread",
    "MemberSink",
    "MemberSizeMismatch",
    "OutgoingMember",
    "Readable",
    "TarReader",
    "TarWriter",
    "WritingThread",
    "canonical_json",
    "is_bundle_member_name",
    "is_canonical_uuid",
    "media_name",
    "strict_json",
    "ustar_header",
]

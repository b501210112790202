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
import re
import tarfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

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
    return isinstance(text, str) and UUID_PATTERN.fullmatch(text) is not None


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
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ArchiveRefused("bad-json", f"JSON object has the key {key!r} twice")
        result[key] = value
    return result


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
    try:
        return json.loads(
            text,
            object_pairs_hook=_unique_keys,
            parse_constant=_refuse_constant,
            parse_float=_finite_float if allow_floats else _refuse_float,
        )
    except ArchiveRefused:
        raise
    except (ValueError, RecursionError) as error:
        # JSONDecodeError (a ValueError) for bad syntax, a BOM or trailing data; ValueError
        # for an integer too long to convert.
        raise ArchiveRefused("bad-json", f"not a JSON text ({error})") from error


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

    def __init__(self, member: OutgoingMember, stream: Readable, stack: ExitStack) -> None:
        self.member = member
        self.stream = stream
        self.stack = stack
        self.left = member.size
        self.hasher = hashlib.sha256()


class TarWriter(io.RawIOBase):
    """A ustar archive of ``members``, produced as it is read (``readinto``), for pyrage to
    pull from. ``members`` is iterated lazily: each is asked for only once the one before has
    been read to its end and reported to ``on_member``, so a last member (a manifest) can
    be built from what came before. Each member is opened when reached and closed at its
    end; one that gives more or fewer bytes than its declared size raises
    :class:`MemberSizeMismatch`. ``on_bytes`` hears how many member bytes went out.
    Close it (or use ``with``) to close a member left open by an error.
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
        self._pending = memoryview(b"")  # header, padding or end blocks not yet read
        self._current: _Current | None = None
        self._ended = False
        self._names: set[str] = set()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        filled = 0
        while filled < len(view):
            if self._pending:
                count = min(len(self._pending), len(view) - filled)
                view[filled : filled + count] = self._pending[:count]
                self._pending = self._pending[count:]
                filled += count
            elif self._current is not None:
                filled += self._copy_member(view[filled:])
            elif not self._start_next():
                break
        return filled

    def _start_next(self) -> bool:
        """Queue the next member's header, or the end of the archive; False once all is out."""
        if self._ended:
            return False
        member = next(self._members, None)
        if member is None:
            self._ended = True
            self._pending = memoryview(END_OF_ARCHIVE)
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
        self._current = _Current(member, stream, stack)
        self._pending = memoryview(header)
        return True

    def _copy_member(self, space: memoryview) -> int:
        current = self._current
        assert current is not None
        if current.left == 0:
            if current.stream.read(1):
                raise MemberSizeMismatch(f"{current.member.name} is longer than it said")
            self._finish_member(current)
            return 0
        asked = min(len(space), current.left)
        data = current.stream.read(asked)
        if not data:
            raise MemberSizeMismatch(f"{current.member.name} is shorter than it said")
        count = len(data)
        if count > asked:
            raise MemberSizeMismatch(f"{current.member.name} gave more bytes than were asked for")
        space[:count] = data
        current.hasher.update(data)
        current.left -= count
        if self._on_bytes is not None:
            self._on_bytes(count)
        return count

    def _finish_member(self, current: _Current) -> None:
        self._current = None
        current.stack.close()
        member = current.member
        self._pending = memoryview(padding(member.size))
        if self._on_member is not None:
            self._on_member(ArchivedMember(member.name, member.size, current.hasher.hexdigest()))

    def close(self) -> None:
        try:
            if self._current is not None:
                current, self._current = self._current, None
                current.stack.close()
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
    member itself and lists them in ``members`` in archive order. After an error every call
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
        self._hasher = hashlib.sha256()
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
            self._consume(memoryview(data))
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

    def abort(self) -> None:
        """Stop reading (the stream around it failed): the open sink, if any, is aborted.
        Nothing happens once the archive has been closed."""
        if self._error is None and not self._closed:
            self._fail(ArchiveRefused("truncated", "archive reading was stopped"))

    def _fail(self, error: BaseException) -> None:
        self._error = error
        sink, self._sink = self._sink, None
        if sink is not None:
            sink.abort()

    def _consume(self, data: memoryview) -> None:
        while data:
            state = self._state
            if state in (_HEADER, _END_BLOCK):
                count = min(BLOCK - len(self._block), len(data))
                self._block.extend(data[:count])
                data = data[count:]
                if len(self._block) == BLOCK:
                    block, self._block = bytes(self._block), bytearray()
                    self._on_block(block)
            elif state == _BODY:
                count = min(self._left, len(data))
                piece = bytes(data[:count])
                data = data[count:]
                self._hasher.update(piece)
                assert self._sink is not None
                self._sink.write(piece)
                self._left -= count
                if self._left == 0:
                    self._end_member()
            elif state == _PADDING:
                count = min(self._left, len(data))
                if any(data[:count]):
                    raise ArchiveRefused("bad-archive", f"padding after {self._name} is not zero")
                data = data[count:]
                self._left -= count
                if self._left == 0:
                    self._state = _HEADER
            else:  # _ENDED: only zero padding may follow
                if any(data):
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
    "END_OF_ARCHIVE",
    "MANIFEST",
    "MEDIA_NAME",
    "OPERATIONS",
    "SIGNATURE",
    "ArchiveRefused",
    "ArchivedMember",
    "Collect",
    "Discard",
    "MemberSink",
    "MemberSizeMismatch",
    "OutgoingMember",
    "Readable",
    "TarReader",
    "TarWriter",
    "canonical_json",
    "is_bundle_member_name",
    "is_canonical_uuid",
    "media_name",
    "strict_json",
    "ustar_header",
]

"""One bundle file: written in a single streaming pass, and read and checked completely before
anything in it is used.

A bundle is an age file (X25519 recipients; ``age -d -i key.txt`` opens it) whose plaintext is
a POSIX ustar archive holding, in this order:

- ``operations.jsonl``: one canonical JSON object per line, each a change or an erasure;
- ``media/<storyteller-uuid>/<photo-uuid>``: the plaintext of each photo the changes bring;
- ``manifest.json``: canonical JSON naming the sender, the bundle's place in the sender's
  sequence and every member above with its size and SHA-256;
- ``manifest.sig``: the sender's 64-byte Ed25519 signature over the bytes of manifest.json.

The manifest comes last so that writing is one pass (each member is hashed as it streams by);
a bundle's identity is the SHA-256 of its manifest. Nothing here knows the vault's tables:
the caller chooses what goes in, says whom each incoming photo is encrypted to, and decides
whether it trusts the sender.

Nothing in plaintext touches the disk. Writing streams photos from their readers through the
archive into age; reading decrypts into memory, re-encrypting each photo on the fly to the
recipient the caller names, so what lands in the staging folder is ciphertext. A bundle that
fails any check leaves nothing behind: no staged file, and on export no partial file.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import hashlib
import io
import os
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storycapture.crypto.aead import DecryptionFailed
from storycapture.crypto.keys import (
    age_recipient,
    is_age_recipient,
    sign,
    signing_public_key,
    verify_signature,
)
from storycapture.crypto.stream import (
    EncryptingWriter,
    MalformedAgeFile,
    NotAnAgeFile,
    NotForTheseIdentities,
    OversizedAgeHeader,
    TruncatedAgeFile,
    decrypt_into,
    encrypt_from,
    plaintext_size_of_payload,
    read_age_header,
    recipient_fingerprint,
)
from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.photos import PHOTO_LIMIT_BYTES, SNIFF_BYTES, sniff_photo_type
from storycapture.domain.text import SHORT
from storycapture.sync.archive import (
    BACKGROUND_BYTES,
    MANIFEST,
    MEDIA_NAME,
    OPERATIONS,
    SIGNATURE,
    ArchivedMember,
    ArchiveRefused,
    Collect,
    Discard,
    MemberSink,
    OutgoingMember,
    Readable,
    TarReader,
    TarWriter,
    WritingThread,
    canonical_json,
    is_bundle_member_name,
    is_canonical_uuid,
    media_name,
    strict_json,
)

FORMAT = "storycapture-bundle"
FORMAT_VERSION = 1
SIGNATURE_BYTES = 64
SIGNING_KEY_BYTES = 32
MAX_SEQUENCE = 2**63 - 1  # what SQLite's INTEGER holds
AUTHOR_LIMIT = 100  # operations.author is a String(100)

_HLC = re.compile(r"[0-9]{15}\.[0-9]{6}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,39}")  # entity and field names: String(40)
_PROGRESS_STEP = 1024 * 1024

_DAMAGED = "This file is damaged or incomplete, so nothing was imported."
_MESSAGES = {
    "truncated": _DAMAGED,
    "damaged": _DAMAGED,
    "unreadable": "This file could not be read to the end, so nothing was imported.",
    "not-a-bundle": "This file is not a StoryCapture bundle, so nothing was imported.",
    "not-for-us": (
        "This bundle was made for another installation, so it cannot be opened here "
        "and nothing was imported."
    ),
    "too-large": "This file is larger than StoryCapture accepts, so nothing was imported.",
    "unsafe-member": (
        "This bundle holds a file that StoryCapture never puts in a bundle, so nothing "
        "was imported."
    ),
    "bad-archive": _DAMAGED,
    "bad-signature": (
        "This bundle's signature does not match its contents, so nothing was imported."
    ),
    "bad-manifest": (
        "This bundle's list of contents is not as StoryCapture writes it, so nothing was imported."
    ),
    "bad-entry": (
        "This bundle's contents do not match its list of contents, so nothing was imported."
    ),
    "bad-json": "This bundle holds data that StoryCapture cannot read, so nothing was imported.",
    "bad-operation": (
        "This bundle holds a change that is not as StoryCapture writes it, so nothing was imported."
    ),
    "unknown-version": (
        "This bundle was made by a newer StoryCapture; please update StoryCapture on this "
        "laptop to import it."
    ),
    "unlisted-media": (
        "This bundle holds a photo that none of its changes adds, so nothing was imported."
    ),
    "not-a-photo": (
        "This bundle holds a photo file that is not the kind of picture it says it is, so "
        "nothing was imported."
    ),
}


class BundleRefused(StoryCaptureError):
    """A bundle that is not imported. ``str()`` is one plain sentence for the facilitator;
    ``reason`` says why for code (``truncated``, ``damaged``, ``unreadable``,
    ``not-a-bundle``, ``not-for-us``, ``too-large``, ``unsafe-member``, ``bad-archive``,
    ``bad-signature``, ``bad-manifest``, ``bad-entry``, ``bad-json``, ``bad-operation``,
    ``unknown-version``, ``unlisted-media``, ``not-a-photo``, and whatever ``check_sender``
    raises, e.g. ``untrusted``);
    ``detail`` says exactly what, for logs and tests, never for the window."""

    def __init__(self, message: str, *, reason: str, detail: str = "") -> None:
        super().__init__(message)
        self.reason = reason
        self.detail = detail

    @classmethod
    def because(cls, reason: str, detail: str = "") -> BundleRefused:
        """The refusal with this module's own sentence for ``reason``."""
        return cls(_MESSAGES[reason], reason=reason, detail=detail)


@dataclass(frozen=True)
class Limits:
    """How much of a bundle is accepted. Each cap is checked before the bytes it guards are
    stored anywhere: on the file's size, on each member's header, as bytes arrive."""

    max_bundle_bytes: int = 8 * 1024**3
    max_member_bytes: int = PHOTO_LIMIT_BYTES  # one photo: none larger than a laptop keeps
    max_operations_bytes: int = 256 * 1024**2  # operations.jsonl, held in memory
    max_operation_line_bytes: int = 16 * 1024**2  # one change
    max_manifest_bytes: int = 16 * 1024**2
    max_json_depth: int = 32
    max_header_bytes: int = 64 * 1024  # the age header
    max_stanzas: int = 32  # age recipients, and the one "grease" stanza age adds
    max_entries: int = 1_000_000


DEFAULT_LIMITS = Limits()
# age adds one "grease" stanza to each header, so a receiver with the default stanza cap
# opens a bundle for at most one recipient fewer.
MAX_RECIPIENTS = DEFAULT_LIMITS.max_stanzas - 1


# --- the manifest -------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    format_version: int
    device_id: str
    device_name: str
    signing_key: bytes  # raw Ed25519 public key
    sequence: int
    previous_bundle: str | None  # bundle id of the sender's bundle before this one
    recipients: tuple[str, ...]  # recipient_fingerprint of each age recipient, sorted
    created_hlc: str
    operation_count: int  # "set" lines
    erase_count: int  # "erase" lines
    entries: tuple[Entry, ...]  # operations.jsonl, then each media member, in archive order

    def to_json(self) -> bytes:
        return canonical_json(
            {
                "format": FORMAT,
                "format_version": self.format_version,
                "device_id": self.device_id,
                "device_name": self.device_name,
                "signing_key": base64.b64encode(self.signing_key).decode("ascii"),
                "sequence": self.sequence,
                "previous_bundle": self.previous_bundle,
                "recipients": list(self.recipients),
                "created_hlc": self.created_hlc,
                "operation_count": self.operation_count,
                "erase_count": self.erase_count,
                "entries": [
                    {"name": e.name, "size": e.size, "sha256": e.sha256} for e in self.entries
                ],
            }
        )

    def bundle_id(self) -> str:
        return hashlib.sha256(self.to_json()).hexdigest()

    @classmethod
    def from_json(cls, data: bytes, limits: Limits = DEFAULT_LIMITS) -> Manifest:
        """Parse and check a manifest strictly: every field's type, range and form, no
        unknown keys, no floats, and the bytes must be the canonical form of what they say.
        Raises :class:`BundleRefused` (``bad-json``, ``bad-manifest``, ``unknown-version``)."""
        return _manifest(_manifest_value(data, limits), data, limits)


_MANIFEST_KEYS = frozenset(
    {
        "format",
        "format_version",
        "device_id",
        "device_name",
        "signing_key",
        "sequence",
        "previous_bundle",
        "recipients",
        "created_hlc",
        "operation_count",
        "erase_count",
        "entries",
    }
)
_ENTRY_KEYS = frozenset({"name", "size", "sha256"})


def _is_int(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high  # bool is not a count


def _is_hlc(value: object) -> bool:
    return isinstance(value, str) and _HLC.fullmatch(value) is not None


def _is_sha256(value: object) -> bool:
    return isinstance(value, str) and _SHA256.fullmatch(value) is not None


def device_name_problem(name: object) -> str | None:
    """Why ``name`` cannot name a device in a bundle (it is shown to the facilitator), or None."""
    if not isinstance(name, str) or not name.strip():
        return "a device name is text that is not blank"
    if len(name) > SHORT:
        return f"a device name is at most {SHORT} characters"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name):
        return "a device name has no control, format or surrogate characters"
    return None


def _decode_signing_key(value: object) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        key = base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        return None
    if len(key) != SIGNING_KEY_BYTES or base64.b64encode(key).decode("ascii") != value:
        return None
    return key


def _manifest_value(data: bytes, limits: Limits) -> Any:
    try:
        return strict_json(
            data,
            max_bytes=limits.max_manifest_bytes,
            max_depth=limits.max_json_depth,
            allow_floats=False,
        )
    except ArchiveRefused as error:
        raise BundleRefused.because(error.reason, f"manifest: {error.detail}") from error


def _newer_version(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("format") == FORMAT
        and type(value.get("format_version")) is int
        and value["format_version"] > FORMAT_VERSION
    )


def _manifest(value: Any, data: bytes, limits: Limits) -> Manifest:
    def bad(detail: str) -> BundleRefused:
        return BundleRefused.because("bad-manifest", detail)

    if not isinstance(value, dict):
        raise bad("the manifest is not a JSON object")
    if value.get("format") != FORMAT:
        raise bad("the manifest does not name the StoryCapture bundle format")
    version = value.get("format_version")
    if _newer_version(value):
        raise BundleRefused.because("unknown-version", f"format_version {version}")
    if version != FORMAT_VERSION or type(version) is not int:
        raise bad(f"format_version {version!r}")
    if set(value) != _MANIFEST_KEYS:
        extra, missing = set(value) - _MANIFEST_KEYS, _MANIFEST_KEYS - set(value)
        raise bad(f"unknown keys {sorted(extra)}, missing keys {sorted(missing)}")
    if not is_canonical_uuid(value["device_id"]):
        raise bad("device_id is not a lowercase uuid")
    problem = device_name_problem(value["device_name"])
    if problem:
        raise bad(problem)
    signing_key = _decode_signing_key(value["signing_key"])
    if signing_key is None:
        raise bad("signing_key is not 32 bytes in base64")
    if not _is_int(value["sequence"], 1, MAX_SEQUENCE):
        raise bad("sequence is not a whole number from 1")
    previous = value["previous_bundle"]
    if previous is not None and not _is_sha256(previous):
        raise bad("previous_bundle is neither null nor a bundle id")
    recipients = value["recipients"]
    if (
        not isinstance(recipients, list)
        or not 1 <= len(recipients) <= limits.max_stanzas
        or not all(_is_sha256(r) for r in recipients)
        or recipients != sorted(set(recipients))
    ):
        raise bad("recipients is not a sorted list of distinct fingerprints")
    if not _is_hlc(value["created_hlc"]):
        raise bad("created_hlc is not a clock value")
    for key in ("operation_count", "erase_count"):
        if not _is_int(value[key], 0, MAX_SEQUENCE):
            raise bad(f"{key} is not a whole number from 0")
    entries = _entries(value["entries"], limits)
    if canonical_json(value) != data:
        raise bad("the manifest is not in canonical form")
    return Manifest(
        format_version=version,
        device_id=value["device_id"],
        device_name=value["device_name"],
        signing_key=signing_key,
        sequence=value["sequence"],
        previous_bundle=previous,
        recipients=tuple(recipients),
        created_hlc=value["created_hlc"],
        operation_count=value["operation_count"],
        erase_count=value["erase_count"],
        entries=entries,
    )


def _entries(value: Any, limits: Limits) -> tuple[Entry, ...]:
    def bad(detail: str) -> BundleRefused:
        return BundleRefused.because("bad-manifest", f"entries: {detail}")

    if not isinstance(value, list) or not 1 <= len(value) <= limits.max_entries:
        raise bad(f"not a list of 1 to {limits.max_entries} entries")
    entries: list[Entry] = []
    for number, item in enumerate(value):
        if not isinstance(item, dict) or set(item) != _ENTRY_KEYS:
            raise bad("an entry is not {name, size, sha256}")
        name, size, digest = item["name"], item["size"], item["sha256"]
        wanted_ops = number == 0
        if not isinstance(name, str) or (
            name != OPERATIONS if wanted_ops else MEDIA_NAME.fullmatch(name) is None
        ):
            raise bad(f"entry {number} is not {'operations.jsonl' if wanted_ops else 'media'}")
        if not _is_int(size, 0, MAX_SEQUENCE) or not _is_sha256(digest):
            raise bad(f"entry {name} has no valid size or sha256")
        entries.append(Entry(name, size, digest))
    if len({e.name for e in entries}) != len(entries):
        raise BundleRefused.because("bad-entry", "entries: a name is listed twice")
    return tuple(entries)


# --- operations ---------------------------------------------------------------------------

_SET_KEYS = frozenset(
    {"op", "entity", "uuid", "storyteller", "field", "value", "hlc", "device", "author", "base"}
)
_ERASE_KEYS = frozenset({"op", "storyteller", "hlc", "device", "author"})


def operation_problem(op: Mapping[str, Any], device_id: str) -> str | None:
    """Why ``op`` is not a line a bundle from ``device_id`` may hold, or None.

    A change (``set``) names its item, field, value, clock, device, author and the change
    it replaced (``base``: ``[hlc, device]`` or null); it must come from the bundle's own
    device. An erasure (``erase``) names a storyteller and may be passed on from another
    device. No other keys are allowed."""
    kind = op.get("op")
    if kind == "set":
        if set(op) != _SET_KEYS:
            return f"a change has the keys {sorted(_SET_KEYS)}"
        if not isinstance(op["entity"], str) or not _IDENTIFIER.fullmatch(op["entity"]):
            return "entity is not a name"
        if not isinstance(op["field"], str) or not _IDENTIFIER.fullmatch(op["field"]):
            return "field is not a name"
        if not is_canonical_uuid(op["uuid"]):
            return "uuid is not a lowercase uuid"
        base = op["base"]
        if base is not None and not (
            isinstance(base, list)
            and len(base) == 2
            and _is_hlc(base[0])
            and is_canonical_uuid(base[1])
        ):
            return "base is neither null nor [hlc, device]"
        if op["device"] != device_id:
            return "a change made on another device than the bundle's"
    elif kind == "erase":
        if set(op) != _ERASE_KEYS:
            return f"an erasure has the keys {sorted(_ERASE_KEYS)}"
    else:
        return f"op is {kind!r}, neither 'set' nor 'erase'"
    if not is_canonical_uuid(op["storyteller"]):
        return "storyteller is not a lowercase uuid"
    if not _is_hlc(op["hlc"]):
        return "hlc is not a clock value"
    if not is_canonical_uuid(op["device"]):
        return "device is not a lowercase uuid"
    author = op["author"]
    if not isinstance(author, str) or not 0 < len(author) <= AUTHOR_LIMIT:
        return f"author is not text of 1 to {AUTHOR_LIMIT} characters"
    return None


def _parse_operations(data: bytes, manifest: Manifest, limits: Limits) -> list[dict[str, Any]]:
    if data and not data.endswith(b"\n"):
        raise BundleRefused.because("bad-operation", "operations.jsonl does not end a line")
    lines = data.split(b"\n")[:-1] if data else []
    expected = manifest.operation_count + manifest.erase_count
    if len(lines) != expected:
        raise BundleRefused.because(
            "bad-entry", f"operations.jsonl has {len(lines)} lines, the manifest {expected}"
        )
    operations: list[dict[str, Any]] = []
    erasures = 0
    for number, line in enumerate(lines, start=1):
        try:
            op = strict_json(
                line,
                max_bytes=limits.max_operation_line_bytes,
                max_depth=limits.max_json_depth,
            )
        except ArchiveRefused as error:
            raise BundleRefused.because(error.reason, f"line {number}: {error.detail}") from error
        if not isinstance(op, dict):
            raise BundleRefused.because("bad-operation", f"line {number} is not an object")
        problem = operation_problem(op, manifest.device_id)
        if problem:
            raise BundleRefused.because("bad-operation", f"line {number}: {problem}")
        erasures += op["op"] == "erase"
        operations.append(op)
    if erasures != manifest.erase_count:
        raise BundleRefused.because(
            "bad-entry", f"{erasures} erasures, the manifest says {manifest.erase_count}"
        )
    return operations


# --- writing ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediaItem:
    """A photo to send: ``open()`` gives its plaintext, exactly ``size`` bytes (a stored photo
    through ``crypto.stream.open_decrypted``, say; never a plaintext file)."""

    storyteller_uuid: str
    photo_uuid: str
    size: int
    open: Callable[[], AbstractContextManager[Readable]]


@dataclass(frozen=True)
class WrittenBundle:
    path: Path
    bundle_id: str
    manifest: Manifest
    size: int


def bundle_file_name(device_id: str, sequence: int) -> str:
    return f"storycapture-{device_id[:8]}-{sequence:06d}.age"


class _Progress:
    """Reports ``(done, total)`` at most about once per MiB, and always at the end."""

    def __init__(self, callback: Callable[[int, int], None] | None, total: int) -> None:
        self._callback = callback
        self.total = total
        self.done = 0
        self._reported = -1

    def advance(self, count: int) -> None:
        self.done += count
        if self._callback is not None and (
            self.done - self._reported >= _PROGRESS_STEP or self.done >= self.total
        ):
            self._reported = self.done
            self._callback(min(self.done, self.total), self.total)


def _check_write_arguments(
    device_id: str,
    device_name: str,
    sequence: int,
    previous_bundle: str | None,
    created_hlc: str,
    recipients: Sequence[str],
    media: Sequence[MediaItem],
) -> None:
    """Refuse (ValueError) a bundle that its receiver would refuse: these are the caller's
    mistakes, never the facilitator's."""
    if not is_canonical_uuid(device_id):
        raise ValueError("device_id is a lowercase uuid")
    problem = device_name_problem(device_name)
    if problem:
        raise ValueError(problem)
    if not _is_int(sequence, 1, MAX_SEQUENCE):
        raise ValueError("sequence is a whole number from 1")
    if previous_bundle is not None and not _is_sha256(previous_bundle):
        raise ValueError("previous_bundle is None or a bundle id")
    if not _is_hlc(created_hlc):
        raise ValueError("created_hlc is a clock value")
    if isinstance(recipients, str) or not recipients:
        raise ValueError("a bundle needs at least one recipient")
    if not all(is_age_recipient(r) for r in recipients):
        raise ValueError("recipients are age recipients (age1…)")
    if len(set(recipients)) > MAX_RECIPIENTS:
        raise ValueError(f"a bundle goes to at most {MAX_RECIPIENTS} recipients")
    photos = [item.photo_uuid for item in media]
    if len(set(photos)) != len(photos):
        raise ValueError("a photo is in the bundle twice")
    for item in media:
        media_name(item.storyteller_uuid, item.photo_uuid)  # raises for a malformed uuid
        if not _is_int(item.size, 0, MAX_SEQUENCE):
            raise ValueError("a photo's size is a whole number from 0")


def write_bundle(
    directory: Path,
    *,
    device_id: str,
    device_name: str,
    signing_key: bytes,
    sequence: int,
    previous_bundle: str | None,
    created_hlc: str,
    recipients: Sequence[str],
    operations: Sequence[Mapping[str, Any]],
    media: Sequence[MediaItem],
    progress: Callable[[int, int], None] | None = None,
) -> WrittenBundle:
    """Write one bundle into ``directory`` and return where, with its id and manifest.

    The file is written as ``.<name>.partial``, synced, and only then given its name
    (``storycapture-<device>-<sequence>.age``); the folder is synced after. On any failure
    (a full disk, a photo reader raising, Ctrl+C) the partial file is removed and the name
    never appears. An existing file of that name is never replaced: ``FileExistsError``.
    ``operations`` are checked as the receiver checks them (``ValueError``); they are held in
    memory, while photos stream. ``progress(done, total)`` counts operation and photo bytes.
    """
    directory = Path(directory)
    _check_write_arguments(
        device_id, device_name, sequence, previous_bundle, created_hlc, recipients, media
    )
    lines = []
    erasures = 0
    for number, op in enumerate(operations, start=1):
        problem = operation_problem(op, device_id)
        if problem:
            raise ValueError(f"operation {number}: {problem}")
        erasures += op["op"] == "erase"
        lines.append(canonical_json(dict(op)) + b"\n")
    operations_bytes = b"".join(lines)
    public_key = signing_public_key(signing_key)

    archived: list[ArchivedMember] = []
    built: list[Manifest] = []

    def members() -> Iterator[OutgoingMember]:
        yield OutgoingMember(
            OPERATIONS,
            len(operations_bytes),
            lambda: contextlib.nullcontext(io.BytesIO(operations_bytes)),
        )
        for item in media:
            yield OutgoingMember(
                media_name(item.storyteller_uuid, item.photo_uuid), item.size, item.open
            )
        # Every member before has been streamed and hashed by now.
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            device_id=device_id,
            device_name=device_name,
            signing_key=public_key,
            sequence=sequence,
            previous_bundle=previous_bundle,
            recipients=tuple(sorted({recipient_fingerprint(r) for r in recipients})),
            created_hlc=created_hlc,
            operation_count=len(lines) - erasures,
            erase_count=erasures,
            entries=tuple(Entry(m.name, m.size, m.sha256) for m in archived),
        )
        built.append(manifest)
        manifest_bytes = manifest.to_json()
        signature = sign(signing_key, manifest_bytes)
        yield OutgoingMember(
            MANIFEST,
            len(manifest_bytes),
            lambda: contextlib.nullcontext(io.BytesIO(manifest_bytes)),
        )
        yield OutgoingMember(
            SIGNATURE, len(signature), lambda: contextlib.nullcontext(io.BytesIO(signature))
        )

    name = bundle_file_name(device_id, sequence)
    final = directory / name
    partial = directory / f".{name}.partial"
    if os.path.lexists(final):
        raise FileExistsError(errno.EEXIST, "a bundle of this name already exists", str(final))
    counter = _Progress(progress, len(operations_bytes) + sum(item.size for item in media))
    try:
        partial.unlink(missing_ok=True)  # left by a crash: ciphertext, but of no use
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with (
            open(descriptor, "wb") as out,
            TarWriter(members(), on_member=archived.append, on_bytes=counter.advance) as archive,
        ):
            # The disk takes each chunk on a helper thread while the next is encrypted.
            writer = WritingThread(out)
            try:
                encrypt_from(archive, writer, list(recipients))
                writer.close()
            except BaseException:
                writer.abort()
                raise
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
        _publish(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    try:
        _sync_directory(directory)
    except BaseException:
        final.unlink(missing_ok=True)
        raise
    manifest = built[0]
    return WrittenBundle(final, manifest.bundle_id(), manifest, size)


_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}


def _publish(partial: Path, final: Path) -> None:
    """Give ``partial`` the name ``final`` without ever replacing a file of that name.

    A hard link fails if the name exists, atomically. Where the filesystem has no hard links
    (FAT and exFAT on USB sticks), a check then a rename is the best there is."""
    try:
        os.link(partial, final)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        if os.path.lexists(final):
            raise FileExistsError(
                errno.EEXIST, "a bundle of this name already exists", str(final)
            ) from error
        os.replace(partial, final)
        return
    try:
        os.unlink(partial)
    except BaseException:
        final.unlink(missing_ok=True)
        raise


def _sync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable; filesystems that cannot sync a folder say so
    with EINVAL, and there the rename is as durable as they make it."""
    descriptor = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    except OSError as error:
        if error.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
    finally:
        os.close(descriptor)


# --- reading ------------------------------------------------------------------------------


@dataclass
class OpenedBundle:
    manifest: Manifest
    bundle_id: str
    operations: list[dict[str, Any]]
    # (storyteller uuid, photo uuid) → the photo, encrypted to the recipient stage_media gave,
    # as <photo uuid>.age in the staging folder; the caller moves each where it belongs.
    media: dict[tuple[str, str], Path] = field(default_factory=dict)
    size: int = 0


class _Source:
    """The bundle file as decryption reads it: the header bytes already read and checked,
    then the rest of the file (so what is decrypted is what was checked). Read errors become
    a refusal; progress counts the bytes read."""

    def __init__(self, header: bytes, source: io.BufferedReader, progress: _Progress) -> None:
        self._header = memoryview(header)
        self._source = source
        self._progress = progress

    def read(self, size: int = -1) -> bytes:
        if self._header:
            count = len(self._header) if size < 0 else min(size, len(self._header))
            data = bytes(self._header[:count])
            self._header = self._header[count:]
        else:
            try:
                data = self._source.read(size)
            except OSError as error:
                raise BundleRefused(
                    f"This file could not be read to the end ({error.strerror or error}), "
                    "so nothing was imported.",
                    reason="unreadable",
                    detail=str(error),
                ) from error
        self._progress.advance(len(data))
        return data


class _StagedPhoto:
    """An incoming photo, encrypted as it arrives into ``path`` (never plaintext on disk).

    A large one is written by a helper thread while the next chunks are decrypted, and
    ``close()`` leaves its flush, sync and close to that thread too (the next member is read
    meanwhile): ``wait()`` returns once it is on the disk. Until ``wait()`` or ``abort()``
    the file may still be open."""

    def __init__(self, path: Path, recipient: str, size: int) -> None:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file = open(descriptor, "wb")  # noqa: SIM115 - closed in close() and abort()
        self._thread: WritingThread | None = None
        self._writer: EncryptingWriter | None = None
        try:
            if size >= BACKGROUND_BYTES:
                self._thread = WritingThread(self._file)
            self._writer = EncryptingWriter(self._thread or self._file, [recipient])
        except BaseException:
            self.abort()
            raise

    def write(self, data: bytes, /) -> int:
        assert self._writer is not None
        return self._writer.write(data)

    def _finish_file(self) -> None:
        try:
            self._file.flush()
            os.fsync(self._file.fileno())
        finally:
            self._file.close()

    def close(self) -> None:
        assert self._writer is not None
        try:
            self._writer.close()
            if self._thread is not None:
                self._thread.close(then=self._finish_file)
                return
        except BaseException:
            self.abort()
            raise
        self._finish_file()

    def wait(self) -> None:
        """The photo is written, synced and closed (or what stopped it is raised)."""
        if self._thread is not None:
            try:
                self._thread.wait()
            finally:
                with contextlib.suppress(OSError):
                    self._file.close()

    def abort(self) -> None:
        try:
            if self._writer is not None:
                self._writer.abort()
            if self._thread is not None:
                self._thread.abort()
        finally:
            with contextlib.suppress(OSError):
                self._file.close()


class _Sniffed:
    """A photo member on its way to ``sink``, whose first bytes must be the kind of picture
    its changes say (``declared``): an HTML page or a program named a photo goes no further."""

    def __init__(self, sink: MemberSink, declared: object, name: str) -> None:
        self._sink = sink
        self._declared = declared
        self._name = name
        self._head = b""
        self._checked = False

    def _check(self) -> None:
        self._checked = True
        found = sniff_photo_type(self._head)
        if found is None or found != self._declared:
            raise BundleRefused.because(
                "not-a-photo", f"{self._name} is {found or 'not a picture'}, said {self._declared}"
            )

    def write(self, data: bytes, /) -> object:
        if not self._checked:
            self._head += data[: SNIFF_BYTES - len(self._head)]
            if len(self._head) >= SNIFF_BYTES:
                self._check()
        return self._sink.write(data)

    def close(self) -> None:
        if not self._checked:
            self._check()
        self._sink.close()

    def abort(self) -> None:
        self._sink.abort()


class _Incoming:
    """Picks where each member of the archive goes, and holds what was picked."""

    def __init__(
        self,
        limits: Limits,
        stage_media: Callable[[str, str], str | None],
        staging_dir: Path,
    ) -> None:
        self._limits = limits
        self._stage_media = stage_media
        self._staging_dir = staging_dir
        self.collected: dict[str, Collect] = {}
        self.staged: dict[tuple[str, str], Path] = {}  # the .partial files
        self._photos: list[_StagedPhoto] = []
        self._adds: dict[tuple[str, str], object] | None = None
        self._arrived: set[str] = set()

    def _photos_added(self) -> dict[tuple[str, str], object]:
        """The photos the bundle's changes add — (storyteller, photo) → the media type they
        give it — read from ``operations.jsonl``, which comes first. Only the lines about
        photos are parsed here (under the same limits); every line is checked once the whole
        bundle is read. A photo file none of them adds is refused at once, before any work is
        done for it: 20,000 empty members no change refers to take no longer than one."""
        if self._adds is None:
            data = self.data(OPERATIONS)
            if data is None:
                raise BundleRefused.because("bad-entry", "a photo comes before the changes")
            adds: dict[tuple[str, str], object] = {}
            for line in data.split(b"\n"):
                if b'"photo"' not in line:
                    continue
                try:
                    op = strict_json(
                        line,
                        max_bytes=self._limits.max_operation_line_bytes,
                        max_depth=self._limits.max_json_depth,
                    )
                except ArchiveRefused:
                    continue  # refused with its line number once the bundle is read
                if not (
                    isinstance(op, dict)
                    and op.get("op") == "set"
                    and op.get("entity") == "photo"
                    and op.get("field") in ("original_name", "media_type")
                ):
                    continue
                key = (str(op.get("storyteller")), str(op.get("uuid")))
                if op["field"] == "media_type":
                    adds[key] = op.get("value")
                else:
                    adds.setdefault(key, None)
            self._adds = adds
        return self._adds

    def __call__(self, name: str, size: int) -> MemberSink:
        limits = self._limits
        if name == SIGNATURE:
            if size != SIGNATURE_BYTES:
                raise BundleRefused.because("bad-signature", f"a signature of {size} bytes")
            return self._collect(name)
        if name in (OPERATIONS, MANIFEST):
            cap = limits.max_operations_bytes if name == OPERATIONS else limits.max_manifest_bytes
            if size > cap:
                raise BundleRefused.because("too-large", f"{name} is larger than {cap} bytes")
            return self._collect(name)
        found = MEDIA_NAME.fullmatch(name)
        if found is None:  # the archive reader lets no other name through
            raise BundleRefused.because("unsafe-member", f"unexpected member {name!r}")
        if size > limits.max_member_bytes:
            raise BundleRefused.because(
                "too-large", f"{name} is larger than {limits.max_member_bytes} bytes"
            )
        storyteller_uuid, photo_uuid = found.groups()
        adds = self._photos_added()
        if (storyteller_uuid, photo_uuid) not in adds:
            raise BundleRefused.because(
                "unlisted-media", f"{name}: no change adds photo {photo_uuid} for its storyteller"
            )
        if photo_uuid in self._arrived:
            raise BundleRefused.because("bad-entry", f"photo {photo_uuid} is in the bundle twice")
        self._arrived.add(photo_uuid)
        declared = adds[(storyteller_uuid, photo_uuid)]
        recipient = self._stage_media(storyteller_uuid, photo_uuid)
        if recipient is None:
            return _Sniffed(Discard(), declared, name)
        path = self._staging_dir / f"{photo_uuid}.age.partial"
        self.staged[(storyteller_uuid, photo_uuid)] = path  # before the file exists: cleanup
        photo = _StagedPhoto(path, recipient, size)
        self._photos.append(photo)
        return _Sniffed(photo, declared, name)

    def wait(self) -> None:
        """Every staged photo is on the disk (or the first thing that stopped one is raised,
        once all have stopped)."""
        first: BaseException | None = None
        for photo in self._photos:
            try:
                photo.wait()
            except BaseException as error:
                first = first or error
        if first is not None:
            raise first

    def abort(self) -> None:
        """Stop every staged photo still being written, and close its file."""
        for photo in self._photos:
            photo.abort()

    def _collect(self, name: str) -> Collect:
        sink = Collect()
        self.collected[name] = sink
        return sink

    def data(self, name: str) -> bytes | None:
        sink = self.collected.get(name)
        return sink.data if sink is not None and sink.complete else None


def read_bundle(
    path: Path,
    *,
    identities: Sequence[str],
    check_sender: Callable[[Manifest], None],
    stage_media: Callable[[str, str], str | None],
    staging_dir: Path,
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[int, int], None] | None = None,
) -> OpenedBundle:
    """Open and check one bundle completely; raise :class:`BundleRefused` for anything amiss.

    In one pass the file is decrypted with ``identities`` into an archive reader; each photo
    is encrypted on the fly to the recipient ``stage_media(storyteller, photo)`` returns,
    into ``staging_dir/<photo>.age.partial`` (``None``: only hashed). ``stage_media`` sees
    names from a bundle not yet verified: it must only choose, not change anything. Then the
    signature is verified with the manifest's key, the manifest is checked, ``check_sender``
    decides whether the signer is trusted (it raises ``BundleRefused`` itself), the archive
    is compared with the manifest's entries, and every line of ``operations.jsonl`` is
    parsed and checked. Only then are the staged photos renamed to ``<photo>.age``.

    On any failure every staged file is deleted. Errors that are not about the bundle (a
    full disk while staging) pass as they are. ``progress(done, total)`` counts file bytes.
    """
    path = Path(path)
    staging_dir = Path(staging_dir)
    incoming = _Incoming(limits, stage_media, staging_dir)
    renamed: list[Path] = []
    try:
        manifest, bundle_id, operations, size = _read(
            path, identities, check_sender, incoming, limits, progress
        )
        incoming.wait()  # the photos' last writes and syncs overlapped with the checks above
        media: dict[tuple[str, str], Path] = {}
        for key, partial in incoming.staged.items():
            final = staging_dir / f"{key[1]}.age"
            os.replace(partial, final)
            renamed.append(final)
            media[key] = final
    except BaseException:
        try:
            incoming.abort()
        finally:
            for staged in [*incoming.staged.values(), *renamed]:
                staged.unlink(missing_ok=True)
        raise
    return OpenedBundle(manifest, bundle_id, operations, media, size)


def verify_bundle(
    path: Path,
    *,
    identities: Sequence[str],
    check_sender: Callable[[Manifest], None],
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[int, int], None] | None = None,
) -> OpenedBundle:
    """Check a bundle as an import would, keeping nothing: photos are only hashed, and no
    file is written (for ``storycapture bundle verify``)."""
    return read_bundle(
        path,
        identities=identities,
        check_sender=check_sender,
        stage_media=lambda _storyteller, _photo: None,
        staging_dir=Path(path).parent,
        limits=limits,
        progress=progress,
    )


def _read(
    path: Path,
    identities: Sequence[str],
    check_sender: Callable[[Manifest], None],
    incoming: _Incoming,
    limits: Limits,
    progress: Callable[[int, int], None] | None,
) -> tuple[Manifest, str, list[dict[str, Any]], int]:
    try:
        source = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as error:
        raise BundleRefused(
            f"This file could not be opened ({error.strerror or error}), so nothing was imported.",
            reason="unreadable",
            detail=str(error),
        ) from error
    with source:
        size = os.fstat(source.fileno()).st_size
        if size == 0:
            raise BundleRefused.because("truncated", "the file is empty")
        if size > limits.max_bundle_bytes:
            raise BundleRefused.because("too-large", f"{size} bytes")
        header = _read_header(source, size, limits)
        archive = TarReader(
            incoming,
            max_member_bytes=max(
                limits.max_member_bytes, limits.max_operations_bytes, limits.max_manifest_bytes
            ),
            max_total_bytes=limits.max_bundle_bytes,
            max_members=limits.max_entries + 2,
        )
        counter = _Progress(progress, size)
        try:
            decrypt_into(
                _Source(header, source, counter),
                archive,
                identities,
                max_header_bytes=limits.max_header_bytes,
                max_stanzas=limits.max_stanzas,
            )
            archive.close()
        except NotForTheseIdentities as error:
            raise BundleRefused.because("not-for-us", str(error)) from error
        except DecryptionFailed as error:
            raise BundleRefused.because("damaged", str(error)) from error
        except ArchiveRefused as error:
            raise BundleRefused.because(error.reason, error.detail) from error
        finally:
            archive.abort()  # aborts a photo left half-staged; nothing once closed

    manifest = _verified_manifest(incoming, limits, identities)
    check_sender(manifest)
    _check_entries(archive.members, manifest)
    operations_bytes = incoming.data(OPERATIONS)
    assert operations_bytes is not None  # the entries say it came first
    operations = _parse_operations(operations_bytes, manifest, limits)
    return manifest, manifest.bundle_id(), operations, size


def _read_header(source: io.BufferedReader, size: int, limits: Limits) -> bytes:
    """Check the age header (and that the file's length fits an age payload) before anything
    is decrypted, so that each kind of refusal has its own reason."""
    try:
        header = read_age_header(source, limits.max_header_bytes, limits.max_stanzas)
        plaintext_size_of_payload(size - header.length)
    except OSError as error:
        raise BundleRefused(
            f"This file could not be read ({error.strerror or error}), so nothing was imported.",
            reason="unreadable",
            detail=str(error),
        ) from error
    except NotAnAgeFile as error:
        raise BundleRefused.because("not-a-bundle", str(error)) from error
    except TruncatedAgeFile as error:
        raise BundleRefused.because("truncated", str(error)) from error
    except OversizedAgeHeader as error:
        raise BundleRefused.because("too-large", str(error)) from error
    except MalformedAgeFile as error:
        raise BundleRefused.because("damaged", str(error)) from error
    return header.raw


def _verified_manifest(incoming: _Incoming, limits: Limits, identities: Sequence[str]) -> Manifest:
    """The signature first (with the key the manifest names), then the manifest's form."""
    signature = incoming.data(SIGNATURE)
    manifest_bytes = incoming.data(MANIFEST)
    if manifest_bytes is None:
        raise BundleRefused.because("bad-manifest", "no manifest.json")
    if signature is None:
        raise BundleRefused.because("bad-signature", "no manifest.sig")
    value = _manifest_value(manifest_bytes, limits)
    key = _decode_signing_key(value.get("signing_key")) if isinstance(value, dict) else None
    if key is None:
        if _newer_version(value):
            raise BundleRefused.because("unknown-version", "no signing key this version reads")
        raise BundleRefused.because("bad-manifest", "signing_key is not 32 bytes in base64")
    try:
        verify_signature(key, signature, manifest_bytes)
    except DecryptionFailed as error:
        raise BundleRefused.because("bad-signature", "manifest.sig does not verify") from error
    manifest = _manifest(value, manifest_bytes, limits)
    ours = {recipient_fingerprint(age_recipient(identity)) for identity in identities}
    if not ours & set(manifest.recipients):
        raise BundleRefused.because("bad-manifest", "the manifest does not list this recipient")
    return manifest


def _check_entries(members: list[ArchivedMember], manifest: Manifest) -> None:
    """The archive holds exactly the manifest's entries, in order, then the manifest and its
    signature; each with the listed size and SHA-256."""
    names = [m.name for m in members]
    if names[-2:] != [MANIFEST, SIGNATURE]:
        raise BundleRefused.because("bad-entry", "manifest.json and manifest.sig are not last")
    archived = [Entry(m.name, m.size, m.sha256) for m in members[:-2]]
    if archived == list(manifest.entries):
        return
    listed = {e.name: e for e in manifest.entries}
    present = {e.name: e for e in archived}
    if missing := sorted(listed.keys() - present.keys()):
        detail = f"listed but missing: {missing[0]}"
    elif unlisted := sorted(present.keys() - listed.keys()):
        detail = f"present but not listed: {unlisted[0]}"
    elif changed := sorted(n for n in listed if listed[n] != present[n]):
        entry, found = listed[changed[0]], present[changed[0]]
        what = "size" if entry.size != found.size else "sha256"
        detail = f"{changed[0]} has another {what} than listed"
    else:
        detail = "the members are in another order than listed"
    raise BundleRefused.because("bad-entry", detail)


__all__ = [
    "DEFAULT_LIMITS",
    "FORMAT",
    "FORMAT_VERSION",
    "BundleRefused",
    "Entry",
    "Limits",
    "Manifest",
    "MediaItem",
    "OpenedBundle",
    "WrittenBundle",
    "bundle_file_name",
    "device_name_problem",
    "is_bundle_member_name",
    "operation_problem",
    "read_bundle",
    "verify_bundle",
    "write_bundle",
]

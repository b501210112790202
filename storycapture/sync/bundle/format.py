"""What a bundle holds and the rules it keeps: its manifest, its lines of changes, the limits
and the refusals (``BundleRefused``), shared by writing and reading.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.photos import PHOTO_LIMIT_BYTES
from storycapture.domain.text import SHORT
from storycapture.sync.archive import (
    MEDIA_NAME,
    OPERATIONS,
    ArchiveRefused,
    Readable,
    canonical_json,
    is_canonical_uuid,
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
        return parse_manifest(manifest_value(data, limits), data, limits)


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


def is_int(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high  # bool is not a count


def is_hlc(value: object) -> bool:
    return isinstance(value, str) and _HLC.fullmatch(value) is not None


def is_sha256(value: object) -> bool:
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


def decode_signing_key(value: object) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        key = base64.b64decode(value.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        return None
    if len(key) != SIGNING_KEY_BYTES or base64.b64encode(key).decode("ascii") != value:
        return None
    return key


def manifest_value(data: bytes, limits: Limits) -> Any:
    try:
        return strict_json(
            data,
            max_bytes=limits.max_manifest_bytes,
            max_depth=limits.max_json_depth,
            allow_floats=False,
        )
    except ArchiveRefused as error:
        raise BundleRefused.because(error.reason, f"manifest: {error.detail}") from error


def newer_version(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and value.get("format") == FORMAT
        and type(value.get("format_version")) is int
        and value["format_version"] > FORMAT_VERSION
    )


def parse_manifest(value: Any, data: bytes, limits: Limits) -> Manifest:
    def bad(detail: str) -> BundleRefused:
        return BundleRefused.because("bad-manifest", detail)

    if not isinstance(value, dict):
        raise bad("the manifest is not a JSON object")
    if value.get("format") != FORMAT:
        raise bad("the manifest does not name the StoryCapture bundle format")
    version = value.get("format_version")
    if newer_version(value):
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
    signing_key = decode_signing_key(value["signing_key"])
    if signing_key is None:
        raise bad("signing_key is not 32 bytes in base64")
    if not is_int(value["sequence"], 1, MAX_SEQUENCE):
        raise bad("sequence is not a whole number from 1")
    previous = value["previous_bundle"]
    if previous is not None and not is_sha256(previous):
        raise bad("previous_bundle is neither null nor a bundle id")
    recipients = value["recipients"]
    if (
        not isinstance(recipients, list)
        or not 1 <= len(recipients) <= limits.max_stanzas
        or not all(is_sha256(r) for r in recipients)
        or recipients != sorted(set(recipients))
    ):
        raise bad("recipients is not a sorted list of distinct fingerprints")
    if not is_hlc(value["created_hlc"]):
        raise bad("created_hlc is not a clock value")
    for key in ("operation_count", "erase_count"):
        if not is_int(value[key], 0, MAX_SEQUENCE):
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
        if not is_int(size, 0, MAX_SEQUENCE) or not is_sha256(digest):
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
        if op.keys() != _SET_KEYS:
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
            and is_hlc(base[0])
            and is_canonical_uuid(base[1])
        ):
            return "base is neither null nor [hlc, device]"
        if op["device"] != device_id:
            return "a change made on another device than the bundle's"
    elif kind == "erase":
        if op.keys() != _ERASE_KEYS:
            return f"an erasure has the keys {sorted(_ERASE_KEYS)}"
    else:
        return f"op is {kind!r}, neither 'set' nor 'erase'"
    if not is_canonical_uuid(op["storyteller"]):
        return "storyteller is not a lowercase uuid"
    if not is_hlc(op["hlc"]):
        return "hlc is not a clock value"
    if not is_canonical_uuid(op["device"]):
        return "device is not a lowercase uuid"
    author = op["author"]
    if not isinstance(author, str) or not 0 < len(author) <= AUTHOR_LIMIT:
        return f"author is not text of 1 to {AUTHOR_LIMIT} characters"
    return None


def parse_operations(data: bytes, manifest: Manifest, limits: Limits) -> list[dict[str, Any]]:
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


class Progress:
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

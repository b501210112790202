"""Reading a bundle: decrypted into memory and checked completely (signature, manifest, every
member) before anything is used; photos re-encrypted as they stream to the staging folder.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storycapture.crypto.aead import DecryptionFailed
from storycapture.crypto.keys import (
    age_recipient,
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
    plaintext_size_of_payload,
    read_age_header,
    recipient_fingerprint,
)
from storycapture.domain.photos import SNIFF_BYTES, sniff_photo_type
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
    TarReader,
    WritingThread,
    strict_json,
)
from storycapture.sync.bundle.format import (
    DEFAULT_LIMITS,
    SIGNATURE_BYTES,
    BundleRefused,
    Entry,
    Limits,
    Manifest,
    Progress,
    decode_signing_key,
    manifest_value,
    newer_version,
    parse_manifest,
    parse_operations,
)


@dataclass
class OpenedBundle:
    manifest: Manifest
    bundle_id: str
    operations: list[dict[str, Any]]
    # (storyteller uuid, photo uuid) → the photo, encrypted to the recipient stage_media gave,
    # as <photo uuid>.age in the staging folder; the caller moves each where it belongs.
    media: dict[tuple[str, str], Path] = field(default_factory=dict)
    size: int = 0
    # ``already_here`` said this bundle was imported before: its changes were not read, and
    # its photos not kept (``operations`` and ``media`` are empty).
    known: bool = False


class _Source:
    """The bundle file as decryption reads it: the header bytes already read and checked,
    then the rest of the file (so what is decrypted is what was checked). Read errors become
    a refusal; progress counts the bytes read."""

    def __init__(self, header: bytes, source: io.BufferedReader, progress: Progress) -> None:
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
    already_here: Callable[[Manifest, str], bool] | None = None,
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

    ``already_here(manifest, bundle_id)``, asked once the signature, the sender and the
    archive's entries are checked, says whether this very bundle was imported before: its
    changes are then not parsed (they are, byte for byte, those of the bundle imported, whose
    manifest lists their SHA-256) and its staged photos are removed; ``known`` is set.
    """
    path = Path(path)
    staging_dir = Path(staging_dir)
    incoming = _Incoming(limits, stage_media, staging_dir)
    renamed: list[Path] = []
    try:
        manifest, bundle_id, operations, size = _read(
            path, identities, check_sender, incoming, limits, progress, already_here
        )
        incoming.wait()  # the photos' last writes and syncs overlapped with the checks above
        if operations is None:
            for partial in incoming.staged.values():
                partial.unlink(missing_ok=True)
            return OpenedBundle(manifest, bundle_id, [], {}, size, known=True)
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
    already_here: Callable[[Manifest, str], bool] | None = None,
) -> tuple[Manifest, str, list[dict[str, Any]] | None, int]:
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
        counter = Progress(progress, size)
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
    bundle_id = manifest.bundle_id()
    if already_here is not None and already_here(manifest, bundle_id):
        return manifest, bundle_id, None, size
    operations_bytes = incoming.data(OPERATIONS)
    assert operations_bytes is not None  # the entries say it came first
    operations = parse_operations(operations_bytes, manifest, limits)
    return manifest, bundle_id, operations, size


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
    value = manifest_value(manifest_bytes, limits)
    key = decode_signing_key(value.get("signing_key")) if isinstance(value, dict) else None
    if key is None:
        if newer_version(value):
            raise BundleRefused.because("unknown-version", "no signing key this version reads")
        raise BundleRefused.because("bad-manifest", "signing_key is not 32 bytes in base64")
    try:
        verify_signature(key, signature, manifest_bytes)
    except DecryptionFailed as error:
        raise BundleRefused.because("bad-signature", "manifest.sig does not verify") from error
    manifest = parse_manifest(value, manifest_bytes, limits)
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

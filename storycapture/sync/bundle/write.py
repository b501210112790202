"""Writing a bundle in one streaming pass: changes and photos through the archive into age, the
manifest last, the file published only once complete.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from storycapture.crypto.keys import (
    is_age_recipient,
    sign,
    signing_public_key,
)
from storycapture.crypto.stream import (
    encrypt_from,
    recipient_fingerprint,
)
from storycapture.sync.archive import (
    MANIFEST,
    OPERATIONS,
    SIGNATURE,
    ArchivedMember,
    OutgoingMember,
    TarWriter,
    WritingThread,
    canonical_json,
    is_canonical_uuid,
    media_name,
)
from storycapture.sync.bundle.format import (
    FORMAT_VERSION,
    MAX_RECIPIENTS,
    MAX_SEQUENCE,
    Entry,
    Manifest,
    MediaItem,
    Progress,
    WrittenBundle,
    bundle_file_name,
    device_name_problem,
    is_hlc,
    is_int,
    is_sha256,
    operation_problem,
)


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
    if not is_int(sequence, 1, MAX_SEQUENCE):
        raise ValueError("sequence is a whole number from 1")
    if previous_bundle is not None and not is_sha256(previous_bundle):
        raise ValueError("previous_bundle is None or a bundle id")
    if not is_hlc(created_hlc):
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
        if not is_int(item.size, 0, MAX_SEQUENCE):
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
    counter = Progress(progress, len(operations_bytes) + sum(item.size for item in media))
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

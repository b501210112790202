"""One check, two uses: import and verify run the same pipeline (read, verify, check every change
against this vault, merge); import commits it, verify rehearses it and reports.
"""

from __future__ import annotations

import errno
import gc
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

from storycapture.crypto import keys
from storycapture.domain.clock import Hlc
from storycapture.domain.errors import InvalidInput, StoryCaptureError, VaultDamaged
from storycapture.services.consent import erase_leftovers
from storycapture.services.kinds import (
    ENTITY_KINDS,
    STORYTELLER,
)
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.sync.bundle import BundleRefused, Limits, Manifest, OpenedBundle, read_bundle
from storycapture.sync.importing.checks import check_chain, check_operations
from storycapture.sync.importing.media import MediaStager, place_media, staging_folder
from storycapture.sync.importing.merge import Merge
from storycapture.sync.importing.report import (
    BundleOutcome,
    ImportReport,
    device_names,
    gaps,
    s_for,
)
from storycapture.sync.importing.sender import Sender, bind_device


def _refusal(error: StoryCaptureError | OSError) -> tuple[str, str]:
    """(reason, plain message) for an import that did not happen."""
    if isinstance(error, BundleRefused):
        return error.reason, str(error)
    if isinstance(error, VaultDamaged):  # an item here, not the bundle: the bundle may be fine
        return "vault-damaged", (
            "This bundle changes an item that has been altered or damaged in this vault, so "
            "nothing was imported. The other items here are not affected."
        )
    if isinstance(error, StoryCaptureError):
        return "error", str(error)
    if error.errno == errno.ENOSPC:  # staging a photo, or placing it: the disk, not the bundle
        return (
            "disk-full",
            "The disk is full, so this bundle was not imported; nothing was changed.",
        )
    return "disk", (
        f"This bundle could not be imported ({error.strerror or error}); nothing was changed."
    )


def import_bundle(
    vault: VaultSession,
    path: Path,
    report: ImportReport,
    *,
    limits: Limits | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BundleOutcome:
    """Import one bundle into ``vault``; the outcome is also added to ``report``."""
    path = Path(path)
    outcome = BundleOutcome(file=path.name, status="refused", message="")
    sender = Sender(vault)
    stager = MediaStager(vault)
    placed: list[Path] = []
    try:
        file_sha256 = _file_sha256(path)
        if _already_imported(vault, file_sha256, outcome):
            report.bundles.append(outcome)
            return outcome
        with staging_folder(vault) as staging, _cycle_collector_paused():
            _read_and_merge(
                vault,
                path,
                report,
                outcome,
                sender,
                stager,
                staging,
                placed,
                limits,
                progress,
                file_sha256=file_sha256,
            )
    except (StoryCaptureError, OSError) as error:
        for moved in placed:
            moved.unlink(missing_ok=True)
        outcome.status = "refused"
        outcome.reason, outcome.message = _refusal(error)
    report.bundles.append(outcome)
    return outcome


_HASH_CHUNK = 1024 * 1024


@contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while one bundle is read and merged; it runs again
    afterwards and collects then whatever it would have collected meanwhile.

    A bundle of 100,000 changes makes millions of small objects that all live until its
    import ends (each change's parsed line, its keys in the merge's maps, its log entry and
    sealed values). None of them is garbage before then, yet with the collector on each of its
    passes over the older generations walks them all again, more often the more there are:
    about a tenth of a large import, for nothing. Reference counting frees everything else as
    usual. The collector is the process's: a cycle made meanwhile on another thread waits for
    the end of the import too."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _file_sha256(path: Path) -> str | None:
    """The file's SHA-256, or None if it cannot be read (reading it properly then says why)."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as file:
            while chunk := file.read(_HASH_CHUNK):
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def _already_imported(vault: VaultSession, file_sha256: str | None, outcome: BundleOutcome) -> bool:
    """The very same file was imported before: say so without decrypting it again. (A file
    with other bytes, even a copy of the same bundle made again, is decrypted and checked up
    to its manifest; its changes are read only if that bundle is not here.)"""
    if file_sha256 is None:
        return False
    with vault.read() as session:
        receipt = session.scalars(
            select(models.BundleReceiptRow).where(
                models.BundleReceiptRow.file_sha256 == file_sha256
            )
        ).first()
    if receipt is None:
        return False
    outcome.sender, outcome.sequence = receipt.device_name, receipt.sequence
    _say_duplicate(outcome, receipt.sequence, receipt.device_name)
    return True


def _read_and_merge(
    vault: VaultSession,
    path: Path,
    report: ImportReport,
    outcome: BundleOutcome,
    sender: Sender,
    stager: MediaStager,
    staging: Path,
    placed: list[Path],
    limits: Limits | None,
    progress: Callable[[int, int], None] | None,
    *,
    rehearse: bool = False,
    file_sha256: str | None = None,
) -> OpenedBundle:
    """Verify ``path`` completely, then merge it in one transaction; fills in ``outcome``,
    and ``placed`` with the photo files it puts in place (as it goes, so that a failure
    even at the commit can take them away again).

    ``rehearse``: every check and every step of the merge, in a transaction that is rolled
    back, with no photo staged or placed — what ``bundle verify`` runs, so that it says
    "good" exactly when an import would take the bundle."""
    opened = read_bundle(
        path,
        identities=[vault.device_age_identity()],
        check_sender=sender,
        stage_media=(lambda _storyteller, _photo: None) if rehearse else stager,
        staging_dir=staging,
        limits=limits or Limits(),
        progress=progress,
        # (verify describes the bundle's changes, so it reads them even when they are here)
        already_here=None if rehearse else _receipt_of(vault),
    )
    manifest = opened.manifest
    outcome.sender, outcome.sequence = sender.name, manifest.sequence
    if opened.known:
        _say_duplicate(outcome, manifest.sequence, sender.name)
        return opened
    check_operations(opened.operations)
    with vault.rehearsal() if rehearse else vault.edit() as session:
        receipt = session.get(models.BundleReceiptRow, (manifest.device_id, manifest.sequence))
        if receipt is not None and receipt.bundle_id == opened.bundle_id:
            _say_duplicate(outcome, manifest.sequence, sender.name)
            return opened
        if receipt is not None:
            report.alerts.append(
                f"Alert: {sender.name} sent two different bundles numbered "
                f"{manifest.sequence}. The second was refused; please ask the facilitator "
                "of that laptop to contact the programme team."
            )
            raise BundleRefused(
                f"Bundle {manifest.sequence} from {sender.name} reuses the number of a "
                "different bundle already imported, so nothing was imported.",
                reason="reused-sequence",
            )
        if not opened.operations and not opened.media:
            # Signed, whole, and with nothing in it: nothing changes, not even the receipts.
            outcome.status = "empty"
            outcome.message = (
                f"bundle {manifest.sequence} from {sender.name} has nothing in it; nothing changed."
            )
            return opened
        bind_device(session, manifest, sender)
        check_chain(session, manifest, opened, sender.name, report)
        counts_before = (report.new, report.updated, report.duplicate, report.erased)
        merge = Merge(vault, session, report, stager.pending_identities, device_names(session))
        merge.run(opened.operations)
        session.add(
            models.BundleReceiptRow(
                device_id=manifest.device_id,
                sequence=manifest.sequence,
                bundle_id=opened.bundle_id,
                previous_bundle=manifest.previous_bundle,
                device_name=sender.name,
                imported_hlc=vault.clock.tick().encode(),
                file_sha256=file_sha256,
            )
        )
        session.flush()
        if rehearse:
            outcome.status = "imported"
            return opened
        # Photo files go into place before the commit: a crash in between leaves an
        # unused file (removed on the next import of it), never an item without its photo.
        place_media(vault, opened, merge.erased, placed)
    vault.clock.observe(merge.latest)
    new, updated, dup = (
        report.new - counts_before[0],
        report.updated - counts_before[1],
        report.duplicate - counts_before[2],
    )
    outcome.status = "imported"
    outcome.message = (
        f"bundle {manifest.sequence} from {sender.name}: {new} new, {updated} updated, "
        f"{dup} already here."
    )
    if report.erased > counts_before[3]:
        erase_leftovers(vault)
    return opened


def _receipt_of(vault: VaultSession) -> Callable[[Manifest, str], bool]:
    """Whether a bundle (its verified manifest and id) was imported here before."""

    def already_here(manifest: Manifest, bundle_id: str) -> bool:
        with vault.read() as session:
            receipt = session.get(models.BundleReceiptRow, (manifest.device_id, manifest.sequence))
        return receipt is not None and receipt.bundle_id == bundle_id

    return already_here


def _say_duplicate(outcome: BundleOutcome, sequence: int, sender: str) -> None:
    outcome.status = "duplicate"
    outcome.message = f"bundle {sequence} from {sender} was already imported; nothing changed."


def import_bundles(
    vault: VaultSession,
    paths: Sequence[Path],
    *,
    limits: Limits | None = None,
    progress: Callable[[int, int, int], None] | None = None,
) -> ImportReport:
    """Import several bundles, each on its own (one refused does not stop the others),
    then report what arrived, what is missing and what needs a person to look at."""
    if not paths:
        raise InvalidInput("Choose at least one bundle file to import.")
    report = ImportReport()
    for index, path in enumerate(paths):
        step = None
        if progress is not None:
            step = _bundle_progress(progress, index)
        import_bundle(vault, path, report, limits=limits, progress=step)
    report.gaps = gaps(vault)
    return report


def _bundle_progress(
    progress: Callable[[int, int, int], None], index: int
) -> Callable[[int, int], None]:
    return lambda done, total: progress(index, done, total)


def verify_bundle_file(
    vault: VaultSession, path: Path, *, limits: Limits | None = None
) -> list[str]:
    """Check a bundle exactly as its import would — decryption, signature, sender, every
    entry and change, and the merge into this vault, rolled back — without importing it, and
    describe it in plain sentences. Raises ``BundleRefused`` with the sentence the import
    would give."""
    sender = Sender(vault)
    outcome = BundleOutcome(file=Path(path).name, status="refused", message="")
    report = ImportReport()
    try:
        with staging_folder(vault) as staging:
            opened = _read_and_merge(
                vault, Path(path), report, outcome, sender, MediaStager(vault), staging, [],
                limits, None, rehearse=True,
            )  # fmt: skip
    except (StoryCaptureError, OSError) as error:
        if isinstance(error, BundleRefused):
            raise
        reason, message = _refusal(error)
        raise BundleRefused(message, reason=reason) from error
    manifest = opened.manifest
    items: dict[str, set[str]] = defaultdict(set)
    people: set[str] = set()
    for op in opened.operations:
        if op["op"] == "set":
            items[op["entity"]].add(op["uuid"])
            people.add(op["storyteller"])
    made = Hlc.decode(manifest.created_hlc).as_datetime().strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"A good bundle: number {manifest.sequence} from “{sender.name}” "
        f"(it calls itself “{manifest.device_name}”), made {made}.",
        f"It is signed by {keys.fingerprint(manifest.signing_key)} and every entry checks out.",
        f"It changes the stories of {len(people)} storyteller{s_for(len(people))}: "
        + ", ".join(
            kind.words(len(items[kind.name]))
            for kind in ENTITY_KINDS.values()
            if items.get(kind.name) and kind is not STORYTELLER
        )
        + f" ({manifest.operation_count} change{s_for(manifest.operation_count)} in all).",
    ]
    media = [e for e in manifest.entries if e.name.startswith("media/")]
    if media:
        total = sum(e.size for e in media)
        lines.append(f"{len(media)} photo file{s_for(len(media))}, {total / 1048576:.1f} MB.")
    if manifest.erase_count:
        lines.append(
            f"{manifest.erase_count} withdrawal{s_for(manifest.erase_count)}: importing it "
            "erases those storytellers here."
        )
    if outcome.status == "duplicate":
        lines.append("It has already been imported here.")
    if outcome.status == "empty":
        lines = [
            lines[0].replace("A good bundle", "A bundle with nothing in it"),
            lines[1],
            "Importing it changes nothing.",
        ]
    lines += report.alerts
    return lines

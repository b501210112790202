"""Import: verify a bundle completely, then merge its changes in one transaction.

Every field is a last-writer-wins register ordered by (clock, device id), so bundles can
arrive in any order, any number of times, from any number of devices, and every installation
that has received the same changes shows the same story. Nothing is overwritten silently:
every change received is kept in the operation log, so an item's history shows the value
that lost, and a change made on two devices that had not seen each other's (a conflict) is
listed for a person to review.

An item is shown only once every one of its fields has arrived (a later bundle of the device
that made it can come first); a storyteller who has only partly arrived is kept but not shown.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid as uuid_module
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storycapture.crypto import keys
from storycapture.domain.authorship import Author
from storycapture.domain.clock import Hlc
from storycapture.domain.errors import InvalidInput, StoryCaptureError
from storycapture.services import records
from storycapture.services.consent import erase_leftovers, erase_storyteller_rows
from storycapture.services.kinds import (
    ENTITY_KINDS,
    STORYTELLER,
    WORDS_BY,
    EntityKind,
    Unreadable,
    check_readable,
)
from storycapture.services.vault import INCOMING_DIR, MEDIA_DIR, VaultSession
from storycapture.store import models
from storycapture.sync.bundle import BundleRefused, Limits, Manifest, OpenedBundle, read_bundle
from storycapture.sync.exporting import in_chunks
from storycapture.sync.trust import TrustService

_UUID_FIELDS = {"visit_uuid", "event_uuid"}


@dataclass(frozen=True)
class Conflict:
    """One field changed on two devices that had not seen each other's change."""

    storyteller: str  # pseudonym, or "" if not known here
    what: str  # "a timeline event"
    field: str
    kept_device: str
    other_device: str

    def sentence(self) -> str:
        whose = f" in {self.storyteller}'s story" if self.storyteller else ""
        return (
            f"“{self.field.replace('_', ' ')}” of {self.what}{whose} was changed both on "
            f"{self.other_device} and on {self.kept_device}: the later change (from "
            f"{self.kept_device}) is shown; the other is kept in the item's history."
        )


@dataclass
class BundleOutcome:
    file: str
    status: str  # "imported", "duplicate", "empty" or "refused"
    message: str
    sender: str = ""
    sequence: int = 0
    reason: str = ""


@dataclass
class ImportReport:
    bundles: list[BundleOutcome] = field(default_factory=list)
    new: int = 0  # items that appeared
    updated: int = 0  # items that changed
    duplicate: int = 0  # changes that were already here
    history_only: int = 0  # changes older than what is shown: kept in the history
    erased: int = 0  # storytellers erased by a withdrawal
    conflicts: list[Conflict] = field(default_factory=list)
    gaps: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)

    @property
    def refused(self) -> list[BundleOutcome]:
        return [b for b in self.bundles if b.status == "refused"]

    def counts(self) -> str:
        """What changed, in one or two sentences (say it only if something was imported)."""
        text = (
            f"{self.new} new item{_s(self.new)}, {self.updated} updated, "
            f"{self.duplicate} change{_s(self.duplicate)} already here"
            + (
                f", {self.history_only} older change{_s(self.history_only)} kept in the history"
                if self.history_only
                else ""
            )
            + "."
        )
        if self.erased:
            text += f" {self.erased} storyteller{_s(self.erased)} erased: consent was withdrawn."
        return text

    def lines(self) -> list[str]:
        out = []
        for bundle in self.bundles:
            out.append(f"{bundle.file}: {bundle.message}")
        if not any(b.status == "imported" for b in self.bundles):
            return out  # nothing new was imported: the outcomes are all there is to say
        out.append(self.counts())
        out.extend(self.gaps)
        if self.conflicts:
            out.append(f"{len(self.conflicts)} change{_s(len(self.conflicts))} to review:")
            out.extend(f"  {c.sentence()}" for c in self.conflicts)
        out.extend(self.alerts)
        return out


def _s(n: int) -> str:
    return "" if n == 1 else "s"


# --- checks before anything changes -----------------------------------------------------


class _Sender:
    """Checks a bundle's signer against the trusted devices (called once it verifies)."""

    def __init__(self, vault: VaultSession) -> None:
        self._vault = vault
        self.name = ""

    @property
    def vault(self) -> VaultSession:
        return self._vault

    def __call__(self, manifest: Manifest) -> None:
        vault = self._vault
        fingerprint = keys.fingerprint(manifest.signing_key)
        if manifest.signing_key == vault.device_signing_public_key:
            raise BundleRefused(
                "This bundle was made on this installation; there is nothing to import.",
                reason="own-bundle",
            )
        trust = TrustService(vault)
        with vault.read() as session:
            entry = trust.sender(session, manifest.signing_key)
            bound = session.scalars(
                select(models.SyncPeerRow).where(
                    models.SyncPeerRow.kind == "sender",
                    models.SyncPeerRow.device_id == manifest.device_id,
                )
            ).first()
        if entry is None:
            raise BundleRefused(
                f"This bundle comes from a device this installation does not trust "
                f"(“{manifest.device_name}”, fingerprint {fingerprint}), so nothing was "
                "imported. If you expected it, trust that device first.",
                reason="untrusted",
            )
        if entry.revoked_hlc is not None:
            raise BundleRefused(
                f"This bundle comes from “{entry.name}”, whose key was revoked, so nothing "
                "was imported.",
                reason="revoked",
            )
        wrong_device = entry.device_id is not None and entry.device_id != manifest.device_id
        if wrong_device or (bound is not None and bound.uuid != entry.uuid):
            raise BundleRefused(
                f"This bundle is signed by “{entry.name}” but says it comes from another "
                "device, so nothing was imported.",
                reason="wrong-device",
            )
        self.name = entry.name


def _check_strings(value: Any) -> bool:
    """Every string can be stored (no lone surrogates)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return False
        return True
    if isinstance(value, list):
        return all(_check_strings(v) for v in value)
    if isinstance(value, dict):
        return all(_check_strings(k) and _check_strings(v) for k, v in value.items())
    return True


def _is_uuid(text: object) -> bool:
    if not isinstance(text, str):
        return False
    try:
        return str(uuid_module.UUID(text)) == text
    except ValueError:
        return False


def _check_operations(operations: Sequence[dict[str, Any]]) -> None:
    """Every change names a known kind of item and field, with a value of the right kind."""

    def refuse(why: str) -> BundleRefused:
        return BundleRefused(
            f"This bundle holds a change StoryCapture cannot take ({why}), so nothing was "
            "imported.",
            reason="bad-operation",
        )

    for op in operations:
        try:
            Hlc.decode(op["hlc"])
            Author.decode(op["author"])
        except (ValueError, StoryCaptureError) as error:
            raise refuse("a clock or author it does not know") from error
        if not _is_uuid(op["storyteller"]):
            raise refuse("a storyteller reference it does not know")
        if op["op"] == "erase":
            continue
        kind = ENTITY_KINDS.get(op["entity"])
        if kind is None or op["field"] not in kind.synced_fields:
            raise refuse(f"a kind of item or field it does not know: {op['entity']}.{op['field']}")
        if not _is_uuid(op["uuid"]):
            raise refuse("an item reference it does not know")
        if kind is STORYTELLER and op["uuid"] != op["storyteller"]:
            raise refuse("a storyteller that is not themself")
        value = op["value"]
        name = op["field"]
        if name == "deleted" and not isinstance(value, bool):
            raise refuse("a deletion that is not yes or no")
        if name == "version" and (type(value) is not int or value < 0):
            raise refuse("a consent version that is not a number")
        if name in _UUID_FIELDS and value is not None and not _is_uuid(value):
            raise refuse("a link that is not an item reference")
        if not _check_strings(value):
            raise refuse("text with a broken character")
        if name == WORDS_BY:
            try:
                Author.decode(value)
            except (ValueError, TypeError, AttributeError, StoryCaptureError) as error:
                raise refuse("words credited to someone it does not know") from error


# --- merging ----------------------------------------------------------------------------


@dataclass
class _Known:
    """What this vault already holds about the items a bundle touches."""

    # (item, field) → [(clock, device)] of every change logged here
    changes: dict[tuple[str, str], list[tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    entity_of: dict[str, str] = field(default_factory=dict)
    fields_of: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    incoming: dict[tuple[str, str, str, str], Any] = field(default_factory=dict)
    # (item, field, clock, device) → the change its device had seen last, or None
    bases: dict[tuple[str, str, str, str], tuple[str, str] | None] = field(default_factory=dict)


def _load_known(session: Session, uuids: set[str], own_device: str) -> _Known:
    known = _Known()
    ops = models.OperationRow
    local: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
    for chunk in in_chunks(sorted(uuids)):
        rows = session.execute(
            select(
                ops.entity_uuid,
                ops.entity,
                ops.field,
                ops.hlc,
                ops.device_id,
                ops.seq,
                ops.base_hlc,
                ops.base_device,
            ).where(ops.entity_uuid.in_(chunk))
        )
        for entity_uuid, entity, name, hlc, device, seq, base_hlc, base_device in rows:
            known.changes[(entity_uuid, name)].append((hlc, device))
            known.entity_of[entity_uuid] = entity
            known.fields_of[entity_uuid].add(name)
            if base_hlc is not None and base_device is not None:
                known.bases[(entity_uuid, name, hlc, device)] = (base_hlc, base_device)
            local[(entity_uuid, name)].append((seq, hlc, device))
    # A change made here had seen every change to its field logged before it.
    for (entity_uuid, name), logged in local.items():
        for seq, hlc, device in logged:
            if device == own_device:
                base = records.last_seen(logged, seq, (hlc, device))
                known.bases[(entity_uuid, name, hlc, device)] = base
    return known


def _load_rows(session: Session, sets: Sequence[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    """The rows already here of the items and storytellers a bundle touches, by (kind, uuid),
    in a few queries rather than two per change (holding them keeps them in the session)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for op in sets:
        wanted[op["entity"]].add(op["uuid"])
        wanted[STORYTELLER.name].add(op["storyteller"])
    rows: dict[tuple[str, str], Any] = {}
    for name, uuids in wanted.items():
        table = ENTITY_KINDS[name].row
        for chunk in in_chunks(sorted(uuids)):
            for row in session.scalars(select(table).where(table.uuid.in_(chunk))):
                rows[(name, row.uuid)] = row
    return rows


class _Merge:
    def __init__(
        self,
        vault: VaultSession,
        session: Session,
        report: ImportReport,
        pending_identities: dict[str, str],
        device_names: dict[str, str],
    ) -> None:
        self.vault = vault
        self.session = session
        self.report = report
        self.pending_identities = pending_identities
        self.device_names = device_names
        self.erased = set(session.scalars(select(models.TombstoneRow.storyteller_uuid)))
        self.updated: set[str] = set()
        self.latest = Hlc.zero()
        self.rows: dict[tuple[str, str], Any] = {}  # (kind, uuid) → row here
        self.touched: set[tuple[str, str]] = set()  # (kind, uuid) made or changed
        self.authors: dict[tuple[str, str, str], str] = {}  # (item, clock, device) → author

    def run(self, operations: Sequence[dict[str, Any]]) -> None:
        sets = [op for op in operations if op["op"] == "set"]
        known = _load_known(self.session, {op["uuid"] for op in sets}, self.vault.device_id)
        self.rows = _load_rows(self.session, sets)
        for op in sets:
            known.incoming[(op["uuid"], op["field"], op["hlc"], op["device"])] = op["value"]
            self.authors[(op["uuid"], op["hlc"], op["device"])] = op["author"]
        for op in sets:
            self._apply(op, known)
        self._check_readable()
        for op in operations:
            if op["op"] == "erase":
                self._erase(op)
        self.report.updated += len(self.updated)

    def _check_readable(self) -> None:
        """Every item this bundle made or changed must read back as the app shows it."""
        self.session.flush()
        for kind_name, item in sorted(self.touched):
            kind = ENTITY_KINDS[kind_name]
            row = self.rows.get((kind_name, item))
            if row is None or (kind is STORYTELLER and not row.complete):
                continue
            try:
                check_readable(kind, records.get(self.vault, self.session, kind, item))
            except Unreadable as error:
                raise BundleRefused(
                    f"This bundle holds {kind.label} that StoryCapture cannot read "
                    f"({error}), so nothing was imported.",
                    reason="bad-operation",
                ) from error

    def _observe(self, hlc: str) -> None:
        seen = Hlc.decode(hlc)
        if seen > self.latest:
            self.latest = seen

    def _apply(self, op: dict[str, Any], known: _Known) -> None:
        self._observe(op["hlc"])
        person, item, name = op["storyteller"], op["uuid"], op["field"]
        if person in self.erased:
            self.report.duplicate += 1  # erased here: their words are not taken back in
            return
        kind = ENTITY_KINDS[op["entity"]]
        if known.entity_of.get(item, kind.name) != kind.name:
            raise BundleRefused(
                "This bundle changes an item as if it were another kind of item, so nothing "
                "was imported.",
                reason="bad-operation",
            )
        stamp = (op["hlc"], op["device"])
        here = known.changes[(item, name)]
        if stamp in here:
            self.report.duplicate += 1
            return
        self._ensure_storyteller(person, op)
        row = self.rows.get((kind.name, item))
        if row is not None and row.storyteller_uuid != person:
            raise BundleRefused(
                "This bundle moves an item to another storyteller's story, so nothing was "
                "imported.",
                reason="bad-operation",
            )
        winner = max(here) if here else None
        self._note_conflict(op, kind, here, known)
        base = (op["base"][0], op["base"][1]) if op["base"] else None
        records.log_change(
            self.vault,
            self.session,
            kind,
            item,
            person,
            name,
            op["value"],
            stamp=stamp,
            author=op["author"],
            base=base,
        )
        here.append(stamp)
        known.bases[(item, name, *stamp)] = base
        known.entity_of[item] = kind.name
        known.fields_of[item].add(name)

        if row is None or (kind is STORYTELLER and not row.complete):
            if known.fields_of[item] >= set(kind.fields) - set(kind.added_later):
                self._materialise(kind, item, person, known, row)
            return
        if winner is not None and stamp < winner:
            self.report.history_only += 1
            return
        records.set_field(self.vault, self.session, kind, row, name, op["value"])
        if op["hlc"] > row.updated_hlc:
            row.updated_hlc = op["hlc"]
        self.updated.add(item)
        self.touched.add((kind.name, item))

    def _value_of(self, known: _Known, item: str, name: str, stamp: tuple[str, str]) -> Any:
        incoming = known.incoming.get((item, name, *stamp), _MISSING)
        if incoming is not _MISSING:
            return incoming
        logged = records.logged_change(self.vault, self.session, item, name, stamp)
        assert logged is not None
        return records.open_operation(self.vault, self.session, logged)

    def _materialise(
        self, kind: EntityKind, item: str, person: str, known: _Known, row: Any
    ) -> None:
        """Every field has arrived: the item appears, each field at its latest value."""
        stamps = {
            name: max(known.changes[(item, name)])
            for name in kind.fields
            if known.changes.get((item, name)) or name not in kind.added_later
        }
        first = min(min(known.changes[(item, name)]) for name in stamps)
        last = max(stamps.values())
        first_author = self._author_of(item, first)
        if kind.reattributable and known.changes.get((item, WORDS_BY)):
            stamps[WORDS_BY] = max(known.changes[(item, WORDS_BY)])  # whose words, latest
        values = {name: self._value_of(known, item, name, stamp) for name, stamp in stamps.items()}
        if row is None:
            row = records.new_row(
                kind, item, person, created_hlc=first[0], updated_hlc=last[0], author=first_author
            )
            self.rows[(kind.name, item)] = row
        else:  # a storyteller kept while partly arrived
            row.created_hlc, row.updated_hlc, row.author = first[0], last[0], first_author
            row.complete = True
        for name, value in values.items():
            records.set_field(self.vault, self.session, kind, row, name, value)
        self.session.add(row)
        self.session.flush()
        self.report.new += 1
        self.touched.add((kind.name, item))

    def _author_of(self, item: str, stamp: tuple[str, str]) -> str:
        incoming = self.authors.get((item, *stamp))
        if incoming is not None:
            return incoming
        author = records.author_of_change(self.vault, self.session, item, stamp)
        return author or Author.facilitator().encode()

    def _ensure_storyteller(self, person: str, op: dict[str, Any]) -> None:
        if (STORYTELLER.name, person) in self.rows:
            return
        self.rows[(STORYTELLER.name, person)] = records.placeholder_storyteller(
            self.vault,
            self.session,
            person,
            hlc=op["hlc"],
            author=op["author"],
            age_identity=self.pending_identities.pop(person, None),
        )

    def _note_conflict(
        self, op: dict[str, Any], kind: EntityKind, here: list[tuple[str, str]], known: _Known
    ) -> None:
        """Two changes to one field, on two devices, neither of which had seen the other."""
        base = tuple(op["base"]) if op["base"] else None
        stamp = (op["hlc"], op["device"])

        def concurrent(other: tuple[str, str]) -> bool:
            if other[1] == op["device"]:
                return False
            if base is not None and base >= other:
                return False  # the sender had seen the other change
            other_base = known.bases.get((op["uuid"], op["field"], *other))
            return other_base is None or other_base < stamp  # nor had the other seen this

        unseen = [other for other in here if concurrent(other)]
        if not unseen:
            return
        other = max(unseen)
        mine = self._value_of(known, op["uuid"], op["field"], other)
        if mine == op["value"]:
            return  # both wrote the same: nothing to review
        kept, lost = (stamp, other) if stamp > other else (other, stamp)
        exists = self.session.scalars(
            select(models.SyncConflictRow.id).where(
                models.SyncConflictRow.entity_uuid == op["uuid"],
                models.SyncConflictRow.field == op["field"],
                models.SyncConflictRow.kept_hlc == kept[0],
                models.SyncConflictRow.kept_device == kept[1],
                models.SyncConflictRow.other_hlc == lost[0],
                models.SyncConflictRow.other_device == lost[1],
            )
        ).first()
        if exists is not None:
            return
        self.session.add(
            models.SyncConflictRow(
                storyteller_uuid=op["storyteller"],
                entity=kind.name,
                entity_uuid=op["uuid"],
                field=op["field"],
                kept_hlc=kept[0],
                kept_device=kept[1],
                other_hlc=lost[0],
                other_device=lost[1],
                found_hlc=self.vault.clock.tick().encode(),
                reviewed=False,
            )
        )
        self.report.conflicts.append(
            Conflict(
                storyteller=self._pseudonym(op["storyteller"]),
                what=kind.label,
                field=op["field"],
                kept_device=self._device_name(kept[1]),
                other_device=self._device_name(lost[1]),
            )
        )

    def _pseudonym(self, person: str) -> str:
        try:
            record = records.get(self.vault, self.session, STORYTELLER, person)
        except StoryCaptureError:
            return ""
        return str(record.values.get("pseudonym") or "")

    def _device_name(self, device_id: str) -> str:
        if device_id == self.vault.device_id:
            return "this laptop"
        return self.device_names.get(device_id, "another device")

    def _erase(self, op: dict[str, Any]) -> None:
        person = op["storyteller"]
        self._observe(op["hlc"])
        if person in self.erased:
            self.report.duplicate += 1
            return
        if self.session.get(models.StorytellerRow, person) is not None:
            erase_storyteller_rows(self.session, person)
            self.vault.forget_storyteller_key(person)
            self.report.erased += 1
        self.session.add(
            models.TombstoneRow(
                storyteller_uuid=person, hlc=op["hlc"], device_id=op["device"], author=op["author"]
            )
        )
        self.session.flush()
        self.erased.add(person)


_MISSING = object()


# --- one bundle, many bundles -----------------------------------------------------------


def _device_names(session: Session) -> dict[str, str]:
    names = {r.device_id: r.device_name for r in session.scalars(select(models.BundleReceiptRow))}
    for peer in session.scalars(select(models.SyncPeerRow)):
        if peer.device_id:
            names[peer.device_id] = peer.name
    return names


class _MediaStager:
    """Chooses whom each incoming photo is encrypted to while it streams in: the storyteller's
    own age key here, or a new one made now for a storyteller arriving for the first time."""

    def __init__(self, vault: VaultSession) -> None:
        self._vault = vault
        self.pending_identities: dict[str, str] = {}

    def __call__(self, storyteller_uuid: str, photo_uuid: str) -> str | None:
        vault = self._vault
        if (vault.media_dir(storyteller_uuid) / f"{photo_uuid}.age").exists():
            return None  # already here (photo files never change)
        with vault.read() as session:
            if session.get(models.TombstoneRow, storyteller_uuid) is not None:
                return None
            if session.get(models.StorytellerKeyRow, storyteller_uuid) is not None:
                return vault.storyteller_age_keys(session, storyteller_uuid)[1]
        identity = self.pending_identities.get(storyteller_uuid)
        if identity is None:
            identity = keys.new_age_identity()
            self.pending_identities[storyteller_uuid] = identity
        return keys.age_recipient(identity)


@contextlib.contextmanager
def _staging_folder(vault: VaultSession) -> Iterator[Path]:
    """A folder of its own under ``incoming/`` for one bundle's photos, removed afterwards
    (whatever happens; one that a crash leaves is removed at the next unlock)."""
    staging = vault.data_dir / INCOMING_DIR / uuid_module.uuid4().hex
    staging.mkdir(parents=True, exist_ok=False)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            staging.parent.rmdir()


def _refusal(error: StoryCaptureError | OSError) -> tuple[str, str]:
    """(reason, plain message) for an import that did not happen."""
    if isinstance(error, BundleRefused):
        return error.reason, str(error)
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
    sender = _Sender(vault)
    stager = _MediaStager(vault)
    placed: list[Path] = []
    try:
        with _staging_folder(vault) as staging:
            _read_and_merge(
                vault, path, report, outcome, sender, stager, staging, placed, limits, progress
            )
    except (StoryCaptureError, OSError) as error:
        for moved in placed:
            moved.unlink(missing_ok=True)
        outcome.status = "refused"
        outcome.reason, outcome.message = _refusal(error)
    report.bundles.append(outcome)
    return outcome


def _read_and_merge(
    vault: VaultSession,
    path: Path,
    report: ImportReport,
    outcome: BundleOutcome,
    sender: _Sender,
    stager: _MediaStager,
    staging: Path,
    placed: list[Path],
    limits: Limits | None,
    progress: Callable[[int, int], None] | None,
    *,
    rehearse: bool = False,
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
    )
    manifest = opened.manifest
    outcome.sender, outcome.sequence = sender.name, manifest.sequence
    _check_operations(opened.operations)
    with vault.rehearsal() if rehearse else vault.edit() as session:
        receipt = session.get(models.BundleReceiptRow, (manifest.device_id, manifest.sequence))
        if receipt is not None and receipt.bundle_id == opened.bundle_id:
            outcome.status = "duplicate"
            outcome.message = (
                f"bundle {manifest.sequence} from {sender.name} was already imported; "
                "nothing changed."
            )
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
        _bind_device(session, manifest, sender)
        _check_chain(session, manifest, opened, sender.name, report)
        counts_before = (report.new, report.updated, report.duplicate, report.erased)
        merge = _Merge(vault, session, report, stager.pending_identities, _device_names(session))
        merge.run(opened.operations)
        session.add(
            models.BundleReceiptRow(
                device_id=manifest.device_id,
                sequence=manifest.sequence,
                bundle_id=opened.bundle_id,
                previous_bundle=manifest.previous_bundle,
                device_name=sender.name,
                imported_hlc=vault.clock.tick().encode(),
            )
        )
        session.flush()
        if rehearse:
            outcome.status = "imported"
            return opened
        # Photo files go into place before the commit: a crash in between leaves an
        # unused file (removed on the next import of it), never an item without its photo.
        _place_media(vault, opened, merge.erased, placed)
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


def _bind_device(session: Session, manifest: Manifest, sender: _Sender) -> None:
    entry = TrustService(sender.vault).sender(session, manifest.signing_key)
    if entry is not None and entry.device_id is None:
        entry.device_id = manifest.device_id


def _check_chain(
    session: Session, manifest: Manifest, opened: OpenedBundle, name: str, report: ImportReport
) -> None:
    """A bundle names the one before it; a different one here means a laptop restored from
    an old copy, or two laptops with one vault: people should know."""
    before = session.get(models.BundleReceiptRow, (manifest.device_id, manifest.sequence - 1))
    after = session.get(models.BundleReceiptRow, (manifest.device_id, manifest.sequence + 1))
    broken = (before is not None and before.bundle_id != manifest.previous_bundle) or (
        after is not None and after.previous_bundle != opened.bundle_id
    )
    if broken:
        report.alerts.append(
            f"Alert: bundle {manifest.sequence} from {name} does not follow on from the "
            "bundles already imported from it; its laptop may have been restored from an "
            "old copy. Its changes were imported; please check with that laptop's facilitator."
        )


def _place_media(
    vault: VaultSession, opened: OpenedBundle, erased: set[str], placed: list[Path]
) -> None:
    for (storyteller_uuid, photo_uuid), staged in opened.media.items():
        if storyteller_uuid in erased:
            continue
        folder = vault.data_dir / MEDIA_DIR / storyteller_uuid
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{photo_uuid}.age"
        os.replace(staged, target)
        placed.append(target)


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


def gaps(vault: VaultSession) -> list[str]:
    """Bundles that have not arrived: a number missing below the highest one received."""
    with vault.read() as session:
        received: dict[str, set[int]] = defaultdict(set)
        for device_id, sequence in session.execute(
            select(models.BundleReceiptRow.device_id, models.BundleReceiptRow.sequence)
        ):
            received[device_id].add(sequence)
        names = _device_names(session)
    out = []
    for device_id, numbers in sorted(received.items(), key=lambda i: names.get(i[0], "")):
        missing = [n for n in range(1, max(numbers)) if n not in numbers]
        name = names.get(device_id, "another device")
        for n in missing[:20]:
            out.append(f"Bundle {n} from the laptop named {name} has not arrived yet.")
        if len(missing) > 20:
            out.append(f"…and {len(missing) - 20} more bundles from {name}.")
    return out


def conflicts_to_review(vault: VaultSession) -> list[models.SyncConflictRow]:
    with vault.read() as session:
        query = select(models.SyncConflictRow).where(models.SyncConflictRow.reviewed.is_(False))
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows


def mark_conflicts_reviewed(vault: VaultSession) -> int:
    with vault.edit() as session:
        rows = list(
            session.scalars(
                select(models.SyncConflictRow).where(models.SyncConflictRow.reviewed.is_(False))
            )
        )
        for row in rows:
            row.reviewed = True
        return len(rows)


def verify_bundle_file(
    vault: VaultSession, path: Path, *, limits: Limits | None = None
) -> list[str]:
    """Check a bundle exactly as its import would — decryption, signature, sender, every
    entry and change, and the merge into this vault, rolled back — without importing it, and
    describe it in plain sentences. Raises ``BundleRefused`` with the sentence the import
    would give."""
    sender = _Sender(vault)
    outcome = BundleOutcome(file=Path(path).name, status="refused", message="")
    report = ImportReport()
    try:
        with _staging_folder(vault) as staging:
            opened = _read_and_merge(
                vault, Path(path), report, outcome, sender, _MediaStager(vault), staging, [],
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
        f"It changes the stories of {len(people)} storyteller{_s(len(people))}: "
        + ", ".join(
            kind.words(len(items[kind.name]))
            for kind in ENTITY_KINDS.values()
            if items.get(kind.name) and kind is not STORYTELLER
        )
        + f" ({manifest.operation_count} change{_s(manifest.operation_count)} in all).",
    ]
    media = [e for e in manifest.entries if e.name.startswith("media/")]
    if media:
        total = sum(e.size for e in media)
        lines.append(f"{len(media)} photo file{_s(len(media))}, {total / 1048576:.1f} MB.")
    if manifest.erase_count:
        lines.append(
            f"{manifest.erase_count} withdrawal{_s(manifest.erase_count)}: importing it "
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


__all__ = [
    "BundleOutcome",
    "Conflict",
    "ImportReport",
    "conflicts_to_review",
    "gaps",
    "import_bundle",
    "import_bundles",
    "mark_conflicts_reviewed",
    "verify_bundle_file",
]

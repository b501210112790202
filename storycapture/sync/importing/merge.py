"""The merge: every field a last-writer-wins register ordered by (clock, device); every change
kept in the log; conflicts noted for a person. Rows and log entries are gathered and written
together, sealed, through ``services.bulk`` (one ``executemany`` per table, not one ORM object
per row and change); their values are sealed by ``services.records``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storycapture.domain.authorship import Author
from storycapture.domain.clock import Hlc
from storycapture.domain.errors import StoryCaptureError
from storycapture.services import records
from storycapture.services.bulk import BulkWrites, owner
from storycapture.services.consent import erase_storyteller_rows
from storycapture.services.kinds import (
    ENTITY_KINDS,
    STORYTELLER,
    WORDS_BY,
    EntityKind,
    Unreadable,
    check_readable,
)
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.store.fields import encode_value
from storycapture.sync.bundle import BundleRefused
from storycapture.sync.exporting import in_chunks
from storycapture.sync.importing.report import Conflict, ImportReport


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
    # (item, field, clock, device) → an incoming change's value encoded (once, for its log
    # entry and its row)
    plaintexts: dict[tuple[str, str, str, str], bytes] = field(default_factory=dict)
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


def _load_rows(writes: BulkWrites, sets: Sequence[dict[str, Any]]) -> dict[tuple[str, str], Any]:
    """The rows already here of the items and storytellers a bundle touches, by (kind, uuid),
    in a few queries rather than two per change (as plain dicts of their columns)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for op in sets:
        wanted[op["entity"]].add(op["uuid"])
        wanted[STORYTELLER.name].add(op["storyteller"])
    rows: dict[tuple[str, str], Any] = {}
    for name, uuids in wanted.items():
        for uuid, row in writes.load(ENTITY_KINDS[name], uuids).items():
            rows[(name, uuid)] = row
    return rows


class Merge:
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
        self._latest_text = ""
        self.rows: dict[tuple[str, str], Any] = {}  # (kind, uuid) → row here
        self.touched: set[tuple[str, str]] = set()  # (kind, uuid) made or changed
        self.authors: dict[tuple[str, str, str], str] = {}  # (item, clock, device) → author
        self.writes = BulkWrites(vault, session)

    def run(self, operations: Sequence[dict[str, Any]]) -> None:
        sets = [op for op in operations if op["op"] == "set"]
        known = _load_known(self.session, {op["uuid"] for op in sets}, self.vault.device_id)
        self.rows = _load_rows(self.writes, sets)
        for op in sets:
            known.incoming[(op["uuid"], op["field"], op["hlc"], op["device"])] = op["value"]
            self.authors[(op["uuid"], op["hlc"], op["device"])] = op["author"]
        for op in sets:
            self._apply(op, known)
        self._check_readable()
        for op in operations:
            if op["op"] == "erase":
                self._erase(op)
        self.writes.write()
        self.report.updated += len(self.updated)

    def _check_readable(self) -> None:
        """Every item this bundle made or changed must read back as the app shows it (once
        everything is written, and in the order of their kinds and ids)."""
        self.writes.write()
        self.session.flush()
        shown: dict[str, list[str]] = defaultdict(list)
        for kind_name, item in sorted(self.touched):
            row = self.rows.get((kind_name, item))
            if row is None or (kind_name == STORYTELLER.name and not row["complete"]):
                continue
            shown[kind_name].append(item)
        for kind_name, items in shown.items():
            kind = ENTITY_KINDS[kind_name]
            written = self.writes.sealed_here.get(kind_name)
            for record in records.get_many(self.vault, self.session, kind, items, written):
                try:
                    check_readable(kind, record)
                except Unreadable as error:
                    raise BundleRefused(
                        f"This bundle holds {kind.label} that StoryCapture cannot read "
                        f"({error}), so nothing was imported.",
                        reason="bad-operation",
                    ) from error
                self._check_links(kind, self.rows[(kind_name, record.uuid)])

    def _check_links(self, kind: EntityKind, row: Any) -> None:
        """An item links only to items of its own storyteller (one not here yet may still
        come, in a bundle of its own)."""
        for name, target_name in kind.links:
            target_uuid = row[name]
            if target_uuid is None:
                continue
            target = ENTITY_KINDS[target_name]
            linked = self.rows.get((target_name, target_uuid))
            if linked is not None:
                linked_owner: str | None = owner(target, linked)
            else:
                stored = self.session.get(target.row, target_uuid)
                linked_owner = None if stored is None else stored.storyteller_uuid
            if linked_owner is not None and linked_owner != owner(kind, row):
                raise BundleRefused(
                    f"This bundle links {kind.label} to {target.label} of another "
                    "storyteller, so nothing was imported.",
                    reason="bad-operation",
                )

    def _observe(self, hlc: str) -> None:
        # Every clock here was checked (15 digits, a dot, 6 digits), so one in ASCII sorts as
        # text as it does as a clock: only a later one is decoded.
        ascii_digits = hlc.isascii()
        if not ascii_digits or hlc > self._latest_text:
            if ascii_digits:
                self._latest_text = hlc
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
        if row is not None and owner(kind, row) != person:
            raise BundleRefused(
                "This bundle moves an item to another storyteller's story, so nothing was "
                "imported.",
                reason="bad-operation",
            )
        winner = max(here) if here else None
        self._note_conflict(op, kind, here, known)
        base = (op["base"][0], op["base"][1]) if op["base"] else None
        plaintext = encode_value(op["value"])
        known.plaintexts[(item, name, *stamp)] = plaintext
        self.writes.log(
            records.operation_values(
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
                plaintext=plaintext,
            )
        )
        here.append(stamp)
        known.bases[(item, name, *stamp)] = base
        known.entity_of[item] = kind.name
        known.fields_of[item].add(name)

        if row is None or (kind is STORYTELLER and not row["complete"]):
            if known.fields_of[item] >= kind.needed_fields:
                self._materialise(kind, item, person, known, row)
            return
        if winner is not None and stamp < winner:
            self.report.history_only += 1
            return
        self.writes.set_field(kind, row, name, op["value"], plaintext)
        if op["hlc"] > row["updated_hlc"]:
            row["updated_hlc"] = op["hlc"]
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
            row = self.writes.new_row(
                kind, item, person, created_hlc=first[0], updated_hlc=last[0], author=first_author
            )
            self.rows[(kind.name, item)] = row
        else:  # a storyteller kept while partly arrived
            row.update(created_hlc=first[0], updated_hlc=last[0], author=first_author)
            row["complete"] = True
            self.writes.changed(kind, row)
        for name, value in values.items():
            plaintext = known.plaintexts.get((item, name, *stamps[name]))
            self.writes.set_field(kind, row, name, value, plaintext)
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
        records.placeholder_storyteller(
            self.vault,
            self.session,
            person,
            hlc=op["hlc"],
            author=op["author"],
            age_identity=self.pending_identities.pop(person, None),
        )
        stored = self.writes.load(STORYTELLER, [person])
        self.rows[(STORYTELLER.name, person)] = stored[person]

    def _note_conflict(
        self, op: dict[str, Any], kind: EntityKind, here: list[tuple[str, str]], known: _Known
    ) -> None:
        """Two changes to one field, on two devices, neither of which had seen the other."""
        if not here:
            return  # the first change to the field here (so every change of a new item)
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
        self.writes.write()  # what this bundle changed so far, the storyteller's name too
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

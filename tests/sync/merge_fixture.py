"""A merge onto rows the hub already holds, kept as a fixture: the hub's vault before, the
bundle, and the tables after (as plain data) as the merge of one ORM object per row and change
left them. ``test_bulk_merge`` imports the same bundle with today's merge and compares.

Made with ``python -m tests.sync.merge_fixture`` (it overwrites the fixture): a laptop adds a
storyteller with consent, events, a visit and a quote, and sends them to the hub and to a
second laptop; the second laptop changes an event's title and sends that to the hub; then the
first laptop changes the same title (a conflict), an event's words and visit, deletes an event,
credits the quote to the storyteller, adds an event and a second storyteller, and sends that:
the bundle the fixture keeps, imported onto the hub's copy.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from storycapture.domain.authorship import Author
from storycapture.services import kinds, records
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.store.fields import open_field
from storycapture.store.seals import row_message

FIXTURE = Path(__file__).parent / "fixtures" / "merge-onto-existing"
HUB = FIXTURE / "hub"
BUNDLE = FIXTURE / "bundle.scb"
EXPECTED = FIXTURE / "expected.json"
# Columns whose value depends on when the import ran, or on fresh randomness.
_RUN_DEPENDENT = {"seal", "imported_hlc", "found_hlc", "id"}
_TABLES = (
    "storytellers",
    "consent_records",
    "visits",
    "timeline_events",
    "quotes",
    "operations",
    "sync_conflicts",
    "bundle_receipts",
    "tombstones",
)


def opened_tables(vault: VaultSession) -> dict[str, list[Any]]:
    """Every row of the tables an import writes, sealed fields opened and each row's seal
    checked; the columns that differ from run to run left out; the log in its order."""
    by_table = {kind.table: kind for kind in kinds.ENTITY_KINDS.values()}
    out: dict[str, list[Any]] = {}
    with vault.read() as session:
        for name in _TABLES:
            table = models.Base.metadata.tables[name]
            order = (
                table.c.seq
                if name == "operations"
                else table.c[table.primary_key.columns.keys()[0]]
            )
            rows = session.execute(select(table).order_by(order)).all()
            out[name] = [_plain(vault, session, by_table.get(name), name, row) for row in rows]
            if name != "operations":
                out[name].sort(key=lambda row: json.dumps(row, sort_keys=True))
    return out


def _plain(vault: VaultSession, session: Session, kind: Any, table: str, row: Row[Any]) -> Any:
    values = {
        key: value.hex() if isinstance(value, bytes) else value
        for key, value in row._mapping.items()
        if key not in _RUN_DEPENDENT and key != "seq"
    }
    mapping = row._mapping
    person = mapping["storyteller_uuid"] if "storyteller_uuid" in mapping else mapping.get("uuid")
    row_class = kind.row if kind is not None else None
    if table == "operations":
        row_class = models.OperationRow
        op = session.get(models.OperationRow, mapping["seq"])
        values["value"] = records.open_operation(vault, session, op)  # its seal checked too
    elif kind is not None:
        cipher = vault.cipher(session, person)
        for field in kind.sealed:
            if mapping[field] is not None:
                values[field] = open_field(cipher, table, field, row.uuid, person, mapping[field])
    if row_class is not None:
        cipher = vault.cipher(session, person)
        values["seal_good"] = cipher.mac_matches(
            row_message(row, row_class=row_class), mapping["seal"]
        )
    return values


def _make(root: Path) -> None:  # pragma: no cover - run by hand to remake the fixture
    from storycapture.domain.fuzzydate import parse_fuzzy_date
    from storycapture.services.kinds import QUOTE, TIMELINE_EVENT, VISIT
    from tests.conftest import FACILITATOR
    from tests.sync.test_sync import Place, add_person

    one, two, hub = Place(root, "Outreach 1"), Place(root, "Outreach 2"), Place(root, "Hub")
    one.sends_to(two, hub)
    two.sends_to(hub)
    vault = one.vault
    person = add_person(vault)

    def add(kind: kinds.EntityKind, values: dict[str, Any], who: str = person) -> str:
        with vault.edit() as session:
            return records.insert(vault, session, kind, who, values, FACILITATOR).uuid

    def change(kind: kinds.EntityKind, item: str, values: dict[str, Any], **more: Any) -> None:
        with vault.edit() as session:
            records.update(vault, session, kind, item, values, FACILITATOR, **more)

    def event(title: str, visit: str | None = None) -> dict[str, Any]:
        return {
            "title": title,
            "words": f"About {title.lower()}.",
            "starts": parse_fuzzy_date("2001").to_dict(),
            "valence": 1,
            "life_area": "home_and_housing",
            "visibility": "team",
            "visit_uuid": visit,
            "deleted": False,
        }

    visit = add(VISIT, {"visit_date": "2026-03-02", "place_type": "home", "present": "Both"})
    events = [add(TIMELINE_EVENT, event(f"Event {n}", visit if n == 0 else None)) for n in range(4)]
    quote = add(QUOTE, {"text": "We got there.", "visibility": "team", "event_uuid": events[0]})
    first = one.export()
    hub.receive(first)
    two.receive(first)
    with two.vault.edit() as session:
        records.update(
            two.vault, session, TIMELINE_EVENT, events[0], {"title": "From two"}, FACILITATOR
        )
    hub.receive(two.export())

    change(TIMELINE_EVENT, events[0], {"title": "From one"})
    change(TIMELINE_EVENT, events[1], {"words": "Other words.", "visit_uuid": visit})
    change(TIMELINE_EVENT, events[2], {"deleted": True})
    change(QUOTE, quote, {}, words_by=Author.storyteller(), words_fields=("text",))
    add(TIMELINE_EVENT, event("Event 4"))
    other = add_person(vault, "Rowan")
    add(TIMELINE_EVENT, event("Rowan's event"), other)
    bundle = one.export()

    hub.vault.lock()
    shutil.rmtree(FIXTURE, ignore_errors=True)
    FIXTURE.mkdir(parents=True)
    shutil.copytree(hub.vault.data_dir, HUB, ignore=shutil.ignore_patterns("vault.lock"))
    shutil.copyfile(bundle, BUNDLE)
    from tests.conftest import PASSPHRASE

    hub.vault = VaultSession.unlock(hub.vault.data_dir, PASSPHRASE)
    report = hub.receive(bundle)
    assert not report.refused and len(report.conflicts) == 1, report.lines()
    EXPECTED.write_text(json.dumps(opened_tables(hub.vault), indent=1, sort_keys=True) + "\n")
    for place in (one, two, hub):
        place.vault.lock()


if __name__ == "__main__":  # pragma: no cover
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        _make(Path(folder))

"""The merge writes rows and log entries in bulk (SQLAlchemy Core), sealing each itself: what
it leaves must be what the merge of one ORM object per row left, every seal must verify
through the ordinary read path, and an altered row must still be refused, never resealed."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import select

from storycapture.services import records
from storycapture.services.kinds import ENTITY_KINDS, TIMELINE_EVENT
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.sync.importing import import_bundles
from tests.conftest import PASSPHRASE
from tests.sync.merge_fixture import BUNDLE, EXPECTED, opened_tables


def test_a_merge_onto_existing_rows_leaves_the_tables_the_orm_merge_left(
    hub: VaultSession,
) -> None:
    report = import_bundles(hub, [BUNDLE])
    assert not report.refused and len(report.conflicts) == 1, report.lines()
    expected = json.loads(EXPECTED.read_text())
    assert opened_tables(hub) == expected


def test_every_row_a_merge_wrote_opens_through_records_get(hub: VaultSession) -> None:
    import_bundles(hub, [BUNDLE])
    with hub.read() as session:
        for kind in ENTITY_KINDS.values():
            for item in session.scalars(select(kind.row.uuid)):
                record = records.get(hub, session, kind, item)  # raises if a seal does not match
                assert record.uuid == item
        for op in session.scalars(select(models.OperationRow)):
            records.open_operation(hub, session, op)


@pytest.mark.parametrize("column", ["author", "updated_hlc", "deleted", "title"])
def test_an_altered_row_the_bundle_would_update_is_refused_and_nothing_changes(
    hub: VaultSession, column: str
) -> None:
    """The bundle changes events the hub holds; one of them altered in the file (a column in
    the clear, or a sealed field's bytes) is damage: the merge must not seal it again."""
    with hub.read() as session:
        changed = [
            r.uuid
            for r in records.find(hub, session, TIMELINE_EVENT)
            if r.values["title"] == "Event 1"
        ]
    hub.lock()
    connection = sqlite3.connect(hub.data_dir / "vault.sqlite")
    new_value: object = {"author": "storyteller", "updated_hlc": "0" * 22, "deleted": 1}.get(
        column, b"not the sealed title"
    )
    with connection:
        connection.execute(
            f"UPDATE timeline_events SET {column} = ? WHERE uuid = ?", (new_value, changed[0])
        )
    before = _raw(connection)
    connection.close()
    vault = VaultSession.unlock(hub.data_dir, PASSPHRASE)
    try:
        report = import_bundles(vault, [BUNDLE])
        (refused,) = report.refused
        assert refused.reason == "vault-damaged"
    finally:
        vault.lock()
    connection = sqlite3.connect(hub.data_dir / "vault.sqlite")
    try:
        assert _raw(connection) == before
    finally:
        connection.close()


def _raw(connection: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    names = [n for (n,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    return {
        name: sorted(connection.execute(f"SELECT * FROM {name}").fetchall(), key=repr)
        for name in names
    }

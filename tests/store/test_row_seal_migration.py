"""A vault made at schema revision 0002, before row seals (a copy of the practice vault as that
version made it, committed as a fixture), opens with today's code: it is backed up, upgraded,
and at that first unlock every row is sealed as it stands; from then on a row changed outside
the app is damage, exactly as in a vault made today."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from storycapture.demo import DEMO_PASSPHRASE
from storycapture.services import kinds, records
from storycapture.services.history import HistoryService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import ROW_SEALS, SEALED_ROWS, VaultSession
from storycapture.store import migrate
from storycapture.timeline.service import TimelineService

FIXTURE = Path(__file__).parent / "fixtures" / "vault-0002" / "vault.sqlite"


@pytest.fixture
def old_vault(tmp_path: Path) -> Path:
    folder = tmp_path / "vault"
    folder.mkdir()
    shutil.copyfile(FIXTURE, folder / "vault.sqlite")
    (folder / "media").mkdir()
    return folder


def _query(folder: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(folder / "vault.sqlite")
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def _all_readable(vault: VaultSession) -> tuple[int, list[str]]:
    damaged: list[str] = []
    opened = 0
    with vault.read() as session:
        for kind in kinds.ENTITY_KINDS.values():
            opened += len(records.find(vault, session, kind, include_deleted=True, damaged=damaged))
    return opened, damaged


def test_the_fixture_is_a_vault_from_before_row_seals() -> None:
    folder = FIXTURE.parent
    assert _query(folder, "SELECT version_num FROM alembic_version") == [("0002",)]
    assert not [c for c in _query(folder, "PRAGMA table_info(timeline_events)") if c[1] == "seal"]


def test_an_older_vault_is_sealed_at_its_first_unlock(old_vault: Path) -> None:
    vault = VaultSession.unlock(old_vault, DEMO_PASSPHRASE)
    try:
        assert migrate.current_revision(vault.engine) == migrate.head_revision()
        opened, damaged = _all_readable(vault)
        assert damaged == [] and opened > 100
        people = StorytellerService(vault).list()
        assert len(people) >= 3
        events = TimelineService(vault).events(people[0].uuid)
        assert events
        assert HistoryService(vault).of("timeline_event", events[0].uuid)
    finally:
        vault.lock()
    for row_class in SEALED_ROWS:
        table = row_class.__tablename__
        assert _query(old_vault, f"SELECT count(*) FROM {table} WHERE seal IS NULL") == [(0,)]
    assert _query(old_vault, f"SELECT count(*) FROM vault_meta WHERE key = '{ROW_SEALS}'") == [(1,)]
    backups = list((old_vault / migrate.BACKUPS_DIR).glob("vault-0002-*.sqlite"))
    assert len(backups) == 1  # the vault as it was, kept before the upgrade

    # Opened again: nothing is sealed twice, nothing reads as damaged.
    vault = VaultSession.unlock(old_vault, DEMO_PASSPHRASE)
    try:
        assert _all_readable(vault)[1] == []
    finally:
        vault.lock()


def test_after_sealing_an_older_vault_an_outside_change_is_damage(old_vault: Path) -> None:
    VaultSession.unlock(old_vault, DEMO_PASSPHRASE).lock()
    ((event, author),) = _query(
        old_vault,
        "SELECT uuid, author FROM timeline_events WHERE deleted = 0 "
        "AND author != 'storyteller' ORDER BY uuid LIMIT 1",
    )
    assert author != "storyteller"
    connection = sqlite3.connect(old_vault / "vault.sqlite")
    with connection:
        connection.execute(
            "UPDATE timeline_events SET author = 'storyteller' WHERE uuid = ?", (event,)
        )
    connection.close()

    vault = VaultSession.unlock(old_vault, DEMO_PASSPHRASE)
    try:
        assert _all_readable(vault)[1] == [event]
    finally:
        vault.lock()


def test_storytellers_kept_before_the_choice_existed_read_as_never_asked(old_vault: Path) -> None:
    """Revision 0003 added what a storyteller's new items are by default; those recorded before
    were never asked, and read so (sealed as they stand, with no value)."""
    vault = VaultSession.unlock(old_vault, DEMO_PASSPHRASE)
    try:
        people = StorytellerService(vault).list()
    finally:
        vault.lock()
    assert people and all(person.default_visibility is None for person in people)

"""Withdrawal of consent erases a storyteller: every row, their history, key, media and backups."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from storycapture.domain.authorship import Author
from storycapture.domain.errors import NotFound
from storycapture.domain.vocabulary import CardKind, ConsentHow, ConsentItem
from storycapture.services.consent import ConsentService
from storycapture.services.history import HistoryService
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from storycapture.store import migrate, models
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE

PHOTO = b"\x89PNG\r\n\x1a\n" + b"pixels " * 1000


def fill_story(vault: VaultSession, storyteller_uuid: str, photo: Path) -> dict[str, str]:
    """One of everything for a storyteller; returns the uuids made."""
    visit = VisitService(vault).start(storyteller_uuid, author=FACILITATOR)
    event = TimelineService(vault).add_event(
        storyteller_uuid,
        title="Moved to Leeds",
        words="a new start",
        starts="2015",
        visit_uuid=visit.uuid,
        author=Author.storyteller(),
    )
    TimelineService(vault).update_event(event.uuid, author=FACILITATOR, valence=2)
    card = StrengthService(vault).add_card(
        storyteller_uuid, kind=CardKind.HOPE, text="a garden", author=FACILITATOR
    )
    quote = StoryWordsService(vault).add_quote(
        storyteller_uuid, "the garden saved me", event_uuid=event.uuid, author=FACILITATOR
    )
    note = StoryWordsService(vault).add_note(storyteller_uuid, "talked", author=FACILITATOR)
    picture = PhotoService(vault).add(storyteller_uuid, photo, author=FACILITATOR)
    return {
        "visit": visit.uuid,
        "event": event.uuid,
        "card": card.uuid,
        "quote": quote.uuid,
        "note": note.uuid,
        "photo": picture.uuid,
    }


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    path = tmp_path / "garden.png"
    path.write_bytes(PHOTO)
    return path


@pytest.fixture
def rowan(vault: VaultSession) -> str:
    person = StorytellerService(vault).add("Rowan", author=FACILITATOR, birth_year=1990)
    ConsentService(vault).record(
        person.uuid,
        items=list(ConsentItem),
        how=ConsentHow.PAPER_FORM,
        given_on="2026-02-01",
        facilitator="Sam",
        author=FACILITATOR,
    )
    return person.uuid


def rows_mentioning(database: Path, needle: str, skip: set[str]) -> list[tuple[str, tuple]]:
    """Every row of every table (but those skipped) with ``needle`` in any column."""
    connection = sqlite3.connect(database)
    try:
        tables = [
            name
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        found = []
        for table in tables:
            if table in skip:
                continue
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                for value in row:
                    if (isinstance(value, str) and needle in value) or (
                        isinstance(value, bytes) and needle.encode() in value
                    ):
                        found.append((table, row))
                        break
        return found
    finally:
        connection.close()


def test_withdrawal_erases_everything_of_the_storyteller_and_nothing_else(
    vault: VaultSession, storyteller_uuid: str, rowan: str, photo: Path
) -> None:
    juniper_items = fill_story(vault, storyteller_uuid, photo)
    rowan_items = fill_story(vault, rowan, photo)
    with vault.read() as session:
        key_row = session.get(models.StorytellerKeyRow, storyteller_uuid)
        assert key_row is not None
        wrapped_key = key_row.wrapped_key
        sealed_pseudonym = session.get(models.StorytellerRow, storyteller_uuid).pseudonym
    backups = vault.data_dir / migrate.BACKUPS_DIR
    backups.mkdir()
    (backups / "vault-0001-20260101-120000.sqlite").write_bytes(b"old ciphertexts")
    assert vault.media_dir(storyteller_uuid).is_dir()
    rowan_history_before = HistoryService(vault).of("timeline_event", rowan_items["event"])

    erasure = ConsentService(vault).withdraw(storyteller_uuid, author=FACILITATOR)

    assert erasure.storyteller_uuid == storyteller_uuid
    assert erasure.author == FACILITATOR
    assert erasure.device_id == vault.device_id
    assert ConsentService(vault).erasures() == [erasure]

    # Gone from every view.
    assert [s.uuid for s in StorytellerService(vault).list()] == [rowan]
    with pytest.raises(NotFound):
        StorytellerService(vault).get(storyteller_uuid)
    with pytest.raises(NotFound):
        TimelineService(vault).events(storyteller_uuid)
    with pytest.raises(NotFound):
        ConsentService(vault).current(storyteller_uuid)
    with pytest.raises(NotFound):
        HistoryService(vault).of("timeline_event", juniper_items["event"])
    with pytest.raises(NotFound):
        TimelineService(vault).get_event(juniper_items["event"])
    with vault.read() as session:
        assert session.get(models.StorytellerKeyRow, storyteller_uuid) is None
        operations = session.scalars(
            select(models.OperationRow).where(
                models.OperationRow.storyteller_uuid == storyteller_uuid
            )
        ).all()
        assert operations == []

    # Their files and every backup are gone; the other storyteller's files are not.
    assert not vault.media_dir(storyteller_uuid).exists()
    assert not backups.exists()
    assert vault.media_dir(rowan).is_dir()

    # The other storyteller is untouched.
    assert TimelineService(vault).get_event(rowan_items["event"]).title == "Moved to Leeds"
    assert [q.uuid for q in StoryWordsService(vault).quotes(rowan)] == [rowan_items["quote"]]
    assert HistoryService(vault).of("timeline_event", rowan_items["event"]) == (
        rowan_history_before
    )
    target = io.BytesIO()
    PhotoService(vault).write_to(rowan_items["photo"], target)
    assert target.getvalue() == PHOTO
    assert ConsentService(vault).current(rowan) is not None

    # On disk: no row anywhere but the tombstone names them, and their ciphertexts are gone.
    vault.lock()
    database = vault.data_dir / "vault.sqlite"
    assert rows_mentioning(database, storyteller_uuid, skip={"tombstones"}) == []
    for item_uuid in juniper_items.values():
        assert rows_mentioning(database, item_uuid, skip=set()) == []
    assert rows_mentioning(database, rowan, skip=set())  # the check can find things
    files = [p for p in vault.data_dir.iterdir() if p.name.startswith("vault.sqlite")]
    for path in files:
        content = path.read_bytes()
        assert wrapped_key not in content
        assert sealed_pseudonym not in content


def test_withdrawal_survives_lock_and_unlock(
    vault: VaultSession, storyteller_uuid: str, rowan: str
) -> None:
    ConsentService(vault).withdraw(storyteller_uuid, author=FACILITATOR)
    vault.lock()
    again = VaultSession.unlock(vault.data_dir, PASSPHRASE)
    try:
        assert [s.pseudonym for s in StorytellerService(again).list()] == ["Rowan"]
        assert [e.storyteller_uuid for e in ConsentService(again).erasures()] == [storyteller_uuid]
        assert again.info().tombstones == 1
        assert again.info().counts["storytellers"] == 1
    finally:
        again.lock()


def test_withdrawing_an_unknown_storyteller_is_not_found(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    with pytest.raises(NotFound) as refused:
        ConsentService(vault).withdraw("00000000-0000-0000-0000-000000000000", author=FACILITATOR)
    message = str(refused.value)
    assert message.endswith(".") and "Error" not in message
    assert ConsentService(vault).erasures() == []
    assert [s.uuid for s in StorytellerService(vault).list()] == [storyteller_uuid]


def test_withdrawing_twice_is_not_found_the_second_time(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    ConsentService(vault).withdraw(storyteller_uuid, author=FACILITATOR)
    with pytest.raises(NotFound):
        ConsentService(vault).withdraw(storyteller_uuid, author=FACILITATOR)
    assert len(ConsentService(vault).erasures()) == 1


def test_a_new_storyteller_can_be_added_after_a_withdrawal(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    ConsentService(vault).withdraw(storyteller_uuid, author=FACILITATOR)
    newcomer = StorytellerService(vault).add("Juniper", author=FACILITATOR)
    assert newcomer.uuid != storyteller_uuid
    assert [s.uuid for s in StorytellerService(vault).list()] == [newcomer.uuid]

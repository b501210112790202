"""The columns kept in the clear are sealed: who wrote an item, whether it is deleted, which visit
or moment it belongs to, the consent version, whether a storyteller has fully arrived, and who
made each logged change. Changed straight in the file (by a thief, a bad disk or a curious
tool), each is reported as damage — never believed, never silently hiding an item.

Before the seals, setting ``author`` to the storyteller made the history credit them with the
facilitator's words, and ``deleted = 1`` hid a moment without a word.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from storycapture.domain.authorship import Author
from storycapture.domain.errors import VaultDamaged
from storycapture.services import kinds, records
from storycapture.services.consent import ConsentService
from storycapture.services.history import HistoryService
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, add_consenting_storyteller
from tests.sync.test_sync import PNG

Ids = dict[str, str]


def _story(vault: VaultSession, tmp_path: Path) -> Ids:
    person = StorytellerService(vault).get(add_consenting_storyteller(vault))
    visit = VisitService(vault).start(person.uuid, author=FACILITATOR)
    other_visit = VisitService(vault).start(person.uuid, author=FACILITATOR)
    timeline = TimelineService(vault)
    event = timeline.add_event(
        person.uuid,
        title="Moved to Leeds",
        starts="spring 2015",
        author=FACILITATOR,
        visit_uuid=visit.uuid,
    )
    other = timeline.add_event(
        person.uuid, title="First allotment", starts="2016", author=FACILITATOR
    )
    words = StoryWordsService(vault)
    quote = words.add_quote(
        person.uuid, "The sea helps.", author=FACILITATOR, event_uuid=event.uuid
    )
    note = words.add_note(person.uuid, "Tea in the kitchen.", author=FACILITATOR)
    card = StrengthService(vault).add_card(
        person.uuid, kind="strength", text="Patience", author=FACILITATOR
    )
    picture = tmp_path / "allotment.png"
    picture.write_bytes(PNG)
    photo = PhotoService(vault).add(person.uuid, picture, author=FACILITATOR, event_uuid=event.uuid)
    return {
        "storytellers": person.uuid,
        "consent_records": ConsentService(vault).history(person.uuid)[0].uuid,
        "visits": visit.uuid,
        "other_visit": other_visit.uuid,
        "timeline_events": event.uuid,
        "other_event": other.uuid,
        "quotes": quote.uuid,
        "narrative_notes": note.uuid,
        "strength_cards": card.uuid,
        "photos": photo.uuid,
    }


def _write(data_dir: Path, sql: str, *params: object) -> None:
    """Change the file as a tool outside the app would (the vault is locked)."""
    connection = sqlite3.connect(data_dir / "vault.sqlite")
    try:
        with connection:
            changed = connection.execute(sql, params).rowcount
        assert changed == 1, sql
    finally:
        connection.close()


def _everything_readable(vault: VaultSession, person: str) -> list[str]:
    """Read every kind of item of ``person``; the ids that could not be read."""
    damaged: list[str] = []
    with vault.read() as session:
        for kind in kinds.ENTITY_KINDS.values():
            records.find(vault, session, kind, person, include_deleted=True, damaged=damaged)
    return damaged


def _reopen(vault: VaultSession) -> VaultSession:
    vault.lock()
    return VaultSession.unlock(vault.data_dir, PASSPHRASE)


# (table, column, the new value given the ids of the story)
TAMPERING: dict[str, tuple[str, str, Callable[[Ids], object]]] = {
    "event author": ("timeline_events", "author", lambda ids: "storyteller"),
    "event deleted": ("timeline_events", "deleted", lambda ids: 1),
    "event visit": ("timeline_events", "visit_uuid", lambda ids: ids["other_visit"]),
    "event clock": ("timeline_events", "updated_hlc", lambda ids: "000000000000001.000000"),
    "quote moment": ("quotes", "event_uuid", lambda ids: ids["other_event"]),
    "quote author": ("quotes", "author", lambda ids: "storyteller"),
    "note deleted": ("narrative_notes", "deleted", lambda ids: 1),
    "card visit": ("strength_cards", "visit_uuid", lambda ids: ids["visits"]),
    "photo moment": ("photos", "event_uuid", lambda ids: None),
    "visit deleted": ("visits", "deleted", lambda ids: 1),
    "consent version": ("consent_records", "version", lambda ids: 7),
    "consent deleted": ("consent_records", "deleted", lambda ids: 1),
    "storyteller author": ("storytellers", "author", lambda ids: "storyteller"),
    "storyteller complete": ("storytellers", "complete", lambda ids: 0),
    "seal removed": ("timeline_events", "seal", lambda ids: None),
}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_a_plain_column_changed_outside_the_app_is_reported_as_damage(
    vault: VaultSession, tmp_path: Path, case: str
) -> None:
    ids = _story(vault, tmp_path)
    person = ids["storytellers"]
    assert _everything_readable(vault, person) == []
    table, column, value = TAMPERING[case]
    vault.lock()
    _write(
        vault.data_dir, f"UPDATE {table} SET {column} = ? WHERE uuid = ?", value(ids), ids[table]
    )

    vault = VaultSession.unlock(vault.data_dir, PASSPHRASE)
    try:
        assert _everything_readable(vault, person) == [ids[table]]
        kind = next(k for k in kinds.ENTITY_KINDS.values() if k.table == table)
        with vault.read() as session, pytest.raises(VaultDamaged, match="altered or damaged"):
            records.get(vault, session, kind, ids[table])
        with vault.read() as session, pytest.raises(VaultDamaged, match="altered or damaged"):
            records.find(vault, session, kind, person)
    finally:
        vault.lock()


def test_an_older_sealed_value_put_back_is_damage(vault: VaultSession, tmp_path: Path) -> None:
    """Each sealed field is bound to its place; the row's seal also binds it to its moment in
    time, so a title taken from a copy of the file before an edit does not pass either."""
    ids = _story(vault, tmp_path)
    event = ids["timeline_events"]
    with vault.read() as session:
        (old_title,) = session.execute(
            kinds.TIMELINE_EVENT.row.__table__.select()
            .with_only_columns(kinds.TIMELINE_EVENT.row.title)
            .where(kinds.TIMELINE_EVENT.row.uuid == event)
        ).one()
    TimelineService(vault).update_event(event, author=FACILITATOR, title="Moved to York")
    vault.lock()
    _write(vault.data_dir, "UPDATE timeline_events SET title = ? WHERE uuid = ?", old_title, event)

    vault = VaultSession.unlock(vault.data_dir, PASSPHRASE)
    try:
        assert _everything_readable(vault, ids["storytellers"]) == [event]
    finally:
        vault.lock()


@pytest.mark.parametrize("column", ["author", "device_id", "hlc", "base_hlc"])
def test_who_made_a_logged_change_cannot_be_altered(
    vault: VaultSession, tmp_path: Path, column: str
) -> None:
    ids = _story(vault, tmp_path)
    event = ids["timeline_events"]
    before = HistoryService(vault).of("timeline_event", event)
    assert {c.author for c in before} == {FACILITATOR}
    value = {"author": "storyteller", "device_id": ids["other_visit"]}.get(
        column, "000000000000002.000000"
    )
    vault.lock()
    _write(
        vault.data_dir,
        f"UPDATE operations SET {column} = ? WHERE entity_uuid = ? AND field = 'title'",
        value,
        event,
    )

    vault = VaultSession.unlock(vault.data_dir, PASSPHRASE)
    try:
        with pytest.raises(VaultDamaged, match="altered or damaged"):
            HistoryService(vault).of("timeline_event", event)
    finally:
        vault.lock()


def test_a_change_is_never_saved_over_an_altered_row(vault: VaultSession, tmp_path: Path) -> None:
    """Editing would re-seal the row: its earlier seal is checked first, so an outside change is
    never laundered into a sealed one."""
    ids = _story(vault, tmp_path)
    vault.lock()
    _write(
        vault.data_dir,
        "UPDATE quotes SET author = 'storyteller' WHERE uuid = ?",
        ids["quotes"],
    )
    vault = VaultSession.unlock(vault.data_dir, PASSPHRASE)
    try:
        with pytest.raises(VaultDamaged):
            StoryWordsService(vault).update_quote(ids["quotes"], author=FACILITATOR, text="x")
        assert _everything_readable(vault, ids["storytellers"]) == [ids["quotes"]]
    finally:
        vault.lock()


def test_a_vault_with_its_seal_marker_forged_does_not_open(vault: VaultSession) -> None:
    vault.lock()
    _write(vault.data_dir, "UPDATE vault_meta SET value = ? WHERE key = 'row_seals'", b"x" * 40)
    with pytest.raises(VaultDamaged, match="settings have been altered"):
        VaultSession.unlock(vault.data_dir, PASSPHRASE)


def test_ordinary_work_keeps_every_row_sealed(vault: VaultSession, tmp_path: Path) -> None:
    """Edits, deletions, restores and whose-words changes all re-seal: after a reopen nothing
    reads as damaged."""
    ids = _story(vault, tmp_path)
    timeline = TimelineService(vault)
    timeline.remove_event(ids["other_event"], author=FACILITATOR)
    timeline.update_event(ids["timeline_events"], author=FACILITATOR, title="Moved to York")
    words = StoryWordsService(vault)
    words.update_quote(ids["quotes"], author=FACILITATOR, words_by=Author.storyteller())
    words.update_note(ids["narrative_notes"], author=FACILITATOR, deleted=True)
    words.update_note(ids["narrative_notes"], author=FACILITATOR, deleted=False)
    vault = _reopen(vault)
    try:
        assert _everything_readable(vault, ids["storytellers"]) == []
        history = HistoryService(vault).of("quote", ids["quotes"])
        assert history[-1].author.is_storyteller
    finally:
        vault.lock()


def test_taking_the_seal_marker_away_does_not_let_an_altered_row_pass(
    vault: VaultSession, tmp_path: Path
) -> None:
    """The vault's note that its rows are sealed removed, and a row's seal too: the next unlock
    must not seal the altered row as if it came from an older version. Each storyteller's key
    is wrapped as "rows sealed", and that wrap cannot be made without the vault key."""
    ids = _story(vault, tmp_path)
    event = ids["timeline_events"]
    vault.lock()
    _write(vault.data_dir, "DELETE FROM vault_meta WHERE key = 'row_seals'")
    _write(
        vault.data_dir,
        "UPDATE timeline_events SET author = 'storyteller', seal = NULL WHERE uuid = ?",
        event,
    )
    vault = VaultSession.unlock(vault.data_dir, PASSPHRASE)
    try:
        assert _everything_readable(vault, ids["storytellers"]) == [event]
    finally:
        vault.lock()
    vault = VaultSession.unlock(vault.data_dir, PASSPHRASE)  # and it stays so
    try:
        assert _everything_readable(vault, ids["storytellers"]) == [event]
    finally:
        vault.lock()

"""The search index built for everyone at once (after unlock) gives exactly what indexing each
storyteller on their own gives: the same items, words and order, with deleted and damaged
items left out and erased storytellers never indexed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storycapture.domain.errors import NotFound, VaultDamaged
from storycapture.services import search
from storycapture.services.consent import ConsentService
from storycapture.services.search import SearchIndex
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, add_consenting_storyteller

QUERIES = ("rain", "bread", "garden", "juniper", "rowan", "real", "the", "moved leeds", "tea")


def _fill(vault: VaultSession, name: str, place: str) -> dict[str, str]:
    """A storyteller with two events (one then removed), a card, two quotes (one removed)
    and a note: the uuids of what is there."""
    person = add_consenting_storyteller(vault, name)
    timeline = TimelineService(vault)
    kept = timeline.add_event(
        person,
        title=f"Moved to {place}",
        words="We drove north in the rain.",
        starts="2015",
        author=FACILITATOR,
    )
    gone = timeline.add_event(person, title="Lost the rain flat", author=FACILITATOR)
    timeline.remove_event(gone.uuid, author=FACILITATOR)
    card = StrengthService(vault).add_card(
        person, kind="talent", text="Baking bread for the street", author=FACILITATOR
    )
    words = StoryWordsService(vault)
    quote = words.add_quote(person, "The rain never bothered me.", author=FACILITATOR)
    removed = words.add_quote(person, "A garden quote taken back.", author=FACILITATOR)
    words.update_quote(removed.uuid, deleted=True, author=FACILITATOR)
    note = words.add_note(person, "We talked in the garden over tea.", author=FACILITATOR)
    return {
        "person": person,
        "event": kept.uuid,
        "card": card.uuid,
        "quote": quote.uuid,
        "note": note.uuid,
    }


def _tamper(data_dir: Path, sql: str, *params: object) -> None:
    """A change made to the file outside the app (the rows' seals no longer match)."""
    connection = sqlite3.connect(data_dir / "vault.sqlite")
    with connection:
        assert connection.execute(sql, params).rowcount == 1
    connection.close()


def _flip_a_byte(data_dir: Path, table: str, column: str, uuid: str) -> None:
    connection = sqlite3.connect(data_dir / "vault.sqlite")
    with connection:
        ((sealed,),) = connection.execute(f"SELECT {column} FROM {table} WHERE uuid = ?", (uuid,))
        changed = sealed[:20] + bytes([sealed[20] ^ 1]) + sealed[21:]
        connection.execute(f"UPDATE {table} SET {column} = ? WHERE uuid = ?", (changed, uuid))
    connection.close()


@pytest.fixture
def people(vault: VaultSession, data_dir: Path) -> list[str]:
    """Four storytellers with every searchable kind, one of whose moments, card and quote were
    altered in the file, another with a real name, one whose own record was altered, and
    one erased: the ids in the order they were added."""
    juniper = _fill(vault, "Juniper", "Leeds")
    rowan = _fill(vault, "Rowan", "Hull")
    StorytellerService(vault).update(rowan["person"], author=FACILITATOR, real_name="Rowan Real")
    hazel = _fill(vault, "Hazel", "Leeds")
    erased = _fill(vault, "Ash", "Leeds")
    ConsentService(vault).withdraw(erased["person"], author=FACILITATOR)
    _tamper(
        data_dir,
        "UPDATE timeline_events SET author = 'storyteller' WHERE uuid = ?",
        juniper["event"],
    )
    _flip_a_byte(data_dir, "strength_cards", "text", juniper["card"])
    _tamper(data_dir, "UPDATE quotes SET deleted = 1 WHERE uuid = ?", juniper["quote"])
    _tamper(data_dir, "UPDATE storytellers SET birth_year = x'00' WHERE uuid = ?", hazel["person"])
    return [juniper["person"], rowan["person"], hazel["person"], erased["person"]]


def test_the_batched_build_gives_what_indexing_each_storyteller_gives(
    vault: VaultSession, people: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    juniper, rowan, hazel, erased = people
    one_by_one = SearchIndex()
    for person in (juniper, rowan):
        one_by_one.add_storyteller(vault, person)
    with pytest.raises(VaultDamaged):  # her own record was altered: not indexed at all
        one_by_one.add_storyteller(vault, hazel)
    with pytest.raises(NotFound):
        one_by_one.add_storyteller(vault, erased)

    monkeypatch.setattr(search, "BATCH", 3)  # more than one batch, one of them short
    vault.forget_storyteller_key(rowan)  # keys unwrapped again where they are needed
    batched = SearchIndex()
    assert batched.add_all(vault, people) is True

    assert batched.storytellers == {juniper, rowan}
    assert batched._entries == one_by_one._entries
    assert list(batched._entries) == list(one_by_one._entries)
    for query in QUERIES:
        assert batched.search(query) == one_by_one.search(query), query
    assert len(batched) == len(one_by_one) > 0


def test_damaged_deleted_and_erased_items_are_never_found(
    vault: VaultSession, people: list[str]
) -> None:
    juniper, rowan, _hazel, _erased = people
    index = SearchIndex()
    index.add_all(vault, people)
    kinds = {(hit.storyteller_uuid, hit.kind) for hit in index.search("rain")}
    # Juniper's moment and quote were altered in the file; Rowan's are whole.
    assert kinds == {(rowan, "timeline_event"), (rowan, "quote")}
    assert [hit.storyteller_uuid for hit in index.search("bread")] == [rowan]
    assert index.search("lost flat") == []  # removed moments
    assert index.search("taken back") == []  # removed quotes
    assert [hit.kind for hit in index.search("real")] == ["storyteller"]
    assert {hit.storyteller_uuid for hit in index.search("tea")} == {juniper, rowan}


def test_a_build_asked_to_stop_stops_between_batches(
    vault: VaultSession, people: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "BATCH", 1)
    index = SearchIndex()
    assert index.add_all(vault, people, cancelled=lambda: True) is False
    assert len(index) == 0

    asked: list[int] = []

    def after_the_first_batch() -> bool:
        asked.append(1)
        return len(asked) > 1

    assert index.add_all(vault, people, cancelled=after_the_first_batch) is False
    assert index.storytellers == {people[0]}


def test_taking_a_built_index_keeps_only_those_asked_for(
    vault: VaultSession, people: list[str]
) -> None:
    juniper, rowan, *_ = people
    built = SearchIndex()
    built.add_all(vault, people)
    index = SearchIndex()
    index.take(built, keep={rowan})
    assert index.storytellers == {rowan}
    assert index.search("juniper") == []
    assert [hit.kind for hit in index.search("rowan")] == ["storyteller"]
    index.take(built, keep={juniper, rowan})
    assert index.storytellers == {juniper, rowan}


def test_a_locked_vault_remembers_no_key_a_reader_unwraps_afterwards(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    """A reader on another thread that unwraps a key just as the vault is locked keeps
    nothing in the locked vault (the search index is built on such a thread)."""
    from storycapture.domain.errors import VaultLocked

    with vault.read() as session:
        vault.forget_storyteller_key(storyteller_uuid)
        vault.lock()
        with pytest.raises(VaultLocked):
            vault.preload_ciphers(session, {storyteller_uuid})
        with pytest.raises(VaultLocked):
            vault.cipher(session, storyteller_uuid)
    assert vault._ciphers == {}


def test_reading_aside_never_holds_an_edit_off(vault: VaultSession, storyteller_uuid: str) -> None:
    """The index is read in a transaction that takes no lock: an edit made meanwhile (in
    the window) goes ahead at once, and the reading goes on."""
    from sqlalchemy import func, select

    from storycapture.store.models import StorytellerRow

    with vault.read_aside() as session:
        before = session.scalar(select(func.count()).select_from(StorytellerRow))
        StorytellerService(vault).add("Rowan", author=FACILITATOR)  # would wait, then fail
        assert session.scalar(select(func.count()).select_from(StorytellerRow)) == before
    with vault.read_aside() as session:
        assert session.scalar(select(func.count()).select_from(StorytellerRow)) == before + 1

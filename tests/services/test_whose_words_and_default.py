"""Whose words an item holds can be changed (and the history shows it), and the storyteller's
own choice of what their new items are is kept with them, also across sync."""

from __future__ import annotations

from pathlib import Path

import pytest

from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput
from storycapture.domain.vocabulary import CardKind, Visibility
from storycapture.services.history import HistoryService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR
from tests.sync.test_sync import Place, add_person

STORYTELLER = Author.storyteller()


def test_the_storyteller_chooses_what_their_new_items_are(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    people = StorytellerService(vault)
    assert people.get(storyteller_uuid).default_visibility is None  # never asked
    people.update(storyteller_uuid, author=STORYTELLER, default_visibility="private")
    assert people.get(storyteller_uuid).default_visibility is Visibility.PRIVATE
    people.update(storyteller_uuid, author=STORYTELLER, default_visibility=Visibility.TEAM)
    assert people.get(storyteller_uuid).default_visibility is Visibility.TEAM
    with pytest.raises(InvalidInput):
        people.update(storyteller_uuid, author=STORYTELLER, default_visibility="shareable")
    made = people.add("Heron", author=FACILITATOR, default_visibility="private")
    assert people.get(made.uuid).default_visibility is Visibility.PRIVATE


def test_changing_whose_words_changes_the_author_and_the_history_shows_it(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    words = StoryWordsService(vault)
    quote = words.add_quote(storyteller_uuid, "The sea helps.", author=FACILITATOR)
    assert not quote.meta.author.is_storyteller
    changed = words.update_quote(quote.uuid, author=FACILITATOR, words_by=STORYTELLER)
    assert changed.meta.author == STORYTELLER
    (again,) = words.quotes(storyteller_uuid)
    assert again.meta.author == STORYTELLER and again.text == "The sea helps."
    history = HistoryService(vault).of("quote", quote.uuid)
    assert [c.author for c in history if c.field == "text"] == [FACILITATOR, STORYTELLER]
    back = words.update_quote(quote.uuid, author=FACILITATOR, words_by=FACILITATOR)
    assert back.meta.author == FACILITATOR

    note = words.add_note(storyteller_uuid, "Tea in the kitchen.", author=FACILITATOR)
    assert words.update_note(note.uuid, author=FACILITATOR, words_by=STORYTELLER).meta.author == (
        STORYTELLER
    )
    card = StrengthService(vault).add_card(
        storyteller_uuid, kind=CardKind.STRENGTH, text="I keep going", author=FACILITATOR
    )
    moved = StrengthService(vault).update_card(card.uuid, author=FACILITATOR, words_by=STORYTELLER)
    assert moved.meta.author == STORYTELLER and moved.text == "I keep going"
    event = TimelineService(vault).add_event(
        storyteller_uuid, title="Moved to Leeds", starts="2015", author=FACILITATOR
    )
    theirs = TimelineService(vault).update_event(
        event.uuid, author=FACILITATOR, words_by=STORYTELLER
    )
    assert theirs.meta.author == STORYTELLER and theirs.title == "Moved to Leeds"


def test_the_choice_travels_with_the_storyteller_in_a_bundle(tmp_path: Path) -> None:
    laptop, hub = Place(tmp_path, "Outreach 1"), Place(tmp_path, "Hub")
    try:
        laptop.sends_to(hub)
        person = add_person(laptop.vault)
        StorytellerService(laptop.vault).update(
            person, author=STORYTELLER, default_visibility="private"
        )
        report = hub.receive(laptop.export())
        assert not report.refused, report.lines()
        assert StorytellerService(hub.vault).get(person).default_visibility is Visibility.PRIVATE
    finally:
        laptop.vault.lock()
        hub.vault.lock()


def test_a_storyteller_from_an_installation_that_never_asked_still_arrives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundle from an older installation carries no default: the storyteller still appears."""
    from storycapture.services import kinds

    laptop, hub = Place(tmp_path, "Outreach 1"), Place(tmp_path, "Hub")
    try:
        laptop.sends_to(hub)
        person = add_person(laptop.vault)
        with laptop.vault.edit() as session:  # as an older installation logs a storyteller
            session.query(models.OperationRow).filter(
                models.OperationRow.entity == kinds.STORYTELLER.name,
                models.OperationRow.field == "default_visibility",
            ).delete()
        report = hub.receive(laptop.export())
        assert not report.refused, report.lines()
        arrived = StorytellerService(hub.vault).get(person)
        assert arrived.pseudonym == "Juniper" and arrived.default_visibility is None
    finally:
        laptop.vault.lock()
        hub.vault.lock()

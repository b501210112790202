"""The in-memory search index and the storyteller list's summaries."""

from __future__ import annotations

import datetime
from pathlib import Path

from storycapture.domain.vocabulary import ConsentItem
from storycapture.services.consent import ConsentService
from storycapture.services.overview import storyteller_summaries
from storycapture.services.search import SearchIndex
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from storycapture.strengths.service import StrengthService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR


def test_search_finds_names_events_cards_and_quotes_with_every_word(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    timeline = TimelineService(vault)
    event = timeline.add_event(
        storyteller_uuid,
        title="Moved to Leeds",
        words="We drove north in the rain with the cat in a box.",
        starts="2015",
        author=FACILITATOR,
    )
    StrengthService(vault).add_card(
        storyteller_uuid, kind="talent", text="Baking bread for the street", author=FACILITATOR
    )
    StoryWordsService(vault).add_quote(
        storyteller_uuid, "The rain never bothered me much.", author=FACILITATOR
    )
    index = SearchIndex()
    index.add_storyteller(vault, storyteller_uuid)

    assert [h.kind for h in index.search("juniper")] == ["storyteller"]
    assert [h.kind for h in index.search("RAIN")] == ["timeline_event", "quote"]
    assert [h.uuid for h in index.search("north cat")] == [event.uuid]
    assert index.search("north elephant") == []
    assert [h.kind for h in index.search("bread")] == ["strength_card"]
    assert index.search("   ") == []

    timeline.remove_event(event.uuid, author=FACILITATOR)
    index.add_storyteller(vault, storyteller_uuid)
    assert [h.kind for h in index.search("rain")] == ["quote"]


def test_search_snippets_are_short_and_show_the_words_found(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    long_note = "A quiet start. " * 20 + "Then the allotment changed everything. " + "More. " * 20
    StoryWordsService(vault).add_note(storyteller_uuid, long_note, author=FACILITATOR)
    index = SearchIndex()
    index.add_storyteller(vault, storyteller_uuid)
    (hit,) = index.search("allotment")
    assert "allotment" in hit.snippet
    assert len(hit.snippet) <= 82


def test_forgetting_and_clearing_drop_everything(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    index = SearchIndex()
    index.add_storyteller(vault, storyteller_uuid)
    assert len(index) == 1
    index.forget(storyteller_uuid)
    assert index.search("juniper") == []
    index.add_storyteller(vault, storyteller_uuid)
    index.clear()
    assert len(index) == 0


def test_the_index_is_never_written_to_disk(
    vault: VaultSession, storyteller_uuid: str, data_dir: Path
) -> None:
    before = {p: p.stat().st_size for p in data_dir.rglob("*") if p.is_file()}
    index = SearchIndex()
    index.add_storyteller(vault, storyteller_uuid)
    index.search("juniper")
    after = {p: p.stat().st_size for p in data_dir.rglob("*") if p.is_file()}
    assert after == before


def test_summaries_show_current_consent_and_last_visit(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    other = StorytellerService(vault).add("Albatross", author=FACILITATOR)
    visits = VisitService(vault)
    visits.start(storyteller_uuid, author=FACILITATOR, visit_date="2026-02-01")
    latest = visits.start(storyteller_uuid, author=FACILITATOR, visit_date="2026-04-09")
    ConsentService(vault).record(
        storyteller_uuid,
        items=[ConsentItem.TAKE_PART],
        how="verbal",
        given_on="2026-04-09",
        facilitator="Priya",
        author=FACILITATOR,
    )
    rows = storyteller_summaries(vault)
    assert [r.storyteller.pseudonym for r in rows] == ["Albatross", "Juniper"]
    albatross, juniper = rows
    assert albatross.uuid == other.uuid
    assert albatross.consent is None and albatross.last_visit is None
    assert albatross.consent_words() == "No consent recorded yet"
    assert juniper.consent is not None and juniper.consent.version == 2
    assert juniper.consent_words() == "Consent recorded · stays on this laptop"
    assert juniper.last_visit == datetime.date(2026, 4, 9)

    visits.remove(latest.uuid, author=FACILITATOR)
    assert storyteller_summaries(vault)[1].last_visit == datetime.date(2026, 2, 1)
    visits.restore(latest.uuid, author=FACILITATOR)
    assert storyteller_summaries(vault)[1].last_visit == datetime.date(2026, 4, 9)

"""A story as the team reads it aloud (no window): its two orders, its first page, and what is
never read (private items, real names, invented dates)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput
from storycapture.hub.reading import LIFE, NOT_PLACED, TOLD, Passage, reading_story
from storycapture.services import records
from storycapture.services.kinds import (
    NARRATIVE_NOTE,
    QUOTE,
    STORYTELLER,
    STRENGTH_CARD,
    TIMELINE_EVENT,
)
from storycapture.services.story import StoryWordsService
from storycapture.timeline.service import TimelineService
from tests.hub.conftest import TEAM, DemoRoom


def _titles(passages: Sequence[Passage]) -> list[str]:
    return [p.title or p.words for p in passages if p.kind == "timeline_event"]


def test_told_order_is_visit_by_visit_and_life_order_is_by_date(demo_room: DemoRoom) -> None:
    person = demo_room.people["Marigold"]
    told = reading_story(demo_room.vault, person, TOLD)
    life = reading_story(demo_room.vault, person, LIFE)
    assert {(p.kind, p.uuid) for p in told.passages} == {(p.kind, p.uuid) for p in life.passages}

    # Told: the first visit's strength cards come before the second visit's moments.
    kinds = [p.kind for p in told.passages]
    first_card = kinds.index("strength_card")
    assert "timeline_event" in kinds[first_card:]
    assert told.passages[0].told_at.startswith("Told at the first visit")
    # "Lost my cleaning job" (after Hospital stay) was told later than the allotment …
    told_titles = _titles(told.passages)
    assert told_titles.index("Lost my cleaning job") > told_titles.index("Started on the allotment")
    # … but in life order it follows the hospital stay, and every moment comes before the cards.
    life_titles = _titles(life.passages)
    assert life_titles.index("Lost my cleaning job") == life_titles.index("Hospital stay") + 1
    assert life_titles[0] == "Born in Leeds"
    life_kinds = [p.kind for p in life.passages]
    assert max(i for i, k in enumerate(life_kinds) if k == "timeline_event") < life_kinds.index(
        "strength_card"
    )


def test_an_undated_moment_comes_last_and_is_never_given_a_date(demo_room: DemoRoom) -> None:
    person = demo_room.people["Marigold"]
    undated = TimelineService(demo_room.vault).add_event(
        person, title="Quiet afternoons", words="Just sitting with the dog.", author=TEAM
    )
    life = reading_story(demo_room.vault, person, LIFE)
    assert life.passages[-1].uuid == undated.uuid
    assert life.passages[-1].when == NOT_PLACED
    assert not life.passages[-1].dated
    told = reading_story(demo_room.vault, person, TOLD)
    (passage,) = [p for p in told.passages if p.uuid == undated.uuid]
    assert passage.when == NOT_PLACED
    # Nothing else is left undated, and no moment's date is empty.
    assert [p.uuid for p in life.passages if p.kind == "timeline_event" and not p.dated] == [
        undated.uuid
    ]
    assert all(p.when for p in life.passages if p.kind == "timeline_event")


@pytest.mark.parametrize("pseudonym", ["Marigold", "Wren", "Moth", "Bramble"])
def test_private_items_are_never_read(demo_room: DemoRoom, pseudonym: str) -> None:
    vault = demo_room.vault
    person = demo_room.people[pseudonym]
    private: dict[str, str] = {}
    with vault.read() as session:
        for kind, field in (
            (TIMELINE_EVENT, "title"),
            (QUOTE, "text"),
            (STRENGTH_CARD, "text"),
            (NARRATIVE_NOTE, "text"),
        ):
            for record in records.find(vault, session, kind, person):
                if record.values["visibility"] == "private":
                    private[record.uuid] = record.values[field]
    assert private, "the practice story has private items to leave out"
    for order in (TOLD, LIFE):
        story = reading_story(vault, person, order)
        assert not {p.uuid for p in story.passages} & set(private)
        read = repr(story)
        for words in private.values():
            assert words not in read  # not even named in a date ("after …")


def test_a_date_after_a_private_moment_is_told_without_naming_it(demo_room: DemoRoom) -> None:
    story = reading_story(demo_room.vault, demo_room.people["Wren"], LIFE)
    (texted,) = [p for p in story.passages if p.title == "Texted a support line"]
    assert texted.when == "around 2024"


def test_the_real_name_is_never_read(demo_room: DemoRoom) -> None:
    vault = demo_room.vault
    for pseudonym in ("Wren", "Captain Biscuit", "Bramble"):
        person = demo_room.people[pseudonym]
        with vault.read() as session:
            (record,) = records.find(vault, session, STORYTELLER, person)
        real = record.values["real_name"]
        assert real
        for order in (TOLD, LIFE):
            story = reading_story(vault, person, order)
            read = repr(story) + story.first_page.title + story.first_page.who
            assert real not in read
            assert real.split()[0] not in read
            assert story.first_page.title == f"{pseudonym}’s story"


def test_the_first_page_says_who_gathered_it_and_when(demo_room: DemoRoom) -> None:
    first = reading_story(demo_room.vault, demo_room.people["Wren"]).first_page
    assert first.pseudonym == "Wren"
    assert first.gathered_by == ("Nadia",)
    assert first.who == "Gathered by Nadia"
    assert first.visits == (
        "21 April 2026 (online)",
        "2 June 2026 (out and about)",
        "8 July 2026 (community space)",
    )
    assert first.when.startswith("Over 3 visits: 21 April 2026 (online)")
    assert reading_story(demo_room.vault, demo_room.people["Wren"]).page_count == 1 + len(
        reading_story(demo_room.vault, demo_room.people["Wren"]).passages
    )


def test_help_sought_is_read_with_what_happened_and_whether_it_helped(
    demo_room: DemoRoom,
) -> None:
    story = reading_story(demo_room.vault, demo_room.people["Marigold"], LIFE)
    (drop_in,) = [p for p in story.passages if p.title == "Went to a money advice drop-in"]
    assert drop_in.help is not None
    assert drop_in.help.asked_for == "help sorting out my debts"
    assert drop_in.help.from_whom.startswith("a free money advice drop-in")
    assert drop_in.help.what_happened.startswith("They helped me write")
    assert drop_in.help.helped == "It helped"
    (phone,) = [p for p in story.passages if p.title == "Rang a night-time phone line"]
    assert phone.help is not None and phone.help.helped == "It helped a bit"
    assert drop_in.when == "2013" and drop_in.feeling == "Felt good"
    assert drop_in.life_area == "Help-seeking and services"


def test_a_quote_is_read_with_its_moment(demo_room: DemoRoom) -> None:
    vault = demo_room.vault
    person = demo_room.people["Marigold"]
    life = reading_story(vault, person, LIFE)
    (garden,) = [p for p in life.passages if p.title == "Nan's garden"]
    quote = StoryWordsService(vault).add_quote(
        person,
        "She knew every flower by name.",
        author=Author.storyteller(),
        event_uuid=garden.uuid,
    )
    life = reading_story(vault, person, LIFE)
    at = life.page_of("timeline_event", garden.uuid)
    assert at is not None
    following = life.passages[at]  # the page after the moment's (pages count from 0)
    assert following.uuid == quote.uuid
    assert following.moment == "Nan's garden"
    assert following.label == "In their words" and following.whose == "their words"


def test_each_passage_holds_the_words_an_excerpt_takes(demo_room: DemoRoom) -> None:
    person = demo_room.people["Marigold"]
    story = reading_story(demo_room.vault, person, TOLD)
    seen = set()
    for passage in story.passages:
        if passage.kind in seen:
            continue
        seen.add(passage.kind)
        excerpt = demo_room.room.add_excerpt(
            person,
            source_kind=passage.kind,
            source_uuid=passage.uuid,
            field=passage.field,
            start=2,
            end=9,
            marked_by="Dana",
        )
        assert excerpt.text == passage.words[2:9]
    assert seen == {"timeline_event", "quote", "strength_card", "narrative_note"}


def test_an_order_it_does_not_know_is_refused(demo_room: DemoRoom) -> None:
    with pytest.raises(InvalidInput):
        reading_story(demo_room.vault, demo_room.people["Marigold"], "backwards")

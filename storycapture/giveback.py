"""The storyteller's give-back copy: exactly what goes into it, chosen from their story alone.

Only this storyteller's moments, cards and the quotes and photos ticked go in; anything marked
private only when the facilitator says so in the dialog. A photo chosen is decrypted into memory
for the copy, never to a file. A moment dated against a private one ("after …")
is told roughly, without naming it. No Qt here: ``gui/give_back.py`` asks, ``gui/give_back_pages``
paints.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

from storycapture.domain.story import Quote, StrengthCard, TimelineEvent
from storycapture.domain.vocabulary import Visibility
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.strengths.board import BOARDS, in_zone
from storycapture.strengths.service import StrengthService
from storycapture.timeline.layout import told_without
from storycapture.timeline.service import TimelineService

NAME_LIMIT = 80
NO_NAME_TITLE = "My story"


@dataclass(frozen=True)
class GiveBackPhoto:
    """A photo chosen for the copy: its caption, and its picture's bytes (in memory only)."""

    caption: str
    data: bytes = field(repr=False)
    visibility: Visibility


@dataclass(frozen=True)
class GiveBackStory:
    """What goes into one storyteller's copy, already chosen: nothing else is read."""

    name: str  # the name to print; blank for "My story"
    birth_year: int | None
    events: tuple[TimelineEvent, ...]
    cards: tuple[StrengthCard, ...]
    quotes: tuple[Quote, ...]
    made_on: datetime.date
    photos: tuple[GiveBackPhoto, ...] = ()

    @property
    def title(self) -> str:
        return story_title(self.name)


def story_title(name: str) -> str:
    """ "Marigold’s story", or "My story" without a name."""
    return f"{name}’s story" if name else NO_NAME_TITLE


@dataclass(frozen=True)
class GiveBackChoices:
    """What the facilitator chose in the dialog."""

    name: str
    quotes: frozenset[str]  # the ids of the quotes that go in
    include_private: bool = False
    page_size: str = "A4"
    photos: frozenset[str] = frozenset()  # the ids of the photos that go in (none unless chosen)


def cards_in_board_order(cards: Sequence[StrengthCard]) -> tuple[StrengthCard, ...]:
    """The cards as the boards show them: board by board, zone by zone, in each zone's order."""
    ordered: list[StrengthCard] = []
    for board in BOARDS:
        for zone in board.zones:
            ordered.extend(in_zone(cards, zone.kind))
    return tuple(ordered)


def printed_name(text: str) -> str:
    """The name as it will be printed: on one line, without spare spaces."""
    return " ".join(text.split())[:NAME_LIMIT].strip()


def default_quotes(quotes: Sequence[Quote], include_private: bool = False) -> frozenset[str]:
    """Ticked at first: every quote that is not private (private ones only when asked for).

    A quote is the storyteller's own words whoever typed it in, so who wrote it down does
    not matter here; what they marked private does."""
    return frozenset(
        q.uuid for q in quotes if include_private or q.visibility is not Visibility.PRIVATE
    )


def shown_in_copy(visibility: Visibility, include_private: bool) -> bool:
    """Whether an item with ``visibility`` goes into the copy."""
    return include_private or visibility is not Visibility.PRIVATE


def _events_for_copy(
    events: Sequence[TimelineEvent], birth_year: int | None, include_private: bool
) -> tuple[TimelineEvent, ...]:
    hidden = [e.uuid for e in events if not shown_in_copy(e.visibility, include_private)]
    return told_without(events, hidden, birth_year)


def gather_story(
    vault: VaultSession,
    storyteller_uuid: str,
    choices: GiveBackChoices,
    today: datetime.date | None = None,
) -> GiveBackStory:
    """Exactly what goes into this storyteller's copy, read from their story alone."""
    person = StorytellerService(vault).get(storyteller_uuid)
    private = choices.include_private
    events = _events_for_copy(
        TimelineService(vault).events(storyteller_uuid), person.birth_year, private
    )
    cards = [
        card
        for card in StrengthService(vault).cards(storyteller_uuid)
        if shown_in_copy(card.visibility, private)
    ]
    quotes = tuple(
        quote
        for quote in StoryWordsService(vault).quotes(storyteller_uuid)
        if quote.uuid in choices.quotes and shown_in_copy(quote.visibility, private)
    )
    photos = PhotoService(vault)
    chosen = tuple(
        GiveBackPhoto(photo.caption, _photo_bytes(photos, photo.uuid), photo.visibility)
        for photo in photos.list(storyteller_uuid)
        if photo.uuid in choices.photos and shown_in_copy(photo.visibility, private)
    )
    return GiveBackStory(
        name=printed_name(choices.name),
        birth_year=person.birth_year,
        events=events,
        cards=cards_in_board_order(cards),
        quotes=quotes,
        made_on=today or datetime.date.today(),
        photos=chosen,
    )


def _photo_bytes(photos: PhotoService, photo_uuid: str) -> bytes:
    buffer = io.BytesIO()
    try:
        photos.write_to(photo_uuid, buffer)
        return buffer.getvalue()
    finally:
        buffer.close()

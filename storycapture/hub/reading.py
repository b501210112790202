"""A story as the team reads it aloud at the hub (Qt-free; the reading view pages through it).

A first page says whose story it is (by pseudonym: a real name never reaches the reading), who
gathered it and when; then come the passages: moments with their words, their date in words,
how they felt and their life area, and any help sought; quotes; strengths and hopes; narrative
notes. Each passage knows its item (kind and id) and which of its fields holds the words a span
of which can be marked as an excerpt.

Two orders: "told", as the storyteller told it (visit by visit, in the order things were
written down), and "life", by date in their life (a moment not yet placed in time comes after
the others, and is never given a date). Private items are left out, and a date tied to a
private moment ("after …") is told without naming it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from storycapture.domain.authorship import whose_words_label
from storycapture.domain.errors import InvalidInput
from storycapture.domain.fuzzydate import FuzzyDate
from storycapture.domain.story import (
    ConsentRecord,
    NarrativeNote,
    Quote,
    StrengthCard,
    TimelineEvent,
    Visit,
)
from storycapture.domain.vocabulary import Visibility, describe_feeling
from storycapture.services.consent import ConsentService
from storycapture.services.kinds import NARRATIVE_NOTE, QUOTE, STRENGTH_CARD, TIMELINE_EVENT
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from storycapture.strengths.service import StrengthService
from storycapture.timeline.layout import told_without
from storycapture.timeline.service import TimelineService

TOLD = "told"
LIFE = "life"
ORDERS = {TOLD: "As they told it", LIFE: "In life order"}
NOT_PLACED = "not yet placed in time"
_Item = TypeVar("_Item", Quote, StrengthCard, NarrativeNote)
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


@dataclass(frozen=True)
class HelpSought:
    """What was asked for, of whom, what happened and whether it helped, as it was told."""

    asked_for: str
    from_whom: str
    what_happened: str
    helped: str  # "It helped", "It didn't help", …; "" when nobody said


@dataclass(frozen=True)
class Passage:
    """One page of the reading: an item of the story and the words that can be marked.

    ``words`` is exactly the value of the item's ``field``, so a span of it (``start``/``end``
    in characters) is a span of the stored words, as an excerpt needs."""

    kind: str  # the item's kind: "timeline_event", "quote", "strength_card", "narrative_note"
    uuid: str
    label: str  # what it is, in words: "A moment", "In their words", "Hope", "A note"
    title: str  # a moment's title ("" for other items, or when the title is the words)
    words: str
    field: str  # which field of the item holds ``words``
    whose: str  # whose words: "their words", "note by Priya"
    when: str = ""  # a moment's date in words, or "not yet placed in time"
    feeling: str = ""  # how a moment felt, in words ("not said" until somebody says)
    life_area: str = ""
    help: HelpSought | None = None
    moment: str = ""  # the moment a quote belongs to, when it is linked to one
    told_at: str = ""  # the visit it was told at, in words

    @property
    def dated(self) -> bool:
        return self.kind != TIMELINE_EVENT.name or self.when != NOT_PLACED


@dataclass(frozen=True)
class FirstPage:
    """Whose story it is, who gathered it and when."""

    pseudonym: str
    gathered_by: tuple[str, ...]  # the facilitators named on its visits and consent
    visits: tuple[str, ...]  # each visit in words, oldest first: "2 March 2026 (at home)"

    @property
    def title(self) -> str:
        return f"{self.pseudonym}’s story"

    @property
    def who(self) -> str:
        return f"Gathered by {_and_list(self.gathered_by)}" if self.gathered_by else ""

    @property
    def when(self) -> str:
        if not self.visits:
            return "No visits recorded yet"
        if len(self.visits) == 1:
            return f"At one visit: {self.visits[0]}"
        return f"Over {len(self.visits)} visits: " + _and_list(self.visits)


@dataclass(frozen=True)
class ReadingStory:
    storyteller_uuid: str
    order: str
    first_page: FirstPage
    passages: tuple[Passage, ...]

    @property
    def page_count(self) -> int:
        """The first page, then a page for each passage."""
        return 1 + len(self.passages)

    def page_of(self, kind: str, uuid: str) -> int | None:
        """The page (0 is the first page) that shows an item, or None if it is not read."""
        for index, passage in enumerate(self.passages, start=1):
            if passage.kind == kind and passage.uuid == uuid:
                return index
        return None


def in_words(day: datetime.date) -> str:
    """A day as the story's dates say one: "2 March 2026"."""
    return FuzzyDate.on_day(day.year, day.month, day.day).display()


def reading_story(vault: VaultSession, storyteller_uuid: str, order: str = TOLD) -> ReadingStory:
    """The story of ``storyteller_uuid`` as the team reads it aloud, in ``order``."""
    if order not in ORDERS:
        raise InvalidInput(f"A story is read as they told it or in life order, not “{order}”.")
    person = StorytellerService(vault).get(storyteller_uuid)
    visits = sorted(
        VisitService(vault).list(storyteller_uuid, damaged=[]),
        key=lambda v: (v.visit_date, v.meta.created_hlc),
    )
    words = StoryWordsService(vault)
    all_events = TimelineService(vault).events(storyteller_uuid, damaged=[])  # life order
    events = told_without(
        all_events, (e.uuid for e in all_events if _private(e)), person.birth_year
    )
    shown_events = {e.uuid: e for e in events}
    quotes = _shown(words.quotes(storyteller_uuid, damaged=[]))
    cards = _shown(StrengthService(vault).cards(storyteller_uuid, damaged=[]))  # by kind
    notes = _shown(words.notes(storyteller_uuid, damaged=[]))
    told_at = _ToldAt(visits)

    def moment_of(quote: Quote) -> TimelineEvent | None:
        return shown_events.get(quote.event_uuid) if quote.event_uuid else None

    passages: list[Passage]
    if order == TOLD:
        items: list[TimelineEvent | Quote | StrengthCard | NarrativeNote] = [
            *events,
            *quotes,
            *cards,
            *notes,
        ]
        items.sort(key=lambda item: (told_at.index(item), item.meta.created_hlc))
        passages = [_passage(item, told_at, moment_of) for item in items]
    else:
        tied: dict[str, list[Quote]] = {}
        untied: list[Quote] = []
        for quote in quotes:
            moment = moment_of(quote)
            (tied.setdefault(moment.uuid, []) if moment else untied).append(quote)
        placed: list[Passage] = []
        waiting: list[Passage] = []  # moments not yet placed in time, at the end
        for event in events:
            group = [
                _passage(event, told_at, moment_of),
                *(_passage(q, told_at, moment_of) for q in tied.get(event.uuid, [])),
            ]
            (placed if event.starts is not None else waiting).extend(group)
        passages = [
            *placed,
            *(_passage(q, told_at, moment_of) for q in untied),
            *(_passage(c, told_at, moment_of) for c in cards),
            *(_passage(n, told_at, moment_of) for n in notes),
            *waiting,
        ]
    first = FirstPage(
        pseudonym=person.pseudonym,
        gathered_by=_gatherers(visits, ConsentService(vault).history(storyteller_uuid)),
        visits=tuple(f"{in_words(v.visit_date)} ({v.place_type.label.lower()})" for v in visits),
    )
    return ReadingStory(storyteller_uuid, order, first, tuple(passages))


# --- how each item reads ---------------------------------------------------------------------


class _ToldAt:
    """Which visit an item was told at: the one it links to, or else the last visit started
    before it was written down (as a visit's recap counts it)."""

    def __init__(self, visits: Sequence[Visit]) -> None:
        self._visits = list(visits)
        self._index = {v.uuid: i for i, v in enumerate(self._visits)}

    def index(self, item: TimelineEvent | Quote | StrengthCard | NarrativeNote) -> int:
        linked = item.visit_uuid
        if linked is not None and linked in self._index:
            return self._index[linked]
        before = [
            i for i, v in enumerate(self._visits) if v.meta.created_hlc <= item.meta.created_hlc
        ]
        return before[-1] if before else -1

    def words(self, item: TimelineEvent | Quote | StrengthCard | NarrativeNote) -> str:
        index = self.index(item)
        if index < 0:
            return ""
        visit = self._visits[index]
        nth = _ORDINALS[index] if index < len(_ORDINALS) else f"{index + 1}th"
        return f"Told at the {nth} visit, {in_words(visit.visit_date)}"


def _passage(
    item: TimelineEvent | Quote | StrengthCard | NarrativeNote,
    told_at: _ToldAt,
    moment_of: Callable[[Quote], TimelineEvent | None],
) -> Passage:
    whose = whose_words_label(item.meta.author)
    told = told_at.words(item)
    if isinstance(item, TimelineEvent):
        has_words = bool(item.words.strip())
        return Passage(
            kind=TIMELINE_EVENT.name,
            uuid=item.uuid,
            label="A moment",
            title=item.title if has_words else "",
            words=item.words if has_words else item.title,
            field="words" if has_words else "title",
            whose=whose,
            when=NOT_PLACED if item.starts is None else item.when(),
            feeling=_feeling(item.valence),
            life_area=item.life_area.label,
            help=_help(item),
            told_at=told,
        )
    if isinstance(item, Quote):
        moment = moment_of(item)
        return Passage(
            kind=QUOTE.name,
            uuid=item.uuid,
            label="In their words" if item.meta.author.is_storyteller else "A quote",
            title="",
            words=item.text,
            field="text",
            whose=whose,
            moment=moment.title if moment else "",
            told_at=told,
        )
    if isinstance(item, StrengthCard):
        return Passage(
            kind=STRENGTH_CARD.name,
            uuid=item.uuid,
            label=item.kind.label,
            title="",
            words=item.text,
            field="text",
            whose=whose,
            told_at=told,
        )
    return Passage(
        kind=NARRATIVE_NOTE.name,
        uuid=item.uuid,
        label="A note",
        title="",
        words=item.text,
        field="text",
        whose=whose,
        told_at=told,
    )


def _feeling(valence: int | None) -> str:
    return "Feeling not said" if valence is None else f"Felt {describe_feeling(valence)}"


def _help(event: TimelineEvent) -> HelpSought | None:
    help_ = event.help
    if help_ is None or not any((help_.asked_for, help_.from_whom, help_.what_happened)):
        return None
    return HelpSought(
        asked_for=help_.asked_for,
        from_whom=help_.from_whom,
        what_happened=help_.what_happened,
        helped=help_.helped.label if help_.helped else "",
    )


def _private(item: TimelineEvent | Quote | StrengthCard | NarrativeNote) -> bool:
    return item.visibility is Visibility.PRIVATE


def _shown(items: Iterable[_Item]) -> list[_Item]:
    return [item for item in items if not _private(item)]


def _gatherers(visits: Sequence[Visit], consents: Iterable[ConsentRecord]) -> tuple[str, ...]:
    """The facilitators who started its visits or took its consent, each once, in turn."""
    names: dict[str, str] = {}
    said = [v.meta.author.name for v in visits if not v.meta.author.is_storyteller]
    for name in (*said, *(c.facilitator for c in consents)):
        if name.strip():
            names.setdefault(name.strip().casefold(), name.strip())
    return tuple(names.values())


def _and_list(words: Sequence[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]

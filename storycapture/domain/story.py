"""The story model as plain values: what the services return and the windows draw."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from storycapture.domain.authorship import Author
from storycapture.domain.fuzzydate import DateKind, FuzzyDate
from storycapture.domain.vocabulary import (
    CardKind,
    ConsentHow,
    ConsentItem,
    Helped,
    LifeArea,
    PlaceType,
    Role,
    Visibility,
)


@dataclass(frozen=True)
class Provenance:
    """Every item's identity and origin: when it was made and changed, and who made it."""

    uuid: str
    storyteller_uuid: str
    created_hlc: str
    updated_hlc: str
    author: Author


@dataclass(frozen=True)
class Storyteller:
    meta: Provenance
    pseudonym: str
    real_name: str | None
    birth_year: int | None
    role: Role
    notes: str
    # What their new items are by default, as they chose it; None if never asked.
    default_visibility: Visibility | None = None

    @property
    def uuid(self) -> str:
        return self.meta.uuid


@dataclass(frozen=True)
class ConsentRecord:
    meta: Provenance
    version: int
    items: frozenset[ConsentItem]
    how: ConsentHow
    given_on: datetime.date
    facilitator: str
    signature: bytes | None = None  # the drawn signature as an image (PNG), when signed on screen

    @property
    def uuid(self) -> str:
        return self.meta.uuid

    def allows(self, item: ConsentItem) -> bool:
        return item in self.items

    def agreed(self) -> list[ConsentItem]:
        """The items agreed to, in the order the consent form asks them."""
        return [item for item in ConsentItem if item in self.items]


@dataclass(frozen=True)
class Visit:
    meta: Provenance
    visit_date: datetime.date
    place_type: PlaceType
    present: str
    notes: str

    @property
    def uuid(self) -> str:
        return self.meta.uuid


@dataclass(frozen=True)
class HelpSeeking:
    """What was asked for, of whom, what happened, and whether it helped."""

    asked_for: str = ""
    from_whom: str = ""
    what_happened: str = ""
    helped: Helped | None = None


NO_DATE = "no date yet"


@dataclass(frozen=True)
class TimelineEvent:
    """A point in a life, or a period when ``ends`` is set.

    Nothing about it is invented: ``starts`` is None until someone gives a date (the moment
    waits in "Not yet placed in time"), and ``valence`` is None until someone says how it felt.
    """

    meta: Provenance
    title: str
    words: str
    starts: FuzzyDate | None
    ends: FuzzyDate | None
    valence: int | None
    life_area: LifeArea
    visibility: Visibility
    help: HelpSeeking | None = None
    visit_uuid: str | None = None

    @property
    def uuid(self) -> str:
        return self.meta.uuid

    @property
    def is_period(self) -> bool:
        return self.ends is not None

    def when(self) -> str:
        """The date or span in plain words: "spring 2015", "when I was 6 to 12"; "no date yet"
        for a moment nobody has given a date."""
        if self.starts is None:
            return NO_DATE
        if self.ends is None:
            return self.starts.display()
        start, end = self.starts, self.ends
        if (
            start.kind is DateKind.AGE
            and end.kind is DateKind.AGE
            and not end.approximate
            and end.age_from is not None
        ):
            return f"{start.display()} to {end.age_from}"
        return f"{start.display()} to {end.display()}"


@dataclass(frozen=True)
class BoardPosition:
    """Where a card sits: its zone's order, and a free position on the board (for dragging)."""

    order: int = 0
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class StrengthCard:
    meta: Provenance
    kind: CardKind
    text: str
    prompt_id: str | None
    position: BoardPosition = field(default_factory=BoardPosition)
    colour: str | None = None
    visibility: Visibility = Visibility.TEAM
    visit_uuid: str | None = None

    @property
    def uuid(self) -> str:
        return self.meta.uuid


@dataclass(frozen=True)
class Quote:
    meta: Provenance
    text: str
    visibility: Visibility
    event_uuid: str | None = None
    visit_uuid: str | None = None

    @property
    def uuid(self) -> str:
        return self.meta.uuid


@dataclass(frozen=True)
class NarrativeNote:
    meta: Provenance
    text: str
    visibility: Visibility
    visit_uuid: str | None = None

    @property
    def uuid(self) -> str:
        return self.meta.uuid


@dataclass(frozen=True)
class Photo:
    meta: Provenance
    caption: str
    original_name: str
    media_type: str
    visibility: Visibility
    event_uuid: str | None = None

    @property
    def uuid(self) -> str:
        return self.meta.uuid


@dataclass(frozen=True)
class Erasure:
    """What is left on this device of a storyteller who withdrew: the fact, not the person."""

    storyteller_uuid: str
    hlc: str
    device_id: str
    author: Author


@dataclass(frozen=True)
class ExcerptSource:
    """Where an excerpt's words come from: an item of the story (its kind's name and id), the
    field of it, and the span of that field's words (``start``/``end``, characters)."""

    kind: str
    uuid: str
    field: str
    start: int
    end: int


@dataclass(frozen=True)
class Excerpt:
    """A passage the team marked at the hub while the story was read aloud. Its author is
    whoever's words it holds (as the item it comes from says); ``marked_by`` is who marked it."""

    meta: Provenance
    text: str
    source: ExcerptSource
    themes: tuple[str, ...]
    x: float
    y: float
    marked_by: str

    @property
    def uuid(self) -> str:
        return self.meta.uuid

    @property
    def storyteller_uuid(self) -> str:
        return self.meta.storyteller_uuid

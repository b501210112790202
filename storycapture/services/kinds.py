"""The kinds of item a story holds, defined once.

Each kind says where it is stored (its table, its sealed and plain fields), how people call it
(for messages, export plans, import reports and ``info``), how a stored record becomes the
domain object the app shows, and what the app must be able to read in it. The services, export's
words, import's checks, ``bundle verify`` and ``info`` all read this one table.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from storycapture.domain.authorship import Author
from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.fuzzydate import FuzzyDate
from storycapture.domain.photos import PHOTO_TYPES
from storycapture.domain.story import (
    BoardPosition,
    ConsentRecord,
    Excerpt,
    ExcerptSource,
    HelpSeeking,
    NarrativeNote,
    Photo,
    Provenance,
    Quote,
    Storyteller,
    StrengthCard,
    TimelineEvent,
    Visit,
)
from storycapture.domain.text import LONG, SHORT, checked_text, checked_valence
from storycapture.domain.visibility import checked_default
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
from storycapture.store import models

# The log-only field that says whose words an item holds (its value: an encoded ``Author``).
WORDS_BY = "words_by"


@dataclass(frozen=True)
class StoredRecord:
    uuid: str
    storyteller_uuid: str
    created_hlc: str
    updated_hlc: str
    author: Author
    values: dict[str, Any]


class Unreadable(ValueError):
    """A value the app could not show."""


@dataclass(frozen=True)
class EntityKind:
    """One kind of record: its log name, its words for people, its table, its sealed fields
    and its plain fields, and what the app must be able to read in it."""

    name: str
    label: str  # in plain words, for messages: "a timeline event"
    one: str  # counted, one of them: "event"
    many: str  # counted, several: "events"
    counted: str  # in the vault's summary (``info``): "timeline events"
    row: type[Any]
    sealed: tuple[str, ...]
    plain: tuple[str, ...] = ()
    # Sealed fields added after the first schema: rows made before them hold no value (read
    # as ``None``), and a bundle from an older installation may not carry them.
    added_later: tuple[str, ...] = ()
    # Whose words the item holds can change after it is made (a quote the facilitator typed
    # turns out to be the storyteller's own): kept as the row's author, and carried to other
    # installations as a change of its own to this field, which lives only in the log.
    reattributable: bool = False
    # Plain fields that link to another item of the same storyteller: field → kind name.
    links: tuple[tuple[str, str], ...] = ()
    # Fields that never leave this laptop (a bundle holds no value for them).
    kept_here: tuple[str, ...] = ()
    # Items that never leave this installation at all (the hub's excerpts: they name themes
    # no other installation has): export leaves their changes out, import refuses them.
    stays_here: bool = False
    # Raises when the app could not show the record as it is (a feeling of "very", a date
    # that is not one): an import reads back everything it made through this.
    check: Callable[[StoredRecord], None] = lambda record: None

    # (Worked out once: an import asks for them for each of its changes.)

    @cached_property
    def table(self) -> str:
        return str(self.row.__tablename__)

    @cached_property
    def fields(self) -> tuple[str, ...]:
        return self.sealed + self.plain

    @cached_property
    def synced_fields(self) -> frozenset[str]:
        """Every field a change in the log (and so in a bundle) may name."""
        return frozenset(self.fields + ((WORDS_BY,) if self.reattributable else ()))

    @cached_property
    def needed_fields(self) -> frozenset[str]:
        """The fields an item arriving by sync needs before it is shown: all but those added
        later (a bundle from an older installation may not carry them)."""
        return frozenset(self.fields) - frozenset(self.added_later)

    def words(self, count: int) -> str:
        """``count`` of this kind in words: "1 event", "3 events"."""
        return f"{count} {self.one if count == 1 else self.many}"


# --- from stored record to what the app shows ------------------------------------------------


def provenance(record: StoredRecord) -> Provenance:
    return Provenance(
        record.uuid, record.storyteller_uuid, record.created_hlc, record.updated_hlc, record.author
    )


def storyteller_from_record(record: StoredRecord) -> Storyteller:
    values = record.values
    return Storyteller(
        meta=provenance(record),
        pseudonym=values["pseudonym"],
        real_name=values["real_name"],
        birth_year=values["birth_year"],
        role=Role(values["role"]),
        notes=values["notes"] or "",
        default_visibility=checked_default(values.get("default_visibility")),
    )


def consent_from_record(record: StoredRecord) -> ConsentRecord:
    values = record.values
    signature = values["signature"]
    return ConsentRecord(
        meta=provenance(record),
        version=int(values["version"]),
        items=frozenset(ConsentItem(item) for item in values["items"]),
        how=ConsentHow(values["how"]),
        given_on=datetime.date.fromisoformat(values["given_on"]),
        facilitator=values["facilitator"],
        signature=bytes.fromhex(signature) if signature else None,
    )


def visit_from_record(record: StoredRecord) -> Visit:
    values = record.values
    return Visit(
        meta=provenance(record),
        visit_date=datetime.date.fromisoformat(values["visit_date"]),
        place_type=PlaceType(values["place_type"]),
        present=values["present"],
        notes=values["notes"],
    )


def help_from_value(value: dict[str, Any] | None) -> HelpSeeking | None:
    if value is None:
        return None
    helped = value.get("helped")
    return HelpSeeking(
        asked_for=value.get("asked_for", ""),
        from_whom=value.get("from_whom", ""),
        what_happened=value.get("what_happened", ""),
        helped=Helped(helped) if helped else None,
    )


def event_from_record(record: StoredRecord) -> TimelineEvent:
    values = record.values
    return TimelineEvent(
        meta=provenance(record),
        title=values["title"],
        words=values["words"],
        starts=FuzzyDate.from_dict(values["starts"]) if values["starts"] is not None else None,
        ends=FuzzyDate.from_dict(values["ends"]) if values["ends"] else None,
        valence=values["valence"],
        life_area=LifeArea(values["life_area"]),
        visibility=Visibility(values["visibility"]),
        help=help_from_value(values["help"]),
        visit_uuid=values["visit_uuid"],
    )


def card_from_record(record: StoredRecord) -> StrengthCard:
    values = record.values
    position = values["position"] or {}
    return StrengthCard(
        meta=provenance(record),
        kind=CardKind(values["kind"]),
        text=values["text"],
        prompt_id=values["prompt_id"],
        position=BoardPosition(
            int(position.get("order", 0)),
            float(position.get("x", 0.0)),
            float(position.get("y", 0.0)),
        ),
        colour=values["colour"],
        visibility=Visibility(values["visibility"]),
        visit_uuid=values["visit_uuid"],
    )


def quote_from_record(record: StoredRecord) -> Quote:
    values = record.values
    return Quote(
        meta=provenance(record),
        text=values["text"],
        visibility=Visibility(values["visibility"]),
        event_uuid=values["event_uuid"],
        visit_uuid=values["visit_uuid"],
    )


def note_from_record(record: StoredRecord) -> NarrativeNote:
    values = record.values
    return NarrativeNote(
        meta=provenance(record),
        text=values["text"],
        visibility=Visibility(values["visibility"]),
        visit_uuid=values["visit_uuid"],
    )


def photo_from_record(record: StoredRecord) -> Photo:
    values = record.values
    return Photo(
        meta=provenance(record),
        caption=values["caption"],
        original_name=values["original_name"],
        media_type=values["media_type"],
        visibility=Visibility(values["visibility"]),
        event_uuid=values["event_uuid"],
    )


def excerpt_from_record(record: StoredRecord) -> Excerpt:
    values = record.values
    source = values["source"]
    position = values["position"] or {}
    return Excerpt(
        meta=provenance(record),
        text=values["text"],
        source=ExcerptSource(
            kind=source["kind"],
            uuid=source["uuid"],
            field=source["field"],
            start=int(source["start"]),
            end=int(source["end"]),
        ),
        themes=tuple(values["themes"]),
        x=float(position.get("x", 0.0)),
        y=float(position.get("y", 0.0)),
        marked_by=values["marked_by"],
    )


# --- what the app must be able to read ---------------------------------------------------------

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _text(value: Any, limit: int = LONG, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    checked_text(value, "text", limit)


def _storyteller(record: StoredRecord) -> None:
    person = storyteller_from_record(record)
    _text(person.pseudonym, SHORT)
    _text(person.real_name, SHORT, optional=True)
    if person.birth_year is not None and type(person.birth_year) is not int:
        raise Unreadable("birth year")


def _consent(record: StoredRecord) -> None:
    _text(consent_from_record(record).facilitator, SHORT)


def _visit(record: StoredRecord) -> None:
    visit = visit_from_record(record)
    _text(visit.present)
    _text(visit.notes, optional=True)


def _event(record: StoredRecord) -> None:
    event = event_from_record(record)
    _text(event.title, SHORT)
    _text(event.words)
    checked_valence(event.valence)


def _card(record: StoredRecord) -> None:
    card = card_from_record(record)
    _text(card.text)
    if card.colour is not None and not (
        isinstance(card.colour, str) and _COLOUR.match(card.colour)
    ):
        raise Unreadable("colour")


def _words_of(
    convert: Callable[[StoredRecord], Quote | NarrativeNote],
) -> Callable[[StoredRecord], None]:
    def check(record: StoredRecord) -> None:
        _text(convert(record).text)

    return check


def _photo(record: StoredRecord) -> None:
    photo = photo_from_record(record)
    _text(photo.caption)
    _text(photo.original_name, SHORT)
    if photo.media_type not in PHOTO_TYPES:
        raise Unreadable("media type")


def _excerpt(record: StoredRecord) -> None:
    excerpt = excerpt_from_record(record)
    _text(excerpt.text)
    _text(excerpt.marked_by, SHORT)
    if excerpt.source.kind not in EXCERPT_SOURCES or not isinstance(excerpt.source.uuid, str):
        raise Unreadable("source")
    if not all(isinstance(theme, str) for theme in excerpt.themes):
        raise Unreadable("themes")


# What an excerpt can be taken from, and the field of it whose words it holds.
EXCERPT_SOURCES = {
    "quote": ("text",),
    "timeline_event": ("words", "title"),
    "narrative_note": ("text",),
    "strength_card": ("text",),
}


def check_readable(kind: EntityKind, record: StoredRecord) -> None:
    """Raise :class:`Unreadable` if the app could not show this item as it is."""
    try:
        kind.check(record)
    except (StoryCaptureError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise Unreadable(str(error) or kind.name) from error


# --- the table ---------------------------------------------------------------------------------

STORYTELLER = EntityKind(
    "storyteller",
    "a storyteller",
    "storyteller",
    "storytellers",
    "storytellers",
    models.StorytellerRow,
    ("pseudonym", "real_name", "birth_year", "role", "notes", "default_visibility"),
    added_later=("default_visibility",),
    kept_here=("real_name",),
    check=_storyteller,
)
CONSENT = EntityKind(
    "consent",
    "a consent record",
    "consent record",
    "consent records",
    "consent records",
    models.ConsentRow,
    ("items", "how", "given_on", "facilitator", "signature"),
    ("version", "deleted"),
    check=_consent,
)
VISIT = EntityKind(
    "visit",
    "a visit",
    "visit",
    "visits",
    "visits",
    models.VisitRow,
    ("visit_date", "place_type", "present", "notes"),
    ("deleted",),
    check=_visit,
)
TIMELINE_EVENT = EntityKind(
    "timeline_event",
    "a timeline event",
    "event",
    "events",
    "timeline events",
    models.TimelineEventRow,
    ("title", "words", "starts", "ends", "valence", "life_area", "help", "visibility"),
    ("visit_uuid", "deleted"),
    reattributable=True,
    links=(("visit_uuid", "visit"),),
    check=_event,
)
STRENGTH_CARD = EntityKind(
    "strength_card",
    "a strength card",
    "card",
    "cards",
    "strength cards",
    models.StrengthCardRow,
    ("kind", "text", "prompt_id", "position", "colour", "visibility"),
    ("visit_uuid", "deleted"),
    reattributable=True,
    links=(("visit_uuid", "visit"),),
    check=_card,
)
QUOTE = EntityKind(
    "quote",
    "a quote",
    "quote",
    "quotes",
    "quotes",
    models.QuoteRow,
    ("text", "visibility"),
    ("visit_uuid", "event_uuid", "deleted"),
    reattributable=True,
    links=(("visit_uuid", "visit"), ("event_uuid", "timeline_event")),
    check=_words_of(quote_from_record),
)
NARRATIVE_NOTE = EntityKind(
    "narrative_note",
    "a narrative note",
    "note",
    "notes",
    "narrative notes",
    models.NarrativeNoteRow,
    ("text", "visibility"),
    ("visit_uuid", "deleted"),
    reattributable=True,
    links=(("visit_uuid", "visit"),),
    check=_words_of(note_from_record),
)
PHOTO = EntityKind(
    "photo",
    "a photo",
    "photo",
    "photos",
    "photos",
    models.PhotoRow,
    ("caption", "original_name", "media_type", "visibility"),
    ("event_uuid", "deleted"),
    links=(("event_uuid", "timeline_event"),),
    check=_photo,
)
EXCERPT = EntityKind(
    "excerpt",
    "an excerpt",
    "excerpt",
    "excerpts",
    "excerpts",
    models.ExcerptRow,
    ("text", "source", "themes", "position", "marked_by"),
    ("deleted",),
    stays_here=True,
    check=_excerpt,
)

ENTITY_KINDS: dict[str, EntityKind] = {
    kind.name: kind
    for kind in (
        STORYTELLER,
        CONSENT,
        VISIT,
        TIMELINE_EVENT,
        STRENGTH_CARD,
        QUOTE,
        NARRATIVE_NOTE,
        PHOTO,
        EXCERPT,
    )
}

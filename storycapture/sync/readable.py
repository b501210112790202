"""Can the app read what a bundle would leave? Every item an import creates or changes is read
back through the same conversions the app's pages use, before the import commits.

A trusted laptop's bundle is signed, but its words still come from elsewhere: a value of the
wrong kind (a feeling of "very", a date that is not one, a colour that is not a colour) would
otherwise sit in the vault and break the page that shows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.text import LONG, SHORT, checked_text, checked_valence
from storycapture.services.base import consent_from_record
from storycapture.services.media import PHOTO_TYPES, photo_from_record
from storycapture.services.records import StoredRecord
from storycapture.services.story import note_from_record, quote_from_record
from storycapture.services.storytellers import storyteller_from_record
from storycapture.services.visits import visit_from_record
from storycapture.strengths.service import card_from_record
from storycapture.timeline.service import event_from_record

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class Unreadable(ValueError):
    """A value the app could not show."""


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


def _words(convert: Callable[[StoredRecord], Any]) -> Callable[[StoredRecord], None]:
    def check(record: StoredRecord) -> None:
        _text(convert(record).text)

    return check


def _consent(record: StoredRecord) -> None:
    consent = consent_from_record(record)
    _text(consent.facilitator, SHORT)


def _visit(record: StoredRecord) -> None:
    visit = visit_from_record(record)
    _text(visit.present)
    _text(visit.notes, optional=True)


def _photo(record: StoredRecord) -> None:
    photo = photo_from_record(record)
    _text(photo.caption)
    _text(photo.original_name, SHORT)
    if photo.media_type not in PHOTO_TYPES:
        raise Unreadable("media type")


CHECKS: dict[str, Callable[[StoredRecord], None]] = {
    "storyteller": _storyteller,
    "consent": _consent,
    "visit": _visit,
    "timeline_event": _event,
    "strength_card": _card,
    "quote": _words(quote_from_record),
    "narrative_note": _words(note_from_record),
    "photo": _photo,
}


def check_readable(entity: str, record: StoredRecord) -> None:
    """Raise :class:`Unreadable` if the app could not show this item as it is."""
    try:
        CHECKS[entity](record)
    except (StoryCaptureError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise Unreadable(str(error) or entity) from error

"""Timeline events and periods: add, change, remove and bring back, in time order.

Dates are fuzzy (see ``domain.fuzzydate``); a date typed relative to another event
("after I moved to Leeds") is linked to that event by its title when one matches. Nothing is
invented: a moment may have no date yet (``starts`` None, stored as such) and a feeling not
said (``valence`` None) until someone gives them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput
from storycapture.domain.fuzzydate import FuzzyDate, parse_fuzzy_date
from storycapture.domain.story import HelpSeeking, TimelineEvent
from storycapture.domain.text import SHORT, checked_text, checked_valence
from storycapture.domain.vocabulary import ConsentItem, LifeArea, Visibility
from storycapture.services import records
from storycapture.services.base import (
    UNSET,
    StoryService,
    Unset,
    checked_changes,
    visibility_value,
)
from storycapture.services.kinds import STORYTELLER, TIMELINE_EVENT, VISIT, event_from_record
from storycapture.timeline.layout.placement import EventPlacer


def _help_value(help_seeking: HelpSeeking | None) -> dict[str, Any] | None:
    if help_seeking is None:
        return None
    return {
        "asked_for": checked_text(help_seeking.asked_for, "what was asked for"),
        "from_whom": checked_text(help_seeking.from_whom, "who it was asked of", SHORT),
        "what_happened": checked_text(help_seeking.what_happened, "what happened"),
        "helped": help_seeking.helped.value if help_seeking.helped else None,
    }


def _require_start_for_end(starts: Any, ends: Any) -> None:
    if starts is None and ends is not None:
        raise InvalidInput(
            "An end date needs a start date too: please say when it began, "
            "or take the end date away."
        )


class TimelineService(StoryService):
    def add_event(
        self,
        storyteller_uuid: str,
        *,
        title: str,
        author: Author,
        starts: FuzzyDate | str | None = None,
        ends: FuzzyDate | str | None = None,
        valence: int | None = None,
        life_area: LifeArea | str = LifeArea.OTHER,
        words: str = "",
        help: HelpSeeking | None = None,
        visibility: Visibility | str = Visibility.TEAM,
        visit_uuid: str | None = None,
    ) -> TimelineEvent:
        with self._vault.edit() as session:
            self._require_consent(session, storyteller_uuid, ConsentItem.TAKE_PART)
            self._require_same_storyteller(session, VISIT, visit_uuid, storyteller_uuid)
            anchors = self._anchor_lookup(session, storyteller_uuid)
            values = {
                "title": checked_text(title, "title", SHORT, required=True),
                "words": checked_text(words, "words"),
                "starts": self._optional_date(starts, anchors, "date"),
                "ends": self._optional_date(ends, anchors, "end"),
                "valence": checked_valence(valence),
                "life_area": LifeArea.parse(life_area).value,
                "help": _help_value(help),
                "visibility": visibility_value(visibility),
                "visit_uuid": visit_uuid,
                "deleted": False,
            }
            _require_start_for_end(values["starts"], values["ends"])
            record = records.insert(
                self._vault, session, TIMELINE_EVENT, storyteller_uuid, values, author
            )
        return event_from_record(record)

    def update_event(
        self,
        event_uuid: str,
        *,
        author: Author,
        title: str | Unset = UNSET,
        starts: FuzzyDate | str | Unset | None = UNSET,
        ends: FuzzyDate | str | Unset | None = UNSET,
        valence: int | Unset | None = UNSET,
        life_area: LifeArea | str | Unset = UNSET,
        words: str | Unset = UNSET,
        help: HelpSeeking | Unset | None = UNSET,
        visibility: Visibility | str | Unset = UNSET,
        words_by: Author | None = None,
    ) -> TimelineEvent:
        """Change what is given; ``words_by`` changes whose words the moment holds."""
        with self._vault.edit() as session:
            current = records.get(self._vault, session, TIMELINE_EVENT, event_uuid)
            anchors = self._anchor_lookup(session, current.storyteller_uuid)
            changes = checked_changes(
                title=(title, lambda v: checked_text(v, "title", SHORT, required=True)),
                words=(words, lambda v: checked_text(v, "words")),
                starts=(starts, lambda v: self._optional_date(v, anchors, "date")),
                ends=(ends, lambda v: self._optional_date(v, anchors, "end")),
                valence=(valence, checked_valence),
                life_area=(life_area, lambda v: LifeArea.parse(v).value),
                help=(help, _help_value),
                visibility=(visibility, visibility_value),
            )
            _require_start_for_end(
                changes.get("starts", current.values["starts"]),
                changes.get("ends", current.values["ends"]),
            )
            record = records.update(
                self._vault,
                session,
                TIMELINE_EVENT,
                event_uuid,
                changes,
                author,
                words_by=words_by,
                words_fields=("title", "words"),
            )
        return event_from_record(record)

    def remove_event(self, event_uuid: str, *, author: Author) -> TimelineEvent:
        """Take an event off the timeline; it stays in the history and can be brought back."""
        return self._set_deleted(event_uuid, True, author)

    def restore_event(self, event_uuid: str, *, author: Author) -> TimelineEvent:
        return self._set_deleted(event_uuid, False, author)

    def _set_deleted(self, event_uuid: str, deleted: bool, author: Author) -> TimelineEvent:
        with self._vault.edit() as session:
            record = records.update(
                self._vault, session, TIMELINE_EVENT, event_uuid, {"deleted": deleted}, author
            )
        return event_from_record(record)

    def get_event(self, event_uuid: str) -> TimelineEvent:
        with self._vault.read() as session:
            return event_from_record(records.get(self._vault, session, TIMELINE_EVENT, event_uuid))

    def events(
        self, storyteller_uuid: str, damaged: list[str] | None = None
    ) -> list[TimelineEvent]:
        """The storyteller's events in time order (events that cannot be placed come last).
        With ``damaged``, a damaged event is left out and its id added there."""
        with self._vault.read() as session:
            storyteller = records.get(self._vault, session, STORYTELLER, storyteller_uuid)
            found = records.find(
                self._vault, session, TIMELINE_EVENT, storyteller_uuid, damaged=damaged
            )
        events = [event_from_record(r) for r in found]
        placer = EventPlacer(events, storyteller.values["birth_year"])
        return sorted(events, key=placer.sort_key)

    def placer(self, storyteller_uuid: str) -> EventPlacer:
        with self._vault.read() as session:
            storyteller = records.get(self._vault, session, STORYTELLER, storyteller_uuid)
        return EventPlacer(self.events(storyteller_uuid), storyteller.values["birth_year"])

    def _anchor_lookup(self, session: Any, storyteller_uuid: str) -> Callable[[str], str | None]:
        """Event titles to ids, read only if a date actually names another event."""
        titles: dict[str, str] | None = None

        def lookup(label: str) -> str | None:
            nonlocal titles
            if titles is None:
                titles = {}
                found = records.find(self._vault, session, TIMELINE_EVENT, storyteller_uuid)
                for record in found:
                    titles.setdefault(record.values["title"].strip().casefold(), record.uuid)
            return titles.get(label.strip().casefold())

        return lookup

    @classmethod
    def _optional_date(
        cls, value: FuzzyDate | str | None, anchors: Callable[[str], str | None], what: str
    ) -> dict[str, Any] | None:
        """A date as stored, or None: no date given (blank typing is no date, not a guess)."""
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return cls._date(value, anchors, what).to_dict()

    @staticmethod
    def _date(value: FuzzyDate | str, anchors: Callable[[str], str | None], what: str) -> FuzzyDate:
        if isinstance(value, FuzzyDate):
            return value
        if not isinstance(value, str):
            raise InvalidInput(f"The {what} must be typed as words, like “spring 2015”.")
        return parse_fuzzy_date(value, anchors)

"""Visits: one story-gathering session each, which what is made during it links to."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput
from storycapture.domain.story import Visit
from storycapture.domain.text import checked_text
from storycapture.domain.vocabulary import ConsentItem, PlaceType, Visibility
from storycapture.services import records
from storycapture.services.base import (
    UNSET,
    StoryService,
    Unset,
    as_date,
    checked_changes,
)
from storycapture.services.kinds import (
    NARRATIVE_NOTE,
    PHOTO,
    QUOTE,
    STRENGTH_CARD,
    TIMELINE_EVENT,
    VISIT,
    EntityKind,
    visit_from_record,
)

# What a visit's recap counts, in the order it tells them.
RECAP_KINDS: tuple[EntityKind, ...] = (TIMELINE_EVENT, STRENGTH_CARD, QUOTE, NARRATIVE_NOTE, PHOTO)


@dataclass(frozen=True)
class VisitRecap:
    """What was added during one visit, by kind (``EntityKind.name``), and how much of it is
    private. An item belongs to the visit when it links to it, or, for an item that links to
    no visit (photos), when it was made after the visit started."""

    visit: Visit
    added: dict[str, int] = field(default_factory=dict)
    private: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.added.values())

    @property
    def total_private(self) -> int:
        return sum(self.private.values())


def _checked_visit_date(value: datetime.date | str) -> str:
    visit_date = as_date(value, "visit date")
    if visit_date > datetime.date.today() + datetime.timedelta(days=1):
        raise InvalidInput("A visit is recorded when it happens, not for a date still to come.")
    return visit_date.isoformat()


class VisitService(StoryService):
    def start(
        self,
        storyteller_uuid: str,
        *,
        author: Author,
        visit_date: datetime.date | str | None = None,
        place_type: PlaceType | str = PlaceType.HOME,
        present: str = "",
        notes: str = "",
    ) -> Visit:
        values = {
            "visit_date": _checked_visit_date(visit_date or datetime.date.today()),
            "place_type": PlaceType.parse(place_type).value,
            "present": checked_text(present, "list of who was there"),
            "notes": checked_text(notes, "visit notes"),
            "deleted": False,
        }
        with self._vault.edit() as session:
            self._require_consent(session, storyteller_uuid, ConsentItem.TAKE_PART)
            record = records.insert(self._vault, session, VISIT, storyteller_uuid, values, author)
        return visit_from_record(record)

    def update(
        self,
        visit_uuid: str,
        *,
        author: Author,
        visit_date: datetime.date | str | Unset = UNSET,
        place_type: PlaceType | str | Unset = UNSET,
        present: str | Unset = UNSET,
        notes: str | Unset = UNSET,
    ) -> Visit:
        changes = checked_changes(
            visit_date=(visit_date, _checked_visit_date),
            place_type=(place_type, lambda v: PlaceType.parse(v).value),
            present=(present, lambda v: checked_text(v, "list of who was there")),
            notes=(notes, lambda v: checked_text(v, "visit notes")),
        )
        with self._vault.edit() as session:
            record = records.update(self._vault, session, VISIT, visit_uuid, changes, author)
        return visit_from_record(record)

    def remove(self, visit_uuid: str, *, author: Author) -> Visit:
        """Take back a visit started by mistake (it stays in the history)."""
        return self._set_deleted(visit_uuid, True, author)

    def restore(self, visit_uuid: str, *, author: Author) -> Visit:
        return self._set_deleted(visit_uuid, False, author)

    def _set_deleted(self, visit_uuid: str, deleted: bool, author: Author) -> Visit:
        with self._vault.edit() as session:
            record = records.update(
                self._vault, session, VISIT, visit_uuid, {"deleted": deleted}, author
            )
        return visit_from_record(record)

    def list(self, storyteller_uuid: str, damaged: list[str] | None = None) -> list[Visit]:
        """A storyteller's visits, most recent first. With ``damaged``, a damaged visit is left
        out and its id added there."""
        with self._vault.read() as session:
            self._require_storyteller(session, storyteller_uuid)
            found = [
                visit_from_record(r)
                for r in records.find(
                    self._vault, session, VISIT, storyteller_uuid, damaged=damaged
                )
            ]
        return sorted(found, key=lambda v: (v.visit_date, v.meta.created_hlc), reverse=True)

    def recap(self, visit_uuid: str) -> VisitRecap:
        """What was added during a visit (and is still there), and what of it is private."""
        added: dict[str, int] = {}
        private: dict[str, int] = {}
        with self._vault.read() as session:
            visit_record = records.get(self._vault, session, VISIT, visit_uuid)
            person = visit_record.storyteller_uuid
            for kind in RECAP_KINDS:
                for record in records.find(self._vault, session, kind, person):
                    linked = record.values.get("visit_uuid")
                    if linked != visit_uuid and (
                        linked is not None or record.created_hlc < visit_record.created_hlc
                    ):
                        continue
                    added[kind.name] = added.get(kind.name, 0) + 1
                    if record.values.get("visibility") == Visibility.PRIVATE.value:
                        private[kind.name] = private.get(kind.name, 0) + 1
        return VisitRecap(visit_from_record(visit_record), added, private)

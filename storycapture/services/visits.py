"""Visits: one story-gathering session each, which what is made during it links to."""

from __future__ import annotations

import datetime

from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput
from storycapture.domain.story import Visit
from storycapture.domain.text import checked_text
from storycapture.domain.vocabulary import ConsentItem, PlaceType
from storycapture.services import records
from storycapture.services.base import (
    UNSET,
    StoryService,
    Unset,
    as_date,
    checked_changes,
    provenance,
)
from storycapture.services.records import VISIT, StoredRecord


def visit_from_record(record: StoredRecord) -> Visit:
    values = record.values
    return Visit(
        meta=provenance(record),
        visit_date=datetime.date.fromisoformat(values["visit_date"]),
        place_type=PlaceType(values["place_type"]),
        present=values["present"],
        notes=values["notes"],
    )


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

    def list(self, storyteller_uuid: str) -> list[Visit]:
        """A storyteller's visits, most recent first."""
        with self._vault.read() as session:
            self._require_storyteller(session, storyteller_uuid)
            found = [
                visit_from_record(r)
                for r in records.find(self._vault, session, VISIT, storyteller_uuid)
            ]
        return sorted(found, key=lambda v: (v.visit_date, v.meta.created_hlc), reverse=True)

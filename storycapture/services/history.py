"""Item history from the operation log: what an item said before, who changed it, and when."""

from __future__ import annotations

from storycapture.domain.errors import NotFound
from storycapture.services import records
from storycapture.services.base import StoryService
from storycapture.services.kinds import ENTITY_KINDS
from storycapture.services.records import FieldChange


class HistoryService(StoryService):
    def of(self, entity: str, record_uuid: str) -> list[FieldChange]:
        """Every value each field of the item has had, oldest first."""
        kind = ENTITY_KINDS.get(entity)
        if kind is None:
            raise NotFound(f"There is no kind of item called “{entity}”.")
        with self._vault.read() as session:
            records.get(self._vault, session, kind, record_uuid)
            return records.history(self._vault, session, kind, record_uuid)

    def earlier_values(self, entity: str, record_uuid: str, field: str) -> list[FieldChange]:
        """The successive values of one field: the answer to “what did this say before?”."""
        return [change for change in self.of(entity, record_uuid) if change.field == field]

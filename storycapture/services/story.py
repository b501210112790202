"""The story in the storyteller's own words: narrative notes and marked quotes."""

from __future__ import annotations

from storycapture.domain.authorship import Author
from storycapture.domain.story import NarrativeNote, Quote
from storycapture.domain.text import checked_text
from storycapture.domain.vocabulary import ConsentItem, Visibility
from storycapture.services import records
from storycapture.services.base import (
    UNSET,
    StoryService,
    Unset,
    checked_changes,
    visibility_value,
)
from storycapture.services.kinds import (
    NARRATIVE_NOTE,
    QUOTE,
    TIMELINE_EVENT,
    VISIT,
    EntityKind,
    StoredRecord,
    note_from_record,
    quote_from_record,
)


class StoryWordsService(StoryService):
    """Quotes and narrative notes. Both can be edited, hidden (deleted) and brought back."""

    def add_quote(
        self,
        storyteller_uuid: str,
        text: str,
        *,
        author: Author,
        visibility: Visibility | str = Visibility.TEAM,
        event_uuid: str | None = None,
        visit_uuid: str | None = None,
    ) -> Quote:
        values = {
            "text": checked_text(text, "quote", required=True),
            "visibility": visibility_value(visibility),
            "event_uuid": event_uuid,
            "visit_uuid": visit_uuid,
            "deleted": False,
        }
        with self._vault.edit() as session:
            self._require_consent(session, storyteller_uuid, ConsentItem.TAKE_PART)
            self._require_same_storyteller(session, TIMELINE_EVENT, event_uuid, storyteller_uuid)
            self._require_same_storyteller(session, VISIT, visit_uuid, storyteller_uuid)
            record = records.insert(self._vault, session, QUOTE, storyteller_uuid, values, author)
        return quote_from_record(record)

    def add_note(
        self,
        storyteller_uuid: str,
        text: str,
        *,
        author: Author,
        visibility: Visibility | str = Visibility.TEAM,
        visit_uuid: str | None = None,
    ) -> NarrativeNote:
        values = {
            "text": checked_text(text, "note", required=True),
            "visibility": visibility_value(visibility),
            "visit_uuid": visit_uuid,
            "deleted": False,
        }
        with self._vault.edit() as session:
            self._require_consent(session, storyteller_uuid, ConsentItem.TAKE_PART)
            self._require_same_storyteller(session, VISIT, visit_uuid, storyteller_uuid)
            record = records.insert(
                self._vault, session, NARRATIVE_NOTE, storyteller_uuid, values, author
            )
        return note_from_record(record)

    def update_quote(
        self,
        quote_uuid: str,
        *,
        author: Author,
        text: str | Unset = UNSET,
        visibility: Visibility | str | Unset = UNSET,
        deleted: bool | Unset = UNSET,
        words_by: Author | None = None,
    ) -> Quote:
        """Change what is given; ``words_by`` changes whose words the quote holds."""
        return quote_from_record(
            self._update(QUOTE, quote_uuid, author, text, visibility, deleted, words_by)
        )

    def update_note(
        self,
        note_uuid: str,
        *,
        author: Author,
        text: str | Unset = UNSET,
        visibility: Visibility | str | Unset = UNSET,
        deleted: bool | Unset = UNSET,
        words_by: Author | None = None,
    ) -> NarrativeNote:
        """Change what is given; ``words_by`` changes whose words the note holds."""
        return note_from_record(
            self._update(NARRATIVE_NOTE, note_uuid, author, text, visibility, deleted, words_by)
        )

    def _update(
        self,
        kind: EntityKind,
        record_uuid: str,
        author: Author,
        text: str | Unset,
        visibility: Visibility | str | Unset,
        deleted: bool | Unset,
        words_by: Author | None = None,
    ) -> StoredRecord:
        changes = checked_changes(
            text=(text, lambda v: checked_text(v, "text", required=True)),
            visibility=(visibility, visibility_value),
            deleted=(deleted, bool),
        )
        with self._vault.edit() as session:
            return records.update(
                self._vault,
                session,
                kind,
                record_uuid,
                changes,
                author,
                words_by=words_by,
                words_fields=("text",),
            )

    def quotes(self, storyteller_uuid: str, damaged: list[str] | None = None) -> list[Quote]:
        """With ``damaged``, a damaged quote is left out and its id added there."""
        with self._vault.read() as session:
            self._require_storyteller(session, storyteller_uuid)
            found = records.find(self._vault, session, QUOTE, storyteller_uuid, damaged=damaged)
            return [quote_from_record(r) for r in found]

    def notes(self, storyteller_uuid: str, damaged: list[str] | None = None) -> list[NarrativeNote]:
        """With ``damaged``, a damaged note is left out and its id added there."""
        with self._vault.read() as session:
            self._require_storyteller(session, storyteller_uuid)
            found = records.find(
                self._vault, session, NARRATIVE_NOTE, storyteller_uuid, damaged=damaged
            )
            return [note_from_record(r) for r in found]

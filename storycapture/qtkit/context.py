"""What a tool needs to know about the edit being made, supplied by the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtGui import QUndoStack

from storycapture.domain.authorship import Author, WhoseWords, author_for, default_whose_words
from storycapture.domain.visibility import new_item_visibility
from storycapture.domain.vocabulary import Visibility


def _never_asked(_storyteller_uuid: str) -> Visibility | None:
    return None


@dataclass
class EditingContext:
    """Who is editing (the facilitator, or the storyteller in storyteller mode), the visit in
    progress that new items link to, the storyteller's undo stack, and what each storyteller
    chose their new items to be by default (``None`` if they were never asked)."""

    undo_stack: QUndoStack
    author: Callable[[], Author]
    current_visit: Callable[[], str | None]
    chosen_visibility: Callable[[str], Visibility | None] = field(
        default_factory=lambda: _never_asked
    )

    @property
    def storyteller_mode(self) -> bool:
        """True while the laptop is handed over: whatever is added is the storyteller's."""
        return self.author().is_storyteller

    def whose_by_default(self) -> WhoseWords:
        """What a quote, an "in their own words" field or a picked card starts as."""
        return default_whose_words(
            storyteller_mode=self.storyteller_mode,
            during_visit=self.current_visit() is not None,
        )

    def author_for(self, whose: WhoseWords) -> Author:
        return author_for(whose, self.author())

    def new_visibility(self, storyteller_uuid: str) -> Visibility:
        """What a new item of this storyteller starts as (their choice; private in the mode)."""
        return new_item_visibility(
            self.chosen_visibility(storyteller_uuid), storyteller_mode=self.storyteller_mode
        )

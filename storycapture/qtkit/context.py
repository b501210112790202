"""What a tool needs to know about the edit being made, supplied by the window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtGui import QUndoStack

from storycapture.domain.authorship import Author


@dataclass
class EditingContext:
    """Who is editing (the facilitator, or the storyteller in storyteller mode), the visit in
    progress that new items link to, and the storyteller's undo stack."""

    undo_stack: QUndoStack
    author: Callable[[], Author]
    current_visit: Callable[[], str | None]

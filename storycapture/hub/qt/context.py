"""What every part of the story-sharing room shares: the vault and its room service, the room's
undo stack, who is at the keyboard, and the room's signals (something changed; open an excerpt
in its story)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from storycapture.domain.authorship import Author
from storycapture.domain.errors import StoryCaptureError
from storycapture.hub.room import RoomService
from storycapture.services.vault import VaultSession


class RoomSignals(QObject):
    # Excerpts or themes changed (made, moved, merged, undone …): every view reads again.
    changed = Signal()
    # Open a storyteller's story for reading at an excerpt (its uuid): "in context".
    open_excerpt = Signal(str)
    # Open a storyteller's story for reading at an item: storyteller, item kind, item uuid.
    open_item = Signal(str, str, str)


def _say_nothing(_error: StoryCaptureError) -> None:
    return None


@dataclass
class RoomContext:
    vault: VaultSession
    undo_stack: QUndoStack
    # Who is at the keyboard: the name recorded as having marked an excerpt or changed a theme.
    author: Callable[[], Author]
    # Tell the room's people in plain words why an undo or redo could not be done.
    refused: Callable[[StoryCaptureError], None] = _say_nothing
    signals: RoomSignals = field(default_factory=RoomSignals)

    @property
    def room(self) -> RoomService:
        return RoomService(self.vault)

    @property
    def marker(self) -> str:
        """The name an excerpt is marked by (a facilitator at the keyboard, or the team)."""
        return self.author().name or "the team"

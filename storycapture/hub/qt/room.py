"""The story-sharing room: one page with the three parts of the team's afternoon — read a
story aloud, gather its excerpts into themes on the board, and see the themes across stories.

Opening an excerpt anywhere ("in context, not flaunted") turns to the reading view at its
place in its story.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from storycapture.hub.qt.across import AcrossStories
from storycapture.hub.qt.board import ThemesBoard
from storycapture.hub.qt.context import RoomContext
from storycapture.hub.qt.reading import ReadingView

TITLE = "Story-sharing room"
WELCOME = (
    "Hear each story read aloud by the person who heard it first hand, mark what stays with "
    "you, then look for the themes that come up across stories."
)
READ, BOARD, ACROSS = range(3)


class RoomPage(QWidget):
    back_requested = Signal()  # back to the stories, one storyteller at a time

    def __init__(self, context: RoomContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("story-sharing-room")
        self.context = context
        title = QLabel(TITLE)
        title.setObjectName("subheading")  # the window's style sheet sizes it
        welcome = QLabel(WELCOME)
        welcome.setWordWrap(True)
        self.back = QPushButton("Back to the stories")
        self.back.setAccessibleName("Back to the stories")
        self.back.clicked.connect(self.back_requested)
        head = QHBoxLayout()
        words = QVBoxLayout()
        words.addWidget(title)
        words.addWidget(welcome)
        head.addLayout(words, 1)
        head.addWidget(self.back, 0, Qt.AlignmentFlag.AlignTop)

        self.reading = ReadingView(context)
        self.board = ThemesBoard(context)
        self.across = AcrossStories(context)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.reading, "Read a story aloud")
        self.tabs.addTab(self.board, "Themes board")
        self.tabs.addTab(self.across, "Across stories")
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.tabs, 1)
        context.signals.open_excerpt.connect(self.open_excerpt)
        context.signals.open_item.connect(self.open_item)

    @Slot(str)
    def open_excerpt(self, excerpt_uuid: str) -> None:
        """Turn to the reading view, at the excerpt's place in its story."""
        self.tabs.setCurrentIndex(READ)
        self.reading.go_to_excerpt(excerpt_uuid)

    @Slot(str, str, str)
    def open_item(self, storyteller_uuid: str, kind: str, item_uuid: str) -> None:
        self.tabs.setCurrentIndex(READ)
        self.reading.show_story(storyteller_uuid)
        self.reading.go_to_item(kind, item_uuid)

    def refresh(self) -> None:
        """Read everything again (after an import, a withdrawal, an undo elsewhere)."""
        self.reading.refresh()
        self.board.refresh()
        self.across.refresh()

    def clear(self) -> None:
        """Drop every personal word the room shows (on lock)."""
        self.reading.clear()
        self.board.clear()
        self.across.clear()

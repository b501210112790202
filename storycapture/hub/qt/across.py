"""Across stories: the three views of the story-sharing room that look across every story at
once (themes × stories, help sought, lifelines side by side), as tabs of one page."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from storycapture.hub.qt.across_kit import AcrossView
from storycapture.hub.qt.context import RoomContext
from storycapture.hub.qt.help_view import HelpSeekingView
from storycapture.hub.qt.lifelines_view import AlignedLifelinesView
from storycapture.hub.qt.matrix_view import MatrixView

__all__ = ["AcrossStories", "AlignedLifelinesView", "HelpSeekingView", "MatrixView"]


class AcrossStories(QWidget):
    """The matrix, help-seeking and the aligned lifelines as tabs. Only the tab on show reads
    the vault when the room changes; the others read when they are next shown."""

    def __init__(self, context: RoomContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.matrix = MatrixView(context)
        self.help = HelpSeekingView(context)
        self.lifelines = AlignedLifelinesView(context)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.matrix, "Themes in stories")
        self.tabs.addTab(self.help, "Help sought")
        self.tabs.addTab(self.lifelines, "Lifelines side by side")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    @property
    def views(self) -> tuple[AcrossView, ...]:
        return (self.matrix, self.help, self.lifelines)

    def refresh(self) -> None:
        """Read again: the tab on show now, the others when next shown."""
        for view in self.views:
            if view is self.tabs.currentWidget():
                view.refresh()
            else:
                view.mark_stale()

    def clear(self) -> None:
        for view in self.views:
            view.clear()

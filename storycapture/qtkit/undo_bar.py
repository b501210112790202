"""An inline "Removed. Undo" bar: removing something is done at once, and taking it back is
one touch away, in view, for as long as nothing else has been done since.

The bar works on the storyteller's undo stack: "Undo" undoes the step it was shown for, and
only while that step is still the latest one; any other step made, undone or redone hides it.
It names the kind of item, never its words (the bar may still be on screen when the window
locks; the panel hides it then as well).
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import Slot
from PySide6.QtGui import QUndoCommand, QUndoStack
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from storycapture.qtkit.looks import scaled_px


class UndoBar(QFrame):
    """ "The quote was removed. [Undo] [Dismiss]", over the list it was removed from."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.setStyleSheet(
            "QFrame#undoBar { background: palette(alternate-base); "
            "border: 1px solid palette(mid); border-radius: 6px; }"
        )
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setAccessibleName("What was just removed")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setObjectName("primary")
        self.undo_button.setAutoDefault(False)
        self.undo_button.clicked.connect(self.undo)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setAccessibleName("Dismiss this message")
        self.dismiss_button.setAutoDefault(False)
        self.dismiss_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(scaled_px(12), scaled_px(6), scaled_px(6), scaled_px(6))
        layout.setSpacing(scaled_px(8))
        layout.addWidget(self.message, 1)
        layout.addWidget(self.undo_button)
        layout.addWidget(self.dismiss_button)
        self._stack: QUndoStack | None = None
        self._step: QUndoCommand | None = None
        self.hide()

    def offer(self, stack: QUndoStack, message: str, undo_words: str) -> None:
        """Show ``message`` with Undo for the step just pushed on ``stack``."""
        self.dismiss()
        if stack.index() == 0:
            return  # nothing was pushed (the service refused): nothing to undo
        self._stack = stack
        self._step = stack.command(stack.index() - 1)
        self.message.setText(message)
        self.undo_button.setAccessibleName(undo_words)
        stack.indexChanged.connect(self._stack_moved)
        self.show()

    def is_offering(self) -> bool:
        return self._step is not None and not self.isHidden()

    def _is_latest(self) -> bool:
        stack = self._stack
        return (
            stack is not None
            and self._step is not None
            and stack.index() > 0
            and stack.command(stack.index() - 1) is self._step
        )

    @Slot()
    def undo(self) -> None:
        stack = self._stack
        if stack is not None and self._is_latest():
            self.dismiss()
            stack.undo()
        else:
            self.dismiss()

    @Slot(int)
    def _stack_moved(self, _index: int) -> None:
        if not self._is_latest():
            self.dismiss()

    @Slot()
    def dismiss(self) -> None:
        if self._stack is not None:
            # (The stack may be gone already: locking forgets it.)
            with contextlib.suppress(RuntimeError, TypeError):
                self._stack.indexChanged.disconnect(self._stack_moved)
        self._stack = None
        self._step = None
        self.message.clear()
        self.hide()

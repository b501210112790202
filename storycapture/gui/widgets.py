"""Small widgets the dialogs share: choices a finger can reach anywhere on their row."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QCheckBox, QRadioButton


class RowCheckBox(QCheckBox):
    """A checkbox that a touch anywhere on its row ticks, not only on the box or its words."""

    def hitButton(self, pos: QPoint) -> bool:
        return self.rect().contains(pos)


class RowRadioButton(QRadioButton):
    """A choice that a touch anywhere on its row chooses."""

    def hitButton(self, pos: QPoint) -> bool:
        return self.rect().contains(pos)

"""Small widgets the dialogs share: choices a finger can reach anywhere on their row."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from storycapture.gui.pages import make_label
from storycapture.gui.theme import make_room, scaled_px


class RowCheckBox(QCheckBox):
    """A checkbox that a touch anywhere on its row ticks, not only on the box or its words."""

    def hitButton(self, pos: QPoint) -> bool:
        return self.rect().contains(pos)


class RowRadioButton(QRadioButton):
    """A choice that a touch anywhere on its row chooses."""

    def hitButton(self, pos: QPoint) -> bool:
        return self.rect().contains(pos)


@dataclass
class DialogFooter:
    """The bottom of a form dialog: a plain-words problem line above its two buttons."""

    layout: QVBoxLayout
    problem: QLabel
    buttons: QDialogButtonBox
    ok_button: QPushButton
    cancel_button: QPushButton

    def show_problem(self, dialog: QDialog, message: str) -> None:
        """Show ``message`` above the buttons, growing the dialog to fit it the first time;
        everything typed stays as it is."""
        appearing = self.problem.isHidden()
        self.problem.setText(message)
        self.problem.show()
        if appearing:
            margins = self.layout.contentsMargins()
            width = max(1, dialog.width() - margins.left() - margins.right())
            make_room(dialog, self.problem.heightForWidth(width) + self.layout.spacing())


def dialog_footer(
    dialog: QDialog, ok_text: str, cancel_name: str, problem: str = ""
) -> DialogFooter:
    """Buttons that say what they do; the problem line shows ``problem`` (if any) at once."""
    problem_label = make_label(problem, "problem")
    problem_label.setAccessibleName("Problem")
    problem_label.setVisible(bool(problem))
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok_button.setText(ok_text)
    ok_button.setObjectName("primary")
    ok_button.setAccessibleName(ok_text)
    cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
    cancel_button.setText("Cancel")
    cancel_button.setAccessibleName(cancel_name)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout()
    layout.setContentsMargins(scaled_px(28), scaled_px(12), scaled_px(28), scaled_px(20))
    layout.setSpacing(scaled_px(10))
    layout.addWidget(problem_label)
    layout.addWidget(buttons)
    return DialogFooter(layout, problem_label, buttons, ok_button, cancel_button)


def scrolled_form_layout(dialog: QDialog, scroll: QWidget, footer: DialogFooter) -> None:
    """The dialog's body scrolls (a big interface scale on a small screen); the footer stays."""
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(0)
    layout.addWidget(scroll, 1)
    layout.addLayout(footer.layout)

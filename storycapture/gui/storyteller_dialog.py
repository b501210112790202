"""Adding a storyteller: a name to use for them first; a real name only if they want it kept,
and a year of birth only once someone gives it (nothing about them is invented)."""

from __future__ import annotations

import datetime

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import Author
from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.story import Storyteller
from storycapture.domain.vocabulary import Role
from storycapture.gui.pages import make_label
from storycapture.gui.theme import fit_to_screen, scaled_px
from storycapture.gui.widgets import RowRadioButton, dialog_footer, scrolled_form_layout
from storycapture.qtkit.flow import FlowLayout
from storycapture.services.storytellers import StorytellerService

OLDEST_AGE = 130  # as the service allows


class NewStorytellerDialog(QDialog):
    """A new storyteller; OK adds them through the storyteller service."""

    def __init__(
        self, service: StorytellerService, author: Author, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ensurePolished()  # the theme's font, so sizes below follow the scale
        self.setWindowTitle("A new storyteller")
        self.setModal(True)
        self._service = service
        self._author = author
        self.created: Storyteller | None = None
        self._this_year = datetime.date.today().year

        heading = make_label("A new storyteller", "heading")
        intro = make_label(
            "Only a name to use is needed now; the rest can wait, or never be given. "
            "Consent comes next.",
            "subtle",
        )

        self.pseudonym = QLineEdit()
        self.pseudonym.setMaxLength(200)
        self.pseudonym.setAccessibleName("A name to use for them")
        self.pseudonym.setAccessibleDescription(
            "Not their real name: many people pick a nickname or a word they like."
        )
        self.pseudonym.setPlaceholderText("For example, Marigold or Heron")
        pseudonym_label = make_label("A name to use for them — not their real name")
        pseudonym_label.setBuddy(self.pseudonym)

        self.real_name = QLineEdit()
        self.real_name.setMaxLength(200)
        self.real_name.setAccessibleName("Their real name, only if they want it kept")
        self.real_name.setPlaceholderText("Optional")
        real_name_label = make_label("Their real name, only if they want it kept")
        real_name_label.setBuddy(self.real_name)
        real_name_hint = make_label("Kept encrypted, and never leaves this laptop.", "subtle")

        # Empty until someone gives it: no year is ever assumed.
        self.birth_year = QLineEdit()
        self.birth_year.setMaxLength(4)
        self.birth_year.setValidator(
            QIntValidator(self._this_year - OLDEST_AGE, self._this_year, self.birth_year)
        )
        self.birth_year.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
        self.birth_year.setPlaceholderText("Not given")
        self.birth_year.setAccessibleName("Year of birth, optional")
        self.birth_year.setMaximumWidth(self.fontMetrics().averageCharWidth() * 16)
        birth_label = make_label("Year they were born, if they want to say")
        birth_label.setBuddy(self.birth_year)
        birth_row = QHBoxLayout()
        birth_row.setSpacing(scaled_px(12))
        birth_row.addWidget(birth_label, 1)
        birth_row.addWidget(self.birth_year)

        role_label = make_label("Telling their story as", "subheading")
        self.role_group = QButtonGroup(self)
        self.role_buttons: dict[Role, QRadioButton] = {}
        roles_holder = QWidget()
        roles = FlowLayout(roles_holder, spacing=scaled_px(12))  # wraps at large text sizes
        for role in Role:
            button = RowRadioButton(role.label)
            button.setAccessibleName(role.label)
            self.role_group.addButton(button)
            self.role_buttons[role] = button
            roles.addWidget(button)
        self.role_buttons[Role.LIVED_EXPERIENCE].setChecked(True)

        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes for facilitators")
        self.notes.setPlaceholderText(
            "For example: likes morning visits; prefers to meet at the library"
        )
        self.notes.setTabChangesFocus(True)
        line = self.fontMetrics().height()
        self.notes.setMinimumHeight(round(line * 4.5))  # a few sentences show at once
        self.notes.setMaximumHeight(round(line * 6.5))
        notes_label = make_label("Notes for facilitators (optional)")
        notes_label.setBuddy(self.notes)

        body = QWidget()
        form = QVBoxLayout(body)
        form.setContentsMargins(scaled_px(28), scaled_px(24), scaled_px(28), scaled_px(12))
        form.setSpacing(scaled_px(6))
        form.addWidget(heading)
        form.addWidget(intro)
        form.addSpacing(scaled_px(8))
        form.addWidget(pseudonym_label)
        form.addWidget(self.pseudonym)
        form.addSpacing(scaled_px(8))
        form.addWidget(real_name_label)
        form.addWidget(self.real_name)
        form.addWidget(real_name_hint)
        form.addSpacing(scaled_px(8))
        form.addLayout(birth_row)
        form.addSpacing(scaled_px(8))
        form.addWidget(role_label)
        form.addWidget(roles_holder)
        form.addSpacing(scaled_px(4))
        form.addWidget(notes_label)
        form.addWidget(self.notes)
        form.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)

        footer = dialog_footer(self, "Add storyteller", "Cancel without adding anyone")
        self.problem = footer.problem
        self.buttons = footer.buttons
        self.ok_button = footer.ok_button
        self.cancel_button = footer.cancel_button
        self._footer = footer
        scrolled_form_layout(self, scroll, footer)
        body.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        self.pseudonym.setFocus(Qt.FocusReason.OtherFocusReason)
        fit_to_screen(self, body)

    # -- reading the form -----------------------------------------------------------------
    def chosen_role(self) -> Role:
        for role, button in self.role_buttons.items():
            if button.isChecked():
                return role
        return Role.OTHER

    def given_birth_year(self) -> int | None:
        """The year typed, or ``None`` when none is given. Raises ``ValueError`` with the
        sentence to show when what is typed is not a year that can be kept."""
        typed = self.birth_year.text().strip()
        if not typed:
            return None
        earliest = self._this_year - OLDEST_AGE
        if not typed.isdigit() or not earliest <= int(typed) <= self._this_year:
            raise ValueError(
                f"Please give the year they were born as four figures, between {earliest} and "
                f"{self._this_year}, or leave it empty."
            )
        return int(typed)

    def show_problem(self, message: str) -> None:
        """Show ``message`` above the buttons; everything typed stays as it is."""
        self._footer.show_problem(self, message)

    @Slot()
    def accept(self) -> None:
        self._save()

    @Slot()
    def _save(self) -> None:
        if not self.pseudonym.text().strip():
            self.show_problem("Please give a name to use for them.")
            self.pseudonym.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        try:
            birth_year = self.given_birth_year()
        except ValueError as error:
            self.show_problem(str(error))
            self.birth_year.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        try:
            self.created = self._service.add(
                self.pseudonym.text(),
                author=self._author,
                real_name=self.real_name.text() or None,
                birth_year=birth_year,
                role=self.chosen_role(),
                notes=self.notes.toPlainText(),
            )
        except StoryCaptureError as error:
            self.show_problem(str(error))
            return
        self.problem.hide()
        super().accept()

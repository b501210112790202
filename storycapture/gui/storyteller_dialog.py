"""Adding a storyteller: a pseudonym first; a real name only if they want it kept."""

from __future__ import annotations

import datetime

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from storycapture.domain.authorship import Author
from storycapture.domain.errors import StoryCaptureError
from storycapture.domain.story import Storyteller
from storycapture.domain.vocabulary import Role
from storycapture.services.storytellers import StorytellerService


class NewStorytellerDialog(QDialog):
    def __init__(
        self, service: StorytellerService, author: Author, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("A new storyteller")
        self._service = service
        self._author = author
        self.created: Storyteller | None = None
        intro = QLabel(
            "Choose a name to use in StoryCapture. It need not be their real name: many "
            "people pick a nickname or a word they like."
        )
        intro.setWordWrap(True)
        intro.setObjectName("subtle")
        self.pseudonym = QLineEdit()
        self.pseudonym.setAccessibleName("Name to use")
        self.real_name = QLineEdit()
        self.real_name.setAccessibleName("Real name, only if they want it kept")
        self.real_name.setPlaceholderText("Optional, kept encrypted")
        self.birth_year = QSpinBox()
        this_year = datetime.date.today().year
        self.birth_year.setRange(this_year - 131, this_year)
        self.birth_year.setSpecialValueText("Not given")
        self.birth_year.setValue(this_year - 131)
        self.birth_year.setAccessibleName("Year of birth, optional")
        self.role = QComboBox()
        for role in Role:
            self.role.addItem(role.label, role.value)
        self.role.setAccessibleName("Telling their story as")
        self.notes = QPlainTextEdit()
        self.notes.setAccessibleName("Notes for facilitators")
        self.notes.setPlaceholderText("For example: likes morning visits")
        self.notes.setMaximumHeight(80)
        self.problem = QLabel()
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        form = QFormLayout()
        form.addRow("Name to use", self.pseudonym)
        form.addRow("Real name", self.real_name)
        form.addRow("Year of birth", self.birth_year)
        form.addRow("Telling their story as", self.role)
        form.addRow("Notes", self.notes)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add storyteller")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.pseudonym.setFocus()

    @Slot()
    def _save(self) -> None:
        birth_year = self.birth_year.value()
        try:
            self.created = self._service.add(
                self.pseudonym.text(),
                author=self._author,
                real_name=self.real_name.text() or None,
                birth_year=None if birth_year == self.birth_year.minimum() else birth_year,
                role=self.role.currentData(),
                notes=self.notes.toPlainText(),
            )
        except StoryCaptureError as error:
            self.problem.setText(str(error))
            self.problem.show()
            return
        self.accept()

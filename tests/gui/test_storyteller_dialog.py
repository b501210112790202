"""Adding a storyteller from its dialog, checked through StorytellerService."""

from __future__ import annotations

import datetime

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLabel, QPlainTextEdit, QScrollArea
from pytestqt.qtbot import QtBot

from storycapture.domain.vocabulary import Role
from storycapture.gui.storyteller_dialog import NewStorytellerDialog
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from tests.conftest import FACILITATOR
from tests.gui.test_consent_dialog import focusable_widgets


def open_dialog(qtbot: QtBot, vault: VaultSession) -> NewStorytellerDialog:
    dialog = NewStorytellerDialog(StorytellerService(vault), FACILITATOR)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def labels(dialog: QDialog, name: str = "") -> list[str]:
    return [
        label.text()
        for label in dialog.findChildren(QLabel)
        if not name or label.objectName() == name
    ]


def test_the_dialog_has_a_heading_and_plain_labels(qtbot: QtBot, vault: VaultSession) -> None:
    dialog = open_dialog(qtbot, vault)
    assert labels(dialog, "heading") == ["A new storyteller"]
    assert "A name to use for them — not their real name" in labels(dialog)
    assert dialog.ok_button.text() == "Add storyteller"
    assert not dialog.problem.isVisible()


def test_a_storyteller_is_added_with_what_was_given_and_no_year_until_given(
    qtbot: QtBot, vault: VaultSession
) -> None:
    dialog = open_dialog(qtbot, vault)
    assert dialog.birth_year.text() == ""  # empty until someone gives it
    assert dialog.given_birth_year() is None
    assert dialog.chosen_role() is Role.LIVED_EXPERIENCE
    QTest.keyClicks(dialog.pseudonym, "Heron")
    dialog.notes.setFocus()
    QTest.keyClicks(dialog.notes, "Likes morning visits.")
    QTest.keyClick(dialog.notes, Qt.Key.Key_Return)
    QTest.keyClicks(dialog.notes, "Prefers tea to coffee.")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.problem.text()
    (person,) = StorytellerService(vault).list()
    assert dialog.created == person
    assert person.pseudonym == "Heron"
    assert person.birth_year is None
    assert person.real_name is None
    assert person.notes == "Likes morning visits.\nPrefers tea to coffee."


def test_the_notes_are_a_field_for_sentences(qtbot: QtBot, vault: VaultSession) -> None:
    dialog = open_dialog(qtbot, vault)
    assert isinstance(dialog.notes, QPlainTextEdit)
    line = dialog.notes.fontMetrics().height()
    assert dialog.notes.height() >= line * 4  # several lines show, not one under a scroll bar
    assert not dialog.notes.verticalScrollBar().isVisible()


def test_a_year_of_birth_and_a_role_are_kept_when_given(qtbot: QtBot, vault: VaultSession) -> None:
    dialog = open_dialog(qtbot, vault)
    QTest.keyClicks(dialog.pseudonym, "Heron")
    QTest.keyClicks(dialog.real_name, "Helen Rowe")
    QTest.keyClicks(dialog.birth_year, "1968")
    qtbot.mouseClick(dialog.role_buttons[Role.CARER_OR_FAMILY], Qt.MouseButton.LeftButton)
    dialog.ok_button.click()

    (person,) = StorytellerService(vault).list()
    assert person.birth_year == 1968
    assert person.real_name == "Helen Rowe"
    assert person.role is Role.CARER_OR_FAMILY


def test_an_empty_name_is_asked_for_warmly_and_nothing_typed_is_lost(
    qtbot: QtBot, vault: VaultSession
) -> None:
    dialog = open_dialog(qtbot, vault)
    QTest.keyClicks(dialog.pseudonym, "   ")
    dialog.notes.setPlainText("Met at the community garden.")
    dialog.ok_button.click()

    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.problem.isVisible()
    assert dialog.problem.text() == "Please give a name to use for them."
    assert dialog.focusWidget() is dialog.pseudonym
    assert dialog.notes.toPlainText() == "Met at the community garden."
    assert StorytellerService(vault).list() == []


def test_a_year_that_cannot_be_kept_is_explained(qtbot: QtBot, vault: VaultSession) -> None:
    dialog = open_dialog(qtbot, vault)
    QTest.keyClicks(dialog.pseudonym, "Heron")
    QTest.keyClicks(dialog.birth_year, "19")  # not yet a year
    dialog.ok_button.click()

    this_year = datetime.date.today().year
    assert dialog.problem.text() == (
        f"Please give the year they were born as four figures, between {this_year - 130} and "
        f"{this_year}, or leave it empty."
    )
    assert StorytellerService(vault).list() == []
    dialog.birth_year.clear()
    dialog.ok_button.click()
    (person,) = StorytellerService(vault).list()
    assert person.birth_year is None


def test_it_fits_a_small_laptop_and_every_control_is_named(
    qtbot: QtBot, vault: VaultSession
) -> None:
    dialog = open_dialog(qtbot, vault)
    assert dialog.width() <= 1366 and dialog.height() <= 768
    (scroll,) = dialog.findChildren(QScrollArea)
    assert scroll.verticalScrollBar().maximum() == 0  # all of it shows at once
    focusable = focusable_widgets(dialog)
    for widget in focusable:
        assert widget.accessibleName() or getattr(widget, "text", lambda: "")(), widget
    assert dialog.pseudonym in focusable and dialog.birth_year in focusable
    assert dialog.notes in focusable and dialog.ok_button in focusable

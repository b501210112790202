"""Starting a visit from its dialog, checked through VisitService."""

from __future__ import annotations

import datetime

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from storycapture.domain.authorship import Author
from storycapture.domain.vocabulary import PlaceType
from storycapture.gui.visit import VisitDialog
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from tests.conftest import FACILITATOR
from tests.gui.test_consent_dialog import focusable_widgets


def open_dialog(qtbot: QtBot, vault: VaultSession, person: str, **options: str) -> VisitDialog:
    dialog = VisitDialog(VisitService(vault), person, "Juniper", FACILITATOR, **options)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_a_visit_is_started_with_what_was_filled_in(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    dialog = open_dialog(qtbot, vault, storyteller_uuid, facilitator_name="Priya Shah")
    assert dialog.visit_day() == datetime.date.today()
    assert dialog.chosen_place() is PlaceType.HOME
    assert dialog.present.text() == "Juniper, Priya Shah"

    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    dialog.visit_date.setDate(yesterday)
    qtbot.mouseClick(dialog.place_buttons[PlaceType.COMMUNITY_SPACE], Qt.MouseButton.LeftButton)
    QTest.keyClicks(dialog.present, " and Juniper's sister")
    dialog.notes.setFocus()
    QTest.keyClicks(dialog.notes, "We met at the library cafe.")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.problem.text()
    (visit,) = VisitService(vault).list(storyteller_uuid)
    assert dialog.started_visit == visit
    assert visit.visit_date == yesterday
    assert visit.place_type is PlaceType.COMMUNITY_SPACE
    assert visit.present == "Juniper, Priya Shah and Juniper's sister"
    assert visit.notes == "We met at the library cafe."
    assert visit.meta.author == FACILITATOR


def test_who_is_here_starts_from_the_author_when_no_name_is_given(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    assert open_dialog(qtbot, vault, storyteller_uuid).present.text() == "Juniper, Priya"
    unnamed = VisitDialog(VisitService(vault), storyteller_uuid, "Juniper", Author.facilitator(""))
    qtbot.addWidget(unnamed)
    assert unnamed.present.text() == "Juniper"


def test_an_error_is_shown_in_the_dialog_and_nothing_typed_is_lost(
    qtbot: QtBot, vault: VaultSession
) -> None:
    person = StorytellerService(vault).add("Juniper", author=FACILITATOR).uuid  # no consent yet
    dialog = open_dialog(qtbot, vault, person)
    dialog.place_buttons[PlaceType.ONLINE].click()
    dialog.notes.setPlainText("A video call.")
    dialog.ok_button.click()

    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.problem.isVisible()
    assert "record their consent first" in dialog.problem.text()
    assert dialog.started_visit is None
    assert dialog.chosen_place() is PlaceType.ONLINE
    assert dialog.notes.toPlainText() == "A video call."
    assert VisitService(vault).list(person) == []


def test_a_visit_cannot_be_dated_in_the_future(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    dialog = open_dialog(qtbot, vault, storyteller_uuid)
    dialog.visit_date.setDate(datetime.date.today() + datetime.timedelta(days=10))
    assert dialog.visit_day() == datetime.date.today()


def test_every_control_has_an_accessible_name(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    dialog = open_dialog(qtbot, vault, storyteller_uuid)
    focusable = focusable_widgets(dialog)
    assert dialog.notes in focusable and dialog.ok_button in focusable
    for widget in focusable:
        assert widget.accessibleName(), f"{type(widget).__name__} has no accessible name"
    assert {b.accessibleName() for b in dialog.place_buttons.values()} == {
        place.label for place in PlaceType
    }

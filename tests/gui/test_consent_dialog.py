"""Recording consent on screen (with a drawn signature), its history, and withdrawal's two steps.

Every check goes back through ConsentService: what the dialog recorded is what the vault holds.
"""

from __future__ import annotations

import datetime

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QInputDevice, QPointingDevice, QTabletEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QWidget
from pytestqt.qtbot import QtBot

from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.gui.consent import (
    PNG_MAGIC,
    ConsentDialog,
    ConsentHistoryView,
    SignaturePad,
    WithdrawalDialog,
    confirm_withdrawal,
)
from storycapture.services.consent import ConsentService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from tests.conftest import FACILITATOR


@pytest.fixture
def newcomer(vault: VaultSession) -> str:
    """A storyteller with no consent recorded yet."""
    return StorytellerService(vault).add("Marigold", author=FACILITATOR).uuid


def open_dialog(qtbot: QtBot, vault: VaultSession, person: str, name: str) -> ConsentDialog:
    dialog = ConsentDialog(ConsentService(vault), person, name, "Priya", FACILITATOR)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def draw_signature(pad: SignaturePad) -> None:
    """Two strokes with the mouse: a wave, then a short tick."""
    height = pad.height()
    wave = [QPoint(20 + x * 6, height // 2 + (12 if x % 2 else -12)) for x in range(25)]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, wave[0])
    for point in wave[1:]:
        QTest.mouseMove(pad, point)
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, wave[-1])
    tick = [QPoint(200, 40), QPoint(210, 55), QPoint(230, 25)]
    QTest.mousePress(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, tick[0])
    for point in tick[1:]:
        QTest.mouseMove(pad, point)
    QTest.mouseRelease(pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, tick[-1])


def test_consent_is_recorded_with_a_signature_drawn_on_screen(
    qtbot: QtBot, vault: VaultSession, newcomer: str
) -> None:
    dialog = open_dialog(qtbot, vault, newcomer, "Marigold")
    assert not any(box.isChecked() for box in dialog.item_boxes.values())
    assert dialog.how_buttons[ConsentHow.SIGNED_ON_SCREEN].isChecked()
    assert dialog.facilitator.text() == "Priya"
    assert dialog.given_on_date() == datetime.date.today()

    for item in (ConsentItem.TAKE_PART, ConsentItem.PHOTOS, ConsentItem.SHARE_WITH_TEAM):
        qtbot.mouseClick(dialog.item_boxes[item], Qt.MouseButton.LeftButton)
    last_week = datetime.date.today() - datetime.timedelta(days=7)
    dialog.given_on.setDate(last_week)
    draw_signature(dialog.signature_pad)
    assert dialog.signature_pad.stroke_count() == 2
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.problem.text()
    current = ConsentService(vault).current(newcomer)
    assert current is not None
    assert dialog.recorded_consent == current
    assert current.agreed() == [
        ConsentItem.TAKE_PART,
        ConsentItem.PHOTOS,
        ConsentItem.SHARE_WITH_TEAM,
    ]
    assert current.how is ConsentHow.SIGNED_ON_SCREEN
    assert current.given_on == last_week
    assert current.facilitator == "Priya"
    assert current.signature is not None and current.signature.startswith(PNG_MAGIC)
    assert dialog.signature_pad.is_empty()  # once recorded, the strokes are not kept


def test_the_form_starts_from_the_current_consent_and_history_keeps_both_versions(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    dialog = open_dialog(qtbot, vault, storyteller_uuid, "Juniper")
    assert all(box.isChecked() for box in dialog.item_boxes.values())
    assert dialog.how_buttons[ConsentHow.VERBAL].isChecked()
    assert not dialog.signature_pad.isVisible()  # only when signing on screen

    dialog.item_boxes[ConsentItem.AUDIO].click()
    dialog.item_boxes[ConsentItem.SHARE_QUOTES_WITH_PARTNERS].click()
    dialog.how_buttons[ConsentHow.SIGNED_ON_SCREEN].click()
    assert dialog.signature_pad.isVisible()
    draw_signature(dialog.signature_pad)
    dialog.ok_button.click()

    history = ConsentService(vault).history(storyteller_uuid)
    assert [record.version for record in history] == [1, 2]
    assert history[0].how is ConsentHow.VERBAL and history[0].signature is None
    assert history[1].agreed() == [
        ConsentItem.TAKE_PART,
        ConsentItem.PHOTOS,
        ConsentItem.SHARE_WITH_TEAM,
    ]

    view = ConsentHistoryView()
    qtbot.addWidget(view)
    view.show_history(history)
    assert view.versions.count() == 2
    newest, oldest = view.versions.item(0), view.versions.item(1)
    assert newest.text().startswith("Version 2")
    assert "Signed on screen, with Priya" in newest.text()
    assert "taking part, photos, sharing with the programme team" in newest.text()
    assert oldest.text().startswith("Version 1") and "Said out loud" in oldest.text()
    thumbnail = newest.icon().pixmap(view.versions.iconSize()).toImage()
    assert any(  # some ink is drawn in the thumbnail of the signed version
        thumbnail.pixelColor(x, y).lightness() < 100
        for x in range(thumbnail.width())
        for y in range(thumbnail.height())
    )
    spoken = newest.data(Qt.ItemDataRole.AccessibleTextRole)
    assert "drawn signature" in spoken

    view.clear()
    assert view.versions.count() == 0
    assert not view.empty.isHidden()


def test_signing_on_screen_needs_a_signature(
    qtbot: QtBot, vault: VaultSession, newcomer: str
) -> None:
    dialog = open_dialog(qtbot, vault, newcomer, "Marigold")
    dialog.item_boxes[ConsentItem.TAKE_PART].click()
    dialog.facilitator.setText("Priya Shah")
    dialog.ok_button.click()

    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.problem.isVisible()
    assert "sign in the box" in dialog.problem.text()
    assert ConsentService(vault).current(newcomer) is None
    assert dialog.chosen_items() == [ConsentItem.TAKE_PART]  # nothing typed is lost
    assert dialog.facilitator.text() == "Priya Shah"

    draw_signature(dialog.signature_pad)
    dialog.ok_button.click()
    current = ConsentService(vault).current(newcomer)
    assert current is not None and current.facilitator == "Priya Shah"


def test_an_error_from_the_service_is_shown_in_the_dialog_and_nothing_is_lost(
    qtbot: QtBot, vault: VaultSession, newcomer: str
) -> None:
    dialog = open_dialog(qtbot, vault, newcomer, "Marigold")
    dialog.item_boxes[ConsentItem.PHOTOS].click()  # photos, without taking part
    dialog.how_buttons[ConsentHow.PAPER_FORM].click()
    dialog.facilitator.setText("Sam")
    dialog.ok_button.click()

    assert dialog.problem.isVisible()
    assert "Marigold needs to agree to take part" in dialog.problem.text()
    assert dialog.recorded_consent is None
    assert dialog.chosen_items() == [ConsentItem.PHOTOS]
    assert dialog.chosen_how() is ConsentHow.PAPER_FORM
    assert dialog.facilitator.text() == "Sam"

    dialog.facilitator.clear()
    dialog.item_boxes[ConsentItem.TAKE_PART].click()
    dialog.ok_button.click()
    assert "facilitator" in dialog.problem.text().lower()
    assert ConsentService(vault).current(newcomer) is None

    dialog.facilitator.setText("Sam")
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    current = ConsentService(vault).current(newcomer)
    assert current is not None and current.how is ConsentHow.PAPER_FORM
    assert current.signature is None


def test_consent_to_nothing_is_not_recorded_and_the_dialog_says_why(
    qtbot: QtBot, vault: VaultSession, newcomer: str
) -> None:
    dialog = open_dialog(qtbot, vault, newcomer, "Marigold")
    dialog.how_buttons[ConsentHow.VERBAL].click()
    dialog.ok_button.click()  # nothing ticked

    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.problem.isVisible()
    assert dialog.problem.text() == (
        "Marigold needs to agree to take part before consent can be recorded: everything "
        "else builds on it. If they would rather not take part, press Cancel and nothing "
        "is recorded."
    )
    assert dialog.focusWidget() is dialog.item_boxes[ConsentItem.TAKE_PART]
    assert dialog.recorded_consent is None
    assert ConsentService(vault).current(newcomer) is None

    # Something else without taking part is not enough either.
    dialog.item_boxes[ConsentItem.AUDIO].click()
    dialog.ok_button.click()
    assert ConsentService(vault).current(newcomer) is None
    assert dialog.chosen_items() == [ConsentItem.AUDIO]  # nothing chosen is lost

    dialog.item_boxes[ConsentItem.TAKE_PART].click()
    dialog.ok_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    current = ConsentService(vault).current(newcomer)
    assert current is not None and current.agreed() == [ConsentItem.TAKE_PART, ConsentItem.AUDIO]


def test_touching_an_explanation_ticks_its_box(
    qtbot: QtBot, vault: VaultSession, newcomer: str
) -> None:
    dialog = open_dialog(qtbot, vault, newcomer, "Marigold")
    box = dialog.item_boxes[ConsentItem.AUDIO]
    explanation = box.parentWidget().findChildren(type(dialog.problem))
    (sentence,) = [label for label in explanation if label.buddy() is box]
    assert "recorded as sound" in sentence.text() and "Marigold" in sentence.text()
    qtbot.mouseClick(sentence, Qt.MouseButton.LeftButton)
    assert box.isChecked()


def test_the_date_cannot_be_in_the_future(qtbot: QtBot, vault: VaultSession, newcomer: str) -> None:
    dialog = open_dialog(qtbot, vault, newcomer, "Marigold")
    today = datetime.date.today()
    dialog.given_on.setDate(today + datetime.timedelta(days=3))
    assert dialog.given_on_date() == today


def test_the_pad_only_takes_a_signature_when_signing_on_screen(
    qtbot: QtBot, vault: VaultSession, newcomer: str
) -> None:
    dialog = open_dialog(qtbot, vault, newcomer, "Marigold")
    for how in (ConsentHow.VERBAL, ConsentHow.PAPER_FORM):
        dialog.how_buttons[how].click()
        assert not dialog.signature_pad.isVisible()
        assert not dialog.signature_pad.isEnabled()
    dialog.how_buttons[ConsentHow.SIGNED_ON_SCREEN].click()
    assert dialog.signature_pad.isVisible() and dialog.signature_pad.isEnabled()
    draw_signature(dialog.signature_pad)
    qtbot.mouseClick(dialog.clear_signature_button, Qt.MouseButton.LeftButton)
    assert dialog.signature_pad.is_empty()


def test_the_signature_pad_draws_with_mouse_touch_and_pen(qtbot: QtBot) -> None:
    pad = SignaturePad()
    qtbot.addWidget(pad)
    pad.resize(400, 160)
    pad.show()
    qtbot.waitExposed(pad)
    assert pad.accessibleName() == "Signature"
    assert pad.is_empty()
    with pytest.raises(ValueError):
        pad.to_png()

    draw_signature(pad)
    assert pad.stroke_count() == 2

    touchscreen = QTest.createTouchDevice()
    QTest.touchEvent(pad, touchscreen).press(0, QPoint(30, 100)).commit()
    QTest.touchEvent(pad, touchscreen).move(0, QPoint(80, 60)).commit()
    QTest.touchEvent(pad, touchscreen).move(0, QPoint(140, 110)).commit()
    QTest.touchEvent(pad, touchscreen).release(0, QPoint(160, 90)).commit()
    assert pad.stroke_count() == 3

    pen = QPointingDevice(
        "test pen",
        1,
        QInputDevice.DeviceType.Stylus,
        QPointingDevice.PointerType.Pen,
        QInputDevice.Capability.Position | QInputDevice.Capability.Pressure,
        1,
        3,
    )
    for kind, point, buttons in (
        (QTabletEvent.Type.TabletPress, QPointF(200, 120), Qt.MouseButton.LeftButton),
        (QTabletEvent.Type.TabletMove, QPointF(240, 80), Qt.MouseButton.LeftButton),
        (QTabletEvent.Type.TabletMove, QPointF(290, 120), Qt.MouseButton.LeftButton),
        (QTabletEvent.Type.TabletRelease, QPointF(320, 70), Qt.MouseButton.NoButton),
    ):
        event = QTabletEvent(
            kind,
            pen,
            point,
            pad.mapToGlobal(point),
            0.6,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            Qt.KeyboardModifier.NoModifier,
            Qt.MouseButton.LeftButton,
            buttons,
        )
        QApplication.sendEvent(pad, event)
    assert pad.stroke_count() == 4

    png = pad.to_png()
    assert png.startswith(PNG_MAGIC)
    pad.setFocus()
    QTest.keyClick(pad, Qt.Key.Key_Delete)
    assert pad.is_empty()


def test_withdrawal_asks_twice_and_needs_the_name_typed(qtbot: QtBot) -> None:
    dialog = WithdrawalDialog("Marigold")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)

    assert dialog.step == 1
    assert dialog.warning.text() == (
        "Everything Marigold has shared on this laptop — their timeline, strengths, words, "
        "photos and consent — will be erased for good. It cannot be undone. When the laptop "
        "next syncs, the programme team's copy will be erased too."
    )
    assert dialog.keep_button.isDefault()  # Enter never erases
    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)

    assert dialog.step == 2
    assert not dialog.erase_button.isEnabled()
    QTest.keyClicks(dialog.confirm_name, "Marigol")
    assert not dialog.erase_button.isEnabled() and not dialog.is_confirmed
    QTest.keyClick(dialog.confirm_name, Qt.Key.Key_Return)
    assert dialog.isVisible()  # Enter in the name field does not erase either
    QTest.keyClicks(dialog.confirm_name, "d ")
    assert dialog.erase_button.isEnabled() and dialog.is_confirmed
    qtbot.mouseClick(dialog.erase_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == QDialog.DialogCode.Accepted


def test_withdrawal_can_be_stopped_at_either_step(qtbot: QtBot) -> None:
    first = WithdrawalDialog("Marigold")
    qtbot.addWidget(first)
    first.show()
    qtbot.mouseClick(first.keep_button, Qt.MouseButton.LeftButton)
    assert first.result() == QDialog.DialogCode.Rejected and not first.is_confirmed

    second = WithdrawalDialog("Marigold")
    qtbot.addWidget(second)
    second.show()
    second.go_to_confirmation()
    QTest.keyClicks(second.confirm_name, "Marigold")
    qtbot.mouseClick(second.back_button, Qt.MouseButton.LeftButton)
    assert second.result() == QDialog.DialogCode.Rejected


def _drive_withdrawal(name: str, finish: str) -> None:
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, WithdrawalDialog)
    dialog.continue_button.click()
    QTest.keyClicks(dialog.confirm_name, name)
    (dialog.erase_button if finish == "erase" else dialog.back_button).click()


def test_confirm_withdrawal_then_the_service_erases(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    QTimer.singleShot(0, lambda: _drive_withdrawal("Juniper", "keep"))
    assert confirm_withdrawal(parent, "Juniper") is False
    assert StorytellerService(vault).list()

    QTimer.singleShot(0, lambda: _drive_withdrawal("juniper", "erase"))
    assert confirm_withdrawal(parent, "Juniper") is True
    ConsentService(vault).withdraw(storyteller_uuid, author=FACILITATOR)
    assert StorytellerService(vault).list() == []


def test_every_control_has_an_accessible_name_and_is_in_the_tab_order(
    qtbot: QtBot, vault: VaultSession, newcomer: str
) -> None:
    dialog = open_dialog(qtbot, vault, newcomer, "Marigold")
    withdrawal = WithdrawalDialog("Marigold")
    qtbot.addWidget(withdrawal)
    withdrawal.show()
    for window in (dialog, withdrawal):
        focusable = focusable_widgets(window)
        assert focusable
        for widget in focusable:
            assert widget.accessibleName(), f"{type(widget).__name__} has no accessible name"
        in_chain: set[QWidget] = set()
        widget = window.nextInFocusChain()
        while widget is not window and widget not in in_chain:
            in_chain.add(widget)
            widget = widget.nextInFocusChain()
        assert set(focusable) <= in_chain


def focusable_widgets(window: QWidget) -> list[QWidget]:
    """Widgets a keyboard user can Tab to (the inner line edits of fields are their parts)."""
    found = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or not widget.isEnabled():
            continue
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if widget.focusProxy() is not None or type(widget.parentWidget()).__name__ in (
            "QDateEdit",
            "QSpinBox",
            "QComboBox",
        ):
            continue
        found.append(widget)
    return found

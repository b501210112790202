"""Cards moved with a finger, with real touch events, in storyteller mode's large type: a drag
takes a card to another zone or another place in its zone, in one undo step; a tap only chooses;
a drag let go away from the zones, or cancelled by the system, changes nothing. What changed is
checked through the service."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QPointingDevice, QTouchEvent, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from storycapture.domain.vocabulary import CardKind
from storycapture.qtkit.context import EditingContext
from storycapture.services.vault import VaultSession
from storycapture.strengths.deck import PromptDeck
from storycapture.strengths.qt.tool import StrengthsTool
from storycapture.strengths.service import StrengthService
from tests.conftest import FACILITATOR

S, T, H = CardKind.STRENGTH, CardKind.TALENT, CardKind.HOPE
WORDS = ["I never give up", "I am kind", "I listen", "Gardening"]


@pytest.fixture
def service(vault: VaultSession) -> StrengthService:
    return StrengthService(vault)


@pytest.fixture
def tool(qtbot: QtBot, service: StrengthService, storyteller_uuid: str) -> StrengthsTool:
    for kind, words in zip([S, S, S, T], WORDS, strict=True):
        service.add_card(storyteller_uuid, kind=kind, text=words, author=FACILITATOR)
    context = EditingContext(QUndoStack(), lambda: FACILITATOR, lambda: None)
    widget = StrengthsTool(service, context, PromptDeck.load())
    widget.set_large(True)
    widget.show_storyteller(storyteller_uuid)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


class Finger:
    """One finger on the tool. Points are given to the window (top-level), mapped from the
    widget they are on, so they mean the same whichever overload PySide picks."""

    def __init__(self, tool: StrengthsTool) -> None:
        self.window = tool.window()
        self.screen: QPointingDevice = QTest.createTouchDevice(
            QPointingDevice.DeviceType.TouchScreen,
            QPointingDevice.Capability.Position | QPointingDevice.Capability.Area,
        )

    def touch(self, what: str, widget: QWidget, point: QPoint) -> None:
        sequence = QTest.touchEvent(self.window, self.screen)
        getattr(sequence, what)(0, widget.mapTo(self.window, point))
        sequence.commit()

    def drag(self, source: QWidget, start: QPoint, target: QWidget, end: QPoint) -> None:
        self.touch("press", source, start)
        self.touch("move", source, start + QPoint(8, 24))
        self.touch("move", target, end)
        self.touch("release", target, end)


def layout(service: StrengthService, storyteller: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for card in service.cards(storyteller):
        out.setdefault(card.kind.value, []).append(card.text)
    return out


def card_point(tool: StrengthsTool, kind: CardKind, row: int) -> QPoint:
    view = tool.zone_view(kind)
    return view.visualRect(view.zone_model.index(row)).center()


def undo_steps(tool: StrengthsTool) -> int:
    return tool._context.undo_stack.count()


def no_drag_left(tool: StrengthsTool) -> bool:
    ghosts = [w for w in tool.findChildren(QLabel, "dragGhost") if w.isVisible()]
    return not tool.drag.dragging and not ghosts


def test_a_finger_drag_moves_a_card_to_another_zone(
    tool: StrengthsTool, service: StrengthService, storyteller_uuid: str
) -> None:
    source = tool.zone_view(S).viewport()
    target = tool.zone_view(H).viewport()
    Finger(tool).drag(source, card_point(tool, S, 1), target, QPoint(40, 20))
    assert layout(service, storyteller_uuid) == {
        "strength": ["I never give up", "I listen"],
        "talent": ["Gardening"],
        "hope": ["I am kind"],
    }
    assert undo_steps(tool) == 1
    assert no_drag_left(tool)


def test_a_finger_drag_within_a_zone_puts_the_card_in_another_place(
    tool: StrengthsTool, service: StrengthService, storyteller_uuid: str
) -> None:
    view = tool.zone_view(S).viewport()
    below_last = card_point(tool, S, 2) + QPoint(0, 40)
    Finger(tool).drag(view, card_point(tool, S, 0), view, below_last)
    assert layout(service, storyteller_uuid)["strength"] == [
        "I am kind",
        "I listen",
        "I never give up",
    ]
    assert undo_steps(tool) == 1


def test_a_finger_tap_chooses_a_card_and_moves_nothing(
    tool: StrengthsTool, service: StrengthService, storyteller_uuid: str
) -> None:
    before = layout(service, storyteller_uuid)
    finger = Finger(tool)
    view = tool.zone_view(S).viewport()
    at = card_point(tool, S, 2)
    finger.touch("press", view, at)
    finger.touch("move", view, at + QPoint(2, 1))  # a finger is never quite still
    finger.touch("release", view, at + QPoint(2, 1))
    assert tool.chosen_card() == service.cards(storyteller_uuid)[2].uuid
    assert layout(service, storyteller_uuid) == before
    assert undo_steps(tool) == 0
    assert no_drag_left(tool)


def test_a_finger_let_go_away_from_the_zones_changes_nothing(
    tool: StrengthsTool, service: StrengthService, storyteller_uuid: str
) -> None:
    before = layout(service, storyteller_uuid)
    view = tool.zone_view(S).viewport()
    away = tool.deck_panel
    Finger(tool).drag(view, card_point(tool, S, 0), away, QPoint(20, 20))
    assert layout(service, storyteller_uuid) == before
    assert undo_steps(tool) == 0
    assert no_drag_left(tool)


def test_a_drag_cancelled_by_the_system_changes_nothing(
    tool: StrengthsTool, service: StrengthService, storyteller_uuid: str
) -> None:
    before = layout(service, storyteller_uuid)
    finger = Finger(tool)
    source = tool.zone_view(S).viewport()
    start = card_point(tool, S, 0)
    finger.touch("press", source, start)
    finger.touch("move", source, start + QPoint(8, 40))
    assert tool.drag.dragging
    cancel = QTouchEvent(QEvent.Type.TouchCancel, finger.screen, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(source, cancel)
    assert no_drag_left(tool)
    assert layout(service, storyteller_uuid) == before
    assert undo_steps(tool) == 0

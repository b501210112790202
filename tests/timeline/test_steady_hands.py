"""Steady hands in storyteller mode (``set_large``): a moment moves only after a hold and a longer
way, and a double click or double tap on the picture adds nothing (the button adds). The time of
each press is read from a clock the test sets: nothing here waits."""

from __future__ import annotations

import datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from storycapture.qtkit.context import EditingContext
from storycapture.services.media import PhotoService
from storycapture.services.vault import VaultSession
from storycapture.timeline.layout import DAYS_PER_YEAR
from storycapture.timeline.qt.panel import HINT_BUTTON_ONLY
from storycapture.timeline.qt.tool import NEW_TITLE, TimelineTool
from storycapture.timeline.qt.view import STEADY_DRAG_PX, STEADY_HOLD_MS
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR
from tests.timeline.test_tool import TODAY, add, mark_point, on_screen, open_story, stack
from tests.timeline.test_touch import Fingers


@pytest.fixture
def service(vault: VaultSession) -> TimelineService:
    return TimelineService(vault)


@pytest.fixture
def tool(qtbot: QtBot, vault: VaultSession, service: TimelineService) -> TimelineTool:
    context = EditingContext(QUndoStack(), lambda: FACILITATOR, lambda: None)
    widget = TimelineTool(service, PhotoService(vault), context, today=lambda: TODAY)
    qtbot.addWidget(widget)
    widget.resize(1300, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


class Clock:
    def __init__(self) -> None:
        self.ms = 1000.0

    def __call__(self) -> float:
        return self.ms


def _steady(tool: TimelineTool) -> Clock:
    clock = Clock()
    tool.view.set_clock(clock)
    tool.set_large(True)
    return clock


def _press(tool: TimelineTool, at: QPoint) -> None:
    QTest.mousePress(
        tool.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at
    )


def _move(tool: TimelineTool, to: QPoint) -> None:
    QTest.mouseMove(tool.view.viewport(), to)


def _release(tool: TimelineTool, at: QPoint) -> None:
    QTest.mouseRelease(
        tool.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at
    )


def _years_px(tool: TimelineTool, years: float) -> int:
    return round(years * DAYS_PER_YEAR * tool.scene.scale.px_per_day)


def test_a_shake_or_a_slip_moves_no_moment(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    moment = add(service, storyteller_uuid, "Moved to Leeds", "1995", valence=0)
    add(service, storyteller_uuid, "Started college", "2012", valence=1)
    open_story(tool, storyteller_uuid)
    clock = _steady(tool)
    start = mark_point(tool, moment.uuid)
    assert tool.view.drag_distance() >= STEADY_DRAG_PX

    # A tremor, held long: it goes further than a usual drag starts, but not far enough.
    _press(tool, start)
    clock.ms += 2 * STEADY_HOLD_MS
    shake = STEADY_DRAG_PX * 3 // 4  # 24 px: more than the platform's usual 10
    for dx, dy in ((shake, 0), (0, shake), (-shake, 0), (shake // 2, shake // 2)):
        _move(tool, start + QPoint(dx, dy))
    _release(tool, start + QPoint(shake // 2, shake // 2))
    assert service.get_event(moment.uuid) == moment
    assert stack(tool).count() == 0

    # A slip: far, but at once (not held): nothing moves either.
    _press(tool, start)
    clock.ms += STEADY_HOLD_MS / 4
    far = start + QPoint(_years_px(tool, 4), 0)
    _move(tool, far)
    _release(tool, far)
    assert service.get_event(moment.uuid) == moment
    assert stack(tool).count() == 0


def test_a_held_drag_moves_a_moment_in_one_undo_step(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    moment = add(service, storyteller_uuid, "Moved to Leeds", "1995", valence=0)
    add(service, storyteller_uuid, "Started college", "2012", valence=1)
    open_story(tool, storyteller_uuid)
    clock = _steady(tool)
    start = mark_point(tool, moment.uuid)
    _press(tool, start)
    clock.ms += STEADY_HOLD_MS
    end = start + QPoint(_years_px(tool, 3.2), 0)
    _move(tool, start + (end - start) / 2)
    _move(tool, end)
    _release(tool, end)
    assert service.get_event(moment.uuid).starts != moment.starts
    assert stack(tool).count() == 1
    assert stack(tool).undoText() == "Move “Moved to Leeds”"
    stack(tool).undo()
    assert service.get_event(moment.uuid).starts == moment.starts


def test_the_facilitators_picture_keeps_its_quick_drag(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    moment = add(service, storyteller_uuid, "Moved to Leeds", "1995", valence=0)
    add(service, storyteller_uuid, "Started college", "2012", valence=1)
    open_story(tool, storyteller_uuid)
    assert not tool.view.is_steady() and tool.view.drag_hold_ms() == 0
    start = mark_point(tool, moment.uuid)
    _press(tool, start)
    end = start + QPoint(_years_px(tool, 3.2), 0)
    _move(tool, end)
    _release(tool, end)
    assert service.get_event(moment.uuid).starts != moment.starts


def _empty_point(tool: TimelineTool) -> QPoint:
    layout = tool.scene.layout
    x = layout.scale.x_of_day(datetime.date(2003, 7, 1).toordinal())
    return on_screen(tool, x, layout.bands.line_of_valence(2) + 4)


def test_a_double_click_or_double_tap_on_the_picture_adds_nothing(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    add(service, storyteller_uuid, "Left school", "1996", valence=-1)
    open_story(tool, storyteller_uuid)
    _steady(tool)
    before = service.events(storyteller_uuid)
    spot = _empty_point(tool)
    QTest.mouseDClick(
        tool.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, spot
    )
    fingers = Fingers(tool)
    fingers.tap(spot)
    fingers.tap(spot)  # two quick taps
    assert service.events(storyteller_uuid) == before
    assert stack(tool).count() == 0
    # The way to add is the button, and the hint and its tip say only that.
    assert "double" not in tool.add_button.toolTip()
    assert tool.panel.hint.text() == HINT_BUTTON_ONLY
    QTest.mouseClick(tool.add_button, Qt.MouseButton.LeftButton)
    added = [e for e in service.events(storyteller_uuid) if e.title == NEW_TITLE]
    assert len(added) == 1 and added[0].starts is None and added[0].valence is None


def test_a_double_click_on_a_moment_still_opens_it(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    moment = add(service, storyteller_uuid, "Left school", "1996", valence=-1)
    open_story(tool, storyteller_uuid)
    _steady(tool)
    QTest.mouseDClick(
        tool.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        mark_point(tool, moment.uuid),
    )
    assert tool.panel.isVisible() and tool.panel.shown_event is not None
    assert tool.panel.shown_event.uuid == moment.uuid

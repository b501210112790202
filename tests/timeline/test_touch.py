"""The timeline on a touch screen, driven with real touch events: two fingers pinch to zoom,
one finger on the background pans, one finger on a moment moves it, and nothing a finger does
to look around changes the story (checked through the service and the undo stack)."""

from __future__ import annotations

import math

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QPointingDevice, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storycapture.domain.fuzzydate import FuzzyDate
from storycapture.qtkit.context import EditingContext
from storycapture.services.media import PhotoService
from storycapture.services.vault import VaultSession
from storycapture.timeline.layout import DAYS_PER_YEAR
from storycapture.timeline.qt.tool import TimelineTool
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR
from tests.timeline.test_tool import add, mark_point, open_story, stack

Step = tuple[str, int, QPoint]  # "press", "move" or "release"; which finger; where


class Fingers:
    """Touches on the timeline picture. The points are the picture's own (its viewport's); they
    are given to the window (top-level), so they mean the same whichever overload PySide picks."""

    def __init__(self, tool: TimelineTool) -> None:
        self.window = tool.window()
        self.viewport = tool.view.viewport()
        self.screen: QPointingDevice = QTest.createTouchDevice(
            QPointingDevice.DeviceType.TouchScreen,
            QPointingDevice.Capability.Position | QPointingDevice.Capability.Area,
        )

    def touch(self, *steps: Step) -> None:
        """One touch event: every finger on the screen, each pressed, moved or lifted."""
        sequence = QTest.touchEvent(self.window, self.screen)
        for what, finger, point in steps:
            getattr(sequence, what)(finger, self.viewport.mapTo(self.window, point))
        sequence.commit()

    def drag(self, start: QPoint, end: QPoint, steps: int = 6) -> None:
        self.touch(("press", 0, start))
        for step in range(1, steps + 1):
            self.touch(("move", 0, start + (end - start) * step / steps))
        self.touch(("release", 0, end))

    def tap(self, at: QPoint) -> None:
        self.touch(("press", 0, at))
        self.touch(("release", 0, at))

    def pinch(self, centre: QPoint, from_gap: int, to_gap: int, steps: int = 6) -> None:
        """Two fingers either side of ``centre``, ``from_gap`` px apart, spread or drawn together
        until ``to_gap`` px apart."""

        def at(gap: float) -> tuple[QPoint, QPoint]:
            half = QPoint(round(gap / 2), 0)
            return centre - half, centre + half

        left, right = at(from_gap)
        self.touch(("press", 0, left), ("press", 1, right))
        for step in range(1, steps + 1):
            left, right = at(from_gap + (to_gap - from_gap) * step / steps)
            self.touch(("move", 0, left), ("move", 1, right))
        self.touch(("release", 0, left), ("release", 1, right))


@pytest.fixture
def service(vault: VaultSession) -> TimelineService:
    return TimelineService(vault)


@pytest.fixture
def tool(qtbot: QtBot, vault: VaultSession, service: TimelineService) -> TimelineTool:
    context = EditingContext(QUndoStack(), lambda: FACILITATOR, lambda: None)
    widget = TimelineTool(service, PhotoService(vault), context)
    qtbot.addWidget(widget)
    widget.resize(1300, 760)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def story(tool: TimelineTool, service: TimelineService, storyteller_uuid: str) -> list[str]:
    made = [
        add(service, storyteller_uuid, "Born", "1980", valence=0).uuid,
        add(service, storyteller_uuid, "Moved to Leeds", "1995", valence=1).uuid,
        add(service, storyteller_uuid, "Started college", "2012", valence=-1).uuid,
    ]
    open_story(tool, storyteller_uuid)
    return made


def snapshot(service: TimelineService, storyteller: str) -> list[tuple[str, str, object, object]]:
    """The story as the service has it: every moment, its date and its place."""
    return sorted(
        (e.uuid, e.title, e.starts, (e.valence, e.life_area)) for e in service.events(storyteller)
    )


def visible_days(tool: TimelineTool) -> float:
    return tool.view.viewport().width() / tool.scene.scale.px_per_day


def empty_spot(tool: TimelineTool) -> QPoint:
    """The point nearest the middle of the picture with no moment under it or beside it."""
    viewport = tool.view.viewport()
    middle = viewport.rect().center()
    candidates = [
        QPoint(x, y)
        for y in range(40, viewport.height() - 40, 17)
        for x in range(200, viewport.width() - 200, 23)
    ]
    candidates.sort(key=lambda point: (point - middle).manhattanLength())
    for point in candidates:
        if all(
            tool.scene.story_item_at(tool.view.mapToScene(point + QPoint(dx, 0))) is None
            for dx in (-60, 0, 60)
        ):
            return point
    raise AssertionError("no empty place on the picture")


def test_spreading_two_fingers_zooms_in_and_pinching_them_zooms_out(
    tool: TimelineTool,
    service: TimelineService,
    storyteller_uuid: str,
    story: list[str],
) -> None:
    before = snapshot(service, storyteller_uuid)
    fingers = Fingers(tool)
    centre = empty_spot(tool)
    fitted = tool.scene.scale.px_per_day
    days = visible_days(tool)
    day_at_centre = tool.scene.scale.day_at(tool.view.mapToScene(centre).x())

    fingers.pinch(centre, 100, 300)
    spread = tool.scene.scale.px_per_day
    assert spread == pytest.approx(fitted * 3, rel=0.1)  # fingers 3× apart: 3× closer
    assert visible_days(tool) < days / 2
    assert not tool.view.is_fitted()
    # The day between the fingers stays between them.
    day_after = tool.scene.scale.day_at(tool.view.mapToScene(centre).x())
    assert day_after == pytest.approx(day_at_centre, abs=4 / spread)

    fingers.pinch(centre, 300, 150)
    assert tool.scene.scale.px_per_day == pytest.approx(spread / 2, rel=0.1)
    assert visible_days(tool) > 1.5 * days / 3

    assert snapshot(service, storyteller_uuid) == before
    assert stack(tool).count() == 0


def test_a_pinch_beginning_on_a_moment_zooms_and_leaves_the_moment_where_it_was(
    tool: TimelineTool,
    service: TimelineService,
    storyteller_uuid: str,
    story: list[str],
) -> None:
    before = snapshot(service, storyteller_uuid)
    fingers = Fingers(tool)
    on_moment = mark_point(tool, story[1])
    fitted = tool.scene.scale.px_per_day
    # The first finger lands on the moment and slides a little before the second comes.
    fingers.touch(("press", 0, on_moment))
    fingers.touch(("move", 0, on_moment + QPoint(30, 20)))
    assert tool.view.drag_hint()  # the moment is being dragged (to a later year)
    fingers.touch(
        ("move", 0, on_moment + QPoint(30, 20)), ("press", 1, on_moment + QPoint(130, 20))
    )
    fingers.touch(
        ("move", 0, on_moment + QPoint(-20, 20)), ("move", 1, on_moment + QPoint(180, 20))
    )
    fingers.touch(
        ("release", 0, on_moment + QPoint(-20, 20)), ("release", 1, on_moment + QPoint(180, 20))
    )
    assert tool.scene.scale.px_per_day == pytest.approx(fitted * 2, rel=0.1)
    assert snapshot(service, storyteller_uuid) == before
    assert stack(tool).count() == 0
    assert tool.view.drag_hint() == ""  # the drag ended where the second finger came down


def test_one_finger_on_the_background_pans_and_changes_nothing(
    tool: TimelineTool,
    service: TimelineService,
    storyteller_uuid: str,
    story: list[str],
) -> None:
    before = snapshot(service, storyteller_uuid)
    tool.view.zoom_by(6.0)
    fingers = Fingers(tool)
    start = empty_spot(tool)
    bar = tool.view.horizontalScrollBar()
    value = bar.value()
    left_day = tool.scene.scale.day_at(tool.view.scroll_x())

    fingers.drag(start, start - QPoint(200, 0))  # the picture follows the finger to the left
    assert bar.value() == value + 200
    assert tool.scene.scale.day_at(tool.view.scroll_x()) > left_day  # later days come in sight

    fingers.drag(start, start + QPoint(120, 0))
    assert bar.value() == value + 80

    assert snapshot(service, storyteller_uuid) == before
    assert stack(tool).count() == 0
    assert tool.view.drag_hint() == ""


def test_one_finger_on_a_moment_moves_it_and_does_not_pan(
    tool: TimelineTool,
    service: TimelineService,
    storyteller_uuid: str,
    story: list[str],
) -> None:
    fingers = Fingers(tool)
    bar = tool.view.horizontalScrollBar()
    value = bar.value()
    start = mark_point(tool, story[1])
    years = 3.2 * DAYS_PER_YEAR * tool.scene.scale.px_per_day
    fingers.drag(start, start + QPoint(round(years), 0))
    assert bar.value() == value
    moved = service.get_event(story[1])
    assert moved.starts == FuzzyDate.in_year(1998)
    assert stack(tool).count() == 1


def test_a_tap_chooses_a_moment_and_a_double_tap_on_the_background_adds_one(
    qtbot: QtBot,
    tool: TimelineTool,
    service: TimelineService,
    storyteller_uuid: str,
    story: list[str],
) -> None:
    before = snapshot(service, storyteller_uuid)
    fingers = Fingers(tool)
    fingers.tap(mark_point(tool, story[2]))
    assert tool.scene.chosen == story[2]
    assert snapshot(service, storyteller_uuid) == before
    spot = empty_spot(tool)
    fingers.tap(spot)
    qtbot.wait(
        math.ceil(QApplication.styleHints().mouseDoubleClickInterval() * 1.5)
    )  # two taps, far apart in time
    fingers.tap(spot)
    assert snapshot(service, storyteller_uuid) == before
    with qtbot.waitSignal(tool.changed):
        fingers.tap(spot)  # the second of two quick taps
    assert len(service.events(storyteller_uuid)) == len(before) + 1
    assert stack(tool).count() == 1

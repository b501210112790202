"""The timeline on a touch screen, driven with real touch events: two fingers pinch to zoom,
one finger on the background pans, one finger on a moment moves it, and nothing a finger does
to look around changes the story (checked through the service and the undo stack)."""

from __future__ import annotations

import datetime
import math

import pytest
from PySide6.QtCore import QPoint, QPointF
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
from tests.timeline.test_tool import TODAY, add, mark_point, open_story, stack

Step = tuple[str, int, QPoint]  # "press", "move" or "release"; which finger; where


class Fingers:
    """Touches on the timeline picture, at points of the picture's own (its viewport's). Each
    point is given with the viewport it belongs to: given alone, PySide takes the overload that
    reads it as a point on the screen, and the window is not at the screen's corner (offscreen
    it is at (2, 2)), so every finger would land 2 px left of and above where the test meant."""

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
            getattr(sequence, what)(finger, point, self.viewport)
        sequence.commit()

    def drag(self, start: QPoint, end: QPoint, steps: int = 6) -> None:
        self.touch(("press", 0, start))
        for step in range(1, steps + 1):
            self.touch(("move", 0, start + (end - start) * step / steps))
        self.touch(("release", 0, end))

    def tap(self, at: QPoint) -> None:
        self.touch(("press", 0, at))
        self.touch(("release", 0, at))

    def pinch(
        self,
        centre: QPoint,
        from_gap: int,
        to_gap: int,
        steps: int = 6,
        slide: QPoint | None = None,
    ) -> QPointF:
        """Two fingers either side of ``centre``, ``from_gap`` px apart, spread or drawn together
        until ``to_gap`` px apart (and, with ``slide``, moved that far together as they go).
        Returns the point midway between them when they lift."""
        slide = slide or QPoint()

        def at(step: int) -> tuple[QPoint, QPoint]:
            gap = from_gap + (to_gap - from_gap) * step / steps
            x = centre.x() + slide.x() * step / steps
            y = round(centre.y() + slide.y() * step / steps)
            return QPoint(round(x - gap / 2), y), QPoint(round(x + gap / 2), y)

        left, right = at(0)
        self.touch(("press", 0, left), ("press", 1, right))
        for step in range(1, steps + 1):
            left, right = at(step)
            self.touch(("move", 0, left), ("move", 1, right))
        self.touch(("release", 0, left), ("release", 1, right))
        return (QPointF(left) + QPointF(right)) / 2


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


@pytest.fixture
def story(tool: TimelineTool, service: TimelineService, storyteller_uuid: str) -> list[str]:
    made = [
        add(service, storyteller_uuid, "Born", "1980", valence=0).uuid,
        add(service, storyteller_uuid, "Moved to Leeds", "1995", valence=1).uuid,
        add(service, storyteller_uuid, "Started college", "2012", valence=-1).uuid,
    ]
    open_story(tool, storyteller_uuid)
    settle()
    return made


def settle() -> None:
    """Let the window finish laying itself out, as it has long before a finger can land: just
    after a story opens, the picture may still lose a scroll bar it no longer needs, and be
    fitted again to the wider window."""
    QApplication.processEvents()


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
    # The day between the fingers stays between them (to within the pixel the view scrolls by).
    day_after = tool.scene.scale.day_at(tool.view.mapToScene(centre).x())
    assert day_after == pytest.approx(day_at_centre, abs=1 / spread)

    fingers.pinch(centre, 300, 150)
    assert tool.scene.scale.px_per_day == pytest.approx(spread / 2, rel=0.1)
    assert visible_days(tool) > 1.5 * days / 3

    assert snapshot(service, storyteller_uuid) == before
    assert stack(tool).count() == 0


def day_under(tool: TimelineTool, point: QPointF) -> float:
    return tool.scene.scale.day_at(tool.view.scroll_x() + point.x())


def test_fingers_that_spread_as_they_slide_keep_the_same_day_between_them(
    tool: TimelineTool,
    service: TimelineService,
    storyteller_uuid: str,
    story: list[str],
) -> None:
    """A pinch on a real screen is many small steps, most of them a fraction of a pixel: the
    day between the fingers follows them from the first step to the last, and does not creep
    by the pixel the view rounds each step to."""
    fingers = Fingers(tool)
    centre = empty_spot(tool)
    day = day_under(tool, QPointF(centre))
    lifted = fingers.pinch(centre, 101, 301, steps=40, slide=QPoint(-60, 0))
    spread = tool.scene.scale.px_per_day
    assert day_under(tool, lifted) == pytest.approx(day, abs=1 / spread)
    assert stack(tool).count() == 0


@pytest.mark.parametrize("today", [datetime.date(2026, 3, 2), datetime.date(2026, 12, 3)])
def test_a_pinch_keeps_its_day_whatever_the_date(
    qtbot: QtBot,
    vault: VaultSession,
    service: TimelineService,
    storyteller_uuid: str,
    today: datetime.date,
) -> None:
    """The picture runs to today, so today sets the zoom the story opens at; a pinch keeps the
    day between the fingers on any day the tool is opened."""
    context = EditingContext(QUndoStack(), lambda: FACILITATOR, lambda: None)
    tool = TimelineTool(service, PhotoService(vault), context, today=lambda: today)
    qtbot.addWidget(tool)
    tool.resize(1300, 760)
    tool.show()
    qtbot.waitExposed(tool)
    add(service, storyteller_uuid, "Born", "1980", valence=0)
    add(service, storyteller_uuid, "Started college", "2012", valence=-1)
    open_story(tool, storyteller_uuid)
    settle()
    assert tool.scene.extent()[1] > today.toordinal()
    centre = empty_spot(tool)
    day = day_under(tool, QPointF(centre))
    lifted = Fingers(tool).pinch(centre, 100, 300)
    assert day_under(tool, lifted) == pytest.approx(day, abs=1 / tool.scene.scale.px_per_day)


def test_near_the_ends_a_spread_keeps_its_day_and_drawing_together_stops_at_the_end(
    tool: TimelineTool,
    service: TimelineService,
    storyteller_uuid: str,
    story: list[str],
) -> None:
    """The picture runs from a little before the story's first day to a little after today.
    Zooming in near either end keeps the day between the fingers; zooming out near an end
    stops at that end (there is nothing beyond it to show), so there the day gives way."""
    fingers = Fingers(tool)
    width = tool.view.viewport().width()
    bar = tool.view.horizontalScrollBar()
    fitted = tool.scene.scale.px_per_day
    for near_an_end in (QPoint(110, 300), QPoint(width - 110, 300)):
        tool.view.fit_all()
        day = day_under(tool, QPointF(near_an_end))
        lifted = fingers.pinch(near_an_end, 60, 180)
        assert tool.scene.scale.px_per_day == pytest.approx(fitted * 3, rel=0.1)
        assert day_under(tool, lifted) == pytest.approx(day, abs=1 / tool.scene.scale.px_per_day)
        assert 0 < bar.value() <= bar.maximum()
    # Back at the start, draw the fingers together near the right: to stay under them, the day
    # there would have to move right, and the window show days before the picture begins.
    bar.setValue(0)
    fingers.pinch(QPoint(width - 110, 300), 180, 90)
    assert tool.scene.scale.px_per_day == pytest.approx(fitted * 1.5, rel=0.1)
    assert bar.value() == 0  # the story's first day is still at the window's edge
    assert tool.view.scroll_x() == 0


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

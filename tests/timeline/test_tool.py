"""The timeline tool driven like a person would: pointer, keyboard, panel and list, on a real
(temporary) vault. Every check of what changed is made through the service."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QGraphicsItem,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QStyleOptionGraphicsItem,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storycapture.domain.fuzzydate import FuzzyDate, Season
from storycapture.domain.story import HelpSeeking
from storycapture.domain.vocabulary import Helped, LifeArea, Visibility
from storycapture.qtkit.context import EditingContext
from storycapture.services.media import PhotoService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.timeline.layout import DAYS_PER_YEAR, LIFE_AREAS, EventMark, LayoutMode
from storycapture.timeline.qt import items as items_module
from storycapture.timeline.qt.event_list import UUID_ROLE
from storycapture.timeline.qt.items import ClustersItem, EventItem, PeriodItem
from storycapture.timeline.qt.tool import NEW_TITLE, TimelineTool
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR

BIRTH_YEAR = 1980
TODAY = datetime.date(2026, 3, 2)  # the picture runs to "today": the same day on every run


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


def stack(tool: TimelineTool) -> QUndoStack:
    return tool._context.undo_stack


def add(service: TimelineService, storyteller: str, title: str, starts: str, **values: object):  # type: ignore[no-untyped-def]
    return service.add_event(storyteller, title=title, starts=starts, author=FACILITATOR, **values)  # type: ignore[arg-type]


def open_story(tool: TimelineTool, storyteller: str, birth_year: int | None = BIRTH_YEAR) -> None:
    tool.show_storyteller(storyteller, birth_year)
    tool.set_layout_mode("lifeline")
    tool.view.fit_all()


def on_screen(tool: TimelineTool, x: float, y: float) -> QPoint:
    return tool.view.mapFromScene(QPointF(x, y))


def mark_point(tool: TimelineTool, uuid: str) -> QPoint:
    anchor = tool.scene.layout.anchor_of(uuid)
    assert anchor is not None
    return on_screen(tool, *anchor)


def drag(tool: TimelineTool, start: QPoint, by: QPointF) -> None:
    viewport = tool.view.viewport()
    end = start + QPoint(round(by.x()), round(by.y()))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    halfway = start + QPoint(round(by.x() / 2), round(by.y() / 2))
    QTest.mouseMove(viewport, halfway)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)


def years_px(tool: TimelineTool, years: float) -> float:
    return years * DAYS_PER_YEAR * tool.scene.scale.px_per_day


# -- adding, moving, undoing ---------------------------------------------------------------------


def test_double_click_on_empty_space_adds_a_moment_there(
    qtbot: QtBot, tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    add(service, storyteller_uuid, "Left school", "1996", valence=-1)
    open_story(tool, storyteller_uuid)
    layout = tool.scene.layout
    x = layout.scale.x_of_day(datetime.date(2003, 7, 1).toordinal())
    y = layout.bands.line_of_valence(2) + 4
    with qtbot.waitSignal(tool.changed):
        QTest.mouseDClick(
            tool.view.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            on_screen(tool, x, y),
        )
    added = [e for e in service.events(storyteller_uuid) if e.title == NEW_TITLE]
    assert len(added) == 1
    assert added[0].starts == FuzzyDate.in_year(2003)  # a year, at this zoom
    assert added[0].valence == 2
    assert added[0].meta.author == FACILITATOR
    assert stack(tool).undoText() == f"Add “{NEW_TITLE}”"
    # The panel is open on it, its title ready to be typed over.
    assert tool.selected_uuid() == added[0].uuid
    assert tool.panel.title.hasFocus()
    assert tool.panel.title.selectedText() == NEW_TITLE
    QTest.keyClicks(tool.panel.title, "Moved to Leeds")
    QTest.keyClick(tool.panel.title, Qt.Key.Key_Return)
    assert service.get_event(added[0].uuid).title == "Moved to Leeds"
    stack(tool).undo()
    stack(tool).undo()
    assert all(e.uuid != added[0].uuid for e in service.events(storyteller_uuid))


def test_dragging_a_moment_changes_its_date_and_feeling_in_one_undo_step(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    moved = add(service, storyteller_uuid, "Moved to Leeds", "1995", valence=0)
    add(service, storyteller_uuid, "Started college", "2012", valence=1)
    open_story(tool, storyteller_uuid)
    bands = tool.scene.layout.bands
    up_two = bands.line_of_valence(2) - bands.line_of_valence(0)
    drag(tool, mark_point(tool, moved.uuid), QPointF(years_px(tool, 3.2), up_two))
    after = service.get_event(moved.uuid)
    assert after.starts == FuzzyDate.in_year(1998)
    assert after.valence == 2
    assert stack(tool).count() == 1
    assert stack(tool).undoText() == "Move “Moved to Leeds”"
    stack(tool).undo()
    before = service.get_event(moved.uuid)
    assert (before.starts, before.valence) == (FuzzyDate.in_year(1995), 0)
    stack(tool).redo()
    again = service.get_event(moved.uuid)
    assert (again.starts, again.valence) == (FuzzyDate.in_year(1998), 2)
    # The picture follows the story: the item now sits at 1998, on the "good" line.
    item = tool.scene.item_for(moved.uuid)
    assert isinstance(item, EventItem)
    assert tool.scene.layout.bands.valence_at(item.pos().y()) == 2


def test_a_moment_tied_to_another_moves_only_up_and_down(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    anchor = add(service, storyteller_uuid, "Hospital stay", "autumn 2015", valence=-3)
    tied = add(service, storyteller_uuid, "Lost my job", "after Hospital stay", valence=-2)
    open_story(tool, storyteller_uuid)
    assert anchor.uuid != tied.uuid
    bands = tool.scene.layout.bands
    drag(
        tool,
        mark_point(tool, tied.uuid),
        QPointF(years_px(tool, 4), bands.line_of_valence(0) - bands.line_of_valence(-2)),
    )
    after = service.get_event(tied.uuid)
    assert after.starts == tied.starts
    assert after.valence == 0
    assert "tied to another" in tool.notice.text()


def test_in_lanes_dragging_up_or_down_changes_the_part_of_life(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    moved = add(service, storyteller_uuid, "Moved to Leeds", "1995", life_area="other")
    open_story(tool, storyteller_uuid)
    tool.set_layout_mode("lanes")
    assert tool.layout_mode() == "lanes"
    start = tool.scene.layout.anchor_of(moved.uuid)
    assert start is not None
    family = tool.scene.layout.bands.bands[LIFE_AREAS.index(LifeArea.FAMILY)]
    tool.view.ensureVisible(family.top, family.top, 1, 1)
    drag(tool, mark_point(tool, moved.uuid), QPointF(0, family.line_y - start[1]))
    after = service.get_event(moved.uuid)
    assert after.life_area is LifeArea.FAMILY
    assert after.starts == FuzzyDate.in_year(1995)
    stack(tool).undo()
    assert service.get_event(moved.uuid).life_area is LifeArea.OTHER


def test_a_period_is_dragged_as_a_whole(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    flat = add(service, storyteller_uuid, "Council flat", "2005", ends="2016", valence=1)
    open_story(tool, storyteller_uuid)
    item = tool.scene.item_for(flat.uuid)
    assert isinstance(item, PeriodItem)
    start = on_screen(tool, item.bar_rect.center().x(), item.bar_rect.center().y())
    drag(tool, start, QPointF(-years_px(tool, 2), 0))
    after = service.get_event(flat.uuid)
    assert (after.starts, after.ends) == (FuzzyDate.in_year(2003), FuzzyDate.in_year(2014))


# -- the side panel ------------------------------------------------------------------------------


def test_editing_the_title_in_the_panel_saves_it_and_undo_brings_back_the_old_one(
    qtbot: QtBot, tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    moment = add(service, storyteller_uuid, "Moved to Leds", "1995")
    open_story(tool, storyteller_uuid)
    tool.open_editor(moment.uuid)
    title = tool.panel.title
    title.selectAll()
    with qtbot.waitSignal(tool.changed):
        QTest.keyClicks(title, "Moved to Leeds")
        QTest.keyClick(title, Qt.Key.Key_Return)
    assert service.get_event(moment.uuid).title == "Moved to Leeds"
    assert stack(tool).undoText() == "Change the title of “Moved to Leds”"
    stack(tool).undo()
    assert service.get_event(moment.uuid).title == "Moved to Leds"
    assert tool.panel.title.text() == "Moved to Leds"
    assert tool.list_model.index(0).data(Qt.ItemDataRole.DisplayRole).startswith("Moved to Leds")


def test_a_title_typed_but_not_finished_survives_another_field_being_saved(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    """Typing a title, then a date (without the title box ever losing focus, as happens when a
    window is not active): saving the date redraws the panel, which must keep the typed title,
    and the title is saved in its turn, never overwritten by "New moment"."""
    open_story(tool, storyteller_uuid)
    made = tool.add_in_view()
    assert made is not None
    panel = tool.panel
    panel.title.selectAll()
    QTest.keyClicks(panel.title, "The allotment")  # no Return, no Tab
    # The cursor moves on without the title box hearing of it (as when the window is not the
    # active one and no focus-out arrives).
    panel.title.blockSignals(True)
    panel.when.setFocus()
    panel.title.blockSignals(False)
    panel.when.setText("2019")
    panel.when.editingFinished.emit()  # the date is saved first: the panel is redrawn
    assert service.get_event(made).starts == FuzzyDate.in_year(2019)
    assert panel.title.text() == "The allotment"
    tool.select_event(None)  # choosing elsewhere saves what was typed
    assert service.get_event(made).title == "The allotment"


def test_a_date_that_cannot_be_read_stays_as_typed_with_the_reason(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    moment = add(service, storyteller_uuid, "Moved to Leeds", "spring 2015")
    open_story(tool, storyteller_uuid)
    tool.open_editor(moment.uuid)
    when = tool.panel.when
    when.setFocus()
    when.selectAll()
    QTest.keyClicks(when, "31 February 2015")
    assert "February 2015 has 28 days" in tool.panel.when_reading.text()
    QTest.keyClick(when, Qt.Key.Key_Return)
    assert when.text() == "31 February 2015"
    assert tool.panel.when_problem.isVisibleTo(tool.panel)
    assert "February 2015 has 28 days" in tool.panel.when_problem.text()
    assert service.get_event(moment.uuid).starts == FuzzyDate.in_season(2015, Season.SPRING)
    assert stack(tool).count() == 0
    # Still there after choosing another moment and coming back.
    tool.select_event(None)
    tool.select_event(moment.uuid)
    assert tool.panel.when.text() == "31 February 2015"
    when.selectAll()
    QTest.keyClicks(when, "summer 2016")
    assert tool.panel.when_reading.text() == (
        "We read this as “summer 2016” — somewhere in June to August 2016."
    )
    QTest.keyClick(when, Qt.Key.Key_Return)
    assert service.get_event(moment.uuid).starts == FuzzyDate.in_season(2016, Season.SUMMER)
    assert not tool.panel.when_problem.isVisibleTo(tool.panel)


def test_the_panel_edits_feeling_area_visibility_period_and_help(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    moment = add(service, storyteller_uuid, "Asked the GP", "2010")
    open_story(tool, storyteller_uuid)
    tool.open_editor(moment.uuid)
    panel = tool.panel
    # Nobody has said how it felt: the choice says so, and nothing is filled in.
    assert panel.feeling.current_text() == "Not said"
    assert service.get_event(moment.uuid).valence is None
    QTest.mouseClick(panel.feeling.buttons[3], Qt.MouseButton.LeftButton)
    assert service.get_event(moment.uuid).valence == 3
    assert panel.feeling_words.text() == "It felt very good"
    panel.feeling.choose(1)
    assert service.get_event(moment.uuid).valence == 1
    assert panel.feeling_words.text() == "It felt a bit good"
    assert not panel.help_box.isVisibleTo(panel)
    panel.area.setCurrentIndex(panel.area.findData(LifeArea.HELP_SEEKING.value))
    panel.area.activated.emit(panel.area.currentIndex())
    assert service.get_event(moment.uuid).life_area is LifeArea.HELP_SEEKING
    assert panel.help_box.isVisibleTo(panel)
    panel.asked_for.setText("Help with sleeping")
    panel.asked_for.editingFinished.emit()
    panel.helped.setCurrentIndex(panel.helped.findData(Helped.PARTLY.value))
    panel.helped.activated.emit(panel.helped.currentIndex())
    assert service.get_event(moment.uuid).help == HelpSeeking(
        asked_for="Help with sleeping", helped=Helped.PARTLY
    )
    panel.visibility.buttons[Visibility.PRIVATE.value].click()
    assert service.get_event(moment.uuid).visibility is Visibility.PRIVATE
    panel.until.setText("2012")
    panel.until.editingFinished.emit()
    assert service.get_event(moment.uuid).ends == FuzzyDate.in_year(2012)
    assert isinstance(tool.scene.item_for(moment.uuid), PeriodItem)
    panel.later.click()
    moved = service.get_event(moment.uuid)
    assert (moved.starts, moved.ends) == (FuzzyDate.in_year(2011), FuzzyDate.in_year(2013))
    assert stack(tool).undoText() == "Move “Asked the GP” later"
    for _ in range(stack(tool).count()):
        stack(tool).undo()
    original = service.get_event(moment.uuid)
    assert (original.valence, original.life_area, original.help, original.ends) == (
        None,  # undone back to not said, as it was added
        LifeArea.OTHER,
        None,
        None,
    )


# -- keyboard, list and picture ------------------------------------------------------------------


def test_arrow_keys_choose_and_delete_removes_and_undo_restores(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    first = add(service, storyteller_uuid, "Born", "1980", valence=2)
    second = add(service, storyteller_uuid, "Moved to Leeds", "1995")
    third = add(service, storyteller_uuid, "New job", "2010", valence=1)
    open_story(tool, storyteller_uuid)
    tool.view.setFocus()
    QTest.keyClick(tool.view, Qt.Key.Key_Right)
    assert tool.selected_uuid() == first.uuid
    QTest.keyClick(tool.view, Qt.Key.Key_Right)
    assert tool.selected_uuid() == second.uuid
    item = tool.scene.item_for(second.uuid)
    assert item is not None and item.chosen
    QTest.keyClick(tool.view, Qt.Key.Key_Delete)
    assert [e.uuid for e in service.events(storyteller_uuid)] == [first.uuid, third.uuid]
    assert tool.scene.item_for(second.uuid) is None
    assert stack(tool).undoText() == "Remove “Moved to Leeds”"
    stack(tool).undo()
    assert [e.uuid for e in service.events(storyteller_uuid)] == [
        first.uuid,
        second.uuid,
        third.uuid,
    ]
    assert tool.scene.item_for(second.uuid) is not None


def test_plus_and_minus_zoom_and_fit_shows_everything(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    add(service, storyteller_uuid, "Born", "1980")
    open_story(tool, storyteller_uuid)
    fitted = tool.scene.scale.px_per_day
    tool.view.setFocus()
    QTest.keyClick(tool.view, Qt.Key.Key_Plus)
    assert tool.scene.scale.px_per_day == pytest.approx(fitted * 1.5)
    QTest.keyClick(tool.view, Qt.Key.Key_Minus)
    assert tool.scene.scale.px_per_day == pytest.approx(fitted)
    QTest.keyClick(tool.view, Qt.Key.Key_Minus)  # never further out than everything
    assert tool.scene.scale.px_per_day == pytest.approx(fitted)
    tool.zoom_in_button.click()
    tool.fit_button.click()
    assert tool.scene.scale.px_per_day == pytest.approx(fitted)


def test_the_wheel_zooms_around_the_pointer(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    from PySide6.QtCore import QPointF as Point
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    add(service, storyteller_uuid, "Born", "1980")
    open_story(tool, storyteller_uuid)
    view = tool.view
    pointer = Point(300, 100)
    day_before = tool.scene.scale.day_at(view.mapToScene(pointer.toPoint()).x())
    wheel = QWheelEvent(
        pointer,
        view.viewport().mapToGlobal(pointer),
        QPoint(0, 0),
        QPoint(0, 240),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view.viewport(), wheel)
    scale = tool.scene.scale
    assert scale.px_per_day > 1.3 * view.fit_scale().px_per_day
    day_after = scale.day_at(view.mapToScene(pointer.toPoint()).x())
    assert day_after == pytest.approx(day_before, abs=2 / scale.px_per_day)


def test_the_list_and_the_picture_choose_together(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    first = add(service, storyteller_uuid, "Born", "1980", valence=2)
    second = add(service, storyteller_uuid, "Moved to Leeds", "1995")
    open_story(tool, storyteller_uuid)
    # Picture → list.
    QTest.mouseClick(
        tool.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        mark_point(tool, second.uuid),
    )
    assert tool.selected_uuid() == second.uuid
    assert tool.list_view.currentIndex().data(UUID_ROLE) == second.uuid
    assert tool.panel.title.text() == "Moved to Leeds"
    # List → picture.
    tool.list_view.setFocus()
    QTest.keyClick(tool.list_view, Qt.Key.Key_Up)
    assert tool.selected_uuid() == first.uuid
    first_item = tool.scene.item_for(first.uuid)
    second_item = tool.scene.item_for(second.uuid)
    assert first_item is not None and first_item.chosen
    assert second_item is not None and not second_item.chosen
    # The list does everything: Enter opens the panel, Delete removes.
    QTest.keyClick(tool.list_view, Qt.Key.Key_Return)
    assert tool.panel.title.hasFocus()
    tool.list_view.setFocus()
    QTest.keyClick(tool.list_view, Qt.Key.Key_Delete)
    assert [e.uuid for e in service.events(storyteller_uuid)] == [second.uuid]
    accessible = tool.list_model.index(0).data(Qt.ItemDataRole.AccessibleTextRole)
    # No feeling was given, so none is told: not "in between".
    assert accessible == "Moved to Leeds · 1995 · feeling not said · Other"


def _crowded_march(tool: TimelineTool, service: TimelineService, storyteller_uuid: str) -> None:
    """Eight moments a few days apart in March 2001, and a birth: one cluster of eight."""
    for day in range(1, 25, 3):
        add(service, storyteller_uuid, f"Day {day}", f"{day} March 2001", valence=1)
    add(service, storyteller_uuid, "Born", "1980")
    open_story(tool, storyteller_uuid)


def test_a_crowded_time_clusters_and_a_click_looks_closer(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    _crowded_march(tool, service, storyteller_uuid)
    clusters = tool.scene.cluster_items()
    assert len(clusters) == 1 and clusters[0].cluster.count == 8
    before = tool.scene.scale.px_per_day
    point = on_screen(tool, clusters[0].cluster.x, clusters[0].cluster.y)
    QTest.mouseClick(
        tool.view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, point
    )
    assert tool.scene.scale.px_per_day == pytest.approx(before * 3)


def test_the_pointer_on_a_cluster_says_how_many_moments_it_holds(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    _crowded_march(tool, service, storyteller_uuid)
    (hit,) = tool.scene.cluster_items()
    drawn = [i for i in tool.scene.items() if isinstance(i, ClustersItem)]
    assert len(drawn) == 1 and drawn[0].toolTip() == ""
    point = on_screen(tool, hit.cluster.x, hit.cluster.y)
    QTest.mouseMove(tool.view.viewport(), point)
    assert drawn[0].toolTip() == "8 moments here — click to look closer"
    QTest.mouseMove(tool.view.viewport(), point + QPoint(0, int(hit.radius) + 12))
    assert drawn[0].toolTip() == ""  # beside the disc: nothing to say


def test_moments_not_yet_placed_wait_in_the_tray(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    placed = add(service, storyteller_uuid, "Moved to Leeds", "2001")
    waiting = add(service, storyteller_uuid, "First kiss", "when I was 15")
    open_story(tool, storyteller_uuid, birth_year=None)
    assert tool.tray_row.isVisibleTo(tool)
    assert tool.tray.count() == 1 and tool.tray.item(0).text() == "First kiss"
    assert tool.scene.item_for(waiting.uuid) is None
    assert tool.scene.item_for(placed.uuid) is not None
    tool.tray.setCurrentRow(0)
    assert tool.selected_uuid() == waiting.uuid
    assert tool.list_view.currentIndex().data(UUID_ROLE) == waiting.uuid
    assert "year of birth" in tool.panel.when_reading.text()
    open_story(tool, storyteller_uuid, birth_year=BIRTH_YEAR)
    assert not tool.tray_row.isVisibleTo(tool)
    assert tool.scene.item_for(waiting.uuid) is not None


# -- what is drawn -------------------------------------------------------------------------------


def test_a_fuzzy_moment_spans_its_earliest_to_latest_day(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    spring = add(service, storyteller_uuid, "Moved to Leeds", "spring 2015")
    open_story(tool, storyteller_uuid)
    tool.view.zoom_by(40)
    tool.select_event(spring.uuid)
    item = tool.scene.item_for(spring.uuid)
    assert isinstance(item, EventItem)
    assert isinstance(item.mark, EventMark) and item.mark.fuzzy
    scale = tool.scene.scale
    span = item.fade_rect
    assert span.left() == pytest.approx(scale.x_of(datetime.date(2015, 3, 1)))
    assert span.right() == pytest.approx(scale.x_of(datetime.date(2015, 6, 1)))


def _render(item: QGraphicsItem) -> QImage:
    bounds = item.boundingRect()
    image = QImage(int(bounds.width()) + 2, int(bounds.height()) + 2, QImage.Format.Format_ARGB32)
    image.fill(QColor("#fbf7f1"))
    painter = QPainter(image)
    painter.translate(-bounds.left() + 1, -bounds.top() + 1)
    item.paint(painter, QStyleOptionGraphicsItem(), None)
    painter.end()
    return image


def _count_near(image: QImage, colour: QColor, tolerance: int = 12) -> int:
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            pixel = image.pixelColor(x, y)
            if (
                abs(pixel.red() - colour.red()) <= tolerance
                and abs(pixel.green() - colour.green()) <= tolerance
                and abs(pixel.blue() - colour.blue()) <= tolerance
            ):
                count += 1
    return count


def test_help_seeking_and_private_moments_are_marked(
    tool: TimelineTool,
    service: TimelineService,
    storyteller_uuid: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    helped = add(
        service,
        storyteller_uuid,
        "Rang a helpline",
        "2001",
        life_area="help_seeking_and_services",
        valence=2,
    )
    private = add(service, storyteller_uuid, "Debt", "2012", visibility="private", valence=-2)
    plain = add(service, storyteller_uuid, "Moved", "1995")
    open_story(tool, storyteller_uuid)
    items = {uuid: tool.scene.item_for(uuid) for uuid in (helped.uuid, private.uuid, plain.uuid)}
    assert all(isinstance(item, EventItem) and item.has_card for item in items.values())
    accent = tool.scene.kit.colours.accent
    assert _count_near(_render(items[helped.uuid]), accent) > 40  # lifebuoy and outline
    assert _count_near(_render(items[plain.uuid]), accent) == 0
    drawn: list[str] = []
    monkeypatch.setattr(items_module, "draw_glyph", lambda _p, kind, *_: drawn.append(kind))
    for uuid, marks in ((private.uuid, ["lock"]), (helped.uuid, ["lifebuoy"]), (plain.uuid, [])):
        drawn.clear()
        _render(items[uuid])  # type: ignore[arg-type]
        assert drawn == marks
    assert "private" in items[private.uuid].toolTip()  # type: ignore[union-attr]
    assert "asking for help" in items[helped.uuid].toolTip()  # type: ignore[union-attr]


def test_a_photo_shows_on_its_card_decrypted_in_memory_only(
    tool: TimelineTool,
    service: TimelineService,
    storyteller_uuid: str,
    vault: VaultSession,
    tmp_path: Path,
) -> None:
    moment = add(service, storyteller_uuid, "Started on the allotment", "2018")
    picture = QImage(120, 80, QImage.Format.Format_RGB32)
    picture.fill(QColor("#7aa35a"))
    source = tmp_path / "allotment.png"
    assert picture.save(str(source))
    PhotoService(vault).add(storyteller_uuid, source, author=FACILITATOR, event_uuid=moment.uuid)
    source.unlink()
    open_story(tool, storyteller_uuid)
    thumb = tool.scene.kit.thumbnail(moment.uuid)
    assert thumb is not None and not thumb.isNull() and thumb.width() == 44
    assert thumb.toImage().pixelColor(20, 20) == QColor("#7aa35a")
    media = vault.media_dir(storyteller_uuid)
    assert all(p.suffix == ".age" for p in media.iterdir())
    item = tool.scene.item_for(moment.uuid)
    assert isinstance(item, EventItem) and item.has_card
    assert _count_near(_render(item), QColor("#7aa35a"), 6) > 100


# -- lock and return -----------------------------------------------------------------------------


def _all_text(tool: TimelineTool) -> list[str]:
    texts: list[str] = []
    for item in tool.scene.items():
        texts.append(item.toolTip())
        if isinstance(item, EventItem | PeriodItem):
            texts.append(item.event.title)
    for widget in [tool, *tool.findChildren(QWidget)]:
        texts.extend([widget.toolTip(), widget.accessibleName(), widget.accessibleDescription()])
        if isinstance(widget, QLineEdit):
            texts.append(widget.text())
        elif isinstance(widget, QPlainTextEdit):
            texts.append(widget.toPlainText())
        elif isinstance(widget, QLabel | QAbstractButton):
            texts.append(widget.text())
        elif isinstance(widget, QComboBox):
            texts.extend(widget.itemText(i) for i in range(widget.count()))
        elif isinstance(widget, QListWidget):
            texts.extend(widget.item(i).text() for i in range(widget.count()))
    model = tool.list_model
    texts.extend(
        str(model.index(row).data(Qt.ItemDataRole.DisplayRole)) for row in range(model.rowCount())
    )
    return texts


def test_clear_leaves_no_personal_words_anywhere(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    secrets = ["Juniper's secret flat", "Asked my sister", "Words only she knows", "not yet 15"]
    add(service, storyteller_uuid, secrets[0], "2001", words=secrets[2], visibility="private")
    add(
        service,
        storyteller_uuid,
        "Help from Bea",
        "2003",
        ends="2005",
        life_area="help_seeking_and_services",
        help=HelpSeeking(asked_for=secrets[1]),
    )
    waiting = add(service, storyteller_uuid, secrets[3], "when I was 15")
    open_story(tool, storyteller_uuid, birth_year=None)
    tool.open_editor(waiting.uuid)
    assert any(secrets[3] in text for text in _all_text(tool))
    tool.open_editor(next(e.uuid for e in tool.events() if e.title == "Help from Bea"))
    assert any(secrets[1] in text for text in _all_text(tool))
    tool.clear()
    texts = "\n".join(_all_text(tool))
    for secret in [*secrets, "Help from Bea", "1980"]:
        assert secret not in texts
    assert not [
        i for i in tool.scene.items() if isinstance(i, EventItem | PeriodItem | ClustersItem)
    ]
    assert tool.list_model.rowCount() == 0 and tool.tray.count() == 0
    assert tool.scene.kit.thumbnail("anything") is None
    assert tool.selected_uuid() is None


def test_view_state_brings_back_the_same_place_after_unlocking(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    add(service, storyteller_uuid, "Born", "1980")
    chosen = add(service, storyteller_uuid, "Moved to Leeds", "1995")
    add(service, storyteller_uuid, "Job", "2015")
    open_story(tool, storyteller_uuid)
    tool.set_layout_mode("lanes")
    tool.view.zoom_by(3.0)
    tool.select_event(chosen.uuid)
    state = tool.view_state()
    assert set(state) >= {"layout", "px_per_day", "centre_day", "selected"}
    assert all(isinstance(v, str | int | float | type(None)) for v in state.values())
    tool.clear()
    tool.show_storyteller(storyteller_uuid, BIRTH_YEAR)
    assert tool.layout_mode() == "lanes"  # the tool keeps its layout; the rest comes back:
    tool.set_layout_mode("lifeline")
    tool.restore_view_state(state)
    assert tool.layout_mode() == LayoutMode.LANES.value
    assert tool.scene.scale.px_per_day == pytest.approx(state["px_per_day"])
    assert tool.view.centre_day() == pytest.approx(state["centre_day"], abs=1)
    assert tool.selected_uuid() == chosen.uuid


def test_a_refused_edit_is_shown_in_plain_words_and_nothing_is_pushed(
    tool: TimelineTool, service: TimelineService, storyteller_uuid: str, vault: VaultSession
) -> None:
    moment = add(service, storyteller_uuid, "Moved to Leeds", "1995")
    open_story(tool, storyteller_uuid)
    tool.open_editor(moment.uuid)
    tool.panel.title.setText("")
    tool.panel.title.editingFinished.emit()
    assert tool.panel.title_problem.isVisibleTo(tool.panel)
    assert tool.panel.title_problem.text()
    assert stack(tool).count() == 0
    assert service.get_event(moment.uuid).title == "Moved to Leeds"
    StorytellerService(vault).get(storyteller_uuid)  # the vault is fine and still open


def test_the_panel_opens_to_edit_and_closes_to_give_the_picture_room(
    qtbot: QtBot, tool: TimelineTool, service: TimelineService, storyteller_uuid: str
) -> None:
    moment = add(service, storyteller_uuid, "Moved to Leeds", "1995")
    add(service, storyteller_uuid, "New job", "2010")
    open_story(tool, storyteller_uuid)
    assert not tool.panel.isVisible()
    wide = tool.view.viewport().width()
    tool.open_editor(moment.uuid)
    assert tool.panel.isVisible()
    qtbot.waitUntil(lambda: tool.view.viewport().width() < wide)
    # Still showing the whole story, now in less room.
    assert tool.scene.scale.px_per_day == pytest.approx(tool.view.fit_scale().px_per_day)
    QTest.keyClick(tool.panel.title, Qt.Key.Key_Escape)
    assert not tool.panel.isVisible()
    qtbot.waitUntil(lambda: tool.view.viewport().width() == wide)
    assert tool.scene.scale.px_per_day == pytest.approx(tool.view.fit_scale().px_per_day)
    assert tool.view.hasFocus()
    assert tool.selected_uuid() == moment.uuid

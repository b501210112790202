"""Nothing invented: a moment may have no date and a feeling nobody has said.

A moment gets a date and a feeling only when someone gives them (typing, pointing at the
picture, choosing). Until then it has none, keeps none, travels in a bundle with none, waits in
"Not yet placed in time" and is no point of the lifeline.
"""

from __future__ import annotations

import datetime

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput
from storycapture.domain.fuzzydate import FuzzyDate
from storycapture.domain.story import Provenance, TimelineEvent
from storycapture.domain.vocabulary import LifeArea, Visibility, describe_feeling
from storycapture.giveback import _events_for_copy
from storycapture.gui.history import _plain
from storycapture.qtkit.context import EditingContext
from storycapture.services.history import HistoryService
from storycapture.services.kinds import check_readable
from storycapture.services.media import PhotoService
from storycapture.services.vault import VaultSession
from storycapture.timeline.layout import (
    LayoutMode,
    TimeScale,
    drag_outcome,
    lay_out,
    place_events,
)
from storycapture.timeline.qt.tool import MOMENT_MIME, NEW_TITLE, TimelineTool
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR

TODAY = datetime.date(2026, 3, 2)


# -- the service -----------------------------------------------------------------------------


def test_a_moment_added_with_no_date_and_no_feeling_keeps_none(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    timeline = TimelineService(vault)
    added = timeline.add_event(storyteller_uuid, title="The allotment", author=FACILITATOR)
    assert added.starts is None and added.valence is None
    read = timeline.get_event(added.uuid)
    assert read.starts is None and read.valence is None and read.ends is None
    assert read.when() == "no date yet"
    assert describe_feeling(read.valence) == "not said"
    # What was logged is "none", not a date or a number nobody gave.
    logged = {c.field: c.value for c in HistoryService(vault).of("timeline_event", added.uuid)}
    assert logged["starts"] is None and logged["valence"] is None
    assert _plain("starts", None) == "no date yet" and _plain("valence", None) == "not said"


def test_blank_typing_is_no_date_and_an_undated_moment_comes_last(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    timeline = TimelineService(vault)
    undated = timeline.add_event(storyteller_uuid, title="Later", starts="  ", author=FACILITATOR)
    dated = timeline.add_event(
        storyteller_uuid, title="Moved", starts="2015", valence=2, author=FACILITATOR
    )
    assert undated.starts is None
    assert [e.uuid for e in timeline.events(storyteller_uuid)] == [dated.uuid, undated.uuid]
    assert timeline.placer(storyteller_uuid).resolve(undated.uuid) is None


def test_a_date_and_a_feeling_given_later_are_kept_and_can_be_taken_back(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    timeline = TimelineService(vault)
    moment = timeline.add_event(storyteller_uuid, title="Allotment", author=FACILITATOR)
    given = timeline.update_event(moment.uuid, starts="spring 2015", valence=-1, author=FACILITATOR)
    assert given.starts == parse("spring 2015") and given.valence == -1
    back = timeline.update_event(moment.uuid, starts=None, valence=None, author=FACILITATOR)
    assert back.starts is None and back.valence is None


def test_an_end_needs_a_start(vault: VaultSession, storyteller_uuid: str) -> None:
    timeline = TimelineService(vault)
    with pytest.raises(InvalidInput, match="start date"):
        timeline.add_event(storyteller_uuid, title="A time", ends="2010", author=FACILITATOR)
    period = timeline.add_event(
        storyteller_uuid, title="A time", starts="2005", ends="2010", author=FACILITATOR
    )
    with pytest.raises(InvalidInput, match="start date"):
        timeline.update_event(period.uuid, starts=None, author=FACILITATOR)
    assert timeline.get_event(period.uuid).starts == parse("2005")


def test_the_import_check_reads_an_undated_moment_whose_feeling_is_not_said(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    from storycapture.services import kinds, records

    moment = TimelineService(vault).add_event(storyteller_uuid, title="Quiet", author=FACILITATOR)
    with vault.read() as session:
        record = records.get(vault, session, kinds.TIMELINE_EVENT, moment.uuid)
    check_readable(kinds.TIMELINE_EVENT, record)  # raises if the app could not show it


def test_the_give_back_copy_keeps_an_undated_moment_undated() -> None:
    hidden = event("Private one", FuzzyDate.in_year(2001), visibility=Visibility.PRIVATE)
    undated = event("Allotment", None, valence=None)
    (shown,) = _events_for_copy([hidden, undated], 1980, include_private=False)
    assert shown.starts is None and shown.valence is None


# -- the picture -----------------------------------------------------------------------------


def event(
    title: str,
    starts: FuzzyDate | None,
    *,
    valence: int | None = 0,
    visibility: Visibility = Visibility.TEAM,
    area: LifeArea = LifeArea.OTHER,
) -> TimelineEvent:
    return TimelineEvent(
        meta=Provenance(title, "s1", "00000001", "00000001", Author.storyteller()),
        title=title,
        words="",
        starts=starts,
        ends=None,
        valence=valence,
        life_area=area,
        visibility=visibility,
    )


def parse(text: str) -> FuzzyDate:
    from storycapture.domain.fuzzydate import parse_fuzzy_date

    return parse_fuzzy_date(text)


def picture(events: list[TimelineEvent], mode: LayoutMode = LayoutMode.LIFELINE):  # type: ignore[no-untyped-def]
    placed = place_events(events, birth_year=1980)
    first, last = placed.extent(TODAY)
    return lay_out(
        placed,
        mode=mode,
        scale=TimeScale.fitting(first, last, 1000.0),
        view_width=1000.0,
        view_height=500.0,
        today=TODAY,
    )


def test_an_undated_moment_waits_apart() -> None:
    dated = event("Moved", FuzzyDate.in_year(2001))
    undated = event("Allotment", None)
    layout = picture([dated, undated])
    assert [e.uuid for e in layout.placed.unplaced] == [undated.uuid]
    assert undated.uuid not in layout.placed.by_uuid
    assert layout.drawn_as(undated.uuid) is None


def test_a_feeling_not_said_is_no_point_of_the_lifeline() -> None:
    high = event("Good", FuzzyDate.in_year(1995), valence=3)
    quiet = event("Quiet", FuzzyDate.in_year(2005), valence=None)
    low = event("Hard", FuzzyDate.in_year(2015), valence=-3)
    layout = picture([high, quiet, low])
    # Two told feelings: one piece of line, straight from the high to the low.
    assert len(layout.curve) == 1
    (piece,) = layout.curve
    marks = {m.uuid: m for m in layout.marks}
    assert piece.p0 == (marks[high.uuid].x, marks[high.uuid].y)
    assert piece.p1 == (marks[low.uuid].x, marks[low.uuid].y)
    # It is still drawn, on the "in between" line with its own mark.
    assert not marks[quiet.uuid].feeling_said and marks[high.uuid].feeling_said
    assert marks[quiet.uuid].y == layout.bands.line_of_valence(0)
    # Said "in between", it would be a point: the curve then has two pieces.
    said = event("Quiet", FuzzyDate.in_year(2005), valence=0)
    assert len(picture([high, said, low]).curve) == 2


def test_a_crowd_of_moments_not_said_adds_no_point_and_a_mixed_one_only_the_said() -> None:
    crowd = [event(f"q{i}", FuzzyDate.on_day(2005, 6, 1 + i), valence=None) for i in range(3)]
    ends = [event("a", FuzzyDate.in_year(1990), valence=1), event("b", FuzzyDate.in_year(2020))]
    layout = picture(crowd + ends)
    assert layout.clusters and all(c.mean_valence is None for c in layout.clusters)
    assert len(layout.curve) == 1  # through the two told feelings only
    # Gathered with one told "in between" (they share its line), only that one counts.
    mixed = [*crowd, event("told", FuzzyDate.on_day(2005, 6, 5), valence=0)]
    clusters = picture(mixed + ends).clusters
    assert [(c.count, c.mean_valence) for c in clusters] == [(4, 0.0)]
    assert len(picture(mixed + ends).curve) == 2


def test_dragging_sideways_keeps_a_feeling_not_said_and_up_says_one() -> None:
    quiet = event("Quiet", FuzzyDate.in_year(2005), valence=None)
    layout = picture([event("a", FuzzyDate.in_year(1990), valence=1), quiet])
    sideways = drag_outcome(layout, quiet.uuid, 3 * 365 * layout.scale.px_per_day, 0)
    assert sideways is not None and sideways.valence is None
    assert sideways.starts == FuzzyDate.in_year(2008)
    step = layout.bands.line_of_valence(2) - layout.bands.line_of_valence(0)
    up = drag_outcome(layout, quiet.uuid, 0, step)
    assert up is not None and up.valence == 2
    lanes = picture([quiet], LayoutMode.LANES)
    across = drag_outcome(lanes, quiet.uuid, 0, 200)
    assert across is not None and across.valence is None


# -- the tool --------------------------------------------------------------------------------


@pytest.fixture
def tool(qtbot: QtBot, vault: VaultSession) -> TimelineTool:
    context = EditingContext(QUndoStack(), lambda: FACILITATOR, lambda: None)
    widget = TimelineTool(TimelineService(vault), PhotoService(vault), context)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_add_a_moment_invents_no_date_and_no_feeling(
    qtbot: QtBot, tool: TimelineTool, vault: VaultSession, storyteller_uuid: str
) -> None:
    service = TimelineService(vault)
    service.add_event(
        storyteller_uuid, title="Moved to Leeds", starts="2003", valence=2, author=FACILITATOR
    )
    tool.show_storyteller(storyteller_uuid, 1980)
    tool.view.fit_all()
    with qtbot.waitSignal(tool.changed):
        QTest.mouseClick(tool.add_button, Qt.MouseButton.LeftButton)
    (added,) = [e for e in service.events(storyteller_uuid) if e.title == NEW_TITLE]
    assert added.starts is None and added.valence is None
    # It waits in the tray, chosen, with the panel open to type its title.
    assert tool.tray_row.isVisibleTo(tool)
    assert [tool.tray.item(i).text() for i in range(tool.tray.count())] == [NEW_TITLE]
    assert tool.tray.currentItem() is not None and tool.tray.currentItem().isSelected()
    assert tool.selected_uuid() == added.uuid
    assert tool.scene.item_for(added.uuid) is None
    assert tool.panel.isVisible() and tool.panel.title.hasFocus()
    assert tool.panel.when.text() == ""
    assert "Not yet placed in time" in tool.panel.when_reading.text()
    assert tool.panel.feeling.current_text() == "Not said"
    assert not tool.panel.earlier.isEnabled()

    # Only a title typed: still no date and no feeling.
    QTest.keyClicks(tool.panel.title, "The allotment")
    QTest.keyClick(tool.panel.title, Qt.Key.Key_Tab)
    kept = service.get_event(added.uuid)
    assert kept.title == "The allotment"
    assert kept.starts is None and kept.valence is None

    # A date typed places it; the feeling is still not said.
    tool.panel.when.setFocus()
    QTest.keyClicks(tool.panel.when, "spring 2015")
    QTest.keyClick(tool.panel.when, Qt.Key.Key_Return)
    placed = service.get_event(added.uuid)
    assert placed.starts == parse("spring 2015") and placed.valence is None
    assert not tool.tray_row.isVisibleTo(tool)
    assert tool.scene.item_for(added.uuid) is not None

    # Undo takes the date off again; the moment goes back to the tray.
    tool._context.undo_stack.undo()
    assert service.get_event(added.uuid).starts is None
    assert tool.tray.count() == 1


def test_the_keyboard_way_to_add_needs_no_picture_and_invents_nothing(
    tool: TimelineTool, vault: VaultSession, storyteller_uuid: str
) -> None:
    tool.show_storyteller(storyteller_uuid, None)
    uuid = tool.add_event()
    assert uuid is not None
    added = TimelineService(vault).get_event(uuid)
    assert added.starts is None and added.valence is None


def test_the_tray_and_the_feeling_choice_fit_at_1366_by_768(
    tool: TimelineTool, vault: VaultSession, storyteller_uuid: str
) -> None:
    service = TimelineService(vault)
    for title, when, valence in (
        ("Born", "1980", 1),
        ("Moved", "2003", None),
        ("Hard", "2010", -2),
    ):
        service.add_event(
            storyteller_uuid, title=title, starts=when, valence=valence, author=FACILITATOR
        )
    tool.show_storyteller(storyteller_uuid, 1980)
    tool.view.fit_all()
    tool.add_in_view()
    assert tool.tray.isVisible() and tool.tray_label.isVisible()
    not_said = tool.panel.feeling.buttons[None]
    assert not_said.isVisible()
    # The whole of "Not said" shows on its button: it is not cut short.
    assert not_said.width() >= not_said.fontMetrics().horizontalAdvance("✓ Not said") + 24


def _drag_to(tool: TimelineTool, uuid: str, point: QPoint) -> None:
    data = tool.tray.mimeData([tool.tray.item(0)])
    assert data.formats() == [MOMENT_MIME]  # its id only: no title or words leave in a drag
    assert bytes(data.data(MOMENT_MIME).data()).decode() == uuid
    viewport = tool.view.viewport()
    copy = Qt.DropAction.CopyAction
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QApplication.sendEvent(viewport, QDragEnterEvent(point, copy, data, left, none))
    move = QDragMoveEvent(point, copy, data, left, none)
    QApplication.sendEvent(viewport, move)
    assert move.isAccepted()
    assert "Let go to place" in tool.notice.text()
    drop = QDropEvent(QPointF(point), copy, data, left, none)
    QApplication.sendEvent(viewport, drop)
    assert drop.isAccepted()


def test_dragging_a_moment_from_the_tray_onto_the_picture_gives_it_that_date(
    tool: TimelineTool, vault: VaultSession, storyteller_uuid: str
) -> None:
    service = TimelineService(vault)
    service.add_event(storyteller_uuid, title="Born", starts="1980", author=FACILITATOR)
    service.add_event(storyteller_uuid, title="Hard", starts="2020", author=FACILITATOR)
    tool.show_storyteller(storyteller_uuid, 1980)
    tool.view.fit_all()
    uuid = tool.add_in_view()
    assert uuid is not None
    layout = tool.scene.layout
    x = layout.scale.x_of_day(datetime.date(2003, 7, 1).toordinal())
    point = tool.view.mapFromScene(QPointF(x, layout.bands.line_of_valence(2)))
    _drag_to(tool, uuid, point)
    placed = service.get_event(uuid)
    assert placed.starts == FuzzyDate.in_year(2003)  # a year, at this zoom
    assert placed.valence is None  # placing in time says nothing of how it felt
    assert tool.tray.count() == 0 and tool.scene.item_for(uuid) is not None
    assert tool.selected_uuid() == uuid and tool.notice.text() == ""
    tool._context.undo_stack.undo()
    assert service.get_event(uuid).starts is None and tool.tray.count() == 1


def test_a_moment_whose_own_words_say_when_keeps_them_when_dropped(
    tool: TimelineTool, vault: VaultSession, storyteller_uuid: str
) -> None:
    service = TimelineService(vault)
    service.add_event(storyteller_uuid, title="Born", starts="1980", author=FACILITATOR)
    waiting = service.add_event(
        storyteller_uuid, title="First kiss", starts="when I was 15", author=FACILITATOR
    )
    tool.show_storyteller(storyteller_uuid, None)  # no year of birth: it waits in the tray
    tool.view.fit_all()
    assert tool.tray.count() == 1
    data = tool.tray.mimeData([tool.tray.item(0)])
    move = QDragEnterEvent(
        tool.view.viewport().rect().center(),
        Qt.DropAction.CopyAction,
        data,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(tool.view.viewport(), move)
    assert not move.isAccepted()
    assert "already says when" in tool.notice.text()
    assert service.get_event(waiting.uuid).starts == parse("when I was 15")


def test_emptying_the_date_in_the_panel_takes_it_off_and_nothing_moves_an_undated_moment(
    tool: TimelineTool, vault: VaultSession, storyteller_uuid: str
) -> None:
    service = TimelineService(vault)
    moment = service.add_event(
        storyteller_uuid, title="Allotment", starts="2018", author=FACILITATOR
    )
    tool.show_storyteller(storyteller_uuid, 1980)
    tool.open_editor(moment.uuid)
    tool.panel.when.setFocus()
    tool.panel.when.selectAll()
    QTest.keyClick(tool.panel.when, Qt.Key.Key_Delete)
    QTest.keyClick(tool.panel.when, Qt.Key.Key_Return)
    assert service.get_event(moment.uuid).starts is None
    assert tool._context.undo_stack.undoText() == "Take the date off “Allotment”"
    assert tool.tray.count() == 1 and tool.selected_uuid() == moment.uuid
    # "Earlier" and "Later" have nothing to move: they say so, and change nothing.
    tool.shift_event(moment.uuid, 1)
    assert "no date yet" in tool.notice.text()
    assert service.get_event(moment.uuid).starts is None

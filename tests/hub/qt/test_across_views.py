"""The views across stories on the practice room: what they show, what a click and a highlight
do, what they export (PNG, SVG, CSV: whole, or not at all), and that clearing drops every
personal word."""

from __future__ import annotations

import csv
import io
import os
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QLabel,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storycapture.domain.vocabulary import Helped, LifeArea
from storycapture.hub.across import (
    HELP_CSV_HEADER,
    Alignment,
    ExportNotSaved,
    ServiceKind,
    help_across,
)
from storycapture.hub.qt.across import (
    AcrossStories,
    AlignedLifelinesView,
    HelpSeekingView,
    MatrixView,
)
from storycapture.hub.qt.across_kit import AcrossView
from storycapture.hub.qt.context import RoomContext
from tests.hub.conftest import TEAM, DemoRoom

SIZES = ((1366, 768), (1920, 1080))


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder to save into (the practice room's vault is beside it)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


@pytest.fixture
def context(demo_room: DemoRoom) -> Iterator[RoomContext]:
    yield RoomContext(demo_room.vault, QUndoStack(), lambda: TEAM)


def _made(qtbot: QtBot, view: QWidget) -> QWidget:
    qtbot.addWidget(view)
    return view


def _every_word(widget: QWidget) -> str:
    """Every word a widget and its children show or tell a screen reader."""
    words: list[str] = []
    for child in [widget, *widget.findChildren(QWidget)]:
        words += [child.toolTip(), child.accessibleName(), child.accessibleDescription()]
        if isinstance(child, QLabel | QAbstractButton):
            words.append(child.text())
        if isinstance(child, QComboBox):
            words += [child.itemText(i) for i in range(child.count())]
        if isinstance(child, QAbstractItemView) and child.model() is not None:
            model = child.model()
            rows = model.rowCount(QModelIndex())
            try:
                columns = model.columnCount(QModelIndex())
            except TypeError:  # a list's own model keeps its one column private
                columns = 1
            for row in range(rows):
                for column in range(columns):
                    index = model.index(row, column)
                    for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                        words.append(str(model.data(index, role) or ""))
            for column in range(columns):
                words.append(str(model.headerData(column, Qt.Orientation.Horizontal) or ""))
            for row in range(rows):
                words.append(str(model.headerData(row, Qt.Orientation.Vertical) or ""))
    return "\n".join(words)


def _personal_words(demo_room: DemoRoom) -> list[str]:
    excerpts = [demo_room.room.excerpt(uuid).text for uuid in demo_room.excerpts]
    return [
        *demo_room.people,  # pseudonyms
        *demo_room.themes,  # theme names
        *(" ".join(text.split())[:30] for text in excerpts),
    ]


# --- the matrix --------------------------------------------------------------------------------


def test_the_matrix_shows_who_has_excerpts_in_which_theme(
    qtbot: QtBot, context: RoomContext, demo_room: DemoRoom
) -> None:
    view = _made(qtbot, MatrixView(context))
    assert isinstance(view, MatrixView)
    view.refresh()
    model = view.model
    rows = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
    assert rows == ["Marigold", "Moth", "Wren"]  # everyone with an excerpt, by pseudonym
    columns = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert columns == ["Waiting for help\nin 1 story", "Nature and outdoors\nin 1 story"]
    shown = {(r, c): model.data(model.index(r, c)) for r in range(3) for c in range(2)}
    assert shown == {(0, 0): "", (0, 1): "1", (1, 0): "", (1, 1): "", (2, 0): "1", (2, 1): ""}
    assert model.data(model.index(2, 0), Qt.ItemDataRole.AccessibleTextRole) == (
        "Wren: 1 excerpt in “Waiting for help”"
    )
    assert "3 stories with excerpts, 2 themes, 2 excerpts in a theme" in view.summary.text()


def test_clicking_a_cell_lists_its_excerpts_and_opening_one_opens_its_story(
    qtbot: QtBot, context: RoomContext, demo_room: DemoRoom
) -> None:
    view = _made(qtbot, MatrixView(context))
    assert isinstance(view, MatrixView)
    view.resize(1366, 768)
    view.show()
    view.refresh()
    wren_waiting = view.model.index(2, 0)
    cell = view.table.visualRect(wren_waiting).center()
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    wren_words = demo_room.room.excerpt(demo_room.excerpts[1]).text
    listed = view.excerpt_words()
    assert len(listed) == 1 and " ".join(wren_words.split()) in listed[0]
    assert "Wren · their own words · marked by Dana" in listed[0]
    assert view.cell_heading.text().startswith("1 excerpt of Wren’s story in “Waiting for help”")
    empty = view.table.visualRect(view.model.index(1, 0)).center()  # Moth, no theme
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=empty)
    assert view.excerpt_words() == []
    assert "No excerpts of Moth’s story" in view.cell_heading.text()
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=cell)
    view.excerpt_list.setCurrentRow(0)
    view.excerpt_list.setFocus()
    with qtbot.waitSignal(context.signals.open_excerpt, timeout=1000) as opened:
        qtbot.keyClick(view.excerpt_list, Qt.Key.Key_Return)
    assert opened.args == [demo_room.excerpts[1]]
    with qtbot.waitSignal(context.signals.open_excerpt, timeout=1000) as opened:
        qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [demo_room.excerpts[1]]


def test_the_matrix_reads_again_when_the_room_changes(
    qtbot: QtBot, context: RoomContext, demo_room: DemoRoom
) -> None:
    view = _made(qtbot, MatrixView(context))
    assert isinstance(view, MatrixView)
    view.show()
    view.refresh()
    assert view.model.columnCount() == 2
    demo_room.room.add_theme("Being listened to", author=TEAM)
    context.signals.changed.emit()
    assert view.model.columnCount() == 3  # on show: read at once
    view.hide()
    demo_room.room.add_theme("Money worries", author=TEAM)
    context.signals.changed.emit()
    assert view.model.columnCount() == 3  # hidden: read when next shown
    view.show()
    assert view.model.columnCount() == 4


# --- help sought -------------------------------------------------------------------------------


def test_help_seeking_shows_the_counts_and_every_row(
    qtbot: QtBot, context: RoomContext, demo_room: DemoRoom
) -> None:
    view = _made(qtbot, HelpSeekingView(context))
    assert isinstance(view, HelpSeekingView)
    view.refresh()
    expected = help_across(demo_room.vault)
    assert view.counts_by_kind() == expected.counts()
    assert view.table.model().rowCount() == len(expected.rows) > 20
    headers = [
        view.table.model().headerData(c, Qt.Orientation.Horizontal)
        for c in range(view.table.model().columnCount())
    ]
    assert tuple(headers) == HELP_CSV_HEADER
    gp = expected.counts()[ServiceKind.GP]
    said = view.chart.accessibleDescription()
    assert f"GP or doctor: asked {sum(gp.values())} times" in said
    assert f"helped {gp[Helped.YES]}" in said
    assert f"Help was sought {len(expected.rows)} times in 6 stories" in view.summary.text()


# --- lifelines ---------------------------------------------------------------------------------


def test_a_highlight_changes_what_the_lifelines_picture_emphasises(
    qtbot: QtBot, context: RoomContext, demo_room: DemoRoom
) -> None:
    view = _made(qtbot, AlignedLifelinesView(context))
    assert isinstance(view, AlignedLifelinesView)
    view.refresh()
    picture = view.picture
    assert picture.aligned is not None and picture.aligned.alignment is Alignment.AGE
    assert not picture.emphasis.active and not picture.emphasis.moments
    assert picture.aligned.no_birth_year == ("Moth",)
    assert "No birth year, so not lined up by age: Moth." in view.summary.text()
    nature = demo_room.themes["Nature and outdoors"].uuid
    view.theme_choice.setCurrentIndex(view.theme_choice.findText("Nature and outdoors"))
    marigold = demo_room.people["Marigold"]
    assert picture.emphasis.theme == nature
    assert picture.emphasis.lines == {marigold} and len(picture.emphasis.moments) == 1
    assert "Highlighted: 1 moment in “Nature and outdoors” on 1 life." in view.summary.text()
    view.area_choice.setCurrentIndex(view.area_choice.findText(LifeArea.MENTAL_HEALTH.label))
    assert view.theme_choice.currentIndex() == 0  # one highlight at a time
    assert picture.emphasis.life_area is LifeArea.MENTAL_HEALTH and picture.emphasis.theme is None
    on_lines = {
        p.moment_uuid
        for line in picture.aligned.lines
        for p in line.drawn()
        if p.life_area is LifeArea.MENTAL_HEALTH
    }
    assert picture.emphasis.moments == on_lines and len(on_lines) > 3
    qtbot.mouseClick(view.by_calendar, Qt.MouseButton.LeftButton)
    assert picture.aligned.alignment is Alignment.CALENDAR
    assert demo_room.people["Moth"] in {line.storyteller_uuid for line in picture.aligned.lines}
    assert view.by_calendar.objectName() == "primary" and view.by_age.objectName() == ""
    view.area_choice.setCurrentIndex(0)
    assert not picture.emphasis.active


# --- exports -----------------------------------------------------------------------------------


@pytest.mark.parametrize("view_class", [MatrixView, HelpSeekingView, AlignedLifelinesView])
def test_each_view_exports_a_png_an_svg_and_a_csv(
    qtbot: QtBot, context: RoomContext, out: Path, view_class: type[AcrossView]
) -> None:
    view = _made(qtbot, view_class(context))
    assert isinstance(view, AcrossView)
    view.refresh()
    png = view.save_png(out / "view.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000
    svg = ElementTree.fromstring(view.save_svg(out / "view.svg").read_bytes())
    assert svg.tag.endswith("svg")
    text = (out / "view.svg").read_text(encoding="utf-8")
    assert "<svg" in text and view.title in text
    rows = list(csv.reader(io.StringIO(view.save_csv(out / "view.csv").read_text("utf-8-sig"))))
    header = {
        MatrixView: ["Storyteller", "Waiting for help", "Nature and outdoors"],
        HelpSeekingView: list(HELP_CSV_HEADER),
        AlignedLifelinesView: ["Storyteller", "Moment", "When", "Age"],
    }[view_class]
    assert rows[0][: len(header)] == header and len(rows) > 2
    assert sorted(os.listdir(out)) == ["view.csv", "view.png", "view.svg"]


@pytest.mark.parametrize("kind", ["png", "svg", "csv"])
def test_an_export_that_cannot_be_written_says_so_and_leaves_no_file(
    qtbot: QtBot, context: RoomContext, out: Path, kind: str
) -> None:
    view = _made(qtbot, MatrixView(context))
    assert isinstance(view, MatrixView)
    view.refresh()
    with pytest.raises(ExportNotSaved, match="nothing was saved"):
        view.save(kind, out / "not-here" / f"matrix.{kind}")
    assert os.listdir(out) == []


def test_the_export_menu_asks_where_and_says_what_happened(
    qtbot: QtBot,
    context: RoomContext,
    out: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    view = _made(qtbot, AlignedLifelinesView(context))
    assert isinstance(view, AlignedLifelinesView)
    view.refresh()
    chosen = [str(out / "lifelines")]  # no ending typed: ".png" is added
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *args, **kw: (chosen[0], "PNG pictures (*.png)")
    )
    actions = view.export_button.menu().actions()
    assert [a.text() for a in actions] == [
        "A picture (PNG)…",
        "A drawing for slides (SVG)…",
        "A table for a spreadsheet (CSV)…",
    ]
    actions[0].trigger()
    assert (out / "lifelines.png").read_bytes().startswith(b"\x89PNG")
    assert view.news.text() == f"Saved as {out / 'lifelines.png'}."
    assert view.news.objectName() == "subtle"
    chosen[0] = str(out / "gone" / "lifelines.csv")
    actions[2].trigger()
    assert "folder isn't there" in view.news.text() and view.news.objectName() == "problem"
    assert not (out / "gone").exists()


# --- locking and the tabs ---------------------------------------------------------------------


def test_clear_leaves_no_personal_words_in_any_view(
    qtbot: QtBot, context: RoomContext, demo_room: DemoRoom
) -> None:
    page = _made(qtbot, AcrossStories(context))
    assert isinstance(page, AcrossStories)
    page.resize(1366, 768)
    page.show()
    for view in page.views:
        view.refresh()
    page.matrix.choose_cell(demo_room.people["Wren"], demo_room.themes["Waiting for help"].uuid)
    page.lifelines.highlight_theme(demo_room.themes["Waiting for help"].uuid)
    words = _personal_words(demo_room)
    before = _every_word(page)
    assert all(word in before for word in words[:4])  # the check can see them when shown
    assert "Wren" in before and "Waiting for help" in before
    page.clear()
    after = _every_word(page)
    left = [word for word in words if word in after]
    assert left == []
    assert page.lifelines.picture.aligned is None and page.matrix.matrix is None
    assert page.help.across is None


def test_the_page_reads_only_the_tab_on_show(
    qtbot: QtBot, context: RoomContext, demo_room: DemoRoom
) -> None:
    page = _made(qtbot, AcrossStories(context))
    assert isinstance(page, AcrossStories)
    page.show()
    page.refresh()
    assert page.matrix.matrix is not None
    assert page.help.across is None and page.lifelines.picture.aligned is None
    page.tabs.setCurrentWidget(page.help)
    assert page.help.across is not None  # read as it is shown
    page.tabs.setCurrentWidget(page.lifelines)
    assert page.lifelines.picture.aligned is not None
    demo_room.vault.lock()
    page.refresh()  # a locked vault shows nothing, and raises nothing
    assert page.lifelines.picture.aligned is None


@pytest.mark.parametrize("size", SIZES)
def test_every_view_renders_at_laptop_and_desktop_sizes(
    qtbot: QtBot, context: RoomContext, tmp_path: Path, size: tuple[int, int]
) -> None:
    page = _made(qtbot, AcrossStories(context))
    assert isinstance(page, AcrossStories)
    page.resize(*size)
    page.show()
    for index, view in enumerate(page.views):
        page.tabs.setCurrentIndex(index)
        view.refresh()
        shot = page.grab()
        assert (shot.width(), shot.height()) == size
        assert shot.save(str(tmp_path / f"{view.file_stem}.png"))
        # Nothing of the view is pushed off the window: its heading and export button fit.
        assert view.export_button.geometry().right() <= view.width()
        assert view.export_button.isVisible()
    assert isinstance(page.matrix.table.currentIndex(), QModelIndex)


def test_across_stories_reads_what_is_there_when_first_shown(
    qtbot: QtBot, context: RoomContext
) -> None:
    """Opened fresh, with nothing changed meanwhile, each view reads the vault as it is shown
    (a room opened on a hub showed empty pictures once)."""
    across = AcrossStories(context)
    qtbot.addWidget(across)
    across.show()
    assert across.matrix.matrix is not None and across.matrix.matrix.storytellers
    across.tabs.setCurrentIndex(1)
    assert across.help.summary.text()
    across.tabs.setCurrentIndex(2)
    assert across.lifelines.summary.text()

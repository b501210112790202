"""Storyteller mode on a small laptop: the moment's panel shows one part at a time (its words,
when, how it felt, asking for help and what came of it, who may see it, photos), and each part
fits 1366×768 in the mode's large type whole: no box scrolls inside another, nothing is cut."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from storycapture.domain.story import HelpSeeking
from storycapture.domain.vocabulary import Helped, LifeArea
from storycapture.gui.settings import AppSettings
from storycapture.gui.theme import apply_theme
from storycapture.gui.window import MainWindow
from storycapture.services.vault import VaultSession
from storycapture.timeline.layout import LARGE
from storycapture.timeline.qt.panel import EventPanel
from storycapture.timeline.qt.tool import TimelineTool
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, add_consenting_storyteller, fast_kdf
from tests.gui.test_storyteller_mode_hands import open_in_storyteller_mode

LONG_WORDS = (
    "We had the allotment for eleven years. Dad grew beans up the fence and I was in charge of "
    "the watering can, which was nearly as big as me. " * 3
)
EVERY_PART = [
    "Their words",
    "When",
    "How it felt",
    "Asking for help",
    "What came of it",
    "Who may see it",
    "Photos and more",
]

HELP_PARTS = ("Asking for help", "What came of it")


def _story(data_dir: Path) -> None:
    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        person = add_consenting_storyteller(vault)
        timeline = TimelineService(vault)
        timeline.add_event(
            person,
            title="The allotment with Dad, every summer until the year he was ill",
            starts="summer 1988",
            ends="1999",
            valence=3,
            words=LONG_WORDS,
            author=FACILITATOR,
        )
        timeline.add_event(
            person,
            title="Asked the doctor about sleeping",
            starts="winter 2019",
            valence=-1,
            life_area=LifeArea.HELP_SEEKING,
            help=HelpSeeking(
                asked_for="Help with not sleeping",
                from_whom="The doctor at the surgery on the corner",
                what_happened="She listened, and sent me to a group that met on Tuesdays.",
                helped=Helped.PARTLY,
            ),
            author=FACILITATOR,
        )
    finally:
        vault.lock()


def _mode(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> tuple[MainWindow, TimelineTool]:
    _story(data_dir)
    window, mode = open_in_storyteller_mode(qtbot, data_dir, app_settings)
    mode.set_current_page(0)
    tool = mode.page_stack.currentWidget()
    assert isinstance(tool, TimelineTool)
    qtbot.waitUntil(lambda: tool.view.viewport().height() > 1)
    return window, tool


def _settle() -> None:
    for _ in range(4):
        QApplication.processEvents()


def _open(tool: TimelineTool, title: str) -> None:
    uuid = next(e.uuid for e in tool._events.values() if e.title.startswith(title))
    tool.open_editor(uuid)
    _settle()


def _whole(window: MainWindow, panel: EventPanel) -> list[str]:
    """What of the part shown does not fit: an inner scroll, or a widget past the window."""
    wrong = []
    form = panel._form
    if panel._scroll.verticalScrollBar().isVisible():
        wrong.append(
            f"{panel.current_part()}: scrolls ({form.minimumSizeHint().height()} px "
            f"in {panel._scroll.viewport().height()} px; wants "
            f"{form.layout().heightForWidth(panel._scroll.viewport().width())} px at "
            f"{panel._scroll.viewport().width()} px wide)"
        )
    right = window.width()
    for widget in [panel, *panel.findChildren(QWidget)]:
        if not widget.isVisible() or widget.width() <= 1:
            continue
        edge = widget.mapTo(window, QPoint(widget.width() - 1, 0)).x()
        if edge >= right:
            wrong.append(f"{panel.current_part()}: {widget.accessibleName() or widget} is cut off")
    return wrong


def test_each_part_of_a_moment_fits_the_mode_on_a_small_laptop(
    qtbot: QtBot, restored_app: QApplication, data_dir: Path, app_settings: AppSettings
) -> None:
    apply_theme(restored_app, "light", 1.0)
    window, tool = _mode(qtbot, data_dir, app_settings)
    panel = tool.panel
    assert panel.is_stepped()
    wrong: list[str] = []
    for title, parts in (
        (
            "The allotment",
            [p for p in EVERY_PART if p not in ("Asking for help", "What came of it")],
        ),
        ("Asked the doctor", EVERY_PART),
    ):
        _open(tool, title)
        assert panel.parts() == parts
        assert panel.current_part() == "Their words"
        seen = []
        while True:
            seen.append(panel.current_part())
            assert panel.heading.text().startswith(panel.current_part())
            assert f"({len(seen)} of {len(parts)})" in panel.heading.text()
            wrong += _whole(window, panel)
            if not panel.step_next.isEnabled():
                break
            QTest.mouseClick(panel.step_next, Qt.MouseButton.LeftButton)
            _settle()
        assert seen == parts
        QTest.mouseClick(panel.step_back, Qt.MouseButton.LeftButton)
        _settle()
        assert panel.current_part() == parts[-2]
    assert not wrong, "\n".join(wrong)


def test_a_date_that_cannot_be_kept_brings_its_part_into_sight(
    qtbot: QtBot, restored_app: QApplication, data_dir: Path, app_settings: AppSettings
) -> None:
    apply_theme(restored_app, "light", 1.0)
    _window, tool = _mode(qtbot, data_dir, app_settings)
    panel = tool.panel
    _open(tool, "The allotment")
    panel.show_part("When")
    panel.when.setFocus()
    panel.when.selectAll()
    QTest.keyClicks(panel.when, "the thirteenth month")
    QTest.keyClick(panel.when, Qt.Key.Key_Return)
    _settle()
    assert panel.when_problem.isVisible()
    panel.show_part("Who may see it")
    tool.panel.show_event(tool._events[panel.shown_event.uuid])  # type: ignore[union-attr]
    _settle()
    assert panel.current_part() == "When", "the words kept but not saved are out of sight"
    assert panel.when.text() == "the thirteenth month"


def test_the_facilitator_sees_the_whole_moment_at_once(
    qtbot: QtBot, restored_app: QApplication, data_dir: Path, app_settings: AppSettings
) -> None:
    """Out of the mode the panel is one form again, every part in it."""
    apply_theme(restored_app, "light", 1.0)
    window, _tool = _mode(qtbot, data_dir, app_settings)
    mode = window.mode
    assert mode is not None
    mode.request_leave()
    assert mode.try_passphrase(PASSPHRASE)
    _settle()
    assert window.mode is None
    stories = window.stories
    assert stories is not None
    page = stories.storyteller
    page.tabs.setCurrentIndex(1)
    facilitator_tool = page.timeline
    assert not facilitator_tool.panel.is_stepped()
    _open(facilitator_tool, "Asked the doctor")
    panel = facilitator_tool.panel
    for _name, holder in panel._sections:
        assert holder.isVisible()
    assert not panel.step_back.isVisible() and not panel.step_next.isVisible()
    assert panel.heading.text() == "About this moment"


@pytest.mark.parametrize(("scale", "grows"), [(1.0, LARGE), (1.25, LARGE / 1.25), (2.0, 1.0)])
def test_the_pictures_large_type_and_a_chosen_text_size_do_not_multiply(
    qtbot: QtBot,
    restored_app: QApplication,
    data_dir: Path,
    app_settings: AppSettings,
    scale: float,
    grows: float,
) -> None:
    """In the mode the picture's words are half as large again as normal, unless the text size
    chosen in Settings has made them as large already (at 200% they would be 3 times)."""
    apply_theme(restored_app, "light", scale)
    app_settings.interface_scale = scale
    window, tool = _mode(qtbot, data_dir, app_settings)
    mode = window.mode
    assert mode is not None
    in_the_mode = tool.scene.kit.font.pointSizeF()
    mode.try_passphrase(PASSPHRASE)
    _settle()
    assert window.stories is not None
    normal = window.stories.storyteller.timeline.scene.kit.font.pointSizeF()
    assert in_the_mode == pytest.approx(normal * grows, rel=0.02)


@pytest.mark.parametrize("scale", [1.5, 2.0])
def test_on_a_compact_screen_the_picture_and_the_moment_below_it_never_overlap(
    qtbot: QtBot,
    restored_app: QApplication,
    data_dir: Path,
    app_settings: AppSettings,
    scale: float,
) -> None:
    """Large text on a small laptop puts the moment below the picture: the picture's ruler of
    years was drawn over the moment's first row (the ◀ of its parts was half hidden)."""
    apply_theme(restored_app, "light", scale)
    app_settings.interface_scale = scale
    _window, tool = _mode(qtbot, data_dir, app_settings)
    _open(tool, "Asked the doctor")
    picture_bottom = tool.axis_ruler.mapTo(tool, QPoint(0, tool.axis_ruler.height())).y()
    panel_top = tool.panel.mapTo(tool, QPoint(0, 0)).y()
    assert picture_bottom <= panel_top, (
        f"the years overlap the moment by {picture_bottom - panel_top} px"
    )
    # and the part shown is whole: the page scrolls down to it, the panel never inside itself
    for part in tool.panel.parts():
        tool.panel.show_part(part)
        bar = tool.panel._scroll.verticalScrollBar()
        qtbot.waitUntil(lambda bar=bar: not bar.isVisible(), timeout=3000)

"""Storyteller mode for shaky hands and low vision: every target a finger's size, Undo and Redo
in sight and named, a moment moved only on purpose, and moments added by a button."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAccessible
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QGraphicsView,
    QLineEdit,
    QScrollBar,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storycapture.domain.vocabulary import CardKind
from storycapture.gui.settings import AppSettings
from storycapture.gui.storyteller_mode import MIN_TARGET_PX, SCROLL_BAR_PX, StorytellerMode
from storycapture.gui.theme import apply_theme
from storycapture.gui.window import MainWindow
from storycapture.qtkit.looks import current_scale
from storycapture.services.vault import VaultSession
from storycapture.strengths.qt.tool import StrengthsTool
from storycapture.timeline.qt.tool import TimelineTool
from storycapture.timeline.qt.view import STEADY_HOLD_MS
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, add_consenting_storyteller, fast_kdf
from tests.timeline.test_tool import mark_point

STRENGTH = CardKind.STRENGTH
CLICKABLE = (QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox)


def _vault_with_a_story(data_dir: Path) -> None:
    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        person = add_consenting_storyteller(vault)
        timeline = TimelineService(vault)
        for title, starts, valence in (
            ("Moved to Leeds", "spring 2015", 2),
            ("Started at the bakery", "2018", 1),
            ("A hard winter", "winter 2020", -2),
        ):
            timeline.add_event(
                person, title=title, starts=starts, valence=valence, author=FACILITATOR
            )
    finally:
        vault.lock()


def _in_the_mode(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> tuple[MainWindow, StorytellerMode]:
    _vault_with_a_story(data_dir)
    return open_in_storyteller_mode(qtbot, data_dir, app_settings)


def open_in_storyteller_mode(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> tuple[MainWindow, StorytellerMode]:
    """The window on the vault in ``data_dir``, unlocked and handed over at 1366×768."""
    window = MainWindow(data_dir, app_settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window._built)
    window.unlock_vault(PASSPHRASE)
    window.enter_storyteller_mode()
    panel = window.pages.currentWidget()
    panel.submit()  # type: ignore[attr-defined]
    mode = window.mode
    assert isinstance(mode, StorytellerMode)
    window.showNormal()
    window.resize(1366, 768)
    return window, mode


def _timeline(qtbot: QtBot, mode: StorytellerMode) -> TimelineTool:
    mode.set_current_page(0)
    page = mode.page_stack.currentWidget()
    assert isinstance(page, TimelineTool)
    qtbot.waitUntil(lambda: page.view.viewport().height() > 1)
    return page


def _too_small(mode: StorytellerMode) -> list[str]:
    """Every visible widget in the mode a finger presses or types in, smaller than 48 px; and
    every scroll bar narrower than 24 px (WCAG 2.5.8), or with a handle shorter than 48."""
    least = round(MIN_TARGET_PX * current_scale())
    small = []
    for bar in mode.findChildren(QScrollBar):
        if not bar.isVisible():
            continue
        across = bar.width() if bar.orientation() == Qt.Orientation.Vertical else bar.height()
        option = QStyleOptionSlider()
        bar.initStyleOption(option)
        handle = bar.style().subControlRect(
            QStyle.ComplexControl.CC_ScrollBar, option, QStyle.SubControl.SC_ScrollBarSlider, bar
        )
        along = max(handle.width(), handle.height())
        if across < round(SCROLL_BAR_PX * current_scale()) or along < least:
            small.append(f"{bar.accessibleName() or 'scroll bar'}: {across} across, {along}")
    for widget in mode.findChildren(QWidget):
        if not isinstance(widget, CLICKABLE) or not widget.isVisible():
            continue
        if widget.width() < least or widget.height() < least:
            name = widget.accessibleName() or widget.objectName() or type(widget).__name__
            small.append(f"{name}: {widget.width()}×{widget.height()}")
    return small


@pytest.mark.parametrize("scale", [1.0, 1.5], ids=["normal", "large-type"])
def test_every_target_in_the_mode_is_at_least_48_px(
    qtbot: QtBot,
    data_dir: Path,
    app_settings: AppSettings,
    restored_app: QApplication,
    scale: float,
) -> None:
    app_settings.interface_scale = scale
    apply_theme(restored_app, "light", scale)
    window, mode = _in_the_mode(qtbot, data_dir, app_settings)
    timeline = _timeline(qtbot, mode)
    # The moment panel open, as when someone changes a moment.
    timeline.open_editor(timeline.events()[0].uuid)
    qtbot.waitUntil(lambda: timeline.panel.isVisible())
    pages = mode.page_stack.count()
    for page in range(pages):
        mode.set_current_page(page)
        current = mode.page_stack.currentWidget()
        if isinstance(current, StrengthsTool):
            # A card chosen, so its editor (words, colours, whose words) is in sight.
            current.add_card(STRENGTH, "Patient with people")
        qtbot.wait(1)
        small = _too_small(mode)
        assert small == [], f"page {page + 1}: {small}"
    assert mode.try_passphrase(PASSPHRASE)
    assert window.mode is None


def test_undo_and_redo_are_in_sight_and_name_the_step(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    window, mode = _in_the_mode(qtbot, data_dir, app_settings)
    timeline = _timeline(qtbot, mode)
    assert mode.undo_button.isVisible() and mode.redo_button.isVisible()
    assert not mode.undo_button.isEnabled() and not mode.redo_button.isEnabled()
    assert mode.undo_button.text() == "Undo"

    (leeds,) = [e for e in timeline.events() if e.title == "Moved to Leeds"]
    timeline.shift_event(leeds.uuid, 1)
    service = TimelineService(window.vault)  # type: ignore[arg-type]
    moved = service.get_event(leeds.uuid).starts
    assert moved != leeds.starts
    assert mode.undo_button.isEnabled()
    assert mode.undo_button.text().startswith("Undo: Move “Moved")
    assert mode.undo_button.accessibleName() == "Undo: Move “Moved to Leeds” later"

    mode.undo_button.click()
    assert service.get_event(leeds.uuid).starts == leeds.starts
    assert not mode.undo_button.isEnabled()
    assert mode.redo_button.isEnabled()
    assert mode.redo_button.accessibleName() == "Redo: Move “Moved to Leeds” later"
    mode.redo_button.click()
    assert service.get_event(leeds.uuid).starts == moved
    assert mode.undo_button.isEnabled() and not mode.redo_button.isEnabled()


def test_a_moment_dropped_in_the_mode_comes_back_with_one_tap_on_undo(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    window, mode = _in_the_mode(qtbot, data_dir, app_settings)
    timeline = _timeline(qtbot, mode)
    assert timeline.view.is_steady()
    now = [1000.0]
    timeline.view.set_clock(lambda: now[0])
    (leeds,) = [e for e in timeline.events() if e.title == "Moved to Leeds"]
    viewport = timeline.view.viewport()
    start = mark_point(timeline, leeds.uuid)
    bands = timeline.scene.layout.bands
    end = start + QPoint(0, round(bands.line_of_valence(3) - bands.line_of_valence(2)))
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    now[0] += STEADY_HOLD_MS
    QTest.mouseMove(viewport, start + (end - start) / 2)
    QTest.mouseMove(viewport, end)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    service = TimelineService(window.vault)  # type: ignore[arg-type]
    assert service.get_event(leeds.uuid).valence != leeds.valence
    assert mode.undo_button.accessibleName() == "Undo: Move “Moved to Leeds”"

    QTest.mouseClick(mode.undo_button, Qt.MouseButton.LeftButton)
    assert service.get_event(leeds.uuid).valence == leeds.valence
    assert service.get_event(leeds.uuid).starts == leeds.starts


def _spoken(view: QWidget) -> list[tuple[str, str]]:
    """What a screen reader hears of each row of a list: its name and its description."""
    interface = QAccessible.queryAccessibleInterface(view)
    assert interface is not None
    rows = []
    for number in range(interface.childCount()):
        child = interface.child(number)
        if child.role() == QAccessible.Role.ListItem:
            rows.append(
                (child.text(QAccessible.Text.Name), child.text(QAccessible.Text.Description))
            )
    return rows


def test_a_screen_reader_hears_each_moment_and_card_in_words(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    _window, mode = _in_the_mode(qtbot, data_dir, app_settings)
    timeline = _timeline(qtbot, mode)
    # One moment in their own words, kept private (as everything added in the mode starts).
    added = timeline.add_event(title="My first flat")
    assert added is not None
    heard = dict(_spoken(timeline.list_view))
    assert heard["Moved to Leeds · spring 2015 · felt good · Other"] == (
        "note by Priya · team: the programme team may read it"
    )
    assert heard["A hard winter · winter 2020 · felt hard · Other"].startswith("note by Priya")
    assert heard[
        "My first flat · no date yet · feeling not said · Other · private · not yet placed in time"
    ] == ("their words · private: stays on this laptop; never shared")

    mode.set_current_page(1)
    strengths = mode.page_stack.currentWidget()
    assert isinstance(strengths, StrengthsTool)
    strengths.add_card(STRENGTH, "Patient with people")
    zone = strengths.zone_view(STRENGTH)
    ((name, description),) = _spoken(zone)
    assert name.startswith("“Patient with people”") and "in their words" in name
    assert description == "in their words · private: stays on this laptop; never shared"


def test_focus_is_always_visible_in_the_mode(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings, restored_app: QApplication
) -> None:
    apply_theme(restored_app, "light", 1.0)  # the app's own style, as the window runs with
    window, mode = _in_the_mode(qtbot, data_dir, app_settings)
    window.activateWindow()
    qtbot.waitActive(window)
    timeline = _timeline(qtbot, mode)
    timeline.open_editor(timeline.events()[0].uuid)
    panel = timeline.panel
    qtbot.waitUntil(lambda: not panel.title.visibleRegion().isEmpty())
    parking = mode.heading  # a label: it takes the focus away without showing any
    parking.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    checked: set[str] = set()
    unseen: list[str] = []

    def look_at_every_focusable_widget() -> None:
        for widget in mode.findChildren(QWidget):
            if not isinstance(widget, (*CLICKABLE, QAbstractItemView, QGraphicsView)):
                continue
            if not widget.isVisible() or not widget.isEnabled():
                continue
            if widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
                continue
            if widget.visibleRegion().isEmpty():
                continue  # scrolled out of sight: looked at once scrolled into view
            parking.setFocus(Qt.FocusReason.OtherFocusReason)
            without = widget.grab().toImage()
            widget.setFocus(Qt.FocusReason.TabFocusReason)
            assert widget.hasFocus()
            name = widget.accessibleName() or type(widget).__name__
            checked.add(name)
            if widget.grab().toImage() == without:
                unseen.append(name)

    look_at_every_focusable_widget()
    for part in panel.parts():  # the moment, one part at a time
        panel.show_part(part)
        look_at_every_focusable_widget()
    assert {
        "Title",
        "Timeline picture",
        "Moments, in time order",
        "How it felt: Hard",
        "Who may see it: Private",
        "Take this moment off the timeline",
        "On to the next part",
    } <= checked
    assert sorted(set(unseen)) == []

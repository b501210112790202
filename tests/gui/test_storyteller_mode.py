"""Storyteller mode: large and calm, nothing leads elsewhere, and leaving needs the facilitator."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenuBar,
    QPlainTextEdit,
    QToolBar,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storycapture.gui.storyteller_mode import (
    MAX_PIN_ATTEMPTS,
    MODE_COLOURS,
    TEXT_PAIRS,
    EnterStorytellerModePanel,
    StorytellerMode,
)

PIN = "4821"
PASSPHRASE = "correct horse battery"


def contrast(first: str, second: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours."""

    def luminance(hex_colour: str) -> float:
        colour = QColor(hex_colour)
        channels = []
        for value in (colour.redF(), colour.greenF(), colour.blueF()):
            channels.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
        red, green, blue = channels
        return 0.2126 * red + 0.7152 * green + 0.0722 * blue

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Passphrases:
    def __init__(self) -> None:
        self.checked: list[str] = []

    def __call__(self, passphrase: str) -> bool:
        self.checked.append(passphrase)
        return passphrase == PASSPHRASE


@pytest.fixture
def make_mode(qtbot: QtBot) -> Callable[..., StorytellerMode]:
    def make(pin: str | None = PIN, check: Callable[[str], bool] | None = None) -> StorytellerMode:
        pages: list[tuple[str, QWidget]] = [
            ("My timeline", QLabel("Timeline page")),
            ("My strengths", QLabel("Strengths page")),
            ("My story", QLabel("Story page")),
        ]
        mode = StorytellerMode("Marigold", pages, check or Passphrases())
        qtbot.addWidget(mode)
        mode.set_pin(pin)
        mode.resize(1366, 768)
        mode.show()
        qtbot.waitExposed(mode)
        return mode

    return make


@pytest.fixture
def mode(make_mode: Callable[..., StorytellerMode]) -> StorytellerMode:
    return make_mode()


def texts(widget: QWidget) -> list[str]:
    """Every piece of text the widget and its children show or name."""
    found = [widget.windowTitle(), widget.accessibleName(), widget.accessibleDescription()]
    for child in [widget, *widget.findChildren(QWidget)]:
        found += [child.accessibleName(), child.accessibleDescription(), child.toolTip()]
        if isinstance(child, QLabel | QAbstractButton | QLineEdit):
            found.append(child.text())
        if isinstance(child, QPlainTextEdit):
            found.append(child.toPlainText())
    return found


# --- how it looks ---------------------------------------------------------------------------


def test_large_type_and_large_targets(mode: StorytellerMode) -> None:
    normal = QApplication.font().pointSizeF()
    buttons = [*mode.tab_buttons(), mode.hand_back_button, mode.contrast_button]
    assert [tab.text() for tab in mode.tab_buttons()] == ["My timeline", "My strengths", "My story"]
    for button in buttons:
        assert button.font().pointSizeF() >= 1.5 * normal, button.text()
        assert button.height() >= 48, button.text()
        assert button.minimumHeight() >= 48, button.text()
        assert button.accessibleName(), button.text()
    assert mode.heading.text() == "Marigold's story"
    assert mode.heading.font().pointSizeF() >= 2 * normal
    page = mode.page_stack.currentWidget()
    assert isinstance(page, QLabel)
    assert page.font().pointSizeF() >= 1.5 * normal


def test_nothing_leads_anywhere_else(mode: StorytellerMode) -> None:
    assert not mode.findChildren(QMenuBar)
    assert not mode.findChildren(QToolBar)
    assert not mode.findChildren(QListView)  # no list of storytellers
    fields = [field for field in mode.findChildren(QLineEdit) if field.isVisible()]
    assert fields == []  # no search box: the only fields are in the hand-back panel
    names = " ".join(texts(mode)).lower()
    for word in ("search", "storytellers", "menu", "settings"):
        assert word not in names


def test_tabs_switch_pages_and_remember_the_place(qtbot: QtBot, mode: StorytellerMode) -> None:
    assert mode.current_page() == 0
    qtbot.mouseClick(mode.tab_buttons()[2], Qt.MouseButton.LeftButton)
    assert mode.current_page() == 2
    assert mode.tab_buttons()[2].isChecked()
    mode.set_current_page(1)
    assert mode.current_page() == 1
    assert mode.tab_buttons()[1].isChecked()
    mode.set_current_page(7)  # out of range: stays put
    assert mode.current_page() == 1


def test_keyboard_only(qtbot: QtBot, mode: StorytellerMode) -> None:
    tabs = mode.tab_buttons()
    for widget in [*tabs, mode.hand_back_button, mode.contrast_button]:
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus
    tabs[0].setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is not tabs[0]
    qtbot.keyClick(tabs[2], Qt.Key.Key_Return)
    assert mode.current_page() == 2
    qtbot.keyClick(mode.hand_back_button, Qt.Key.Key_Return)
    assert mode.is_leaving()
    assert QApplication.focusWidget() is mode.leave_panel.pin
    with qtbot.waitSignal(mode.leave_requested):
        qtbot.keyClicks(mode.leave_panel.pin, PIN)
        qtbot.keyClick(mode.leave_panel.pin, Qt.Key.Key_Return)


def test_focus_is_visible_in_both_looks(mode: StorytellerMode) -> None:
    for high in (False, True):
        mode.set_high_contrast(high)
        focus = mode.colours()["focus"]
        assert re.search(r":focus \{ border: 4px solid " + focus, mode.styleSheet())


def test_high_contrast_changes_the_look_and_reads_at_seven_to_one(mode: StorytellerMode) -> None:
    calm_sheet = mode.styleSheet()
    calm_window = mode.palette().color(QPalette.ColorRole.Window).name()
    assert calm_window == "#fbf7f1"
    qtbot_toggle = mode.contrast_button
    qtbot_toggle.click()
    assert mode.is_high_contrast()
    assert mode.property("highContrast") is True
    assert mode.styleSheet() != calm_sheet
    colours = mode.colours()
    assert mode.palette().color(QPalette.ColorRole.Window).name() == colours["background"]
    assert mode.palette().color(QPalette.ColorRole.WindowText).name() == colours["text"]
    assert {colours["background"], colours["text"], colours["accent"]} == {
        "#000000",
        "#ffffff",
        "#ffd400",
    }
    for text, background in TEXT_PAIRS:
        assert colours[text] in mode.styleSheet()
        assert contrast(colours[text], colours[background]) >= 7.0, (text, background)
    # The toggle is only the mode's: the application keeps its look.
    assert QApplication.palette().color(QPalette.ColorRole.Window).name() != "#000000"
    qtbot_toggle.click()
    assert not mode.is_high_contrast()
    assert mode.styleSheet() == calm_sheet


def test_the_calm_look_reads_well_too() -> None:
    colours = MODE_COLOURS["calm"]
    assert (colours["background"], colours["text"], colours["accent"]) == (
        "#fbf7f1",
        "#2f2a26",
        "#ad5a2c",
    )
    for text, background in TEXT_PAIRS:
        assert contrast(colours[text], colours[background]) >= 4.5, (text, background)


# --- leaving ----------------------------------------------------------------------------------


def test_leaving_is_refused_without_pin_or_passphrase(qtbot: QtBot, mode: StorytellerMode) -> None:
    with qtbot.assertNotEmitted(mode.leave_requested):
        qtbot.mouseClick(mode.hand_back_button, Qt.MouseButton.LeftButton)
        assert mode.is_leaving()
        assert not mode.page_stack.isVisible()  # the story is out of sight meanwhile
        qtbot.mouseClick(mode.leave_panel.leave_button, Qt.MouseButton.LeftButton)
        assert mode.leave_panel.problem.text() == "Please type the PIN first."
        assert mode.attempts_left() == MAX_PIN_ATTEMPTS
        qtbot.mouseClick(mode.leave_panel.back_button, Qt.MouseButton.LeftButton)
    assert not mode.is_leaving()
    assert mode.page_stack.isVisible()


def test_a_wrong_pin_counts_down_kindly(qtbot: QtBot, mode: StorytellerMode) -> None:
    mode.request_leave()
    with qtbot.assertNotEmitted(mode.leave_requested):
        qtbot.keyClicks(mode.leave_panel.pin, "1111")
        qtbot.keyClick(mode.leave_panel.pin, Qt.Key.Key_Return)
        assert mode.attempts_left() == MAX_PIN_ATTEMPTS - 1
        assert mode.leave_panel.problem.text() == "That PIN didn't match. 4 tries left."
        assert mode.leave_panel.problem.isVisible()
        assert mode.leave_panel.pin.text() == ""
        assert not mode.try_pin("2222")
        assert mode.leave_panel.problem.text() == "That PIN didn't match. 3 tries left."
        assert not mode.try_pin("333")
        assert not mode.try_pin("4444")
        assert mode.leave_panel.problem.text() == "That PIN didn't match. 1 try left."
    assert mode.is_leaving()


def test_after_five_wrong_pins_only_the_passphrase_works(
    qtbot: QtBot, make_mode: Callable[..., StorytellerMode]
) -> None:
    check = Passphrases()
    mode = make_mode(check=check)
    with qtbot.assertNotEmitted(mode.leave_requested):
        for _ in range(MAX_PIN_ATTEMPTS):
            assert not mode.try_pin("0000")
        assert mode.attempts_left() == 0
        assert mode.using_passphrase()
        message = "For safety, please use the facilitator's passphrase now."
        assert mode.leave_panel.problem.text() == message
        assert not mode.leave_panel.switch_link.isVisible()  # no way back to the PIN
        assert not mode.try_pin(PIN)  # even the right PIN
        assert mode.leave_panel.problem.text() == message
        mode.cancel_leave()
        mode.request_leave()  # coming back does not reset the count
        assert mode.using_passphrase()
        assert mode.leave_panel.problem.text() == message
        assert not mode.try_passphrase("not it")
        assert mode.leave_panel.problem.text() == "That passphrase didn't match. Please try again."
    with qtbot.waitSignal(mode.leave_requested):
        qtbot.keyClicks(mode.leave_panel.passphrase, PASSPHRASE)
        qtbot.mouseClick(mode.leave_panel.leave_button, Qt.MouseButton.LeftButton)
    assert check.checked == ["not it", PASSPHRASE]
    assert mode.leave_panel.passphrase.text() == ""


def test_the_right_pin_leaves(qtbot: QtBot, mode: StorytellerMode) -> None:
    mode.request_leave()
    assert not mode.try_pin("9999")
    with qtbot.waitSignal(mode.leave_requested):
        qtbot.keyClicks(mode.leave_panel.pin, PIN)
        qtbot.mouseClick(mode.leave_panel.leave_button, Qt.MouseButton.LeftButton)
    assert not mode.is_leaving()
    assert mode.leave_panel.pin.text() == ""


def test_the_passphrase_route(qtbot: QtBot, make_mode: Callable[..., StorytellerMode]) -> None:
    check = Passphrases()
    mode = make_mode(check=check)
    mode.request_leave()
    assert not mode.using_passphrase()
    qtbot.mouseClick(mode.leave_panel.switch_link, Qt.MouseButton.LeftButton)
    assert mode.using_passphrase()
    assert mode.leave_panel.passphrase.isVisible()
    assert not mode.leave_panel.pin.isVisible()
    assert mode.leave_panel.switch_link.text() == "Use the PIN instead"
    with qtbot.assertNotEmitted(mode.leave_requested):
        qtbot.keyClick(mode.leave_panel.passphrase, Qt.Key.Key_Return)
        assert mode.leave_panel.problem.text() == "Please type the passphrase first."
        assert check.checked == []
    with qtbot.waitSignal(mode.leave_requested):
        qtbot.keyClicks(mode.leave_panel.passphrase, PASSPHRASE)
        qtbot.keyClick(mode.leave_panel.passphrase, Qt.Key.Key_Return)
    assert mode.attempts_left() == MAX_PIN_ATTEMPTS  # the PIN's tries were never touched


def test_without_a_pin_the_passphrase_is_asked_for(
    qtbot: QtBot, make_mode: Callable[..., StorytellerMode]
) -> None:
    def broken(_: str) -> bool:
        raise RuntimeError("the vault is locked")

    mode = make_mode(pin=None, check=broken)
    assert not mode.pin_is_set()
    assert mode.attempts_left() == 0
    mode.request_leave()
    assert mode.using_passphrase()
    with qtbot.assertNotEmitted(mode.leave_requested):
        assert not mode.try_pin("1234")
        assert not mode.try_passphrase(PASSPHRASE)  # a check that fails lets no one out


def test_escape_and_window_shortcuts_do_not_leave(qtbot: QtBot) -> None:
    window = QMainWindow()
    qtbot.addWidget(window)
    fired: list[str] = []
    for key in ("Escape", "Ctrl+F", "Ctrl+Q", "Alt+F4", "F1"):
        action = QAction(key, window)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _=False, key=key: fired.append(key))
        window.addAction(action)
    undo = QAction("Undo", window)
    undo.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
    undo.triggered.connect(lambda: fired.append("undo"))
    window.addAction(undo)
    page = QLabel("Story page")
    move_up = QAction("Move the card up", page)
    move_up.setShortcut(QKeySequence("Ctrl+Up"))
    move_up.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    move_up.triggered.connect(lambda: fired.append("page: move up"))
    page.addAction(move_up)
    mode = StorytellerMode("Marigold", [("My story", page)], Passphrases())
    mode.set_pin(PIN)
    window.setCentralWidget(mode)
    with qtbot.waitActive(window):  # window shortcuts fire only in the active window
        window.show()
        window.activateWindow()
    tab = mode.tab_buttons()[0]
    with qtbot.assertNotEmitted(mode.leave_requested):
        tab.setFocus()
        for key, modifiers in (
            (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
            (Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier),
            (Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier),
            (Qt.Key.Key_F4, Qt.KeyboardModifier.AltModifier),
            (Qt.Key.Key_F1, Qt.KeyboardModifier.NoModifier),
        ):
            qtbot.keyClick(tab, key, modifiers)
        assert window.isVisible()
        assert not mode.is_leaving()
        # In the hand-back panel, Escape goes back to the story, not out.
        mode.request_leave()
        qtbot.keyClick(mode.leave_panel.pin, Qt.Key.Key_Escape)
        assert not mode.is_leaving()
    assert fired == []
    qtbot.keyClick(tab, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert fired == ["undo"]  # undo still works in the mode
    page.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    page.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert fired == ["undo", "page: move up"]  # and so do the pages' own shortcuts
    mode.allow_shortcut("Ctrl+Q")
    qtbot.keyClick(page, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert fired[-1] == "Ctrl+Q"


# --- privacy ------------------------------------------------------------------------------------


def _everything_in(obj: object) -> list[object]:
    values = list(vars(obj).values())
    found: list[object] = []
    while values:
        value = values.pop()
        found.append(value)
        if isinstance(value, list | tuple | set):
            values.extend(value)
        elif isinstance(value, dict):
            values.extend(value.keys())
            values.extend(value.values())
    return found


def test_the_pin_is_not_kept_in_plain(qtbot: QtBot, mode: StorytellerMode) -> None:
    mode.request_leave()
    qtbot.keyClicks(mode.leave_panel.pin, "1357")
    qtbot.keyClick(mode.leave_panel.pin, Qt.Key.Key_Return)
    for value in _everything_in(mode):
        if isinstance(value, str):
            assert PIN not in value and "1357" not in value
        if isinstance(value, bytes | bytearray):
            assert PIN.encode() not in value and b"1357" not in value
        if isinstance(value, int) and not isinstance(value, bool):
            assert value not in (int(PIN), 1357)
    for field in mode.findChildren(QLineEdit):
        assert field.text() == ""
    assert mode.pin_is_set()


def test_clear_leaves_no_pseudonym_anywhere(qtbot: QtBot, mode: StorytellerMode) -> None:
    mode.set_current_page(2)
    mode.request_leave()
    qtbot.keyClicks(mode.leave_panel.pin, "12")
    mode.clear()
    assert mode.pseudonym() == ""
    for text in texts(mode):
        assert "Marigold" not in text
    for value in _everything_in(mode):
        assert not (isinstance(value, str) and "Marigold" in value)
    for field in mode.findChildren(QLineEdit):
        assert field.text() == ""
    assert not mode.is_leaving()
    assert mode.pin_is_set()  # the facilitator's way back survives a lock
    # After unlock the window gives the pages back, and the place is kept.
    mode.restore("Marigold", [("My timeline", QLabel("a")), ("My story", QLabel("b"))])
    assert mode.heading.text() == "Marigold's story"
    assert mode.current_page() == 1
    assert [tab.text() for tab in mode.tab_buttons()] == ["My timeline", "My story"]


def test_set_pin_refuses_a_bad_pin(mode: StorytellerMode) -> None:
    for bad in ("123", "123456789", "12a4", "", "１２３４"):
        with pytest.raises(ValueError):
            mode.set_pin(bad)
    mode.set_pin(None)
    assert not mode.pin_is_set()


# --- handing over -------------------------------------------------------------------------------


@pytest.fixture
def enter(qtbot: QtBot) -> EnterStorytellerModePanel:
    panel = EnterStorytellerModePanel("Marigold")
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.mark.parametrize(
    ("pin", "again", "message"),
    [
        ("1234", "1243", "The two PINs are not the same. Please type it again in both boxes."),
        ("12", "12", "A PIN needs 4 to 8 numbers."),
        ("123456789", "123456789", "A PIN needs 4 to 8 numbers."),
        ("12ab", "12ab", "A PIN can only use the numbers 0 to 9."),
        ("", "1234", "Please type a PIN, or leave both boxes empty to use your passphrase only."),
    ],
)
def test_the_enter_panel_checks_the_pin(
    qtbot: QtBot, enter: EnterStorytellerModePanel, pin: str, again: str, message: str
) -> None:
    with qtbot.assertNotEmitted(enter.hand_over):
        qtbot.keyClicks(enter.pin, pin)
        qtbot.keyClicks(enter.pin_again, again)
        qtbot.mouseClick(enter.hand_over_button, Qt.MouseButton.LeftButton)
    assert enter.problem.text() == message
    assert enter.problem.isVisible()
    assert enter.pin.text() == enter.pin_again.text() == ""


def test_the_enter_panel_hands_over(qtbot: QtBot, enter: EnterStorytellerModePanel) -> None:
    text = enter.explanation.text()
    assert text.count(". ") + 1 == 2 and "Marigold" in text
    for widget in [*enter.findChildren(QLineEdit), *enter.findChildren(QAbstractButton)]:
        assert widget.accessibleName()
    with qtbot.waitSignal(enter.hand_over) as blocker:
        qtbot.keyClicks(enter.pin, "2468")
        qtbot.keyClick(enter.pin, Qt.Key.Key_Return)  # on to the second box
        assert QApplication.focusWidget() is enter.pin_again
        qtbot.keyClicks(enter.pin_again, "2468")
        qtbot.keyClick(enter.pin_again, Qt.Key.Key_Return)
    assert blocker.args == ["2468"]
    assert enter.pin.text() == enter.pin_again.text() == ""
    with qtbot.waitSignal(enter.hand_over) as blocker:
        qtbot.keyClick(enter.hand_over_button, Qt.Key.Key_Return)
    assert blocker.args == [None]
    with qtbot.waitSignal(enter.cancelled):
        qtbot.keyClick(enter.pin, Qt.Key.Key_Escape)

"""First run as a new facilitator meets it: the welcome steps by keyboard and by mouse, the
practice vault in its own folder, and Help's keyboard shortcuts and About."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLineEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storycapture import __version__
from storycapture.demo import DEMO_PASSPHRASE
from storycapture.gui.help_dialogs import LICENCE, AboutDialog, ShortcutsDialog, keys_of, plain
from storycapture.gui.pages import AutoLockPage, WelcomePage
from storycapture.gui.settings import AppSettings
from storycapture.gui.window import PRACTICE_WORDS, MainWindow
from storycapture.paths import practice_data_dir
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.strengths.qt.board_view import KEYBOARD as BOARD_KEYS
from storycapture.timeline.qt.view import KEYBOARD as TIMELINE_KEYS
from tests.conftest import PASSPHRASE, fast_kdf

ROOT = Path(__file__).resolve().parents[2]
RECOVERY_KEY = re.compile(r"^[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}$")
NEW_PASSPHRASE = "a calm new passphrase"


def make_window(qtbot: QtBot, data_dir: Path, settings: AppSettings) -> MainWindow:
    window = MainWindow(data_dir, settings)
    qtbot.addWidget(window)  # closed, and so locked, at the end of the test
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: window._built)
    # (The status bar, made once the window is built, is shown on the next turn of the loop.)
    qtbot.waitUntil(lambda: window.statusBar().isVisible())
    return window


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def no_text(text: str) -> str:
    """Non-breaking spaces read as spaces."""
    return text.replace("\u00a0", " ")


# --- the welcome steps -------------------------------------------------------------------------


def test_the_welcome_steps_by_keyboard_set_up_the_vault_and_save_the_auto_lock(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    assert app_settings.auto_lock_minutes == 5
    window = make_window(qtbot, data_dir, app_settings)
    welcome = window.welcome_page
    assert window.pages.currentWidget() is welcome
    qtbot.waitUntil(lambda: focused() is welcome.next)

    qtbot.keyClick(welcome.next, Qt.Key.Key_Return)  # Enter presses the button in focus
    protection = window.protection_page
    assert window.pages.currentWidget() is protection
    assert focused() is protection.next
    qtbot.keyClick(protection.back, Qt.Key.Key_Space)  # and back again
    assert window.pages.currentWidget() is welcome
    qtbot.keyClick(welcome.next, Qt.Key.Key_Space)
    assert window.pages.currentWidget() is protection

    qtbot.keyClick(protection.next, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)  # Alt+N
    auto_lock = window.auto_lock_page
    # (A button's letter presses it the way a click looks: a moment later.)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is auto_lock)
    assert focused() is auto_lock.minutes
    assert auto_lock.chosen_minutes() == 5  # the setting's own default
    qtbot.keyClick(auto_lock.minutes, Qt.Key.Key_Down)  # 10 minutes
    qtbot.keyClick(auto_lock.minutes, Qt.Key.Key_Down)  # 15 minutes
    assert auto_lock.chosen_minutes() == 15
    assert "locks itself after 15 minutes" in auto_lock.sentence.text()
    assert app_settings.auto_lock_minutes == 5  # nothing saved before Next
    qtbot.keyClick(auto_lock.next, Qt.Key.Key_Return)
    assert app_settings.auto_lock_minutes == 15

    create = window.create_page
    assert window.pages.currentWidget() is create
    assert focused() is create.first
    qtbot.keyClicks(create.first, NEW_PASSPHRASE)
    qtbot.keyClick(create.first, Qt.Key.Key_Return)  # on to the second field
    assert focused() is create.second
    qtbot.keyClicks(create.second, NEW_PASSPHRASE)
    qtbot.keyClick(create.second, Qt.Key.Key_Return)

    recovery = window.recovery_page
    assert window.pages.currentWidget() is recovery
    assert (data_dir / "vault.sqlite").is_file()
    assert window.vault is not None and window.vault.data_dir == data_dir
    assert RECOVERY_KEY.match(recovery.key.text())
    assert focused() is recovery.copy
    qtbot.keyClick(recovery.copy, Qt.Key.Key_Space)
    assert QGuiApplication.clipboard().text() == recovery.key.text()
    qtbot.keyClick(recovery.written, Qt.Key.Key_Return)
    assert window.stories is not None and window.pages.currentWidget() is window.stories
    assert QGuiApplication.clipboard().text() == ""  # the copied key does not linger
    assert window.idle._seconds == 15 * 60
    assert window.windowTitle() == "StoryCapture"
    assert not practice_data_dir(data_dir).exists()


def test_the_welcome_steps_by_mouse_go_back_and_forth_and_keep_the_choices(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    app_settings.auto_lock_minutes = 7  # not one of the usual choices: still offered
    window = make_window(qtbot, data_dir, app_settings)
    click = Qt.MouseButton.LeftButton
    qtbot.mouseClick(window.welcome_page.next, click)
    qtbot.mouseClick(window.protection_page.next, click)
    auto_lock = window.auto_lock_page
    assert isinstance(auto_lock, AutoLockPage) and auto_lock.chosen_minutes() == 7
    words = [auto_lock.minutes.itemText(i) for i in range(auto_lock.minutes.count())]
    assert words[0] == "1 minute" and "7 minutes" in words and words[-1] == "1 hour"
    auto_lock.minutes.setCurrentIndex(words.index("30 minutes"))
    qtbot.mouseClick(auto_lock.back, click)
    assert window.pages.currentWidget() is window.protection_page
    qtbot.mouseClick(window.protection_page.next, click)
    assert auto_lock.chosen_minutes() == 30  # the same page, the choice kept
    qtbot.mouseClick(auto_lock.next, click)
    assert app_settings.auto_lock_minutes == 30

    create = window.create_page
    qtbot.mouseClick(create.back, click)
    assert window.pages.currentWidget() is auto_lock
    qtbot.mouseClick(auto_lock.next, click)
    create.first.setText(NEW_PASSPHRASE)
    create.second.setText(NEW_PASSPHRASE + "!")
    qtbot.mouseClick(create.button, click)
    assert create.problem.isVisible() and window.vault is None
    create.second.setText(NEW_PASSPHRASE)
    qtbot.mouseClick(create.button, click)
    assert window.pages.currentWidget() is window.recovery_page
    qtbot.mouseClick(window.recovery_page.written, click)
    assert window.stories is not None
    assert app_settings.auto_lock_minutes == 30


def test_every_welcome_step_has_plain_words_and_named_controls(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, data_dir, app_settings)
    steps = [
        window.welcome_page,
        window.protection_page,
        window.auto_lock_page,
        window.create_page,
        window.recovery_page,
    ]
    for number, step in enumerate(steps, start=1):
        texts = [w.text() for w in step.findChildren(QWidget) if hasattr(w, "text")]
        assert f"Step {number} of 5" in texts
        controls = step.findChildren(QAbstractButton) + step.findChildren(QComboBox)
        controls += step.findChildren(QLineEdit)
        assert controls
        for widget in controls:
            assert widget.accessibleName(), f"{widget!r} on step {number} has no name"
            assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, f"{widget!r} not by keyboard"
        # Tab goes round the step's own controls and nothing else (no invisible stops).
        window.show_first_run_step(step)
        reached = []
        for _ in range(len(controls)):
            reached.append(QApplication.focusWidget())
            window.focusNextChild()
        assert {id(w) for w in reached} == {id(w) for w in controls if w.isVisible()}
    safe = " ".join(
        w.text() for w in window.protection_page.findChildren(QWidget) if hasattr(w, "text")
    )
    for promise in ("encrypted", "passphrase", "recovery key", "Not even", "withdraw"):
        assert promise in safe
    welcome = window.welcome_page
    assert isinstance(welcome, WelcomePage)
    assert welcome.practice.text() == "Practise first with invented storytellers"


# --- practising ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_practice_opens_invented_storytellers_in_their_own_folder_and_leads_back(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, data_dir, app_settings)
    qtbot.mouseClick(window.welcome_page.practice, Qt.MouseButton.LeftButton)

    practice = practice_data_dir(data_dir)
    assert practice == data_dir.parent / f"{data_dir.name}-practice"
    assert window.vault is not None and window.vault.data_dir == practice
    assert (practice / "vault.sqlite").is_file()
    assert not (data_dir / "vault.sqlite").exists()  # the real folder stays without a vault
    assert len(StorytellerService(window.vault).list()) == 6
    assert window.stories is not None and window.pages.currentWidget() is window.stories
    # It is obvious that this is practice: the title and the status bar say so.
    assert PRACTICE_WORDS == "Practice vault — invented storytellers"
    assert PRACTICE_WORDS in window.windowTitle()
    assert window._practice_badge is not None and window._practice_badge.isVisible()
    assert window._practice_badge.text() == PRACTICE_WORDS
    assert window.own_vault_action.isVisible() and window.own_vault_action.isEnabled()
    # Invented stories never travel to the hub; real ones never come into practice.
    assert not window.export_action.isEnabled() and not window.import_action.isEnabled()

    # Locked, it asks for the practice passphrase (shown: it is published) and opens it again.
    window.lock()
    assert window.pages.currentWidget() is window.unlock_page
    assert DEMO_PASSPHRASE in window.unlock_page.intro.text()
    assert window.unlock_page.own_vault.isVisible()
    assert PRACTICE_WORDS in window.windowTitle()
    qtbot.keyClicks(window.unlock_page.passphrase, DEMO_PASSPHRASE)
    qtbot.keyClick(window.unlock_page.passphrase, Qt.Key.Key_Return)
    assert window.vault is not None and window.vault.data_dir == practice

    # The way back: set up the real vault, in the real folder.
    window.own_vault_action.trigger()
    assert window.vault is None and window.stories is None
    assert window.pages.currentWidget() is window.protection_page
    assert window.windowTitle() == "StoryCapture"
    assert not window.own_vault_action.isVisible()
    window.protection_page.next.click()
    window.auto_lock_page.next.click()
    window.create_page.first.setText(NEW_PASSPHRASE)
    window.create_page.second.setText(NEW_PASSPHRASE)
    window.create_page.button.click()
    window.recovery_page.written.click()
    assert window.vault is not None and window.vault.data_dir == data_dir
    assert StorytellerService(window.vault).list() == []  # nothing invented in the real one
    assert window.windowTitle() == "StoryCapture"
    assert window._practice_badge is not None and not window._practice_badge.isVisible()
    assert window.export_action.isEnabled()
    window.lock()
    assert "practice" not in window.unlock_page.intro.text()
    assert not window.unlock_page.own_vault.isVisible()


@pytest.mark.slow
def test_practice_again_opens_the_same_practice_vault(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, data_dir, app_settings)
    window.welcome_page.practice.click()
    assert window.vault is not None
    first = window.vault.vault_id
    window.set_up_own_vault()
    window.show_first_run_step(window.welcome_page)
    window.welcome_page.practice.click()
    assert window.vault is not None and window.vault.vault_id == first


# --- Help → Keyboard shortcuts -----------------------------------------------------------------


@pytest.fixture
def unlocked_window(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings, vault: VaultSession
) -> MainWindow:
    vault.lock()
    window = make_window(qtbot, data_dir, app_settings)
    window.unlock_vault(PASSPHRASE)
    assert window.vault is not None
    return window


def test_the_shortcuts_dialog_lists_every_shortcut_the_window_has(
    qtbot: QtBot, unlocked_window: MainWindow
) -> None:
    window = unlocked_window
    # One more action, added now, shows too: the list is read from the window, not kept by hand.
    extra = QAction("Say hello", window)
    extra.setShortcut(QKeySequence("Ctrl+Shift+H"))
    window.addAction(extra)
    help_menu = next(a.menu() for a in window.menuBar().actions() if plain(a.text()) == "Help")
    help_menu.addAction(extra)

    window.shortcuts_action.trigger()
    dialog = window.current_dialog
    assert isinstance(dialog, ShortcutsDialog) and dialog.isVisible()
    groups = dict(dialog.groups)
    assert ("Ctrl+L", "Lock") in groups["File menu"]
    assert ("Ctrl+N", "New storyteller") in groups["File menu"]
    assert ("Ctrl+Comma", "Settings") in groups["Edit menu"]
    assert ("Ctrl+Shift+M", "Storyteller mode") in groups["Storyteller menu"]
    assert ("Ctrl+Shift+H", "Say hello") in groups["Help menu"]

    listed = {row for rows in groups.values() for row in rows}
    with_keys = [a for a in window.actions() if a.isVisible() and a.shortcuts()]
    assert len(with_keys) >= 6
    for action in with_keys:
        assert (keys_of(action.shortcuts()), plain(action.text())) in listed, action.text()

    text = dialog.text()
    for keys, words in [*BOARD_KEYS, *TIMELINE_KEYS]:
        assert keys in text and words[1:] in text
    assert "Cards on the strengths board" in text and "Moments in the timeline picture" in text
    assert dialog.view.accessibleName()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_the_shortcuts_dialog_works_before_any_vault_exists(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    window = make_window(qtbot, data_dir, app_settings)
    assert window.shortcuts_action.isEnabled()
    window.shortcuts_action.trigger()
    dialog = window.current_dialog
    assert isinstance(dialog, ShortcutsDialog)
    assert ("Ctrl+L", "Lock") in dict(dialog.groups)["File menu"]
    dialog.reject()


# --- Help → About --------------------------------------------------------------------------------


def test_about_shows_the_version_the_folder_and_the_key_settings(
    qtbot: QtBot, unlocked_window: MainWindow, data_dir: Path
) -> None:
    window = unlocked_window
    window.about_action.trigger()
    dialog = window.current_dialog
    assert isinstance(dialog, AboutDialog) and dialog.isVisible()
    values = {caption: no_text(label.text()) for caption, label in dialog.values.items()}
    assert values["Version"] == __version__
    assert str(data_dir) in values["Where the vault is kept"]
    params = fast_kdf()
    memory, iterations, lanes = params.memory_kib // 1024, params.iterations, params.lanes
    protection = values["How the passphrase is protected"]
    assert "Argon2id" in protection
    assert f"{memory} MiB of memory" in protection
    assert f"{iterations} iterations" in protection and f"{lanes} lanes" in protection
    assert "GNU General Public Licence" in values["Licence"]

    qtbot.mouseClick(dialog.copy, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert f"StoryCapture {__version__}" in copied
    assert f"Licence: {LICENCE}" in copied
    assert f"Argon2id, {memory} MiB, {iterations} iterations, {lanes} lanes" in copied
    assert data_dir.name in copied
    assert dialog.copied.isVisible()
    dialog.reject()


def test_about_while_locked_says_the_key_settings_show_once_unlocked(
    qtbot: QtBot, unlocked_window: MainWindow, data_dir: Path
) -> None:
    window = unlocked_window
    window.lock()
    window.about_action.trigger()
    dialog = window.current_dialog
    assert isinstance(dialog, AboutDialog)
    assert dialog.values["How the passphrase is protected"].text() == (
        "Shown once the vault is unlocked."
    )
    assert str(data_dir) in dialog.values["Where the vault is kept"].text()
    dialog.reject()


def test_the_licence_is_the_one_the_project_declares() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == LICENCE == "GPL-3.0-or-later"
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in licence and "Version 3" in licence

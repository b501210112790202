"""The window: set up a vault, unlock it, see the stories, and lock it again (offscreen).

Vaults here use the quick key-derivation settings (the autouse fixture in tests/conftest.py
also makes the window's own "Set up the vault" use them).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot

from storycapture.domain.errors import VaultInUse
from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.gui.app import (
    CreatePage,
    RecoveryKeyPage,
    StoriesPage,
    StoryCaptureWindow,
    UnlockPage,
)
from storycapture.paths import resources_dir
from storycapture.services.consent import ConsentService
from storycapture.services.story import StoryWordsService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.services.visits import VisitService
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, fast_kdf

RECOVERY_KEY = re.compile(r"^[0-9A-Z]{4}(?:-[0-9A-Z]{4}){7}$")
QUOTE = "I'm more than the hard years."
NOTE = "We talked in the kitchen over tea."


def make_window(qtbot: QtBot, data_dir: Path) -> StoryCaptureWindow:
    window = StoryCaptureWindow(data_dir)
    qtbot.addWidget(window)  # closed (and so locked) at the end of the test
    window.resize(1200, 760)
    window.show()
    qtbot.waitExposed(window)
    return window


def button(page: QWidget, text: str) -> QPushButton:
    (found,) = [b for b in page.findChildren(QPushButton) if b.text() == text]
    return found


def lock_action(window: StoryCaptureWindow) -> QAction:
    (found,) = [a for a in window.actions() if a.text() == "Lock"]
    return found


@pytest.fixture
def filled_vault(data_dir: Path) -> Path:
    """A locked vault with Juniper (consent, a visit, events, words) and Rowan (nothing yet)."""
    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        people = StorytellerService(vault)
        juniper = people.add(
            "Juniper", author=FACILITATOR, birth_year=1980, notes="Likes mornings."
        )
        people.add("Rowan", author=FACILITATOR)
        ConsentService(vault).record(
            juniper.uuid,
            items=[ConsentItem.TAKE_PART, ConsentItem.SHARE_WITH_TEAM],
            how=ConsentHow.VERBAL,
            given_on="2026-03-02",
            facilitator="Priya",
            author=FACILITATOR,
        )
        VisitService(vault).start(juniper.uuid, author=FACILITATOR, visit_date="2026-03-02")
        timeline = TimelineService(vault)
        timeline.add_event(
            juniper.uuid,
            title="Moved to Leeds",
            starts="spring 2015",
            valence=2,
            author=FACILITATOR,
        )
        timeline.add_event(
            juniper.uuid,
            title="First job at the bakery",
            starts="when I was about 15",
            valence=-1,
            visibility="private",
            author=FACILITATOR,
        )
        words = StoryWordsService(vault)
        words.add_quote(juniper.uuid, QUOTE, author=FACILITATOR)
        words.add_note(juniper.uuid, NOTE, author=FACILITATOR)
    finally:
        vault.lock()
    return data_dir


def unlock(qtbot: QtBot, window: StoryCaptureWindow, passphrase: str = PASSPHRASE) -> None:
    page = window.unlock_page
    page.passphrase.clear()
    qtbot.keyClicks(page.passphrase, passphrase)
    qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)


def assert_stories_page_is_empty(page: StoriesPage) -> None:
    assert page.storytellers.count() == 0
    assert page.name.text() == ""
    assert page.overview.toPlainText() == ""
    assert page.timeline.count() == 0
    assert page.story.toPlainText() == ""


# --- first run -------------------------------------------------------------------------------


def test_first_run_sets_up_the_vault_and_shows_the_recovery_key_once(
    qtbot: QtBot, data_dir: Path
) -> None:
    window = make_window(qtbot, data_dir)
    page = window.create_page
    assert isinstance(window.pages.currentWidget(), CreatePage)
    assert not page.problem.isVisible()

    qtbot.keyClicks(page.first, PASSPHRASE)
    qtbot.keyClicks(page.second, PASSPHRASE + " typo")
    qtbot.keyClick(page.second, Qt.Key.Key_Return)

    assert page.problem.isVisible()
    assert page.problem.text() == "The two passphrases are not the same. Please type them again."
    assert window.pages.currentWidget() is page
    assert not (data_dir / "vault.sqlite").exists()
    assert window.vault is None

    page.second.clear()
    qtbot.keyClicks(page.second, PASSPHRASE)
    qtbot.mouseClick(button(page, "Set up the vault"), Qt.MouseButton.LeftButton)

    recovery = window.recovery_page
    assert window.pages.currentWidget() is recovery
    assert isinstance(recovery, RecoveryKeyPage)
    assert RECOVERY_KEY.match(recovery.key.text())
    assert (data_dir / "vault.sqlite").is_file()
    assert window.vault is not None and window.vault.is_unlocked

    qtbot.mouseClick(button(recovery, "I have written it down"), Qt.MouseButton.LeftButton)

    assert recovery.key.text() == ""
    assert isinstance(window.pages.currentWidget(), StoriesPage)
    assert window.stories_page.storytellers.count() == 0


def test_a_passphrase_that_is_too_short_is_explained(qtbot: QtBot, data_dir: Path) -> None:
    window = make_window(qtbot, data_dir)
    page = window.create_page

    qtbot.keyClicks(page.first, "short")
    qtbot.keyClicks(page.second, "short")
    qtbot.keyClick(page.second, Qt.Key.Key_Return)

    assert page.problem.isVisible()
    assert page.problem.text() == "A passphrase needs at least 8 characters."
    assert window.pages.currentWidget() is page
    assert not (data_dir / "vault.sqlite").exists()


def test_the_new_passphrase_does_not_stay_in_the_window(qtbot: QtBot, data_dir: Path) -> None:
    window = make_window(qtbot, data_dir)
    window.create_page.first.setText(PASSPHRASE)
    window.create_page.second.setText(PASSPHRASE)
    window.create_page.second.returnPressed.emit()
    qtbot.mouseClick(
        button(window.recovery_page, "I have written it down"), Qt.MouseButton.LeftButton
    )
    window.lock()

    assert window.create_page.first.text() == ""
    assert window.create_page.second.text() == ""


def test_locking_while_the_recovery_key_is_shown_clears_it(qtbot: QtBot, data_dir: Path) -> None:
    window = make_window(qtbot, data_dir)
    window.create_vault(PASSPHRASE)
    assert window.pages.currentWidget() is window.recovery_page

    lock_action(window).trigger()

    assert window.vault is None
    assert window.pages.currentWidget() is window.unlock_page
    assert window.recovery_page.key.text() == ""


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_whole_recovery_key_is_visible_with_the_app_style(
    qtbot: QtBot, data_dir: Path, size: tuple[int, int]
) -> None:
    window = make_window(qtbot, data_dir)
    window.setStyleSheet((resources_dir() / "styles" / "calm.qss").read_text(encoding="utf-8"))
    window.resize(*size)
    window.create_vault(PASSPHRASE)
    key = window.recovery_page.key
    qtbot.waitUntil(lambda: key.isVisible())

    assert RECOVERY_KEY.match(key.text())
    assert key.fontMetrics().horizontalAdvance(key.text()) <= key.contentsRect().width()


# --- unlocking -------------------------------------------------------------------------------


def test_a_wrong_passphrase_is_explained_and_the_right_one_shows_the_stories(
    qtbot: QtBot, filled_vault: Path
) -> None:
    window = make_window(qtbot, filled_vault)
    page = window.unlock_page
    assert isinstance(window.pages.currentWidget(), UnlockPage)
    assert not page.problem.isVisible()

    unlock(qtbot, window, "not the right one")

    assert page.problem.isVisible()
    assert (
        page.problem.text() == "That passphrase does not open this vault. Check it and try again."
    )
    assert window.pages.currentWidget() is page
    assert window.vault is None

    unlock(qtbot, window)

    assert window.vault is not None
    stories = window.stories_page
    assert window.pages.currentWidget() is stories
    assert page.passphrase.text() == ""
    assert not page.problem.isVisible()
    people = [stories.storytellers.item(i).text() for i in range(stories.storytellers.count())]
    assert people == ["Juniper\nconsent recorded", "Rowan\nno consent yet"]

    # The first storyteller is shown at once.
    assert stories.storytellers.currentRow() == 0
    assert stories.name.text() == "Juniper"
    overview = stories.overview.toPlainText()
    assert "Person with lived experience" in overview
    assert "Agreed to: taking part, sharing with the programme team." in overview
    assert "Last visit: 2 March 2026." in overview
    assert "2 events and periods on the timeline." in overview
    assert "Likes mornings." in overview
    timeline = [stories.timeline.item(i).text() for i in range(stories.timeline.count())]
    assert timeline == [
        "when I was about 15  ·  First job at the bakery  ·  a bit hard  🔒 private",
        "spring 2015  ·  Moved to Leeds  ·  good",
    ]
    assert stories.story.toPlainText() == f"“{QUOTE}”\n\n{NOTE}"

    stories.storytellers.setCurrentRow(1)

    assert stories.name.text() == "Rowan"
    assert "No consent recorded yet." in stories.overview.toPlainText()
    assert "No visits yet." in stories.overview.toPlainText()
    assert stories.timeline.count() == 0
    assert stories.story.toPlainText() == ""


def test_while_the_window_has_the_vault_nobody_else_can_open_it(
    qtbot: QtBot, filled_vault: Path
) -> None:
    window = make_window(qtbot, filled_vault)
    unlock(qtbot, window)
    assert window.vault is not None

    with pytest.raises(VaultInUse):
        VaultSession.unlock(filled_vault, PASSPHRASE)


def test_a_vault_open_elsewhere_is_explained_in_the_window(
    qtbot: QtBot, filled_vault: Path
) -> None:
    window = make_window(qtbot, filled_vault)
    other = VaultSession.unlock(filled_vault, PASSPHRASE)
    try:
        unlock(qtbot, window)
    finally:
        other.lock()

    assert window.vault is None
    assert window.pages.currentWidget() is window.unlock_page
    assert window.unlock_page.problem.isVisible()
    assert "already open in another StoryCapture window" in window.unlock_page.problem.text()

    unlock(qtbot, window)
    assert window.vault is not None


# --- locking ---------------------------------------------------------------------------------


def test_the_lock_action_is_ctrl_l(qtbot: QtBot, filled_vault: Path) -> None:
    window = make_window(qtbot, filled_vault)

    assert lock_action(window).shortcut() == QKeySequence("Ctrl+L")


@pytest.mark.parametrize("how", ["action", "keys"])
def test_locking_empties_every_widget_and_lets_the_vault_go(
    qtbot: QtBot, filled_vault: Path, how: str
) -> None:
    window = make_window(qtbot, filled_vault)
    unlock(qtbot, window)
    stories = window.stories_page
    assert stories.storytellers.count() == 2 and stories.timeline.count() == 2

    if how == "action":
        lock_action(window).trigger()
    else:
        with qtbot.waitActive(window):
            window.activateWindow()
        qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    assert window.vault is None
    assert_stories_page_is_empty(stories)
    assert window.pages.currentWidget() is window.unlock_page
    assert window.unlock_page.passphrase.text() == ""
    # The lock file was let go: another session can open the vault now.
    other = VaultSession.unlock(filled_vault, PASSPHRASE)
    other.lock()

    # And the window can open it again.
    unlock(qtbot, window)
    assert window.vault is not None
    assert stories.storytellers.count() == 2


def test_locking_when_already_locked_does_nothing(qtbot: QtBot, filled_vault: Path) -> None:
    window = make_window(qtbot, filled_vault)

    lock_action(window).trigger()

    assert window.vault is None
    assert window.pages.currentWidget() is window.unlock_page


def test_closing_the_window_locks_the_vault(qtbot: QtBot, filled_vault: Path) -> None:
    window = make_window(qtbot, filled_vault)
    unlock(qtbot, window)
    session = window.vault
    assert session is not None

    window.close()

    assert window.vault is None
    assert not session.is_unlocked
    assert_stories_page_is_empty(window.stories_page)
    VaultSession.unlock(filled_vault, PASSPHRASE).lock()

"""Removing anything shows an undo bar in view: a moment, a card (and, elsewhere, a quote, a
note or a photo). The bar names what kind of thing went, never its words; Undo on it brings
the thing back; any other step, a lock or another storyteller hides it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from storycapture.domain.vocabulary import CardKind, ConsentHow, ConsentItem
from storycapture.gui.settings import AppSettings
from storycapture.gui.storyteller_mode import EnterStorytellerModePanel, StorytellerMode
from storycapture.gui.window import MainWindow
from storycapture.services.consent import ConsentService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.strengths.qt.tool import StrengthsTool
from storycapture.strengths.service import StrengthService
from storycapture.timeline.qt.tool import TimelineTool
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, fast_kdf


def _a_story(data_dir: Path) -> tuple[str, str, str]:
    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    try:
        person = StorytellerService(vault).add("Juniper", author=FACILITATOR, birth_year=1980)
        ConsentService(vault).record(
            person.uuid,
            items=list(ConsentItem),
            how=ConsentHow.VERBAL,
            given_on="2026-03-02",
            facilitator="Priya",
            author=FACILITATOR,
        )
        moment = TimelineService(vault).add_event(
            person.uuid, title="The night shelter", starts="2012", valence=-2, author=FACILITATOR
        )
        card = StrengthService(vault).add_card(
            person.uuid, kind=CardKind.STRENGTH, text="Keeps going", author=FACILITATOR
        )
        return person.uuid, moment.uuid, card.uuid
    finally:
        vault.lock()


def _open(qtbot: QtBot, data_dir: Path, app_settings: AppSettings) -> MainWindow:
    window = MainWindow(data_dir, app_settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window._built)
    window.unlock_vault(PASSPHRASE)
    return window


def _moments(window: MainWindow, person: str) -> list[str]:
    assert window.vault is not None
    return [e.title for e in TimelineService(window.vault).events(person)]


def _cards(window: MainWindow, person: str) -> list[str]:
    assert window.vault is not None
    return [c.text for c in StrengthService(window.vault).cards(person)]


def test_removing_a_moment_offers_undo_in_view_without_repeating_its_title(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    person, moment, _card = _a_story(data_dir)
    window = _open(qtbot, data_dir, app_settings)
    assert window.stories is not None
    tool = window.stories.storyteller.timeline
    assert isinstance(tool, TimelineTool)
    window.stories.storyteller.show_tool(tool)
    assert not tool.undo_bar.isVisible()

    tool.remove_event(moment)
    assert _moments(window, person) == []
    assert tool.undo_bar.isVisible()
    assert tool.undo_bar.message.text() == "The moment was removed."
    assert "shelter" not in tool.undo_bar.message.text()
    qtbot.mouseClick(tool.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert _moments(window, person) == ["The night shelter"]
    assert not tool.undo_bar.isVisible()

    # Removed again, then any other step hides the bar (its Undo would undo the wrong thing).
    tool.remove_event(moment)
    assert tool.undo_bar.isVisible()
    tool.add_in_view()
    assert not tool.undo_bar.isVisible()

    # And a lock takes it away with everything else.
    window.undo_action.trigger()  # the added moment goes
    window.undo_action.trigger()  # the night shelter comes back
    tool.remove_event(moment)
    assert tool.undo_bar.isVisible()
    window.lock()
    assert not tool.undo_bar.isVisible() and tool.undo_bar.message.text() == ""


def test_taking_a_card_off_the_board_offers_undo_in_view(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    person, _moment, card = _a_story(data_dir)
    window = _open(qtbot, data_dir, app_settings)
    assert window.stories is not None
    board = window.stories.storyteller.strengths
    assert isinstance(board, StrengthsTool)
    window.stories.storyteller.show_tool(board)

    assert board.remove_card(card)
    assert _cards(window, person) == []
    assert board.undo_bar.isVisible()
    assert board.undo_bar.message.text() == "The card was taken off the board."
    board.undo_bar.undo_button.click()
    assert _cards(window, person) == ["Keeps going"]
    assert not board.undo_bar.isVisible()

    assert board.remove_card(card)
    window.lock()
    assert not board.undo_bar.isVisible()


def test_in_storyteller_mode_a_removal_can_be_taken_back_with_one_touch(
    qtbot: QtBot, data_dir: Path, app_settings: AppSettings
) -> None:
    person, moment, card = _a_story(data_dir)
    window = _open(qtbot, data_dir, app_settings)
    window.enter_storyteller_mode()
    panel = window.pages.currentWidget()
    assert isinstance(panel, EnterStorytellerModePanel)
    panel.submit()
    mode = window.mode
    assert isinstance(mode, StorytellerMode)
    tools = {type(page): page for page in mode._pages}
    timeline, board = tools[TimelineTool], tools[StrengthsTool]
    assert isinstance(timeline, TimelineTool) and isinstance(board, StrengthsTool)

    mode.set_current_page(mode._pages.index(timeline))
    timeline.remove_event(moment)
    assert timeline.undo_bar.isVisible()
    # A finger's size, as every button in the mode.
    assert timeline.undo_bar.undo_button.height() >= 48
    qtbot.mouseClick(timeline.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert _moments(window, person) == ["The night shelter"]

    mode.set_current_page(mode._pages.index(board))
    assert board.remove_card(card)
    assert board.undo_bar.isVisible()
    qtbot.mouseClick(board.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert _cards(window, person) == ["Keeps going"]
    assert mode.try_passphrase(PASSPHRASE)

"""The Story tab's list of quotes and notes: removing one offers it back, in view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from storycapture.gui.story_words import ChangeWordsDialog, StoryWordsPanel
from storycapture.qtkit.context import EditingContext
from storycapture.qtkit.undo import push_step
from storycapture.services.story import StoryWordsService
from storycapture.services.vault import VaultSession
from tests.conftest import FACILITATOR


def make_panel(
    qtbot: QtBot, vault: VaultSession, person: str
) -> tuple[StoryWordsPanel, QUndoStack]:
    stack = QUndoStack()
    context = EditingContext(
        undo_stack=stack, author=lambda: FACILITATOR, current_visit=lambda: None
    )
    panel = StoryWordsPanel(StoryWordsService(vault), context)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    qtbot.waitExposed(panel)
    panel.show_storyteller(person)
    return panel, stack


def choose(panel: StoryWordsPanel, uuid: str) -> None:
    for row in range(panel.list.count()):
        item = panel.list.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == uuid:
            panel.list.setCurrentItem(item)
            return
    raise AssertionError(f"{uuid} is not in the list")


def remove_button(panel: StoryWordsPanel) -> QPushButton:
    (button,) = [b for b in panel.findChildren(QPushButton) if b.text() == "Remove"]
    return button


def test_removing_shows_an_undo_bar_that_brings_it_back(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    words = StoryWordsService(vault)
    quote = words.add_quote(storyteller_uuid, "I kept going.", author=FACILITATOR)
    words.add_note(storyteller_uuid, "We met in the garden.", author=FACILITATOR)
    panel, _stack = make_panel(qtbot, vault, storyteller_uuid)
    assert not panel.undo_bar.isVisible()

    choose(panel, quote.uuid)
    qtbot.mouseClick(remove_button(panel), Qt.MouseButton.LeftButton)
    assert [q.uuid for q in words.quotes(storyteller_uuid)] == []
    assert panel.undo_bar.isVisible()
    assert panel.undo_bar.message.text() == "The quote was removed."
    assert "I kept going" not in panel.undo_bar.message.text()  # its words are not repeated

    qtbot.mouseClick(panel.undo_bar.undo_button, Qt.MouseButton.LeftButton)
    assert [q.uuid for q in words.quotes(storyteller_uuid)] == [quote.uuid]
    assert not panel.undo_bar.isVisible()
    assert panel.list.count() == 2


def test_the_bar_undoes_only_its_own_step_while_it_is_the_latest(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    words = StoryWordsService(vault)
    quote = words.add_quote(storyteller_uuid, "I kept going.", author=FACILITATOR)
    note = words.add_note(storyteller_uuid, "We met in the garden.", author=FACILITATOR)
    panel, stack = make_panel(qtbot, vault, storyteller_uuid)

    choose(panel, quote.uuid)
    remove_button(panel).click()
    choose(panel, note.uuid)
    remove_button(panel).click()
    assert panel.undo_bar.message.text() == "The note was removed."
    panel.undo_bar.undo_button.click()  # brings back the note, not the quote
    assert [n.uuid for n in words.notes(storyteller_uuid)] == [note.uuid]
    assert words.quotes(storyteller_uuid) == []

    # Any other step since (here, one made elsewhere) takes the offer away.
    choose(panel, note.uuid)
    remove_button(panel).click()
    assert panel.undo_bar.isVisible()
    push_step(stack, "Something else", lambda: None, lambda: None)
    assert not panel.undo_bar.isVisible()
    assert words.notes(storyteller_uuid) == []

    # Ctrl+Z (the window's undo) right after a removal brings it back and hides the bar too.
    stack.undo()  # "Something else"
    words.add_quote(storyteller_uuid, "Another day.", author=FACILITATOR)
    panel.reload()
    (again,) = words.quotes(storyteller_uuid)
    choose(panel, again.uuid)
    remove_button(panel).click()
    assert panel.undo_bar.isVisible()
    stack.undo()
    assert [q.uuid for q in words.quotes(storyteller_uuid)] == [again.uuid]
    assert not panel.undo_bar.isVisible()


def test_the_bar_goes_when_the_panel_is_cleared(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    words = StoryWordsService(vault)
    quote = words.add_quote(storyteller_uuid, "I kept going.", author=FACILITATOR)
    panel, _stack = make_panel(qtbot, vault, storyteller_uuid)
    choose(panel, quote.uuid)
    remove_button(panel).click()
    assert panel.undo_bar.isVisible()
    panel.clear()  # locking
    assert not panel.undo_bar.isVisible()


def test_changing_the_words_is_a_proper_dialog_and_one_undo_step(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    words = StoryWordsService(vault)
    quote = words.add_quote(storyteller_uuid, "I kept gong.", author=FACILITATOR)
    panel, stack = make_panel(qtbot, vault, storyteller_uuid)
    choose(panel, quote.uuid)
    # Enter on the list opens it, with the words as they are.
    panel.list.setFocus()
    QTest.keyClick(panel.list, Qt.Key.Key_Return)
    dialog = panel.current_dialog
    assert isinstance(dialog, ChangeWordsDialog)
    assert dialog.windowTitle() == "Change the quote"
    assert dialog.text.toPlainText() == "I kept gong."
    assert dialog.ok_button.text() == "Keep the changes"

    # Emptied: refused in plain words; nothing changes and the dialog stays.
    dialog.text.clear()
    dialog.ok_button.click()
    assert dialog.isVisible()
    assert "Please keep some words" in dialog._footer.problem.text()
    assert [q.text for q in words.quotes(storyteller_uuid)] == ["I kept gong."]

    dialog.text.setPlainText("I kept going.")
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert [q.text for q in words.quotes(storyteller_uuid)] == ["I kept going."]
    assert stack.undoText() == "Change the words"
    stack.undo()
    assert [q.text for q in words.quotes(storyteller_uuid)] == ["I kept gong."]

    # Cancelled: nothing changes, and the words it showed are gone with it.
    dialog = panel.open_change_dialog(words.quotes(storyteller_uuid)[0])
    dialog.text.setPlainText("Something else")
    dialog.reject()
    assert dialog.text.toPlainText() == ""
    assert [q.text for q in words.quotes(storyteller_uuid)] == ["I kept gong."]

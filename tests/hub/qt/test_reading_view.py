"""The reading view, driven as the room drives it: pages turned with keys, excerpts marked
with E (a whole passage, or the words chosen), a theme named at once, undo and redo, an
excerpt opened in context, full screen, and nothing personal left behind on lock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storycapture.domain.authorship import Author
from storycapture.hub.qt.context import RoomContext
from storycapture.hub.qt.reading import ReadingView
from storycapture.hub.reading import LIFE, TOLD, reading_story
from tests.hub.conftest import DemoRoom

DANA = Author.facilitator("Dana")


@pytest.fixture
def context(demo_room: DemoRoom) -> RoomContext:
    return RoomContext(demo_room.vault, QUndoStack(), lambda: DANA)


@pytest.fixture
def view(qtbot: QtBot, context: RoomContext) -> Iterator[ReadingView]:
    widget = ReadingView(context)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.set_full_screen(False)


def _turn_to(view: ReadingView, title: str) -> None:
    story = view.story
    assert story is not None
    (passage,) = [p for p in story.passages if p.title == title]
    assert view.go_to_item(passage.kind, passage.uuid)


def test_pages_turn_with_the_keys_a_clicker_sends(
    qtbot: QtBot, view: ReadingView, demo_room: DemoRoom
) -> None:
    view.show_story(demo_room.people["Marigold"])
    last = view.page_count - 1
    assert view.page_index == 0
    assert view.indicator.text() == f"Page 1 of {view.page_count}"
    view.page.setFocus()
    for key, expected in (
        (Qt.Key.Key_Right, 1),
        (Qt.Key.Key_PageDown, 2),
        (Qt.Key.Key_Space, 3),
        (Qt.Key.Key_Down, 4),
        (Qt.Key.Key_Left, 3),
        (Qt.Key.Key_PageUp, 2),
        (Qt.Key.Key_Up, 1),
        (Qt.Key.Key_End, last),
        (Qt.Key.Key_PageDown, last),  # no page after the last
        (Qt.Key.Key_Home, 0),
        (Qt.Key.Key_PageUp, 0),
    ):
        qtbot.keyClick(view.page, key)
        assert view.page_index == expected, key
    # With the words in focus the same keys turn pages; with Shift they choose words instead.
    qtbot.keyClick(view.page, Qt.Key.Key_PageDown)
    view.words.setFocus()
    qtbot.keyClick(view.words, Qt.Key.Key_PageDown)
    assert view.page_index == 2
    qtbot.keyClick(view.words, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.page_index == 2
    assert view.words.textCursor().hasSelection()
    assert view.indicator.text() == f"Page 3 of {view.page_count}"


def test_the_order_and_the_storyteller_are_chosen_in_the_view(
    qtbot: QtBot, view: ReadingView, demo_room: DemoRoom
) -> None:
    view.show_story(demo_room.people["Marigold"])
    _turn_to(view, "Lost my cleaning job")
    told_page = view.page_index
    view.life.click()
    assert view.story is not None and view.story.order == LIFE
    passage = view.current_passage()
    assert passage is not None and passage.title == "Lost my cleaning job"  # same place
    assert view.page_index != told_page
    wren = view.storyteller.findText("Wren")
    view.storyteller.setCurrentIndex(wren)
    view.storyteller.activated.emit(wren)
    assert view.story.storyteller_uuid == demo_room.people["Wren"]
    assert view.heading.text() == "Wren’s story"
    assert view.story.order == LIFE


def test_e_marks_the_whole_passage_then_esc_names_no_theme(
    qtbot: QtBot, view: ReadingView, demo_room: DemoRoom, context: RoomContext
) -> None:
    person = demo_room.people["Marigold"]
    view.show_story(person)
    _turn_to(view, "Nan's garden")
    passage = view.current_passage()
    assert passage is not None
    before = {e.uuid for e in demo_room.room.excerpts(person)}
    view.words.setFocus()
    qtbot.keyClick(view.words, Qt.Key.Key_E)
    (made,) = [e for e in demo_room.room.excerpts(person) if e.uuid not in before]
    assert made.text == passage.words
    assert (made.source.kind, made.source.uuid, made.source.field) == (
        "timeline_event",
        passage.uuid,
        "words",
    )
    assert made.marked_by == "Dana"
    assert made.meta.author.is_storyteller  # their words, whoever marked them
    assert (0, len(passage.words), False) in view.highlighted_spans()
    assert view.theme_prompt_open and view.theme_name.hasFocus()
    qtbot.keyClick(view.theme_name, Qt.Key.Key_Escape)
    assert not view.theme_prompt_open
    assert demo_room.room.excerpt(made.uuid).themes == ()
    assert context.undo_stack.count() == 1


def test_e_marks_only_the_words_chosen_with_the_keyboard(
    qtbot: QtBot, view: ReadingView, demo_room: DemoRoom
) -> None:
    person = demo_room.people["Marigold"]
    view.show_story(person)
    _turn_to(view, "Nan's garden")
    passage = view.current_passage()
    assert passage is not None and passage.words.startswith("Every Sunday I helped")
    view.words.setFocus()
    qtbot.keyClick(view.words, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    for _ in range(len("Sunday")):
        qtbot.keyClick(view.words, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.chosen_span() == (6, 12)
    before = {e.uuid for e in demo_room.room.excerpts(person)}
    qtbot.keyClick(view.words, Qt.Key.Key_E)
    (made,) = [e for e in demo_room.room.excerpts(person) if e.uuid not in before]
    assert made.text == "Sunday"
    assert (made.source.start, made.source.end) == (6, 12)
    assert (6, 12, False) in view.highlighted_spans()


def test_a_new_theme_is_named_at_once_and_undo_takes_both_off(
    qtbot: QtBot, view: ReadingView, demo_room: DemoRoom, context: RoomContext
) -> None:
    person = demo_room.people["Marigold"]
    room = demo_room.room
    view.show_story(person)
    _turn_to(view, "Got Pudding")
    view.words.setFocus()
    with qtbot.waitSignal(context.signals.changed):
        qtbot.keyClick(view.words, Qt.Key.Key_E)
    qtbot.keyClicks(view.theme_name, "Animals as company")
    qtbot.keyClick(view.theme_name, Qt.Key.Key_Return)
    theme = room.theme_named("animals as company")
    (made,) = [e for e in room.excerpts(person) if theme.uuid in e.themes]
    assert context.undo_stack.count() == 1  # the mark and its new theme: one step
    assert "Animals as company" in context.undo_stack.undoText()

    context.undo_stack.undo()
    assert made.uuid not in {e.uuid for e in room.excerpts(person)}
    assert "Animals as company" not in {t.name for t in room.themes()}
    assert view.highlighted_spans() == []

    context.undo_stack.redo()
    assert room.excerpt(made.uuid).themes == (theme.uuid,)
    assert "Animals as company" in {t.name for t in room.themes()}
    assert len(view.highlighted_spans()) == 1


def test_an_existing_theme_is_offered_and_chosen(
    qtbot: QtBot, view: ReadingView, demo_room: DemoRoom, context: RoomContext
) -> None:
    person = demo_room.people["Wren"]
    room = demo_room.room
    view.show_story(person)
    _turn_to(view, "Online form to student wellbeing")
    themes_before = len(room.themes())
    before = {e.uuid for e in room.excerpts(person)}
    qtbot.keyClick(view.page, Qt.Key.Key_E)
    assert set(view.completer.model().stringList()) == {  # type: ignore[attr-defined]
        "Waiting for help",
        "Nature and outdoors",
    }
    qtbot.keyClicks(view.theme_name, "waiting")
    assert view.theme_name.text() == "waiting for help"  # completed in the line
    qtbot.keyClick(view.theme_name, Qt.Key.Key_Return)
    (made,) = [e for e in room.excerpts(person) if e.uuid not in before]
    assert made.themes == (demo_room.themes["Waiting for help"].uuid,)
    assert len(room.themes()) == themes_before  # no second theme of the same name
    context.undo_stack.undo()
    assert made.uuid not in {e.uuid for e in room.excerpts(person)}
    assert len(room.themes()) == themes_before  # a theme that was there stays


def test_the_first_page_has_nothing_to_mark(
    qtbot: QtBot, view: ReadingView, demo_room: DemoRoom, context: RoomContext
) -> None:
    view.show_story(demo_room.people["Moth"])
    qtbot.keyClick(view.page, Qt.Key.Key_E)
    assert context.undo_stack.count() == 0
    assert "Turn to a passage" in view.status.text()


def test_an_excerpt_opens_in_context_highlighted(
    qtbot: QtBot, view: ReadingView, demo_room: DemoRoom
) -> None:
    view.show_story(demo_room.people["Marigold"], LIFE)
    wren_quote = demo_room.room.excerpt(demo_room.excerpts[1])
    assert view.go_to_excerpt(wren_quote.uuid)
    story = view.story
    assert story is not None and story.storyteller_uuid == demo_room.people["Wren"]
    assert story.order == LIFE  # the order chosen stays
    passage = view.current_passage()
    assert passage is not None and passage.uuid == wren_quote.source.uuid
    assert (wren_quote.source.start, wren_quote.source.end, True) in view.highlighted_spans()
    # Turning the page leaves the context behind; the excerpt stays marked when back.
    qtbot.keyClick(view.page, Qt.Key.Key_Right)
    qtbot.keyClick(view.page, Qt.Key.Key_Left)
    assert (wren_quote.source.start, wren_quote.source.end, False) in view.highlighted_spans()


def _texts(widget: QWidget) -> list[str]:
    found = [widget.windowTitle(), widget.accessibleDescription(), widget.toolTip()]
    for child in [widget, *widget.findChildren(QWidget)]:
        found += [child.accessibleName(), child.accessibleDescription(), child.toolTip()]
        if isinstance(child, QLabel):
            found.append(child.text())
        elif isinstance(child, QLineEdit):
            found += [child.text(), child.placeholderText()]
        elif isinstance(child, QTextEdit):
            found.append(child.toPlainText())
        elif isinstance(child, QComboBox):
            found += [child.itemText(i) for i in range(child.count())]
        elif isinstance(child, QAbstractButton):
            found.append(child.text())
    return found


def test_clear_leaves_no_personal_word_in_any_widget(
    qtbot: QtBot, view: ReadingView, demo_room: DemoRoom
) -> None:
    personal = set(demo_room.people) | {"Priya", "Nadia", "Tom"}
    personal |= {t.name for t in demo_room.room.themes()}
    for person in demo_room.people.values():
        for order in (TOLD, LIFE):
            story = reading_story(demo_room.vault, person, order)
            personal |= {p.words[:24] for p in story.passages} | {p.title for p in story.passages}
    personal.discard("")
    view.show_story(demo_room.people["Marigold"])
    _turn_to(view, "Went to a money advice drop-in")
    qtbot.keyClick(view.page, Qt.Key.Key_E)  # the theme prompt open, its completions filled
    qtbot.keyClicks(view.theme_name, "Money")
    view.set_full_screen(True)
    shown = " ".join(_texts(view))
    assert "Marigold" in shown and "money advice" in shown  # what the check would catch

    view.clear()
    assert not view.is_full_screen
    left = " ".join(_texts(view))
    assert [words for words in personal if words in left] == []
    assert view.completer.model().rowCount() == 0
    assert view.story is None and view.page_count == 0


def test_full_screen_shows_the_page_alone_and_esc_leaves(
    qtbot: QtBot, view: ReadingView, demo_room: DemoRoom
) -> None:
    view.show_story(demo_room.people["Sunny"])
    view.page.setFocus()
    qtbot.keyClick(view.page, Qt.Key.Key_F11)
    assert view.is_full_screen and view.full_button.isChecked()
    qtbot.waitUntil(view.full_window.isVisible)
    assert view.full_window.isFullScreen()
    assert view.page.window() is view.full_window
    assert view.storyteller.window() is not view.full_window  # the controls stay behind
    qtbot.keyClick(view.page, Qt.Key.Key_PageDown)  # a clicker still turns the pages
    assert view.page_index == 1
    qtbot.keyClick(view.page, Qt.Key.Key_Escape)
    assert not view.is_full_screen and not view.full_button.isChecked()
    assert not view.full_window.isVisible()
    assert view.page.parent() is view and view.page.isVisible()
    view.full_button.click()
    assert view.is_full_screen
    view.full_button.click()
    assert not view.is_full_screen

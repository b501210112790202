"""The strengths tool driven like a person would (pointer, finger, keyboard, editor, deck) on a
real temporary vault; every check of what changed is made through the service."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from storycapture.domain.authorship import Author
from storycapture.domain.story import StrengthCard
from storycapture.domain.vocabulary import CardKind, Visibility
from storycapture.qtkit.context import EditingContext
from storycapture.services.history import HistoryService
from storycapture.services.vault import VaultSession
from storycapture.strengths.deck import PromptDeck
from storycapture.strengths.qt.tool import StrengthsTool
from storycapture.strengths.service import StrengthService
from tests.conftest import FACILITATOR

S, T, H = CardKind.STRENGTH, CardKind.TALENT, CardKind.HOPE
WORDS = ["I never give up", "I am kind", "I listen", "Gardening", "Baking bread"]


@pytest.fixture
def service(vault: VaultSession) -> StrengthService:
    return StrengthService(vault)


@pytest.fixture
def deck() -> PromptDeck:
    return PromptDeck.load()


@pytest.fixture(params=["facilitator", "storyteller"])
def author(request: pytest.FixtureRequest) -> Author:
    return FACILITATOR if request.param == "facilitator" else Author.storyteller()


@pytest.fixture
def tool(qtbot: QtBot, service: StrengthService, deck: PromptDeck, author: Author) -> StrengthsTool:
    context = EditingContext(QUndoStack(), lambda: author, lambda: None)
    widget = StrengthsTool(service, context, deck)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def board(service: StrengthService, storyteller_uuid: str, tool: StrengthsTool) -> list[str]:
    """Three strengths and two talents, written by the facilitator, on the board."""
    kinds = [S, S, S, T, T]
    made = [
        service.add_card(storyteller_uuid, kind=k, text=w, author=FACILITATOR).uuid
        for k, w in zip(kinds, WORDS, strict=True)
    ]
    tool.show_storyteller(storyteller_uuid)
    return made


def stack(tool: StrengthsTool) -> QUndoStack:
    return tool._context.undo_stack


def layout(service: StrengthService, storyteller: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for card in service.cards(storyteller):
        out.setdefault(card.kind.value, []).append(card.text)
    return out


def shown(tool: StrengthsTool, kind: CardKind) -> list[str]:
    return [c.text for c in tool.zone_view(kind).zone_model.cards()]


def card_point(tool: StrengthsTool, kind: CardKind, row: int) -> QPoint:
    view = tool.zone_view(kind)
    return view.visualRect(view.zone_model.index(row)).center()


def by_text(service: StrengthService, storyteller: str, text: str) -> StrengthCard:
    return next(c for c in service.cards(storyteller) if c.text == text)


# -- the data changes, the board follows --------------------------------------------------------


def test_the_board_shows_the_services_cards_and_follows_changes(
    tool: StrengthsTool, service: StrengthService, storyteller_uuid: str, board: list[str]
) -> None:
    assert shown(tool, S) == WORDS[:3]
    assert shown(tool, T) == WORDS[3:]
    service.update_card(board[0], author=FACILITATOR, kind=H)
    service.add_card(storyteller_uuid, kind="hard_right_now", text="Bills", author=FACILITATOR)
    tool.reload()
    assert shown(tool, S) == WORDS[1:3]
    assert shown(tool, H) == ["I never give up"]
    assert shown(tool, CardKind.HARD_RIGHT_NOW) == ["Bills"]
    index = tool.zone_view(H).zone_model.index(0)
    assert "by Priya" in index.data(Qt.ItemDataRole.AccessibleTextRole)


# -- the board is driven, the data follows ------------------------------------------------------


def drag(
    qtbot: QtBot,
    tool: StrengthsTool,
    source: tuple[CardKind, int],
    target: QWidget,
    at: QPoint,
) -> None:
    view = tool.zone_view(source[0])
    start = card_point(tool, *source)
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0), start)
    QTest.mouseMove(view.viewport(), start + QPoint(0, 30))
    QTest.mouseMove(target, at)
    QTest.mouseRelease(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0), at)


def test_a_mouse_drag_moves_a_card_to_another_zone_in_one_undo_step(
    qtbot: QtBot,
    tool: StrengthsTool,
    service: StrengthService,
    storyteller_uuid: str,
    board: list[str],
    author: Author,
) -> None:
    target = tool.zone_view(T).viewport()
    drag(qtbot, tool, (S, 0), target, card_point(tool, T, 1) - QPoint(0, 5))
    assert layout(service, storyteller_uuid) == {
        "strength": ["I am kind", "I listen"],
        "talent": ["Gardening", "I never give up", "Baking bread"],
    }
    assert stack(tool).count() == 1
    moved = by_text(service, storyteller_uuid, "I never give up")
    assert tool.chosen_card() == moved.uuid
    assert (
        tool.findChild(QLabel, "dragGhost") is None
        or not tool.findChild(QLabel, "dragGhost").isVisible()
    )
    stack(tool).undo()
    assert layout(service, storyteller_uuid) == {
        "strength": WORDS[:3],
        "talent": WORDS[3:],
    }
    assert shown(tool, S) == WORDS[:3]


def test_a_mouse_drag_reorders_within_a_zone(
    qtbot: QtBot,
    tool: StrengthsTool,
    service: StrengthService,
    storyteller_uuid: str,
    board: list[str],
) -> None:
    view = tool.zone_view(S)
    below_last = card_point(tool, S, 2) + QPoint(0, 40)
    drag(qtbot, tool, (S, 0), view.viewport(), below_last)
    assert layout(service, storyteller_uuid)["strength"] == [
        "I am kind",
        "I listen",
        "I never give up",
    ]
    assert stack(tool).count() == 1


def touch(tool: StrengthsTool, steps: list[tuple[str, QWidget, QPoint]]) -> None:
    """One finger: each step is press, move or release at a point of a widget. The points are
    given to the window (top-level) so they mean the same whichever overload PySide picks."""
    screen = QTest.createTouchDevice()
    for what, widget, point in steps:
        at = widget.mapTo(tool, point)
        sequence = QTest.touchEvent(tool, screen)
        getattr(sequence, what)(0, at).commit()


def test_a_finger_drag_moves_a_card(
    qtbot: QtBot,
    tool: StrengthsTool,
    service: StrengthService,
    storyteller_uuid: str,
    board: list[str],
) -> None:
    view = tool.zone_view(S).viewport()
    target = tool.zone_view(H).viewport()
    start = card_point(tool, S, 1)
    touch(
        tool,
        [
            ("press", view, start),
            ("move", view, start + QPoint(10, 30)),
            ("move", target, QPoint(40, 20)),
            ("release", target, QPoint(40, 20)),
        ],
    )
    assert layout(service, storyteller_uuid).get("hope") == ["I am kind"]
    assert stack(tool).count() == 1


def test_a_finger_tap_chooses_a_card(tool: StrengthsTool, board: list[str]) -> None:
    view = tool.zone_view(T).viewport()
    point = card_point(tool, T, 1)
    touch(tool, [("press", view, point), ("release", view, point)])
    assert tool.chosen_card() == board[4]
    assert tool.editor.words.toPlainText() == "Baking bread"


def test_keys_do_what_a_drag_does(
    qtbot: QtBot,
    tool: StrengthsTool,
    service: StrengthService,
    storyteller_uuid: str,
    board: list[str],
) -> None:
    view = tool.zone_view(S)
    view.setFocus()
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=card_point(tool, S, 0))
    assert tool.chosen_card() == board[0]
    QTest.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert layout(service, storyteller_uuid)["strength"] == [
        "I am kind",
        "I never give up",
        "I listen",
    ]
    assert stack(tool).count() == 1
    assert tool.zone_view(S).hasFocus()
    QTest.keyClick(tool.zone_view(S), Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert by_text(service, storyteller_uuid, "I never give up").kind is T
    assert tool.zone_view(T).hasFocus()
    QTest.keyClick(tool.zone_view(T), Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert by_text(service, storyteller_uuid, "I never give up").kind is H
    QTest.keyClick(tool.zone_view(H), Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert by_text(service, storyteller_uuid, "I never give up").kind is CardKind.HARD_RIGHT_NOW
    assert tool.current_board() == "life-now"
    assert stack(tool).count() == 4
    for _ in range(4):
        stack(tool).undo()
    assert layout(service, storyteller_uuid) == {"strength": WORDS[:3], "talent": WORDS[3:]}


def test_left_and_right_walk_the_zones_and_delete_takes_a_card_off(
    tool: StrengthsTool, service: StrengthService, storyteller_uuid: str, board: list[str]
) -> None:
    view = tool.zone_view(S)
    tool.choose_card(board[0], focus=True)
    QTest.keyClick(view, Qt.Key.Key_Right)
    assert tool.zone_view(T).hasFocus()
    assert tool.chosen_card() == board[3]
    QTest.keyClick(tool.zone_view(T), Qt.Key.Key_Delete)
    assert "Gardening" not in layout(service, storyteller_uuid)["talent"]
    assert tool.chosen_card() == board[4]
    stack(tool).undo()
    assert layout(service, storyteller_uuid)["talent"] == WORDS[3:]


def test_the_card_menu_offers_every_move(tool: StrengthsTool, board: list[str]) -> None:
    menu = tool.card_menu(board[0])
    texts = [a.text() for a in menu.actions()]
    assert "Move up" in texts and "Move down" in texts and "Take off the board" in texts
    moves = menu.actions()[0].menu()
    assert moves is not None
    assert [a.shortcut().toString() for a in moves.actions()] == [f"Ctrl+{n}" for n in range(1, 7)]
    menu.deleteLater()


def test_picking_a_prompt_makes_a_card_by_whoever_is_editing(
    tool: StrengthsTool,
    service: StrengthService,
    storyteller_uuid: str,
    author: Author,
) -> None:
    tool.show_storyteller(storyteller_uuid)
    tool.deck_panel.filter_box.setText("cooking")
    assert tool.deck_panel.prompt_ids() == ["cooking"]
    QTest.mouseClick(tool.deck_panel.add_button, Qt.MouseButton.LeftButton)
    [card] = service.cards(storyteller_uuid)
    assert (card.kind, card.text, card.prompt_id) == (T, "Cooking", "cooking")
    assert card.meta.author == author
    assert shown(tool, T) == ["Cooking"]
    assert tool.chosen_card() == card.uuid
    stack(tool).undo()
    assert service.cards(storyteller_uuid) == []
    stack(tool).redo()
    assert [c.uuid for c in service.cards(storyteller_uuid)] == [card.uuid]


def test_the_deck_shows_ideas_for_the_board_in_view(
    tool: StrengthsTool, storyteller_uuid: str, deck: PromptDeck
) -> None:
    tool.show_storyteller(storyteller_uuid)
    assert "money-worries" not in tool.deck_panel.prompt_ids()
    QTest.mouseClick(tool.board_buttons[1], Qt.MouseButton.LeftButton)
    assert "money-worries" in tool.deck_panel.prompt_ids()
    assert "cooking" not in tool.deck_panel.prompt_ids()


def test_writing_your_own_card(
    qtbot: QtBot,
    tool: StrengthsTool,
    service: StrengthService,
    storyteller_uuid: str,
    author: Author,
) -> None:
    tool.show_storyteller(storyteller_uuid)
    QTest.mouseClick(tool.deck_panel.own_button, Qt.MouseButton.LeftButton)
    assert tool.editor.writing_new
    tool.editor.zone.setCurrentIndex(tool.editor.zone.findData("hope"))
    QTest.keyClicks(tool.editor.words, "A garden with a bench")
    QTest.mouseClick(tool.editor.keep_button, Qt.MouseButton.LeftButton)
    [card] = service.cards(storyteller_uuid)
    assert (card.kind, card.text, card.prompt_id) == (H, "A garden with a bench", None)
    assert card.meta.author == author
    assert not tool.editor.writing_new
    assert stack(tool).count() == 1


def test_the_editor_changes_words_colour_and_who_can_see_it(
    tool: StrengthsTool,
    service: StrengthService,
    storyteller_uuid: str,
    board: list[str],
    author: Author,
) -> None:
    tool.choose_card(board[1])
    editor = tool.editor
    editor.words.selectAll()
    QTest.keyClicks(editor.words, "I am kind to strangers")
    QTest.keyClick(editor.words, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    QTest.mouseClick(editor.swatch_buttons[2], Qt.MouseButton.LeftButton)
    QTest.mouseClick(editor.visibility_buttons[Visibility.PRIVATE], Qt.MouseButton.LeftButton)
    card = service.cards(storyteller_uuid)[1]
    assert card.text == "I am kind to strangers"
    assert card.colour == "#f5e6b8"
    assert card.visibility is Visibility.PRIVATE
    assert stack(tool).count() == 3
    assert "private" in tool.zone_view(S).zone_model.index(1).data(
        Qt.ItemDataRole.AccessibleTextRole
    )
    # Each change is recorded as made by whoever was editing, beside the earlier words.
    changes = HistoryService(service._vault).of("strength_card", board[1])
    texts = [(c.value, c.author) for c in changes if c.field == "text"]
    assert texts[-2:] == [("I am kind", FACILITATOR), ("I am kind to strangers", author)]
    for _ in range(3):
        stack(tool).undo()
    card = service.cards(storyteller_uuid)[1]
    assert (card.text, card.colour, card.visibility) == ("I am kind", None, Visibility.TEAM)


def test_author_filter_and_highlight(
    tool: StrengthsTool, service: StrengthService, storyteller_uuid: str, board: list[str]
) -> None:
    service.add_card(storyteller_uuid, kind=S, text="My own words", author=Author.storyteller())
    tool.reload()
    tool.set_author_filter("storyteller")
    assert shown(tool, S) == ["My own words"]
    assert shown(tool, T) == []
    tool.set_author_filter("facilitator")
    assert shown(tool, S) == WORDS[:3]
    tool.set_author_filter("highlight-storyteller")
    model = tool.zone_view(S).zone_model
    marks = [bool(model.index(r).data(Qt.UserRole + 3)) for r in range(model.rowCount())]
    assert marks == [False, False, False, True]
    assert tool.author_filter.currentData() == "highlight-storyteller"
    with pytest.raises(ValueError):
        tool.set_author_filter("nobody")


def test_a_refused_edit_is_explained_and_not_pushed(tool: StrengthsTool, board: list[str]) -> None:
    assert not tool.set_words(board[0], "x" * 600)
    assert stack(tool).count() == 0
    assert tool.problem.isVisible() and tool.problem.text()


def test_changed_is_emitted_after_every_edit(
    qtbot: QtBot, tool: StrengthsTool, board: list[str]
) -> None:
    with qtbot.waitSignal(tool.changed, timeout=1000):
        tool.move_card(board[2], -1)


# -- lock, storyteller mode, accessibility -----------------------------------------------------


def _all_text(widget: QWidget) -> str:
    found: list[str] = []
    for child in [widget, *widget.findChildren(QWidget)]:
        if isinstance(child, QLabel | QAbstractButton | QLineEdit):
            found.append(child.text())
        elif isinstance(child, QPlainTextEdit):
            found.append(child.toPlainText())
        elif isinstance(child, QComboBox):
            found.append(child.currentText())
        if isinstance(child, QAbstractItemView) and child.model() is not None:
            model = child.model()
            for row in range(model.rowCount()):
                found.append(str(model.index(row, 0).data()))
        found.append(child.toolTip())
        found.append(child.accessibleName())
    return "\n".join(found)


def test_clear_leaves_no_personal_words_anywhere(
    tool: StrengthsTool, service: StrengthService, storyteller_uuid: str, board: list[str]
) -> None:
    tool.choose_card(board[0])
    tool.editor.words.setPlainText("I never give up, typed but not kept")
    tool.deck_panel.filter_box.setText("keep")
    assert "I listen" in _all_text(tool)
    tool.clear()
    text = _all_text(tool)
    for words in [*WORDS, "typed but not kept"]:
        assert words not in text
    assert all(view.zone_model.rowCount() == 0 for view in tool.views.values())
    # Words typed but not kept were kept before the tool let go of them.
    assert by_text(service, storyteller_uuid, "I never give up, typed but not kept")


def test_set_large_grows_type_and_touch_targets(
    qtbot: QtBot, tool: StrengthsTool, board: list[str]
) -> None:
    view = tool.zone_view(S)
    normal = view.font().pointSizeF()
    button = tool.editor.keep_button.font().pointSizeF()
    tool.set_large(True)
    qtbot.wait(10)
    assert view.font().pointSizeF() >= 1.5 * normal - 0.05
    assert tool.editor.keep_button.font().pointSizeF() >= 1.5 * button - 0.05
    for row in range(view.zone_model.rowCount()):
        assert view.visualRect(view.zone_model.index(row)).height() >= 48
    buttons = [
        *tool.board_buttons,
        tool.deck_panel.add_button,
        tool.deck_panel.own_button,
        tool.editor.keep_button,
        tool.editor.remove_button,
        *tool.editor.swatch_buttons,
        *tool.editor.visibility_buttons.values(),
    ]
    for control in [*buttons, tool.author_filter, tool.editor.zone]:
        assert control.sizeHint().height() >= 48 or control.height() >= 48, control
    prompts = tool.deck_panel.list
    assert prompts.visualRect(prompts.model().index(0, 0)).height() >= 48
    tool.set_large(False)
    assert abs(view.font().pointSizeF() - normal) < 0.05


def test_every_control_has_an_accessible_name(tool: StrengthsTool, board: list[str]) -> None:
    kinds: tuple[type[QWidget], ...] = (
        QAbstractButton,
        QComboBox,
        QLineEdit,
        QPlainTextEdit,
        QAbstractItemView,
    )
    unnamed = [
        w
        for w in tool.findChildren(QWidget)
        if isinstance(w, kinds)
        and not w.accessibleName()
        and w.objectName() != "qt_scrollarea_viewport"
        and w.isVisibleTo(tool)
    ]
    assert unnamed == []


def test_storyteller_mode_cards_are_in_their_words(
    qtbot: QtBot, service: StrengthService, deck: PromptDeck, storyteller_uuid: str
) -> None:
    context = EditingContext(QUndoStack(), Author.storyteller, lambda: None)
    tool = StrengthsTool(service, context, deck)
    qtbot.addWidget(tool)
    tool.set_large(True)
    tool.show_storyteller(storyteller_uuid)
    uuid = tool.add_card(CardKind.GOOD_IN_MY_LIFE, "My dog")
    assert uuid is not None
    [card] = service.cards(storyteller_uuid)
    assert card.meta.author.is_storyteller
    index = tool.zone_view(CardKind.GOOD_IN_MY_LIFE).zone_model.index(0)
    assert "in their words" in index.data(Qt.ItemDataRole.AccessibleTextRole)


def test_the_two_main_buttons_never_say_the_same_thing(
    tool: StrengthsTool, board: list[str]
) -> None:
    """An idea from the deck and a card in their own words are two different things to do:
    the two orange buttons on one screen say which (they both said "Put it on the board")."""
    tool.deck_panel.own_button.click()  # writing their own card
    primary = [
        button.text()
        for button in tool.findChildren(QPushButton)
        if button.objectName() == "primary" and button.isVisible()
    ]
    assert len(primary) == 2
    assert len(set(primary)) == 2
    assert "Use this idea" in primary

"""The themes board driven as people use it: notes and themes shown, dragged, chosen, made,
merged, split, taken off and undone, by pointer and by keyboard; and nothing left on lock."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from storycapture.domain.story import Excerpt
from storycapture.hub.qt.board import ThemeChooser, ThemeDialog, ThemesBoard
from storycapture.hub.qt.board_items import NoteItem, ThemeRegion
from storycapture.hub.qt.context import RoomContext
from storycapture.hub.room import RoomService
from storycapture.qtkit.palette import THEME_COLOURS
from tests.hub.conftest import TEAM, DemoRoom, first_item


@pytest.fixture
def board(qtbot: QtBot, demo_room: DemoRoom) -> Iterator[ThemesBoard]:
    context = RoomContext(vault=demo_room.vault, undo_stack=QUndoStack(), author=lambda: TEAM)
    widget = ThemesBoard(context)
    qtbot.addWidget(widget)
    widget.resize(1366, 768)
    widget.show()
    qtbot.waitExposed(widget)
    yield widget
    widget.clear()


def themes_of(demo_room: DemoRoom, excerpt: str) -> list[str]:
    return list(demo_room.room.excerpt(excerpt).themes)


def note(board: ThemesBoard, excerpt: str, theme: str = "") -> NoteItem:
    return board.scene.notes[(excerpt, theme)]


def centre_on_screen(
    board: ThemesBoard, item: NoteItem | ThemeRegion, label: bool = False
) -> QPoint:
    """Where on the view's viewport the item (or a theme's name) is, scrolled into sight."""
    if isinstance(item, ThemeRegion) and label:
        rect = item.mapRectToScene(item.label_rect())
    else:
        rect = item.sceneBoundingRect()
    board.view.ensureVisible(rect, 10, 10)
    return board.view.mapFromScene(rect.center())


def uuids(demo_room: DemoRoom) -> tuple[str, str, str, str, str]:
    marigold, wren, moth = demo_room.excerpts
    return (
        marigold,
        wren,
        moth,
        demo_room.themes["Waiting for help"].uuid,
        demo_room.themes["Nature and outdoors"].uuid,
    )


def test_notes_and_themes_show_their_words_pseudonyms_and_where_they_come_from(
    board: ThemesBoard, demo_room: DemoRoom
) -> None:
    marigold, wren, moth, waiting, nature = uuids(demo_room)
    excerpts = {e.uuid: e for e in demo_room.room.excerpts()}
    assert set(board.scene.notes) == {(marigold, nature), (wren, waiting), (moth, "")}
    for key, item in board.scene.notes.items():
        assert item.card.text == excerpts[key[0]].text
    assert note(board, marigold, nature).card.pseudonym == "Marigold"
    assert note(board, marigold, nature).card.source == "a moment"
    assert note(board, wren, waiting).card.pseudonym == "Wren"
    assert note(board, wren, waiting).card.source == "a quote"
    assert note(board, moth).card.whose == "their own words"
    regions = board.scene.regions
    assert regions[waiting].patch.name == "Waiting for help"
    assert regions[waiting].patch.count == 1
    assert "Long waits" in regions[waiting].patch.description
    # Notes in a theme sit inside its region; the unsorted note at its own place.
    assert (
        regions[nature].area().contains(note(board, marigold, nature).sceneBoundingRect().center())
    )
    assert note(board, moth).pos() == QPointF(40, 420)
    # The accessible name says the words, the pseudonym and the themes.
    spoken = board.accessible_name_of(wren, waiting)
    assert excerpts[wren].text in spoken and "Wren" in spoken and "Waiting for help" in spoken


def test_an_empty_theme_says_so(board: ThemesBoard, demo_room: DemoRoom) -> None:
    empty = demo_room.room.add_theme("Money worries", author=TEAM, x=900, y=40)
    board.refresh()
    region = board.scene.regions[empty.uuid]
    assert region.patch.count == 0
    assert "no notes yet" in region.patch.spoken()
    board.set_current(("theme", empty.uuid, ""))
    assert "Money worries" in board.view.accessibleName()


def test_a_note_dropped_into_a_theme_joins_it_and_leaves_its_old_one(
    board: ThemesBoard, demo_room: DemoRoom
) -> None:
    _marigold, _wren, moth, waiting, nature = uuids(demo_room)
    target = board.scene.regions[waiting].area().center()
    assert board.drop_notes([(moth, "")], target)
    assert themes_of(demo_room, moth) == [waiting]
    assert (moth, waiting) in board.scene.notes and (moth, "") not in board.scene.notes
    assert board.drop_notes([(moth, waiting)], board.scene.regions[nature].area().center())
    assert themes_of(demo_room, moth) == [nature]
    stack = board._context.undo_stack
    stack.undo()
    assert themes_of(demo_room, moth) == [waiting]
    stack.undo()
    assert themes_of(demo_room, moth) == []
    assert (moth, "") in board.scene.notes


def test_a_real_mouse_drag_moves_a_note_into_another_theme(
    qtbot: QtBot, board: ThemesBoard, demo_room: DemoRoom
) -> None:
    _marigold, wren, _moth, waiting, nature = uuids(demo_room)
    steps: list[int] = []
    board._context.signals.changed.connect(lambda: steps.append(1))
    start = centre_on_screen(board, note(board, wren, waiting))
    end = board.view.mapFromScene(board.scene.regions[nature].area().center())
    viewport = board.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for n in range(1, 11):
        QTest.mouseMove(viewport, start + (end - start) * n / 10)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    assert themes_of(demo_room, wren) == [nature]
    assert board._context.undo_stack.count() == 1  # the whole drag: one step
    assert steps == [1]
    assert board.scene.regions[nature].patch.count == 2
    assert board.scene.regions[waiting].patch.count == 0


def test_dragging_a_themes_name_moves_the_theme_as_one_step(
    qtbot: QtBot, board: ThemesBoard, demo_room: DemoRoom
) -> None:
    marigold, _wren, _moth, _waiting, nature = uuids(demo_room)
    start = centre_on_screen(board, board.scene.regions[nature], label=True)
    end = start + QPoint(60, 300)
    viewport = board.view.viewport()
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    for n in range(1, 11):
        QTest.mouseMove(viewport, start + (end - start) * n / 10)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    moved = demo_room.room.theme(nature)
    assert (moved.x, moved.y) == (420 + 60, 40 + 300)
    assert themes_of(demo_room, marigold) == [nature]
    assert (
        board.scene.regions[nature]
        .area()
        .contains(note(board, marigold, nature).sceneBoundingRect().center())
    )
    assert board._context.undo_stack.count() == 1
    board._context.undo_stack.undo()
    assert (demo_room.room.theme(nature).x, demo_room.room.theme(nature).y) == (420, 40)


def test_a_ctrl_drag_keeps_the_note_in_both_themes_and_shows_it_in_each(
    qtbot: QtBot, board: ThemesBoard, demo_room: DemoRoom
) -> None:
    _marigold, wren, _moth, waiting, nature = uuids(demo_room)
    start = centre_on_screen(board, note(board, wren, waiting))
    end = board.view.mapFromScene(board.scene.regions[nature].area().center())
    viewport = board.view.viewport()
    ctrl = Qt.KeyboardModifier.ControlModifier
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, ctrl, start)
    for n in range(1, 11):
        QTest.mouseMove(viewport, start + (end - start) * n / 10)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, ctrl, end)
    assert themes_of(demo_room, wren) == [waiting, nature]
    assert (wren, waiting) in board.scene.notes and (wren, nature) in board.scene.notes
    assert "Waiting for help" in board.accessible_name_of(wren, nature)
    assert "Nature and outdoors" in board.accessible_name_of(wren, nature)


def test_a_note_dragged_out_onto_the_empty_board_leaves_its_theme_and_stays_there(
    board: ThemesBoard, demo_room: DemoRoom
) -> None:
    _marigold, wren, _moth, waiting, _nature = uuids(demo_room)
    place = QPointF(1000, 600)
    assert board.scene.region_at(place + QPointF(5, 5)) is None
    assert board.drop_notes(
        [(wren, waiting)], place + QPointF(5, 5), places={(wren, waiting): place}
    )
    excerpt = demo_room.room.excerpt(wren)
    assert excerpt.themes == ()
    assert (excerpt.x, excerpt.y) == (1000, 600)
    assert note(board, wren).pos() == place
    board._context.undo_stack.undo()
    excerpt = demo_room.room.excerpt(wren)
    assert excerpt.themes == (waiting,)
    assert (excerpt.x, excerpt.y) == (40, 140)


def test_make_a_theme_of_two_chosen_notes_with_the_key_n(
    qtbot: QtBot, board: ThemesBoard, demo_room: DemoRoom
) -> None:
    marigold, _wren, moth, _waiting, nature = uuids(demo_room)
    viewport = board.view.viewport()
    QTest.mouseClick(
        viewport,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        centre_on_screen(board, note(board, moth)),
    )
    QTest.mouseClick(
        viewport,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        centre_on_screen(board, note(board, marigold, nature)),
    )
    assert set(board.chosen_notes()) == {(moth, ""), (marigold, nature)}
    board.view.setFocus()
    QTest.keyClick(board.view, Qt.Key.Key_N)
    dialog = board.dialog
    assert isinstance(dialog, ThemeDialog)
    dialog.name.setText("Being heard")
    dialog.description.setPlainText("Wanting to be listened to.")
    dialog.colour_buttons[THEME_COLOURS[3]].click()
    dialog.ok_button.click()
    made = demo_room.room.theme_named("Being heard")
    assert made.description == "Wanting to be listened to."
    assert made.colour == THEME_COLOURS[3]
    assert themes_of(demo_room, moth) == [made.uuid]
    assert themes_of(demo_room, marigold) == [nature, made.uuid]
    assert board.scene.regions[made.uuid].patch.count == 2
    board._context.undo_stack.undo()
    assert [t.name for t in demo_room.room.themes()] == ["Waiting for help", "Nature and outdoors"]
    assert themes_of(demo_room, moth) == [] and themes_of(demo_room, marigold) == [nature]
    board._context.undo_stack.redo()
    assert themes_of(demo_room, moth) == [made.uuid]


def test_a_name_already_taken_is_said_in_the_dialog_and_nothing_is_made(
    board: ThemesBoard, demo_room: DemoRoom
) -> None:
    _marigold, _wren, moth, _waiting, _nature = uuids(demo_room)
    board.select_notes([(moth, "")])
    board.ask_make_theme()
    dialog = board.dialog
    assert isinstance(dialog, ThemeDialog)
    dialog.name.setText("waiting for HELP")
    dialog.ok_button.click()
    assert dialog.isVisible() and "already" in dialog.problem.text()
    assert board._context.undo_stack.count() == 0


def test_rename_describe_and_recolour_a_theme_by_double_clicking_its_name(
    qtbot: QtBot, board: ThemesBoard, demo_room: DemoRoom
) -> None:
    _marigold, _wren, _moth, waiting, _nature = uuids(demo_room)
    region = board.scene.regions[waiting]
    QTest.mouseDClick(
        board.view.viewport(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        centre_on_screen(board, region, label=True),
    )
    dialog = board.dialog
    assert isinstance(dialog, ThemeDialog)
    assert dialog.name.text() == "Waiting for help"
    dialog.name.setText("Waiting, and waiting")
    dialog.description.setPlainText("Months on a list.")
    dialog.colour_buttons[THEME_COLOURS[4]].click()
    dialog.ok_button.click()
    theme = demo_room.room.theme(waiting)
    assert (theme.name, theme.description, theme.colour) == (
        "Waiting, and waiting",
        "Months on a list.",
        THEME_COLOURS[4],
    )
    assert board.scene.regions[waiting].patch.name == "Waiting, and waiting"
    board._context.undo_stack.undo()
    assert demo_room.room.theme(waiting).name == "Waiting for help"


def test_merge_two_themes_then_undo_and_redo_exactly(
    qtbot: QtBot, board: ThemesBoard, demo_room: DemoRoom
) -> None:
    marigold, wren, moth, waiting, nature = uuids(demo_room)
    demo_room.room.set_excerpt_themes(moth, [waiting, nature], author=TEAM)
    board.refresh()
    viewport = board.view.viewport()
    # Chosen Nature first, then Waiting: Nature survives.
    QTest.mouseClick(
        viewport,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
        centre_on_screen(board, board.scene.regions[nature], label=True),
    )
    QTest.mouseClick(
        viewport,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.ControlModifier,
        centre_on_screen(board, board.scene.regions[waiting], label=True),
    )
    assert board.chosen_themes() == [nature, waiting]
    assert board.buttons["Merge themes"].isEnabled()
    board.buttons["Merge themes"].click()
    assert [t.uuid for t in demo_room.room.themes()] == [nature]
    after = {e: themes_of(demo_room, e) for e in (marigold, wren, moth)}
    assert after == {marigold: [nature], wren: [nature], moth: [nature]}
    assert set(board.scene.regions) == {nature}
    assert board.scene.regions[nature].patch.count == 3
    board._context.undo_stack.undo()
    assert {t.uuid for t in demo_room.room.themes()} == {waiting, nature}
    before = {e: themes_of(demo_room, e) for e in (marigold, wren, moth)}
    assert before == {marigold: [nature], wren: [waiting], moth: [waiting, nature]}
    assert set(board.scene.regions) == {waiting, nature}
    board._context.undo_stack.redo()
    assert {e: themes_of(demo_room, e) for e in (marigold, wren, moth)} == after


def test_split_chosen_notes_off_into_a_new_theme(board: ThemesBoard, demo_room: DemoRoom) -> None:
    marigold, _wren, moth, _waiting, nature = uuids(demo_room)
    demo_room.room.set_excerpt_themes(moth, [nature], author=TEAM)
    board.refresh()
    board.select_notes([(moth, nature)])
    assert board.split_action.isEnabled()
    board.ask_split()
    dialog = board.dialog
    assert isinstance(dialog, ThemeDialog)
    dialog.name.setText("Voices")
    dialog.description.setPlainText("Living alongside voices.")
    dialog.ok_button.click()
    voices = demo_room.room.theme_named("Voices")
    assert voices.description == "Living alongside voices."
    assert themes_of(demo_room, moth) == [voices.uuid]
    assert themes_of(demo_room, marigold) == [nature]
    assert board.scene.regions[nature].patch.count == 1
    assert (moth, voices.uuid) in board.scene.notes
    board._context.undo_stack.undo()
    assert themes_of(demo_room, moth) == [nature]
    assert "Voices" not in [t.name for t in demo_room.room.themes()]
    board._context.undo_stack.redo()
    assert themes_of(demo_room, moth) == [voices.uuid]
    assert demo_room.room.theme(voices.uuid).description == "Living alongside voices."


def test_take_a_theme_off_the_board_and_undo(board: ThemesBoard, demo_room: DemoRoom) -> None:
    _marigold, wren, _moth, waiting, nature = uuids(demo_room)
    board.select_themes([waiting])
    board.buttons["Take the theme off"].click()
    assert [t.uuid for t in demo_room.room.themes()] == [nature]
    assert themes_of(demo_room, wren) == []
    assert (wren, "") in board.scene.notes
    assert board.undo_bar.is_offering()
    board.undo_bar.undo_button.click()
    assert {t.uuid for t in demo_room.room.themes()} == {waiting, nature}
    assert themes_of(demo_room, wren) == [waiting]
    assert (wren, waiting) in board.scene.notes


def test_take_a_note_off_with_delete_and_undo(
    qtbot: QtBot, board: ThemesBoard, demo_room: DemoRoom
) -> None:
    _marigold, _wren, moth, _waiting, _nature = uuids(demo_room)
    board.view.setFocus()
    board.set_current(("note", moth, ""))
    QTest.keyClick(board.view, Qt.Key.Key_Delete)
    assert moth not in [e.uuid for e in demo_room.room.excerpts()]
    assert all(key[0] != moth for key in board.scene.notes)
    board._context.undo_stack.undo()
    assert moth in [e.uuid for e in demo_room.room.excerpts()]
    assert (moth, "") in board.scene.notes


def test_a_double_click_or_enter_opens_the_note_in_its_story(
    qtbot: QtBot, board: ThemesBoard, demo_room: DemoRoom
) -> None:
    marigold, wren, _moth, waiting, nature = uuids(demo_room)
    signals = board._context.signals
    with qtbot.waitSignal(signals.open_excerpt, timeout=1000) as opened:
        QTest.mouseDClick(
            board.view.viewport(),
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
            centre_on_screen(board, note(board, wren, waiting)),
        )
    assert opened.args == [wren]
    board.view.setFocus()
    board.set_current(("note", marigold, nature))
    with qtbot.waitSignal(signals.open_excerpt, timeout=1000) as opened:
        QTest.keyClick(board.view, Qt.Key.Key_Return)
    assert opened.args == [marigold]
    with qtbot.waitSignal(signals.open_excerpt, timeout=1000) as opened:
        board.panel.open_button.click()
    assert opened.args == [marigold]


def test_the_keyboard_path_tab_to_a_note_and_t_to_choose_a_theme(
    qtbot: QtBot, board: ThemesBoard, demo_room: DemoRoom
) -> None:
    _marigold, _wren, moth, waiting, _nature = uuids(demo_room)
    board.view.setFocus()
    assert board.view.hasFocus()
    seen = []
    for _ in range(10):
        seen.append(board.current)
        if board.current == ("note", moth, ""):
            break
        QTest.keyClick(board.view, Qt.Key.Key_Tab)
    assert board.current == ("note", moth, "")
    moth_words = demo_room.room.excerpt(moth).text
    assert moth_words in board.view.accessibleName() and "Moth" in board.view.accessibleName()
    assert moth_words in board.panel.words.text()
    # Every stop was a theme's name or a note, in reading order.
    assert seen[0] is not None and seen[0][0] == "theme"
    QTest.keyClick(board.view, Qt.Key.Key_T)
    chooser = board.dialog
    assert isinstance(chooser, ThemeChooser)
    chooser.choose("Waiting for help")
    QTest.keyClick(chooser.list, Qt.Key.Key_Return)
    assert themes_of(demo_room, moth) == [waiting]
    # The keyboard stays with the note, now in its theme; L takes it out again.
    assert board.current == ("note", moth, waiting)
    assert "Waiting for help" in board.view.accessibleName()
    board.view.setFocus()
    QTest.keyClick(board.view, Qt.Key.Key_L)
    assert themes_of(demo_room, moth) == []


def test_arrows_go_within_a_theme_and_to_the_theme_beside(
    board: ThemesBoard, demo_room: DemoRoom
) -> None:
    _marigold, wren, _moth, waiting, nature = uuids(demo_room)
    board.view.setFocus()
    board.set_current(("theme", waiting, ""))
    QTest.keyClick(board.view, Qt.Key.Key_Down)
    assert board.current == ("note", wren, waiting)
    QTest.keyClick(board.view, Qt.Key.Key_Right)
    assert board.current == ("theme", nature, "")
    QTest.keyClick(board.view, Qt.Key.Key_Space)
    QTest.keyClick(board.view, Qt.Key.Key_Left)
    QTest.keyClick(board.view, Qt.Key.Key_Space)
    assert board.chosen_themes() == [nature, waiting]


def test_the_board_reads_again_when_the_room_changes_elsewhere(
    board: ThemesBoard, demo_room: DemoRoom
) -> None:
    added = demo_room.room.add_excerpt(
        demo_room.people["Marigold"],
        source_kind="quote",
        source_uuid=first_item(demo_room.vault, "quote", demo_room.people["Marigold"]),
        marked_by="Dana",
        x=900,
        y=500,
    )
    assert (added.uuid, "") not in board.scene.notes
    board._context.signals.changed.emit()
    assert (added.uuid, "") in board.scene.notes


def _every_word_shown(board: ThemesBoard) -> str:
    words: list[str] = [board.view.accessibleName(), board.view.toolTip()]
    for item in board.scene.items():
        words.append(item.toolTip())
        if isinstance(item, NoteItem):
            words.append(item.card.text)
    for child in board.findChildren(QWidget):
        words += [child.accessibleName(), child.toolTip(), child.windowTitle()]
        if isinstance(child, QLabel | QAbstractButton):
            words.append(child.text())
    return "\n".join(words)


def test_clear_leaves_no_personal_word_anywhere(board: ThemesBoard, demo_room: DemoRoom) -> None:
    _marigold, wren, _moth, waiting, _nature = uuids(demo_room)
    board.show_excerpt(wren)
    board.select_themes([waiting])
    personal = [e.text for e in demo_room.room.excerpts()]
    personal += [*demo_room.people, "Waiting for help", "Nature and outdoors", "Long waits"]
    before = _every_word_shown(board)
    assert all(word in before for word in (personal[1], "Wren"))
    board.clear()
    after = _every_word_shown(board)
    assert not board.scene.items()
    assert [word for word in personal if word in after] == []


def test_show_excerpt_scrolls_to_and_chooses_its_note(
    board: ThemesBoard, demo_room: DemoRoom
) -> None:
    _marigold, _wren, moth, _waiting, _nature = uuids(demo_room)
    board.show_excerpt(moth)
    assert board.current == ("note", moth, "")
    assert note(board, moth).isSelected()
    visible = board.view.mapToScene(board.view.viewport().rect()).boundingRect()
    assert visible.contains(note(board, moth).sceneBoundingRect())


def _many(demo_room: DemoRoom, count: int, themes: int) -> tuple[list[Excerpt], list[str]]:
    """``count`` notes (copies of the demo's, under new ids) across ``themes`` themes."""
    room = demo_room.room
    made = [
        room.add_theme(f"Theme {n}", author=TEAM, x=(n % 6) * 700, y=(n // 6) * 900).uuid
        for n in range(themes)
    ]
    real = room.excerpts()
    many = []
    for n in range(count):
        like = real[n % len(real)]
        theme = made[n % themes] if n % 5 else None
        many.append(
            dataclasses.replace(
                like,
                meta=dataclasses.replace(like.meta, uuid=f"{like.uuid[:24]}{n:012d}"),
                themes=(theme,) if theme else (),
                x=float(40 + (n % 40) * 230),
                y=float(6000 + (n // 40) * 150),
            )
        )
    return many, made


def test_a_thousand_notes_and_thirty_themes_are_read_once(
    qtbot: QtBot, board: ThemesBoard, demo_room: DemoRoom, monkeypatch: pytest.MonkeyPatch
) -> None:
    many, _themes = _many(demo_room, 1000, 30)
    reads: list[int] = []

    def excerpts(self: RoomService, storyteller_uuid: str | None = None) -> list[Excerpt]:
        reads.append(1)
        return many

    monkeypatch.setattr(RoomService, "excerpts", excerpts)
    board.refresh()
    board.view.viewport().repaint()
    # One read for the whole board, never one per note (how long it takes is measured by
    # tests/benchmarks/test_room_scale.py, not here).
    assert reads == [1]
    assert len(board.scene.notes) == 1000


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_board_renders_at_laptop_and_large_sizes(
    qtbot: QtBot, board: ThemesBoard, demo_room: DemoRoom, size: tuple[int, int], tmp_path: Path
) -> None:
    _marigold, wren, _moth, waiting, nature = uuids(demo_room)
    room = demo_room.room
    for kind, person in (("quote", "Marigold"), ("timeline_event", "Wren"), ("quote", "Wren")):
        room.add_excerpt(
            demo_room.people[person],
            source_kind=kind,
            source_uuid=first_item(demo_room.vault, kind, demo_room.people[person]),
            marked_by="Dana",
            themes=[waiting],
        )
    room.add_theme("Money worries", author=TEAM, description="Bills, benefits, debt.", x=800, y=40)
    board.refresh()
    board.select_themes([nature])
    board.show_excerpt(wren)
    board.resize(*size)
    QApplication.processEvents()
    path = tmp_path / f"themes-board-{size[0]}x{size[1]}.png"
    assert board.grab().save(str(path))
    assert path.stat().st_size > 10_000

"""How it felt is chosen with seven buttons in words (very hard … very good) and one for "Not
said": no slider or drop-down. Each choice is one undo step, made by whoever is editing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractSlider, QComboBox
from pytestqt.qtbot import QtBot

from storycapture.domain.authorship import Author
from storycapture.qtkit.context import EditingContext
from storycapture.services.media import PhotoService
from storycapture.services.vault import VaultSession
from storycapture.timeline.qt.feeling import FeelingChoice
from storycapture.timeline.qt.tool import TimelineTool
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR

TODAY = datetime.date(2026, 3, 2)


def _tool(
    qtbot: QtBot, vault: VaultSession, author: Author, service: TimelineService | None = None
) -> TimelineTool:
    context = EditingContext(QUndoStack(), lambda: author, lambda: None)
    service = service or TimelineService(vault)
    tool = TimelineTool(service, PhotoService(vault), context, today=lambda: TODAY)
    qtbot.addWidget(tool)
    tool.resize(1300, 760)
    tool.show()
    qtbot.waitExposed(tool)
    return tool


def test_the_feeling_is_seven_worded_buttons_and_not_said(
    qtbot: QtBot, vault: VaultSession, storyteller_uuid: str
) -> None:
    tool = _tool(qtbot, vault, FACILITATOR)
    moment = TimelineService(vault).add_event(
        storyteller_uuid, title="Moved", starts="2015", author=FACILITATOR
    )
    tool.show_storyteller(storyteller_uuid, 1980)
    tool.open_editor(moment.uuid)
    choice = tool.panel.feeling
    assert isinstance(choice, FeelingChoice)
    # No slider to land between two feelings, no drop-down to aim into.
    for widget in tool.panel.findChildren(QAbstractSlider) + tool.panel.findChildren(QComboBox):
        assert "felt" not in widget.accessibleName().lower()
    words = [choice.buttons[v].accessibleName() for v in (-3, -2, -1, 0, 1, 2, 3, None)]
    assert words == [
        "How it felt: Very hard",
        "How it felt: Hard",
        "How it felt: A bit hard",
        "How it felt: In between",
        "How it felt: A bit good",
        "How it felt: Good",
        "How it felt: Very good",
        "How it felt: Not said",
    ]
    # Nothing is chosen for them: "Not said" is the value, not "in between".
    assert choice.value() is None and choice.buttons[None].isChecked()
    assert not choice.buttons[0].isChecked()
    # Each button shows its colour as well as its words.
    assert all(not button.icon().isNull() for button in choice.buttons.values())


@pytest.mark.parametrize("author", [FACILITATOR, Author.storyteller()], ids=["facilitator", "mode"])
def test_each_feeling_chosen_is_one_undo_step_by_whoever_chose_it(
    qtbot: QtBot,
    vault: VaultSession,
    storyteller_uuid: str,
    author: Author,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service = TimelineService(vault)
    moment = service.add_event(storyteller_uuid, title="Moved", starts="2015", author=FACILITATOR)
    tool = _tool(qtbot, vault, author, service)
    tool.show_storyteller(storyteller_uuid, 1980)
    tool.open_editor(moment.uuid)
    authors: list[Any] = []
    update = service.update_event

    def spy(uuid: str, **changes: Any) -> Any:
        authors.append(changes["author"])
        return update(uuid, **changes)

    monkeypatch.setattr(service, "update_event", spy)
    stack = tool._context.undo_stack
    choice = tool.panel.feeling

    QTest.mouseClick(choice.buttons[-2], Qt.MouseButton.LeftButton)
    assert service.get_event(moment.uuid).valence == -2
    QTest.mouseClick(choice.buttons[-2], Qt.MouseButton.LeftButton)  # the same again: no step
    QTest.mouseClick(choice.buttons[1], Qt.MouseButton.LeftButton)
    assert service.get_event(moment.uuid).valence == 1
    assert stack.count() == 2
    assert stack.undoText() == "Change how “Moved” felt"
    assert authors == [author, author]

    stack.undo()
    assert service.get_event(moment.uuid).valence == -2
    assert choice.value() == -2 and choice.buttons[-2].isChecked()
    stack.undo()
    assert service.get_event(moment.uuid).valence is None
    assert choice.value() is None and choice.buttons[None].isChecked()
    assert authors == [author] * 4  # undone by the same person, through the service

    # "Not said" can be chosen again after a feeling was: a value, not a gap.
    QTest.mouseClick(choice.buttons[3], Qt.MouseButton.LeftButton)
    QTest.mouseClick(choice.buttons[None], Qt.MouseButton.LeftButton)
    assert service.get_event(moment.uuid).valence is None
    assert tool.panel.feeling_words.text().startswith("Not said")

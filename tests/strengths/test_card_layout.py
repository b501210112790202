"""Cards never overlap: in large type (storyteller mode) a tall card in a crowded zone keeps to
its own place, when the board is first shown and after the window is made narrower.

The checks are made on what is painted: the rectangle each card is painted in, and the height
its words and footer need at the width they are painted at."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QFontMetrics, QPainter, QUndoStack
from PySide6.QtWidgets import QLabel, QStackedWidget, QStyleOptionViewItem, QWidget
from pytestqt.qtbot import QtBot

from storycapture.domain.vocabulary import CardKind
from storycapture.gui.storyteller_mode import StorytellerMode
from storycapture.qtkit.context import EditingContext
from storycapture.services.vault import VaultSession
from storycapture.strengths.deck import PromptDeck
from storycapture.strengths.qt.board_view import ZoneView
from storycapture.strengths.qt.cards import MARGIN_X, MARGIN_Y, PAD, CardDelegate
from storycapture.strengths.qt.tool import StrengthsTool
from storycapture.strengths.service import StrengthService
from tests.conftest import FACILITATOR

S, T = CardKind.STRENGTH, CardKind.TALENT
LONG = [
    "I don't give up on the people I love",
    "I can stand up in a meeting and say what's what",
    "Bramble turns her own hard experiences into practical tips for other carers",
    "Knitting: every baby on our street has one of my blankets",
    "I notice how other people are feeling, even when they say they are fine",
]

Painted = dict[tuple[int, int], QRect]  # (id of the delegate, row): where it was last painted


@pytest.fixture
def painted(monkeypatch: pytest.MonkeyPatch) -> Iterator[Painted]:
    """Where the card delegate was asked to paint each card, the last time it was."""
    seen: Painted = {}
    paint = CardDelegate.paint

    def recording(
        self: CardDelegate,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        seen[(id(self), index.row())] = QRect(option.rect)
        paint(self, painter, option, index)

    monkeypatch.setattr(CardDelegate, "paint", recording)
    yield seen


@pytest.fixture
def service(vault: VaultSession) -> StrengthService:
    return StrengthService(vault)


@pytest.fixture
def crowded(service: StrengthService, storyteller_uuid: str) -> str:
    """Few cards, but long ones: they fit their zone while it is wide (before it is first shown)
    and not once it is as narrow as on screen, so the zone's scroll bar comes up only as the
    board is shown, which narrows the zone again (as with the demo storyteller Bramble)."""
    for words in LONG[:3]:
        service.add_card(storyteller_uuid, kind=S, text=words, author=FACILITATOR)
    for words in LONG[3:]:
        service.add_card(storyteller_uuid, kind=T, text=words, author=FACILITATOR)
    return storyteller_uuid


def large_tool(service: StrengthService, storyteller: str) -> StrengthsTool:
    """As storyteller mode makes it: large, then filled, and only then shown."""
    context = EditingContext(QUndoStack(), lambda: FACILITATOR, lambda: None)
    tool = StrengthsTool(service, context, PromptDeck.load())
    tool.set_large(True)
    tool.show_storyteller(storyteller)
    return tool


def needed_height(view: ZoneView, text: str) -> int:
    """The height a card's words and its footer take at the width they are painted at."""
    font = view.font()
    width = view.viewport().width() - 2 * MARGIN_X - 2 * PAD
    words = QFontMetrics(font).boundingRect(
        QRect(0, 0, width, 100000), Qt.TextFlag.TextWordWrap, text
    )
    footer = QFontMetrics(CardDelegate._small(font)).height()
    return words.height() + footer + 2 * PAD + 2 * MARGIN_Y


def zone_width(tool: StrengthsTool) -> int:
    return tool.zone_view(S).viewport().width()


def check_no_overlap(qtbot: QtBot, tool: StrengthsTool, painted: Painted) -> None:
    qtbot.wait(150)  # past any delayed layout (a list view waits 100 ms after a resize)
    checked = 0
    for kind in (S, T):
        view = tool.zone_view(kind)
        model = view.zone_model
        assert model.rowCount() >= 2
        painted.clear()
        view.viewport().grab()  # paint the zone now, as it is
        rects = [view.visualRect(model.index(row)) for row in range(model.rowCount())]
        for row, (upper, lower) in enumerate(itertools.pairwise(rects)):
            assert upper.bottom() < lower.top(), (kind, row, upper, lower)
        for row, rect in enumerate(rects):
            card = model.card(row)
            assert card is not None
            assert rect.height() >= needed_height(view, card.text), (kind, row, rect)
            drawn = painted.get((id(view.card_delegate), row))
            if drawn is not None and drawn.intersects(view.viewport().rect()):
                assert drawn == rect, (kind, row, drawn, rect)
                checked += 1
    assert checked >= 2  # the checks looked at cards that were really painted


def test_tall_cards_do_not_overlap_in_storyteller_mode(
    qtbot: QtBot, service: StrengthService, crowded: str, painted: Painted
) -> None:
    tool = large_tool(service, crowded)
    pages = [("My timeline", QLabel("The timeline")), ("My strengths", tool)]
    mode = StorytellerMode("Bramble", pages, lambda _passphrase: False)
    qtbot.addWidget(mode)
    mode.resize(1366, 768)
    mode.show()
    qtbot.waitExposed(mode)
    mode.set_current_page(1)  # the board is shown for the first time
    check_no_overlap(qtbot, tool, painted)
    wide = zone_width(tool)
    mode.resize(1200, 700)
    check_no_overlap(qtbot, tool, painted)
    assert zone_width(tool) != wide  # narrower, or wider with the zones two by two
    mode.resize(1000, 700)
    check_no_overlap(qtbot, tool, painted)


def test_tall_cards_do_not_overlap_when_the_board_is_shown_and_narrowed(
    qtbot: QtBot, service: StrengthService, crowded: str, painted: Painted
) -> None:
    tool = large_tool(service, crowded)
    qtbot.addWidget(tool)
    tool.resize(1366, 768)
    tool.show()
    qtbot.waitExposed(tool)
    check_no_overlap(qtbot, tool, painted)
    wide = zone_width(tool)
    tool.resize(1150, 768)
    check_no_overlap(qtbot, tool, painted)
    assert zone_width(tool) != wide  # narrower, or wider with the zones two by two
    tool.resize(1366, 768)
    check_no_overlap(qtbot, tool, painted)


def test_tall_cards_do_not_overlap_on_a_page_shown_later(
    qtbot: QtBot, service: StrengthService, crowded: str, painted: Painted
) -> None:
    pages = QStackedWidget()
    qtbot.addWidget(pages)
    pages.addWidget(QWidget())
    tool = large_tool(service, crowded)
    pages.addWidget(tool)
    pages.resize(1366, 768)
    pages.show()
    qtbot.waitExposed(pages)
    pages.setCurrentWidget(tool)
    check_no_overlap(qtbot, tool, painted)
    wide = zone_width(tool)
    pages.resize(1150, 700)
    check_no_overlap(qtbot, tool, painted)
    assert zone_width(tool) != wide  # narrower, or wider with the zones two by two

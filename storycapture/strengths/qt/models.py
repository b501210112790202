"""Qt list models over plain values: one zone's cards, and the prompt deck as filtered.

The models hold what the tool hands them (``StrengthCard`` and ``PromptCard`` values from the
Qt-free layer) and never call the service; the tool re-reads the service and sets them again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from storycapture.domain.story import StrengthCard
from storycapture.domain.vocabulary import CardKind, Visibility
from storycapture.qtkit.choices import VISIBILITY_CHOICES
from storycapture.strengths.board import zone_of
from storycapture.strengths.deck import PromptCard

UUID_ROLE = Qt.ItemDataRole.UserRole + 1
CARD_ROLE = Qt.ItemDataRole.UserRole + 2
HIGHLIGHT_ROLE = Qt.ItemDataRole.UserRole + 3
ZONE_ROLE = Qt.ItemDataRole.UserRole + 4

AnyIndex = QModelIndex | QPersistentModelIndex


def written_by(card: StrengthCard) -> str:
    """Who wrote a card, as the card shows it."""
    author = card.meta.author
    if author.is_storyteller:
        return "in their words"
    return f"by {author.name}" if author.name else "by a facilitator"


def describe_card(card: StrengthCard) -> str:
    """The card for a screen reader: its words, its zone, who wrote it and who may see it."""
    parts = [f"“{card.text}”", zone_of(card.kind).title, written_by(card)]
    if card.visibility is Visibility.PRIVATE:
        parts.append("private, stays on this laptop")
    elif card.visibility is Visibility.SHAREABLE:
        parts.append("shareable")
    return ", ".join(parts)


def card_details(card: StrengthCard) -> str:
    """What a screen reader says after a card's name: whose words, and who may see it."""
    words, meaning = VISIBILITY_CHOICES[card.visibility]
    return f"{written_by(card)} · {words.lower()}: {meaning[:1].lower()}{meaning[1:]}"


class ZoneModel(QAbstractListModel):
    """The cards of one zone, in board order, as the author filter lets them be seen."""

    def __init__(self, kind: CardKind, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self._cards: list[StrengthCard] = []
        self._highlight = False

    def set_cards(self, cards: Sequence[StrengthCard], highlight_storyteller: bool = False) -> None:
        cards = list(cards)
        if [c.uuid for c in cards] == [c.uuid for c in self._cards]:
            self._cards = cards
            self._highlight = highlight_storyteller
            if cards:
                self.dataChanged.emit(self.index(0), self.index(len(cards) - 1))
            return
        self.beginResetModel()
        self._cards = cards
        self._highlight = highlight_storyteller
        self.endResetModel()

    def clear(self) -> None:
        self.set_cards([])

    def cards(self) -> list[StrengthCard]:
        return list(self._cards)

    def card(self, row: int) -> StrengthCard | None:
        return self._cards[row] if 0 <= row < len(self._cards) else None

    def row_of(self, uuid: str | None) -> int | None:
        for row, card in enumerate(self._cards):
            if card.uuid == uuid:
                return row
        return None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._cards)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        card = self.card(index.row()) if index.isValid() else None
        if card is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return card.text
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return describe_card(card)
        if role == Qt.ItemDataRole.AccessibleDescriptionRole:
            return card_details(card)
        if role == UUID_ROLE:
            return card.uuid
        if role == CARD_ROLE:
            return card
        if role == HIGHLIGHT_ROLE:
            return self._highlight and card.meta.author.is_storyteller
        return None


class PromptListModel(QAbstractListModel):
    """The prompt cards that match the filter, for the deck panel."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._prompts: list[PromptCard] = []

    def set_prompts(self, prompts: Sequence[PromptCard]) -> None:
        self.beginResetModel()
        self._prompts = list(prompts)
        self.endResetModel()

    def prompt(self, row: int) -> PromptCard | None:
        return self._prompts[row] if 0 <= row < len(self._prompts) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._prompts)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        prompt = self.prompt(index.row()) if index.isValid() else None
        if prompt is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return prompt.text
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return f"{prompt.text} (goes in {zone_of(prompt.kind).title})"
        if role == UUID_ROLE:
            return prompt.id
        if role == ZONE_ROLE:
            return f"goes in {zone_of(prompt.kind).title}"
        return None

"""The two boards and where cards go on them: the rules of moving, with no drawing in them.

"My strengths" has four zones (strengths, talents, hopes, desires); "My life now" has two
(good in my life, hard right now). A card's zone is its ``kind`` and its place in the zone is
its ``position.order``. Each move returns only the cards whose zone or order changes, so the
window saves them together as one undoable step.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storycapture.domain.story import StrengthCard
from storycapture.domain.vocabulary import CardKind


@dataclass(frozen=True)
class Zone:
    kind: CardKind
    title: str
    hint: str


@dataclass(frozen=True)
class Board:
    key: str
    title: str
    zones: tuple[Zone, ...]

    @property
    def kinds(self) -> frozenset[CardKind]:
        return frozenset(zone.kind for zone in self.zones)


MY_STRENGTHS = Board(
    "strengths",
    "My strengths",
    (
        Zone(CardKind.STRENGTH, "Strengths", "What I'm like at my best"),
        Zone(CardKind.TALENT, "Talents", "What I'm good at"),
        Zone(CardKind.HOPE, "Hopes", "What I hope for"),
        Zone(CardKind.DESIRE, "Desires", "What I'd like to do"),
    ),
)
MY_LIFE_NOW = Board(
    "life-now",
    "My life now",
    (
        Zone(CardKind.GOOD_IN_MY_LIFE, "Good in my life", "What helps, who is there"),
        Zone(CardKind.HARD_RIGHT_NOW, "Hard right now", "What weighs on me"),
    ),
)
BOARDS: tuple[Board, ...] = (MY_STRENGTHS, MY_LIFE_NOW)
ZONES: tuple[Zone, ...] = tuple(zone for board in BOARDS for zone in board.zones)


def board_of(kind: CardKind) -> Board:
    return next(board for board in BOARDS if kind in board.kinds)


def zone_of(kind: CardKind) -> Zone:
    return next(zone for zone in ZONES if zone.kind is kind)


@dataclass(frozen=True)
class CardMove:
    """One card's new zone and place."""

    card_uuid: str
    kind: CardKind
    order: int


def in_zone(cards: Iterable[StrengthCard], kind: CardKind) -> list[StrengthCard]:
    """The cards of one zone in their board order (ties: the older card first)."""
    found = [card for card in cards if card.kind is kind]
    return sorted(found, key=lambda c: (c.position.order, c.meta.created_hlc))


def _renumbered(zone: Sequence[StrengthCard], kind: CardKind) -> list[CardMove]:
    return [
        CardMove(card.uuid, kind, order)
        for order, card in enumerate(zone)
        if card.kind is not kind or card.position.order != order
    ]


def move_to_zone(
    cards: Sequence[StrengthCard], card_uuid: str, kind: CardKind, index: int | None = None
) -> list[CardMove]:
    """Put a card into ``kind`` at ``index`` (the end when ``None``); the changes needed."""
    moving = next((card for card in cards if card.uuid == card_uuid), None)
    if moving is None:
        return []
    target = [card for card in in_zone(cards, kind) if card.uuid != card_uuid]
    place = len(target) if index is None else max(0, min(index, len(target)))
    target.insert(place, moving)
    moves = _renumbered(target, kind)
    if moving.kind is not kind:
        left = [card for card in in_zone(cards, moving.kind) if card.uuid != card_uuid]
        moves += _renumbered(left, moving.kind)
    return moves


def move_before(
    cards: Sequence[StrengthCard], card_uuid: str, kind: CardKind, before_uuid: str | None
) -> list[CardMove]:
    """Put a card into ``kind`` just before another card (at the end when ``None``)."""
    target = [card.uuid for card in in_zone(cards, kind) if card.uuid != card_uuid]
    index = target.index(before_uuid) if before_uuid in target else None
    return move_to_zone(cards, card_uuid, kind, index)


def move_within(cards: Sequence[StrengthCard], card_uuid: str, steps: int) -> list[CardMove]:
    """Move a card ``steps`` places down its zone (up when negative), stopping at the ends."""
    moving = next((card for card in cards if card.uuid == card_uuid), None)
    if moving is None:
        return []
    zone = [card.uuid for card in in_zone(cards, moving.kind)]
    index = zone.index(card_uuid) + steps
    return move_to_zone(cards, card_uuid, moving.kind, max(0, min(index, len(zone) - 1)))

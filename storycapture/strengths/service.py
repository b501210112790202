"""Strength cards: add from a prompt or in the person's own words, move, change, remove."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput
from storycapture.domain.story import BoardPosition, StrengthCard
from storycapture.domain.text import checked_text
from storycapture.domain.vocabulary import CardKind, ConsentItem, Visibility
from storycapture.qtkit.palette import EXAMPLE_COLOUR
from storycapture.services import records
from storycapture.services.base import (
    UNSET,
    StoryService,
    Unset,
    checked_changes,
    visibility_value,
)
from storycapture.services.kinds import STRENGTH_CARD, VISIT, card_from_record

CARD_TEXT_LIMIT = 500
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_PROMPT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def _position(position: BoardPosition) -> dict[str, Any]:
    if not all(abs(v) < 1e7 for v in (position.order, position.x, position.y)):
        raise InvalidInput("That place on the board is too far away.")
    return {"order": int(position.order), "x": float(position.x), "y": float(position.y)}


def _colour(colour: str | None) -> str | None:
    if colour is not None and not _COLOUR.fullmatch(colour):
        raise InvalidInput(f"“{colour}” is not a colour like {EXAMPLE_COLOUR}.")
    return colour


def _prompt(prompt_id: str | None) -> str | None:
    if prompt_id is not None and not _PROMPT_ID.fullmatch(prompt_id):
        raise InvalidInput(f"“{prompt_id}” is not a prompt card of the deck.")
    return prompt_id


class StrengthService(StoryService):
    def add_card(
        self,
        storyteller_uuid: str,
        *,
        kind: CardKind | str,
        text: str,
        author: Author,
        prompt_id: str | None = None,
        position: BoardPosition | None = None,
        colour: str | None = None,
        visibility: Visibility | str = Visibility.TEAM,
        visit_uuid: str | None = None,
    ) -> StrengthCard:
        card_kind = CardKind.parse(kind)
        with self._vault.edit() as session:
            self._require_consent(session, storyteller_uuid, ConsentItem.TAKE_PART)
            self._require_same_storyteller(session, VISIT, visit_uuid, storyteller_uuid)
            if position is None:
                in_zone = [
                    card_from_record(r)
                    for r in records.find(self._vault, session, STRENGTH_CARD, storyteller_uuid)
                ]
                last = max((c.position.order for c in in_zone if c.kind is card_kind), default=-1)
                position = BoardPosition(order=last + 1)
            values = {
                "kind": card_kind.value,
                "text": checked_text(text, "card", CARD_TEXT_LIMIT, required=True),
                "prompt_id": _prompt(prompt_id),
                "position": _position(position),
                "colour": _colour(colour),
                "visibility": visibility_value(visibility),
                "visit_uuid": visit_uuid,
                "deleted": False,
            }
            record = records.insert(
                self._vault, session, STRENGTH_CARD, storyteller_uuid, values, author
            )
        return card_from_record(record)

    def update_card(
        self,
        card_uuid: str,
        *,
        author: Author,
        kind: CardKind | str | Unset = UNSET,
        text: str | Unset = UNSET,
        position: BoardPosition | Unset = UNSET,
        colour: str | Unset | None = UNSET,
        visibility: Visibility | str | Unset = UNSET,
        deleted: bool | Unset = UNSET,
        words_by: Author | None = None,
    ) -> StrengthCard:
        """Change what is given; ``words_by`` changes whose words the card holds."""
        changes = checked_changes(
            kind=(kind, lambda v: CardKind.parse(v).value),
            text=(text, lambda v: checked_text(v, "card", CARD_TEXT_LIMIT, required=True)),
            position=(position, _position),
            colour=(colour, _colour),
            visibility=(visibility, visibility_value),
            deleted=(deleted, bool),
        )
        with self._vault.edit() as session:
            record = records.update(
                self._vault,
                session,
                STRENGTH_CARD,
                card_uuid,
                changes,
                author,
                words_by=words_by,
                words_fields=("text",),
            )
        return card_from_record(record)

    def remove_card(self, card_uuid: str, *, author: Author) -> StrengthCard:
        return self.update_card(card_uuid, author=author, deleted=True)

    def restore_card(self, card_uuid: str, *, author: Author) -> StrengthCard:
        return self.update_card(card_uuid, author=author, deleted=False)

    def cards(self, storyteller_uuid: str, damaged: list[str] | None = None) -> list[StrengthCard]:
        """Cards by zone (in the order of ``CardKind``), then by their order in the zone. With
        ``damaged``, a damaged card is left out and its id added there."""
        with self._vault.read() as session:
            self._require_storyteller(session, storyteller_uuid)
            found = records.find(
                self._vault, session, STRENGTH_CARD, storyteller_uuid, damaged=damaged
            )
        zones = list(CardKind)
        cards = [card_from_record(r) for r in found]
        return sorted(
            cards, key=lambda c: (zones.index(c.kind), c.position.order, c.meta.created_hlc)
        )

    def arrange(
        self, moves: Sequence[tuple[str, CardKind | str, int]], *, author: Author
    ) -> list[StrengthCard]:
        """Put cards in new zones and orders in one write: ``(card uuid, kind, order)`` each.

        A drag that renumbers a whole zone is saved all together or not at all; the free
        ``x``/``y`` of each card are kept.
        """
        changed: list[StrengthCard] = []
        with self._vault.edit() as session:
            for card_uuid, kind, order in moves:
                current = card_from_record(
                    records.get(self._vault, session, STRENGTH_CARD, card_uuid)
                )
                position = BoardPosition(int(order), current.position.x, current.position.y)
                changes = {"kind": CardKind.parse(kind).value, "position": _position(position)}
                record = records.update(
                    self._vault, session, STRENGTH_CARD, card_uuid, changes, author
                )
                changed.append(card_from_record(record))
        return changed

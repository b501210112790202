"""The deck of prompt cards: short, warm ideas a storyteller can pick to start a card.

The deck is a file in ``resources/prompts`` (each card with a stable id, its zone and its words
in one or more languages). Reading it is strict: a damaged file is refused with a plain message
rather than half-shown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storycapture.domain.errors import InvalidInput
from storycapture.domain.vocabulary import CardKind
from storycapture.paths import resources_dir

DECK_FORMAT = 1
FALLBACK_LANGUAGE = "en"
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class DamagedDeck(InvalidInput):
    """The prompt cards file cannot be read as a deck."""


@dataclass(frozen=True)
class PromptCard:
    id: str
    kind: CardKind
    text: str


def default_deck_path() -> Path:
    return resources_dir() / "prompts" / "prompt-cards.json"


def _damaged(path: Path, why: str) -> DamagedDeck:
    return DamagedDeck(f"The prompt cards in “{path.name}” can't be used: {why}.")


def _card(path: Path, entry: Any, language: str) -> PromptCard:
    if not isinstance(entry, dict):
        raise _damaged(path, "a card is not written as a card")
    card_id = entry.get("id")
    if not isinstance(card_id, str) or not _ID.fullmatch(card_id) or len(card_id) > 64:
        raise _damaged(path, f"“{card_id}” is not a card id like “keep-going”")
    kind = entry.get("kind")
    if not isinstance(kind, str) or kind not in {k.value for k in CardKind}:
        raise _damaged(path, f"card “{card_id}” has no zone we know")
    texts = entry.get("text")
    if not isinstance(texts, dict) or not all(
        isinstance(v, str) and v.strip() for v in texts.values()
    ):
        raise _damaged(path, f"card “{card_id}” has words missing")
    text = texts.get(language) or texts.get(FALLBACK_LANGUAGE)
    if not isinstance(text, str):
        raise _damaged(path, f"card “{card_id}” has no words in English")
    return PromptCard(card_id, CardKind(kind), text.strip())


class PromptDeck:
    """The prompt cards in one language (English where a card has no translation)."""

    def __init__(self, cards: list[PromptCard], language: str = FALLBACK_LANGUAGE) -> None:
        self.language = language
        self._cards = list(cards)
        self._by_id = {card.id: card for card in self._cards}

    @classmethod
    def load(cls, path: Path | None = None, language: str = FALLBACK_LANGUAGE) -> PromptDeck:
        path = default_deck_path() if path is None else path
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as error:
            raise DamagedDeck(f"The prompt cards file “{path.name}” is missing.") from error
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise _damaged(path, "the file is damaged") from error
        if not isinstance(data, dict) or data.get("format") != DECK_FORMAT:
            raise _damaged(path, "it is not a deck this version knows")
        entries = data.get("cards")
        if not isinstance(entries, list) or not entries:
            raise _damaged(path, "there are no cards in it")
        cards = [_card(path, entry, language) for entry in entries]
        seen: set[str] = set()
        for card in cards:
            if card.id in seen:
                raise _damaged(path, f"the id “{card.id}” is used twice")
            seen.add(card.id)
        return cls(cards, language)

    def __len__(self) -> int:
        return len(self._cards)

    def cards(self, kinds: frozenset[CardKind] | None = None) -> list[PromptCard]:
        return [c for c in self._cards if kinds is None or c.kind in kinds]

    def filter(self, words: str, kinds: frozenset[CardKind] | None = None) -> list[PromptCard]:
        """The cards whose words hold every word typed (in any case), in deck order."""
        wanted = words.casefold().split()
        return [
            card
            for card in self.cards(kinds)
            if all(word in card.text.casefold() for word in wanted)
        ]

    def by_id(self, prompt_id: str) -> PromptCard | None:
        return self._by_id.get(prompt_id)

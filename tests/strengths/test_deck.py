"""The prompt deck: the shipped file, filtering, translation fallback and damaged files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storycapture.domain.errors import InvalidInput
from storycapture.domain.vocabulary import CardKind
from storycapture.strengths.deck import DamagedDeck, PromptDeck, default_deck_path


def test_the_shipped_deck_has_about_sixty_cards_in_every_zone() -> None:
    deck = PromptDeck.load(default_deck_path())
    assert 55 <= len(deck) <= 70
    for kind in CardKind:
        assert len(deck.cards(frozenset({kind}))) >= 8
    card = deck.by_id("keep-going")
    assert card is not None
    assert card.kind is CardKind.STRENGTH
    assert card.text == "I keep going when things are hard"
    assert deck.by_id("no-such-card") is None


def test_filter_needs_every_word_in_any_case() -> None:
    deck = PromptDeck.load()
    assert [c.id for c in deck.filter("COOKING")] == ["cooking"]
    assert [c.id for c in deck.filter("keep  hard")] == ["keep-going"]
    assert deck.filter("keep cooking") == []
    assert len(deck.filter("")) == len(deck)
    only_hopes = deck.filter("a", frozenset({CardKind.HOPE}))
    assert only_hopes and all(c.kind is CardKind.HOPE for c in only_hopes)


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "deck.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_a_language_falls_back_to_english_card_by_card(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        {
            "format": 1,
            "cards": [
                {"id": "cooking", "kind": "talent", "text": {"en": "Cooking", "cy": "Coginio"}},
                {"id": "near-water", "kind": "good_in_my_life", "text": {"en": "Being near water"}},
            ],
        },
    )
    deck = PromptDeck.load(path, language="cy")
    assert [c.text for c in deck.cards()] == ["Coginio", "Being near water"]
    assert PromptDeck.load(path).cards()[0].text == "Cooking"


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"format": 2, "cards": []}),
        json.dumps({"format": 1, "cards": []}),
        json.dumps({"format": 1, "cards": [{"id": "Bad Id", "kind": "hope", "text": {"en": "x"}}]}),
        json.dumps({"format": 1, "cards": [{"id": "a", "kind": "verdict", "text": {"en": "x"}}]}),
        json.dumps({"format": 1, "cards": [{"id": "a", "kind": "hope", "text": {"fr": "x"}}]}),
        json.dumps({"format": 1, "cards": [{"id": "a", "kind": "hope", "text": {"en": " "}}]}),
        json.dumps(
            {
                "format": 1,
                "cards": [
                    {"id": "a", "kind": "hope", "text": {"en": "x"}},
                    {"id": "a", "kind": "hope", "text": {"en": "y"}},
                ],
            }
        ),
    ],
)
def test_a_damaged_deck_is_refused_in_plain_words(tmp_path: Path, content: str) -> None:
    path = tmp_path / "deck.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DamagedDeck) as caught:
        PromptDeck.load(path)
    assert isinstance(caught.value, InvalidInput)
    assert "deck.json" in str(caught.value)


def test_a_missing_deck_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DamagedDeck, match="missing"):
        PromptDeck.load(tmp_path / "nowhere.json")

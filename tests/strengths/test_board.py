"""The board's rules: which cards change zone or order when one is moved."""

from __future__ import annotations

from storycapture.domain.authorship import Author
from storycapture.domain.story import BoardPosition, Provenance, StrengthCard
from storycapture.domain.vocabulary import CardKind
from storycapture.strengths.board import (
    BOARDS,
    MY_LIFE_NOW,
    MY_STRENGTHS,
    CardMove,
    board_of,
    move_before,
    move_to_zone,
    move_within,
)

S, T, H = CardKind.STRENGTH, CardKind.TALENT, CardKind.HARD_RIGHT_NOW


def card(uuid: str, kind: CardKind, order: int, hlc: str = "0") -> StrengthCard:
    meta = Provenance(uuid, "st", hlc, hlc, Author.storyteller())
    return StrengthCard(meta, kind, uuid, None, BoardPosition(order))


BOARD = [card("a", S, 0), card("b", S, 1), card("c", S, 2), card("x", T, 0), card("y", T, 1)]


def test_the_two_boards_hold_all_six_zones() -> None:
    assert [z.title for z in MY_STRENGTHS.zones] == ["Strengths", "Talents", "Hopes", "Desires"]
    assert [z.title for z in MY_LIFE_NOW.zones] == ["Good in my life", "Hard right now"]
    assert sorted(k for b in BOARDS for k in b.kinds) == sorted(CardKind)
    assert board_of(H) is MY_LIFE_NOW


def test_moving_to_another_zone_closes_the_gap_and_opens_a_place() -> None:
    assert move_to_zone(BOARD, "a", T, 1) == [
        CardMove("a", T, 1),
        CardMove("y", T, 2),
        CardMove("b", S, 0),
        CardMove("c", S, 1),
    ]


def test_moving_to_the_end_of_a_zone_changes_only_what_it_must() -> None:
    assert move_to_zone(BOARD, "c", T) == [CardMove("c", T, 2)]
    assert move_to_zone(BOARD, "c", H) == [CardMove("c", H, 0)]


def test_up_and_down_swap_neighbours_and_stop_at_the_ends() -> None:
    assert move_within(BOARD, "b", -1) == [CardMove("b", S, 0), CardMove("a", S, 1)]
    assert move_within(BOARD, "b", 1) == [CardMove("c", S, 1), CardMove("b", S, 2)]
    assert move_within(BOARD, "a", -1) == []
    assert move_within(BOARD, "c", 5) == []
    assert move_within(BOARD, "nobody", 1) == []


def test_a_drop_before_a_card_lands_just_above_it() -> None:
    assert move_before(BOARD, "c", S, "a") == [
        CardMove("c", S, 0),
        CardMove("a", S, 1),
        CardMove("b", S, 2),
    ]
    assert move_before(BOARD, "a", S, None) == [
        CardMove("b", S, 0),
        CardMove("c", S, 1),
        CardMove("a", S, 2),
    ]
    assert move_before(BOARD, "b", S, "c") == []  # already there


def test_ties_and_gaps_are_put_straight() -> None:
    messy = [card("p", S, 5, "1"), card("q", S, 5, "2"), card("r", S, 9)]
    assert move_within(messy, "r", -1) == [
        CardMove("p", S, 0),
        CardMove("r", S, 1),
        CardMove("q", S, 2),
    ]

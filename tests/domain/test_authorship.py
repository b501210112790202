"""Whose words an item holds, the "Whose words" filter, and what new items start as."""

from __future__ import annotations

import pytest

from storycapture.domain.authorship import (
    Author,
    AuthorFilter,
    WhoseWords,
    author_for,
    default_whose_words,
    whose_words_label,
)
from storycapture.domain.errors import InvalidInput
from storycapture.domain.visibility import checked_default, new_item_visibility
from storycapture.domain.vocabulary import Visibility

STORYTELLER = Author.storyteller()
PRIYA = Author.facilitator("Priya")


@pytest.mark.parametrize(
    ("mode", "storyteller_shown", "facilitator_shown", "highlights"),
    [
        (AuthorFilter.ALL, True, True, False),
        (AuthorFilter.STORYTELLER, True, False, False),
        (AuthorFilter.FACILITATOR, False, True, False),
        (AuthorFilter.HIGHLIGHT_STORYTELLER, True, True, True),
    ],
)
def test_each_author_filter_shows_whose_words_it_says(
    mode: AuthorFilter, storyteller_shown: bool, facilitator_shown: bool, highlights: bool
) -> None:
    assert mode.shows(STORYTELLER) is storyteller_shown
    assert mode.shows(PRIYA) is facilitator_shown
    assert mode.shows(Author.facilitator()) is facilitator_shown
    assert mode.highlights is highlights
    assert mode.words  # plain words for the menu


def test_an_author_filter_is_read_from_its_stored_name_and_refuses_others() -> None:
    assert AuthorFilter.parse("highlight-storyteller") is AuthorFilter.HIGHLIGHT_STORYTELLER
    assert AuthorFilter.parse(AuthorFilter.ALL) is AuthorFilter.ALL
    with pytest.raises(ValueError, match="not an author filter"):
        AuthorFilter.parse("nobody")


def test_their_words_are_theirs_whoever_types_them() -> None:
    assert author_for(WhoseWords.THEIRS, PRIYA) == STORYTELLER
    assert author_for(WhoseWords.MINE, PRIYA) == PRIYA
    # In storyteller mode the one typing is the storyteller: there is no "my note".
    assert author_for(WhoseWords.MINE, STORYTELLER) == STORYTELLER
    assert WhoseWords.of(STORYTELLER) is WhoseWords.THEIRS
    assert WhoseWords.of(PRIYA) is WhoseWords.MINE


def test_during_a_visit_or_in_storyteller_mode_words_start_as_theirs() -> None:
    assert default_whose_words(storyteller_mode=False, during_visit=True) is WhoseWords.THEIRS
    assert default_whose_words(storyteller_mode=True, during_visit=False) is WhoseWords.THEIRS
    assert default_whose_words(storyteller_mode=False, during_visit=False) is WhoseWords.MINE


def test_an_item_says_whose_words_it_holds() -> None:
    assert whose_words_label(STORYTELLER) == "their words"
    assert whose_words_label(STORYTELLER, storyteller_mode=True) == "your words"
    assert whose_words_label(PRIYA) == "note by Priya"
    assert whose_words_label(Author.facilitator()) == "a facilitator's note"


def test_new_items_start_as_the_storyteller_chose_and_private_in_their_own_mode() -> None:
    assert new_item_visibility(Visibility.PRIVATE, storyteller_mode=False) is Visibility.PRIVATE
    assert new_item_visibility(Visibility.TEAM, storyteller_mode=False) is Visibility.TEAM
    # Nothing they add in storyteller mode leaves the laptop unless they choose it.
    assert new_item_visibility(Visibility.TEAM, storyteller_mode=True) is Visibility.PRIVATE
    assert new_item_visibility(None, storyteller_mode=True) is Visibility.PRIVATE
    # Someone recorded before the choice was asked keeps what they had.
    assert new_item_visibility(None, storyteller_mode=False) is Visibility.TEAM


def test_the_default_is_private_or_team_only() -> None:
    assert checked_default("private") is Visibility.PRIVATE
    assert checked_default(Visibility.TEAM) is Visibility.TEAM
    assert checked_default(None) is None
    with pytest.raises(InvalidInput):
        checked_default("shareable")
    with pytest.raises(InvalidInput):
        checked_default("everyone")

"""Who may see a new item, by the storyteller's own choice, and how an item says so.

At consent (and later, on their overview) the storyteller chooses what new items are by
default: private to this laptop, or for the programme team. Every add starts from that choice
and lets it be changed. In storyteller mode nothing they add leaves the laptop unless they
choose it there and then, so what they add starts private.
"""

from __future__ import annotations

from storycapture.domain.vocabulary import Visibility

# The two defaults a storyteller can choose from; "shareable" is chosen item by item.
DEFAULT_CHOICES: tuple[Visibility, ...] = (Visibility.PRIVATE, Visibility.TEAM)

# Used only for storytellers whose choice was never asked (recorded before it was asked).
UNCHOSEN_DEFAULT = Visibility.TEAM

DEFAULT_WORDS = {
    Visibility.PRIVATE: "Private to this laptop",
    Visibility.TEAM: "For the programme team",
}

DEFAULT_EXPLAINED = {
    Visibility.PRIVATE: "What is added stays on this laptop, unless they choose otherwise for it.",
    Visibility.TEAM: "What is added may go to the programme team, unless they make it private.",
}

# Short words shown on every item (cards, moments, story rows), beside an icon-free mark.
ITEM_WORDS = {
    Visibility.PRIVATE: "Private",
    Visibility.TEAM: "Team",
    Visibility.SHAREABLE: "Shareable",
}


def new_item_visibility(chosen: Visibility | None, *, storyteller_mode: bool) -> Visibility:
    """What a new item starts as: private in storyteller mode, otherwise the storyteller's
    chosen default (the team, for someone never asked)."""
    if storyteller_mode:
        return Visibility.PRIVATE
    if chosen is None:
        return UNCHOSEN_DEFAULT
    return chosen


def checked_default(value: Visibility | str | None) -> Visibility | None:
    """A stored or typed default: one of ``DEFAULT_CHOICES``, or ``None`` for not asked."""
    if value is None or value == "":
        return None
    visibility = value if isinstance(value, Visibility) else Visibility.parse(value)
    if visibility not in DEFAULT_CHOICES:
        from storycapture.domain.errors import InvalidInput

        raise InvalidInput("New items can be private to this laptop or for the programme team.")
    return visibility

"""The fixed choices of the story model, each with the plain words people see.

Values are stable identifiers stored in the vault and carried in bundles; labels are what
the windows and the command line show.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class _Choice(StrEnum):
    """A StrEnum whose members carry a human label; ``parse`` accepts value or label."""

    @property
    def label(self) -> str:
        # Keyed by class too: members of different choices share values ("other").
        return _LABELS[(type(self), self)]

    @classmethod
    def parse(cls, text: str) -> Self:
        wanted = text.strip().lower().replace("-", "_").replace(" ", "_")
        for member in cls:
            if wanted in (member.value, member.label.lower().replace(" ", "_")):
                return member
        choices = ", ".join(m.value for m in cls)
        from storycapture.domain.errors import InvalidInput

        raise InvalidInput(f"“{text}” is not one of the choices here ({choices}).")


class Role(_Choice):
    LIVED_EXPERIENCE = "lived_experience"
    CARER_OR_FAMILY = "carer_or_family"
    PRACTITIONER = "practitioner"
    OTHER = "other"


class PlaceType(_Choice):
    HOME = "home"
    OUT_AND_ABOUT = "out_and_about"
    COMMUNITY_SPACE = "community_space"
    ONLINE = "online"
    OTHER = "other"


class LifeArea(_Choice):
    FAMILY = "family"
    FRIENDS_AND_RELATIONSHIPS = "friends_and_relationships"
    HOME_AND_HOUSING = "home_and_housing"
    WORK_AND_LEARNING = "work_and_learning"
    MONEY = "money"
    PHYSICAL_HEALTH = "physical_health"
    MENTAL_HEALTH = "mental_health"
    HELP_SEEKING = "help_seeking_and_services"
    COMMUNITY = "community_and_belonging"
    OTHER = "other"


class Visibility(_Choice):
    PRIVATE = "private"
    TEAM = "team"
    SHAREABLE = "shareable"


class CardKind(_Choice):
    STRENGTH = "strength"
    TALENT = "talent"
    HOPE = "hope"
    DESIRE = "desire"
    GOOD_IN_MY_LIFE = "good_in_my_life"
    HARD_RIGHT_NOW = "hard_right_now"


class ConsentItem(_Choice):
    TAKE_PART = "take_part"
    PHOTOS = "photos"
    AUDIO = "audio"
    SHARE_WITH_TEAM = "share_with_team"
    SHARE_QUOTES_WITH_PARTNERS = "share_quotes_with_partners"


class ConsentHow(_Choice):
    SIGNED_ON_SCREEN = "signed_on_screen"
    VERBAL = "verbal"
    PAPER_FORM = "paper_form"


class Helped(_Choice):
    YES = "yes"
    PARTLY = "partly"
    NO = "no"
    NOT_SURE = "not_sure"


_FEELINGS = {
    -3: "very hard",
    -2: "hard",
    -1: "a bit hard",
    0: "in between",
    1: "a bit good",
    2: "good",
    3: "very good",
}


FEELING_NOT_SAID = "not said"


def describe_feeling(valence: int | float | None) -> str:
    """How a time felt, in words rather than as a score of someone's life; "not said" until
    someone says."""
    if valence is None:
        return FEELING_NOT_SAID
    return _FEELINGS[max(-3, min(3, round(valence)))]


def feeling_phrase(valence: int | float | None) -> str:
    """How it felt as part of a line about a moment: "felt good", "feeling not said"."""
    if valence is None:
        return f"feeling {FEELING_NOT_SAID}"
    return f"felt {describe_feeling(valence)}"


_LABELS: dict[tuple[type[_Choice], _Choice], str] = {
    (Role, Role.LIVED_EXPERIENCE): "Person with lived experience",
    (Role, Role.CARER_OR_FAMILY): "Carer or family",
    (Role, Role.PRACTITIONER): "Practitioner",
    (Role, Role.OTHER): "Other",
    (PlaceType, PlaceType.HOME): "At home",
    (PlaceType, PlaceType.OUT_AND_ABOUT): "Out and about",
    (PlaceType, PlaceType.COMMUNITY_SPACE): "Community space",
    (PlaceType, PlaceType.ONLINE): "Online",
    (PlaceType, PlaceType.OTHER): "Somewhere else",
    (LifeArea, LifeArea.FAMILY): "Family",
    (LifeArea, LifeArea.FRIENDS_AND_RELATIONSHIPS): "Friends and relationships",
    (LifeArea, LifeArea.HOME_AND_HOUSING): "Home and housing",
    (LifeArea, LifeArea.WORK_AND_LEARNING): "Work and learning",
    (LifeArea, LifeArea.MONEY): "Money",
    (LifeArea, LifeArea.PHYSICAL_HEALTH): "Physical health",
    (LifeArea, LifeArea.MENTAL_HEALTH): "Mental health",
    (LifeArea, LifeArea.HELP_SEEKING): "Help-seeking and services",
    (LifeArea, LifeArea.COMMUNITY): "Community and belonging",
    (LifeArea, LifeArea.OTHER): "Other",
    (Visibility, Visibility.PRIVATE): "Private",
    (Visibility, Visibility.TEAM): "Team",
    (Visibility, Visibility.SHAREABLE): "Shareable",
    (CardKind, CardKind.STRENGTH): "Strength",
    (CardKind, CardKind.TALENT): "Talent",
    (CardKind, CardKind.HOPE): "Hope",
    (CardKind, CardKind.DESIRE): "Desire",
    (CardKind, CardKind.GOOD_IN_MY_LIFE): "Good in my life",
    (CardKind, CardKind.HARD_RIGHT_NOW): "Hard right now",
    (ConsentItem, ConsentItem.TAKE_PART): "Taking part",
    (ConsentItem, ConsentItem.PHOTOS): "Photos",
    (ConsentItem, ConsentItem.AUDIO): "Audio",
    (ConsentItem, ConsentItem.SHARE_WITH_TEAM): "Sharing with the programme team",
    (
        ConsentItem,
        ConsentItem.SHARE_QUOTES_WITH_PARTNERS,
    ): "Sharing anonymised quotes with partner sites",
    (ConsentHow, ConsentHow.SIGNED_ON_SCREEN): "Signed on screen",
    (ConsentHow, ConsentHow.VERBAL): "Said out loud",
    (ConsentHow, ConsentHow.PAPER_FORM): "Paper form",
    (Helped, Helped.YES): "It helped",
    (Helped, Helped.PARTLY): "It helped a bit",
    (Helped, Helped.NO): "It didn't help",
    (Helped, Helped.NOT_SURE): "Not sure",
}

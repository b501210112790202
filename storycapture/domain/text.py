"""Limits on what can be typed. Text is kept exactly as given: no trimming, no normalising.

The limits exist so that a pasted novel or a stuck key cannot make the vault unusable; each
is far above what a real answer needs.
"""

from __future__ import annotations

from storycapture.domain.errors import InvalidInput

SHORT = 200  # titles, names, places
LONG = 20_000  # someone's own words, notes, quotes

VALENCE_MIN = -3
VALENCE_MAX = 3


def checked_text(value: object, what: str, limit: int = LONG, required: bool = False) -> str:
    if not isinstance(value, str):
        raise InvalidInput(f"The {what} must be text.")
    if required and not value.strip():
        raise InvalidInput(f"The {what} cannot be empty.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        # A lone surrogate (from a broken paste) is not text that any file can hold.
        raise InvalidInput(
            f"The {what} contains a broken character that cannot be saved; please retype it."
        ) from error
    if len(value) > limit:
        raise InvalidInput(
            f"The {what} is {len(value):,} characters long; it can be at most {limit:,}."
        )
    return value


def checked_optional_text(value: object, what: str, limit: int = LONG) -> str | None:
    return None if value is None else checked_text(value, what, limit)


def checked_valence(value: object) -> int | None:
    """A feeling from -3 to +3, or None: not said (nobody has said how it felt)."""
    if value is None:
        return None
    if type(value) is not int or not VALENCE_MIN <= value <= VALENCE_MAX:
        raise InvalidInput(
            f"How it felt is a whole number from {VALENCE_MIN} to +{VALENCE_MAX} "
            f"(or not said), not {value!r}."
        )
    return value


def checked_birth_year(value: object, this_year: int) -> int | None:
    if value is None:
        return None
    if type(value) is not int or not this_year - 130 <= value <= this_year:
        raise InvalidInput(f"A birth year must be between {this_year - 130} and {this_year}.")
    return value


def unreadable_sentence(count: int, one: str, many: str) -> str:
    """What a page says when ``count`` of its items could not be read (damaged or altered):
    "1 moment could not be read: it is damaged or altered, so it is not shown. …"."""
    it = "it is" if count == 1 else "they are"
    return (
        f"{count} {one if count == 1 else many} could not be read: {it} damaged or altered, "
        f"so {it} not shown. Everything else is."
    )

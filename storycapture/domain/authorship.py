"""Who wrote an item: the storyteller themself, or a named facilitator."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storycapture.domain.errors import InvalidInput


class AuthorKind(StrEnum):
    STORYTELLER = "storyteller"
    FACILITATOR = "facilitator"


NAME_LIMIT = 80  # the longest facilitator's name


@dataclass(frozen=True, slots=True)
class Author:
    kind: AuthorKind
    name: str = ""

    @classmethod
    def storyteller(cls) -> Author:
        return cls(AuthorKind.STORYTELLER)

    @classmethod
    def facilitator(cls, name: str = "") -> Author:
        try:
            name.encode("utf-8")
        except UnicodeEncodeError as error:
            raise InvalidInput(
                "A facilitator's name contains a broken character; please retype it."
            ) from error
        if ":" in name or len(name) > NAME_LIMIT:
            raise InvalidInput(
                "A facilitator's name can be at most 80 characters, without a colon."
            )
        return cls(AuthorKind.FACILITATOR, name.strip())

    def encode(self) -> str:
        return self.kind.value if not self.name else f"{self.kind.value}:{self.name}"

    @classmethod
    def decode(cls, text: str) -> Author:
        """The author ``encode`` wrote; anything else (an unknown kind, a storyteller with a
        name, a facilitator's name no person could have typed) is refused."""
        kind, _, name = text.partition(":")
        try:
            author = cls(AuthorKind(kind), name)
        except ValueError as error:
            raise InvalidInput(f"“{text}” is not a known author.") from error
        if name and (author.is_storyteller or len(name) > NAME_LIMIT or name != name.strip()):
            raise InvalidInput("An author's name is not one StoryCapture would have kept.")
        return author

    @property
    def is_storyteller(self) -> bool:
        return self.kind is AuthorKind.STORYTELLER

    def describe(self) -> str:
        if self.is_storyteller:
            return "the storyteller"
        return self.name or "a facilitator"


class WhoseWords(StrEnum):
    """The choice on every editor: the storyteller's own words, or the facilitator's note."""

    THEIRS = "theirs"
    MINE = "mine"

    @classmethod
    def of(cls, author: Author) -> WhoseWords:
        return cls.THEIRS if author.is_storyteller else cls.MINE


def author_for(whose: WhoseWords, facilitator: Author) -> Author:
    """The author to record for ``whose``: the storyteller, or the facilitator at the laptop.

    Words the storyteller said are theirs whoever types them."""
    if whose is WhoseWords.THEIRS or facilitator.is_storyteller:
        return Author.storyteller()
    return facilitator


def default_whose_words(*, storyteller_mode: bool, during_visit: bool) -> WhoseWords:
    """What a quote, an "in their own words" field or a card picked from the deck starts as.

    In storyteller mode everything is theirs; during a visit what is said with them there is
    theirs by default; outside a visit the facilitator is writing on their own."""
    if storyteller_mode or during_visit:
        return WhoseWords.THEIRS
    return WhoseWords.MINE


def whose_words_label(author: Author, *, storyteller_mode: bool = False) -> str:
    """How an item says whose words it holds: "their words", "your words" or "note by Priya"."""
    if author.is_storyteller:
        return "your words" if storyteller_mode else "their words"
    return f"note by {author.name}" if author.name else "a facilitator's note"


class AuthorFilter(StrEnum):
    """Which items the "Whose words" view shows, and whether the storyteller's stand out."""

    ALL = "all"
    STORYTELLER = "storyteller"
    FACILITATOR = "facilitator"
    HIGHLIGHT_STORYTELLER = "highlight-storyteller"

    def shows(self, author: Author) -> bool:
        if self is AuthorFilter.STORYTELLER:
            return author.is_storyteller
        if self is AuthorFilter.FACILITATOR:
            return not author.is_storyteller
        return True

    @property
    def highlights(self) -> bool:
        """Whether the storyteller's own words are drawn so that they stand out."""
        return self is AuthorFilter.HIGHLIGHT_STORYTELLER

    @property
    def words(self) -> str:
        return _FILTER_WORDS[self]

    @classmethod
    def parse(cls, value: AuthorFilter | str) -> AuthorFilter:
        try:
            return cls(value)
        except ValueError as error:
            raise ValueError(f"not an author filter: {value!r}") from error


_FILTER_WORDS = {
    AuthorFilter.ALL: "Everyone's",
    AuthorFilter.STORYTELLER: "Only the storyteller's",
    AuthorFilter.FACILITATOR: "Only facilitators'",
    AuthorFilter.HIGHLIGHT_STORYTELLER: "Everyone's, the storyteller's stand out",
}

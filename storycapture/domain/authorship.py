"""Who wrote an item: the storyteller themself, or a named facilitator."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storycapture.domain.errors import InvalidInput


class AuthorKind(StrEnum):
    STORYTELLER = "storyteller"
    FACILITATOR = "facilitator"


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
        if ":" in name or len(name) > 80:
            raise InvalidInput(
                "A facilitator's name can be at most 80 characters, without a colon."
            )
        return cls(AuthorKind.FACILITATOR, name.strip())

    def encode(self) -> str:
        return self.kind.value if not self.name else f"{self.kind.value}:{self.name}"

    @classmethod
    def decode(cls, text: str) -> Author:
        kind, _, name = text.partition(":")
        try:
            return cls(AuthorKind(kind), name)
        except ValueError as error:
            raise InvalidInput(f"“{text}” is not a known author.") from error

    @property
    def is_storyteller(self) -> bool:
        return self.kind is AuthorKind.STORYTELLER

    def describe(self) -> str:
        if self.is_storyteller:
            return "the storyteller"
        return self.name or "a facilitator"

"""Across stories (Qt-free): which themes recur in which stories.

Everything here is worked out from the vault as it is now, so a storyteller erased by a
withdrawal is simply not there: nothing is cached on disk.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import TextIO

from storycapture.domain.story import Excerpt
from storycapture.hub.room import RoomService, Theme, pseudonyms
from storycapture.services.vault import VaultSession


@dataclass(frozen=True)
class Matrix:
    """Stories × themes: for each storyteller (rows, by pseudonym) and theme (columns, oldest
    first), the excerpts of theirs in it."""

    themes: list[Theme]
    storytellers: list[tuple[str, str]]  # (uuid, pseudonym) of everyone with an excerpt
    cells: dict[tuple[str, str], list[Excerpt]] = field(default_factory=dict)

    def excerpts(self, storyteller_uuid: str, theme_uuid: str) -> list[Excerpt]:
        return self.cells.get((storyteller_uuid, theme_uuid), [])

    def count(self, storyteller_uuid: str, theme_uuid: str) -> int:
        return len(self.excerpts(storyteller_uuid, theme_uuid))

    def stories_with(self, theme_uuid: str) -> int:
        """In how many stories a theme recurs."""
        return sum(1 for person, _ in self.storytellers if self.count(person, theme_uuid))

    def total(self, theme_uuid: str) -> int:
        return sum(self.count(person, theme_uuid) for person, _ in self.storytellers)


def theme_matrix(vault: VaultSession) -> Matrix:
    room = RoomService(vault)
    themes = room.themes()
    live = {t.uuid for t in themes}
    names = pseudonyms(vault)
    cells: dict[tuple[str, str], list[Excerpt]] = {}
    people: set[str] = set()
    for excerpt in room.excerpts():
        person = excerpt.storyteller_uuid
        if person not in names:
            continue
        people.add(person)
        for theme in excerpt.themes:
            if theme in live:
                cells.setdefault((person, theme), []).append(excerpt)
    rows = sorted(((p, names[p]) for p in people), key=lambda row: (row[1].casefold(), row[0]))
    return Matrix(themes, rows, cells)


def write_matrix_csv(matrix: Matrix, out: TextIO) -> None:
    """The matrix as a table for a spreadsheet or a slide: a row per story, a column per theme
    (counts of excerpts), then a row of the stories each theme recurs in."""
    writer = csv.writer(out)
    writer.writerow(["Storyteller", *(t.name for t in matrix.themes)])
    for person, pseudonym in matrix.storytellers:
        writer.writerow([pseudonym, *(matrix.count(person, t.uuid) for t in matrix.themes)])
    writer.writerow(
        ["Stories with this theme", *(matrix.stories_with(t.uuid) for t in matrix.themes)]
    )

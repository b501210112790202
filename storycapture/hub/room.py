"""The story-sharing room's excerpts and themes (Qt-free; the window and the CLI share it).

An **excerpt** is a passage the team marked while a story was read aloud: a quote, a moment's
words, a note, or a span of any of them. It is an item of the storyteller's story (sealed under
their key, erased with them, never sent in a bundle). Its author is whoever's words it holds,
as the item it comes from says: marking the storyteller's words does not make them the team's.

A **theme** is what the team names across stories. It belongs to no storyteller: its name,
description, colour and place on the board are sealed under the room's own key, and every
column of its row is covered by a MAC, as an item's row is by its seal. Which excerpts are in a
theme is kept on each excerpt, so a withdrawal takes a storyteller's place in every theme with
the rest of their story, in the same transaction; a theme left empty stays, and says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput, NotFound, VaultDamaged
from storycapture.domain.story import Excerpt
from storycapture.domain.text import SHORT, checked_text
from storycapture.domain.vocabulary import Visibility
from storycapture.qtkit.palette import THEME_COLOURS
from storycapture.services import records
from storycapture.services.base import UNSET, StoryService, Unset
from storycapture.services.kinds import (
    ENTITY_KINDS,
    EXCERPT,
    EXCERPT_SOURCES,
    STORYTELLER,
    excerpt_from_record,
)
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.store.fields import FieldDamaged, Sealer, open_field, seal_field
from storycapture.store.seals import columns_message, sealed_columns

THEME_NAME_LIMIT = 120
THEME_DESCRIPTION_LIMIT = 2_000
_ROOM = "room"  # the "storyteller" a theme's fields are bound to: the room itself
_THEME_SEALED = ("name", "description", "colour", "position")
_FAR = 1e7  # a place on the board further than this is refused


@dataclass(frozen=True)
class Theme:
    uuid: str
    name: str
    description: str
    colour: str
    x: float
    y: float
    author: Author
    created_hlc: str
    updated_hlc: str
    deleted: bool = False


@dataclass(frozen=True)
class Merged:
    """What :meth:`RoomService.merge_themes` did, so it can be undone exactly."""

    into: str
    merged: tuple[str, ...]  # the themes folded into ``into`` (now deleted)
    before: dict[str, tuple[str, ...]]  # excerpt uuid → its themes before the merge


def _checked_name(name: str) -> str:
    name = checked_text(name, "theme's name", THEME_NAME_LIMIT, required=True).strip()
    return " ".join(name.split())


def _checked_colour(colour: str) -> str:
    if not (isinstance(colour, str) and len(colour) == 7 and colour.startswith("#")):
        raise InvalidInput(f"A theme's colour is written like {THEME_COLOURS[0]}, not “{colour}”.")
    try:
        int(colour[1:], 16)
    except ValueError as error:
        raise InvalidInput(
            f"A theme's colour is written like {THEME_COLOURS[0]}, not “{colour}”."
        ) from error
    return colour.upper()


def _checked_place(x: float, y: float) -> dict[str, float]:
    if not all(isinstance(v, int | float) and abs(v) < _FAR for v in (x, y)):
        raise InvalidInput("That place on the board is too far away.")
    return {"x": float(x), "y": float(y)}


def span_of(text: str, start: int | None, end: int | None) -> tuple[int, int]:
    """The span (start, end) of ``text`` an excerpt takes: all of it when not given; refused
    when it is empty, backwards or outside the words."""
    start = 0 if start is None else start
    end = len(text) if end is None else end
    if not (0 <= start < end <= len(text)) or not text[start:end].strip():
        raise InvalidInput(
            "That part of the words is empty or not in them; choose some of the words to mark."
        )
    return start, end


class RoomService(StoryService):
    """Excerpts and themes. Every change is committed when it is made (undo is a new change)."""

    # --- excerpts --------------------------------------------------------------------------

    def add_excerpt(
        self,
        storyteller_uuid: str,
        *,
        source_kind: str,
        source_uuid: str,
        marked_by: str,
        field: str | None = None,
        start: int | None = None,
        end: int | None = None,
        themes: Sequence[str] = (),
        x: float = 0.0,
        y: float = 0.0,
        new_theme: str | None = None,
        author: Author | None = None,
    ) -> Excerpt:
        """Mark (part of) an item's words as an excerpt. The words are taken from the item as
        it is stored, never typed again; the excerpt is theirs whose words they are.
        ``new_theme`` names a theme made with it, in the same change (by ``author``): both
        are made, or neither."""
        fields = EXCERPT_SOURCES.get(source_kind)
        if fields is None:
            raise InvalidInput(
                "An excerpt is taken from a quote, a moment, a note or a strength card."
            )
        field = field or fields[0]
        if field not in fields:
            raise InvalidInput(f"An excerpt cannot be taken from the {field} of that item.")
        marker = checked_text(marked_by, "name of who marked it", SHORT).strip()
        with self._vault.edit() as session:
            self._require_storyteller(session, storyteller_uuid)
            source = records.get(self._vault, session, ENTITY_KINDS[source_kind], source_uuid)
            values = source.values
            if source.storyteller_uuid != storyteller_uuid or values.get("deleted"):
                raise NotFound("That item is not in this storyteller's story.")
            if values.get("visibility") == Visibility.PRIVATE.value:
                raise InvalidInput("That item is private to the storyteller; it cannot be marked.")
            words = values.get(field) or ""
            begin, finish = span_of(words, start, end)
            known = self._live_theme_ids(session)
            if new_theme is not None:
                made = self._new_theme(session, new_theme, author or Author.facilitator(marker))
                known.add(made.uuid)
                themes = [*themes, made.uuid]
            record = records.insert(
                self._vault,
                session,
                EXCERPT,
                storyteller_uuid,
                {
                    "text": words[begin:finish],
                    "source": {
                        "kind": source_kind,
                        "uuid": source_uuid,
                        "field": field,
                        "start": begin,
                        "end": finish,
                    },
                    "themes": self._checked_themes(themes, known),
                    "position": _checked_place(x, y),
                    "marked_by": marker,
                    "deleted": False,
                },
                source.author,
            )
        return excerpt_from_record(record)

    def excerpt(self, excerpt_uuid: str) -> Excerpt:
        with self._vault.read() as session:
            record = records.get(self._vault, session, EXCERPT, excerpt_uuid)
        if record.values.get("deleted"):
            raise NotFound("That excerpt has been taken off the board.")
        return excerpt_from_record(record)

    def excerpts(self, storyteller_uuid: str | None = None) -> list[Excerpt]:
        """Every excerpt on the board (one storyteller's, or everyone's), oldest first. A
        damaged one is left out (it hides only itself)."""
        with self._vault.read() as session:
            found = records.find(self._vault, session, EXCERPT, storyteller_uuid, damaged=[])
        return [excerpt_from_record(r) for r in found]

    def move_excerpt(self, excerpt_uuid: str, x: float, y: float, *, author: Author) -> Excerpt:
        return self._change_excerpt(excerpt_uuid, author, position=_checked_place(x, y))

    def set_excerpt_themes(
        self, excerpt_uuid: str, themes: Sequence[str], *, author: Author
    ) -> Excerpt:
        """Put an excerpt in exactly these themes (none: back among the unsorted notes)."""
        with self._vault.edit() as session:
            wanted = self._checked_themes(themes, self._live_theme_ids(session))
            record = records.update(
                self._vault, session, EXCERPT, excerpt_uuid, {"themes": wanted}, author
            )
        return excerpt_from_record(record)

    def remove_excerpt(self, excerpt_uuid: str, *, author: Author) -> Excerpt:
        return self._change_excerpt(excerpt_uuid, author, deleted=True)

    def restore_excerpt(self, excerpt_uuid: str, *, author: Author) -> Excerpt:
        return self._change_excerpt(excerpt_uuid, author, deleted=False)

    def _change_excerpt(self, excerpt_uuid: str, author: Author, **changes: Any) -> Excerpt:
        with self._vault.edit() as session:
            record = records.update(self._vault, session, EXCERPT, excerpt_uuid, changes, author)
        return excerpt_from_record(record)

    @staticmethod
    def _checked_themes(themes: Iterable[str], known: set[str]) -> list[str]:
        wanted = list(dict.fromkeys(themes))
        if any(theme not in known for theme in wanted):
            raise NotFound("That theme is not on the board any more.")
        return wanted

    # --- themes ----------------------------------------------------------------------------

    def add_theme(
        self,
        name: str,
        *,
        author: Author,
        description: str = "",
        colour: str | None = None,
        x: float = 0.0,
        y: float = 0.0,
        theme_uuid: str | None = None,
    ) -> Theme:
        with self._vault.edit() as session:
            return self._new_theme(session, name, author, description, colour, x, y, theme_uuid)

    def _new_theme(
        self,
        session: Session,
        name: str,
        author: Author,
        description: str = "",
        colour: str | None = None,
        x: float = 0.0,
        y: float = 0.0,
        theme_uuid: str | None = None,
    ) -> Theme:
        name = _checked_name(name)
        description = checked_text(description, "theme's description", THEME_DESCRIPTION_LIMIT)
        place = _checked_place(x, y)
        live = self._themes(session)
        if any(t.name.casefold() == name.casefold() for t in live):
            raise InvalidInput(f"There is a theme called “{name}” already.")
        if colour is None:
            used = [t.colour for t in live]
            colour = min(THEME_COLOURS, key=lambda c: (used.count(c), THEME_COLOURS.index(c)))
        colour = _checked_colour(colour)
        hlc = self._vault.clock.tick().encode()
        row = models.ThemeRow(
            uuid=theme_uuid or records.new_uuid(),
            created_hlc=hlc,
            updated_hlc=hlc,
            author=author.encode(),
            deleted=False,
        )
        values = {"name": name, "description": description, "colour": colour, "position": place}
        self._write_theme(session, row, values)
        session.add(row)
        return self._theme_of(session, row)

    def update_theme(
        self,
        theme_uuid: str,
        *,
        author: Author,
        name: str | Unset = UNSET,
        description: str | Unset = UNSET,
        colour: str | Unset = UNSET,
        x: float | Unset = UNSET,
        y: float | Unset = UNSET,
        deleted: bool | Unset = UNSET,
    ) -> Theme:
        """Rename, describe, recolour, move, take off (``deleted``) or bring back a theme."""
        with self._vault.edit() as session:
            row = self._theme_row(session, theme_uuid)
            current = self._theme_of(session, row)
            values: dict[str, Any] = {
                "name": current.name,
                "description": current.description,
                "colour": current.colour,
                "position": {"x": current.x, "y": current.y},
            }
            if not isinstance(name, Unset):
                values["name"] = _checked_name(name)
                taken = [
                    t
                    for t in self._themes(session)
                    if t.uuid != theme_uuid and t.name.casefold() == values["name"].casefold()
                ]
                if taken:
                    raise InvalidInput(f"There is a theme called “{values['name']}” already.")
            if not isinstance(description, Unset):
                values["description"] = checked_text(
                    description, "theme's description", THEME_DESCRIPTION_LIMIT
                )
            if not isinstance(colour, Unset):
                values["colour"] = _checked_colour(colour)
            if not isinstance(x, Unset) or not isinstance(y, Unset):
                values["position"] = _checked_place(
                    current.x if isinstance(x, Unset) else x,
                    current.y if isinstance(y, Unset) else y,
                )
            if not isinstance(deleted, Unset):
                row.deleted = bool(deleted)
            row.updated_hlc = self._vault.clock.tick().encode()
            row.author = author.encode()
            self._write_theme(session, row, values)
            return self._theme_of(session, row)

    def theme(self, theme_uuid: str) -> Theme:
        with self._vault.read() as session:
            theme = self._theme_of(session, self._theme_row(session, theme_uuid))
        if theme.deleted:
            raise NotFound("That theme is not on the board any more.")
        return theme

    def theme_named(self, name: str) -> Theme:
        """The theme of that name (any case); :class:`NotFound` with the names there are."""
        wanted = " ".join(name.split()).casefold()
        themes = self.themes()
        for theme in themes:
            if theme.name.casefold() == wanted:
                return theme
        there = ", ".join(f"“{t.name}”" for t in themes) or "none yet"
        raise NotFound(f"There is no theme called “{name.strip()}” (themes: {there}).")

    def themes(self, include_deleted: bool = False) -> list[Theme]:
        """The themes on the board, oldest first."""
        with self._vault.read() as session:
            return self._themes(session, include_deleted)

    def merge_themes(self, merged: Sequence[str], into: str, *, author: Author) -> Merged:
        """Fold some themes into another: each of their excerpts is then in ``into`` (once),
        and the folded themes are taken off the board. One change: all of it, or none."""
        folded = tuple(dict.fromkeys(t for t in merged if t != into))
        if not folded:
            raise InvalidInput("Choose at least one other theme to merge into this one.")
        with self._vault.edit() as session:
            live = self._live_theme_ids(session)
            if into not in live or any(t not in live for t in folded):
                raise NotFound("That theme is not on the board any more.")
            before: dict[str, tuple[str, ...]] = {}
            for record in records.find(self._vault, session, EXCERPT):
                themes = list(record.values["themes"])
                if not any(t in themes for t in folded):
                    continue
                before[record.uuid] = tuple(themes)
                kept = [t for t in themes if t not in folded]
                if into not in kept:
                    kept.append(into)
                records.update(self._vault, session, EXCERPT, record.uuid, {"themes": kept}, author)
            for theme_uuid in folded:
                self._set_deleted(session, theme_uuid, True, author)
        return Merged(into, folded, before)

    def unmerge(self, merge: Merged, *, author: Author) -> None:
        """Undo :meth:`merge_themes`: the folded themes back, each excerpt in the themes it
        was in before (an excerpt erased since stays erased)."""
        with self._vault.edit() as session:
            for theme_uuid in merge.merged:
                self._set_deleted(session, theme_uuid, False, author)
            live = self._live_theme_ids(session)
            for excerpt_uuid, themes in merge.before.items():
                try:
                    records.get(self._vault, session, EXCERPT, excerpt_uuid)
                except NotFound:
                    continue
                records.update(
                    self._vault,
                    session,
                    EXCERPT,
                    excerpt_uuid,
                    {"themes": [t for t in themes if t in live]},
                    author,
                )

    def split_theme(
        self, theme_uuid: str, excerpt_uuids: Sequence[str], name: str, *, author: Author
    ) -> Theme:
        """Make a new theme of some of a theme's excerpts: they leave the old theme for it."""
        if not excerpt_uuids:
            raise InvalidInput("Choose the notes that make the new theme.")
        current = self.theme(theme_uuid)
        new = self.add_theme(name, author=author, x=current.x + 40, y=current.y + 40)
        with self._vault.edit() as session:
            for excerpt_uuid in excerpt_uuids:
                record = records.get(self._vault, session, EXCERPT, excerpt_uuid)
                themes = [t for t in record.values["themes"] if t != theme_uuid]
                records.update(
                    self._vault,
                    session,
                    EXCERPT,
                    excerpt_uuid,
                    {"themes": [*themes, new.uuid]},
                    author,
                )
        return new

    def excerpts_in(self, theme_uuid: str) -> list[Excerpt]:
        return [e for e in self.excerpts() if theme_uuid in e.themes]

    # --- the themes' rows ------------------------------------------------------------------

    def _cipher(self, session: Session) -> Sealer:
        return self._vault.room_cipher(session)

    def _write_theme(self, session: Session, row: models.ThemeRow, values: dict[str, Any]) -> None:
        cipher = self._cipher(session)
        for field in _THEME_SEALED:
            setattr(row, field, seal_field(cipher, "themes", field, row.uuid, _ROOM, values[field]))
        row.mac = cipher.mac(_theme_message(row))

    def _set_deleted(
        self, session: Session, theme_uuid: str, deleted: bool, author: Author
    ) -> None:
        row = self._theme_row(session, theme_uuid)
        values = self._theme_values(session, row)  # checked before anything of it changes
        row.deleted = deleted
        row.updated_hlc = self._vault.clock.tick().encode()
        row.author = author.encode()
        self._write_theme(session, row, values)

    def _theme_row(self, session: Session, theme_uuid: str) -> models.ThemeRow:
        row = session.get(models.ThemeRow, theme_uuid)
        if row is None:
            raise NotFound("That theme is not on the board any more.")
        return row

    def _theme_values(self, session: Session, row: models.ThemeRow) -> dict[str, Any]:
        cipher = self._cipher(session)
        if not cipher.mac_matches(_theme_message(row), row.mac):
            raise _damaged_theme()
        try:
            return {
                field: open_field(cipher, "themes", field, row.uuid, _ROOM, getattr(row, field))
                for field in _THEME_SEALED
            }
        except FieldDamaged as error:
            raise _damaged_theme() from error

    def _theme_of(self, session: Session, row: models.ThemeRow) -> Theme:
        values = self._theme_values(session, row)
        place = values["position"] or {}
        return Theme(
            uuid=row.uuid,
            name=values["name"],
            description=values["description"],
            colour=values["colour"],
            x=float(place.get("x", 0.0)),
            y=float(place.get("y", 0.0)),
            author=Author.decode(row.author),
            created_hlc=row.created_hlc,
            updated_hlc=row.updated_hlc,
            deleted=bool(row.deleted),
        )

    def _themes(self, session: Session, include_deleted: bool = False) -> list[Theme]:
        query = select(models.ThemeRow).order_by(models.ThemeRow.created_hlc)
        themes = [self._theme_of(session, row) for row in session.scalars(query)]
        return [t for t in themes if include_deleted or not t.deleted]

    def _live_theme_ids(self, session: Session) -> set[str]:
        return {t.uuid for t in self._themes(session)}


def _theme_message(row: models.ThemeRow) -> bytes:
    """What a theme row's MAC covers: every column but the MAC itself (empty in the message)."""
    return columns_message(
        models.ThemeRow,
        [None if name == "mac" else getattr(row, name) for name in sealed_columns(models.ThemeRow)],
    )


def _damaged_theme() -> VaultDamaged:
    return VaultDamaged(
        "A theme of the story-sharing room has been altered or damaged and cannot be shown."
    )


def whose_words(excerpt: Excerpt) -> str:
    """Whose words an excerpt holds, in words: "their own words", "Sam's notes"."""
    author = excerpt.meta.author
    return "their own words" if author.is_storyteller else f"{author.describe()}’s words"


def holds_arrived_stories(vault: VaultSession) -> bool:
    """Whether stories have arrived here from other devices (this installation is a hub, or
    acts as one): the window then offers the story-sharing room on its toolbar."""
    with vault.read() as session:
        return session.scalar(select(models.BundleReceiptRow.device_id).limit(1)) is not None


def pseudonyms(vault: VaultSession) -> dict[str, str]:
    """Storyteller uuid → pseudonym, of everyone shown (for notes, matrices and charts)."""
    with vault.read() as session:
        found = records.find(vault, session, STORYTELLER, damaged=[])
    return {r.uuid: r.values["pseudonym"] for r in found}

"""Search over names, events, cards and quotes: an index held in memory only, never on disk.

Built after unlock for everyone at once, a batch of storytellers per query of each kind (the
window runs it on a thread of its own, and it can stop between batches); refreshed for one
storyteller after an edit; dropped on lock.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from storycapture.services import records
from storycapture.services.kinds import (
    NARRATIVE_NOTE,
    QUOTE,
    STORYTELLER,
    STRENGTH_CARD,
    TIMELINE_EVENT,
    EntityKind,
)
from storycapture.services.vault import VaultSession

SNIPPET = 80
# Storytellers read per query when everyone is indexed at once: large enough that a 500-person
# vault takes ten queries of each kind, small enough that a build asked to stop (the vault
# locked) stops within a fraction of a second, and that it never holds the database for long.
BATCH = 50


@dataclass(frozen=True)
class SearchHit:
    storyteller_uuid: str
    kind: str  # the entity name: storyteller, timeline_event, strength_card, quote, narrative_note
    uuid: str
    snippet: str


class _Entry(NamedTuple):
    """One indexed item (a plain tuple: a large vault makes a hundred thousand of them)."""

    storyteller_uuid: str
    kind: str
    uuid: str
    text: str
    folded: str


# What is searchable of each kind, in the order results are shown.
_SEARCHABLE: tuple[tuple[EntityKind, tuple[str, ...]], ...] = (
    (STORYTELLER, ("pseudonym", "real_name")),
    (TIMELINE_EVENT, ("title", "words")),
    (STRENGTH_CARD, ("text",)),
    (QUOTE, ("text",)),
    (NARRATIVE_NOTE, ("text",)),
)


def _snippet(text: str, around: str = "") -> str:
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET:
        return flat
    at = flat.casefold().find(around) if around else -1
    start = max(0, min(at - SNIPPET // 3, len(flat) - SNIPPET)) if at > 0 else 0
    piece = flat[start : start + SNIPPET]
    return ("…" if start else "") + piece + ("…" if start + SNIPPET < len(flat) else "")


def _entry(
    kind: EntityKind,
    fields: tuple[str, ...],
    storyteller_uuid: str,
    uuid: str,
    values: dict[str, Any],
) -> _Entry | None:
    """What the index keeps of one item: its searchable words joined (None if it has none)."""
    text = " · ".join([t for f in fields if (t := values.get(f)) and isinstance(t, str)])
    if not text:
        return None
    return _Entry(storyteller_uuid, kind.name, uuid, text, text.casefold())


def _batch_entries(
    vault: VaultSession, session: Session, storyteller_uuids: Sequence[str]
) -> dict[str, list[_Entry]]:
    """The entries of some storytellers, one query of each kind, in the order asked."""
    found: dict[str, list[_Entry]] = {}
    for kind, fields in _SEARCHABLE:
        # Only storytellers whose own record opened: their items after it.
        people = storyteller_uuids if kind is STORYTELLER else list(found)
        if not people:
            break
        for item in records.read_fields(vault, session, kind, people, fields):
            entries = found.setdefault(item.storyteller_uuid, [])
            entry = _entry(kind, fields, item.storyteller_uuid, item.uuid, item.values)
            if entry is not None:
                entries.append(entry)
    return {uuid: found[uuid] for uuid in storyteller_uuids if uuid in found}


class SearchIndex:
    def __init__(self) -> None:
        self._entries: dict[str, list[_Entry]] = {}

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._entries.values())

    @property
    def storytellers(self) -> set[str]:
        return set(self._entries)

    def add_storyteller(self, vault: VaultSession, storyteller_uuid: str) -> None:
        """(Re)index one storyteller's words; cheap enough to run after every edit."""
        entries: list[_Entry] = []
        with vault.read() as session:
            for kind, fields in _SEARCHABLE:
                if kind is STORYTELLER:
                    found = [records.get(vault, session, kind, storyteller_uuid)]
                else:  # a damaged item is not found by search (the pages say it is damaged)
                    found = records.find(vault, session, kind, storyteller_uuid, damaged=[])
                for record in found:
                    entry = _entry(kind, fields, storyteller_uuid, record.uuid, record.values)
                    if entry is not None:
                        entries.append(entry)
        self._entries[storyteller_uuid] = entries

    def add_all(
        self,
        vault: VaultSession,
        storyteller_uuids: Sequence[str],
        cancelled: Callable[[], bool] = lambda: False,
    ) -> bool:
        """Index many storytellers at once: what :meth:`add_storyteller` gives each of them,
        read a batch of storytellers per query of each kind. A storyteller whose own record
        does not open is left out (``add_storyteller`` would raise), as is anyone erased or
        only partly arrived. ``cancelled`` is asked between batches: once it says stop, this
        stops and returns False (having indexed the batches before); True when all is done."""
        for start in range(0, len(storyteller_uuids), BATCH):
            if cancelled():
                return False
            with vault.read_aside() as session:  # never holding the window's edits off
                batch = storyteller_uuids[start : start + BATCH]
                self._entries.update(_batch_entries(vault, session, batch))
        return not cancelled()

    def take(self, other: SearchIndex, keep: Collection[str]) -> None:
        """Take ``other``'s entries of the storytellers in ``keep`` (an index built elsewhere,
        on a thread, handed over whole), replacing any of theirs here."""
        for uuid, entries in other._entries.items():
            if uuid in keep:
                self._entries[uuid] = entries

    def forget(self, storyteller_uuid: str) -> None:
        self._entries.pop(storyteller_uuid, None)

    def clear(self) -> None:
        self._entries.clear()

    def search(self, query: str, limit: int = 100) -> list[SearchHit]:
        """Items containing every word of the query (any case), names first."""
        words = query.casefold().split()
        if not words:
            return []
        order = {kind.name: rank for rank, (kind, _) in enumerate(_SEARCHABLE)}
        hits = [
            SearchHit(e.storyteller_uuid, e.kind, e.uuid, _snippet(e.text, words[0]))
            for entries in self._entries.values()
            for e in entries
            if all(word in e.folded for word in words)
        ]
        hits.sort(key=lambda h: order[h.kind])
        return hits[:limit]

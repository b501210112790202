"""Search over names, events, cards and quotes: an index held in memory only, never on disk.

Built after unlock, a storyteller at a time (so the window can build it in small steps
without freezing), refreshed for one storyteller after an edit, and dropped on lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True)
class SearchHit:
    storyteller_uuid: str
    kind: str  # the entity name: storyteller, timeline_event, strength_card, quote, narrative_note
    uuid: str
    snippet: str


@dataclass(frozen=True)
class _Entry:
    hit: SearchHit
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
                    texts = [record.values.get(f) for f in fields]
                    text = " · ".join(t for t in texts if isinstance(t, str) and t)
                    if text:
                        hit = SearchHit(storyteller_uuid, kind.name, record.uuid, text)
                        entries.append(_Entry(hit, text.casefold()))
        self._entries[storyteller_uuid] = entries

    def add_all(self, vault: VaultSession, storyteller_uuids: Iterable[str]) -> None:
        for uuid in storyteller_uuids:
            self.add_storyteller(vault, uuid)

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
            SearchHit(
                e.hit.storyteller_uuid, e.hit.kind, e.hit.uuid, _snippet(e.hit.snippet, words[0])
            )
            for entries in self._entries.values()
            for e in entries
            if all(word in e.folded for word in words)
        ]
        hits.sort(key=lambda h: order[h.kind])
        return hits[:limit]

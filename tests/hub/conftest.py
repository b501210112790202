"""A small room to try things in: the practice storytellers (invented), with two themes and
three excerpts marked by "Dana" at the hub."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from storycapture.demo import create_demo_vault
from storycapture.domain.authorship import Author
from storycapture.hub.room import RoomService, Theme
from storycapture.services import records
from storycapture.services.kinds import QUOTE, STORYTELLER, TIMELINE_EVENT
from storycapture.services.vault import VaultSession
from tests.conftest import fast_kdf

DEMO_SOURCE = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-vault.json"
TEAM = Author.facilitator("Dana")


@dataclass
class DemoRoom:
    vault: VaultSession
    room: RoomService
    people: dict[str, str]  # pseudonym → storyteller uuid
    themes: dict[str, Theme]  # name → theme
    excerpts: list[str]  # the three excerpts' uuids


def first_item(vault: VaultSession, kind_name: str, person: str) -> str:
    kind = {"quote": QUOTE, "timeline_event": TIMELINE_EVENT}[kind_name]
    with vault.read() as session:
        found = records.find(vault, session, kind, person)
    shown = [
        r
        for r in found
        if r.values.get("visibility") != "private" and r.values.get("words", r.values.get("text"))
    ]
    return shown[0].uuid


@pytest.fixture
def demo_room(tmp_path: Path) -> Iterator[DemoRoom]:
    vault, _recovery = create_demo_vault(tmp_path / "hub", DEMO_SOURCE, kdf=fast_kdf)
    room = RoomService(vault)
    with vault.read() as session:
        people = {r.values["pseudonym"]: r.uuid for r in records.find(vault, session, STORYTELLER)}
    themes = {
        name: room.add_theme(name, author=TEAM, description=words, x=x, y=40)
        for name, words, x in (
            ("Waiting for help", "Long waits, being passed between services.", 40),
            ("Nature and outdoors", "Gardens, walks and the sea as a way back.", 420),
        )
    }
    excerpts = [
        room.add_excerpt(
            people["Marigold"],
            source_kind="timeline_event",
            source_uuid=first_item(vault, "timeline_event", people["Marigold"]),
            marked_by="Dana",
            themes=[themes["Nature and outdoors"].uuid],
            x=420,
            y=140,
        ).uuid,
        room.add_excerpt(
            people["Wren"],
            source_kind="quote",
            source_uuid=first_item(vault, "quote", people["Wren"]),
            marked_by="Dana",
            themes=[themes["Waiting for help"].uuid],
            x=40,
            y=140,
        ).uuid,
        room.add_excerpt(
            people["Moth"],
            source_kind="quote",
            source_uuid=first_item(vault, "quote", people["Moth"]),
            marked_by="Dana",
            x=40,
            y=420,
        ).uuid,
    ]
    yield DemoRoom(vault, room, people, themes, excerpts)
    if vault.is_unlocked:
        vault.lock()

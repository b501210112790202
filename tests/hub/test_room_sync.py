"""The room and sync: excerpts never leave the hub, a bundle that carries one is refused, and
a withdrawal that arrives takes the storyteller's excerpts and their place in themes with it,
from every byte of the vault."""

from __future__ import annotations

from pathlib import Path

import pytest

from storycapture.domain.authorship import Author
from storycapture.domain.errors import StoryCaptureError
from storycapture.hub.across import theme_matrix
from storycapture.hub.room import RoomService, holds_arrived_stories
from storycapture.services.consent import ConsentService
from storycapture.services.story import StoryWordsService
from storycapture.store import models
from storycapture.sync.exporting import plan_export
from storycapture.sync.importing.checks import check_operations
from tests.conftest import FACILITATOR
from tests.services.test_withdrawal import rows_mentioning
from tests.sync import test_sync
from tests.sync.test_sync import Place, add_person

places = test_sync.places  # the sync tests' installations: two laptops and a hub

TEAM = Author.facilitator("Dana")


def test_a_withdrawal_arriving_at_the_hub_erases_the_excerpts_everywhere(
    places: dict[str, Place],
) -> None:
    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    leaving = add_person(laptop.vault, "Juniper")
    staying = add_person(laptop.vault, "Alder")
    words = StoryWordsService(laptop.vault)
    quote = words.add_quote(leaving, "The canary-words of my story.", author=Author.storyteller())
    other = words.add_quote(staying, "Alder's own words.", author=Author.storyteller())
    assert not holds_arrived_stories(hub.vault)
    hub.receive(laptop.export())
    assert holds_arrived_stories(hub.vault)

    room = RoomService(hub.vault)
    theme = room.add_theme("Belonging", author=TEAM)
    gone = room.add_excerpt(
        leaving,
        source_kind="quote",
        source_uuid=quote.uuid,
        marked_by="Dana",
        start=4,
        end=16,
        themes=[theme.uuid],
    )
    kept = room.add_excerpt(
        staying, source_kind="quote", source_uuid=other.uuid, marked_by="Dana", themes=[theme.uuid]
    )
    assert gone.text == "canary-words"
    with hub.vault.read() as session:
        row = session.get(models.ExcerptRow, gone.uuid)
        assert row is not None
        sealed_text = row.text
    # The hub's own excerpts never travel: its next bundle has nothing of them.
    hub.sends_to(laptop)
    StoryWordsService(hub.vault).add_note(staying, "A note made at the hub.", author=TEAM)
    plan = plan_export(hub.vault)
    assert {op["entity"] for op in plan.operations} == {"narrative_note"}
    assert not [op for op in plan.operations if op["entity"] == "excerpt"]
    assert not plan.items.get("excerpts")

    ConsentService(laptop.vault).withdraw(leaving, author=FACILITATOR)
    hub.receive(laptop.export())

    assert [e.uuid for e in room.excerpts()] == [kept.uuid]
    assert [e.uuid for e in room.excerpts_in(theme.uuid)] == [kept.uuid]
    matrix = theme_matrix(hub.vault)
    assert [name for _, name in matrix.storytellers] == ["Alder"]
    assert room.theme(theme.uuid).name == "Belonging"  # the theme stays
    hub.vault.lock()
    database = hub.vault.data_dir / "vault.sqlite"
    assert rows_mentioning(database, gone.uuid, skip=set()) == []
    assert rows_mentioning(database, kept.uuid, skip=set())  # the check can find things
    for path in hub.vault.data_dir.iterdir():
        if path.name.startswith("vault.sqlite"):
            content = path.read_bytes()
            assert sealed_text not in content
            assert b"canary-words" not in content


def test_a_bundle_carrying_an_excerpt_is_refused() -> None:
    op = {
        "op": "set",
        "entity": "excerpt",
        "uuid": "2b1c4a53-7d54-4a7e-9a55-0c8a3e7f2b11",
        "storyteller": "6c0a3f0e-2d7e-4a7b-8f0e-9b7f3a1c5d22",
        "field": "text",
        "value": "words",
        "hlc": "001796474098527.000000",
        "device": "8f6b2c1e-3a4d-4e5f-9a8b-7c6d5e4f3a2b",
        "author": "storyteller",
    }
    with pytest.raises(StoryCaptureError, match="excerpt"):
        check_operations([op])


def test_an_excerpt_row_holds_no_plain_words(places: dict[str, Place], tmp_path: Path) -> None:
    hub = places["Hub"]
    person = add_person(hub.vault)
    quote = StoryWordsService(hub.vault).add_quote(person, "plainly-unique", author=FACILITATOR)
    RoomService(hub.vault).add_excerpt(
        person, source_kind="quote", source_uuid=quote.uuid, marked_by="Dana-unique"
    )
    hub.vault.lock()
    database = hub.vault.data_dir / "vault.sqlite"
    assert rows_mentioning(database, "plainly-unique", skip=set()) == []
    assert rows_mentioning(database, "Dana-unique", skip=set()) == []

"""``records.find`` reads plain rows, not ORM objects: what the same session holds unwritten is
written first and found, and every row's seal is still checked before it is believed."""

from __future__ import annotations

import sqlite3

import pytest

from storycapture.domain.errors import VaultDamaged
from storycapture.services import records
from storycapture.services.kinds import STORYTELLER, TIMELINE_EVENT
from storycapture.services.vault import VaultSession
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, add_consenting_storyteller


def test_find_sees_what_its_own_session_has_not_yet_written(vault: VaultSession) -> None:
    person = add_consenting_storyteller(vault)
    with vault.rehearsal() as session:
        added = records.insert(
            vault, session, TIMELINE_EVENT, person, {"title": "Moved to Leeds"}, FACILITATOR
        )
        found = records.find(vault, session, TIMELINE_EVENT, person)
        assert [r.uuid for r in found] == [added.uuid]
        assert found[0].values["title"] == "Moved to Leeds"
        everyone = records.find(vault, session, STORYTELLER)
        assert [r.uuid for r in everyone] == [person]
        assert everyone[0].storyteller_uuid == person


def test_find_leaves_out_an_altered_row_and_says_so(vault: VaultSession) -> None:
    person = add_consenting_storyteller(vault)
    timeline = TimelineService(vault)
    kept = timeline.add_event(person, title="Kept", starts="1990", author=FACILITATOR)
    hidden = timeline.add_event(person, title="Hidden", starts="1991", author=FACILITATOR)
    with sqlite3.connect(vault.data_dir / "vault.sqlite") as connection:
        connection.execute("UPDATE timeline_events SET deleted = 1 WHERE uuid = ?", (hidden.uuid,))
    damaged: list[str] = []
    with vault.read() as session:
        found = records.find(vault, session, TIMELINE_EVENT, person, damaged=damaged)
        assert [r.uuid for r in found] == [kept.uuid]
        assert damaged == [hidden.uuid]
        with pytest.raises(VaultDamaged):
            records.find(vault, session, TIMELINE_EVENT, person)

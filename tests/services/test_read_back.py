"""Reading back many items with what was just sealed in hand (``records.get_many`` with
``written``, as an import checks what it wrote): every field is still opened from the row as
stored; one that opens to the plaintext in hand is that value, any other is what it opens to,
and a row altered since it was written is still refused."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from storycapture.domain.errors import VaultDamaged
from storycapture.services import records
from storycapture.services.kinds import TIMELINE_EVENT
from storycapture.services.vault import VaultSession
from storycapture.store.db import DATABASE_NAME
from storycapture.store.fields import encode_value
from tests.conftest import FACILITATOR, PASSPHRASE


def _event(vault: VaultSession, person: str, title: str) -> str:
    with vault.edit() as session:
        values = {"title": title, "words": "Some words", "starts": {"year": 2001}}
        values |= {"life_area": "home", "visibility": "team", "valence": 1}
        return records.insert(vault, session, TIMELINE_EVENT, person, values, FACILITATOR).uuid


def _read_back(vault: VaultSession, item: str, written: dict[str, Any]) -> dict[str, Any]:
    with vault.read() as session:
        (record,) = records.get_many(vault, session, TIMELINE_EVENT, [item], {item: written})
    return record.values


def test_a_field_that_opens_to_the_plaintext_in_hand_is_that_value(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    item = _event(vault, storyteller_uuid, "A title")
    in_hand = "A title"  # a value equal to what is stored, but not the object decoded from it
    values = _read_back(vault, item, {"title": (encode_value(in_hand), in_hand)})
    assert values["title"] is in_hand
    assert values["words"] == "Some words"  # no plaintext in hand: opened and decoded


def test_a_field_that_opens_to_another_plaintext_is_what_it_opens_to(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    item = _event(vault, storyteller_uuid, "What is stored")
    values = _read_back(vault, item, {"title": (encode_value("Not this"), "Not this")})
    assert values["title"] == "What is stored"


def test_a_row_altered_since_it_was_written_is_refused_though_its_plaintext_is_in_hand(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    item = _event(vault, storyteller_uuid, "A title")
    other = _event(vault, storyteller_uuid, "Another title")
    data_dir = vault.data_dir
    vault.lock()
    connection = sqlite3.connect(data_dir / DATABASE_NAME)
    with connection:  # the other event's sealed title put in this one's place
        connection.execute(
            "UPDATE timeline_events SET title = (SELECT title FROM timeline_events WHERE uuid = ?)"
            " WHERE uuid = ?",
            (other, item),
        )
    connection.close()
    reopened = VaultSession.unlock(data_dir, PASSPHRASE)
    try:
        with pytest.raises(VaultDamaged):
            _read_back(reopened, item, {"title": (encode_value("A title"), "A title")})
    finally:
        reopened.lock()

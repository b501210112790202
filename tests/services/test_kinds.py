"""The kinds of item are defined once (``services.kinds``): every table of items has exactly one
kind, and what export counts, what import checks and what ``info`` lists all come from it."""

from __future__ import annotations

import pytest

from storycapture.services.kinds import (
    ENTITY_KINDS,
    STORYTELLER,
    StoredRecord,
    Unreadable,
    check_readable,
)
from storycapture.services.vault import SEALED_ROWS, VaultSession
from storycapture.store import models
from tests.conftest import FACILITATOR


def test_every_table_of_items_has_one_kind_and_every_kind_one_table() -> None:
    item_tables = {
        mapper.class_
        for mapper in models.Base.registry.mappers
        # (a theme of the story-sharing room is no storyteller's item: it has no seal of theirs)
        if hasattr(mapper.class_, "author")
        and hasattr(mapper.class_, "seal")
        and hasattr(mapper.class_, "created_hlc")
    }
    assert {kind.row for kind in ENTITY_KINDS.values()} == item_tables
    assert len({kind.row for kind in ENTITY_KINDS.values()}) == len(ENTITY_KINDS)
    assert set(SEALED_ROWS) == item_tables | {models.OperationRow}


def test_every_kind_has_words_for_people_and_a_check() -> None:
    for kind in ENTITY_KINDS.values():
        assert kind.label.startswith(("a ", "an ")) and kind.one and kind.many and kind.counted
        assert kind.words(1) == f"1 {kind.one}" and kind.words(2) == f"2 {kind.many}"
        record = StoredRecord("u", "s", "h", "h", FACILITATOR, {})
        with pytest.raises(Unreadable):
            check_readable(kind, record)  # nothing in it: cannot be shown


def test_info_counts_every_kind(vault: VaultSession) -> None:
    counts = vault.info().counts
    assert set(counts) == {k.counted for k in ENTITY_KINDS.values()} | {"recorded changes"}
    assert counts[STORYTELLER.counted] == 0

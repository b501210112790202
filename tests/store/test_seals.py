"""What a row's seal covers when rows are written in bulk: a new row's columns taken straight
into the seal's order are those ``full_row`` gives (defaults included), so the same message."""

from __future__ import annotations

from typing import Any

import pytest

from storycapture.store import models
from storycapture.store.seals import (
    columns_message,
    full_row,
    new_row_columns,
    row_message,
    sealed_columns,
)

EVENT: dict[str, Any] = {
    "uuid": "0b8f5d2c-3f5e-4d7a-9a51-0d9c8f1e2a33",
    "storyteller_uuid": "5a7e2c1d-8b3f-4e6a-9c2d-1f0e3b4a5c6d",
    "created_hlc": "177000000000000.000001",
    "updated_hlc": "177000000000000.000002",
    "author": "facilitator",
    "title": b"sealed title",
    "words": b"sealed words",
}
OPERATION: dict[str, Any] = {
    "storyteller_uuid": "5a7e2c1d-8b3f-4e6a-9c2d-1f0e3b4a5c6d",
    "entity": "timeline_event",
    "entity_uuid": "0b8f5d2c-3f5e-4d7a-9a51-0d9c8f1e2a33",
    "field": "title",
    "value": b"sealed",
    "hlc": "177000000000000.000001",
    "device_id": "9c2d1f0e-3b4a-4c6d-8b3f-5a7e2c1d4e6a",
    "author": "facilitator",
    "base_hlc": None,
}


@pytest.mark.parametrize(
    ("row_class", "values"),
    [(models.TimelineEventRow, EVENT), (models.OperationRow, OPERATION)],
)
def test_a_new_rows_columns_are_those_full_row_gives(
    row_class: type[Any], values: dict[str, Any]
) -> None:
    given = dict(values)
    columns = new_row_columns(row_class, given)
    assert given == values  # left as it was
    whole = full_row(row_class, dict(values))
    assert columns == [whole[name] for name in sealed_columns(row_class)]
    assert columns_message(row_class, columns) == row_message(None, whole, row_class)


def test_a_new_row_not_given_a_column_with_a_default_has_the_default() -> None:
    columns = dict(
        zip(
            sealed_columns(models.TimelineEventRow),
            new_row_columns(models.TimelineEventRow, EVENT),
            strict=True,
        )
    )
    assert columns["deleted"] is False  # the column's default, as the ORM stores it
    assert columns["visit_uuid"] is None

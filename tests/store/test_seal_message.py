"""A row's seal message is the same bytes however it is made: the quick encoding of a row read
in bulk equals the plain one, value by value (``_encode``) in ``sealed_columns`` order."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storycapture.store import models
from storycapture.store.seals import (
    SEAL_FORMAT,
    _encode,
    columns_message,
    row_message,
    sealed_columns,
)

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.text(max_size=40),
    st.binary(max_size=40),
)


def _plain(row_class: type[Any], columns: list[Any]) -> bytes:
    names = sealed_columns(row_class)
    return (
        SEAL_FORMAT
        + _encode(row_class.__tablename__)
        + b"".join(
            _encode(name) + _encode(value) for name, value in zip(names, columns, strict=True)
        )
    )


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_quick_message_is_the_plain_one(data: st.DataObject) -> None:
    row_class = data.draw(
        st.sampled_from([models.TimelineEventRow, models.StorytellerRow, models.OperationRow])
    )
    columns = [data.draw(VALUES) for _ in sealed_columns(row_class)]
    assert columns_message(row_class, columns) == _plain(row_class, columns)


def test_a_percent_sign_in_a_value_is_a_value() -> None:
    row_class = models.TimelineEventRow
    columns: list[Any] = ["%s %d %%"] * len(sealed_columns(row_class))
    assert columns_message(row_class, columns) == _plain(row_class, columns)


def test_a_row_of_the_wrong_width_is_refused() -> None:
    with pytest.raises(ValueError):
        columns_message(models.TimelineEventRow, [None])


def test_two_rows_that_differ_in_one_column_differ_in_their_message() -> None:
    row_class = models.TimelineEventRow
    width = len(sealed_columns(row_class))
    first: list[Any] = ["x"] * width
    second = [*first[:-1], b"x"]  # the same characters, another type
    assert columns_message(row_class, first) != columns_message(row_class, second)
    assert row_message(
        None, dict(zip(sealed_columns(row_class), first, strict=True)), row_class
    ) == (columns_message(row_class, first))

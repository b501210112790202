"""A bundle names devices, storytellers and items by lowercase canonical uuids; the check is
remembered for a text seen before, and gives the same answer for it each time."""

from __future__ import annotations

import pytest

from storycapture.sync.archive import is_canonical_uuid

GOOD = "0b8f5d2c-3f5e-4d7a-9a51-0d9c8f1e2a33"


@pytest.mark.parametrize(
    "value",
    [GOOD.upper(), GOOD[:-1], GOOD + "0", "{" + GOOD + "}", GOOD.replace("-", ""), "", None, 7,
     [GOOD], {GOOD: 1}, GOOD.encode()],
)  # fmt: skip
def test_anything_but_a_lowercase_canonical_uuid_is_refused_every_time(value: object) -> None:
    assert not is_canonical_uuid(value)
    assert not is_canonical_uuid(value)


def test_a_lowercase_canonical_uuid_is_taken_every_time() -> None:
    assert is_canonical_uuid(GOOD) and is_canonical_uuid(GOOD)

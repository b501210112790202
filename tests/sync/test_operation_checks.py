"""The checks of a bundle's changes before anything is written: text that cannot be stored (a
lone surrogate, which strict JSON lets through as an escape) is refused wherever it is, in
plain ASCII text or not."""

from __future__ import annotations

from typing import Any

import pytest

from storycapture.sync.bundle import BundleRefused
from storycapture.sync.importing.checks import check_operations

PERSON, ITEM = "5a7e2c1d-8b3f-4e6a-9c2d-1f0e3b4a5c6d", "0b8f5d2c-3f5e-4d7a-9a51-0d9c8f1e2a33"


def _change(field: str, value: Any) -> dict[str, Any]:
    return {
        "op": "set",
        "entity": "timeline_event",
        "uuid": ITEM,
        "storyteller": PERSON,
        "field": field,
        "value": value,
        "hlc": "177000000000000.000001",
        "device": "9c2d1f0e-3b4a-4c6d-8b3f-5a7e2c1d4e6a",
        "author": "facilitator",
        "base": None,
    }


@pytest.mark.parametrize(
    "value",
    ["plain words", "Ünïcödé wörds ✓", {"what_happened": "Ça va", "helped": "yes"}, None],
)
def test_text_that_can_be_stored_is_taken(value: Any) -> None:
    check_operations([_change("help" if isinstance(value, dict) else "words", value)])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("words", "a lone \ud800 surrogate"),
        ("words", "\udfff"),
        ("help", {"what_happened": "fine", "from_whom": "x \udc00"}),
        ("help", {"key \ud801": "a key with one"}),
    ],
)
def test_text_with_a_lone_surrogate_is_refused(field: str, value: Any) -> None:
    with pytest.raises(BundleRefused, match="broken character"):
        check_operations([_change(field, value)])

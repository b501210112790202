"""Sealing one field: a value encoded once and sealed (as an import seals a change into the log
and into its item's row) is sealed as ``seal_field`` seals it, and opens only in its own place."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storycapture.crypto import FieldCipher, new_key
from storycapture.store.fields import (
    FieldDamaged,
    decode_value,
    encode_value,
    open_field,
    open_plaintext,
    seal_field,
    seal_plaintext,
)

ROW, PERSON = "0b8f5d2c-3f5e-4d7a-9a51-0d9c8f1e2a33", "5a7e2c1d-8b3f-4e6a-9c2d-1f0e3b4a5c6d"
VALUES: list[Any] = [None, "Ünïcödé words", 7, -0.5, True, ["a", 1], {"helped": "partly"}]


@pytest.mark.parametrize("value", VALUES)
def test_a_value_sealed_from_its_encoding_opens_as_the_value(value: Any) -> None:
    cipher = FieldCipher(new_key())
    plaintext = encode_value(value)
    sealed = seal_plaintext(cipher, "timeline_events", "words", ROW, PERSON, plaintext)
    assert open_field(cipher, "timeline_events", "words", ROW, PERSON, sealed) == value
    assert open_plaintext(cipher, "timeline_events", "words", ROW, PERSON, sealed) == plaintext
    assert decode_value(plaintext, "timeline_events", "words", ROW) == value
    # the same plaintext seal_field seals
    other = seal_field(cipher, "timeline_events", "words", ROW, PERSON, value)
    assert open_plaintext(cipher, "timeline_events", "words", ROW, PERSON, other) == plaintext


def test_a_field_sealed_from_its_encoding_opens_nowhere_else() -> None:
    cipher = FieldCipher(new_key())
    sealed = seal_plaintext(cipher, "timeline_events", "words", ROW, PERSON, encode_value("x"))
    with pytest.raises(FieldDamaged):
        open_plaintext(cipher, "timeline_events", "title", ROW, PERSON, sealed)
    with pytest.raises(FieldDamaged):
        open_field(cipher, "timeline_events", "words", PERSON, PERSON, sealed)
    with pytest.raises(FieldDamaged):
        decode_value(b"\xff not json", "timeline_events", "words", ROW)


@pytest.mark.parametrize("value", [*VALUES, 10**30, 'quote " and \\ and \n', {"b": 1, "a": [-0.0]}])
def test_a_value_is_encoded_as_compact_json_in_utf_8(value: Any) -> None:
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert encode_value(value) == expected

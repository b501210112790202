"""A field's plaintext read back: the JSON scanner's short way gives what ``json.loads`` gives,
and whatever ``json.loads`` refuses is still reported as damage."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storycapture.crypto import FieldCipher, new_key
from storycapture.store.fields import FieldDamaged, field_associated_data, open_field, seal_field

PLACE = ("timeline_events", "words", "row-1", "person-1")


@pytest.mark.parametrize(
    "value",
    [
        "Moved to Leeds",
        '“ünïcode” 心 and a \\ and a " and a\nnewline',
        "",
        None,
        True,
        3,
        -2.5,
        ["a", 1, None],
        {"starts": {"year": 1995}, "help": None},
    ],
)
def test_a_sealed_value_opens_as_it_was(value: Any) -> None:
    cipher = FieldCipher(new_key())
    assert open_field(cipher, *PLACE, seal_field(cipher, *PLACE, value)) == value


@pytest.mark.parametrize("plaintext", [' "padded" ', '"a"\n', "\t3"])
def test_json_with_white_space_around_it_still_opens(plaintext: str) -> None:
    cipher = FieldCipher(new_key())
    aad = field_associated_data(*PLACE)
    sealed = cipher.seal(plaintext.encode(), aad)
    assert open_field(cipher, *PLACE, sealed) == json.loads(plaintext)


@pytest.mark.parametrize(
    "plaintext", ['"a" "b"', '"a"x', "", "  ", "{", "nope", "\ufeff1", '"\\x"']
)
def test_what_is_not_one_json_value_is_damage(plaintext: str) -> None:
    cipher = FieldCipher(new_key())
    aad = field_associated_data(*PLACE)
    sealed = cipher.seal(plaintext.encode(), aad)
    with pytest.raises(FieldDamaged):
        open_field(cipher, *PLACE, sealed)

"""Sealing one field value: JSON, then AES-256-GCM bound to where the value lives.

The associated data names table, column, row, storyteller and field-format version, so a
ciphertext copied to another row, column or person does not open: it is reported as damage.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Protocol

from storycapture.crypto import DecryptionFailed

FIELD_FORMAT_VERSION = 1
# The JSON decoder's own scanner, called directly: ``json.loads`` wraps it in three calls and a
# regular expression that cost a field's plaintext four times what the scan does.
_scan_one_value: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
# Made once: ``json.dumps`` with any option but the defaults makes a new encoder each call.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class Sealer(Protocol):
    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes: ...

    def open(self, sealed: bytes, associated_data: bytes) -> bytes: ...

    def mac(self, message: bytes) -> bytes: ...

    def mac_matches(self, message: bytes, tag: bytes | None) -> bool: ...


class FieldDamaged(Exception):
    """A stored field did not open under its own key and place."""

    def __init__(self, table: str, column: str, row_uuid: str) -> None:
        super().__init__(f"{table}.{column} of {row_uuid} does not verify")
        self.table = table
        self.column = column
        self.row_uuid = row_uuid


def field_associated_data(table: str, column: str, row_uuid: str, storyteller_uuid: str) -> bytes:
    return f"{table}|{column}|{row_uuid}|{storyteller_uuid}|{FIELD_FORMAT_VERSION}".encode()


def encode_value(value: Any) -> bytes:
    """The plaintext a field value is sealed as: compact JSON in UTF-8."""
    return _ENCODER.encode(value).encode("utf-8")


def seal_field(
    sealer: Sealer, table: str, column: str, row_uuid: str, storyteller_uuid: str, value: Any
) -> bytes:
    return seal_plaintext(sealer, table, column, row_uuid, storyteller_uuid, encode_value(value))


def seal_plaintext(
    sealer: Sealer, table: str, column: str, row_uuid: str, storyteller_uuid: str, plaintext: bytes
) -> bytes:
    """:func:`seal_field` of a value already encoded with :func:`encode_value` (a change that
    arrives is sealed twice, into the log and into its item's row, and encoded once)."""
    aad = field_associated_data(table, column, row_uuid, storyteller_uuid)
    return sealer.seal(plaintext, aad)


def open_field(
    sealer: Sealer, table: str, column: str, row_uuid: str, storyteller_uuid: str, sealed: bytes
) -> Any:
    plaintext = open_plaintext(sealer, table, column, row_uuid, storyteller_uuid, sealed)
    return decode_value(plaintext, table, column, row_uuid)


def open_plaintext(
    sealer: Sealer, table: str, column: str, row_uuid: str, storyteller_uuid: str, sealed: bytes
) -> bytes:
    """The plaintext of a sealed field, not yet read as JSON (see :func:`decode_value`)."""
    aad = field_associated_data(table, column, row_uuid, storyteller_uuid)
    try:
        return sealer.open(sealed, aad)
    except DecryptionFailed as error:
        raise FieldDamaged(table, column, row_uuid) from error


def decode_value(plaintext: bytes, table: str, column: str, row_uuid: str) -> Any:
    """The value of an opened field (where it lives is named only for the error)."""
    try:
        return _loads(plaintext.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise FieldDamaged(table, column, row_uuid) from error


def _loads(text: str) -> Any:
    """``json.loads(text)``: the scanner alone when ``text`` is one JSON value and nothing
    more, as :func:`seal_field` writes it; anything else (white space around it, a second
    value, not JSON at all) through ``json.loads``, which reads or refuses it as it always has."""
    try:
        value, end = _scan_one_value(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)

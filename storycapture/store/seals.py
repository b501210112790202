"""What a row's seal covers: every column of the row, in a fixed encoding.

The personal fields of a row are sealed one by one (``store.fields``); the columns stored in the
clear — who wrote the item, whether it is deleted, which visit or moment it belongs to, the
consent version, whether an imported storyteller has fully arrived, the clocks — decide what a
person is shown just as much. A row's seal is a MAC, under its storyteller's key, of
:func:`row_message`: all of its columns (the sealed fields as their stored bytes too, so an older
ciphertext put back is caught as well). Any change made outside the app is then reported as
damage, like a moved ciphertext.

An operation's ``seq`` is left out: it is this database's own counter, given by SQLite when the
row is written.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import inspect

SEAL_COLUMN = "seal"
SEAL_FORMAT = b"storycapture-row-seal-1"
_LOCAL_ONLY = frozenset({SEAL_COLUMN, "seq"})


@cache
def sealed_columns(row_class: type[Any]) -> tuple[str, ...]:
    """The attribute names a seal of ``row_class`` covers, in a fixed order."""
    mapper = inspect(row_class)
    return tuple(sorted(c.key for c in mapper.column_attrs if c.key not in _LOCAL_ONLY))


def is_sealed_row(row: Any) -> bool:
    return hasattr(type(row), SEAL_COLUMN) and hasattr(type(row), "__tablename__")


@cache
def _scalar_defaults(row_class: type[Any]) -> tuple[tuple[str, Any], ...]:
    """(attribute, value) of each column of ``row_class`` with a fixed default."""
    return tuple(
        (column.key, column.default.arg)
        for column in row_class.__table__.columns
        if column.default is not None and column.default.is_scalar
    )


def with_defaults(row: Any) -> None:
    """Give a new row's unset columns their defaults now (SQLAlchemy would only at INSERT,
    after the seal is made)."""
    for name, default in _scalar_defaults(type(row)):  # type: ignore[arg-type]
        if getattr(row, name) is None:
            setattr(row, name, default)


def full_row(row_class: type[Any], values: dict[str, Any]) -> dict[str, Any]:
    """``values`` of a new row of ``row_class`` written without the ORM, as the ORM would
    store them: every column the seal covers present (``None`` if not given), and unset
    columns given their defaults, as :func:`with_defaults` does."""
    for name in sealed_columns(row_class):  # type: ignore[arg-type]
        values.setdefault(name, None)
    for name, default in _scalar_defaults(row_class):  # type: ignore[arg-type]
        if values[name] is None:
            values[name] = default
    return values


@cache
def _new_row_layout(row_class: type[Any]) -> tuple[tuple[str, Any], ...]:
    """(name, fixed default or ``None``) of each sealed column, in :func:`sealed_columns`
    order."""
    defaults = dict(_scalar_defaults(row_class))  # type: ignore[arg-type]
    return tuple((name, defaults.get(name)) for name in sealed_columns(row_class))  # type: ignore[arg-type]


def new_row_columns(row_class: type[Any], values: dict[str, Any]) -> list[Any]:
    """The sealed columns of a new row of ``row_class`` written without the ORM, in
    :func:`sealed_columns` order, as :func:`full_row` makes them (not given: ``None``, or the
    column's default), without changing ``values``: what the row's seal covers and what is
    inserted, for many rows at once."""
    return [
        default if (value := values.get(name)) is None else value
        for name, default in _new_row_layout(row_class)  # type: ignore[arg-type]
    ]


def row_message(
    row: Any, values: dict[str, Any] | None = None, row_class: type[Any] | None = None
) -> bytes:
    """The bytes a row's seal is a MAC of. ``values`` overrides some columns (the state a
    changed row had before the change); ``row_class`` is given when ``row`` is a plain result
    row of that class's table rather than a mapped object, or when ``row`` is ``None`` and
    ``values`` holds every column (a row written in bulk, see :func:`full_row`)."""
    row_class = row_class or type(row)
    names = sealed_columns(row_class)  # type: ignore[arg-type]
    if values is None:
        return columns_message(row_class, [getattr(row, name) for name in names])
    return columns_message(
        row_class, [values[name] if name in values else getattr(row, name) for name in names]
    )


def leading_columns_message(row_class: type[Any], row: Sequence[Any]) -> bytes:
    """:func:`row_message` of a plain result row whose first columns are the sealed columns
    of ``row_class`` in :func:`sealed_columns` order (read by position: no lookup by name)."""
    return columns_message(row_class, row[: len(sealed_columns(row_class))])  # type: ignore[arg-type]


def columns_message(row_class: type[Any], columns: Sequence[Any]) -> bytes:
    """The bytes a seal is a MAC of, from the values of a row's sealed columns, in
    :func:`sealed_columns` order."""
    parts = [_head(row_class)]  # type: ignore[arg-type]
    append = parts.append
    for encoded_name, value in zip(_layout(row_class), columns, strict=True):  # type: ignore[arg-type]
        append(encoded_name)
        # The common types inline (this runs for every row read in bulk, and for every row an
        # older vault is sealed with); the same bytes as ``_encode``.
        kind = type(value)
        if kind is str:
            value = value.encode("utf-8")
            append(b"s%d:" % len(value))
            append(value)
        elif kind is bytes:
            append(b"b%d:" % len(value))
            append(value)
        elif value is None:
            append(b"n")
        elif kind is bool:
            append(b"T" if value else b"F")
        else:
            append(_encode(value))
    return b"".join(parts)


@cache
def _head(row_class: type[Any]) -> bytes:
    return SEAL_FORMAT + _encode(row_class.__tablename__)


@cache
def _layout(row_class: type[Any]) -> tuple[bytes, ...]:
    """The encoded names of the sealed columns, in :func:`sealed_columns` order."""
    return tuple(_encode(name) for name in sealed_columns(row_class))  # type: ignore[arg-type]


def _encode(value: Any) -> bytes:
    """A self-delimiting, typed encoding: no two different rows give the same message."""
    if value is None:
        return b"n"
    if isinstance(value, bool):
        return b"T" if value else b"F"
    if isinstance(value, int):
        text = str(value).encode()
        return b"i%d:%s" % (len(text), text)
    if isinstance(value, str):
        data = value.encode("utf-8")
        return b"s%d:%s" % (len(data), data)
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        return b"b%d:%s" % (len(data), data)
    raise TypeError(f"a sealed row cannot hold {type(value).__name__}")

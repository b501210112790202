"""Many rows and log entries in one transaction, written with SQLAlchemy Core (one
``executemany`` per table) rather than one ORM object each: what an import of thousands of
changes writes.

These writes do not pass the vault's ``before_flush`` listener, so they do what it does,
through the same functions: a row is sealed with ``VaultSession.seal_of`` over
``store.seals.row_message`` of every column as written, and before a stored row is changed
its seal is checked against the row as it was read (``VaultSession.check_stored_seal``): an
altered row is refused, never sealed anew. Field values are sealed by ``records``.

Rows are plain dicts of their columns. Until :meth:`BulkWrites.write`, nothing is in the
database: read what was written only after it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, Update, bindparam, select, update
from sqlalchemy.orm import Session

from storycapture.services import records
from storycapture.services.kinds import ENTITY_KINDS, STORYTELLER, EntityKind
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.store.fields import encode_value
from storycapture.store.seals import (
    SEAL_COLUMN,
    columns_message,
    full_row,
    new_row_columns,
    row_message,
    sealed_columns,
)

_CHUNK = 500  # ids per IN (...) query


def owner(kind: EntityKind, row: dict[str, Any]) -> str:
    """The storyteller whose key seals ``row``."""
    return str(row["uuid"] if kind is STORYTELLER else row["storyteller_uuid"])


class BulkWrites:
    """Rows and log entries of one transaction, sealed and written together."""

    def __init__(self, vault: VaultSession, session: Session) -> None:
        self.vault = vault
        self.session = session
        self._stored: dict[tuple[str, str], dict[str, Any]] = {}  # (kind, uuid) → as stored
        self._new: dict[str, dict[str, dict[str, Any]]] = {}  # kind → uuid → row to insert
        self._changed: dict[str, dict[str, dict[str, Any]]] = {}  # kind → uuid → row to update
        self._log: list[dict[str, Any]] = []
        # kind → uuid → field → (plaintext, value) of each field sealed here, as last set:
        # what the import's read-back check expects each to open to (``records.get_many``)
        self.sealed_here: dict[str, dict[str, dict[str, tuple[bytes, Any]]]] = {}

    # --- rows ---------------------------------------------------------------------------------

    def load(self, kind: EntityKind, uuids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The stored rows of ``kind`` among ``uuids``, by id, to read and change (a few
        queries); each is remembered as it was read, so that its seal can be checked before
        it is written again."""
        table = _table(kind.row)
        found: dict[str, dict[str, Any]] = {}
        wanted = sorted(set(uuids))
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start : start + _CHUNK]
            for stored in self.session.execute(select(table).where(table.c.uuid.in_(chunk))):
                columns = dict(stored._mapping)
                self._stored[(kind.name, columns["uuid"])] = columns
                found[columns["uuid"]] = dict(columns)
        return found

    def new_row(
        self,
        kind: EntityKind,
        record_uuid: str,
        storyteller_uuid: str,
        *,
        created_hlc: str,
        updated_hlc: str,
        author: str,
    ) -> dict[str, Any]:
        """An empty row of ``kind`` to insert (set its fields with :meth:`set_field`)."""
        row: dict[str, Any] = {
            "uuid": record_uuid,
            "created_hlc": created_hlc,
            "updated_hlc": updated_hlc,
            "author": author,
        }
        if kind is not STORYTELLER:
            row["storyteller_uuid"] = storyteller_uuid
        self._new.setdefault(kind.name, {})[record_uuid] = row
        return row

    def set_field(
        self,
        kind: EntityKind,
        row: dict[str, Any],
        field: str,
        value: Any,
        plaintext: bytes | None = None,
    ) -> None:
        """Set one field of ``row`` (new, or from :meth:`load`) as stored (``plaintext``: the
        value encoded, if made already; see ``records.stored_value``)."""
        if field in kind.sealed:
            if plaintext is None:
                plaintext = encode_value(value)
            fields = self.sealed_here.setdefault(kind.name, {}).setdefault(row["uuid"], {})
            fields[field] = (plaintext, value)
        column, stored = records.stored_value(
            self.vault, self.session, kind, row["uuid"], owner(kind, row), field, value, plaintext
        )
        row[column] = stored
        self.changed(kind, row)

    def changed(self, kind: EntityKind, row: dict[str, Any]) -> None:
        """``row`` (from :meth:`load`, or written before) is to be written again."""
        record_uuid = row["uuid"]
        if record_uuid not in self._new.get(kind.name, {}):
            self._changed.setdefault(kind.name, {})[record_uuid] = row

    # --- the log --------------------------------------------------------------------------------

    def log(self, op: dict[str, Any]) -> None:
        """Append one change to the log (its columns from ``records.operation_values``), in
        this order."""
        self._log.append(op)

    # --- writing --------------------------------------------------------------------------------

    def write(self) -> None:
        """Seal and write everything so far: new rows, changed rows (each checked against
        its seal as stored first), then the log; the session's objects are expired, so that
        what it reads next is what was written."""
        for name, rows in self._new.items():
            kind = ENTITY_KINDS[name]
            new = [full_row(kind.row, row) for row in rows.values()]  # whole, for the merge
            seals = self._insert_sealed(kind.row, new, partial(owner, kind))
            for row, seal in zip(new, seals, strict=True):
                row[SEAL_COLUMN] = seal
            self._remember(kind, new)
        for name, rows in self._changed.items():
            kind = ENTITY_KINDS[name]
            for row in rows.values():
                self._check_stored(kind, row["uuid"])
            sealed = [self._sealed(kind, row) for row in rows.values()]
            table = _table(kind.row)
            columns = [c for c in sealed_columns(kind.row) if c != "uuid"]  # type: ignore[arg-type]
            change = (
                update(table)
                .where(table.c.uuid == bindparam("_uuid"))
                .values({c: bindparam(f"_{c}") for c in [*columns, SEAL_COLUMN]})
            )
            self._executemany(change, [{f"_{c}": v for c, v in row.items()} for row in sealed])
            self._remember(kind, sealed)
        if self._log:
            self._insert_sealed(models.OperationRow, self._log, _storyteller_of_op)
        self._new, self._changed, self._log = {}, {}, []
        self.session.expire_all()

    def _insert_sealed(
        self,
        row_class: type[Any],
        rows: list[dict[str, Any]],
        owner_of: Callable[[dict[str, Any]], str],
    ) -> list[bytes]:
        """Seal and insert new rows of ``row_class`` with one ``executemany``; their seals,
        in the order of ``rows``.

        Each row goes from its dict to one tuple, once: its sealed columns in the seal's order
        (``new_row_columns``: as ``full_row`` makes them), which both make the message its
        seal is a MAC of (under ``owner_of(row)``'s key) and are inserted, with the seal, in
        that order. (The log's 100,000 entries of a large import take no other copy.)"""
        if not rows:
            return []
        seals: list[bytes] = []
        values: list[tuple[Any, ...]] = []
        for row in rows:
            columns = new_row_columns(row_class, row)
            message = columns_message(row_class, columns)
            seal = self.vault.seal_of(self.session, owner_of(row), message)
            seals.append(seal)
            values.append((*columns, seal))
        names = [*sealed_columns(row_class), SEAL_COLUMN]  # type: ignore[arg-type]
        connection = self.session.connection()
        quote = connection.dialect.identifier_preparer.quote
        # The vault is SQLite (``store.db``), whose driver takes ``?`` for each value.
        statement = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(_table(row_class).name),
            ", ".join(quote(name) for name in names),
            ", ".join("?" for _ in names),
        )
        connection.exec_driver_sql(statement, values)
        return seals

    def _executemany(self, statement: Update, rows: list[dict[str, Any]]) -> None:
        """One ``executemany`` of ``statement`` (compiled once by SQLAlchemy) with the values
        of ``rows``, handed to the driver as they are: bytes, text, ``None``, and flags, which
        SQLite stores as 1 and 0 as SQLAlchemy's own binding does."""
        if not rows:
            return
        connection = self.session.connection()
        compiled = statement.compile(dialect=connection.dialect, column_keys=list(rows[0]))
        order = compiled.positiontup or []
        connection.exec_driver_sql(
            str(compiled), [tuple(row[name] for name in order) for row in rows]
        )

    def _sealed(self, kind: EntityKind, row: dict[str, Any]) -> dict[str, Any]:
        message = row_message(None, row, kind.row)
        row[SEAL_COLUMN] = self.vault.seal_of(self.session, owner(kind, row), message)
        return row

    def _check_stored(self, kind: EntityKind, record_uuid: str) -> None:
        stored = self._stored[(kind.name, record_uuid)]
        message = row_message(None, stored, kind.row)
        self.vault.check_stored_seal(self.session, owner(kind, stored), message, stored["seal"])

    def _remember(self, kind: EntityKind, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self._stored[(kind.name, row["uuid"])] = dict(row)


_storyteller_of_op = itemgetter("storyteller_uuid")  # whose key seals a log entry


def _table(row_class: type[Any]) -> Table:
    table: Table = row_class.__table__
    return table

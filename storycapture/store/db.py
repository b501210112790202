"""The SQLite engine of a vault: durable, self-erasing pragmas, and plain errors for I/O trouble."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storycapture.domain.errors import StorageUnavailable, VaultDamaged

DATABASE_NAME = "vault.sqlite"
DAMAGED = (
    "The vault file is damaged and cannot be read. Nothing was changed; "
    "a backup copy, if there is one, is in the vault's backups folder."
)
# Every SQLite database file begins with these 16 bytes, in a header of 100.
SQLITE_MAGIC = b"SQLite format 3\x00"
SQLITE_HEADER_BYTES = 100

# An execution option of connections that only read, on a thread of their own (the search
# index is built on one): their transactions begin deferred, taking no lock.
READ_ASIDE = "storycapture_read_aside"

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    # FULL: a commit is on the disk before we say it is saved; a power cut loses nothing said saved.
    "PRAGMA synchronous=FULL",
    # Deleted content is overwritten with zeros, so erased words do not linger in free pages.
    "PRAGMA secure_delete=ON",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
    # Temporary tables and sort spills stay in memory, never in a temp file.
    "PRAGMA temp_store=MEMORY",
)


def check_file(database: Path) -> None:
    """Refuse a vault file that is not a SQLite database before anything opens it: opening
    writes (the write-ahead log is switched on), and would turn an empty file into a new, empty
    database while the vault's words were gone."""
    try:
        with open(database, "rb") as file:
            head = file.read(SQLITE_HEADER_BYTES)
    except OSError as error:
        raise StorageUnavailable(
            "StoryCapture cannot read its data folder, so the vault was not opened; "
            "nothing was changed."
        ) from error
    if len(head) < SQLITE_HEADER_BYTES or not head.startswith(SQLITE_MAGIC):
        raise VaultDamaged(DAMAGED)


def open_engine(database: Path) -> Engine:
    engine = create_engine(f"sqlite:///{database}", future=True)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # pysqlite's own transaction handling would delay BEGIN; we want SQLAlchemy's.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in _PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ASIDE):
            # A reader only: in WAL mode it neither makes writers wait nor waits for them.
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def storage_error(error: Exception) -> Exception:
    """Translate a database error into the plain error a person should see."""
    message = str(getattr(error, "orig", error)).lower()
    if "disk is full" in message or "disk i/o" in message or "no space" in message:
        return StorageUnavailable(
            "The disk is full or cannot be written, so the last change was not saved; "
            "everything before it is safe. Free some space and try again."
        )
    if "readonly" in message or "read-only" in message or "unable to open" in message:
        return StorageUnavailable(
            "StoryCapture cannot write to its data folder, so the last change was not saved; "
            "everything before it is safe."
        )
    if "locked" in message or "busy" in message:
        return StorageUnavailable("The vault is busy in another program; try again in a moment.")
    if isinstance(error, DatabaseError):
        return VaultDamaged(DAMAGED)
    return error


@contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except (IntegrityError, sqlite3.IntegrityError):
        raise  # a broken rule of ours, not of the disk: let it show as the bug it is
    except (OperationalError, DatabaseError, sqlite3.DatabaseError) as error:
        raise storage_error(error) from error


def check_integrity(engine: Engine) -> None:
    with translated_errors(), engine.connect() as connection:
        result = connection.execute(text("PRAGMA quick_check")).scalar()
    if result != "ok":
        raise VaultDamaged(DAMAGED)


def checkpoint_and_compact(engine: Engine) -> None:
    """Rewrite the file without free pages and empty the write-ahead log (after an erasure)."""
    with translated_errors():
        raw = engine.raw_connection()
        try:
            # The raw connection is in autocommit mode (see _on_connect): VACUUM needs that.
            cursor = raw.cursor()
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            raw.close()

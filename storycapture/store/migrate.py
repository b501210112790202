"""Schema migrations with Alembic: the schema is only ever created or changed by a revision.

Before an existing vault is upgraded, a copy of it is written to ``backups/`` with SQLite's
online backup, so a failed migration can never cost a word.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from storycapture.store.db import translated_errors

BACKUPS_DIR = "backups"
_MIGRATIONS = Path(__file__).with_name("migrations")


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with translated_errors(), engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = _config()
    with translated_errors(), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def backup_copy(engine: Engine, data_dir: Path, label: str) -> Path:
    """Write a consistent copy of the database to ``backups/`` (ciphertext only, like the vault)."""
    folder = data_dir / BACKUPS_DIR
    folder.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for attempt in range(1000):
        target = folder / f"vault-{label}-{stamp}-{attempt:03d}.sqlite"
        try:
            # Claim the name exclusively: an earlier backup is never overwritten.
            with open(target, "xb"):
                pass
            break
        except FileExistsError:
            continue
    else:
        raise FileExistsError(f"no free backup name in {folder}")
    with translated_errors():
        raw = engine.raw_connection()
        try:
            source = raw.driver_connection
            assert isinstance(source, sqlite3.Connection)
            destination = sqlite3.connect(target)
            try:
                source.backup(destination)
                # A backup is one self-contained file: no write-ahead log beside it.
                destination.execute("PRAGMA journal_mode=DELETE")
            finally:
                destination.close()
        finally:
            raw.close()
    return target


def upgrade_with_backup(engine: Engine, data_dir: Path) -> Path | None:
    """Bring an existing vault to the newest schema, backing it up first if anything will change."""
    current = current_revision(engine)
    if current == head_revision():
        return None
    backup = backup_copy(engine, data_dir, current or "unversioned")
    upgrade(engine)
    return backup

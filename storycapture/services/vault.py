"""The vault session: create, unlock, lock, change passphrase, recover, and the edit transaction.

Key hierarchy (see ARCHITECTURE.md): the passphrase (Argon2id) and the recovery key (HKDF) each
wrap the one random vault key; the vault key wraps each storyteller's key and the device's
signing key and age identity. The header lives in the ``vault_meta`` table; the key-derivation
parameters are part of the associated data of the passphrase wrap, so altering them cannot
produce a weaker key that still opens the vault.
"""

from __future__ import annotations

import datetime
import os
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy import Engine, Table, event, func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from storycapture import crypto
from storycapture.crypto import keys as crypto_keys
from storycapture.domain.clock import Hlc, HybridClock
from storycapture.domain.errors import (
    InvalidInput,
    StorageUnavailable,
    VaultAlreadyExists,
    VaultDamaged,
    VaultLocked,
    VaultNotFound,
    WrongPassphrase,
)
from storycapture.store import migrate
from storycapture.store.db import (
    DAMAGED as DAMAGED_FILE,
)
from storycapture.store.db import (
    DATABASE_NAME,
    READ_ASIDE,
    check_file,
    check_integrity,
    open_engine,
    session_factory,
    translated_errors,
)
from storycapture.store.fields import Sealer
from storycapture.store.lock import VaultDirectoryLock
from storycapture.store.models import (
    ConsentRow,
    ExcerptRow,
    NarrativeNoteRow,
    OperationRow,
    PhotoRow,
    QuoteRow,
    StorytellerKeyRow,
    StorytellerRow,
    StrengthCardRow,
    TimelineEventRow,
    TombstoneRow,
    VaultMeta,
    VisitRow,
)
from storycapture.store.seals import (
    is_sealed_row,
    leading_columns_message,
    row_message,
    with_defaults,
)

HEADER_FORMAT = b"1"
MEDIA_DIR = "media"
INCOMING_DIR = "incoming"  # bundles being imported stage their photos here (ciphertext)
PASSPHRASE_MIN = 8
PASSPHRASE_MAX = 1024

_DAMAGED_HEADER = (
    "This vault's settings have been altered or damaged, so StoryCapture will not open it."
)
_WRONG_PASSPHRASE = "That passphrase does not open this vault. Check it and try again."
_DAMAGED_ROW = (
    "Part of this vault has been altered or damaged, so this change was not saved. "
    "Nothing else is affected."
)
# The vault_meta entry that says every row has been sealed (a value sealed under the vault key,
# so it cannot be made up); before it, rows written by an older version may have no seal yet.
ROW_SEALS = "row_seals"
# The vault_meta entry holding the story-sharing room's key, wrapped by the vault key.
ROOM_KEY = "room_key"
SEALED_ROWS = (
    StorytellerRow,
    ConsentRow,
    VisitRow,
    TimelineEventRow,
    StrengthCardRow,
    QuoteRow,
    NarrativeNoteRow,
    PhotoRow,
    ExcerptRow,
    OperationRow,
)
_RESEAL_BATCH = 2000


class KdfChooser(Protocol):
    def __call__(self) -> crypto.KdfParams: ...


def calibrated_kdf() -> crypto.KdfParams:
    return crypto.calibrate()


def check_new_passphrase(passphrase: str) -> str:
    if not isinstance(passphrase, str) or len(passphrase) < PASSPHRASE_MIN:
        raise InvalidInput(f"A passphrase needs at least {PASSPHRASE_MIN} characters.")
    if len(passphrase) > PASSPHRASE_MAX:
        raise InvalidInput(f"A passphrase can be at most {PASSPHRASE_MAX} characters.")
    return passphrase


@dataclass(frozen=True)
class VaultInfo:
    """What ``storycapture info`` shows: counts and key settings, nothing personal."""

    data_dir: Path
    vault_id: str
    device_id: str
    schema_revision: str | None
    kdf_memory_mib: int
    kdf_iterations: int
    kdf_lanes: int
    counts: dict[str, int]
    tombstones: int
    database_bytes: int
    media_files: int


def _passphrase_aad(vault_id: str, kdf_json: str) -> bytes:
    return f"storycapture vault key|passphrase|{vault_id}|{kdf_json}".encode()


def _recovery_aad(vault_id: str) -> bytes:
    return f"storycapture vault key|recovery|{vault_id}".encode()


def _device_aad(what: str, vault_id: str) -> bytes:
    return f"storycapture device {what}|{vault_id}".encode()


def _storyteller_key_aad(storyteller_uuid: str, *, rows_sealed: bool = True) -> bytes:
    """What a storyteller's wrapped key is bound to. Since row seals, the wrap also says that
    every row of theirs carries a seal: without the vault key, nobody can make a wrap that says
    otherwise, so a seal taken off a row cannot pass as a row from before seals."""
    legacy = f"storycapture storyteller key|{storyteller_uuid}".encode()
    return legacy + b"|rows sealed" if rows_sealed else legacy


def _storyteller_age_aad(storyteller_uuid: str) -> bytes:
    return f"storycapture storyteller age identity|{storyteller_uuid}".encode()


class VaultSession:
    """An unlocked vault. Every service takes one; ``lock()`` ends it and drops the keys."""

    def __init__(
        self,
        data_dir: Path,
        engine: Engine,
        directory_lock: VaultDirectoryLock,
        vault_key: bytes,
        header: dict[str, bytes],
    ) -> None:
        self.data_dir = data_dir
        self._engine: Engine | None = engine
        self._sessions: sessionmaker[Session] = session_factory(engine)
        self._directory_lock = directory_lock
        self._vault_key: bytes | None = vault_key
        self._header = header
        self.vault_id = header["vault_id"].decode()
        self.device_id = header["device_id"].decode()
        self._ciphers: dict[str, Sealer] = {}
        self._room: Sealer | None = None  # the story-sharing room's sealer, once unwrapped
        # Another thread may read (the search index is built on one): a key it unwraps is
        # remembered only while the vault is still unlocked, never after ``lock()`` cleared them.
        self._keys_guard = threading.Lock()
        # Storytellers whose key was wrapped before row seals: their rows may have no seal yet.
        self._unsealed_storytellers: set[str] = set()
        self._rows_sealed = self._row_seals_marker_is_good()
        # Every row written through any session of this vault is sealed as it is flushed, and
        # a changed row's earlier seal is checked first: nothing writes a row around its seal.
        event.listen(self._sessions, "before_flush", self._seal_rows)
        self.clock = HybridClock(self._last_clock())

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls, data_dir: Path, passphrase: str, kdf: KdfChooser | None = None
    ) -> tuple[VaultSession, str]:
        """Create a new vault; returns the session and the recovery key (shown once, then gone)."""
        check_new_passphrase(passphrase)
        data_dir = Path(data_dir)
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
            if os.name == "posix":
                data_dir.chmod(0o700)  # other accounts on the laptop need not even see names
        except OSError as error:
            raise StorageUnavailable(
                f"StoryCapture cannot create its data folder ({error.strerror})."
            ) from error
        database = data_dir / DATABASE_NAME
        if database.exists():
            raise VaultAlreadyExists("There is already a vault in this folder.")
        directory_lock = VaultDirectoryLock(data_dir)
        directory_lock.acquire()
        staging = data_dir / f".{DATABASE_NAME}.creating"
        try:
            params = (kdf or calibrated_kdf)()
            recovery_key = crypto_keys.new_recovery_key()
            header, vault_key = _new_header(passphrase, params, recovery_key)
            _remove_database(staging)
            engine = open_engine(staging)
            try:
                migrate.upgrade(engine)
                with translated_errors(), Session(engine) as session, session.begin():
                    session.add_all(VaultMeta(key=k, value=v) for k, v in header.items())
            finally:
                engine.dispose()
            # Only a complete vault ever carries the real name.
            os.replace(staging, database)
            (data_dir / MEDIA_DIR).mkdir(exist_ok=True)
            vault = cls(data_dir, open_engine(database), directory_lock, vault_key, header)
        except BaseException:
            _remove_database(staging)
            directory_lock.release()
            raise
        return vault, recovery_key

    @classmethod
    def unlock(
        cls, data_dir: Path, passphrase: str, *, check_file_now: bool = True
    ) -> VaultSession:
        """Open the vault. ``check_file_now=False`` leaves SQLite's check of the whole file
        (about half a second for a large vault) to :meth:`file_problem`, which the window runs
        once the first screen is up; it still runs first whenever the schema is upgraded."""
        return cls._open(
            Path(data_dir),
            lambda header: _unwrap_with_passphrase(header, passphrase),
            check_file_now=check_file_now,
        )

    @classmethod
    def recover(cls, data_dir: Path, recovery_key: str, new_passphrase: str) -> VaultSession:
        """Open with the recovery key and set a new passphrase (the recovery key stays valid)."""
        check_new_passphrase(new_passphrase)
        session = cls._open(
            Path(data_dir), lambda header: _unwrap_with_recovery(header, recovery_key)
        )
        try:
            session._set_passphrase(new_passphrase, calibrated_kdf())
        except BaseException:
            session.lock()
            raise
        return session

    @classmethod
    def _open(
        cls, data_dir: Path, unwrap: _Unwrapper, *, check_file_now: bool = True
    ) -> VaultSession:
        database = data_dir / DATABASE_NAME
        if not database.is_file():
            raise VaultNotFound(f"There is no StoryCapture vault in {data_dir}.")
        directory_lock = VaultDirectoryLock(data_dir)
        directory_lock.acquire()
        engine: Engine | None = None
        try:
            check_file(database)
            engine = open_engine(database)
            header = _read_header(engine)
            vault_key = unwrap(header)
            if check_file_now or migrate.current_revision(engine) != migrate.head_revision():
                check_integrity(engine)  # never upgrade a damaged file
            migrate.upgrade_with_backup(engine, data_dir)
            vault = cls(data_dir, engine, directory_lock, vault_key, header)
        except BaseException:
            if engine is not None:
                engine.dispose()
            directory_lock.release()
            raise
        try:
            if not vault._rows_sealed:
                vault._seal_existing_rows()
        except BaseException:
            vault.lock()
            raise
        return vault

    def file_problem(self) -> str | None:
        """SQLite's check of the whole vault file: None if it is sound, or what to tell people.
        Safe to run on another thread: it reads through a connection of its own, read-only,
        and touches no session or key."""
        database = self.data_dir / DATABASE_NAME
        try:
            connection = sqlite3.connect(f"{database.as_uri()}?mode=ro", uri=True)
            try:
                result = connection.execute("PRAGMA quick_check").fetchone()
            finally:
                connection.close()
        except sqlite3.OperationalError:
            return None  # could not look now (busy, say): that is not damage
        except sqlite3.DatabaseError:
            return DAMAGED_FILE
        return None if result is not None and result[0] == "ok" else DAMAGED_FILE

    # --- the session -----------------------------------------------------------------------

    @property
    def is_unlocked(self) -> bool:
        return self._vault_key is not None

    def lock(self) -> None:
        """Drop every key reference, close the database and let another process open the vault."""
        with self._keys_guard:
            self._vault_key = None
            self._ciphers.clear()
            self._room = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
        self._directory_lock.release()

    def _require_unlocked(self) -> bytes:
        if self._vault_key is None:
            raise VaultLocked("The vault is locked; unlock it to go on.")
        return self._vault_key

    @property
    def engine(self) -> Engine:
        self._require_unlocked()
        assert self._engine is not None
        return self._engine

    @contextmanager
    def edit(self) -> Iterator[Session]:
        """One saved change: everything inside commits together, or nothing does."""
        self._require_unlocked()
        with translated_errors(), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def rehearsal(self) -> Iterator[Session]:
        """Everything a saved change would do, then undone: nothing is committed, and keys
        made for storytellers it would have added are forgotten (checking a bundle exactly as
        its import would, without importing it)."""
        self._require_unlocked()
        known = set(self._ciphers)
        try:
            with translated_errors(), self._sessions() as session:
                transaction = session.begin()
                try:
                    yield session
                finally:
                    transaction.rollback()
        finally:
            for storyteller_uuid in set(self._ciphers) - known:
                del self._ciphers[storyteller_uuid]

    @contextmanager
    def read(self) -> Iterator[Session]:
        self._require_unlocked()
        with translated_errors(), self._sessions() as session:
            yield session

    @contextmanager
    def read_aside(self) -> Iterator[Session]:
        """A session for reading only, safe on another thread (it has a connection of its
        own): its transaction takes no lock, so a long read there never makes the window's
        edits and reads wait (``read()`` begins as a writer would, holding the others off)."""
        engine = self.engine.execution_options(**{READ_ASIDE: True})
        with translated_errors(), self._sessions(bind=engine) as session:
            yield session

    def media_dir(self, storyteller_uuid: str) -> Path:
        self._require_unlocked()
        return self.data_dir / MEDIA_DIR / storyteller_uuid

    def _last_clock(self) -> Hlc:
        with self.read() as session:
            latest = session.scalar(select(func.max(OperationRow.hlc)))
            erased = session.scalar(select(func.max(TombstoneRow.hlc)))
        seen = [Hlc.decode(v) for v in (latest, erased) if v]
        return max(seen, default=Hlc.zero())

    # --- keys ------------------------------------------------------------------------------

    def new_storyteller_keys(
        self, storyteller_uuid: str, age_identity: str | None = None
    ) -> tuple[Sealer, StorytellerKeyRow]:
        """A new storyteller's key and age identity: their sealer, and the row to store after
        the storyteller's own row (the key row refers to it). An import passes the age
        identity it already encrypted the storyteller's incoming photos to."""
        vault_key = self._require_unlocked()
        key = crypto.new_key()
        identity = age_identity or crypto_keys.new_age_identity()
        row = StorytellerKeyRow(
            storyteller_uuid=storyteller_uuid,
            wrapped_key=crypto.seal(vault_key, key, _storyteller_key_aad(storyteller_uuid)),
            wrapped_age_identity=crypto.seal(
                key, identity.encode(), _storyteller_age_aad(storyteller_uuid)
            ),
            age_recipient=crypto_keys.age_recipient(identity),
        )
        cipher = self._make_cipher(key)
        self._remember_cipher(storyteller_uuid, cipher)
        return cipher, row

    def cipher(self, session: Session, storyteller_uuid: str) -> Sealer:
        """The field sealer of one storyteller (their key, unwrapped once per session)."""
        cached = self._ciphers.get(storyteller_uuid)
        if cached is not None:
            return cached
        cipher = self._make_cipher(self._storyteller_key(session, storyteller_uuid))
        self._remember_cipher(storyteller_uuid, cipher)
        return cipher

    def preload_ciphers(self, session: Session, storyteller_uuids: set[str]) -> None:
        """Unwrap the keys of many storytellers with one query (a first list after unlock)."""
        vault_key = self._require_unlocked()
        missing = storyteller_uuids - self._ciphers.keys()
        if not missing:
            return
        rows = session.scalars(
            select(StorytellerKeyRow).where(StorytellerKeyRow.storyteller_uuid.in_(missing))
        )
        for row in rows:
            key = self._unwrap_storyteller_key(vault_key, row)
            if key is None:
                continue  # reported, with its own message, when that storyteller is opened
            self._remember_cipher(row.storyteller_uuid, self._make_cipher(key))

    def _remember_cipher(self, storyteller_uuid: str, cipher: Sealer) -> None:
        with self._keys_guard:
            self._require_unlocked()  # locked meanwhile (on another thread): keep nothing
            self._ciphers[storyteller_uuid] = cipher

    def _make_cipher(self, key: bytes) -> Sealer:
        return crypto.FieldCipher(key)

    def _storyteller_key(self, session: Session, storyteller_uuid: str) -> bytes:
        vault_key = self._require_unlocked()
        row = session.get(StorytellerKeyRow, storyteller_uuid)
        if row is None:
            raise VaultDamaged("A storyteller's key is missing, so their story cannot be opened.")
        key = self._unwrap_storyteller_key(vault_key, row)
        if key is None:
            raise VaultDamaged(
                "A storyteller's key has been altered or damaged, so their story cannot be opened."
            )
        return key

    def _unwrap_storyteller_key(self, vault_key: bytes, row: StorytellerKeyRow) -> bytes | None:
        """The storyteller's key, or None if its wrap does not open. A key wrapped before row
        seals opens only while the vault has not been sealed yet (its rows are sealed at this
        unlock); once it has, such a wrap is damage."""
        person = row.storyteller_uuid
        try:
            return crypto.open_sealed(vault_key, row.wrapped_key, _storyteller_key_aad(person))
        except crypto.DecryptionFailed:
            pass
        if self._rows_sealed:
            return None
        try:
            key = crypto.open_sealed(
                vault_key, row.wrapped_key, _storyteller_key_aad(person, rows_sealed=False)
            )
        except crypto.DecryptionFailed:
            return None
        self._unsealed_storytellers.add(person)
        return key

    def storyteller_age_keys(self, session: Session, storyteller_uuid: str) -> tuple[str, str]:
        """(age identity, age recipient) for a storyteller's media."""
        key = self._storyteller_key(session, storyteller_uuid)
        row = session.get(StorytellerKeyRow, storyteller_uuid)
        assert row is not None
        try:
            identity = crypto.open_sealed(
                key, row.wrapped_age_identity, _storyteller_age_aad(storyteller_uuid)
            ).decode()
        except crypto.DecryptionFailed as error:
            raise VaultDamaged("A storyteller's media key has been altered or damaged.") from error
        return identity, row.age_recipient

    def room_cipher(self, session: Session) -> Sealer:
        """The sealer of what belongs to the hub's story-sharing room and to no storyteller (its
        themes): a key of its own, wrapped by the vault key, made the first time it is needed
        (in ``session``'s transaction: kept only once that transaction is)."""
        vault_key = self._require_unlocked()
        with self._keys_guard:
            if self._room is not None:
                return self._room
        row = session.get(VaultMeta, ROOM_KEY)
        aad = _device_aad("room key", self.vault_id)
        if row is None:
            row = VaultMeta(key=ROOM_KEY, value=crypto.seal(vault_key, crypto.new_key(), aad))
            session.add(row)
        try:
            cipher = self._make_cipher(crypto.open_sealed(vault_key, row.value, aad))
        except crypto.DecryptionFailed as error:
            raise VaultDamaged(
                "The key of the story-sharing room has been altered or damaged: its themes "
                "cannot be read. The stories themselves are not affected."
            ) from error
        if row not in session.new:  # a key only just made is remembered once it is stored
            with self._keys_guard:
                if self._vault_key is not None:
                    self._room = cipher
        return cipher

    def forget_storyteller_key(self, storyteller_uuid: str) -> None:
        self._ciphers.pop(storyteller_uuid, None)

    def device_signing_key(self) -> bytes:
        return self._device_secret("wrapped_signing_key", "signing key")

    def device_age_identity(self) -> str:
        return self._device_secret("wrapped_age_identity", "age identity").decode()

    @property
    def device_signing_public_key(self) -> bytes:
        return self._header["signing_public_key"]

    @property
    def device_age_recipient(self) -> str:
        return self._header["age_recipient"].decode()

    def _device_secret(self, name: str, what: str) -> bytes:
        vault_key = self._require_unlocked()
        try:
            return crypto.open_sealed(
                vault_key, self._header[name], _device_aad(what, self.vault_id)
            )
        except crypto.DecryptionFailed as error:
            raise VaultDamaged(f"This device's {what} has been altered or damaged.") from error

    # --- row seals -------------------------------------------------------------------------

    def _row_seals_marker_is_good(self) -> bool:
        marker = self._header.get(ROW_SEALS)
        if marker is None:
            return False
        vault_key = self._require_unlocked()
        try:
            crypto.open_sealed(vault_key, marker, _device_aad("row seals", self.vault_id))
        except crypto.DecryptionFailed as error:
            raise VaultDamaged(_DAMAGED_HEADER) from error
        return True

    def seal_is_good(
        self, session: Session, row: object, row_class: type[object] | None = None
    ) -> bool:
        """Whether ``row`` is as this app last wrote it: its seal matches all its columns (a
        row of a vault not yet sealed, with no seal, counts as good until it is). ``row_class``
        is given when ``row`` is a plain result row of that class's table rather than a mapped
        object: its first columns are then the sealed ones in ``sealed_columns`` order, and it
        has ``seal`` and ``storyteller_uuid`` columns (labelled so for the storytellers)."""
        person = row.storyteller_uuid  # type: ignore[attr-defined]
        try:
            cipher = self.cipher(session, person)
        except VaultDamaged:
            return False
        seal = getattr(row, "seal", None)
        if seal is None:
            return person in self._unsealed_storytellers
        if row_class is None:
            return cipher.mac_matches(row_message(row), seal)
        return cipher.mac_matches(leading_columns_message(row_class, row), seal)  # type: ignore[arg-type]

    def seal_of(self, session: Session, storyteller_uuid: str, message: bytes) -> bytes:
        """The seal of a row of ``storyteller_uuid`` whose :func:`row_message` is ``message``."""
        return self.cipher(session, storyteller_uuid).mac(message)

    def check_stored_seal(
        self, session: Session, storyteller_uuid: str, message: bytes, seal: bytes | None
    ) -> None:
        """Before a stored row is changed and sealed again: raise :class:`VaultDamaged` unless
        ``seal``, the seal it was stored with, matches ``message``, its columns as stored (a
        row of a vault not yet sealed may have none), so no altered row is sealed anew."""
        cipher = self.cipher(session, storyteller_uuid)
        unsealed = seal is None and storyteller_uuid in self._unsealed_storytellers
        if not unsealed and not cipher.mac_matches(message, seal):
            raise VaultDamaged(_DAMAGED_ROW)

    def _seal_rows(self, session: Session, _context: object, _instances: object) -> None:
        for row in session.new:
            if is_sealed_row(row):
                with_defaults(row)  # the seal covers what is stored, defaults included
                row.seal = self.seal_of(session, row.storyteller_uuid, row_message(row))
        for row in session.dirty:
            if not is_sealed_row(row) or not session.is_modified(row):
                continue
            before = {
                name: value
                for name, value in inspect(row).committed_state.items()
                if value is None or isinstance(value, bool | int | str | bytes)
            }
            person = row.storyteller_uuid
            earlier_seal = before.get("seal", row.seal)
            self.check_stored_seal(session, person, row_message(row, before), earlier_seal)
            row.seal = self.seal_of(session, person, row_message(row))

    def _seal_existing_rows(self) -> None:
        """Seal every row an older version wrote without a seal, as it stands, re-wrap the keys
        of their storytellers as sealed, and mark the vault as sealed (one transaction: all of
        it, or nothing and again next time). Only the rows of storytellers whose key is still
        wrapped the older way are sealed: a row of anyone else without a seal stays damage."""
        vault_key = self._require_unlocked()
        with self.edit() as session:
            keys = list(session.scalars(select(StorytellerKeyRow)))
            for key_row in keys:
                self._unwrap_storyteller_key(vault_key, key_row)
            unsealed = set(self._unsealed_storytellers)
            self.preload_ciphers(session, unsealed)
            for row_class in SEALED_ROWS:
                self._seal_rows_of(session, row_class, unsealed)
            for key_row in keys:
                person = key_row.storyteller_uuid
                if person in unsealed:
                    key = self._unwrap_storyteller_key(vault_key, key_row)
                    assert key is not None
                    key_row.wrapped_key = crypto.seal(vault_key, key, _storyteller_key_aad(person))
            marker = _row_seals_marker(vault_key, self.vault_id)
            session.merge(VaultMeta(key=ROW_SEALS, value=marker))
        self._header[ROW_SEALS] = marker
        self._rows_sealed = True
        self._unsealed_storytellers.clear()

    def _seal_rows_of(self, session: Session, row_class: type, people: set[str]) -> None:
        table: Table = row_class.__table__  # type: ignore[attr-defined]
        key = table.c.seq if row_class is OperationRow else table.c.uuid
        owner = table.c.uuid if row_class is StorytellerRow else table.c.storyteller_uuid
        query = select(table).where(table.c.seal.is_(None)).order_by(owner)
        change = f"UPDATE {table.name} SET seal = ? WHERE {key.name} = ?"
        connection = session.connection()
        pending: list[tuple[bytes, object]] = []
        for row in session.execute(query):
            person = getattr(row, owner.key)
            cipher = self._ciphers.get(person)
            if person not in people or cipher is None:
                continue  # sealed already, or no key to seal with: damage, and stays so
            message = row_message(row, row_class=row_class)
            pending.append((cipher.mac(message), getattr(row, key.key)))
            if len(pending) >= _RESEAL_BATCH:
                connection.exec_driver_sql(change, pending)
                pending = []
        if pending:
            connection.exec_driver_sql(change, pending)

    # --- passphrase ------------------------------------------------------------------------

    def check_passphrase(self, passphrase: str) -> bool:
        """Whether ``passphrase`` opens this vault (for leaving storyteller mode, say)."""
        self._require_unlocked()
        try:
            _unwrap_with_passphrase(self._header, passphrase)
        except WrongPassphrase:
            return False
        return True

    def change_passphrase(self, current: str, new: str, kdf: KdfChooser | None = None) -> None:
        """Re-wrap the vault key under a new passphrase; no content is re-encrypted."""
        self._require_unlocked()
        check_new_passphrase(new)
        _unwrap_with_passphrase(self._header, current)
        self._set_passphrase(new, (kdf or calibrated_kdf)())

    def _set_passphrase(self, passphrase: str, params: crypto.KdfParams) -> None:
        vault_key = self._require_unlocked()
        kdf_json = params.to_json()
        kek = crypto.derive_key(passphrase, params)
        updated = {
            "kdf": kdf_json.encode(),
            "wrapped_vault_key": crypto.seal(
                kek, vault_key, _passphrase_aad(self.vault_id, kdf_json)
            ),
        }
        with self.edit() as session:
            for key, value in updated.items():
                session.merge(VaultMeta(key=key, value=value))
        self._header.update(updated)

    def setting(self, key: str) -> bytes | None:
        """A small non-personal value kept in the vault header table."""
        with self.read() as session:
            row = session.get(VaultMeta, f"setting:{key}")
            return None if row is None else row.value

    def set_setting(self, key: str, value: bytes) -> None:
        with self.edit() as session:
            session.merge(VaultMeta(key=f"setting:{key}", value=value))

    def kdf_params(self) -> crypto.KdfParams:
        return crypto.KdfParams.from_json(self._header["kdf"].decode())

    # --- information -----------------------------------------------------------------------

    def info(self) -> VaultInfo:
        from storycapture.services.kinds import ENTITY_KINDS

        tables = {kind.counted: kind.row for kind in ENTITY_KINDS.values()}
        tables["recorded changes"] = OperationRow
        with self.read() as session:
            counts = {}
            for label, table in tables.items():
                query = select(func.count()).select_from(table)
                if hasattr(table, "deleted"):
                    query = query.where(table.deleted.is_(False))
                counts[label] = session.scalar(query) or 0
            tombstones = session.scalar(select(func.count()).select_from(TombstoneRow)) or 0
            page_count = session.execute(text("PRAGMA page_count")).scalar() or 0
            page_size = session.execute(text("PRAGMA page_size")).scalar() or 0
        params = self.kdf_params()
        media = self.data_dir / MEDIA_DIR
        return VaultInfo(
            data_dir=self.data_dir,
            vault_id=self.vault_id,
            device_id=self.device_id,
            schema_revision=migrate.current_revision(self.engine),
            kdf_memory_mib=params.memory_kib // 1024,
            kdf_iterations=params.iterations,
            kdf_lanes=params.lanes,
            counts=counts,
            tombstones=tombstones,
            database_bytes=int(page_count) * int(page_size),
            media_files=sum(1 for _ in media.rglob("*.age")) if media.is_dir() else 0,
        )


class _Unwrapper(Protocol):
    def __call__(self, header: dict[str, bytes]) -> bytes: ...


def _new_header(
    passphrase: str, params: crypto.KdfParams, recovery_key: str
) -> tuple[dict[str, bytes], bytes]:
    """A new vault's header, and its vault key (so that creating derives the key once)."""
    vault_id = str(uuid.uuid4())
    vault_key = crypto.new_key()
    kdf_json = params.to_json()
    recovery_salt = crypto_keys.new_salt()
    signing_key = crypto_keys.new_signing_key()
    age_identity = crypto_keys.new_age_identity()
    return {
        "format": HEADER_FORMAT,
        "vault_id": vault_id.encode(),
        "device_id": str(uuid.uuid4()).encode(),
        "created_on": datetime.date.today().isoformat().encode(),
        "kdf": kdf_json.encode(),
        "wrapped_vault_key": crypto.seal(
            crypto.derive_key(passphrase, params), vault_key, _passphrase_aad(vault_id, kdf_json)
        ),
        "recovery_salt": recovery_salt,
        "wrapped_vault_key_recovery": crypto.seal(
            crypto_keys.recovery_kek(recovery_key, recovery_salt),
            vault_key,
            _recovery_aad(vault_id),
        ),
        "wrapped_signing_key": crypto.seal(
            vault_key, signing_key, _device_aad("signing key", vault_id)
        ),
        "signing_public_key": crypto_keys.signing_public_key(signing_key),
        "wrapped_age_identity": crypto.seal(
            vault_key, age_identity.encode(), _device_aad("age identity", vault_id)
        ),
        "age_recipient": crypto_keys.age_recipient(age_identity).encode(),
        ROW_SEALS: _row_seals_marker(vault_key, vault_id),
    }, vault_key


_REQUIRED_HEADER = (
    "format",
    "vault_id",
    "device_id",
    "kdf",
    "wrapped_vault_key",
    "recovery_salt",
    "wrapped_vault_key_recovery",
    "wrapped_signing_key",
    "signing_public_key",
    "wrapped_age_identity",
    "age_recipient",
)


def _row_seals_marker(vault_key: bytes, vault_id: str) -> bytes:
    return crypto.seal(vault_key, b"sealed", _device_aad("row seals", vault_id))


def _read_header(engine: Engine) -> dict[str, bytes]:
    try:
        with translated_errors(), Session(engine) as session:
            header = {row.key: row.value for row in session.scalars(select(VaultMeta))}
    except VaultDamaged:
        raise
    except StorageUnavailable:
        raise
    except Exception as error:  # a file that is SQLite but not a vault
        raise VaultDamaged(_DAMAGED_HEADER) from error
    if any(name not in header for name in _REQUIRED_HEADER) or header["format"] != HEADER_FORMAT:
        raise VaultDamaged(_DAMAGED_HEADER)
    return header


def _unwrap_with_passphrase(header: dict[str, bytes], passphrase: str) -> bytes:
    kdf_json = header["kdf"].decode("utf-8", errors="replace")
    try:
        params = crypto.KdfParams.from_json(kdf_json)
    except crypto.KdfParamsOutOfBounds as error:
        raise VaultDamaged(_DAMAGED_HEADER) from error
    kek = crypto.derive_key(passphrase, params)
    aad = _passphrase_aad(header["vault_id"].decode(), kdf_json)
    try:
        return crypto.open_sealed(kek, header["wrapped_vault_key"], aad)
    except crypto.DecryptionFailed as error:
        raise WrongPassphrase(_WRONG_PASSPHRASE) from error


def _unwrap_with_recovery(header: dict[str, bytes], recovery_key: str) -> bytes:
    try:
        kek = crypto_keys.recovery_kek(recovery_key, header["recovery_salt"])
    except crypto_keys.MalformedRecoveryKey as error:
        raise WrongPassphrase(
            "That is not a recovery key: it has 32 letters and digits in groups of four."
        ) from error
    try:
        return crypto.open_sealed(
            kek, header["wrapped_vault_key_recovery"], _recovery_aad(header["vault_id"].decode())
        )
    except crypto.DecryptionFailed as error:
        raise WrongPassphrase("That recovery key does not open this vault.") from error


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        with suppress(FileNotFoundError):
            Path(f"{path}{suffix}").unlink()


def discard_new_vault(data_dir: Path) -> None:
    """Remove a vault this process has just created and locked (after a failed first fill)."""
    _remove_database(data_dir / DATABASE_NAME)
    shutil.rmtree(data_dir / MEDIA_DIR, ignore_errors=True)
    with suppress(FileNotFoundError):
        (data_dir / "vault.lock").unlink()


def remove_backups(data_dir: Path) -> None:
    """Backups hold old ciphertexts; after an erasure they must go too."""
    shutil.rmtree(data_dir / migrate.BACKUPS_DIR, ignore_errors=True)

"""The vault session: create, unlock, lock, passphrase change, recovery, and refusing damage."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storycapture.crypto import keys as crypto_keys
from storycapture.domain.errors import (
    InvalidInput,
    StorageUnavailable,
    VaultAlreadyExists,
    VaultDamaged,
    VaultInUse,
    VaultLocked,
    VaultNotFound,
    WrongPassphrase,
)
from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.services.consent import ConsentService
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.store import migrate
from storycapture.store.models import OperationRow
from storycapture.timeline.service import TimelineService
from tests.conftest import FACILITATOR, PASSPHRASE, fast_kdf

NEW_PASSPHRASE = "a different, longer passphrase"


def assert_plain(message: str) -> None:
    """A message for a person: words ending in a full stop, no internals, no traceback."""
    assert message.strip() and message.rstrip().endswith(".")
    assert "\n" not in message
    for internal in ("sqlite", "Error", "Traceback", "errno", "0x", "b'"):
        assert internal not in message


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def raw_rows(database: Path, query: str, *parameters: object) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(database)
    try:
        return connection.execute(query, parameters).fetchall()
    finally:
        connection.close()


def raw_execute(database: Path, statement: str, *parameters: object) -> None:
    connection = sqlite3.connect(database)
    try:
        with connection:
            connection.execute(statement, parameters)
    finally:
        connection.close()


@pytest.fixture
def opened() -> Iterator[Callable[[VaultSession], VaultSession]]:
    """Keep track of sessions a test opens, so every one is locked at the end."""
    sessions: list[VaultSession] = []

    def keep(session: VaultSession) -> VaultSession:
        sessions.append(session)
        return session

    yield keep
    for session in sessions:
        session.lock()


@pytest.fixture
def locked_vault(vault: VaultSession, storyteller_uuid: str) -> Path:
    """A vault with one storyteller and one event, locked; returns its folder."""
    TimelineService(vault).add_event(
        storyteller_uuid, title="Moved to Leeds", starts="spring 2015", author=FACILITATOR
    )
    vault.lock()
    return vault.data_dir


def database(data_dir: Path) -> Path:
    return data_dir / "vault.sqlite"


# --- create, lock, unlock ----------------------------------------------------------------


def test_create_lock_unlock_keeps_content(vault: VaultSession, opened) -> None:
    juniper = StorytellerService(vault).add("Juniper", author=FACILITATOR)
    assert vault.is_unlocked
    vault.lock()
    assert not vault.is_unlocked

    again = opened(VaultSession.unlock(vault.data_dir, PASSPHRASE))
    assert again.is_unlocked
    assert [s.pseudonym for s in StorytellerService(again).list()] == ["Juniper"]
    assert StorytellerService(again).get(juniper.uuid).pseudonym == "Juniper"


def test_create_makes_the_vault_files_and_a_valid_recovery_key(
    created_vault: tuple[VaultSession, str],
) -> None:
    vault, recovery_key = created_vault
    assert database(vault.data_dir).is_file()
    assert (vault.data_dir / "media").is_dir()
    assert crypto_keys.normalise_recovery_key(recovery_key) == recovery_key
    assert not list(vault.data_dir.glob(".*creating*"))


def test_nothing_personal_is_in_the_database_file(vault: VaultSession, storyteller_uuid) -> None:
    TimelineService(vault).add_event(
        storyteller_uuid,
        title="Moved to Leeds",
        words="the flat by the canal",
        starts="spring 2015",
        author=FACILITATOR,
    )
    vault.lock()
    content = database(vault.data_dir).read_bytes()
    for secret in (PASSPHRASE, "Juniper", "Moved to Leeds", "canal"):
        assert secret.encode() not in content


def test_wrong_passphrase_is_refused_and_changes_nothing(locked_vault: Path, opened) -> None:
    before = file_hash(database(locked_vault))
    files_before = sorted(p.name for p in locked_vault.iterdir())

    with pytest.raises(WrongPassphrase) as refused:
        VaultSession.unlock(locked_vault, "not the passphrase")
    assert_plain(str(refused.value))
    assert "passphrase" in str(refused.value)

    assert file_hash(database(locked_vault)) == before
    assert sorted(p.name for p in locked_vault.iterdir()) == files_before
    again = opened(VaultSession.unlock(locked_vault, PASSPHRASE))
    assert len(StorytellerService(again).list()) == 1


def test_a_second_session_is_refused_while_one_is_open(vault: VaultSession) -> None:
    vault.lock()
    first = VaultSession.unlock(vault.data_dir, PASSPHRASE)
    try:
        with pytest.raises(VaultInUse) as refused:
            VaultSession.unlock(vault.data_dir, PASSPHRASE)
        assert_plain(str(refused.value))
        # The first session is not disturbed by the refused one.
        assert StorytellerService(first).add("Rowan", author=FACILITATOR).pseudonym == "Rowan"
        assert [s.pseudonym for s in StorytellerService(first).list()] == ["Rowan"]
    finally:
        first.lock()


def test_an_open_vault_is_in_use_even_to_a_wrong_passphrase(vault: VaultSession) -> None:
    with pytest.raises(VaultInUse):
        VaultSession.unlock(vault.data_dir, "not the passphrase")


def test_after_lock_another_session_can_open_the_vault(vault: VaultSession, opened) -> None:
    vault.lock()
    opened(VaultSession.unlock(vault.data_dir, PASSPHRASE))


def test_creating_where_a_vault_exists_is_refused(locked_vault: Path) -> None:
    before = file_hash(database(locked_vault))
    with pytest.raises(VaultAlreadyExists) as refused:
        VaultSession.create(locked_vault, PASSPHRASE, kdf=fast_kdf)
    assert_plain(str(refused.value))
    assert file_hash(database(locked_vault)) == before


def test_unlocking_where_there_is_no_vault(tmp_path: Path) -> None:
    with pytest.raises(VaultNotFound) as refused:
        VaultSession.unlock(tmp_path / "nowhere", PASSPHRASE)
    assert_plain(str(refused.value))
    with pytest.raises(VaultNotFound):
        VaultSession.unlock(tmp_path, PASSPHRASE)
    with pytest.raises(VaultNotFound):
        VaultSession.recover(tmp_path, crypto_keys.new_recovery_key(), NEW_PASSPHRASE)
    assert not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("passphrase", ["", "short", "1234567"])
def test_a_too_short_passphrase_is_refused_and_nothing_is_created(
    data_dir: Path, passphrase: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        VaultSession.create(data_dir, passphrase, kdf=fast_kdf)
    assert_plain(str(refused.value))
    assert not database(data_dir).exists()


def test_a_too_long_passphrase_is_refused(data_dir: Path) -> None:
    with pytest.raises(InvalidInput):
        VaultSession.create(data_dir, "x" * 1025, kdf=fast_kdf)


# --- locking -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda v, s: StorytellerService(v).list(), id="list storytellers"),
        pytest.param(
            lambda v, s: StorytellerService(v).add("Rowan", author=FACILITATOR),
            id="add storyteller",
        ),
        pytest.param(lambda v, s: StorytellerService(v).get(s), id="get storyteller"),
        pytest.param(lambda v, s: ConsentService(v).current(s), id="current consent"),
        pytest.param(lambda v, s: TimelineService(v).events(s), id="timeline"),
        pytest.param(lambda v, s: v.info(), id="info"),
        pytest.param(lambda v, s: v.media_dir(s), id="media folder"),
        pytest.param(lambda v, s: v.device_signing_key(), id="signing key"),
        pytest.param(
            lambda v, s: v.change_passphrase(PASSPHRASE, NEW_PASSPHRASE, kdf=fast_kdf),
            id="change passphrase",
        ),
    ],
)
def test_every_call_after_lock_says_the_vault_is_locked(
    vault: VaultSession, storyteller_uuid: str, call: Callable[[VaultSession, str], object]
) -> None:
    vault.lock()
    with pytest.raises(VaultLocked) as refused:
        call(vault, storyteller_uuid)
    assert_plain(str(refused.value))


def test_lock_twice_is_harmless(vault: VaultSession) -> None:
    vault.lock()
    vault.lock()
    assert not vault.is_unlocked


# --- passphrase change and recovery ------------------------------------------------------


def test_change_passphrase_rewraps_only_the_vault_key(
    vault: VaultSession, storyteller_uuid: str, opened
) -> None:
    vault.lock()
    query = "SELECT pseudonym, birth_year, notes FROM storytellers WHERE uuid = ?"
    before = raw_rows(database(vault.data_dir), query, storyteller_uuid)
    keys_before = raw_rows(database(vault.data_dir), "SELECT * FROM storyteller_keys")

    session = VaultSession.unlock(vault.data_dir, PASSPHRASE)
    session.change_passphrase(PASSPHRASE, NEW_PASSPHRASE, kdf=fast_kdf)
    session.lock()

    with pytest.raises(WrongPassphrase):
        VaultSession.unlock(vault.data_dir, PASSPHRASE)
    again = opened(VaultSession.unlock(vault.data_dir, NEW_PASSPHRASE))
    assert StorytellerService(again).get(storyteller_uuid).pseudonym == "Juniper"
    again.lock()
    assert raw_rows(database(vault.data_dir), query, storyteller_uuid) == before
    assert raw_rows(database(vault.data_dir), "SELECT * FROM storyteller_keys") == keys_before


def test_change_passphrase_needs_the_current_one(vault: VaultSession, opened) -> None:
    with pytest.raises(WrongPassphrase):
        vault.change_passphrase("not the passphrase", NEW_PASSPHRASE, kdf=fast_kdf)
    with pytest.raises(InvalidInput):
        vault.change_passphrase(PASSPHRASE, "short", kdf=fast_kdf)
    vault.lock()
    opened(VaultSession.unlock(vault.data_dir, PASSPHRASE))


def test_recover_sets_a_new_passphrase(
    created_vault: tuple[VaultSession, str], storyteller_uuid: str, opened
) -> None:
    vault, recovery_key = created_vault
    vault.lock()

    recovered = VaultSession.recover(vault.data_dir, recovery_key, NEW_PASSPHRASE)
    assert StorytellerService(recovered).get(storyteller_uuid).pseudonym == "Juniper"
    recovered.lock()

    with pytest.raises(WrongPassphrase):
        VaultSession.unlock(vault.data_dir, PASSPHRASE)
    again = opened(VaultSession.unlock(vault.data_dir, NEW_PASSPHRASE))
    assert StorytellerService(again).get(storyteller_uuid).pseudonym == "Juniper"


def test_recovery_key_typed_lowercase_with_spaces_works_and_stays_valid(
    created_vault: tuple[VaultSession, str], opened
) -> None:
    vault, recovery_key = created_vault
    vault.lock()
    typed = recovery_key.lower().replace("-", " ")

    VaultSession.recover(vault.data_dir, typed, NEW_PASSPHRASE).lock()
    VaultSession.recover(vault.data_dir, recovery_key, "yet another passphrase").lock()
    opened(VaultSession.unlock(vault.data_dir, "yet another passphrase"))


@pytest.mark.parametrize(
    "wrong_key",
    [
        pytest.param(crypto_keys.new_recovery_key(), id="another vault's key"),
        pytest.param("hello", id="garbled"),
        pytest.param(PASSPHRASE, id="the passphrase"),
        pytest.param("", id="empty"),
    ],
)
def test_a_wrong_recovery_key_is_refused_and_changes_nothing(
    locked_vault: Path, wrong_key: str, opened
) -> None:
    before = file_hash(database(locked_vault))
    with pytest.raises(WrongPassphrase) as refused:
        VaultSession.recover(locked_vault, wrong_key, NEW_PASSPHRASE)
    assert_plain(str(refused.value))
    assert "recovery key" in str(refused.value)
    assert file_hash(database(locked_vault)) == before
    opened(VaultSession.unlock(locked_vault, PASSPHRASE))


def test_recover_refuses_a_too_short_new_passphrase(
    created_vault: tuple[VaultSession, str], opened
) -> None:
    vault, recovery_key = created_vault
    vault.lock()
    with pytest.raises(InvalidInput):
        VaultSession.recover(vault.data_dir, recovery_key, "short")
    opened(VaultSession.unlock(vault.data_dir, PASSPHRASE))


# --- a damaged or altered vault ----------------------------------------------------------


def _set_kdf(data_dir: Path, **changes: object) -> None:
    (value,) = raw_rows(database(data_dir), "SELECT value FROM vault_meta WHERE key = 'kdf'")[0]
    params = json.loads(bytes(value))
    params.update(changes)
    raw_execute(
        database(data_dir),
        "UPDATE vault_meta SET value = ? WHERE key = 'kdf'",
        json.dumps(params, sort_keys=True, separators=(",", ":")).encode(),
    )


def test_kdf_memory_tampered_out_of_bounds_is_damage(locked_vault: Path) -> None:
    _set_kdf(locked_vault, memory_kib=1)
    with pytest.raises(VaultDamaged) as refused:
        VaultSession.unlock(locked_vault, PASSPHRASE)
    assert_plain(str(refused.value))


def test_kdf_iterations_tampered_within_bounds_never_unlocks(locked_vault: Path) -> None:
    (value,) = raw_rows(database(locked_vault), "SELECT value FROM vault_meta WHERE key = 'kdf'")[0]
    assert json.loads(bytes(value))["iterations"] == 3
    _set_kdf(locked_vault, iterations=4)
    with pytest.raises((WrongPassphrase, VaultDamaged)):
        VaultSession.unlock(locked_vault, PASSPHRASE)


def test_kdf_reformatted_but_equal_never_unlocks(locked_vault: Path) -> None:
    """The stored text itself is bound in, not just the numbers it holds."""
    (value,) = raw_rows(database(locked_vault), "SELECT value FROM vault_meta WHERE key = 'kdf'")[0]
    raw_execute(
        database(locked_vault),
        "UPDATE vault_meta SET value = ? WHERE key = 'kdf'",
        json.dumps(json.loads(bytes(value)), indent=1).encode(),
    )
    with pytest.raises((WrongPassphrase, VaultDamaged)):
        VaultSession.unlock(locked_vault, PASSPHRASE)


def test_a_missing_header_entry_is_damage(locked_vault: Path) -> None:
    raw_execute(database(locked_vault), "DELETE FROM vault_meta WHERE key = 'recovery_salt'")
    with pytest.raises(VaultDamaged) as refused:
        VaultSession.unlock(locked_vault, PASSPHRASE)
    assert_plain(str(refused.value))


def test_a_truncated_database_is_damage_and_backups_are_untouched(locked_vault: Path) -> None:
    backups = locked_vault / migrate.BACKUPS_DIR
    backups.mkdir()
    backup = backups / "vault-0001-20260101-120000.sqlite"
    backup.write_bytes(database(locked_vault).read_bytes())
    backup_hash = file_hash(backup)

    size = database(locked_vault).stat().st_size
    os.truncate(database(locked_vault), size // 2)
    truncated_hash = file_hash(database(locked_vault))

    with pytest.raises(VaultDamaged) as refused:
        VaultSession.unlock(locked_vault, PASSPHRASE)
    assert_plain(str(refused.value))
    assert "damaged" in str(refused.value)

    assert file_hash(backup) == backup_hash
    assert [p.name for p in backups.iterdir()] == [backup.name]
    assert file_hash(database(locked_vault)) == truncated_hash


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(os.urandom(16384), id="random bytes"),
        pytest.param(b"this is not a database\n" * 200, id="text"),
    ],
)
def test_garbage_instead_of_a_database_is_damage(data_dir: Path, content: bytes) -> None:
    data_dir.mkdir()
    database(data_dir).write_bytes(content)
    with pytest.raises(VaultDamaged) as refused:
        VaultSession.unlock(data_dir, PASSPHRASE)
    assert_plain(str(refused.value))
    assert database(data_dir).read_bytes() == content


def test_a_sqlite_file_that_is_not_a_vault_is_damage(data_dir: Path) -> None:
    data_dir.mkdir()
    raw_execute(database(data_dir), "CREATE TABLE notes (text TEXT)")
    with pytest.raises(VaultDamaged) as refused:
        VaultSession.unlock(data_dir, PASSPHRASE)
    assert_plain(str(refused.value))


def test_a_data_folder_under_a_file_is_storage_unavailable(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "a file"
    not_a_folder.write_text("occupied")
    with pytest.raises(StorageUnavailable) as refused:
        VaultSession.create(not_a_folder / "vault", PASSPHRASE, kdf=fast_kdf)
    assert_plain(str(refused.value))
    assert not_a_folder.read_text() == "occupied"


def test_a_read_only_parent_folder_is_storage_unavailable(tmp_path: Path) -> None:
    parent = tmp_path / "read only"
    parent.mkdir()
    parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        if os.access(parent, os.W_OK):
            pytest.skip("this user can write into read-only folders (root)")
        with pytest.raises(StorageUnavailable) as refused:
            VaultSession.create(parent / "vault", PASSPHRASE, kdf=fast_kdf)
        assert_plain(str(refused.value))
    finally:
        parent.chmod(stat.S_IRWXU)


# --- info --------------------------------------------------------------------------------


def test_info_counts_without_showing_anything_personal(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    timeline = TimelineService(vault)
    kept = timeline.add_event(
        storyteller_uuid, title="Moved to Leeds", starts="2015", author=FACILITATOR
    )
    removed = timeline.add_event(
        storyteller_uuid, title="First job", starts="2016", author=FACILITATOR
    )
    timeline.remove_event(removed.uuid, author=FACILITATOR)
    other = StorytellerService(vault).add("Rowan", author=FACILITATOR)
    ConsentService(vault).record(
        other.uuid,
        items=[ConsentItem.TAKE_PART],
        how=ConsentHow.PAPER_FORM,
        given_on="2026-01-10",
        facilitator="Priya",
        author=FACILITATOR,
    )

    info = vault.info()

    assert info.counts["storytellers"] == 2
    assert info.counts["consent records"] == 2
    assert info.counts["timeline events"] == 1
    assert info.counts["visits"] == 0
    assert info.counts["photos"] == 0
    with vault.read() as session:
        operations = session.scalar(select(func.count()).select_from(OperationRow))
    assert info.counts["recorded changes"] == operations > 0
    assert info.tombstones == 0
    assert info.media_files == 0
    assert info.kdf_memory_mib == 19
    assert info.kdf_iterations == 3
    assert info.kdf_lanes == 4
    assert info.schema_revision == migrate.head_revision()
    assert info.database_bytes > 0
    assert info.vault_id == vault.vault_id
    shown = repr(info)
    for personal in ("Juniper", "Rowan", "Leeds", kept.uuid):
        assert personal not in shown


def test_check_passphrase_answers_without_changing_anything(vault: VaultSession) -> None:
    assert vault.check_passphrase(PASSPHRASE)
    assert not vault.check_passphrase("not the passphrase at all")
    assert vault.is_unlocked


def _folder_state(data_dir: Path) -> dict[str, str]:
    return {p.name: file_hash(p) for p in sorted(data_dir.iterdir()) if p.is_file()}


@pytest.mark.parametrize("damage", ["empty file", "first page zeroed", "magic overwritten"])
def test_a_vault_file_that_fails_its_checks_is_never_written(
    locked_vault: Path, damage: str
) -> None:
    """A 0-byte vault.sqlite was turned into a new, empty WAL database while the message said
    "Nothing was changed"; now no byte of the folder changes, and no file is added."""
    path = database(locked_vault)
    data = path.read_bytes()
    if damage == "empty file":
        path.write_bytes(b"")
    elif damage == "first page zeroed":
        path.write_bytes(bytes(4096) + data[4096:])
    else:
        path.write_bytes(b"SQLite format 2\x00" + data[16:])
    before = _folder_state(locked_vault)
    with pytest.raises(VaultDamaged) as refused:
        VaultSession.unlock(locked_vault, PASSPHRASE)
    assert_plain(str(refused.value))
    assert "Nothing was changed" in str(refused.value)
    after = {name: digest for name, digest in _folder_state(locked_vault).items()}
    after.pop(".lock", None)
    before.pop(".lock", None)
    assert after == before


def test_making_a_vault_derives_the_passphrase_key_once(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It derived it twice (once to wrap the vault key, once more to unwrap it): 0.7 s lost at
    the first run of every installation."""
    from storycapture import crypto

    calls: list[object] = []
    real = crypto.derive_key

    def counted(*args: object, **kwargs: object) -> bytes:
        calls.append(args)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(crypto, "derive_key", counted)
    vault, _recovery = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    vault.lock()
    assert len(calls) == 1
    VaultSession.unlock(data_dir, PASSPHRASE).lock()  # and the key it made opens the vault


def test_the_practice_vault_uses_the_lightest_key_derivation(tmp_path: Path) -> None:
    """Its passphrase is printed for all to read: a costly derivation protected nothing and
    made the practice vault take seconds to make and to open."""
    from storycapture.demo import create_demo_vault, practice_kdf
    from storycapture.paths import resources_dir

    vault, _recovery = create_demo_vault(
        tmp_path / "practice", resources_dir() / "demo" / "demo-vault.json"
    )
    try:
        used, lightest = vault.kdf_params(), practice_kdf()
        assert (used.memory_kib, used.iterations, used.lanes) == (
            lightest.memory_kib,
            lightest.iterations,
            lightest.lanes,
        )
    finally:
        vault.lock()

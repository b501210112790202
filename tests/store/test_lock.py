"""The single-writer lock on a vault folder, within one process and across processes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from storycapture.domain.errors import StorageUnavailable, VaultInUse
from storycapture.store.lock import VaultDirectoryLock

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from storycapture.store.lock import VaultDirectoryLock

    lock = VaultDirectoryLock(Path(sys.argv[1]))
    lock.acquire()
    print("locked", flush=True)
    time.sleep(60)
    """
)


@pytest.fixture
def locks() -> Iterator[list[VaultDirectoryLock]]:
    """Every lock a test makes is released at the end, whatever happens."""
    made: list[VaultDirectoryLock] = []
    yield made
    for lock in made:
        lock.release()


def new_lock(folder: Path, locks: list[VaultDirectoryLock]) -> VaultDirectoryLock:
    lock = VaultDirectoryLock(folder)
    locks.append(lock)
    return lock


def test_a_second_lock_on_the_same_folder_is_refused(tmp_path: Path, locks) -> None:
    first = new_lock(tmp_path, locks)
    first.acquire()
    assert first.held

    second = new_lock(tmp_path, locks)
    with pytest.raises(VaultInUse) as refused:
        second.acquire()
    message = str(refused.value)
    assert message.endswith(".") and "Error" not in message and "errno" not in message
    assert not second.held
    assert first.held


def test_locks_on_different_folders_do_not_conflict(tmp_path: Path, locks) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    new_lock(tmp_path / "one", locks).acquire()
    new_lock(tmp_path / "two", locks).acquire()


def test_a_released_lock_can_be_taken_again(tmp_path: Path, locks) -> None:
    first = new_lock(tmp_path, locks)
    first.acquire()
    first.release()
    assert not first.held

    second = new_lock(tmp_path, locks)
    second.acquire()
    assert second.held
    second.release()
    first.acquire()
    assert first.held


def test_release_without_acquire_is_harmless(tmp_path: Path) -> None:
    lock = VaultDirectoryLock(tmp_path)
    lock.release()
    lock.release()
    assert not lock.held


def test_a_lock_in_a_folder_that_does_not_exist_is_storage_unavailable(tmp_path: Path) -> None:
    with pytest.raises(StorageUnavailable):
        VaultDirectoryLock(tmp_path / "missing").acquire()


def test_a_lock_held_by_another_process_blocks_until_it_ends(tmp_path: Path, locks) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        assert line == "locked", child.stderr.read() if child.stderr else ""

        with pytest.raises(VaultInUse):
            new_lock(tmp_path, locks).acquire()
    finally:
        child.kill()
        child.wait(timeout=10)

    # The operating system released the lock when the process ended, however it ended.
    after = new_lock(tmp_path, locks)
    after.acquire()
    assert after.held

"""One writer per vault: an exclusive, non-blocking lock on a file in the vault folder.

The operating system releases the lock when the process ends, however it ends, so a crash
never leaves a vault that cannot be opened again.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from storycapture.domain.errors import StorageUnavailable, VaultInUse

LOCK_NAME = "vault.lock"


class VaultDirectoryLock:
    def __init__(self, data_dir: Path) -> None:
        self._path = data_dir / LOCK_NAME
        self._handle: IO[bytes] | None = None

    def acquire(self) -> None:
        try:
            handle = open(self._path, "a+b")  # noqa: SIM115 - held open for the lock's lifetime
        except OSError as error:
            raise StorageUnavailable(
                f"StoryCapture cannot write in its data folder ({error.strerror})."
            ) from error
        try:
            _lock_exclusive(handle)
        except OSError as error:
            handle.close()
            raise VaultInUse(
                "This vault is already open in another StoryCapture window or command; "
                "close that one first."
            ) from error
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            _unlock(self._handle)
            self._handle.close()
            self._handle = None

    @property
    def held(self) -> bool:
        return self._handle is not None


if sys.platform == "win32":  # pragma: no cover - exercised on Windows builds only
    import msvcrt

    def _lock_exclusive(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock_exclusive(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

"""Opening a vault the way both faces of the app do: unlock, then finish interrupted work."""

from __future__ import annotations

import shutil
from pathlib import Path

from storycapture.services.consent import finish_interrupted_erasures
from storycapture.services.media import remove_partial_media
from storycapture.services.vault import INCOMING_DIR, MEDIA_DIR, VaultSession


def open_vault(data_dir: Path, passphrase: str, *, check_file_now: bool = True) -> VaultSession:
    """Unlock and tidy up. The window passes ``check_file_now=False`` and runs
    ``vault.file_problem()`` once the first screen is up (see ``VaultSession.unlock``)."""
    vault = VaultSession.unlock(data_dir, passphrase, check_file_now=check_file_now)
    try:
        tidy_after_unlock(vault)
    except BaseException:
        vault.lock()
        raise
    return vault


def tidy_after_unlock(vault: VaultSession) -> None:
    remove_partial_media(vault.data_dir / MEDIA_DIR)
    # An import a crash interrupted leaves its staged photos (encrypted); it changed nothing.
    shutil.rmtree(vault.data_dir / INCOMING_DIR, ignore_errors=True)
    finish_interrupted_erasures(vault)

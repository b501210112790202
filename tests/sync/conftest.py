"""What the sync tests share."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from storycapture.services.vault import VaultSession
from tests.conftest import PASSPHRASE
from tests.sync.merge_fixture import HUB


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[VaultSession]:
    """The merge fixture's hub, before its bundle (a copy, so the fixture stays as it is)."""
    shutil.copytree(HUB, tmp_path / "hub")
    vault = VaultSession.unlock(tmp_path / "hub", PASSPHRASE)
    yield vault
    vault.lock()

"""A bundle's photos: staged as ciphertext while the bundle is checked, then placed in their
storyteller's folder once the merge is committed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid as uuid_module
from collections.abc import Iterator
from pathlib import Path

from storycapture.crypto import keys
from storycapture.services.vault import INCOMING_DIR, MEDIA_DIR, VaultSession
from storycapture.store import models
from storycapture.sync.bundle import OpenedBundle


class MediaStager:
    """Chooses whom each incoming photo is encrypted to while it streams in: the storyteller's
    own age key here, or a new one made now for a storyteller arriving for the first time."""

    def __init__(self, vault: VaultSession) -> None:
        self._vault = vault
        self.pending_identities: dict[str, str] = {}

    def __call__(self, storyteller_uuid: str, photo_uuid: str) -> str | None:
        vault = self._vault
        if (vault.media_dir(storyteller_uuid) / f"{photo_uuid}.age").exists():
            return None  # already here (photo files never change)
        with vault.read() as session:
            if session.get(models.TombstoneRow, storyteller_uuid) is not None:
                return None
            if session.get(models.StorytellerKeyRow, storyteller_uuid) is not None:
                return vault.storyteller_age_keys(session, storyteller_uuid)[1]
        identity = self.pending_identities.get(storyteller_uuid)
        if identity is None:
            identity = keys.new_age_identity()
            self.pending_identities[storyteller_uuid] = identity
        return keys.age_recipient(identity)


@contextlib.contextmanager
def staging_folder(vault: VaultSession) -> Iterator[Path]:
    """A folder of its own under ``incoming/`` for one bundle's photos, removed afterwards
    (whatever happens; one that a crash leaves is removed at the next unlock)."""
    staging = vault.data_dir / INCOMING_DIR / uuid_module.uuid4().hex
    staging.mkdir(parents=True, exist_ok=False)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            staging.parent.rmdir()


def place_media(
    vault: VaultSession, opened: OpenedBundle, erased: set[str], placed: list[Path]
) -> None:
    for (storyteller_uuid, photo_uuid), staged in opened.media.items():
        if storyteller_uuid in erased:
            continue
        folder = vault.data_dir / MEDIA_DIR / storyteller_uuid
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{photo_uuid}.age"
        os.replace(staged, target)
        placed.append(target)

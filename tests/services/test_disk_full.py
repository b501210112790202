"""A full disk: the change that did not fit is refused in plain words; nothing before it is lost."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from storycapture.domain.errors import StorageUnavailable
from storycapture.services.media import PhotoService
from storycapture.services.story import StoryWordsService
from storycapture.services.vault import VaultSession
from storycapture.store.models import OperationRow
from tests.conftest import FACILITATOR


def _operations(vault: VaultSession) -> int:
    with vault.read() as session:
        return session.scalar(select(func.count()).select_from(OperationRow)) or 0


def _fill_disk(vault: VaultSession) -> Any:
    """Make SQLite report SQLITE_FULL once the file grows past its current size."""
    engine = vault.engine
    with engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar()

    def limit(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {int(pages) + 60}")

    event.listen(engine, "connect", limit)
    engine.dispose()
    return limit


def test_a_change_that_does_not_fit_is_refused_and_the_rest_is_kept(
    vault: VaultSession, storyteller_uuid: str
) -> None:
    words = StoryWordsService(vault)
    kept = words.add_quote(storyteller_uuid, "Written before the disk filled.", author=FACILITATOR)
    limit = _fill_disk(vault)
    before = _operations(vault)
    with pytest.raises(StorageUnavailable) as raised:
        for n in range(200):
            words.add_note(storyteller_uuid, f"note {n} " + "x" * 15_000, author=FACILITATOR)
    message = str(raised.value)
    assert "disk is full" in message and "safe" in message
    assert "\n" not in message
    # Every note that was reported saved is there; the one that failed left nothing behind.
    saved_notes = words.notes(storyteller_uuid)
    assert saved_notes, "the limit should let a few notes in before the disk fills"
    fields_per_note = 4  # text, visibility, visit, deleted
    assert _operations(vault) == before + fields_per_note * len(saved_notes)
    assert [q.text for q in words.quotes(storyteller_uuid)] == [kept.text]

    event.remove(vault.engine, "connect", limit)
    vault.engine.dispose()
    words.add_note(storyteller_uuid, "Space again.", author=FACILITATOR)
    assert words.notes(storyteller_uuid)[-1].text == "Space again."
    with vault.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"


def test_a_photo_that_does_not_fit_leaves_no_file_and_no_row(
    vault: VaultSession, storyteller_uuid: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    photo = tmp_path / "garden.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + b"petals" * 50_000)

    def disk_full(source: Any, target: Any, recipients: list[str]) -> None:
        target.write(b"age-encryption.org/v1\n partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("storycapture.services.media.encrypt_stream", disk_full)
    photos = PhotoService(vault)
    with pytest.raises(StorageUnavailable, match="disk is full"):
        photos.add(storyteller_uuid, photo, author=FACILITATOR)
    assert photos.list(storyteller_uuid) == []
    assert list(vault.media_dir(storyteller_uuid).iterdir()) == []

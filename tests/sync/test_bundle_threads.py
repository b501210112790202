"""The helper threads of bundles: large members are hashed, and large staged photos written and
synced, on threads of their own. Whatever fails (a full disk on the writing thread, a sync,
damage, Ctrl+C) comes out as raised, leaves nothing staged or written, and no thread behind."""

from __future__ import annotations

import errno
import hashlib
import io
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storycapture.crypto import agefile
from storycapture.sync import archive, bundle
from storycapture.sync.archive import BACKGROUND_BYTES, HashingThread, WritingThread
from storycapture.sync.bundle import BundleRefused
from storycapture.sync.bundle import read as bundle_read
from tests.sync.test_bundle_format import (
    PHOTO_A,
    PHOTO_B,
    STORYTELLER,
    Party,
    media_item,
    new_party,
    read,
    write,
)

# hashed and staged on helper threads: a JPEG and a PNG by their first bytes, then noise
BIG_A = b"\xff\xd8\xff\xe0" + os.urandom(BACKGROUND_BYTES * 5 // 2 - 4)
BIG_B = b"\x89PNG\r\n\x1a\n" + os.urandom(BACKGROUND_BYTES - 8)  # exactly at the line


@pytest.fixture
def sender() -> Party:
    return new_party()


@pytest.fixture
def receiver() -> Party:
    return new_party()


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    path = tmp_path / "staging"
    path.mkdir()
    return path


@pytest.fixture(autouse=True)
def no_thread_left_behind() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    left = [t for t in threading.enumerate() if t not in before and t.name in ("sha256", "writer")]
    assert left == []


def big_bundle(sender: Party, receiver: Party, directory: Path) -> bundle.WrittenBundle:
    media = [media_item(STORYTELLER, PHOTO_A, BIG_A), media_item(STORYTELLER, PHOTO_B, BIG_B)]
    return write(sender, directory, [receiver.recipient], media=media)


def test_large_photos_round_trip_with_their_hashes(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    written = big_bundle(sender, receiver, tmp_path)
    digests = {e.name: e.sha256 for e in written.manifest.entries}
    assert digests[f"media/{STORYTELLER}/{PHOTO_A}"] == hashlib.sha256(BIG_A).hexdigest()
    assert digests[f"media/{STORYTELLER}/{PHOTO_B}"] == hashlib.sha256(BIG_B).hexdigest()
    opened = read(written.path, receiver, staging)
    for photo, data in ((PHOTO_A, BIG_A), (PHOTO_B, BIG_B)):
        staged = opened.media[(STORYTELLER, photo)]
        assert staged.name == f"{photo}.age"
        assert agefile.decrypt_bytes(staged.read_bytes(), [receiver.identity]) == data
    assert sorted(p.name for p in staging.iterdir()) == sorted([f"{PHOTO_A}.age", f"{PHOTO_B}.age"])


def failing_after(calls: int, error: BaseException) -> Any:
    """``archive.write_all`` (what the writing thread calls) failing from call ``calls`` on."""
    real = archive.write_all
    count = [0]

    def write_all(target: Any, data: bytes) -> None:
        count[0] += 1
        if count[0] >= calls:
            raise error
        real(target, data)

    return write_all


def test_a_full_disk_on_the_staging_thread_passes_as_raised_and_leaves_nothing(
    sender: Party,
    receiver: Party,
    tmp_path: Path,
    staging: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written = big_bundle(sender, receiver, tmp_path)
    full = OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(archive, "write_all", failing_after(2, full))
    with pytest.raises(OSError) as raised:
        read(written.path, receiver, staging)
    assert raised.value is full
    assert list(staging.iterdir()) == []


def test_a_failed_sync_of_a_staged_photo_leaves_nothing(
    sender: Party,
    receiver: Party,
    tmp_path: Path,
    staging: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    written = big_bundle(sender, receiver, tmp_path)
    broken = OSError(errno.EIO, "Input/output error")

    def fsync(descriptor: int) -> None:
        raise broken

    monkeypatch.setattr(bundle_read.os, "fsync", fsync)
    with pytest.raises(OSError) as raised:
        read(written.path, receiver, staging)
    assert raised.value is broken
    assert list(staging.iterdir()) == []


@pytest.mark.parametrize("where", ["second photo", "last byte"])
def test_damage_after_a_large_photo_was_staged_leaves_nothing(
    where: str, sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    written = big_bundle(sender, receiver, tmp_path)
    data = bytearray(written.path.read_bytes())
    at = len(data) - 1 if where == "last byte" else len(data) - len(BIG_B) // 2
    data[at] ^= 1
    written.path.write_bytes(bytes(data))
    with pytest.raises(BundleRefused) as raised:
        read(written.path, receiver, staging)
    assert raised.value.reason == "damaged"
    assert list(staging.iterdir()) == []


def test_ctrl_c_after_a_large_photo_was_staged_leaves_nothing(
    sender: Party, receiver: Party, tmp_path: Path, staging: Path
) -> None:
    written = big_bundle(sender, receiver, tmp_path)

    def stage(storyteller: str, photo: str) -> str:
        if photo == PHOTO_B:
            raise KeyboardInterrupt
        return receiver.recipient

    with pytest.raises(KeyboardInterrupt):
        read(written.path, receiver, staging, stage=stage)
    assert list(staging.iterdir()) == []


def test_a_full_disk_while_writing_a_bundle_leaves_no_file(
    sender: Party, receiver: Party, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(archive, "write_all", failing_after(2, full))
    with pytest.raises(OSError) as raised:
        big_bundle(sender, receiver, tmp_path)
    assert raised.value is full
    assert list(tmp_path.iterdir()) == []


# --- the threads themselves ---------------------------------------------------------------


def test_the_hashing_thread_hashes_in_order_for_each_hasher() -> None:
    pieces = [os.urandom(n) for n in (1, 70_000, 5, 1_500_000, 300_000, 0, 65_536)]
    thread = HashingThread(max_pending=2)
    try:
        first, second = thread.sha256(), thread.sha256()
        for piece in pieces:
            first.update(piece)
            second.update(piece[::-1])
        assert first.hexdigest() == hashlib.sha256(b"".join(pieces)).hexdigest()
        expected = hashlib.sha256(b"".join(p[::-1] for p in pieces)).hexdigest()
        assert second.hexdigest() == expected
    finally:
        thread.close()
    with pytest.raises(ValueError):
        thread.sha256().hexdigest()


class Sink:
    def __init__(self, fail_at: int | None = None) -> None:
        self.out = io.BytesIO()
        self.calls = 0
        self.fail_at = fail_at
        self.error = OSError(errno.ENOSPC, "No space left on device")

    def write(self, data: bytes) -> int:
        self.calls += 1
        if self.fail_at is not None and self.calls >= self.fail_at:
            raise self.error
        return self.out.write(data)


def test_the_writing_thread_writes_everything_in_order_then_finishes() -> None:
    sink = Sink()
    done: list[bytes] = []
    thread = WritingThread(sink, max_pending=1)
    pieces = [os.urandom(n) for n in (10, 700_000, 1, 2_000_000, 65_552)]
    for piece in pieces:
        thread.write(piece)
    thread.write(bytearray(b"tail"))  # a buffer is copied, not kept
    thread.close(then=lambda: done.append(sink.out.getvalue()))
    thread.wait()
    assert done == [b"".join(pieces) + b"tail"]
    with pytest.raises(ValueError):
        thread.write(b"more")


def test_the_writing_thread_raises_the_target_s_error_and_skips_the_rest() -> None:
    sink = Sink(fail_at=2)
    done: list[int] = []
    thread = WritingThread(sink, max_pending=1)
    with pytest.raises(OSError) as raised:
        for _ in range(20):
            thread.write(bytes(600_000))
    assert raised.value is sink.error
    with pytest.raises(OSError):
        thread.close(then=lambda: done.append(1))
        thread.wait()
    assert done == [] and sink.calls == 2


def test_an_aborted_writing_thread_stops() -> None:
    sink = Sink()
    thread = WritingThread(sink)
    thread.write(bytes(3_000_000))
    thread.abort()
    thread.abort()
    with pytest.raises(ValueError):
        thread.write(b"x")
    assert len(sink.out.getvalue()) <= 3_000_000

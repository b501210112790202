"""An import pauses Python's cycle collector while it reads and merges a bundle (its many
objects are not garbage before it ends) and always turns it on again: after an import, a
refused bundle, or an error."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from storycapture.services.vault import VaultSession
from storycapture.sync.importing import import_bundles, merge
from tests.sync.merge_fixture import BUNDLE


def _watching(monkeypatch: pytest.MonkeyPatch, fail: BaseException | None = None) -> list[bool]:
    """Whether the collector was on as each merge ran."""
    seen: list[bool] = []
    real_run = merge.Merge.run

    def run(self: merge.Merge, operations: Any) -> None:
        seen.append(gc.isenabled())
        if fail is not None:
            raise fail
        real_run(self, operations)

    monkeypatch.setattr(merge.Merge, "run", run)
    return seen


def test_the_collector_is_paused_during_the_merge_and_on_again_after(
    hub: VaultSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _watching(monkeypatch)
    report = import_bundles(hub, [BUNDLE])
    assert not report.refused, report.lines()
    assert seen == [False] and gc.isenabled()


def test_the_collector_is_on_again_after_a_refused_bundle(
    hub: VaultSession, tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged.scb"
    data = bytearray(BUNDLE.read_bytes())
    data[-100] ^= 0xFF
    damaged.write_bytes(bytes(data))
    report = import_bundles(hub, [damaged])
    assert report.refused and gc.isenabled()


def test_the_collector_is_on_again_after_an_error(
    hub: VaultSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    _watching(monkeypatch, fail=RuntimeError("not a bundle's fault"))
    with pytest.raises(RuntimeError):
        import_bundles(hub, [BUNDLE])
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off(
    hub: VaultSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _watching(monkeypatch)
    gc.disable()
    try:
        import_bundles(hub, [BUNDLE])
        assert seen == [False] and not gc.isenabled()
    finally:
        gc.enable()

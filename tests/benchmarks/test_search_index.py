"""Search index after unlock, on a vault of 500 storytellers × 200 timeline events.

Compares, interleaved (peer, ours, peer, ours …, at least 5 samples each, keys unwrapped
afresh before each sample):

- the peer (baseline): the per-storyteller build, ``SearchIndex.add_storyteller`` for every
  storyteller in turn (``records.get`` / ``records.find``: ORM rows, every sealed field opened),
  which the window used to run one storyteller per turn of its event loop;
- ours: the batched build, ``SearchIndex.add_all`` (one query per kind for 50 storytellers at
  a time, plain rows, each row's seal checked and only its searchable fields opened), which the
  window runs on a thread of its own.

Also measured, in the real window (offscreen): the wall time from Unlock (the real, calibrated
key derivation included) until the stories are shown, and until search is ready.

Nothing is asserted about time. The vault is built once and kept between runs (see
``cached_vault``; the first build takes a few minutes). Run it with::

    .venv/bin/python -m pytest tests/benchmarks/test_search_index.py \\
        -s -p no:cacheprovider -o addopts=""

``BENCH_STORYTELLERS=50`` (say) uses a smaller vault for a quick try of the benchmark itself.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from storycapture import crypto
from storycapture.gui.settings import AppSettings
from storycapture.gui.window import MainWindow
from storycapture.services import records
from storycapture.services.kinds import STORYTELLER
from storycapture.services.opening import open_vault
from storycapture.services.search import SearchIndex
from storycapture.services.vault import VaultSession
from tests.benchmarks._support import (
    PASSPHRASE,
    BuiltVault,
    Samples,
    cached_vault,
    interleave,
    print_samples,
)

STORYTELLERS = int(os.environ.get("BENCH_STORYTELLERS", "500"))
EVENTS_EACH = 200
SAMPLES = 5


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltVault]:
    data_dir = tmp_path_factory.mktemp("search-index") / "vault"
    built = cached_vault(data_dir, STORYTELLERS, EVENTS_EACH, kdf=crypto.calibrate)
    yield built
    shutil.rmtree(data_dir, ignore_errors=True)


def _one_by_one(vault: VaultSession, people: list[str]) -> SearchIndex:
    index = SearchIndex()
    for person in people:
        index.add_storyteller(vault, person)
    return index


def _batched(vault: VaultSession, people: list[str]) -> SearchIndex:
    index = SearchIndex()
    index.add_all(vault, people)
    return index


def test_batched_build_against_one_storyteller_at_a_time(built: BuiltVault) -> None:
    vault = open_vault(built.data_dir, PASSPHRASE, check_file_now=False)
    try:
        with vault.read() as session:
            people = sorted(records.uuids(session, STORYTELLER))
        # The same index either way (not a timing): every storyteller, every event.
        peer, ours = _one_by_one(vault, people), _batched(vault, people)
        assert ours._entries == peer._entries
        assert len(ours) == STORYTELLERS * (EVENTS_EACH + 1)
        peer.clear()
        ours.clear()

        def keys_afresh(_label: str) -> None:
            for person in people:
                vault.forget_storyteller_key(person)

        results = interleave(
            {
                "peer: add_storyteller for each": lambda: _one_by_one(vault, people),
                "ours: add_all, batched": lambda: _batched(vault, people),
            },
            samples=SAMPLES,
            setup=keys_afresh,
        )
    finally:
        vault.lock()
    events = STORYTELLERS * EVENTS_EACH
    baseline, batched = results.values()
    print(f"\n\nSEARCH INDEX — {STORYTELLERS} storytellers × {EVENTS_EACH} events ({events:,})")
    print_samples("Building the whole index", [baseline, batched], baseline)
    print(
        f"per event: peer {baseline.median / events * 1e6:.1f} µs, "
        f"ours {batched.median / events * 1e6:.1f} µs"
    )


def _unlock_in_window(qtbot: QtBot, data_dir: Path, tmp: Path) -> tuple[float, float]:
    """Seconds from Unlock to the stories shown, and until search is ready."""
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(data_dir, settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitUntil(lambda: window._built)
    started = time.perf_counter()
    window.unlock_vault(PASSPHRASE)
    QApplication.processEvents()
    shown = time.perf_counter() - started
    assert window.stories is not None
    # Waiting in an event loop, as the app does (polling would take the build's thread turns).
    with qtbot.waitSignal(window.index_builder.built, timeout=600_000):
        pass
    ready = time.perf_counter() - started
    assert window.search_ready
    assert window.search_index is not None and len(window.search_index) > 0
    window.close()
    return shown, ready


def test_unlock_in_the_window_until_search_is_ready(
    qtbot: QtBot, built: BuiltVault, tmp_path: Path
) -> None:
    shown: list[float] = []
    ready: list[float] = []
    loads: list[float] = []
    for _ in range(SAMPLES):
        one, two = _unlock_in_window(qtbot, built.data_dir, tmp_path)
        shown.append(one)
        ready.append(two)
        loads.append(os.getloadavg()[0])
    load = sorted(loads)[len(loads) // 2]
    stories = Samples("window: Unlock → stories shown", tuple(shown), load)
    searchable = Samples("window: Unlock → search ready", tuple(ready), load)
    print_samples(
        f"Unlock in the window ({STORYTELLERS} × {EVENTS_EACH}, calibrated key derivation)",
        [stories, searchable],
        stories,
    )
    after = tuple(r - s for r, s in zip(ready, shown, strict=True))
    building = Samples("window: stories shown → search ready", after, load)
    print_samples(
        "The index built on its thread, after the stories are shown", [building], building
    )

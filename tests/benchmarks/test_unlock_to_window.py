"""Unlock to main window: from pressing Unlock to the stories on screen.

Measured in the real window (offscreen) for the demo vault and for a vault of 500 storytellers
× 200 events, both with the real, calibrated key derivation; key derivation alone is timed in
the same run as the baseline, so the ratio says what the window adds on top of it. Nothing is
asserted about time. Run on purpose::

    .venv/bin/python -m pytest tests/benchmarks/test_unlock_to_window.py -s -o addopts=""

``BENCH_STORYTELLERS=50`` builds a smaller large vault for a quick try.
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
from storycapture.demo import DEMO_PASSPHRASE, create_demo_vault
from storycapture.gui.settings import AppSettings
from storycapture.gui.window import MainWindow
from storycapture.paths import resources_dir
from storycapture.services.vault import VaultSession
from tests.benchmarks._support import (
    PASSPHRASE,
    cached_vault,
    machine_note,
    print_table,
    stats_row,
)

STORYTELLERS = int(os.environ.get("BENCH_STORYTELLERS", "500"))
REPEATS = 5


@pytest.fixture(scope="module")
def vaults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, str]]]:
    root = tmp_path_factory.mktemp("to-window")
    demo, _ = create_demo_vault(
        root / "demo", resources_dir() / "demo" / "demo-vault.json", kdf=crypto.calibrate
    )
    demo.lock()
    big = cached_vault(root / "big", STORYTELLERS, 200, kdf=crypto.calibrate)
    yield {
        "demo vault (6 storytellers)": (root / "demo", DEMO_PASSPHRASE),
        f"{STORYTELLERS} storytellers × 200 events": (big.data_dir, PASSPHRASE),
    }
    shutil.rmtree(root, ignore_errors=True)


def _unlock_once(qtbot: QtBot, data_dir: Path, passphrase: str, tmp: Path) -> tuple[float, float]:
    """Seconds from Unlock to the stories shown, and seconds until search is ready too."""
    settings = AppSettings(QSettings(str(tmp / "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(data_dir, settings)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    QApplication.processEvents()
    started = time.perf_counter()
    window.unlock_vault(passphrase)
    QApplication.processEvents()
    shown = time.perf_counter() - started
    assert window.stories is not None
    qtbot.waitUntil(lambda: window.search_ready, timeout=600_000)
    searchable = time.perf_counter() - started
    window.lock()
    window.close()
    return shown, searchable


def test_unlock_to_main_window(
    qtbot: QtBot, vaults: dict[str, tuple[Path, str]], tmp_path: Path
) -> None:
    rows = []
    for label, (data_dir, passphrase) in vaults.items():
        params = None
        derivation: list[float] = []
        shown: list[float] = []
        searchable: list[float] = []
        for _ in range(REPEATS):
            one, two = _unlock_once(qtbot, data_dir, passphrase, tmp_path)
            shown.append(one)
            searchable.append(two)
            if params is None:
                probe = VaultSession.unlock(data_dir, passphrase)
                params = probe.kdf_params()
                probe.lock()
            started = time.perf_counter()
            crypto.derive_key(passphrase, params)
            derivation.append(time.perf_counter() - started)
        rows += [
            stats_row(f"{label}: key derivation alone", derivation, "baseline"),
            stats_row(f"{label}: Unlock → stories shown", shown),
            stats_row(f"{label}: Unlock → search ready", searchable, "built on a thread"),
        ]
    print_table(
        "UNLOCK TO MAIN WINDOW (offscreen, 1366×768)\n" + machine_note(),
        ["measurement", "min", "median", "n", "note"],
        rows,
    )

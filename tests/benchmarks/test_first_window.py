"""Process start to first window on screen: StoryCapture against a bare PySide6 window.

Each sample starts a fresh Python process and waits for the line it prints once its window
has been shown and painted; the bare window is measured in the same run, alternating with
the app, and the ratio of medians is reported (aim: 1.5× or less).

StoryCapture's first window is the unlock page of an existing vault (what a facilitator sees
every visit). Nothing is asserted about time. Run on purpose::

    .venv/bin/python -m pytest tests/benchmarks/test_first_window.py -s -o addopts=""
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from storycapture.services.vault import VaultSession
from tests.benchmarks._support import PASSPHRASE, fast_kdf, machine_note, print_table, stats_row

ROUNDS = 9

# After show(), one processEvents() delivers the expose and paints the window (the update
# request is a posted event); the line is printed then. No Python event filter is used: PySide
# would build wrapper types and enums for every kind of event it passes to Python, which
# measures the harness, not the window.
BARE = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
window = QLabel("Hello")
window.resize(1280, 800)
window.show()
app.processEvents()
print("shown", flush=True)
"""

APP = """
import sys
from pathlib import Path
from storycapture.gui.app import application, make_window
app = application()
window = make_window(Path(sys.argv[1]))
window.show()
app.processEvents()
print("shown", flush=True)
assert "sqlalchemy" not in sys.modules, "the first window waited for SQLAlchemy"
"""


def _sample(code: str, *args: str, env: dict[str, str]) -> float:
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    line = child.stdout.readline()
    elapsed = time.perf_counter() - started
    assert child.wait(timeout=60) == 0 and line.strip() == "shown"
    return elapsed


def test_first_window(tmp_path: Path) -> None:
    data_dir = tmp_path / "vault"
    vault, _ = VaultSession.create(data_dir, PASSPHRASE, kdf=fast_kdf)
    vault.lock()
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        # Keep the benchmark's settings out of the real ones.
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "HOME": str(tmp_path),
    }
    bare: list[float] = []
    app: list[float] = []
    _sample(BARE, env=env)  # warm the file cache for both
    _sample(APP, str(data_dir), env=env)
    for _ in range(ROUNDS):
        bare.append(_sample(BARE, env=env))
        app.append(_sample(APP, str(data_dir), env=env))
    ratio = statistics.median(app) / statistics.median(bare)
    print_table(
        f"FIRST WINDOW — process start to window shown, {ROUNDS} rounds alternating\n"
        + machine_note(),
        ["measurement", "min", "median", "n", "note"],
        [
            stats_row("bare PySide6 window", bare, "baseline"),
            stats_row("StoryCapture unlock window", app, f"ratio of medians {ratio:.2f}×"),
        ],
    )

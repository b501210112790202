"""Unlock, split into key derivation and loading, for a vault of 500 storytellers × 200 events.

What it measures (on one vault built once per run, with the real, calibrated key-derivation
settings: 256 MiB of Argon2id, calibrated here towards 0.75 s, at least 3 iterations):

(a) key derivation alone: ``crypto.derive_key`` with the vault's stored parameters;
(b) the whole ``open_vault`` (derivation, header, integrity check, migrations check, tidy-up);
(c) loading = (b) − (a), paired per repetition; and, since a derivation alone varies by
    ±0.2 s from call to call, also (b) minus the derivation timed inside that same call;
(d) the first screen after unlock: ``StorytellerService.list()`` of 500 storytellers and
    ``TimelineService.events()`` of one storyteller's 200 events, cold (straight after the
    unlock, storyteller keys not yet unwrapped) and warm (the same calls again);
(e) decrypting everything: ``TimelineService.events()`` of all 500 storytellers (100,000 events).

Baseline, in the same run: a bare ``sqlite3`` open + ``PRAGMA quick_check`` + ``SELECT count(*)``
of the same file; the ratio loading / bare tells what the app adds on top of SQLite's own check.
Also printed: the vault file size and what takes the space, and where loading time goes.

Nothing is asserted about time. Building the vault takes 2–4 minutes (100,000 events written
through ``records.insert``, one transaction per storyteller; only while building, the engine
skips fsync). The whole benchmark takes about 3–5 minutes. Run it with::

    .venv/bin/python -m pytest tests/benchmarks/test_unlock.py \
        -s -p no:cacheprovider -o addopts=""

``BENCH_STORYTELLERS=50`` (say) builds a smaller vault for a quick try of the benchmark itself.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from storycapture import crypto
from storycapture.services import opening
from storycapture.services import vault as vault_module
from storycapture.services.opening import open_vault
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.store import migrate
from storycapture.timeline.service import TimelineService
from tests.benchmarks._support import (
    PASSPHRASE,
    BuiltVault,
    cached_vault,
    fmt_mib,
    fmt_seconds,
    machine_note,
    print_table,
    stats_row,
    timed,
)

STORYTELLERS = int(os.environ.get("BENCH_STORYTELLERS", "500"))
EVENTS_EACH = 200
REPEATS = 5  # unlock and first screen
FULL_READ_REPEATS = 3  # decrypting all 100,000 events takes a while each time


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltVault]:
    """The vault, built once for the module and removed afterwards (it is ~450 MiB)."""
    data_dir = tmp_path_factory.mktemp("unlock") / "vault"
    built = cached_vault(data_dir, STORYTELLERS, EVENTS_EACH, kdf=crypto.calibrate)
    yield built
    shutil.rmtree(data_dir, ignore_errors=True)


def _bare_sqlite(database: Path) -> tuple[str, int]:
    connection = sqlite3.connect(database)
    try:
        check = connection.execute("PRAGMA quick_check").fetchone()[0]
        count = connection.execute("SELECT count(*) FROM timeline_events").fetchone()[0]
    finally:
        connection.close()
    return check, count


def _space(database: Path) -> list[tuple[str, int]]:
    """Bytes per table (with its indexes), from SQLite's dbstat table when it is compiled in."""
    connection = sqlite3.connect(database)
    try:
        tables = dict(
            connection.execute(
                "SELECT name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index')"
            ).fetchall()
        )
        sizes: dict[str, int] = {}
        for name, size in connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name"):
            owner = tables.get(name, name)
            sizes[owner] = sizes.get(owner, 0) + size
    except sqlite3.Error:
        return []
    finally:
        connection.close()
    return sorted(sizes.items(), key=lambda item: -item[1])


def _read_everything(vault: VaultSession, uuids: list[str]) -> int:
    timeline = TimelineService(vault)
    return sum(len(timeline.events(uuid)) for uuid in uuids)


_LOADING_STEPS: list[tuple[str, Any, str]] = [
    ("create engine", vault_module, "open_engine"),
    ("read header", vault_module, "_read_header"),
    ("key derivation + unwrap", vault_module, "_unwrap_with_passphrase"),
    ("PRAGMA quick_check", vault_module, "check_integrity"),
    ("migrations check", migrate, "upgrade_with_backup"),
    ("session start (clock)", VaultSession, "_last_clock"),
    ("tidy after unlock", opening, "tidy_after_unlock"),
]


def _loading_breakdown(built: BuiltVault, monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Time each step inside ``open_vault`` by wrapping it (three instrumented unlocks)."""
    spent: dict[str, list[float]] = {label: [] for label, _, _ in _LOADING_STEPS}

    def wrap(label: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def timed_step(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[label][-1] += time.perf_counter() - started

        return timed_step

    for label, owner, name in _LOADING_STEPS:
        monkeypatch.setattr(owner, name, wrap(label, getattr(owner, name)))
    totals = []
    try:
        for _ in range(3):
            for samples in spent.values():
                samples.append(0.0)
            seconds, vault = timed(lambda: open_vault(built.data_dir, PASSPHRASE))
            vault.lock()
            totals.append(seconds)
    finally:
        monkeypatch.undo()
    total = statistics.median(totals)
    rows = []
    for label, samples in spent.items():
        median = statistics.median(samples)
        rows.append([label, fmt_seconds(median), f"{100 * median / total:5.1f} %"])
    other = statistics.median(
        t - sum(samples[i] for samples in spent.values()) for i, t in enumerate(totals)
    )
    rows.append(["everything else", fmt_seconds(other), f"{100 * other / total:5.1f} %"])
    rows.append(["open_vault (instrumented)", fmt_seconds(total), "100.0 %"])
    return rows


def test_unlock_split(built: BuiltVault, monkeypatch: pytest.MonkeyPatch) -> None:
    database = built.database
    file_size = database.stat().st_size
    events_total = STORYTELLERS * EVENTS_EACH
    derive: list[float] = []
    bare: list[float] = []
    opened: list[float] = []
    list_cold: list[float] = []
    events_cold: list[float] = []
    list_warm: list[float] = []
    events_warm: list[float] = []
    everything: list[float] = []
    loading_inside: list[float] = []  # open_vault minus the derivation inside that same call
    loading_window: list[float] = []  # the same, without the file check (the window's unlock)

    derive_key = crypto.derive_key
    inner_derivations: list[float] = []

    def derive_key_timed(*args: Any, **kwargs: Any) -> bytes:
        started = time.perf_counter()
        try:
            return derive_key(*args, **kwargs)
        finally:
            inner_derivations.append(time.perf_counter() - started)

    # The vault module calls ``crypto.derive_key`` through the package: wrap it there.
    monkeypatch.setattr(crypto, "derive_key", derive_key_timed)

    def measure_derivation(_repeat: int) -> None:
        derive.append(timed(lambda: derive_key(PASSPHRASE, built.params))[0])

    def measure_bare(_repeat: int) -> None:
        seconds, (check, count) = timed(lambda: _bare_sqlite(database))
        assert (check, count) == ("ok", events_total)  # the same file, whole (not a timing)
        bare.append(seconds)

    def measure_unlock_and_reading(repeat: int) -> None:
        inner_derivations.clear()
        seconds, vault = timed(lambda: open_vault(built.data_dir, PASSPHRASE))
        opened.append(seconds)
        assert len(inner_derivations) == 1
        loading_inside.append(seconds - inner_derivations[0])
        try:
            seconds, people = timed(StorytellerService(vault).list)
            list_cold.append(seconds)
            first = people[0].uuid
            seconds, shown = timed(lambda: TimelineService(vault).events(first))
            events_cold.append(seconds)
            assert len(people) == STORYTELLERS and len(shown) == EVENTS_EACH
            list_warm.append(timed(StorytellerService(vault).list)[0])
            events_warm.append(timed(lambda: TimelineService(vault).events(first))[0])
            if repeat < FULL_READ_REPEATS:
                uuids = [p.uuid for p in people]
                seconds, read = timed(lambda: _read_everything(vault, uuids))
                assert read == events_total
                everything.append(seconds)
        finally:
            vault.lock()
        # The window's unlock: the check of the whole file runs later, on a thread.
        inner_derivations.clear()
        seconds, deferred = timed(
            lambda: open_vault(built.data_dir, PASSPHRASE, check_file_now=False)
        )
        deferred.lock()
        loading_window.append(seconds - inner_derivations[0])

    # The order of the three rotates from one repetition to the next, so none always runs
    # right after the heavy reading of another.
    steps = [measure_derivation, measure_bare, measure_unlock_and_reading]
    for repeat in range(REPEATS):
        turn = repeat % len(steps)
        for step in steps[turn:] + steps[:turn]:
            step(repeat)
    loading = [o - d for o, d in zip(opened, derive, strict=True)]

    breakdown = _loading_breakdown(built, monkeypatch)
    header = ["measurement", "min", "median", "n", "note"]
    per_event = statistics.median(everything) / events_total
    print(
        f"\n\nUNLOCK — {STORYTELLERS} storytellers × {EVENTS_EACH} events "
        f"({events_total:,} events), vault built in {built.build_seconds:.0f} s"
    )
    print(
        f"Key derivation: Argon2id {built.params.memory_kib // 1024} MiB, "
        f"{built.params.iterations} iterations, {built.params.lanes} lanes (calibrated here)"
    )
    print(f"Machine: {machine_note()}")
    print_table(
        "Unlock and first screen",
        header,
        [
            stats_row("(a) key derivation alone", derive),
            stats_row("(b) open_vault, whole", opened),
            stats_row("(c) loading = (b) − (a)", loading, "paired per repetition"),
            stats_row(
                "(c) loading, inside each open_vault",
                loading_inside,
                "(b) minus its own derivation",
            ),
            stats_row(
                "(c) loading, the window's unlock",
                loading_window,
                "file check later, on a thread",
            ),
            stats_row("    bare sqlite3 open+quick_check+count", bare, "baseline"),
            stats_row(
                "(d) StorytellerService.list(), cold",
                list_cold,
                f"{STORYTELLERS} storytellers, first call after unlock",
            ),
            stats_row("    StorytellerService.list(), warm", list_warm, "keys already unwrapped"),
            stats_row(
                "(d) TimelineService.events(one), cold", events_cold, f"{EVENTS_EACH} events"
            ),
            stats_row("    TimelineService.events(one), warm", events_warm, ""),
            stats_row(
                "(e) events of every storyteller",
                everything,
                f"{events_total:,} events, {per_event * 1e6:.0f} µs/event",
            ),
        ],
    )
    first_screen = statistics.median(list_cold) + statistics.median(events_cold)
    print_table(
        "Ratios (medians)",
        ["ratio", "value"],
        [
            [
                "loading (b)−(a) / bare sqlite",
                f"{statistics.median(loading) / statistics.median(bare):.2f}×",
            ],
            [
                "loading inside open_vault / bare sqlite",
                f"{statistics.median(loading_inside) / statistics.median(bare):.2f}×",
            ],
            [
                "open_vault / key derivation",
                f"{statistics.median(opened) / statistics.median(derive):.2f}×",
            ],
            [
                "list cold / list warm",
                f"{statistics.median(list_cold) / statistics.median(list_warm):.2f}×",
            ],
            [
                "unlock + first screen (b)+(d cold)",
                fmt_seconds(statistics.median(opened) + first_screen),
            ],
        ],
    )
    print_table(
        "Where loading time goes (3 instrumented unlocks, medians)",
        ["step", "median", "share"],
        breakdown,
    )
    space = _space(database)
    rows = [[name, fmt_mib(size), f"{100 * size / file_size:5.1f} %"] for name, size in space[:3]]
    rest = sum(size for _, size in space[3:])
    rows.append(["all other tables", fmt_mib(rest), f"{100 * rest / file_size:5.1f} %"])
    rows.append(["vault file", fmt_mib(file_size), f"{file_size / events_total:,.0f} B/event"])
    print_table(
        "Vault file size (tables with their indexes, from dbstat)", ["table", "size", "share"], rows
    )


def test_first_unlock_after_the_row_seal_upgrade(built: BuiltVault, tmp_path: Path) -> None:
    """(f) The one-time cost of schema revision 0004: a vault whose rows have no seals yet (as
    an older vault has right after the upgrade) is sealed at its first unlock. Baseline, in
    the same run: the next, ordinary unlock of the same copy."""
    copy = tmp_path / "before-seals"
    shutil.copytree(built.data_dir, copy)
    connection = sqlite3.connect(copy / "vault.sqlite")
    with connection:
        rows = 0
        for row_class in vault_module.SEALED_ROWS:
            table = row_class.__tablename__
            rows += connection.execute(f"UPDATE {table} SET seal = NULL").rowcount
        connection.execute("DELETE FROM vault_meta WHERE key = ?", (vault_module.ROW_SEALS,))
    connection.close()

    first, vault = timed(lambda: open_vault(copy, PASSPHRASE))
    vault.lock()
    again = []
    for _ in range(3):
        seconds, vault = timed(lambda: open_vault(copy, PASSPHRASE))
        again.append(seconds)
        vault.lock()
    ordinary = statistics.median(again)
    print_table(
        "First unlock after the row-seal upgrade (one time)",
        ["measurement", "seconds", "rows sealed", "µs/row"],
        [
            [
                "(f) first unlock, sealing every row",
                f"{first:.2f}",
                f"{rows:,}",
                f"{1e6 * (first - ordinary) / rows:.1f}",
            ],
            ["    next unlock (baseline)", f"{ordinary:.2f}", "0", ""],
            ["    ratio first / next", f"{first / ordinary:.1f}×", "", ""],
        ],
    )

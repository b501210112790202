"""Encrypted against plain write and read of 100,000 fields through the same code path.

The app's one write path (``records.insert``) and read path (``records.find``) run over the same
content with three sealers, injected by subclassing ``VaultSession._make_cipher``:

- encrypted: the real field cipher (AES-256-GCM under each storyteller's key);
- plain: a pass-through defined here (``seal`` gives the plaintext back, ``open`` returns it);
- sized: pass-through too, but stored values padded to the length of sealed ones, to tell the
  cost of bigger rows (SQLite, I/O) apart from the cost of the cryptography itself.

Everything else — JSON, associated data, the operation log, SQLAlchemy, SQLite with its durable
pragmas — is the same, so encrypted / plain is what encryption costs a person using the app.
The aim is at most 1.3×.

Content: 25 storytellers × 500 timeline events = 12,500 events × 8 sealed fields = 100,000
fields, written in one transaction per 500 events (the same batching for every variant), then
read back with ``records.find``, one storyteller at a time, then again through
``TimelineService.events`` (the path the timeline screen uses). The machine may be shared, so
the three variants are interleaved batch by batch (each transaction, each storyteller's read,
done for every variant in turn, the order rotating) rather than run one after the other, and
garbage collection runs between batches, never inside a timed one. Reads are done 3 times per
run and averaged. The whole is repeated 3 times with fresh vaults; medians of the run totals
are reported, with the per-batch paired ratio and the process-CPU-time ratio beside them.

A micro-benchmark of the raw ``FieldCipher.seal``/``open`` on 100,000 values (the benchmark's
own field values, and 60-byte ones) shows where the time goes and predicts the encrypted −
plain difference from the number of seals and opens. If a ratio is above 1.3×, the encrypted
variant of that phase is profiled (cProfile, top 15 by cumulative); ``BENCH_PROFILE=1``
profiles both phases regardless.

Nothing is asserted about time. Run it with::

    .venv/bin/python -m pytest tests/benchmarks/test_field_crypto.py \
        -s -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import cProfile
import gc
import io
import json
import os
import pstats
import random
import shutil
import statistics
import time
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from storycapture import crypto
from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.services import kinds, records
from storycapture.services.consent import ConsentService
from storycapture.services.kinds import TIMELINE_EVENT
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.store.db import DATABASE_NAME
from storycapture.store.fields import Sealer, field_associated_data, open_field, seal_field
from storycapture.timeline.service import TimelineService
from tests.benchmarks._support import (
    FACILITATOR,
    PASSPHRASE,
    event_values,
    fast_kdf,
    fmt_mib,
    fmt_seconds,
    machine_note,
    mean_sealed_plaintext,
    print_table,
    timed,
)

STORYTELLERS = 25
EVENTS_PER_TRANSACTION = 500  # one storyteller's events per transaction
EVENTS = STORYTELLERS * EVENTS_PER_TRANSACTION  # 12,500
SEALED_PER_EVENT = len(TIMELINE_EVENT.sealed)  # 8 sealed columns in the row
LOGGED_PER_EVENT = len(TIMELINE_EVENT.fields)  # 10 operation-log entries, each sealed too
FIELDS = EVENTS * SEALED_PER_EVENT  # 100,000
RUNS = 3
READ_PASSES = 3  # reads are cheap: each run reads everything this many times
MICRO_VALUES = 100_000
MICRO_REPEATS = 5
AIM = 1.3

T = TypeVar("T")


class PlainSealer:
    """The benchmark's pass-through: the same calls as ``FieldCipher``, no cryptography."""

    __slots__ = ()

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        return plaintext

    def open(self, sealed: bytes, associated_data: bytes) -> bytes:
        return sealed

    def mac(self, message: bytes) -> bytes:
        return b""

    def mac_matches(self, message: bytes, tag: bytes | None) -> bool:
        return True


class PlainVaultSession(VaultSession):
    """A vault whose storyteller fields are stored in the clear (benchmark only)."""

    def _make_cipher(self, key: bytes) -> Sealer:
        return PlainSealer()


_FRONT = bytes(1 + 12)  # where a sealed value has its format byte and nonce
_BACK = bytes(16)  # and its tag


class SizedPlainSealer:
    """No cryptography either, but values stored as long as sealed ones: separates the cost of
    bigger rows (SQLite, I/O) from the cost of AES-GCM itself."""

    __slots__ = ()

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        return _FRONT + plaintext + _BACK

    def open(self, sealed: bytes, associated_data: bytes) -> bytes:
        return sealed[len(_FRONT) : -len(_BACK)]

    def mac(self, message: bytes) -> bytes:
        return bytes(32)

    def mac_matches(self, message: bytes, tag: bytes | None) -> bool:
        return True


class SizedPlainVaultSession(VaultSession):
    def _make_cipher(self, key: bytes) -> Sealer:
        return SizedPlainSealer()


VARIANTS: dict[str, type[VaultSession]] = {
    "encrypted": VaultSession,
    "plain": PlainVaultSession,
    "sized": SizedPlainVaultSession,
}
_STORED_PREFIX = {"encrypted": b"\x01", "plain": b'"', "sized": _FRONT}


@dataclass
class Timing:
    """Wall-clock and process CPU seconds of one phase of one variant in one run."""

    wall: float = 0.0
    cpu: float = 0.0

    def add(self, wall: float, cpu: float) -> None:
        self.wall += wall
        self.cpu += cpu


PHASES = ("write", "read", "timeline")


@dataclass
class RunResult:
    phases: dict[str, Timing] = field(default_factory=lambda: {p: Timing() for p in PHASES})
    batch_wall: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PHASES})
    file_bytes: int = 0


@pytest.fixture(scope="module")
def story() -> list[dict[str, Any]]:
    rng = random.Random(424_242)
    return [event_values(rng) for _ in range(EVENTS)]


def _new_vault(
    variant: str, root: Path, storytellers: int = STORYTELLERS
) -> tuple[VaultSession, list[str]]:
    vault, _recovery_key = VARIANTS[variant].create(root / "vault", PASSPHRASE, kdf=fast_kdf)
    people = StorytellerService(vault)
    consent = ConsentService(vault)
    uuids = []
    for number in range(storytellers):
        person = people.add(f"Storyteller {number:02d}", author=FACILITATOR, birth_year=1970)
        consent.record(
            person.uuid,
            items=list(ConsentItem),
            how=ConsentHow.VERBAL,
            given_on="2025-06-01",
            facilitator="Priya",
            author=FACILITATOR,
        )
        uuids.append(person.uuid)
    return vault, uuids


def _write_batch(vault: VaultSession, storyteller_uuid: str, batch: list[dict[str, Any]]) -> None:
    """One transaction of 500 events, each through ``records.insert``."""
    with vault.edit() as session:
        for values in batch:
            records.insert(vault, session, TIMELINE_EVENT, storyteller_uuid, values, FACILITATOR)


def _read_batch(vault: VaultSession, storyteller_uuid: str) -> list[kinds.StoredRecord]:
    with vault.read() as session:
        return records.find(vault, session, TIMELINE_EVENT, storyteller_uuid)


def _read_timeline_batch(vault: VaultSession, storyteller_uuid: str) -> int:
    return len(TimelineService(vault).events(storyteller_uuid))


def _clocked(action: Callable[[], T]) -> tuple[float, float, T]:
    """Wall and CPU seconds of ``action``, with garbage collection paused while it runs (the
    caller collects between batches, so a collection never lands on one variant's batch)."""
    gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        return time.perf_counter() - wall, time.process_time() - cpu, result
    finally:
        gc.enable()


def _run(root: Path, story: list[dict[str, Any]], first: int) -> dict[str, RunResult]:
    """One run of every variant, interleaved batch by batch.

    The machine may be shared, so rather than one variant after another, each 500-event
    transaction (and each storyteller's read) is done for every variant in turn, the order
    rotating from batch to batch: a disturbance lands on all variants alike. Reads are cheap,
    so each read phase is done ``READ_PASSES`` times and averaged."""
    names = list(VARIANTS)
    opened = {name: _new_vault(name, root / name) for name in names}
    results = {name: RunResult() for name in names}
    try:
        for phase in PHASES:
            passes = 1 if phase == "write" else READ_PASSES
            for _ in range(passes):
                for number in range(STORYTELLERS):
                    gc.collect()
                    batch = story[
                        number * EVENTS_PER_TRANSACTION : (number + 1) * EVENTS_PER_TRANSACTION
                    ]
                    turn = (first + number) % len(names)
                    for name in names[turn:] + names[:turn]:
                        vault, uuids = opened[name]
                        wall, cpu = _batch(phase, name, vault, uuids[number], batch)
                        results[name].phases[phase].add(wall / passes, cpu / passes)
                        results[name].batch_wall[phase].append(wall)
    finally:
        for vault, _ in opened.values():
            vault.lock()
    for name in names:
        results[name].file_bytes = (root / name / "vault" / DATABASE_NAME).stat().st_size
    shutil.rmtree(root)
    return results


def _batch(
    phase: str,
    name: str,
    vault: VaultSession,
    storyteller_uuid: str,
    batch: list[dict[str, Any]],
) -> tuple[float, float]:
    """Time one batch of one phase; then check (untimed) that it did what it should."""
    if phase == "write":
        wall, cpu, _ = _clocked(lambda: _write_batch(vault, storyteller_uuid, batch))
    elif phase == "read":
        wall, cpu, rows = _clocked(lambda: _read_batch(vault, storyteller_uuid))
        # Correctness, not timing: every field came back as written, and the variant is real.
        assert [r.values for r in rows] == batch
        with vault.read() as session:
            row = session.get(models.TimelineEventRow, rows[0].uuid)
            assert row is not None and row.title.startswith(_STORED_PREFIX[name])
    else:
        wall, cpu, count = _clocked(lambda: _read_timeline_batch(vault, storyteller_uuid))
        assert count == len(batch)
    return wall, cpu


def _per_op(steps: dict[str, Callable[[], object]], count: int) -> dict[str, float]:
    """Seconds per call of each step: the best of a few rounds, the steps interleaved."""
    best = dict.fromkeys(steps, float("inf"))
    for _ in range(MICRO_REPEATS):
        for name, action in steps.items():
            best[name] = min(best[name], timed(action)[0] / count)
    return best


def _micro(story: list[dict[str, Any]]) -> dict[str, float]:
    """Seconds per call of the sealing steps, on 100,000 values like the benchmark's fields."""
    values = [v[f] for v in story for f in TIMELINE_EVENT.sealed][:MICRO_VALUES]
    plaintexts = [json.dumps(v, ensure_ascii=False, separators=(",", ":")).encode() for v in values]
    storyteller_uuid = str(uuid_module.uuid4())
    row_uuids = [str(uuid_module.uuid4()) for _ in range(MICRO_VALUES)]
    columns = [TIMELINE_EVENT.sealed[i % SEALED_PER_EVENT] for i in range(MICRO_VALUES)]
    aads = [
        field_associated_data("timeline_events", c, r, storyteller_uuid)
        for c, r in zip(columns, row_uuids, strict=True)
    ]
    cipher = crypto.FieldCipher(crypto.new_key())
    sixty = [os.urandom(30).hex().encode() for _ in range(MICRO_VALUES)]  # 60-byte values
    sixty_sealed = [cipher.seal(p, a) for p, a in zip(sixty, aads, strict=True)]
    plain = PlainSealer()
    sealed = [cipher.seal(p, a) for p, a in zip(plaintexts, aads, strict=True)]
    sealed_fields = [
        seal_field(cipher, "timeline_events", c, r, storyteller_uuid, v)
        for c, r, v in zip(columns, row_uuids, values, strict=True)
    ]
    plain_fields = [
        seal_field(plain, "timeline_events", c, r, storyteller_uuid, v)
        for c, r, v in zip(columns, row_uuids, values, strict=True)
    ]
    n = MICRO_VALUES
    triples = list(zip(columns, row_uuids, values, strict=True))
    pairs = list(zip(plaintexts, aads, strict=True))
    sealed_pairs = list(zip(sealed, aads, strict=True))
    sixty_pairs = list(zip(sixty, aads, strict=True))
    sixty_sealed_pairs = list(zip(sixty_sealed, aads, strict=True))
    here = "timeline_events"
    steps: dict[str, Callable[[], object]] = {
        "FieldCipher.seal": lambda: [cipher.seal(p, a) for p, a in pairs],
        "  of which os.urandom(12) nonce": lambda: [os.urandom(12) for _ in aads],
        "FieldCipher.open": lambda: [cipher.open(s, a) for s, a in sealed_pairs],
        "FieldCipher.seal, 60 B values": lambda: [cipher.seal(p, a) for p, a in sixty_pairs],
        "FieldCipher.open, 60 B values": lambda: [cipher.open(s, a) for s, a in sixty_sealed_pairs],
        "PlainSealer.seal": lambda: [plain.seal(p, a) for p, a in pairs],
        "PlainSealer.open": lambda: [plain.open(p, a) for p, a in pairs],
        "seal_field, real cipher": lambda: [
            seal_field(cipher, here, c, r, storyteller_uuid, v) for c, r, v in triples
        ],
        "seal_field, plain": lambda: [
            seal_field(plain, here, c, r, storyteller_uuid, v) for c, r, v in triples
        ],
        "open_field, real cipher": lambda: [
            open_field(cipher, here, c, r, storyteller_uuid, s)
            for (c, r, _), s in zip(triples, sealed_fields, strict=True)
        ],
        "open_field, plain": lambda: [
            open_field(plain, here, c, r, storyteller_uuid, s)
            for (c, r, _), s in zip(triples, plain_fields, strict=True)
        ],
    }
    sizes = {
        "plaintext_bytes": statistics.fmean(len(p) for p in plaintexts),
        "aad_bytes": statistics.fmean(len(a) for a in aads),
    }
    return {**sizes, **_per_op(steps, n)}


def _profile(phase: str, root: Path, story: list[dict[str, Any]]) -> str:
    """cProfile of the encrypted variant's write or read (5 storytellers × 500 events)."""
    storytellers = 5
    vault, uuids = _new_vault("encrypted", root, storytellers)
    batches = [
        story[n * EVENTS_PER_TRANSACTION : (n + 1) * EVENTS_PER_TRANSACTION]
        for n in range(storytellers)
    ]
    profiler = cProfile.Profile()
    try:
        if phase == "read":
            for storyteller_uuid, batch in zip(uuids, batches, strict=True):
                _write_batch(vault, storyteller_uuid, batch)
        profiler.enable()
        for storyteller_uuid, batch in zip(uuids, batches, strict=True):
            if phase == "write":
                _write_batch(vault, storyteller_uuid, batch)
            else:
                _read_batch(vault, storyteller_uuid)
        profiler.disable()
    finally:
        vault.lock()
        shutil.rmtree(root)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(15)
    return out.getvalue()


_PHASE_LABELS = {
    "write": "write (records.insert)",
    "read": "read (records.find)",
    "timeline": "read (TimelineService.events)",
}


def test_field_crypto_ratio(story: list[dict[str, Any]], tmp_path: Path) -> None:
    results: dict[str, list[RunResult]] = {name: [] for name in VARIANTS}
    started = time.perf_counter()
    for run in range(RUNS):
        for name, result in _run(tmp_path / f"run-{run}", story, first=run).items():
            results[name].append(result)
            print(
                f"  run {run + 1} {name:9s}: "
                + ", ".join(f"{p} {result.phases[p].wall:6.2f} s" for p in PHASES),
                flush=True,
            )
    micro = _micro(story)

    def wall(name: str, phase: str) -> float:
        return statistics.median(r.phases[phase].wall for r in results[name])

    def cpu(name: str, phase: str) -> float:
        return statistics.median(r.phases[phase].cpu for r in results[name])

    def paired(phase: str, over: str = "plain") -> float:
        """Median over every batch of every run of encrypted / ``over`` for the same batch."""
        return statistics.median(
            e / o
            for er, orr in zip(results["encrypted"], results[over], strict=True)
            for e, o in zip(er.batch_wall[phase], orr.batch_wall[phase], strict=True)
        )

    print(
        f"\n\nFIELD CRYPTO — {FIELDS:,} fields ({EVENTS:,} events × {SEALED_PER_EVENT} sealed "
        f"fields), {EVENTS_PER_TRANSACTION} events per transaction, {RUNS} runs, variants "
        f"interleaved batch by batch, {time.perf_counter() - started:.0f} s in all"
    )
    print(
        f"Each event insert seals {SEALED_PER_EVENT} row fields + {LOGGED_PER_EVENT} log entries "
        f"= {EVENTS * (SEALED_PER_EVENT + LOGGED_PER_EVENT):,} seals per write run; "
        f"mean sealed plaintext {mean_sealed_plaintext(story, TIMELINE_EVENT.sealed):.0f} B"
    )
    print(f"Machine: {machine_note()}")
    rows = []
    for phase in PHASES:
        encrypted, plain, sized = (wall(n, phase) for n in ("encrypted", "plain", "sized"))
        ratio = encrypted / plain
        rows.append(
            [
                _PHASE_LABELS[phase],
                fmt_seconds(encrypted),
                fmt_seconds(plain),
                f"{ratio:.2f}×",
                f"{paired(phase):.2f}×",
                f"{cpu('encrypted', phase) / cpu('plain', phase):.2f}×",
                f"{(encrypted - plain) / FIELDS * 1e6:+.2f} µs",
                "within" if ratio <= AIM else "ABOVE",
                f"{sized / plain:.2f}×",
                f"{encrypted / sized:.2f}×",
            ]
        )
    print_table(
        f"Encrypted against plain: run totals, medians of {RUNS} (wall clock unless marked)",
        [
            "phase",
            "encrypted",
            "plain",
            "ratio",
            "per-batch",
            "CPU ratio",
            "extra/field",
            f"aim ≤{AIM}×",
            "sized/plain",
            "enc/sized",
        ],
        rows,
    )
    print(
        "per-batch: median over all batches of encrypted/plain for the same batch; CPU ratio: "
        "process CPU time, less disturbed by other programs;\nsized: plain values padded to "
        "the length of sealed ones (sized/plain = cost of bigger rows, enc/sized = cost of "
        "AES-GCM itself)"
    )
    all_runs = [
        [
            f"{name} run {i + 1}",
            *(fmt_seconds(r.phases[p].wall) for p in PHASES),
            *(fmt_seconds(r.phases[p].cpu) for p in PHASES),
            fmt_mib(r.file_bytes),
        ]
        for name in VARIANTS
        for i, r in enumerate(results[name])
    ]
    print_table(
        "Every run (wall, then CPU)",
        ["run", *PHASES, *(f"{p} CPU" for p in PHASES), "vault file"],
        all_runs,
    )

    micro_rows = [
        [name, fmt_seconds(seconds * MICRO_VALUES), f"{seconds * 1e6:.2f} µs"]
        for name, seconds in micro.items()
        if not name.endswith("_bytes")
    ]
    print_table(
        f"Sealing alone, {MICRO_VALUES:,} values (plaintext {micro['plaintext_bytes']:.0f} B, "
        f"associated data {micro['aad_bytes']:.0f} B), best of {MICRO_REPEATS} interleaved rounds",
        ["step", f"{MICRO_VALUES:,} calls", "per call"],
        micro_rows,
    )
    seal_extra = micro["FieldCipher.seal"] - micro["PlainSealer.seal"]
    open_extra = micro["FieldCipher.open"] - micro["PlainSealer.open"]
    seals = EVENTS * (SEALED_PER_EVENT + LOGGED_PER_EVENT)
    predicted = {"write": seals * seal_extra, "read": FIELDS * open_extra}
    predicted["timeline"] = predicted["read"]
    print_table(
        "Extra time of encryption (medians, wall / CPU): predicted from AES-GCM alone; measured"
        " = encrypted − plain, split into bigger values (sized − plain) and AES-GCM"
        " (encrypted − sized)",
        ["phase", "predicted", "measured", "bigger values", "AES-GCM", "predicted / plain"],
        [
            [
                _PHASE_LABELS[phase],
                fmt_seconds(p),
                f"{fmt_seconds(wall('encrypted', phase) - wall('plain', phase))} / "
                f"{fmt_seconds(cpu('encrypted', phase) - cpu('plain', phase))}",
                f"{fmt_seconds(wall('sized', phase) - wall('plain', phase))} / "
                f"{fmt_seconds(cpu('sized', phase) - cpu('plain', phase))}",
                f"{fmt_seconds(wall('encrypted', phase) - wall('sized', phase))} / "
                f"{fmt_seconds(cpu('encrypted', phase) - cpu('sized', phase))}",
                f"{100 * p / wall('plain', phase):.1f} %",
            ]
            for phase, p in predicted.items()
        ],
    )

    force = os.environ.get("BENCH_PROFILE") == "1"
    for phase in ("write", "read"):
        ratio = wall("encrypted", phase) / wall("plain", phase)
        if ratio > AIM or force:
            print(f"\nProfile of the encrypted {phase} (ratio {ratio:.2f}×), top 15 cumulative:")
            print(_profile(phase, tmp_path / f"profile-{phase}", story))

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
read back in one read session with ``records.find``, then again through
``TimelineService.events`` (the path the timeline screen uses). Each variant runs 3 times, each
going first once; medians are reported. A micro-benchmark of the raw ``FieldCipher.seal``/
``open`` on 100,000 values (the benchmark's own field values, and 60-byte ones) shows where the
time goes and predicts the encrypted − plain difference from the number of seals and opens. If
a ratio is above 1.3×, the encrypted variant of that phase is profiled (cProfile, top 15 by
cumulative); ``BENCH_PROFILE=1`` profiles both phases regardless.

Nothing is asserted about time. Run it with::

    cd /work/main && /work/venv/bin/python -m pytest tests/benchmarks/test_field_crypto.py \
        -s -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import cProfile
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from storycapture import crypto
from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.services import records
from storycapture.services.consent import ConsentService
from storycapture.services.records import TIMELINE_EVENT
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
MICRO_VALUES = 100_000
MICRO_REPEATS = 3
AIM = 1.3


class PlainSealer:
    """The benchmark's pass-through: the same calls as ``FieldCipher``, no cryptography."""

    __slots__ = ()

    def seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        return plaintext

    def open(self, sealed: bytes, associated_data: bytes) -> bytes:
        return sealed


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


class SizedPlainVaultSession(VaultSession):
    def _make_cipher(self, key: bytes) -> Sealer:
        return SizedPlainSealer()


VARIANTS: dict[str, type[VaultSession]] = {
    "encrypted": VaultSession,
    "plain": PlainVaultSession,
    "sized": SizedPlainVaultSession,
}
_STORED_PREFIX = {"encrypted": b"\x01", "plain": b'"', "sized": _FRONT}


@dataclass(frozen=True)
class RunResult:
    write: float
    read: float
    read_timeline: float
    file_bytes: int


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


def _write(vault: VaultSession, uuids: list[str], story: list[dict[str, Any]]) -> None:
    for number, storyteller_uuid in enumerate(uuids):
        batch = story[number * EVENTS_PER_TRANSACTION : (number + 1) * EVENTS_PER_TRANSACTION]
        with vault.edit() as session:
            for values in batch:
                records.insert(
                    vault, session, TIMELINE_EVENT, storyteller_uuid, values, FACILITATOR
                )


def _read(vault: VaultSession, uuids: list[str]) -> list[records.StoredRecord]:
    found: list[records.StoredRecord] = []
    with vault.read() as session:
        for storyteller_uuid in uuids:
            found.extend(records.find(vault, session, TIMELINE_EVENT, storyteller_uuid))
    return found


def _read_timeline(vault: VaultSession, uuids: list[str]) -> int:
    timeline = TimelineService(vault)
    return sum(len(timeline.events(storyteller_uuid)) for storyteller_uuid in uuids)


def _run(variant: str, root: Path, story: list[dict[str, Any]]) -> RunResult:
    vault, uuids = _new_vault(variant, root)
    try:
        write, _ = timed(lambda: _write(vault, uuids, story))
        read, found = timed(lambda: _read(vault, uuids))
        read_timeline, shown = timed(lambda: _read_timeline(vault, uuids))
        # Correctness, not timing: every field came back as written, and the variant is real.
        assert len(found) * SEALED_PER_EVENT == FIELDS and shown == EVENTS
        assert [r.values for r in found[:EVENTS_PER_TRANSACTION]] == story[:EVENTS_PER_TRANSACTION]
        with vault.read() as session:
            stored_title = session.get(models.TimelineEventRow, found[0].uuid).title
        assert stored_title.startswith(_STORED_PREFIX[variant])
    finally:
        vault.lock()
    file_bytes = (root / "vault" / DATABASE_NAME).stat().st_size
    shutil.rmtree(root)
    return RunResult(write, read, read_timeline, file_bytes)


def _per_op(action: Callable[[], object], count: int) -> float:
    return statistics.median(timed(action)[0] for _ in range(MICRO_REPEATS)) / count


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
    return {
        "plaintext_bytes": statistics.fmean(len(p) for p in plaintexts),
        "aad_bytes": statistics.fmean(len(a) for a in aads),
        "FieldCipher.seal": _per_op(
            lambda: [cipher.seal(p, a) for p, a in zip(plaintexts, aads, strict=True)], n
        ),
        "  of which os.urandom(12) nonce": _per_op(lambda: [os.urandom(12) for _ in aads], n),
        "FieldCipher.open": _per_op(
            lambda: [cipher.open(s, a) for s, a in zip(sealed, aads, strict=True)], n
        ),
        "FieldCipher.seal, 60 B values": _per_op(
            lambda: [cipher.seal(p, a) for p, a in zip(sixty, aads, strict=True)], n
        ),
        "FieldCipher.open, 60 B values": _per_op(
            lambda: [cipher.open(s, a) for s, a in zip(sixty_sealed, aads, strict=True)], n
        ),
        "PlainSealer.seal": _per_op(
            lambda: [plain.seal(p, a) for p, a in zip(plaintexts, aads, strict=True)], n
        ),
        "PlainSealer.open": _per_op(
            lambda: [plain.open(p, a) for p, a in zip(plaintexts, aads, strict=True)], n
        ),
        "seal_field, real cipher": _per_op(
            lambda: [
                seal_field(cipher, "timeline_events", c, r, storyteller_uuid, v)
                for c, r, v in triples
            ],
            n,
        ),
        "seal_field, plain": _per_op(
            lambda: [
                seal_field(plain, "timeline_events", c, r, storyteller_uuid, v)
                for c, r, v in triples
            ],
            n,
        ),
        "open_field, real cipher": _per_op(
            lambda: [
                open_field(cipher, "timeline_events", c, r, storyteller_uuid, s)
                for (c, r, _), s in zip(triples, sealed_fields, strict=True)
            ],
            n,
        ),
        "open_field, plain": _per_op(
            lambda: [
                open_field(plain, "timeline_events", c, r, storyteller_uuid, s)
                for (c, r, _), s in zip(triples, plain_fields, strict=True)
            ],
            n,
        ),
    }


def _profile(phase: str, root: Path, story: list[dict[str, Any]]) -> str:
    """cProfile of the encrypted variant's write or read (5 storytellers × 500 events)."""
    storytellers = 5
    vault, uuids = _new_vault("encrypted", root, storytellers)
    subset = story[: storytellers * EVENTS_PER_TRANSACTION]
    profiler = cProfile.Profile()
    try:
        if phase == "write":
            profiler.runcall(_write, vault, uuids, subset)
        else:
            _write(vault, uuids, subset)
            profiler.runcall(_read, vault, uuids)
    finally:
        vault.lock()
        shutil.rmtree(root)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(15)
    return out.getvalue()


def test_field_crypto_ratio(story: list[dict[str, Any]], tmp_path: Path) -> None:
    results: dict[str, list[RunResult]] = {name: [] for name in VARIANTS}
    started = time.perf_counter()
    for run in range(RUNS):
        names = list(VARIANTS)
        order = names[run % len(names) :] + names[: run % len(names)]  # each goes first once
        for variant in order:
            results[variant].append(_run(variant, tmp_path / f"{variant}-{run}", story))
            r = results[variant][-1]
            print(
                f"  run {run + 1} {variant:9s}: write {r.write:6.2f} s, read {r.read:5.2f} s, "
                f"timeline {r.read_timeline:5.2f} s",
                flush=True,
            )
    micro = _micro(story)

    def med(variant: str, attribute: str) -> float:
        return statistics.median(getattr(r, attribute) for r in results[variant])

    print(
        f"\n\nFIELD CRYPTO — {FIELDS:,} fields ({EVENTS:,} events × {SEALED_PER_EVENT} sealed "
        f"fields), {EVENTS_PER_TRANSACTION} events per transaction, {RUNS} runs each "
        f"(alternating), {time.perf_counter() - started:.0f} s in all"
    )
    print(
        f"Each event insert seals {SEALED_PER_EVENT} row fields + {LOGGED_PER_EVENT} log entries "
        f"= {EVENTS * (SEALED_PER_EVENT + LOGGED_PER_EVENT):,} seals per write run; "
        f"mean sealed plaintext {mean_sealed_plaintext(story, TIMELINE_EVENT.sealed):.0f} B"
    )
    print(f"Machine: {machine_note()}")
    rows = []
    for label, attribute, count in (
        ("write (records.insert)", "write", FIELDS),
        ("read (records.find)", "read", FIELDS),
        ("read (TimelineService.events)", "read_timeline", FIELDS),
    ):
        encrypted, plain = med("encrypted", attribute), med("plain", attribute)
        sized = med("sized", attribute)
        rows.append(
            [
                label,
                fmt_seconds(encrypted),
                fmt_seconds(plain),
                f"{encrypted / plain:.2f}×",
                f"{(encrypted - plain) / count * 1e6:+.2f} µs",
                "within" if encrypted / plain <= AIM else "ABOVE",
                fmt_seconds(sized),
                f"{sized / plain:.2f}×",
                f"{encrypted / sized:.2f}×",
            ]
        )
    print_table(
        f"Encrypted against plain (medians of {RUNS}); 'sized' = plain but stored as long "
        "as sealed values",
        [
            "phase",
            "encrypted",
            "plain",
            "ratio",
            "extra/field",
            f"aim ≤{AIM}×",
            "sized",
            "sized/plain",
            "enc/sized",
        ],
        rows,
    )
    all_runs = [
        [
            f"{variant} run {i + 1}",
            fmt_seconds(r.write),
            fmt_seconds(r.read),
            fmt_seconds(r.read_timeline),
            fmt_mib(r.file_bytes),
        ]
        for variant in VARIANTS
        for i, r in enumerate(results[variant])
    ]
    print_table("Every run", ["run", "write", "read", "timeline", "vault file"], all_runs)

    micro_rows = [
        [name, fmt_seconds(seconds * MICRO_VALUES), f"{seconds * 1e6:.2f} µs"]
        for name, seconds in micro.items()
        if not name.endswith("_bytes")
    ]
    print_table(
        f"Sealing alone, {MICRO_VALUES:,} values (plaintext {micro['plaintext_bytes']:.0f} B, "
        f"associated data {micro['aad_bytes']:.0f} B), medians of {MICRO_REPEATS}",
        ["step", f"{MICRO_VALUES:,} calls", "per call"],
        micro_rows,
    )
    seal_extra = micro["FieldCipher.seal"] - micro["PlainSealer.seal"]
    open_extra = micro["FieldCipher.open"] - micro["PlainSealer.open"]
    seals = EVENTS * (SEALED_PER_EVENT + LOGGED_PER_EVENT)
    predicted = [
        (name, count * extra, attribute)
        for name, count, extra, attribute in (
            ("write", seals, seal_extra, "write"),
            ("read (find)", FIELDS, open_extra, "read"),
            ("read (timeline)", FIELDS, open_extra, "read_timeline"),
        )
    ]
    print_table(
        "Extra time of encryption (medians): AES-GCM alone predicts; measured = encrypted − plain,"
        " split into bigger values (sized − plain) and cryptography (encrypted − sized)",
        ["phase", "predicted", "measured", "bigger values", "cryptography", "predicted / plain"],
        [
            [
                name,
                fmt_seconds(p),
                fmt_seconds(med("encrypted", attribute) - med("plain", attribute)),
                fmt_seconds(med("sized", attribute) - med("plain", attribute)),
                fmt_seconds(med("encrypted", attribute) - med("sized", attribute)),
                f"{100 * p / med('plain', attribute):.1f} %",
            ]
            for name, p, attribute in predicted
        ],
    )

    force = os.environ.get("BENCH_PROFILE") == "1"
    for phase, attribute in (("write", "write"), ("read", "read")):
        ratio = med("encrypted", attribute) / med("plain", attribute)
        if ratio > AIM or force:
            print(f"\nProfile of the encrypted {phase} (ratio {ratio:.2f}×), top 15 cumulative:")
            print(_profile(phase, tmp_path / f"profile-{phase}", story))

"""Importing a bundle of 100,000 changes into a hub, against SQLite writing the same rows.

A laptop's vault holds one storyteller (with full consent) and ``BENCH_SYNC_EVENTS`` timeline
events (10,000 by default; 10 fields each, so 100,013 changes with the storyteller and consent
record); it exports them all in one bundle. Compared, interleaved (at least 5 samples each,
median, p95 and load average):

- ours: ``import_bundles`` of that bundle into a fresh hub vault: decrypt and check the whole
  file, check every change, merge, seal every field, row and log entry, write, read every
  item back, commit;
- the peer (baseline): a raw ``sqlite3`` ``executemany`` of the same rows — the same number
  into tables of the same shape (a copy of the fresh hub's file), with the same ciphertext
  and seal bytes (taken from an import), in one transaction, on a connection with the vault's
  own pragmas (``store.db``: WAL, ``synchronous=FULL``, ``secure_delete``, foreign keys): what
  writing those rows costs at the least, with none of the checking or sealing;
- the same file imported again (known from its receipt by the file's SHA-256);
- the same bundle in another file (written again with the same manifest, so other bytes):
  known once its manifest is verified, without reading its changes;
- the same changes once the receipt is forgotten: the whole bundle read and merged, every
  change found already here (what another bundle carrying the same changes costs).

Printed: each one's median, p95, samples, load and ratio to the peer; then the import against
the peer, and each re-import as a percentage of the first import. Nothing is asserted about
time. ``BENCH_PROFILE=1`` also profiles one more import (cProfile, top 30 cumulative and top
15 by own time).

Run it with::

    .venv/bin/python -m pytest tests/benchmarks/test_sync_import_scale.py \
        -s -p no:cacheprovider -o addopts=""
"""

from __future__ import annotations

import cProfile
import io
import os
import pstats
import random
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select

from storycapture.domain.vocabulary import ConsentHow, ConsentItem, Visibility
from storycapture.services import records
from storycapture.services.consent import ConsentService
from storycapture.services.kinds import TIMELINE_EVENT
from storycapture.services.storytellers import StorytellerService
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.store.db import _PRAGMAS, DATABASE_NAME
from storycapture.sync.bundle.format import WrittenBundle
from storycapture.sync.bundle.write import write_bundle
from storycapture.sync.exporting import ExportPlan, export_bundle, plan_export
from storycapture.sync.importing import ImportReport, import_bundles
from storycapture.sync.trust import TrustService
from tests.benchmarks._support import (
    FACILITATOR,
    PASSPHRASE,
    Samples,
    event_values,
    fast_kdf,
    fmt_mib,
    interleave,
    print_samples,
)

EVENTS = int(os.environ.get("BENCH_SYNC_EVENTS", "10000"))
SAMPLES = int(os.environ.get("BENCH_SAMPLES", "5"))
# The tables an import into a fresh hub fills, in an order their references allow.
IMPORTED_TABLES = (
    "storytellers",
    "storyteller_keys",
    "consent_records",
    "timeline_events",
    "operations",
    "bundle_receipts",
)
IMPORT = "import into a fresh hub (import_bundles)"
PEER = "peer: sqlite3 executemany of the same rows, one transaction"
SAME_FILE = "again: the same file (receipt, by SHA-256)"
OTHER_FILE = "again: the same bundle in another file"
FORGOTTEN = "again, receipt forgotten: every change already here"


def _operations(vault: VaultSession) -> int:
    with vault.read() as session:
        return int(session.scalar(select(func.count()).select_from(models.OperationRow)) or 0)


def _events(rng: random.Random) -> list[dict[str, Any]]:
    """Every event goes (none private), so every change is in the bundle."""
    out = []
    for _ in range(EVENTS):
        values = event_values(rng)
        values["visibility"] = rng.choice([Visibility.TEAM.value, Visibility.SHAREABLE.value])
        out.append(values)
    return out


def _laptop_and_hub(root: Path) -> tuple[VaultSession, Path]:
    """A laptop holding the story, and a fresh hub (locked, kept as a template) that trusts it."""
    laptop, _ = VaultSession.create(root / "laptop", PASSPHRASE, kdf=fast_kdf)
    hub, _ = VaultSession.create(root / "hub-template", PASSPHRASE, kdf=fast_kdf)
    try:
        TrustService(laptop).add_recipient(TrustService(hub).identity().age_recipient, "Hub")
        TrustService(hub).trust_device(TrustService(laptop).identity().fingerprint, "Laptop")
    finally:
        hub.lock()
    person = StorytellerService(laptop).add("Juniper", author=FACILITATOR, birth_year=1970)
    ConsentService(laptop).record(
        person.uuid,
        items=list(ConsentItem),
        how=ConsentHow.VERBAL,
        given_on="2026-03-02",
        facilitator="Priya",
        author=FACILITATOR,
    )
    with laptop.edit() as session:
        for event in _events(random.Random(20_260_302)):
            records.insert(laptop, session, TIMELINE_EVENT, person.uuid, event, FACILITATOR)
    return laptop, root / "hub-template"


def _written_again(laptop: VaultSession, plan: ExportPlan, first: WrittenBundle, to: Path) -> Path:
    """The same bundle (the same manifest, so the same bundle id) in a file of other bytes:
    encrypted afresh, as a second copy made from the laptop would be."""
    manifest = first.manifest
    to.mkdir()
    again = write_bundle(
        to,
        device_id=manifest.device_id,
        device_name=manifest.device_name,
        signing_key=laptop.device_signing_key(),
        sequence=manifest.sequence,
        previous_bundle=manifest.previous_bundle,
        created_hlc=manifest.created_hlc,
        recipients=[r.age_recipient for r in TrustService(laptop).recipients()],
        operations=plan.operations,
        media=plan.media,
    )
    assert again.bundle_id == first.bundle_id
    assert again.path.read_bytes() != first.path.read_bytes()
    return again.path


def _rows_of(database: Path) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
    """The rows an import wrote (the log without its own counter), as stored."""
    connection = sqlite3.connect(database)
    try:
        out = {}
        for table in IMPORTED_TABLES:
            cursor = connection.execute(f"SELECT * FROM {table}")
            columns = [d[0] for d in cursor.description]
            rows = cursor.fetchall()
            if "seq" in columns:
                at = columns.index("seq")
                columns.pop(at)
                rows = [row[:at] + row[at + 1 :] for row in rows]
            out[table] = (columns, rows)
        return out
    finally:
        connection.close()


def _peer_write(database: Path, rows: dict[str, tuple[list[str], list[tuple[Any, ...]]]]) -> None:
    connection = sqlite3.connect(database, isolation_level=None)
    try:
        for pragma in _PRAGMAS:
            connection.execute(pragma)
        connection.execute("BEGIN IMMEDIATE")
        for table, (columns, values) in rows.items():
            marks = ", ".join("?" for _ in columns)
            connection.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values
            )
        connection.execute("COMMIT")
    finally:
        connection.close()


def _profiled(action: Any) -> str:
    profile = cProfile.Profile()
    profile.runcall(action)
    text = io.StringIO()
    stats = pstats.Stats(profile, stream=text)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(15)
    return text.getvalue()


class _Hub:
    """The hub being imported into: a fresh copy of the template for each first import."""

    def __init__(self, template: Path, root: Path) -> None:
        self.template, self.root = template, root
        self.vault: VaultSession | None = None
        self.count = 0

    def fresh(self) -> VaultSession:
        self.close()
        self.count += 1
        folder = self.root / f"hub-{self.count}"
        shutil.copytree(self.template, folder)
        self.vault = VaultSession.unlock(folder, PASSPHRASE)
        return self.vault

    def current(self) -> VaultSession:
        assert self.vault is not None
        return self.vault

    def close(self) -> None:
        if self.vault is not None:
            self.vault.lock()
            shutil.rmtree(self.vault.data_dir)
            self.vault = None


def test_a_bundle_of_100k_changes_against_sqlite_writing_the_same_rows(tmp_path: Path) -> None:
    laptop, template = _laptop_and_hub(tmp_path)
    hub = _Hub(template, tmp_path)
    try:
        changes = _operations(laptop)
        plan = plan_export(laptop)
        outbox = tmp_path / "outbox"
        outbox.mkdir()
        exported = export_bundle(laptop, outbox, plan)
        bundle = exported.bundle.path
        other_file = _written_again(laptop, plan, exported.bundle, tmp_path / "again")

        first = import_bundles(hub.fresh(), [bundle])
        assert [b.status for b in first.bundles] == ["imported"], first.lines()
        assert first.new == EVENTS + 2 and _operations(hub.current()) == changes
        rows = _rows_of(hub.current().data_dir / DATABASE_NAME)
        assert len(rows["operations"][1]) == changes
        peer_file = tmp_path / "peer.sqlite"

        def expect(report: ImportReport, status: str) -> None:
            assert [b.status for b in report.bundles] == [status], report.lines()

        def setup(label: str) -> None:
            if label == IMPORT:
                hub.fresh()
            elif label == PEER:
                peer_file.unlink(missing_ok=True)
                shutil.copyfile(template / DATABASE_NAME, peer_file)
            elif label == FORGOTTEN:
                with hub.current().edit() as session:
                    session.execute(delete(models.BundleReceiptRow))

        actions = {
            IMPORT: lambda: expect(import_bundles(hub.current(), [bundle]), "imported"),
            PEER: lambda: _peer_write(peer_file, rows),
            SAME_FILE: lambda: expect(import_bundles(hub.current(), [bundle]), "duplicate"),
            OTHER_FILE: lambda: expect(import_bundles(hub.current(), [other_file]), "duplicate"),
            FORGOTTEN: lambda: expect(import_bundles(hub.current(), [bundle]), "imported"),
        }
        results = interleave(actions, samples=SAMPLES, setup=setup)
        assert _operations(hub.current()) == changes
        profile = ""
        if os.environ.get("BENCH_PROFILE") == "1":
            fresh = hub.fresh()
            profile = _profiled(lambda: import_bundles(fresh, [bundle]))
    finally:
        laptop.lock()
        hub.close()

    peer = results[PEER]
    print_samples(
        f"{changes:,} changes ({EVENTS:,} events) in a bundle of "
        f"{fmt_mib(exported.bundle.size)}; ratio: to the peer",
        list(results.values()),
        peer,
    )
    imported = results[IMPORT]
    print(
        f"import / peer: {imported.median / peer.median:.2f}x (median), "
        f"{imported.p95 / peer.p95:.2f}x (p95); "
        f"{changes / imported.median:,.0f} changes/s"
    )
    for label in (SAME_FILE, OTHER_FILE, FORGOTTEN):
        print(f"{label}: {_share(results[label], imported)} of the first import (median)")
    if profile:
        print("\nProfile of one more first import:\n" + profile)


def _share(part: Samples, whole: Samples) -> str:
    return f"{part.median / whole.median * 100:.1f}%"

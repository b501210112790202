"""Importing a bundle of 100,000 changes, and importing it again.

A laptop's vault holds one storyteller (with full consent) and ``BENCH_SYNC_EVENTS`` timeline
events (10,000 by default; 10 fields each, so 100,012 changes with the storyteller and consent
record), written locally in one transaction through ``records.insert``: that local write is
the baseline. The laptop exports them all in one bundle (``plan_export`` and ``export_bundle``
timed apart), a fresh hub vault imports it, then imports the same file again (a duplicate:
nothing changes), then once more after forgetting that it had (every change is then checked
one by one and found already here, as when the same changes come again in another bundle).

Printed: each step's time, changes per second and its ratio to the local write of the same
rows. Nothing is asserted about time but a generous bound (an import of 100,000 changes within
10 minutes). ``BENCH_PROFILE=1`` also profiles the first import (cProfile, top 25 cumulative).

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
from storycapture.sync.exporting import export_bundle, plan_export
from storycapture.sync.importing import ImportReport, import_bundles
from storycapture.sync.trust import TrustService
from tests.benchmarks._support import (
    FACILITATOR,
    PASSPHRASE,
    event_values,
    fast_kdf,
    fmt_mib,
    fmt_seconds,
    machine_note,
    print_table,
    timed,
)

EVENTS = int(os.environ.get("BENCH_SYNC_EVENTS", "10000"))
SANITY_SECONDS = 600


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


def _profiled(action: Any) -> tuple[Any, str]:
    profile = cProfile.Profile()
    result = profile.runcall(action)
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("cumulative").print_stats(25)
    return result, text.getvalue()


def test_a_bundle_of_100k_changes_imports_and_imports_again(tmp_path: Path) -> None:
    laptop, _ = VaultSession.create(tmp_path / "laptop", PASSPHRASE, kdf=fast_kdf)
    hub, _ = VaultSession.create(tmp_path / "hub", PASSPHRASE, kdf=fast_kdf)
    try:
        TrustService(laptop).add_recipient(TrustService(hub).identity().age_recipient, "Hub")
        TrustService(hub).trust_device(TrustService(laptop).identity().fingerprint, "Laptop")
        person = StorytellerService(laptop).add("Juniper", author=FACILITATOR, birth_year=1970)
        ConsentService(laptop).record(
            person.uuid,
            items=list(ConsentItem),
            how=ConsentHow.VERBAL,
            given_on="2026-03-02",
            facilitator="Priya",
            author=FACILITATOR,
        )
        values = _events(random.Random(20_260_302))

        def write_locally() -> None:
            with laptop.edit() as session:
                for event in values:
                    records.insert(laptop, session, TIMELINE_EVENT, person.uuid, event, FACILITATOR)

        local_s, _ = timed(write_locally)
        changes = _operations(laptop)
        plan_s, plan = timed(lambda: plan_export(laptop))
        assert len(plan.operations) == changes
        outbox = tmp_path / "outbox"
        outbox.mkdir()
        export_s, exported = timed(lambda: export_bundle(laptop, outbox, plan))
        bundle = exported.bundle.path

        def import_once() -> ImportReport:
            return import_bundles(hub, [bundle])

        profile = ""
        if os.environ.get("BENCH_PROFILE") == "1":
            (import_s, first), profile = _profiled(lambda: timed(import_once))
        else:
            import_s, first = timed(import_once)
        assert [b.status for b in first.bundles] == ["imported"], first.lines()
        assert first.new == EVENTS + 2 and _operations(hub) == changes

        again_s, again = timed(import_once)
        assert [b.status for b in again.bundles] == ["duplicate"], again.lines()
        assert _operations(hub) == changes

        with hub.edit() as session:
            session.execute(delete(models.BundleReceiptRow))
        merged_s, merged = timed(import_once)
        assert [b.status for b in merged.bundles] == ["imported"], merged.lines()
        assert merged.duplicate == changes and merged.new == 0 and _operations(hub) == changes
    finally:
        laptop.lock()
        hub.lock()

    def row(label: str, seconds: float) -> list[str]:
        return [
            label,
            fmt_seconds(seconds),
            f"{changes / seconds:,.0f}",
            f"{seconds / local_s:.2f}×",
        ]

    print_table(
        f"{changes:,} changes ({EVENTS:,} events), bundle {fmt_mib(exported.bundle.size)} "
        f"({machine_note()})",
        ["step", "time", "changes/s", "× local write"],
        [
            row("local write (records.insert, one transaction): baseline", local_s),
            row("plan_export", plan_s),
            row("export_bundle (with the plan)", export_s),
            row("import into a fresh vault", import_s),
            row("import again: duplicate bundle", again_s),
            row("import again, receipt forgotten: every change already here", merged_s),
        ],
    )
    if profile:
        print("\nProfile of the first import, top 25 cumulative:\n" + profile)
    assert import_s < SANITY_SECONDS

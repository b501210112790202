"""A bundle imported before, arriving again in a file of other bytes (encrypted afresh, so its
SHA-256 is another), is known as soon as its manifest is verified: its changes are not read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from storycapture.sync.bundle.write import write_bundle
from storycapture.sync.exporting import export_bundle, plan_export
from storycapture.sync.trust import TrustService
from tests.sync.test_sync import Place, add_person, places, state  # noqa: F401 - a fixture


def test_the_same_bundle_in_another_file_is_known_once_its_manifest_is_verified(
    places: dict[str, Place],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from storycapture.sync.importing import pipeline

    laptop, hub = places["Outreach 1"], places["Hub"]
    laptop.sends_to(hub)
    add_person(laptop.vault)
    plan = plan_export(laptop.vault)
    first = export_bundle(laptop.vault, laptop.outbox, plan).bundle
    manifest = first.manifest
    (tmp_path / "again").mkdir()
    again = write_bundle(
        tmp_path / "again",
        device_id=manifest.device_id,
        device_name=manifest.device_name,
        signing_key=laptop.vault.device_signing_key(),
        sequence=manifest.sequence,
        previous_bundle=manifest.previous_bundle,
        created_hlc=manifest.created_hlc,
        recipients=[r.age_recipient for r in TrustService(laptop.vault).recipients()],
        operations=plan.operations,
        media=plan.media,
    )
    assert again.bundle_id == first.bundle_id
    assert again.path.read_bytes() != first.path.read_bytes()
    assert [b.status for b in hub.receive(first.path).bundles] == ["imported"]
    before = state(hub.vault)

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the changes were read again")

    monkeypatch.setattr("storycapture.sync.bundle.read.parse_operations", never)
    monkeypatch.setattr(pipeline, "check_operations", never)
    (outcome,) = hub.receive(again.path).bundles
    assert outcome.status == "duplicate"
    assert outcome.message == "bundle 1 from Outreach 1 was already imported; nothing changed."
    assert state(hub.vault) == before
    monkeypatch.undo()

    # A trusted sender is still required: once revoked, even a known bundle is refused.
    TrustService(hub.vault).revoke_device(TrustService(laptop.vault).identity().fingerprint)
    (refused,) = hub.receive(again.path).refused
    assert refused.reason == "revoked"

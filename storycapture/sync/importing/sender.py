"""Who sent a bundle: its signer checked against the trusted devices, and its device bound to
that trust entry at its first bundle.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storycapture.crypto import keys
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.sync.bundle import BundleRefused, Manifest
from storycapture.sync.trust import TrustService


class Sender:
    """Checks a bundle's signer against the trusted devices (called once it verifies)."""

    def __init__(self, vault: VaultSession) -> None:
        self._vault = vault
        self.name = ""

    @property
    def vault(self) -> VaultSession:
        return self._vault

    def __call__(self, manifest: Manifest) -> None:
        vault = self._vault
        fingerprint = keys.fingerprint(manifest.signing_key)
        if manifest.signing_key == vault.device_signing_public_key:
            raise BundleRefused(
                "This bundle was made on this installation; there is nothing to import.",
                reason="own-bundle",
            )
        trust = TrustService(vault)
        with vault.read() as session:
            entry = trust.sender(session, manifest.signing_key)
            bound = session.scalars(
                select(models.SyncPeerRow).where(
                    models.SyncPeerRow.kind == "sender",
                    models.SyncPeerRow.device_id == manifest.device_id,
                )
            ).first()
        if entry is None:
            raise BundleRefused(
                f"This bundle comes from a device this installation does not trust "
                f"(“{manifest.device_name}”, fingerprint {fingerprint}), so nothing was "
                "imported. If you expected it, trust that device first.",
                reason="untrusted",
            )
        if entry.revoked_hlc is not None:
            raise BundleRefused(
                f"This bundle comes from “{entry.name}”, whose key was revoked, so nothing "
                "was imported.",
                reason="revoked",
            )
        wrong_device = entry.device_id is not None and entry.device_id != manifest.device_id
        if wrong_device or (bound is not None and bound.uuid != entry.uuid):
            raise BundleRefused(
                f"This bundle is signed by “{entry.name}” but says it comes from another "
                "device, so nothing was imported.",
                reason="wrong-device",
            )
        self.name = entry.name


def bind_device(session: Session, manifest: Manifest, sender: Sender) -> None:
    entry = TrustService(sender.vault).sender(session, manifest.signing_key)
    if entry is not None and entry.device_id is None:
        entry.device_id = manifest.device_id

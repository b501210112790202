"""Who this installation is, whom it sends bundles to, and whose bundles it accepts.

- Its **identity**: a device id, a name people recognise ("Outreach 2"), the age recipient
  (``age1…``) others encrypt bundles to, and the fingerprint of its signing key.
- **Recipients**: the age public keys it may send to (usually one: the programme hub).
- **Trusted devices**: senders whose bundles it accepts, named by the fingerprint of their
  signing key, compared by reading it aloud or from a printed sheet. A device's id is bound to
  its fingerprint at its first bundle, so a key cannot later speak for another device.
  Revoking keeps the entry (so its bundles are refused, not forgotten).
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from storycapture.crypto import keys
from storycapture.domain.errors import InvalidInput, NotFound
from storycapture.domain.text import SHORT, checked_text
from storycapture.services.records import new_uuid
from storycapture.services.vault import VaultSession
from storycapture.store import models

RECIPIENT = "recipient"
SENDER = "sender"
_DEVICE_NAME = "device_name"
_FINGERPRINT = re.compile(r"^(?:[0-9A-F]{32}|[0-9A-F]{16})$")


@dataclass(frozen=True)
class Identity:
    device_id: str
    device_name: str
    age_recipient: str
    fingerprint: str


@dataclass(frozen=True)
class Recipient:
    uuid: str
    name: str
    age_recipient: str


@dataclass(frozen=True)
class TrustedDevice:
    uuid: str
    name: str
    fingerprint: str
    device_id: str | None
    revoked: bool


FINGERPRINT_WORDS = (
    "A fingerprint is 32 letters and digits (0–9, A–F), as the other laptop shows it under "
    "Sharing in its settings, e.g. 3F2A 9C41 07BE 55D0 1B8E 6A2F C930 4D17."
)


def normalise_fingerprint(text: str, *, legacy: bool = False) -> str:
    """``ab12 CD34-…`` → ``AB12 CD34 …``: case, spaces and dashes do not matter. A fingerprint
    is 32 hex digits (128 bits); with ``legacy``, the older 16 digits are accepted too, to
    name a device trusted before."""
    digits = "".join(c for c in text.upper() if c not in " -:\t")
    if not _FINGERPRINT.match(digits) or (len(digits) != keys.FINGERPRINT_DIGITS and not legacy):
        raise InvalidInput(FINGERPRINT_WORDS)
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def _name(value: object) -> str:
    return checked_text(value, "name", SHORT, required=True)


class TrustService:
    def __init__(self, vault: VaultSession) -> None:
        self._vault = vault

    # --- this installation ------------------------------------------------------------------

    def device_name(self) -> str:
        stored = self._vault.setting(_DEVICE_NAME)
        return stored.decode() if stored else socket.gethostname() or "this laptop"

    def set_device_name(self, name: str) -> None:
        self._vault.set_setting(_DEVICE_NAME, _name(name).encode())

    def identity(self) -> Identity:
        vault = self._vault
        return Identity(
            device_id=vault.device_id,
            device_name=self.device_name(),
            age_recipient=vault.device_age_recipient,
            fingerprint=keys.fingerprint(vault.device_signing_public_key),
        )

    # --- recipients -------------------------------------------------------------------------

    def add_recipient(self, age_recipient: str, name: str) -> Recipient:
        text = age_recipient.strip()
        if not keys.is_age_recipient(text):
            raise InvalidInput(
                "That is not an age public key; it starts with “age1” and is 62 characters "
                "long, as the receiving installation shows it under Sharing in its settings."
            )
        with self._vault.edit() as session:
            if self._find(session, RECIPIENT, text) is not None:
                raise InvalidInput("That recipient is already on the list.")
            row = self._new_row(RECIPIENT, _name(name), text)
            session.add(row)
        return Recipient(row.uuid, row.name, row.key)

    def recipients(self) -> list[Recipient]:
        with self._vault.read() as session:
            rows = self._rows(session, RECIPIENT)
            return [Recipient(r.uuid, r.name, r.key) for r in rows if r.revoked_hlc is None]

    def remove_recipient(self, name_or_key: str) -> Recipient:
        with self._vault.edit() as session:
            row = self._pick(session, RECIPIENT, name_or_key, include_revoked=False)
            session.delete(row)
            return Recipient(row.uuid, row.name, row.key)

    # --- trusted devices --------------------------------------------------------------------

    def trust_device(self, fingerprint: str, name: str) -> TrustedDevice:
        key = normalise_fingerprint(fingerprint)
        if key == self.identity().fingerprint:
            raise InvalidInput("That is this installation's own fingerprint.")
        with self._vault.edit() as session:
            existing = self._find(session, SENDER, key)
            if existing is not None and existing.revoked_hlc is not None:
                raise InvalidInput(
                    "That device was revoked; a revoked key is never trusted again. "
                    "Ask for the device's new fingerprint instead."
                )
            if existing is not None:
                raise InvalidInput("That device is already trusted.")
            row = self._new_row(SENDER, _name(name), key)
            session.add(row)
            return _device(row)

    def devices(self, include_revoked: bool = True) -> list[TrustedDevice]:
        with self._vault.read() as session:
            rows = self._rows(session, SENDER)
            return [_device(r) for r in rows if include_revoked or r.revoked_hlc is None]

    def revoke_device(self, name_or_fingerprint: str) -> TrustedDevice:
        with self._vault.edit() as session:
            row = self._pick(session, SENDER, name_or_fingerprint, include_revoked=False)
            row.revoked_hlc = self._vault.clock.tick().encode()
            return _device(row)

    def sender(self, session: Session, signing_key: bytes) -> models.SyncPeerRow | None:
        """The trusted-device entry for a signing key (revoked ones too): by its fingerprint,
        or by the older 64-bit form a device was trusted by before."""
        for fingerprint in keys.fingerprints(signing_key):
            found = self._find(session, SENDER, fingerprint)
            if found is not None:
                return found
        return None

    # --- rows -------------------------------------------------------------------------------

    def _new_row(self, kind: str, name: str, key: str) -> models.SyncPeerRow:
        return models.SyncPeerRow(
            uuid=new_uuid(),
            kind=kind,
            name=name,
            key=key,
            device_id=None,
            added_hlc=self._vault.clock.tick().encode(),
            revoked_hlc=None,
        )

    @staticmethod
    def _rows(session: Session, kind: str) -> list[models.SyncPeerRow]:
        query = (
            select(models.SyncPeerRow)
            .where(models.SyncPeerRow.kind == kind)
            .order_by(models.SyncPeerRow.added_hlc)
        )
        return list(session.scalars(query))

    @staticmethod
    def _find(session: Session, kind: str, key: str) -> models.SyncPeerRow | None:
        query = select(models.SyncPeerRow).where(
            models.SyncPeerRow.kind == kind, models.SyncPeerRow.key == key
        )
        return session.scalars(query).first()

    def _pick(
        self, session: Session, kind: str, name_or_key: str, *, include_revoked: bool
    ) -> models.SyncPeerRow:
        wanted = name_or_key.strip()
        rows = [r for r in self._rows(session, kind) if include_revoked or r.revoked_hlc is None]
        try:
            as_fingerprint = (
                normalise_fingerprint(wanted, legacy=True) if kind == SENDER else wanted
            )
        except InvalidInput:
            as_fingerprint = wanted
        by_key = [r for r in rows if r.key == as_fingerprint]
        by_name = [r for r in rows if r.name.casefold() == wanted.casefold()]
        found = by_key or by_name
        what = "recipient" if kind == RECIPIENT else "trusted device"
        if not found:
            raise NotFound(f"There is no {what} called “{wanted}”.")
        if len(found) > 1:
            raise InvalidInput(f"More than one {what} is called “{wanted}”; use its key instead.")
        return found[0]


def _device(row: models.SyncPeerRow) -> TrustedDevice:
    return TrustedDevice(row.uuid, row.name, row.key, row.device_id, row.revoked_hlc is not None)

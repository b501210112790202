"""Consent: versioned records of what a storyteller agrees to, and withdrawal, which erases.

Withdrawal is crypto-shredding: the storyteller's key, every row of theirs and their history
are deleted in one transaction, a tombstone is written for sync, then their media files and any
old backups are removed and the database is compacted and its write-ahead log emptied, so no
copy of their words is left in any file of the vault.
"""

from __future__ import annotations

import datetime
import shutil
from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from storycapture.domain.authorship import Author
from storycapture.domain.errors import InvalidInput, NotFound
from storycapture.domain.story import ConsentRecord, Erasure
from storycapture.domain.text import SHORT, checked_text
from storycapture.domain.vocabulary import ConsentHow, ConsentItem
from storycapture.services import records
from storycapture.services.base import StoryService, as_date
from storycapture.services.kinds import CONSENT, ENTITY_KINDS, STORYTELLER, consent_from_record
from storycapture.services.vault import MEDIA_DIR, VaultSession, remove_backups
from storycapture.store import models
from storycapture.store.db import checkpoint_and_compact

SIGNATURE_LIMIT = 2 * 1024 * 1024
NEEDS_TAKING_PART = (
    "Consent is recorded only when they agree to take part; agreeing to anything else needs "
    "that first. If they would rather not take part, nothing needs recording; to stop taking "
    "part later, withdraw consent instead."
)
_ERASED_THROUGH = "erasures_cleaned_through"  # before: the latest clock cleaned up
_ERASED_COUNT = "erasures_cleaned"


class ConsentService(StoryService):
    def record(
        self,
        storyteller_uuid: str,
        *,
        items: Iterable[ConsentItem | str],
        how: ConsentHow | str,
        given_on: datetime.date | str,
        facilitator: str,
        author: Author,
        signature: bytes | None = None,
    ) -> ConsentRecord:
        """Record a new version of consent; earlier versions stay in the history.

        Taking part must be among ``items``: consent without it is refused (``InvalidInput``).
        """
        chosen = sorted({ConsentItem.parse(i).value for i in items})
        if ConsentItem.TAKE_PART.value not in chosen:
            # Consent to nothing is no consent: recording it would read as "consent recorded"
            # while every addition is refused. Someone who declines is simply not recorded.
            raise InvalidInput(NEEDS_TAKING_PART)
        given = as_date(given_on, "date consent was given")
        if given > datetime.date.today():
            raise InvalidInput("Consent cannot be given on a date that has not come yet.")
        if signature is not None and len(signature) > SIGNATURE_LIMIT:
            raise InvalidInput("The drawn signature is too large to keep; please draw it again.")
        how_value = ConsentHow.parse(how)
        values: dict[str, object] = {
            "items": chosen,
            "how": how_value.value,
            "given_on": given.isoformat(),
            "facilitator": checked_text(facilitator, "facilitator's name", SHORT, required=True),
            "signature": signature.hex() if signature else None,
            "deleted": False,
        }
        with self._vault.edit() as session:
            self._require_storyteller(session, storyteller_uuid)
            current = self._current_consent(session, storyteller_uuid)
            values["version"] = 1 if current is None else current.version + 1
            record = records.insert(self._vault, session, CONSENT, storyteller_uuid, values, author)
        return consent_from_record(record)

    def current(self, storyteller_uuid: str) -> ConsentRecord | None:
        with self._vault.read() as session:
            self._require_storyteller(session, storyteller_uuid)
            return self._current_consent(session, storyteller_uuid)

    def history(self, storyteller_uuid: str) -> list[ConsentRecord]:
        """Every version, oldest first."""
        with self._vault.read() as session:
            self._require_storyteller(session, storyteller_uuid)
            found = records.find(self._vault, session, CONSENT, storyteller_uuid)
        return sorted((consent_from_record(r) for r in found), key=lambda c: c.version)

    def withdraw(self, storyteller_uuid: str, *, author: Author) -> Erasure:
        """Erase the storyteller and everything of theirs on this device, for good."""
        vault = self._vault
        with vault.edit() as session:
            if session.get(models.StorytellerRow, storyteller_uuid) is None:
                raise NotFound("That storyteller is not on this device; nothing was erased.")
            hlc = vault.clock.tick().encode()
            erase_storyteller_rows(session, storyteller_uuid)
            session.add(
                models.TombstoneRow(
                    storyteller_uuid=storyteller_uuid,
                    hlc=hlc,
                    device_id=vault.device_id,
                    author=author.encode(),
                )
            )
        vault.forget_storyteller_key(storyteller_uuid)
        erase_leftovers(vault)
        return Erasure(storyteller_uuid, hlc, vault.device_id, author)

    def erasures(self) -> list[Erasure]:
        with self._vault.read() as session:
            rows = session.scalars(select(models.TombstoneRow).order_by(models.TombstoneRow.hlc))
            return [
                Erasure(r.storyteller_uuid, r.hlc, r.device_id, Author.decode(r.author))
                for r in rows
            ]


def erase_storyteller_rows(session: Session, storyteller_uuid: str) -> None:
    """Delete every row of a storyteller: their items, history, conflicts and key (the key
    last but one, the storyteller row last). Their media files go in ``erase_leftovers``."""
    for kind in ENTITY_KINDS.values():
        if kind is not STORYTELLER:
            table = kind.row
            session.execute(delete(table).where(table.storyteller_uuid == storyteller_uuid))
    for table in (models.OperationRow, models.SyncConflictRow, models.StorytellerKeyRow):
        session.execute(delete(table).where(table.storyteller_uuid == storyteller_uuid))
    session.execute(
        delete(models.StorytellerRow).where(models.StorytellerRow.uuid == storyteller_uuid)
    )


def erase_leftovers(vault: VaultSession) -> None:
    """Remove the files of erased storytellers, then compact the database and empty its log.

    Runs after every withdrawal, and again on unlock if a withdrawal was interrupted between
    its erasing transaction and this clean-up (see ``finish_interrupted_erasures``).
    """
    with vault.read() as session:
        erased = set(session.scalars(select(models.TombstoneRow.storyteller_uuid)))
    media_root = vault.data_dir / MEDIA_DIR
    for folder in media_root.iterdir() if media_root.is_dir() else ():
        if folder.name in erased:
            shutil.rmtree(folder, ignore_errors=True)
    remove_backups(vault.data_dir)
    # Counted, not dated: a withdrawal imported from another device can carry an older clock.
    vault.set_setting(_ERASED_COUNT, str(len(erased)).encode())
    checkpoint_and_compact(vault.engine)


def finish_interrupted_erasures(vault: VaultSession) -> bool:
    """Complete the clean-up of any withdrawal that a crash or power cut interrupted."""
    with vault.read() as session:
        count = session.scalar(select(func.count()).select_from(models.TombstoneRow)) or 0
        latest = session.scalar(select(func.max(models.TombstoneRow.hlc)))
    counted = vault.setting(_ERASED_COUNT)
    if counted is not None:
        interrupted = count > int(counted.decode())
    else:  # a vault cleaned before withdrawals were counted: compare clocks as then
        cleaned = (vault.setting(_ERASED_THROUGH) or b"").decode()
        interrupted = latest is not None and latest > cleaned
    if interrupted:
        erase_leftovers(vault)
        return True
    return False

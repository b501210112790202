"""Export: every change made on this installation since its last bundle that consent and
visibility allow, with the photos those changes bring, in one encrypted, signed bundle.

What goes, and what is held back:

- Only changes made on this installation (each device sends its own; the hub gathers them).
- Nothing of a storyteller who has not agreed to sharing with the programme team. If they
  agree later, their whole story goes in the next bundle.
- Never an item marked private. If it is made team or shareable later, its whole history goes
  then. An item that was shared and is then made private sends only that change of visibility,
  so the receiver marks it private too; its later words stay here.
- Never a real name: the change is sent with the name left out (``null``), so the receiver
  knows the field exists and the storyteller by their pseudonym only.
- Photos only with photo consent as well.
- Every withdrawal (tombstone) this installation knows of, once, so the storyteller is erased
  at the receiver too.

The next bundle starts where this one ended; that point (and the sequence number) advance only
once the bundle file is complete on the disk.
"""

from __future__ import annotations

import errno
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storycapture.crypto import DecryptionFailed
from storycapture.crypto.stream import EncryptionFailed, age_plaintext_size, open_decrypted
from storycapture.domain.errors import InvalidInput, StorageUnavailable, VaultDamaged
from storycapture.domain.vocabulary import ConsentItem, Visibility
from storycapture.services import records
from storycapture.services.kinds import CONSENT, ENTITY_KINDS, PHOTO, consent_from_record
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.sync.bundle import MediaItem, WrittenBundle, write_bundle
from storycapture.sync.trust import Recipient, TrustService

SEQUENCE = "sync:sequence"
LAST_BUNDLE = "sync:last_bundle"
EXPORTED_THROUGH = "sync:exported_through"
HELD_BACK = "sync:held_back"
ERASURES_SENT = "sync:erasures_sent"

# What never leaves this laptop, as (kind, field): real names, say.
# Kinds of item that never leave this installation (the hub's excerpts).
STAYING = [kind.name for kind in ENTITY_KINDS.values() if kind.stays_here]
NEVER_SENT_FIELDS = {(kind.name, name) for kind in ENTITY_KINDS.values() for name in kind.kept_here}


@dataclass
class ExportPlan:
    """What the next bundle will hold, counted for the person about to send it."""

    operations: list[dict[str, Any]] = field(default_factory=list)
    media: list[MediaItem] = field(default_factory=list)
    items: dict[str, int] = field(default_factory=dict)  # "events" → how many items change
    erasures: int = 0
    held_back: list[tuple[str, int]] = field(default_factory=list)  # (why, how many)
    missing_media: int = 0
    cursor: int = 0
    held_uuids: set[str] = field(default_factory=set)
    erasures_sent: set[str] = field(default_factory=set)

    @property
    def media_bytes(self) -> int:
        return sum(item.size for item in self.media)

    @property
    def is_empty(self) -> bool:
        return not self.operations

    def summary_lines(self) -> list[str]:
        """Plain sentences: what goes, and what stays on this laptop and why."""
        lines = []
        going = [_BY_MANY[what].words(n) for what, n in self.items.items() if n]
        if going:
            lines.append("Will be shared: " + ", ".join(going) + ".")
        if self.media:
            lines.append(
                f"With {len(self.media)} photo file{'s' if len(self.media) != 1 else ''} "
                f"({_size(self.media_bytes)})."
            )
        if self.erasures:
            lines.append(
                f"{self.erasures} withdrawal{'s' if self.erasures != 1 else ''}: "
                "the receiver erases those storytellers too."
            )
        for why, n in self.held_back:
            lines.append(f"Stays on this laptop: {n} {why}.")
        if self.missing_media:
            lines.append(
                f"{self.missing_media} photo file(s) could not be found on this laptop and "
                "will not be sent."
            )
        if self.is_empty:
            lines.insert(0, "Nothing new to share since the last bundle.")
        return lines


# Counted kinds by their plural (what ``ExportPlan.items`` is keyed by).
_BY_MANY = {kind.many: kind for kind in ENTITY_KINDS.values()}


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{max(1, n // 1024)} KB"
    return f"{n / (1024 * 1024):.0f} MB"


def _setting_int(vault: VaultSession, key: str) -> int:
    raw = vault.setting(key)
    return int(raw.decode()) if raw else 0


def _setting_set(vault: VaultSession, key: str) -> set[str]:
    raw = vault.setting(key)
    return set(json.loads(raw.decode())) if raw else set()


@dataclass
class _Shareable:
    """Who and what may leave this laptop now."""

    storytellers: set[str]
    photos_allowed: set[str]
    private: set[str]  # items marked private now


def _shareable(vault: VaultSession, session: Session) -> _Shareable:
    consents: dict[str, Any] = {}
    for record in records.find(vault, session, CONSENT):
        consent = consent_from_record(record)
        current = consents.get(record.storyteller_uuid)
        if current is None or consent.version > current.version:
            consents[record.storyteller_uuid] = consent
    storytellers = {s for s, c in consents.items() if c.allows(ConsentItem.SHARE_WITH_TEAM)}
    photos = {s for s, c in consents.items() if c.allows(ConsentItem.PHOTOS)}
    private: set[str] = set()
    for kind in ENTITY_KINDS.values():
        if "visibility" not in kind.sealed:
            continue
        for record in records.find(vault, session, kind, include_deleted=True):
            if record.values.get("visibility") == Visibility.PRIVATE.value:
                private.add(record.uuid)
    return _Shareable(storytellers, photos, private)


def plan_export(vault: VaultSession) -> ExportPlan:
    """Choose what the next bundle carries (nothing is written or changed)."""
    plan = ExportPlan()
    done_through = _setting_int(vault, EXPORTED_THROUGH)
    held_before = _setting_set(vault, HELD_BACK)
    erasures_sent = _setting_set(vault, ERASURES_SENT)
    ops = models.OperationRow
    with vault.read() as session:
        plan.cursor = session.scalar(select(func.max(ops.seq))) or 0
        share = _shareable(vault, session)
        mine = select(ops).where(
            ops.device_id == vault.device_id, ops.seq <= plan.cursor, ops.entity.notin_(STAYING)
        )
        candidates: dict[int, models.OperationRow] = {
            op.seq: op for op in session.scalars(mine.where(ops.seq > done_through))
        }
        # Storytellers and items held back before and free to go now: their whole history.
        released_people = held_before & share.storytellers
        released_items = held_before - share.private - released_people
        for chunk in in_chunks(sorted(released_people)):
            for op in session.scalars(mine.where(ops.storyteller_uuid.in_(chunk))):
                candidates[op.seq] = op
        for chunk in in_chunks(sorted(released_items)):
            for op in session.scalars(mine.where(ops.entity_uuid.in_(chunk))):
                candidates[op.seq] = op

        chosen: list[models.OperationRow] = []
        held_people: set[str] = set()
        held_items: set[str] = set()
        real_names: set[str] = set()
        for seq in sorted(candidates):
            op = candidates[seq]
            person = op.storyteller_uuid
            if person not in share.storytellers:
                held_people.add(person)
                continue
            private = op.entity_uuid in share.private
            photo_refused = op.entity == PHOTO.name and person not in share.photos_allowed
            if private or photo_refused:
                was_shared = op.entity_uuid not in held_before and _sent_before(
                    session, op.entity_uuid, done_through, vault.device_id
                )
                if private and was_shared and op.field == "visibility":
                    chosen.append(op)  # so the receiver marks it private too
                else:
                    held_items.add(op.entity_uuid)
                continue
            never_sent = (op.entity, op.field) in NEVER_SENT_FIELDS
            if never_sent and records.open_operation(vault, session, op) is not None:
                real_names.add(person)
            chosen.append(op)

        plan.operations = _operation_lines(vault, session, chosen)
        _count(plan, chosen)
        plan.media, plan.missing_media = _media(vault, session, chosen)

        # Withdrawals: every tombstone not sent yet, whichever device made it.
        tombstones = session.scalars(select(models.TombstoneRow).order_by(models.TombstoneRow.hlc))
        for tomb in tombstones:
            if tomb.storyteller_uuid in erasures_sent:
                continue
            plan.operations.append(
                {
                    "op": "erase",
                    "storyteller": tomb.storyteller_uuid,
                    "hlc": tomb.hlc,
                    "device": tomb.device_id,
                    "author": tomb.author,
                }
            )
            plan.erasures += 1
            erasures_sent.add(tomb.storyteller_uuid)

    # Whatever else was held before is decided again above, from its history.
    still_held = held_before & share.private
    plan.held_uuids = still_held | held_people | held_items
    plan.erasures_sent = erasures_sent
    if held_people:
        plan.held_back.append(
            (
                _plural(len(held_people), "storyteller") + " without consent to share with the "
                "programme team",
                len(held_people),
            )
        )
    if held_items:
        plan.held_back.append(
            ("private item" + ("s" if len(held_items) != 1 else ""), len(held_items))
        )
    if real_names:
        plan.held_back.append(
            ("real name" + ("s" if len(real_names) != 1 else ""), len(real_names))
        )
    return plan


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def in_chunks(values: list[str], size: int = 500) -> Iterable[list[str]]:
    """``values`` a few hundred at a time (SQLite limits the parameters of one query)."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _sent_before(session: Session, entity_uuid: str, done_through: int, device_id: str) -> bool:
    ops = models.OperationRow
    query = select(ops.seq).where(
        ops.entity_uuid == entity_uuid, ops.seq <= done_through, ops.device_id == device_id
    )
    return session.scalars(query.limit(1)).first() is not None


def _operation_lines(
    vault: VaultSession, session: Session, chosen: list[models.OperationRow]
) -> list[dict[str, Any]]:
    """The bundle's lines: each change with its value in the clear (the bundle is encrypted)
    and the change it replaced here (``base``), which lets a receiver tell a conflict."""
    ops = models.OperationRow
    earlier: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
    entities = sorted({op.entity_uuid for op in chosen})
    for chunk in in_chunks(entities):
        rows = session.execute(
            select(ops.entity_uuid, ops.field, ops.seq, ops.hlc, ops.device_id).where(
                ops.entity_uuid.in_(chunk)
            )
        )
        for entity_uuid, field_name, seq, hlc, device in rows:
            earlier[(entity_uuid, field_name)].append((seq, hlc, device))
    lines = []
    for op in chosen:
        replaced = records.last_seen(
            earlier[(op.entity_uuid, op.field)], op.seq, (op.hlc, op.device_id)
        )
        base = list(replaced) if replaced else None
        if (op.entity, op.field) in NEVER_SENT_FIELDS:
            value = None
        else:
            value = records.open_operation(vault, session, op)
        lines.append(
            {
                "op": "set",
                "entity": op.entity,
                "uuid": op.entity_uuid,
                "storyteller": op.storyteller_uuid,
                "field": op.field,
                "value": value,
                "hlc": op.hlc,
                "device": op.device_id,
                "author": op.author,
                "base": base,
            }
        )
    return lines


def _count(plan: ExportPlan, chosen: list[models.OperationRow]) -> None:
    changed: dict[str, set[str]] = defaultdict(set)
    for op in chosen:
        changed[op.entity].add(op.entity_uuid)
    plan.items = {kind.many: len(changed.get(kind.name, ())) for kind in ENTITY_KINDS.values()}


def _media(
    vault: VaultSession, session: Session, chosen: list[models.OperationRow]
) -> tuple[list[MediaItem], int]:
    """The photo files of photos this bundle creates (photo files never change)."""
    created = sorted(
        {
            (op.storyteller_uuid, op.entity_uuid)
            for op in chosen
            if op.entity == PHOTO.name and op.field == "original_name"
        }
    )
    items: list[MediaItem] = []
    missing = 0
    for storyteller_uuid, photo_uuid in created:
        path = vault.media_dir(storyteller_uuid) / f"{photo_uuid}.age"
        if not path.is_file():
            missing += 1
            continue
        identity, _recipient = vault.storyteller_age_keys(session, storyteller_uuid)
        items.append(
            MediaItem(
                storyteller_uuid=storyteller_uuid,
                photo_uuid=photo_uuid,
                size=age_plaintext_size(path),
                open=_opener(path, identity),
            )
        )
    return items, missing


def _opener(path: Path, identity: str) -> Callable[[], Any]:
    return lambda: open_decrypted(path, [identity])


@dataclass(frozen=True)
class ExportResult:
    bundle: WrittenBundle
    plan: ExportPlan
    sequence: int


def export_bundle(
    vault: VaultSession,
    directory: Path,
    plan: ExportPlan | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExportResult:
    """Write the next bundle into ``directory`` for every recipient on the list."""
    trust = TrustService(vault)
    recipients = trust.recipients()
    if not recipients:
        raise InvalidInput(
            "There is no one to send to yet: add the hub's key first, under Settings → Sharing "
            "(or with the recipients add command)."
        )
    directory = Path(directory)
    if not directory.is_dir():
        raise StorageUnavailable(f"The folder “{directory}” does not exist or is not a folder.")
    plan = plan or plan_export(vault)
    if plan.is_empty:
        raise InvalidInput("Nothing new to share since the last bundle, so no file was written.")
    sequence = _setting_int(vault, SEQUENCE) + 1
    previous = vault.setting(LAST_BUNDLE)
    try:
        written = _write(vault, trust, directory, plan, sequence, previous, recipients, progress)
    except FileExistsError as error:
        raise StorageUnavailable(
            f"A bundle numbered {sequence} is already in that folder; nothing was written. "
            "If it is an old copy, move it away first."
        ) from error
    except OSError as error:
        if error.errno == errno.ENOSPC:
            raise StorageUnavailable(
                "The disk or memory stick is full, so the bundle was not written; nothing "
                "was changed here."
            ) from error
        raise StorageUnavailable(
            f"The bundle could not be written ({error.strerror or error}); nothing was "
            "changed here."
        ) from error
    except EncryptionFailed as error:
        raise StorageUnavailable(
            "The bundle could not be written; nothing was changed here."
        ) from error
    except DecryptionFailed as error:
        raise VaultDamaged(
            "A photo stored on this laptop is damaged, so the bundle was not written. "
            "Nothing else is affected."
        ) from error
    # The file is complete and on the disk: only now does the next bundle start after it.
    with vault.edit() as session:
        for key, value in (
            (SEQUENCE, str(sequence)),
            (LAST_BUNDLE, written.bundle_id),
            (EXPORTED_THROUGH, str(plan.cursor)),
            (HELD_BACK, json.dumps(sorted(plan.held_uuids))),
            (ERASURES_SENT, json.dumps(sorted(plan.erasures_sent))),
        ):
            session.merge(models.VaultMeta(key=f"setting:{key}", value=value.encode()))
    return ExportResult(written, plan, sequence)


def _write(
    vault: VaultSession,
    trust: TrustService,
    directory: Path,
    plan: ExportPlan,
    sequence: int,
    previous: bytes | None,
    recipients: list[Recipient],
    progress: Callable[[int, int], None] | None,
) -> WrittenBundle:
    return write_bundle(
        directory,
        device_id=vault.device_id,
        device_name=trust.device_name(),
        signing_key=vault.device_signing_key(),
        sequence=sequence,
        previous_bundle=previous.decode() if previous else None,
        created_hlc=vault.clock.tick().encode(),
        recipients=[r.age_recipient for r in recipients],
        operations=plan.operations,
        media=plan.media,
        progress=progress,
    )

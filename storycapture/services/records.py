"""The one write path of the story model: seal each field, append it to the operation log,
in the same transaction. Every service builds on these few functions.

A record is a row of one of the entity tables; its personal fields are sealed under the
storyteller's key, and every change to a field is also an operation ``(entity, uuid, field,
value, clock, device, author)``, sealed the same way. The log is what item history reads and
what sync carries.

The kinds of record, and how each becomes what the app shows, are defined once, in
``services.kinds``.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from storycapture.domain.authorship import Author
from storycapture.domain.errors import NotFound, VaultDamaged
from storycapture.services.kinds import (
    ENTITY_KINDS,
    STORYTELLER,
    WORDS_BY,
    EntityKind,
    StoredRecord,
)
from storycapture.services.vault import VaultSession
from storycapture.store import models
from storycapture.store.fields import (
    FieldDamaged,
    Sealer,
    decode_value,
    encode_value,
    open_field,
    open_plaintext,
    seal_plaintext,
)
from storycapture.store.seals import columns_message, sealed_columns


@dataclass(frozen=True)
class FieldChange:
    """One entry of an item's history: what a field was set to, when, where and by whom."""

    field: str
    value: Any
    hlc: str
    device_id: str
    author: Author


def new_uuid() -> str:
    return str(uuid_module.uuid4())


def _operation_aad_column(entity: str, field: str, hlc: str) -> str:
    return f"{entity}.{field}@{hlc}"


def _log(
    vault: VaultSession,
    session: Session,
    kind: EntityKind,
    record_uuid: str,
    storyteller_uuid: str,
    changes: dict[str, Any],
    hlc: str,
    author: Author,
) -> None:
    for field, value in changes.items():
        log_change(
            vault,
            session,
            kind,
            record_uuid,
            storyteller_uuid,
            field,
            value,
            stamp=(hlc, vault.device_id),
            author=author.encode(),
        )


def log_change(
    vault: VaultSession,
    session: Session,
    kind: EntityKind,
    record_uuid: str,
    storyteller_uuid: str,
    field: str,
    value: Any,
    *,
    stamp: tuple[str, str],
    author: str,
    base: tuple[str, str] | None = None,
) -> models.OperationRow:
    """Append one change to the log, its value sealed (and the row sealed as it is flushed).
    ``stamp`` is (clock, device); a change made elsewhere also names the change to the same
    field its device had seen last (``base``); one made here leaves it to the log's order."""
    op = models.OperationRow(
        **operation_values(
            vault,
            session,
            kind,
            record_uuid,
            storyteller_uuid,
            field,
            value,
            stamp=stamp,
            author=author,
            base=base,
        )
    )
    session.add(op)
    return op


def operation_values(
    vault: VaultSession,
    session: Session,
    kind: EntityKind,
    record_uuid: str,
    storyteller_uuid: str,
    field: str,
    value: Any,
    *,
    stamp: tuple[str, str],
    author: str,
    base: tuple[str, str] | None = None,
    plaintext: bytes | None = None,
) -> dict[str, Any]:
    """The columns of one log entry (see :func:`log_change`), its value sealed; not its row
    seal, made as it is written. ``plaintext`` is ``encode_value(value)`` if the caller has
    made it already."""
    return {
        "storyteller_uuid": storyteller_uuid,
        "entity": kind.name,
        "entity_uuid": record_uuid,
        "field": field,
        "value": seal_plaintext(
            vault.cipher(session, storyteller_uuid),
            "operations",
            _operation_aad_column(kind.name, field, stamp[0]),
            record_uuid,
            storyteller_uuid,
            encode_value(value) if plaintext is None else plaintext,
        ),
        "hlc": stamp[0],
        "device_id": stamp[1],
        "author": author,
        "base_hlc": base[0] if base else None,
        "base_device": base[1] if base else None,
    }


def last_seen(logged: list[tuple[int, str, str]], seq: int, stamp: tuple[str, str]) -> Any:
    """The change a change made here replaced: of the changes to the same field logged
    (``(seq, clock, device)``), the latest that came before it both in this log and in time;
    ``None`` if there is none. Export sends it as the change's base; import reads it to tell a
    conflict from an edit."""
    seen = [
        (hlc, device) for earlier, hlc, device in logged if earlier < seq and (hlc, device) < stamp
    ]
    return max(seen) if seen else None


def logged_change(
    vault: VaultSession, session: Session, record_uuid: str, field: str, stamp: tuple[str, str]
) -> models.OperationRow | None:
    """The logged change to ``field`` of a record made at ``stamp`` (clock, device), its seal
    checked; or ``None``."""
    ops = models.OperationRow
    op = session.scalars(
        select(ops).where(
            ops.entity_uuid == record_uuid,
            ops.field == field,
            ops.hlc == stamp[0],
            ops.device_id == stamp[1],
        )
    ).first()
    if op is not None and not vault.seal_is_good(session, op):
        raise _damaged(ENTITY_KINDS.get(op.entity, STORYTELLER))
    return op


def author_of_change(
    vault: VaultSession, session: Session, record_uuid: str, stamp: tuple[str, str]
) -> str | None:
    """Who made the logged change(s) of a record at ``stamp`` (encoded), seal checked."""
    ops = models.OperationRow
    op = session.scalars(
        select(ops).where(
            ops.entity_uuid == record_uuid, ops.hlc == stamp[0], ops.device_id == stamp[1]
        )
    ).first()
    if op is None:
        return None
    if not vault.seal_is_good(session, op):
        raise _damaged(ENTITY_KINDS.get(op.entity, STORYTELLER))
    return op.author


def new_row(
    kind: EntityKind,
    record_uuid: str,
    storyteller_uuid: str,
    *,
    created_hlc: str,
    updated_hlc: str,
    author: str,
) -> Any:
    """An empty row of ``kind`` (its fields are then set with :func:`set_field`)."""
    row = kind.row(
        uuid=record_uuid, created_hlc=created_hlc, updated_hlc=updated_hlc, author=author
    )
    if kind is not STORYTELLER:
        row.storyteller_uuid = storyteller_uuid
    return row


def set_field(
    vault: VaultSession, session: Session, kind: EntityKind, row: Any, field: str, value: Any
) -> None:
    """Set one field of a row as stored (see :func:`stored_value`)."""
    column, stored = stored_value(
        vault, session, kind, row.uuid, row.storyteller_uuid, field, value
    )
    setattr(row, column, stored)


def stored_value(
    vault: VaultSession,
    session: Session,
    kind: EntityKind,
    record_uuid: str,
    storyteller_uuid: str,
    field: str,
    value: Any,
    plaintext: bytes | None = None,
) -> tuple[str, Any]:
    """(column, value as stored) of one field of a record: sealed if it is personal, as a
    flag if it is ``deleted``; ``words_by`` (whose words the item holds) is the row's author.
    ``plaintext`` is ``encode_value(value)`` if the caller has made it already."""
    if field == WORDS_BY:
        return "author", Author.decode(value).encode()
    if field in kind.sealed:
        cipher = vault.cipher(session, storyteller_uuid)
        if plaintext is None:
            plaintext = encode_value(value)
        return field, seal_plaintext(
            cipher, kind.table, field, record_uuid, storyteller_uuid, plaintext
        )
    if field == "deleted":
        return field, bool(value)
    if field not in kind.plain:
        raise ValueError(f"{kind.name} has no field {field}")
    return field, value


def placeholder_storyteller(
    vault: VaultSession,
    session: Session,
    storyteller_uuid: str,
    *,
    hlc: str,
    author: str,
    age_identity: str | None,
) -> Any:
    """A storyteller of whom only part has arrived: their key and an empty row, not shown
    (``complete`` is false) until every field of theirs is here."""
    _cipher, key_row = vault.new_storyteller_keys(storyteller_uuid, age_identity)
    row = new_row(
        STORYTELLER,
        storyteller_uuid,
        storyteller_uuid,
        created_hlc=hlc,
        updated_hlc=hlc,
        author=author,
    )
    row.complete = False
    for field in STORYTELLER.sealed:
        set_field(vault, session, STORYTELLER, row, field, None)
    session.add(row)
    session.flush()  # the row first: the key row refers to it
    session.add(key_row)
    session.flush()
    return row


def insert(
    vault: VaultSession,
    session: Session,
    kind: EntityKind,
    storyteller_uuid: str,
    values: dict[str, Any],
    author: Author,
    record_uuid: str | None = None,
) -> StoredRecord:
    """Add a record with every field of its kind set (missing ones are ``None``)."""
    unknown = set(values) - set(kind.fields)
    if unknown:
        raise ValueError(f"{kind.name} has no fields {sorted(unknown)}")
    record_uuid = record_uuid or new_uuid()
    if kind is STORYTELLER:
        storyteller_uuid = record_uuid
    full = {field: values.get(field) for field in kind.fields}
    if "deleted" in full:
        full["deleted"] = bool(full["deleted"])
    hlc = vault.clock.tick().encode()
    key_row = None
    if kind is STORYTELLER:
        _cipher, key_row = vault.new_storyteller_keys(storyteller_uuid)
    row = new_row(
        kind,
        record_uuid,
        storyteller_uuid,
        created_hlc=hlc,
        updated_hlc=hlc,
        author=author.encode(),
    )
    for field in kind.fields:
        set_field(vault, session, kind, row, field, full[field])
    session.add(row)
    session.flush()  # the row first: the storyteller's key and log rows refer to it
    if key_row is not None:
        session.add(key_row)
    _log(vault, session, kind, record_uuid, storyteller_uuid, full, hlc, author)
    return StoredRecord(record_uuid, storyteller_uuid, hlc, hlc, author, full)


def update(
    vault: VaultSession,
    session: Session,
    kind: EntityKind,
    record_uuid: str,
    changes: dict[str, Any],
    author: Author,
    *,
    words_by: Author | None = None,
    words_fields: tuple[str, ...] = (),
) -> StoredRecord:
    """Change some fields of a record; unchanged values are not logged again.

    ``words_by`` changes whose words the item holds (the storyteller's or a facilitator's):
    the item's author becomes ``words_by``, and its ``words_fields`` are logged again as
    written by them, so the item's history shows when its words became whose."""
    unknown = set(changes) - set(kind.fields)
    if unknown:
        raise ValueError(f"{kind.name} has no fields {sorted(unknown)}")
    row = _row(vault, session, kind, record_uuid)
    current = _open_row(vault, session, kind, row, checked=True)
    changed = {f: v for f, v in changes.items() if current.values.get(f) != v}
    item_author = current.author
    if words_by is not None and words_by != current.author:
        item_author = words_by
        row.author = words_by.encode()
        if not kind.reattributable:
            raise ValueError(f"whose words {kind.name} holds cannot be changed")
        reattributed = {f: current.values[f] for f in words_fields}
        reattributed[WORDS_BY] = words_by.encode()
        hlc = vault.clock.tick().encode()
        row.updated_hlc = hlc
        person = current.storyteller_uuid
        _log(vault, session, kind, record_uuid, person, reattributed, hlc, words_by)
        current = StoredRecord(
            record_uuid, person, current.created_hlc, hlc, words_by, current.values
        )
    if not changed:
        return current
    hlc = vault.clock.tick().encode()
    storyteller_uuid = current.storyteller_uuid
    for field, value in changed.items():
        set_field(vault, session, kind, row, field, value)
    row.updated_hlc = hlc
    _log(vault, session, kind, record_uuid, storyteller_uuid, changed, hlc, author)
    return StoredRecord(
        record_uuid,
        storyteller_uuid,
        current.created_hlc,
        hlc,
        item_author,
        {**current.values, **changed},
    )


def get(vault: VaultSession, session: Session, kind: EntityKind, record_uuid: str) -> StoredRecord:
    return _open_row(vault, session, kind, _row(vault, session, kind, record_uuid), checked=True)


def get_many(
    vault: VaultSession,
    session: Session,
    kind: EntityKind,
    record_uuids: list[str],
    written: Mapping[str, Mapping[str, tuple[bytes, Any]]] | None = None,
) -> Iterator[StoredRecord]:
    """:func:`get` of each of ``record_uuids`` in turn, the rows read a few hundred to a
    query: each row's seal checked and its fields opened as it comes (what is wrong with one
    is raised when its turn comes, as a loop of :func:`get` would).

    ``written`` (uuid → field → (plaintext, value)) names fields the caller has just sealed
    from ``value``, encoded as ``plaintext`` (``encode_value``): every field is still opened,
    from the row as read back, but one that opens to exactly that plaintext is taken as that
    value rather than decoded again (decoding ``encode_value`` of a JSON value gives it back:
    the values of a bundle or of the log are read from JSON). Any other is decoded."""
    no_hints: Mapping[str, tuple[bytes, Any]] = {}
    table = kind.row.__table__
    session.flush()  # read past the ORM: what it holds unwritten is written first
    for start in range(0, len(record_uuids), _MANY):
        chunk = record_uuids[start : start + _MANY]
        query = _plain_rows(kind).where(table.c.uuid.in_(chunk))  # no ORM objects
        rows = {row.uuid: row for row in session.connection().execute(query)}
        for record_uuid in chunk:
            row = rows.get(record_uuid)
            if row is not None and not vault.seal_is_good(session, row, kind.row):
                raise _damaged(kind)
            if row is None or (kind is STORYTELLER and not row.complete):
                raise _not_found(kind)
            hints = written.get(record_uuid, no_hints) if written else no_hints
            yield _open_row(vault, session, kind, row, checked=True, written=hints)


_MANY = 500  # ids per IN (...) query


def find(
    vault: VaultSession,
    session: Session,
    kind: EntityKind,
    storyteller_uuid: str | None = None,
    include_deleted: bool = False,
    damaged: list[str] | None = None,
) -> list[StoredRecord]:
    """The rows of ``kind`` (one storyteller's, or everyone's), opened. A row that does not
    open or whose seal does not match (altered, or under a damaged key) raises
    :class:`VaultDamaged`; or, when ``damaged`` is given, it is left out and its id added
    there, so one damaged item hides only itself."""
    table = kind.row.__table__
    query = _plain_rows(kind)  # plain rows, no ORM objects: a first list reads hundreds
    if storyteller_uuid is not None:
        column = table.c.uuid if kind is STORYTELLER else table.c.storyteller_uuid
        query = query.where(column == storyteller_uuid)
    query = query.order_by(table.c.created_hlc)
    # Deleted and partly arrived rows are read too: whether a row is deleted is itself sealed,
    # so it is checked before it is believed (a row hidden from outside is damage, not gone).
    session.flush()  # read past the ORM: what it holds unwritten is written first
    rows = session.connection().execute(query).all()
    if storyteller_uuid is None:
        vault.preload_ciphers(session, {row.storyteller_uuid for row in rows})
    opened = []
    for row in rows:
        try:
            if not vault.seal_is_good(session, row, kind.row):
                raise _damaged(kind)
            if not _shown(kind, row, include_deleted):
                continue
            opened.append(_open_row(vault, session, kind, row, checked=True))
        except VaultDamaged:
            if damaged is None:
                raise
            damaged.append(row.uuid)
    return opened


class OpenedFields(NamedTuple):
    """Some sealed fields of one row, opened (what :func:`read_fields` gives)."""

    uuid: str
    storyteller_uuid: str
    values: dict[str, Any]


def read_fields(
    vault: VaultSession,
    session: Session,
    kind: EntityKind,
    storyteller_uuids: Collection[str],
    fields: tuple[str, ...],
) -> list[OpenedFields]:
    """Some sealed fields of the shown rows of ``kind`` of many storytellers, oldest first
    (each storyteller's rows in :func:`find`'s order), read with one plain query and no ORM
    objects: for reading much at once (the search index after unlock).

    Each row's seal is checked as :func:`find` checks it; a row that is damaged (its seal does
    not match, or one of ``fields`` does not open) is left out, as ``find`` with ``damaged``
    leaves it out. Rows stored as deleted (or storytellers only partly arrived) are not even
    read: ``find`` would not show them either, whether their flag is true or was altered."""
    vault.preload_ciphers(session, set(storyteller_uuids))
    # Read by position, each storyteller's sealer looked up once: this runs for every row
    # the search index reads after unlock (a hundred thousand at a hub).
    layout = sealed_columns(kind.row)  # type: ignore[arg-type]
    width = len(layout)
    at_uuid = layout.index("uuid")
    at_owner = width + 1 if kind is STORYTELLER else layout.index("storyteller_uuid")
    wanted = [(field, layout.index(field), field in kind.added_later) for field in fields]
    table = kind.table
    sealers: dict[str, Sealer | None] = {}
    opened = []
    for row in session.connection().execute(_shown_rows(kind, storyteller_uuids)):
        person = row[at_owner]
        if person not in sealers:
            try:
                sealers[person] = vault.cipher(session, person)
            except VaultDamaged:
                sealers[person] = None
        sealer = sealers[person]
        if sealer is None:
            continue
        seal = row[width]
        if seal is None:  # a vault not sealed yet: as ``seal_is_good`` answers
            if not vault.seal_is_good(session, row, kind.row):
                continue
        elif not sealer.mac_matches(columns_message(kind.row, row[:width]), seal):
            continue
        uuid = row[at_uuid]
        values: dict[str, Any] = {}
        try:
            for field, at, added_later in wanted:
                sealed = row[at]
                if sealed is None and added_later:
                    values[field] = None
                else:
                    values[field] = open_field(sealer, table, field, uuid, person, sealed)
        except FieldDamaged:
            continue
        opened.append(OpenedFields(uuid, person, values))
    return opened


def _shown_rows(kind: EntityKind, storyteller_uuids: Collection[str]) -> Select[Any]:
    """The rows of ``kind`` that may be shown, of some storytellers, oldest first, as plain
    rows as :meth:`VaultSession.seal_is_good` reads them: the sealed columns first, in the
    seal's order, then ``seal`` and ``storyteller_uuid``."""
    table = kind.row.__table__
    query = _plain_rows(kind)
    if kind is STORYTELLER:  # the storytellers' own rows: their id is their storyteller's
        owner = table.c.uuid
        query = query.where(table.c.complete.is_(True))
    else:
        owner = table.c.storyteller_uuid
    if "deleted" in kind.plain:
        query = query.where(table.c.deleted.is_(False))
    return query.where(owner.in_(list(storyteller_uuids))).order_by(table.c.created_hlc)


def _plain_rows(kind: EntityKind) -> Select[Any]:
    """Rows of ``kind`` as plain result rows, as :meth:`VaultSession.seal_is_good` reads them:
    the sealed columns first, in the seal's order, then ``seal`` and ``storyteller_uuid``."""
    table = kind.row.__table__
    layout = sealed_columns(kind.row)  # type: ignore[arg-type]
    columns = [table.c[name] for name in layout] + [table.c.seal]
    if kind is STORYTELLER:
        return select(*columns, table.c.uuid.label("storyteller_uuid"))
    return select(*columns)


def _shown(kind: EntityKind, row: Any, include_deleted: bool) -> bool:
    if kind is STORYTELLER:
        return bool(row.complete)
    return include_deleted or not ("deleted" in kind.plain and row.deleted)


def uuids(session: Session, kind: EntityKind) -> list[str]:
    """The ids of every (complete, not deleted) row of ``kind``, without opening any."""
    query = select(kind.row.uuid)
    if "deleted" in kind.plain:
        query = query.where(kind.row.deleted.is_(False))
    if kind is STORYTELLER:
        query = query.where(kind.row.complete.is_(True))
    return list(session.scalars(query))


def open_operation(vault: VaultSession, session: Session, op: models.OperationRow) -> Any:
    """The value one logged change set its field to."""
    if not vault.seal_is_good(session, op):
        raise _damaged(ENTITY_KINDS[op.entity])
    try:
        return open_field(
            vault.cipher(session, op.storyteller_uuid),
            "operations",
            _operation_aad_column(op.entity, op.field, op.hlc),
            op.entity_uuid,
            op.storyteller_uuid,
            op.value,
        )
    except FieldDamaged as error:
        raise _damaged(ENTITY_KINDS[op.entity]) from error


def history(
    vault: VaultSession, session: Session, kind: EntityKind, record_uuid: str
) -> list[FieldChange]:
    """Every value each field of a record has had, oldest first."""
    query = (
        select(models.OperationRow)
        .where(models.OperationRow.entity == kind.name)
        .where(models.OperationRow.entity_uuid == record_uuid)
        .order_by(models.OperationRow.hlc, models.OperationRow.device_id, models.OperationRow.seq)
    )
    changes = []
    for op in session.scalars(query):
        value = open_operation(vault, session, op)  # its seal checked, then opened
        changes.append(FieldChange(op.field, value, op.hlc, op.device_id, Author.decode(op.author)))
    return changes


def _row(vault: VaultSession, session: Session, kind: EntityKind, record_uuid: str) -> Any:
    row = session.get(kind.row, record_uuid)
    if row is not None and not vault.seal_is_good(session, row):
        raise _damaged(kind)
    if row is None or (kind is STORYTELLER and not row.complete):
        raise _not_found(kind)
    return row


def _not_found(kind: EntityKind) -> NotFound:
    return NotFound(f"We couldn't find {kind.label} with that reference; it may have been erased.")


def _damaged(kind: EntityKind) -> VaultDamaged:
    return VaultDamaged(
        f"Part of this vault ({kind.label}) has been altered or damaged, so it is not shown. "
        "Nothing else is affected."
    )


def _open_row(
    vault: VaultSession,
    session: Session,
    kind: EntityKind,
    row: Any,
    *,
    checked: bool = False,
    written: Mapping[str, tuple[bytes, Any]] | None = None,
) -> StoredRecord:
    if not checked and not vault.seal_is_good(session, row):
        raise _damaged(kind)
    values = _open_fields(vault, session, kind, row, kind.sealed, written)
    for field in kind.plain:
        values[field] = getattr(row, field)
    return StoredRecord(
        row.uuid,
        row.storyteller_uuid,
        row.created_hlc,
        row.updated_hlc,
        Author.decode(row.author),
        values,
    )


def _open_fields(
    vault: VaultSession,
    session: Session,
    kind: EntityKind,
    row: Any,
    fields: tuple[str, ...],
    written: Mapping[str, tuple[bytes, Any]] | None = None,
) -> dict[str, Any]:
    """The values of some sealed fields of a row (an ORM object or a plain result row);
    ``written`` as :func:`get_many` takes it, for this row."""
    storyteller_uuid = row.storyteller_uuid
    cipher = vault.cipher(session, storyteller_uuid)
    table = kind.table
    values: dict[str, Any] = {}
    try:
        for field in fields:
            sealed = getattr(row, field)
            if sealed is None and field in kind.added_later:
                values[field] = None
                continue
            plaintext = open_plaintext(cipher, table, field, row.uuid, storyteller_uuid, sealed)
            expected = written.get(field) if written else None
            if expected is not None and expected[0] == plaintext:
                values[field] = expected[1]
            else:
                values[field] = decode_value(plaintext, table, field, row.uuid)
    except FieldDamaged as error:
        raise _damaged(kind) from error
    return values

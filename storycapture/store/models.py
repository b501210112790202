"""The vault's tables. Every personal field is a sealed blob (see ``store.fields``); only ids,
clocks, authorship, version numbers and deletion flags are stored in the clear, and those are
covered by each row's seal (see ``store.seals``).

Changing anything here needs a new Alembic revision in ``store/migrations/versions``.
"""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

UUID_LEN = 36
HLC_LEN = 22


class Base(DeclarativeBase):
    pass


class VaultMeta(Base):
    """The vault header and small settings: key-derivation parameters, wrapped keys, device id."""

    __tablename__ = "vault_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[bytes] = mapped_column(LargeBinary)


class _Record:
    uuid: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    created_hlc: Mapped[str] = mapped_column(String(HLC_LEN))
    updated_hlc: Mapped[str] = mapped_column(String(HLC_LEN))
    author: Mapped[str] = mapped_column(String(100))
    # A MAC of every column under the storyteller's key (``store.seals``): the columns kept in
    # the clear cannot be changed outside the app unnoticed. Empty only in rows written before
    # revision 0004, until the first unlock seals them.
    seal: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)


def _storyteller_fk() -> Mapped[str]:
    return mapped_column(
        String(UUID_LEN), ForeignKey("storytellers.uuid", ondelete="CASCADE"), index=True
    )


class StorytellerRow(_Record, Base):
    __tablename__ = "storytellers"
    pseudonym: Mapped[bytes] = mapped_column(LargeBinary)
    real_name: Mapped[bytes] = mapped_column(LargeBinary)
    birth_year: Mapped[bytes] = mapped_column(LargeBinary)
    role: Mapped[bytes] = mapped_column(LargeBinary)
    notes: Mapped[bytes] = mapped_column(LargeBinary)
    # What new items are by default, as the storyteller chose it (sealed); empty for
    # storytellers recorded before the choice was asked.
    default_visibility: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    # False while only part of an imported storyteller has arrived (a later bundle of the
    # device that made them came first): their changes are kept, but they are not shown.
    complete: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    @property
    def storyteller_uuid(self) -> str:
        return self.uuid


class StorytellerKeyRow(Base):
    """A storyteller's field key and age identity, wrapped by the vault key. Deleting this row
    is what makes their remaining ciphertexts unreadable (crypto-shredding)."""

    __tablename__ = "storyteller_keys"
    storyteller_uuid: Mapped[str] = mapped_column(
        String(UUID_LEN), ForeignKey("storytellers.uuid", ondelete="CASCADE"), primary_key=True
    )
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    wrapped_age_identity: Mapped[bytes] = mapped_column(LargeBinary)
    age_recipient: Mapped[str] = mapped_column(String(100))


class ConsentRow(_Record, Base):
    __tablename__ = "consent_records"
    storyteller_uuid: Mapped[str] = _storyteller_fk()
    version: Mapped[int] = mapped_column(Integer)
    items: Mapped[bytes] = mapped_column(LargeBinary)
    how: Mapped[bytes] = mapped_column(LargeBinary)
    given_on: Mapped[bytes] = mapped_column(LargeBinary)
    facilitator: Mapped[bytes] = mapped_column(LargeBinary)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class VisitRow(_Record, Base):
    __tablename__ = "visits"
    storyteller_uuid: Mapped[str] = _storyteller_fk()
    visit_date: Mapped[bytes] = mapped_column(LargeBinary)
    place_type: Mapped[bytes] = mapped_column(LargeBinary)
    present: Mapped[bytes] = mapped_column(LargeBinary)
    notes: Mapped[bytes] = mapped_column(LargeBinary)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class TimelineEventRow(_Record, Base):
    __tablename__ = "timeline_events"
    storyteller_uuid: Mapped[str] = _storyteller_fk()
    visit_uuid: Mapped[str | None] = mapped_column(String(UUID_LEN), nullable=True)
    title: Mapped[bytes] = mapped_column(LargeBinary)
    words: Mapped[bytes] = mapped_column(LargeBinary)
    starts: Mapped[bytes] = mapped_column(LargeBinary)
    ends: Mapped[bytes] = mapped_column(LargeBinary)
    valence: Mapped[bytes] = mapped_column(LargeBinary)
    life_area: Mapped[bytes] = mapped_column(LargeBinary)
    help: Mapped[bytes] = mapped_column(LargeBinary)
    visibility: Mapped[bytes] = mapped_column(LargeBinary)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class StrengthCardRow(_Record, Base):
    __tablename__ = "strength_cards"
    storyteller_uuid: Mapped[str] = _storyteller_fk()
    visit_uuid: Mapped[str | None] = mapped_column(String(UUID_LEN), nullable=True)
    kind: Mapped[bytes] = mapped_column(LargeBinary)
    text: Mapped[bytes] = mapped_column(LargeBinary)
    prompt_id: Mapped[bytes] = mapped_column(LargeBinary)
    position: Mapped[bytes] = mapped_column(LargeBinary)
    colour: Mapped[bytes] = mapped_column(LargeBinary)
    visibility: Mapped[bytes] = mapped_column(LargeBinary)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class QuoteRow(_Record, Base):
    __tablename__ = "quotes"
    storyteller_uuid: Mapped[str] = _storyteller_fk()
    visit_uuid: Mapped[str | None] = mapped_column(String(UUID_LEN), nullable=True)
    event_uuid: Mapped[str | None] = mapped_column(String(UUID_LEN), nullable=True)
    text: Mapped[bytes] = mapped_column(LargeBinary)
    visibility: Mapped[bytes] = mapped_column(LargeBinary)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class NarrativeNoteRow(_Record, Base):
    __tablename__ = "narrative_notes"
    storyteller_uuid: Mapped[str] = _storyteller_fk()
    visit_uuid: Mapped[str | None] = mapped_column(String(UUID_LEN), nullable=True)
    text: Mapped[bytes] = mapped_column(LargeBinary)
    visibility: Mapped[bytes] = mapped_column(LargeBinary)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class PhotoRow(_Record, Base):
    """A photo's description; its bytes are an age file under ``media/<storyteller>/``."""

    __tablename__ = "photos"
    storyteller_uuid: Mapped[str] = _storyteller_fk()
    event_uuid: Mapped[str | None] = mapped_column(String(UUID_LEN), nullable=True)
    caption: Mapped[bytes] = mapped_column(LargeBinary)
    original_name: Mapped[bytes] = mapped_column(LargeBinary)
    media_type: Mapped[bytes] = mapped_column(LargeBinary)
    visibility: Mapped[bytes] = mapped_column(LargeBinary)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class ExcerptRow(_Record, Base):
    """A passage the team marked while a story was read aloud at the hub: its words (a quote,
    a moment's words, or a span of a note or of words), where it comes from, the themes it is
    in and its place on the themes board, all sealed under the storyteller's key, so a
    withdrawal erases it with the rest of their story. It never leaves this installation."""

    __tablename__ = "excerpts"
    storyteller_uuid: Mapped[str] = _storyteller_fk()
    text: Mapped[bytes] = mapped_column(LargeBinary)
    source: Mapped[bytes] = mapped_column(LargeBinary)  # {"kind", "uuid", "field", "start", "end"}
    themes: Mapped[bytes] = mapped_column(LargeBinary)  # [theme uuid, …]
    position: Mapped[bytes] = mapped_column(LargeBinary)  # {"x", "y"} on the themes board
    marked_by: Mapped[bytes] = mapped_column(LargeBinary)  # who in the team marked it
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class ThemeRow(Base):
    """A theme the team found across stories: its name, description, colour and place on the
    board, sealed under the room's key (wrapped by the vault key; it belongs to no storyteller).
    ``mac`` covers every column under that key, as a seal covers an item's row. Which excerpts
    are in a theme is kept on the excerpts (under their storytellers' keys), so erasing a
    storyteller takes their place in every theme with them and a theme left empty stays."""

    __tablename__ = "themes"
    uuid: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    created_hlc: Mapped[str] = mapped_column(String(HLC_LEN))
    updated_hlc: Mapped[str] = mapped_column(String(HLC_LEN))
    author: Mapped[str] = mapped_column(String(100))
    name: Mapped[bytes] = mapped_column(LargeBinary)
    description: Mapped[bytes] = mapped_column(LargeBinary)
    colour: Mapped[bytes] = mapped_column(LargeBinary)
    position: Mapped[bytes] = mapped_column(LargeBinary)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    mac: Mapped[bytes] = mapped_column(LargeBinary)


class OperationRow(Base):
    """One change to one field: the history of every item and the unit of sync.

    ``value`` is sealed under the storyteller's key like the field itself, so deleting the
    storyteller's key shreds their history too.
    """

    __tablename__ = "operations"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    storyteller_uuid: Mapped[str] = _storyteller_fk()
    entity: Mapped[str] = mapped_column(String(40))
    entity_uuid: Mapped[str] = mapped_column(String(UUID_LEN))
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[bytes] = mapped_column(LargeBinary)
    hlc: Mapped[str] = mapped_column(String(HLC_LEN))
    device_id: Mapped[str] = mapped_column(String(UUID_LEN))
    author: Mapped[str] = mapped_column(String(100))
    # For a change that arrived in a bundle: the change to the same field its device had
    # last seen (None if none). Tells a conflict (neither had seen the other) from an edit.
    # A change made here leaves them empty: the log's own order tells what was seen.
    base_hlc: Mapped[str | None] = mapped_column(String(HLC_LEN), nullable=True)
    base_device: Mapped[str | None] = mapped_column(String(UUID_LEN), nullable=True)
    # As on the items' rows: who made the change and when cannot be altered unnoticed.
    seal: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)

    __table_args__ = (
        Index("ix_operations_entity_field", "entity_uuid", "field"),
        Index("ix_operations_hlc", "hlc"),
    )


class TombstoneRow(Base):
    """What remains of a withdrawn storyteller: that they were erased, when, and by whom."""

    __tablename__ = "tombstones"
    storyteller_uuid: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    hlc: Mapped[str] = mapped_column(String(HLC_LEN))
    device_id: Mapped[str] = mapped_column(String(UUID_LEN))
    author: Mapped[str] = mapped_column(String(100))


class SyncPeerRow(Base):
    """Someone this installation exchanges bundles with.

    ``kind`` is ``recipient`` (an age public key this installation may send bundles to) or
    ``sender`` (a device whose signed bundles this installation accepts, known by the
    fingerprint of its signing key; its device id is bound at its first bundle).
    """

    __tablename__ = "sync_peers"
    uuid: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(200))  # age1… recipient, or a key fingerprint
    device_id: Mapped[str | None] = mapped_column(String(UUID_LEN), nullable=True)
    added_hlc: Mapped[str] = mapped_column(String(HLC_LEN))
    revoked_hlc: Mapped[str | None] = mapped_column(String(HLC_LEN), nullable=True)

    __table_args__ = (Index("ix_sync_peers_kind_key", "kind", "key", unique=True),)


class BundleReceiptRow(Base):
    """A bundle this installation has imported: which device, which number, which content."""

    __tablename__ = "bundle_receipts"
    device_id: Mapped[str] = mapped_column(String(UUID_LEN), primary_key=True)
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    bundle_id: Mapped[str] = mapped_column(String(64))
    previous_bundle: Mapped[str | None] = mapped_column(String(64), nullable=True)
    device_name: Mapped[str] = mapped_column(String(200))
    imported_hlc: Mapped[str] = mapped_column(String(HLC_LEN))
    # The SHA-256 of the bundle file as it arrived: the same file again is known before it is
    # decrypted (empty for bundles imported before revision 0005).
    file_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)


class SyncConflictRow(Base):
    """The same field changed on two devices that had not yet seen each other's change.

    The newer change wins (last writer by clock, then device); both values stay in the
    operation log, so the item's history shows the other one. A person reviews these.
    """

    __tablename__ = "sync_conflicts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    storyteller_uuid: Mapped[str] = _storyteller_fk()
    entity: Mapped[str] = mapped_column(String(40))
    entity_uuid: Mapped[str] = mapped_column(String(UUID_LEN))
    field: Mapped[str] = mapped_column(String(40))
    kept_hlc: Mapped[str] = mapped_column(String(HLC_LEN))
    kept_device: Mapped[str] = mapped_column(String(UUID_LEN))
    other_hlc: Mapped[str] = mapped_column(String(HLC_LEN))
    other_device: Mapped[str] = mapped_column(String(UUID_LEN))
    found_hlc: Mapped[str] = mapped_column(String(HLC_LEN))
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index(
            "ix_sync_conflicts_pair",
            "entity_uuid",
            "field",
            "kept_hlc",
            "kept_device",
            "other_hlc",
            "other_device",
            unique=True,
        ),
    )

"""First schema: the vault header, storytellers and their keys, consent, visits, timeline,
strengths, quotes, notes, photos, the operation log and withdrawal tombstones.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "storytellers",
        sa.Column("pseudonym", sa.LargeBinary(), nullable=False),
        sa.Column("real_name", sa.LargeBinary(), nullable=False),
        sa.Column("birth_year", sa.LargeBinary(), nullable=False),
        sa.Column("role", sa.LargeBinary(), nullable=False),
        sa.Column("notes", sa.LargeBinary(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_hlc", sa.String(length=22), nullable=False),
        sa.Column("updated_hlc", sa.String(length=22), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("uuid"),
    )
    op.create_table(
        "tombstones",
        sa.Column("storyteller_uuid", sa.String(length=36), nullable=False),
        sa.Column("hlc", sa.String(length=22), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("storyteller_uuid"),
    )
    op.create_table(
        "vault_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "consent_records",
        sa.Column("storyteller_uuid", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("items", sa.LargeBinary(), nullable=False),
        sa.Column("how", sa.LargeBinary(), nullable=False),
        sa.Column("given_on", sa.LargeBinary(), nullable=False),
        sa.Column("facilitator", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_hlc", sa.String(length=22), nullable=False),
        sa.Column("updated_hlc", sa.String(length=22), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["storyteller_uuid"], ["storytellers.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("uuid"),
    )
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_records_storyteller_uuid"), ["storyteller_uuid"], unique=False
        )

    op.create_table(
        "narrative_notes",
        sa.Column("storyteller_uuid", sa.String(length=36), nullable=False),
        sa.Column("visit_uuid", sa.String(length=36), nullable=True),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("visibility", sa.LargeBinary(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_hlc", sa.String(length=22), nullable=False),
        sa.Column("updated_hlc", sa.String(length=22), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["storyteller_uuid"], ["storytellers.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("uuid"),
    )
    with op.batch_alter_table("narrative_notes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_narrative_notes_storyteller_uuid"), ["storyteller_uuid"], unique=False
        )

    op.create_table(
        "operations",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("storyteller_uuid", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_uuid", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("hlc", sa.String(length=22), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["storyteller_uuid"], ["storytellers.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.create_index("ix_operations_entity_field", ["entity_uuid", "field"], unique=False)
        batch_op.create_index("ix_operations_hlc", ["hlc"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_operations_storyteller_uuid"), ["storyteller_uuid"], unique=False
        )

    op.create_table(
        "photos",
        sa.Column("storyteller_uuid", sa.String(length=36), nullable=False),
        sa.Column("event_uuid", sa.String(length=36), nullable=True),
        sa.Column("caption", sa.LargeBinary(), nullable=False),
        sa.Column("original_name", sa.LargeBinary(), nullable=False),
        sa.Column("media_type", sa.LargeBinary(), nullable=False),
        sa.Column("visibility", sa.LargeBinary(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_hlc", sa.String(length=22), nullable=False),
        sa.Column("updated_hlc", sa.String(length=22), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["storyteller_uuid"], ["storytellers.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("uuid"),
    )
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_photos_storyteller_uuid"), ["storyteller_uuid"], unique=False
        )

    op.create_table(
        "quotes",
        sa.Column("storyteller_uuid", sa.String(length=36), nullable=False),
        sa.Column("visit_uuid", sa.String(length=36), nullable=True),
        sa.Column("event_uuid", sa.String(length=36), nullable=True),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("visibility", sa.LargeBinary(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_hlc", sa.String(length=22), nullable=False),
        sa.Column("updated_hlc", sa.String(length=22), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["storyteller_uuid"], ["storytellers.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("uuid"),
    )
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_quotes_storyteller_uuid"), ["storyteller_uuid"], unique=False
        )

    op.create_table(
        "storyteller_keys",
        sa.Column("storyteller_uuid", sa.String(length=36), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_age_identity", sa.LargeBinary(), nullable=False),
        sa.Column("age_recipient", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["storyteller_uuid"], ["storytellers.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("storyteller_uuid"),
    )
    op.create_table(
        "strength_cards",
        sa.Column("storyteller_uuid", sa.String(length=36), nullable=False),
        sa.Column("visit_uuid", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("prompt_id", sa.LargeBinary(), nullable=False),
        sa.Column("position", sa.LargeBinary(), nullable=False),
        sa.Column("colour", sa.LargeBinary(), nullable=False),
        sa.Column("visibility", sa.LargeBinary(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_hlc", sa.String(length=22), nullable=False),
        sa.Column("updated_hlc", sa.String(length=22), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["storyteller_uuid"], ["storytellers.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("uuid"),
    )
    with op.batch_alter_table("strength_cards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_strength_cards_storyteller_uuid"), ["storyteller_uuid"], unique=False
        )

    op.create_table(
        "timeline_events",
        sa.Column("storyteller_uuid", sa.String(length=36), nullable=False),
        sa.Column("visit_uuid", sa.String(length=36), nullable=True),
        sa.Column("title", sa.LargeBinary(), nullable=False),
        sa.Column("words", sa.LargeBinary(), nullable=False),
        sa.Column("starts", sa.LargeBinary(), nullable=False),
        sa.Column("ends", sa.LargeBinary(), nullable=False),
        sa.Column("valence", sa.LargeBinary(), nullable=False),
        sa.Column("life_area", sa.LargeBinary(), nullable=False),
        sa.Column("help", sa.LargeBinary(), nullable=False),
        sa.Column("visibility", sa.LargeBinary(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_hlc", sa.String(length=22), nullable=False),
        sa.Column("updated_hlc", sa.String(length=22), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["storyteller_uuid"], ["storytellers.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("uuid"),
    )
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_timeline_events_storyteller_uuid"), ["storyteller_uuid"], unique=False
        )

    op.create_table(
        "visits",
        sa.Column("storyteller_uuid", sa.String(length=36), nullable=False),
        sa.Column("visit_date", sa.LargeBinary(), nullable=False),
        sa.Column("place_type", sa.LargeBinary(), nullable=False),
        sa.Column("present", sa.LargeBinary(), nullable=False),
        sa.Column("notes", sa.LargeBinary(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("created_hlc", sa.String(length=22), nullable=False),
        sa.Column("updated_hlc", sa.String(length=22), nullable=False),
        sa.Column("author", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["storyteller_uuid"], ["storytellers.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("uuid"),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visits_storyteller_uuid"), ["storyteller_uuid"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_storyteller_uuid"))

    op.drop_table("visits")
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_timeline_events_storyteller_uuid"))

    op.drop_table("timeline_events")
    with op.batch_alter_table("strength_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_strength_cards_storyteller_uuid"))

    op.drop_table("strength_cards")
    op.drop_table("storyteller_keys")
    with op.batch_alter_table("quotes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quotes_storyteller_uuid"))

    op.drop_table("quotes")
    with op.batch_alter_table("photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_photos_storyteller_uuid"))

    op.drop_table("photos")
    with op.batch_alter_table("operations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_operations_storyteller_uuid"))
        batch_op.drop_index("ix_operations_hlc")
        batch_op.drop_index("ix_operations_entity_field")

    op.drop_table("operations")
    with op.batch_alter_table("narrative_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_narrative_notes_storyteller_uuid"))

    op.drop_table("narrative_notes")
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_records_storyteller_uuid"))

    op.drop_table("consent_records")
    op.drop_table("vault_meta")
    op.drop_table("tombstones")
    op.drop_table("storytellers")

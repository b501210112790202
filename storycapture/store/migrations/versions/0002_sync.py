"""Sync: storytellers that have only partly arrived, what each received change had seen,
the installations this one sends to and receives from, the bundles it has imported, and the
conflicts found while merging them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN: a batch (copy and swap) of this table would drop it, and SQLite's
    # foreign keys would cascade that drop to every storyteller's key.
    op.add_column(
        "storytellers",
        sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column("operations", sa.Column("base_hlc", sa.String(length=22), nullable=True))
    op.add_column("operations", sa.Column("base_device", sa.String(length=36), nullable=True))

    op.create_table(
        "sync_peers",
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("added_hlc", sa.String(length=22), nullable=False),
        sa.Column("revoked_hlc", sa.String(length=22), nullable=True),
        sa.PrimaryKeyConstraint("uuid"),
    )
    with op.batch_alter_table("sync_peers", schema=None) as batch_op:
        batch_op.create_index("ix_sync_peers_kind_key", ["kind", "key"], unique=True)

    op.create_table(
        "bundle_receipts",
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("bundle_id", sa.String(length=64), nullable=False),
        sa.Column("previous_bundle", sa.String(length=64), nullable=True),
        sa.Column("device_name", sa.String(length=200), nullable=False),
        sa.Column("imported_hlc", sa.String(length=22), nullable=False),
        sa.PrimaryKeyConstraint("device_id", "sequence"),
    )

    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("storyteller_uuid", sa.String(length=36), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_uuid", sa.String(length=36), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("kept_hlc", sa.String(length=22), nullable=False),
        sa.Column("kept_device", sa.String(length=36), nullable=False),
        sa.Column("other_hlc", sa.String(length=22), nullable=False),
        sa.Column("other_device", sa.String(length=36), nullable=False),
        sa.Column("found_hlc", sa.String(length=22), nullable=False),
        sa.Column("reviewed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["storyteller_uuid"], ["storytellers.uuid"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_conflicts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sync_conflicts_pair",
            ["entity_uuid", "field", "kept_hlc", "kept_device", "other_hlc", "other_device"],
            unique=True,
        )
        batch_op.create_index(
            batch_op.f("ix_sync_conflicts_storyteller_uuid"), ["storyteller_uuid"], unique=False
        )


def downgrade() -> None:
    op.drop_table("sync_conflicts")
    op.drop_table("bundle_receipts")
    with op.batch_alter_table("sync_peers", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_peers_kind_key")
    op.drop_table("sync_peers")
    op.drop_column("operations", "base_device")
    op.drop_column("operations", "base_hlc")
    op.drop_column("storytellers", "complete")  # SQLite ≥ 3.35 drops a column in place

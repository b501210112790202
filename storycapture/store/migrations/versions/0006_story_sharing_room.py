"""The story-sharing room at the hub: excerpts marked while stories are read aloud (sealed
under their storyteller's key, erased with them) and the themes found across stories (sealed
under the room's key).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "excerpts",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("created_hlc", sa.String(22), nullable=False),
        sa.Column("updated_hlc", sa.String(22), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("seal", sa.LargeBinary(), nullable=True),
        sa.Column(
            "storyteller_uuid",
            sa.String(36),
            sa.ForeignKey("storytellers.uuid", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        sa.Column("source", sa.LargeBinary(), nullable=False),
        sa.Column("themes", sa.LargeBinary(), nullable=False),
        sa.Column("position", sa.LargeBinary(), nullable=False),
        sa.Column("marked_by", sa.LargeBinary(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_excerpts_storyteller_uuid", "excerpts", ["storyteller_uuid"])
    op.create_table(
        "themes",
        sa.Column("uuid", sa.String(36), primary_key=True),
        sa.Column("created_hlc", sa.String(22), nullable=False),
        sa.Column("updated_hlc", sa.String(22), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("name", sa.LargeBinary(), nullable=False),
        sa.Column("description", sa.LargeBinary(), nullable=False),
        sa.Column("colour", sa.LargeBinary(), nullable=False),
        sa.Column("position", sa.LargeBinary(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("mac", sa.LargeBinary(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("themes")
    op.drop_index("ix_excerpts_storyteller_uuid", "excerpts")
    op.drop_table("excerpts")

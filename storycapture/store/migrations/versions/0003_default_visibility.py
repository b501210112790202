"""What new items of a storyteller are by default (private to this laptop, or for the
programme team), as they chose it at consent: one sealed column on storytellers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN, as in 0002: a batch copy of this table would cascade to the keys.
    # Rows made before hold no value: their storytellers were never asked.
    op.add_column("storytellers", sa.Column("default_visibility", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    op.drop_column("storytellers", "default_visibility")

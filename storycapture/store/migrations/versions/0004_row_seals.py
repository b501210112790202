"""A seal on every item row and every logged change: a MAC under the storyteller's key of all
the row's columns, so the columns kept in the clear (author, deleted, links, consent version,
``complete``) cannot be changed outside the app unnoticed.

The columns arrive empty: a migration has no storyteller keys. The first unlock after it seals
every existing row as it stands, in one transaction, and records in the vault that it did
(``services.vault``); from then on a row without a seal is damage.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = (
    "storytellers",
    "consent_records",
    "visits",
    "timeline_events",
    "strength_cards",
    "quotes",
    "narrative_notes",
    "photos",
    "operations",
)


def upgrade() -> None:
    # Plain ADD COLUMNs, as in 0002 and 0003: a batch copy would cascade to the keys.
    for table in TABLES:
        op.add_column(table, sa.Column("seal", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, "seal")

"""The SHA-256 of each imported bundle file, kept with its receipt, so that importing the same
file again is answered ("already imported") without decrypting and reading it all again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("bundle_receipts", sa.Column("file_sha256", sa.String(64), nullable=True))
    op.create_index("ix_bundle_receipts_file_sha256", "bundle_receipts", ["file_sha256"])


def downgrade() -> None:
    op.drop_index("ix_bundle_receipts_file_sha256", "bundle_receipts")
    op.drop_column("bundle_receipts", "file_sha256")

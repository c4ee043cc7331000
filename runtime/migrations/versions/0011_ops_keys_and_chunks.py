"""signing_keys (the cookie secret shared by every server) and attachment_chunks (attachment bytes in
the database)

Revision ID: 0011_ops_keys_and_chunks
Revises: 0010_org_scoped_process_ids
Create Date: 2026-12-03 14:00:00
"""
import sqlalchemy as sa
from alembic import op

from alur.runtime.models import UTCDateTime

revision = "0011_ops_keys_and_chunks"
down_revision = "0010_org_scoped_process_ids"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "attachment_chunks",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["name"], ["attachments.name"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("name", "seq"),
    )


def downgrade() -> None:
    op.drop_table("attachment_chunks")
    op.drop_table("signing_keys")

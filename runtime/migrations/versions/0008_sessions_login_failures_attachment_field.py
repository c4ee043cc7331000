"""user_sessions (server-side browser sessions), login_failures (throttling per user name and
client), attachments.form_field (which form field a completion uploaded a file for)

Revision ID: 0008_sessions
Revises: 0007
Create Date: 2026-11-24 09:00:00
"""
import sqlalchemy as sa
from alembic import op

from alur.runtime.models import UTCDateTime

revision = "0008_sessions"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("id_hash"),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"], unique=False)
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=200), nullable=False),
        sa.Column("client", sa.String(length=200), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_failures_pair", "login_failures", ["username", "client", "at"], unique=False)
    op.create_index("ix_login_failures_client", "login_failures", ["client", "at"], unique=False)
    op.create_index("ix_login_failures_at", "login_failures", ["at"], unique=False)
    with op.batch_alter_table("attachments") as batch:
        batch.add_column(sa.Column("form_field", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch:
        batch.drop_column("form_field")
    op.drop_index("ix_login_failures_at", table_name="login_failures")
    op.drop_index("ix_login_failures_client", table_name="login_failures")
    op.drop_index("ix_login_failures_pair", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_user_sessions_user_id", table_name="user_sessions")
    op.drop_table("user_sessions")

"""the worker: notifications of ready tasks, mailboxes, worker marks; users' e-mail addresses

Existing users get no e-mail address (so no mail) and notifications on; tasks ready before the
upgrade get no notification (the worker's first pass looks back only a few minutes).

Revision ID: 0014_worker_notifications
Revises: 0013_case_perihal_people
Create Date: 2026-12-04 18:45:00
"""
import sqlalchemy as sa
from alembic import op

from alur.runtime.models import UTCDateTime

revision = "0014_worker_notifications"
down_revision = "0013_case_perihal_people"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("notify_email", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_human_tasks_ready_at", ["ready_at"], unique=False)
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org", sa.String(length=100), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("task_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("mail_state", sa.String(length=10), nullable=False),
        sa.Column("mail_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("task_id", "username", "kind", name="uq_notifications_task_user_kind"),
    )
    op.create_index("ix_notifications_unread", "notifications", ["username", "read_at", "id"], unique=False)
    op.create_index("ix_notifications_mail", "notifications", ["mail_state", "username"], unique=False)
    op.create_table(
        "mailboxes",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("last_mailed_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("username"),
    )
    op.create_table(
        "worker_marks",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("worker_marks")
    op.drop_table("mailboxes")
    op.drop_index("ix_notifications_mail", table_name="notifications")
    op.drop_index("ix_notifications_unread", table_name="notifications")
    op.drop_table("notifications")
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_human_tasks_ready_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("notify_email")
        batch_op.drop_column("email")

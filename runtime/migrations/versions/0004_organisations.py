"""organisations: every process, instance, task and user belongs to one

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 11:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("process_versions", "instances", "human_tasks", "users")


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("slug", sa.String(length=100), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("slug"),
    )
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("org", sa.String(length=100), nullable=False, server_default="default"))
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.create_index("ix_instances_org", ["org"], unique=False)
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_human_tasks_inbox")
        batch_op.create_index("ix_human_tasks_inbox", ["org", "role", "status", "due_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_human_tasks_inbox")
        batch_op.create_index("ix_human_tasks_inbox", ["role", "status", "due_at"], unique=False)
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_index("ix_instances_org")
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("org")
    op.drop_table("organisations")

"""human_tasks inbox indexes: list by ready time, count per SOP and overdue from the index alone

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 13:00:00
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_human_tasks_inbox")
        batch_op.create_index("ix_human_tasks_inbox", ["org", "role", "status", "ready_at"], unique=False)
        batch_op.create_index("ix_human_tasks_inbox_counts", ["org", "role", "status", "process_id", "due_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_human_tasks_inbox_counts")
        batch_op.drop_index("ix_human_tasks_inbox")
        batch_op.create_index("ix_human_tasks_inbox", ["org", "role", "status", "due_at"], unique=False)

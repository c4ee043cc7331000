"""the evaluation report's indexes: the completions of one SOP in a period, and its returns

human_tasks: (org, process_id, status, completed_at), the completed tasks of a process by the day
they were completed; audit_entries: (org, process_id, action, at), the returns of a process in a
period (runtime/report.py).

Revision ID: 0015_report_indexes
Revises: 0014_worker_notifications
Create Date: 2026-12-04 19:40:00
"""
from alembic import op

revision = "0015_report_indexes"
down_revision = "0014_worker_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_human_tasks_report", "human_tasks", ["org", "process_id", "status", "completed_at"])
    op.create_index("ix_audit_entries_process_action_at", "audit_entries", ["org", "process_id", "action", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_entries_process_action_at", table_name="audit_entries")
    op.drop_index("ix_human_tasks_report", table_name="human_tasks")

"""the overview's indexes: its sorts walk instances from one end, its filters probe current steps

instances: (org, status, id) for running first and newest first (carrying process_id,
started_at, perihal and nomor, so that the filters on them read the index alone), (org, started_at, id) for oldest
first and a start-date range (with status and process_id), (org, lower(perihal), id) for the perihal sort. human_tasks: an
instance's current steps with their due time and lane (replacing (instance_id, status), a prefix of
it), and the ready steps by due time for the nearest-due-first sort.

Revision ID: 0016_ovbench_overview_indexes
Revises: 0015_report_indexes
Create Date: 2026-12-04 19:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0016_ovbench_overview_indexes"
down_revision = "0015_report_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_instances_org_status_id", "instances",
                    ["org", "status", "id", "process_id", "started_at", "perihal", "nomor"])
    op.create_index("ix_instances_org_started", "instances", ["org", "started_at", "id", "status", "process_id"])
    op.create_index("ix_instances_org_perihal", "instances", ["org", sa.text("lower(perihal)"), "id"])
    op.drop_index("ix_human_tasks_instance", table_name="human_tasks")
    op.create_index("ix_human_tasks_instance_current", "human_tasks", ["instance_id", "status", "due_at", "lane"])
    op.create_index("ix_human_tasks_due", "human_tasks", ["org", "status", "due_at", "instance_id"])


def downgrade() -> None:
    op.drop_index("ix_human_tasks_due", table_name="human_tasks")
    op.drop_index("ix_human_tasks_instance_current", table_name="human_tasks")
    op.create_index("ix_human_tasks_instance", "human_tasks", ["instance_id", "status"])
    op.drop_index("ix_instances_org_perihal", table_name="instances")
    op.drop_index("ix_instances_org_started", table_name="instances")
    op.drop_index("ix_instances_org_status_id", table_name="instances")

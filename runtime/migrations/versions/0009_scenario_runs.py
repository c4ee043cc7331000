"""scenario_runs: the designer's scenarios run against a version at deploy

Revision ID: 0009_scenario_runs
Revises: 0008_sessions
Create Date: 2026-12-03 10:00:00
"""
import sqlalchemy as sa
from alembic import op

from alur.runtime.models import UTCDateTime

revision = "0009_scenario_runs"
down_revision = "0008_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scenario_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("source_name", sa.String(length=500), nullable=False),
        sa.Column("scenarios_text", sa.Text(), nullable=False),
        sa.Column("passed", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("ran_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("ran_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["process_versions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_scenario_runs_process", "scenario_runs", ["process_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_scenario_runs_process", table_name="scenario_runs")
    op.drop_table("scenario_runs")

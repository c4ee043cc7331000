"""working_calendars, working_hours, calendar_days: each organisation's working calendar

Revision ID: 0012_cal_working_calendar
Revises: 0011_ops_keys_and_chunks
Create Date: 2026-12-03 14:00:00
"""
import sqlalchemy as sa
from alembic import op

from alur.runtime.models import UTCDateTime

revision = "0012_cal_working_calendar"
down_revision = "0011_ops_keys_and_chunks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "working_calendars",
        sa.Column("org", sa.String(length=100), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org"], ["organisations.slug"]),
        sa.PrimaryKeyConstraint("org"),
    )
    op.create_table(
        "working_hours",
        sa.Column("org", sa.String(length=100), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens_minute", sa.Integer(), nullable=False),
        sa.Column("closes_minute", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["org"], ["organisations.slug"]),
        sa.PrimaryKeyConstraint("org", "weekday"),
    )
    op.create_table(
        "calendar_days",
        sa.Column("org", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("off", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["org"], ["organisations.slug"]),
        sa.PrimaryKeyConstraint("org", "day"),
    )


def downgrade() -> None:
    op.drop_table("calendar_days")
    op.drop_table("working_hours")
    op.drop_table("working_calendars")

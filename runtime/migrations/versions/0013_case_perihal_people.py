"""the case and its people: perihal and nomor of every instance, NIP and jabatan of every user

Existing instances get an empty perihal (pages show "(tanpa perihal)") and no nomor; existing
users get no NIP and no jabatan (pages then show their name alone).

Revision ID: 0013_case_perihal_people
Revises: 0012_cal_working_calendar
Create Date: 2026-12-03 14:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0013_case_perihal_people"
down_revision = "0012_cal_working_calendar"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.add_column(sa.Column("perihal", sa.String(length=500), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("nomor", sa.String(length=100), nullable=True))
        batch_op.create_index("ix_instances_org_nomor", ["org", "nomor"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nip", sa.String(length=18), nullable=True))
        batch_op.add_column(sa.Column("jabatan", sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("jabatan")
        batch_op.drop_column("nip")
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_index("ix_instances_org_nomor")
        batch_op.drop_column("nomor")
        batch_op.drop_column("perihal")

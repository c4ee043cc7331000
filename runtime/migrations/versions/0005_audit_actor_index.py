"""audit_entries index on (actor, action, at): recent login failures of a user are counted at every login

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:00:00
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entries_actor_action_at", ["actor", "action", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entries_actor_action_at")

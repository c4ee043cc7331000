"""process ids scoped per organisation: a process is (org, process_id)

Two organisations may each own a process of the same id, each with its own
versions 1, 2, ... Every existing row keeps its organisation: lane_roles and
audit entries about a process take the organisation of that process's
versions (until now an id could belong to one organisation only), audit
entries about an instance that of the instance.

Revision ID: 0010_org_scoped_process_ids
Revises: 0009_scenario_runs
Create Date: 2026-11-24 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_org_scoped_process_ids"
down_revision = "0009_scenario_runs"
branch_labels = None
depends_on = None


def _org_of_process(table: str) -> str:
    return (f"(SELECT MIN(process_versions.org) FROM process_versions "
            f"WHERE process_versions.process_id = {table}.process_id)")


def upgrade() -> None:
    # SQLite rebuilds process_versions and lane_roles (it cannot change constraints in place);
    # runtime/db.py runs migrations with SQLite's foreign keys off and checks them all before the commit.
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.drop_constraint("uq_process_version", type_="unique")
        batch_op.drop_index("ix_process_versions_hash")
        batch_op.create_unique_constraint("uq_process_version", ["org", "process_id", "version"])
        batch_op.create_index("ix_process_versions_hash", ["org", "process_id", "content_hash"], unique=False)

    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_index("ix_instances_process_id")
        batch_op.drop_index("ix_instances_org")
        batch_op.create_index("ix_instances_org_process", ["org", "process_id"], unique=False)

    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org", sa.String(length=100), nullable=True))
    op.execute("UPDATE audit_entries SET org = (SELECT instances.org FROM instances "
               "WHERE instances.id = audit_entries.instance_id) WHERE instance_id IS NOT NULL")
    op.execute(f"UPDATE audit_entries SET org = {_org_of_process('audit_entries')} "
               "WHERE org IS NULL AND process_id IS NOT NULL")

    with op.batch_alter_table("lane_roles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("org", sa.String(length=100), nullable=True))
    op.execute(f"UPDATE lane_roles SET org = COALESCE({_org_of_process('lane_roles')}, 'default')")
    _lane_roles_primary_key(["org", "process_id", "lane"])


def downgrade() -> None:
    # Fails (unique constraint) once two organisations own the same process id: that cannot be undone.
    _lane_roles_primary_key(["process_id", "lane"])
    with op.batch_alter_table("lane_roles", schema=None) as batch_op:
        batch_op.drop_column("org")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_column("org")
    with op.batch_alter_table("instances", schema=None) as batch_op:
        batch_op.drop_index("ix_instances_org_process")
        batch_op.create_index("ix_instances_org", ["org"], unique=False)
        batch_op.create_index("ix_instances_process_id", ["process_id"], unique=False)
    with op.batch_alter_table("process_versions", schema=None) as batch_op:
        batch_op.drop_index("ix_process_versions_hash")
        batch_op.drop_constraint("uq_process_version", type_="unique")
        batch_op.create_index("ix_process_versions_hash", ["process_id", "content_hash"], unique=False)
        batch_op.create_unique_constraint("uq_process_version", ["process_id", "version"])


def _lane_roles_primary_key(columns: list[str]) -> None:
    """Give lane_roles the primary key `columns`; its org column is NOT NULL exactly when it is part of it.

    PostgreSQL alters the table in place; SQLite cannot, so batch mode copies it into a new table.
    """
    org_in_key = "org" in columns
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("lane_roles_pkey", "lane_roles", type_="primary")
        op.alter_column("lane_roles", "org", existing_type=sa.String(length=100), nullable=not org_in_key)
        op.create_primary_key("lane_roles_pkey", "lane_roles", columns)
        return
    # The table as it is to be: batch mode copies the rows into a new table of this definition.
    target = sa.Table(
        "lane_roles", sa.MetaData(),
        sa.Column("org", sa.String(length=100), nullable=not org_in_key),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("lane", sa.String(length=300), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint(*columns, name="lane_roles_pkey"),
    )
    with op.batch_alter_table("lane_roles", schema=None, recreate="always", copy_from=target):
        pass

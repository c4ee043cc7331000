"""The Alembic migrations build exactly the schema the models declare, and step down and up again."""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from sqlalchemy import text

from alur.runtime import accounts, db
from alur.runtime.models import Base
from tests.conftest import PROCESSES, seed_lane_users

KALBAR_SKP = "kalbar-pengumpulan-skp"
SULTENG_DATA = "sulteng-pengumpulan-data-kinerja"


def schema_differences(alur) -> list:
    with alur.db.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_migrated_schema_matches_the_models(alur):
    assert schema_differences(alur) == []


def test_every_migration_steps_down_and_up_again(alur):
    config = db.alembic_config()
    with alur.db.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        command.upgrade(config, "head")
    assert schema_differences(alur) == []


def test_scoping_process_ids_per_organisation_keeps_every_rows_organisation(alur):
    """Revision 0010 (process ids per organisation) on a database with data: lane roles and audit entries get the organisation of their
    process or instance (logins none), and afterwards two organisations may own the same process id."""
    alur.deploy(PROCESSES / f"{KALBAR_SKP}.bpmn")
    alur.deploy(PROCESSES / f"{SULTENG_DATA}.bpmn")
    seed_lane_users(alur, KALBAR_SKP)
    started = alur.start(KALBAR_SKP, "kasubbag-umum-aparatur")
    accounts.record_login(alur, "kasubbag-umum-aparatur", True, "127.0.0.1")
    before = _orgs_of_rows(alur)
    assert {org for _, _, org in before["lane_roles"]} == {"kalbar-diskukm", "sulteng-diskukm"}
    assert before["audit_entries"] == [("deploy", KALBAR_SKP, "kalbar-diskukm"),
                                       ("deploy", SULTENG_DATA, "sulteng-diskukm"),
                                       ("start", KALBAR_SKP, "kalbar-diskukm"), ("login", None, None)]
    db.downgrade(alur.db, "0009_scenario_runs")
    db.upgrade(alur.db)
    assert _orgs_of_rows(alur) == before
    assert schema_differences(alur) == []
    again = alur.deploy(PROCESSES / f"{KALBAR_SKP}.bpmn", org="sulteng-diskukm")
    assert (again.org, again.version, again.created) == ("sulteng-diskukm", 1, True)
    assert alur.instance(started.id).version == 1


def _orgs_of_rows(alur) -> dict[str, list]:
    with alur.db.connect() as connection:
        lanes = connection.execute(text("SELECT process_id, lane, org FROM lane_roles ORDER BY process_id, lane"))
        audit = connection.execute(text("SELECT action, process_id, org FROM audit_entries ORDER BY id"))
        return {"lane_roles": [tuple(r) for r in lanes], "audit_entries": [tuple(r) for r in audit]}


def test_the_perihal_index_is_built_on_every_database(alur):
    """SQLite cannot reflect an index on an expression, so schema_differences skips it there: look it up."""
    with alur.db.connect() as connection:
        if connection.dialect.name == "sqlite":
            sql = connection.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'ix_instances_org_perihal'"))
        else:
            sql = connection.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_instances_org_perihal'"))
    assert sql is not None and "lower(" in sql.lower() and "perihal" in sql

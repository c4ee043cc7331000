"""The Alembic migrations build exactly the schema the models declare, and step down and up again."""
from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from alur.runtime import db
from alur.runtime.models import Base


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

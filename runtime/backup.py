"""Export and import of the whole database as one JSON document.

The export holds every table (organisations, users, process versions with
their BPMN and forms, instances with their state, the task index, the audit
log, attachment records, API tokens) but the open sessions and recent failed
logins, and the schema revision it was taken at. An import
goes into an empty database of the same schema revision, in one transaction,
so that export -> import -> export gives the same document.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import IO

from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from .engine import Alur, AlurError
from .models import Base, UTCDateTime

FORMAT = "alur-backup/1"
# Who is logged in where, and recent failed logins, are not kept: after an import everyone logs
# in again and throttling starts afresh. The cookie keys stay with their database: a backup file
# must not carry a secret that signs sessions.
NOT_BACKED_UP = {"user_sessions", "login_failures", "signing_keys"}


class BackupError(AlurError):
    status = 422


def _tables():
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_BACKED_UP]


def _schema_revision(alur: Alur) -> str | None:
    with alur.db.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def export_database(alur: Alur) -> dict:
    """Every row of every table, in dependency order, as JSON-ready data."""
    document = {"format": FORMAT, "schema_revision": _schema_revision(alur), "tables": {}}
    with alur.db.connect() as connection:
        for table in _tables():
            order = list(table.primary_key.columns) or list(table.columns)
            rows = connection.execute(select(table).order_by(*order)).mappings()
            document["tables"][table.name] = [
                {name: (value.isoformat() if isinstance(value, datetime) else value) for name, value in row.items()}
                for row in rows
            ]
    return document


def write_export(alur: Alur, out: IO[str]) -> None:
    json.dump(export_database(alur), out, ensure_ascii=False, indent=1, sort_keys=True)
    out.write("\n")


def import_database(alur: Alur, document: dict) -> dict[str, int]:
    """Load an export into this (empty) database; returns rows per table. Nothing is written on error."""
    if document.get("format") != FORMAT:
        raise BackupError(f"not an Alur backup (format {document.get('format')!r}, expected {FORMAT!r})")
    revision = _schema_revision(alur)
    if document.get("schema_revision") != revision:
        raise BackupError(f"backup is of schema revision {document.get('schema_revision')}, "
                          f"this database is at {revision}; upgrade the older one first")
    tables = {t.name: t for t in _tables()}
    unknown = set(document.get("tables", {})) - set(tables)
    if unknown:
        raise BackupError(f"backup has unknown tables: {', '.join(sorted(unknown))}")
    counts = {}
    with alur.db.begin() as connection:
        for table in tables.values():
            if connection.scalar(select(func.count()).select_from(table)):
                raise BackupError(f"table {table.name} is not empty; import only into a new database")
        for name, table in tables.items():
            rows = document["tables"].get(name, [])
            for index, row in enumerate(rows):
                extra = set(row) - set(table.columns.keys())
                if extra:
                    raise BackupError(f"tables.{name}[{index}]: unknown columns {', '.join(sorted(extra))}")
            if rows:
                connection.execute(table.insert(), [_restore_row(table, row) for row in rows])
            counts[name] = len(rows)
        if connection.dialect.name == "postgresql":
            _reset_sequences(connection, tables.values())
    return counts


def _restore_row(table, row: dict) -> dict:
    restored = {}
    for name, value in row.items():
        if value is not None and isinstance(table.columns[name].type, UTCDateTime):
            value = datetime.fromisoformat(value)
        restored[name] = value
    return restored


def _reset_sequences(connection, tables) -> None:
    """Make PostgreSQL's id sequences continue after the imported ids."""
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (column.autoincrement == "auto" and column.type.python_type is int
                                                and len(table.primary_key.columns) == 1):
                sequence = connection.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                             {"t": table.name, "c": column.name})
                if sequence:
                    connection.execute(text(f"SELECT setval('{sequence}', COALESCE((SELECT MAX({column.name}) "
                                            f"FROM {table.name}), 0) + 1, false)"))

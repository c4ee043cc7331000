"""Export and import of the whole database as one JSON document.

The export holds every table (organisations, users, process versions with
their BPMN and forms, instances with their state, the task index, the audit
log, attachment records, API tokens) but the open sessions, recent failed
logins and cookie keys, and the schema revision it was taken at; and the bytes
of every attachment (`attachment_files`, base64, from whichever blob store holds
them), which an import puts into the store of the database it loads into. An import
goes into an empty database of the same schema revision, in one transaction,
so that export -> import -> export gives the same document.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import datetime
from typing import IO

from alembic.migration import MigrationContext
from sqlalchemy import func, select, text

from . import blobstore
from .engine import Alur, AlurError
from .models import Base, UTCDateTime

FORMAT = "alur-backup/1"
# Who is logged in where, and recent failed logins, are not kept: after an import everyone logs
# in again and throttling starts afresh. The cookie keys stay with their database: a backup file
# must not carry a secret that signs sessions.
NOT_BACKED_UP = {"user_sessions", "login_failures", "signing_keys"}
# Attachment bytes are carried as files (whatever store they are in), not as the database store's rows.
CARRIED_AS_FILES = {"attachment_chunks"}


class BackupError(AlurError):
    status = 422


def _tables():
    return [t for t in Base.metadata.sorted_tables if t.name not in NOT_BACKED_UP | CARRIED_AS_FILES]


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
    store = blobstore.for_engine(alur.settings, alur.db)
    files, missing = {}, []
    for row in document["tables"].get("attachments", []):
        reader = store.open(row["name"])
        if reader is None:
            missing.append(row["name"])
            continue
        with reader:
            files[row["name"]] = base64.b64encode(reader.read()).decode("ascii")
    document["attachment_files"] = files
    document["missing_attachment_files"] = missing
    return document


def write_export(alur: Alur, out: IO[str]) -> list[str]:
    """Write the export as JSON; returns the attachments whose bytes no store had (not in the file)."""
    document = export_database(alur)
    json.dump(document, out, ensure_ascii=False, indent=1, sort_keys=True)
    out.write("\n")
    return document["missing_attachment_files"]


def import_database(alur: Alur, document: dict) -> dict[str, int]:
    """Load an export into this (empty) database; returns rows per table. Nothing is written on error."""
    if document.get("format") != FORMAT:
        raise BackupError(f"not an Alur backup (format {document.get('format')!r}, expected {FORMAT!r})")
    revision = _schema_revision(alur)
    if document.get("schema_revision") != revision:
        raise BackupError(f"backup is of schema revision {document.get('schema_revision')}, "
                          f"this database is at {revision}; upgrade the older one first")
    tables = {t.name: t for t in _tables()}
    unknown = set(document.get("tables", {})) - set(tables) - CARRIED_AS_FILES
    if unknown:
        raise BackupError(f"backup has unknown tables: {', '.join(sorted(unknown))}")
    files = _attachment_files(document)
    store = blobstore.for_engine(alur.settings, alur.db).primary
    counts = {}
    written = []
    try:
        with alur.db.begin() as connection:
            counts = _insert_tables(connection, tables, document)
            for name, content in files.items():
                store.put(connection, name, content)  # the database store's commit with the rows
                written.append(name)
    except BaseException:
        if not store.commits_with_rows:  # the folder's files, S3's objects
            for name in written:
                store.delete(name)
        raise
    counts["attachment files"] = len(files)
    return counts


def _attachment_files(document: dict) -> dict[str, bytes]:
    """The attachment bytes of a backup, each checked against its row's size and SHA-256."""
    rows = {row.get("name"): row for row in document.get("tables", {}).get("attachments", [])}
    files = document.get("attachment_files", {})
    if not isinstance(files, dict):
        raise BackupError("attachment_files: expected an object of file name -> base64 content")
    decoded = {}
    for name, encoded in files.items():
        row = rows.get(name)
        if row is None:
            raise BackupError(f"attachment_files.{name}: no row of tables.attachments names this file")
        try:
            content = base64.b64decode(encoded, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise BackupError(f"attachment_files.{name}: not base64") from None
        if len(content) != row.get("size") or hashlib.sha256(content).hexdigest() != row.get("sha256"):
            raise BackupError(f"attachment_files.{name}: its bytes do not match the size and SHA-256 of its row")
        decoded[name] = content
    return decoded


def _insert_tables(connection, tables: dict, document: dict) -> dict[str, int]:
    counts = {}
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

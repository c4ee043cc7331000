"""The databases the tests run on, built once per test session and copied per test.

Migrating a schema and deploying the eleven SOPs costs seconds; doing it for each of a
thousand tests made the suite slow. Each kind of database ("empty": migrated, nothing
deployed; "deployed": the SOPs of processes/ deployed) is built once per session as a
template, and every test gets its own copy:

- SQLite: a file copied with SQLite's backup API into the test's temporary folder;
- PostgreSQL: `CREATE DATABASE ... TEMPLATE ...` on the server ALUR_TEST_POSTGRES_URL names.
  Creating and dropping a database costs about a second on a busy server, so a copy a test
  has finished with is put back as it was instead (every row deleted, the template's rows and
  sequence positions restored) and handed to the next test; a copy whose schema the test
  changed (a migration test) is dropped.

On PostgreSQL the tests only ever create, change and drop databases of their own, named
`alur_pytest_<pid>_...`; the database named in ALUR_TEST_POSTGRES_URL is used to connect
and is never changed.
"""
from __future__ import annotations

import itertools
import os
import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from alur.runtime.engine import Alur
from alur.runtime.models import Base
from alur.runtime.settings import Settings

POSTGRES_URL = os.environ.get("ALUR_TEST_POSTGRES_URL")
PREFIX = f"alur_pytest_{os.getpid()}"
_numbers = itertools.count(1)


class PostgresServer:
    """Creates and drops this test session's own databases on one PostgreSQL server."""

    def __init__(self, url: str):
        self.url = make_url(url)
        self._admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.created: list[str] = []

    def url_of(self, database: str) -> str:
        return self.url.set(database=database).render_as_string(hide_password=False)

    def create(self, template: str | None = None) -> str:
        """A new empty (or `template`-copied) database of this session; returns its name."""
        name = f"{PREFIX}_{next(_numbers)}"
        clause = f' TEMPLATE "{template}"' if template else ""
        with self._admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return name

    def disconnect(self, name: str) -> None:
        """End every connection a test left open to a database of this session."""
        if name not in self.created:
            raise ValueError(f"refusing to disconnect {name}: not created by this test session")
        with self._admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                    " WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})

    def drop(self, name: str) -> None:
        """Drop a database this session created (closing any connection left open to it)."""
        if name not in self.created:
            raise ValueError(f"refusing to drop {name}: not created by this test session")
        with self._admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            self.drop(name)
        self._admin.dispose()


class PostgresContent:
    """What a template database holds, to put a used copy back to it: its schema's shape, every
    row of every table, and where each sequence stands."""

    def __init__(self, url: str):
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as connection:
                self.shape = _shape(connection)
                self.tables = [t for t in Base.metadata.sorted_tables if t.name in self.shape["tables"]]
                self.rows = {t.name: [dict(r._mapping) for r in connection.execute(select(t))] for t in self.tables}
                self.sequences = connection.execute(text(
                    "SELECT sequencename, COALESCE(last_value, start_value), last_value IS NOT NULL"
                    " FROM pg_sequences WHERE schemaname = 'public'")).all()
        finally:
            engine.dispose()

    def restore(self, url: str) -> bool:
        """Put the database at `url` back to this content; False when its schema is not the template's."""
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.begin() as connection:
                if _shape(connection) != self.shape:
                    return False
                for table in reversed(self.tables):
                    connection.execute(table.delete())
                for table in self.tables:
                    if self.rows[table.name]:
                        connection.execute(table.insert(), self.rows[table.name])
                for name, value, called in self.sequences:
                    connection.execute(text("SELECT setval(:name, :value, :called)"),
                                       {"name": f'public."{name}"', "value": value, "called": called})
            return True
        finally:
            engine.dispose()


def _shape(connection) -> dict:
    """The schema revision and every table with its columns, to tell a copy a test migrated."""
    columns = connection.execute(text(
        "SELECT table_name, column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = 'public' ORDER BY table_name, column_name")).all()
    revision = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() \
        if any(table == "alembic_version" for table, _, _ in columns) else []
    return {"revision": sorted(revision), "tables": sorted({table for table, _, _ in columns}),
            "columns": [tuple(c) for c in columns]}


class Databases:
    """Templates built on first use, and a fresh copy of one per call to `settings`."""

    def __init__(self, root: Path, processes_dir: Path, forms_dir: Path):
        self.root = root
        self.processes_dir = processes_dir
        self.forms_dir = forms_dir
        self.postgres = PostgresServer(POSTGRES_URL) if POSTGRES_URL else None
        self._templates: dict[tuple[str, str], str] = {}
        self._contents: dict[str, PostgresContent] = {}  # kind -> the PostgreSQL template's content
        self._free: dict[str, list[str]] = {}  # kind -> copies put back as their template was
        self._copies: list[tuple[str, str]] = []  # (copy, kind) handed out since the last drop_copies

    def _build(self, url: str, kind: str) -> None:
        alur = Alur(Settings(database_url=url, processes_dir=self.processes_dir, forms_dir=self.forms_dir,
                             instance_dir=self.root / "template-instance"))
        try:
            if kind == "deployed":
                alur.deploy_directory(self.processes_dir)
        finally:
            alur.close()

    def _template(self, backend: str, kind: str) -> str:
        key = (backend, kind)
        if key not in self._templates:
            if backend == "postgres":
                name = self.postgres.create()
                self._build(self.postgres.url_of(name), kind)
                self._templates[key] = name
                self._contents[kind] = PostgresContent(self.postgres.url_of(name))
            else:
                path = self.root / f"template-{kind}.sqlite3"
                self._build(f"sqlite:///{path}", kind)
                self._templates[key] = str(path)
        return self._templates[key]

    def url(self, backend: str, folder: Path, kind: str = "empty") -> str:
        """The URL of a new database of `kind` for one test (SQLite: a file in `folder`)."""
        template = self._template(backend, kind)
        if backend == "postgres":
            free = self._free.setdefault(kind, [])
            name = free.pop() if free else self.postgres.create(template=template)
            self._copies.append((name, kind))
            return self.postgres.url_of(name)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "alur.sqlite3"
        source, target = sqlite3.connect(template), sqlite3.connect(path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return f"sqlite:///{path}"

    def drop_copies(self) -> None:
        """Take back the PostgreSQL copies handed out since the last call (SQLite files go with
        tmp_path): each is put back as its template was for the next test, or dropped when the test
        changed its schema."""
        while self._copies:
            name, kind = self._copies.pop()
            self.postgres.disconnect(name)
            if self._contents[kind].restore(self.postgres.url_of(name)):
                self._free[kind].append(name)
            else:
                self.postgres.drop(name)

    def close(self) -> None:
        if self.postgres is not None:
            self.postgres.close()


# The session's Databases, set by the session fixture in tests/conftest.py. Kept here, not in
# conftest.py: pytest imports conftest.py as `conftest` while tests import `tests.conftest`,
# two module objects; this module is imported once, as `tests.databases`.
_current: Databases | None = None


def start_session(root: Path, processes_dir: Path, forms_dir: Path) -> Databases:
    global _current
    _current = Databases(root, processes_dir, forms_dir)
    return _current


def end_session() -> None:
    global _current
    if _current is not None:
        _current.close()
    _current = None


def current() -> Databases:
    """The test session's databases."""
    if _current is None:
        raise RuntimeError("no test session: tests.conftest's test_databases fixture is not active")
    return _current

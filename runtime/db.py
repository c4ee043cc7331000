"""Database engine, sessions and schema upgrades (Alembic)."""
from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"
WRITE_OPTION = "alur_write"


def make_engine(url: str, sqlite_synchronous: str = "NORMAL") -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys, a busy timeout and `PRAGMA synchronous`."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # Let SQLAlchemy, not the driver, decide when transactions begin (see _begin).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={sqlite_synchronous.upper()}")  # one of Settings' fixed names
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(connection):
            # A write transaction takes the write lock up front (waiting up to the busy
            # timeout): a deferred one that read first would fail on a stale snapshot
            # when another writer committed meanwhile, even on another instance.
            if connection.get_execution_options().get(WRITE_OPTION):
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            else:
                connection.exec_driver_sql("BEGIN")

        return engine
    engine = create_engine(url)
    _ping_after_idle(engine)
    return engine


# A pooled connection idle longer than this is checked (pinged) before it is handed out again.
PING_AFTER_IDLE_SECONDS = 10.0


def _ping_after_idle(engine: Engine) -> None:
    """Ping a pooled connection before reuse only when it sat idle for PING_AFTER_IDLE_SECONDS.

    SQLAlchemy's pool_pre_ping pings on every checkout: a round trip per request. A connection
    that broke while idle (the server restarted, a firewall dropped it) is still caught and
    replaced here, transparently: raising DisconnectionError makes the pool take a fresh one. One
    that breaks within seconds of its last use fails that one request, and SQLAlchemy then
    invalidates the pool's other connections, so the next requests reconnect.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info["alur_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        idle_since = record.info.get("alur_idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"pooled connection was broken after idling: {exc}") from exc


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to the newest Alembic revision (or to `revision`).

    Several processes starting at once (gunicorn workers) upgrade one after
    another: the first does the work, the others find the schema at head.
    """
    _migrate(engine, lambda config: command.upgrade(config, revision))


def head_revision() -> str:
    """The newest Alembic revision this code carries."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def readiness_problem(engine: Engine) -> str | None:
    """Why this database cannot serve the app (unreachable, or its schema is not at head), or None."""
    try:
        with read_connection(engine) as connection:
            current = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError as exc:
        return f"database unreachable: {type(exc.orig if getattr(exc, 'orig', None) else exc).__name__}"
    head = head_revision()
    if current != head:
        return f"database schema is at revision {current or 'none'}, this code needs {head}"
    return None


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to Alembic revision `revision` (for tests and operators undoing an upgrade)."""
    _migrate(engine, lambda config: command.downgrade(config, revision))


def _migrate(engine: Engine, step) -> None:
    """Run `step(alembic config)` in one write transaction holding the upgrade lock.

    SQLite changes a table's constraints by copying it into a new table and dropping the old,
    which its foreign key checks refuse while other tables' rows point at it (instances at
    process_versions). As SQLite's documentation prescribes, they are off for the migration
    (a setting only honoured outside a transaction), every foreign key is checked before the
    commit, and they are on again afterwards.
    """
    config = alembic_config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as connection:
        if sqlite:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                lock(connection, "alur:upgrade")
                config.attributes["connection"] = connection
                step(config)
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first() is not None:
                    raise RuntimeError("the migration left rows whose foreign keys point nowhere; rolled back")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")


def lock(connection_or_session, name: str) -> None:
    """Hold a lock named `name` until the current transaction ends.

    PostgreSQL: a transaction-level advisory lock. SQLite needs none: a write
    transaction (BEGIN IMMEDIATE) already holds the database's one write lock.
    """
    bind = connection_or_session.get_bind() if isinstance(connection_or_session, Session) else connection_or_session
    if bind.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)
        connection_or_session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


@contextmanager
def startup_lock(engine: Engine):
    """Hold, for the duration of the block, the lock under which a server starts (schema upgrade, deploy
    of processes/): servers starting together on one database take turns, the first does the work and
    the next find nothing left to do.

    PostgreSQL: a session-level advisory lock on a connection of its own. SQLite: an exclusive lock on
    a file beside the database (one machine; SQLite has one writer anyway).
    """
    if engine.dialect.name == "postgresql":
        key = int.from_bytes(hashlib.sha256(b"alur:startup").digest()[:8], "big", signed=True)
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT")
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    import fcntl

    with open(f"{database}.startup-lock", "a") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def read_connection(engine: Engine):
    """A connection for one read outside a transaction (each statement sees the latest commits).

    On PostgreSQL in autocommit: no BEGIN and ROLLBACK round trips around a single SELECT.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT")
        yield connection


@contextmanager
def write_connection(engine: Engine):
    """One write transaction on a Core connection (no ORM): commit on success, roll back on any error."""
    with engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            yield connection


@contextmanager
def transaction(factory: sessionmaker[Session]):
    """One unit of work: commit on success, roll back on any error."""
    session = factory()
    try:
        with session.begin():
            session.connection(execution_options={WRITE_OPTION: True})
            yield session
    finally:
        session.close()

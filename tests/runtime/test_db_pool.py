"""Pooled PostgreSQL connections: pinged before reuse only after idling, and a broken one is replaced."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from alur.runtime import db
from tests.conftest import POSTGRES_URL

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="ALUR_TEST_POSTGRES_URL is not set")


@pytest.fixture
def engine():
    engine = db.make_engine(POSTGRES_URL)
    yield engine
    engine.dispose()


def _backend_pid(engine) -> int:
    with db.read_connection(engine) as connection:
        return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def _count_pings(engine, monkeypatch) -> list:
    pings = []
    original = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda conn: (pings.append(1), original(conn))[1])
    return pings


def test_a_connection_in_use_is_not_pinged(engine, monkeypatch):
    pings = _count_pings(engine, monkeypatch)
    first = _backend_pid(engine)
    assert [_backend_pid(engine) for _ in range(5)] == [first] * 5  # the pool hands out the same connection
    assert pings == []


def test_a_connection_broken_while_idle_is_replaced_without_an_error(engine, monkeypatch):
    pings = _count_pings(engine, monkeypatch)
    broken = _backend_pid(engine)
    killer = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with killer.connect() as connection:  # what a server restart does to an idle pooled connection
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": broken}).scalar_one()
    killer.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # as if it had idled long enough
    fresh = _backend_pid(engine)  # no error: the ping found it broken and the pool connected anew
    assert fresh != broken
    assert pings


def test_reads_outside_a_transaction_send_no_begin_or_rollback(engine):
    with db.read_connection(engine) as connection:
        connection.execute(text("SELECT 1"))
        in_transaction = connection.connection.dbapi_connection.info.transaction_status
    assert in_transaction == 0  # psycopg's IDLE: autocommit, no transaction left open
    with db.write_connection(engine) as connection:
        connection.execute(text("SELECT 1"))
        assert connection.connection.dbapi_connection.info.transaction_status != 0

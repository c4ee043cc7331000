"""The test databases themselves: PostgreSQL databases the tests did not create are never dropped or changed."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from tests.conftest import make_settings
from tests.databases import POSTGRES_URL, PREFIX, PostgresServer

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason="ALUR_TEST_POSTGRES_URL is not set")


def _tables(url: str) -> list[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return sorted(connection.scalars(text(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
    finally:
        engine.dispose()


def test_only_databases_of_this_session_are_dropped():
    server = PostgresServer(POSTGRES_URL)
    try:
        named = server.url.database
        with pytest.raises(ValueError, match="not created by this test session"):
            server.drop(named)
        with pytest.raises(ValueError, match="not created by this test session"):
            server.drop("postgres")
        name = server.create()
        assert name.startswith(PREFIX)
        server.drop(name)
        assert name not in server.created
    finally:
        server.close()


def test_the_database_named_in_the_url_is_left_as_it_was(tmp_path):
    url = make_settings("postgres", tmp_path, "deployed").database_url
    assert url != POSTGRES_URL
    assert "process_versions" in _tables(url)
    assert "process_versions" not in _tables(POSTGRES_URL)

"""Settings from the environment: the SQLite durability level and its refusal of unknown values."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from alur.runtime.engine import Alur
from alur.runtime.settings import Settings


@pytest.mark.parametrize("value, pragma", [(None, 1), ("FULL", 2), ("normal", 1), ("EXTRA", 3)])
def test_sqlite_synchronous_is_applied(tmp_path, value, pragma):
    env = {"ALUR_INSTANCE_DIR": str(tmp_path)} | ({"ALUR_SQLITE_SYNCHRONOUS": value} if value else {})
    alur = Alur(Settings.from_env(env))
    try:
        with alur.db.connect() as connection:
            assert connection.execute(text("PRAGMA synchronous")).scalar() == pragma
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        alur.close()


@pytest.mark.parametrize("value", ["OFF", "full; DROP TABLE users", ""])
def test_unknown_sqlite_synchronous_is_refused(tmp_path, value):
    with pytest.raises(ValueError, match="ALUR_SQLITE_SYNCHRONOUS must be one of NORMAL, FULL, EXTRA"):
        Settings.from_env({"ALUR_INSTANCE_DIR": str(tmp_path), "ALUR_SQLITE_SYNCHRONOUS": value})

"""Shared fixtures: an Alur engine on SQLite, and on PostgreSQL when ALUR_TEST_POSTGRES_URL is set.

Every test gets its own database, copied from a template built once per session
(tests/databases.py); on PostgreSQL the tests create and drop databases of their own only.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from alur.runtime import directory
from alur.runtime.engine import Alur
from alur.runtime.settings import Settings
from tests import databases
from tests.databases import POSTGRES_URL

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"


@pytest.fixture(scope="session", autouse=True)
def test_databases(tmp_path_factory):
    """The session's database templates; their PostgreSQL databases are dropped at the end."""
    yield databases.start_session(tmp_path_factory.mktemp("databases"), PROCESSES, FORMS)
    databases.end_session()


@pytest.fixture(autouse=True)
def _drop_test_databases(test_databases):
    yield
    test_databases.drop_copies()


def database_url(backend: str, folder: Path, kind: str = "empty") -> str:
    """A new database for this test: "empty" (migrated) or "deployed" (every SOP of processes/)."""
    if backend == "postgres" and not POSTGRES_URL:
        pytest.skip("ALUR_TEST_POSTGRES_URL is not set")
    return databases.current().url(backend, folder, kind)


def make_settings(backend: str, tmp_path: Path, kind: str = "empty") -> Settings:
    """Settings over a new database of `kind` for this test, with the instance folder in `tmp_path`."""
    return Settings(database_url=database_url(backend, tmp_path, kind), processes_dir=PROCESSES, forms_dir=FORMS,
                    instance_dir=tmp_path / "instance")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request):
    return request.param


@pytest.fixture
def alur(backend, tmp_path):
    engine = Alur(make_settings(backend, tmp_path))
    yield engine
    engine.close()


@pytest.fixture(scope="session")
def form_schemas() -> dict[str, dict]:
    return {path.name: json.loads(path.read_text()) for path in FORMS.glob("*.schema.json")}


def seed_lane_users(alur: Alur, process_id: str, org: str | None = None) -> dict[str, str]:
    """One user per lane of a process (of `org`, or of the one organisation that has deployed it), named
    after the lane's role; returns lane -> role."""
    org = directory.process_organisation(alur, process_id, org)
    mapping = directory.lane_roles(alur, org, process_id)
    for role in set(mapping.values()):
        directory.add_user(alur, role, [role], org=org)
    return mapping

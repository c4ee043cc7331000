"""Shared fixtures: an Alur engine on SQLite, and on PostgreSQL when ALUR_TEST_POSTGRES_URL is set."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from alur.runtime import directory
from alur.runtime.engine import Alur
from alur.runtime.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROCESSES = PROJECT_ROOT / "processes"
FORMS = PROJECT_ROOT / "forms"
POSTGRES_URL = os.environ.get("ALUR_TEST_POSTGRES_URL")


def reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_settings(backend: str, tmp_path: Path) -> Settings:
    if backend == "postgres":
        if not POSTGRES_URL:
            pytest.skip("ALUR_TEST_POSTGRES_URL is not set")
        reset_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    else:
        url = f"sqlite:///{tmp_path / 'alur.sqlite3'}"
    return Settings(database_url=url, processes_dir=PROCESSES, forms_dir=FORMS, instance_dir=tmp_path / "instance")


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

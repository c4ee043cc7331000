"""Backups: `alur export` / `alur import` round-trip the whole database exactly."""
from __future__ import annotations

import json

import pytest

from alur.runtime.backup import BackupError, export_database, import_database
from alur.runtime.engine import Alur
from tests.conftest import PROCESSES, make_settings, seed_lane_users
from tests.runtime.test_kalbar_pengumpulan_skp import DATA, KASUBBAG, PERFORMER, PROCESS, RETURN, only_ready


def busy_database(alur):
    alur.deploy_directory(PROCESSES)
    seed_lane_users(alur, PROCESS)
    done = alur.start(PROCESS, KASUBBAG)
    while done.status == "running":
        task = only_ready(done)
        data = {"keputusan": "setuju"} if task.form == "pemeriksaan.schema.json" else DATA[task.task_spec]
        done = alur.complete(task.id, PERFORMER[task.task_spec], data)
    running = alur.start(PROCESS, KASUBBAG)
    for name in ["Step_01", "Step_02", "Step_03", "Step_04"]:
        running = alur.complete(only_ready(running).id, PERFORMER[name], DATA[name])
    running = alur.complete(only_ready(running).id, KASUBBAG, RETURN)
    alur.claim(only_ready(running).id, PERFORMER["Step_04"])
    return running


def test_export_import_round_trips_exactly(alur, backend, tmp_path):
    running = busy_database(alur)
    exported = export_database(alur)
    assert len(exported["tables"]["process_versions"]) == 11
    assert len(exported["tables"]["instances"]) == 2
    copy = Alur(make_settings(backend, tmp_path / "copy")) if backend == "sqlite" else None
    if copy is None:  # one PostgreSQL database: empty it and import back into it
        alur.close()
        copy = Alur(make_settings(backend, tmp_path / "copy"))
    try:
        counts = import_database(copy, json.loads(json.dumps(exported)))
        assert counts["audit_entries"] == len(exported["tables"]["audit_entries"])
        assert export_database(copy) == exported
        # The copy works on: the returned SKP is fixed, and new ids do not collide.
        task = only_ready(copy.instance(running.id))
        assert task.claimed_by == PERFORMER["Step_04"]
        view = copy.complete(task.id, PERFORMER["Step_04"], DATA["Step_04"])
        assert only_ready(view).task_spec == "Step_05"
        assert copy.start(PROCESS, KASUBBAG).id == running.id + 1
    finally:
        copy.close()


def test_import_refuses_a_non_empty_database_and_writes_nothing(alur):
    busy_database(alur)
    exported = export_database(alur)
    with pytest.raises(BackupError, match="is not empty"):
        import_database(alur, exported)
    assert export_database(alur) == exported


def test_import_refuses_foreign_documents(alur):
    with pytest.raises(BackupError, match="not an Alur backup"):
        import_database(alur, {"tables": {}})
    document = export_database(alur)
    document["schema_revision"] = "0001"
    with pytest.raises(BackupError, match="schema revision"):
        import_database(alur, document)
    document = export_database(alur)
    document["tables"]["users"] = [{"id": 1, "username": "x", "display_name": "x", "password_hash": None,
                                    "pangkat": "?"}]
    with pytest.raises(BackupError, match=r"tables.users\[0\]: unknown columns pangkat"):
        import_database(alur, document)
    assert export_database(alur)["tables"]["users"] == []


def test_cli_export_and_import(tmp_path, monkeypatch, capsys):
    from alur.runtime.cli import main

    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'a.sqlite3'}")
    assert main(["deploy", str(PROCESSES / f"{PROCESS}.bpmn")]) == 0
    assert main(["export", str(tmp_path / "backup.json")]) == 0
    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'b.sqlite3'}")
    assert main(["import", str(tmp_path / "backup.json")]) == 0
    assert "process_versions: 1" in capsys.readouterr().out
    assert main(["import", str(tmp_path / "backup.json")]) == 1
    assert "is not empty" in capsys.readouterr().err

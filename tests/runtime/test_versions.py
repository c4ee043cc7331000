"""Process versions swapped without code changes: instances keep their version, safe migration, other modelers."""
from __future__ import annotations

import copy

import pytest

from alur.runtime import directory, sopgen
from alur.runtime.access import DESIGNER_ROLE
from alur.runtime.engine import Forbidden, NotFound
from alur.runtime.versions import diff_versions, list_versions, migrate_instances
from tests.conftest import PROCESSES, PROJECT_ROOT
from tests.runtime.test_kalbar_pengumpulan_skp import KALBAR, APPROVE, DATA, KASUBBAG, PERFORMER, PROCESS, only_ready

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
EXTRA_REVIEW = {
    "no": 10, "lane": "Kasubbag Umum & Aparatur", "form": "pemeriksaan", "returns_to": 9,
    "text": "Memeriksa kelengkapan arsip SKP, jika tidak lengkap dikembalikan kepada Pemroses",
    "kelengkapan": "Arsip SKP", "waktu": "10 Menit", "output": "Arsip SKP lengkap",
}


@pytest.fixture
def v2_file(tmp_path):
    """Version 2 of the SOP: the Kasubbag checks the archive at the end (an extra review step)."""
    data = copy.deepcopy(sopgen.load_source(PROCESSES / "sources" / f"{PROCESS}.toml"))
    data["steps"].append(EXTRA_REVIEW)
    path = tmp_path / f"{PROCESS}.bpmn"
    path.write_bytes(sopgen.generate(data))
    # Its scenarios, beside it as `alur deploy` takes them: the shipped ones expect 575 minutes.
    (tmp_path / f"{PROCESS}.test.yaml").write_text(
        "scenarios:\n  - name: jalur utama dengan pemeriksaan arsip\n    steps:\n      - task: Step_10\n"
        "        as: Kasubbag Umum & Aparatur\n        next: []\n    end: true\n    standard_minutes: 585\n")
    return path


def run_to(alur, view, stop_before: str | None = None):
    """Complete ready tasks with the right users until `stop_before` is ready (or the end)."""
    performers = {**PERFORMER, "Step_10": KASUBBAG}
    while view.status == "running":
        task = only_ready(view)
        if task.task_spec == stop_before:
            return view
        data = APPROVE if task.form == "pemeriksaan.schema.json" else DATA[task.task_spec]
        view = alur.complete(task.id, performers[task.task_spec], data)
    return view


def completed_steps(alur, instance_id):
    return [e.task_spec for e in alur.history(instance_id) if e.action == "complete"]


def test_old_instances_finish_on_v1_and_new_ones_run_v2(sop, v2_file):
    old = run_to(sop, sop.start(PROCESS, KASUBBAG), stop_before="Step_03")
    assert sop.deploy(v2_file).version == 2
    new = sop.start(PROCESS, KASUBBAG)
    assert (old.version, new.version) == (1, 2)
    old = run_to(sop, sop.instance(old.id))
    new = run_to(sop, new)
    assert old.status == new.status == "completed"
    assert "Step_10" not in completed_steps(sop, old.id)
    assert completed_steps(sop, new.id)[-1] == "Step_10"


def test_version_list_and_diff(sop, v2_file):
    sop.start(PROCESS, KASUBBAG)
    sop.deploy(v2_file, user="perancang")
    versions = list_versions(sop, KALBAR, PROCESS)
    assert [(v["version"], v["running_instances"], v["deployed_by"]) for v in versions] == [
        (1, 1, "system"), (2, 0, "perancang")]
    diff = diff_versions(sop, KALBAR, PROCESS, 1, 2)
    assert diff.added_tasks == ["Step_09_Join", "Step_10", "Step_10_Keputusan"]
    assert diff.removed_tasks == []
    assert "Step_08" in diff.changed_tasks
    assert "Flow_Step_10_Keputusan_Tidak" in diff.added_flows
    assert diff.removed_flows == ["Flow_Step_08_Step_09", "Flow_Step_09_EndEvent_Selesai"]
    with pytest.raises(NotFound):
        diff_versions(sop, KALBAR, PROCESS, 1, 7)


def test_migration_moves_safe_instances_and_lists_unsafe_ones(sop, v2_file):
    early = sop.start(PROCESS, KASUBBAG)  # nothing done yet that v2 changes
    late = run_to(sop, sop.start(PROCESS, KASUBBAG), stop_before="Step_09")  # Step_08 done; v2 changes it
    sop.deploy(v2_file)
    result = migrate_instances(sop, KALBAR, PROCESS, 1, 2, user="perancang")
    assert result.migrated == [early.id]
    assert list(result.refused) == [late.id]
    assert "Step_08" in result.refused[late.id]
    assert sop.instance(early.id).version == 2 and sop.instance(late.id).version == 1
    unsafe_revision = sop.instance(late.id).revision
    assert unsafe_revision == late.revision  # refused instances are untouched
    entry = sop.history(early.id)[-1]
    assert (entry.action, entry.actor, entry.version) == ("migrate", "perancang", 2)
    assert entry.data == {"from_version": 1, "to_version": 2}
    assert "migrate" not in [e.action for e in sop.history(late.id)]
    early = run_to(sop, sop.instance(early.id))
    assert completed_steps(sop, early.id)[-1] == "Step_10"
    assert run_to(sop, sop.instance(late.id)).status == "completed"


def test_only_a_designer_of_the_organisation_lists_compares_and_migrates_versions(sop, v2_file):
    started = sop.start(PROCESS, KASUBBAG)
    sop.deploy(v2_file)
    directory.add_user(sop, "kalbar.perancang", [DESIGNER_ROLE], org=KALBAR)
    directory.add_organisation(sop, "sulteng-diskukm", "Dinas Koperasi Sulawesi Tengah")
    directory.add_user(sop, "sulteng.perancang", [DESIGNER_ROLE], org="sulteng-diskukm")
    designer, staff = directory.actor(sop, "kalbar.perancang"), directory.actor(sop, KASUBBAG)
    stranger = directory.actor(sop, "sulteng.perancang")  # a designer, of another organisation
    assert [v["version"] for v in list_versions(sop, KALBAR, PROCESS, designer)] == [1, 2]
    assert diff_versions(sop, KALBAR, PROCESS, 1, 2, designer).added_tasks
    for refused, error in ((staff, Forbidden), (stranger, NotFound)):
        with pytest.raises(error):
            list_versions(sop, KALBAR, PROCESS, refused)
        with pytest.raises(error):
            diff_versions(sop, KALBAR, PROCESS, 1, 2, refused)
        with pytest.raises(error):
            migrate_instances(sop, KALBAR, PROCESS, 1, 2, refused)
    assert sop.instance(started.id).version == 1  # nothing moved on a refusal
    assert migrate_instances(sop, KALBAR, PROCESS, 1, 2, designer).migrated == [started.id]
    assert (sop.history(started.id)[-1].action, sop.history(started.id)[-1].actor) == ("migrate", "kalbar.perancang")


def test_migrating_a_named_instance_that_is_not_on_that_version_is_refused(sop, v2_file):
    sop.deploy(v2_file)
    on_v2 = sop.start(PROCESS, KASUBBAG)
    result = migrate_instances(sop, KALBAR, PROCESS, 1, 2, user="perancang", instance_ids=[on_v2.id])
    assert result.migrated == [] and on_v2.id in result.refused


@pytest.mark.parametrize("fixture, process_id, lanes", [
    ("camunda-surat-masuk.bpmn", "camunda-surat-masuk", {"Staf": "staf", "Kasubbag": "kasubbag"}),
    ("spiff-arena-disposisi.bpmn", "spiff-disposisi", {"Pimpinan": "pimpinan", "Staf": "staf"}),
])
def test_files_saved_by_other_modelers_deploy_as_they_are_and_run(alur, fixture, process_id, lanes):
    result = alur.deploy(FIXTURES / fixture)
    assert result.process_id == process_id and result.version == 1
    assert directory.lane_roles(alur, result.org, process_id) == lanes
    for role in lanes.values():
        directory.add_user(alur, role, [role])
    view = alur.start(process_id, next(iter(lanes.values())))
    first = only_ready(view)
    assert first.form and first.standard_minutes is not None and first.due_at is not None
    if process_id == "camunda-surat-masuk":
        view = alur.complete(first.id, "staf", {"jumlah_berkas": 3})
        review = only_ready(view)
        assert review.form == "pemeriksaan.schema.json" and review.standard_minutes == 15
        view = alur.complete(review.id, "kasubbag", {"keputusan": "kembalikan", "catatan": "Nomor agenda salah"})
        assert only_ready(view).task_spec == "Activity_Catat"  # the ${...} condition took the return
        view = alur.complete(only_ready(view).id, "staf", {"jumlah_berkas": 3})
        view = alur.complete(only_ready(view).id, "kasubbag", {"keputusan": "setuju"})
    else:
        assert first.standard_minutes == 60
        view = alur.complete(first.id, "pimpinan", {"isi_disposisi": "Segera ditindaklanjuti"})
        view = alur.complete(only_ready(view).id, "staf", {"nomor_arsip": "AR-1"})
    assert view.status == "completed"


def test_version_commands_on_the_cli(tmp_path, monkeypatch, capsys, v2_file):
    import json

    from alur.runtime.cli import main

    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["deploy", str(PROCESSES / f"{PROCESS}.bpmn")]) == 0
    assert main(["users", "add", "kasubbag", "--role", KASUBBAG, "--org", "kalbar-diskukm"]) == 0
    assert main(["start", PROCESS, "--user", "kasubbag", "--perihal", "Laporan SKP triwulan"]) == 0
    assert main(["deploy", str(v2_file), "--user", "perancang"]) == 0
    capsys.readouterr()
    assert main(["versions", PROCESS, "--json"]) == 0
    assert [v["running_instances"] for v in json.loads(capsys.readouterr().out)] == [1, 0]
    assert main(["diff", PROCESS, "1", "2"]) == 0
    assert "+ task Step_10" in capsys.readouterr().out
    assert main(["migrate", PROCESS, "1", "2", "--user", "perancang", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"migrated": [1], "refused": {}}


def test_migrating_a_version_to_itself_is_refused_and_writes_nothing(sop):
    instance = sop.start(PROCESS, KASUBBAG)
    from alur.runtime.errors import AlurError
    with pytest.raises(AlurError, match="to itself"):
        migrate_instances(sop, KALBAR, PROCESS, 1, 1, user="perancang")
    assert "migrate" not in [e.action for e in sop.history(instance.id)]
    assert sop.instance(instance.id).revision == instance.revision

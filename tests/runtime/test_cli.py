"""A scripted `alur` session: start as the Kasubbag, every step by its own user, one return."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from alur.runtime.cli import main
from tests.conftest import PROCESSES, PROJECT_ROOT

PROCESS = "kalbar-pengumpulan-skp"
PERFORMER = {
    "Step_01": "kasubbag", "Step_02": "pemroses", "Step_03": "kabid", "Step_04": "pemroses",
    "Step_05": "kasubbag", "Step_06": "sekretaris", "Step_07": "kadis", "Step_08": "kasubbag",
    "Step_09": "pemroses",
}
ROLES = {
    "kasubbag": "kasubbag-umum-aparatur", "pemroses": "pemroses-administrasi-kepegawaian",
    "kabid": "kepala-bidang", "sekretaris": "sekretaris-dinas", "kadis": "kepala-dinas",
}
DATA = {
    "Step_01": {"isi_disposisi": "Sebarkan disposisi pengumpulan SKP"},
    "Step_02": {"tujuan": "Seluruh bidang", "tanggal": "2026-11-23"},
    "Step_03": {"dokumen": "Form SKP"},
    "Step_04": {"jumlah_berkas": 5},
    "Step_08": {"isi_disposisi": "Arsipkan"},
    "Step_09": {"nomor_arsip": "SKP/2026/7"},
}


@pytest.fixture
def alur_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")

    def run(*argv, expect=0):
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert code == expect, err
        return json.loads(out) if "--json" in argv and out.strip() else (out + err)

    return run


def test_scripted_session_completes_the_sop_with_one_return(alur_cli):
    alur_cli("deploy", str(PROCESSES / f"{PROCESS}.bpmn"))
    for user, role in ROLES.items():
        alur_cli("users", "add", user, "--role", role, "--org", "kalbar-diskukm")
    instance = alur_cli("start", PROCESS, "--user", "kasubbag", "--perihal", "SKP Triwulan IV", "--json")
    returned = False
    while instance["status"] == "running":
        (task,) = instance["ready_tasks"]
        user = PERFORMER[task["task_spec"]]
        assert task["id"] in [t["id"] for t in alur_cli("tasks", "--user", user, "--json")]
        if task["task_spec"] == "Step_06" and not returned:
            data, returned = {"keputusan": "kembalikan", "catatan": "Paraf Kasubbag belum ada"}, True
        elif task["task_spec"] in ("Step_05", "Step_06", "Step_07"):
            data = {"keputusan": "setuju"}
        else:
            data = DATA[task["task_spec"]]
        instance = alur_cli("complete", task["id"], "--user", user, "--data", json.dumps(data), "--json")
    history = alur_cli("history", str(instance["id"]), "--json")
    done = [(h["actor"], h["action"], h["task_spec"]) for h in history if h["task_spec"]]
    assert done == [
        ("kasubbag", "complete", "Step_01"), ("pemroses", "complete", "Step_02"), ("kabid", "complete", "Step_03"),
        ("pemroses", "complete", "Step_04"), ("kasubbag", "complete", "Step_05"),
        ("sekretaris", "return", "Step_06"), ("kasubbag", "complete", "Step_05"),
        ("sekretaris", "complete", "Step_06"), ("kadis", "complete", "Step_07"),
        ("kasubbag", "complete", "Step_08"), ("pemroses", "complete", "Step_09"),
    ]
    assert history[-1]["action"] == "end"
    text = alur_cli("history", str(instance["id"]))
    assert "Paraf Kasubbag belum ada" in text


def test_cli_errors_are_clear_and_exit_non_zero(alur_cli):
    alur_cli("deploy", str(PROCESSES / f"{PROCESS}.bpmn"))
    alur_cli("users", "add", "kasubbag", "--role", "kasubbag-umum-aparatur", "--org", "kalbar-diskukm")
    instance = alur_cli("start", PROCESS, "--user", "kasubbag", "--perihal", "SKP Triwulan IV", "--json")
    task = instance["ready_tasks"][0]["id"]
    assert "wajib diisi" in alur_cli("complete", task, "--user", "kasubbag", "--data", "{}", expect=1)
    assert "not JSON" in alur_cli("complete", task, "--user", "kasubbag", "--data", "{oops", expect=2)
    assert "does not exist" in alur_cli("complete", task, "--user", "tamu", "--data", "{}", expect=1)
    assert "is not deployed" in alur_cli("start", "tidak-ada", "--user", "kasubbag", "--perihal", "x", expect=1)


def test_validate_prints_file_and_line_and_exits_1(tmp_path):
    bad = tmp_path / "bad.bpmn"
    bad.write_text((PROCESSES / f"{PROCESS}.bpmn").read_text().replace("<bpmn:flowNodeRef>Step_03</bpmn:flowNodeRef>", ""))
    result = subprocess.run([sys.executable, "-m", "alur.runtime.cli", "validate", str(bad)], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert f"{bad}:" in result.stderr and "outside every lane" in result.stderr
    line = int(result.stderr.split(f"{bad}:")[1].split(":")[0])
    assert 'id="Step_03"' in bad.read_text().splitlines()[line - 1]


def test_validate_accepts_every_sop():
    result = subprocess.run([sys.executable, "-m", "alur.runtime.cli", "validate", *map(str, PROCESSES.glob("*.bpmn"))],
                            cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok (") == 11


def test_a_process_id_deployed_by_two_organisations_is_resolved_by_org_or_user(alur_cli, tmp_path):
    bpmn = str(PROCESSES / f"{PROCESS}.bpmn")
    assert alur_cli("deploy", bpmn) == f"{bpmn}: {PROCESS} of kalbar-diskukm deployed as version 1 (" + \
        alur_cli("versions", PROCESS, "--json")[0]["content_hash"][:12] + \
        f"); scenarios {PROCESSES / PROCESS}.test.yaml: 5/5 passed\n"
    only_kalbar = alur_cli("versions", PROCESS, "--json")  # one organisation has the id: no --org needed
    assert [v["version"] for v in only_kalbar] == [1]
    alur_cli("orgs", "sulteng-diskukm", "Dinas KUKM Sulteng")
    deployed = alur_cli("deploy", bpmn, "--org", "sulteng-diskukm", "--json")
    assert (deployed["org"], deployed["process_id"], deployed["version"], deployed["created"]) == (
        "sulteng-diskukm", PROCESS, 1, True)
    changed = tmp_path / "v2.bpmn"
    changed.write_text(open(bpmn, encoding="utf-8").read().replace('name="Setuju?"', 'name="Disetujui?"'))
    assert alur_cli("deploy", str(changed), "--org", "sulteng-diskukm", "--json")["version"] == 2
    listed = alur_cli("processes", "--json")
    assert [(p["org"], p["process_id"], p["version"]) for p in listed] == [
        ("kalbar-diskukm", PROCESS, 1), ("sulteng-diskukm", PROCESS, 2)]
    assert [p["org"] for p in alur_cli("processes", "--org", "sulteng-diskukm", "--json")] == ["sulteng-diskukm"]

    # Acting as the system, an id that two organisations have needs --org; the operator is told which.
    error = alur_cli("versions", PROCESS, expect=1)
    assert error == (f"error: process '{PROCESS}' is deployed by 2 organisations (kalbar-diskukm, "
                     "sulteng-diskukm); name one with --org\n")
    for command in (("diff", PROCESS, "1", "2"), ("migrate", PROCESS, "1", "2"), ("lanes", PROCESS),
                    ("simulate", PROCESS)):
        assert "name one with --org" in alur_cli(*command, expect=1)
    assert [v["version"] for v in alur_cli("versions", PROCESS, "--org", "sulteng-diskukm", "--json")] == [1, 2]
    assert [v["version"] for v in alur_cli("versions", PROCESS, "--org", "kalbar-diskukm", "--json")] == [1]
    assert "- flow" not in alur_cli("diff", PROCESS, "1", "2", "--org", "sulteng-diskukm")
    assert alur_cli("simulate", PROCESS, "--org", "sulteng-diskukm", "--json")["file"] == f"{PROCESS} v2"
    assert alur_cli("simulate", PROCESS, "--org", "kalbar-diskukm", "--json")["file"] == f"{PROCESS} v1"
    assert alur_cli("versions", PROCESS, "--org", "tidak-ada", expect=1) == (
        f"error: process '{PROCESS}' is not deployed in organisation 'tidak-ada'\n")
    alur_cli("lanes", PROCESS, "Kasubbag Umum & Aparatur", "kasubbag-sulteng", "--org", "sulteng-diskukm")
    assert alur_cli("lanes", PROCESS, "--org", "sulteng-diskukm", "--json")["Kasubbag Umum & Aparatur"] == \
        "kasubbag-sulteng"
    assert alur_cli("lanes", PROCESS, "--org", "kalbar-diskukm", "--json")["Kasubbag Umum & Aparatur"] == \
        "kasubbag-umum-aparatur"

    # Acting as a user: the user's organisation, and nothing of any other is named.
    alur_cli("users", "add", "budi", "--role", "kasubbag-umum-aparatur", "--org", "kalbar-diskukm")
    alur_cli("users", "add", "sari", "--role", "kasubbag-sulteng", "--org", "sulteng-diskukm")
    assert alur_cli("start", PROCESS, "--user", "budi", "--perihal", "SKP Triwulan IV", "--json")["version"] == 1
    on_sulteng = alur_cli("start", PROCESS, "--user", "sari", "--perihal", "SKP Triwulan IV", "--json")
    assert on_sulteng["version"] == 2 and on_sulteng["ready_tasks"][0]["org"] == "sulteng-diskukm"
    migrated = alur_cli("migrate", PROCESS, "2", "1", "--user", "sari", "--json")
    assert migrated == {"migrated": [on_sulteng["id"]], "refused": {}}
    assert alur_cli("migrate", PROCESS, "1", "2", "--user", "budi", expect=1) == (
        f"error: process '{PROCESS}' has no version 2\n")
    alur_cli("users", "add", "tono", "--role", "staf", "--org", "default")
    assert alur_cli("migrate", PROCESS, "1", "2", "--user", "tono", expect=1) == (
        f"error: process '{PROCESS}' is not deployed\n")
    assert alur_cli("start", PROCESS, "--user", "tono", "--perihal", "SKP Triwulan IV", expect=1) == f"error: process '{PROCESS}' is not deployed\n"


@pytest.mark.parametrize("argv", [
    ("history", "99999999999999999999999"), ("history", "2147483648"), ("history", "0"), ("history", "\u0663"),
    ("diff", PROCESS, "1", "99999999999999999999999"), ("migrate", PROCESS, "99999999999999999999999", "1"),
    ("migrate", PROCESS, "1", "2", "--instance", "99999999999999999999999"),
    ("complete", "tugas", "--user", "u", "--revision", "99999999999999999999999"),
    ("tokens", "revoke", "u", "99999999999999999999999"),
    ("simulate", PROCESS, "--max-returns", "99999999999999999999999"), ("simulate", PROCESS, "--max-returns", "21"),
])
def test_numbers_no_column_holds_are_refused_by_the_cli_before_anything_runs(alur_cli, capsys, argv):
    with pytest.raises(SystemExit) as exited:
        main(list(argv))
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "is not a whole number from " in err and "Traceback" not in err


def test_deploy_org_must_name_an_existing_organisation_and_gets_no_other_ones_name(alur_cli):
    bpmn = str(PROCESSES / f"{PROCESS}.bpmn")
    assert alur_cli("deploy", bpmn, "--org", "kalbar-diskukn", expect=1) == (
        "error: organisation 'kalbar-diskukn' does not exist (alur orgs lists them, alur orgs SLUG NAME adds one)\n")
    assert alur_cli("processes", "--json") == [] and alur_cli("orgs", "--json") == []
    alur_cli("orgs", "contoh", "Dinas Contoh")
    assert alur_cli("deploy", bpmn, "--org", "contoh", "--json")["org"] == "contoh"
    alur_cli("deploy", bpmn)  # the file's own organisation is made from its properties
    assert alur_cli("orgs", "--json") == [
        {"slug": "contoh", "name": "Dinas Contoh"},
        {"slug": "kalbar-diskukm", "name": "Dinas Koperasi, Usaha Kecil dan Menengah Provinsi Kalimantan Barat"}]

"""Scenarios before deploy: which scenarios a version is tested with, refusal, force, what is kept."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from alur.runtime import db
from alur.runtime.errors import DeployRefused
from alur.runtime.models import AuditEntry, ProcessVersion, ScenarioRun
from alur.runtime.scenarios.deploy import ScenariosFailed, before_deploy
from alur.runtime.scenarios.runs import ScenarioSource, last_runs
from tests.conftest import PROCESSES, PROJECT_ROOT

KALBAR = "kalbar-pengumpulan-skp"
CONTENT = (PROCESSES / f"{KALBAR}.bpmn").read_bytes()
PASSING = ScenarioSource("scenarios:\n  - name: jalur utama\n    steps: []\n    end: true\n"
                         "    standard_minutes: 575\n", "kalbar.test.yaml")
FAILING = ScenarioSource("scenarios:\n  - name: jalur utama\n    steps: []\n    end: true\n"
                         "  - name: salah arah\n    steps:\n      - task: Step_06\n"
                         "        data: {keputusan: kembalikan, catatan: \"Paraf belum ada\"}\n"
                         "        next: [Step_04]\n", "kalbar.test.yaml")


def counts(alur) -> tuple[int, int, int]:
    with alur.sessions() as session:
        return tuple(session.scalar(select(func.count()).select_from(t)) for t in (ProcessVersion, ScenarioRun,
                                                                                   AuditEntry))


def deploy_and_record(alur, check, content=CONTENT, user="perancang"):
    """What a deploy with its scenarios stores: the version, then the run in a transaction of its own here."""
    result = alur.deploy_bytes(content, f"{KALBAR}.bpmn", user=user)
    with db.transaction(alur.sessions) as session:
        version = session.scalars(select(ProcessVersion).where(
            ProcessVersion.process_id == result.process_id, ProcessVersion.version == result.version)).one()
        check.record(session, version)
    return result


def test_the_shipped_scenarios_test_a_version_deployed_without_a_file(alur):
    check = before_deploy(alur, CONTENT, f"{KALBAR}.bpmn", user="perancang")
    assert check.source.name == f"processes/{KALBAR}.test.yaml"
    assert check.report.ok and len(check.report.results) == 5 and not check.forced


def test_a_version_without_any_scenarios_deploys_as_before(alur):
    content = (PROJECT_ROOT / "tests/fixtures/camunda-surat-masuk.bpmn").read_bytes()
    check = before_deploy(alur, content, "camunda-surat-masuk.bpmn")
    assert (check.source, check.report, check.forced) == (None, None, False)


def test_failing_scenarios_refuse_the_version_with_the_report(alur):
    before = counts(alur)
    with pytest.raises(ScenariosFailed) as refused:
        before_deploy(alur, CONTENT, f"{KALBAR}.bpmn", FAILING, user="perancang")
    assert str(refused.value) == f"{KALBAR}.bpmn: not deployed: 1 of 2 scenarios failed (kalbar.test.yaml)"
    assert refused.value.report.messages() == [
        "kalbar.test.yaml:9: scenario 'salah arah': Step_06: next [Step_04] expected, got [Step_05]"]
    assert counts(alur) == before


def test_a_scenario_file_that_cannot_run_refuses_too(alur):
    broken = ScenarioSource("scenarios:\n  - name: a\n    steps:\n      - task: Step_77\n", "rusak.test.yaml")
    with pytest.raises(ScenariosFailed) as refused:
        before_deploy(alur, CONTENT, f"{KALBAR}.bpmn", broken)
    assert str(refused.value) == f"{KALBAR}.bpmn: not deployed: the scenario file cannot run (rusak.test.yaml)"


def test_a_bad_bpmn_is_refused_before_any_scenario_runs(alur):
    with pytest.raises(DeployRefused) as refused:
        before_deploy(alur, b"<oops/>", "x.bpmn", PASSING)
    assert str(refused.value).startswith("x.bpmn:1: error: not valid BPMN 2.0 (XSD)")


def test_a_forced_version_keeps_its_failed_run_and_the_override_is_audited(alur):
    check = before_deploy(alur, CONTENT, f"{KALBAR}.bpmn", FAILING, user="perancang", force=True)
    assert check.forced
    result = deploy_and_record(alur, check)
    runs = last_runs(alur, "kalbar-diskukm", KALBAR)
    assert list(runs) == [result.version]
    run = runs[result.version]
    assert (run["passed"], run["failed"], run["forced"], run["source"], run["ran_by"]) == \
        (1, 1, True, "kalbar.test.yaml", "perancang")
    assert [s["ok"] for s in run["report"]["scenarios"]] == [True, False]
    with alur.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "deploy-override")).one()
        assert (entry.actor, entry.process_id, entry.version) == ("perancang", KALBAR, result.version)
        assert entry.data == {"scenario_file": "kalbar.test.yaml", "failed": 1, "failures": [
            "kalbar.test.yaml:9: scenario 'salah arah': Step_06: next [Step_04] expected, got [Step_05]"]}


def test_a_passing_run_is_kept_without_an_override(alur):
    check = before_deploy(alur, CONTENT, f"{KALBAR}.bpmn", PASSING, user="perancang")
    result = deploy_and_record(alur, check)
    run = last_runs(alur, "kalbar-diskukm", KALBAR)[result.version]
    assert (run["passed"], run["failed"], run["forced"]) == (1, 0, False)
    with alur.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.action == "deploy-override")) == 0


def test_the_last_deploys_scenarios_test_the_next_upload_of_the_same_organisation(alur):
    deploy_and_record(alur, before_deploy(alur, CONTENT, f"{KALBAR}.bpmn", PASSING))
    check = before_deploy(alur, CONTENT, f"{KALBAR}.bpmn")
    assert check.source == PASSING
    # Another organisation deploying this id is not tested with this organisation's scenarios.
    other = before_deploy(alur, CONTENT, f"{KALBAR}.bpmn", org="sulteng-diskukm")
    assert other.source.name == f"processes/{KALBAR}.test.yaml"


@pytest.fixture
def folder(tmp_path, monkeypatch, capsys):
    """A folder with Kalbar's SOP and scenario file, and a database of its own, for `alur deploy`."""
    import shutil

    (tmp_path / "processes").mkdir()
    shutil.copy(PROCESSES / f"{KALBAR}.bpmn", tmp_path / "processes")
    shutil.copy(PROCESSES / f"{KALBAR}.test.yaml", tmp_path / "processes")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("ALUR_PROCESSES_DIR", str(tmp_path / "processes"))
    return tmp_path


def test_alur_deploy_runs_the_scenario_file_beside_the_bpmn(folder, capsys):
    from alur.runtime.cli import main

    assert main(["deploy", f"processes/{KALBAR}.bpmn"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"processes/{KALBAR}.bpmn: {KALBAR} of kalbar-diskukm deployed as version 1 (")
    assert out.endswith(f"); scenarios processes/{KALBAR}.test.yaml: 5/5 passed")


def test_alur_deploy_refuses_failing_scenarios_unless_forced(folder, capsys):
    from alur.runtime.cli import main

    (folder / "processes" / f"{KALBAR}.test.yaml").write_text(FAILING.text)
    assert main(["deploy", f"processes/{KALBAR}.bpmn"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{KALBAR}.bpmn: not deployed: 1 of 2 scenarios failed (processes/{KALBAR}.test.yaml)",
        f"  processes/{KALBAR}.test.yaml:9: scenario 'salah arah': Step_06: next [Step_04] expected, got [Step_05]",
        "  (alur deploy --force deploys it anyway; the override is written to the audit log)",
    ]
    assert main(["processes", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"
    assert main(["deploy", f"processes/{KALBAR}.bpmn", "--force", "--user", "perancang"]) == 0
    assert capsys.readouterr().out.strip().endswith(
        "scenarios processes/kalbar-pengumpulan-skp.test.yaml: 1/2 passed (forced; the override is in the audit log)")
    from alur.runtime.engine import Alur
    from alur.runtime.settings import Settings

    alur = Alur(Settings.from_env())
    try:
        with alur.sessions() as session:
            entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "deploy-override")).one()
            assert (entry.actor, entry.process_id, entry.version, entry.data["failed"]) == \
                ("perancang", KALBAR, 1, 1)
    finally:
        alur.close()

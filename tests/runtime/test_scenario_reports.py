"""`alur test`: coverage, JUnit XML, the HTML report, exit codes, and the pytest plugin."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from alur.runtime.bpmn_check import check_file
from alur.runtime.cli import main
from alur.runtime.scenarios.html import write_html
from alur.runtime.scenarios.junit import junit_xml
from alur.runtime.scenarios.suite import run_checked, run_target
from tests.conftest import FORMS, PROCESSES, PROJECT_ROOT

KALBAR = "kalbar-pengumpulan-skp"
HAPPY = "scenarios:\n  - name: jalur utama\n    steps: []\n    end: true\n    standard_minutes: 575\n"
RETURNS = ["Flow_Step_05_Keputusan_Tidak", "Flow_Step_06_Keputusan_Tidak", "Flow_Step_07_Keputusan_Tidak"]
FAILING = """\
scenarios:
  - name: jalur utama
    steps: []
    end: true
  - name: salah arah
    steps:
      - task: Step_06
        data: {keputusan: kembalikan, catatan: "Paraf belum ada"}
        next: [Step_04]
"""


@pytest.fixture(scope="module")
def checked():
    return check_file(PROCESSES / f"{KALBAR}.bpmn", FORMS)


def test_coverage_of_the_happy_path_beside_simulate(checked):
    report = run_checked(checked, HAPPY, "k.test.yaml")
    assert report.ok
    # 19 flows: 16 on the happy path and the three "Tidak" returns; three splitting gateways, one per review.
    assert report.coverage.to_dict() == {
        "flows_total": 19, "flows_by_scenarios": 16, "flows_by_simulation": 19,
        "flows_not_by_scenarios": RETURNS,
        "gateways_total": 3, "gateways_by_scenarios": 0, "gateways_by_simulation": 3,
        "gateways_not_by_scenarios": ["Step_05_Keputusan", "Step_06_Keputusan", "Step_07_Keputusan"],
        "flows_scenarios": sorted(set(report.coverage.flows) - set(RETURNS)),
        "flows_simulation": report.coverage.flows,
    }
    assert len(report.coverage.flows) == 19


def test_the_shipped_kalbar_scenarios_cover_every_flow():
    report = run_target(KALBAR, PROCESSES, FORMS)
    assert report.ok, report.summary()
    assert [r.name for r in report.results] == [
        "jalur utama, semua pemeriksaan setuju", "dikembalikan sekali oleh Kasubbag",
        "Sekretaris Dinas mengembalikan ke Kasubbag", "Kepala Dinas mengembalikan ke Sekretaris Dinas",
        "Kepala Bidang terlambat setelah 1 hari kerja"]
    assert report.coverage.to_dict()["flows_by_scenarios"] == 19
    assert report.coverage.to_dict()["gateways_by_scenarios"] == 3


def test_failed_scenarios_do_not_count_for_coverage(checked):
    report = run_checked(checked, FAILING, "k.test.yaml")
    assert [r.ok for r in report.results] == [True, False]
    assert report.coverage.by_scenarios == set(report.results[0].flows)
    assert report.messages() == [
        "k.test.yaml:9: scenario 'salah arah': Step_06: next [Step_04] expected, got [Step_05]"]


def test_junit_xml_as_ci_tools_read_it(checked, tmp_path):
    bad = tmp_path / "x.test.yaml"
    bad.write_text("scenarios:\n  - name: a\n    steps:\n      - task: Step_77\n")
    shutil.copy(PROCESSES / f"{KALBAR}.bpmn", tmp_path / "x.bpmn")
    reports = [run_checked(checked, FAILING, "k.test.yaml"), run_target(str(bad), PROCESSES, FORMS)]
    root = ET.fromstring(junit_xml(reports))
    assert (root.tag, root.get("tests"), root.get("failures"), root.get("errors")) == ("testsuites", "3", "1", "1")
    first, second = root.findall("testsuite")
    assert (first.get("name"), first.get("tests"), first.get("failures"), first.get("errors")) == \
        (KALBAR, "2", "1", "0")
    passed, failed = first.findall("testcase")
    assert (passed.get("name"), passed.get("classname"), passed.get("line"), list(passed)) == \
        ("jalur utama", KALBAR, "2", [])
    failure = failed.find("failure")
    assert failure.get("message") == "k.test.yaml:9: scenario 'salah arah': Step_06: next [Step_04] expected, " \
                                     "got [Step_05]"
    assert failure.text.endswith("steps taken: Step_01 Step_02 Step_03 Step_04 Step_05:setuju Step_06:kembalikan")
    [case] = second.findall("testcase")
    assert case.get("name") == "(scenario file)"
    assert case.find("error").get("message").endswith(
        "x.test.yaml:4: error: scenario 'a', step 1: task: 'Step_77' is not a user task of kalbar-pengumpulan-skp "
        "(its user tasks: Step_01, Step_02, Step_03, Step_04, Step_05, Step_06, Step_07, Step_08, Step_09)")


def test_html_report_draws_the_covered_flows(checked, tmp_path):
    written = write_html([run_checked(checked, HAPPY, "k.test.yaml")], tmp_path / "laporan")
    assert [p.name for p in written] == ["index.html", f"{KALBAR}.html"]
    page = (tmp_path / "laporan" / f"{KALBAR}.html").read_text()
    assert "Skenario: 1 lulus, 0 gagal" in page
    assert "16 dari 19" in page and "19 dari 19" in page
    # Scenario-covered flows green, the returns only simulate took dashed.
    assert page.count('class="flow taken"') == 16
    assert page.count('class="flow simulated"') == 3
    assert 'class="flow pending"' not in page
    index = (tmp_path / "laporan" / "index.html").read_text()
    assert f'<a href="{KALBAR}.html">{KALBAR}</a>' in index


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A processes/ folder of one's own with Kalbar's SOP and scenario file, as the current folder."""
    (tmp_path / "processes").mkdir()
    shutil.copy(PROCESSES / f"{KALBAR}.bpmn", tmp_path / "processes")
    shutil.copy(PROCESSES / f"{KALBAR}.test.yaml", tmp_path / "processes")
    shutil.copytree(FORMS, tmp_path / "forms")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ALUR_PROCESSES_DIR", str(tmp_path / "processes"))
    monkeypatch.setenv("ALUR_FORMS_DIR", str(tmp_path / "forms"))
    return tmp_path


def test_alur_test_runs_every_scenario_file_of_processes(project, capsys):
    assert main(["test", "--junit", "hasil.xml", "--html", "laporan"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"processes/{KALBAR}.test.yaml ({KALBAR}): 5 scenarios, 5 passed, 0 failed"
    assert out.rstrip().endswith("OK")
    assert ET.parse(project / "hasil.xml").getroot().get("tests") == "5"
    assert (project / "laporan" / f"{KALBAR}.html").is_file()


def test_alur_test_exits_1_on_a_failure_naming_file_line_and_step(project, capsys):
    (project / "processes" / f"{KALBAR}.test.yaml").write_text(FAILING)
    assert main(["test", KALBAR]) == 1
    out = capsys.readouterr().out
    assert f"processes/{KALBAR}.test.yaml:9: scenario 'salah arah': Step_06: next [Step_04] expected, " \
           "got [Step_05]" in out
    assert out.rstrip().endswith("FAILED")
    assert main(["test", f"processes/{KALBAR}.bpmn", "--json"]) == 1
    [report] = json.loads(capsys.readouterr().out)
    assert [s["ok"] for s in report["scenarios"]] == [True, False]


def test_alur_test_of_a_missing_file_or_an_empty_folder(project, capsys):
    assert main(["test", "tidak-ada"]) == 1
    out = capsys.readouterr().out
    assert "processes/tidak-ada.bpmn: error: cannot read: No such file or directory" in out
    for path in (project / "processes").iterdir():
        path.unlink()
    assert main(["test"]) == 1
    assert "no scenario files (*.test.yaml) in" in capsys.readouterr().err


def test_pytest_collects_each_scenario_as_an_item(project):
    """The plugin comes from Alur's pytest11 entry point: nothing in this folder asks for it."""
    (project / "processes" / f"{KALBAR}.test.yaml").write_text(FAILING)
    (project / "processes" / "rusak.test.yaml").write_text("scenarios: [\n")
    shutil.copy(PROCESSES / f"{KALBAR}.bpmn", project / "processes" / "rusak.bpmn")
    done = subprocess.run([sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", "processes"],
                          cwd=project, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert f"PASSED processes/{KALBAR}.test.yaml::jalur utama" in lines
    assert any(line.startswith(f"FAILED processes/{KALBAR}.test.yaml::salah arah") for line in lines)
    assert any(line.startswith("FAILED processes/rusak.test.yaml::(scenario file)") for line in lines)
    assert f"processes/{KALBAR}.test.yaml:9: scenario 'salah arah': Step_06: next [Step_04] expected, " \
           "got [Step_05]" in lines
    assert "processes/rusak.test.yaml:2: error: not valid YAML: expected the node content, but found " \
           "'<stream end>'" in lines
    assert lines[-1].startswith("=") and "2 failed, 1 passed" in lines[-1]


def test_the_repository_run_collects_the_sops_scenarios():
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"processes/{KALBAR}.test.yaml::dikembalikan sekali oleh Kasubbag" in done.stdout.splitlines()


def test_every_sop_has_its_happy_path_a_scenario_per_return_and_a_lateness_scenario():
    from alur.runtime.inmemory import InMemoryProcess
    from alur.runtime.scenarios.load import AdvanceStep, load
    from tests.runtime.test_sop_processes import SOPS

    assert sorted(p.name for p in PROCESSES.glob("*.test.yaml")) == sorted(f"{p}.test.yaml" for p in SOPS)
    for process_id, (_, _, reviews, happy_minutes) in SOPS.items():
        process = InMemoryProcess(check_file(PROCESSES / f"{process_id}.bpmn", FORMS))
        path = PROCESSES / f"{process_id}.test.yaml"
        scenarios = load(path.read_text(), str(path), process).scenarios
        happy, *returns, lateness = scenarios
        assert (happy.end, happy.standard_minutes) == (True, happy_minutes), process_id
        returned = [next(s.task for s in scenario.steps if (s.data or {}).get("keputusan") == "kembalikan")
                    for scenario in returns]
        assert sorted(returned) == sorted(process.reviews), process_id
        assert all(scenario.end and scenario.standard_minutes > happy_minutes for scenario in returns)
        assert any(isinstance(s, AdvanceStep) and s.late for s in lateness.steps), process_id

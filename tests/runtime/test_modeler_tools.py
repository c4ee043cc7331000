"""The SOP files pass the tools of standard modelers: bpmnlint (recommended rules) and bpmn-moddle import."""
import subprocess

from tests.conftest import PROCESSES, PROJECT_ROOT

BPMNLINT = PROJECT_ROOT / "node_modules" / ".bin" / "bpmnlint"


def lint(*paths):
    assert BPMNLINT.exists(), "bpmnlint is not installed: run `npm install` in the project root"
    return subprocess.run([str(BPMNLINT), *map(str, paths)], cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120)


def test_every_sop_is_clean_under_bpmnlint_recommended():
    result = lint(*sorted(PROCESSES.glob("*.bpmn")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_bpmnlint_does_catch_a_broken_gateway(tmp_path):
    broken = tmp_path / "broken.bpmn"
    text = (PROCESSES / "kalbar-pengumpulan-skp.bpmn").read_text()
    broken.write_text(text.replace(' default="Flow_Step_05_Keputusan_Step_06_Join"', ""))
    result = lint(broken)
    assert result.returncode != 0
    assert "conditional-flows" in result.stdout


def moddle(*paths):
    """Import the files as bpmn.io / Camunda Modeler would (bpmn-moddle), printing every import warning."""
    return subprocess.run(["node", str(PROJECT_ROOT / "tools" / "moddle-check.mjs"), *map(str, paths)],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)


def test_every_sop_opens_in_bpmn_io_without_import_warnings():
    result = moddle(*sorted(PROCESSES.glob("*.bpmn")))
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_import_check_does_see_a_dangling_reference(tmp_path):
    broken = tmp_path / "dangling.bpmn"
    broken.write_text((PROCESSES / "kalbar-pengumpulan-skp.bpmn").read_text()
                      .replace('targetRef="Step_02"', 'targetRef="Step_99"'))
    result = moddle(broken)
    assert result.returncode == 1 and "unresolved reference <Step_99>" in result.stdout

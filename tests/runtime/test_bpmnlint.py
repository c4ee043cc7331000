"""The SOP files are clean under bpmnlint's recommended rules (npm package, installed by `npm install`)."""
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

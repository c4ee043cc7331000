"""The SOP generator: every committed BPMN is what its transcription generates, and bad sources are refused."""
from __future__ import annotations

import difflib
import itertools
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from alur.runtime import sopgen
from tests.conftest import PROJECT_ROOT
from tests.conftest import FORMS, PROCESSES

SOURCES = sorted((PROCESSES / "sources").glob("*.toml"))


def test_there_is_one_transcription_per_committed_sop():
    assert len(SOURCES) == 11
    assert sorted(p.stem for p in SOURCES) == sorted(p.stem for p in PROCESSES.glob("*.bpmn"))


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_regenerating_a_sop_gives_the_committed_file_byte_for_byte(source):
    data = sopgen.load_source(source)
    assert data["id"] == source.stem
    assert sopgen.generate(data, FORMS) == (PROCESSES / f"{source.stem}.bpmn").read_bytes()


def test_the_generate_command_reproduces_every_committed_sop(tmp_path):
    """`alur generate processes/sources/*.toml`, run from the project root as processes/sources/README.md
    says, writes exactly the committed files, byte for byte.

    Bytes, not canonical XML: the committed files are the generator's output, never edited by hand, and
    the generator is deterministic, so nothing may differ, not even what C14N would forgive (attribute
    order, namespace prefixes, the XML declaration, indentation). A change a designer should see in a
    modeler, such as a moved DI waypoint, is a byte change too.
    """
    out = tmp_path / "processes"
    result = subprocess.run([sys.executable, "-m", "alur.runtime.cli", "generate",
                             *[str(p.relative_to(PROJECT_ROOT)) for p in SOURCES], "--out", str(out)],
                            capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in PROCESSES.glob("*.bpmn"))
    differ = [p for p in sorted(out.iterdir()) if p.read_bytes() != (PROCESSES / p.name).read_bytes()]
    if differ:
        first = differ[0]
        diff = difflib.unified_diff((PROCESSES / first.name).read_text().splitlines(), first.read_text().splitlines(),
                                    f"processes/{first.name}", "generated", lineterm="", n=1)
        pytest.fail(f"generated files differ from the committed ones: {[p.name for p in differ]}\n"
                    + "\n".join(itertools.islice(diff, 40)))


def test_every_tidak_flow_goes_back_to_the_join_before_the_step_it_returns_to():
    """The generator bug once planted by accident: every "Tidak" sent to the first join."""
    ns = {"bpmn": sopgen.NSMAP["bpmn"]}
    for source in SOURCES:
        data = sopgen.load_source(source)
        root = etree.fromstring(sopgen.generate(data, FORMS))
        flows = {f.get("id"): f for f in root.iterfind(".//bpmn:sequenceFlow", ns)}
        for step in data["steps"]:
            if step.get("returns_to") is None:
                continue
            gateway = root.find(f".//bpmn:exclusiveGateway[@id='{sopgen.step_id(step['no'])}_Keputusan']", ns)
            back = [f for f in flows.values() if f.get("sourceRef") == gateway.get("id")
                    and f.get("id") != gateway.get("default")]
            assert len(back) == 1, (source.stem, step["no"])
            assert 'keputusan == "kembalikan"' in back[0].findtext("bpmn:conditionExpression", namespaces=ns)
            join = back[0].get("targetRef")
            onward = [f.get("targetRef") for f in flows.values() if f.get("sourceRef") == join]
            assert onward == [sopgen.step_id(step["returns_to"])], (source.stem, step["no"], join)


MINIMAL = '''
id = "contoh"
name = "Contoh"
lanes = ["Pelaksana", "Kepala"]

[[steps]]
no = 1
lane = "Pelaksana"
text = "Menyusun konsep"
waktu = "1 Jam"
form = "rancangan"

[[steps]]
no = 2
lane = "Kepala"
text = "Memeriksa konsep"
waktu = "30 Menit"
form = "pemeriksaan"
returns_to = 1
'''


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contoh.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_minimal_source_generates_a_process_with_its_review_loop(tmp_path):
    data = sopgen.load_source(write(tmp_path, MINIMAL))
    root = etree.fromstring(sopgen.generate(data, FORMS))
    ns = {"bpmn": sopgen.NSMAP["bpmn"]}
    assert [t.get("id") for t in root.iterfind(".//bpmn:userTask", ns)] == ["Step_01", "Step_02"]
    assert [lane.get("name") for lane in root.iterfind(".//bpmn:lane", ns)] == ["Pelaksana", "Kepala"]
    assert root.find(".//bpmn:exclusiveGateway[@id='Step_02_Keputusan']", ns) is not None


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda t: t.replace('id = "contoh"\n', ""), "missing field 'id'"),
        (lambda t: t.replace('lanes = ["Pelaksana", "Kepala"]\n', ""), "missing field 'lanes'"),
        (lambda t: t.replace('text = "Menyusun konsep"\n', ""), "steps[0] (no 1): missing field 'text'"),
        (lambda t: t.replace('form = "rancangan"\n', ""), "steps[0] (no 1): missing field 'form'"),
        (lambda t: t.replace('lane = "Kepala"', 'lane = "Bupati"'), "steps[1] (no 2): lane 'Bupati' is not in lanes"),
        (lambda t: t.replace('waktu = "1 Jam"', 'waktu = "segera"'), "waktu 'segera' holds no duration"),
        (lambda t: t.replace('waktu = "1 Jam"\n', ""), "steps[0] (no 1): waktu '' holds no duration"),
        (lambda t: t.replace("returns_to = 1", "returns_to = 2"), "returns_to 2 is not an earlier step"),
        (lambda t: t.replace("returns_to = 1", "returns_to = 7"), "returns_to 7 is not an earlier step"),
        (lambda t: t.replace('form = "pemeriksaan"', 'form = "rancangan"'),
         "a review step must use form 'pemeriksaan'"),
        (lambda t: t.replace("no = 2", "no = 1").replace("returns_to = 1\n", ""), "step numbers repeat"),
        (lambda t: t.replace('name = "Contoh"', 'name = "Contoh'), "contoh.toml: "),
    ],
)
def test_a_bad_source_is_refused_naming_file_and_field(tmp_path, edit, message):
    path = write(tmp_path, edit(MINIMAL))
    with pytest.raises(sopgen.SourceError) as refused:
        sopgen.load_source(path)
    assert str(refused.value).startswith(f"{path}: ")
    assert message in str(refused.value)


def test_the_cli_writes_into_a_new_folder_and_reports_bad_sources(tmp_path):
    good = write(tmp_path, MINIMAL)
    bad = tmp_path / "rusak.toml"
    bad.write_text(MINIMAL.replace('id = "contoh"\n', ""), encoding="utf-8")
    out = tmp_path / "baru" / "proses"
    result = subprocess.run([sys.executable, "-m", "alur.runtime.cli", "generate", str(bad), str(good), "--out", str(out)],
                            capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 1
    assert "missing field 'id'" in result.stderr
    assert "Traceback" not in result.stderr
    assert (out / "contoh.bpmn").read_bytes() == sopgen.generate(sopgen.load_source(good), FORMS)
    assert sorted(p.name for p in out.iterdir()) == ["contoh.bpmn"]


def test_the_cli_writes_one_source_to_a_named_file(tmp_path):
    good = write(tmp_path, MINIMAL)
    target = tmp_path / "hasil.bpmn"
    assert sopgen.main([str(good), "--out", str(target), "--forms", str(FORMS)]) == 0
    assert target.read_bytes() == sopgen.generate(sopgen.load_source(good), FORMS)

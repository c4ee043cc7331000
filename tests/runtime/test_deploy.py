"""Deploying: content-addressed versions, and files the engine would misread are refused."""
from __future__ import annotations

import json
import re
import shutil
import time

import pytest
from sqlalchemy import func, select

from alur.runtime import directory
from alur.runtime.engine import DeployRefused
from alur.runtime.models import ProcessVersion
from tests.conftest import FORMS, PROCESSES

SOURCE = PROCESSES / "kalbar-pengumpulan-skp.bpmn"


def versions(alur) -> int:
    with alur.sessions() as session:
        return session.scalar(select(func.count()).select_from(ProcessVersion))


def variant(tmp_path, old: str, new: str):
    """The SOP file with every `old` replaced by `new`."""
    text = SOURCE.read_text()
    assert old in text, old
    path = tmp_path / "variant.bpmn"
    path.write_text(text.replace(old, new))
    return path


def test_deploy_is_idempotent_for_the_same_content(alur):
    first = alur.deploy(SOURCE)
    again = alur.deploy(SOURCE)
    assert (first.process_id, first.version, first.created) == ("kalbar-pengumpulan-skp", 1, True)
    assert (again.version, again.content_hash, again.created) == (1, first.content_hash, False)
    assert versions(alur) == 1


def test_new_content_is_a_new_version_and_an_old_file_comes_back_as_newest(alur, tmp_path):
    v1 = alur.deploy(SOURCE)
    v2 = alur.deploy(variant(tmp_path, 'name="Setuju?"', 'name="Disetujui?"'))
    v3 = alur.deploy(SOURCE)
    assert [v1.version, v2.version, v3.version] == [1, 2, 3]
    assert v3.content_hash == v1.content_hash != v2.content_hash
    assert alur.processes()[0]["version"] == 3


def test_a_changed_form_makes_a_new_version(alur, tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    v1 = alur.deploy(SOURCE, forms)
    schema = json.loads((forms / "pengarsipan.schema.json").read_text())
    schema["properties"]["lokasi"]["maxLength"] = 300
    (forms / "pengarsipan.schema.json").write_text(json.dumps(schema))
    v2 = alur.deploy(SOURCE, forms)
    assert v2.version == v1.version + 1


def test_deploying_every_sop_in_processes(alur):
    report = alur.deploy_directory(PROCESSES)
    assert len(report.deployed) == 11 and all(r.created for r in report.deployed) and report.refused == []
    again = alur.deploy_directory(PROCESSES)
    assert len(again.deployed) == 11 and not any(r.created for r in again.deployed)
    assert len(alur.processes()) == 11


BROKEN = [
    pytest.param(("<bpmn:process ", "<bpmn:process <"), "not well-formed XML", id="not-xml"),
    pytest.param(('<bpmn:userTask id="Step_01"', '<bpmn:userTask id="Step_01" color="red"'),
                 "not valid BPMN 2.0", id="xsd-invalid"),
    pytest.param(('"StartEvent_Mulai"', '"Start"'), "collides with a SpiffWorkflow task name",
                 id="reserved-id"),
    pytest.param(("<bpmn:flowNodeRef>Step_03</bpmn:flowNodeRef>", ""), "'Step_03' is outside every lane",
                 id="task-outside-lanes"),
    pytest.param((' default="Flow_Step_05_Keputusan_Step_06_Join"', ""),
                 "splits but flows Flow_Step_05_Keputusan_Step_06_Join have no condition", id="no-default"),
    pytest.param(('value="pengarsipan.schema.json"', 'value="tidak-ada.schema.json"'),
                 "form 'tidak-ada.schema.json' not found", id="missing-form"),
    pytest.param(('keputusan == "kembalikan"', "__import__('os').system('id')"),
                 "condition '__import__('os').system('id')': the method '.system()' is not allowed; the methods are lower,", id="unsafe-condition"),
    pytest.param(('name="standardMinutes" value="480"', 'name="standardMinutes" value="-5"'),
                 "time standard '-5' is not a whole number of minutes between 0 and 120000", id="negative-standard"),
    pytest.param(('name="standardMinutes" value="480"', 'name="standardMinutes" value="99999999999999999999999"'),
                 "between 0 and 120000 (250 working days)", id="huge-standard"),
    pytest.param(('name="standardMinutes" value="480"', 'name="standardMinutes" value="satu hari"'),
                 "time standard 'satu hari' is not a whole number", id="standard-not-a-number"),
]


@pytest.mark.parametrize("edit, message", BROKEN)
def test_a_broken_file_is_refused_with_file_and_line_and_changes_nothing(alur, tmp_path, edit, message):
    alur.deploy(SOURCE)
    path = variant(tmp_path, *edit)
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(path)
    text = str(refused.value)
    assert message in text
    assert f"{path.name}:" in text
    assert any(p.line for p in refused.value.problems if p.severity == "error")
    assert versions(alur) == 1


def test_an_invalid_form_schema_is_refused(alur, tmp_path):
    forms = tmp_path / "forms"
    shutil.copytree(FORMS, forms)
    (forms / "pengarsipan.schema.json").write_text('{"type": "object", "properties": {"x": {"type": "teks"}}}')
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(SOURCE, forms)
    assert "pengarsipan.schema.json' is not a valid JSON Schema" in str(refused.value)
    assert versions(alur) == 0


def test_a_condition_that_escapes_at_run_time_is_stopped(alur):
    """The engine's own script environment refuses what deploy refuses (a tampered stored spec)."""
    from alur.runtime.expressions import ExpressionError

    env = alur.script_engine.environment
    assert env.evaluate('keputusan == "kembalikan"', {"keputusan": "kembalikan"}) is True
    for source, message in [("__import__('os')", "calling '__import__' is not allowed"),
                            ("().__class__.__bases__", "attribute access '.__bases__' is not allowed"),
                            ("open('/etc/passwd')", "calling 'open' is not allowed")]:
        with pytest.raises(ExpressionError, match=re.escape(message)):
            env.evaluate(source, {})


def test_a_script_that_would_run_long_is_refused_at_once(alur):
    """No loop exists, and an expensive line fails before doing the work: no time limit is needed."""
    from alur.runtime.expressions import ExpressionError

    env = alur.script_engine.environment
    data = {"isi_disposisi": "Tindak lanjuti"}
    started = time.perf_counter()
    with pytest.raises(ExpressionError, match="line 2: the statement 'for' is not allowed; a script line must be 'name = expression'"):
        env.execute("x = 0\nfor i in range(10**9):\n    x += i\n", data)
    with pytest.raises(ExpressionError, match="the result would be 14,000,000,000 characters"):
        env.execute("salinan = isi_disposisi * 10**9", data)
    assert time.perf_counter() - started < 0.5
    assert data == {"isi_disposisi": "Tindak lanjuti"}


@pytest.mark.parametrize("script, message", [
    ("nomor_agenda = 1 / len(catatan)", "division by zero"),
    ("nomor_agenda = isi_disposisi * 10**9", "the result would be 14,000,000,000 characters"),
    ("nomor_agenda = isi_disposisi.splitlines()", "the method '.splitlines()' is not allowed"),
    # refused at deploy; here slipped into the cached spec
    ("nomor_agenda = ().__class__", "attribute access '.__class__' is not allowed"),
    ("nomor_agenda = (x for x in [1])", "a generator expression is not allowed"),
    ("n = 0\nwhile True:\n    n += 1", "line 2: the statement 'while' is not allowed"),
])
def test_a_script_that_fails_at_run_time_fails_the_task_cleanly(alur, tmp_path, script, message):
    from alur.runtime.engine import ProcessFailed
    from alur.runtime.expressions import script_problems
    from alur.runtime.models import Instance

    deployable = not script_problems(script)
    source = (PROCESSES.parent / "tests" / "fixtures" / "spiff-arena-disposisi.bpmn").read_text()
    path = tmp_path / "script.bpmn"
    path.write_text(source.replace('nomor_agenda = "AG-" + str(len(isi_disposisi))',
                                   script if deployable else "nomor_agenda = 0"))
    alur.deploy(path)
    directory.add_user(alur, "pimpinan", ["pimpinan"])
    view = alur.start("spiff-disposisi", "pimpinan")
    task = view.ready_tasks[0]
    if not deployable:  # as if the stored spec had been tampered with
        with alur.sessions() as session:
            spec, _ = alur.spec(alur.version(session, session.get(Instance, view.id).version_id))
        spec.task_specs["Script_Nomor"].script = script
    with pytest.raises(ProcessFailed, match=re.escape(message)):
        alur.complete(task.id, "pimpinan", {"isi_disposisi": "Tindak lanjuti", "catatan": ""})
    after = alur.instance(view.id)
    assert after.revision == view.revision and [t.id for t in after.ready_tasks] == [task.id]
    assert [e.action for e in alur.history(view.id)] == ["start"]

"""Files saved by standard modelers deploy as saved whenever their meaning is clear (issue 19)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from alur.runtime import forms
from alur.runtime.bpmn_check import check_bytes
from tests.conftest import FORMS

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CAMUNDA = (FIXTURES / "camunda-surat-masuk.bpmn").read_text()


def without_form_key() -> str:
    old = ' camunda:formKey="rekapitulasi.schema.json"'
    assert old in CAMUNDA
    return CAMUNDA.replace(old, "")


def test_a_user_task_naming_no_form_gets_the_generic_form_with_a_warning():
    checked = check_bytes(without_form_key().encode(), "surat.bpmn", FORMS)
    assert checked.ok, [str(p) for p in checked.problems]
    warnings = [p for p in checked.problems if p.severity == "warning" and "generic form" in p.message]
    assert len(warnings) == 1
    assert "Activity_Catat" in warnings[0].message and warnings[0].line is not None
    task = next(t for t in checked.user_tasks if t.id == "Activity_Catat")
    assert task.form == forms.GENERIC_FORM
    assert task.properties[forms.FORM_PROPERTY] == forms.GENERIC_FORM
    schema = json.loads(checked.forms[forms.GENERIC_FORM])
    assert forms.schema_problems(checked.forms[forms.GENERIC_FORM]) == []
    assert forms.validate(schema, {"selesai": True, "catatan": "sudah"}) == {"selesai": True, "catatan": "sudah"}
    with pytest.raises(forms.FormDataInvalid) as refused:
        forms.validate(schema, {"catatan": "belum"})
    assert refused.value.errors == {"selesai": "wajib diisi"}


def test_the_generic_form_is_stored_with_the_version(alur, tmp_path):
    path = tmp_path / "surat.bpmn"
    path.write_text(without_form_key())
    result = alur.deploy(path)

    with alur.sessions() as session:
        from sqlalchemy import select
        from alur.runtime.models import ProcessVersion
        stored = session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == result.process_id)).one()
        assert forms.GENERIC_FORM in stored.forms
        assert stored.task_info["Activity_Catat"]["form"] == forms.GENERIC_FORM



def test_an_empty_child_lane_set_leaves_its_lane_a_leaf():
    old = "</bpmn:lane>"  # the first lane's end: Lane_Staf
    assert old in CAMUNDA
    text = CAMUNDA.replace(old, '<bpmn:childLaneSet id="LaneSet_Kosong" />' + old, 1)
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    assert checked.ok, [str(p) for p in checked.problems]
    assert "Staf" in checked.lanes
    assert next(t for t in checked.user_tasks if t.id == "Activity_Catat").lane == "Staf"


def test_a_child_lane_set_with_lanes_still_makes_its_lane_a_parent():
    old = "</bpmn:lane>"
    text = CAMUNDA.replace(old, '<bpmn:childLaneSet id="LaneSet_Anak"><bpmn:lane id="Lane_Anak" name="Anak" />'
                                '</bpmn:childLaneSet>' + old, 1)
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    assert "Staf" not in checked.lanes and "Anak" in checked.lanes
    assert any("Activity_Catat" in p.message and "outside every lane" in p.message for p in checked.problems)


def test_a_manual_task_outside_every_lane_is_refused_naming_it_and_its_line():
    old = '<bpmn:endEvent id="Event_Selesai" name="Selesai">'
    assert old in CAMUNDA
    text = CAMUNDA.replace(old, '<bpmn:manualTask id="Manual_Lepas" name="Tanpa lajur" />\n    ' + old)
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    refusals = [p for p in checked.problems if "Manual_Lepas" in p.message]
    assert not checked.ok and len(refusals) == 1
    assert "outside every lane" in refusals[0].message and refusals[0].line is not None


# ------------------------------------------------------- which process of the file

SECOND_PROCESS = ('<bpmn:process id="Process_Arsip" name="Arsip" isExecutable="{executable}">'
                  '<bpmn:startEvent id="Start_Arsip" /></bpmn:process>\n  <bpmndi:BPMNDiagram')


def with_second_process(executable: str = "true", first: str = "true") -> str:
    assert CAMUNDA.count("<bpmndi:BPMNDiagram") == 1
    text = CAMUNDA.replace("<bpmndi:BPMNDiagram", SECOND_PROCESS.format(executable=executable), 1)
    return text.replace('isExecutable="true" camunda:historyTimeToLive', f'isExecutable="{first}" '
                                                                        'camunda:historyTimeToLive', 1)


def test_a_file_with_two_executable_processes_names_them_and_says_isexecutable_decides():
    checked = check_bytes(with_second_process().encode(), "dua.bpmn", FORMS)
    (problem,) = checked.problems
    assert problem.severity == "error" and problem.line == 2
    assert "2 executable processes: 'camunda-surat-masuk' (line 6), 'Process_Arsip' (line " in problem.message
    assert "isExecutable decides" in problem.message and "--process ID" in problem.message


def test_a_file_with_no_executable_process_names_them_and_says_isexecutable_decides():
    checked = check_bytes(with_second_process("false", "false").encode(), "nol.bpmn", FORMS)
    (problem,) = checked.problems
    assert problem.message == ("this file has no executable process: 'camunda-surat-masuk', 'Process_Arsip' are "
                               "marked isExecutable=\"false\"; isExecutable decides what Alur deploys: set it to "
                               "\"true\" on the process to run")


def test_process_id_picks_one_of_several_executable_processes():
    checked = check_bytes(with_second_process().encode(), "dua.bpmn", FORMS, process_id="camunda-surat-masuk")
    assert checked.ok, [str(p) for p in checked.problems]
    assert checked.process_id == "camunda-surat-masuk" and len(checked.user_tasks) == 2
    other = check_bytes(with_second_process().encode(), "dua.bpmn", FORMS, process_id="Process_Arsip")
    assert other.ok and other.process_id == "Process_Arsip" and other.user_tasks == []


def test_process_id_must_name_an_executable_process_of_the_file():
    missing = check_bytes(with_second_process().encode(), "dua.bpmn", FORMS, process_id="Tidak_Ada")
    assert [p.message for p in missing.problems] == [
        "this file has no process 'Tidak_Ada'; its processes are 'camunda-surat-masuk', 'Process_Arsip'"]
    off = check_bytes(with_second_process("false").encode(), "dua.bpmn", FORMS, process_id="Process_Arsip")
    assert [p.message for p in off.problems] == [
        "process 'Process_Arsip' is marked isExecutable=\"false\"; set it to \"true\" to deploy it"]


def test_alur_deploy_process_picks_one_and_a_stored_version_simulates(tmp_path, monkeypatch, capsys):
    from alur.runtime.cli import main

    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("ALUR_FORMS_DIR", str(FORMS))
    path = tmp_path / "dua.bpmn"
    path.write_text(with_second_process())
    assert main(["deploy", str(path)]) == 1
    assert "isExecutable decides" in capsys.readouterr().err
    assert main(["deploy", str(path), "--process", "camunda-surat-masuk"]) == 0
    assert "camunda-surat-masuk of default deployed as version 1" in capsys.readouterr().out
    assert main(["simulate", "camunda-surat-masuk"]) == 0
    with pytest.raises(SystemExit) as usage:
        main(["deploy", str(path), str(path), "--process", "camunda-surat-masuk"])
    assert usage.value.code == 2 and "--process picks a process of one file" in capsys.readouterr().err

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


# ------------------------------------------------------- Camunda generated forms

FORM_DATA = """<camunda:formData>
          <camunda:formField id="nomor_agenda" label="Nomor agenda" type="string">
            <camunda:validation>
              <camunda:constraint name="required" />
              <camunda:constraint name="minlength" config="3" />
              <camunda:constraint name="maxlength" config="30" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="jumlah_lampiran" label="Jumlah lampiran" type="long" defaultValue="0">
            <camunda:validation>
              <camunda:constraint name="min" config="0" />
              <camunda:constraint name="max" config="20" />
            </camunda:validation>
          </camunda:formField>
          <camunda:formField id="rahasia" label="Surat rahasia" type="boolean" defaultValue="false" />
          <camunda:formField id="tanggal_terima" label="Tanggal diterima" type="date" defaultValue="05/01/2026" />
          <camunda:formField id="sifat" label="Sifat surat" type="enum" defaultValue="biasa">
            <camunda:value id="biasa" name="Biasa" />
            <camunda:value id="segera" name="Segera" />
          </camunda:formField>
        </camunda:formData>
        """


def with_form_data(form_data: str = FORM_DATA) -> str:
    text = without_form_key()
    old = "<camunda:properties>\n          <camunda:property name=\"sopStep\" value=\"1\" />"
    assert text.count(old) == 1
    return text.replace(old, form_data + old)


def test_camunda_form_fields_become_a_json_schema_form():
    checked = check_bytes(with_form_data().encode(), "surat.bpmn", FORMS)
    assert checked.ok, [str(p) for p in checked.problems]
    assert not [p for p in checked.problems if "Activity_Catat" in p.message]
    task = next(t for t in checked.user_tasks if t.id == "Activity_Catat")
    assert task.form == "camunda-Activity_Catat.schema.json" == task.properties[forms.FORM_PROPERTY]
    schema = json.loads(checked.forms[task.form])
    assert forms.schema_problems(checked.forms[task.form]) == []
    assert schema["title"] == "1. Mencatat surat masuk dalam agenda"
    assert schema["required"] == ["nomor_agenda"] and schema["additionalProperties"] is False
    assert schema["properties"] == {
        "nomor_agenda": {"title": "Nomor agenda", "type": "string", "minLength": 3, "maxLength": 30},
        "jumlah_lampiran": {"title": "Jumlah lampiran", "type": "integer", "default": 0, "minimum": 0, "maximum": 20},
        "rahasia": {"title": "Surat rahasia", "type": "boolean", "default": False},
        "tanggal_terima": {"title": "Tanggal diterima", "type": "string", "format": "date", "default": "2026-01-05"},
        "sifat": {"title": "Sifat surat", "type": "string", "enum": ["biasa", "segera"],
                  "x-enumNames": ["Biasa", "Segera"], "default": "biasa"},
    }
    good = {"nomor_agenda": "001/UM", "jumlah_lampiran": 2, "rahasia": False, "tanggal_terima": "2026-01-06",
            "sifat": "segera"}
    assert forms.validate(schema, good) == good
    with pytest.raises(forms.FormDataInvalid) as refused:
        forms.validate(schema, {"nomor_agenda": "1", "jumlah_lampiran": 21, "sifat": "kilat", "tanggal_terima": "besok"})
    assert refused.value.errors == {"nomor_agenda": "minimal 3 karakter", "jumlah_lampiran": "maksimal 20",
                                    "sifat": "pilihan tidak dikenal", "tanggal_terima": "format date tidak sah"}
    from alur.web.formrender import fields_of

    assert [(f.name, f.label, f.widget, f.required) for f in fields_of(schema)] == [
        ("nomor_agenda", "Nomor agenda", "text", True), ("jumlah_lampiran", "Jumlah lampiran", "number", False),
        ("rahasia", "Surat rahasia", "checkbox", False), ("tanggal_terima", "Tanggal diterima", "date", False),
        ("sifat", "Sifat surat", "radio", False)]


def test_a_generated_form_is_stored_with_the_version(alur, tmp_path):
    path = tmp_path / "surat.bpmn"
    path.write_text(with_form_data())
    result = alur.deploy(path)
    with alur.sessions() as session:
        from alur.runtime.engine import newest_version
        stored = newest_version(session, result.org, result.process_id)
        assert json.loads(stored.forms["camunda-Activity_Catat.schema.json"])["required"] == ["nomor_agenda"]
        assert stored.task_info["Activity_Catat"]["form"] == "camunda-Activity_Catat.schema.json"
    # The same file again is the same content.
    assert alur.deploy(path).created is False


@pytest.mark.parametrize("form_field, message", [
    ('<camunda:formField id="x" label="X" type="custom:surat" />',
     "task 'Activity_Catat', form field 'x': type 'custom:surat' has no Alur form field; use string, long, boolean, "
     "date or enum"),
    ('<camunda:formField id="x" type="string"><camunda:validation><camunda:constraint name="validator" '
     'config="org.example.Cek" /></camunda:validation></camunda:formField>',
     "task 'Activity_Catat', form field 'x': validation constraint 'validator' is not one Alur runs (required, "
     "minlength, maxlength, min, max, readonly)"),
    ('<camunda:formField id="x" type="date" defaultValue="${now()}" />',
     "task 'Activity_Catat', form field 'x': the default value '${now()}' is an expression; Alur evaluates no "
     "expression in a form, write the value itself"),
    ('<camunda:formField id="x" type="long" defaultValue="dua" />',
     "task 'Activity_Catat', form field 'x': the default value 'dua' is not a long"),
    ('<camunda:formField id="x" type="enum" />',
     "task 'Activity_Catat', form field 'x': an enum needs camunda:value entries, each with its own id"),
    ('<camunda:formField id="x" type="boolean"><camunda:validation><camunda:constraint name="maxlength" config="3" />'
     '</camunda:validation></camunda:formField>',
     "task 'Activity_Catat', form field 'x': maxlength does not apply to a boolean field"),
])
def test_a_form_field_alur_cannot_run_is_refused_with_its_line(form_field, message):
    text = with_form_data(f"<camunda:formData>\n          {form_field}\n        </camunda:formData>\n        ")
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    errors = [p for p in checked.problems if p.severity == "error"]
    assert [p.message for p in errors] == [message]
    assert errors[0].line == text[:text.index("<camunda:formField")].count("\n") + 1


def test_a_read_only_field_and_a_start_form_are_warned_about():
    text = with_form_data('<camunda:formData><camunda:formField id="catatan" type="string" />'
                          '<camunda:formField id="nomor" type="string"><camunda:validation>'
                          '<camunda:constraint name="readonly" /></camunda:validation></camunda:formField>'
                          '</camunda:formData>')
    text = text.replace('<bpmn:startEvent id="StartEvent_1" name="Mulai">',
                        '<bpmn:startEvent id="StartEvent_1" name="Mulai"><bpmn:extensionElements><camunda:formData>'
                        '<camunda:formField id="perihal" type="string" /></camunda:formData></bpmn:extensionElements>')
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    assert checked.ok, [str(p) for p in checked.problems]
    warnings = [p.message for p in checked.problems if p.severity == "warning"]
    assert ("task 'Activity_Catat', form field 'nomor' is read-only: Alur's forms have no read-only fields, so it is "
            "left out of the form") in warnings
    assert any("start event 'StartEvent_1': its camunda:formData is not asked" in w for w in warnings)
    assert list(json.loads(checked.forms["camunda-Activity_Catat.schema.json"])["properties"]) == ["catatan"]


def test_a_task_naming_a_form_and_form_fields_uses_the_form_and_says_so():
    text = with_form_data().replace('name="1. Mencatat surat masuk dalam agenda"',
                                    'name="1. Mencatat surat masuk dalam agenda" camunda:formKey="rekapitulasi.schema.json"')
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    assert checked.ok
    assert next(t for t in checked.user_tasks if t.id == "Activity_Catat").form == "rekapitulasi.schema.json"
    assert any("its camunda:formData (generated form fields) is not used" in p.message for p in checked.problems)


# ------------------------------------------------------- camunda:dueDate

def with_due_dates(catat: str, periksa: str | None = None) -> str:
    text = without_form_key().replace('<bpmn:userTask id="Activity_Catat"',
                                      f'<bpmn:userTask id="Activity_Catat" camunda:dueDate="{catat}"', 1)
    if periksa is not None:
        text = text.replace('<bpmn:userTask id="Activity_Periksa"',
                            f'<bpmn:userTask id="Activity_Periksa" camunda:dueDate="{periksa}"', 1)
    return text


def _task_line(text: str, task_id: str) -> int:
    return text[:text.index(f'<bpmn:userTask id="{task_id}"')].count("\n") + 1


@pytest.mark.parametrize("due", ["P3D", "PT4H", "P1DT2H", "2026-12-31T16:00:00", "2026-12-31T16:00:00+07:00"])
def test_an_iso_due_date_is_accepted_and_kept_with_the_task(due):
    checked = check_bytes(with_due_dates(due).encode(), "surat.bpmn", FORMS)
    assert checked.ok, [str(p) for p in checked.problems]
    assert next(t for t in checked.user_tasks if t.id == "Activity_Catat").properties["dueDate"] == due


@pytest.mark.parametrize("due, message", [
    ("besok", "'besok' is neither an ISO 8601 date-time (2026-12-31T16:00:00) nor a duration (P3D, PT4H)"),
    ("P3X", "'P3X' is not an ISO 8601 duration (P3D, PT4H, P1DT2H)"),
    ("P99999999Y", "'P99999999Y' is more than ten years"),
])
def test_a_due_date_that_is_not_iso_is_refused_with_its_task_and_line(due, message):
    text = with_due_dates(due)
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    errors = [p for p in checked.problems if p.severity == "error"]
    assert [(p.line, p.message) for p in errors] == [(_task_line(text, "Activity_Catat"),
                                                      f"user task 'Activity_Catat': dueDate {message}")]


def test_a_due_date_expression_is_not_evaluated_and_warned_about_with_its_line():
    text = with_due_dates("${dateTime().plusWeeks(1).toDate()}")
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    assert checked.ok
    (warning,) = [p for p in checked.problems if "dueDate" in p.message]
    assert warning.severity == "warning" and warning.line == _task_line(text, "Activity_Catat")
    assert warning.message.startswith("user task 'Activity_Catat': dueDate '${dateTime().plusWeeks(1).toDate()}' is "
                                      "an expression, which Alur does not evaluate")
    assert "dueDate" not in next(t for t in checked.user_tasks if t.id == "Activity_Catat").properties


def test_the_due_date_sets_the_due_time_and_no_calendar_change_moves_it(alur, tmp_path, monkeypatch):
    from datetime import date, datetime, timezone

    from alur.runtime import calendar_admin, directory
    from alur.runtime import engine as runtime_engine

    path = tmp_path / "surat.bpmn"
    path.write_text(with_due_dates("PT4H", "2026-12-31T16:00:00"))
    alur.deploy(path)
    directory.add_user(alur, "staf", ["staf"])
    directory.add_user(alur, "kasubbag", ["kasubbag"])
    now = datetime(2026, 11, 20, 8, 58, tzinfo=timezone.utc)  # Friday 15:58 WIB
    monkeypatch.setattr(runtime_engine, "utcnow", lambda: now)
    (catat,) = alur.start("camunda-surat-masuk", "staf").ready_tasks
    # Four hours of calendar time, though the office closes two minutes later.
    assert catat.due_at == datetime(2026, 11, 20, 12, 58, tzinfo=timezone.utc)
    calendar_admin.add_day_off(alur, "default", date(2026, 11, 20), "Cuti bersama daerah", "admin", now=now)
    assert alur.task(catat.id).due_at == datetime(2026, 11, 20, 12, 58, tzinfo=timezone.utc)
    (periksa,) = alur.complete(catat.id, "staf", {"selesai": True}).ready_tasks
    # A date-time without a zone is in the organisation's time zone (WIB).
    assert periksa.due_at == datetime(2026, 12, 31, 9, 0, tzinfo=timezone.utc)


# ------------------------------------------------------- embedded subprocesses

def with_review_in_a_subprocess() -> str:
    """The Kasubbag's review wrapped in an embedded subprocess of the Kasubbag's lane (as Camunda Modeler
    writes one: the lane names the subprocess, not the task inside it)."""
    text = CAMUNDA
    start = text.index('<bpmn:userTask id="Activity_Periksa"')
    end = text.index("</bpmn:userTask>", start) + len("</bpmn:userTask>")
    task = (text[start:end].replace("<bpmn:incoming>Flow_3</bpmn:incoming>", "<bpmn:incoming>Flow_S1</bpmn:incoming>")
            .replace("<bpmn:outgoing>Flow_4</bpmn:outgoing>", "<bpmn:outgoing>Flow_S2</bpmn:outgoing>"))
    subprocess = ('<bpmn:subProcess id="Sub_Periksa" name="Pemeriksaan">'
                  '<bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing>'
                  '<bpmn:startEvent id="Sub_Mulai"><bpmn:outgoing>Flow_S1</bpmn:outgoing></bpmn:startEvent>\n'
                  f'      {task}\n'
                  '<bpmn:endEvent id="Sub_Selesai"><bpmn:incoming>Flow_S2</bpmn:incoming></bpmn:endEvent>'
                  '<bpmn:sequenceFlow id="Flow_S1" sourceRef="Sub_Mulai" targetRef="Activity_Periksa" />'
                  '<bpmn:sequenceFlow id="Flow_S2" sourceRef="Activity_Periksa" targetRef="Sub_Selesai" />'
                  '</bpmn:subProcess>')
    text = text[:start] + subprocess + text[end:]
    text = text.replace('targetRef="Activity_Periksa" />\n', 'targetRef="Sub_Periksa" />\n', 1)
    text = text.replace('sourceRef="Activity_Periksa" targetRef="Gateway_Keputusan"',
                        'sourceRef="Sub_Periksa" targetRef="Gateway_Keputusan"')
    return text.replace("<bpmn:flowNodeRef>Activity_Periksa</bpmn:flowNodeRef>",
                        "<bpmn:flowNodeRef>Sub_Periksa</bpmn:flowNodeRef>")


def test_a_user_task_inside_an_embedded_subprocess_takes_its_lane():
    checked = check_bytes(with_review_in_a_subprocess().encode(), "surat.bpmn", FORMS)
    assert checked.ok, [str(p) for p in checked.problems]
    assert next(t for t in checked.user_tasks if t.id == "Activity_Periksa").lane == "Kasubbag"


def test_a_user_task_inside_a_subprocess_outside_every_lane_is_still_refused():
    text = with_review_in_a_subprocess().replace("<bpmn:flowNodeRef>Sub_Periksa</bpmn:flowNodeRef>", "")
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    assert any(p.severity == "error" and "user task 'Activity_Periksa' is outside every lane" in p.message
               for p in checked.problems)


def test_the_kasubbag_does_the_review_inside_the_subprocess(alur, tmp_path):
    from alur.runtime import directory
    from alur.runtime.engine import Forbidden

    path = tmp_path / "surat.bpmn"
    path.write_text(with_review_in_a_subprocess())
    alur.deploy(path)
    directory.add_user(alur, "staf", ["staf"])
    directory.add_user(alur, "kasubbag", ["kasubbag"])
    (catat,) = alur.start("camunda-surat-masuk", "staf").ready_tasks
    (periksa,) = alur.complete(catat.id, "staf", forms.sample_data(json.loads((FORMS / "rekapitulasi.schema.json").read_text()))).ready_tasks
    assert (periksa.task_spec, periksa.lane, periksa.role) == ("Activity_Periksa", "Kasubbag", "kasubbag")
    assert [t.task_spec for t in alur.tasks_for("kasubbag")] == ["Activity_Periksa"]
    with pytest.raises(Forbidden):
        alur.complete(periksa.id, "staf", {"keputusan": "setuju"})
    view = alur.complete(periksa.id, "kasubbag", {"keputusan": "setuju"})
    assert view.status == "completed"


# ------------------------------------------------------- extensions Alur does not run

SERVICE = '<bpmn:serviceTask id="Activity_Arsip" name="Arsipkan" {attributes}>{extensions}</bpmn:serviceTask>\n    '


def with_service_task(attributes: str = "", extensions: str = "", kind: str = "serviceTask") -> tuple[str, int]:
    old = '<bpmn:endEvent id="Event_Selesai" name="Selesai">'
    element = SERVICE.format(attributes=attributes, extensions=extensions).replace("serviceTask", kind)
    text = CAMUNDA.replace(old, element + old)
    return text, text[:text.index('id="Activity_Arsip"')].count("\n") + 1


@pytest.mark.parametrize("attributes, extensions, kind, message", [
    ('camunda:class="org.camunda.bpm.example.invoice.service.ArchiveInvoiceService"', "", "serviceTask",
     "service task 'Activity_Arsip' calls the Java class 'org.camunda.bpm.example.invoice.service."
     "ArchiveInvoiceService' (camunda:class); Alur runs no code of a model: remove it, or make the step a user task"),
    ('camunda:expression="${arsip.simpan(execution)}"', "", "serviceTask",
     "service task 'Activity_Arsip' evaluates the expression '${arsip.simpan(execution)}' (camunda:expression); "
     "Alur runs no code of a model: remove it, or make the step a user task"),
    ('camunda:delegateExpression="${arsipDelegate}"', "", "sendTask",
     "send task 'Activity_Arsip' calls the delegate '${arsipDelegate}' (camunda:delegateExpression); Alur runs no "
     "code of a model: remove it, or make the step a user task"),
    ('camunda:type="external" camunda:topic="arsip"', "", "serviceTask",
     "service task 'Activity_Arsip' is an external task (topic 'arsip'); Alur has no external workers: remove it, "
     "or make the step a user task"),
    ("", "<bpmn:extensionElements><camunda:connector><camunda:connectorId>http-connector</camunda:connectorId>"
         "</camunda:connector></bpmn:extensionElements>", "serviceTask",
     "service task 'Activity_Arsip' calls the connector 'http-connector' (camunda:connector); Alur runs no "
     "connector: remove it, or make the step a user task"),
    ('camunda:decisionRef="invoice-assign-approver"', "", "businessRuleTask",
     "business rule task 'Activity_Arsip' calls the DMN decision 'invoice-assign-approver'; Alur does not run DMN "
     "decisions yet: decide it in a user task, or with a gateway's conditions"),
    ("", "", "serviceTask",
     "service task 'Activity_Arsip' names no implementation; the engine cannot run it: remove it, or make the step "
     "a user task"),
])
def test_a_step_whose_work_alur_does_not_run_is_refused_naming_it_and_its_line(attributes, extensions, kind,
                                                                               message):
    text, line = with_service_task(attributes, extensions, kind)
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    errors = [p for p in checked.problems if p.severity == "error"]
    assert [(p.line, p.message) for p in errors] == [(line, message)]


def test_listeners_and_variable_mappings_are_warned_about_naming_their_element_and_line():
    old = "<camunda:properties>\n          <camunda:property name=\"sopStep\" value=\"1\" />"
    listener = ('<camunda:taskListener event="create"><camunda:script scriptFormat="javascript">'
                "task.setAssignee(approver);</camunda:script></camunda:taskListener>\n"
                '<camunda:inputOutput><camunda:inputParameter name="a">1</camunda:inputParameter>'
                "</camunda:inputOutput>\n")
    text = without_form_key().replace(old, listener + old)
    text = text.replace('<bpmn:exclusiveGateway id="Gateway_Gabung">',
                        '<bpmn:exclusiveGateway id="Gateway_Gabung"><bpmn:extensionElements>\n'
                        '<camunda:executionListener class="org.example.Catat" event="start" />'
                        "</bpmn:extensionElements>")
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    assert checked.ok, [str(p) for p in checked.problems]
    warnings = {(p.line, p.message) for p in checked.problems if "Alur" in p.message and p.severity == "warning"}
    line_of = lambda needle: text[:text.index(needle)].count("\n") + 1  # noqa: E731
    assert warnings >= {
        (line_of("<camunda:taskListener"), "user task 'Activity_Catat': its task listener (create) is not run by "
                                           "Alur; what it does (a script, a class, an expression) does not happen"),
        (line_of("<camunda:inputOutput"), "user task 'Activity_Catat': its input/output mapping (camunda:inputOutput) "
                                          "is not applied by Alur; the step sees and changes the process data as it is"),
        (line_of("<camunda:executionListener"), "exclusive gateway 'Gateway_Gabung': its execution listener (start) "
                                                "is not run by Alur; what it does (a script, a class, an expression) "
                                                "does not happen"),
    }


# ------------------------------------------------------- call activities

CALLED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_Telaah"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="telaah-surat" name="{name}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_Telaah">
      <bpmn:lane id="Lane_Sekretaris" name="Sekretaris">
        <bpmn:flowNodeRef>Telaah_Mulai</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Telaah_Sekretaris</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Telaah_Selesai</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="Telaah_Mulai"><bpmn:outgoing>Flow_T1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="Telaah_Sekretaris" name="Menelaah surat">
      <bpmn:incoming>Flow_T1</bpmn:incoming><bpmn:outgoing>Flow_T2</bpmn:outgoing></bpmn:userTask>
    <bpmn:endEvent id="Telaah_Selesai"><bpmn:incoming>Flow_T2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="Flow_T1" sourceRef="Telaah_Mulai" targetRef="Telaah_Sekretaris" />
    <bpmn:sequenceFlow id="Flow_T2" sourceRef="Telaah_Sekretaris" targetRef="Telaah_Selesai" />
  </bpmn:process>
</bpmn:definitions>
"""


def with_call_activity() -> str:
    """The Staf's entry, then the Sekretaris's telaah (another deployed SOP), then the Kasubbag's review."""
    old = '<bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_Catat" targetRef="Activity_Periksa" />'
    assert old in CAMUNDA
    text = CAMUNDA.replace(old, '<bpmn:sequenceFlow id="Flow_3" sourceRef="Activity_Catat" targetRef="Call_Telaah" />'
                                '\n    <bpmn:callActivity id="Call_Telaah" name="Telaah sekretaris" '
                                'calledElement="telaah-surat"><bpmn:incoming>Flow_3</bpmn:incoming>'
                                '<bpmn:outgoing>Flow_3b</bpmn:outgoing></bpmn:callActivity>\n'
                                '    <bpmn:sequenceFlow id="Flow_3b" sourceRef="Call_Telaah" '
                                'targetRef="Activity_Periksa" />')
    text = text.replace("<bpmn:incoming>Flow_3</bpmn:incoming>\n", "<bpmn:incoming>Flow_3b</bpmn:incoming>\n", 1)
    return text.replace("<bpmn:flowNodeRef>Activity_Catat</bpmn:flowNodeRef>",
                        "<bpmn:flowNodeRef>Activity_Catat</bpmn:flowNodeRef><bpmn:flowNodeRef>Call_Telaah"
                        "</bpmn:flowNodeRef>")


def test_a_call_activity_runs_the_deployed_process_it_calls(alur, tmp_path):
    from alur.runtime import directory
    from alur.runtime.engine import DeployRefused, InvalidData

    caller, callee = tmp_path / "surat.bpmn", tmp_path / "telaah.bpmn"
    caller.write_text(with_call_activity())
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(caller)
    (problem,) = [p for p in refused.value.problems if p.severity == "error"]
    assert problem.message == ("call activity 'Call_Telaah' calls process 'telaah-surat', which is neither in this "
                               "file nor deployed in this organisation; deploy 'telaah-surat' first")
    assert problem.line == with_call_activity()[:with_call_activity().index('<bpmn:callActivity')].count("\n") + 1
    assert alur.processes() == []

    callee.write_text(CALLED.format(name="Telaah surat"))
    alur.deploy(callee)
    assert alur.deploy(caller).created is True
    assert alur.deploy(caller).created is False  # same file, same callee: the same content
    for user, role in (("staf", "staf"), ("sekretaris", "sekretaris"), ("kasubbag", "kasubbag")):
        directory.add_user(alur, user, [role])
    (catat,) = alur.start("camunda-surat-masuk", "staf").ready_tasks
    (telaah,) = alur.complete(catat.id, "staf", forms.sample_data(
        json.loads((FORMS / "rekapitulasi.schema.json").read_text()))).ready_tasks
    assert (telaah.task_spec, telaah.lane, telaah.role, telaah.form) == (
        "Telaah_Sekretaris", "Sekretaris", "sekretaris", forms.GENERIC_FORM)
    with pytest.raises(InvalidData) as invalid:  # the called SOP's form is enforced
        alur.complete(telaah.id, "sekretaris", {"catatan": "tanpa selesai"})
    assert invalid.value.errors == {"selesai": "wajib diisi"}
    (periksa,) = alur.complete(telaah.id, "sekretaris", {"selesai": True}).ready_tasks
    assert (periksa.task_spec, periksa.role) == ("Activity_Periksa", "kasubbag")

    # A new version of the called SOP: the caller deployed again calls it, as new content.
    callee.write_text(CALLED.format(name="Telaah surat (revisi)"))
    alur.deploy(callee)
    assert alur.deploy(caller).created is True


def test_without_a_deploy_a_call_outside_the_file_is_named_with_its_line():
    text = with_call_activity()
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    (problem,) = [p for p in checked.problems if p.severity == "error"]
    assert problem.message.startswith("call activity 'Call_Telaah' calls process 'telaah-surat', which is not in "
                                      "this file")


def test_a_cmmn_case_call_an_embedded_form_and_variable_mappings_are_named_with_their_lines():
    # The shapes of Camunda's invoice example: a call of a CMMN case with camunda:in/out, an embedded HTML form.
    text = with_call_activity().replace(
        'calledElement="telaah-surat"><bpmn:incoming>Flow_3</bpmn:incoming>',
        'camunda:caseRef="InvoiceClarificationCase"><bpmn:extensionElements>\n<camunda:in source="a" target="a" />'
        '</bpmn:extensionElements><bpmn:incoming>Flow_3</bpmn:incoming>')
    text = text.replace('camunda:formKey="rekapitulasi.schema.json"', 'camunda:formKey="embedded:app:forms/catat.html"')
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    line_of = lambda needle: text[:text.index(needle)].count("\n") + 1  # noqa: E731
    found = {(p.line, p.severity, p.message) for p in checked.problems}
    assert (line_of('<bpmn:callActivity'), "error",
            "call activity 'Call_Telaah' calls the CMMN case 'InvoiceClarificationCase' (camunda:caseRef); Alur runs "
            "no CMMN cases: call a deployed process (calledElement), or make the step a user task") in found
    assert (line_of('<camunda:in '), "warning",
            "call activity 'Call_Telaah': its variable mapping (camunda:in) is not applied by Alur; the called "
            "process gets all the data of the caller and gives all of its data back") in found
    assert (line_of('<bpmn:userTask id="Activity_Catat"'), "error",
            "user task 'Activity_Catat': form 'embedded:app:forms/catat.html' is a Camunda form (HTML or Camunda "
            "Forms), which Alur does not show; name a JSON Schema of forms/ (camunda:formKey=\"NAME.schema.json\") "
            "or use generated form fields (camunda:formData)") in found


def test_a_call_activity_naming_no_process_is_refused():
    text = with_call_activity().replace(' calledElement="telaah-surat"', "")
    checked = check_bytes(text.encode(), "surat.bpmn", FORMS)
    assert [p.message for p in checked.problems if p.severity == "error"] == [
        "call activity 'Call_Telaah' names no process to call (calledElement)"]

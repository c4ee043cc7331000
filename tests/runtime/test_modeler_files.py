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

"""An instance that ends advances its revision once, like any other step, wherever it ends:
at its start (a process with no user task) or on the completion of its last task."""
from __future__ import annotations

from sqlalchemy import select

from alur.runtime import directory
from alur.runtime.models import Instance
from tests.conftest import PROJECT_ROOT

PARALLEL = PROJECT_ROOT / "tests" / "fixtures" / "parallel-periksa.bpmn"

# Start straight to end, in the Staf's lane: the instance is done the moment it starts.
ENDS_AT_START = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_langsung"
                  targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:collaboration id="Collaboration_1">
    <bpmn:participant id="Participant_1" name="Pencatatan Otomatis" processRef="langsung-selesai" />
  </bpmn:collaboration>
  <bpmn:process id="langsung-selesai" name="Pencatatan Otomatis" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_Staf" name="Staf">
        <bpmn:flowNodeRef>StartEvent_1</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>Event_Selesai</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="StartEvent_1" name="Mulai"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="StartEvent_1" targetRef="Event_Selesai" />
    <bpmn:endEvent id="Event_Selesai" name="Selesai"><bpmn:incoming>Flow_1</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def stored(alur, instance_id):
    with alur.sessions() as session:
        return session.execute(select(Instance.status, Instance.revision, Instance.completed_at)
                               .where(Instance.id == instance_id)).one()


def test_an_instance_that_ends_at_its_start_is_written_once(alur):
    alur.deploy_bytes(ENDS_AT_START, "langsung-selesai.bpmn")
    directory.add_user(alur, "staf", ["staf"])
    view = alur.start("langsung-selesai", "staf")
    assert (view.status, view.revision, view.ready_tasks) == ("completed", 1, [])
    status, revision, completed_at = stored(alur, view.id)
    assert (status, revision) == ("completed", 1)
    assert completed_at is not None
    assert [e.action for e in alur.history(view.id)] == ["start", "end"]


def test_an_instance_that_ends_on_a_completion_advances_one_revision(alur):
    alur.deploy(PARALLEL)
    directory.add_user(alur, "staf", ["staf"])
    directory.add_user(alur, "kasubbag", ["kasubbag"])
    view = alur.start("parallel-periksa", "staf")
    assert view.revision == 1
    [review] = [t for t in view.ready_tasks if t.task_spec == "Activity_Periksa"]
    view = alur.complete(review.id, "kasubbag", {"keputusan": "kembalikan", "catatan": "Berkas tidak lengkap"})
    assert (view.status, view.revision) == ("completed", 2)
    assert stored(alur, view.id)[:2] == ("completed", 2)

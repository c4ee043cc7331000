"""Task rows follow the state when two lanes work at once: a task that stays ready keeps its row (and its
claim) while the other lane completes, and a task the process withdraws is cancelled, not left in an inbox."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from alur.runtime import directory
from alur.runtime.models import HumanTask
from tests.conftest import PROJECT_ROOT

FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "parallel-periksa.bpmn"
PROCESS = "parallel-periksa"


@pytest.fixture
def started(alur):
    alur.deploy(FIXTURE)
    directory.add_user(alur, "staf", ["staf"])
    directory.add_user(alur, "kasubbag", ["kasubbag"])
    view = alur.start(PROCESS, "staf")
    return {t.task_spec: t for t in view.ready_tasks}, view


def statuses(alur, instance_id):
    with alur.sessions() as session:
        return dict(session.execute(select(HumanTask.task_spec, HumanTask.status)
                                    .where(HumanTask.instance_id == instance_id)).all())


def test_a_task_that_stays_ready_keeps_its_row_and_claim(alur, started):
    ready, view = started
    assert sorted(ready) == ["Activity_Catat", "Activity_Periksa"]
    alur.claim(ready["Activity_Periksa"].id, "kasubbag")
    view = alur.complete(ready["Activity_Catat"].id, "staf", {"jumlah_berkas": 2})
    [still] = view.ready_tasks
    assert (still.id, still.claimed_by) == (ready["Activity_Periksa"].id, "kasubbag")
    assert [t.id for t in alur.tasks_for("kasubbag")] == [still.id]
    view = alur.complete(still.id, "kasubbag", {"keputusan": "setuju"})
    assert view.status == "completed" and view.ready_tasks == []
    assert statuses(alur, view.id) == {"Activity_Catat": "completed", "Activity_Periksa": "completed"}


def test_a_task_the_process_withdraws_is_cancelled(alur, started):
    ready, view = started
    view = alur.complete(ready["Activity_Periksa"].id, "kasubbag",
                         {"keputusan": "kembalikan", "catatan": "Berkas tidak lengkap"})
    assert view.status == "completed" and view.ready_tasks == []
    assert statuses(alur, view.id) == {"Activity_Catat": "cancelled", "Activity_Periksa": "completed"}
    assert alur.tasks_for("staf") == []
    assert [e.action for e in alur.history(view.id)] == ["start", "return", "end"]

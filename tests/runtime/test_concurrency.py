"""Concurrency: one completion wins a race, parallel work on different instances loses nothing."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from alur.runtime.engine import Conflict
from alur.runtime.models import AuditEntry, HumanTask
from tests.runtime.test_kalbar_pengumpulan_skp import DATA, KASUBBAG, PERFORMER, PROCESS, only_ready

RACERS = 50


def test_fifty_threads_completing_the_same_task_exactly_one_wins(sop):
    view = sop.start(PROCESS, KASUBBAG)
    task = only_ready(view)
    barrier = threading.Barrier(RACERS)

    def race(n):
        barrier.wait()
        try:
            sop.complete(task.id, KASUBBAG, {"isi_disposisi": f"Disposisi dari peserta {n}"})
            return "ok"
        except Conflict:
            return "conflict"

    with ThreadPoolExecutor(RACERS) as pool:
        outcomes = list(pool.map(race, range(RACERS)))
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("conflict") == RACERS - 1
    after = sop.instance(view.id)
    assert after.revision == view.revision + 1
    assert only_ready(after).task_spec == "Step_02"
    with sop.sessions() as session:
        completions = session.scalars(
            select(AuditEntry).where(AuditEntry.instance_id == view.id, AuditEntry.action == "complete")
        ).all()
        ready = session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.instance_id == view.id, HumanTask.status == "ready"))
    assert len(completions) == 1 and ready == 1
    # The winner's data is the data in the state: the next step sees it.
    winner = completions[0].data["isi_disposisi"]
    from alur.runtime import state
    from alur.runtime.models import Instance

    with sop.sessions() as session:
        stored = state.state_json(session.get(Instance, view.id).state)
    assert winner in stored
    assert sum(f"peserta {n}\"" in stored for n in range(RACERS)) == 1


def test_many_users_on_different_instances_lose_nothing(sop):
    instances = [sop.start(PROCESS, KASUBBAG).id for _ in range(12)]

    def work(instance_id):
        view = sop.instance(instance_id)
        for _ in range(4):  # Steps 1-4, each by its own user
            task = only_ready(view)
            view = sop.complete(task.id, PERFORMER[task.task_spec], DATA[task.task_spec])
        return view

    with ThreadPoolExecutor(6) as pool:
        views = list(pool.map(work, instances))
    for view in views:
        assert only_ready(view).task_spec == "Step_05"
        assert view.revision == 5
        assert [e.task_spec for e in sop.history(view.id) if e.action == "complete"] == [
            "Step_01", "Step_02", "Step_03", "Step_04"]

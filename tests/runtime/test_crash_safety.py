"""Crash safety: a worker killed with SIGKILL mid-burst leaves every instance loadable and loses no
acknowledged completion."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import select

from alur.runtime import state
from alur.runtime.models import AuditEntry, HumanTask, Instance, ProcessVersion
from SpiffWorkflow.util.task import TaskState
from tests.conftest import PROCESSES, PROJECT_ROOT, seed_lane_users
from tests.runtime.test_kalbar_pengumpulan_skp import KASUBBAG, PROCESS

INSTANCES = 30
KILL_AFTER = 60  # acknowledged completions


def test_sigkill_mid_burst_loses_nothing_acknowledged(alur):
    alur.deploy(PROCESSES / f"{PROCESS}.bpmn")
    seed_lane_users(alur, PROCESS)
    for _ in range(INSTANCES):
        alur.start(PROCESS, KASUBBAG)
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.runtime.crash_worker", alur.settings.database_url],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
    )
    acknowledged = []
    deadline = time.monotonic() + 120
    try:
        for line in worker.stdout:
            if line.startswith("ACK "):
                acknowledged.append(line.split()[1])
                if len(acknowledged) >= KILL_AFTER:
                    os.kill(worker.pid, signal.SIGKILL)
                    break
            assert time.monotonic() < deadline, "worker too slow"
    finally:
        worker.kill()
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert len(acknowledged) == KILL_AFTER

    with alur.sessions() as session:
        rows = {t.id: t for t in session.scalars(select(HumanTask))}
        completions = {e.task_id for e in session.scalars(select(AuditEntry).where(AuditEntry.action == "complete"))}
        # Every acknowledged completion is in the task index and the audit log...
        for task_id in acknowledged:
            assert rows[task_id].status == "completed" and task_id in completions
        # ...and every completion in the log is one the state knows (none half-written).
        assert completions == {t.id for t in rows.values() if t.status == "completed"}
        for instance in session.scalars(select(Instance)):
            version = session.get(ProcessVersion, instance.version_id)
            spec, subprocess_specs = alur.spec(version)
            workflow = state.load_state(instance.state, spec, subprocess_specs, alur.script_engine)
            ready_in_state = {str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
            ready_in_index = {t.id for t in rows.values() if t.instance_id == instance.id and t.status == "ready"}
            assert ready_in_state == ready_in_index, instance.id
            done_in_state = {str(t.id) for t in workflow.get_tasks(state=TaskState.COMPLETED)}
            done_in_index = {t.id for t in rows.values() if t.instance_id == instance.id and t.status == "completed"}
            assert done_in_index <= done_in_state
            assert instance.revision == 1 + len(done_in_index)

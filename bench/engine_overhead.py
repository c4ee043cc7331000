"""Benchmark 1: engine overhead per step on the longest SOP (36 steps, two returns).

(a) naive: plain SpiffWorkflow, the whole workflow (spec included) serialized to JSON and back after each step;
(b) Alur: runtime.engine.Alur.complete with persistence to SQLite (state without spec, cached spec),
    with the default PRAGMA synchronous=NORMAL (WAL: durable through app crashes) and with FULL
    (also through power loss: one fsync per commit);
(floor) plain SpiffWorkflow stepping in memory, no persistence.

Usage: python bench/engine_overhead.py [--runs N]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from alur.runtime import directory  # noqa: E402
from alur.runtime.bpmn_check import check_file  # noqa: E402
from alur.runtime.engine import Alur  # noqa: E402
from alur.runtime.script_engine import restricted_script_engine  # noqa: E402
from alur.runtime.forms import sample_data  # noqa: E402
from alur.runtime.settings import Settings  # noqa: E402

PROCESS = "sulteng-pengukuran-kinerja"
RETURNS = {"Step_05": 1, "Step_25": 1}  # two returns in the run


def plan(checked):
    """The form data of each step: every review approves except the two returns."""
    forms = {name: json.loads(text) for name, text in checked.forms.items()}
    props = {t.id: t.properties for t in checked.user_tasks}
    returned = dict(RETURNS)

    def data_for(spec_name):
        schema = forms[props[spec_name]["formJsonSchemaFilename"]]
        if "keputusan" in schema["properties"]:
            if returned.get(spec_name):
                returned[spec_name] -= 1
                return sample_data(schema, "kembalikan")
            return sample_data(schema, "setuju")
        return sample_data(schema)

    return data_for


def run_plain(checked, persist_naive: bool) -> tuple[int, float]:
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    engine = restricted_script_engine()
    data_for = plan(checked)
    workflow = BpmnWorkflow(checked.spec, checked.subprocess_specs, script_engine=engine)
    workflow.do_engine_steps()
    steps = 0
    start = time.perf_counter()
    while True:
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            break
        task = ready[0]
        task.set_data(**data_for(task.task_spec.name))
        task.run()
        workflow.do_engine_steps()
        steps += 1
        if persist_naive:
            workflow = serializer.deserialize_json(serializer.serialize_json(workflow))
            workflow.script_engine = engine
    assert workflow.is_completed()
    return steps, time.perf_counter() - start


def run_alur(checked, folder: Path, synchronous: str = "NORMAL") -> tuple[int, float]:
    alur = Alur(Settings(database_url=f"sqlite:///{folder / 'bench.sqlite3'}", sqlite_synchronous=synchronous))
    alur.deploy(ROOT / "processes" / f"{PROCESS}.bpmn")
    for role in set(directory.lane_roles(alur, checked.org, PROCESS).values()):
        directory.add_user(alur, role, [role], org=checked.org)
    start_role = directory.lane_roles(alur, checked.org, PROCESS)[checked.start_lane]
    view = alur.start(PROCESS, start_role)
    data_for = plan(checked)
    steps = 0
    start = time.perf_counter()
    while view.status == "running":
        task = view.ready_tasks[0]
        view = alur.complete(task.id, task.role, data_for(task.task_spec))
        steps += 1
    elapsed = time.perf_counter() - start
    alur.close()
    return steps, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    checked = check_file(ROOT / "processes" / f"{PROCESS}.bpmn", ROOT / "forms")
    results = {"floor": [], "naive": [], "alur": [], "alur_full": []}
    for run in range(args.runs):
        steps, t = run_plain(checked, persist_naive=False)
        results["floor"].append(t / steps)
        steps_naive, t = run_plain(checked, persist_naive=True)
        results["naive"].append(t / steps_naive)
        with tempfile.TemporaryDirectory() as folder:
            steps_alur, t = run_alur(checked, Path(folder))
        results["alur"].append(t / steps_alur)
        with tempfile.TemporaryDirectory() as folder:
            steps_full, t = run_alur(checked, Path(folder), "FULL")
        results["alur_full"].append(t / steps_full)
        assert steps == steps_naive == steps_alur == steps_full
    median = {k: statistics.median(v) * 1000 for k, v in results.items()}
    print(f"{PROCESS}: {steps} steps per run (36 user tasks + 2 returns), {args.runs} runs, median ms per step")
    print(f"  floor  (in memory, no persistence)       {median['floor']:8.2f} ms")
    print(f"  naive  (whole workflow JSON round trip)  {median['naive']:8.2f} ms")
    print(f"  alur   (runtime + SQLite, synchronous=NORMAL, the default)  {median['alur']:8.2f} ms")
    print(f"  alur   (runtime + SQLite, synchronous=FULL)                {median['alur_full']:8.2f} ms")
    print(f"  alur / naive = {median['alur'] / median['naive']:.2f}x (target <= 1.0x); "
          f"with FULL {median['alur_full'] / median['naive']:.2f}x")
    print(f"  alur / floor = {median['alur'] / median['floor']:.2f}x")


if __name__ == "__main__":
    main()

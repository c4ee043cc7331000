"""Benchmark 5: bytes stored per running instance of each SOP, midway and at the end.

Each SOP runs through Alur (SQLite) on its happy path; the stored state (instances.state,
the workflow without its spec) is measured when half of its steps are done and at the end.
Baseline: the same workflow midway as plain SpiffWorkflow stores it (BpmnWorkflowSerializer's
JSON, the spec inside every instance's state, uncompressed).
Target: under 10 KiB for the 36-step SOP midway.

Usage: python bench/state_size.py
"""
from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from alur.runtime import directory, state  # noqa: E402
from alur.runtime.bpmn_check import check_file  # noqa: E402
from alur.runtime.engine import Alur  # noqa: E402
from alur.runtime.forms import sample_data  # noqa: E402
from alur.runtime.models import Instance  # noqa: E402
from alur.runtime.settings import Settings  # noqa: E402

TARGET = 10 * 1024


def stored_bytes(alur: Alur, instance_id: int) -> int:
    with alur.sessions() as session:
        return len(session.get(Instance, instance_id).state.encode("utf-8"))


def naive_bytes(alur: Alur, instance_id: int) -> int:
    """The instance's workflow as plain SpiffWorkflow serializes it: spec included, uncompressed JSON."""
    from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
    from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

    with alur.sessions() as session:
        instance = session.get(Instance, instance_id)
        spec, subprocess_specs = alur.spec(alur.version(session, instance.version_id))
        workflow = state.load_state(instance.state, spec, subprocess_specs, alur.script_engine)
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    return len(serializer.serialize_json(workflow).encode("utf-8"))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        alur = Alur(Settings(database_url=f"sqlite:///{Path(folder) / 'size.sqlite3'}"))
        print(f"{'SOP':<40} {'steps':>5} {'midway':>9} {'end':>9}  {'naive midway':>12}  spec (stored once per version)")
        for path in sorted((ROOT / "processes").glob("*.bpmn")):
            checked = check_file(path, ROOT / "forms")
            alur.deploy(path)
            process_id = checked.process_id
            roles = directory.lane_roles(alur, directory.process_organisation(alur, process_id), process_id)
            for role in set(roles.values()):
                directory.add_user(alur, f"{checked.org}.{role}", [role], org=checked.org)
            forms = {name: json.loads(text) for name, text in checked.forms.items()}
            props = {t.id: t.properties for t in checked.user_tasks}
            view = alur.start(process_id, f"{checked.org}.{roles[checked.start_lane]}")
            steps, midway = 0, None
            while view.status == "running":
                task = view.ready_tasks[0]
                schema = forms[props[task.task_spec]["formJsonSchemaFilename"]]
                decision = "setuju" if "keputusan" in schema["properties"] else None
                view = alur.complete(task.id, f"{checked.org}.{task.role}", sample_data(schema, decision))
                steps += 1
                if steps == len(checked.user_tasks) // 2:
                    midway = stored_bytes(alur, view.id)
                    naive = naive_bytes(alur, view.id)
            end = stored_bytes(alur, view.id)
            from alur.runtime.models import ProcessVersion
            from sqlalchemy import select

            with alur.sessions() as session:
                spec = len(session.scalars(select(ProcessVersion.spec_json)
                                           .where(ProcessVersion.process_id == process_id)).first())
            print(f"{process_id:<40} {steps:>5} {midway:>8,}B {end:>8,}B  {naive:>11,}B  {spec:,}B")
            if process_id == "sulteng-pengukuran-kinerja":
                verdict = "meets" if midway < TARGET else "MISSES"
                target_line = (f"36-step SOP midway: {midway:,} B ({naive / midway:.0f}x less than plain SpiffWorkflow's "
                               f"{naive:,} B), target < {TARGET:,} B: {verdict}")
        print(target_line)
        alur.close()


if __name__ == "__main__":
    main()

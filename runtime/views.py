"""Read-only views for the web app: a task's page, who may start a process, an instance's diagram.

They read, never write. No Flask here: the web app calls these with the Alur engine.
"""
from __future__ import annotations

from SpiffWorkflow.util.task import TaskState

from . import directory, state
from .access import SYSTEM, Actor
from .engine import Alur, NotFound, TaskView, newest_version, role_for_lane, spec_properties
from .models import HumanTask, Instance


def task_details(alur: Alur, task_id: str, actor: Actor = SYSTEM) -> dict:
    """A task with what its page shows: the SOP step's text and mutu baku, and its form.

    A task of an instance `actor` may not see (access.may_see_instance) is NotFound, as if it did not exist.

    Returns {"task": TaskView, "process_name", "revision", "perihal", "nomor" (of the instance),
    "properties" (sopStep, waktu, kelengkapan, output, ...), "documentation",
    "form" (the JSON Schema as a dict, or None)}.
    """
    with alur.sessions() as session:
        row = session.get(HumanTask, task_id)
        if row is None:
            raise NotFound(f"task {task_id} does not exist")
        instance = session.get(Instance, row.instance_id)
        if not directory.may_see(alur, session, actor, instance.org, instance.process_id):
            raise NotFound(f"task {task_id} does not exist")
        version = alur.version(session, instance.version_id)
        spec, _ = alur.spec(version)
        task_spec = spec.task_specs.get(row.task_spec)
        properties = spec_properties(version, task_spec)
        return {
            "task": TaskView.of(row),
            "process_name": version.name,
            "revision": instance.revision,
            "perihal": instance.perihal,
            "nomor": instance.nomor,
            "properties": properties,
            "documentation": (getattr(task_spec, "documentation", None) or "") if task_spec else "",
            "form": alur.form(version, row.form) if row.form and row.form in version.forms else None,
        }


def start_lane_and_role(alur: Alur, org: str, process_id: str) -> tuple[str | None, str | None]:
    """The lane of the start event of process `process_id` of organisation `org` and the role that may
    start it; (None, None) when any user may."""
    with alur.sessions() as session:
        version = newest_version(session, org, process_id)
        if version is None:
            raise NotFound(f"process '{process_id}' is not deployed")
        lane = alur.start_lane(alur.spec(version)[0])
        if lane is None:
            return None, None
        return lane, directory.lane_roles(alur, org, process_id, session).get(lane, role_for_lane(lane))


def start_role(alur: Alur, org: str, process_id: str) -> str | None:
    """The role that may start process `process_id` of `org` (its start lane's role); None when any user may."""
    return start_lane_and_role(alur, org, process_id)[1]


def instance_progress(alur: Alur, instance_id: int, actor: Actor = SYSTEM) -> dict:
    """Where an instance stands, for drawing its diagram (NotFound if `actor` may not see it).

    Returns {"process_name", "bpmn_xml" (of its version), "states": element id ->
    "completed" | "current", "taken": [(source id, target id), ...] (the
    transitions the run went through)}. Elements not named were not reached.
    """
    with alur.sessions() as session:
        instance = alur.visible_instance(session, instance_id, actor)
        version = alur.version(session, instance.version_id)
        spec, subprocess_specs = alur.spec(version)
        workflow = state.load_state(instance.state, spec, subprocess_specs, alur.script_engine)
        states: dict[str, str] = {}
        taken: set[tuple[str, str]] = set()
        for task in workflow.get_tasks():
            name = task.task_spec.name
            if task.state == TaskState.COMPLETED:
                states.setdefault(name, "completed")
            elif task.state in (TaskState.READY, TaskState.STARTED, TaskState.WAITING, TaskState.ERROR):
                states[name] = "current"
            else:
                continue
            if task.parent is not None:
                taken.add((task.parent.task_spec.name, name))
        return {"process_name": version.name, "bpmn_xml": version.bpmn_xml,
                "states": states, "taken": sorted(taken)}

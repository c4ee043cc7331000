"""A checked process run in memory, the way the engine runs it, without a database.

What `alur simulate` and the scenario runner (`alur test`) share: SpiffWorkflow with
Alur's restricted script engine, form data validated against the task's form before
the task runs, and a serialize/restore round trip of the state after every step, as
the web app stores and reloads an instance between two requests.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from . import forms, state
from .bpmn_check import NS, CheckedFile, UserTaskInfo
from .script_engine import restricted_script_engine

# A run longer than this many user-task steps per user task is taken to be looping forever.
STEPS_PER_TASK_LIMIT = 10


@dataclass(frozen=True)
class ReadyTask:
    """A user task that is ready: its engine id (a UUID) and its BPMN element id."""

    uuid: str
    task_id: str


class InMemoryProcess:
    """A checked process, parsed once, from which instances are started in memory."""

    def __init__(self, checked: CheckedFile):
        if not checked.ok or checked.spec is None:
            raise ValueError(f"{checked.path} did not pass its checks")
        self.checked = checked
        self.process_id = checked.process_id
        self.forms = {name: json.loads(text) for name, text in checked.forms.items()}
        self.script_engine = restricted_script_engine()
        self.spec_json = state.dump_spec(checked.spec, checked.subprocess_specs)
        self.tasks: dict[str, UserTaskInfo] = {t.id: t for t in checked.user_tasks}
        root = etree.fromstring(checked.bpmn_text.encode("utf-8"))
        process = root.xpath(f"./bpmn:process[@id='{checked.process_id}']", namespaces=NS)[0]
        flows = process.xpath(".//bpmn:sequenceFlow", namespaces=NS)
        # (source id, target id) -> flow id: a completed task whose parent completed took that flow.
        self.flows = {(f.get("sourceRef"), f.get("targetRef")): f.get("id") for f in flows}
        gateways = {g.get("id") for g in process.xpath(
            ".//bpmn:exclusiveGateway | .//bpmn:inclusiveGateway | .//bpmn:parallelGateway", namespaces=NS)}
        outgoing: dict[str, list[str]] = {}
        for f in flows:
            if f.get("sourceRef") in gateways:
                outgoing.setdefault(f.get("sourceRef"), []).append(f.get("id"))
        # Gateways that split: each of their outgoing flows is a branch a test may or may not take.
        self.splits = {g: sorted(ids) for g, ids in sorted(outgoing.items()) if len(ids) > 1}
        self.reviews = [t.id for t in checked.user_tasks if self.is_review(t.id)]
        self.step_limit = STEPS_PER_TASK_LIMIT * max(len(checked.user_tasks), 1)

    def form(self, task_id: str) -> dict:
        """The JSON Schema of a user task's form (an open object schema if it names none)."""
        info = self.tasks.get(task_id)
        return self.forms.get(info.form if info and info.form else "", {"type": "object"})

    def is_review(self, task_id: str) -> bool:
        """Whether a user task decides `keputusan` (setuju / kembalikan): an SOP's review step."""
        return "keputusan" in self.form(task_id).get("properties", {})

    def standard_minutes(self, task_id: str) -> int:
        """A user task's time standard in working minutes (0 when it states none)."""
        info = self.tasks.get(task_id)
        return (info.standard_minutes if info else None) or 0

    def sample_data(self, task_id: str, decision: str | None = "setuju") -> dict:
        """Data a user would enter on the task's form; a review decides `decision`."""
        return forms.sample_data(self.form(task_id), decision if self.is_review(task_id) else None)

    def start(self) -> "InMemoryInstance":
        """A new instance, run up to its first user tasks."""
        return InMemoryInstance(self)


class InMemoryInstance:
    """One instance of an InMemoryProcess."""

    def __init__(self, process: InMemoryProcess):
        self.process = process
        # A spec of its own per instance, as every stored version is deserialized on its own.
        self._spec, self._subprocess_specs = state.load_spec(process.spec_json)
        self.workflow = BpmnWorkflow(self._spec, self._subprocess_specs, script_engine=process.script_engine)
        self.workflow.do_engine_steps()

    def ready(self) -> list[ReadyTask]:
        """The ready user tasks, in the engine's order."""
        return [ReadyTask(str(t.id), t.task_spec.name)
                for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)]

    @property
    def ended(self) -> bool:
        return self.workflow.is_completed()

    def complete(self, task: ReadyTask, data: dict) -> None:
        """Complete a ready task with `data`, as the engine does, then store and reload the state.

        Raises forms.FormDataInvalid (and runs nothing) when `data` does not satisfy the
        task's form; an error of the model's conditions or scripts propagates.
        """
        forms.validate(self.process.form(task.task_id), data)
        running = next(t for t in self.workflow.get_tasks(state=TaskState.READY, manual=True)
                       if str(t.id) == task.uuid)
        running.set_data(**data)
        running.run()
        self.workflow.do_engine_steps()
        self.workflow = state.load_state(state.dump_state(self.workflow), self._spec, self._subprocess_specs,
                                         self.process.script_engine)

    def flows_taken(self) -> set[str]:
        """Ids of the sequence flows this instance went through."""
        taken = set()
        for task in self.workflow.get_tasks(state=TaskState.COMPLETED):
            parent = task.parent
            if parent is not None and parent.state == TaskState.COMPLETED:
                flow = self.process.flows.get((parent.task_spec.name, task.task_spec.name))
                if flow:
                    taken.add(flow)
        return taken

"""Workflow state serialization without the spec inside it.

The spec of a process version is stored once (process_versions.spec_json) and
cached per version; an instance's state holds only its tasks and data.
"""
from __future__ import annotations

import base64
import json
import zlib

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Leaves `spec` and `subprocess_specs` out; they are passed back in on restore."""

    def to_dict(self, workflow):
        dct = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        if spec is None:
            raise ValueError("restoring a workflow needs its spec")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _uuid(value):
    from uuid import UUID

    return UUID(value)


_config = dict(SPIFF_CONFIG)
_config[BpmnWorkflow] = SpeclessWorkflowConverter
_registry = BpmnWorkflowSerializer.configure(_config)
_serializer = BpmnWorkflowSerializer(_registry)
_spec_registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)


def dump_spec(spec, subprocess_specs: dict) -> str:
    """JSON text of a parsed process spec and the specs it calls."""
    return json.dumps(
        {
            "spec": _spec_registry.convert(spec),
            "subprocess_specs": {name: _spec_registry.convert(s) for name, s in subprocess_specs.items()},
        }
    )


def load_spec(text: str):
    """(spec, subprocess_specs) from `dump_spec` output."""
    dct = json.loads(text)
    spec = _spec_registry.restore(dct["spec"])
    subprocess_specs = {name: _spec_registry.restore(s) for name, s in dct["subprocess_specs"].items()}
    return spec, subprocess_specs


# Stored states are zlib-compressed JSON in base64 behind this prefix: the task tree's
# ids and bookkeeping compress about five to one (a 36-step SOP midway: ~13 KB -> ~3 KB).
# Level 1: a state is written on every step, and level 6 took three times as long
# (~140 vs ~50 us for a 23 KB state) for 4% fewer bytes.
# Text without the prefix is plain JSON, as written before compression was introduced.
COMPRESSED_PREFIX = "z:"
COMPRESSION_LEVEL = 1


def dump_state_json(workflow: BpmnWorkflow) -> str:
    """JSON text of a workflow's state, without its spec."""
    _registry._encoder_mode = True
    try:
        dct = _serializer.to_dict(workflow)
        dct[_serializer.VERSION_KEY] = _serializer.VERSION
        return json.dumps(dct, separators=(",", ":"), cls=_serializer._encoder_cls)
    finally:
        _registry._encoder_mode = False


def dump_state(workflow: BpmnWorkflow) -> str:
    """The stored form of a workflow's state (compressed JSON, without its spec)."""
    packed = zlib.compress(dump_state_json(workflow).encode("utf-8"), COMPRESSION_LEVEL)
    return COMPRESSED_PREFIX + base64.b64encode(packed).decode("ascii")


def state_json(stored: str) -> str:
    """The JSON text of a stored state (for reading it, e.g. in an export or a debugger)."""
    if stored.startswith(COMPRESSED_PREFIX):
        return zlib.decompress(base64.b64decode(stored[len(COMPRESSED_PREFIX):])).decode("utf-8")
    return stored


def load_state(text: str, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
    """A workflow restored from `dump_state` output onto its (cached) spec."""
    dct = json.loads(state_json(text))
    _serializer.migrate(dct)
    workflow = _serializer.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
    workflow.script_engine = script_engine
    return workflow


def spec_registry():
    """The serializer registry SpiffWorkflow's spec diff compares task specs with."""
    return _spec_registry

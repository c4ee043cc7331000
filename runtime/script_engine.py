"""SpiffWorkflow's script engine, running conditions and scripts through Alur's expression language.

The only module that knows SpiffWorkflow's script-engine API. SpiffWorkflow calls
`evaluate` for gateway and event conditions, loop and multi-instance conditions and
cardinalities, timers and message payloads, `execute` for scriptTasks and
spiffworkflow:preScript/postScript, and `call_service` for service tasks; some of its
process-level code calls the environment's `evaluate` directly. Nothing here uses
Python's eval or exec, and every failure is an ExpressionError (HTTP 422 when a task fails).
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition

from . import expressions
from .expressions import ExpressionError


class ExpressionEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates expressions and runs scripts over task data with runtime/expressions."""

    def evaluate(self, expression, context, external_context=None):
        """The value of `expression` over task data `context` (then the data objects, `external_context`)."""
        return expressions.evaluate(expression, context, external_context)

    def execute(self, script, context, external_context=None):
        """Run `script` over task data `context`, changing it only if every line succeeds."""
        expressions.run_script(script, context, external_context)
        return True

    def call_service(self, context, **kwargs):
        """Service tasks call nothing in Alur."""
        raise ExpressionError("service tasks are not supported")


class AlurScriptEngine(PythonScriptEngine):
    """The script engine of every workflow Alur runs; conditions must give True or False."""

    def __init__(self):
        super().__init__(environment=ExpressionEnvironment())

    def validate(self, expression):
        """Raise ExpressionError if `expression` is outside the language."""
        expressions.parse(expression)

    def evaluate(self, task, expression, external_context=None):
        """The value of `expression` at `task`; a condition of the task's spec must give True or False."""
        try:
            if _is_condition(task, expression):
                return expressions.evaluate_condition(expression, task.data, external_context)
            return self.environment.evaluate(expression, task.data, external_context)
        except ExpressionError as exc:
            raise ExpressionError(f"'{_short(expression)}' at {_where(task)}: {exc.message}", exc.line) from None

    def execute(self, task, script, external_context=None):
        """Run `script` at `task` over its data."""
        try:
            return self.environment.execute(script, task.data, external_context)
        except ExpressionError as exc:
            raise ExpressionError(f"script of {_where(task)}: {exc.message}", exc.line) from None

    def call_service(self, task, **kwargs):
        """Service tasks call nothing in Alur."""
        return self.environment.call_service(task.data, **kwargs)


def _is_condition(task, expression: str) -> bool:
    """Whether `expression` is a condition of the task's spec: a flow's, a loop's, a conditional event's,
    or the completion condition of the multi-instance task a child belongs to."""
    spec = task.task_spec
    conditions = [c.args[0] for c, _ in getattr(spec, "cond_task_specs", ()) if c is not None]
    conditions.append(getattr(spec, "condition", None))
    if task.parent is not None:
        conditions.append(getattr(task.parent.task_spec, "condition", None))
    event = getattr(spec, "event_definition", None)
    if isinstance(event, ConditionalEventDefinition):
        conditions.append(event.expression)
    return expression in conditions


def _where(task) -> str:
    return f"'{getattr(task.task_spec, 'bpmn_id', None) or task.task_spec.name}'"


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 80 else text[:77] + "..."


def restricted_script_engine() -> AlurScriptEngine:
    """A script engine for one Alur engine (shared by its workflows; it keeps no state of its own)."""
    return AlurScriptEngine()

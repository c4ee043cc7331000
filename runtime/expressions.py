"""Restricted evaluation of the expressions and scripts inside BPMN files.

A deployed file may compare task data (`keputusan == "kembalikan"`) and do
simple arithmetic; it may not import, reach dunder attributes, open files or
run for long. `check_source` is used at deploy time, `RestrictedEnvironment`
at run time, so a file that slips past one is still stopped by the other.
"""
from __future__ import annotations

import ast
import builtins
import re
import sys
import time

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import TaskDataEnvironment

SAFE_BUILTIN_NAMES = (
    "abs all any bool dict enumerate float int len list max min range round set sorted str sum tuple zip"
    " True False None"
).split()
SAFE_BUILTINS = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES}
TIME_LIMIT_SECONDS = 1.0
_FORBIDDEN_NODES = (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal, ast.AsyncFunctionDef, ast.Await)


class UnsafeExpression(ValueError):
    """An expression or script uses something the sandbox does not allow."""


class ExpressionTimeout(RuntimeError):
    """An expression or script ran past its time limit."""


def check_source(source: str, mode: str = "eval") -> list[str]:
    """Problems that make `source` unsafe to run; empty when it is allowed."""
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as exc:
        return [f"syntax error: {exc.msg} (line {exc.lineno})"]
    problems = []
    for node in ast.walk(tree):
        if isinstance(node, _FORBIDDEN_NODES):
            problems.append(f"'{type(node).__name__}' is not allowed")
        elif isinstance(node, ast.Name) and node.id.startswith("__"):
            problems.append(f"name '{node.id}' is not allowed")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
            problems.append(f"attribute '{node.attr}' is not allowed")
        elif isinstance(node, ast.Name) and node.id in ("eval", "exec", "open", "compile", "globals", "locals",
                                                         "getattr", "setattr", "delattr", "vars", "input",
                                                         "breakpoint", "help", "memoryview", "type", "object"):
            problems.append(f"name '{node.id}' is not allowed")
    return problems


_JUEL_WORDS = [(re.compile(r"&&"), " and "), (re.compile(r"\|\|"), " or "), (re.compile(r"!(?!=)"), " not "),
               (re.compile(r"\btrue\b"), "True"), (re.compile(r"\bfalse\b"), "False"),
               (re.compile(r"\bnull\b"), "None")]


def normalize_condition(text: str) -> str:
    """A gateway condition as Python: Camunda Modeler's `${a == 'x' && !b}` becomes `a == 'x' and not b`.

    Python conditions (spiff-arena's and Alur's own) pass through unchanged.
    """
    source = (text or "").strip()
    if source.startswith("${") and source.endswith("}"):
        source = source[2:-1].strip()
        for pattern, replacement in _JUEL_WORDS:
            source = pattern.sub(replacement, source)
        source = " ".join(source.split())
    return source


def _guard(source: str, mode: str) -> None:
    problems = check_source(source, mode)
    if problems:
        raise UnsafeExpression(f"{'; '.join(problems)} in: {source.strip()[:200]}")


class _Deadline:
    """Stops code that runs past its time limit (checked on every traced line)."""

    def __init__(self, seconds: float):
        self.until = time.monotonic() + seconds

    def __enter__(self):
        self.previous = sys.gettrace()
        sys.settrace(self._trace)
        return self

    def _trace(self, frame, event, arg):
        if time.monotonic() > self.until:
            raise ExpressionTimeout("expression ran past its time limit")
        return self._trace

    def __exit__(self, *exc):
        sys.settrace(self.previous)
        return False


class RestrictedEnvironment(TaskDataEnvironment):
    """Task-data environment with no imports, no dunders and safe builtins only."""

    def __init__(self, time_limit: float = TIME_LIMIT_SECONDS):
        super().__init__({"__builtins__": SAFE_BUILTINS})
        self.time_limit = time_limit

    def evaluate(self, expression, context, external_context=None):
        _guard(expression, "eval")
        with _Deadline(self.time_limit):
            return super().evaluate(expression, context, external_context)

    def execute(self, script, context, external_context=None):
        _guard(script, "exec")
        with _Deadline(self.time_limit):
            return super().execute(script, context, external_context)


def restricted_script_engine() -> PythonScriptEngine:
    return PythonScriptEngine(environment=RestrictedEnvironment())

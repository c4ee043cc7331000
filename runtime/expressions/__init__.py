"""The expression language of BPMN conditions and scripts: a small, whitelisted part of Python's syntax.

A model's text is parsed with `ast.parse` and walked by this package; it is never
compiled, evaluated or executed as Python. The language (README.md, "Organisations and
security", lists it for designers):

- literals: strings, integers, floats, True/False/None, list/tuple/dict/set displays;
- names: fields of the task data (an undefined name is an error that fails the task);
- subscripts by a constant key or index (`a["b"]`, `a[0]`, `a[-1]`), slices with
  constant bounds and no step (`a[1:3]`);
- comparisons `== != < <= > >= in not in`, `is None`, `is not None`; `and`, `or`, `not`;
- unary `-` `+`; `+ - * / // % **` on numbers; `+` of two strings, lists or tuples;
  `*` of a string by an integer; `a if condition else b`;
- the functions and methods of limits.FUNCTIONS and limits.METHODS, positional arguments only.

The caps are in limits.py. A condition must give True or False; Camunda's `${...}` is
translated by juel.py. A script is one `target = expression` per line (scripts.py).

Modules: limits (what and how much), parser (text -> checked tree), evaluator (tree ->
value), static (what deploy finds beyond syntax), scripts, juel. SpiffWorkflow is
plugged in by runtime/script_engine.py.
"""
from __future__ import annotations

from .evaluator import describe
from .juel import normalize as normalize_condition
from .limits import ExpressionError
from .parser import Expression, parse
from .scripts import parse_script, run_script, script_problems
from .static import problems

__all__ = ["ExpressionError", "Expression", "parse", "problems", "evaluate", "evaluate_condition",
           "parse_script", "run_script", "script_problems", "normalize_condition"]


def evaluate(text: str, data: dict, external: dict | None = None):
    """The value of expression `text` over task `data` (names not in it are looked up in `external`)."""
    return parse(text).evaluate(data, external)


def evaluate_condition(text: str, data: dict, external: dict | None = None) -> bool:
    """The value of condition `text` over task `data`; anything but True or False is an ExpressionError."""
    value = evaluate(text, data, external)
    if type(value) is not bool:
        raise ExpressionError(f"a condition must give True or False, not {describe(value)}", 1)
    return value

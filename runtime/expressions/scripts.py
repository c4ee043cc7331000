"""Scripts (scriptTask, spiffworkflow:preScript/postScript): one `target = expression` per line.

The target is a task-data name or a constant-key subscript of one (`hasil["nilai"]`); the
expression is the same language as conditions. Blank lines and `#` comments are skipped.
What a line stores must be JSON data (None, bool, int, float, str, list, dict with string
keys) of at most MAX_STORED_SIZE characters, so task data always serialises. A script
either runs every line or changes nothing.
"""
from __future__ import annotations

import ast
import keyword
import math
from dataclasses import dataclass
from functools import lru_cache

from . import static
from .limits import MAX_SCRIPT_LINES, MAX_STORED_SIZE, ExpressionError
from .parser import NO_KEY, Expression, constant_key, parse, syntax_tree


_EXPRESSION_KEYWORDS = {"True", "False", "None", "not", "lambda", "await", "yield"}


@dataclass(frozen=True)
class Assignment:
    line: int  # line of the script
    target: ast.expr  # a Name, or a Subscript by constant keys of one
    expression: Expression


def parse_script(text: str) -> tuple[Assignment, ...]:
    """The assignments of a script, checked; raises ExpressionError naming the line."""
    return _parse_script(text or "")


def script_problems(text: str) -> list[ExpressionError]:
    """Every problem of a script that deploy reports (each with its line); empty when it is allowed."""
    try:
        assignments = parse_script(text)
    except ExpressionError as exc:
        return [exc]
    found = []
    for assignment in assignments:
        found += [ExpressionError(f"line {assignment.line}: {p.message}", assignment.line)
                  for p in static.expression_problems(assignment.expression)]
        kind = static.static_type(assignment.expression.tree)
        if kind in (set, tuple):
            found.append(ExpressionError(f"line {assignment.line}: a {kind.__name__} cannot be stored in the task "
                                         "data (use a list)", assignment.line))
    return found


def run_script(text: str, data: dict, external: dict | None = None) -> None:
    """Run a script over task `data`, updating it only if every line succeeds."""
    scope = dict(data)
    for assignment in parse_script(text):
        try:
            value = assignment.expression.evaluate(scope, external)
            _check_storable(value)
            _assign(scope, assignment.target, value)
        except ExpressionError as exc:
            raise ExpressionError(f"line {assignment.line}: {exc.message}", assignment.line) from None
    data.update(scope)


@lru_cache(maxsize=512)
def _parse_script(text: str) -> tuple[Assignment, ...]:
    assignments = []
    for number, raw in enumerate(text.split("\n"), start=1):  # the lines of the file, as XML counts them
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if len(assignments) == MAX_SCRIPT_LINES:
            raise ExpressionError(f"a script has at most {MAX_SCRIPT_LINES} lines", number)
        try:
            assignments.append(_assignment(line, number))
        except ExpressionError as exc:
            raise ExpressionError(f"line {number}: {exc.message}", number) from None
    return tuple(assignments)


def _assignment(line: str, number: int) -> Assignment:
    first_word = line.split(maxsplit=1)[0].rstrip(":")
    if keyword.iskeyword(first_word) and first_word not in _EXPRESSION_KEYWORDS:
        raise ExpressionError(f"the statement '{first_word}' is not allowed; a script line must be 'name = expression'")
    module = syntax_tree(line, "exec")
    if len(module.body) != 1:
        raise ExpressionError("one assignment per line")
    statement = module.body[0]
    if type(statement) is not ast.Assign or len(statement.targets) != 1:
        raise ExpressionError(f"{_statement_name(statement)} is not allowed; a script line must be 'name = expression'")
    target = statement.targets[0]
    _check_target(target)
    return Assignment(number, target, parse(ast.get_source_segment(line, statement.value)))


def _statement_name(statement: ast.stmt) -> str:
    if type(statement) is ast.Assign:
        return "assigning to several targets"
    if type(statement) is ast.Expr:
        return "an expression alone"
    return f"the statement '{type(statement).__name__}'"


def _check_target(target: ast.expr) -> None:
    node = target
    while type(node) is ast.Subscript:
        if type(node.slice) is ast.Slice or constant_key(node.slice) is NO_KEY:
            raise ExpressionError("a target can only be subscripted by a constant string or integer")
        node = node.value
    if type(node) is not ast.Name:
        raise ExpressionError("the target of '=' must be a name or a name[\"key\"]")


def _assign(scope: dict, target: ast.expr, value) -> None:
    """Store `value` at `target`, copying each container on the way so that the data is changed only at the end."""
    if type(target) is ast.Name:
        scope[target.id] = value
        return
    keys, node = [], target
    while type(node) is ast.Subscript:
        keys.append(constant_key(node.slice))
        node = node.value
    keys.reverse()
    if node.id not in scope:
        raise ExpressionError(f"'{node.id}' is not in the task data")
    container = scope[node.id] = _copy(scope[node.id], f"'{node.id}'")
    for key in keys[:-1]:
        child = _copy(_item(container, key), repr(key))
        container[key] = child
        container = child
    if type(container) is dict and type(keys[-1]) is not str:
        raise ExpressionError(f"a key of stored data must be a string, not {keys[-1]!r}")
    if type(container) is list:
        _item(container, keys[-1])  # only an existing index
    container[keys[-1]] = value


def _copy(container, where: str):
    if type(container) not in (dict, list):
        raise ExpressionError(f"{where} is not a dict or list to store into")
    return type(container)(container)


def _item(container, key):
    if type(container) is dict and key in container:
        return container[key]
    if type(container) is list and type(key) is int and -len(container) <= key < len(container):
        return container[key]
    raise ExpressionError(f"there is no {key!r} to store into")


def _check_storable(value) -> None:
    """Refuse what task data cannot hold: sets, tuples, non-string keys, infinities, more than MAX_STORED_SIZE."""
    budget, stack = MAX_STORED_SIZE, [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if kind is str:
            budget -= len(item) + 2
        elif kind in (int, float, bool, type(None)):
            if kind is float and not math.isfinite(item):
                raise ExpressionError("an infinite number cannot be stored in the task data")
            budget -= 8
        elif kind is list:
            budget -= 2 + len(item)
            stack.extend(item)
        elif kind is dict:
            if any(type(key) is not str for key in item):
                raise ExpressionError("a dict stored in the task data must have string keys")
            budget -= 2 + len(item)
            stack.extend(item)
            stack.extend(item.values())
        else:
            raise ExpressionError(f"a {kind.__name__} cannot be stored in the task data (use a list)")
        if budget < 0:
            raise ExpressionError(f"the value is larger than {MAX_STORED_SIZE:,} characters of task data")

"""What deploy can know of an expression beyond its syntax: the parts that read no data, and conditions.

Each largest part that reads no task data is evaluated once (bounded like any evaluation),
so `9**9**9 == 1` or `'a' * 3 * 10**9` is refused at deploy rather than at the first run.
A condition whose value is known not to be True or False (`1 + 1`, `"ya"`) is refused too.
"""
from __future__ import annotations

import ast

from . import evaluator
from .limits import FUNCTIONS, ExpressionError
from .parser import Expression, parse

_NOT_BOOL = "number, string or list"  # what arithmetic gives
_RESULT_TYPES = {"len": int, "int": int, "float": float, "str": str, "bool": bool, "any": bool, "all": bool,
                 "lower": str, "upper": str, "strip": str, "startswith": bool, "endswith": bool, "replace": str,
                 "split": list}
_TYPE_NAMES = {type(None): "None", bool: "bool", int: "number", float: "number", str: "string", list: "list",
               tuple: "tuple", dict: "dict", set: "set", _NOT_BOOL: _NOT_BOOL}


def problems(text: str, condition: bool = False) -> list[ExpressionError]:
    """Every problem of expression `text` that deploy reports; empty when it is allowed.

    With `condition`, an expression known not to give True or False is a problem too.
    """
    try:
        expression = parse(text)
    except ExpressionError as exc:
        return [exc]
    return expression_problems(expression, condition)


def expression_problems(expression: Expression, condition: bool = False) -> list[ExpressionError]:
    """The problems of an already parsed expression: failing constant parts and, for a condition, its type."""
    found = _constant_problems(expression.tree)
    kind = static_type(expression.tree)
    if condition and not found and kind not in (None, bool):
        found.append(ExpressionError(f"a condition must give True or False; this gives a {_TYPE_NAMES[kind]}", 1))
    return found


def _operands(node: ast.expr):
    """The expression children of `node` that are evaluated as values (not a called function's name, not a slice)."""
    for child in ast.iter_child_nodes(node):
        if type(node) is ast.Call and child is node.func:
            if type(child) is ast.Attribute:
                yield child.value
        elif isinstance(child, ast.expr) and type(child) is not ast.Slice:
            yield child


def _reads_data(node: ast.expr) -> bool:
    stack = [node]
    while stack:
        current = stack.pop()
        if type(current) is ast.Name:
            return True
        stack.extend(_operands(current))
    return False


def _constant_problems(tree: ast.expr) -> list[ExpressionError]:
    found, stack = [], [tree]
    while stack:
        node = stack.pop()
        if _reads_data(node):
            stack.extend(_operands(node))
        elif type(node) is not ast.Constant:
            try:
                evaluator.evaluate(node, {}, {})
            except ExpressionError as exc:
                found.append(ExpressionError(exc.message, node.lineno))
    return found


def static_type(node: ast.expr):
    """The type an expression certainly has, or None when it depends on the data."""
    kind = type(node)
    if kind is ast.Constant:
        return type(node.value)
    if kind is ast.Compare or (kind is ast.UnaryOp and type(node.op) is ast.Not):
        return bool
    if kind is ast.BinOp or kind is ast.UnaryOp:
        return _NOT_BOOL
    if kind is ast.BoolOp or kind is ast.IfExp:
        types = {static_type(v) for v in (node.values if kind is ast.BoolOp else (node.body, node.orelse))}
        return types.pop() if len(types) == 1 else None
    if kind in (ast.List, ast.Tuple, ast.Set, ast.Dict):
        return {ast.List: list, ast.Tuple: tuple, ast.Set: set, ast.Dict: dict}[kind]
    if kind is ast.Call:
        name = node.func.id if type(node.func) is ast.Name else node.func.attr
        return _RESULT_TYPES.get(name) if name in FUNCTIONS or type(node.func) is ast.Attribute else None
    return None

"""Evaluate a checked expression tree over task data, every operation bounded.

Only trees that parser.py let through reach this module, at most MAX_DEPTH deep, so
the recursion is shallow. Values are plain data only: a value read from the data of
any other type is refused. Every size is checked before the work that would make it
(`'a' * 3 * 10**9` fails without allocating), so the cost of an evaluation is bounded.
"""
from __future__ import annotations

import ast
import math
import operator
import reprlib

from .limits import (MAX_INT, MAX_LENGTH, MAX_POWER_EXPONENT, MAX_ROUND_DIGITS, METHODS, SCALARS, VALUE_TYPES,
                     ExpressionError)

BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
          ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**"}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
            ast.Gt: operator.gt, ast.GtE: operator.ge, ast.In: lambda a, b: a in b,
            ast.NotIn: lambda a, b: a not in b, ast.Is: operator.is_, ast.IsNot: operator.is_not}


def evaluate(tree: ast.expr, data: dict, external: dict):
    """The value of a checked tree; names are looked up in `data`, then `external`. Raises ExpressionError only."""
    try:
        return _Evaluation(data, external).value(tree)
    except ExpressionError:
        raise
    except OverflowError:
        raise ExpressionError("the number is too large", getattr(tree, "lineno", 1)) from None
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
        # What the plain-data operations themselves refuse: comparing a str with an int,
        # an unhashable set item, int("x"), comparing data nested thousands deep.
        raise ExpressionError(f"cannot be evaluated: {exc}", getattr(tree, "lineno", 1)) from None


_SHORT = reprlib.Repr()
_SHORT.maxstring, _SHORT.maxother = 40, 40


def describe(value) -> str:
    """A short description of a value for messages, `the str 'abc'`, in bounded time whatever its size."""
    return f"the {type(value).__name__} {_SHORT.repr(value) if type(value) in VALUE_TYPES else '...'}"


def checked_input(value, where: str):
    """A value read from the data: only plain data types (exactly, not subclasses) enter an evaluation."""
    if type(value) not in VALUE_TYPES:
        raise ExpressionError(f"{where} holds a {type(value).__name__}, which expressions cannot use")
    return value


class _Evaluation:
    def __init__(self, data: dict, external: dict):
        self.data, self.external = data, external

    def value(self, node: ast.expr):
        return _HANDLERS[type(node)](self, node)

    def constant(self, node: ast.Constant):
        return node.value

    def list_display(self, node: ast.List):
        return [self.value(e) for e in node.elts]

    def tuple_display(self, node: ast.Tuple):
        return tuple(self.value(e) for e in node.elts)

    def set_display(self, node: ast.Set):
        return {self.value(e) for e in node.elts}

    def dict_display(self, node: ast.Dict):
        return {self.value(k): self.value(v) for k, v in zip(node.keys, node.values)}

    def if_exp(self, node: ast.IfExp):
        return self.value(node.body) if self.value(node.test) else self.value(node.orelse)

    def name(self, node: ast.Name):
        for scope in (self.data, self.external):
            if node.id in scope:
                return checked_input(scope[node.id], f"'{node.id}'")
        raise ExpressionError(f"'{node.id}' is not in the task data", node.lineno)

    def bool_op(self, node: ast.BoolOp):
        stops_at = type(node.op) is ast.Or  # `or` stops at the first true operand, `and` at the first false one
        for operand in node.values:
            result = self.value(operand)
            if bool(result) == stops_at:
                return result
        return result

    def unary_op(self, node: ast.UnaryOp):
        operand = self.value(node.operand)
        if type(node.op) is ast.Not:
            return not operand
        number = number_operand(operand, node)
        return -number if type(node.op) is ast.USub else +number

    def bin_op(self, node: ast.BinOp):
        left, right, op = self.value(node.left), self.value(node.right), type(node.op)
        if is_number(left) and is_number(right):
            return _arithmetic(op, number_operand(left, node), number_operand(right, node), node)
        if op is ast.Add and type(left) is type(right) and type(left) in (str, list, tuple):
            bounded_length(len(left) + len(right), node)
            return left + right
        if op is ast.Mult and {type(left), type(right)} in ({str, int}, {str, bool}):
            text, times = (left, right) if type(left) is str else (right, left)
            bounded_length(len(text) * max(times, 0), node)
            return text * times
        raise ExpressionError(f"'{_SYMBOL[op]}' cannot combine {describe(left)} and {describe(right)}", node.lineno)

    def compare(self, node: ast.Compare):
        left = self.value(node.left)
        for op, comparator in zip(node.ops, node.comparators):
            right = self.value(comparator)
            if not _COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def subscript(self, node: ast.Subscript):
        container, key = self.value(node.value), node.slice
        if type(key) is ast.Slice:
            if type(container) not in (str, list, tuple):
                raise ExpressionError(f"cannot slice {describe(container)}", node.lineno)
            lower, upper = (None if b is None else self.value(b) for b in (key.lower, key.upper))
            return container[lower:upper]
        key = self.value(key)  # a constant: parser.py allows nothing else
        if type(container) is dict:
            if key not in container:
                raise ExpressionError(f"there is no key {key!r}", node.lineno)
            return checked_input(container[key], f"[{key!r}]")
        if type(container) in (str, list, tuple) and type(key) is int:
            if not -len(container) <= key < len(container):
                raise ExpressionError(f"index {key} is outside the {len(container)} items", node.lineno)
            return checked_input(container[key], f"[{key}]")
        raise ExpressionError(f"cannot take [{key!r}] of {describe(container)}", node.lineno)

    def call(self, node: ast.Call):
        args = [self.value(a) for a in node.args]
        if type(node.func) is ast.Name:
            return _FUNCTIONS[node.func.id](args, node)
        return _call_method(node.func.attr, self.value(node.func.value), args, node)


_HANDLERS = {
    ast.Constant: _Evaluation.constant, ast.Name: _Evaluation.name, ast.List: _Evaluation.list_display,
    ast.Tuple: _Evaluation.tuple_display, ast.Set: _Evaluation.set_display, ast.Dict: _Evaluation.dict_display,
    ast.BoolOp: _Evaluation.bool_op, ast.UnaryOp: _Evaluation.unary_op, ast.BinOp: _Evaluation.bin_op,
    ast.Compare: _Evaluation.compare, ast.Subscript: _Evaluation.subscript, ast.Call: _Evaluation.call,
    ast.IfExp: _Evaluation.if_exp,
}


def is_number(value) -> bool:
    """Whether `value` is an int, float or bool."""
    return type(value) in (int, float, bool)


def number_operand(value, node):
    """`value` if it is a number within the bounds, else ExpressionError."""
    if not is_number(value):
        raise ExpressionError(f"a number is needed, not {describe(value)}", node.lineno)
    return bounded_number(value, node)


def bounded_number(value, node):
    """`value` if it is a finite int or float within MAX_INT, else ExpressionError."""
    if type(value) not in (int, float, bool):  # complex: a fractional power of a negative number
        raise ExpressionError(f"the result is a {type(value).__name__} number", node.lineno)
    if type(value) is float and not math.isfinite(value):
        raise ExpressionError("the result is infinite or not a number", node.lineno)
    if type(value) is int and abs(value) > MAX_INT:
        raise ExpressionError("an integer beyond 10**18", node.lineno)
    return value


def bounded_length(size: int, node) -> int:
    """`size` if a string or list of that length may be made, else ExpressionError."""
    if size > MAX_LENGTH:
        raise ExpressionError(f"the result would be {size:,} characters or items long; at most {MAX_LENGTH:,}",
                              node.lineno)
    return size


def _arithmetic(op, left, right, node):
    if op is ast.Pow and type(left) in (int, bool) and type(right) in (int, bool) and abs(right) > MAX_POWER_EXPONENT:
        raise ExpressionError(f"an integer exponent beyond {MAX_POWER_EXPONENT}", node.lineno)
    if op in (ast.Div, ast.FloorDiv, ast.Mod) and right == 0:
        raise ExpressionError("division by zero", node.lineno)
    return bounded_number(BINARY[op](left, right), node)


# ----------------------------------------------------------------------------------------- functions

def _arguments(args: list, least: int, most: int, node, name: str) -> list:
    if not least <= len(args) <= most:
        wanted = str(least) if least == most else f"{least} to {most}"
        raise ExpressionError(f"{name}() takes {wanted} arguments, not {len(args)}", node.lineno)
    return args


def _collection(args: list, node, name: str) -> list:
    """The items of the one list (tuple, set, dict keys) argument, each plain data."""
    (items,) = _arguments(args, 1, 1, node, name)
    if type(items) not in (list, tuple, set, dict):
        raise ExpressionError(f"{name}() needs a list, not {describe(items)}", node.lineno)
    return [checked_input(item, f"an item of {name}()") for item in items]


def _min_max(choose, name):
    def call(args, node):
        items = _collection(args, node, name) if len(args) == 1 else args
        if not items:
            raise ExpressionError(f"{name}() of nothing", node.lineno)
        return choose(items)
    return call


def _round(args, node):
    _arguments(args, 1, 2, node, "round")
    digits = number_operand(args[1], node) if len(args) == 2 else None
    if digits is not None and (type(digits) is float or abs(digits) > MAX_ROUND_DIGITS):
        raise ExpressionError(f"round() takes a whole number of digits up to {MAX_ROUND_DIGITS}", node.lineno)
    return bounded_number(round(number_operand(args[0], node), digits), node)


def _len(args, node):
    (value,) = _arguments(args, 1, 1, node, "len")
    if type(value) not in (str, list, tuple, dict, set):
        raise ExpressionError(f"len() of {describe(value)}", node.lineno)
    return len(value)


def _conversion(convert, name):
    def call(args, node):
        (value,) = _arguments(args, 1, 1, node, name)
        if convert is bool:
            return bool(value)
        if type(value) not in SCALARS:
            raise ExpressionError(f"{name}() of {describe(value)}", node.lineno)
        result = convert(value)
        if convert is str:
            bounded_length(len(result), node)
            return result
        return bounded_number(result, node)
    return call


_FUNCTIONS = {
    "len": _len,
    "abs": lambda args, node: bounded_number(abs(number_operand(_arguments(args, 1, 1, node, "abs")[0], node)), node),
    "min": _min_max(min, "min"),
    "max": _min_max(max, "max"),
    "round": _round,
    "int": _conversion(int, "int"),
    "float": _conversion(float, "float"),
    "str": _conversion(str, "str"),
    "bool": _conversion(bool, "bool"),
    "sum": lambda args, node: bounded_number(sum(number_operand(i, node) for i in _collection(args, node, "sum")),
                                             node),
    "any": lambda args, node: any(_collection(args, node, "any")),
    "all": lambda args, node: all(_collection(args, node, "all")),
}

# The methods' argument counts (least, most).
_METHOD_ARGUMENTS = {"lower": (0, 0), "upper": (0, 0), "strip": (0, 1), "startswith": (1, 3), "endswith": (1, 3),
                     "replace": (2, 3), "split": (0, 2), "get": (1, 2)}


def _call_method(name: str, receiver, args: list, node):
    if type(receiver) is not METHODS[name]:
        raise ExpressionError(f"'.{name}()' needs a {METHODS[name].__name__}, not {describe(receiver)}",
                              node.lineno)
    _arguments(args, *_METHOD_ARGUMENTS[name], node, name)
    if name == "get":
        return checked_input(receiver.get(*args), f"[{args[0]!r}]")
    for arg in args:
        if type(arg) not in (str, int, type(None)) and not (type(arg) is tuple and all(type(a) is str for a in arg)):
            raise ExpressionError(f"'.{name}()' cannot take {describe(arg)}", node.lineno)
    if name == "replace":
        old, new, *count = args
        occurrences = receiver.count(old)
        if count and count[0] >= 0:  # a negative count replaces every occurrence
            occurrences = min(occurrences, count[0])
        bounded_length(len(receiver) + occurrences * (len(new) - len(old)), node)
    result = getattr(receiver, name)(*args)
    if type(result) in (str, list):
        bounded_length(len(result), node)
    return result

"""Parse an expression with `ast.parse` and refuse every construct outside the language.

The length is checked before parsing (Python's parser itself fails on a few hundred
thousand terms), then the number and nesting of nodes without recursion, then each
node against the whitelist. What comes out is only ever walked by evaluator.py.
"""
from __future__ import annotations

import ast
import math
import warnings
from dataclasses import dataclass
from functools import lru_cache

from . import evaluator, juel
from .limits import FUNCTIONS, MAX_CHARS, MAX_DEPTH, MAX_INT, MAX_NODES, METHODS, SCALARS, ExpressionError


@dataclass(frozen=True)
class Expression:
    """A checked expression, ready to be evaluated any number of times."""

    text: str
    tree: ast.expr

    def evaluate(self, data: dict, external: dict | None = None):
        """The value over `data` (task data), then `external` (data objects) for names not in it."""
        return evaluator.evaluate(self.tree, data, external or {})


def parse(text: str) -> Expression:
    """Parse and check an expression (Python form, or Camunda's `${...}`); raises ExpressionError."""
    return _parse(text or "")


@lru_cache(maxsize=2048)
def _parse(text: str) -> Expression:
    source = juel.normalize(text)
    if not source:
        raise ExpressionError("the expression is empty", 1)
    tree = syntax_tree(source, "eval").body
    check_size(tree)
    issues: list[ExpressionError] = []
    _Checker(issues).check(tree)
    if issues:
        messages = list(dict.fromkeys(issue.message for issue in issues))  # each construct once, in order
        raise ExpressionError("; ".join(messages), issues[0].line)
    return Expression(source, tree)


def syntax_tree(source: str, mode: str) -> ast.AST:
    """`ast.parse` of at most MAX_CHARS characters, every failure an ExpressionError."""
    if len(source) > MAX_CHARS:
        raise ExpressionError(f"the expression is {len(source):,} characters long; at most {MAX_CHARS:,} "
                              "are allowed", 1)
    try:
        with warnings.catch_warnings():  # "invalid escape sequence" and the like: not the model's problem here
            warnings.simplefilter("ignore")
            return ast.parse(source, mode=mode)
    except SyntaxError as exc:
        raise ExpressionError(f"syntax error: {exc.msg}", exc.lineno or 1) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # a NUL byte; nesting past the parser's stack
        raise ExpressionError(f"cannot be parsed ({type(exc).__name__})", 1) from None


def check_size(tree: ast.expr) -> None:
    """Refuse too many or too deeply nested nodes, without recursion (the tree may be thousands deep)."""
    count, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise ExpressionError(f"the expression is nested more than {MAX_DEPTH} levels deep", node.lineno)
        if count > MAX_NODES:
            raise ExpressionError(f"the expression has more than {MAX_NODES} parts (names, values, operations)",
                                  node.lineno)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))


_NOT_ALLOWED = {
    ast.NamedExpr: "the assignment expression ':='", ast.Lambda: "lambda", ast.GeneratorExp: "a generator expression",
    ast.ListComp: "a list comprehension", ast.SetComp: "a set comprehension", ast.DictComp: "a dict comprehension",
    ast.JoinedStr: "an f-string", ast.FormattedValue: "an f-string", ast.Starred: "unpacking with '*'",
    ast.Await: "await", ast.Yield: "yield", ast.YieldFrom: "yield",
}
_OPERATOR_TEXT = {ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^", ast.LShift: "<<", ast.RShift: ">>",
                  ast.MatMult: "@", ast.Invert: "~"}


class _Checker:
    """Walks a parsed expression (at most MAX_DEPTH deep) and records every construct outside the language."""

    def __init__(self, issues: list[ExpressionError]):
        self.issues = issues

    def refuse(self, node: ast.AST, what: str, hint: str = "") -> None:
        # One template per message (not one built in pieces), as the web's catalogue keys them.
        self.issues.append(ExpressionError(f"{what} is not allowed; {hint}" if hint else f"{what} is not allowed",
                                           getattr(node, "lineno", 1)))

    def check(self, node: ast.expr) -> None:
        kind = type(node)
        if kind in _NOT_ALLOWED:
            self.refuse(node, _NOT_ALLOWED[kind])
        elif kind is ast.Constant:
            self.check_constant(node)
        elif kind is ast.Name:
            pass
        elif kind in (ast.List, ast.Tuple, ast.Set):
            self.check_all(node.elts)
        elif kind is ast.Dict:
            if None in node.keys:
                self.refuse(node, "unpacking with '**'")
            self.check_all([k for k in node.keys if k is not None] + node.values)
        elif kind is ast.BoolOp:
            self.check_all(node.values)
        elif kind is ast.UnaryOp:
            if type(node.op) not in (ast.Not, ast.USub, ast.UAdd):
                self.refuse(node, f"the operator '{_OPERATOR_TEXT[type(node.op)]}'")
            self.check(node.operand)
        elif kind is ast.BinOp:
            if type(node.op) not in evaluator.BINARY:
                self.refuse(node, f"the operator '{_OPERATOR_TEXT[type(node.op)]}'")
            self.check_all([node.left, node.right])
        elif kind is ast.Compare:
            self.check_compare(node)
        elif kind is ast.IfExp:
            self.check_all([node.test, node.body, node.orelse])
        elif kind is ast.Subscript:
            self.check_subscript(node)
        elif kind is ast.Call:
            self.check_call(node)
        elif kind is ast.Attribute:
            self.refuse(node, f"attribute access '.{node.attr}'", f"only the methods {', '.join(METHODS)} can be called")
        else:
            self.refuse(node, f"'{kind.__name__}'")

    def check_all(self, nodes) -> None:
        for node in nodes:
            self.check(node)

    def check_constant(self, node: ast.Constant) -> None:
        value = node.value
        if type(value) not in SCALARS:
            self.refuse(node, f"a {type(value).__name__} literal")
        elif type(value) is int and abs(value) > MAX_INT:
            self.refuse(node, "an integer literal beyond 10**18")
        elif type(value) is float and not math.isfinite(value):
            self.refuse(node, "an infinite number")

    def check_compare(self, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        for index, op in enumerate(node.ops):
            if type(op) in (ast.Is, ast.IsNot) and not any(is_none(o) for o in operands[index:index + 2]):
                self.refuse(node, "'is' except in 'is None' and 'is not None'")
        self.check_all(operands)

    def check_subscript(self, node: ast.Subscript) -> None:
        self.check(node.value)
        key = node.slice
        if type(key) is ast.Slice:
            bounds = (key.lower, key.upper)
            if key.step is not None or not all(b is None or type(constant_key(b)) is int for b in bounds):
                self.refuse(node, "a slice other than [constant:constant]")
        elif constant_key(key) is NO_KEY:
            self.refuse(node, "a subscript by anything but a constant string or integer")

    def check_call(self, node: ast.Call) -> None:
        if node.keywords:
            self.refuse(node, "a keyword argument")
        func = node.func
        if type(func) is ast.Name:
            if func.id not in FUNCTIONS:
                self.refuse(node, f"calling '{func.id}'", f"the functions are {', '.join(FUNCTIONS)}")
        elif type(func) is ast.Attribute:
            if func.attr not in METHODS:
                self.refuse(node, f"the method '.{func.attr}()'", f"the methods are {', '.join(METHODS)}")
            self.check(func.value)
        else:
            self.refuse(node, "calling the result of an expression")
        self.check_all(node.args)


NO_KEY = object()


def constant_key(node: ast.expr):
    """The constant a subscript uses (`"a"`, `3`, `-1`), or NO_KEY."""
    if type(node) is ast.Constant and type(node.value) in (str, int):
        return node.value
    if (type(node) is ast.UnaryOp and type(node.op) is ast.USub and type(node.operand) is ast.Constant
            and type(node.operand.value) is int):
        return -node.operand.value
    return NO_KEY


def is_none(node: ast.expr) -> bool:
    """Whether `node` is the literal None."""
    return type(node) is ast.Constant and node.value is None

"""Property tests of the expression language: any text and any syntax tree either evaluates to plain
data or fails with the language's own error, never another exception, and always quickly."""
from __future__ import annotations

import ast
import gc
import time
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alur.runtime import expressions
from alur.runtime.expressions import ExpressionError
from alur.runtime.expressions.limits import FUNCTIONS, METHODS, VALUE_TYPES

TIME_LIMIT = 0.05  # seconds of CPU for one call (parsing and checking, or evaluating)
DATA = {
    "a": 3, "b": -2.5, "s": "teks Uji", "l": [1, 2, "x", [3]], "d": {"k": "v", "n": 5, "l": [1]}, "n": None,
    "t": True, "big": 10**18, "long": "x" * 50_000, "many": list(range(10_000)), "keputusan": "kembalikan",
}
NAMES = list(DATA) + ["hilang", "__class__", "len", "g"]
# Pieces of Python and JUEL, allowed or not, for texts that are mostly near the language.
TOKENS = (["(", ")", "[", "]", "{", "}", ",", ":", ".", " ", "+", "-", "*", "/", "//", "%", "**", "==", "!=", "<",
           ">=", " and ", " or ", " not ", " in ", " is ", " if ", " else ", "lambda", ":=", "for", "_", "'", '"',
           "f'", "${", "&&", "||", "!", "0", "1", "9", "10**9", "1e308", "'a'", "'%s'", "*3", "\\", "\n", "#"]
          + NAMES + list(FUNCTIONS) + [f".{m}(" for m in METHODS] + ["range", "__import__", ".format(", ".gi_frame"])

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def within_time_limit(text: str):
    """The block must use less than TIME_LIMIT of CPU (the garbage collector, which runs for the whole heap
    of the test process, is held back meanwhile)."""
    gc.disable()
    started = time.process_time()
    try:
        yield
    finally:
        spent = time.process_time() - started
        gc.enable()
    assert spent < TIME_LIMIT, text


def run_everything(text: str) -> None:
    """Every entry point of the language on `text`: each ends within TIME_LIMIT, with a value or ExpressionError."""
    for check in (expressions.problems, lambda t: expressions.problems(t, condition=True),
                  expressions.script_problems):
        with within_time_limit(text):
            found = check(text)
        assert all(isinstance(p, ExpressionError) and p.message for p in found)
    for run in (lambda: expressions.evaluate(text, dict(DATA)), lambda: expressions.evaluate_condition(text, DATA),
                lambda: expressions.run_script(text, dict(DATA)), lambda: expressions.run_script(f"x = {text}", {})):
        with within_time_limit(text):
            try:
                value = run()
            except ExpressionError as exc:
                value = exc.message
                assert value
        assert value is None or type(value) in VALUE_TYPES


@SETTINGS
@given(st.text(max_size=300))
def test_any_text_evaluates_or_fails_with_the_languages_error(text):
    run_everything(text)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_any_text_of_python_and_juel_pieces_evaluates_or_fails_with_the_languages_error(text):
    run_everything(text)


# Syntax trees: every kind of expression node, allowed or not, with operands drawn the same way.
_constants = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20), st.floats(allow_nan=False), st.text(max_size=8),
    st.booleans(), st.none(), st.sampled_from([10**18, 64, 65, 10**9, 0, -1, 100_000, 3 * 10**9]),
).map(lambda v: ast.Constant(v))
_names = st.sampled_from(NAMES).map(lambda n: ast.Name(n, ast.Load()))
_binary = st.sampled_from([ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow])
_other_binary = st.sampled_from([ast.BitAnd, ast.LShift, ast.MatMult])
_compare = st.sampled_from([ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn])
_unary = st.sampled_from([ast.Not, ast.USub, ast.UAdd])
_keys = st.one_of(st.integers(-5, 5), st.sampled_from(["k", "n", "l", "x"])).map(
    lambda k: ast.UnaryOp(ast.USub(), ast.Constant(-k)) if type(k) is int and k < 0 else ast.Constant(k))
_bounds = st.none() | st.integers(-5, 5).map(ast.Constant)


def _allowed(children):
    """Every construct of the language, over `children`."""
    lists = st.lists(children, max_size=4)
    return st.one_of(
        st.builds(lambda l, op, r: ast.BinOp(l, op(), r), children, _binary, children),
        st.builds(lambda op, v: ast.UnaryOp(op(), v), _unary, children),
        st.builds(lambda op, vs: ast.BoolOp(op(), vs), st.sampled_from([ast.And, ast.Or]),
                  st.lists(children, min_size=2, max_size=4)),
        st.builds(lambda l, pairs: ast.Compare(l, [op() for op, _ in pairs], [c for _, c in pairs]), children,
                  st.lists(st.tuples(_compare, children), min_size=1, max_size=3)),
        st.builds(lambda v, is_not: ast.Compare(v, [ast.IsNot() if is_not else ast.Is()], [ast.Constant(None)]),
                  children, st.booleans()),
        st.builds(ast.IfExp, children, children, children),
        st.builds(lambda f, args: ast.Call(ast.Name(f, ast.Load()), args, []), st.sampled_from(FUNCTIONS), lists),
        st.builds(lambda v, m, args: ast.Call(ast.Attribute(v, m, ast.Load()), args, []), children,
                  st.sampled_from(list(METHODS)), lists),
        st.builds(lambda v, k: ast.Subscript(v, k, ast.Load()), children, _keys),
        st.builds(lambda v, lo, hi: ast.Subscript(v, ast.Slice(lo, hi), ast.Load()), children, _bounds, _bounds),
        st.builds(lambda es: ast.List(es, ast.Load()), lists),
        st.builds(lambda es: ast.Tuple(es, ast.Load()), lists),
        st.builds(lambda es: ast.Set(es), st.lists(children, min_size=1, max_size=4)),
        st.builds(lambda ks, vs: ast.Dict(ks, vs[:len(ks)] + [ast.Constant(0)] * (len(ks) - len(vs))), lists,
                  lists),
    )


def _anything(children):
    """The language's constructs and those outside it (comprehensions, walrus, lambda, f-strings, attributes...)."""
    comprehension = [ast.comprehension(ast.Name("x", ast.Store()), ast.Name("l", ast.Load()), [], 0)]
    return st.one_of(
        _allowed(children),
        st.builds(lambda l, op, r: ast.BinOp(l, op(), r), children, _other_binary, children),
        st.builds(lambda v: ast.UnaryOp(ast.Invert(), v), children),
        st.builds(lambda l, r: ast.Compare(l, [ast.Is()], [r]), children, children),
        st.builds(lambda f, args: ast.Call(ast.Name(f, ast.Load()), args, []),
                  st.sampled_from(["range", "open", "list", "getattr", "__import__", "type"]), st.lists(children,
                                                                                                      max_size=3)),
        st.builds(lambda v, m, args: ast.Call(ast.Attribute(v, m, ast.Load()), args, []), children,
                  st.sampled_from(["format", "join", "__class__", "gi_frame", "zfill"]), st.lists(children,
                                                                                                  max_size=3)),
        st.builds(lambda v, m: ast.Attribute(v, m, ast.Load()), children, st.sampled_from(["upper", "__class__"])),
        st.builds(lambda v, k: ast.Subscript(v, k, ast.Load()), children, children),
        st.builds(lambda e: ast.ListComp(e, comprehension), children),
        st.builds(lambda e: ast.GeneratorExp(e, comprehension), children),
        st.builds(lambda e: ast.NamedExpr(ast.Name("g", ast.Store()), e), children),
        st.builds(lambda e: ast.Lambda(ast.arguments([], [], None, [], [], None, []), e), children),
        st.builds(lambda e: ast.JoinedStr([ast.FormattedValue(e, -1, None)]), _names),  # unparse: no backslashes
    )


LANGUAGE_TREES = st.recursive(_constants | _names, _allowed, max_leaves=25)
TREES = st.recursive(_constants | _names, _anything, max_leaves=25)


@SETTINGS
@given(LANGUAGE_TREES)
def test_any_tree_of_the_language_evaluates_or_fails_with_its_error(tree):
    run_everything(ast.unparse(ast.fix_missing_locations(ast.Expression(tree))))


@SETTINGS
@given(TREES)
def test_any_syntax_tree_evaluates_or_fails_with_the_languages_error(tree):
    run_everything(ast.unparse(ast.fix_missing_locations(ast.Expression(tree))))

"""Edges of the expression language that mutation testing (bench/mutation.sh) found unpinned: each cap
at its exact bound, the argument counts of every function and method, and what each operation
accepts and refuses. No engine: the language alone (tests/runtime/test_expressions.py has the rest)."""
from __future__ import annotations

import pytest

from alur.runtime import expressions
from alur.runtime.expressions import ExpressionError
from alur.runtime.expressions.evaluator import describe
from alur.runtime.expressions.juel import normalize
from alur.runtime.expressions.limits import MAX_CHARS, MAX_DEPTH, MAX_INT, MAX_LENGTH, MAX_NODES

LONG = "x" * 60_000  # two of them are over MAX_LENGTH, one is not
HUGE = "x" * (MAX_LENGTH + 50_000)  # longer than an expression may make, but task data may hold it
DATA = {"l": [1, 2, 3], "d": {"k": "v", "n": None}, "s": "abc", "long": LONG, "huge": HUGE, "kosong": "",
        "nol": 0, "lima": 5}


def value(text: str, data: dict | None = None):
    return expressions.evaluate(text, DATA if data is None else data)


def refusal(text: str, data: dict | None = None) -> tuple[str, int | None]:
    with pytest.raises(ExpressionError) as refused:
        expressions.evaluate(text, DATA if data is None else data)
    return refused.value.message, refused.value.line


def nested(depth: int) -> str:
    """An expression `depth` nodes deep: -(-(...(lima)))."""
    return "-(" * (depth - 1) + "lima" + ")" * (depth - 1)


# ----------------------------------------------------------------------------------------- caps at their bounds

def test_an_expression_of_max_chars_parses_and_one_more_does_not():
    text = "len('" + "x" * (MAX_CHARS - 7) + "')"
    assert len(text) == MAX_CHARS and value(text) == MAX_CHARS - 7
    longer = "len('" + "x" * (MAX_CHARS - 6) + "')"
    assert refusal(longer) == ("the expression is 2,001 characters long; at most 2,000 are allowed", 1)


def test_an_expression_of_max_nodes_parses_and_one_more_does_not():
    names = " or ".join(["nol"] * (MAX_NODES - 1))  # the names and the `or`
    assert value(names) == 0
    assert refusal(names + " or nol") == ("the expression has more than 200 parts (names, values, operations)", 1)


def test_an_expression_max_depth_deep_parses_and_one_deeper_does_not():
    assert value(nested(MAX_DEPTH)) == 5 * (-1) ** (MAX_DEPTH - 1)
    assert refusal(nested(MAX_DEPTH + 1)) == ("the expression is nested more than 20 levels deep", 1)


def test_integers_up_to_max_int_and_no_further():
    assert value(str(MAX_INT)) == MAX_INT
    assert value(f"-{MAX_INT} + 0") == -MAX_INT
    assert value(f"{MAX_INT} - 1 + 1") == MAX_INT
    assert refusal(str(MAX_INT + 1)) == ("an integer literal beyond 10**18 is not allowed", 1)
    assert refusal(f"{MAX_INT} + 1") == ("an integer beyond 10**18", 1)
    assert refusal(f"-{MAX_INT} - 1") == ("an integer beyond 10**18", 1)


def test_strings_and_lists_up_to_max_length_and_no_further():
    assert len(value("long + s[0:0] + long[0:40000]")) == MAX_LENGTH
    assert refusal("long + long") == ("the result would be 120,000 characters or items long; at most 100,000", 1)
    assert len(value("'ab' * 50000")) == MAX_LENGTH
    assert refusal("'ab' * 50001")[0] == "the result would be 100,002 characters or items long; at most 100,000"
    assert value("huge * 0") == "" and value("huge * -2") == ""
    assert refusal("huge.lower()")[0] == "the result would be 150,000 characters or items long; at most 100,000"
    assert refusal("str(huge)")[0] == "the result would be 150,000 characters or items long; at most 100,000"


def test_integer_powers_up_to_exponent_64():
    assert value("1 ** 64") == 1 and value("(-1) ** -64") == 1.0 and value("True ** 64") == 1
    assert refusal("1 ** 65") == ("an integer exponent beyond 64", 1)
    assert refusal("1 ** -65") == ("an integer exponent beyond 64", 1)
    assert value("1.0 ** 65") == 1.0  # a float power is bounded by its result


def test_round_takes_up_to_18_digits_either_way():
    assert value("round(1.5, 18)") == 1.5 and value("round(15, -18)") == 0
    for digits in ("19", "-19", "1.0"):
        assert refusal(f"round(1.5, {digits})") == ("round() takes a whole number of digits up to 18", 1)


# ----------------------------------------------------------------------------------------- operations

@pytest.mark.parametrize("expression, result", [
    ("nol or lima", 5), ("lima or nol", 5), ("kosong or nol", 0), ("lima and nol", 0), ("nol and lima", 0),
    ("lima and 7", 7), ("-lima", -5), ("+lima", 5), ("not lima", False), ("not nol", True),
    ("[1] + [2]", [1, 2]), ("(1,) + (2,)", (1, 2)), ("s + 'd'", "abcd"), ("'ab' * 2", "abab"),
    ("2 * 'ab'", "abab"), ("'a' * True", "a"), ("7 // 2", 3), ("7 % 4", 3), ("2 ** 3", 8), ("7 / 2", 3.5),
    ("1 < 2 < 3", True), ("1 < 3 < 2", False), ("3 > 2 == 2", True), ("1 == 1 != 1", False),
    ("s[1:]", "bc"), ("s[:-1]", "ab"), ("l[1:2]", [2]), ("l[-3]", 1), ("l[2]", 3), ("s[-1]", "c"),
    ("d['n'] is None", True), ("d.get('n') is None", True), ("d.get('x', 4)", 4), ("d.get('k')", "v"),
    ("lima if nol else 9", 9), ("lima if lima else 9", 5), ("{1, 1, 2}", {1, 2}), ("{'a': lima}", {"a": 5}),
])
def test_what_each_operation_gives(expression, result):
    got = value(expression)
    assert got == result and type(got) is type(result)


@pytest.mark.parametrize("expression, message", [
    ("[1] + (2,)", "'+' cannot combine the list [1] and the tuple (2,)"),
    ("{1} + {2}", "'+' cannot combine the set {1} and the set {2}"),
    ("'a' * 1.5", "'*' cannot combine the str 'a' and the float 1.5"),
    ("[1] * 2", "'*' cannot combine the list [1] and the int 2"),
    ("-s", "a number is needed, not the str 'abc'"),
    ("1 // 0", "division by zero"), ("1 % 0", "division by zero"), ("1.0 / 0.0", "division by zero"),
    ("d[0:1]", "cannot slice the dict {'k': 'v', 'n': None}"),
    ("l[3]", "index 3 is outside the 3 items"), ("l[-4]", "index -4 is outside the 3 items"),
    ("5[0]", "cannot take [0] of the int 5"), ("s['a']", "cannot take ['a'] of the str 'abc'"),
    ("d['x']", "there is no key 'x'"),
    ("x is y is None", "'is' except in 'is None' and 'is not None' is not allowed"),
    ("l[-'a']", "a subscript by anything but a constant string or integer is not allowed"),
    ("l[-1.5]", "a subscript by anything but a constant string or integer is not allowed"),
    ("l[True]", "a subscript by anything but a constant string or integer is not allowed"),
    ("l[1:'a']", "a slice other than [constant:constant] is not allowed"),
    ("len([x for x in l])", "a list comprehension is not allowed"),
    ("{'a': [x for x in l]}", "a list comprehension is not allowed"),
    ("(l.x).lower()", "attribute access '.x' is not allowed; only the methods lower, upper, strip, startswith, "
                      "endswith, replace, split, get can be called"),
    ("nol if [x for x in l] else 1", "a list comprehension is not allowed"),
    ("not [x for x in l]", "a list comprehension is not allowed"),
    ("(1).real.lower()", "attribute access '.real' is not allowed; only the methods lower, upper, strip, "
                         "startswith, endswith, replace, split, get can be called"),
    ("1 & 2", "the operator '&' is not allowed"),
    ("[1, f'{x}']", "an f-string is not allowed"),
    ("nol or f'{x}'", "an f-string is not allowed"),
    ("l[f'{x}']", "a subscript by anything but a constant string or integer is not allowed"),
    ("f'{x}' < 1", "an f-string is not allowed"),
    ("range(1) + f'{x}'", "calling 'range' is not allowed; the functions are len, abs, min, max, round, int, "
                          "float, str, bool, sum, any, all; an f-string is not allowed"),
    ("{1: f'{x}'}", "an f-string is not allowed"),
    ("{f'{x}': 1}", "an f-string is not allowed"),
    ("(f'{x}').lower()", "an f-string is not allowed"),
    ("1 if f'{x}' else 2", "an f-string is not allowed"),
    ("1 if 2 else f'{x}'", "an f-string is not allowed"),
    ("f'{x}' if 2 else 1", "an f-string is not allowed"),
    ("(f'{x}')[0]", "an f-string is not allowed"),
    ("(f'{x}')[0:1]", "an f-string is not allowed"),
])
def test_what_each_operation_refuses(expression, message):
    assert refusal(expression) == (message, 1)


def test_comparing_data_nested_past_pythons_stack_fails_as_an_expression_error():
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    message, line = refusal("a == b", {"a": deep, "b": deep[0]})
    assert message.startswith("cannot be evaluated: maximum recursion depth exceeded") and line == 1


def test_a_long_value_is_described_shortly():
    assert describe("x" * 100) == "the str '" + "x" * 17 + "..." + "x" * 18 + "'"
    assert describe(object()) == "the object ..."


# ----------------------------------------------------------------------------------------- functions, methods

@pytest.mark.parametrize("expression, result", [
    ("len({'a': 1})", 1), ("len({1, 2})", 2), ("len((1,))", 1), ("len(s)", 3),
    ("abs(-3)", 3), ("min(3, 1, 2)", 1), ("max([1, 5])", 5), ("min((4, 2))", 2), ("max({3, 9})", 9),
    ("sum(l)", 6), ("sum({'a': 1})", None), ("any([])", False), ("all([1, 0])", False),
    ("bool([1])", True), ("bool([])", False), ("int(2.9)", 2), ("float('1.5')", 1.5), ("str(1.5)", "1.5"),
    ("round(2.5)", 2), ("round(1.25, 1)", 1.2),
    ("'A'.lower()", "a"), ("'a'.upper()", "A"), ("' a '.strip()", "a"), ("'xax'.strip('x')", "a"),
    ("'ab'.startswith('a')", True), ("'ab'.startswith('b', 1, 2)", True), ("'ab'.endswith(('x', 'b'))", True),
    ("'ab'.endswith('a', 0, 1)", True), ("'aaa'.replace('a', 'b')", "bbb"), ("'aaa'.replace('a', 'b', 2)", "bba"),
    ("'aaa'.replace('a', 'bb', -1)", "bbbbbb"), ("'a b'.split()", ["a", "b"]), ("'a-b-c'.split('-', 1)", ["a", "b-c"]),
])
def test_what_each_function_and_method_gives(expression, result):
    if result is None:
        assert refusal(expression) == ("a number is needed, not the str 'a'", 1)
    else:
        got = value(expression)
        assert got == result and type(got) is type(result)


@pytest.mark.parametrize("expression, message", [
    ("len(1, 2)", "len() takes 1 arguments, not 2"), ("len()", "len() takes 1 arguments, not 0"),
    ("abs()", "abs() takes 1 arguments, not 0"), ("round()", "round() takes 1 to 2 arguments, not 0"),
    ("round(1, 2, 3)", "round() takes 1 to 2 arguments, not 3"), ("int()", "int() takes 1 arguments, not 0"),
    ("bool(1, 2)", "bool() takes 1 arguments, not 2"), ("sum(1, 2)", "sum() takes 1 arguments, not 2"),
    ("min(5)", "min() needs a list, not the int 5"), ("any('ab')", "any() needs a list, not the str 'ab'"),
    ("max([])", "max() of nothing"), ("min()", "min() of nothing"),
    ("int([1])", "int() of the list [1]"), ("float({})", "float() of the dict {}"),
    ("float('1e999')", "the result is infinite or not a number"),
    ("'A'.lower(1)", "lower() takes 0 arguments, not 1"), ("'A'.upper(1)", "upper() takes 0 arguments, not 1"),
    ("'a'.strip('a', 'b')", "strip() takes 0 to 1 arguments, not 2"),
    ("'a'.startswith()", "startswith() takes 1 to 3 arguments, not 0"),
    ("'a'.startswith('a', 0, 1, 2)", "startswith() takes 1 to 3 arguments, not 4"),
    ("'a'.endswith()", "endswith() takes 1 to 3 arguments, not 0"),
    ("'a'.endswith('a', 0, 1, 2)", "endswith() takes 1 to 3 arguments, not 4"),
    ("'a'.replace('a')", "replace() takes 2 to 3 arguments, not 1"),
    ("'a'.replace('a', 'b', 1, 2)", "replace() takes 2 to 3 arguments, not 4"),
    ("'a'.split('a', 1, 2)", "split() takes 0 to 2 arguments, not 3"),
    ("d.get()", "get() takes 1 to 2 arguments, not 0"), ("d.get(1, 2, 3)", "get() takes 1 to 2 arguments, not 3"),
    ("l.get(1)", "'.get()' needs a dict, not the list [1, 2, 3]"),
    ("d.lower()", "'.lower()' needs a str, not the dict {'k': 'v', 'n': None}"),
    ("'a'.startswith(1.5)", "'.startswith()' cannot take the float 1.5"),
    ("'a'.startswith(('a', 1))", "'.startswith()' cannot take the tuple ('a', 1)"),
    ("'a'.split([1])", "'.split()' cannot take the list [1]"),
    ("long.replace('x', 'yy')", "the result would be 120,000 characters or items long; at most 100,000"),
    ("long.replace('x', 'yy', -1)", "the result would be 120,000 characters or items long; at most 100,000"),
])
def test_what_each_function_and_method_refuses(expression, message):
    assert refusal(expression) == (message, 1)


def test_replace_counts_what_it_will_make_before_making_it():
    assert len(value("long.replace('x', 'yy', 10)")) == 60_010
    assert value("long.replace('x', '')") == ""
    assert len(value("long.replace('q', 'yy')")) == 60_000


def test_an_item_that_is_not_plain_data_is_refused_where_it_is_read():
    odd = {"l": [object()], "d": {"k": object()}}
    assert refusal("max(l)", odd)[0] == "an item of max() holds a object, which expressions cannot use"
    assert refusal("d.get('k')", odd)[0] == "['k'] holds a object, which expressions cannot use"
    assert refusal("l[0]", odd)[0] == "[0] holds a object, which expressions cannot use"


# ----------------------------------------------------------------------------------------- parsing, conditions

def test_a_parsed_expression_is_kept_and_evaluates_over_the_data_then_the_objects():
    parsed = expressions.parse("lima + arsip")
    assert expressions.parse("lima + arsip") is parsed
    assert parsed.evaluate({"lima": 1}, {"arsip": 2, "lima": 9}) == 3
    assert refusal("arsip") == ("'arsip' is not in the task data", 1)
    with pytest.raises(ExpressionError, match="the expression is empty"):
        expressions.parse(None)  # type: ignore[arg-type]


def test_errors_carry_the_line_they_are_on():
    with pytest.raises(ExpressionError) as refused:
        expressions.parse("(lima +\n(1 if\n[x for x in l] else 2))")
    assert (refused.value.message, refused.value.line) == ("a list comprehension is not allowed", 3)
    with pytest.raises(ExpressionError) as refused:
        expressions.parse("(lima +\n1 +)")
    assert refused.value.line == 2
    with pytest.raises(ExpressionError) as refused:
        expressions.evaluate("(nol +\n d['x'])", DATA)
    assert (refused.value.message, refused.value.line) == ("there is no key 'x'", 2)
    with pytest.raises(ExpressionError) as refused:
        expressions.evaluate("(1 +\n x)", {})
    assert refused.value.line == 2


def test_each_refused_construct_is_named_once_in_order():
    with pytest.raises(ExpressionError) as refused:
        expressions.parse("[f'{a}', f'{b}', lambda: 1]")
    assert refused.value.message == "an f-string is not allowed; lambda is not allowed"


def test_a_condition_of_anything_but_true_or_false_fails_on_line_1():
    assert expressions.evaluate_condition("lima > 1", DATA) is True
    with pytest.raises(ExpressionError) as failed:
        expressions.evaluate_condition("lima", DATA)
    assert (failed.value.message, failed.value.line) == ("a condition must give True or False, not the int 5", 1)


@pytest.mark.parametrize("text, python", [
    ("${a", "${a"), ("a}", "a}"), ("${}", ""), ("${a.b.c}", 'a["b"]["c"]'), ("${x == a .b}", 'x == a ["b"]'),
    ("${not a}", "not a"), ("${a and!b}", "a and not b"), ("${(a)or(b)}", "(a) or (b)"),
])
def test_camunda_edges(text, python):
    assert normalize(text) == python


def test_camunda_unsupported_operators_fail_on_line_1():
    for text in ("${empty a}", "${a ? 1 : 2}"):
        with pytest.raises(ExpressionError) as refused:
            normalize(text)
        assert refused.value.line == 1


def test_a_script_stores_into_a_list_by_a_negative_index_from_its_end():
    data = {"l": [1, 2, 3]}
    expressions.run_script("l[-1] = 9\nl[-3] = 7", data)
    assert data == {"l": [7, 2, 9]}


def test_a_parsed_expression_is_frozen_since_every_use_of_its_text_shares_it():
    from dataclasses import FrozenInstanceError

    with pytest.raises(FrozenInstanceError):
        expressions.parse("lima").text = "nol"  # type: ignore[misc]


def test_replace_with_a_count_of_zero_makes_nothing_longer():
    assert value("long.replace('x', 'yy', 0)") == LONG


def test_a_property_after_a_name_is_that_names_field_with_no_space_between():
    assert normalize("${x == a.b}") == 'x == a["b"]'
    assert normalize("${x == a.b.c}") == 'x == a["b"]["c"]'


def test_text_python_cannot_encode_is_refused_as_unparsable():
    assert refusal("'\ud800'") == ("cannot be parsed (UnicodeEncodeError)", 1)


@pytest.mark.parametrize("condition, kind", [
    ("'a' if lima else 'b'", "string"), ("'a' or 'b'", "string"), ("1 if lima else 2.5", None),
    ("lima if nol else 1", None), ("nol and lima > 1", None), ("lima > 1 or nol > 1", None),
])
def test_deploy_knows_the_type_of_a_choice_when_every_branch_has_the_same(condition, kind):
    found = [p.message for p in expressions.problems(condition, condition=True)]
    assert found == ([f"a condition must give True or False; this gives a {kind}"] if kind else [])


def test_a_parsed_script_is_frozen_since_every_run_of_its_text_shares_it():
    from dataclasses import FrozenInstanceError

    (assignment,) = expressions.parse_script("a = 1")
    with pytest.raises(FrozenInstanceError):
        assignment.line = 2  # type: ignore[misc]


@pytest.mark.parametrize("make", [
    lambda size: "x" * (size - 2),  # a string: its characters and two quotes
    lambda size: ["x" * (size - 95)] + [0] * 10,  # a list: brackets, a separator an item, 8 a number
    lambda size: {"k": "x" * (size - 8)},  # a dict: braces, a separator a key, the key, the value
])
def test_a_script_stores_a_value_of_up_to_a_million_characters_of_task_data(make):
    data = {"v": make(1_000_000)}
    expressions.run_script("w = v", data)
    assert data["w"] is data["v"]
    with pytest.raises(ExpressionError, match="larger than 1,000,000 characters"):
        expressions.run_script("w = v", {"v": make(1_000_001)})

"""Edges of scripts and of what deploy knows of an expression (runtime/expressions/scripts.py, static.py)
that mutation testing (bench/mutation.sh expression_scripts) found unpinned. No engine."""
from __future__ import annotations

import pytest

from alur.runtime import expressions
from alur.runtime.expressions import ExpressionError


@pytest.mark.parametrize("condition, kind", [
    ("not lima", None), ("lima < 1", None), ("-lima", "number, string or list"), ("s.lower()", "string"),
    ("s.startswith('a')", None), ("s.split()", "list"), ("len(s)", "number"), ("any(l)", None),
    ("d.get('k')", None), ("min(l)", None),
])
def test_deploy_knows_what_a_condition_gives_from_its_outermost_operation(condition, kind):
    found = [p.message for p in expressions.problems(condition, condition=True)]
    assert found == ([f"a condition must give True or False; this gives a {kind}"] if kind else [])


@pytest.mark.parametrize("script, stored", [("v = None", None), ("v = True", True), ("v = 1.5", 1.5),
                                            ("v = 7", 7)])
def test_a_script_stores_plain_values(script, stored):
    data: dict = {}
    expressions.run_script(script, data)
    assert data == {"v": stored}


@pytest.mark.parametrize("script", ["l[3] = 1", "l[-4] = 1", "l[3][0] = 1", "l[-4][0] = 1"])
def test_a_script_stores_only_at_an_index_the_list_has(script):
    data = {"l": [[1], [2], [3]]}
    with pytest.raises(ExpressionError) as refused:
        expressions.run_script(script, data)
    assert refused.value.message.endswith(f"there is no {script[2:4].strip(']')} to store into")
    assert data == {"l": [[1], [2], [3]]}

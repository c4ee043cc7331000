"""The expression language of conditions and scripts: what it computes, what it refuses, and the
red-team attempts of issue 13, refused at deploy (with file and line) and again at run time."""
from __future__ import annotations

import re
import time
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import func, select

from alur.runtime import directory, expressions, state
from alur.runtime.engine import DeployRefused, ProcessFailed
from alur.runtime.expressions import ExpressionError
from alur.runtime.models import AuditEntry, Instance, ProcessVersion
from tests.conftest import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
CAMUNDA = FIXTURES / "camunda-surat-masuk.bpmn"
CAMUNDA_CONDITION = '${keputusan == "kembalikan"}'
CAMUNDA_CONDITION_LINE = 65  # the line of the Tidak flow's conditionExpression in the fixture
SPIFF = FIXTURES / "spiff-arena-disposisi.bpmn"
SPIFF_SCRIPT = 'nomor_agenda = "AG-" + str(len(isi_disposisi))'
SPIFF_SCRIPT_LINE = 35  # the line of <bpmn:script> in the fixture

FRAME_WALK = ("[g := (g.gi_frame.f_back.f_back.f_builtins['__import__']('os').system('id > pwned.txt') for _ in [1]),"
              " list(g)][1][0] == 1")
STEAL_SECRET = FRAME_WALK.replace("id > pwned.txt", "cp instance/secret_key stolen.txt")
THREE_HUNDRED_K_TERMS = "+".join(["1"] * 300_000) + " == 0"  # 599,999 + 5 characters
# Each attempt of the red-team pass, with (part of) the message that refuses it.
ATTEMPTS = [
    pytest.param(FRAME_WALK, "the assignment expression ':=' is not allowed", id="frame-walk"),
    pytest.param(STEAL_SECRET, "the assignment expression ':=' is not allowed", id="frame-walk-secret"),
    pytest.param("'{0.__class__.__mro__}'.format(x) == ''",
                 "the method '.format()' is not allowed; the methods are lower, upper, strip, startswith, endswith, "
                 "replace, split, get", id="format"),
    pytest.param("9**9**9 == 1", "an integer exponent beyond 64", id="power-tower"),
    pytest.param("sum(range(10**10)) == 0",
                 "calling 'range' is not allowed; the functions are len, abs, min, max, round, int, float, str, "
                 "bool, sum, any, all", id="sum-range"),
    pytest.param("'a'*3*10**9 == ''", "the result would be 3,000,000,000 characters or items long; at most 100,000",
                 id="3-GB-string"),
    pytest.param(THREE_HUNDRED_K_TERMS, "characters long; at most 2,000 are allowed",
                 id="300k-terms"),
    pytest.param("-" * 1500 + "1 == 1", "the expression is nested more than 20 levels deep", id="deep-nesting"),
]


def versions(alur) -> int:
    with alur.sessions() as session:
        return session.scalar(select(func.count()).select_from(ProcessVersion))


def audit_entries(alur) -> int:
    with alur.sessions() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def variant(tmp_path, source, old: str, new: str):
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path = tmp_path / source.name
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """The current folder of the test, holding a secret that no model may copy out."""
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "secret_key").write_text("rahasia")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def nothing_escaped(workdir) -> bool:
    return sorted(p.name for p in workdir.iterdir() if p.suffix == ".txt") == []


# ------------------------------------------------------------------------------- the attempts, at deploy

@pytest.mark.parametrize("attempt, message", ATTEMPTS)
def test_each_attempt_in_a_gateway_condition_is_refused_at_deploy_with_file_and_line(alur, workdir, attempt,
                                                                                       message):
    path = variant(workdir, CAMUNDA, CAMUNDA_CONDITION, escape(attempt))
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(path)
    (problem,) = [p for p in refused.value.problems if p.severity == "error"]
    assert (problem.file, problem.line) == ("camunda-surat-masuk.bpmn", CAMUNDA_CONDITION_LINE)
    assert problem.message.startswith("condition '") and message in problem.message
    assert len(problem.message) < 600  # the refusal quotes the condition shortened, not 600k characters
    assert versions(alur) == 0 and audit_entries(alur) == 0
    assert nothing_escaped(workdir)


@pytest.mark.parametrize("attempt, message", ATTEMPTS)
def test_each_attempt_in_a_script_task_is_refused_at_deploy_with_file_and_line(alur, workdir, attempt, message):
    path = variant(workdir, SPIFF, SPIFF_SCRIPT, escape(f"nomor_agenda = 0\nbocor = {attempt}"))
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(path)
    (problem,) = [p for p in refused.value.problems if p.severity == "error"]
    assert (problem.file, problem.line) == ("spiff-arena-disposisi.bpmn", SPIFF_SCRIPT_LINE + 1)
    assert problem.message.startswith("script: line 2: ") and message in problem.message
    assert versions(alur) == 0
    assert nothing_escaped(workdir)


def test_the_300k_term_condition_is_refused_by_its_length_before_parsing(alur, tmp_path):
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(variant(tmp_path, CAMUNDA, CAMUNDA_CONDITION, THREE_HUNDRED_K_TERMS))
    assert str(refused.value) == (f"camunda-surat-masuk.bpmn:{CAMUNDA_CONDITION_LINE}: error: condition "
                                  f"'{'1+' * 38}1...': the expression is 600,004 characters long; at most 2,000 are "
                                  "allowed")


def test_alur_deploy_refuses_the_300k_term_condition_with_file_and_line(tmp_path, monkeypatch, capsys):
    from alur.runtime.cli import main

    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    path = variant(tmp_path, CAMUNDA, CAMUNDA_CONDITION, THREE_HUNDRED_K_TERMS)
    assert main(["deploy", str(path)]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"{path.name}:{CAMUNDA_CONDITION_LINE}: error: condition '{'1+' * 38}1...': the expression "
                              "is 600,004 characters long; at most 2,000 are allowed\n")
    assert main(["processes", "--json"]) == 0
    assert capsys.readouterr().out.strip() == "[]"


def test_the_frame_walk_as_a_bare_script_line_is_refused(alur, workdir):
    path = variant(workdir, SPIFF, SPIFF_SCRIPT, escape(FRAME_WALK))
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(path)
    assert str(refused.value) == (
        f"spiff-arena-disposisi.bpmn:{SPIFF_SCRIPT_LINE}: error: script: line 1: an expression alone is not "
        "allowed; a script line must be 'name = expression'")
    assert nothing_escaped(workdir)


def test_pre_and_post_scripts_are_checked_the_same_way(alur, workdir):
    prescript = (f'<spiffworkflow:preScript>ok = 1\nx = {escape(STEAL_SECRET)}</spiffworkflow:preScript>'
                 '<spiffworkflow:postScript>import os</spiffworkflow:postScript>')
    path = variant(workdir, SPIFF, "<spiffworkflow:instructionsForEndUser>",
                   prescript + "<spiffworkflow:instructionsForEndUser>")
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(path)
    problems = [(p.line, p.message) for p in refused.value.problems]
    assert problems == [
        (24, "script: line 2: the assignment expression ':=' is not allowed; calling 'list' is not allowed; the "
             "functions are len, abs, min, max, round, int, float, str, bool, sum, any, all"),
        (24, "script: line 1: the statement 'import' is not allowed; a script line must be 'name = expression'"),
    ]
    assert nothing_escaped(workdir)


@pytest.mark.parametrize("element", [
    "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>9**9**9</bpmn:loopCardinality>"
    "</bpmn:multiInstanceLoopCharacteristics>",
    "<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>2</bpmn:loopCardinality>"
    "<bpmn:completionCondition>9**9**9 == 1</bpmn:completionCondition></bpmn:multiInstanceLoopCharacteristics>",
])
def test_loop_expressions_are_checked_too(alur, workdir, element):
    path = variant(workdir, SPIFF, '<bpmn:outgoing>Flow_d</bpmn:outgoing>',
                   f'<bpmn:outgoing>Flow_d</bpmn:outgoing>{element}')
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(path)
    assert "'9**9**9" in str(refused.value) and "an integer exponent beyond 64" in str(refused.value)
    assert versions(alur) == 0


# --------------------------------------------------------------------- the attempts, at run time (direct)

@pytest.mark.parametrize("attempt, message", ATTEMPTS)
def test_each_attempt_fails_in_the_evaluator_quickly_and_touches_nothing(workdir, attempt, message):
    started = time.perf_counter()
    with pytest.raises(ExpressionError) as failed:
        expressions.evaluate_condition(attempt, {"x": "abc", "g": 1})
    assert time.perf_counter() - started < 0.2
    assert message in str(failed.value)
    with pytest.raises(ExpressionError):
        expressions.run_script(f"bocor = {attempt}", {"x": "abc"})
    assert nothing_escaped(workdir)


@pytest.mark.parametrize("expression, data, message", [
    ("x ** n == 1", {"x": 9, "n": 9**9}, "an integer exponent beyond 64"),
    ("sum(l) == 0", {"l": [10**18, 10**18]}, "an integer beyond 10**18"),
    ("s * n == ''", {"s": "aaa", "n": 10**9}, "the result would be 3,000,000,000 characters"),
    ("s.replace('', s) == ''", {"s": "a" * 1000}, "the result would be 1,002,000 characters"),
    ("len(s + s) == 0", {"s": "a" * 60_000}, "the result would be 120,000 characters"),
    ("round(x, n) == 0", {"x": 5, "n": -10**6}, "round() takes a whole number of digits up to 18"),
])
def test_work_that_depends_on_the_data_is_refused_before_it_is_done(expression, data, message):
    assert expressions.problems(expression, condition=True) == []  # deploy cannot know; the data decides
    started = time.perf_counter()
    with pytest.raises(ExpressionError, match=re.escape(message)):
        expressions.evaluate_condition(expression, data)
    assert time.perf_counter() - started < 0.1


# ---------------------------------------------------------------- the attempts, at run time (SpiffWorkflow)

def deployed_camunda(alur):
    alur.deploy(CAMUNDA)
    directory.add_user(alur, "staf", ["staf"])
    directory.add_user(alur, "kasubbag", ["kasubbag"])
    view = alur.start("camunda-surat-masuk", "staf")
    view = alur.complete(view.ready_tasks[0].id, "staf", {"jumlah_berkas": 3})
    return view, view.ready_tasks[0]


def gateway_conditions(alur, view):
    with alur.sessions() as session:
        spec, _ = alur.spec(alur.version(session, session.get(Instance, view.id).version_id))
    return [condition for condition, _ in spec.task_specs["Gateway_Keputusan"].cond_task_specs if condition]


@pytest.mark.parametrize("attempt, message", [ATTEMPTS[0], ATTEMPTS[1], ATTEMPTS[3], ATTEMPTS[5]])
def test_a_tampered_stored_condition_fails_the_completion_and_changes_nothing(alur, workdir, attempt, message):
    view, review = deployed_camunda(alur)
    (condition,) = gateway_conditions(alur, view)
    condition.args = (attempt,)  # as if the stored spec had been changed behind deploy's back
    with pytest.raises(ProcessFailed) as failed:
        alur.complete(review.id, "kasubbag", {"keputusan": "setuju"})
    assert failed.value.status == 422
    assert "the process could not continue after task" in str(failed.value) and message in str(failed.value)
    assert "at 'Gateway_Keputusan'" in str(failed.value)
    after = alur.instance(view.id)
    assert (after.revision, [t.id for t in after.ready_tasks]) == (view.revision, [review.id])
    assert nothing_escaped(workdir)


@pytest.mark.parametrize("condition, data, message", [
    ("${keputusan}", {"keputusan": "setuju"}, "a condition must give True or False, not the str 'setuju'"),
    ("${nilai > 5}", {"keputusan": "setuju"}, "'nilai' is not in the task data"),
    ("${catatan.panjang == 1}", {"keputusan": "setuju", "catatan": "ok"}, "cannot take ['panjang'] of the str 'ok'"),
])
def test_a_condition_that_fails_on_the_data_fails_the_completion_cleanly(alur, tmp_path, condition, data, message):
    alur.deploy(variant(tmp_path, CAMUNDA, CAMUNDA_CONDITION, condition))
    directory.add_user(alur, "staf", ["staf"])
    directory.add_user(alur, "kasubbag", ["kasubbag"])
    view = alur.complete(alur.start("camunda-surat-masuk", "staf").ready_tasks[0].id, "staf", {"jumlah_berkas": 3})
    review = view.ready_tasks[0]
    with pytest.raises(ProcessFailed, match=re.escape(message)):
        alur.complete(review.id, "kasubbag", data)
    after = alur.instance(view.id)
    assert (after.revision, [t.id for t in after.ready_tasks]) == (view.revision, [review.id])


def test_a_condition_known_not_to_be_true_or_false_is_refused_at_deploy(alur, tmp_path):
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(variant(tmp_path, CAMUNDA, CAMUNDA_CONDITION, '${jumlah_berkas + 1}'))
    assert str(refused.value) == (
        f"camunda-surat-masuk.bpmn:{CAMUNDA_CONDITION_LINE}: error: condition '${{jumlah_berkas + 1}}': a condition "
        "must give True or False; this gives a number, string or list")


def test_a_script_that_would_leave_a_generator_in_the_task_data_is_refused(alur, tmp_path):
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(variant(tmp_path, SPIFF, SPIFF_SCRIPT, "nomor_agenda = (x for x in [1])"))
    assert str(refused.value) == (f"spiff-arena-disposisi.bpmn:{SPIFF_SCRIPT_LINE}: error: script: line 1: "
                                  "a generator expression is not allowed")
    with pytest.raises(DeployRefused, match="line 1: a set cannot be stored in the task data"):
        alur.deploy(variant(tmp_path, SPIFF, SPIFF_SCRIPT, "nomor_agenda = {1, 2}"))
    assert versions(alur) == 0


SCRIPT_AT_START = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="D" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="skrip-awal" isExecutable="true">
    <bpmn:laneSet id="LaneSet"><bpmn:lane id="Lane_Staf" name="Staf"><bpmn:flowNodeRef>Mulai</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Skrip</bpmn:flowNodeRef><bpmn:flowNodeRef>Arsip</bpmn:flowNodeRef>
      <bpmn:flowNodeRef>Selesai</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>
    <bpmn:startEvent id="Mulai" />
    <bpmn:scriptTask id="Skrip"><bpmn:script>nomor = belum_ada + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="Arsip"><bpmn:extensionElements><spiffworkflow:properties>
      <spiffworkflow:property name="formJsonSchemaFilename" value="pengarsipan.schema.json" />
      <spiffworkflow:property name="standardMinutes" value="5" />
    </spiffworkflow:properties></bpmn:extensionElements></bpmn:userTask>
    <bpmn:endEvent id="Selesai" />
    <bpmn:sequenceFlow id="F1" sourceRef="Mulai" targetRef="Skrip" />
    <bpmn:sequenceFlow id="F2" sourceRef="Skrip" targetRef="Arsip" />
    <bpmn:sequenceFlow id="F3" sourceRef="Arsip" targetRef="Selesai" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_script_failing_right_after_the_start_fails_the_start_cleanly(alur, tmp_path):
    path = tmp_path / "skrip-awal.bpmn"
    path.write_text(SCRIPT_AT_START)
    alur.deploy(path)
    directory.add_user(alur, "staf", ["staf"])
    entries = audit_entries(alur)
    with pytest.raises(ProcessFailed) as failed:
        alur.start("skrip-awal", "staf")
    assert failed.value.status == 422
    assert str(failed.value) == "script of 'Skrip': line 1: 'belum_ada' is not in the task data"
    with alur.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Instance)) == 0
    assert audit_entries(alur) == entries


def test_the_spiff_arena_script_runs_and_stores_its_value(alur):
    alur.deploy(SPIFF)
    directory.add_user(alur, "pimpinan", ["pimpinan"])
    view = alur.start("spiff-disposisi", "pimpinan")
    view = alur.complete(view.ready_tasks[0].id, "pimpinan", {"isi_disposisi": "Segera"})
    with alur.sessions() as session:
        spec, subprocess_specs = alur.spec(alur.version(session, session.get(Instance, view.id).version_id))
        workflow = state.load_state(session.get(Instance, view.id).state, spec, subprocess_specs, alur.script_engine)
    (task,) = [t for t in workflow.get_tasks() if t.task_spec.name == "Activity_Arsip"]
    assert task.data["nomor_agenda"] == "AG-6"


# --------------------------------------------------------------------------------------- the language

@pytest.mark.parametrize("expression, value", [
    ('keputusan == "kembalikan"', True),
    ("keputusan != 'kembalikan' and jumlah >= 3", False),
    ("not daftar or jumlah < 2", False),
    ("jumlah if jumlah > 10 else -jumlah", -5),
    ("jumlah * 2 + 1 - 3 / 2", 9.5),
    ("jumlah // 2, jumlah % 2, 2 ** 10, +jumlah", (2, 1, 1024, 5)),
    ("daftar[0] + daftar[-1]", 40),
    ("daftar[1:] + [4]", [20, 30, 4]),
    ("nama[:3].upper() + nama[3:]", "BUDi"),
    ("dokumen['status'] in ('lengkap', 'sah')", True),
    ("dokumen.get('nomor', 'belum') == 'belum'", True),
    ("'ud' in nama and 'x' not in nama", True),
    ("catatan is None and dokumen is not None", True),
    ("len(daftar) + sum(daftar) + min(daftar) + max(3, 4)", 77),
    ("abs(-2.5), round(2.675, 1), round(7.5), round(1234, -2)", (2.5, 2.7, 8, 1200)),
    ("int('12') + float('0.5') + int(2.9)", 14.5),
    ("str(jumlah) + str(None) + str(True)", "5NoneTrue"),
    ("bool(''), bool([0]), any([0, '', 1]), all([])", (False, True, True, True)),
    ("'  a b  '.strip().split(' ')", ["a", "b"]),
    ("nama.lower().startswith(('bu', 'x')) and nama.endswith('i')", True),
    ("'a-b-c'.replace('-', '+', 1)", "a+b-c"),
    ("{'a': [1, {2}], 'b': None}", {"a": [1, {2}], "b": None}),
    ("0 < jumlah < 10 < 9", False),
    ("${jumlah gt 4 && !(nama == 'x') || null}", True),
    ("${dokumen.status == 'lengkap'}", True),
])
def test_what_the_language_computes(expression, value):
    data = {"keputusan": "kembalikan", "jumlah": 5, "daftar": [10, 20, 30], "nama": "Budi",
            "dokumen": {"status": "lengkap"}, "catatan": None}
    assert expressions.problems(expression) == []
    assert expressions.evaluate(expression, data) == value


@pytest.mark.parametrize("expression, message", [
    ("[x for x in l]", "a list comprehension is not allowed"),
    ("(lambda: 1)()", "calling the result of an expression is not allowed"),
    ("f'{x}'", "an f-string is not allowed"),
    ("[*l]", "unpacking with '*' is not allowed"),
    ("{**d}", "unpacking with '**' is not allowed"),
    ("x.real", "attribute access '.real' is not allowed; only the methods lower, upper, strip, startswith, "
               "endswith, replace, split, get can be called"),
    ("len(x, key=1)", "a keyword argument is not allowed"),
    ("d[k]", "a subscript by anything but a constant string or integer is not allowed"),
    ("s[::2]", "a slice other than [constant:constant] is not allowed"),
    ("x is 1", "'is' except in 'is None' and 'is not None' is not allowed"),
    ("1 << 3", "the operator '<<' is not allowed"),
    ("~x", "the operator '~' is not allowed"),
    ("b'x'", "a bytes literal is not allowed"),
    ("1j", "a complex literal is not allowed"),
    ("10**18 + 1000000000000000000000", "an integer literal beyond 10**18 is not allowed"),
    ("1e999", "an infinite number is not allowed"),
    ("", "the expression is empty"),
    ("a ==", "syntax error: invalid syntax"),
    ("a\x00", "syntax error: source code string cannot contain null bytes"),
    ("${empty x}", "JUEL's 'empty' operator is not supported; compare with null or '' instead"),
    ("${a ? b : c}", "JUEL's '? :' operator is not supported; use 'a if condition else b'"),
    (" or ".join(["a"] * 201), "the expression has more than 200 parts (names, values, operations)"),
    ("1 / 0", "division by zero"),
    ("'a' + 1", "'+' cannot combine the str 'a' and the int 1"),
    ("'%s' % 1", "'%' cannot combine the str '%s' and the int 1"),
    ("[1] * 3", "'*' cannot combine the list [1] and the int 3"),
    ("(-8) ** 0.5", "the result is a complex number"),
    ("2.0 ** 2000", "the number is too large"),
    ("1e308 * 10", "the result is infinite or not a number"),
    ("float('nan')", "the result is infinite or not a number"),
    ("int('x')", "cannot be evaluated: invalid literal for int() with base 10: 'x'"),
    ("min([])", "min() of nothing"),
    ("len(1)", "len() of the int 1"),
    ("str([1])", "str() of the list [1]"),
    ("'a'.get('b')", "'.get()' needs a dict, not the str 'a'"),
    ("'a'.upper(1)", "upper() takes 0 arguments, not 1"),
    ("[1][5]", "index 5 is outside the 1 items"),
    ("{'a': 1}['b']", "there is no key 'b'"),
])
def test_what_the_language_refuses(expression, message):
    found = expressions.problems(expression)
    assert [p.message for p in found] == [message]
    assert found[0].line == 1


@pytest.mark.parametrize("expression, data, message", [
    ("x", {}, "'x' is not in the task data"),
    ("x + 1", {"x": object()}, "'x' holds a object, which expressions cannot use"),
    ("d['k'] == 1", {"d": {"k": b"x"}}, "['k'] holds a bytes, which expressions cannot use"),
    ("x < 'a'", {"x": 1}, "cannot be evaluated: '<' not supported between instances of 'int' and 'str'"),
    ("x + 1", {"x": 10**30}, "an integer beyond 10**18"),
    ("{x: 1}", {"x": [1]}, "cannot be evaluated: unhashable type: 'list'"),
])
def test_what_the_data_makes_fail(expression, data, message):
    with pytest.raises(ExpressionError) as failed:
        expressions.evaluate(expression, data)
    assert failed.value.message == message


def test_names_not_in_the_task_data_are_read_from_the_data_objects():
    assert expressions.evaluate("arsip + 1", {}, {"arsip": 1}) == 2
    assert expressions.evaluate("arsip", {"arsip": "tugas"}, {"arsip": "objek"}) == "tugas"


def test_a_condition_must_give_true_or_false():
    assert expressions.evaluate_condition("x", {"x": False}) is False
    for value, shown in [(1, "the int 1"), ("ya", "the str 'ya'"), (None, "the NoneType None")]:
        with pytest.raises(ExpressionError) as failed:
            expressions.evaluate_condition("x", {"x": value})
        assert failed.value.message == f"a condition must give True or False, not {shown}"
    assert [p.message for p in expressions.problems("'ya'", condition=True)] == [
        "a condition must give True or False; this gives a string"]
    assert [p.message for p in expressions.problems("len(x)", condition=True)] == [
        "a condition must give True or False; this gives a number"]
    assert expressions.problems("x or y", condition=True) == []  # depends on the data: checked when it runs


@pytest.mark.parametrize("condition, python", [
    ("${a == 'x' && !b}", "a == 'x' and not b"),
    ("${catatan == 'a && !b || c'}", "catatan == 'a && !b || c'"),
    ('${catatan == "dua  spasi"}', 'catatan == "dua  spasi"'),
    ("${x eq 1 || y ne 2}", "x == 1 or y != 2"),
    ("${nilai gt 5 and nilai le 10 or nilai lt 0 or nilai ge 100}", "nilai > 5 and nilai <= 10 or nilai < 0 or "
                                                                     "nilai >= 100"),
    ("${a div 2 mod 3}", "a / 2 % 3"),
    ("${flag == true && other == null || x == false}", "flag == True and other == None or x == False"),
    ("${!(a)}", "not (a)"),
    ("${a!=b}", "a!=b"),
    ("${dokumen.status == 'lengkap'}", "dokumen[\"status\"] == 'lengkap'"),
    ("${ keputusan  ==  \"kembalikan\" }", 'keputusan == "kembalikan"'),
    ('  keputusan == "kembalikan"\n', 'keputusan == "kembalikan"'),
    ("a && b", "a && b"),  # not ${...}: Python form, left for the parser to refuse
])
def test_camunda_conditions_are_translated_token_by_token(condition, python):
    assert expressions.normalize_condition(condition) == python


# ----------------------------------------------------------------------------------------- scripts

def test_a_script_assigns_line_by_line():
    data = {"dokumen": {"status": "baru", "nilai": [1, 2]}}
    original = data["dokumen"]
    expressions.run_script("a = 1\nb = a + 1\n  # komentar\n\nc = {'k': [1, 2]}\nc['k'][0] = b\n"
                           "dokumen['nilai'][-1] = 9  # akhir", data)
    assert data == {"dokumen": {"status": "baru", "nilai": [1, 9]}, "a": 1, "b": 2, "c": {"k": [2, 2]}}
    assert original == {"status": "baru", "nilai": [1, 2]}  # containers are copied, not changed in place


def test_a_failing_script_changes_nothing():
    data = {"x": {"y": 1}}
    with pytest.raises(ExpressionError) as failed:
        expressions.run_script('x["y"] = 2\nz = 1\nw = 1 / 0', data)
    assert (failed.value.message, failed.value.line) == ("line 3: division by zero", 3)
    assert data == {"x": {"y": 1}}


@pytest.mark.parametrize("script, data, message", [
    ("t = x", {"x": (1, 2)}, "line 1: a tuple cannot be stored in the task data (use a list)"),
    ("k = {1: 'a'}", {}, "line 1: a dict stored in the task data must have string keys"),
    ("k = x", {"x": float("inf")}, "line 1: an infinite number cannot be stored in the task data"),
    ("v = [s, s, s, s, s, s, s, s, s, s, s]", {"s": "x" * 100_000},
     "line 1: the value is larger than 1,000,000 characters of task data"),
    ("a = [s, s, s, s, s, s, s, s, s]\nb = [a, a]", {"s": "x" * 100_000},
     "line 2: the value is larger than 1,000,000 characters of task data"),
    ('x["a"] = 1', {"x": "teks"}, "line 1: 'x' is not a dict or list to store into"),
    ('x["a"]["b"] = 1', {"x": {}}, "line 1: there is no 'a' to store into"),
    ("x[3] = 1", {"x": [1]}, "line 1: there is no 3 to store into"),
    ("x[0] = 1", {}, "line 1: 'x' is not in the task data"),
    ('x[1] = 1', {"x": {}}, "line 1: a key of stored data must be a string, not 1"),
])
def test_what_a_script_cannot_store(script, data, message):
    before = repr(data)
    with pytest.raises(ExpressionError) as failed:
        expressions.run_script(script, data)
    assert failed.value.message == message
    assert repr(data) == before


@pytest.mark.parametrize("script, message", [
    ("a = 1; b = 2", "line 1: one assignment per line"),
    ("a = b = 1", "line 1: assigning to several targets is not allowed; a script line must be 'name = expression'"),
    ("a, b = 1, 2", "line 1: the target of '=' must be a name or a name[\"key\"]"),
    ("a.b = 1", "line 1: the target of '=' must be a name or a name[\"key\"]"),
    ("a[b] = 1", "line 1: a target can only be subscripted by a constant string or integer"),
    ("a[1:2] = [1]", "line 1: a target can only be subscripted by a constant string or integer"),
    ("x = 1\nx += 1", "line 2: the statement 'AugAssign' is not allowed; a script line must be 'name = expression'"),
    ("def f():", "line 1: the statement 'def' is not allowed; a script line must be 'name = expression'"),
    ("x = (1 +\n 2)", "line 1: syntax error: '(' was never closed"),
    ("x = 1\n" * 101, "a script has at most 100 lines"),
    ("x = 'a' * 10**6", "line 1: the result would be 1,000,000 characters or items long; at most 100,000"),
    ("x = (1, 2)", "line 1: a tuple cannot be stored in the task data (use a list)"),
    ("x = " + "1+" * 1500 + "1", "line 1: the expression is 3,005 characters long; at most 2,000 are allowed"),
])
def test_what_a_script_line_may_not_be(script, message):
    assert [p.message for p in expressions.script_problems(script)] == [message]

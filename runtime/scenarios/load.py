"""Reading a scenario file (`processes/<process-id>.test.yaml`): YAML, its JSON Schema, its process.

Every problem is reported as `file:line: error: where: what`, the line taken from
the YAML node the problem is about (PyYAML's composed nodes carry their marks), so
a designer can fix the file in an editor. A file with any problem runs no scenario.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources

import yaml
from jsonschema import Draft202012Validator

from .. import forms
from ..bpmn_check import Problem
from ..engine import role_for_lane
from ..inmemory import InMemoryProcess
from ..standard_time import MAX_STANDARD_MINUTES, parse_waktu

MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 32  # a scenario file nests 8 levels deep (data of a form a few more)
SCHEMA = json.loads(resources.files(__package__).joinpath("scenario.schema.json").read_text(encoding="utf-8"))
_validator = Draft202012Validator(SCHEMA)
# A working time as the SOP's Waktu column writes it: "2 hari", "1 jam 30 menit", "2 Hari Kerja + 5 Menit".
_UNIT = r"(?:menit|mnt|jam|hari(?:\s+kerja)?|minggu)"
_WORKING_TIME = re.compile(rf"\s*\d+(?:,\d+)?\s*{_UNIT}(?:\s*(?:\+|dan|,)?\s*\d+(?:,\d+)?\s*{_UNIT})*\s*", re.IGNORECASE)


@dataclass(frozen=True)
class TaskStep:
    """Complete user task `task` (with `data`, else data generated from its form), then check."""

    line: int
    task: str
    data: dict | None = None
    as_: str | None = None
    next: frozenset[str] | None = None
    late: frozenset[str] | None = None
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)  # line of each key given


@dataclass(frozen=True)
class AdvanceStep:
    """Move the clock by `minutes` of working time (written `text`), then check."""

    line: int
    text: str
    minutes: int
    ready: frozenset[str] | None = None
    late: frozenset[str] | None = None
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)


@dataclass
class Scenario:
    name: str
    line: int
    steps: list[TaskStep | AdvanceStep]
    perihal: str | None = None
    end: bool | None = None
    end_line: int | None = None
    standard_minutes: int | None = None
    standard_minutes_line: int | None = None


@dataclass
class ScenarioFile:
    path: str
    scenarios: list[Scenario] = field(default_factory=list)


class ScenarioFileError(ValueError):
    """A scenario file that cannot run; `problems` say where (file:line) and what."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# ------------------------------------------------------------------- YAML with lines


class _Loader(yaml.SafeLoader):
    """YAML 1.1 as PyYAML's safe loader reads it, except that dates stay text.

    A form's date field takes the text "2026-01-05", as a browser sends it; PyYAML
    would make it a date object that no JSON Schema string accepts.
    """


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"


class _TooDeep(Exception):
    def __init__(self, line: int):
        self.line = line


class _Document:
    """A YAML document as plain data, with the line of every value and every mapping key."""

    def __init__(self, text: str, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []
        self.lines: dict[tuple, int] = {}
        self.key_lines: dict[tuple, int] = {}
        self._seen: set[int] = set()
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            self.data = self._build(loader, node, ()) if node is not None else None
        except _TooDeep as exc:
            self.problem(exc.line, f"nested more than {MAX_DEPTH} levels deep")
            self.data = None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            self.problem(mark.line + 1 if mark else None, f"not valid YAML: {exc.problem or exc.context}")
            self.data = None
        except RecursionError:  # PyYAML composes nested collections recursively
            self.problem(None, f"nested more than {MAX_DEPTH} levels deep")
            self.data = None
        finally:
            loader.dispose()

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(Problem(self.filename, line, message))

    def line_of(self, path: tuple, key: bool = False) -> int | None:
        """The line of the value at `path` (of its key, with `key`), else of the nearest enclosing value."""
        if key and path in self.key_lines:
            return self.key_lines[path]
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)

    def _build(self, loader, node, path: tuple):
        line = node.start_mark.line + 1
        self.lines[path] = line
        if len(path) > MAX_DEPTH:
            raise _TooDeep(line)
        if id(node) in self._seen:
            # An alias repeats a node: refused, so that a small file cannot unfold into a huge one.
            self.problem(line, "YAML anchors and aliases (&name, *name) are not supported; write the value out")
            return None
        self._seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            if node.tag != _MAP:
                self.problem(line, f"unsupported YAML tag {node.tag}")
            result = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                    self.problem(key_line, "a key must be a plain word, such as 'task:'")
                    continue
                key = key_node.value
                if key in result:
                    self.problem(key_line, f"key '{key}' is given twice")
                self.key_lines[(*path, key)] = key_line
                result[key] = self._build(loader, value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != _SEQ:
                self.problem(line, f"unsupported YAML tag {node.tag}")
            return [self._build(loader, item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return loader.construct_object(node)
        except yaml.constructor.ConstructorError:
            self.problem(line, f"unsupported YAML tag {node.tag}")
            return None


# --------------------------------------------------------------------- the schema

_TYPE_WORDS = {"object": "a mapping (key: value)", "array": "a list", "string": "text",
               "integer": "a whole number", "boolean": "true or false"}


def _where(document: _Document, path: tuple) -> str:
    """A path in words: "scenario 'dikembalikan', step 2, next"."""
    words = []
    data = document.data
    rest = list(path)
    if len(rest) >= 2 and rest[0] == "scenarios" and isinstance(rest[1], int):
        scenario = data["scenarios"][rest[1]] if isinstance(data, dict) else None
        name = scenario.get("name") if isinstance(scenario, dict) else None
        words.append(f"scenario '{name}'" if isinstance(name, str) and name else f"scenario {rest[1] + 1}")
        rest = rest[2:]
        if len(rest) >= 2 and rest[0] == "steps" and isinstance(rest[1], int):
            words.append(f"step {rest[1] + 1}")
            rest = rest[2:]
    words += [f"[{p + 1}]" if isinstance(p, int) else str(p) for p in rest]
    return ", ".join(words) or "the file"


def _schema_message(error) -> tuple[str, bool]:
    """(message, whether it is about a key) for one jsonschema error."""
    kind, value = error.validator, error.validator_value
    if kind == "required":
        missing = [name for name in value if isinstance(error.instance, dict) and name not in error.instance]
        return f"missing '{missing[0] if missing else value[0]}'", False
    if kind == "additionalProperties":
        allowed = ", ".join(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return f"unknown key '{extra[0]}' (allowed: {allowed})", True
    if kind == "type":
        return f"must be {_TYPE_WORDS.get(value, value)}", False
    if kind == "minItems":
        return f"must list at least {value}", False
    if kind == "maxItems":
        return f"must list at most {value}", False
    if kind == "minLength":
        return "must not be empty", False
    if kind == "maxLength":
        return f"is longer than {value} characters", False
    if kind == "uniqueItems":
        return "lists a task twice", False
    if kind == "minimum":
        return f"must be {value} or more", False
    return error.message, False


def _schema_problems(document: _Document) -> None:
    for error in sorted(_validator.iter_errors(document.data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = tuple(error.absolute_path)
        message, about_key = _schema_message(error)
        if about_key:
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            line = document.line_of((*path, extra[0]), key=True)
        else:
            line = document.line_of(path)
        document.problem(line, f"{_where(document, path)}: {message}")


# ------------------------------------------------------------------ reading steps


def working_minutes(text: str) -> int | None:
    """The working minutes of an `advance:` text ("2 hari", "1 jam 30 menit"), or None if it is not one."""
    if not _WORKING_TIME.fullmatch(text or ""):
        return None
    return parse_waktu(text)


def _ids(value) -> frozenset[str] | None:
    return frozenset(value) if value is not None else None


def _scenarios(document: _Document) -> list[Scenario]:
    scenarios, names = [], {}
    for i, raw in enumerate(document.data["scenarios"]):
        path = ("scenarios", i)
        steps = []
        for j, step in enumerate(raw["steps"]):
            step_path = (*path, "steps", j)
            line = document.line_of(step_path)
            key_lines = {key: document.line_of((*step_path, key), key=True) for key in step}
            for name in step.get("data") or {}:
                key_lines[f"data.{name}"] = document.line_of((*step_path, "data", name), key=True)
            if "advance" in step:
                minutes = working_minutes(step["advance"])
                if minutes is None or not 0 < minutes <= MAX_STANDARD_MINUTES:
                    document.problem(document.line_of((*step_path, "advance")),
                                     f"{_where(document, step_path)}: advance '{step['advance']}' is not a working "
                                     f"time such as '2 hari', '3 jam' or '90 menit' (at most 250 hari)")
                    minutes = 0
                steps.append(AdvanceStep(line, step["advance"], minutes, _ids(step.get("ready")),
                                         _ids(step.get("late")), key_lines))
            else:
                steps.append(TaskStep(line, step["task"], step.get("data"), step.get("as"), _ids(step.get("next")),
                                      _ids(step.get("late")), key_lines))
        scenario = Scenario(
            name=raw["name"], line=document.line_of((*path, "name")), steps=steps, perihal=raw.get("perihal"),
            end=raw.get("end"), end_line=document.line_of((*path, "end")),
            standard_minutes=raw.get("standard_minutes"),
            standard_minutes_line=document.line_of((*path, "standard_minutes")),
        )
        if scenario.name in names:
            document.problem(scenario.line, f"scenario '{scenario.name}' is named twice (first on line "
                                            f"{names[scenario.name]}); give each scenario its own name")
        names.setdefault(scenario.name, scenario.line)
        scenarios.append(scenario)
    return scenarios


def _parse(text: str, filename: str) -> tuple[ScenarioFile | None, list[Problem]]:
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        return None, [Problem(filename, None, f"larger than {MAX_FILE_BYTES // 1024} KiB")]
    document = _Document(text, filename)
    if not document.problems:
        _schema_problems(document)
    if document.problems:
        return None, document.problems
    return ScenarioFile(filename, _scenarios(document)), document.problems


def _raise_if_any(problems: list[Problem]) -> None:
    if problems:
        raise ScenarioFileError(sorted(problems, key=lambda p: p.line or 0))


def parse(text: str, filename: str) -> ScenarioFile:
    """A scenario file's scenarios, checked against the scenario schema; raises ScenarioFileError."""
    scenario_file, problems = _parse(text, filename)
    _raise_if_any(problems)
    return scenario_file


# ------------------------------------------------------------ against the process


def process_problems(scenario_file: ScenarioFile, process: InMemoryProcess) -> list[Problem]:
    """What in the scenarios does not fit the process: unknown tasks, lanes or roles, data its form refuses."""
    problems = []
    user_tasks = sorted(process.tasks)
    lanes = {t.lane for t in process.tasks.values() if t.lane}
    performers = lanes | {role_for_lane(lane) for lane in lanes}

    def problem(line, where, message):
        problems.append(Problem(scenario_file.path, line, f"{where}: {message}"))

    def check_ids(step, where, key, ids):
        for task_id in sorted(ids or ()):
            if task_id not in process.tasks:
                problem(step.key_lines.get(key, step.line), where, f"{key}: '{task_id}' is not a user task of {process.process_id} "
                                     f"(its user tasks: {', '.join(user_tasks)})")

    for scenario in scenario_file.scenarios:
        for number, step in enumerate(scenario.steps, 1):
            where = f"scenario '{scenario.name}', step {number}"
            if isinstance(step, AdvanceStep):
                check_ids(step, where, "ready", step.ready)
                check_ids(step, where, "late", step.late)
                continue
            check_ids(step, where, "task", {step.task})
            check_ids(step, where, "next", step.next)
            check_ids(step, where, "late", step.late)
            if step.as_ is not None and step.as_ not in performers:
                known = ", ".join(f"{lane} ({role_for_lane(lane)})" for lane in sorted(lanes))
                problem(step.key_lines.get("as", step.line), where, f"as: '{step.as_}' is neither a lane of {process.process_id} nor the "
                                          f"role of one (lanes and their roles: {known})")
            if step.data is not None and step.task in process.tasks:
                try:
                    forms.validate(process.form(step.task), step.data)
                except forms.FormDataInvalid as exc:
                    form_name = process.tasks[step.task].form
                    for name, message in exc.errors.items():
                        line = step.key_lines.get(f"data.{name.split('.')[0]}") or step.key_lines.get("data")
                        problem(line or step.line, where, f"{step.task}: data refused by its form {form_name}: "
                                                  f"{name}: {message}")
    return problems


def load(text: str, filename: str, process: InMemoryProcess) -> ScenarioFile:
    """Parse a scenario file and check it against its process; raises ScenarioFileError."""
    scenario_file, problems = _parse(text, filename)
    if scenario_file is not None:
        problems = problems + process_problems(scenario_file, process)
    _raise_if_any(problems)
    return scenario_file

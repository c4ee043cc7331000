"""Running a scenario through the engine, in memory, with a clock the scenario moves.

How a scenario walks (what `alur test`, the pytest plugin and deploy all do):

- A new instance starts at the clock's start, Monday 5 January 2026 08:00 in the
  calendar's time zone (the opening of a working day). The clock moves only on an
  `advance:` step; completing a task takes no time.
- A user task's due time is the moment it became ready plus its standard minutes of
  working time (WorkingCalendar, as the inbox computes it); it is late when the clock
  is past that moment (at the moment itself it is not late yet).
- `task: X` completes the ready tasks other than X, each with data generated from its
  form (a review approves), oldest ready first (tasks that became ready in the same
  step by BPMN id), until X is ready; then it checks `as`, completes X with `data`
  (validated against X's form; without `data`, generated data), and checks `next`
  (the exact set of user tasks ready right after) and `late`. If X is ready more than
  once (parallel branches), the oldest is taken. X that never becomes ready fails:
  "Step_05: never became ready; the instance ended".
- `advance: 2 hari` moves the clock by working time, then checks `ready` and `late`.
- After the listed steps: `end: true` completes the remaining tasks the same way and
  checks that the instance ended; `end: false` checks that it has not ended. Then
  `standard_minutes` is compared with the sum of the standards of every step taken.
- The first check that fails ends the scenario: "Step_05: next [Step_04] expected,
  got [Step_06]".

Every completion goes through InMemoryInstance: form validation, the restricted
script engine and a state round trip, as the engine does.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from .. import forms
from ..engine import role_for_lane
from ..inmemory import InMemoryProcess, ReadyTask
from ..standard_time import WorkingCalendar
from .load import AdvanceStep, Scenario, ScenarioFile, TaskStep

START = datetime(2026, 1, 5, 8, 0)  # a Monday, 08:00: the opening of a working day


@dataclass
class ScenarioResult:
    """The outcome of one scenario: ok, or the first failed check and the line it is about."""

    file: str
    name: str
    line: int
    perihal: str | None = None
    failure: str | None = None
    failure_line: int | None = None
    steps: list[str] = field(default_factory=list)  # user tasks completed, a review with its decision
    standard_minutes: int = 0
    flows: set[str] = field(default_factory=set)  # sequence flows the instance went through
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.failure is None

    def message(self) -> str:
        """`file:line: scenario 'name': what failed` (empty when it passed)."""
        if self.ok:
            return ""
        return f"{self.file}:{self.failure_line or self.line}: scenario '{self.name}': {self.failure}"

    def to_dict(self) -> dict:
        return {"name": self.name, "line": self.line, "perihal": self.perihal, "ok": self.ok,
                "failure": self.failure, "failure_line": self.failure_line, "steps": self.steps,
                "standard_minutes": self.standard_minutes, "seconds": round(self.seconds, 3)}


class _Failed(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.line = line


def _listed(ids) -> str:
    return "[" + ", ".join(sorted(ids)) + "]"


class _Walk:
    """One instance on its way through a scenario."""

    def __init__(self, process: InMemoryProcess, calendar: WorkingCalendar):
        self.process = process
        self.calendar = calendar
        self.clock = START.replace(tzinfo=calendar.zone)
        self.instance = process.start()
        self.order: dict[str, int] = {}
        self.ready_at: dict[str, datetime] = {}
        self.steps: list[str] = []
        self.minutes = 0
        self._note_ready()

    def _note_ready(self) -> None:
        for task in sorted(self.instance.ready(), key=lambda t: t.task_id):
            if task.uuid not in self.order:
                self.order[task.uuid] = len(self.order)
                self.ready_at[task.uuid] = self.clock

    def ready(self) -> list[ReadyTask]:
        return sorted(self.instance.ready(), key=lambda t: self.order[t.uuid])

    def ready_ids(self) -> set[str]:
        return {t.task_id for t in self.ready()}

    def late_ids(self) -> set[str]:
        late = set()
        for task in self.ready():
            info = self.process.tasks.get(task.task_id)
            if info is not None and info.standard_minutes is not None:
                due = self.calendar.add_working_minutes(self.ready_at[task.uuid], info.standard_minutes)
                if due < self.clock:
                    late.add(task.task_id)
        return late

    def complete(self, task: ReadyTask, data: dict, line: int | None) -> None:
        try:
            self.instance.complete(task, data)
        except forms.FormDataInvalid as exc:
            raise _Failed(f"{task.task_id}: data refused by its form: {exc}", line) from exc
        except Exception as exc:  # the model's condition or script failed, as a completion would fail
            raise _Failed(f"{task.task_id}: the process could not continue: {type(exc).__name__}: {exc}",
                          line) from exc
        decision = data.get("keputusan") if self.process.is_review(task.task_id) else None
        self.steps.append(f"{task.task_id}:{decision}" if decision else task.task_id)
        self.minutes += self.process.standard_minutes(task.task_id)
        self._note_ready()

    def fill(self, task: ReadyTask, line: int | None) -> None:
        self.complete(task, self.process.sample_data(task.task_id, "setuju"), line)

    def walk_to(self, task_id: str, line: int) -> ReadyTask:
        for _ in range(self.process.step_limit):
            ready = self.ready()
            for task in ready:
                if task.task_id == task_id:
                    return task
            if not ready:
                raise _Failed(f"{task_id}: never became ready; " + self._why_nothing_is_ready(), line)
            self.fill(ready[0], line)
        raise _Failed(f"{task_id}: never became ready in {self.process.step_limit} steps; "
                      f"ready were {_listed(self.ready_ids())}", line)

    def run_to_end(self, line: int | None) -> None:
        for _ in range(self.process.step_limit):
            ready = self.ready()
            if not ready:
                break
            self.fill(ready[0], line)
        if not self.instance.ended:
            ready = self.ready_ids()
            raise _Failed("end: true expected, but the instance did not end; "
                          + (f"ready were {_listed(ready)} after {self.process.step_limit} more steps" if ready
                             else self._why_nothing_is_ready()), line)

    def _why_nothing_is_ready(self) -> str:
        return "the instance ended" if self.instance.ended else "the instance waits with no ready user task"


def _check_set(what: str, key: str, expected, actual: set[str], line: int | None) -> None:
    if expected is not None and set(expected) != actual:
        raise _Failed(f"{what}: {key} {_listed(expected)} expected, got {_listed(actual)}", line)


def _task_step(walk: _Walk, step: TaskStep) -> None:
    task = walk.walk_to(step.task, step.line)
    if step.as_ is not None:
        lane = walk.process.tasks[step.task].lane or ""
        if step.as_ not in (lane, role_for_lane(lane)):
            raise _Failed(f"{step.task}: as '{step.as_}' expected, but it is done by lane '{lane}' "
                          f"(role '{role_for_lane(lane)}')", step.key_lines.get("as", step.line))
    data = step.data if step.data is not None else walk.process.sample_data(step.task, "setuju")
    walk.complete(task, data, step.key_lines.get("data", step.line))
    _check_set(step.task, "next", step.next, walk.ready_ids(), step.key_lines.get("next", step.line))
    _check_set(step.task, "late", step.late, walk.late_ids(), step.key_lines.get("late", step.line))


def _advance_step(walk: _Walk, step: AdvanceStep) -> None:
    walk.clock = walk.calendar.add_working_minutes(walk.clock, step.minutes)
    what = f"advance {step.text}"
    _check_set(what, "ready", step.ready, walk.ready_ids(), step.key_lines.get("ready", step.line))
    _check_set(what, "late", step.late, walk.late_ids(), step.key_lines.get("late", step.line))


def run_scenario(process: InMemoryProcess, scenario: Scenario, filename: str,
                 calendar: WorkingCalendar | None = None) -> ScenarioResult:
    """Run one scenario on a new in-memory instance of `process` (see the module docstring)."""
    started = time.perf_counter()
    result = ScenarioResult(filename, scenario.name, scenario.line, scenario.perihal)
    walk = None
    try:
        walk = _Walk(process, calendar or WorkingCalendar())
        for step in scenario.steps:
            if isinstance(step, TaskStep):
                _task_step(walk, step)
            else:
                _advance_step(walk, step)
        if scenario.end is True:
            walk.run_to_end(scenario.end_line)
        elif scenario.end is False and walk.instance.ended:
            raise _Failed("end: false expected, but the instance ended", scenario.end_line)
        if scenario.standard_minutes is not None and walk.minutes != scenario.standard_minutes:
            raise _Failed(f"standard_minutes {scenario.standard_minutes} expected, got {walk.minutes}",
                          scenario.standard_minutes_line)
    except _Failed as failure:
        result.failure, result.failure_line = str(failure), failure.line
    except Exception as exc:  # the engine broke: reported as this scenario's failure, not raised
        result.failure, result.failure_line = f"the engine failed: {type(exc).__name__}: {exc}", scenario.line
    if walk is not None:
        result.steps, result.standard_minutes = walk.steps, walk.minutes
        result.flows = walk.instance.flows_taken()
    result.seconds = time.perf_counter() - started
    return result


def run_file(process: InMemoryProcess, scenario_file: ScenarioFile,
             calendar: WorkingCalendar | None = None) -> list[ScenarioResult]:
    """Run every scenario of a file, each on its own instance."""
    return [run_scenario(process, s, scenario_file.path, calendar) for s in scenario_file.scenarios]

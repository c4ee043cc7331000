"""Full-path simulation: drive every path of a process through the engine.

Paths: the happy path (every review approves), for each review and each
k in 1..K a path on which that review returns the document k times and every
other review approves, and the longest path, on which every review returns K
times. Together they take every gateway branch and every return loop up to K
times. Each path runs in memory as the engine runs it (runtime/inmemory.py): SpiffWorkflow
with Alur's restricted script engine, form data a user would enter (validated against
the task's form), and a serialize/restore round trip after every step.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .bpmn_check import CheckedFile, check_bytes, check_file
from .inmemory import InMemoryProcess
from .settings import Settings


@dataclass
class PathResult:
    label: str
    reached_end: bool
    steps: list[str]
    standard_minutes: int
    error: str | None = None


@dataclass
class SimulationReport:
    process_id: str
    file: str
    max_returns: int
    user_tasks: int
    reviews: int
    paths: int
    flows_total: int
    flows_covered: int
    uncovered_flows: list[str]
    happy_path_minutes: int
    longest_path_minutes: int
    longest_path_steps: int
    problems: list[str] = field(default_factory=list)
    path_results: list[PathResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return (
            not self.problems
            and not self.uncovered_flows
            and all(p.reached_end and p.error is None for p in self.path_results)
        )

    def to_dict(self) -> dict:
        data = asdict(self)
        data["ok"] = self.ok
        data["path_results"] = [
            {"label": p.label, "reached_end": p.reached_end, "steps": len(p.steps),
             "standard_minutes": p.standard_minutes, "error": p.error}
            for p in self.path_results
        ]
        return data

    def summary(self) -> str:
        lines = [
            f"{self.process_id} ({self.file})",
            f"  paths: {self.paths}, sequence flows covered: {self.flows_covered}/{self.flows_total}, "
            f"user tasks: {self.user_tasks}, reviews: {self.reviews}",
            f"  standard time: happy path {self.happy_path_minutes} min, "
            f"longest path {self.longest_path_minutes} min ({self.longest_path_steps} steps)",
        ]
        lines += [f"  uncovered flow: {f}" for f in self.uncovered_flows]
        lines += [f"  problem: {p}" for p in self.problems]
        lines += [f"  path '{p.label}' failed: {p.error or 'did not reach the end'}"
                  for p in self.path_results if p.error or not p.reached_end]
        lines.append("  OK" if self.ok else "  FAILED")
        return "\n".join(lines)


def _run_path(process: InMemoryProcess, label: str, decide) -> tuple[PathResult, set[str]]:
    """Run one path; `decide(task_id, visit)` returns "setuju" or "kembalikan" for a review."""
    steps: list[str] = []
    minutes = 0
    visits: Counter[str] = Counter()
    instance = None
    try:
        instance = process.start()
        for _ in range(process.step_limit):
            ready = instance.ready()
            if not ready:
                break
            task = ready[0]
            name = task.task_id
            visits[name] += 1
            decision = decide(name, visits[name]) if name in process.reviews else None
            instance.complete(task, process.sample_data(name, decision))
            steps.append(name if decision is None else f"{name}:{decision}")
            minutes += process.standard_minutes(name)
        done = instance.ended
        result = PathResult(label, done, steps, minutes,
                            None if done else f"stopped after {len(steps)} steps without reaching the end")
    except Exception as exc:  # a path that breaks is reported, not raised
        result = PathResult(label, False, steps, minutes, f"{type(exc).__name__}: {exc}")
    return result, instance.flows_taken() if instance is not None else set()


def simulate(checked: CheckedFile, max_returns: int = 1) -> SimulationReport:
    """Simulate every path of a checked process (see module docstring)."""
    problems = [str(p) for p in checked.problems if p.severity == "error"]
    if problems:
        return SimulationReport(checked.process_id or "?", checked.path, max_returns, 0, 0, 0, 0, 0, [], 0, 0, 0,
                                problems)
    for task in checked.user_tasks:
        if task.lane is None:
            problems.append(f"user task {task.id} has no lane")
        if task.form is None:
            problems.append(f"user task {task.id} has no form")
        if task.standard_minutes is None:
            problems.append(f"user task {task.id} has no standard time")
    process = InMemoryProcess(checked)
    plans = [("happy path", lambda name, visit: "setuju")]
    for review in process.reviews:
        for k in range(1, max_returns + 1):
            plans.append((f"{review} returns {k}x",
                          lambda name, visit, r=review, k=k: "kembalikan" if name == r and visit <= k else "setuju"))
    if process.reviews and max_returns > 0:
        plans.append((f"every review returns {max_returns}x",
                      lambda name, visit: "kembalikan" if visit <= max_returns else "setuju"))
    results, covered = [], set()
    for label, decide in plans:
        result, flows = _run_path(process, label, decide)
        results.append(result)
        covered |= flows
    all_flows = set(process.flows.values())
    longest = max(results, key=lambda r: r.standard_minutes)
    return SimulationReport(
        process_id=checked.process_id,
        file=checked.path,
        max_returns=max_returns,
        user_tasks=len(checked.user_tasks),
        reviews=len(process.reviews),
        paths=len(results),
        flows_total=len(all_flows),
        flows_covered=len(covered & all_flows),
        uncovered_flows=sorted(all_flows - covered),
        happy_path_minutes=results[0].standard_minutes,
        longest_path_minutes=longest.standard_minutes,
        longest_path_steps=len(longest.steps),
        problems=problems,
        path_results=results,
    )


def simulate_target(target: str, settings: Settings, max_returns: int = 1, org: str | None = None) -> SimulationReport:
    """Simulate a BPMN file, or a process id: its newest deployed version (of organisation `org`, or of
    the one organisation that has deployed that id), else processes/<id>.bpmn."""
    path = Path(target)
    if path.suffix == ".bpmn" or path.exists():
        return simulate(check_file(path, settings.forms_dir), max_returns)
    from . import directory
    from .engine import Alur, newest_version

    alur = Alur(settings)
    try:
        if org is not None or directory.organisations_with_process(alur, target):
            org = directory.process_organisation(alur, target, org)
        with alur.sessions() as session:
            version = newest_version(session, org, target) if org is not None else None
            if version is not None:
                checked = check_bytes(version.bpmn_xml.encode("utf-8"), f"{target} v{version.version}", version.forms,
                                      version.process_id, alur.called_processes(org))
                return simulate(checked, max_returns)
    finally:
        alur.close()
    return simulate(check_file(settings.processes_dir / f"{target}.bpmn", settings.forms_dir), max_returns)

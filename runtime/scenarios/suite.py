"""The scenarios of a process run against its BPMN: what `alur test`, pytest and deploy call.

A scenario file `<process-id>.test.yaml` sits beside `<process-id>.bpmn`. `alur test`
takes process ids (looked up in processes/), scenario files or BPMN files, or with
no argument every processes/*.test.yaml.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..bpmn_check import CheckedFile, Problem, check_file
from ..inmemory import InMemoryProcess
from ..simulate import simulate
from ..standard_time import WorkingCalendar
from .coverage import Coverage, coverage_of
from .load import ScenarioFileError, load
from .run import ScenarioResult, run_file

SUFFIX = ".test.yaml"


@dataclass
class ProcessReport:
    """One scenario file run against one BPMN: its problems (then nothing ran), results and coverage."""

    scenario_file: str
    bpmn_file: str
    process_id: str | None = None
    problems: list[Problem] = field(default_factory=list)
    results: list[ScenarioResult] = field(default_factory=list)
    coverage: Coverage | None = None
    bpmn_text: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems and all(r.ok for r in self.results)

    @property
    def failed(self) -> list[ScenarioResult]:
        return [r for r in self.results if not r.ok]

    def messages(self) -> list[str]:
        """Every problem and failure, one `file:line: ...` line each."""
        return [str(p) for p in self.problems] + [r.message() for r in self.failed]

    def summary(self) -> str:
        passed = len(self.results) - len(self.failed)
        lines = [f"{self.scenario_file} ({self.process_id or '?'}): {len(self.results)} scenarios, "
                 f"{passed} passed, {len(self.failed)} failed"]
        lines += [f"  {p}" for p in self.problems]
        for result in self.results:
            lines.append(f"  {'ok  ' if result.ok else 'FAIL'} {result.name} ({result.standard_minutes} min)")
            if not result.ok:
                lines.append(f"       {result.message()}")
        if self.coverage is not None:
            lines.append(f"  {self.coverage.summary_line()}")
        lines.append("  OK" if self.ok else "  FAILED")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {"scenario_file": self.scenario_file, "bpmn_file": self.bpmn_file, "process_id": self.process_id,
                "ok": self.ok, "problems": [str(p) for p in self.problems],
                "scenarios": [r.to_dict() for r in self.results],
                "coverage": self.coverage.to_dict() if self.coverage is not None else None}


def run_checked(checked: CheckedFile, scenario_text: str, scenario_name: str,
                calendar: WorkingCalendar | None = None, with_simulation: bool = True) -> ProcessReport:
    """Run the scenarios `scenario_text` (named `scenario_name` in messages) against a checked BPMN.

    With `with_simulation`, the coverage also shows what `alur simulate` (one return per
    review) covers.
    """
    report = ProcessReport(scenario_name, checked.path, checked.process_id, bpmn_text=checked.bpmn_text)
    if not checked.ok:
        report.problems = [p for p in checked.problems if p.severity == "error"]
        return report
    process = InMemoryProcess(checked)
    try:
        scenario_file = load(scenario_text, scenario_name, process)
    except ScenarioFileError as exc:
        report.problems = exc.problems
        return report
    report.results = run_file(process, scenario_file, calendar)
    report.coverage = coverage_of(process, report.results, simulate(checked) if with_simulation else None)
    return report


def scenario_path_of(bpmn_path: Path, process_id: str | None) -> Path:
    """Where the scenarios of a BPMN file are: `<process-id>.test.yaml` beside it."""
    return bpmn_path.with_name(f"{process_id or bpmn_path.stem}{SUFFIX}")


def shown(path: Path) -> Path:
    """A path as a person would type it: relative to the current folder when it lies below it."""
    try:
        return Path(path).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return Path(path)


def run_target(target: str, processes_dir: Path, forms_dir: Path,
               calendar: WorkingCalendar | None = None) -> ProcessReport:
    """Run one target of `alur test`: a process id (in `processes_dir`), a scenario file or a BPMN file."""
    if target.endswith(SUFFIX):
        scenario_path = Path(target)
        bpmn_path = scenario_path.with_name(scenario_path.name[: -len(SUFFIX)] + ".bpmn")
    elif target.endswith(".bpmn"):
        bpmn_path = Path(target)
        scenario_path = None
    else:
        scenario_path, bpmn_path = processes_dir / f"{target}{SUFFIX}", processes_dir / f"{target}.bpmn"
    bpmn_path = shown(bpmn_path)
    scenario_path = shown(scenario_path) if scenario_path is not None else None
    checked = check_file(bpmn_path, forms_dir)
    if scenario_path is None:
        scenario_path = scenario_path_of(bpmn_path, checked.process_id)
    try:
        text = scenario_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        bpmn_problems = [p for p in checked.problems if p.severity == "error"]
        return ProcessReport(str(scenario_path), str(bpmn_path), checked.process_id, [
            *bpmn_problems, Problem(str(scenario_path), None, f"cannot read the scenario file: {why}")])
    return run_checked(checked, text, str(scenario_path), calendar)


def default_targets(processes_dir: Path) -> list[str]:
    """Every scenario file of the processes folder."""
    return [str(p) for p in sorted(processes_dir.glob(f"*{SUFFIX}"))]

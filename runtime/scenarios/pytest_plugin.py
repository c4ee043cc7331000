"""The pytest plugin of Alur: every `processes/**/*.test.yaml` is collected, each scenario a test item.

Shipped with Alur and registered by its `pytest11` entry point, so `python -m pytest`
in a project with Alur installed shows each scenario as `processes/X.test.yaml::name`.
This is pytest's documented pattern for non-Python test files (pytest_collect_file
with a pytest.File and a pytest.Item that says how it failed).

The forms are `$ALUR_FORMS_DIR`, else the `forms/` folder beside `processes/`, else
the forms shipped with Alur.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

# Alur's engine is imported only when a scenario file is collected: the plugin loads in every
# pytest run of an environment Alur is installed in.
SUFFIX = ".test.yaml"
PROCESSES_FOLDER = "processes"


def pytest_collect_file(parent, file_path: Path):
    """Collect scenario files that lie in a `processes/` folder (at any depth)."""
    if file_path.name.endswith(SUFFIX) and PROCESSES_FOLDER in file_path.parent.parts:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def _forms_dir(scenario_path: Path) -> Path:
    from ..settings import default_forms_dir

    if os.environ.get("ALUR_FORMS_DIR"):
        return Path(os.environ["ALUR_FORMS_DIR"])
    folder = scenario_path.parent
    while folder.name != PROCESSES_FOLDER and folder != folder.parent:
        folder = folder.parent
    beside = folder.parent / "forms"
    return beside if beside.is_dir() else default_forms_dir()


class ScenarioFileProblem(Exception):
    """The scenario file or its BPMN cannot run; the message lists file:line problems."""


class ScenarioFailed(Exception):
    def __init__(self, result):
        super().__init__(result.message())
        self.result = result


class ScenarioFile(pytest.File):
    def collect(self):
        from ..bpmn_check import check_file
        from ..inmemory import InMemoryProcess
        from .load import ScenarioFileError, load

        name = self._display_path()
        bpmn_path = self.path.with_name(self.path.name[: -len(SUFFIX)] + ".bpmn")
        checked = check_file(bpmn_path, _forms_dir(self.path))
        if not checked.ok:
            problems = [str(p) for p in checked.problems if p.severity == "error"]
            yield ProblemItem.from_parent(self, name="(scenario file)", problems=problems)
            return
        process = InMemoryProcess(checked)
        try:
            scenario_file = load(self.path.read_text(encoding="utf-8"), name, process)
        except (ScenarioFileError, OSError, UnicodeDecodeError) as exc:
            problems = [str(p) for p in exc.problems] if isinstance(exc, ScenarioFileError) else [f"{name}: {exc}"]
            yield ProblemItem.from_parent(self, name="(scenario file)", problems=problems)
            return
        for scenario in scenario_file.scenarios:
            yield ScenarioItem.from_parent(self, name=scenario.name, process=process, scenario=scenario,
                                           filename=name)

    def _display_path(self) -> str:
        try:
            return str(self.path.relative_to(self.config.rootpath))
        except ValueError:
            return str(self.path)


class ScenarioItem(pytest.Item):
    """One scenario of a scenario file, run on its own in-memory instance."""

    def __init__(self, *, process, scenario, filename, **kwargs):
        super().__init__(**kwargs)
        self.process, self.scenario, self.filename = process, scenario, filename

    def runtest(self):
        from .run import run_scenario

        result = run_scenario(self.process, self.scenario, self.filename)
        if not result.ok:
            raise ScenarioFailed(result)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            result = excinfo.value.result
            return f"{result.message()}\nsteps taken: {' '.join(result.steps) or '-'}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, self.scenario.line - 1, f"scenario: {self.scenario.name}"


class ProblemItem(pytest.Item):
    """Stands for a scenario file that cannot run, so the run goes on and shows why."""

    def __init__(self, *, problems, **kwargs):
        super().__init__(**kwargs)
        self.problems = problems

    def runtest(self):
        raise ScenarioFileProblem("\n".join(self.problems))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFileProblem):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, 0, "scenario file"

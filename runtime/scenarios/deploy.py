"""Scenarios before deploy: a version whose scenarios fail is refused, unless the deploy is forced.

Which scenarios a version is tested with, first found:
1. the scenario file that comes with it (`alur deploy X.bpmn` takes `<process-id>.test.yaml`
   beside the file; the upload page takes it as an optional second file);
2. the scenarios the process's last deploy was tested with (kept in scenario_runs), if the
   process belongs to the deploying organisation;
3. `<process-id>.test.yaml` of the processes folder (the SOPs shipped with Alur).
A version without any scenarios deploys as before. Scenarios are not part of the version's
content: see models.ScenarioRun.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..bpmn_check import Problem, check_bytes
from ..access import Actor
from ..engine import deployer, newest_version
from ..errors import AlurError, DeployRefused
from ..models import DEFAULT_ORG
from .runs import ScenarioSource, newest_run, record_run
from .suite import SUFFIX, ProcessReport, run_checked


class ScenariosFailed(AlurError):
    """The version's scenarios failed (or could not run) and the deploy was not forced; nothing was stored."""

    status = 422

    def __init__(self, report: ProcessReport):
        self.report = report
        ran = len(report.results)
        what = (f"{len(report.failed)} of {ran} scenarios failed" if not report.problems
                else "the scenario file cannot run")
        super().__init__(f"{report.bpmn_file}: not deployed: {what} ({report.scenario_file})")


@dataclass
class DeployCheck:
    """The scenarios a version passed (or failed and was forced through) before it is stored."""

    user: str
    source: ScenarioSource | None = None
    report: ProcessReport | None = None

    @property
    def forced(self) -> bool:
        return self.report is not None and not self.report.ok

    def record(self, session, version) -> None:
        """Keep the run with `version`, in the deploy's transaction (nothing when no scenarios ran)."""
        if self.report is not None:
            record_run(session, version, self.source, self.report, self.user, self.forced)


def _beside(folder: Path, process_id: str) -> ScenarioSource | None:
    path = Path(folder) / f"{process_id}{SUFFIX}"
    if not path.is_file():
        return None
    try:
        return ScenarioSource(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise DeployRefused([Problem(str(path), None, f"cannot read the scenario file: {why}")]) from exc


def scenarios_for(alur, process_id: str, org: str, given: ScenarioSource | None,
                  folder: Path | None = None) -> ScenarioSource | None:
    """The scenarios a new version of `process_id` (deployed into `org`) is tested with; see the module.

    `folder` is where the BPMN file lies: `<process-id>.test.yaml` there comes with it.
    """
    if given is None and folder is not None:
        given = _beside(folder, process_id)
    if given is not None:
        return given
    with alur.sessions() as session:
        run = newest_run(session, org, process_id) if newest_version(session, org, process_id) else None
        if run is not None:
            return ScenarioSource(run.scenarios_text, run.source_name)
    shipped = alur.settings.processes_dir / f"{process_id}{SUFFIX}"
    if shipped.is_file():
        return ScenarioSource(shipped.read_text(encoding="utf-8"), f"processes/{shipped.name}")
    return None


def before_deploy(alur, content: bytes, filename: str, scenarios: ScenarioSource | None = None,
                  forms_dir=None, user: str = "system", org: str | None = None, force: bool = False,
                  folder: Path | None = None, process_id: str | None = None) -> DeployCheck:
    """Check a BPMN and run its scenarios, as a deploy does before storing anything.

    `scenarios` came with the file (an upload's second file); `folder` is where the file
    lies (`alur deploy`), to find its `<process-id>.test.yaml`; `process_id` picks one of
    several executable processes of the file.
    Raises DeployRefused when the BPMN fails its checks, ScenariosFailed (with the report)
    when a scenario fails and `force` is not set. Returns what to record with the version.
    """
    checked = check_bytes(content, filename, forms_dir or alur.settings.forms_dir, process_id,
                          alur.called_processes(org))
    if not checked.ok:
        raise DeployRefused(checked.problems)
    source = scenarios_for(alur, checked.process_id, org or checked.org or DEFAULT_ORG, scenarios, folder)
    if source is None:
        return DeployCheck(user)
    report = run_checked(checked, source.text, source.name, alur.settings.calendar)
    if not report.ok and not force:
        raise ScenariosFailed(report)
    return DeployCheck(user, source, report)


def deploy_with_scenarios(alur, content: bytes, filename: str, scenarios: ScenarioSource | None = None,
                          forms_dir=None, user: str | Actor = "system", org: str | None = None,
                          force: bool = False, folder: Path | None = None,
                          process_id: str | None = None) -> tuple[object, DeployCheck]:
    """Deploy BPMN `content` after its scenarios pass (or with `force`), keeping their run with the version.

    `user` is an actor (refused before anything runs unless access.may_deploy in `org`, default
    theirs) or the name the audit log gives the system's caller.
    Raises what `before_deploy` and the engine's deploy raise; nothing is stored then.
    Returns the engine's DeployResult and the check (its report, whether it was forced).
    """
    if isinstance(user, Actor):
        user, org = deployer(user, org), org or user.org
    check = before_deploy(alur, content, filename, scenarios, forms_dir, user, org, force, folder, process_id)
    result = alur.deploy_bytes(content, filename, forms_dir, user=user, org=org, on_stored=check.record,
                               process_id=process_id)
    return result, check


def deploy_file(alur, path: Path, forms_dir=None, user: str = "system", org: str | None = None,
                force: bool = False, process_id: str | None = None) -> tuple[object, DeployCheck]:
    """`alur deploy FILE.bpmn`: the file with the `<process-id>.test.yaml` beside it; see deploy_with_scenarios."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise DeployRefused([Problem(str(path), None, f"cannot read: {exc.strerror}")]) from exc
    return deploy_with_scenarios(alur, content, path.name, None, forms_dir, user, org, force, path.parent,
                                 process_id)

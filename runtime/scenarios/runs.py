"""Scenario runs kept with the versions they tested (table scenario_runs), and the override in the audit log.

A deploy runs the version's scenarios before storing it (runtime/scenarios/deploy.py);
its run is written in the deploy's own transaction, so a version and the result of its
scenarios, and a forced deploy and its audit entry, are stored together or not at all.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import access
from ..access import SYSTEM, Actor
from ..engine import audit_values
from ..models import AuditEntry, ProcessVersion, ScenarioRun
from .suite import ProcessReport

OVERRIDE_ACTION = "deploy-override"


@dataclass(frozen=True)
class ScenarioSource:
    """The text of a scenario file and the name it is reported under."""

    text: str
    name: str


def record_run(session, version: ProcessVersion, source: ScenarioSource, report: ProcessReport, user: str,
               forced: bool) -> ScenarioRun:
    """Add the run of `source` against `version` to `session`; a forced deploy also gets its audit entry."""
    failed = len(report.failed) + (1 if report.problems else 0)
    run = ScenarioRun(version_id=version.id, process_id=version.process_id, source_name=source.name,
                      scenarios_text=source.text, passed=len(report.results) - len(report.failed), failed=failed,
                      forced=forced, report=report.to_dict(), ran_by=user)
    session.add(run)
    if forced:
        session.add(AuditEntry(**audit_values(user, OVERRIDE_ACTION, version=version, data={
            "scenario_file": source.name, "failed": failed, "failures": report.messages()})))
    return run


def newest_run(session, org: str, process_id: str) -> ScenarioRun | None:
    """The last scenario run of process `process_id` of organisation `org` (of any of its versions), or None."""
    return session.scalars(select(ScenarioRun).join(ProcessVersion, ScenarioRun.version_id == ProcessVersion.id)
                           .where(ProcessVersion.org == org, ScenarioRun.process_id == process_id)
                           .order_by(ScenarioRun.id.desc()).limit(1)).first()


def _summary(run: ScenarioRun, number: int) -> dict:
    return {"version": number, "passed": run.passed, "failed": run.failed, "forced": run.forced,
            "source": run.source_name, "ran_by": run.ran_by, "ran_at": run.ran_at, "report": run.report}


def last_runs(alur, org: str, process_id: str, actor: Actor = SYSTEM) -> dict[int, dict]:
    """Version number -> its last scenario run (version, passed, failed, forced, file, who, when, report);
    for who may see the process's versions (access.check_migrate)."""
    access.check_migrate(actor, org, process_id)
    with alur.sessions() as session:
        rows = session.execute(
            select(ScenarioRun, ProcessVersion.version).join(ProcessVersion, ScenarioRun.version_id == ProcessVersion.id)
            .where(ProcessVersion.org == org, ScenarioRun.process_id == process_id).order_by(ScenarioRun.id)
        ).all()
        return {number: _summary(run, number) for run, number in rows}


def newest_run_with_diagram(alur, org: str, process_id: str, actor: Actor = SYSTEM) -> dict | None:
    """The last run of a process (see `last_runs`) with the BPMN of the version it tested, or None."""
    access.check_migrate(actor, org, process_id)
    with alur.sessions() as session:
        row = session.execute(
            select(ScenarioRun, ProcessVersion).join(ProcessVersion, ScenarioRun.version_id == ProcessVersion.id)
            .where(ProcessVersion.org == org, ScenarioRun.process_id == process_id)
            .order_by(ScenarioRun.id.desc()).limit(1)
        ).first()
        if row is None:
            return None
        run, version = row
        return {**_summary(run, version.version), "bpmn_xml": version.bpmn_xml}

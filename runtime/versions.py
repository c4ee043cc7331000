"""Process versions: list them, diff two, and move running instances between them.

The diff and the migration are SpiffWorkflow's (SpiffWorkflow.bpmn.util.diff):
an instance may move to another version only when no task it has completed or
started was changed or removed there; otherwise it stays where it is and the
reason is reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from . import access, db, state
from .access import SYSTEM, Actor
from .bpmn_check import NS
from .engine import Alur, NotFound
from .errors import AlurError
from .models import Instance, ProcessVersion, utcnow

# Differences SpiffWorkflow reports that do not change what a task does.
_COSMETIC = {"bpmn_name", "description", "documentation", "lane"}


@dataclass
class VersionDiff:
    process_id: str
    from_version: int
    to_version: int
    added_tasks: list[str]
    removed_tasks: list[str]
    changed_tasks: dict[str, list[str]]
    added_flows: list[str]
    removed_flows: list[str]

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class MigrationResult:
    migrated: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {"migrated": self.migrated, "refused": {str(k): v for k, v in self.refused.items()}}


def _version(session, org: str, process_id: str, number: int) -> ProcessVersion:
    row = session.scalars(
        select(ProcessVersion).where(ProcessVersion.org == org, ProcessVersion.process_id == process_id,
                                     ProcessVersion.version == number)
    ).first()
    if row is None:
        raise NotFound(f"process '{process_id}' has no version {number}")
    return row


def list_versions(alur: Alur, org: str, process_id: str, actor: Actor = SYSTEM) -> list[dict]:
    """Every version of process `process_id` of organisation `org`: number, hash, who deployed it when,
    running instances. For who may migrate there only (access.check_migrate)."""
    access.check_migrate(actor, org, process_id)
    with alur.sessions() as session:
        running = dict(session.execute(
            select(Instance.version_id, func.count()).where(
                Instance.org == org, Instance.process_id == process_id, Instance.status == "running"
            ).group_by(Instance.version_id)
        ).all())
        rows = session.scalars(
            select(ProcessVersion).where(ProcessVersion.org == org, ProcessVersion.process_id == process_id)
            .order_by(ProcessVersion.version)
        ).all()
        if not rows:
            raise NotFound(f"process '{process_id}' is not deployed")
        return [
            {"version": v.version, "content_hash": v.content_hash, "source": v.source_name,
             "deployed_by": v.deployed_by, "deployed_at": v.deployed_at.isoformat(),
             "running_instances": running.get(v.id, 0)}
            for v in rows
        ]


def _flows(version: ProcessVersion) -> dict[str, tuple[str, str]]:
    root = etree.fromstring(version.bpmn_xml.encode("utf-8"))
    process = root.xpath(f"./bpmn:process[@id='{version.process_id}']", namespaces=NS)[0]
    return {f.get("id"): (f.get("sourceRef"), f.get("targetRef"))
            for f in process.xpath(".//bpmn:sequenceFlow", namespaces=NS)}


def _spec_diff(alur: Alur, old: ProcessVersion, new: ProcessVersion) -> SpecDiff:
    return SpecDiff(state.spec_registry(), alur.spec(old)[0], alur.spec(new)[0])


def _material(changes: list[str]) -> list[str]:
    return [c for c in changes if c not in _COSMETIC]


def diff_versions(alur: Alur, org: str, process_id: str, from_version: int, to_version: int,
                  actor: Actor = SYSTEM) -> VersionDiff:
    """Tasks and flows added, removed and changed between two versions of process `process_id` of
    organisation `org` (SpiffWorkflow's spec diff). For who may migrate there only (access.check_migrate)."""
    access.check_migrate(actor, org, process_id)
    with alur.sessions() as session:
        old, new = _version(session, org, process_id, from_version), _version(session, org, process_id, to_version)
        spec_diff = _spec_diff(alur, old, new)
        old_flows, new_flows = _flows(old), _flows(new)
    bpmn_ids = set(old.task_info) | set(new.task_info) | _element_ids(old) | _element_ids(new)
    return VersionDiff(
        process_id, from_version, to_version,
        added_tasks=sorted(s.name for s in spec_diff.added if s.name in bpmn_ids),
        removed_tasks=sorted(s.name for s in spec_diff.removed if s.name in bpmn_ids),
        changed_tasks={s.name: changes for s, changes in sorted(spec_diff.changed.items(), key=lambda i: i[0].name)
                       if s.name in bpmn_ids},
        added_flows=sorted(f for f in new_flows if old_flows.get(f) != new_flows[f]),
        removed_flows=sorted(f for f in old_flows if new_flows.get(f) != old_flows[f]),
    )


def element_names(alur: Alur, org: str, process_id: str, version: int, actor: Actor = SYSTEM) -> dict[str, str]:
    """Element id -> name (as the modeler wrote it) of one version of process `process_id` of `org`, and
    for each sequence flow "source name -> target name", so that a diff can be read without opening the file.
    For who may migrate there only (access.check_migrate)."""
    access.check_migrate(actor, org, process_id)
    with alur.sessions() as session:
        row = _version(session, org, process_id, version)
    root = etree.fromstring(row.bpmn_xml.encode("utf-8"))
    names = {e.get("id"): " ".join((e.get("name") or "").split()) for e in root.iter()
             if isinstance(e.tag, str) and e.get("id")}
    for flow, (source, target) in _flows(row).items():
        names[flow] = f"{names.get(source) or source} \u2192 {names.get(target) or target}"
    return names


def _element_ids(version: ProcessVersion) -> set[str]:
    root = etree.fromstring(version.bpmn_xml.encode("utf-8"))
    return {e.get("id") for e in root.iter() if isinstance(e.tag, str) and e.get("id")}


def migration_blockers(workflow, spec_diff: SpecDiff, new_spec, new_dependencies) -> list[str]:
    """Why a workflow cannot move to `new_spec`: completed or started tasks that were changed or removed."""
    top_diff, sub_diffs = diff_workflow(state.spec_registry(), workflow, new_spec, new_dependencies)
    reasons = []
    done = TaskState.COMPLETED | TaskState.STARTED | TaskState.ERROR | TaskState.CANCELLED
    for task in top_diff.removed:
        if task.state & done:
            reasons.append(f"task {task.task_spec.name} ({TaskState.get_name(task.state)}) was removed")
    for task in top_diff.changed:
        changes = _material(spec_diff.changed.get(task.task_spec, []))
        if task.state & done and changes:
            reasons.append(f"task {task.task_spec.name} ({TaskState.get_name(task.state)}) changed: "
                           + ", ".join(changes))
    if any(d is None for d in sub_diffs.values()):
        reasons.append("a running subprocess has no counterpart in the new version")
    return sorted(set(reasons))


def migrate_instances(alur: Alur, org: str, process_id: str, from_version: int, to_version: int,
                      user: str | Actor, instance_ids: list[int] | None = None) -> MigrationResult:
    """Move running instances of version `from_version` of process `process_id` of organisation `org`
    to `to_version` where that is safe.

    `user` is an actor (refused unless access.may_migrate), or the name the audit log gives the
    system acting for an operator (the CLI's --user). Each instance moves in its own transaction
    (state, task index, audit entry), checked against its revision; unsafe ones stay and are
    listed with the reason.
    """
    if isinstance(user, Actor):
        access.check_migrate(user, org, process_id)
        user = user.username
    if from_version == to_version:
        raise AlurError(f"{process_id}: cannot migrate version {from_version} to itself; name two different versions")
    result = MigrationResult()
    with alur.sessions() as session:
        old, new = _version(session, org, process_id, from_version), _version(session, org, process_id, to_version)
        query = select(Instance.id).where(Instance.version_id == old.id, Instance.status == "running")
        if instance_ids is not None:
            query = query.where(Instance.id.in_(instance_ids))
        candidates = list(session.scalars(query.order_by(Instance.id)))
    for missing in sorted(set(instance_ids or []) - set(candidates)):
        result.refused[missing] = f"not a running instance of {process_id} version {from_version}"
    new_spec, new_dependencies = alur.spec(new)
    spec_diff = _spec_diff(alur, old, new)
    for instance_id in candidates:
        try:
            reasons = _migrate_one(alur, instance_id, old, new, new_spec, new_dependencies, spec_diff, user)
        except StaleDataError:
            reasons = [f"instance {instance_id} was changed by someone else during migration"]
        if reasons:
            result.refused[instance_id] = "; ".join(reasons)
        else:
            result.migrated.append(instance_id)
    return result


def _migrate_one(alur, instance_id, old, new, new_spec, new_dependencies, spec_diff, user) -> list[str]:
    with db.transaction(alur.sessions) as session:
        instance = session.get(Instance, instance_id)
        old_spec, old_dependencies = alur.spec(old)
        workflow = state.load_state(instance.state, old_spec, old_dependencies, alur.script_engine)
        reasons = migration_blockers(workflow, spec_diff, new_spec, new_dependencies)
        if reasons:
            return reasons
        top_diff, _ = diff_workflow(state.spec_registry(), workflow, new_spec, new_dependencies)
        migrate_workflow(top_diff, workflow, new_spec)
        workflow.subprocess_specs = new_dependencies
        workflow.do_engine_steps()
        # StaleDataError when the instance moved on meanwhile
        alur.save_workflow(session, instance, new, workflow, user, "migrate", utcnow(),
                           data={"from_version": old.version, "to_version": new.version})
        return []


def version_xml(alur: Alur, org: str, process_id: str, number: int, actor: Actor = SYSTEM) -> str:
    """The BPMN file of one version of process `process_id` of organisation `org`, as it was deployed.
    For who may compare its versions only (access.check_migrate): the editor opens it to deploy the next."""
    access.check_migrate(actor, org, process_id)
    with alur.sessions() as session:
        return _version(session, org, process_id, number).bpmn_xml

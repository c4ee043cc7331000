"""The verbs of Alur: deploy, start, tasks_for, claim, unclaim, complete, history.

Each verb is one transaction: it loads an instance, runs SpiffWorkflow, and
writes state, the task index and the audit log together, or nothing at all.
The web app and the CLI are two faces of these verbs.
"""
from __future__ import annotations

import json
import logging
import os
import re
import threading
import weakref
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from uuid import UUID

from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from SpiffWorkflow.util.task import TaskState

from . import access, calendars, called_processes, db, directory, due_dates, forms, state, subject
from .access import SYSTEM, Actor
from . import statements as sql
from .bounded import BoundedDict
from .bpmn_check import CheckedFile, Problem, check_bytes, standard_minutes_of
# The errors of the verbs, re-exported: callers import them from here as well as from runtime.errors.
from .errors import AlurError as AlurError
from .errors import Conflict, DeployRefused, Forbidden, InvalidData, NotFound, ProcessFailed
from .script_engine import restricted_script_engine
from .models import DEFAULT_ORG, AuditEntry, HumanTask, Instance, LaneRole, Organisation, ProcessVersion, utcnow
from .settings import Settings

SPEC_CACHE_SIZE = 256
log = logging.getLogger(__name__)


@dataclass
class DeployResult:
    process_id: str
    version: int
    content_hash: str
    created: bool  # False when the same content was already the newest version
    org: str = DEFAULT_ORG  # the organisation the process belongs to


@dataclass
class RefusedFile:
    """A file of the processes folder that could not be deployed, and why."""

    name: str
    org: str | None  # the organisation its `org` property names, when the file could be read that far
    problems: list[Problem]


@dataclass
class FolderDeploy:
    """What deploying a folder did: the files deployed (or unchanged) and the files refused."""

    deployed: list[DeployResult] = field(default_factory=list)
    refused: list[RefusedFile] = field(default_factory=list)


@dataclass
class TaskView:
    id: str
    instance_id: int
    process_id: str
    org: str
    task_spec: str
    name: str
    lane: str
    role: str
    form: str | None
    standard_minutes: int | None
    status: str
    ready_at: datetime
    due_at: datetime | None
    claimed_by: str | None
    completed_by: str | None
    completed_at: datetime | None

    @classmethod
    def of(cls, row: HumanTask) -> "TaskView":
        return cls(**{f: getattr(row, f) for f in cls.__dataclass_fields__})

    def to_dict(self) -> dict:
        # Flat fields: no deep copy (asdict) needed; inbox pages turn hundreds of these into JSON.
        return {f: _jsonable(getattr(self, f)) for f in self.__dataclass_fields__}


@dataclass
class InstanceView:
    id: int
    process_id: str
    version: int
    status: str
    revision: int
    started_by: str
    started_at: datetime
    completed_at: datetime | None
    ready_tasks: list[TaskView]
    perihal: str = ""
    nomor: str | None = None

    def to_dict(self) -> dict:
        return _jsonable(asdict(self))


@dataclass
class AuditView:
    id: int
    at: datetime
    actor: str
    action: str
    process_id: str | None
    version: int | None
    instance_id: int | None
    task_id: str | None
    task_spec: str | None
    data: dict

    def to_dict(self) -> dict:
        return _jsonable(asdict(self))


def _jsonable(value):
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def audit_values(actor: str, action: str, version: ProcessVersion | None = None, task=None,
                 data: dict | None = None, instance_id: int | None = None, process_id: str | None = None,
                 org: str | None = None) -> dict:
    """The columns of one audit entry (about a version, an instance, or a task row)."""
    entry = dict(at=utcnow(), actor=actor, action=action, data=data or {}, process_id=process_id, org=org,
                 version=version.version if version is not None else None, instance_id=instance_id,
                 task_id=None, task_spec=None)
    if version is not None and process_id is None:
        entry["process_id"], entry["org"] = version.process_id, version.org
    if task is not None:
        entry["instance_id"], entry["process_id"], entry["org"] = task.instance_id, task.process_id, task.org
        entry["task_id"], entry["task_spec"] = task.id, task.task_spec
    return entry


def newest_version(session, org: str, process_id: str) -> ProcessVersion | None:
    """The newest deployed version of process `process_id` of organisation `org`, or None."""
    return session.scalars(
        select(ProcessVersion).where(ProcessVersion.org == org, ProcessVersion.process_id == process_id)
        .order_by(ProcessVersion.version.desc()).limit(1)
    ).first()


def deployer(actor: Actor, org: str | None) -> str:
    """The name the audit log gives `actor` deploying in `org` (default: the actor's organisation),
    once the policy lets them (access.check_deploy); the system deploys wherever its file says."""
    access.check_deploy(actor, org or actor.org)
    return actor.username


def role_for_lane(lane: str) -> str:
    """Default role key of a lane: its name in lower case with dashes ("Kepala Dinas" -> "kepala-dinas")."""
    return re.sub(r"[^a-z0-9]+", "-", lane.lower()).strip("-")


class Alur:
    """The process engine of Alur over one database."""

    def __init__(self, settings: Settings, migrate: bool = True):
        self.settings = settings
        if settings.database_url.startswith("sqlite:///"):
            Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.db = db.make_engine(settings.database_url, settings.sqlite_synchronous)
        if migrate:
            db.upgrade(self.db)
        self.sessions = db.session_factory(self.db)
        # A forked child (a gunicorn worker of a preloaded app) must not use its parent's connections.
        this = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: (alur := this()) is not None and alur.db.dispose(close=False))
        self.script_engine = restricted_script_engine()
        # Each organisation's working calendar, for due times (runtime/calendars.py).
        self.calendars = calendars.Calendars(settings.calendar)
        self._specs: BoundedDict[int, tuple] = BoundedDict(SPEC_CACHE_SIZE)
        self._versions: BoundedDict[int, ProcessVersion] = BoundedDict(SPEC_CACHE_SIZE)
        self._forms: dict[tuple[int, str], dict] = {}
        # Workflows this engine wrote last, by instance id, with the (version id, revision)
        # they were stored at: the next completion of that instance skips parsing its state
        # when the stored revision is still that one. A completion takes the entry out (no
        # two threads share a workflow) and puts it back only after its commit.
        self._workflows: BoundedDict[int, tuple[int, int, object]] = BoundedDict(SPEC_CACHE_SIZE)
        self._workflows_lock = threading.Lock()

    def close(self) -> None:
        self.db.dispose()

    # ----------------------------------------------------------------- deploy

    def check(self, bpmn_path: Path | str, forms_dir: Path | None = None,
              process_id: str | None = None) -> CheckedFile:
        """Check a BPMN file as deploy would, without storing anything."""
        path = Path(bpmn_path)
        try:
            content = path.read_bytes()
        except OSError as exc:
            return CheckedFile(str(path), [Problem(str(path), None, f"cannot read: {exc.strerror}")])
        return check_bytes(content, str(path), forms_dir or self.settings.forms_dir, process_id,
                           self.called_processes())

    def called_processes(self, org: str | None = None) -> called_processes.Lookup:
        """How a deploy finds the process a call activity calls: the newest deployed version of that id
        of organisation `org` (default: the calling file's `org` property, else "default")."""
        def lookup(process_id: str, file_org: str | None) -> called_processes.CalledProcess | None:
            with self.sessions() as session:
                version = newest_version(session, org or file_org or DEFAULT_ORG, process_id)
                if version is None:
                    return None
                return called_processes.CalledProcess(version.process_id, version.version, version.content_hash,
                                                      version.bpmn_xml, dict(version.forms),
                                                      dict(version.task_info or {}))
        return lookup

    def deploy(self, bpmn_path: Path | str, forms_dir: Path | None = None, user: str = "system",
               org: str | None = None, skip_known: bool = False, process_id: str | None = None) -> DeployResult:
        """Validate a BPMN file and store it as a new version of its process if its content is new.

        The file is checked against the BPMN 2.0 XSD, parsed by SpiffWorkflow,
        and every user task must sit in one lane and name a valid form from
        `forms_dir`. A refused file raises DeployRefused and changes nothing.
        The process belongs to organisation `org` (default: the file's `org`
        property, else "default"): process ids are scoped per organisation, so
        another organisation's process of the same id is a different process.
        With `skip_known`, content that any earlier version had adds no version
        either (returned with that version's number), not only the newest's.
        A file with several executable processes deploys the one `process_id` names.
        Returns the process id, its organisation, version number and content hash.
        """
        path = Path(bpmn_path)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise DeployRefused([Problem(str(path), None, f"cannot read: {exc.strerror}")]) from exc
        return self.deploy_bytes(content, path.name, forms_dir, user, org, skip_known, process_id=process_id)

    def deploy_bytes(self, content: bytes, filename: str, forms_dir: Path | None = None,
                     user: str | Actor = "system", org: str | None = None, skip_known: bool = False,
                     on_stored=None, process_id: str | None = None) -> DeployResult:
        """Deploy BPMN `content` (as from an upload); see `deploy`.

        `user` is an actor (a user deploys in their own organisation, refused before the file is
        read unless access.may_deploy), or the name the audit log gives the system's caller.
        `on_stored(session, version)` runs in the deploy's transaction with the version stored, or
        the newest one when it has the same content (the scenario run is kept with it that way).
        """
        if isinstance(user, Actor):
            user, org = deployer(user, org), org or user.org
        checked = check_bytes(content, filename, forms_dir or self.settings.forms_dir, process_id,
                              self.called_processes(org))
        if not checked.ok:
            raise DeployRefused(checked.problems)
        content_hash = checked.content_hash
        org = org or checked.org or DEFAULT_ORG
        with db.transaction(self.sessions) as session:
            db.lock(session, "alur:deploy")  # deploys one at a time (workers starting together deploy processes/)
            latest = newest_version(session, org, checked.process_id)
            if session.get(Organisation, org) is None:
                # The file's `organisation` property names the organisation its `org` property names.
                session.add(Organisation(slug=org, name=(checked.organisation if org == checked.org else None) or org))
            if latest is not None and latest.content_hash == content_hash:
                if on_stored is not None:
                    on_stored(session, latest)
                return DeployResult(checked.process_id, latest.version, content_hash, False, org)
            if skip_known:
                known_version = session.scalars(
                    select(ProcessVersion.version).where(ProcessVersion.org == org,
                                                         ProcessVersion.process_id == checked.process_id,
                                                         ProcessVersion.content_hash == content_hash)
                    .order_by(ProcessVersion.version.desc()).limit(1)
                ).first()
                if known_version is not None:
                    return DeployResult(checked.process_id, known_version, content_hash, False, org)
            version = ProcessVersion(
                process_id=checked.process_id,
                org=org,
                version=(latest.version + 1) if latest else 1,
                name=checked.name,
                content_hash=content_hash,
                bpmn_xml=checked.bpmn_text,
                forms=checked.forms,
                spec_json=state.dump_spec(checked.spec, checked.subprocess_specs),
                task_info={**checked.called_task_info, **{
                    t.id: {"name": t.name, "lane": t.lane, "form": t.form, "ui_form": t.ui_form,
                           "standard_minutes": t.standard_minutes, "properties": t.properties}
                    for t in checked.user_tasks
                }},
                source_name=filename,
                deployed_at=utcnow(),
                deployed_by=user,
            )
            session.add(version)
            known = set(session.scalars(select(LaneRole.lane).where(LaneRole.org == org,
                                                                    LaneRole.process_id == checked.process_id)))
            for lane in checked.lanes:
                if lane not in known:
                    session.add(LaneRole(org=org, process_id=checked.process_id, lane=lane, role=role_for_lane(lane)))
            session.flush()
            self._audit(session, user, "deploy", version=version,
                        data={"content_hash": content_hash, "source": filename})
            if on_stored is not None:
                on_stored(session, version)
            return DeployResult(checked.process_id, version.version, content_hash, True, org)

    def deploy_directory(self, processes_dir: Path | None = None, user: str = "system") -> FolderDeploy:
        """Deploy every *.bpmn file of a folder (idempotent: unchanged files add no version).

        A file whose content was deployed before adds no version: a newer version
        deployed from the web upload is not replaced by the folder's older file
        when the app starts again. A refused file stops nothing: it is logged with
        its `file:line: message` problems, skipped and listed in the result's
        `refused`, and the other files deploy.
        """
        folder = Path(processes_dir or self.settings.processes_dir)
        report = FolderDeploy()
        for path in sorted(folder.glob("*.bpmn")):
            try:
                report.deployed.append(self.deploy(path, user=user, skip_known=True))
            except DeployRefused as exc:
                # Checked again only to learn whose file it is (its `org` property, when it can be read).
                report.refused.append(RefusedFile(path.name, self.check(path).org, exc.problems))
                log.warning("%s was not deployed:\n%s", path, "\n".join(str(p) for p in exc.problems))
        return report

    def processes(self, org: str | None = None) -> list[dict]:
        """The deployed processes (of organisation `org`, or all) with their newest version and running count."""
        with self.sessions() as session:
            newest = select(ProcessVersion.org, ProcessVersion.process_id,
                            func.max(ProcessVersion.version).label("version"))
            running_query = select(Instance.org, Instance.process_id, func.count()).where(Instance.status == "running")
            if org is not None:
                newest = newest.where(ProcessVersion.org == org)
                running_query = running_query.where(Instance.org == org)
            newest = newest.group_by(ProcessVersion.org, ProcessVersion.process_id).subquery()
            query = select(ProcessVersion).join(
                newest,
                (ProcessVersion.org == newest.c.org) & (ProcessVersion.process_id == newest.c.process_id)
                & (ProcessVersion.version == newest.c.version),
            )
            rows = session.execute(query.order_by(ProcessVersion.org, ProcessVersion.process_id)).scalars()
            running = {(o, p): n for o, p, n in session.execute(
                running_query.group_by(Instance.org, Instance.process_id)).all()}
            return [
                {
                    "process_id": v.process_id,
                    "org": v.org,
                    "name": v.name,
                    "version": v.version,
                    "content_hash": v.content_hash,
                    "deployed_at": v.deployed_at.isoformat(),
                    "deployed_by": v.deployed_by,
                    "running_instances": running.get((v.org, v.process_id), 0),
                }
                for v in rows
            ]

    # ------------------------------------------------------------- instances

    def start(self, process_id: str, user: str, perihal: str | None = None,
              nomor: str | None = None, unknown_fields: Sequence[str] = ()) -> InstanceView:
        """Start an instance of the newest version of `process_id` of `user`'s organisation as `user`.

        `perihal` (what the case is about; required when given, as every face that a person
        types into gives it) and `nomor` (its reference number) are checked by subject.clean:
        bad ones raise InvalidData naming the field, as do `unknown_fields` (what a request sent
        besides them). Without a perihal (a simulation) it is "".
        The user must hold the role of the lane the start event sits in. A model that
        fails before its first wait (a gateway no flow of which applies) raises
        ProcessFailed and nothing is written.
        """
        with db.transaction(self.sessions) as session:
            actor = directory.actor(self, user, session)
            org = actor.org
            version = newest_version(session, org, process_id) if org is not None else None
            if version is None:
                raise NotFound(f"process '{process_id}' is not deployed")
            spec, subprocess_specs = self.spec(version)
            start_lane = self.start_lane(spec)
            start_role = directory.lane_roles(self, org, process_id, session).get(start_lane) if start_lane else None
            access.check_start(actor, version.org, start_lane, start_role)
            # Checked once the user may start it: a refusal tells nothing about what was typed.
            if perihal is None and nomor is None and not unknown_fields:
                perihal = ""
            else:
                perihal, nomor = subject.clean(perihal, nomor, unknown_fields)
            from SpiffWorkflow.bpmn import BpmnWorkflow

            workflow = BpmnWorkflow(spec, subprocess_specs, script_engine=self.script_engine)
            try:
                workflow.do_engine_steps()
            except ProcessFailed:  # an expression's own error says what failed where
                raise
            except Exception as exc:  # the engine's (a gateway no flow of which applies): nothing is written
                raise ProcessFailed(f"process '{process_id}' could not start: {exc}") from exc
            now = utcnow()
            instance = Instance(process_id=process_id, org=version.org, status="running", revision=1,
                                started_by=user, started_at=now, perihal=perihal, nomor=nomor)
            session.add(instance)
            ready = self.save_workflow(session, instance, version, workflow, user, "start", now,
                                       ready_before=set())  # a new instance has no task rows yet
            return self._instance_view(session, instance, version, ready)

    def instance(self, instance_id: int, actor: Actor = SYSTEM) -> InstanceView:
        """An instance with its version, status, revision and ready tasks.

        An instance `actor` may not see (access.may_see_instance) is reported as not found;
        the system (the default: the CLI, the engine's own callers) sees every one.
        """
        with self.sessions() as session:
            instance = self.visible_instance(session, instance_id, actor)
            return self._instance_view(session, instance, self.version(session, instance.version_id))

    def visible_instance(self, session, instance_id: int, actor: Actor) -> Instance:
        """The instance row, if `actor` may see it; NotFound otherwise, as if it did not exist."""
        instance = session.get(Instance, instance_id)
        if instance is None:
            raise NotFound(f"instance {instance_id} does not exist")
        access.check_see_instance(actor, instance_id, instance.org,
                                  directory.lane_roles(self, instance.org, instance.process_id, session).values())
        return instance

    def check_visible(self, session, instance_id: int, actor: Actor) -> None:
        """NotFound unless the instance exists and `actor` may see it (reading its organisation and
        process only, not its state)."""
        found = session.execute(select(Instance.org, Instance.process_id).where(Instance.id == instance_id)).first()
        if found is None:
            raise NotFound(f"instance {instance_id} does not exist")
        access.check_see_instance(actor, instance_id, found.org,
                                  directory.lane_roles(self, found.org, found.process_id, session).values())

    def tasks_for(self, user: str, include_claimed_by_others: bool = True) -> list[TaskView]:
        """Ready tasks of the lanes the user's roles cover, newest first (an index lookup)."""
        with self.sessions() as session:
            actor = directory.actor(self, user, session)
            if not actor.roles:
                return []
            query = select(HumanTask).where(*access.task_conditions(actor), HumanTask.status == "ready")
            if not include_claimed_by_others:
                query = query.where((HumanTask.claimed_by.is_(None)) | (HumanTask.claimed_by == user))
            rows = session.scalars(query.order_by(HumanTask.ready_at.desc(), HumanTask.id))
            return [TaskView.of(row) for row in rows]

    def task(self, task_id: str) -> TaskView:
        with self.sessions() as session:
            row = session.get(HumanTask, task_id)
            if row is None:
                raise NotFound(f"task {task_id} does not exist")
            return TaskView.of(row)

    def claim(self, task_id: str, user: str) -> TaskView:
        """Take a ready task so that others see it is being worked on."""
        with db.transaction(self.sessions) as session:
            row = self._task_for(session, task_id, user, "claim")
            if row.claimed_by == user:
                return TaskView.of(row)
            now = utcnow()
            changed = session.execute(
                update(HumanTask)
                .where(HumanTask.id == task_id, HumanTask.status == "ready", HumanTask.claimed_by.is_(None))
                .values(claimed_by=user, claimed_at=now)
            ).rowcount
            if changed != 1:
                raise Conflict(f"task {task_id} was claimed or completed by someone else")
            self._audit(session, user, "claim", task=row)
            session.refresh(row)
            return TaskView.of(row)

    def unclaim(self, task_id: str, user: str) -> TaskView:
        """Give a claimed task back to the lane."""
        with db.transaction(self.sessions) as session:
            row = self._task_for(session, task_id, user, "unclaim")
            row.claimed_by = None
            row.claimed_at = None
            self._audit(session, user, "unclaim", task=row)
            return TaskView.of(row)

    def complete(self, task_id: str, user: str, data: dict, expected_revision: int | None = None,
                 check=None) -> InstanceView:
        """Complete a ready user task with form `data` and run the process on to its next wait.

        The user must hold the lane's role and the task must not be claimed by
        someone else; `data` must satisfy the task's form. When
        `expected_revision` is given and the instance has moved on since, or
        another completion wins the race, Conflict is raised and nothing changes.
        `check(connection, task_row, schema, data)`, when given, returns more field
        errors (reported with the form's); it runs once the user may do the task.
        """
        try:
            with db.write_connection(self.db) as connection:
                view, workflow, version_id = self._complete(connection, task_id, user, data, expected_revision,
                                                            check)
            if view.status == "running":
                self._keep_workflow(view.id, version_id, view.revision, workflow)
            return view
        except OperationalError as exc:
            # SQLite refuses a write whose read snapshot went stale: another writer won.
            if "locked" in str(exc).lower() or "busy" in str(exc).lower():
                raise Conflict(f"instance of task {task_id} was changed by someone else; reload") from exc
            raise

    def _complete(self, connection, task_id, user, data, expected_revision, check=None):
        # The hot path of the app, in SQLAlchemy Core: one statement reads the task, its instance and
        # what the user may do; then one UPDATE of the instance (guarded by the revision read), one of
        # the task, the audit entry and the task index; nothing else is read.
        found = connection.execute(sql.task_for_completion, {"task_id": task_id, "user": user}).first()
        if found is None:
            raise NotFound(f"task {task_id} does not exist")
        # The statement tells whether the user holds this task's role, not every role they hold:
        # the actor is the user as far as the policy needs to know for this task.
        actor = Actor.user(user, found.user_org, {found.role} if found.holds_role else ())
        access.check_task(actor, found, "complete")
        if expected_revision is not None and found.revision != expected_revision:
            raise Conflict(
                f"instance {found.instance_id} is at revision {found.revision}, not {expected_revision}; reload"
            )
        version = self.version(connection, found.version_id)
        workflow = self._take_workflow(found.instance_id, found.version_id, found.revision)
        if workflow is None:
            spec, subprocess_specs = self.spec(version)
            workflow = state.load_state(found.state, spec, subprocess_specs, self.script_engine)
        task = workflow.get_task_from_id(UUID(task_id))
        if task is None or task.state != TaskState.READY:
            raise Conflict(f"task {task_id} is no longer ready")
        ready_before = {str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)} - {task_id}
        schema_name = task_properties(version, task).get(forms.FORM_PROPERTY)
        schema = self.form(version, schema_name) if schema_name else None
        errors = check(connection, found, schema or {}, data) if check is not None else {}
        if schema is not None:
            try:
                forms.validate(schema, data)
            except forms.FormDataInvalid as exc:
                errors = {**exc.errors, **errors}
        if errors:
            raise InvalidData(errors)
        task.set_data(**data)
        try:
            task.run()
            workflow.do_engine_steps()
        except Exception as exc:  # a condition or script of the model failed: nothing is written
            raise ProcessFailed(f"the process could not continue after task {task_id}: {exc}") from exc
        now = utcnow()
        ended = workflow.is_completed()
        revision = found.revision + 1
        moved = connection.execute(sql.advance_instance, {
            "instance_id": found.instance_id, "read_revision": found.revision, "new_state": state.dump_state(workflow),
            "new_revision": revision, "now": now, "new_status": "completed" if ended else "running",
            "ended_at": now if ended else None}).rowcount
        if moved != 1:  # another completion of this instance committed since we read it
            raise Conflict(f"the instance of task {task_id} was changed by someone else; reload")
        connection.execute(sql.complete_task, {"task_id": task_id, "user": user, "now": now})
        action = "return" if data.get("keputusan") == "kembalikan" else "complete"
        entries = [audit_values(user, action, task=found, data=data)]
        if ended:
            entries.append(audit_values("system", "end", instance_id=found.instance_id,
                                        process_id=found.process_id, org=found.org))
        connection.execute(sql.add_audit_entries, entries)
        ready = self._sync_tasks(connection, found.instance_id, found.process_id, found.org, version, workflow, now,
                                 ready_before)
        view = InstanceView(
            id=found.instance_id, process_id=found.process_id, version=version.version,
            status="completed" if ended else "running", revision=revision, started_by=found.started_by,
            started_at=found.started_at, completed_at=now if ended else None, ready_tasks=ready,
            perihal=found.perihal, nomor=found.nomor,
        )
        return view, workflow, version.id

    def history(self, instance_id: int, actor: Actor = SYSTEM) -> list[AuditView]:
        """The audit entries of an instance, oldest first (NotFound if `actor` may not see it)."""
        with self.sessions() as session:
            self.check_visible(session, instance_id, actor)
            rows = session.scalars(
                select(AuditEntry).where(AuditEntry.instance_id == instance_id).order_by(AuditEntry.id)
            )
            return [AuditView(**{f: getattr(r, f) for f in AuditView.__dataclass_fields__}) for r in rows]

    def instance_tasks(self, instance_id: int, actor: Actor = SYSTEM) -> list[TaskView]:
        """Every user task an instance has had, in the order they became ready (NotFound if `actor`
        may not see the instance)."""
        with self.sessions() as session:
            self.check_visible(session, instance_id, actor)
            rows = session.scalars(
                select(HumanTask).where(HumanTask.instance_id == instance_id)
                .order_by(HumanTask.ready_at, HumanTask.id)
            )
            return [TaskView.of(r) for r in rows]

    # ------------------------------------------- deployed versions (also read by views and versions)

    def version(self, session, version_id: int) -> ProcessVersion:
        """A process version row; versions never change, so each is read once per process.

        `session` is an ORM session, or a Core connection (read through a session joining its transaction).
        """
        cached = self._versions.get(version_id)
        if cached is None:
            if isinstance(session, Session):
                cached = session.get(ProcessVersion, version_id)
            else:
                with Session(bind=session, expire_on_commit=False) as joined:
                    cached = joined.get(ProcessVersion, version_id)
                    joined.expunge(cached)
            self._versions[version_id] = cached
        return cached

    def form(self, version: ProcessVersion, name: str) -> dict:
        """A version's form (JSON Schema) by name, parsed once."""
        key = (version.id, name)
        if key not in self._forms:
            self._forms[key] = json.loads(version.forms[name])
        return self._forms[key]

    def spec(self, version: ProcessVersion):
        """A version's (process spec, subprocess specs), deserialized once."""
        cached = self._specs.get(version.id)
        if cached is None:
            cached = state.load_spec(version.spec_json)
            self._specs[version.id] = cached
        return cached

    @staticmethod
    def start_lane(spec) -> str | None:
        """The lane of the process's start event, if it lies in one."""
        for task_spec in spec.task_specs.values():
            if type(task_spec).__name__ == "StartEvent" and getattr(task_spec, "lane", None):
                return task_spec.lane
        return None

    # ---------------------------------------------------------------- helpers

    def _take_workflow(self, instance_id: int, version_id: int, revision: int):
        """The workflow kept for an instance if it is still at the stored version and revision (taken out), else None."""
        with self._workflows_lock:
            kept = self._workflows.pop(instance_id, None)
        if kept is not None and kept[:2] == (version_id, revision):
            return kept[2]
        return None

    def _keep_workflow(self, instance_id: int, version_id: int, revision: int, workflow) -> None:
        with self._workflows_lock:
            self._workflows[instance_id] = (version_id, revision, workflow)

    def _task_for(self, session, task_id: str, user: str, verb: access.TaskVerb) -> HumanTask:
        """The task row `user` may `verb` (claim, unclaim), else the policy's refusal."""
        row = session.get(HumanTask, task_id)
        if row is None:
            raise NotFound(f"task {task_id} does not exist")
        access.check_task(directory.actor(self, user, session), row, verb)
        return row

    def save_workflow(self, session, instance: Instance, version: ProcessVersion, workflow, actor: str,
                      action: str, now: datetime, data: dict | None = None,
                      ready_before: set[str] | None = None) -> list[TaskView]:
        """Write `workflow` as the state of `instance` (at `version`) in `session`'s transaction.

        One INSERT or UPDATE carries the state, the version and, when the workflow is done,
        the ending, so the revision advances once; then come the audit entry of `action` by
        `actor` (with `data`), the task index and, on an ending, the "end" entry. An instance
        another transaction moved on meanwhile raises StaleDataError at the flush and nothing
        is written. Returns the ready tasks. (Completing a task, the hot path, does the same
        in SQLAlchemy Core: `_complete`.)
        """
        instance.state = state.dump_state(workflow)
        instance.version_id = version.id
        instance.updated_at = now
        ended = self._end_if_done(instance, workflow, now)
        session.flush()
        self._audit(session, actor, action, version=version, instance=instance, data=data)
        ready = self._sync_tasks(session.connection(), instance.id, instance.process_id, instance.org, version,
                                 workflow, now, ready_before)
        if ended:
            self._audit(session, "system", "end", instance=instance)
        return ready

    def _sync_tasks(self, connection, instance_id: int, process_id: str, org: str, version: ProcessVersion,
                    workflow, now: datetime, ready_before: set[str] | None = None) -> list[TaskView]:
        """Mirror the workflow's ready user tasks into human_tasks (same transaction); return the ready ones.

        `connection` is the transaction's Core connection (`session.connection()` in an ORM unit of work).
        `ready_before` are the ids of the user tasks that were ready in the state as read (every write
        of a state syncs its rows in its transaction, so exactly those have ready rows); None reads the
        rows instead. With it, a step that leaves no earlier task ready reads nothing.
        """
        ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
        if ready_before is None or not ready_before.isdisjoint(ready):
            open_rows = connection.execute(sql.ready_tasks_of, {"instance_id": instance_id}).all()
        else:
            open_rows = []
        if ready_before is None:
            ready_before = {row.id for row in open_rows}
        gone = ready_before - ready.keys()
        if gone:
            connection.execute(sql.cancel_tasks, {"task_ids": sorted(gone)})
        still_ready = [row for row in open_rows if row.id in ready]
        views = [TaskView.of(row) for row in still_ready]
        known = {row.id for row in still_ready}
        calendar = None
        for task_id, task in ready.items():
            if task_id in known:
                continue
            properties = task_properties(version, task)
            minutes = standard_minutes_of(properties)
            lane = task.task_spec.lane or ""
            due_date = properties.get(due_dates.DUE_DATE_PROPERTY)
            if (minutes is not None or due_date) and calendar is None:
                calendar = self.calendars.of(connection, org)
            values = dict(
                id=task_id, instance_id=instance_id, process_id=process_id, org=org,
                task_spec=task.task_spec.name, name=task.task_spec.bpmn_name or task.task_spec.name,
                lane=lane, form=properties.get(forms.FORM_PROPERTY), standard_minutes=minutes,
                status="ready", ready_at=now, due_at=due_time(properties, minutes, now, calendar),
                claimed_by=None, completed_by=None, completed_at=None,
            )
            role = connection.execute(sql.add_ready_task, {
                **values, "lane_org": org, "lane_process": process_id, "lane_name": lane,
                "default_role": role_for_lane(lane),
            }).scalar_one()
            views.append(TaskView(**values, role=role))
        return views

    @staticmethod
    def _end_if_done(instance: Instance, workflow, now: datetime) -> bool:
        """Mark `instance` completed if its workflow is, before it is written.

        Set before the flush, the ending goes out in the same INSERT or UPDATE as the new
        state, so the revision advances once, as it does for a completion; the caller then
        audits the end. True when the instance ended here.
        """
        if workflow.is_completed() and instance.status != "completed":
            instance.status = "completed"
            instance.completed_at = now
            return True
        return False

    def _instance_view(self, session, instance: Instance, version: ProcessVersion,
                       ready: list[TaskView] | None = None) -> InstanceView:
        session.flush()
        if ready is None:
            ready = [TaskView.of(row) for row in session.scalars(
                select(HumanTask).where(HumanTask.instance_id == instance.id, HumanTask.status == "ready")
                .order_by(HumanTask.ready_at, HumanTask.id))]
        return InstanceView(
            id=instance.id, process_id=instance.process_id, version=version.version, status=instance.status,
            revision=instance.revision, started_by=instance.started_by, started_at=instance.started_at,
            completed_at=instance.completed_at, ready_tasks=ready, perihal=instance.perihal, nomor=instance.nomor,
        )

    @staticmethod
    def _audit(session, actor: str, action: str, version: ProcessVersion | None = None,
               instance: Instance | None = None, task: HumanTask | None = None, data: dict | None = None) -> None:
        session.add(AuditEntry(**audit_values(
            actor, action, version=version, task=task, data=data, instance_id=instance.id if instance else None,
            process_id=instance.process_id if instance else None, org=instance.org if instance else None)))


def due_time(properties: dict[str, str], minutes: int | None, ready_at: datetime, calendar) -> datetime | None:
    """When a task ready at `ready_at` is due: by its dueDate (calendar time, runtime/due_dates.py)
    if it has one, else its time standard `minutes` of working time on `calendar`, else never."""
    due_date = properties.get(due_dates.DUE_DATE_PROPERTY)
    if due_date:
        return due_dates.due_time(due_date, ready_at, calendar.zone)  # checked at deploy
    return calendar.add_working_minutes(ready_at, minutes) if minutes is not None else None


def task_properties(version: ProcessVersion, task) -> dict[str, str]:
    """The properties (form, mutu baku) of a running user task; see `spec_properties`."""
    return spec_properties(version, task.task_spec)


def spec_properties(version: ProcessVersion, task_spec) -> dict[str, str]:
    """The properties of a user task spec, as read from its file at deploy time (any modeler's convention).

    Versions deployed before task_info existed fall back to the spec's spiffworkflow properties.
    """
    if task_spec is None:
        return {}
    info = (version.task_info or {}).get(task_spec.name)
    if info is not None:
        return dict(info["properties"])
    return dict(task_spec.extensions.get("properties", {}))

"""The database tables of Alur (SQLAlchemy 2 typed ORM).

Schema changes go through Alembic revisions in runtime/migrations/.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, true
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import DateTime, TypeDecorator


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    pass


DEFAULT_ORG = "default"


class Organisation(Base):
    """A government unit (dinas, badan): its users and processes are invisible to every other."""

    __tablename__ = "organisations"

    slug: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))


class ProcessVersion(Base):
    """One deployed version of a process: the BPMN and forms it was deployed with.

    A process is identified by (org, process_id): two organisations may each own a process
    of the same id, each with its own versions 1, 2, ...
    """

    __tablename__ = "process_versions"
    __table_args__ = (
        UniqueConstraint("org", "process_id", "version", name="uq_process_version"),
        Index("ix_process_versions_hash", "org", "process_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200))
    org: Mapped[str] = mapped_column(String(100), default=DEFAULT_ORG)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(500))
    content_hash: Mapped[str] = mapped_column(String(64))
    bpmn_xml: Mapped[str] = mapped_column(Text)
    forms: Mapped[dict] = mapped_column(JSON)  # form file name -> JSON Schema text
    spec_json: Mapped[str] = mapped_column(Text)  # serialized SpiffWorkflow spec, parsed once
    # user task id -> {name, lane, form, ui_form, standard_minutes, properties}, read from the file at
    # deploy time in whichever modeler's convention it was written (spiffworkflow or camunda)
    task_info: Mapped[dict] = mapped_column(JSON, default=dict)
    source_name: Mapped[str] = mapped_column(String(500))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by: Mapped[str] = mapped_column(String(200))


class ScenarioRun(Base):
    """The designer's scenarios (processes/<id>.test.yaml) as run against a version when it was deployed.

    Scenarios are not part of a version's content (nor of its hash): changing only the
    scenarios makes no new version, and a re-deploy of the same BPMN with new scenarios
    adds a run to the version it already is. The newest run of a process also holds the
    scenarios an upload without a scenario file is tested with.
    """

    __tablename__ = "scenario_runs"
    __table_args__ = (Index("ix_scenario_runs_process", "process_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    process_id: Mapped[str] = mapped_column(String(200))
    source_name: Mapped[str] = mapped_column(String(500))  # the scenario file's name
    scenarios_text: Mapped[str] = mapped_column(Text)
    passed: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)  # failed scenarios, or 1 for a file that could not run
    forced: Mapped[bool] = mapped_column(Boolean, default=False)  # deployed although scenarios failed
    report: Mapped[dict] = mapped_column(JSON)  # suite.ProcessReport.to_dict()
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ran_by: Mapped[str] = mapped_column(String(200))


class Instance(Base):
    """A running or ended case of a process, on the version it started with."""

    __tablename__ = "instances"
    __table_args__ = (
        Index("ix_instances_org_process", "org", "process_id"),
        # A reference number is looked up as typed ("800/123/Setda"): its prefix search uses this one.
        Index("ix_instances_org_nomor", "org", "nomor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"))
    process_id: Mapped[str] = mapped_column(String(200))  # of organisation `org`
    org: Mapped[str] = mapped_column(String(100), default=DEFAULT_ORG)
    # What the case is about, entered when it starts (runtime/subject.py); "" for instances started
    # before perihal existed or by a simulation, shown as "(tanpa perihal)".
    perihal: Mapped[str] = mapped_column(String(500), default="", server_default="")
    nomor: Mapped[str | None] = mapped_column(String(100), nullable=True)  # the letter's reference number
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | completed
    state: Mapped[str] = mapped_column(Text)  # serialized workflow without its spec
    revision: Mapped[int] = mapped_column(Integer, default=1)
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    # Optimistic concurrency: every UPDATE checks and bumps the revision; a stale
    # write raises StaleDataError (turned into Conflict by the engine).
    __mapper_args__ = {"version_id_col": revision}


class HumanTask(Base):
    """A user task that is or was ready: the inbox index, kept beside the state."""

    __tablename__ = "human_tasks"
    __table_args__ = (
        # The inbox page walks this one from the newest task ...
        Index("ix_human_tasks_inbox", "org", "role", "status", "ready_at"),
        # ... and counts per SOP and overdue tasks from this one alone.
        Index("ix_human_tasks_inbox_counts", "org", "role", "status", "process_id", "due_at"),
        Index("ix_human_tasks_instance", "instance_id", "status"),
        # The worker finds the tasks that became ready since its last pass (runtime/notifications.py).
        Index("ix_human_tasks_ready_at", "ready_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task UUID
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    process_id: Mapped[str] = mapped_column(String(200))
    org: Mapped[str] = mapped_column(String(100), default=DEFAULT_ORG)
    task_spec: Mapped[str] = mapped_column(String(200))  # BPMN element id
    name: Mapped[str] = mapped_column(Text)
    lane: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(200))
    form: Mapped[str | None] = mapped_column(String(300), nullable=True)
    standard_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="ready")  # ready | completed | cancelled
    ready_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditEntry(Base):
    """Append-only log: who did what, when, with which data."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_actor_action_at", "actor", "action", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))  # deploy | start | claim | unclaim | complete | return
    process_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # the organisation of the process or instance the entry is about (None for logins, tokens, users)
    org: Mapped[str | None] = mapped_column(String(100), nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    instance_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    task_spec: Mapped[str | None] = mapped_column(String(200), nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    org: Mapped[str] = mapped_column(String(100), default=DEFAULT_ORG)
    display_name: Mapped[str] = mapped_column(String(200))  # the full name, as pages show the person
    nip: Mapped[str | None] = mapped_column(String(18), nullable=True)  # Nomor Induk Pegawai: 18 digits
    jabatan: Mapped[str | None] = mapped_column(String(200), nullable=True)  # the position, e.g. "Sekretaris Dinas"
    password_hash: Mapped[str | None] = mapped_column(String(300), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)  # where notifications are mailed
    # False: the user gets no mail (the notifications are still recorded)
    notify_email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(200), primary_key=True)


class LaneRole(Base):
    """Which role performs a lane of a process (of an organisation): data, editable without code."""

    __tablename__ = "lane_roles"

    org: Mapped[str] = mapped_column(String(100), primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    lane: Mapped[str] = mapped_column(String(300), primary_key=True)
    role: Mapped[str] = mapped_column(String(200))


class ApiToken(Base):
    """A personal API token of a user (for other systems): only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))  # the token's first characters, to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Attachment(Base):
    """One stored document: metadata here, bytes in the attachments folder under `name`."""

    __tablename__ = "attachments"
    __table_args__ = (Index("ix_attachments_instance", "instance_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)  # generated: <uuid hex><ext>
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    original_name: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The form field a completion uploaded the file for; NULL for a document uploaded on its own
    # (the task page's Lampiran button, POST /api/tasks/<id>/attachments), which stays with the
    # instance whether or not a completion names it. An upload for a form field that no completion
    # names after a grace period is an orphan (runtime/attachments_cleanup.py).
    form_field: Mapped[str | None] = mapped_column(String(200), nullable=True)


class AttachmentChunk(Base):
    """A piece of an attachment's bytes kept in the database (runtime/blobstore.py, DatabaseStore):
    every server of a deployment reads the same bytes, piece by piece, never the whole file at once."""

    __tablename__ = "attachment_chunks"

    name: Mapped[str] = mapped_column(ForeignKey("attachments.name", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0, 1, 2, ... in the file's order
    data: Mapped[bytes] = mapped_column(LargeBinary)


class SigningKey(Base):
    """A key the session and device cookies are signed with (runtime/signing_keys.py), shared by every
    server on this database. The one not retired signs; a retired one is still accepted for reading
    until the cookies it signed have expired."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class UserSession(Base):
    """A browser session: the cookie carries only a random session id, stored here as its SHA-256.

    Ends on logout, on "keluar dari semua perangkat", when the user's password changes, after
    30 minutes without a request and 10 hours after login (runtime/sessions.py).
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)  # created_at + the absolute lifetime
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    user_agent: Mapped[str] = mapped_column(String(200))  # shortened, to tell the user's devices apart
    address: Mapped[str] = mapped_column(String(100))


class LoginFailure(Base):
    """A failed login of a user name from a client (network address or trusted device), for throttling."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_pair", "username", "client", "at"),
        Index("ix_login_failures_client", "client", "at"),
        Index("ix_login_failures_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(200))
    client: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class WorkingCalendarRevision(Base):
    """How often an organisation's working calendar changed: every engine (every worker) compares
    it with the calendar it keeps in memory before it computes a due time (runtime/calendars.py).
    No row: the calendar was never changed (the default hours, national days off only)."""

    __tablename__ = "working_calendars"

    org: Mapped[str] = mapped_column(ForeignKey("organisations.slug"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer)


class WorkingHours(Base):
    """The working hours of one weekday of an organisation (0 Monday .. 6 Sunday), in minutes after
    midnight in its time zone. An organisation without rows works Monday to Friday 08:00-16:00;
    once it has rows, a weekday without one is not worked."""

    __tablename__ = "working_hours"

    org: Mapped[str] = mapped_column(ForeignKey("organisations.slug"), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True)
    opens_minute: Mapped[int] = mapped_column(Integer)
    closes_minute: Mapped[int] = mapped_column(Integer)


class CalendarDay(Base):
    """A day an organisation's admin changed: a day off it adds (`off`: true; a local holiday, or a
    cuti bersama of the SKB the `holidays` package does not know), or a national holiday or cuti
    bersama it works after all (`off`: false)."""

    __tablename__ = "calendar_days"

    org: Mapped[str] = mapped_column(ForeignKey("organisations.slug"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    off: Mapped[bool] = mapped_column(Boolean)
    description: Mapped[str] = mapped_column(String(300))
    changed_by: Mapped[str] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(Base):
    """Something a user is told about: for now a task of theirs that became ready (`kind` "ready").

    Made by the worker's fan-out (runtime/notifications.py), at most once per task, user and kind;
    mailed by runtime/mailing.py, which moves `mail_state` from pending to claimed (a worker is
    sending it) to sent, or to skipped (the task was no longer the user's to do, or the user gets
    no mail). `read_at` is for an in-app list of notifications (not yet shown).
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("task_id", "username", "kind", name="uq_notifications_task_user_kind"),
        Index("ix_notifications_unread", "username", "read_at", "id"),
        Index("ix_notifications_mail", "mail_state", "username"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org: Mapped[str] = mapped_column(String(100))
    username: Mapped[str] = mapped_column(String(100))
    task_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    mail_state: Mapped[str] = mapped_column(String(10))  # pending | claimed | sent | skipped
    mail_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # when claimed, sent or skipped


class Mailbox(Base):
    """One row per user the worker mails: locked while a worker claims that user's notifications, and
    when it last mailed them (at most one mail a minute per user, runtime/mailing.py)."""

    __tablename__ = "mailboxes"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    last_mailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WorkerMark(Base):
    """A moment the worker keeps: "fan_out" (tasks ready until then have their notifications) and
    "last_pass" (when a worker last finished a pass; the metric alur_worker_lag_seconds)."""

    __tablename__ = "worker_marks"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)

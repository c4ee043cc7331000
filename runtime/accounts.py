"""User accounts and who may see what: login checks, user lists, instance visibility.

No Flask here: the web app and the CLI call these with the Alur engine.
Passwords are stored as werkzeug hashes (users.password_hash).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from . import db
from .engine import Alur, NotFound
from .models import AuditEntry, Instance, LaneRole, ProcessVersion, User, UserRole, utcnow

# Login throttling: after this many failed logins of one user name within the
# window, further attempts are refused (even with the right password) until the
# window has passed. Failures and logins are audit entries, so every worker sees them.
MAX_LOGIN_FAILURES = 5
LOGIN_WINDOW = timedelta(minutes=15)

# Checked against when the user does not exist, so that a wrong user name
# takes as long as a wrong password and does not reveal which names exist.
_DUMMY_HASH = generate_password_hash("alur-dummy-password")


@dataclass
class Account:
    username: str
    display_name: str
    roles: set[str] = field(default_factory=set)
    has_password: bool = False
    org: str = "default"


@dataclass
class InstanceSummary:
    id: int
    process_id: str
    process_name: str
    version: int
    status: str
    started_by: str
    started_at: datetime
    completed_at: datetime | None


def _account(session, user: User) -> Account:
    roles = set(session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))
    return Account(user.username, user.display_name, roles, bool(user.password_hash), user.org)


def get_user(alur: Alur, username: str) -> Account | None:
    """The account named `username` with its roles, or None."""
    with alur.sessions() as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        return _account(session, user) if user is not None else None


def authenticate(alur: Alur, username: str, password: str) -> Account | None:
    """The account if `password` is right for `username`; None otherwise (also for unknown users)."""
    with alur.sessions() as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None or not user.password_hash:
            check_password_hash(_DUMMY_HASH, password)
            return None
        if not check_password_hash(user.password_hash, password):
            return None
        return _account(session, user)


def login_blocked(alur: Alur, username: str) -> bool:
    """True when `username` had MAX_LOGIN_FAILURES failed logins within the last LOGIN_WINDOW."""
    since = utcnow() - LOGIN_WINDOW
    with alur.sessions() as session:
        failures = session.scalar(
            select(func.count()).select_from(AuditEntry).where(
                AuditEntry.actor == username, AuditEntry.action == "login_failed", AuditEntry.at >= since)
        )
    return failures >= MAX_LOGIN_FAILURES


def record_login(alur: Alur, username: str, succeeded: bool, address: str | None) -> None:
    """Write a login or failed login to the audit log (with the client address)."""
    with db.transaction(alur.sessions) as session:
        session.add(AuditEntry(at=utcnow(), actor=username[:200], action="login" if succeeded else "login_failed",
                               data={"address": address}))


def list_users(alur: Alur) -> list[Account]:
    """Every account, by user name."""
    with alur.sessions() as session:
        return [_account(session, u) for u in session.scalars(select(User).order_by(User.username))]


def set_password(alur: Alur, username: str, password: str, method: str | None = None) -> None:
    """Store a new password for an existing user (NotFound if there is none).

    `method` is a werkzeug hash method; leave it None for werkzeug's default.
    """
    password_hash = generate_password_hash(password, method) if method else generate_password_hash(password)
    with db.transaction(alur.sessions) as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise NotFound(f"user '{username}' does not exist")
        user.password_hash = password_hash


def display_names(alur: Alur) -> dict[str, str]:
    """user name -> display name, for showing who did what."""
    with alur.sessions() as session:
        return dict(session.execute(select(User.username, User.display_name)).all())


def _visible_process_ids(session, username: str):
    """The processes having a lane whose role the user holds (a subquery)."""
    roles = select(UserRole.role).join(User, User.id == UserRole.user_id).where(User.username == username)
    return select(LaneRole.process_id).where(LaneRole.role.in_(roles)).distinct()


def _org_of(username: str):
    return select(User.org).where(User.username == username).scalar_subquery()


def can_see_instance(alur: Alur, username: str, instance_id: int) -> bool:
    """True when the user is of the instance's organisation and holds the role of one of its lanes."""
    return alur.can_see(username, instance_id)


def visible_instances(alur: Alur, username: str, limit: int = 200) -> list[InstanceSummary]:
    """The instances the user can see, running ones first, newest first."""
    with alur.sessions() as session:
        rows = session.execute(
            select(Instance, ProcessVersion.name, ProcessVersion.version)
            .join(ProcessVersion, ProcessVersion.id == Instance.version_id)
            .where(Instance.org == _org_of(username),
                   Instance.process_id.in_(_visible_process_ids(session, username)))
            .order_by((Instance.status == "running").desc(), Instance.id.desc())
            .limit(limit)
        ).all()
        return [
            InstanceSummary(i.id, i.process_id, name, version, i.status, i.started_by, i.started_at, i.completed_at)
            for i, name, version in rows
        ]

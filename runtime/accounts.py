"""User accounts and who may see what: login checks, user lists, instance visibility,
and the administration of one organisation's users and lane roles.

No Flask here: the web app and the CLI call these with the Alur engine.
Passwords are stored as werkzeug hashes (users.password_hash).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from . import access, db, directory
from . import statements as sql
from .access import ADMIN_ROLE as ADMIN_ROLE
from .access import DESIGNER_ROLE as DESIGNER_ROLE
from .access import SYSTEM, Actor
from .engine import Alur, InvalidData, NotFound
from .models import AuditEntry, HumanTask, Instance, LaneRole, ProcessVersion, User, UserRole, utcnow

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
    perihal: str = ""
    nomor: str | None = None


def _account(session, user: User) -> Account:
    """The account of a user row already read (roles read in `session`, flushed changes included)."""
    return load_accounts(session, User.id == user.id)[0]


def accounts_of_rows(rows) -> list[Account]:
    """Accounts from rows of statements.account_rows (one per user and role), in the order met."""
    found: dict[str, Account] = {}
    for username, display_name, password_hash, org, role in rows:
        account = found.get(username)
        if account is None:
            account = found[username] = Account(username, display_name, set(), bool(password_hash), org)
        if role is not None:
            account.roles.add(role)
    return list(found.values())


def load_accounts(session, *conditions) -> list[Account]:
    """The accounts of the users matching `conditions`, each with its roles, by user name, in one statement."""
    return accounts_of_rows(session.execute(sql.account_rows.where(*conditions)
                                            .order_by(User.username, UserRole.role)))


def find_account(alur: Alur, statement, **params) -> Account | None:
    """The one account `statement` (statements.account_by_name or account_by_token) finds, or None."""
    with db.read_connection(alur.db) as connection:
        found = accounts_of_rows(connection.execute(statement, params))
        return found[0] if found else None


def get_user(alur: Alur, username: str) -> Account | None:
    """The account named `username` with its roles, or None."""
    return find_account(alur, sql.account_by_name, username=username)


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


def record_login(alur: Alur, username: str, succeeded: bool, address: str | None) -> None:
    """Write a login or failed login to the audit log (with the client address)."""
    with db.transaction(alur.sessions) as session:
        session.add(AuditEntry(at=utcnow(), actor=username[:200], action="login" if succeeded else "login_failed",
                               data={"address": address}))


def list_users(alur: Alur) -> list[Account]:
    """Every account, by user name."""
    with alur.sessions() as session:
        return load_accounts(session)


def set_password(alur: Alur, username: str, password: str, method: str | None = None) -> None:
    """Store a new password for an existing user (NotFound if there is none) and end the user's
    sessions on every device.

    `method` is a werkzeug hash method; leave it None for werkzeug's default.
    """
    password_hash = generate_password_hash(password, method) if method else generate_password_hash(password)
    with db.transaction(alur.sessions) as session:
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            raise NotFound(f"user '{username}' does not exist")
        _replace_password(session, user, password_hash)


def change_own_password(alur: Alur, username: str, current: str, new: str, method: str | None = None) -> None:
    """A user changes their own password, giving the current one; their sessions on every device end.

    Raises InvalidData (current_password: the current password is wrong; password: the new one
    is too short or too long) and changes nothing.
    """
    errors: dict[str, str] = {}
    _check_password(new, errors)
    if authenticate(alur, username, current) is None:
        errors = {"current_password": "kata sandi saat ini salah", **errors}
    if errors:
        raise InvalidData(errors)
    password_hash = generate_password_hash(new, method) if method else generate_password_hash(new)
    with db.transaction(alur.sessions) as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        _replace_password(session, user, password_hash)
        _audit(session, username, "password_change", {"username": username})


def _replace_password(session, user: User, password_hash: str) -> None:
    """Store a new password hash, and end every session opened with the old password."""
    user.password_hash = password_hash
    session.execute(sql.end_sessions_of_user, {"owner_id": user.id, "now": utcnow()})


def display_names(alur: Alur) -> dict[str, str]:
    """user name -> display name, for showing who did what."""
    with alur.sessions() as session:
        return dict(session.execute(select(User.username, User.display_name)).all())


def can_see_instance(alur: Alur, actor: Actor | str, instance_id: int) -> bool:
    """True when `actor` (or the user of that name) may see the instance (access.may_see_instance)."""
    with alur.sessions() as session:
        instance = session.get(Instance, instance_id)
        if isinstance(actor, str):
            actor = directory.actor(alur, actor, session)
        return instance is not None and directory.may_see(alur, session, actor, instance.org, instance.process_id)


def visible_instances(alur: Alur, actor: Actor | str, limit: int = 200,
                      query: str | None = None) -> list[InstanceSummary]:
    """The instances `actor` (or the user of that name) may see, running ones first, newest first;
    with `query`, only those whose perihal or nomor contains it (any case)."""
    from .subject import search_conditions

    with alur.sessions() as session:
        if isinstance(actor, str):
            actor = directory.actor(alur, actor, session)
        rows = session.execute(
            select(Instance, ProcessVersion.name, ProcessVersion.version)
            .join(ProcessVersion, ProcessVersion.id == Instance.version_id)
            .where(*access.instance_conditions(actor),
                   *search_conditions(query, Instance.perihal, Instance.nomor))
            .order_by((Instance.status == "running").desc(), Instance.id.desc())
            .limit(limit)
        ).all()
        return [
            InstanceSummary(i.id, i.process_id, name, version, i.status, i.started_by, i.started_at, i.completed_at,
                            i.perihal, i.nomor)
            for i, name, version in rows
        ]


# ------------------------------------------------------------ administration
# What an organisation's admin does from the web app: its users, their roles and
# passwords, and which role performs each lane of its processes. Nothing here
# reaches past the organisation: another organisation's users and processes are
# NotFound. Every change is an audit entry (never with a password in it).
# The verbs take the actor who administers (refused unless access.may_administer),
# or, from the system's own callers, the name the audit log gives it.


def _administrator(actor: Actor | str, org: str) -> str:
    """The name the audit log gives `actor`, once the policy lets an actor administer `org`
    (a plain name is the system's caller naming who acts)."""
    if isinstance(actor, Actor):
        access.check_administer(actor, org)
        return actor.username
    return actor

MIN_PASSWORD_LENGTH = 10
MAX_USERNAME_LENGTH = 100  # users.username
# What an admin types: the user name within the organisation, which is put after "<org>.".
_LOCAL_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*")
_ROLE = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")


@dataclass
class LaneMapping:
    process_id: str
    process_name: str
    lane: str
    role: str


def process_deployed(alur: Alur, org: str, process_id: str) -> bool:
    """True when organisation `org` has deployed a process `process_id` (another organisation's
    process of that id is another process)."""
    with alur.sessions() as session:
        return session.scalars(
            select(ProcessVersion.id).where(ProcessVersion.org == org, ProcessVersion.process_id == process_id)
            .limit(1)
        ).first() is not None


def users_of(alur: Alur, org: str, actor: Actor = SYSTEM) -> list[Account]:
    """The accounts of organisation `org`, by user name (for who may administer it)."""
    _administrator(actor, org)
    with alur.sessions() as session:
        return load_accounts(session, User.org == org)


def user_of(alur: Alur, org: str, username: str, actor: Actor = SYSTEM) -> Account:
    """The account `username` of organisation `org`; NotFound when `org` has no such user
    (for who may administer it)."""
    _administrator(actor, org)
    with alur.sessions() as session:
        return _account(session, _member(session, org, username))


def lane_mappings(alur: Alur, org: str, actor: Actor = SYSTEM) -> list[LaneMapping]:
    """Lane -> role of every process of `org`, by process and lane (process names of the newest versions);
    for who may administer it."""
    _administrator(actor, org)
    with alur.sessions() as session:
        newest = (
            select(ProcessVersion.process_id, func.max(ProcessVersion.version).label("version"))
            .where(ProcessVersion.org == org).group_by(ProcessVersion.process_id).subquery()
        )
        names = dict(session.execute(
            select(ProcessVersion.process_id, ProcessVersion.name).join(
                newest, (ProcessVersion.org == org) & (ProcessVersion.process_id == newest.c.process_id)
                & (ProcessVersion.version == newest.c.version))
        ).all())
        rows = session.scalars(
            select(LaneRole).where(LaneRole.org == org, LaneRole.process_id.in_(names))
            .order_by(LaneRole.process_id, LaneRole.lane)
        )
        return [LaneMapping(r.process_id, names[r.process_id], r.lane, r.role) for r in rows]


def organisation_roles(alur: Alur, org: str) -> dict[str, list[str]]:
    """The roles a user of `org` may be given, each with the lanes it performs:
    the lane roles of the organisation's processes, then `perancang` and `admin` (no lanes)."""
    roles: dict[str, list[str]] = {}
    for mapping in lane_mappings(alur, org):
        lanes = roles.setdefault(mapping.role, [])
        if mapping.lane not in lanes:
            lanes.append(mapping.lane)
    return {**dict(sorted(roles.items())), DESIGNER_ROLE: [], ADMIN_ROLE: []}


def namespaced_username(org: str, name: str) -> str:
    """The full user name of the name an admin of `org` types: "budi" in sulteng-diskukm is
    "sulteng-diskukm.budi" (a name already starting with "<org>." stays). No other organisation's
    user can be in that namespace (directory.add_user), so refusing a taken name there reveals
    nothing about other organisations."""
    name = name.strip()
    return name if name.startswith(org + ".") else f"{org}.{name}"


def new_user_problems(alur: Alur, org: str, username: str, display_name: str, password: str,
                      roles: list[str]) -> dict[str, str]:
    """What is wrong with a user `create_user` would make: field (username, display_name,
    password, roles) -> message; empty when nothing is. `username` is taken within `org`'s
    namespace (see namespaced_username)."""
    full, display_name = namespaced_username(org, username), display_name.strip()
    local = full[len(org) + 1:]
    errors: dict[str, str] = {}
    room = MAX_USERNAME_LENGTH - len(org) - 1
    if not _LOCAL_NAME.fullmatch(local) or len(local) > room:
        errors["username"] = (f"1-{room} karakter: huruf kecil, angka, titik, garis bawah atau tanda hubung, "
                              "diawali huruf kecil atau angka")
    if not display_name:
        errors["display_name"] = "wajib diisi"
    elif len(display_name) > 200:
        errors["display_name"] = "maksimal 200 karakter"
    _check_password(password, errors)
    allowed = organisation_roles(alur, org)
    unknown = sorted(set(roles) - set(allowed))
    if unknown:
        errors["roles"] = "peran tidak dikenal di organisasi ini: " + ", ".join(unknown)
    if "username" not in errors and get_user(alur, full) is not None:
        errors["username"] = TAKEN
    return errors


# Only ever said of a name in the admin's own organisation's namespace.
TAKEN = "nama pengguna sudah dipakai di organisasi ini"


def create_user(alur: Alur, org: str, username: str, display_name: str, password: str, roles: list[str],
                actor: Actor | str, method: str | None = None) -> Account:
    """Create the user "<org>.<username>" (see namespaced_username) of `org` with a password and
    roles chosen from `organisation_roles(org)`.

    Raises InvalidData naming each bad field (see `new_user_problems`) and changes
    nothing; a user name already taken in the organisation is a bad username.
    """
    actor = _administrator(actor, org)
    errors = new_user_problems(alur, org, username, display_name, password, roles)
    if errors:
        raise InvalidData(errors)
    username, display_name = namespaced_username(org, username), display_name.strip()
    password_hash = generate_password_hash(password, method) if method else generate_password_hash(password)
    try:
        with db.transaction(alur.sessions) as session:
            user = User(username=username, org=org, display_name=display_name, password_hash=password_hash)
            session.add(user)
            session.flush()
            for role in sorted(set(roles)):
                session.add(UserRole(user_id=user.id, role=role))
            _audit(session, actor, "user_create", {"username": username, "org": org, "roles": sorted(set(roles))})
            session.flush()
            return _account(session, user)
    except IntegrityError as exc:  # the same name was taken between the check and the insert
        raise InvalidData({"username": TAKEN}) from exc


def add_role(alur: Alur, org: str, username: str, role: str, actor: Actor | str) -> None:
    """Give a user of `org` one of `organisation_roles(org)` (nothing happens if the user holds it)."""
    actor = _administrator(actor, org)
    if role not in organisation_roles(alur, org):
        raise InvalidData({"role": "peran tidak dikenal di organisasi ini"})
    with db.transaction(alur.sessions) as session:
        user = _member(session, org, username)
        if session.get(UserRole, (user.id, role)) is None:
            session.add(UserRole(user_id=user.id, role=role))
            _audit(session, actor, "role_add", {"username": username, "role": role})


def remove_role(alur: Alur, org: str, username: str, role: str, actor: Actor | str) -> None:
    """Take a role from a user of `org`. An admin cannot take the admin role from themself
    (so an organisation is never left without the admin who could repair it)."""
    actor = _administrator(actor, org)
    with db.transaction(alur.sessions) as session:
        user = _member(session, org, username)
        held = session.get(UserRole, (user.id, role))
        if held is None:
            raise InvalidData({"role": "pengguna tidak memegang peran ini"})
        if role == ADMIN_ROLE and username == actor:
            raise InvalidData({"role": "Anda tidak dapat mencabut peran admin Anda sendiri"})
        session.delete(held)
        _audit(session, actor, "role_remove", {"username": username, "role": role})


def reset_password(alur: Alur, org: str, username: str, password: str, actor: Actor | str,
                   method: str | None = None) -> None:
    """Give a user of `org` a new password (at least MIN_PASSWORD_LENGTH characters); the user's
    sessions on every device end."""
    actor = _administrator(actor, org)
    errors: dict[str, str] = {}
    _check_password(password, errors)
    if errors:
        raise InvalidData(errors)
    password_hash = generate_password_hash(password, method) if method else generate_password_hash(password)
    with db.transaction(alur.sessions) as session:
        _replace_password(session, _member(session, org, username), password_hash)
        _audit(session, actor, "password_reset", {"username": username})


def map_lane(alur: Alur, org: str, process_id: str, lane: str, role: str, actor: Actor | str) -> int:
    """Let `role` perform `lane` of a process of `org`, like directory.set_lane_role, and move the lane's
    ready tasks to the new role in the same transaction (releasing claims of users who do not
    hold it, who could neither finish nor release them). Returns the number of tasks moved."""
    actor = _administrator(actor, org)
    role = role.strip()
    if not _ROLE.fullmatch(role):
        raise InvalidData({"role": "1-200 karakter: huruf kecil, angka atau tanda hubung, diawali huruf atau angka"})
    if role in (ADMIN_ROLE, DESIGNER_ROLE):
        raise InvalidData({"role": f"peran '{role}' untuk pengelolaan, bukan untuk menjalankan lajur"})
    if not process_deployed(alur, org, process_id):
        raise NotFound(f"process '{process_id}' is not deployed")
    with db.transaction(alur.sessions) as session:
        row = session.get(LaneRole, (org, process_id, lane))
        if row is None:
            raise NotFound(f"process '{process_id}' has no lane '{lane}'")
        if row.role == role:
            return 0
        previous, row.role = row.role, role
        tasks = session.scalars(select(HumanTask).where(
            HumanTask.org == org, HumanTask.process_id == process_id, HumanTask.lane == lane,
            HumanTask.status == "ready")).all()
        holders = set(session.scalars(
            select(User.username).join(UserRole, UserRole.user_id == User.id)
            .where(User.org == org, UserRole.role == role)))
        for task in tasks:
            task.role = role
            if task.claimed_by is not None and task.claimed_by not in holders:
                task.claimed_by, task.claimed_at = None, None
        _audit(session, actor, "lane_role", {"lane": lane, "from": previous, "to": role, "tasks": len(tasks)},
               process_id=process_id, org=org)
        return len(tasks)


def _member(session, org: str, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username, User.org == org)).first()
    if user is None:
        raise NotFound(f"user '{username}' does not exist")
    return user


def _check_password(password: str, errors: dict[str, str]) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"minimal {MIN_PASSWORD_LENGTH} karakter"
    elif len(password) > 200:
        errors["password"] = "maksimal 200 karakter"


def _audit(session, actor: str, action: str, data: dict, process_id: str | None = None,
           org: str | None = None) -> None:
    session.add(AuditEntry(at=utcnow(), actor=actor, action=action, process_id=process_id, org=org, data=data))

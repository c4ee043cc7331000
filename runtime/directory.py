"""Who is who: organisations, their users and the roles they hold, and which role performs each lane.

The engine asks it who a user is (`member`) and which role performs a lane
(`lane_roles`) before starting, claiming or showing anything; the CLI, the demo
and the tests fill it. It imports nothing of the engine, so that engine.py can
import it. The audited administration an organisation's admin does from the web
app (users, passwords, lane mappings) is in runtime/accounts.py.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from . import access, db
from . import statements as sql
from .access import Actor
from .errors import AlurError, Conflict, NotFound
from .models import DEFAULT_ORG, Instance, LaneRole, Organisation, ProcessVersion, User, UserRole, utcnow

if TYPE_CHECKING:
    from .engine import Alur


def add_organisation(alur: Alur, slug: str, name: str) -> None:
    """Create an organisation (or rename it)."""
    with db.transaction(alur.sessions) as session:
        row = session.get(Organisation, slug)
        if row is None:
            session.add(Organisation(slug=slug, name=name))
        else:
            row.name = name


def organisations(alur: Alur) -> list[dict]:
    """Every organisation: slug and name."""
    with alur.sessions() as session:
        return [{"slug": o.slug, "name": o.name}
                for o in session.scalars(select(Organisation).order_by(Organisation.slug))]


def namespace_owner(session, username: str) -> str | None:
    """The organisation whose namespace `username` is in: the one whose slug comes before the
    name's first "." ("sulteng-diskukm.budi"); None for a name outside every organisation's."""
    prefix, dot, _ = username.partition(".")
    if not dot:
        return None
    return prefix if session.get(Organisation, prefix) is not None else None


def add_user(alur: Alur, username: str, roles: list[str], display_name: str | None = None,
             password_hash: str | None = None, org: str = DEFAULT_ORG, nip: str | None = None,
             jabatan: str | None = None, email: str | None = None, notify_email: bool | None = None) -> None:
    """Create a user of organisation `org` (or add roles to an existing one of that organisation;
    a new password hash then ends the user's sessions; a full name, NIP or jabatan given replaces
    the one stored; so does an e-mail address, and `notify_email` when not None). A name in another
    organisation's namespace ("kalbar-diskukm.x" for org sulteng-diskukm) is refused (Conflict); a NIP
    that is not 18 digits, or an e-mail address that is not one, is InvalidData."""
    from .people import clean_email, clean_profile

    nip, jabatan = clean_profile(nip, jabatan)
    email = clean_email(email)
    with db.transaction(alur.sessions) as session:
        if session.get(Organisation, org) is None:
            if org != DEFAULT_ORG:
                raise NotFound(f"organisation '{org}' does not exist")
            session.add(Organisation(slug=DEFAULT_ORG, name="Organisasi bawaan"))
            session.flush()
        owner = namespace_owner(session, username)
        if owner not in (None, org):
            raise Conflict(f"user name '{username}' is in the namespace of organisation '{owner}', not '{org}'")
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = User(username=username, display_name=display_name or username, password_hash=password_hash,
                        org=org, nip=nip, jabatan=jabatan, email=email,
                        notify_email=True if notify_email is None else notify_email)
            session.add(user)
            session.flush()
        elif user.org != org:
            raise Conflict(f"user '{username}' belongs to organisation '{user.org}', not '{org}'")
        else:
            for column, value in (("display_name", display_name), ("nip", nip), ("jabatan", jabatan),
                                  ("email", email)):
                if value:
                    setattr(user, column, value)
            if notify_email is not None:
                user.notify_email = notify_email
        if password_hash and password_hash != user.password_hash:
            user.password_hash = password_hash
            session.execute(sql.end_sessions_of_user, {"owner_id": user.id, "now": utcnow()})
        have = set(session.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))
        for role in roles:
            if role not in have:
                session.add(UserRole(user_id=user.id, role=role))


def member(alur: Alur, username: str, session=None) -> tuple[str | None, set[str]]:
    """(organisation, roles) of a user; (None, empty set) for an unknown user. Read in `session` if given."""
    if session is None:
        with alur.sessions() as own:
            return member(alur, username, own)
    rows = session.execute(sql.account_by_name, {"username": username}).all()
    if not rows:
        return None, set()
    return rows[0].org, {row.role for row in rows if row.role is not None}


def actor(alur: Alur, username: str, session=None) -> Actor:
    """The actor `username` is: a user with their organisation and roles (read in `session` if given),
    or, for a name that is no user's, an actor of no organisation who may do nothing."""
    org, roles = member(alur, username, session)
    return Actor.user(username, org, roles)


def lane_roles(alur: Alur, org: str, process_id: str, session=None) -> dict[str, str]:
    """lane -> the role that performs it, for every lane of process `process_id` of organisation `org`.

    Read in `session` if given."""
    query = select(LaneRole.lane, LaneRole.role).where(LaneRole.org == org, LaneRole.process_id == process_id)
    if session is not None:
        return dict(session.execute(query).all())
    with alur.sessions() as own:
        return dict(own.execute(query).all())


def set_lane_role(alur: Alur, org: str, process_id: str, lane: str, role: str) -> None:
    """Map a lane of process `process_id` of organisation `org` to the role that performs it."""
    with db.transaction(alur.sessions) as session:
        row = session.get(LaneRole, (org, process_id, lane))
        if row is None:
            raise NotFound(f"process '{process_id}' has no lane '{lane}'")
        row.role = role


def may_see(alur: Alur, session, actor: Actor, org: str, process_id: str) -> bool:
    """True when `actor` may see an instance of process `process_id` of organisation `org`
    (access.may_see_instance, over the roles of the process's lanes, read in `session`)."""
    return access.may_see_instance(actor, org, lane_roles(alur, org, process_id, session).values())


def process_organisation(alur: Alur, process_id: str, org: str | None = None) -> str:
    """The organisation whose process `process_id` an operator means (the CLI, acting as the system).

    `org` when given (NotFound unless it has deployed that id); else the one organisation
    that has. When several have, AlurError names them and asks for one: an operator sees
    every organisation (`alur processes`), so naming them tells nothing new.
    """
    holders = organisations_with_process(alur, process_id)
    if org is not None:
        if org not in holders:
            raise NotFound(f"process '{process_id}' is not deployed in organisation '{org}'")
        return org
    if not holders:
        raise NotFound(f"process '{process_id}' is not deployed")
    if len(holders) > 1:
        raise AlurError(f"process '{process_id}' is deployed by {len(holders)} organisations "
                        f"({', '.join(holders)}); name one with --org")
    return holders[0]


def organisations_with_process(alur: Alur, process_id: str) -> list[str]:
    """The organisations that have deployed a process of id `process_id`, by slug (for operators:
    the CLI resolves a process id this way when no organisation is named)."""
    with alur.sessions() as session:
        return list(session.scalars(select(ProcessVersion.org).where(ProcessVersion.process_id == process_id)
                                    .distinct().order_by(ProcessVersion.org)))

"""Browser sessions kept in the database, so that logging out really ends them.

The browser's cookie carries only a random session id; the `user_sessions` row
keeps its SHA-256 (a stolen database does not give working cookies), the user,
when it was opened and last used, and a short description of the device. A
session ends

- on logout (`end_session`), on "keluar dari semua perangkat" (`end_all_sessions`)
  and when the user's password is changed (by themself or by an admin: the
  password functions run `statements.end_sessions_of_user` in their transaction);
- after IDLE_TIMEOUT without a request and ABSOLUTE_TIMEOUT after it was opened.

Every request resumes its session here (`resume`), so an ended session is
refused by every worker at once. No Flask here: the web app passes the clock.
"""
from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, bindparam, delete, select, update

from . import db
from . import statements as sql
from .accounts import Account, accounts_of_rows
from .engine import Alur, NotFound
from .models import User, UserRole, UserSession, utcnow

IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=10)
# The last-seen time is written at most this often (one write a minute per active user, not one
# per request); the idle timeout is therefore measured to within this much.
SEEN_RESOLUTION = timedelta(minutes=1)
USER_AGENT_LENGTH = 200
ADDRESS_LENGTH = 100

_sessions = cast(Table, UserSession.__table__)  # a declarative class's table

# The session (not ended) with the account it belongs to, one row per role. Param: id_hash.
_resume = (
    select(_sessions.c.id, _sessions.c.last_seen_at, _sessions.c.expires_at,
           User.username, User.display_name, User.password_hash, User.org, UserRole.role)
    .join(User, User.id == _sessions.c.user_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(_sessions.c.id_hash == bindparam("id_hash"), _sessions.c.revoked_at.is_(None))
)
_touch = (update(_sessions).where(_sessions.c.id == bindparam("row_id"), _sessions.c.revoked_at.is_(None))
          .values(last_seen_at=bindparam("now")))
_end = (update(_sessions).where(_sessions.c.id_hash == bindparam("hash_of_id"), _sessions.c.revoked_at.is_(None))
        .values(revoked_at=bindparam("now")))


class SessionState(enum.Enum):
    ACTIVE = "active"
    EXPIRED = "expired"  # idle too long or past its absolute lifetime
    ENDED = "ended"  # logged out, ended from another device, password changed, or never existed


@dataclass
class Resumed:
    state: SessionState
    account: Account | None = None


@dataclass
class SessionInfo:
    """One open session of a user, as the account page lists it."""

    created_at: datetime
    last_seen_at: datetime
    user_agent: str
    address: str
    current: bool


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def _printable(text: str | None, length: int) -> str:
    """A header value cut to `length` with control characters dropped (it is only shown to the user)."""
    return "".join(c for c in (text or "") if c.isprintable())[:length]


def _usable(now: datetime):
    """SQL condition: a session that is neither ended nor expired at `now`."""
    return and_(_sessions.c.revoked_at.is_(None), _sessions.c.expires_at > now,
                _sessions.c.last_seen_at > now - IDLE_TIMEOUT)


def open_session(alur: Alur, username: str, user_agent: str | None, address: str | None,
                 now: datetime | None = None) -> str:
    """Open a session for `username` (just authenticated); returns its id, for the cookie only.

    The user's sessions that can no longer be used are deleted in the same transaction,
    so the table holds about one row per open session.
    """
    now = now or utcnow()
    session_id = secrets.token_urlsafe(32)
    with db.transaction(alur.sessions) as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        if user_id is None:
            raise NotFound(f"user '{username}' does not exist")
        session.execute(delete(UserSession).where(UserSession.user_id == user_id, ~_usable(now)))
        session.add(UserSession(id_hash=_digest(session_id), user_id=user_id, created_at=now, last_seen_at=now,
                                expires_at=now + ABSOLUTE_TIMEOUT,
                                user_agent=_printable(user_agent, USER_AGENT_LENGTH),
                                address=_printable(address, ADDRESS_LENGTH)))
    return session_id


def resume(alur: Alur, session_id: str, now: datetime | None = None) -> Resumed:
    """The account of an active session, with its current roles; or why there is none.

    Marks the session as seen (at most once per SEEN_RESOLUTION); an expired one is ended.
    """
    now = now or utcnow()
    id_hash = _digest(session_id)
    with db.read_connection(alur.db) as connection:
        rows = connection.execute(_resume, {"id_hash": id_hash}).all()
    if not rows:
        return Resumed(SessionState.ENDED)
    row_id, last_seen, expires = rows[0][:3]
    if now >= expires or now - last_seen >= IDLE_TIMEOUT:
        end_session(alur, session_id, now)
        return Resumed(SessionState.EXPIRED)
    if now - last_seen >= SEEN_RESOLUTION:
        with db.write_connection(alur.db) as connection:
            connection.execute(_touch, {"row_id": row_id, "now": now})
    return Resumed(SessionState.ACTIVE, accounts_of_rows(row[3:] for row in rows)[0])


def end_session(alur: Alur, session_id: str, now: datetime | None = None) -> None:
    """End one session (logout); nothing happens if it already ended."""
    with db.write_connection(alur.db) as connection:
        connection.execute(_end, {"hash_of_id": _digest(session_id), "now": now or utcnow()})


def end_all_sessions(alur: Alur, username: str, now: datetime | None = None) -> int:
    """End every open session of `username` (on every device); returns how many were open."""
    now = now or utcnow()
    with db.transaction(alur.sessions) as session:
        user_id = session.scalar(select(User.id).where(User.username == username))
        if user_id is None:
            raise NotFound(f"user '{username}' does not exist")
        open_count = len(session.scalars(select(UserSession.id).where(UserSession.user_id == user_id,
                                                                        _usable(now))).all())
        session.execute(sql.end_sessions_of_user, {"owner_id": user_id, "now": now})
        return open_count


def active_sessions(alur: Alur, username: str, current: str | None = None,
                    now: datetime | None = None) -> list[SessionInfo]:
    """The user's open sessions, most recently used first; `current` (a session id) is marked."""
    now = now or utcnow()
    current_hash = _digest(current) if current else None
    with alur.sessions() as session:
        rows = session.scalars(
            select(UserSession).join(User, User.id == UserSession.user_id)
            .where(User.username == username, _usable(now))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        ).all()
        return [SessionInfo(r.created_at, r.last_seen_at, r.user_agent, r.address, r.id_hash == current_hash)
                for r in rows]


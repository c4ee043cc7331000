"""Personal API tokens: how another system calls the JSON API as a user without their password.

A token is shown once, when it is made; only its SHA-256 is stored, so
checking one is a hash and an index lookup (a password check is a deliberately
slow scrypt). A token acts as its user, with the user's current roles and
organisation, until it is revoked. Making and revoking tokens are audited.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from . import db
from . import statements as sql
from .accounts import Account, find_account
from .engine import Alur, InvalidData, NotFound
from .models import ApiToken, AuditEntry, User, utcnow

PREFIX = "alur_"
MAX_NAME_LENGTH = 100
MAX_ACTIVE_TOKENS = 20  # per user


@dataclass
class TokenInfo:
    id: int
    name: str
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _info(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.prefix, row.created_at, row.revoked_at)


def _user(session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"user {username} does not exist")
    return user


def create_token(alur: Alur, username: str, name: str, actor: str | None = None) -> tuple[str, TokenInfo]:
    """Make a token for `username` named `name`; returns (the token, shown only now, its record)."""
    name = name.strip()
    if not name:
        raise InvalidData({"name": "wajib diisi"})
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidData({"name": f"paling banyak {MAX_NAME_LENGTH} karakter"})
    token = PREFIX + secrets.token_urlsafe(32)
    with db.transaction(alur.sessions) as session:
        user = _user(session, username)
        active = session.scalars(select(ApiToken.id).where(ApiToken.user_id == user.id,
                                                            ApiToken.revoked_at.is_(None))).all()
        if len(active) >= MAX_ACTIVE_TOKENS:
            raise InvalidData({"name": f"paling banyak {MAX_ACTIVE_TOKENS} token aktif; "
                                       "cabut yang tidak dipakai lagi"})
        row = ApiToken(user_id=user.id, name=name, token_hash=_digest(token), prefix=token[:len(PREFIX) + 6],
                       created_at=utcnow())
        session.add(row)
        session.flush()
        session.add(AuditEntry(at=utcnow(), actor=actor or username, action="token_create",
                               data={"user": username, "token": row.id, "name": name}))
        return token, _info(row)


def tokens_of(alur: Alur, username: str) -> list[TokenInfo]:
    """The user's tokens, newest first (revoked ones included)."""
    with alur.sessions() as session:
        user = _user(session, username)
        rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                               .order_by(ApiToken.id.desc()))
        return [_info(row) for row in rows]


def revoke_token(alur: Alur, username: str, token_id: int, actor: str | None = None) -> TokenInfo:
    """Revoke one of `username`'s tokens; another user's token is not found."""
    with db.transaction(alur.sessions) as session:
        user = _user(session, username)
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != user.id:
            raise NotFound(f"token {token_id} does not exist")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            session.add(AuditEntry(at=utcnow(), actor=actor or username, action="token_revoke",
                                   data={"user": username, "token": row.id, "name": row.name}))
        return _info(row)


def authenticate_token(alur: Alur, token: str) -> Account | None:
    """The account a valid, unrevoked token acts as; None for anything else."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    return find_account(alur, sql.account_by_token, token_hash=_digest(token))

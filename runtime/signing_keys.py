"""The secret that signs the session and device cookies, shared by every server of one database.

Several app servers behind a load balancer must sign cookies with the same key, or a session
made on one is refused by the others. The key comes from, in this order:

1. `ALUR_SECRET_KEY` in the environment (at least 32 characters), with older keys still accepted
   listed in `ALUR_SECRET_KEY_FALLBACKS` (comma-separated): rotation is then the operator's;
2. the `signing_keys` table: made once on the first start (under a lock, so servers starting
   together make one), and rotated by `alur secret rotate`. The newest key signs; a retired one
   is still accepted for reading until every cookie it signed has expired (KEEP_RETIRED).

A key kept in `instance/secret_key` by an older Alur is moved into the table on the first start
(as the signing key, or as a retired one when the table already has a key), so that the sessions
it signed survive the upgrade; the file is then removed.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import cast

from sqlalchemy import Table, delete, insert, or_, select, update
from sqlalchemy.engine import Engine

from . import db
from .engine import AlurError
from .models import SigningKey
from .sessions import ABSOLUTE_TIMEOUT

# A retired key is accepted this long after its retirement: the lifetime of the longest-lived
# session cookie it may have signed (a session ends at the latest ABSOLUTE_TIMEOUT after login).
KEEP_RETIRED = ABSOLUTE_TIMEOUT
MIN_LENGTH = 32
LOCK = "alur:signing-keys"
# How often a running server reads the keys again, so that a rotation reaches every server without a restart.
REFRESH_SECONDS = 60

_keys = cast(Table, SigningKey.__table__)  # a declarative class's table


@dataclass(frozen=True)
class Keys:
    """The key to sign with, and the older keys still accepted (newest first)."""

    current: str
    fallbacks: tuple[str, ...] = ()
    source: str = "database"  # "database" | "environment"


def from_environment(env) -> Keys | None:
    """The keys ALUR_SECRET_KEY and ALUR_SECRET_KEY_FALLBACKS give, or None when ALUR_SECRET_KEY is unset."""
    current = (env.get("ALUR_SECRET_KEY") or "").strip()
    if not current:
        return None
    if len(current) < MIN_LENGTH:
        raise ValueError(f"ALUR_SECRET_KEY must be at least {MIN_LENGTH} characters long (it has {len(current)}); "
                         "make one with: python3 -c 'import secrets; print(secrets.token_hex(32))'")
    fallbacks = tuple(k.strip() for k in (env.get("ALUR_SECRET_KEY_FALLBACKS") or "").split(",") if k.strip())
    return Keys(current, fallbacks, source="environment")


def _new_secret() -> str:
    return secrets.token_hex(32)


def ensure(engine: Engine, now: datetime, legacy_file: Path | None = None) -> None:
    """Make sure the table has a signing key, taking over `legacy_file` (instance/secret_key) if it exists.

    Race-safe: the check and the insert run in one write transaction under a lock (PostgreSQL:
    an advisory lock; SQLite: its one write lock), so servers starting together make one key.
    """
    legacy = None
    if legacy_file is not None and legacy_file.is_file():
        legacy = legacy_file.read_text().strip() or None
    with db.write_connection(engine) as connection:
        db.lock(connection, LOCK)
        rows = connection.execute(select(_keys.c.secret, _keys.c.retired_at)).all()
        has_current = any(row.retired_at is None for row in rows)
        if legacy is not None and legacy not in {row.secret for row in rows}:
            # The first server to start signs with its old key; any other server's old key stays
            # readable until its sessions have expired.
            connection.execute(insert(_keys), {"secret": legacy, "created_at": now,
                                               "retired_at": now if has_current else None})
            has_current = True
        if not has_current:
            connection.execute(insert(_keys), {"secret": _new_secret(), "created_at": now, "retired_at": None})
    if legacy is not None and legacy_file is not None:
        legacy_file.unlink(missing_ok=True)  # in the database now: no copy of a secret lies about


def active(engine: Engine, now: datetime) -> Keys:
    """The key to sign with and the retired ones still accepted, as stored (see `ensure`)."""
    with db.read_connection(engine) as connection:
        rows = connection.execute(
            select(_keys.c.secret, _keys.c.retired_at)
            .where(or_(_keys.c.retired_at.is_(None), _keys.c.retired_at > now - KEEP_RETIRED))
            .order_by(_keys.c.id.desc())).all()
    current = [row.secret for row in rows if row.retired_at is None]
    if not current:
        raise AlurError("no signing key in the database; start the app once (it makes one) or run alur secret rotate")
    return Keys(current[0], tuple(row.secret for row in rows if row.retired_at is not None))


def rotate(engine: Engine, now: datetime) -> datetime:
    """Make a new signing key; the old one stays accepted until the returned time. Keys retired
    longer ago than KEEP_RETIRED are deleted."""
    with db.write_connection(engine) as connection:
        db.lock(connection, LOCK)
        connection.execute(update(_keys).where(_keys.c.retired_at.is_(None)).values(retired_at=now))
        connection.execute(delete(_keys).where(_keys.c.retired_at <= now - KEEP_RETIRED))
        connection.execute(insert(_keys), {"secret": _new_secret(), "created_at": now, "retired_at": None})
    return now + KEEP_RETIRED

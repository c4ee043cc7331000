"""Login throttling per (user name, client), with backoff, and per client.

A lock-out per user name would let anyone lock a person out of their own
account by typing wrong passwords for it. Failures are therefore counted per
pair of user name and *client*, so that failures from one place never slow
down logins of the same name from another:

- a pair has FREE_FAILURES free failures; after that each attempt waits
  FIRST_DELAY after the pair's last failure, doubling with each further
  failure up to MAX_DELAY. The pair's failures are forgotten after a login
  of that pair succeeds, or after PAIR_MEMORY;
- a client that failed CLIENT_FAILURES times within CLIENT_WINDOW, over any
  user names, waits until the oldest of those leaves the window (one place
  trying many names).

The client is the network address (an IPv6 address counts as its /64, which
one machine usually holds whole) or, when the browser carries a device cookie
(issued by the web app after a successful login of that user name), that
device: a user's own browser is then a client of its own, even behind the
same NAT as the one who guesses. Attempts refused while waiting are not
counted (they check no password). Failures are rows of `login_failures`, so
every worker sees them.
"""
from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, delete, func, insert, select

from . import db
from .engine import Alur
from .models import LoginFailure, utcnow

FREE_FAILURES = 5
FIRST_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(minutes=15)
PAIR_MEMORY = timedelta(hours=24)
CLIENT_FAILURES = 50
CLIENT_WINDOW = timedelta(minutes=15)
KEY_LENGTH = 200
DEVICE_PREFIX = "perangkat:"

_failures = cast(Table, LoginFailure.__table__)  # a declarative class's table
_pair = (select(func.count(), func.max(_failures.c.at))
         .where(_failures.c.username == bindparam("username"), _failures.c.client == bindparam("client"),
                _failures.c.at >= bindparam("since")))
# The CLIENT_FAILURES-th newest failure of a client within the window: while there is one, the
# client is over its limit, until that failure leaves the window.
_client_limit_reached_at = (
    select(_failures.c.at).where(_failures.c.client == bindparam("client"), _failures.c.at > bindparam("since"))
    .order_by(_failures.c.at.desc()).limit(1).offset(CLIENT_FAILURES - 1)
)


@dataclass(frozen=True)
class Verdict:
    """Whether a login attempt may check its password now; if not, for how long it must wait and why."""

    allowed: bool
    wait_seconds: int = 0
    reason: str | None = None  # "pair" (this user name from this client) or "client" (many names)
    pair_failures: int = 0


def client_of_address(address: str | None) -> str:
    """The throttling key of a network address: IPv4 as it is, IPv6 as its /64 network."""
    if not address:
        return "-"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:KEY_LENGTH]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def device_client(device_id: str) -> str:
    """The throttling key of a trusted device (a valid device cookie)."""
    return (DEVICE_PREFIX + device_id)[:KEY_LENGTH]


def _key(username: str) -> str:
    return username.strip().lower()[:KEY_LENGTH]


def pair_delay(failures: int) -> timedelta:
    """How long after its last failure a pair with `failures` failures waits (zero while free)."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    doublings = failures - FREE_FAILURES
    if doublings >= 32:  # far past the cap; keeps the power small
        return MAX_DELAY
    return min(FIRST_DELAY * 2 ** doublings, MAX_DELAY)


def check(alur: Alur, username: str, client: str, now: datetime | None = None) -> Verdict:
    """May `username` try a password from `client` now?"""
    now = now or utcnow()
    with db.read_connection(alur.db) as connection:
        failures, last = connection.execute(
            _pair, {"username": _key(username), "client": client, "since": now - PAIR_MEMORY}).one()
        reached = connection.scalar(_client_limit_reached_at, {"client": client, "since": now - CLIENT_WINDOW})
    waits = []
    if failures and last is not None:
        until = last + pair_delay(failures)
        if until > now:
            waits.append((until, "pair"))
    if reached is not None:
        waits.append((reached + CLIENT_WINDOW, "client"))
    if not waits:
        return Verdict(True, pair_failures=failures)
    until, reason = max(waits)
    return Verdict(False, max(1, math.ceil((until - now).total_seconds())), reason, failures)


def record_failure(alur: Alur, username: str, client: str, now: datetime | None = None) -> None:
    """Count a failed login of `username` from `client`; failures older than PAIR_MEMORY are deleted."""
    now = now or utcnow()
    with db.write_connection(alur.db) as connection:
        connection.execute(delete(_failures).where(_failures.c.at < now - PAIR_MEMORY))
        connection.execute(insert(_failures), {"username": _key(username), "client": client, "at": now})


def record_success(alur: Alur, username: str, client: str) -> None:
    """A login of `username` from `client` succeeded: that pair starts afresh."""
    with db.write_connection(alur.db) as connection:
        connection.execute(delete(_failures).where(_failures.c.username == _key(username),
                                                   _failures.c.client == client))


def describe_wait(seconds: int) -> str:
    """A wait for people to read: "45 detik", "2 menit" (minutes rounded up)."""
    if seconds < 60:
        return f"{seconds} detik"
    return f"{math.ceil(seconds / 60)} menit"

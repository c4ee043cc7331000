"""`alur worker`: the process that tells people about their tasks, pass after pass.

One pass records the notifications of the tasks that became ready (runtime/notifications.py),
mails the users who have pending ones (runtime/mailing.py), and sets the mark "last_pass" that
the metric alur_worker_lag_seconds reads. One worker process per deployment is enough; a second
one (an overlap during a restart, a mistake) sends nothing twice.

Not here yet: timers, escalation of overdue tasks, daily digests.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from . import db, mailing, notifications
from .mailing import MailSettings
from .models import utcnow

log = logging.getLogger("alur.worker")
LAST_PASS = "last_pass"
DEFAULT_INTERVAL_SECONDS = 15.0


@dataclass(frozen=True)
class PassReport:
    """What one pass did."""

    at: datetime
    notifications: int  # new notifications recorded
    mails_sent: int
    notifications_sent: int
    skipped: int
    failed: tuple[str, ...]  # users whose mail could not be sent (kept for the next pass)


def run_pass(alur, settings: MailSettings, now: datetime | None = None) -> PassReport:
    """Fan out and mail once, then set the mark "last_pass"."""
    now = now or utcnow()
    made = notifications.fan_out(alur, now)
    mailed = mailing.mail_pending(alur, settings, now)
    with db.transaction(alur.sessions) as session:
        notifications.set_mark(session, LAST_PASS, now)
    return PassReport(now, made, mailed.mails_sent, mailed.notifications_sent, mailed.skipped, tuple(mailed.failed))


def run_forever(alur, settings: MailSettings, interval_seconds: float, stop: threading.Event,
                on_pass=None) -> None:
    """A pass every `interval_seconds` until `stop` is set. A pass that fails (the database is
    unreachable, say) is logged and the next one tries again; `on_pass(report)` is called after each
    pass that did something."""
    while not stop.is_set():
        try:
            report = run_pass(alur, settings)
        except Exception:  # the worker outlives a database restart; the next pass tries again
            log.exception("worker pass failed; trying again in %s s", interval_seconds)
        else:
            if on_pass is not None and (report.notifications or report.mails_sent or report.failed):
                on_pass(report)
        stop.wait(interval_seconds)

"""The worker's mail: one message per user for the tasks waiting for them, in Bahasa Indonesia.

For each user with pending notifications (runtime/notifications.py), in three steps:

1. in one transaction, lock the user's mailbox row (PostgreSQL: FOR UPDATE SKIP LOCKED, so a
   second worker goes on to the next user instead of waiting; SQLite has one writer anyway),
   then mark "skipped" the notifications whose task is no longer the user's to do (done,
   cancelled, claimed by someone else) and "claimed" those of tasks still ready, and note the
   time of the mail. A user mailed less than MIN_INTERVAL ago is left for a later pass: the tasks
   that become ready meanwhile go out together in the next mail. The commit ends the lock.
2. send the mail (no transaction is open while the SMTP server answers);
3. mark the claimed notifications "sent"; if the SMTP server refused or could not be reached,
   put them back to "pending" and the mailbox's time back as it was, so the next pass sends them.

Two workers never send the same notification: only the one that moved it from pending to claimed
under the mailbox lock sends it. A worker killed between steps 1 and 3 leaves its notifications
claimed; after CLAIM_TIMEOUT they are pending again and sent by the next pass (at least once: the
killed worker may have sent them already).
"""
from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from email.message import EmailMessage
from email.utils import formataddr, format_datetime, make_msgid
from typing import cast
from urllib.parse import unquote, urlsplit

from sqlalchemy import Table, select, update

from . import db, local_time
from .errors import AlurError
from .models import HumanTask, Instance, Mailbox, Notification, ProcessVersion, User
from .notifications import insert_ignoring_duplicates

log = logging.getLogger("alur.worker")

MIN_INTERVAL = timedelta(minutes=1)  # at most one mail per user per minute
CLAIM_TIMEOUT = timedelta(minutes=10)  # a claim older than this was left by a worker that died
SMTP_TIMEOUT_SECONDS = 30

notifications = cast(Table, Notification.__table__)
mailboxes = cast(Table, Mailbox.__table__)


class MailSettingsError(AlurError):
    """The worker's mail settings are missing or malformed."""


@dataclass(frozen=True)
class MailSettings:
    """Where and how the worker sends mail: ALUR_SMTP_URL, ALUR_SMTP_FROM, ALUR_BASE_URL."""

    host: str
    port: int
    tls: bool  # smtps:// (TLS from the first byte); smtp:// is plain
    username: str | None
    password: str | None
    sender: str
    base_url: str  # the web app's address, for the links to the tasks

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "MailSettings":
        """The settings from the environment; MailSettingsError names what is missing or wrong."""
        url = (env.get("ALUR_SMTP_URL") or "").strip()
        sender = (env.get("ALUR_SMTP_FROM") or "").strip()
        base_url = (env.get("ALUR_BASE_URL") or "").strip().rstrip("/")
        missing = [name for name, value in (("ALUR_SMTP_URL", url), ("ALUR_SMTP_FROM", sender),
                                            ("ALUR_BASE_URL", base_url)) if not value]
        if missing:
            raise MailSettingsError(f"the worker needs {', '.join(missing)} (see README, Production set-up)")
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailSettingsError("ALUR_SMTP_URL must be smtp://[USER:PASSWORD@]HOST[:PORT] or smtps://...")
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
        except ValueError:
            raise MailSettingsError("ALUR_SMTP_URL has a port that is not a number from 1 to 65535") from None
        if "@" not in sender or any(c.isspace() for c in sender.rpartition("<")[2]):
            raise MailSettingsError(f"ALUR_SMTP_FROM must be an e-mail address, not {sender[:80]!r}")
        base = urlsplit(base_url)
        if base.scheme not in ("http", "https") or not base.netloc:
            raise MailSettingsError(f"ALUR_BASE_URL must be the app's http(s):// address, not {base_url[:80]!r}")
        return cls(host=parts.hostname, port=port, tls=parts.scheme == "smtps",
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password is not None else None,
                   sender=sender, base_url=base_url)


def send(settings: MailSettings, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server; raises OSError or smtplib.SMTPException when it is not taken."""
    client: smtplib.SMTP
    if settings.tls:
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS,
                                  context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=SMTP_TIMEOUT_SECONDS)
    with client:
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(message)


@dataclass(frozen=True)
class WaitingTask:
    """A task as the mail lists it."""

    id: str
    name: str
    process_name: str
    perihal: str
    nomor: str | None
    due_at: datetime | None


def compose(settings: MailSettings, zone: tzinfo, name: str, address: str, tasks: list[WaitingTask],
            now: datetime) -> EmailMessage:
    """The mail telling `name` (at `address`) that `tasks` wait for them."""
    name = " ".join(name.split())  # a header holds one line
    message = EmailMessage()
    message["Subject"] = f"Alur: {len(tasks)} tugas baru menunggu Anda"
    message["From"] = settings.sender
    message["To"] = formataddr((name, address))
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=urlsplit(settings.base_url).hostname or None)
    lines = [f"Yth. {name},", "", "Tugas berikut menunggu Anda di Alur:", ""]
    for task in tasks:  # a task's name carries its SOP step number ("1. Memerintahkan ...")
        perihal = task.perihal or "(tanpa perihal)"
        lines.append(f"- {task.name}")
        lines.append(f"  Perihal: {perihal}" + (f" (Nomor {task.nomor})" if task.nomor else ""))
        lines.append(f"  SOP: {task.process_name}")
        lines.append(f"  Batas waktu: {local_time.waktu(task.due_at, zone) if task.due_at else 'tidak ada'}")
        lines.append(f"  Buka: {settings.base_url}/tugas/{task.id}")
        lines.append("")
    lines += ["Pesan ini dikirim otomatis oleh Alur; tidak perlu dibalas."]
    message.set_content("\n".join(lines) + "\n")
    return message


@dataclass
class MailReport:
    """What one mailing pass did."""

    mails_sent: int = 0
    notifications_sent: int = 0
    skipped: int = 0  # notifications of tasks no longer the user's, or of users who get no mail
    failed: list[str] = field(default_factory=list)  # users whose mail the SMTP server did not take


def mail_pending(alur, settings: MailSettings, now: datetime) -> MailReport:
    """Mail every user with pending notifications (at most one mail per user per MIN_INTERVAL).

    When the SMTP server cannot be reached or fails, the pass stops there: the users not yet
    mailed stay pending for the next pass (rather than each waiting for a server that is down). A
    mail the server refuses for good (its recipient or its content, a 5xx answer) has its
    notifications marked skipped; one whose recipient it refuses for now (4xx) stays pending; in
    both cases the pass goes on with the next user.
    """
    report = MailReport()
    _release_stale_claims(alur, now)
    with db.read_connection(alur.db) as connection:
        usernames = connection.execute(
            select(notifications.c.username).where(notifications.c.mail_state == "pending")
            .distinct().order_by(notifications.c.username)).scalars().all()
    for username in usernames:
        if not _mail_user(alur, settings, username, now, report):
            break
    return report


def _release_stale_claims(alur, now: datetime) -> None:
    with db.transaction(alur.sessions) as session:
        session.execute(update(notifications)
                        .where(notifications.c.mail_state == "claimed", notifications.c.mail_at < now - CLAIM_TIMEOUT)
                        .values(mail_state="pending", mail_at=None))


def _mail_user(alur, settings: MailSettings, username: str, now: datetime, report: MailReport) -> bool:
    """Steps 1-3 for one user; False when the SMTP server could not take the mail (stop the pass)."""
    claimed = _claim(alur, settings, username, now, report)
    if claimed is None:
        return True
    ids, previous, message = claimed
    try:
        send(settings, message)
    except (OSError, smtplib.SMTPException) as exc:
        if _refused_for_good(exc):
            log.warning("mail to %s refused for good, its notifications skipped: %s", username, exc)
            _finish(alur, ids, "skipped", now)
            report.skipped += len(ids)
            return True
        log.warning("mail to %s not sent, kept for the next pass: %s", username, exc)
        _release(alur, username, ids, previous, now)
        report.failed.append(username)
        # A recipient refused for now (mailbox full) is that user's trouble alone; anything else is the server's.
        return isinstance(exc, smtplib.SMTPRecipientsRefused)
    _finish(alur, ids, "sent", now)
    report.mails_sent += 1
    report.notifications_sent += len(ids)
    return True


def _refused_for_good(exc: Exception) -> bool:
    """Whether the server refused this one mail for good (its recipient or its content, a 5xx answer):
    sending it again would fail again, while the other users' mails may go."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return True  # an address the server cannot take (it needs SMTPUTF8)
    return isinstance(exc, smtplib.SMTPDataError) and exc.smtp_code >= 500


def _finish(alur, ids: list[int], state: str, now: datetime) -> None:
    """Step 3: the claimed notifications `ids` are now `state` (sent, or skipped)."""
    with db.transaction(alur.sessions) as session:
        session.execute(update(notifications)
                        .where(notifications.c.id.in_(ids), notifications.c.mail_state == "claimed")
                        .values(mail_state=state, mail_at=now))


def _release(alur, username: str, ids: list[int], previous: datetime | None, now: datetime) -> None:
    """Step 3 when the mail did not go: the notifications pending again, the mailbox's time as it was."""
    with db.transaction(alur.sessions) as session:
        session.execute(update(notifications)
                        .where(notifications.c.id.in_(ids), notifications.c.mail_state == "claimed")
                        .values(mail_state="pending", mail_at=None))
        session.execute(update(mailboxes).where(mailboxes.c.username == username, mailboxes.c.last_mailed_at == now)
                        .values(last_mailed_at=previous))


def _claim(alur, settings: MailSettings, username: str, now: datetime,
           report: MailReport) -> tuple[list[int], datetime | None, EmailMessage] | None:
    """Step 1 for one user: (claimed notification ids, the mailbox's previous time, the mail), or None
    when there is nothing to send now (another worker has the mailbox, the last mail is too recent,
    nothing pending is still the user's to do)."""
    with db.transaction(alur.sessions) as session:
        insert_ignoring_duplicates(session, mailboxes, [{"username": username, "last_mailed_at": None}], ["username"])
        box = session.execute(select(mailboxes.c.last_mailed_at).where(mailboxes.c.username == username)
                              .with_for_update(skip_locked=True)).first()
        if box is None:
            return None  # another worker is mailing this user
        previous = box.last_mailed_at
        if previous is not None and now - previous < MIN_INTERVAL:
            return None
        user = session.execute(select(User.display_name, User.email, User.notify_email)
                               .where(User.username == username)).first()
        # Outer joins: a notification whose task row is gone (none are deleted today) is skipped, not kept
        # pending for ever.
        pending = session.execute(
            select(notifications.c.id, HumanTask.id.label("task_id"), HumanTask.status, HumanTask.claimed_by,
                   HumanTask.name, HumanTask.due_at, Instance.perihal, Instance.nomor,
                   ProcessVersion.name.label("process_name"))
            .outerjoin(HumanTask, HumanTask.id == notifications.c.task_id)
            .outerjoin(Instance, Instance.id == HumanTask.instance_id)
            .outerjoin(ProcessVersion, ProcessVersion.id == Instance.version_id)
            .where(notifications.c.username == username, notifications.c.mail_state == "pending")
            .order_by(HumanTask.ready_at, notifications.c.id)).all()
        address = user.email if user is not None and user.notify_email else None
        ready = [row for row in pending
                 if address and row.status == "ready" and row.claimed_by in (None, username)]
        ready_ids = [row.id for row in ready]
        gone = [row.id for row in pending if row.id not in set(ready_ids)]
        if gone:
            session.execute(update(notifications).where(notifications.c.id.in_(gone))
                            .values(mail_state="skipped", mail_at=now))
            report.skipped += len(gone)
        if not ready or user is None or address is None:
            return None
        session.execute(update(notifications).where(notifications.c.id.in_(ready_ids))
                        .values(mail_state="claimed", mail_at=now))
        session.execute(update(mailboxes).where(mailboxes.c.username == username).values(last_mailed_at=now))
        tasks = [WaitingTask(row.task_id, row.name, row.process_name, row.perihal, row.nomor, row.due_at)
                 for row in ready]
        try:
            message = compose(settings, alur.settings.calendar.zone, user.display_name or username, address,
                              tasks, now)
        except (ValueError, UnicodeError) as exc:  # an address no header can hold (stored by other means)
            log.warning("no mail can be written to %s, its notifications skipped: %s", username, exc)
            session.execute(update(notifications).where(notifications.c.id.in_(ready_ids))
                            .values(mail_state="skipped", mail_at=now))
            session.execute(update(mailboxes).where(mailboxes.c.username == username).values(last_mailed_at=previous))
            report.skipped += len(ready_ids)
            return None
        return ready_ids, previous, message

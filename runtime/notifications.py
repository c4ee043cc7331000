"""Who is told that a task is ready: the worker's fan-out from the task index to notifications.

Every pass of the worker (runtime/worker.py) looks at the tasks that became ready since its
previous pass and records one notification per task and person who may do it: the user who
claimed it, or else every user of the task's organisation holding the role of its lane. A
notification is made once per task, user and kind (a unique key; a second worker's insert of
the same row is ignored), so passes may overlap and workers may run side by side.

A task's ready time is set by the server that made it ready before its transaction commits:
a slow commit, or a server whose clock is a little behind, can make a task appear with a ready
time just before the last pass. Each pass therefore looks back MARGIN further than its last mark;
the tasks that already have their notifications are passed over by the unique key. The first
pass on a database (no mark yet) looks back MARGIN only: tasks waiting since before the worker
was started are not announced.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, and_, case, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite

from . import db
from .models import HumanTask, Notification, User, UserRole, WorkerMark

MARGIN = timedelta(minutes=5)
FAN_OUT_MARK = "fan_out"
READY = "ready"  # the kind of notification: a task became ready for the user

notifications = cast(Table, Notification.__table__)
marks = cast(Table, WorkerMark.__table__)


def insert_ignoring_duplicates(session, table: Table, rows: list[dict], key: list[str]) -> None:
    """INSERT `rows` into `table`, leaving out those whose `key` columns match a row already there
    (PostgreSQL and SQLite: ON CONFLICT DO NOTHING)."""
    if not rows:
        return
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(dialect.insert(table).values(rows).on_conflict_do_nothing(index_elements=key))


def set_mark(session, name: str, at: datetime) -> None:
    """Move the worker mark `name` on to `at` (made on first use; never moved back). Two workers may
    set the same mark at once: the row is made by an insert that ignores a duplicate."""
    insert_ignoring_duplicates(session, marks, [{"name": name, "at": at}], ["name"])
    session.execute(update(marks).where(marks.c.name == name, marks.c.at < at).values(at=at))


def mark(alur, name: str) -> datetime | None:
    """When the worker mark `name` was last set, or None."""
    with db.read_connection(alur.db) as connection:
        return connection.execute(select(marks.c.at).where(marks.c.name == name)).scalar()


def fan_out(alur, now: datetime) -> int:
    """Record the notifications of the tasks that became ready since the last fan-out (less MARGIN);
    returns how many were new. Runs under a lock, one worker at a time; mail_state is "pending" for
    a user with an e-mail address who has not turned mail off, else "skipped"."""
    with db.transaction(alur.sessions) as session:
        db.lock(session, "alur:notifications")
        last = session.get(WorkerMark, FAN_OUT_MARK)
        since = (last.at if last is not None else now) - MARGIN
        already = exists().where(Notification.task_id == HumanTask.id, Notification.kind == READY)
        tasks = session.execute(
            select(HumanTask.id, HumanTask.org, HumanTask.role, HumanTask.claimed_by)
            .where(HumanTask.ready_at >= since, HumanTask.status == "ready", ~already)).all()
        rows = []
        mailable = case((and_(User.email.is_not(None), User.email != "", User.notify_email), "pending"),
                        else_="skipped")
        for task in tasks:
            if task.claimed_by is not None:
                recipients = select(User.username, mailable).where(User.username == task.claimed_by)
            else:
                recipients = (select(User.username, mailable).join(UserRole, UserRole.user_id == User.id)
                              .where(User.org == task.org, UserRole.role == task.role))
            for username, state in session.execute(recipients):
                rows.append({"org": task.org, "username": username, "task_id": task.id, "kind": READY,
                             "created_at": now, "mail_state": state,
                             "mail_at": now if state == "skipped" else None})
        insert_ignoring_duplicates(session, notifications, rows, ["task_id", "username", "kind"])
        set_mark(session, FAN_OUT_MARK, now)
        return len(rows)

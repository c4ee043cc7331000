"""`alur start|tasks|claim|complete|history`: instances and their tasks."""
from __future__ import annotations

import json
import sys
from textwrap import shorten

import click

from .common import PROCESS_ID_HELP, WholeNumber, command, emit, engine


def _task_line(t) -> str:
    due = t.due_at.isoformat(timespec="minutes") if t.due_at else "-"
    claimed = f" [diambil {t.claimed_by}]" if t.claimed_by else ""
    return f"{t.id}  #{t.instance_id} {t.process_id}  {shorten(t.name, 70, placeholder=' …')}  (lane {t.lane}, tenggat {due}){claimed}"


@command("start")
@click.argument("process_id", help=PROCESS_ID_HELP)
@click.option("--user", required=True, help="who starts it (the process of their organisation)")
@click.option("--perihal", required=True, help="what the case is about (1-500 characters)")
@click.option("--nomor", help="its reference number, if any (at most 100 characters)")
def start(process_id: str, user: str, perihal: str, nomor: str | None) -> int:
    """start an instance"""
    view = engine().start(process_id, user, perihal=perihal, nomor=nomor)
    emit(view.to_dict(), f"instance {view.id} started on {view.process_id} v{view.version}: {view.perihal}"
         + (f" ({view.nomor})" if view.nomor else "") + "\n"
         + "\n".join(_task_line(t) for t in view.ready_tasks))
    return 0


@command("tasks")
@click.option("--user", required=True, help="whose inbox")
def tasks(user: str) -> int:
    """a user's ready tasks"""
    ready = engine().tasks_for(user)
    emit([t.to_dict() for t in ready], "\n".join(_task_line(t) for t in ready) or "(kotak masuk kosong)")
    return 0


@command("claim")
@click.argument("task_id", help="the task's id (alur tasks lists them)")
@click.option("--user", required=True, help="who claims it")
def claim(task_id: str, user: str) -> int:
    """claim a task"""
    task = engine().claim(task_id, user)
    emit(task.to_dict(), f"task {task.id} claimed by {task.claimed_by}")
    return 0


@command("complete")
@click.argument("task_id", help="the task's id (alur tasks lists them)")
@click.option("--user", required=True, help="who completes it")
@click.option("--data", default="{}", help="form data as a JSON object")
@click.option("--revision", type=WholeNumber(1), help="refuse if the instance is no longer at this revision")
def complete(task_id: str, user: str, data: str, revision: int | None) -> int:
    """complete a task with form data"""
    try:
        form = json.loads(data)
    except json.JSONDecodeError as exc:
        print(f"--data: not JSON: {exc.msg} (column {exc.colno})", file=sys.stderr)
        return 2
    view = engine().complete(task_id, user, form, expected_revision=revision)
    emit(view.to_dict(), f"instance {view.id} ({view.status}, revision {view.revision})\n"
         + "\n".join(_task_line(t) for t in view.ready_tasks))
    return 0


@command("history")
@click.argument("instance_id", type=WholeNumber(1), help="the instance's number")
def history(instance_id: int) -> int:
    """audit log of an instance"""
    rows = engine().history(instance_id)
    text = "\n".join(
        f"{r.at.isoformat(timespec='seconds')}  {r.actor:<28} {r.action:<9} {r.task_spec or ''}"
        + (f"  catatan: {r.data['catatan']}" if r.data.get("catatan") else "")
        for r in rows
    )
    emit([r.to_dict() for r in rows], text)
    return 0

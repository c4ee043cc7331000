"""Kotak Masuk (inbox) and the task page: claim, unclaim, fill the form and complete."""
from __future__ import annotations

from datetime import datetime, timezone
from textwrap import shorten

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from alur.runtime import access, accounts, casefile, people, views
from alur.runtime.inbox import PAGE_SIZE
from alur.runtime.inbox import inbox as inbox_page
from alur.runtime.engine import Conflict, InvalidData
from alur.runtime.whole_numbers import MAX_ID, parse_whole

from . import formrender
from .i18n import shown
from .auth import login_required
from .redirects import safe_next
from .services import actor, attachment_store, engine

bp = Blueprint("tasks", __name__)

REVIEW_FIELD = "keputusan"


def _now() -> datetime:
    return datetime.now(timezone.utc)


@bp.route("/")
@login_required
def inbox():
    process_filter = request.args.get("sop", "")
    overdue_only = request.args.get("terlambat") == "1"
    query = request.args.get("q", "").strip()
    # Not a page number (or one past any offset the database takes): the first page.
    page_number = parse_whole(request.args.get("halaman"), 1, MAX_ID // PAGE_SIZE) or 1
    now = _now()
    page = inbox_page(engine(), g.user.username, process_id=process_filter or None, overdue=overdue_only,
                      limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE, now=now,
                      actor=actor(), query=query or None)
    names = page.names
    sops = sorted(set(page.by_process) | ({process_filter} if process_filter else set()),
                  key=lambda pid: names.get(pid, pid))
    return render_template("tasks/inbox.html", page=page, tasks=page.tasks, names=names, sops=sops, now=now,
                           process_filter=process_filter, overdue_only=overdue_only, page_number=page_number,
                           query=query, people=people.people(engine(), g.user.org),
                           my_lanes=_lanes_of(g.user.org, g.user.roles))


def _lanes_of(org: str, roles: set[str]) -> list[str]:
    """The lane names the user's roles perform (what the inbox says it holds), not role keys."""
    lanes = accounts.organisation_roles(engine(), org)
    return sorted({lane for role in roles for lane in lanes.get(role, [])})


def _back_to(default: str) -> str:
    return safe_next(request.form.get("next"), default)


@bp.route("/tugas/<task_id>/ambil", methods=("POST",))
@login_required
def claim(task_id):
    try:
        task = engine().claim(task_id, g.user.username)
        flash(f"Tugas “{shorten(task.name, 80, placeholder=' …')}” Anda ambil.")
    except Conflict as exc:
        flash(f"Tidak dapat diambil: {shown(str(exc))}. Silakan muat ulang.", "error")
    return redirect(_back_to(url_for("tasks.inbox")))


@bp.route("/tugas/<task_id>/lepas", methods=("POST",))
@login_required
def unclaim(task_id):
    try:
        task = engine().unclaim(task_id, g.user.username)
        flash(f"Tugas “{shorten(task.name, 80, placeholder=' …')}” dikembalikan ke kotak masuk bersama.")
    except Conflict as exc:
        flash(f"Tidak dapat dilepas: {shown(str(exc))}.", "error")
    return redirect(_back_to(url_for("tasks.inbox")))


def _task_or_404(task_id: str) -> dict:
    """The task's details, NotFound (404) unless the user may see its instance."""
    return views.task_details(engine(), task_id, actor())


def _render_task(details: dict, values: dict | None = None, errors: dict | None = None, status: int = 200):
    task = details["task"]
    schema = details["form"] or {"properties": {}}
    return render_template(
        "tasks/task.html", details=details, task=task, props=details["properties"],
        fields=formrender.fields_of(schema, values, errors), errors=errors or {},
        is_review=REVIEW_FIELD in schema.get("properties", {}),
        attachments=(attachments := attachment_store().for_instance(task.instance_id, actor())),
        attachments_by_name={a.name: a for a in attachments},
        can_act=access.may_do_task(actor(), task, "complete"),
        names=people.people(engine(), g.user.org), now=_now(),
        case_file=casefile.case_file(engine(), task.instance_id, actor()),
    ), status


@bp.route("/tugas/<task_id>")
@login_required
def task_page(task_id):
    details = _task_or_404(task_id)
    task = details["task"]
    if task.status != "ready":
        flash("Tugas ini sudah tidak aktif; berikut keadaan prosesnya.")
        return redirect(url_for("instances.instance_page", instance_id=task.instance_id))
    if not access.performs(actor(), task):
        abort(403, description=f"Tugas ini dikerjakan oleh peran “{task.lane}”.")
    return _render_task(details)


@bp.route("/tugas/<task_id>", methods=("POST",))
@login_required
def complete(task_id):
    details = _task_or_404(task_id)
    schema = details["form"] or {}
    data, uploads = formrender.parse(schema, request.form, request.files)
    revision = request.form.get("revision", type=int)  # compared in Python only: any size is safe
    try:
        view = attachment_store().complete(task_id, g.user.username, data, uploads, expected_revision=revision,
                                           keep_files=True)
    except InvalidData as exc:
        # Files stored although the form was refused come back by name, so nobody chooses them again.
        values = {**request.form.to_dict(), **{name: view.name for name, view in exc.kept.items()}}
        errors = {field: shown(message) for field, message in exc.errors.items()}
        return _render_task(details, values=values, errors=errors, status=422)
    task = details["task"]
    done = "dikembalikan untuk diperbaiki" if data.get(REVIEW_FIELD) == "kembalikan" else "selesai"
    flash(f"Langkah “{shorten(task.name, 80, placeholder=' …')}” {done}.")
    if view.status == "completed":
        flash("Seluruh langkah SOP telah selesai.")
    for next_task in view.ready_tasks:
        flash(f"Berikutnya: “{shorten(next_task.name, 80, placeholder=' …')}” oleh {next_task.lane}.")
    return redirect(url_for("tasks.inbox"))

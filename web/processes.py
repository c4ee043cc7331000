"""Daftar SOP: the deployed processes, and starting a new instance of one."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from textwrap import shorten

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for

from alur.runtime import access, directory, views
from alur.runtime.engine import InvalidData
from alur.runtime.subject import MAX_NOMOR, MAX_PERIHAL

from .auth import login_required
from .i18n import shown
from .services import actor, engine

bp = Blueprint("processes", __name__, url_prefix="/sop")


@bp.route("/")
@login_required
def process_list():
    return _list_page()


def _list_page(start_errors: dict | None = None, started: str | None = None, form: dict | None = None,
               status: int = 200):
    """Daftar SOP; after a refused start, with the errors shown at that SOP's start form."""
    processes = engine().processes(g.user.org)
    for process in processes:
        process["start_lane"], role = views.start_lane_and_role(engine(), g.user.org, process["process_id"])
        process["can_start"] = access.may_start(actor(), g.user.org, process["start_lane"], role)
        # The evaluation report is for who sees the SOP's instances: a role of one of its lanes.
        process["can_report"] = bool(set(directory.lane_roles(engine(), g.user.org, process["process_id"]).values())
                                     & set(g.user.roles))
        process["deployed_at"] = datetime.fromisoformat(process["deployed_at"])
    return render_template("processes/list.html", processes=processes, refused=_refused_files(),
                           start_errors=start_errors or {}, started=started, form=form or {},
                           max_perihal=MAX_PERIHAL, max_nomor=MAX_NOMOR), status


def _refused_files() -> list[dict]:
    """The files of processes/ that the app could not deploy when it started, for the designers of the
    organisation each names (a file whose organisation could not be read is only in the server's log)."""
    forms_dir = str(engine().settings.forms_dir)  # named as the designer knows it, not by its server path
    return [{"name": f.name, "problems": [replace(p, message=shown(p.message.replace(forms_dir, "forms/")))
                                          for p in f.problems if p.severity == "error"]}
            for f in current_app.extensions.get("alur_refused_files", []) if access.may_deploy(actor(), f.org)]


@bp.route("/<process_id>/mulai", methods=("POST",))
@login_required
def start(process_id):
    form = {"perihal": request.form.get("perihal", ""), "nomor": request.form.get("nomor", "")}
    try:
        view = engine().start(process_id, g.user.username, perihal=form["perihal"], nomor=form["nomor"])
    except InvalidData as exc:
        return _list_page(start_errors=exc.errors, started=process_id, form=form, status=422)
    flash(f"Proses #{view.id} “{shorten(view.perihal, 80, placeholder=' …')}” dimulai.")
    mine = [t for t in view.ready_tasks if access.performs(actor(), t)]
    if mine:
        return redirect(url_for("tasks.task_page", task_id=mine[0].id))
    return redirect(url_for("instances.instance_page", instance_id=view.id))

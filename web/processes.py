"""Daftar SOP: the deployed processes, and starting a new instance of one."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for

from alur.runtime import accounts, views

from .auth import login_required
from .services import engine

bp = Blueprint("processes", __name__, url_prefix="/sop")


@bp.route("/")
@login_required
def process_list():
    processes = engine().processes(g.user.org)
    for process in processes:
        process["start_lane"], role = views.start_lane_and_role(engine(), g.user.org, process["process_id"])
        process["can_start"] = role is None or role in g.user.roles
        process["deployed_at"] = datetime.fromisoformat(process["deployed_at"])
    return render_template("processes/list.html", processes=processes, refused=_refused_files())


def _refused_files() -> list[dict]:
    """The files of processes/ that the app could not deploy when it started, for the designers of the
    organisation each names (a file whose organisation could not be read is only in the server's log)."""
    if accounts.DESIGNER_ROLE not in g.user.roles:
        return []
    forms_dir = str(engine().settings.forms_dir)  # named as the designer knows it, not by its server path
    return [{"name": f.name, "problems": [replace(p, message=p.message.replace(forms_dir, "forms/"))
                                          for p in f.problems if p.severity == "error"]}
            for f in current_app.extensions.get("alur_refused_files", []) if f.org == g.user.org]


@bp.route("/<process_id>/mulai", methods=("POST",))
@login_required
def start(process_id):
    view = engine().start(process_id, g.user.username)
    flash(f"Proses #{view.id} dimulai.")
    mine = [t for t in view.ready_tasks if t.role in g.user.roles]
    if mine:
        return redirect(url_for("tasks.task_page", task_id=mine[0].id))
    return redirect(url_for("instances.instance_page", instance_id=view.id))

"""The instance page (diagram, steps against the time standard, history) and the list of instances."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, abort, g, render_template, request

from alur.runtime import accounts, casefile, people, views

from .auth import login_required
from .diagram import render_svg
from .services import attachment_store, engine

bp = Blueprint("instances", __name__, url_prefix="/proses")


@bp.route("/")
@login_required
def instance_list():
    query = request.args.get("q", "").strip()
    instances = accounts.visible_instances(engine(), g.user.username, query=query or None)
    return render_template("instances/list.html", instances=instances, query=query,
                           names=people.people(engine(), g.user.org))


@bp.route("/<int:instance_id>")
@login_required
def instance_page(instance_id):
    if not accounts.can_see_instance(engine(), g.user.username, instance_id):
        abort(404)
    instance = engine().instance(instance_id)
    progress = views.instance_progress(engine(), instance_id)
    steps = engine().instance_tasks(instance_id)
    holders = {t.role: people.holders(engine(), g.user.org, t.role) for t in instance.ready_tasks}
    return render_template(
        "instances/instance.html", instance=instance, progress=progress, steps=steps,
        diagram=render_svg(progress["bpmn_xml"], progress["states"], progress["taken"]),
        history=engine().history(instance_id), step_names={t.id: t.name for t in steps},
        attachments=attachment_store().for_instance(instance_id),
        names=people.people(engine(), g.user.org), holders=holders, now=datetime.now(timezone.utc),
        case_file=casefile.case_file(engine(), instance_id, g.user.username),
    )

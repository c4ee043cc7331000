"""The instance page (diagram, steps against the time standard, history) and the list of instances."""
from __future__ import annotations

import io
from datetime import datetime, timezone

from flask import Blueprint, abort, g, render_template, request, send_file

from alur.runtime import casefile, overview, overview_export, people, views

from .auth import login_required
from .diagram import render_svg
from .services import actor, attachment_store, engine

bp = Blueprint("instances", __name__, url_prefix="/proses")


@bp.route("/")
@login_required
def instance_list():
    filters, errors = overview.parse_filters(request.args)
    number = overview.page_number(request.args.get("halaman"))
    now = datetime.now(timezone.utc)
    page = overview.overview(engine(), actor(), filters, page=number, now=now)
    return render_template("instances/list.html", page=page, filters=filters, errors=errors, now=now,
                           args=_kept_args(), names=people.people(engine(), g.user.org),
                           export_cap=overview.EXPORT_CAP), (400 if errors else 200)


@bp.route("/unduh.<any(csv, xlsx):kind>")
@login_required
def instance_export(kind):
    """The filtered list (every page, up to the export cap) as CSV or XLSX."""
    filters, errors = overview.parse_filters(request.args)
    if errors:
        abort(400, "Saringan tidak sah: " + "; ".join(f"{k}: {v}" for k, v in errors.items()))
    rows, _ = overview.export_rows(engine(), actor(), filters)
    names = people.people(engine(), g.user.org)
    stamp = datetime.now(_zone()).strftime("%Y%m%d-%H%M")
    if kind == "csv":
        body, mimetype = overview_export.to_csv(rows, names, _zone()), "text/csv; charset=utf-8"
    else:
        body = overview_export.to_xlsx(rows, names, _zone())
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True,
                     download_name=f"proses-{stamp}.{kind}", max_age=0)


def _zone():
    return engine().settings.calendar.zone


def _kept_args() -> dict[str, str]:
    """The list's filter parameters (not the page number, and nothing else a URL may carry), to build
    the links of pages and exports."""
    return {k: v for k in overview.PARAMETERS if (v := request.args.get(k))}


@bp.route("/<int:instance_id>")
@login_required
def instance_page(instance_id):
    instance = engine().instance(instance_id, actor())  # NotFound (404) unless the user may see it
    progress = views.instance_progress(engine(), instance_id, actor())
    steps = engine().instance_tasks(instance_id, actor())
    holders = {t.role: people.holders(engine(), g.user.org, t.role) for t in instance.ready_tasks}
    return render_template(
        "instances/instance.html", instance=instance, progress=progress, steps=steps,
        diagram=render_svg(progress["bpmn_xml"], progress["states"], progress["taken"]),
        history=engine().history(instance_id, actor()), step_names={t.id: t.name for t in steps},
        attachments=attachment_store().for_instance(instance_id, actor()),
        names=people.people(engine(), g.user.org), holders=holders, now=datetime.now(timezone.utc),
        case_file=casefile.case_file(engine(), instance_id, actor()),
    )

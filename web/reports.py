"""Laporan evaluasi SOP: the report page of one SOP over a period, and its XLSX and PDF files.

Who may see it is who may see the SOP's instances (runtime/report.py report_for): anyone else,
another organisation's users first, gets a 404. The period is `dari`..`sampai` (YYYY-MM-DD, in
the organisation's calendar); a bad one is shown on the page (400) and the default period is used.
"""
from __future__ import annotations

import io

from flask import Blueprint, abort, g, render_template, request, send_file

from alur.runtime import people, report_export
from alur.runtime.errors import InvalidData
from alur.runtime.report import parse_day, report_for

from .auth import login_required
from .services import engine, now

bp = Blueprint("reports", __name__, url_prefix="/sop")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABELS = {"from": "Dari tanggal", "to": "Sampai tanggal"}


def _report(process_id: str):
    """The report the page's query asks for, and the errors of its period (then the default one)."""
    errors: dict[str, str] = {}
    days = {}
    for name, parameter in (("from", "dari"), ("to", "sampai")):
        try:
            days[name] = parse_day(request.args.get(parameter) or None, name)
        except InvalidData as exc:
            errors.update(exc.errors)
            days[name] = None
    try:
        found = report_for(engine(), g.user.username, process_id, days["from"], days["to"], now=now())
    except InvalidData as exc:
        errors.update(exc.errors)
        found = report_for(engine(), g.user.username, process_id, now=now())
    return found, {LABELS[k]: v for k, v in errors.items()}


@bp.route("/<process_id>/laporan")
@login_required
def report_page(process_id):
    found, errors = _report(process_id)
    names = people.people(engine(), found.org)
    return render_template("reports/report.html", report=found, errors=errors, names=names,
                           steps_chart=report_export.steps_chart(found), months_chart=report_export.months_chart(found),
                           query={"dari": found.period_from.isoformat(), "sampai": found.period_to.isoformat()}), \
        (400 if errors else 200)


@bp.route("/<process_id>/laporan.xlsx")
@login_required
def report_xlsx(process_id):
    """The report as an Excel workbook (the page's period; a bad one is a 400, no file)."""
    found, names = _report_for_file(process_id)
    return _file(found, "xlsx", report_export.to_xlsx(found, names), XLSX)


@bp.route("/<process_id>/laporan.pdf")
@login_required
def report_pdf(process_id):
    """The printed report (the page's period; a bad one is a 400, no file)."""
    found, names = _report_for_file(process_id)
    html = render_template("reports/print.html", report=found, names=names, bars=report_export.bar_lengths(found),
                           summary=report_export.summary_rows(found))
    return _file(found, "pdf", report_export.to_pdf(html), "application/pdf")


def _report_for_file(process_id: str):
    found, errors = _report(process_id)
    if errors:
        abort(400, "Periode tidak sah: " + "; ".join(f"{k}: {v}" for k, v in errors.items()))
    return found, people.people(engine(), found.org)


def _file(found, kind: str, body: bytes, mimetype: str):
    name = f"laporan-{found.process_id}-{found.period_from:%Y%m%d}-{found.period_to:%Y%m%d}.{kind}"
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0)

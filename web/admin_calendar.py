"""The admin's working calendar of the organisation (runtime/calendar_admin.py): the working hours
per weekday and the days off of a year (national holidays, cuti bersama and the organisation's
own), with forms to add or remove a day off and to set hours. Each change recomputes the due
times of open tasks not yet due and is audited; a refused change is named next to its field."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from alur.runtime import calendar_admin as cal
from alur.runtime.engine import InvalidData
from alur.runtime.standard_time import WEEKDAYS
from alur.runtime.whole_numbers import parse_whole

from .admin import admin_only
from .services import engine

bp = Blueprint("calendar", __name__, url_prefix="/admin/kalender")

LABELS = {"tanggal": "Tanggal", "keterangan": "Keterangan", "hari": "Hari", "jam": "Jam", "buka": "Jam mulai",
          "tutup": "Jam selesai", "selesai": "Jam selesai", "tahun": "Tahun"}
KINDS = {"PUBLIC": "libur nasional", "CUTI_BERSAMA": "cuti bersama", cal.ORGANISATION: "hari libur organisasi"}


def _year() -> int:
    return parse_whole(request.values.get("tahun"), cal.FIRST_YEAR, cal.LAST_YEAR) or datetime.now().year


@bp.route("/")
@admin_only
def page(errors: dict | None = None, form: str | None = None, status: int = 200):
    view = cal.calendar_of(engine(), g.user.org, _year())
    worked = {h["name"]: h["opens"] is not None for h in view.hours}  # a day off on them can be worked
    return render_template("admin/calendar.html", view=view, worked=worked, errors=errors or {}, failed=form,
                           labels=LABELS,
                           kinds=KINDS, weekdays=list(zip(WEEKDAYS, cal.WEEKDAY_NAMES)),
                           values=request.form), status


def _change(form: str, run) -> object:
    try:
        change = run()
    except InvalidData as exc:
        return page(errors=exc.errors, form=form, status=422)
    moved = f" Tenggat {change.recomputed} tugas yang belum jatuh tempo dihitung ulang." if change.recomputed else ""
    flash(_done(change) + moved)
    return redirect(url_for(".page", tahun=_year()))


def _done(change) -> str:
    detail = change.detail
    if change.change == "hours":
        days = ", ".join(cal.WEEKDAY_NAMES[WEEKDAYS.index(d)] for d in detail["days"])
        return f"Jam kerja {days}: " + (f"{detail['opens']}–{detail['closes']}." if detail["opens"] else "libur.")
    if change.change == "remove_day_off":
        return f"{detail['day']} kini hari kerja ({detail['was']})."
    return f"{detail['day']} kini hari libur: {detail.get('description', '')}."


@bp.route("/libur", methods=("POST",))
@admin_only
def add_day():
    return _change("tambah", lambda: cal.add_day_off(
        engine(), g.user.org, cal.parse_day(request.form.get("tanggal", "")), request.form.get("keterangan", ""),
        g.user.username))


@bp.route("/libur/hapus", methods=("POST",))
@admin_only
def remove_day():
    return _change("hapus", lambda: cal.remove_day_off(
        engine(), g.user.org, cal.parse_day(request.form.get("tanggal", "")), g.user.username,
        request.form.get("keterangan", "")))


@bp.route("/jam", methods=("POST",))
@admin_only
def hours():
    def run():
        weekdays = [WEEKDAYS.index(d) for d in request.form.getlist("hari") if d in WEEKDAYS]
        if request.form.get("libur") == "1":
            return cal.set_hours(engine(), g.user.org, weekdays, None, None, g.user.username)
        opens = cal.parse_clock(request.form.get("buka", ""), "buka")
        closes = cal.parse_clock(request.form.get("tutup", ""), "tutup")
        return cal.set_hours(engine(), g.user.org, weekdays, opens, closes, g.user.username)
    return _change("jam", run)

"""`alur calendar`: an organisation's working calendar (runtime/calendar_admin.py): show a year,
add or remove a day off, set the working hours of weekdays. Each change recomputes the due time of
the organisation's open tasks that are not yet due, and is audited as the operator ("cli")."""
from __future__ import annotations

from datetime import datetime

import click

from .. import calendar_admin
from .common import WholeNumber, command, emit, engine, group

ACTOR = "cli"


@group("calendar")
def calendar() -> None:
    """an organisation's working calendar: days off and working hours"""


@calendar.add_command
@command("show")
@click.argument("org", help="the organisation's short name (alur orgs lists them)")
@click.option("--year", type=WholeNumber(calendar_admin.FIRST_YEAR, calendar_admin.LAST_YEAR),
              help="the year whose days off (default: this year)")
def calendar_show(org: str, year: int | None) -> int:
    """working hours and the days off of a year"""
    view = calendar_admin.calendar_of(engine(), org, year or datetime.now().year)
    hours = "\n".join(f"  {h['name']:<7} {h['opens']}-{h['closes']}" if h["opens"] else f"  {h['name']:<7} libur"
                      for h in view.hours)
    days = "\n".join(f"  {d.day} {d.weekday:<7} {d.description} ({d.kind})" for d in view.days_off)
    removed = "\n".join(f"  {r.day} {r.weekday:<7} {r.national}: {r.description}" for r in view.removed)
    text = f"{view.org} ({view.timezone}), jam kerja:\n{hours}\nhari libur {view.year}:\n{days or '  -'}"
    if removed:
        text += f"\nhari libur nasional yang tetap bekerja:\n{removed}"
    emit(view.to_dict(), text)
    return 0


@calendar.add_command
@command("add-day")
@click.argument("org", help="the organisation's short name")
@click.argument("day", help="the date, YYYY-MM-DD")
@click.argument("description", help="why it is a day off, e.g. 'Hari Jadi Kota Palu'")
def calendar_add_day(org: str, day: str, description: str) -> int:
    """make a date a day off of the organisation (or work a removed national holiday off again)"""
    change = calendar_admin.add_day_off(engine(), org, calendar_admin.parse_day(day), description, ACTOR)
    return _done(change, f"{day} hari libur {org}")


@calendar.add_command
@command("remove-day")
@click.argument("org", help="the organisation's short name")
@click.argument("day", help="the date, YYYY-MM-DD")
@click.option("--reason", default="", help="why the organisation works a national holiday")
def calendar_remove_day(org: str, day: str, reason: str) -> int:
    """work a day off after all: one the organisation added, or a national holiday or cuti bersama"""
    change = calendar_admin.remove_day_off(engine(), org, calendar_admin.parse_day(day), ACTOR, reason)
    return _done(change, f"{day} hari kerja {org}")


@calendar.add_command
@command("hours")
@click.argument("org", help="the organisation's short name")
@click.argument("days", help="weekdays: mon-fri, fri, or mon,wed,fri")
@click.option("--opens", help="opening time HH:MM")
@click.option("--closes", help="closing time HH:MM")
@click.option("--off", is_flag=True, help="the days are not worked")
def calendar_hours(org: str, days: str, opens: str | None, closes: str | None, off: bool) -> int:
    """set the working hours of weekdays (the others keep theirs)"""
    weekdays = calendar_admin.parse_weekdays(days)
    if off and (opens or closes):
        raise click.UsageError("--off takes no --opens or --closes")
    if not off and not (opens and closes):
        raise click.UsageError("give --opens and --closes, or --off")
    start = None if off else calendar_admin.parse_clock(opens or "", "opens")
    end = None if off else calendar_admin.parse_clock(closes or "", "closes")
    change = calendar_admin.set_hours(engine(), org, weekdays, start, end, ACTOR)
    return _done(change, f"jam kerja {org} {days}: " + ("libur" if off else f"{opens}-{closes}"))


def _done(change: calendar_admin.CalendarChange, text: str) -> int:
    emit({"org": change.org, "change": change.change, **change.detail, "recomputed": change.recomputed},
         f"{text}; tenggat {change.recomputed} tugas dihitung ulang")
    return 0

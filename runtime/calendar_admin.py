"""What an organisation's admin does with its working calendar: read it for a year, add a day off,
remove one (a national holiday or cuti bersama it works after all, or a day it added), set the
working hours of weekdays.

Each change is one transaction that writes the calendar, bumps its revision, recomputes the due
time of the organisation's open tasks that are not yet due (from their ready time, on the new
calendar) and audits the change with how many due times moved. Completed tasks, overdue tasks
and the audit log are history: they are never rewritten.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy import delete, select, update

from . import db
from .calendars import load, national_days_off
from .due_dates import DUE_DATE_PROPERTY
from .engine import Alur, InvalidData, NotFound
from .models import (AuditEntry, CalendarDay, HumanTask, Instance, Organisation, ProcessVersion,
                     WorkingCalendarRevision, WorkingHours, utcnow)
from .standard_time import WEEKDAYS, WorkingCalendar, check_week

MAX_DESCRIPTION = 300
# The years a calendar may be read or changed for: what the holidays package and a due time can reach.
FIRST_YEAR, LAST_YEAR = 2000, 2100
WEEKDAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
ORGANISATION = "organisasi"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CLOCK = re.compile(r"([01]\d|2[0-3]):([0-5]\d)|24:00")


@dataclass
class DayOff:
    day: str  # YYYY-MM-DD
    weekday: str  # Senin .. Minggu
    description: str
    kind: str  # PUBLIC, CUTI_BERSAMA or ORGANISATION


@dataclass
class RemovedDay:
    day: str
    weekday: str
    national: str  # the holiday's name
    kind: str  # PUBLIC or CUTI_BERSAMA
    description: str  # why the organisation works that day


@dataclass
class CalendarView:
    org: str
    year: int
    timezone: str
    hours: list[dict]  # per weekday: {"day": "mon", "name": "Senin", "opens": "08:00" | None, "closes": ...}
    days_off: list[DayOff] = field(default_factory=list)  # of the year, on working weekdays or not
    removed: list[RemovedDay] = field(default_factory=list)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class CalendarChange:
    """What a change did: the day or weekdays changed, and how many open tasks got a new due time."""

    org: str
    change: str  # add_day_off | remove_day_off | restore_holiday | hours
    detail: dict
    recomputed: int


def parse_day(text: str, field_name: str = "tanggal") -> date:
    """A date written YYYY-MM-DD; InvalidData naming `field_name` otherwise."""
    try:
        day = date.fromisoformat(text.strip()) if re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}\s*", text or "") else None
    except ValueError:
        day = None
    if day is None:
        raise InvalidData({field_name: f"tanggal ditulis TTTT-BB-HH (misalnya 2026-08-17), bukan '{text}'"})
    _check_year(day.year, field_name)
    return day


def parse_clock(text: str, field_name: str) -> int:
    """HH:MM (00:00 to 24:00) as minutes after midnight; InvalidData naming `field_name` otherwise."""
    match = _CLOCK.fullmatch((text or "").strip())
    if match is None:
        raise InvalidData({field_name: f"jam ditulis JJ:MM (misalnya 08:00), bukan '{text}'"})
    return 24 * 60 if match.group(0) == "24:00" else int(match.group(1)) * 60 + int(match.group(2))


def parse_weekdays(text: str, field_name: str = "hari") -> list[int]:
    """"mon-fri", "fri", "mon,wed,fri" (mon .. sun) as weekday numbers (0 Monday)."""
    chosen: set[int] = set()
    for part in (text or "").lower().replace(" ", "").split(","):
        first, dash, last = part.partition("-")
        if first not in WEEKDAYS or (dash and last not in WEEKDAYS):
            raise InvalidData({field_name: f"hari ditulis mon..sun, misalnya mon-fri atau fri, bukan '{text}'"})
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last if dash else first)
        if end < start:
            raise InvalidData({field_name: f"rentang hari '{part}' terbalik"})
        chosen.update(range(start, end + 1))
    return sorted(chosen)


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def calendar_of(alur: Alur, org: str, year: int) -> CalendarView:
    """The working hours of `org` and its days off of `year` (national, cuti bersama, its own)."""
    _check_year(year, "tahun")
    with alur.sessions() as session:
        _organisation(session, org)
        calendar, days = load(session, alur.calendars.base, org)
    view = CalendarView(org=org, year=year, timezone=calendar.timezone, hours=[
        {"day": WEEKDAYS[i], "name": WEEKDAY_NAMES[i], "opens": clock(h[0]) if h else None,
         "closes": clock(h[1]) if h else None} for i, h in enumerate(calendar.week)])
    national = national_days_off(year)
    for day in sorted(set(national) | {d for d in days.added if d.year == year}):
        name = WEEKDAY_NAMES[day.weekday()]
        if day in days.added:
            view.days_off.append(DayOff(day.isoformat(), name, days.added[day], ORGANISATION))
        elif day in days.removed:
            view.removed.append(RemovedDay(day.isoformat(), name, *national[day], days.removed[day]))
        else:
            view.days_off.append(DayOff(day.isoformat(), name, *national[day]))
    return view


def add_day_off(alur: Alur, org: str, day: date, description: str, actor: str,
                now: datetime | None = None) -> CalendarChange:
    """Make `day` a day off of `org` (why: `description`), or work a national day off again that the
    organisation had removed. Refused (InvalidData) when `day` is already off."""
    description = _description(description)
    with db.transaction(alur.sessions) as session:
        _organisation(session, org)
        calendar, days = load(session, alur.calendars.base, org)
        if day in days.removed:
            session.execute(delete(CalendarDay).where(CalendarDay.org == org, CalendarDay.day == day))
            change = "restore_holiday"
        elif calendar.is_day_off(day):
            raise InvalidData({"tanggal": f"{day.isoformat()} sudah hari libur: {_name_of_day_off(day, days)}"})
        elif calendar.hours_of(day) is None:
            raise InvalidData({"tanggal": f"{day.isoformat()} hari {WEEKDAY_NAMES[day.weekday()]}, "
                                          "memang bukan hari kerja"})
        else:
            session.add(CalendarDay(org=org, day=day, off=True, description=description, changed_by=actor,
                                    changed_at=now or utcnow()))
            change = "add_day_off"
        return _changed(alur, session, org, actor, change, {"day": day.isoformat(), "description": description}, now)


def remove_day_off(alur: Alur, org: str, day: date, actor: str, description: str = "",
                   now: datetime | None = None) -> CalendarChange:
    """Work `day` after all: forget a day off `org` added, or work a national holiday or cuti bersama
    (why: `description`). Refused (InvalidData) when `day` is not a day off of `org`."""
    description = description.strip()
    if description:
        description = _description(description)
    with db.transaction(alur.sessions) as session:
        _organisation(session, org)
        _, days = load(session, alur.calendars.base, org)
        national = national_days_off(day.year)
        if day in days.added:
            session.execute(delete(CalendarDay).where(CalendarDay.org == org, CalendarDay.day == day))
            detail = {"day": day.isoformat(), "was": days.added[day]}
        elif day in national and day not in days.removed:
            name, _kind = national[day]
            session.add(CalendarDay(org=org, day=day, off=False, description=description or f"tetap bekerja: {name}",
                                    changed_by=actor, changed_at=now or utcnow()))
            detail = {"day": day.isoformat(), "was": name, "description": description}
        else:
            raise InvalidData({"tanggal": f"{day.isoformat()} bukan hari libur organisasi ini"})
        return _changed(alur, session, org, actor, "remove_day_off", detail, now)


def set_hours(alur: Alur, org: str, weekdays: list[int], opens: int | None, closes: int | None, actor: str,
              now: datetime | None = None) -> CalendarChange:
    """Work `weekdays` (0 Monday) of `org` from `opens` to `closes` (minutes after midnight), or not at
    all when both are None; the other weekdays keep their hours."""
    if not weekdays:
        raise InvalidData({"hari": "pilih paling sedikit satu hari"})
    if (opens is None) != (closes is None):
        raise InvalidData({"jam": "isi jam mulai dan jam selesai, atau jadikan hari libur"})
    if opens is not None and not opens < closes:
        raise InvalidData({"selesai": f"jam selesai {clock(closes)} harus sesudah jam mulai {clock(opens)}"})
    with db.transaction(alur.sessions) as session:
        _organisation(session, org)
        calendar, _ = load(session, alur.calendars.base, org)
        week = list(calendar.week)
        for weekday in weekdays:
            week[weekday] = None if opens is None else (opens, closes)
        try:
            check_week(tuple(week))
        except ValueError:
            raise InvalidData({"hari": "sepekan perlu paling sedikit satu hari kerja"}) from None
        session.execute(delete(WorkingHours).where(WorkingHours.org == org))
        session.add_all(WorkingHours(org=org, weekday=i, opens_minute=h[0], closes_minute=h[1])
                        for i, h in enumerate(week) if h is not None)
        detail = {"days": [WEEKDAYS[i] for i in weekdays],
                  "opens": clock(opens) if opens is not None else None,
                  "closes": clock(closes) if closes is not None else None}
        return _changed(alur, session, org, actor, "hours", detail, now)


def recompute_due_times(session, calendar: WorkingCalendar, org: str, now: datetime) -> int:
    """Give the open tasks of `org` that are not yet due at `now` their due time on `calendar`
    (from when they became ready); returns how many changed. Overdue and completed tasks keep theirs."""
    rows = session.execute(select(HumanTask.id, HumanTask.ready_at, HumanTask.standard_minutes, HumanTask.due_at,
                                  HumanTask.task_spec, Instance.version_id)
                           .join(Instance, Instance.id == HumanTask.instance_id)
                           .where(HumanTask.org == org, HumanTask.status == "ready", HumanTask.due_at > now,
                                  HumanTask.standard_minutes.is_not(None))).all()
    task_info = dict(session.execute(select(ProcessVersion.id, ProcessVersion.task_info)
                                     .where(ProcessVersion.id.in_({row.version_id for row in rows}))).all())
    changed = []
    for row in rows:
        properties = ((task_info.get(row.version_id) or {}).get(row.task_spec) or {}).get("properties") or {}
        if properties.get(DUE_DATE_PROPERTY):
            continue  # due by its own dueDate, in calendar time: no working calendar moves it
        due = calendar.add_working_minutes(row.ready_at, row.standard_minutes)
        if due != row.due_at:
            changed.append({"task_id": row.id, "due": due})
    for values in changed:
        session.execute(update(HumanTask).where(HumanTask.id == values["task_id"]).values(due_at=values["due"]))
    return len(changed)


def _changed(alur: Alur, session, org: str, actor: str, change: str, detail: dict,
             now: datetime | None) -> CalendarChange:
    """Bump the calendar's revision, recompute the open tasks' due times, audit; in `session`'s transaction."""
    now = now or utcnow()
    session.flush()
    row = session.get(WorkingCalendarRevision, org, with_for_update=True)
    if row is None:
        session.add(WorkingCalendarRevision(org=org, revision=1))
    else:
        row.revision += 1
    calendar, _ = load(session, alur.calendars.base, org)
    recomputed = recompute_due_times(session, calendar, org, now)
    session.add(AuditEntry(at=now, actor=actor, action="calendar", org=org,
                           data={"change": change, **detail, "recomputed": recomputed}))
    return CalendarChange(org=org, change=change, detail=detail, recomputed=recomputed)


def _organisation(session, org: str) -> Organisation:
    row = session.get(Organisation, org)
    if row is None:
        raise NotFound(f"organisation '{org}' does not exist")
    return row


def _description(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidData({"keterangan": "tulis keterangan hari libur, misalnya 'Hari Jadi Kota Palu'"})
    if len(text) > MAX_DESCRIPTION:
        raise InvalidData({"keterangan": f"maksimal {MAX_DESCRIPTION} karakter"})
    if _CONTROL.search(text):
        raise InvalidData({"keterangan": "tanpa karakter kendali (baris baru, tab)"})
    return text


def _check_year(year: int, field_name: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidData({field_name: f"tahun {FIRST_YEAR}-{LAST_YEAR}, bukan {year}"})


def _name_of_day_off(day: date, days) -> str:
    if day in days.added:
        return days.added[day]
    name, kind = national_days_off(day.year).get(day, ("", ""))
    return f"{name} ({kind})" if name else "hari libur"


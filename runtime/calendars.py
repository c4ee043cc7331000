"""Each organisation's working calendar: its hours, Indonesia's national holidays and cuti bersama,
and the days its admin added or removed.

The national holidays and cuti bersama come from the `holidays` package (pinned in
pyproject.toml: a new release may move an estimated date, and with it due times). It knows
the cuti bersama of the SKB decrees of 2018-2027; later ones, and any the government adds,
the admin adds as the organisation's own days off (runtime/calendar_admin.py).

Computing a due time is on the completion path, so each engine keeps every organisation's
calendar in memory with the revision it was built at, and reads only that revision (one
primary-key SELECT) before using it: a change made through another engine (another gunicorn
worker, the CLI) bumps the revision and every engine rebuilds on its next due time.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays
from sqlalchemy import bindparam, select

from .bounded import BoundedDict
from .models import CalendarDay, WorkingCalendarRevision, WorkingHours
from .standard_time import WorkingCalendar

CACHE_SIZE = 256
PUBLIC = "libur nasional"
CUTI_BERSAMA = "cuti bersama"

revision_of_org = (select(WorkingCalendarRevision.revision)
                   .where(WorkingCalendarRevision.org == bindparam("org")))


@lru_cache(maxsize=64)
def national_days_off(year: int) -> dict[date, tuple[str, str]]:
    """Indonesia's days off of `year`: date -> (name in Indonesian, PUBLIC or CUTI_BERSAMA).

    A date that is both (never so far) counts as the public holiday.
    """
    days: dict[date, tuple[str, str]] = {}
    for category, kind in ((holidays.GOVERNMENT, CUTI_BERSAMA), (holidays.PUBLIC, PUBLIC)):
        for day, name in holidays.Indonesia(years=year, categories=(category,), language="id").items():
            days[day] = (name, kind)
    return days


@dataclass(frozen=True)
class OrgDays:
    """The days an organisation's admin changed: added days off and national days worked, with why."""

    added: dict[date, str]
    removed: dict[date, str]


def build_calendar(base: WorkingCalendar, week, days: OrgDays) -> WorkingCalendar:
    """`base` (the time zone of the settings) with the organisation's `week` (None: base's hours) and days."""
    cache: dict[int, frozenset[date]] = {}
    lock = threading.Lock()

    def days_off_of_year(year: int) -> frozenset[date]:
        found = cache.get(year)
        if found is None:
            found = frozenset((set(national_days_off(year)) | {d for d in days.added if d.year == year})
                              - set(days.removed))
            with lock:
                cache[year] = found
        return found

    return WorkingCalendar(timezone=base.timezone, day_start=base.day_start, minutes_per_day=base.minutes_per_day,
                           holidays=base.holidays, week=week or base.week, days_off_of_year=days_off_of_year)


def load(connection, base: WorkingCalendar, org: str) -> tuple[WorkingCalendar, OrgDays]:
    """The calendar of `org` as stored (read on `connection`, Core or ORM session), and its own days."""
    hours = connection.execute(select(WorkingHours.weekday, WorkingHours.opens_minute, WorkingHours.closes_minute)
                               .where(WorkingHours.org == org)).all()
    week = None
    if hours:
        by_day = {row.weekday: (row.opens_minute, row.closes_minute) for row in hours}
        week = tuple(by_day.get(weekday) for weekday in range(7))
    rows = connection.execute(select(CalendarDay.day, CalendarDay.off, CalendarDay.description)
                              .where(CalendarDay.org == org)).all()
    days = OrgDays(added={r.day: r.description for r in rows if r.off},
                   removed={r.day: r.description for r in rows if not r.off})
    return build_calendar(base, week, days), days


class Calendars:
    """The working calendars of the organisations, kept per engine and checked against their revision."""

    def __init__(self, base: WorkingCalendar):
        self.base = base
        self._kept: BoundedDict[str, tuple[int, WorkingCalendar]] = BoundedDict(CACHE_SIZE)
        self._lock = threading.Lock()

    def of(self, connection, org: str) -> WorkingCalendar:
        """The calendar of `org` as of `connection`'s transaction (one SELECT when it did not change)."""
        revision = connection.execute(revision_of_org, {"org": org}).scalar() or 0
        kept = self._kept.get(org)
        if kept is not None and kept[0] == revision:
            return kept[1]
        calendar, _ = load(connection, self.base, org)
        with self._lock:
            self._kept[org] = (revision, calendar)
        return calendar

"""Each organisation's working calendar (runtime/calendars.py): Indonesia's days off, the days and
hours its admin set, read from the database and kept per engine until its revision changes.
Written for mutation testing (bench/mutation.sh); no engine, a small SQLite database."""
from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date, time

import pytest
from sqlalchemy import create_engine, insert, update

from alur.runtime import calendars
from alur.runtime.calendars import CUTI_BERSAMA, PUBLIC, Calendars, OrgDays, build_calendar, national_days_off
from alur.runtime.models import Base, CalendarDay, Organisation, WorkingCalendarRevision, WorkingHours
from alur.runtime.standard_time import WorkingCalendar, default_week

BASE = WorkingCalendar(timezone="Asia/Makassar", day_start=time(7, 30), minutes_per_day=450,
                       holidays=frozenset({date(2026, 7, 7)}))
NO_DAYS = OrgDays(added={}, removed={})


def test_national_days_off_are_the_public_holidays_and_cuti_bersama_of_the_year():
    days = national_days_off(2026)
    assert days[date(2026, 8, 17)] == ("Hari Kemerdekaan Republik Indonesia", PUBLIC)
    assert days[date(2026, 12, 24)] == ("Cuti Bersama Hari Raya Natal", CUTI_BERSAMA)
    assert days[date(2026, 3, 20)][1] == CUTI_BERSAMA
    assert all(day.year == 2026 for day in days)
    assert date(2026, 8, 18) not in days
    assert sum(kind == CUTI_BERSAMA for _, kind in days.values()) == 8
    assert sum(kind == PUBLIC for _, kind in days.values()) == 17
    assert national_days_off(2026) is days  # asked on every due time: computed once per year


def test_a_calendar_keeps_the_base_zone_hours_and_holidays_and_takes_the_organisations_week():
    calendar = build_calendar(BASE, None, NO_DAYS)
    assert (calendar.timezone, calendar.day_start, calendar.minutes_per_day, calendar.holidays) == (
        "Asia/Makassar", time(7, 30), 450, frozenset({date(2026, 7, 7)}))
    assert calendar.week == default_week(time(7, 30), 450)
    saturday_too = (*[(480, 960)] * 6, None)
    assert build_calendar(BASE, saturday_too, NO_DAYS).week == saturday_too


def test_the_organisations_own_days_off_join_the_national_ones_and_worked_national_days_leave_them():
    days = OrgDays(added={date(2026, 11, 24): "HUT Provinsi", date(2027, 1, 4): "Rapat kerja"},
                   removed={date(2026, 8, 17): "Upacara, lalu bekerja"})
    calendar = build_calendar(BASE, None, days)
    off_2026 = calendar.days_off_of_year(2026)
    assert date(2026, 11, 24) in off_2026
    assert date(2027, 1, 4) not in off_2026  # another year's day is that year's
    assert date(2026, 8, 17) not in off_2026
    assert off_2026 == (set(national_days_off(2026)) | {date(2026, 11, 24)}) - {date(2026, 8, 17)}
    assert date(2027, 1, 4) in calendar.days_off_of_year(2027)
    assert calendar.days_off_of_year(2026) is off_2026  # computed once per year
    assert calendar.is_day_off(date(2026, 11, 24)) and not calendar.is_day_off(date(2026, 8, 17))


def test_an_organisations_days_are_frozen():
    with pytest.raises(FrozenInstanceError):
        NO_DAYS.added = {}  # type: ignore[misc]


@pytest.fixture
def db():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with engine.begin() as c:
        c.execute(insert(Organisation), [{"slug": "dinas-a", "name": "Dinas A"}, {"slug": "dinas-b", "name": "Dinas B"}])
    yield engine
    engine.dispose()


def set_hours(c, org, hours):
    c.execute(insert(WorkingHours), [{"org": org, "weekday": day, "opens_minute": opens, "closes_minute": closes}
                                     for day, (opens, closes) in hours.items()])


def add_days(c, org, days):
    c.execute(insert(CalendarDay), [{"org": org, "day": day, "off": off, "description": why, "changed_by": "admin"}
                                    for day, (off, why) in days.items()])


def test_the_stored_week_has_a_day_off_for_each_weekday_without_hours(db):
    with db.begin() as c:
        set_hours(c, "dinas-a", {0: (420, 900), 2: (480, 960), 5: (480, 720)})
        set_hours(c, "dinas-b", {1: (360, 600)})
    with db.connect() as c:
        calendar, days = calendars.load(c, BASE, "dinas-a")
    assert calendar.week == ((420, 900), None, (480, 960), None, None, (480, 720), None)
    assert days == NO_DAYS
    with db.connect() as c:
        assert calendars.load(c, BASE, "dinas-b")[0].week == (None, (360, 600), None, None, None, None, None)


def test_without_stored_hours_the_base_week_holds(db):
    with db.connect() as c:
        calendar, _ = calendars.load(c, BASE, "dinas-a")
    assert calendar.week == BASE.week


def test_the_stored_days_are_the_organisations_added_and_removed_ones(db):
    with db.begin() as c:
        add_days(c, "dinas-a", {date(2026, 11, 24): (True, "HUT Provinsi"), date(2026, 8, 17): (False, "Bekerja")})
        add_days(c, "dinas-b", {date(2026, 11, 25): (True, "HUT Kabupaten")})
    with db.connect() as c:
        calendar, days = calendars.load(c, BASE, "dinas-a")
    assert days == OrgDays(added={date(2026, 11, 24): "HUT Provinsi"}, removed={date(2026, 8, 17): "Bekerja"})
    assert calendar.is_day_off(date(2026, 11, 24))
    assert not calendar.is_day_off(date(2026, 8, 17)) and not calendar.is_day_off(date(2026, 11, 25))


def test_an_engine_keeps_a_calendar_until_its_revision_changes(db):
    kept = Calendars(BASE)
    with db.connect() as c:
        first = kept.of(c, "dinas-a")
        assert kept.of(c, "dinas-a") is first
        other = kept.of(c, "dinas-b")
        assert other is not first
    # The admin sets Dinas A's hours (revision 1, the first one stored): the next due time sees them.
    with db.begin() as c:
        set_hours(c, "dinas-a", {0: (420, 900)})
        c.execute(insert(WorkingCalendarRevision), [{"org": "dinas-a", "revision": 1}])
    with db.connect() as c:
        second = kept.of(c, "dinas-a")
        assert second.week == ((420, 900), None, None, None, None, None, None)
        assert kept.of(c, "dinas-a") is second
        assert kept.of(c, "dinas-b") is other
    with db.begin() as c:
        add_days(c, "dinas-a", {date(2026, 11, 24): (True, "HUT Provinsi")})
        c.execute(update(WorkingCalendarRevision).where(WorkingCalendarRevision.org == "dinas-a").values(revision=2))
    with db.connect() as c:
        third = kept.of(c, "dinas-a")
    assert third is not second and third.is_day_off(date(2026, 11, 24))

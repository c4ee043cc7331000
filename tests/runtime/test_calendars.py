"""Due times on an organisation's working calendar (runtime/calendars.py): Indonesia's national
holidays and cuti bersama (the `holidays` package), the organisation's own days and hours.

Every expected due time is computed by hand from the calendar of the year and written as a
literal; none is computed with the code under test. The days off used, as the SKB decrees
set them for 2026: Wed 18 March cuti bersama Nyepi, Thu 19 Nyepi, Fri 20 cuti bersama Idul
Fitri, Mon 23 and Tue 24 cuti bersama Idul Fitri; Mon 17 August Hari Kemerdekaan; Thu 24
December cuti bersama Natal, Fri 25 Natal; Fri 1 January 2027 Tahun Baru Masehi.
Working day 08:00-16:00 local time unless a test says otherwise.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from alur.runtime import calendar_admin
from alur.runtime.calendars import CUTI_BERSAMA, PUBLIC, OrgDays, build_calendar, national_days_off
from alur.runtime.standard_time import WorkingCalendar
from tests.runtime.test_kalbar_pengumpulan_skp import KALBAR, KASUBBAG, PROCESS, only_ready

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
PONTIANAK = ZoneInfo("Asia/Pontianak")  # Kalimantan Barat: WIB, a zone of its own in the tz database
NO_DAYS = OrgDays(added={}, removed={})


def national(zone: str, week=None, days: OrgDays = NO_DAYS) -> WorkingCalendar:
    """An organisation's calendar in `zone` with the national days off, as the engine builds it."""
    return build_calendar(WorkingCalendar(timezone=zone), week, days)


def test_the_package_knows_the_days_off_these_tests_count_on():
    """The facts the literals below rest on; a release of `holidays` that moves one fails here first."""
    days = national_days_off(2026)
    assert days[date(2026, 8, 17)] == ("Hari Kemerdekaan Republik Indonesia", PUBLIC)
    assert days[date(2026, 12, 25)] == ("Hari Raya Natal", PUBLIC)
    assert days[date(2026, 12, 24)] == ("Cuti Bersama Hari Raya Natal", CUTI_BERSAMA)
    assert days[date(2026, 3, 19)] == ("Hari Suci Nyepi", PUBLIC)
    assert {d for d in days if date(2026, 3, 16) <= d <= date(2026, 3, 27)} == {
        date(2026, 3, 18), date(2026, 3, 19), date(2026, 3, 20), date(2026, 3, 21), date(2026, 3, 22),
        date(2026, 3, 23), date(2026, 3, 24)}
    assert date(2026, 8, 18) not in days and date(2026, 3, 25) not in days
    assert date(2027, 1, 1) in national_days_off(2027) and date(2027, 1, 4) not in national_days_off(2027)


@pytest.mark.parametrize(
    "zone, ready, minutes, due",
    [
        # Friday 14 August 15:00 + 2 jam: 1 h Friday; Monday 17 is Hari Kemerdekaan; 1 h Tuesday.
        (WIB, datetime(2026, 8, 14, 15, 0), 120, datetime(2026, 8, 18, 9, 0)),
        # Ready at 06:00 on Hari Kemerdekaan: the clock starts Tuesday at 08:00, not at midnight.
        (WIB, datetime(2026, 8, 17, 6, 0), 5, datetime(2026, 8, 18, 8, 5)),
        # Ready on the Saturday before it: the Monday is off too, so Tuesday.
        (WIB, datetime(2026, 8, 15, 10, 0), 30, datetime(2026, 8, 18, 8, 30)),
        # WITA, Wednesday 23 December 15:00 + 2 jam: 1 h Wednesday; Thursday cuti bersama, Friday Natal,
        # the weekend; 1 h Monday 28.
        (WITA, datetime(2026, 12, 23, 15, 0), 120, datetime(2026, 12, 28, 9, 0)),
        # WIT, Tuesday 17 March 15:30 + 1 hari: 30 min Tuesday; Wednesday 18 to Tuesday 24 all off
        # (Nyepi, Idul Fitri and their cuti bersama, the weekend); 450 min from 08:00 Wednesday 25.
        (WIT, datetime(2026, 3, 17, 15, 30), 480, datetime(2026, 3, 25, 15, 30)),
        # A minute before closing on New Year's Eve + 2 minutes: 1 min Thursday, Friday 1 January
        # 2027 off, the weekend, 1 min Monday 4 January: the span crosses into next year's holidays.
        (WIB, datetime(2026, 12, 31, 15, 59), 2, datetime(2027, 1, 4, 8, 1)),
    ],
)
def test_national_holidays_and_cuti_bersama_stop_the_clock(zone, ready, minutes, due):
    calendar = national(zone.key)
    assert calendar.add_working_minutes(ready.replace(tzinfo=zone), minutes) == due.replace(tzinfo=zone)


def test_a_ready_time_in_utc_on_a_holiday_in_wit():
    # 2026-08-16 23:00 UTC is Monday 17 August 08:00 WIT, Hari Kemerdekaan: the clock starts
    # Tuesday 08:00 WIT (= Monday 23:00 UTC) and the due time is given back in UTC.
    due = national("Asia/Jayapura").add_working_minutes(datetime(2026, 8, 16, 23, 0, tzinfo=timezone.utc), 30)
    assert due == datetime(2026, 8, 17, 23, 30, tzinfo=timezone.utc)
    assert due.tzinfo == timezone.utc


def test_a_day_off_the_organisation_added_stops_the_clock():
    # Hari Jadi Provinsi Kalimantan Barat, Wednesday 28 January 2026, a day off of the province's office.
    days = OrgDays(added={date(2026, 1, 28): "Hari Jadi Provinsi Kalimantan Barat"}, removed={})
    calendar = national("Asia/Pontianak", days=days)
    # Tuesday 15:00 + 2 jam: 1 h Tuesday, Wednesday off, 1 h Thursday.
    assert calendar.add_working_minutes(datetime(2026, 1, 27, 15, 0, tzinfo=PONTIANAK), 120) == \
        datetime(2026, 1, 29, 9, 0, tzinfo=PONTIANAK)
    # Without it, Wednesday is worked.
    assert national("Asia/Pontianak").add_working_minutes(datetime(2026, 1, 27, 15, 0, tzinfo=PONTIANAK), 120) == \
        datetime(2026, 1, 28, 9, 0, tzinfo=PONTIANAK)


def test_a_cuti_bersama_the_organisation_works_runs_the_clock():
    days = OrgDays(added={}, removed={date(2026, 12, 24): "pelayanan tetap buka"})
    calendar = national("Asia/Makassar", days=days)
    # Wednesday 23 December 15:00 WITA + 2 jam: 1 h Wednesday, 1 h on the cuti bersama it works.
    assert calendar.add_working_minutes(datetime(2026, 12, 23, 15, 0, tzinfo=WITA), 120) == \
        datetime(2026, 12, 24, 9, 0, tzinfo=WITA)
    # Natal itself stays off: Thursday 15:30 + 1 jam = 30 min Thursday, 30 min Monday 28.
    assert calendar.add_working_minutes(datetime(2026, 12, 24, 15, 30, tzinfo=WITA), 60) == \
        datetime(2026, 12, 28, 8, 30, tzinfo=WITA)


# Monday to Thursday 07:30-16:00, Friday 07:30-16:30, weekend off (minutes after midnight).
LONG_FRIDAY = ((450, 960),) * 4 + ((450, 990), None, None)
# Monday to Friday 08:00-16:00 and Saturday 08:00-12:00.
SATURDAY_MORNING = ((480, 960),) * 5 + ((480, 720), None)


@pytest.mark.parametrize(
    "week, zone, ready, minutes, due",
    [
        # Friday 16:00 + 1 jam: 30 min to Friday's 16:30, 30 min from Monday's 07:30.
        (LONG_FRIDAY, WIB, datetime(2026, 11, 27, 16, 0), 60, datetime(2026, 11, 30, 8, 0)),
        # Thursday closes at 16:00: Thursday 16:00 + 1 jam = Friday 08:30.
        (LONG_FRIDAY, WIB, datetime(2026, 11, 26, 16, 0), 60, datetime(2026, 11, 27, 8, 30)),
        # Ready at 06:00: the clock starts at 07:30.
        (LONG_FRIDAY, WIT, datetime(2026, 11, 23, 6, 0), 10, datetime(2026, 11, 23, 7, 40)),
        # Friday 15:30 + 2 jam: 30 min Friday, 90 min of Saturday morning.
        (SATURDAY_MORNING, WITA, datetime(2026, 11, 20, 15, 30), 120, datetime(2026, 11, 21, 9, 30)),
        # Saturday 11:30 + 1 jam: 30 min Saturday, Sunday off, 30 min Monday.
        (SATURDAY_MORNING, WITA, datetime(2026, 11, 21, 11, 30), 60, datetime(2026, 11, 23, 8, 30)),
        # A worked Saturday that is a holiday is off: Saturday 21 March 2026 is Idul Fitri. Ready
        # Wednesday 18 (cuti bersama) 10:00 WIT + 5 menit: 18 to 24 March all off, Wednesday 25 08:05.
        (SATURDAY_MORNING, WIT, datetime(2026, 3, 18, 10, 0), 5, datetime(2026, 3, 25, 8, 5)),
    ],
)
def test_an_organisations_own_working_hours(week, zone, ready, minutes, due):
    calendar = national(zone.key, week=week)
    assert calendar.add_working_minutes(ready.replace(tzinfo=zone), minutes) == due.replace(tzinfo=zone)


@pytest.mark.parametrize(
    "zone, start, end, minutes",
    [
        # Friday 14 August 15:00 to Tuesday 18 August 09:00 over Hari Kemerdekaan: 60 + 60.
        (WIB, datetime(2026, 8, 14, 15, 0), datetime(2026, 8, 18, 9, 0), 120),
        # 06:00 to 09:00: the two hours before opening do not count.
        (WITA, datetime(2026, 11, 23, 6, 0), datetime(2026, 11, 23, 9, 0), 60),
        # Saturday to Monday 08:30.
        (WIT, datetime(2026, 11, 21, 10, 0), datetime(2026, 11, 23, 8, 30), 30),
        # After closing to after closing the next day: one whole working day.
        (WIB, datetime(2026, 11, 23, 17, 0), datetime(2026, 11, 24, 18, 0), 480),
        # 15:59:30 to 16:00:20 the same day: 30 seconds worked, rounded down to 0 minutes.
        (WIB, datetime(2026, 11, 23, 15, 59, 30), datetime(2026, 11, 23, 16, 0, 20), 0),
    ],
)
def test_the_working_minutes_a_step_took(zone, start, end, minutes):
    calendar = national(zone.key)
    assert calendar.working_minutes_between(start.replace(tzinfo=zone), end.replace(tzinfo=zone)) == minutes


def test_the_engine_due_time_follows_the_organisations_calendar(sop, monkeypatch):
    """A task of the Kalimantan Barat SOP ready on the Friday before Hari Kemerdekaan, then the
    organisation's admin adds a day off and works the holiday: the open task's due time moves each time."""
    from alur.runtime import engine as runtime_engine
    now = datetime(2026, 8, 14, 8, 58, tzinfo=timezone.utc)  # Friday 15:58 WIB
    monkeypatch.setattr(runtime_engine, "utcnow", lambda: now)
    task = only_ready(sop.start(PROCESS, KASUBBAG))
    assert task.standard_minutes == 5
    # "5 Menit": 2 minutes on Friday, Monday 17 is off, 3 minutes from Tuesday 08:00 WIB (01:00 UTC).
    assert task.due_at == datetime(2026, 8, 18, 1, 3, tzinfo=timezone.utc)

    change = calendar_admin.add_day_off(sop, KALBAR, date(2026, 8, 18), "Cuti bersama daerah", "admin", now=now)
    assert change.recomputed == 1
    # Tuesday off too: 3 minutes from Wednesday 19 August 08:00 WIB.
    assert sop.task(task.id).due_at == datetime(2026, 8, 19, 1, 3, tzinfo=timezone.utc)

    change = calendar_admin.remove_day_off(sop, KALBAR, date(2026, 8, 17), "admin", "upacara dan pelayanan",
                                           now=now)
    assert change.recomputed == 1
    # Hari Kemerdekaan worked: 3 minutes from Monday 17 August 08:00 WIB.
    assert sop.task(task.id).due_at == datetime(2026, 8, 17, 1, 3, tzinfo=timezone.utc)

    # The next task gets its due time on the changed calendar too: Step_02 "15 Menit", ready Friday
    # 15:58 WIB: 2 minutes on Friday, 13 from Monday 17 August 08:00 WIB.
    view = sop.complete(task.id, KASUBBAG, {"isi_disposisi": "Sebarkan disposisi pengumpulan SKP"})
    assert only_ready(view).due_at == datetime(2026, 8, 17, 1, 13, tzinfo=timezone.utc)


def test_the_engine_due_time_follows_the_organisations_working_hours(sop, monkeypatch):
    from alur.runtime import engine as runtime_engine
    now = datetime(2026, 11, 20, 8, 58, tzinfo=timezone.utc)  # Friday 15:58 WIB
    monkeypatch.setattr(runtime_engine, "utcnow", lambda: now)
    task = only_ready(sop.start(PROCESS, KASUBBAG))
    # "5 Menit": 2 minutes on Friday, 3 from Monday 23 November 08:00 WIB.
    assert task.due_at == datetime(2026, 11, 23, 1, 3, tzinfo=timezone.utc)
    # Fridays 07:30-16:30 from now on: all 5 minutes on Friday, 16:03 WIB.
    change = calendar_admin.set_hours(sop, KALBAR, [4], 7 * 60 + 30, 16 * 60 + 30, "admin", now=now)
    assert change.recomputed == 1
    assert sop.task(task.id).due_at == datetime(2026, 11, 20, 9, 3, tzinfo=timezone.utc)
    # Mondays open at 07:00 and Fridays close at 16:00 again: 2 minutes Friday, 3 from Monday 07:00 WIB.
    calendar_admin.set_hours(sop, KALBAR, [0], 7 * 60, 16 * 60, "admin", now=now)
    calendar_admin.set_hours(sop, KALBAR, [4], 8 * 60, 16 * 60, "admin", now=now)
    assert sop.task(task.id).due_at == datetime(2026, 11, 23, 0, 3, tzinfo=timezone.utc)

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest

from alur.runtime.standard_time import MAX_STANDARD_MINUTES, WorkingCalendar, format_minutes, parse_waktu

WIB = ZoneInfo("Asia/Jakarta")


@pytest.mark.parametrize(
    "text, minutes",
    [
        ("5 Menit", 5),
        ("5menit", 5),
        ("2 Jam", 120),
        ("1 hari", 480),
        ("2400 Menit", 2400),
        ("9.600 Menit", 9600),
        ("1,5 jam", 90),
        ("2 HARI KERJA + 1 JAM 5 MENIT", 1025),
        ("", None),
        ("segera", None),
    ],
)
def test_parse_waktu_reads_what_sops_write(text, minutes):
    assert parse_waktu(text) == minutes


def test_format_minutes_speaks_working_days():
    assert format_minutes(1025) == "2 hari 1 jam 5 menit"
    assert format_minutes(0) == "0 menit"


def test_due_time_counts_only_working_hours():
    calendar = WorkingCalendar(timezone="Asia/Jakarta")
    friday_afternoon = datetime(2026, 11, 20, 15, 30, tzinfo=WIB)
    # 30 minutes left on Friday, the other 30 on Monday morning.
    assert calendar.add_working_minutes(friday_afternoon, 60) == datetime(2026, 11, 23, 8, 30, tzinfo=WIB)


def test_one_hari_is_a_full_working_day_later():
    calendar = WorkingCalendar(timezone="Asia/Jakarta")
    monday_nine = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)
    assert calendar.add_working_minutes(monday_nine, 480) == datetime(2026, 11, 24, 9, 0, tzinfo=WIB)


def test_ready_in_the_evening_starts_next_morning_and_skips_holidays():
    holiday = datetime(2026, 11, 24).date()
    calendar = WorkingCalendar(timezone="Asia/Jakarta", holidays=frozenset({holiday}))
    monday_evening = datetime(2026, 11, 23, 19, 0, tzinfo=WIB)
    assert calendar.add_working_minutes(monday_evening, 5) == datetime(2026, 11, 25, 8, 5, tzinfo=WIB)


def test_due_time_keeps_the_callers_timezone():
    calendar = WorkingCalendar(timezone="Asia/Jakarta")
    start = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # 09:00 WIB
    due = calendar.add_working_minutes(start, 20)
    assert due == datetime(2026, 11, 23, 2, 20, tzinfo=timezone.utc)
    assert due.tzinfo == timezone.utc


def test_naive_start_is_refused():
    with pytest.raises(ValueError):
        WorkingCalendar().add_working_minutes(datetime(2026, 11, 23, 9, 0), 5)


# Hand-computed due times. 2026-11-20 is a Friday; 2026-11-23 a Monday.
# Working day 08:00-16:00 local time unless a test says otherwise.
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")


@pytest.mark.parametrize(
    "ready, minutes, due",
    [
        # ready before opening: the clock starts at 08:00, not at 06:00
        (datetime(2026, 11, 23, 6, 0), 5, datetime(2026, 11, 23, 8, 5)),
        (datetime(2026, 11, 23, 7, 59, 59), 1, datetime(2026, 11, 23, 8, 1)),
        # ready after closing: next working morning
        (datetime(2026, 11, 23, 17, 30), 5, datetime(2026, 11, 24, 8, 5)),
        # ready exactly at closing: nothing is left of that day
        (datetime(2026, 11, 23, 16, 0), 5, datetime(2026, 11, 24, 8, 5)),
        # ready exactly at opening
        (datetime(2026, 11, 23, 8, 0), 5, datetime(2026, 11, 23, 8, 5)),
        # ready on a Saturday and on a Sunday: Monday morning
        (datetime(2026, 11, 21, 10, 0), 5, datetime(2026, 11, 23, 8, 5)),
        (datetime(2026, 11, 22, 23, 59), 60, datetime(2026, 11, 23, 9, 0)),
        # a minute before closing: one minute today, the rest tomorrow
        (datetime(2026, 11, 23, 15, 59), 1, datetime(2026, 11, 23, 16, 0)),
        (datetime(2026, 11, 23, 15, 59), 2, datetime(2026, 11, 24, 8, 1)),
        # over a weekend: Friday 14:00 + 3 h = 2 h Friday, 1 h Monday
        (datetime(2026, 11, 20, 14, 0), 180, datetime(2026, 11, 23, 9, 0)),
        # several days: Monday 10:00 + 3 hari = Thursday 10:00
        (datetime(2026, 11, 23, 10, 0), 3 * 480, datetime(2026, 11, 26, 10, 0)),
        # several days over a weekend: Thursday 10:00 + 5 hari = next Thursday 10:00
        (datetime(2026, 11, 26, 10, 0), 5 * 480, datetime(2026, 12, 3, 10, 0)),
        # a whole working day from opening ends at closing, not next morning
        (datetime(2026, 11, 23, 8, 0), 480, datetime(2026, 11, 23, 16, 0)),
        # seconds count: 09:00:30 + 5 minutes
        (datetime(2026, 11, 23, 9, 0, 30), 5, datetime(2026, 11, 23, 9, 5, 30)),
        # seconds before closing carry to the next day exactly
        (datetime(2026, 11, 23, 15, 59, 30), 1, datetime(2026, 11, 24, 8, 0, 30)),
        # zero minutes: due when ready, or at the next opening
        (datetime(2026, 11, 23, 9, 0), 0, datetime(2026, 11, 23, 9, 0)),
        (datetime(2026, 11, 21, 9, 0), 0, datetime(2026, 11, 23, 8, 0)),
    ],
)
def test_due_times_computed_by_hand_in_wib(ready, minutes, due):
    calendar = WorkingCalendar(timezone="Asia/Jakarta")
    assert calendar.add_working_minutes(ready.replace(tzinfo=WIB), minutes) == due.replace(tzinfo=WIB)


@pytest.mark.parametrize(
    "zone, ready_utc, minutes, due_utc",
    [
        # WITA is UTC+8: 08:00 WITA = 00:00 UTC. Ready 23:00 UTC Sunday = 07:00 WITA Monday.
        ("Asia/Makassar", datetime(2026, 11, 22, 23, 0), 30, datetime(2026, 11, 23, 0, 30)),
        # WIT is UTC+9: 16:00 WIT = 07:00 UTC. Ready 06:30 UTC Friday = 15:30 WIT: 30 min Friday, 30 Monday.
        ("Asia/Jayapura", datetime(2026, 11, 20, 6, 30), 60, datetime(2026, 11, 22, 23, 30)),
        # WIB: the same UTC instant as the WITA case is 06:00 WIB, so the clock starts at 08:00 WIB = 01:00 UTC.
        ("Asia/Jakarta", datetime(2026, 11, 22, 23, 0), 30, datetime(2026, 11, 23, 1, 30)),
        # A zone with daylight saving: New York on the Friday before the March 2027 change
        # (16:00 EST = 21:00 UTC; Monday 08:00 EDT = 12:00 UTC).
        ("America/New_York", datetime(2027, 3, 12, 20, 0), 120, datetime(2027, 3, 15, 13, 0)),
    ],
)
def test_due_times_in_other_time_zones(zone, ready_utc, minutes, due_utc):
    calendar = WorkingCalendar(timezone=zone)
    due = calendar.add_working_minutes(ready_utc.replace(tzinfo=timezone.utc), minutes)
    assert due == due_utc.replace(tzinfo=timezone.utc)


def test_due_time_of_a_ready_time_given_in_another_zone_than_the_calendar():
    calendar = WorkingCalendar(timezone="Asia/Makassar")
    ready = datetime(2026, 11, 23, 7, 30, tzinfo=WIB)  # 08:30 WITA
    assert calendar.add_working_minutes(ready, 30) == datetime(2026, 11, 23, 9, 0, tzinfo=WITA)
    assert calendar.add_working_minutes(ready, 30).tzinfo == WIB


def test_other_working_hours():
    calendar = WorkingCalendar(timezone="Asia/Jayapura", day_start=time(7, 30), minutes_per_day=450)  # 07:30-15:00
    assert calendar.add_working_minutes(datetime(2026, 11, 23, 14, 0, tzinfo=WIT), 90) == \
        datetime(2026, 11, 24, 8, 0, tzinfo=WIT)
    assert calendar.add_working_minutes(datetime(2026, 11, 23, 7, 0, tzinfo=WIT), 10) == \
        datetime(2026, 11, 23, 7, 40, tzinfo=WIT)


def test_holidays_are_skipped_like_weekends():
    # Thursday and Friday off: Wednesday 15:00 + 2 h = 1 h Wednesday, 1 h Monday.
    off = frozenset({date(2026, 11, 26), date(2026, 11, 27)})
    calendar = WorkingCalendar(timezone="Asia/Jakarta", holidays=off)
    assert calendar.add_working_minutes(datetime(2026, 11, 25, 15, 0, tzinfo=WIB), 120) == \
        datetime(2026, 11, 30, 9, 0, tzinfo=WIB)
    # ready on a holiday: the clock starts on the next working day
    assert calendar.add_working_minutes(datetime(2026, 11, 26, 10, 0, tzinfo=WIB), 5) == \
        datetime(2026, 11, 30, 8, 5, tzinfo=WIB)


@pytest.mark.parametrize("minutes", [-1, MAX_STANDARD_MINUTES + 1, 10**12])
def test_standards_outside_one_working_year_are_refused(minutes):
    with pytest.raises(ValueError, match="standard minutes"):
        WorkingCalendar().add_working_minutes(datetime(2026, 11, 23, 9, 0, tzinfo=WIB), minutes)


def test_the_longest_standard_is_250_working_days():
    # 250 working days from Monday 2026-11-23 08:00 with no holidays = 50 weeks later, Friday 16:00.
    due = WorkingCalendar().add_working_minutes(datetime(2026, 11, 23, 8, 0, tzinfo=WIB), MAX_STANDARD_MINUTES)
    assert due == datetime(2027, 11, 5, 16, 0, tzinfo=WIB)


@pytest.mark.parametrize("kwargs", [dict(minutes_per_day=0), dict(minutes_per_day=1441),
                                    dict(day_start=time(20, 0), minutes_per_day=480),
                                    dict(timezone="Mars/Olympus_Mons")])
def test_impossible_working_days_are_refused(kwargs):
    with pytest.raises((ValueError, KeyError)):  # ZoneInfoNotFoundError is a KeyError
        WorkingCalendar(**kwargs)

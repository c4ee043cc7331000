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


# ------------------------------------------------ working minutes between two moments, weeks at once
# Long spans count their whole days a week at a time (runtime/standard_time.py); each figure below is
# computed by hand and checked against the day-by-day walk as well.

def _both(calendar: WorkingCalendar, start: datetime, end: datetime) -> tuple[int, int]:
    return calendar.working_minutes_between(start, end), calendar._walked_minutes(start, end)


@pytest.mark.parametrize("start, end, minutes", [
    # Monday 2026-01-05 09:00 to Friday 2026-03-06 15:00, no holidays: 8 weeks and 5 days minus the
    # first hour and the last hour = 45 days x 480 - 60 - 60.
    (datetime(2026, 1, 5, 9, 0), datetime(2026, 3, 6, 15, 0), 45 * 480 - 120),
    # Saturday 2026-01-03 to Sunday 2026-01-18: two whole working weeks, nothing on either weekend.
    (datetime(2026, 1, 3, 12, 0), datetime(2026, 1, 18, 12, 0), 10 * 480),
    # Wednesday 15:30 to the Wednesday 13 days later 08:10: 30 min, then 2 whole weeks' days but the
    # last Wednesday (9 days), then 10 min.
    (datetime(2026, 1, 7, 15, 30), datetime(2026, 1, 20, 8, 10), 30 + 8 * 480 + 10),
    # A whole working year (Monday 2026-01-05 08:00 to Monday 2027-01-04 08:00): 52 weeks.
    (datetime(2026, 1, 5, 8, 0), datetime(2027, 1, 4, 8, 0), 52 * 5 * 480),
    # Seconds are kept until the end and rounded down once: Monday 09:00:40 to the Friday 11 days later
    # 09:00:20 is 419 min 20 s, 8 whole days, 60 min 20 s: 9 days less 20 s.
    (datetime(2026, 1, 5, 9, 0, 40), datetime(2026, 1, 16, 9, 0, 20), 9 * 480 - 1),
])
def test_long_spans_count_whole_weeks_as_the_day_walk_does(start, end, minutes):
    calendar = WorkingCalendar()
    assert _both(calendar, start.replace(tzinfo=WIB), end.replace(tzinfo=WIB)) == (minutes, minutes)


def test_days_off_inside_a_long_span_are_taken_out_once_and_only_on_working_weekdays():
    # Monday 2026-03-02 08:00 to Monday 2026-03-30 08:00 is 4 weeks = 20 days. Off: Wednesday 03-18 and
    # Thursday 03-19 (given as holidays), Saturday 03-21 (a weekend anyway), and Friday 03-20 from the
    # year's days off as well as in the holidays (counted once): 17 working days.
    given = frozenset({date(2026, 3, 18), date(2026, 3, 19), date(2026, 3, 21), date(2026, 3, 20)})
    calendar = WorkingCalendar(holidays=given, days_off_of_year=lambda year: frozenset({date(2026, 3, 20)}))
    start, end = datetime(2026, 3, 2, 8, 0, tzinfo=WIB), datetime(2026, 3, 30, 8, 0, tzinfo=WIB)
    assert _both(calendar, start, end) == (17 * 480, 17 * 480)


def test_a_span_across_new_year_reads_the_days_off_of_both_years():
    # Monday 2026-12-21 08:00 to Monday 2027-01-11 08:00: 3 weeks = 15 days, less Friday 2026-12-25
    # and Friday 2027-01-01 (each year's own days off): 13 days.
    def days_off(year: int) -> frozenset[date]:
        return frozenset({date(2026, 12, 25)} if year == 2026 else {date(2027, 1, 1)})

    calendar = WorkingCalendar(days_off_of_year=days_off)
    start, end = datetime(2026, 12, 21, 8, 0, tzinfo=WIB), datetime(2027, 1, 11, 8, 0, tzinfo=WIB)
    assert _both(calendar, start, end) == (13 * 480, 13 * 480)


def test_a_week_of_its_own_hours_counts_each_weekday_its_hours():
    # Monday-Thursday 07:30-16:00 (510 min), Friday 07:30-11:30 (240 min), Saturday 08:00-12:00
    # (240 min), Sunday off: a week is 4 x 510 + 240 + 240 = 2520 min. Monday 2026-06-01 07:30 to
    # Thursday 2026-06-25 16:00 is 3 weeks and 4 days (Monday-Thursday): 3 x 2520 + 4 x 510.
    week = (*[(450, 960)] * 4, (450, 690), (480, 720), None)
    calendar = WorkingCalendar(week=week)
    start, end = datetime(2026, 6, 1, 7, 30, tzinfo=WIB), datetime(2026, 6, 25, 16, 0, tzinfo=WIB)
    assert _both(calendar, start, end) == (3 * 2520 + 4 * 510, 3 * 2520 + 4 * 510)


def test_a_long_span_given_in_another_zone_is_counted_in_the_calendars_zone():
    # 2026-01-05 01:00 UTC is Monday 08:00 WIB; 2026-01-19 09:00 UTC is Monday 16:00 WIB: 2 weeks and a day.
    calendar = WorkingCalendar()
    start = datetime(2026, 1, 5, 1, 0, tzinfo=timezone.utc)
    end = datetime(2026, 1, 19, 9, 0, tzinfo=timezone.utc)
    assert _both(calendar, start, end) == (11 * 480, 11 * 480)


def test_the_week_count_agrees_with_the_day_walk_on_many_spans():
    import random

    rng = random.Random(16)
    off = frozenset(date(2026, 1, 1) + (date(2026, 1, 2) - date(2026, 1, 1)) * rng.randrange(0, 730)
                    for _ in range(40))
    calendars = [WorkingCalendar(), WorkingCalendar(holidays=off),
                 WorkingCalendar(timezone="Asia/Jayapura", week=(None, (420, 900), (420, 900), (420, 900),
                                                                 (420, 660), (480, 720), None), holidays=off)]
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for _ in range(300):
        calendar = rng.choice(calendars)
        start = base + (datetime(2026, 1, 1, 0, 1, tzinfo=timezone.utc) - base) * rng.randrange(0, 60 * 24 * 400)
        end = start + (datetime(2026, 1, 1, 0, 0, 1, tzinfo=timezone.utc) - base) * rng.randrange(0, 86400 * 300)
        fast, walked = _both(calendar, start, end)
        assert fast == walked, (calendar.timezone, start, end)

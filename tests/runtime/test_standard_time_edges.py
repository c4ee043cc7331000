"""Edges of working-time arithmetic that mutation testing (bench/mutation.sh) found unpinned: the
bounds of a working day and week, the time a step actually took, and days that open at midnight."""
from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from alur.runtime.standard_time import WorkingCalendar, check_week, default_week, parse_waktu

WIB = ZoneInfo("Asia/Jakarta")
MONDAY = date(2026, 11, 23)
OFF = None


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A moment of the week of Monday 23 November 2026, in WIB."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=WIB)


@pytest.mark.parametrize("text, minutes", [("5 mnt", 5), ("1 minggu", 2400), ("2 Minggu", 4800)])
def test_short_and_weekly_units(text, minutes):
    assert parse_waktu(text) == minutes


def test_the_default_week_is_monday_to_friday_eight_to_four():
    assert default_week() == ((480, 960),) * 5 + (OFF, OFF)


def test_a_working_day_may_end_at_midnight_but_not_after():
    assert WorkingCalendar(day_start=time(16, 0)).week[0] == (960, 1440)
    with pytest.raises(ValueError, match="must end by midnight"):
        WorkingCalendar(day_start=time(16, 1))


@pytest.mark.parametrize("minutes", [0, 1441])
def test_a_working_day_is_one_minute_to_a_whole_day(minutes):
    with pytest.raises(ValueError, match="between 1 and 1440"):
        WorkingCalendar(day_start=time(0, 0), minutes_per_day=minutes)
    assert WorkingCalendar(day_start=time(0, 0), minutes_per_day=1440).week[0] == (0, 1440)
    assert WorkingCalendar(minutes_per_day=1).week[0] == (480, 481)


def test_a_week_may_open_at_midnight_and_close_at_the_next():
    check_week(((0, 1440),) + (OFF,) * 6)


@pytest.mark.parametrize("hours", [(-1, 480), (480, 1441), (480, 480), (600, 480)])
def test_a_weekday_opens_before_it_closes_within_the_day(hours):
    with pytest.raises(ValueError, match="working hours of wed must open before they close"):
        check_week(((480, 960),) * 2 + (hours,) + ((480, 960),) * 4)


def test_a_calendar_is_frozen_and_its_days_off_function_is_not_part_of_its_identity():
    calendar = WorkingCalendar(days_off_of_year=lambda year: frozenset())
    with pytest.raises(FrozenInstanceError):
        calendar.minutes_per_day = 60  # type: ignore[misc]
    assert calendar == WorkingCalendar(days_off_of_year=lambda year: frozenset({MONDAY}))


def test_a_working_day_has_hours_and_is_no_holiday():
    calendar = WorkingCalendar(holidays=frozenset({date(2026, 11, 24)}))
    assert calendar.is_working_day(MONDAY)
    assert not calendar.is_working_day(date(2026, 11, 24))  # a holiday
    assert not calendar.is_working_day(date(2026, 11, 28))  # Saturday


@pytest.mark.parametrize("start, end, minutes", [
    (at(23, 9), at(23, 9, 5, 59), 5),  # rounded down
    (at(23, 9), at(23, 11), 120),
    (at(23, 7), at(23, 9), 60),  # before opening does not count
    (at(23, 15), at(24, 9), 120),  # nor the night
    (at(27, 15), at(30, 9), 120),  # nor the weekend
    (at(25, 15), at(26, 9), 60),  # nor a holiday (Thursday)
    (at(23, 8), at(27, 16), 5 * 480 - 480),
    (at(23, 12), at(23, 9), 0),  # an end before the start
    (at(23, 9), at(23, 9), 0),
])
def test_the_working_minutes_a_step_took(start, end, minutes):
    calendar = WorkingCalendar(holidays=frozenset({date(2026, 11, 26)}))
    assert calendar.working_minutes_between(start, end) == minutes


def test_working_minutes_between_needs_aware_moments():
    calendar = WorkingCalendar()
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_minutes_between(at(23, 9).replace(tzinfo=None), at(23, 10))
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_minutes_between(at(23, 9), at(23, 10).replace(tzinfo=None))


def test_a_day_that_opens_at_midnight_counts_from_midnight():
    # A night shift: Tuesday 00:00-08:00 only.
    calendar = WorkingCalendar(week=(OFF, (0, 480), OFF, OFF, OFF, OFF, OFF))
    assert calendar.add_working_minutes(at(23, 15), 30) == at(24, 0, 30)
    assert calendar.working_minutes_between(at(23, 15), at(24, 1)) == 60
    assert calendar.working_minutes_between(at(23, 15), at(25, 1)) == 480


def test_a_week_of_seven_working_days_and_a_week_of_none():
    check_week(((480, 960),) * 7)
    with pytest.raises(ValueError, match="at least one working day"):
        check_week((OFF,) * 7)


def test_a_bad_weekday_after_a_day_off_is_refused_too():
    with pytest.raises(ValueError, match="working hours of tue"):
        check_week((OFF, (600, 480)) + ((480, 960),) * 5)


def test_a_zero_standard_ready_at_closing_time_is_due_at_the_next_opening():
    # As one ready after closing: the day's working time is over.
    calendar = WorkingCalendar()
    assert calendar.add_working_minutes(at(23, 16), 0) == at(24, 8)
    assert calendar.add_working_minutes(at(23, 15, 59), 0) == at(23, 15, 59)


WIB = ZoneInfo("Asia/Jakarta")


def test_a_span_of_weeks_leaves_out_a_day_off_on_its_first_whole_day():
    # Sunday 16 Aug 2026 10:00 to Monday 31 Aug 10:00 WIB, national days off of the year: Monday 17 Aug
    # (Hari Kemerdekaan) is the first whole day, Tuesday 25 Aug (Maulid Nabi) another. By hand:
    # 18-21 Aug 4 x 480, 24-28 Aug 5 x 480 less 25 Aug, 31 Aug 08:00-10:00 = 1920 + 1920 + 120.
    from alur.runtime.calendars import national_days_off

    calendar = WorkingCalendar(days_off_of_year=lambda year: frozenset(national_days_off(year)))
    start, end = datetime(2026, 8, 16, 10, 0, tzinfo=WIB), datetime(2026, 8, 31, 10, 0, tzinfo=WIB)
    assert calendar.working_minutes_between(start, end) == 3960


def test_working_minutes_between_refuses_a_naive_start_or_end():
    calendar = WorkingCalendar()
    aware, naive = datetime(2026, 8, 18, 9, 0, tzinfo=WIB), datetime(2026, 8, 18, 10, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_minutes_between(naive, aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.working_minutes_between(aware, naive)


def test_a_span_of_weeks_ending_on_a_day_off_counts_that_day_once():
    # Monday 3 Aug 2026 10:00 to Monday 17 Aug 10:00 WIB (Hari Kemerdekaan, off). By hand: 3 Aug
    # 10:00-16:00 = 360, 4-7 Aug 4 x 480, 10-14 Aug 5 x 480, 17 Aug nothing: 360 + 1920 + 2400.
    from alur.runtime.calendars import national_days_off

    calendar = WorkingCalendar(days_off_of_year=lambda year: frozenset(national_days_off(year)))
    start, end = datetime(2026, 8, 3, 10, 0, tzinfo=WIB), datetime(2026, 8, 17, 10, 0, tzinfo=WIB)
    assert calendar.working_minutes_between(start, end) == 4680

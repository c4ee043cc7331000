from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from runtime.standard_time import WorkingCalendar, format_minutes, parse_waktu

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

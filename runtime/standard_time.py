"""The SOP's time standard (mutu baku "Waktu") and working-time arithmetic.

An SOP states waktu in working time: "5 Menit", "2 Jam", "1 hari". One working
day is 8 hours (480 minutes). When the clock runs is the organisation's working calendar:
by default Monday to Friday 08:00-16:00 in the organisation's time zone, without holidays;
runtime/calendars.py adds the national holidays, cuti bersama and each organisation's own
days and hours.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_WORKING_DAY = 480

_UNIT_MINUTES = {
    "menit": 1,
    "mnt": 1,
    "jam": 60,
    "hari": MINUTES_PER_WORKING_DAY,
    "minggu": 5 * MINUTES_PER_WORKING_DAY,
}
_PART = re.compile(r"(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)\s*(menit|mnt|jam|hari(?:\s+kerja)?|minggu)", re.IGNORECASE)


def parse_waktu(text: str) -> int | None:
    """Return the standard minutes written in an SOP's "Waktu" column.

    "5 Menit" -> 5, "2 Jam" -> 120, "1 hari" -> 480, "2 Hari Kerja + 1 Jam 5 Menit" -> 1025.
    Returns None when the text holds no duration.
    """
    total = 0.0
    found = False
    for number, unit in _PART.findall(text or ""):
        unit_key = unit.lower().split()[0]
        # Indonesian numbers: "9.600" is nine thousand six hundred, "1,5" one and a half.
        total += float(number.replace(".", "").replace(",", ".")) * _UNIT_MINUTES[unit_key]
        found = True
    return round(total) if found else None


def format_minutes(minutes: int) -> str:
    """Render working minutes the way an SOP would: "2 hari 1 jam 5 menit"."""
    days, rest = divmod(int(minutes), MINUTES_PER_WORKING_DAY)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} hari")
    if hours:
        parts.append(f"{hours} jam")
    if mins or not parts:
        parts.append(f"{mins} menit")
    return " ".join(parts)


# The longest standard a step may state: one working year (250 days). A longer
# "Waktu" is a typo in the SOP, and bounding it bounds the day loop below.
MAX_STANDARD_MINUTES = 250 * MINUTES_PER_WORKING_DAY


# Working hours of one weekday: (opens, closes) in minutes after midnight, or None for a day off.
DayHours = tuple[int, int] | None
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def default_week(day_start: time = time(8, 0), minutes_per_day: int = MINUTES_PER_WORKING_DAY) -> tuple[DayHours, ...]:
    """Monday to Friday from `day_start` for `minutes_per_day`; Saturday and Sunday off."""
    opens = day_start.hour * 60 + day_start.minute
    return (*[(opens, opens + minutes_per_day)] * 5, None, None)


@dataclass(frozen=True)
class WorkingCalendar:
    """Working hours of an organisation: when the clock of an SOP step runs.

    By default Monday to Friday from `day_start` for `minutes_per_day`. `week` (seven DayHours,
    Monday first) gives each weekday its own hours instead. A day in `holidays`, or in the set
    `days_off_of_year(year)` returns for its year (national holidays, cuti bersama and the
    organisation's own days: runtime/calendars.py), is not worked.
    """

    timezone: str = "Asia/Jakarta"
    day_start: time = time(8, 0)
    minutes_per_day: int = MINUTES_PER_WORKING_DAY
    holidays: frozenset[date] = frozenset()
    week: tuple[DayHours, ...] | None = None
    days_off_of_year: Callable[[int], frozenset[date]] | None = field(default=None, compare=False)

    def __post_init__(self):
        if not 0 < self.minutes_per_day <= 24 * 60:
            raise ValueError(f"minutes_per_day must be between 1 and 1440, not {self.minutes_per_day}")
        opening = datetime.combine(date(2000, 1, 1), self.day_start)
        if opening + timedelta(minutes=self.minutes_per_day) > datetime(2000, 1, 2):
            raise ValueError("a working day must end by midnight")
        if self.week is None:
            object.__setattr__(self, "week", default_week(self.day_start, self.minutes_per_day))
        check_week(self.week)
        ZoneInfo(self.timezone)  # an unknown zone fails here, not on the first due time

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def hours_of(self, day: date) -> DayHours:
        """The working hours of `day` by its weekday (holidays aside)."""
        return self.week[day.weekday()]

    def is_day_off(self, day: date) -> bool:
        """Whether `day` is a holiday (given, or of its year's days off), whatever its weekday."""
        if day in self.holidays:
            return True
        return self.days_off_of_year is not None and day in self.days_off_of_year(day.year)

    def is_working_day(self, day: date) -> bool:
        return self.hours_of(day) is not None and not self.is_day_off(day)

    def _working_span(self, day: date) -> tuple[datetime, datetime] | None:
        """Opening and closing of `day` in the calendar's zone; None when it is not worked."""
        hours = self.hours_of(day)
        if hours is None or self.is_day_off(day):
            return None
        midnight = datetime.combine(day, time(0), self.zone)
        return midnight + timedelta(minutes=hours[0]), midnight + timedelta(minutes=hours[1])

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment `minutes` of working time after `start` (an aware datetime).

        Time outside working hours does not count: a task that becomes ready on
        Friday evening starts its clock on Monday morning. Exact to the second:
        a task ready at 09:00:30 with 5 minutes is due at 09:05:30. A step that
        ends exactly at closing time is due then, not at the next opening.
        """
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if not 0 <= minutes <= MAX_STANDARD_MINUTES:
            raise ValueError(f"standard minutes must be between 0 and {MAX_STANDARD_MINUTES}, not {minutes}")
        remaining = timedelta(minutes=minutes)
        cursor = start.astimezone(self.zone)
        day = cursor.date()
        while True:
            span = self._working_span(day)
            if span is not None and cursor < span[1]:
                begin = max(cursor, span[0])
                available = span[1] - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(start.tzinfo)
                remaining -= available
            day += timedelta(days=1)
            cursor = datetime.combine(day, time(0), self.zone)

    def working_minutes_between(self, start: datetime, end: datetime) -> int:
        """The working minutes (rounded down) from `start` to `end`, both aware; 0 when end is not later.

        The inverse of add_working_minutes: for the actual time a step took, on the same calendar.
        The first and the last day are walked; the whole days between them are counted a week at a
        time, less the days off among them (an overview ages cases months old on every page).
        """
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware")
        cursor, end = start.astimezone(self.zone), end.astimezone(self.zone)
        if cursor >= end:
            return 0
        first, last = cursor.date(), end.date()
        if (last - first).days <= 7:
            return self._walked_minutes(cursor, end)
        worked = (self._walked(cursor, self._midnight(first + timedelta(days=1)))
                  + timedelta(minutes=self._whole_days_minutes(first + timedelta(days=1), last))
                  + self._walked(self._midnight(last), end))
        return int(worked.total_seconds() // 60)

    def _walked_minutes(self, start: datetime, end: datetime) -> int:
        """working_minutes_between by walking every day (the reference the week-at-a-time count is tested against)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise ValueError("start and end must be timezone-aware")
        return int(self._walked(start.astimezone(self.zone), end.astimezone(self.zone)).total_seconds() // 60)

    def _walked(self, cursor: datetime, end: datetime) -> timedelta:
        """The working time from `cursor` to `end` (both in the calendar's zone), day by day."""
        worked = timedelta()
        day = cursor.date()
        while cursor < end:
            span = self._working_span(day)
            if span is not None:
                begin, close = max(cursor, span[0]), min(end, span[1])
                if close > begin:
                    worked += close - begin
            day += timedelta(days=1)
            cursor = self._midnight(day)
        return worked

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.zone)

    def _whole_days_minutes(self, first: date, end: date) -> int:
        """The working minutes of the whole days from `first` up to (not including) `end`: the weekdays'
        hours, a week at a time, less the hours of the days off that fall on a working weekday."""
        days = (end - first).days
        weeks, rest = divmod(days, 7)
        hours = [0 if day_hours is None else day_hours[1] - day_hours[0] for day_hours in self.week]
        minutes = weeks * sum(hours)
        minutes += sum(hours[(first + timedelta(days=weeks * 7 + n)).weekday()] for n in range(rest))
        off = {day for day in self.holidays if first <= day < end}
        if self.days_off_of_year is not None:
            for year in range(first.year, end.year + 1):
                off |= {day for day in self.days_off_of_year(year) if first <= day < end}
        return minutes - sum(hours[day.weekday()] for day in off)


def check_week(week: tuple[DayHours, ...]) -> None:
    """Seven weekdays, each None or (opens, closes) within one day, at least one of them worked."""
    if len(week) != 7:
        raise ValueError(f"a working week has 7 days, not {len(week)}")
    for name, hours in zip(WEEKDAYS, week):
        if hours is None:
            continue
        opens, closes = hours
        if not 0 <= opens < closes <= 24 * 60:
            raise ValueError(f"working hours of {name} must open before they close, within the day, not {hours}")
    if all(hours is None for hours in week):
        raise ValueError("a working week needs at least one working day")

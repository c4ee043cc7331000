"""The SOP's time standard (mutu baku "Waktu") and working-time arithmetic.

An SOP states waktu in working time: "5 Menit", "2 Jam", "1 hari". One working
day is 8 hours (480 minutes), Monday to Friday, in the organisation's time zone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class WorkingCalendar:
    """Working hours of an organisation: when the clock of an SOP step runs."""

    timezone: str = "Asia/Jakarta"
    day_start: time = time(8, 0)
    minutes_per_day: int = MINUTES_PER_WORKING_DAY
    holidays: frozenset[date] = frozenset()

    def __post_init__(self):
        if not 0 < self.minutes_per_day <= 24 * 60:
            raise ValueError(f"minutes_per_day must be between 1 and 1440, not {self.minutes_per_day}")
        opening = datetime.combine(date(2000, 1, 1), self.day_start)
        if opening + timedelta(minutes=self.minutes_per_day) > datetime(2000, 1, 2):
            raise ValueError("a working day must end by midnight")
        ZoneInfo(self.timezone)  # an unknown zone fails here, not on the first due time

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays

    def add_working_minutes(self, start: datetime, minutes: int) -> datetime:
        """The moment `minutes` of working time after `start` (an aware datetime).

        Time outside working hours does not count: a task that becomes ready on
        Friday evening starts its clock on Monday morning. Exact to the second:
        a task ready at 09:00:30 with 5 minutes is due at 09:05:30.
        """
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if not 0 <= minutes <= MAX_STANDARD_MINUTES:
            raise ValueError(f"standard minutes must be between 0 and {MAX_STANDARD_MINUTES}, not {minutes}")
        remaining = timedelta(minutes=minutes)
        cursor = start.astimezone(self.zone)
        day = cursor.date()
        while True:
            day_open = datetime.combine(day, self.day_start, self.zone)
            day_close = day_open + timedelta(minutes=self.minutes_per_day)
            if self.is_working_day(day) and cursor < day_close:
                begin = max(cursor, day_open)
                available = day_close - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(start.tzinfo)
                remaining -= available
            day += timedelta(days=1)
            cursor = datetime.combine(day, self.day_start, self.zone)

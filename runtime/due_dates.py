"""A task's own due time: `camunda:dueDate`, an ISO 8601 date-time or duration.

Camunda Modeler writes the due date of a user task as `camunda:dueDate`: a fixed moment
("2026-12-31T16:00:00") or a time after the task becomes ready ("P3D", "PT4H"). It is
calendar time, as ISO 8601 and Camunda read it, not the SOP's working time (mutu baku
waktu): a task with a dueDate is due then, whatever its time standard says. A date-time
without a zone is in the organisation's time zone. An expression (`${...}`) is never
evaluated; the deploy check warns about it and the task keeps the due time of its standard.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

DUE_DATE_PROPERTY = "dueDate"
# The furthest a due time may lie after the task is ready: longer is a typo (and bounds the arithmetic).
MAX_DUE = timedelta(days=10 * 366)
_UNIT_DAYS = {"years": 366, "months": 31, "weeks": 7, "days": 1, "hours": 1 / 24, "minutes": 1 / 1440,
              "seconds": 1 / 86400}


def is_expression(text: str) -> bool:
    """Whether `text` is a Camunda expression (`${...}` or `#{...}`) rather than a value."""
    return text.strip().startswith(("${", "#{"))


def due_time(text: str, ready_at: datetime, zone: ZoneInfo) -> datetime:
    """When a task that became ready at `ready_at` is due by its dueDate `text`; ValueError when
    `text` is not an ISO 8601 date-time or duration within MAX_DUE."""
    text = text.strip()
    if text[:1] in ("P", "p"):
        try:
            parsed = TimerEventDefinition.parse_iso_duration(text) if len(text) <= 40 else None
        except Exception:  # SpiffWorkflow raises a plain Exception("Invalid duration")
            parsed = None
        if not parsed:
            raise ValueError(f"'{text[:60]}' is not an ISO 8601 duration (P3D, PT4H, P1DT2H)")
        # Bounded before the arithmetic, which walks the months one by one.
        if sum(parsed.get(unit, 0) * days for unit, days in _UNIT_DAYS.items()) > MAX_DUE.days:
            raise ValueError(f"'{text[:60]}' is more than ten years")
        return ready_at + TimerEventDefinition.get_timedelta_from_start(parsed, ready_at)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"'{text[:60]}' is neither an ISO 8601 date-time (2026-12-31T16:00:00) nor a "
                         "duration (P3D, PT4H)") from exc
    return moment.replace(tzinfo=zone) if moment.tzinfo is None else moment


def problem(text: str) -> str | None:
    """Why dueDate `text` cannot be used (None when it can), checked as at deploy time."""
    try:
        due_time(text, datetime(2026, 1, 1, tzinfo=ZoneInfo("UTC")), ZoneInfo("UTC"))
    except ValueError as exc:
        return str(exc)
    return None

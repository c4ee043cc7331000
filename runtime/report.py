"""The evaluation report of one SOP (monitoring dan evaluasi penerapan SOP, Permenpan RB 35/2012).

Over a period of days in the organisation's calendar zone, per step (BPMN task id):
- `completed`: every completion in the period, repeats after a return included;
- `returns`: the times this review step sent the document back (audit entries `return`);
- the actual working time of each completion (ready_at -> completed_at on the organisation's
  working calendar): its median and 90th percentile, and the share within the step's standard;
- `waiting` and `overdue` now (not bound to the period), and who or which lane they wait with.
Per SOP: the instances started and finished in the period, the cycle time of the finished ones
(working minutes from start to end) against the SOP's total standard, and a trend per month.

Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank
ceil(p/100 * n) (1-based), so the median of [10, 20, 30, 40] is 20 and every figure is a time
that one completion really took. A completion is within the standard when its working minutes
(whole minutes, rounded down) are at most the standard minutes the task was ready with.

It reads the task table (human_tasks), the audit log and the instance rows only, never a
workflow state, and writes nothing.
"""
from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from . import access, directory
from .errors import InvalidData, NotFound
from .models import AuditEntry, HumanTask, Instance, Organisation, ProcessVersion, User, utcnow
from .overview import total_standard

DEFAULT_MONTHS = 12  # without a start day, the report covers this many months up to its end day
MAX_DAYS = 3700  # about ten years: a longer period is a typo, and it bounds the month loop
# The days a period may name: a year 1 or 9999 would overflow on the way to UTC and back.
FIRST_DAY, LAST_DAY = date(1970, 1, 1), date(2999, 12, 31)
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")


def percentile(values: list[int], p: int) -> int | None:
    """The nearest-rank p-th percentile of `values` (the ceil(p/100*n)-th smallest); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p * len(ordered) / 100)) - 1]


@dataclass
class Waiting:
    """Tasks ready now, and how many of them are past their due time."""

    waiting: int = 0
    overdue: int = 0


@dataclass
class StepReport:
    step: str  # the BPMN task id
    name: str
    lane: str
    standard_minutes: int | None
    completed: int = 0
    returns: int = 0
    durations: list[int] = field(default_factory=list)  # working minutes of each completion
    within_standard: int = 0  # completions within the standard they were ready with
    with_standard: int = 0  # completions that had a standard
    now: Waiting = field(default_factory=Waiting)
    by_person: dict[str, Waiting] = field(default_factory=dict)  # claimed by -> waiting there

    @property
    def median_minutes(self) -> int | None:
        return percentile(self.durations, 50)

    @property
    def p90_minutes(self) -> int | None:
        return percentile(self.durations, 90)

    @property
    def on_time_ratio(self) -> float | None:
        """The share of completions within the standard (4 decimals); None without a standard or completion."""
        return round(self.within_standard / self.with_standard, 4) if self.with_standard else None

    @property
    def return_rate(self) -> float | None:
        """Returns per completion of this step (a review's completions are its approvals and returns)."""
        return round(self.returns / self.completed, 4) if self.completed else None

    def to_dict(self) -> dict:
        return {"step": self.step, "name": self.name, "lane": self.lane, "completed": self.completed,
                "returns": self.returns, "median_minutes": self.median_minutes, "p90_minutes": self.p90_minutes,
                "standard_minutes": self.standard_minutes, "on_time_ratio": self.on_time_ratio,
                "waiting": self.now.waiting, "overdue": self.now.overdue, "return_rate": self.return_rate}


@dataclass
class MonthReport:
    month: str  # YYYY-MM
    started: int = 0
    finished: int = 0
    cycles: list[int] = field(default_factory=list)

    @property
    def label(self) -> str:
        year, month = self.month.split("-")
        return f"{MONTHS[int(month) - 1]} {year}"

    def to_dict(self) -> dict:
        return {"month": self.month, "started": self.started, "finished": self.finished,
                "median_cycle_minutes": percentile(self.cycles, 50)}


@dataclass
class PersonWaiting:
    username: str
    name: str  # the person's full name, as pages show them
    waiting: int
    overdue: int


@dataclass
class Report:
    process_id: str
    process_name: str
    org: str
    org_name: str
    period_from: date
    period_to: date
    steps: list[StepReport]
    instances_started: int
    instances_finished: int
    cycles: list[int]  # working minutes start -> end of each instance finished in the period
    total_standard_minutes: int | None
    months: list[MonthReport]
    by_lane: dict[str, Waiting]
    by_person: list[PersonWaiting]  # tasks claimed by someone; unclaimed ones wait in their lane only
    now: datetime

    @property
    def cycle_median_minutes(self) -> int | None:
        return percentile(self.cycles, 50)

    @property
    def cycle_p90_minutes(self) -> int | None:
        return percentile(self.cycles, 90)

    @property
    def cycle_on_time_ratio(self) -> float | None:
        if self.total_standard_minutes is None or not self.cycles:
            return None
        return round(sum(c <= self.total_standard_minutes for c in self.cycles) / len(self.cycles), 4)

    @property
    def waiting(self) -> int:
        return sum(s.now.waiting for s in self.steps)

    @property
    def overdue(self) -> int:
        return sum(s.now.overdue for s in self.steps)

    def to_dict(self) -> dict:
        """The report as JSON: process_id, instances_started, instances_finished, steps, then the rest."""
        return {
            "process_id": self.process_id, "instances_started": self.instances_started,
            "instances_finished": self.instances_finished, "steps": [s.to_dict() for s in self.steps],
            "process_name": self.process_name, "org": self.org, "org_name": self.org_name,
            "from": self.period_from.isoformat(), "to": self.period_to.isoformat(),
            "cycle": {"median_minutes": self.cycle_median_minutes, "p90_minutes": self.cycle_p90_minutes,
                      "standard_minutes": self.total_standard_minutes, "on_time_ratio": self.cycle_on_time_ratio},
            "months": [m.to_dict() for m in self.months],
            "waiting_by_lane": [{"lane": lane, "waiting": w.waiting, "overdue": w.overdue}
                                for lane, w in self.by_lane.items()],
            "waiting_by_person": [{"username": p.username, "name": p.name, "waiting": p.waiting,
                                   "overdue": p.overdue} for p in self.by_person],
        }


def parse_day(text: str | None, name: str) -> date | None:
    """A day written YYYY-MM-DD (ASCII digits), None for nothing; InvalidData naming `name` for anything else."""
    if not text:
        return None
    try:
        if not _DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidData({name: f"“{text[:40]}” bukan tanggal; tulis TTTT-BB-HH, misalnya 2026-12-04"}) from None


def period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The report's first and last day: `end` defaults to today, `start` to the first day of the
    month DEFAULT_MONTHS - 1 months before `end`'s. InvalidData (naming "from" or "to") when the end
    is before the start, the period is longer than MAX_DAYS or a day is outside FIRST_DAY..LAST_DAY."""
    for name, day in (("from", start), ("to", end)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidData({name: f"pilih tanggal antara {FIRST_DAY.isoformat()} dan {LAST_DAY.isoformat()}"})
    end = end or today
    if start is None:
        month = end.year * 12 + end.month - 1 - (DEFAULT_MONTHS - 1)
        start = date(month // 12, month % 12 + 1, 1)
    if end < start:
        raise InvalidData({"to": "tanggal akhir sebelum tanggal awal"})
    if (end - start).days > MAX_DAYS:
        raise InvalidData({"from": f"periode paling panjang {MAX_DAYS} hari"})
    return start, end


def report_for(alur, username: str, process_id: str, start: date | None = None, end: date | None = None,
               now: datetime | None = None) -> Report:
    """The report of `process_id` of the user's organisation, for a user who may see its instances
    (of its organisation, holding the role of one of its lanes); NotFound for anyone else."""
    with alur.sessions() as session:
        actor = directory.actor(alur, username, session)
        visible = session.scalar(select(ProcessVersion.org).where(
            ProcessVersion.process_id == process_id,
            *access.process_conditions(actor, ProcessVersion.org, ProcessVersion.process_id)).limit(1))
    if visible is None:
        raise NotFound(f"process '{process_id}' is not deployed")
    return process_report(alur, visible, process_id, start, end, now)


def process_report(alur, org: str, process_id: str, start: date | None = None, end: date | None = None,
                   now: datetime | None = None) -> Report:
    """The report of process `process_id` of organisation `org` over the days `start`..`end`
    (inclusive, in the organisation's calendar zone; defaults as `period`), waiting figures as of `now`."""
    now = now or utcnow()
    with alur.sessions() as session:
        version = session.scalars(select(ProcessVersion).where(
            ProcessVersion.org == org, ProcessVersion.process_id == process_id)
            .order_by(ProcessVersion.version.desc()).limit(1)).first()
        if version is None:
            raise NotFound(f"process '{process_id}' is not deployed")
        calendar = alur.calendars.of(session.connection(), org)
        zone = calendar.zone
        start, end = period(start, end, now.astimezone(zone).date())
        opens, closes = _midnight(start, zone), _midnight(end + timedelta(days=1), zone)

        steps: dict[str, StepReport] = {}
        for task_id, info in (version.task_info or {}).items():
            steps[task_id] = StepReport(task_id, info.get("name") or task_id, info.get("lane") or "",
                                        info.get("standard_minutes"))

        def step_of(task_spec: str, name: str, lane: str, minutes: int | None) -> StepReport:
            # A step of an older version that the newest no longer has keeps its own name.
            if task_spec not in steps:
                steps[task_spec] = StepReport(task_spec, name, lane, minutes)
            return steps[task_spec]

        of_process = (HumanTask.org == org, HumanTask.process_id == process_id)
        for row in session.execute(
                select(HumanTask.task_spec, HumanTask.name, HumanTask.lane, HumanTask.standard_minutes,
                       HumanTask.ready_at, HumanTask.completed_at)
                .where(*of_process, HumanTask.status == "completed",
                       HumanTask.completed_at >= opens, HumanTask.completed_at < closes)):
            step = step_of(row.task_spec, row.name, row.lane, row.standard_minutes)
            minutes = calendar.working_minutes_between(row.ready_at, row.completed_at)
            step.completed += 1
            step.durations.append(minutes)
            if row.standard_minutes is not None:
                step.with_standard += 1
                step.within_standard += minutes <= row.standard_minutes

        for task_spec, in session.execute(
                select(AuditEntry.task_spec)
                .where(AuditEntry.org == org, AuditEntry.process_id == process_id, AuditEntry.action == "return",
                       AuditEntry.at >= opens, AuditEntry.at < closes)):
            if task_spec in steps:
                steps[task_spec].returns += 1
            else:
                step_of(task_spec, task_spec, "", None).returns += 1

        by_lane: dict[str, Waiting] = defaultdict(Waiting)
        by_person: dict[str, Waiting] = defaultdict(Waiting)
        for row in session.execute(
                select(HumanTask.task_spec, HumanTask.name, HumanTask.lane, HumanTask.standard_minutes,
                       HumanTask.due_at, HumanTask.claimed_by)
                .where(*of_process, HumanTask.status == "ready")):
            late = row.due_at is not None and row.due_at < now
            step = step_of(row.task_spec, row.name, row.lane, row.standard_minutes)
            places = [step.now, by_lane[row.lane]]
            if row.claimed_by:
                places.append(by_person[row.claimed_by])
                places.append(step.by_person.setdefault(row.claimed_by, Waiting()))
            for place in places:
                place.waiting += 1
                place.overdue += late

        months = {key: MonthReport(key) for key in _months(start, end)}
        started = 0
        for (at,) in session.execute(select(Instance.started_at).where(
                Instance.org == org, Instance.process_id == process_id,
                Instance.started_at >= opens, Instance.started_at < closes)):
            started += 1
            months[_month_of(at, zone)].started += 1
        cycles = []
        for began, ended in session.execute(select(Instance.started_at, Instance.completed_at).where(
                Instance.org == org, Instance.process_id == process_id, Instance.status == "completed",
                Instance.completed_at >= opens, Instance.completed_at < closes)):
            cycle = calendar.working_minutes_between(began, ended)
            cycles.append(cycle)
            month = months[_month_of(ended, zone)]
            month.finished += 1
            month.cycles.append(cycle)

        names = dict(session.execute(select(User.username, User.display_name)
                                     .where(User.username.in_(list(by_person)))).all()) if by_person else {}
        people = sorted((PersonWaiting(u, names.get(u) or u, w.waiting, w.overdue) for u, w in by_person.items()),
                        key=lambda p: (-p.waiting, p.name.lower()))
        organisation = session.get(Organisation, org)
        return Report(process_id=process_id, process_name=version.name, org=org,
                      org_name=organisation.name if organisation is not None else org, period_from=start, period_to=end,
                      steps=list(steps.values()), instances_started=started, instances_finished=len(cycles),
                      cycles=cycles, total_standard_minutes=total_standard(version), months=list(months.values()),
                      by_lane=dict(sorted(by_lane.items())), by_person=people, now=now)


def operator_report(alur, process_id: str, org: str | None, start: date | None, end: date | None,
                    now: datetime | None = None) -> Report:
    """The report as an operator asks for it (the CLI): the organisation named, or the one that has the process."""
    return process_report(alur, directory.process_organisation(alur, process_id, org), process_id, start, end, now)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def _months(start: date, end: date) -> list[str]:
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]


def _month_of(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m")

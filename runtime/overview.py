"""The overview a head of unit follows: every case of the organisation they may see, where it stands.

Per instance: perihal and nomor, SOP and version, its current step(s) with who holds them (or their
lane), ready since and due, a late flag, and its age in working minutes against the SOP's total
standard (the "Total Waktu" of the SOP document: the sum of every step's mutu baku waktu).

It reads, never writes. Who sees which instance is the one visibility rule of runtime/accounts.py;
the filters only narrow it. Two one-click views:
- `menunggu-saya`: a current step waits for a role the user holds, unclaimed or claimed by them;
- `terlambat-unit-saya`: a current step of the lanes the user's roles perform is late. Until the
  organisation has units (issue 18), the user's unit is the lanes their roles perform.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, select

from . import access, directory, subject
from .access import Actor
from .models import HumanTask, Instance, LaneRole, ProcessVersion, utcnow
from .whole_numbers import MAX_ID, parse_whole

PAGE_SIZE = 50
EXPORT_CAP = 10_000  # rows of one export; the page says when the list is longer
STATUSES = {"berjalan": "running", "selesai": "completed"}
SORTS = ("baru", "lama", "tenggat", "perihal")
VIEWS = ("menunggu-saya", "terlambat-unit-saya")
# The query parameters of the list's filters, as parse_filters reads them.
PARAMETERS = ("q", "sop", "status", "terlambat", "lajur", "dari", "sampai", "tampilan", "urut")


@dataclass(frozen=True)
class Filters:
    """What the list is narrowed to and how it is sorted (all optional)."""

    process_id: str | None = None
    status: str | None = None  # running | completed
    late: bool = False
    lane: str | None = None
    started_from: date | None = None  # in the organisation's calendar, inclusive
    started_to: date | None = None  # inclusive
    query: str | None = None
    view: str | None = None  # one of VIEWS
    sort: str = "baru"  # one of SORTS

    @property
    def any(self) -> bool:
        """Whether anything narrows the list (the sort does not)."""
        return self != Filters(sort=self.sort)

    @property
    def beyond_query(self) -> bool:
        """Whether something besides the search text narrows the list."""
        return self != Filters(query=self.query, sort=self.sort)


@dataclass(frozen=True)
class Step:
    task_id: str
    name: str
    lane: str
    role: str
    claimed_by: str | None
    ready_at: datetime
    due_at: datetime | None
    late: bool


@dataclass
class Row:
    id: int
    process_id: str
    process_name: str
    version: int
    status: str
    perihal: str
    nomor: str | None
    started_by: str
    started_at: datetime
    completed_at: datetime | None
    steps: list[Step] = field(default_factory=list)
    age_minutes: int = 0  # working minutes from its start to its end, or to now
    standard_minutes: int | None = None  # the SOP's total standard; None when no step names a waktu

    @property
    def late(self) -> bool:
        return any(step.late for step in self.steps)

    @property
    def over_standard(self) -> bool:
        return self.standard_minutes is not None and self.age_minutes > self.standard_minutes


@dataclass
class OverviewPage:
    rows: list[Row]
    total: int
    page: int
    per_page: int
    processes: dict[str, str]  # process id -> name (newest version), the SOPs the user may see
    lanes: list[str]  # the lanes of those SOPs, for the lane filter

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def parse_filters(args) -> tuple[Filters, dict[str, str]]:
    """Filters from query parameters (sop, status, terlambat, lajur, dari, sampai, q, tampilan,
    urut); the second value names each parameter that is not valid and why (it is then left out)."""
    errors: dict[str, str] = {}

    def text(name: str, limit: int = 300) -> str | None:
        value = (args.get(name) or "").strip()
        if len(value) > limit:
            errors[name] = f"maksimal {limit} karakter"
            return None
        return value or None

    def day(name: str) -> date | None:
        value = text(name, 10)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            errors[name] = f"“{value}” bukan tanggal; tulis TTTT-BB-HH, misalnya 2026-12-04"
            return None

    status = text("status")
    if status is not None and status not in STATUSES:
        errors["status"] = "pilih berjalan atau selesai"
        status = None
    view = text("tampilan")
    if view is not None and view not in VIEWS:
        errors["tampilan"] = "pilih menunggu-saya atau terlambat-unit-saya"
        view = None
    sort = text("urut") or "baru"
    if sort not in SORTS:
        errors["urut"] = "pilih baru, lama, tenggat atau perihal"
        sort = "baru"
    started_from, started_to = day("dari"), day("sampai")
    if started_from and started_to and started_to < started_from:
        errors["sampai"] = "tanggal akhir sebelum tanggal awal"
        started_to = None
    filters = Filters(process_id=text("sop"), status=STATUSES.get(status or ""), late=args.get("terlambat") == "1",
                      lane=text("lajur"), started_from=started_from, started_to=started_to,
                      query=text("q", subject.MAX_QUERY), view=view, sort=sort)
    return filters, errors


def page_number(text: str | None) -> int:
    """The page asked for; 1 for anything that is not a page number."""
    return parse_whole(text, 1, MAX_ID // PAGE_SIZE) or 1


def overview(alur, actor: Actor | str, filters: Filters = Filters(), page: int = 1, per_page: int = PAGE_SIZE,
             now: datetime | None = None) -> OverviewPage:
    """The page `page` of the instances `actor` (or the user of that name) may see, narrowed by `filters`."""
    now = now or utcnow()
    with alur.sessions() as session:
        if isinstance(actor, str):
            actor = directory.actor(alur, actor, session)
        org = actor.org
        calendar = alur.calendars.of(session.connection(), org or "")
        conditions = _conditions(actor, filters, now, calendar.zone)
        total = session.scalar(select(func.count()).select_from(Instance).where(*conditions)) or 0
        rows = _rows(alur, session, calendar, conditions, filters, now, limit=per_page, offset=(page - 1) * per_page)
        processes = _processes(session, actor)
        lanes = sorted(set(session.scalars(
            select(LaneRole.lane).where(LaneRole.org == org, LaneRole.process_id.in_(list(processes)))
            .distinct())))
        return OverviewPage(rows, total, page, per_page, processes, lanes)


def export_rows(alur, actor: Actor | str, filters: Filters = Filters(), now: datetime | None = None,
                cap: int | None = None) -> tuple[list[Row], bool]:
    """Every instance of the filtered list (at most `cap`, by default EXPORT_CAP), and whether the list
    was longer."""
    now = now or utcnow()
    cap = EXPORT_CAP if cap is None else cap
    with alur.sessions() as session:
        if isinstance(actor, str):
            actor = directory.actor(alur, actor, session)
        calendar = alur.calendars.of(session.connection(), actor.org or "")
        conditions = _conditions(actor, filters, now, calendar.zone)
        rows = _rows(alur, session, calendar, conditions, filters, now, limit=cap + 1, offset=0)
        return rows[:cap], len(rows) > cap


def _conditions(actor: Actor, filters: Filters, now: datetime, zone: ZoneInfo) -> list:
    conditions = [*access.instance_conditions(actor),
                  *subject.search_conditions(filters.query, Instance.perihal, Instance.nomor)]
    if filters.process_id:
        conditions.append(Instance.process_id == filters.process_id)
    if filters.status:
        conditions.append(Instance.status == filters.status)
    if filters.started_from:
        conditions.append(Instance.started_at >= _midnight(filters.started_from, zone))
    if filters.started_to:
        conditions.append(Instance.started_at < _midnight(filters.started_to + timedelta(days=1), zone))

    def current(*more):
        return exists().where(HumanTask.instance_id == Instance.id, HumanTask.status == "ready", *more)

    if filters.late:
        conditions.append(current(HumanTask.due_at < now))
    if filters.lane:
        conditions.append(current(HumanTask.lane == filters.lane))
    if filters.view == "menunggu-saya":
        conditions.append(current(*access.task_conditions(actor),
                                  HumanTask.claimed_by.is_(None) | (HumanTask.claimed_by == actor.username)))
    elif filters.view == "terlambat-unit-saya":
        conditions.append(current(*access.task_conditions(actor), HumanTask.due_at < now))
    return conditions


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), zone)


def _order(filters: Filters) -> list:
    if filters.sort == "lama":
        return [Instance.started_at.asc(), Instance.id.asc()]
    if filters.sort == "tenggat":
        due = (select(func.min(HumanTask.due_at))
               .where(HumanTask.instance_id == Instance.id, HumanTask.status == "ready").scalar_subquery())
        return [due.is_(None).asc(), due.asc(), Instance.id.asc()]
    if filters.sort == "perihal":
        return [func.lower(Instance.perihal).asc(), Instance.id.asc()]
    return [(Instance.status == "running").desc(), Instance.id.desc()]


def _rows(alur, session, calendar, conditions: list, filters: Filters, now: datetime, limit: int,
          offset: int) -> list[Row]:
    found = session.execute(
        select(Instance.id, Instance.process_id, ProcessVersion.name, ProcessVersion.version, Instance.version_id,
               Instance.status, Instance.perihal, Instance.nomor, Instance.started_by, Instance.started_at,
               Instance.completed_at)
        .join(ProcessVersion, ProcessVersion.id == Instance.version_id)
        .where(*conditions).order_by(*_order(filters)).limit(limit).offset(offset)).all()
    if not found:
        return []
    steps: dict[int, list[Step]] = {}
    for task in session.scalars(select(HumanTask)
                                .where(HumanTask.instance_id.in_([r.id for r in found]), HumanTask.status == "ready")
                                .order_by(HumanTask.ready_at, HumanTask.id)):
        steps.setdefault(task.instance_id, []).append(Step(
            task.id, task.name, task.lane, task.role, task.claimed_by, task.ready_at, task.due_at,
            task.due_at is not None and task.due_at < now))
    rows = []
    for r in found:
        rows.append(Row(r.id, r.process_id, r.name, r.version, r.status, r.perihal, r.nomor, r.started_by,
                        r.started_at, r.completed_at, steps.get(r.id, []),
                        calendar.working_minutes_between(r.started_at, r.completed_at or now),
                        total_standard(alur.version(session, r.version_id))))
    return rows


def total_standard(version) -> int | None:
    """The SOP's total standard in working minutes: every step's waktu once (the SOP document's
    Total Waktu); None when no step of the version names one."""
    minutes = [info.get("standard_minutes") for info in (version.task_info or {}).values()]
    named = [m for m in minutes if m is not None]
    return sum(named) if named else None


def _processes(session, actor: Actor) -> dict[str, str]:
    """The SOPs whose instances the user may see: process id -> the newest version's name, by name."""
    names: dict[str, str] = {}
    for pid, name in session.execute(
            select(ProcessVersion.process_id, ProcessVersion.name)
            .where(*access.process_conditions(actor, ProcessVersion.org, ProcessVersion.process_id))
            .order_by(ProcessVersion.version)):
        names[pid] = name  # the newest version's name wins
    return dict(sorted(names.items(), key=lambda item: item[1].lower()))

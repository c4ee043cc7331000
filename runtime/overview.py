"""The overview a head of unit follows: every case of the organisation they may see, where it stands.

Per instance: perihal and nomor, SOP and version, its current step(s) with who holds them (or their
lane), ready since and due, a late flag, and its age in working minutes against the SOP's total
standard (the "Total Waktu" of the SOP document: the sum of every step's mutu baku waktu).

Who sees which instance is the one access policy (runtime/access.py), evaluated once per page
into the organisation and its visible process ids; the filters only narrow it. Two one-click views:
- `menunggu-saya`: a current step waits for a role the user holds, unclaimed or claimed by them;
- `terlambat-unit-saya`: a current step of the lanes the user's roles perform is late. Until the
  organisation has units (issue 18), the user's unit is the lanes their roles perform.

It reads, never writes, and never loads a workflow state: everything comes from the instances and
human_tasks tables, so a page costs about the same at a hundred cases as at a hundred thousand. The
total stops at COUNT_CAP past the page ("lebih dari ..."); each sort is an index walk that stops
after the page (runtime/models.py names the indexes); the filters on current steps are EXISTS probes
of the (instance_id, status, due_at, lane) index; ages count whole weeks at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, literal, select
from sqlalchemy.orm import aliased

from . import access, directory, subject
from .access import Actor
from .models import HumanTask, Instance, LaneRole, ProcessVersion, utcnow
from .whole_numbers import MAX_ID, parse_whole

PAGE_SIZE = 50
# The total stops this far past the page shown ("lebih dari 250"): counting a hundred thousand
# cases on every page would cost more than the page itself, and nobody pages through hundreds.
COUNT_CAP = 200
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
    total: int  # matching instances, counted up to COUNT_CAP past this page
    page: int
    per_page: int
    processes: dict[str, str]  # process id -> name (newest version), the SOPs the user may see
    lanes: list[str]  # the lanes of those SOPs, for the lane filter
    more: bool = False  # the count stopped at its cap: there are more than `total`
    has_next: bool = False

    @property
    def pages(self) -> int:
        """How many pages `total` fills (with `more`, at least that many)."""
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


def overview(alur, actor: Actor | str, filters: Filters = Filters(), page: int = 1, per_page: int | None = None,
             now: datetime | None = None) -> OverviewPage:
    """The page `page` (of `per_page`, PAGE_SIZE by default) of the instances `actor` (or the user of
    that name) may see, narrowed by `filters`. The total is exact on the last page, and counted up to
    COUNT_CAP past the page otherwise (`more` says it stopped)."""
    now = now or utcnow()
    per_page = per_page or PAGE_SIZE
    with alur.sessions() as session:
        if isinstance(actor, str):
            actor = directory.actor(alur, actor, session)
        org = actor.org
        calendar = alur.calendars.of(session.connection(), org or "")
        conditions = _conditions(session, actor, filters, now, calendar)
        offset = (page - 1) * per_page
        rows = _rows(alur, session, calendar, conditions, filters, now, limit=per_page + 1, offset=offset)
        has_next, rows = len(rows) > per_page, rows[:per_page]
        cap = offset + per_page + COUNT_CAP
        if has_next or (offset and not rows):
            total = _capped_count(session, select(literal(1)).select_from(Instance).where(*conditions), cap)
        else:  # the last page: the total is what came before it and on it
            total = offset + len(rows)
        processes = _processes(session, actor)
        lanes = sorted(set(session.scalars(
            select(LaneRole.lane).where(LaneRole.org == org, LaneRole.process_id.in_(list(processes)))
            .distinct())))
        return OverviewPage(rows, min(total, cap), page, per_page, processes, lanes, more=total > cap,
                            has_next=has_next)


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
        conditions = _conditions(session, actor, filters, now, calendar)
        rows = _rows(alur, session, calendar, conditions, filters, now, limit=cap + 1, offset=0)
        return rows[:cap], len(rows) > cap


def _visible(session, actor: Actor) -> list:
    """access.instance_conditions with its processes read once into values: PostgreSQL walks an
    index for a list of ids, where it drives a join from the subquery."""
    conditions = access.instance_conditions(actor)
    if actor.is_system or actor.org is None or not actor.roles:
        return conditions
    process_ids = sorted(set(session.scalars(
        select(LaneRole.process_id).where(*access.process_conditions(actor, LaneRole.org, LaneRole.process_id)))))
    return [Instance.org == actor.org, Instance.process_id.in_(process_ids)]


def _conditions(session, actor: Actor, filters: Filters, now: datetime, calendar) -> list:
    conditions = [*_visible(session, actor), *subject.search_conditions(filters.query, Instance.perihal, Instance.nomor)]
    if filters.process_id:
        conditions.append(Instance.process_id == filters.process_id)
    if filters.status:
        conditions.append(Instance.status == filters.status)
    zone = calendar.zone
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


def _capped_count(session, query, cap: int) -> int:
    """How many rows `query` (a SELECT without ORDER BY) has, reading no more than cap + 1 of them."""
    return session.scalar(select(func.count()).select_from(query.limit(cap + 1).subquery())) or 0


def _parts(filters: Filters) -> list:
    """The sort as a list of (SELECT of instance ids, its WHERE, its ORDER BY): the list is the first
    part's rows, then the second's. Each part is an index walk that can stop after a page, where one
    ORDER BY over both would sort every visible case first. Only ids are walked (the default sort's
    index covers every column the filters read); the page's rows are read by id afterwards."""
    ids = select(Instance.id)
    if filters.sort == "lama":
        return [(ids, [], [Instance.started_at.asc(), Instance.id.asc()])]
    if filters.sort == "perihal":
        return [(ids, [], [func.lower(Instance.perihal).asc(), Instance.id.asc()])]
    if filters.sort == "tenggat":
        # Nearest due first: an instance comes with the earliest due of its ready steps (its first one
        # by (due_at, id), so an instance of two steps due at once is listed once), walked from the
        # ready steps in due order; then the instances without a due step, oldest first.
        step, earlier = aliased(HumanTask), aliased(HumanTask)
        first_due = ~exists().where(earlier.instance_id == step.instance_id, earlier.status == "ready",
                                    (earlier.due_at < step.due_at)
                                    | ((earlier.due_at == step.due_at) & (earlier.id < step.id)))
        with_due = ids.join(step, step.instance_id == Instance.id)
        return [(with_due, [step.org == Instance.org, step.status == "ready", step.due_at.is_not(None), first_due],
                 [step.due_at.asc(), Instance.id.asc()]),
                (ids, [~exists().where(HumanTask.instance_id == Instance.id, HumanTask.status == "ready",
                                       HumanTask.due_at.is_not(None))], [Instance.id.asc()])]
    # Running first, then the ended ones (an instance is one or the other); newest first in each.
    return [(ids, [Instance.status == "running"], [Instance.id.desc()]),
            (ids, [Instance.status == "completed"], [Instance.id.desc()])]


def _listed(session, conditions: list, filters: Filters, limit: int, offset: int) -> list[int]:
    """The ids from `offset` (at most `limit`) of the sorted list: each part from where the offset
    falls in it. A part that has nothing at its offset is counted (up to that offset) to know where
    the next part starts: only on pages past it."""
    parts = _parts(filters)
    found: list[int] = []
    skip = offset
    for n, (query, where, order) in enumerate(parts):
        wanted = limit - len(found)
        if wanted <= 0:
            break
        ids = list(session.scalars(query.where(*conditions, *where).order_by(*order).limit(wanted).offset(skip)))
        found += ids
        if ids:
            skip = 0
        elif skip and n + 1 < len(parts):
            skip -= _capped_count(session, query.with_only_columns(literal(1)).where(*conditions, *where), skip)
    return found


def _rows(alur, session, calendar, conditions: list, filters: Filters, now: datetime, limit: int, offset: int) -> list[Row]:
    ids = _listed(session, conditions, filters, limit, offset)
    if not ids:
        return []
    by_id = {r.id: r for r in session.execute(
        select(Instance.id, Instance.process_id, ProcessVersion.name, ProcessVersion.version, Instance.version_id,
               Instance.status, Instance.perihal, Instance.nomor, Instance.started_by, Instance.started_at,
               Instance.completed_at)
        .join(ProcessVersion, ProcessVersion.id == Instance.version_id).where(Instance.id.in_(ids)))}
    found = [by_id[i] for i in ids]
    steps: dict[int, list[Step]] = {}
    for task in session.scalars(select(HumanTask)
                                .where(HumanTask.instance_id.in_([r.id for r in found]), HumanTask.status == "ready")
                                .order_by(HumanTask.ready_at, HumanTask.id)):
        steps.setdefault(task.instance_id, []).append(Step(
            task.id, task.name, task.lane, task.role, task.claimed_by, task.ready_at, task.due_at,
            task.due_at is not None and task.due_at < now))
    standards = {v: total_standard(alur.version(session, v)) for v in {r.version_id for r in found}}
    rows = []
    for r in found:
        rows.append(Row(r.id, r.process_id, r.name, r.version, r.status, r.perihal, r.nomor, r.started_by,
                        r.started_at, r.completed_at, steps.get(r.id, []),
                        calendar.working_minutes_between(r.started_at, r.completed_at or now),
                        standards[r.version_id]))
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

"""A user's inbox: one page of the ready tasks of their lanes, with the counts its filters show.

Every figure comes from the human_tasks index rows (no workflow state is
loaded), so a page costs the same at a thousand instances as at a hundred
thousand: the listing walks the (org, role, status, ready_at) index from the
newest task and stops after one page; the counts read the covering
(org, role, status, process_id, due_at) index and stop at a cap ("100+"),
so a lane with twenty thousand waiting tasks costs no more than one with a
hundred.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, literal, select

from . import access, directory, subject
from .access import Actor
from .engine import TaskView
from .models import HumanTask, Instance, LaneRole, ProcessVersion, utcnow

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Counts stop here ("100+"): the total, the overdue tasks, and the sample the per-SOP counts are taken
# from. A hundred waiting tasks is more than anyone works through in a day; counting further would make
# every page cost as much as the longest queue.
COUNT_CAP = 100


@dataclass(frozen=True)
class Count:
    """A count that stopped at a cap: `value`, and whether there are more."""

    value: int
    more: bool = False

    def __str__(self) -> str:
        return f"{self.value}+" if self.more else str(self.value)

    def __bool__(self) -> bool:
        return self.value > 0


@dataclass
class InboxPage:
    """One page of a user's ready tasks, newest first, and the counts behind the filters."""

    tasks: list  # TaskView
    total: Count  # ready tasks matching the filters (counted up to offset + COUNT_CAP)
    offset: int
    limit: int
    overdue: Count  # ready tasks past their due time (within the SOP filter, if any)
    by_process: dict[str, Count] = field(default_factory=dict)  # the user's ready tasks per SOP of their lanes
    has_next: bool = False
    names: dict[str, str] = field(default_factory=dict)  # with counts: process id -> name, every SOP of the org
    # instance id -> (perihal, nomor) of the instances of this page's tasks
    subjects: dict[int, tuple[str, str | None]] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


HEADER_CAP = 99  # the header shows "99+" beyond this


def waiting_for(alur, user: str, org: str, roles: set[str], cap: int = HEADER_CAP) -> Count:
    """How many ready tasks wait for `user` now (of their roles, unclaimed or claimed by them):
    the count beside Kotak Masuk in the header; one bounded index range, at most cap + 1 rows."""
    if not roles:
        return Count(0)
    conditions = [HumanTask.org == org, HumanTask.role.in_(roles), HumanTask.status == "ready",
                  HumanTask.claimed_by.is_(None) | (HumanTask.claimed_by == user)]
    with alur.sessions() as session:
        return _count(session.scalar(select(_capped(conditions, cap))) or 0, cap)


def _capped(conditions: list, cap: int):
    """The count of matching human_tasks rows that reads no further than cap + 1 of them (a bounded index range)."""
    matching = select(literal(1)).select_from(HumanTask).where(*conditions).limit(cap + 1).subquery()
    return select(func.count()).select_from(matching).scalar_subquery()


def _count(found: int, cap: int) -> Count:
    return Count(min(found, cap), found > cap)


def _per_process(session, conditions: list, process_ids: list[str]) -> dict[str, Count]:
    """Each SOP's count among the first COUNT_CAP + 1 matching rows, in one statement: exact while the
    user has at most COUNT_CAP ready tasks, and a lower bound ("n+") for every SOP beyond that."""
    sample = select(HumanTask.process_id).where(*conditions).limit(COUNT_CAP + 1).subquery()
    counted = dict(session.execute(select(sample.c.process_id, func.count()).group_by(sample.c.process_id)).all())
    more = sum(counted.values()) > COUNT_CAP
    return {pid: Count(counted.get(pid, 0), more) for pid in sorted(set(process_ids) | set(counted))}


def inbox(alur, user: str, process_id: str | None = None, overdue: bool = False, limit: int = PAGE_SIZE,
          offset: int = 0, now: datetime | None = None, include_claimed_by_others: bool = True,
          counts: bool = True, actor: Actor | None = None, query: str | None = None) -> InboxPage:
    """The page of `user`'s ready tasks from `offset` (at most `limit`, capped at MAX_PAGE_SIZE).

    Filters: only SOP `process_id`; only `overdue` tasks (due before `now`);
    without `include_claimed_by_others`, tasks someone else claimed are left out.
    Without `counts`, only the total is counted (no per-SOP or overdue counts).
    Counts stop at their caps, so a page costs the same however many tasks wait.
    `query`: only tasks whose instance's perihal or nomor contains it (any case); the
    instance is found by its primary key from each task row the index walk meets.
    `actor` is `user` as the caller has just read them (the web app's logged-in account);
    otherwise they are read here. The tasks listed are those of the lanes the actor performs
    (access.task_conditions).
    """
    if limit < 1 or offset < 0:
        raise ValueError("limit must be at least 1 and offset at least 0")
    limit = min(limit, MAX_PAGE_SIZE)
    now = now or utcnow()
    with alur.sessions() as session:
        actor = actor if actor is not None else directory.actor(alur, user, session)
        org = actor.org
        if not actor.roles:
            return InboxPage([], Count(0), offset, limit, Count(0), {})
        mine = [*access.task_conditions(actor), HumanTask.status == "ready"]
        if not include_claimed_by_others:
            mine.append(HumanTask.claimed_by.is_(None) | (HumanTask.claimed_by == user))
        matching = list(mine)
        if process_id:
            matching.append(HumanTask.process_id == process_id)
        searched = subject.search_conditions(query, Instance.perihal, Instance.nomor)
        if searched:
            matching.append(HumanTask.instance_id.in_(
                select(Instance.id).where(Instance.org == org, *searched)))
        late = HumanTask.due_at < now
        by_process, overdue_count, names = {}, Count(0), {}
        if counts:
            # Every SOP of the organisation with the name of its newest version, and whether one of the
            # user's roles performs a lane of it (those are the SOPs the filters offer).
            has_lane = exists().where(LaneRole.org == ProcessVersion.org, LaneRole.process_id == ProcessVersion.process_id,
                                      access.performs_lane_condition(actor))
            sops = set()
            for pid, name, mine_too in session.execute(
                    select(ProcessVersion.process_id, ProcessVersion.name, has_lane)
                    .where(ProcessVersion.org == org).order_by(ProcessVersion.version)):
                names[pid] = name  # the newest version's name wins
                if mine_too:
                    sops.add(pid)
            by_process = _per_process(session, mine, sorted(sops))
            overdue_count = _count(session.scalar(select(_capped([*matching, late], COUNT_CAP))), COUNT_CAP)
        if overdue:
            matching.append(late)
        total_cap = offset + COUNT_CAP
        if counts and not process_id and not overdue and not searched and offset == 0:  # the per-SOP sample counted it already
            total = _count(sum(c.value for c in by_process.values()), COUNT_CAP)
        else:
            total = _count(session.scalar(select(_capped(matching, total_cap))), total_cap)
        rows = session.scalars(select(HumanTask).where(*matching)
                               .order_by(HumanTask.ready_at.desc(), HumanTask.id).limit(limit + 1).offset(offset)).all()
        has_next, rows = len(rows) > limit, rows[:limit]
        subjects = {}
        if rows:
            subjects = {i: (p, n) for i, p, n in session.execute(
                select(Instance.id, Instance.perihal, Instance.nomor)
                .where(Instance.id.in_({row.instance_id for row in rows})))}
        return InboxPage([TaskView.of(row) for row in rows], total, offset, limit, overdue_count, by_process,
                         has_next=has_next, names=names, subjects=subjects)

"""A user's inbox: one page of the ready tasks of their lanes, with the counts its filters show.

Every figure comes from the human_tasks index rows (no workflow state is
loaded), so a page costs the same at a thousand instances as at a hundred
thousand: the listing walks the (org, role, status, ready_at) index from the
newest task and stops after one page; the counts read the covering
(org, role, status, process_id, due_at) index.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from .engine import TaskView
from .models import HumanTask, utcnow

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass
class InboxPage:
    """One page of a user's ready tasks, newest first, and the counts behind the filters."""

    tasks: list  # TaskView
    total: int  # ready tasks matching the filters
    offset: int
    limit: int
    overdue: int  # ready tasks past their due time (within the SOP filter, if any)
    by_process: dict[str, int] = field(default_factory=dict)  # all ready tasks of the user, per SOP

    @property
    def has_next(self) -> bool:
        return self.offset + len(self.tasks) < self.total

    @property
    def has_previous(self) -> bool:
        return self.offset > 0


def inbox(alur, user: str, process_id: str | None = None, overdue: bool = False, limit: int = PAGE_SIZE,
          offset: int = 0, now: datetime | None = None, include_claimed_by_others: bool = True) -> InboxPage:
    """The page of `user`'s ready tasks from `offset` (at most `limit`, capped at MAX_PAGE_SIZE).

    Filters: only SOP `process_id`; only `overdue` tasks (due before `now`);
    without `include_claimed_by_others`, tasks someone else claimed are left out.
    """
    if limit < 1 or offset < 0:
        raise ValueError("limit must be at least 1 and offset at least 0")
    limit = min(limit, MAX_PAGE_SIZE)
    now = now or utcnow()
    with alur.sessions() as session:
        org, roles = alur.member(user, session)
        if not roles:
            return InboxPage([], 0, offset, limit, 0, {})
        mine = [HumanTask.org == org, HumanTask.role.in_(roles), HumanTask.status == "ready"]
        if not include_claimed_by_others:
            mine.append(HumanTask.claimed_by.is_(None) | (HumanTask.claimed_by == user))
        by_process = dict(session.execute(
            select(HumanTask.process_id, func.count()).where(*mine).group_by(HumanTask.process_id)).all())
        matching = list(mine)
        if process_id:
            matching.append(HumanTask.process_id == process_id)
        late = HumanTask.due_at < now
        overdue_count = session.scalar(select(func.count()).select_from(HumanTask).where(*matching, late))
        if overdue:
            matching.append(late)
            total = overdue_count
        elif process_id:
            total = by_process.get(process_id, 0)
        else:
            total = sum(by_process.values())
        rows = session.scalars(select(HumanTask).where(*matching)
                               .order_by(HumanTask.ready_at.desc(), HumanTask.id).limit(limit).offset(offset))
        return InboxPage([TaskView.of(row) for row in rows], total, offset, limit, overdue_count, by_process)

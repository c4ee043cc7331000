"""The inbox page: newest first, paged, filtered by SOP and overdue, counted from the index rows only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from alur.runtime import directory, state
from alur.runtime.inbox import MAX_PAGE_SIZE, Count, inbox
from alur.runtime.models import HumanTask, utcnow
from alur.runtime.views import start_role
from tests.conftest import PROCESSES, seed_lane_users

SKP = "kalbar-pengumpulan-skp"
DATA = "sulteng-pengumpulan-data-kinerja"


@pytest.fixture
def two_sops(alur):
    """Two organisations' SOPs; Kalbar's SKP SOP with seven instances, each waiting at its first step (the Kasubbag's lane)."""
    alur.deploy(PROCESSES / f"{SKP}.bpmn")
    alur.deploy(PROCESSES / f"{DATA}.bpmn")
    lanes = seed_lane_users(alur, SKP)  # DATA is of another organisation: its tasks are never listed here
    starter = start_role(alur, "kalbar-diskukm", SKP)
    views = [alur.start(SKP, starter) for _ in range(7)]
    first_role = views[0].ready_tasks[0].role
    # Spread the ready times one hour apart (the oldest first) and make the three oldest overdue.
    now = utcnow()
    with alur.db.begin() as connection:
        for age, view in enumerate(reversed(views)):
            connection.execute(update(HumanTask).where(HumanTask.id == view.ready_tasks[0].id).values(
                ready_at=now - timedelta(hours=age + 1),
                due_at=now - timedelta(minutes=1) if age >= 4 else now + timedelta(days=1)))
    return alur, [v.ready_tasks[0].id for v in views], first_role, lanes


def test_pages_walk_every_ready_task_newest_first(two_sops):
    alur, task_ids, role, _ = two_sops
    newest_first = list(reversed(task_ids))
    seen = []
    for offset in (0, 3, 6):
        page = inbox(alur, role, limit=3, offset=offset)
        assert page.total == Count(7) and page.limit == 3
        seen += [t.id for t in page.tasks]
        assert page.has_previous == (offset > 0) and page.has_next == (offset < 6)
    assert seen == newest_first
    assert [t.id for t in alur.tasks_for(role)] == newest_first  # the whole list agrees


def test_counts_and_filters(two_sops):
    alur, task_ids, role, _ = two_sops
    page = inbox(alur, role)
    assert page.by_process == {SKP: Count(7)} and page.overdue == Count(3)
    late = inbox(alur, role, overdue=True)
    assert late.total == Count(3) and [t.id for t in late.tasks] == task_ids[:3][::-1]
    assert inbox(alur, role, process_id=DATA).total == Count(0)
    assert inbox(alur, role, process_id=SKP, overdue=True).total == Count(3)


def test_claimed_by_others_can_be_left_out(two_sops):
    alur, task_ids, role, _ = two_sops
    org, _ = directory.member(alur, role)
    directory.add_user(alur, "rekan", [role], org=org)
    alur.claim(task_ids[0], "rekan")
    assert inbox(alur, role).total == Count(7)
    mine = inbox(alur, role, include_claimed_by_others=False)
    assert mine.total == Count(6) and task_ids[0] not in [t.id for t in mine.tasks]


def test_other_organisations_and_users_without_roles_see_nothing(two_sops):
    alur, _, role, _ = two_sops
    directory.add_user(alur, "luar", [role], org="sulteng-diskukm")  # the same role name in another organisation
    directory.add_user(alur, "tanpa-peran", [], org="kalbar-diskukm")
    for user in ("luar", "tanpa-peran", "tidak-ada"):
        page = inbox(alur, user)
        assert (page.total, page.tasks, page.by_process, page.overdue) == (Count(0), [], {}, Count(0))


def test_no_workflow_state_is_loaded(two_sops, monkeypatch):
    alur, _, role, _ = two_sops

    def refuse(*args, **kwargs):
        raise AssertionError("the inbox must not deserialize a workflow")

    monkeypatch.setattr(state, "load_state", refuse)
    monkeypatch.setattr(state, "state_json", refuse)
    assert inbox(alur, role).total == Count(7)


def test_counts_stop_at_their_caps(two_sops, monkeypatch):
    alur, task_ids, role, _ = two_sops
    monkeypatch.setattr("alur.runtime.inbox.COUNT_CAP", 4)
    page = inbox(alur, role, limit=3)
    # Per SOP: counted among the first 5 rows, so a lower bound once there are more than 4.
    assert (page.total, page.by_process[SKP], page.overdue) == (Count(4, True), Count(5, True), Count(3))
    assert str(page.total) == "4+" and page.has_next
    assert inbox(alur, role, limit=3, process_id=SKP).total == Count(4, True)  # counted apart when filtered
    assert inbox(alur, role, limit=3, offset=3).total == Count(7)  # counted up to offset + cap
    last = inbox(alur, role, limit=3, offset=6)
    assert [t.id for t in last.tasks] == task_ids[:1] and not last.has_next


def test_page_bounds(two_sops):
    alur, _, role, _ = two_sops
    assert inbox(alur, role, limit=10_000).limit == MAX_PAGE_SIZE
    assert inbox(alur, role, offset=100).tasks == []
    with pytest.raises(ValueError):
        inbox(alur, role, limit=0)
    with pytest.raises(ValueError):
        inbox(alur, role, offset=-1)

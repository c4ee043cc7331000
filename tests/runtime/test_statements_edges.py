"""The completion hot path's SQL (runtime/statements.py), statement by statement, on a small SQLite
database: each one reads or writes exactly the rows it names and no other. Written for mutation
testing (bench/mutation.sh): the engine's tests go through these statements, but a `==` turned
into `!=` in one of them can still pass there when the database holds a single candidate row."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import create_engine, insert, select

from alur.runtime import statements as sql
from alur.runtime.models import ApiToken, Base, HumanTask, Instance, LaneRole, User, UserRole, UserSession

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc)
T1 = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)
T2 = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)


@pytest.fixture
def db():
    """Kasubbag Umum (two roles) and Fungsional Umum (none) of Dinas A, Sekretaris (another role) of
    Dinas B; two instances at the same revision, each with tasks."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    with engine.begin() as c:
        c.execute(insert(User), [
            {"id": 1, "username": "kasubbag", "org": "dinas-a", "display_name": "Siti Aminah", "password_hash": "h1"},
            {"id": 2, "username": "fungsional", "org": "dinas-b", "display_name": "Budi Santoso", "password_hash": "h2"},
            {"id": 3, "username": "sekretaris", "org": "dinas-c", "display_name": "Rina Wati", "password_hash": "h3"},
        ])
        c.execute(insert(UserRole), [{"user_id": 1, "role": "kasubbag"}, {"user_id": 1, "role": "pemeriksa"},
                                     {"user_id": 3, "role": "sekretaris"}])
        c.execute(insert(Instance), [
            {"id": 1, "version_id": 7, "process_id": "p", "org": "dinas-a", "state": "S1", "revision": 3,
             "started_by": "kasubbag", "started_at": T0, "updated_at": T0, "perihal": "Cuti", "nomor": "800/1"},
            {"id": 2, "version_id": 8, "process_id": "p", "org": "dinas-a", "state": "S2", "revision": 3,
             "started_by": "sekretaris", "started_at": T1, "updated_at": T1, "perihal": "SKP", "nomor": "800/2"},
        ])
        c.execute(insert(HumanTask), [
            task("t1", 1, "kasubbag"),
            task("t2", 2, "sekretaris"),
            task("t3", 1, "kasubbag", status="completed", claimed_by="kasubbag", claimed_at=T0),
            task("t4", 1, "pemeriksa", claimed_by="fungsional", claimed_at=T0),
        ])
        c.execute(insert(LaneRole), [
            {"org": "dinas-a", "process_id": "p", "lane": "Kasubbag", "role": "role-a-p-kasubbag"},
            {"org": "dinas-b", "process_id": "p", "lane": "Kasubbag", "role": "role-b-p-kasubbag"},
            {"org": "dinas-a", "process_id": "q", "lane": "Kasubbag", "role": "role-a-q-kasubbag"},
            {"org": "dinas-a", "process_id": "p", "lane": "Sekretaris", "role": "role-a-p-sekretaris"},
        ])
        c.execute(insert(ApiToken), [
            {"id": 1, "user_id": 1, "name": "ponsel", "token_hash": "hash-1", "prefix": "a", "created_at": T0,
             "revoked_at": None},
            {"id": 2, "user_id": 3, "name": "lama", "token_hash": "hash-3", "prefix": "b", "created_at": T0,
             "revoked_at": T1},
            {"id": 3, "user_id": 3, "name": "baru", "token_hash": "hash-3b", "prefix": "c", "created_at": T0,
             "revoked_at": None},
        ])
        c.execute(insert(UserSession), [
            session(1, 1), session(2, 1, revoked_at=T0), session(3, 3),
        ])
    yield engine
    engine.dispose()


def task(task_id, instance_id, role, **columns):
    return {"id": task_id, "instance_id": instance_id, "process_id": "p", "org": "dinas-a", "task_spec": "Step_01",
            "name": "1. Menyusun konsep", "lane": "Kasubbag", "role": role, "status": "ready", "ready_at": T0,
            "claimed_by": None, "claimed_at": None, **columns}  # every row the same keys: one executemany


def session(session_id, user_id, revoked_at=None):
    return {"id": session_id, "id_hash": f"s{session_id}", "user_id": user_id, "created_at": T0, "last_seen_at": T0,
            "expires_at": T2, "revoked_at": revoked_at, "user_agent": "Firefox", "address": "127.0.0.1"}


def test_a_task_for_completion_comes_with_its_instance_and_the_users_organisation_and_role(db):
    with db.connect() as c:
        row = c.execute(sql.task_for_completion, {"task_id": "t1", "user": "kasubbag"}).one()
        assert (row.id, row.instance_id, row.version_id, row.revision, row.state) == ("t1", 1, 7, 3, "S1")
        assert (row.started_by, row.started_at, row.perihal, row.nomor) == ("kasubbag", T0, "Cuti", "800/1")
        assert (row.user_org, bool(row.holds_role)) == ("dinas-a", True)
        other = c.execute(sql.task_for_completion, {"task_id": "t2", "user": "sekretaris"}).one()
        assert (other.id, other.version_id, other.state, other.user_org, bool(other.holds_role)) == (
            "t2", 8, "S2", "dinas-c", True)


def test_a_user_without_the_tasks_role_does_not_hold_it_though_others_do(db):
    with db.connect() as c:
        # Fungsional Umum holds no role: Kasubbag Umum's role is not theirs.
        row = c.execute(sql.task_for_completion, {"task_id": "t1", "user": "fungsional"}).one()
        assert (row.user_org, bool(row.holds_role)) == ("dinas-b", False)
        # Kasubbag Umum holds two roles, neither of them the Sekretaris's.
        row = c.execute(sql.task_for_completion, {"task_id": "t2", "user": "kasubbag"}).one()
        assert (row.user_org, bool(row.holds_role)) == ("dinas-a", False)
        # An unknown user has no organisation and no role.
        row = c.execute(sql.task_for_completion, {"task_id": "t1", "user": "tamu"}).one()
        assert (row.user_org, bool(row.holds_role)) == (None, False)


def test_the_instance_moves_on_only_from_the_revision_read(db):
    values = {"new_state": "S1b", "new_revision": 4, "now": T2, "new_status": "completed", "ended_at": T2}
    with db.begin() as c:
        assert c.execute(sql.advance_instance, {"instance_id": 1, "read_revision": 2, **values}).rowcount == 0
        assert c.execute(sql.advance_instance, {"instance_id": 1, "read_revision": 3, **values}).rowcount == 1
    with db.connect() as c:
        rows = c.execute(select(Instance.id, Instance.state, Instance.revision, Instance.status,
                                Instance.updated_at, Instance.completed_at).order_by(Instance.id)).all()
    # Instance 2, at the same revision, is untouched.
    assert [tuple(r) for r in rows] == [(1, "S1b", 4, "completed", T2, T2), (2, "S2", 3, "running", T1, None)]


def test_completing_a_task_marks_that_task_only_and_an_unclaimed_one_is_claimed_by_who_completed_it(db):
    with db.begin() as c:
        c.execute(sql.complete_task, {"task_id": "t1", "user": "kasubbag", "now": T2})
        c.execute(sql.complete_task, {"task_id": "t4", "user": "kasubbag", "now": T2})
    with db.connect() as c:
        rows = {r.id: r for r in c.execute(select(HumanTask))}
    assert (rows["t1"].status, rows["t1"].completed_by, rows["t1"].completed_at) == ("completed", "kasubbag", T2)
    assert (rows["t1"].claimed_by, rows["t1"].claimed_at) == ("kasubbag", T2)
    # Claimed by Fungsional Umum an hour before: the claim stays theirs.
    assert (rows["t4"].claimed_by, rows["t4"].claimed_at, rows["t4"].completed_by) == ("fungsional", T0, "kasubbag")
    assert (rows["t2"].status, rows["t2"].completed_by, rows["t2"].claimed_by) == ("ready", None, None)


def test_the_ready_tasks_of_an_instance_are_its_own_ready_ones(db):
    with db.connect() as c:
        assert sorted(r.id for r in c.execute(sql.ready_tasks_of, {"instance_id": 1})) == ["t1", "t4"]
        assert [r.id for r in c.execute(sql.ready_tasks_of, {"instance_id": 2})] == ["t2"]


def test_cancelling_touches_only_the_named_tasks_that_are_still_ready(db):
    with db.begin() as c:
        c.execute(sql.cancel_tasks, {"task_ids": ["t1", "t3"]})
    with db.connect() as c:
        status = dict(c.execute(select(HumanTask.id, HumanTask.status)).all())
    assert status == {"t1": "cancelled", "t2": "ready", "t3": "completed", "t4": "ready"}


@pytest.mark.parametrize("org, process, lane, role", [
    ("dinas-a", "p", "Kasubbag", "role-a-p-kasubbag"),
    ("dinas-b", "p", "Kasubbag", "role-b-p-kasubbag"),
    ("dinas-a", "q", "Kasubbag", "role-a-q-kasubbag"),
    ("dinas-a", "p", "Sekretaris", "role-a-p-sekretaris"),
    ("dinas-a", "r", "Kasubbag", "default"),
])
def test_a_new_task_takes_the_role_of_its_organisations_process_lane_or_else_the_default(db, org, process, lane,
                                                                                        role):
    row = task("t9", 1, None)
    del row["role"]
    with db.begin() as c:
        got = c.execute(sql.add_ready_task, {**row, "lane_org": org, "lane_process": process, "lane_name": lane,
                                             "default_role": "default"}).scalar_one()
    assert got == role


def test_an_account_by_name_has_one_row_per_role(db):
    with db.connect() as c:
        rows = c.execute(sql.account_by_name, {"username": "kasubbag"}).all()
        assert sorted((r.username, r.display_name, r.password_hash, r.org, r.role) for r in rows) == [
            ("kasubbag", "Siti Aminah", "h1", "dinas-a", "kasubbag"),
            ("kasubbag", "Siti Aminah", "h1", "dinas-a", "pemeriksa")]
        rows = c.execute(sql.account_by_name, {"username": "fungsional"}).all()
        assert [(r.username, r.org, r.role) for r in rows] == [("fungsional", "dinas-b", None)]


def test_an_account_by_token_is_its_owners_and_a_revoked_token_finds_none(db):
    with db.connect() as c:
        rows = c.execute(sql.account_by_token, {"token_hash": "hash-1"}).all()
        assert sorted((r.username, r.role) for r in rows) == [("kasubbag", "kasubbag"), ("kasubbag", "pemeriksa")]
        assert c.execute(sql.account_by_token, {"token_hash": "hash-3"}).all() == []
        assert [(r.username, r.role) for r in c.execute(sql.account_by_token, {"token_hash": "hash-3b"})] == [
            ("sekretaris", "sekretaris")]


def test_ending_a_users_sessions_ends_their_open_ones_only(db):
    with db.begin() as c:
        c.execute(sql.end_sessions_of_user, {"owner_id": 1, "now": T2})
    with db.connect() as c:
        revoked = dict(c.execute(select(UserSession.id, UserSession.revoked_at)).all())
    assert revoked == {1: T2, 2: T0, 3: None}

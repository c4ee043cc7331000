"""The optimistic lock of a completion, on SQLite and PostgreSQL, with deterministic interleavings.

A completion reads the instance at revision r and writes its new state only
`WHERE revision = r`. These tests move the instance on between that read and
that write, at a chosen point, instead of hoping a thread race hits the window.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select, update

from alur.runtime import db as runtime_db
from alur.runtime import state as runtime_state
from alur.runtime import statements
from alur.runtime.engine import Conflict
from alur.runtime.models import AuditEntry, HumanTask, Instance
from tests.runtime.test_kalbar_pengumpulan_skp import DATA, KASUBBAG, PEMROSES, PROCESS, only_ready


def snapshot(alur, instance_id):
    with alur.sessions() as session:
        instance = session.get(Instance, instance_id)
        tasks = session.execute(select(HumanTask.task_spec, HumanTask.status).where(
            HumanTask.instance_id == instance_id).order_by(HumanTask.id)).all()
        audits = session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.instance_id == instance_id))
        return instance.revision, instance.state, instance.status, tasks, audits


@pytest.fixture
def write_hook(monkeypatch):
    """Run `hook(connection)` inside the completion's transaction, right before it writes the new state."""
    hooks = []
    current = threading.local()
    original = runtime_db.write_connection

    @contextmanager
    def recording(engine):
        with original(engine) as connection:
            current.connection = connection
            yield connection

    real_dump = runtime_state.dump_state

    def dump_then_hook(workflow):
        data = real_dump(workflow)
        if hooks:
            hooks.pop(0)(current.connection)
        return data

    monkeypatch.setattr(runtime_db, "write_connection", recording)
    monkeypatch.setattr(runtime_state, "dump_state", dump_then_hook)
    return hooks


def test_a_completion_whose_instance_moved_on_after_the_read_writes_nothing(sop, write_hook):
    view = sop.start(PROCESS, KASUBBAG)
    task = only_ready(view)
    before = snapshot(sop, view.id)

    def another_writer_committed(connection):
        # What a completion committed between our read and our write looks like: a higher revision.
        connection.execute(update(Instance).where(Instance.id == view.id).values(revision=Instance.revision + 1))

    write_hook.append(another_writer_committed)
    with pytest.raises(Conflict, match="changed by someone else"):
        sop.complete(task.id, KASUBBAG, DATA["Step_01"])
    assert not write_hook  # the hook ran: the window was hit
    assert snapshot(sop, view.id) == before  # the bump rolled back with the refused write
    # Nothing stuck: the same completion goes through afterwards.
    after = sop.complete(task.id, KASUBBAG, DATA["Step_01"])
    assert after.revision == view.revision + 1
    assert only_ready(after).task_spec == "Step_02"


def test_a_completion_with_a_lower_stored_revision_is_refused_too(sop, write_hook):
    """The guard is equality, not 'at least': a revision that went back is not ours either."""
    view = sop.start(PROCESS, KASUBBAG)
    task = only_ready(view)
    before = snapshot(sop, view.id)
    write_hook.append(lambda connection: connection.execute(
        update(Instance).where(Instance.id == view.id).values(revision=Instance.revision - 1)))
    with pytest.raises(Conflict):
        sop.complete(task.id, KASUBBAG, DATA["Step_01"])
    assert snapshot(sop, view.id) == before


def test_two_completions_that_both_read_before_either_wrote(sop, monkeypatch):
    """A and B both read Step_02 at revision r; A writes and commits; B then writes what it computed
    from its read: B is refused (Conflict) and changes nothing, whatever the database.

    No thread: B's read is the completion's own statement run at its place in the interleaving, and
    B's completion goes on from that row instead of reading again. That is what PostgreSQL's READ
    COMMITTED allows between two servers; on SQLite the write lock taken at BEGIN keeps it from
    happening, and this runs the same interleaving there so the guard is checked on both.
    """
    view = sop.start(PROCESS, KASUBBAG)
    view = sop.complete(only_ready(view).id, KASUBBAG, DATA["Step_01"])
    task = only_ready(view)  # Step_02, done by the Pemroses
    read = {"task_id": task.id, "user": PEMROSES}
    with runtime_db.write_connection(sop.db) as connection:  # 1. B reads
        b_read = connection.execute(statements.task_for_completion, read).first()
    assert b_read.revision == view.revision and b_read.status == "ready"
    # 2. A reads (the same revision: nothing was written since) and 3. A writes.
    a = sop.complete(task.id, PEMROSES, {"tujuan": "Bidang A", "tanggal": "2026-11-23"},
                     expected_revision=view.revision)
    assert a.revision == view.revision + 1
    after_a = snapshot(sop, view.id)

    class BWithItsEarlierRead:
        """B's connection: its read of the task returns what B read in step 1."""

        def __init__(self, connection):
            self._connection = connection

        def execute(self, statement, *args, **kwargs):
            if statement is statements.task_for_completion:
                class Read:
                    first = staticmethod(lambda: b_read)
                return Read()
            return self._connection.execute(statement, *args, **kwargs)

        def __getattr__(self, name):
            return getattr(self._connection, name)

    original = runtime_db.write_connection

    @contextmanager
    def b_connection(engine):
        with original(engine) as connection:
            yield BWithItsEarlierRead(connection)

    monkeypatch.setattr(runtime_db, "write_connection", b_connection)
    # 4. B writes. The revision it was shown is the one it read, so only the guarded write can refuse it.
    with pytest.raises(Conflict, match="changed by someone else"):
        sop.complete(task.id, PEMROSES, {"tujuan": "Bidang B", "tanggal": "2026-11-24"},
                     expected_revision=view.revision)
    monkeypatch.setattr(runtime_db, "write_connection", original)
    assert snapshot(sop, view.id) == after_a
    assert only_ready(sop.instance(view.id)).task_spec == "Step_03"
    tujuan = [e.data.get("tujuan") for e in sop.history(view.id) if e.action == "complete" and "tujuan" in e.data]
    assert tujuan == ["Bidang A"]


def test_two_completions_interleaved_one_wins_and_the_other_changes_nothing(sop, write_hook):
    """A reads; B completes the same step of the same instance while A sits between its read and its write.

    PostgreSQL lets B commit inside A's window: A's guarded write then finds a newer revision and
    is refused. SQLite's write transaction takes the one write lock up front (BEGIN IMMEDIATE), so B
    waits for A instead: A commits, B then finds the task completed and is refused. Either way
    exactly one completion is written, and the loser changes nothing.
    """
    view = sop.start(PROCESS, KASUBBAG)
    view = sop.complete(only_ready(view).id, KASUBBAG, DATA["Step_01"])
    task = only_ready(view)  # Step_02, done by the Pemroses
    outcome = {}
    threads = []

    def b():
        try:
            outcome["b"] = sop.complete(task.id, PEMROSES, {"tujuan": "Bidang B", "tanggal": "2026-11-24"})
        except Exception as exc:  # noqa: BLE001 - inspected below
            outcome["b"] = exc

    def b_runs_in_between(connection):
        thread = threading.Thread(target=b)
        threads.append(thread)
        thread.start()
        if sop.db.dialect.name != "sqlite":
            thread.join(timeout=30)
            assert not thread.is_alive(), "B blocked on A's transaction"

    write_hook.append(b_runs_in_between)
    try:
        outcome["a"] = sop.complete(task.id, PEMROSES, {"tujuan": "Bidang A", "tanggal": "2026-11-23"})
    except Exception as exc:  # noqa: BLE001 - inspected below
        outcome["a"] = exc
    for thread in threads:
        thread.join(timeout=30)
    winner, loser = ("b", "a") if sop.db.dialect.name != "sqlite" else ("a", "b")
    assert isinstance(outcome[loser], Conflict), outcome
    assert not isinstance(outcome[winner], Exception), outcome
    after = sop.instance(view.id)
    assert after.revision == view.revision + 1
    assert only_ready(after).task_spec == "Step_03"
    tujuan = [e.data.get("tujuan") for e in sop.history(view.id) if e.action == "complete" and "tujuan" in e.data]
    assert tujuan == [f"Bidang {winner.upper()}"]

"""SOP Pengumpulan SKP (Dinas Koperasi UKM Kalimantan Barat) run end to end on the engine."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from alur.runtime.engine import Conflict, Forbidden, InvalidData, NotFound
from alur.runtime import directory, state
from alur.runtime.models import AuditEntry, HumanTask, Instance

PROCESS = "kalbar-pengumpulan-skp"
KASUBBAG = "kasubbag-umum-aparatur"
KALBAR = "kalbar-diskukm"  # the organisation the SOP belongs to (its `org` property)
PEMROSES = "pemroses-administrasi-kepegawaian"
KABID = "kepala-bidang"
SEKRETARIS = "sekretaris-dinas"
KADIS = "kepala-dinas"
PERFORMER = {
    "Step_01": KASUBBAG, "Step_02": PEMROSES, "Step_03": KABID, "Step_04": PEMROSES, "Step_05": KASUBBAG,
    "Step_06": SEKRETARIS, "Step_07": KADIS, "Step_08": KASUBBAG, "Step_09": PEMROSES,
}
DATA = {
    "Step_01": {"isi_disposisi": "Sebarkan disposisi pengumpulan SKP ke seluruh bidang"},
    "Step_02": {"tujuan": "Seluruh bidang", "tanggal": "2026-11-23"},
    "Step_03": {"dokumen": "Form SKP Bidang UKM", "jumlah": 12},
    "Step_04": {"jumlah_berkas": 12},
    "Step_08": {"isi_disposisi": "Arsipkan SKP"},
    "Step_09": {"nomor_arsip": "SKP/2026/001"},
}
APPROVE = {"keputusan": "setuju"}
RETURN = {"keputusan": "kembalikan", "catatan": "Realisasi bidang UKM belum dihitung"}


def only_ready(view):
    assert len(view.ready_tasks) == 1, view.ready_tasks
    return view.ready_tasks[0]


def step(alur, view, expected_step, data=None):
    """The performer of the only ready task completes it, after checking it is `expected_step`."""
    task = only_ready(view)
    assert task.task_spec == expected_step
    return alur.complete(task.id, PERFORMER[expected_step], data if data is not None else DATA[expected_step])


def test_happy_path_runs_all_nine_steps_in_their_lanes(sop):
    view = sop.start(PROCESS, KASUBBAG)
    assert only_ready(view).lane == "Kasubbag Umum & Aparatur"
    for name in ["Step_01", "Step_02", "Step_03", "Step_04"]:
        view = step(sop, view, name)
    for name in ["Step_05", "Step_06", "Step_07"]:
        view = step(sop, view, name, APPROVE)
    for name in ["Step_08", "Step_09"]:
        view = step(sop, view, name)
    assert view.status == "completed" and view.ready_tasks == []
    completed = [e.task_spec for e in sop.history(view.id) if e.action == "complete"]
    assert completed == [f"Step_0{i}" for i in range(1, 10)]
    actions = [e.action for e in sop.history(view.id)]
    assert actions[0] == "start" and actions[-1] == "end"


def test_each_task_is_due_by_its_standard_time(sop, monkeypatch):
    """Due times computed by hand from a frozen clock, not by the code under test."""
    from datetime import datetime, timedelta, timezone

    from alur.runtime import engine as runtime_engine
    clock = {"now": datetime(2026, 11, 20, 8, 58, tzinfo=timezone.utc)}  # Friday 15:58 WIB
    monkeypatch.setattr(runtime_engine, "utcnow", lambda: clock["now"])
    view = sop.start(PROCESS, KASUBBAG)
    task = only_ready(view)
    assert task.standard_minutes == 5  # "5 Menit": 2 minutes on Friday, 3 on Monday from 08:00 WIB
    assert task.ready_at == clock["now"]
    assert task.due_at == datetime(2026, 11, 23, 1, 3, tzinfo=timezone.utc)
    clock["now"] = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # Monday 09:00 WIB
    view = step(sop, view, "Step_01")
    assert only_ready(view).due_at == datetime(2026, 11, 23, 2, 15, tzinfo=timezone.utc)  # "15 Menit"
    clock["now"] += timedelta(minutes=10)  # Monday 09:10 WIB
    task = only_ready(step(sop, view, "Step_02"))
    assert task.standard_minutes == 480  # "1 hari": Tuesday 09:10 WIB
    assert task.due_at == datetime(2026, 11, 24, 2, 10, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "review, returned_to, reviewer_before",
    [
        ("Step_05", "Step_04", []),
        ("Step_06", "Step_05", ["Step_05"]),
        ("Step_07", "Step_06", ["Step_05", "Step_06"]),
    ],
)
def test_a_review_returns_the_skp_to_the_step_that_produced_it_then_approves(sop, review, returned_to,
                                                                            reviewer_before):
    view = sop.start(PROCESS, KASUBBAG)
    for name in ["Step_01", "Step_02", "Step_03", "Step_04"]:
        view = step(sop, view, name)
    for name in reviewer_before:
        view = step(sop, view, name, APPROVE)
    view = step(sop, view, review, RETURN)
    assert only_ready(view).task_spec == returned_to
    # Whoever it went back to fixes or re-checks it; every review on the way approves.
    order = ["Step_04", "Step_05", "Step_06", "Step_07", "Step_08", "Step_09"]
    for name in order[order.index(returned_to):]:
        view = step(sop, view, name, APPROVE if name in ("Step_05", "Step_06", "Step_07") else None)
    assert view.status == "completed"
    history = sop.history(view.id)
    returns = [e for e in history if e.action == "return"]
    assert [(e.task_spec, e.data["catatan"]) for e in returns] == [(review, RETURN["catatan"])]


def test_returning_without_a_note_is_refused_and_changes_nothing(sop):
    view = sop.start(PROCESS, KASUBBAG)
    for name in ["Step_01", "Step_02", "Step_03", "Step_04"]:
        view = step(sop, view, name)
    task = only_ready(view)
    with pytest.raises(InvalidData) as refused:
        sop.complete(task.id, KASUBBAG, {"keputusan": "kembalikan"})
    assert "catatan" in refused.value.errors
    assert sop.instance(view.id).revision == view.revision
    assert only_ready(sop.instance(view.id)).id == task.id


def test_form_data_is_checked_field_by_field(sop):
    view = sop.start(PROCESS, KASUBBAG)
    task = only_ready(view)
    with pytest.raises(InvalidData) as refused:
        sop.complete(task.id, KASUBBAG, {"isi_disposisi": "", "sifat": "kilat", "hacker": 1})
    assert set(refused.value.errors) == {"isi_disposisi", "sifat", "hacker"}
    assert sop.instance(view.id).revision == view.revision


def test_a_user_without_the_lanes_role_can_neither_claim_nor_complete(sop):
    view = sop.start(PROCESS, KASUBBAG)
    task = only_ready(view)
    with pytest.raises(Forbidden):
        sop.claim(task.id, PEMROSES)
    with pytest.raises(Forbidden):
        sop.complete(task.id, PEMROSES, DATA["Step_01"])
    with pytest.raises(NotFound):  # an unknown user sees no task at all
        sop.complete(task.id, "nobody", DATA["Step_01"])
    after = sop.instance(view.id)
    assert after.revision == view.revision
    assert only_ready(after).claimed_by is None
    assert [e.action for e in sop.history(view.id)] == ["start"]
    assert sop.tasks_for(PEMROSES) == []


def test_starting_needs_the_role_of_the_start_lane(sop):
    with pytest.raises(Forbidden):
        sop.start(PROCESS, KADIS)
    with sop.sessions() as session:
        assert session.scalar(select(func.count()).select_from(HumanTask)) == 0


def test_a_claimed_task_belongs_to_its_claimer(sop):
    directory.add_user(sop, "kasubbag-2", [KASUBBAG], org="kalbar-diskukm")
    view = sop.start(PROCESS, KASUBBAG)
    task = only_ready(view)
    assert sop.claim(task.id, KASUBBAG).claimed_by == KASUBBAG
    with pytest.raises(Conflict):
        sop.claim(task.id, "kasubbag-2")
    with pytest.raises(Forbidden):
        sop.complete(task.id, "kasubbag-2", DATA["Step_01"])
    sop.unclaim(task.id, KASUBBAG)
    assert sop.claim(task.id, "kasubbag-2").claimed_by == "kasubbag-2"
    view = sop.complete(task.id, "kasubbag-2", DATA["Step_01"])
    assert [e.action for e in sop.history(view.id)] == ["start", "claim", "unclaim", "claim", "complete"]


def test_inbox_shows_ready_tasks_of_the_users_lanes_only(sop):
    first = sop.start(PROCESS, KASUBBAG)
    second = sop.start(PROCESS, KASUBBAG)
    inbox = sop.tasks_for(KASUBBAG)
    assert [t.instance_id for t in inbox] == [second.id, first.id]  # newest first
    step(sop, first, "Step_01")
    assert [t.instance_id for t in sop.tasks_for(KASUBBAG)] == [second.id]
    assert [t.instance_id for t in sop.tasks_for(PEMROSES)] == [first.id]


def test_a_stale_revision_is_refused_and_changes_nothing(sop):
    view = sop.start(PROCESS, KASUBBAG)
    seen = view.revision
    view = step(sop, view, "Step_01")
    task = only_ready(view)
    with pytest.raises(Conflict):
        sop.complete(task.id, PEMROSES, DATA["Step_02"], expected_revision=seen)
    assert sop.instance(view.id).revision == view.revision
    assert only_ready(sop.instance(view.id)).id == task.id
    assert sop.complete(task.id, PEMROSES, DATA["Step_02"], expected_revision=view.revision).revision == seen + 2


def test_a_completed_task_cannot_be_completed_twice(sop):
    view = sop.start(PROCESS, KASUBBAG)
    task = only_ready(view)
    sop.complete(task.id, KASUBBAG, DATA["Step_01"])
    with pytest.raises(Conflict):
        sop.complete(task.id, KASUBBAG, DATA["Step_01"])
    with sop.sessions() as session:
        completions = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "complete")
        )
    assert completions == 1


def test_state_is_stored_compressed_and_without_the_spec(sop):
    view = sop.start(PROCESS, KASUBBAG)
    with sop.sessions() as session:
        stored = session.get(Instance, view.id).state
    text = state.state_json(stored)
    assert '"spec"' not in text and "task_specs" not in text and '"tasks"' in text
    assert stored.startswith(state.COMPRESSED_PREFIX) and len(stored) < len(text) / 2

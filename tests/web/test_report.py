"""The evaluation report of an SOP (issue 16 §2), against figures computed by hand.

The scenario, on SOP Pengumpulan Data Kinerja (Sulawesi Tengah) with a frozen clock, times in WIB
(Asia/Jakarta, UTC+7), working hours Monday-Friday 08:00-16:00 with Indonesia's days off:

A  Tue 24 Nov 2026: started 09:00. Step_01 done 09:04 (4 min), Step_02 09:14 (10), Step_03 09:20 (6),
   Step_04 11:20 (120); the Kasubbag's review Step_05 returns the draft at 11:30 (10); the Fungsional
   Umum fixes it, Step_04 12:30 (60); Step_05 approves at 12:35 (5); Step_06 .. Step_24 one minute
   each: the instance ends at 12:54, a cycle of 234 working minutes.
B  Fri 27 Nov 2026 15:00: started; Step_01 done Mon 30 Nov 08:30: 60 minutes on Friday, none over
   the weekend, 30 on Monday = 90. The Sekretaris claims Step_02 (due Mon 08:35).
C  Wed 23 Dec 2026 15:00: started; Step_01 done Mon 28 Dec 09:00: 60 minutes on Wednesday, Thursday
   24 Dec (cuti bersama Natal) and Friday 25 Dec (Natal) off, the weekend off, 60 on Monday = 120.
   Step_02 waits unclaimed (due 09:05).
The report is read at Mon 28 Dec 2026 09:03 WIB: B's Step_02 is overdue, C's is not yet.

Medians and 90th percentiles are nearest-rank: Step_01 took [4, 90, 120]: median the 2nd (90),
p90 the ceil(2.7) = 3rd (120); Step_04 took [60, 120]: median the 1st (60), p90 the 2nd (120).
"""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from alur.runtime import engine as runtime_engine
from alur.runtime import forms, views
from alur.runtime.report import percentile, process_report, report_for
from alur.runtime.errors import NotFound
from tests.web.conftest import ORG, ROLE_USER, SOP

WIB = timezone(timedelta(hours=7))
READ_AT = datetime(2026, 12, 28, 9, 3, tzinfo=WIB)


def wib(month, day, hour, minute) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=WIB)


@pytest.fixture
def frozen(clock, monkeypatch):
    """The app's clock, which the engine reads too (ready, completed, audited at)."""
    monkeypatch.setattr(runtime_engine, "utcnow", lambda: clock.at)
    return clock


def _complete(alur, view, step: str, at: datetime, decision: str = "setuju", clock=None):
    """At `at`, the performer of the ready `step` completes it with sample data (a review: `decision`)."""
    [task] = [t for t in view.ready_tasks if t.task_spec == step]
    clock.at = at
    schema = views.task_details(alur, task.id)["form"]
    return alur.complete(task.id, ROLE_USER[task.role], forms.sample_data(schema, decision))


@pytest.fixture
def scenario(alur, frozen):
    """Instances A, B and C of the module's docstring; the clock then stands at READ_AT."""
    def done(view, step, at, decision="setuju"):
        return _complete(alur, view, step, at, decision, frozen)

    frozen.at = wib(11, 24, 9, 0)
    a = alur.start(SOP, "kepala-dinas", perihal="Data kinerja triwulan III")
    for step, at in (("Step_01", wib(11, 24, 9, 4)), ("Step_02", wib(11, 24, 9, 14)),
                     ("Step_03", wib(11, 24, 9, 20)), ("Step_04", wib(11, 24, 11, 20))):
        a = done(a, step, at)
    a = done(a, "Step_05", wib(11, 24, 11, 30), "kembalikan")
    a = done(a, "Step_04", wib(11, 24, 12, 30))
    a = done(a, "Step_05", wib(11, 24, 12, 35))
    at = wib(11, 24, 12, 35)
    for number in range(6, 25):
        at += timedelta(minutes=1)
        a = done(a, f"Step_{number:02d}", at)
    assert a.status == "completed" and at == wib(11, 24, 12, 54)

    frozen.at = wib(11, 27, 15, 0)
    b = alur.start(SOP, "kepala-dinas", perihal="Data kinerja triwulan IV")
    b = done(b, "Step_01", wib(11, 30, 8, 30))
    frozen.at = wib(11, 30, 8, 31)
    alur.claim(b.ready_tasks[0].id, "sekretaris")

    frozen.at = wib(12, 23, 15, 0)
    c = alur.start(SOP, "kepala-dinas", perihal="Data kinerja tahunan")
    done(c, "Step_01", wib(12, 28, 9, 0))
    frozen.at = READ_AT
    return alur


def test_nearest_rank_percentiles():
    assert percentile([], 50) is None
    assert percentile([7], 50) == percentile([7], 90) == 7
    assert percentile([40, 10, 30, 20], 50) == 20  # the 2nd of four
    assert percentile([40, 10, 30, 20], 90) == 40  # the ceil(3.6) = 4th
    assert percentile(list(range(1, 11)), 90) == 9  # the 9th of ten
    assert percentile(list(range(1, 12)), 90) == 10  # the ceil(9.9) = 10th of eleven


def test_the_figures_of_november_and_december_as_computed_by_hand(scenario):
    report = process_report(scenario, ORG, SOP, date(2026, 11, 1), date(2026, 12, 31), now=READ_AT)
    assert (report.instances_started, report.instances_finished) == (3, 1)
    steps = {s.step: s.to_dict() for s in report.steps}
    assert list(steps) == [f"Step_{n:02d}" for n in range(1, 25)]  # in the SOP's order
    figures = ("completed", "returns", "median_minutes", "p90_minutes", "standard_minutes", "on_time_ratio",
               "waiting", "overdue")
    expected = {
        "Step_01": (3, 0, 90, 120, 5, 0.3333, 0, 0),  # 4 within 5; 90 (weekend) and 120 (Natal) not
        "Step_02": (1, 0, 10, 10, 5, 0.0, 2, 1),  # B's is overdue since Mon 30 Nov 08:35, C's due 09:05
        "Step_03": (1, 0, 6, 6, 10, 1.0, 0, 0),
        "Step_04": (2, 0, 60, 120, 240, 1.0, 0, 0),  # written, then fixed after the return
        "Step_05": (2, 1, 5, 10, 10, 1.0, 0, 0),  # returned once, approved once
    }
    for step, values in expected.items():
        assert tuple(steps[step][k] for k in figures) == values, step
    for number in range(6, 25):
        step = steps[f"Step_{number:02d}"]
        assert (step["completed"], step["returns"], step["median_minutes"], step["on_time_ratio"]) == (1, 0, 1, 1.0)
    assert steps["Step_05"]["return_rate"] == 0.5 and steps["Step_04"]["return_rate"] == 0.0
    assert steps["Step_05"]["lane"] == "Kepala Sub Bagian Program, Keuangan dan Aset"
    assert steps["Step_05"]["name"].startswith("5. Memeriksa dan Mengoreksi Rancangan Surat")

    assert report.cycles == [234]
    assert (report.cycle_median_minutes, report.cycle_p90_minutes) == (234, 234)
    assert report.total_standard_minutes == 5090  # every step's waktu once
    assert report.cycle_on_time_ratio == 1.0
    assert [m.to_dict() for m in report.months] == [
        {"month": "2026-11", "started": 2, "finished": 1, "median_cycle_minutes": 234},
        {"month": "2026-12", "started": 1, "finished": 0, "median_cycle_minutes": None},
    ]
    lanes = {lane: (w.waiting, w.overdue) for lane, w in report.by_lane.items()}
    assert lanes == {"Sekretaris": (2, 1)}
    assert [(p.username, p.name, p.waiting, p.overdue) for p in report.by_person] == [
        ("sekretaris", "Sekretaris", 1, 1)]  # C's Step_02 is nobody's yet


def test_the_period_counts_only_its_own_days_in_the_organisations_zone(scenario):
    december = process_report(scenario, ORG, SOP, date(2026, 12, 1), date(2026, 12, 31), now=READ_AT)
    steps = {s.step: s for s in december.steps}
    assert (december.instances_started, december.instances_finished) == (1, 0)
    assert (steps["Step_01"].completed, steps["Step_01"].median_minutes) == (1, 120)
    assert steps["Step_05"].returns == 0 and steps["Step_05"].completed == 0
    assert steps["Step_05"].median_minutes is None and steps["Step_05"].on_time_ratio is None
    assert (steps["Step_02"].now.waiting, steps["Step_02"].now.overdue) == (2, 1)  # now, whatever the period
    assert [m.month for m in december.months] == ["2026-12"]
    # One day: Mon 30 Nov holds B's Step_01 alone (its claim of Step_02 is no completion).
    day = process_report(scenario, ORG, SOP, date(2026, 11, 30), date(2026, 11, 30), now=READ_AT)
    assert {s.step: s.completed for s in day.steps if s.completed} == {"Step_01": 1}
    assert (day.instances_started, day.instances_finished) == (0, 0)


def test_only_who_may_see_the_sops_instances_gets_its_report(scenario):
    assert report_for(scenario, "kabid", SOP, now=READ_AT).process_id == SOP
    for user in ("pegawai-lain", "tanpa-peran", "nobody"):
        with pytest.raises(NotFound):
            report_for(scenario, user, SOP, now=READ_AT)


@pytest.fixture
def cli(scenario, monkeypatch, capsys):
    """`alur ...` over the scenario's engine (the report then reads the real clock: waiting figures
    are not checked here); gives (exit code, stdout, stderr)."""
    from alur.runtime import cli as runtime_cli

    monkeypatch.setattr(runtime_cli, "_engine", lambda ctx=None: scenario)

    def run(*argv):
        try:
            code = runtime_cli.main(list(argv))
        except SystemExit as usage_error:  # Click's usage errors exit 2
            code = usage_error.code
        out, err = capsys.readouterr()
        return code, out, err

    return run


STEP_KEYS = ["step", "name", "lane", "completed", "returns", "median_minutes", "p90_minutes", "standard_minutes",
             "on_time_ratio", "waiting", "overdue"]


def test_the_cli_prints_the_report_as_json_in_the_documented_shape(cli):
    code, out, err = cli("report", SOP, "--from", "2026-11-01", "--to", "2026-12-31", "--org", ORG, "--json")
    assert code == 0, err
    payload = json.loads(out)
    assert list(payload)[:4] == ["process_id", "instances_started", "instances_finished", "steps"]
    assert (payload["process_id"], payload["instances_started"], payload["instances_finished"]) == (SOP, 3, 1)
    assert len(payload["steps"]) == 24
    for step in payload["steps"]:
        assert list(step)[:len(STEP_KEYS)] == STEP_KEYS
    first, fifth = payload["steps"][0], payload["steps"][4]
    assert [first[k] for k in STEP_KEYS[3:9]] == [3, 0, 90, 120, 5, 0.3333]
    assert [fifth[k] for k in STEP_KEYS[3:9]] == [2, 1, 5, 10, 10, 1.0]
    assert payload["cycle"] == {"median_minutes": 234, "p90_minutes": 234, "standard_minutes": 5090,
                                "on_time_ratio": 1.0}
    # The one organisation that has the SOP, without --org.
    code, again, err = cli("report", SOP, "--from", "2026-11-01", "--to", "2026-12-31", "--json")
    assert code == 0 and json.loads(again)["steps"] == payload["steps"]


def test_the_cli_prints_a_readable_table_without_json(cli):
    code, out, err = cli("report", SOP, "--from", "2026-11-01", "--to", "2026-12-31")
    assert code == 0, err
    lines = out.splitlines()
    assert "periode 2026-11-01 s.d. 2026-12-31" in lines
    [header] = [line for line in lines if line.startswith("langkah")]
    assert header.split() == ["langkah", "selesai", "kembali", "median", "p90", "standar", "tepat", "menunggu",
                              "terlambat"]
    [step_05] = [line for line in lines if line.startswith("Step_05 ")]
    assert step_05.split() == ["Step_05", "2", "1", "5", "menit", "10", "menit", "10", "menit", "100%", "0", "0"]
    assert "2026-11  dimulai 2  selesai 1  median siklus 3 jam 54 menit" in lines


@pytest.mark.parametrize("argv, option", [
    (("--from", "2026-13-01"), "--from"), (("--from", "1-12-2026"), "--from"), (("--to", "kemarin"), "--to"),
    (("--to", "2026-02-30"), "--to"), (("--from", "2026-12-01 "), "--from"), (("--to", "2026-W49-5"), "--to"),
    (("--from", "２０２６-12-01"), "--from"), (("--to", ""), "--to"),
])
def test_a_bad_day_is_refused_naming_the_option(cli, argv, option):
    code, out, err = cli("report", SOP, *argv, "--json")
    assert code == 2 and out == ""
    assert f"Invalid value for '{option}'" in err and "YYYY-MM-DD" in err


def test_the_cli_refuses_an_end_before_the_start_and_an_unknown_process(cli):
    code, out, err = cli("report", SOP, "--from", "2026-12-02", "--to", "2026-12-01")
    assert code == 1 and out == "" and "to: tanggal akhir sebelum tanggal awal" in err
    code, out, err = cli("report", SOP, "--from", "1969-12-31", "--json")
    assert code == 1 and out == "" and json.loads(err)["fields"] == {"from": "pilih tanggal antara 1970-01-01 dan 2999-12-31"}
    code, out, err = cli("report", "tidak-ada", "--json")
    assert code == 1 and out == "" and "tidak-ada" in json.loads(err)["error"]

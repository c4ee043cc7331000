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

import io
import json
import re
from datetime import date, datetime, timedelta, timezone

import pytest

from alur.runtime import engine as runtime_engine
from alur.runtime import forms, state, views
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


def test_the_figures_of_november_and_december_as_computed_by_hand(scenario, monkeypatch):
    def no_state(*args, **kwargs):
        raise AssertionError("the report loaded a workflow state")

    monkeypatch.setattr(state, "load_state", no_state)  # figures come from the task table and the audit log
    report = process_report(scenario, ORG, SOP, date(2026, 11, 1), date(2026, 12, 31), now=READ_AT)
    assert (report.instances_started, report.instances_finished) == (3, 1)
    assert report.org_name == "Dinas Koperasi, Usaha Kecil dan Menengah Provinsi Sulawesi Tengah"
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


# ------------------------------------------------------------------ the API and the page


def test_the_api_answers_the_same_report_for_who_may_see_the_sops_instances(scenario, client, login):
    login(client, "kabid")
    response = client.get(f"/api/processes/{SOP}/report?from=2026-11-01&to=2026-12-31")
    assert response.status_code == 200, response.get_data(as_text=True)
    payload = response.get_json()
    assert list(payload)[:4] == ["process_id", "instances_started", "instances_finished", "steps"]
    assert payload == process_report(scenario, ORG, SOP, date(2026, 11, 1), date(2026, 12, 31), now=READ_AT).to_dict()
    assert [payload["steps"][1][k] for k in ("waiting", "overdue")] == [2, 1]  # as of the app's clock
    assert payload["waiting_by_person"] == [{"username": "sekretaris", "name": "Sekretaris", "waiting": 1,
                                             "overdue": 1}]


@pytest.mark.parametrize("query, status, field", [
    ("from=2026-13-01", 400, "from"), ("to=28-12-2026", 400, "to"), ("from=", 400, "from"),
    ("from=2026-12-02&to=2026-12-01", 422, "to"), ("from=1900-01-01", 422, "from"), ("to=9999-12-31", 422, "to"),
    ("from=2000-01-01&to=2026-12-31", 422, "from"),
])
def test_the_api_refuses_a_bad_period_naming_the_parameter(scenario, client, login, query, status, field):
    login(client, "kabid")
    response = client.get(f"/api/processes/{SOP}/report?{query}")
    assert response.status_code == status
    assert list(response.get_json()["fields"]) == [field]


def test_the_api_report_is_not_there_for_other_people(scenario, client, login):
    for user in ("pegawai-lain", "tanpa-peran"):
        login(client, user)
        assert client.get(f"/api/processes/{SOP}/report").status_code == 404
    login(client, "kabid")
    assert client.get("/api/processes/tidak-ada/report").status_code == 404


def test_the_page_shows_the_figures_with_names_and_charts(scenario, client, login, text_of):
    login(client, "kepala-dinas")
    response = client.get(f"/sop/{SOP}/laporan?dari=2026-11-01&sampai=2026-12-31")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(response)
    assert "Laporan evaluasi penerapan SOP" in text and "Periode 1 November 2026 s.d. 31 Desember 2026" in text
    assert "Pengumpulan Data Kinerja · Dinas Koperasi, Usaha Kecil dan Menengah Provinsi Sulawesi Tengah" in text
    row = re.search(r'<tr data-step="Step_05".*?</tr>', html, re.S).group(0)
    cells = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
    assert cells[1:] == ["2", "1 (50% dari penyelesaian)", "5 menit", "10 menit", "10 menit", "100%", "0", "0"]
    assert "November 2026 2 1 3 jam 54 menit" in text and "Desember 2026 1 0 -" in text
    assert "Sekretaris 1 1" in text  # the person by name (the fixture's display name), never the user name
    assert ">sekretaris<" not in html and "kepala-dinas" not in text
    assert 'src="/aset/chart.umd.min.js"' in html and 'src="/static/laporan.js"' in html
    assert "<script>" not in html  # no inline script: the CSP stays default-src 'self'
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    chart = re.search(r"id=\"grafik-langkah\"[^>]*data-chart='([^']*)'", html).group(1)
    figures = json.loads(chart.replace("&#34;", '"').replace("&#39;", "'"))
    assert figures["labels"][:2] == ["Langkah 1", "Langkah 2"] and figures["median"][:5] == [90, 10, 6, 60, 5]
    assert figures["p90"][:5] == [120, 10, 6, 120, 10] and figures["standard"][:5] == [5, 5, 10, 240, 10]


def test_the_chart_library_is_served_from_its_npm_package(client):
    response = client.get("/aset/chart.umd.min.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert b"Chart.js v4.6.1" in response.data[:200]
    assert client.get("/aset/chart.js").status_code == 404  # only the files named
    assert client.get("/aset/..%2Fpackage.json").status_code == 404


def test_the_page_refuses_a_bad_period_and_shows_the_default_one(scenario, client, login, text_of):
    login(client, "kabid")
    response = client.get(f"/sop/{SOP}/laporan?dari=kemarin")
    assert response.status_code == 400
    assert "Dari tanggal: “kemarin” bukan tanggal" in text_of(response)
    assert "Periode 1 Januari 2026 s.d. 28 Desember 2026" in text_of(response)  # 12 months to today


def test_the_page_is_not_there_for_another_organisation_or_a_user_without_a_lane(scenario, client, login):
    for user in ("pegawai-lain", "tanpa-peran"):
        login(client, user)
        assert client.get(f"/sop/{SOP}/laporan").status_code == 404
        assert client.get(f"/sop/{SOP}/laporan.xlsx").status_code == 404


# ------------------------------------------------------------------ the files


def test_the_workbook_holds_the_figures_names_and_charts(scenario, client, login):
    from openpyxl import load_workbook

    login(client, "kepala-dinas")
    response = client.get(f"/sop/{SOP}/laporan.xlsx?dari=2026-11-01&sampai=2026-12-31")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=laporan-{SOP}-20261101-20261231.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Ringkasan", "Langkah", "Per bulan", "Menunggu"]
    summary = {row[0]: row[1] for row in book["Ringkasan"].iter_rows(values_only=True)}
    assert summary["Proses dimulai"] == 3 and summary["Proses selesai"] == 1
    assert summary["Median waktu siklus (menit kerja)"] == 234 and summary["Standar total SOP (menit kerja)"] == 5090
    steps = list(book["Langkah"].iter_rows(values_only=True))
    assert steps[0][:2] == ("No.", "Langkah") and len(steps) == 25
    assert steps[5][:2] == (5, "Step_05") and steps[5][4:] == (2, 1, 0.5, 5, 10, 10, 1, 0, 0)
    assert steps[1][4:] == (3, 0, 0, 90, 120, 5, 0.3333, 0, 0)
    assert len(book["Langkah"]._charts) == 1 and len(book["Per bulan"]._charts) == 1
    assert list(book["Per bulan"].iter_rows(values_only=True)) == [
        ("Bulan", "Dimulai", "Selesai", "Median waktu siklus (menit kerja)"),
        ("November 2026", 2, 1, 234), ("Desember 2026", 1, 0, None)]
    assert list(book["Menunggu"].iter_rows(values_only=True))[1:] == [
        ("Lajur", "Sekretaris", 2, 1), ("Pegawai", "Sekretaris", 1, 1)]  # the person by name


def test_the_pdf_is_the_printed_report(scenario, client, login):
    from pypdf import PdfReader

    login(client, "kabid")
    response = client.get(f"/sop/{SOP}/laporan.pdf?dari=2026-11-01&sampai=2026-12-31")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "Laporan Evaluasi Penerapan SOP" in text and "01-11-2026 s.d. 31-12-2026" in text
    assert "Proses dimulai 3" in text and "Standar total SOP (menit kerja) 1 hari" not in text
    assert "Standar total SOP (menit kerja) 10 hari 4 jam 50 menit" in text  # 5090 minutes
    assert "November 2026 2 1 3 jam 54 menit" in text
    assert "Lajur Sekretaris 2 1" in text
    assert client.get(f"/sop/{SOP}/laporan.pdf?dari=2026-13-01").status_code == 400

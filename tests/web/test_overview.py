"""The Proses overview: where every case stands, who holds it, late against the mutu baku; its
filters, views, sorting, pages and exports (runtime/overview.py, web/instances.py)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from alur.runtime import directory, overview
from alur.runtime.models import utcnow
from alur.runtime.overview import Filters

SOP = "sulteng-pengumpulan-data-kinerja"
ORG = "sulteng-diskukm"
# The 24 steps' waktu as transcribed (5 + 5 + 10 + 240 + ... minutes): the SOP's Total Waktu.
SOP_TOTAL_MINUTES = 5090


def _start(alur, perihal: str, nomor: str | None = None):
    return alur.start(SOP, "kepala-dinas", perihal=perihal, nomor=nomor)


def _advance(alur, view, user: str = "kepala-dinas"):
    """Complete step 1 (the Kepala Dinas's disposisi): step 2 waits for the Sekretaris."""
    task = view.ready_tasks[0]
    return alur.complete(task.id, user, {"isi_disposisi": "Mohon diproses"})


def _ids(page) -> list[int]:
    return [row.id for row in page.rows]


def test_each_case_shows_its_current_step_holder_due_and_age_against_the_sop_total(alur):
    first = _start(alur, "Data kinerja triwulan III", "800/1/DISKUKM")
    second = _advance(alur, _start(alur, "Data kinerja triwulan IV"))
    alur.claim(second.ready_tasks[0].id, "sekretaris")
    page = overview.overview(alur, "kepala-dinas")
    assert page.total == 2 and _ids(page) == [second.id, first.id]  # running, newest first
    newest, oldest = page.rows
    assert (oldest.perihal, oldest.nomor, oldest.process_name) == ("Data kinerja triwulan III", "800/1/DISKUKM",
                                                                   page.processes[SOP])
    assert [s.lane for s in oldest.steps] == ["Kepala Dinas"] and oldest.steps[0].claimed_by is None
    assert [s.lane for s in newest.steps] == ["Sekretaris"] and newest.steps[0].claimed_by == "sekretaris"
    assert newest.steps[0].due_at is not None and not newest.late
    assert newest.standard_minutes == SOP_TOTAL_MINUTES


def test_late_is_a_due_time_passed_and_the_filter_keeps_only_those(alur):
    view = _advance(alur, _start(alur, "Terlambat"))
    _start(alur, "Tepat waktu")
    due = overview.overview(alur, "kepala-dinas").rows[1].steps[0].due_at
    assert due is not None
    just_before, just_after = due - timedelta(seconds=1), due + timedelta(seconds=1)
    assert overview.overview(alur, "kepala-dinas", Filters(late=True), now=just_before).total == 0
    late = overview.overview(alur, "kepala-dinas", Filters(late=True), now=just_after)
    assert view.id in _ids(late)
    assert all(row.late for row in late.rows)


def test_filters_by_sop_status_lane_text_and_start_date(alur):
    a = _start(alur, "Surat edaran kinerja", "800/7")
    b = _advance(alur, _start(alur, "Laporan bulanan"))
    today = utcnow().astimezone(alur.settings.calendar.zone).date()
    who = "kepala-dinas"
    assert _ids(overview.overview(alur, who, Filters(lane="Sekretaris"))) == [b.id]
    assert _ids(overview.overview(alur, who, Filters(lane="Kepala Dinas"))) == [a.id]
    assert _ids(overview.overview(alur, who, Filters(query="800/7"))) == [a.id]
    assert _ids(overview.overview(alur, who, Filters(query="BULANAN"))) == [b.id]
    assert overview.overview(alur, who, Filters(process_id="tidak-ada")).total == 0
    assert overview.overview(alur, who, Filters(process_id=SOP)).total == 2
    assert overview.overview(alur, who, Filters(status="completed")).total == 0
    assert overview.overview(alur, who, Filters(status="running")).total == 2
    assert overview.overview(alur, who, Filters(started_from=today, started_to=today)).total == 2
    assert overview.overview(alur, who, Filters(started_from=today + timedelta(days=1))).total == 0
    assert overview.overview(alur, who, Filters(started_to=today - timedelta(days=1))).total == 0


def test_waiting_for_me_is_what_my_roles_may_take_now(alur):
    mine = _advance(alur, _start(alur, "Untuk Sekretaris"))
    taken = _advance(alur, _start(alur, "Diambil orang lain"))
    directory.add_user(alur, "sekretaris-2", ["sekretaris"], display_name="Sekretaris Kedua", org=ORG)
    alur.claim(taken.ready_tasks[0].id, "sekretaris-2")
    _start(alur, "Masih di Kepala Dinas")
    assert _ids(overview.overview(alur, "sekretaris", Filters(view="menunggu-saya"))) == [mine.id]
    assert _ids(overview.overview(alur, "sekretaris-2", Filters(view="menunggu-saya"))) == [taken.id, mine.id]


def test_late_in_my_unit_is_a_late_step_of_my_lanes(alur):
    at_secretary = _advance(alur, _start(alur, "Di Sekretaris"))
    _start(alur, "Di Kepala Dinas")
    later = utcnow() + timedelta(days=60)
    assert _ids(overview.overview(alur, "sekretaris", Filters(view="terlambat-unit-saya"), now=later)) == [at_secretary.id]
    assert overview.overview(alur, "sekretaris", Filters(view="terlambat-unit-saya")).total == 0


def test_sorts_and_pages(alur):
    ids = [_start(alur, perihal).id for perihal in ("Beta", "alfa", "Gama")]
    assert _ids(overview.overview(alur, "kepala-dinas", Filters(sort="perihal"))) == [ids[1], ids[0], ids[2]]
    assert _ids(overview.overview(alur, "kepala-dinas", Filters(sort="lama"))) == ids
    first = overview.overview(alur, "kepala-dinas", per_page=2)
    second = overview.overview(alur, "kepala-dinas", page=2, per_page=2)
    assert (first.total, first.pages, _ids(first), _ids(second)) == (3, 2, [ids[2], ids[1]], [ids[0]])


def test_nearest_due_first_puts_cases_without_a_waiting_step_last(alur, run_until):
    ended = run_until(_start(alur, "Selesai"), None)
    early = _start(alur, "Lebih dulu")
    late = _start(alur, "Belakangan")
    order = _ids(overview.overview(alur, "kepala-dinas", Filters(sort="tenggat")))
    assert order == [early.id, late.id, ended.id]


def test_nobody_sees_cases_of_sops_they_have_no_lane_in(alur):
    _start(alur, "Rahasia")
    assert overview.overview(alur, "pegawai-lain").total == 0
    assert overview.overview(alur, "tanpa-peran").total == 0
    directory.add_organisation(alur, "lain", "Dinas Lain")
    directory.add_user(alur, "lain.kepala", ["kepala-dinas"], org="lain")
    assert overview.overview(alur, "lain.kepala").total == 0


# ------------------------------------------------------------------ the page and its exports

def test_the_page_names_people_and_offers_the_views(client, login, alur, text_of):
    view = _advance(alur, _start(alur, "Data kinerja 2026", "800/12"))
    alur.claim(view.ready_tasks[0].id, "sekretaris")
    login(client, "kepala-dinas")
    response = client.get("/proses/")
    assert response.status_code == 200
    text = text_of(response)
    for expected in ("Data kinerja 2026", "800/12", "Sekretaris", "Menunggu saya", "Terlambat di unit saya",
                     "Unduh daftar ini"):
        assert expected in text
    assert "sekretaris" not in text.replace("Sekretaris", "")  # the person's name, never the user name


@pytest.mark.parametrize("query, field, message", [
    ("dari=2026-13-01", "Dimulai dari", "“2026-13-01” bukan tanggal; tulis TTTT-BB-HH"),
    ("sampai=kemarin", "Dimulai sampai", "“kemarin” bukan tanggal; tulis TTTT-BB-HH"),
    ("dari=2026-12-05&sampai=2026-12-01", "Dimulai sampai", "tanggal akhir sebelum tanggal awal"),
    ("status=hilang", "Status", "pilih berjalan atau selesai"),
    ("urut=acak", "Urutan", "pilih baru, lama, tenggat atau perihal"),
    ("tampilan=semua", "Tampilan", "pilih menunggu-saya atau terlambat-unit-saya"),
])
def test_a_bad_filter_is_a_400_naming_it(client, login, alur, text_of, query, field, message):
    _start(alur, "Ada")
    login(client, "kepala-dinas")
    response = client.get(f"/proses/?{query}")
    assert response.status_code == 400
    assert f"{field}: {message}" in text_of(response)


def test_parameters_the_list_does_not_know_are_not_carried_into_its_links(client, login, alur):
    _start(alur, "Ada")
    login(client, "kepala-dinas")
    response = client.get("/proses/?kind=x&_external=1&instance_id=3&q=Ada")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "/proses/unduh.csv?q=Ada" in page and "_external" not in page


def test_the_csv_export_is_the_filtered_list_with_formulas_kept_as_text(client, login, alur):
    _start(alur, "=HYPERLINK(\"http://x\")", "800/1")
    _start(alur, "Biasa")
    login(client, "kepala-dinas")
    response = client.get("/proses/unduh.csv?q=hyperlink")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data().decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][:4] == ["No.", "Perihal", "Nomor", "SOP"] and len(rows) == 2
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")" and rows[1][5] == "Berjalan"
    assert rows[1][7] == "Lajur Kepala Dinas" and rows[1][12] == str(SOP_TOTAL_MINUTES)


def test_the_xlsx_export_opens_with_text_cells_and_dates(client, login, alur):
    _start(alur, "=1+1", "800/2")
    login(client, "kepala-dinas")
    response = client.get("/proses/unduh.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    assert sheet["B1"].value == "Perihal"
    assert sheet["B2"].value == "=1+1" and sheet["B2"].data_type == "s"
    assert sheet["O2"].is_date


def test_an_export_with_a_bad_filter_is_a_400_and_needs_a_login(client, login, alur, text_of):
    anonymous = client.get("/proses/unduh.csv")
    assert anonymous.status_code == 302 and "/masuk" in anonymous.headers["Location"]
    login(client, "kepala-dinas")
    response = client.get("/proses/unduh.xlsx?dari=x")
    assert response.status_code == 400
    assert "Saringan tidak sah" in text_of(response)
    assert client.get("/proses/unduh.pdf").status_code == 404


def test_the_page_says_when_an_export_holds_only_the_first_cases(client, login, alur, text_of, monkeypatch):
    for perihal in ("Satu", "Dua", "Tiga"):
        _start(alur, perihal)
    login(client, "kepala-dinas")
    assert "proses pertama" not in text_of(client.get("/proses/"))
    monkeypatch.setattr(overview, "EXPORT_CAP", 2)
    assert "(memuat 2 proses pertama; persempit saringan untuk sisanya)" in text_of(client.get("/proses/"))
    rows = list(csv.reader(io.StringIO(client.get("/proses/unduh.csv").get_data().decode("utf-8")[1:])))
    assert len(rows) == 1 + 2


# ------------------------------------------------------------------ pages of a long list

def _expected_order(rows, sort: str) -> list[int]:
    """The order each sort promises, computed from the rows themselves."""
    if sort == "baru":
        key = lambda r: (r.status != "running", -r.id)  # noqa: E731
    elif sort == "lama":
        key = lambda r: (r.started_at, r.id)  # noqa: E731
    elif sort == "perihal":
        key = lambda r: (r.perihal.lower(), r.id)  # noqa: E731
    else:
        def key(r):
            due = min((s.due_at for s in r.steps if s.due_at is not None), default=None)
            return (due is None, due or r.started_at, r.id)
    return [r.id for r in sorted(rows, key=key)]


@pytest.mark.parametrize("sort", overview.SORTS)
def test_every_sort_pages_through_the_same_list_one_case_at_a_time(alur, run_until, sort):
    """Running and ended cases, steps at the Kepala Dinas and at the Sekretaris: page after page of one
    case (the sort's parts crossed on some page) is the whole list in the sort's order."""
    run_until(_start(alur, "Selesai dulu"), None)
    _start(alur, "beta")
    _advance(alur, _start(alur, "Alfa"))
    run_until(_start(alur, "Selesai kemudian"), None)
    _start(alur, "Gama")
    whole = overview.overview(alur, "kepala-dinas", Filters(sort=sort))
    assert _ids(whole) == _expected_order(whole.rows, sort) and whole.total == 5 and not whole.has_next
    one_by_one = []
    for number in range(1, 7):
        page = overview.overview(alur, "kepala-dinas", Filters(sort=sort), page=number, per_page=1)
        one_by_one += _ids(page)
        assert page.has_next == (number < 5) and page.total == 5 and not page.more
    assert one_by_one == _ids(whole)


def test_the_count_stops_past_the_page_and_the_page_says_more_than(alur, monkeypatch, client, login, text_of):
    monkeypatch.setattr(overview, "COUNT_CAP", 2)
    monkeypatch.setattr(overview, "PAGE_SIZE", 2)
    ids = [_start(alur, f"Kasus {n}").id for n in range(7)]
    first = overview.overview(alur, "kepala-dinas")
    assert (first.total, first.more, first.has_next, _ids(first)) == (4, True, True, [ids[6], ids[5]])
    last = overview.overview(alur, "kepala-dinas", page=4)
    assert (last.total, last.more, last.has_next, _ids(last)) == (7, False, False, [ids[0]])
    beyond = overview.overview(alur, "kepala-dinas", page=5)
    assert (beyond.total, beyond.more, beyond.rows) == (7, False, [])
    login(client, "kepala-dinas")
    text = text_of(client.get("/proses/"))
    assert "Proses 1–2 dari lebih dari 4." in text and "Halaman 1 dari lebih dari 2" in text
    assert "Berikutnya" in text and "Sebelumnya" not in text
    text = text_of(client.get("/proses/?halaman=4"))
    assert "Proses 7–7 dari 7." in text and "Halaman 4 dari 4" in text
    assert "Berikutnya" not in text and "Sebelumnya" in text

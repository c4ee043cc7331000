"""Kotak Masuk and the task page, read like the SOP: the Fungsional Umum drafts,
the Kasubbag returns the draft with a note, and every refusal changes nothing."""
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from alur.runtime import directory
from alur.runtime.models import HumanTask
from tests.web.conftest import ORG


def _overdue(alur, task_id):
    with alur.sessions() as session, session.begin():
        session.execute(update(HumanTask).where(HumanTask.id == task_id)
                        .values(due_at=datetime.now(timezone.utc) - timedelta(hours=1)))


def listed_tasks(html: str) -> list[str]:
    """The ids of the task rows an inbox page lists, in their order."""
    return re.findall(r'<tr class="[^"]*" data-task="([^"]+)">', html)


def _state(alur, instance_id):
    """What a refusal must leave untouched: revision, ready tasks and claims."""
    view = alur.instance(instance_id)
    return view.revision, [(t.id, t.claimed_by) for t in view.ready_tasks], len(alur.history(instance_id))


# ------------------------------------------------------------------ inbox

def test_inbox_lists_the_ready_tasks_of_the_users_lanes(client, login, started, text_of):
    login(client, "kepala-dinas")
    page = text_of(client.get("/"))
    task = started.ready_tasks[0]
    assert "Pengumpulan Data Kinerja" in page  # SOP name
    assert task.name in page  # the step
    assert f"#{started.id}" in page  # the instance
    assert "Tenggat" in page and "Menunggu" in page


def test_inbox_does_not_show_other_lanes_tasks(client, login, started, text_of):
    login(client, "sekretaris")
    page = text_of(client.get("/"))
    assert started.ready_tasks[0].name not in page
    assert "Tidak ada tugas" in page


def test_inbox_is_newest_first(client, login, alur, started):
    second = alur.start("sulteng-pengumpulan-data-kinerja", "kepala-dinas")
    login(client, "kepala-dinas")
    html = client.get("/").get_data(as_text=True)
    assert html.index(second.ready_tasks[0].id) < html.index(started.ready_tasks[0].id)


def test_overdue_tasks_stand_out_and_can_be_filtered(client, login, alur, started):
    late = alur.start("sulteng-pengumpulan-data-kinerja", "kepala-dinas").ready_tasks[0]
    _overdue(alur, late.id)
    login(client, "kepala-dinas")
    html = client.get("/").get_data(as_text=True)
    assert f'<tr class="overdue" data-task="{late.id}">' in html
    assert f'<tr class="" data-task="{started.ready_tasks[0].id}">' in html
    assert "Terlambat" in html
    only_late = client.get("/?terlambat=1").get_data(as_text=True)
    assert late.id in only_late and started.ready_tasks[0].id not in only_late


def test_inbox_filters_by_sop(client, login, alur, started):
    other = alur.start("sulteng-penyusunan-iki", "kepala-dinas")
    login(client, "kepala-dinas")
    html = client.get("/?sop=sulteng-penyusunan-iki").get_data(as_text=True)
    assert other.ready_tasks[0].id in html
    assert started.ready_tasks[0].id not in html
    assert '<option value="sulteng-pengumpulan-data-kinerja"' in html


def test_inbox_pages_and_counts(client, login, alur, started, text_of, monkeypatch):
    monkeypatch.setattr("alur.web.tasks.PAGE_SIZE", 2)
    later = [alur.start("sulteng-pengumpulan-data-kinerja", "kepala-dinas") for _ in range(2)]
    other = alur.start("sulteng-penyusunan-iki", "kepala-dinas")
    _overdue(alur, started.ready_tasks[0].id)
    login(client, "kepala-dinas")
    first = client.get("/").get_data(as_text=True)
    assert "Tugas 1–2 dari 4, 1 terlambat." in text_of(client.get("/"))
    assert other.ready_tasks[0].id in first and later[1].ready_tasks[0].id in first
    assert 'Pengumpulan Data Kinerja (3)</option>' in first and "Hanya yang terlambat (1)" in first
    assert 'rel="next" href="/?halaman=2"' in first and 'rel="prev"' not in first
    second = client.get("/?halaman=2").get_data(as_text=True)
    assert later[0].ready_tasks[0].id in second and started.ready_tasks[0].id in second
    assert 'rel="prev" href="/?halaman=1"' in second and 'rel="next"' not in second
    filtered = client.get("/?sop=sulteng-pengumpulan-data-kinerja&halaman=2").get_data(as_text=True)
    assert started.ready_tasks[0].id in filtered and "Tugas 3–3 dari 3" in text_of(
        client.get("/?sop=sulteng-pengumpulan-data-kinerja&halaman=2"))
    assert 'href="/?halaman=1&amp;sop=sulteng-pengumpulan-data-kinerja"' in filtered
    first_rows = [other.ready_tasks[0].id, later[1].ready_tasks[0].id]  # newest first
    assert listed_tasks(first) == first_rows
    assert listed_tasks(second) == [later[0].ready_tasks[0].id, started.ready_tasks[0].id]
    # Not a page number, or past the last page any offset can reach (2**31 - 1 // PAGE_SIZE = 1073741823):
    # the first page, its rows and its links, as if no page were asked for.
    for odd in ("0", "-1", "x", "1.5", "", "+2", " 2", "２", "1073741824", "99999999999"):
        response = client.get("/", query_string={"halaman": odd})
        assert response.status_code == 200, odd
        html = response.get_data(as_text=True)
        assert listed_tasks(html) == first_rows, odd
        assert "Tugas 1–2 dari 4, 1 terlambat." in text_of(response), odd
        assert 'rel="next" href="/?halaman=2"' in html and 'rel="prev"' not in html, odd
    past_the_end = client.get("/?halaman=99")
    assert past_the_end.status_code == 200
    assert "Tidak ada tugas di halaman ini." in text_of(past_the_end)
    assert "Halaman 99 dari 2" in text_of(past_the_end)
    assert 'rel="prev" href="/?halaman=98"' in past_the_end.get_data(as_text=True)
    assert listed_tasks(past_the_end.get_data(as_text=True)) == []
    last_reachable = client.get("/?halaman=1073741823")
    assert last_reachable.status_code == 200
    assert listed_tasks(last_reachable.get_data(as_text=True)) == []
    assert "Halaman 1073741823 dari 2" in text_of(last_reachable)


# ---------------------------------------------------------- claim/unclaim

def test_claim_and_unclaim_from_the_inbox(client, login, post, alur, started, text_of):
    task = started.ready_tasks[0]
    login(client, "kepala-dinas")
    response = post(client, f"/tugas/{task.id}/ambil", {"next": "/"})
    assert response.status_code == 302
    assert alur.task(task.id).claimed_by == "kepala-dinas"
    assert "Diambil oleh Anda" in text_of(client.get("/"))
    post(client, f"/tugas/{task.id}/lepas")
    assert alur.task(task.id).claimed_by is None


def test_claim_taken_by_someone_else_is_refused_with_a_message(client, login, post, alur, text_of):
    directory.add_user(alur, "kepala-dinas-2", ["kepala-dinas"], org=ORG)
    task = alur.start("sulteng-pengumpulan-data-kinerja", "kepala-dinas").ready_tasks[0]
    alur.claim(task.id, "kepala-dinas-2")
    login(client, "kepala-dinas")
    response = post(client, f"/tugas/{task.id}/ambil", follow_redirects=True)
    assert "Tidak dapat diambil" in text_of(response)
    assert alur.task(task.id).claimed_by == "kepala-dinas-2"


def test_claim_refusals_change_nothing(client, login, post, alur, started):
    task = started.ready_tasks[0]
    before = _state(alur, started.id)
    assert post(client, f"/tugas/{task.id}/ambil").status_code == 302  # not logged in: to the login page
    login(client, "sekretaris")
    assert post(client, f"/tugas/{task.id}/ambil").status_code == 403  # wrong role
    assert post(client, "/tugas/00000000-0000-0000-0000-000000000000/ambil").status_code == 404
    login(client, "kepala-dinas")
    assert client.post(f"/tugas/{task.id}/ambil").status_code == 400  # CSRF token missing
    assert client.post(f"/tugas/{task.id}/ambil", data={"csrf_token": "palsu"}).status_code == 400
    assert _state(alur, started.id) == before


# -------------------------------------------------------------- task page

def test_task_page_shows_the_sop_step_and_its_form(client, login, started, run_until, text_of):
    draft = run_until(started, "Step_04")
    login(client, "fungsional")
    response = client.get(f"/tugas/{draft.id}")
    assert response.status_code == 200
    page = text_of(response)
    html = response.get_data(as_text=True)
    assert "Langkah 4" in page
    assert "Kelengkapan" in page and "Output" in page and "Waktu baku" in page
    assert "Penyusunan rancangan" in page  # the form's title
    assert 'name="perihal" type="text"' in html
    assert '<textarea id="f-ringkasan" name="ringkasan"' in html
    assert 'type="file" id="f-lampiran" name="lampiran"' in html
    assert 'name="revision"' in html and 'name="csrf_token"' in html


def test_form_widgets_for_date_yes_no_number_and_choice(client, login, started, run_until):
    login(client, "kepala-dinas")
    ratify = run_until(started, "Step_07")  # pengesahan: date + yes/no
    html = client.get(f"/tugas/{ratify.id}").get_data(as_text=True)
    assert 'name="tanggal" type="date"' in html
    assert 'type="checkbox" id="f-disahkan" name="disahkan"' in html


def test_number_and_choice_widgets(client, login, alur, run_until):
    view = alur.start("sulteng-pengumpulan-data-kinerja", "kepala-dinas")
    login(client, "kepala-dinas")
    html = client.get(f"/tugas/{view.ready_tasks[0].id}").get_data(as_text=True)  # disposisi
    assert 'type="radio" name="sifat" value="segera"' in html
    assert "sangat segera" in html
    recap = run_until(view, "Step_12")  # rekapitulasi: integer
    login(client, "fungsional")
    html = client.get(f"/tugas/{recap.id}").get_data(as_text=True)
    assert 'name="jumlah_berkas" type="number"' in html and 'step="1"' in html


def test_task_page_refusals(client, login, alur, started):
    task = started.ready_tasks[0]
    assert client.get(f"/tugas/{task.id}").status_code == 302  # not logged in
    login(client, "sekretaris")  # sees the SOP, but not this lane
    assert client.get(f"/tugas/{task.id}").status_code == 403
    login(client, "pegawai-lain")  # holds no lane of this SOP: as if it did not exist
    assert client.get(f"/tugas/{task.id}").status_code == 404
    login(client, "kepala-dinas")
    assert client.get("/tugas/tidak-ada").status_code == 404


def test_completing_a_step_moves_the_sop_on(client, login, post, alur, started, text_of):
    task = started.ready_tasks[0]
    login(client, "kepala-dinas")
    response = post(client, f"/tugas/{task.id}", {
        "isi_disposisi": "Segera kumpulkan data kinerja", "sifat": "segera", "revision": "1"})
    assert response.status_code == 302
    assert alur.task(task.id).status == "completed"
    view = alur.instance(started.id)
    assert [t.task_spec for t in view.ready_tasks] == ["Step_02"]
    history = alur.history(started.id)
    assert history[-1].data == {"isi_disposisi": "Segera kumpulkan data kinerja", "sifat": "segera"}
    assert "Berikutnya" in text_of(client.get("/"))


def test_invalid_form_data_shows_messages_next_to_fields_and_changes_nothing(client, login, post, alur,
                                                                               started, run_until, text_of):
    draft = run_until(started, "Step_04")
    before = _state(alur, started.id)
    login(client, "fungsional")
    response = post(client, f"/tugas/{draft.id}", {"perihal": "", "ringkasan": "isi tetap ada"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="perihal-error"' in html
    assert "Perihal / judul dokumen: wajib diisi" in text_of(response)
    assert "isi tetap ada" in html  # what was typed is kept
    assert _state(alur, started.id) == before


def test_a_number_that_is_not_a_number_is_named(client, login, post, alur, started, run_until, text_of):
    recap = run_until(started, "Step_12")
    before = _state(alur, started.id)
    login(client, "fungsional")
    response = post(client, f"/tugas/{recap.id}", {"jumlah_berkas": "banyak"})
    assert response.status_code == 422
    assert "Jumlah berkas direkap: harus berupa bilangan bulat" in text_of(response)
    assert _state(alur, started.id) == before


def test_kasubbag_returns_the_draft_with_a_required_note(client, login, post, alur, started, run_until,
                                                         text_of):
    review = run_until(started, "Step_05")
    login(client, "kasubbag")
    page = client.get(f"/tugas/{review.id}").get_data(as_text=True)
    assert "Setuju, teruskan" in page and "Kembalikan untuk diperbaiki" in page
    assert "Wajib diisi jika Keputusan: Kembalikan untuk diperbaiki" in page

    before = _state(alur, started.id)
    refused = post(client, f"/tugas/{review.id}", {"keputusan": "kembalikan", "catatan": ""})
    assert refused.status_code == 422
    assert 'id="catatan-error"' in refused.get_data(as_text=True)
    assert "Catatan pemeriksaan: wajib diisi" in text_of(refused)
    assert _state(alur, started.id) == before

    returned = post(client, f"/tugas/{review.id}", {"keputusan": "kembalikan",
                                                    "catatan": "Lengkapi tabel capaian triwulan."})
    assert returned.status_code == 302
    assert alur.history(started.id)[-1].action == "return"
    fix = [t for t in alur.instance(started.id).ready_tasks if t.task_spec == "Step_04"]
    assert fix, "the draft goes back to the Fungsional Umum"

    login(client, "fungsional")
    page = text_of(client.get(f"/tugas/{fix[0].id}"))
    assert "Berkas proses" in page  # the return, with its note, heads the case file
    assert "Catatan pemeriksaan Lengkapi tabel capaian triwulan." in page
    assert "Dikembalikan" in page


def test_completing_refusals_change_nothing(client, login, post, alur, started, run_until):
    draft = run_until(started, "Step_04")
    before = _state(alur, started.id)
    good = {"perihal": "Rancangan surat pengumpulan data kinerja"}
    assert post(client, f"/tugas/{draft.id}", good).status_code == 302  # not logged in
    login(client, "fungsional")
    assert client.post(f"/tugas/{draft.id}", data=good).status_code == 400  # CSRF missing
    login(client, "sekretaris")
    assert post(client, f"/tugas/{draft.id}", good).status_code == 403  # wrong role
    login(client, "pegawai-lain")
    assert post(client, f"/tugas/{draft.id}", good).status_code == 404  # cannot see the instance
    login(client, "fungsional")
    stale = post(client, f"/tugas/{draft.id}", {**good, "revision": "1"})
    assert stale.status_code == 409  # someone moved the instance on since revision 1
    assert _state(alur, started.id) == before


def test_a_task_claimed_by_someone_else_cannot_be_completed(client, login, post, alur, started, text_of):
    directory.add_user(alur, "kepala-dinas-2", ["kepala-dinas"], org=ORG)
    task = started.ready_tasks[0]
    alur.claim(task.id, "kepala-dinas-2")
    before = _state(alur, started.id)
    login(client, "kepala-dinas")
    assert "sedang diambil oleh" in text_of(client.get(f"/tugas/{task.id}"))
    assert post(client, f"/tugas/{task.id}", {"isi_disposisi": "Kerjakan"}).status_code == 403
    assert _state(alur, started.id) == before


def test_a_completed_task_page_leads_to_the_instance(client, login, post, alur, started):
    task = started.ready_tasks[0]
    alur.complete(task.id, "kepala-dinas", {"isi_disposisi": "Kerjakan"})
    login(client, "kepala-dinas")
    response = client.get(f"/tugas/{task.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/proses/{started.id}"
    again = post(client, f"/tugas/{task.id}", {"isi_disposisi": "Kerjakan lagi"})
    assert again.status_code == 409


def test_unclaim_refusals_change_nothing(client, login, post, alur, started, text_of):
    directory.add_user(alur, "kepala-dinas-2", ["kepala-dinas"], org=ORG)
    task = started.ready_tasks[0]
    alur.claim(task.id, "kepala-dinas-2")
    before = _state(alur, started.id)
    login(client, "sekretaris")
    assert post(client, f"/tugas/{task.id}/lepas").status_code == 403  # wrong role
    login(client, "kepala-dinas")
    assert client.post(f"/tugas/{task.id}/lepas").status_code == 400  # CSRF missing
    response = post(client, f"/tugas/{task.id}/lepas", follow_redirects=True)  # claimed by someone else
    assert "Tidak dapat dilepas" in text_of(response)
    assert _state(alur, started.id) == before

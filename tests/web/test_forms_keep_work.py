"""Forms that don't lose work (issue 15 §7): the browser checks what HTML can say before the round
trip, a refused submit leads to a summary that takes the focus, one upload control per step,
texts cut at a word, a skip link, a favicon, and the count of waiting tasks in the header."""
from __future__ import annotations

import re

from alur.runtime import directory
from alur.runtime.inbox import waiting_for
from alur.web import formrender


def test_required_lengths_bounds_and_patterns_become_html_attributes():
    schema = {"required": ["nomor", "jumlah", "sifat", "setuju"], "properties": {
        "nomor": {"type": "string", "minLength": 3, "maxLength": 40, "pattern": "^[0-9]+/[A-Z]+$"},
        "jumlah": {"type": "integer", "minimum": 1, "maximum": 9},
        "sifat": {"type": "string", "enum": ["biasa", "segera"]},
        "setuju": {"type": "boolean"},
        "catatan": {"type": "string", "maxLength": 2000},
    }}
    fields = {f.name: f for f in formrender.fields_of(schema)}
    assert fields["nomor"].attrs == {"minlength": 3, "maxlength": 40, "pattern": ".*(?:^[0-9]+/[A-Z]+$).*",
                                     "required": "required"}
    assert fields["jumlah"].attrs == {"min": 1, "max": 9, "step": "1", "required": "required"}
    assert fields["sifat"].attrs == {"required": "required"}  # rendered on each radio button
    assert "required" not in fields["setuju"].attrs  # a required boolean may be false
    assert fields["catatan"].attrs == {"maxlength": 2000}


def test_the_task_page_asks_the_browser_to_check_required_fields(client, login, started):
    login(client, "kepala-dinas")
    page = client.get(f"/tugas/{started.ready_tasks[0].id}").get_data(as_text=True)
    assert re.search(r'<textarea id="f-isi_disposisi" name="isi_disposisi"[^>]*minlength="3"[^>]*required="required"', page)
    assert "novalidate" not in page


def test_a_refused_submit_shows_a_summary_that_takes_the_focus_and_links_each_field(client, login, post, started):
    login(client, "kepala-dinas")
    response = post(client, f"/tugas/{started.ready_tasks[0].id}", {"isi_disposisi": "x"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    summary = page[page.index('id="kesalahan"') - 80:page.index("</div>", page.index('id="kesalahan"'))]
    assert 'tabindex="-1" autofocus' in summary
    assert '<a href="#f-isi_disposisi">Isi disposisi: minimal 3 karakter</a>' in summary


def test_one_upload_control_per_step(client, login, alur, started, run_until):
    login(client, "kepala-dinas")
    without_file_field = client.get(f"/tugas/{started.ready_tasks[0].id}").get_data(as_text=True)
    assert without_file_field.count('type="file"') == 1 and "Unggah dokumen pendukung" in without_file_field
    draft = run_until(started, "Step_04")  # rancangan: its form has a lampiran field
    login(client, "fungsional")
    with_file_field = client.get(f"/tugas/{draft.id}").get_data(as_text=True)
    assert with_file_field.count('type="file"') == 1 and "Unggah dokumen pendukung" not in with_file_field


def test_a_long_step_name_is_cut_at_a_word_in_messages(client, login, post, alur, run_until, started):
    review = run_until(started, "Step_04")
    login(client, "fungsional")
    post(client, f"/tugas/{review.id}", {"perihal": "Surat pengumpulan data kinerja"})
    page = client.get("/").get_data(as_text=True)
    [message] = re.findall(r"Berikutnya: “([^”]*)”", page)
    assert message.endswith(" …") and len(message) <= 80
    assert "5. Memeriksa dan Mengoreksi Rancangan Surat Perihal Pengumpulan Data Kinerja, Jika".startswith(
        message[:-2])


def test_every_page_has_a_skip_link_and_a_favicon(client, login):
    login(client, "sekretaris")
    page = client.get("/sop/").get_data(as_text=True)
    assert '<a class="skip" href="#isi">Langsung ke isi</a>' in page and '<main id="isi"' in page
    assert 'rel="icon" type="image/svg+xml"' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.data.startswith(b"<svg")


def test_the_header_counts_the_tasks_waiting_for_me(client, login, alur, started, text_of):
    login(client, "kepala-dinas")
    assert re.search(r'Kotak Masuk <span class="count" title="1 tugas menunggu Anda">1</span>',
                     client.get("/sop/").get_data(as_text=True))
    alur.complete(started.ready_tasks[0].id, "kepala-dinas", {"isi_disposisi": "Mohon diproses"})
    assert 'class="count"' not in client.get("/sop/").get_data(as_text=True)
    login(client, "sekretaris")
    assert 'title="1 tugas menunggu Anda"' in client.get("/sop/").get_data(as_text=True)


def test_the_header_count_stops_at_its_cap_and_leaves_out_tasks_others_took(alur):
    views = [alur.start("sulteng-pengumpulan-data-kinerja", "kepala-dinas", perihal="Data") for _ in range(4)]
    directory.add_user(alur, "wakil", ["kepala-dinas"], display_name="Wakil Kepala", org="sulteng-diskukm")
    alur.claim(views[0].ready_tasks[0].id, "wakil")
    count = waiting_for(alur, "kepala-dinas", "sulteng-diskukm", {"kepala-dinas"}, cap=2)
    assert (count.value, count.more, str(count)) == (2, True, "2+")
    assert str(waiting_for(alur, "kepala-dinas", "sulteng-diskukm", {"kepala-dinas"})) == "3"
    assert str(waiting_for(alur, "kepala-dinas", "sulteng-diskukm", set())) == "0"

"""The case file (berkas proses) on the task page and the instance page: the Kepala Dinas writes
the disposisi, the Sekretaris reads it on step 2; the Fungsional Umum's draft with its document is
returned and redone, and both drafts stay in the file; nobody outside the SOP reads any of it."""
from __future__ import annotations

import io
import re
from zoneinfo import ZoneInfo

from alur.runtime import directory
from tests.web.conftest import ORG, PASSWORD_HASH, USERS

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
DISPOSISI = "Segera kumpulkan data kinerja triwulan IV dari seluruh bidang"


def _case_file(html: str) -> str:
    found = re.search(r'<section class="card case-file".*?</section>', html, flags=re.S)
    assert found, "the page has no case file"
    return found.group(0)


def _steps(section: str) -> list[str]:
    return re.findall(r'<details class="case-step[^"]*" data-task="[^"]+"', section)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _local_time(at) -> str:
    return at.astimezone(ZoneInfo("Asia/Jakarta")).strftime("%H:%M WIB")


def test_step_2_shows_the_disposisi_of_step_1_with_its_label_and_who_wrote_it(client, login, post, alur,
                                                                               started):
    directory.add_user(alur, "kepala-dinas", USERS["kepala-dinas"], display_name="Budi Santoso",
                       jabatan="Kepala Dinas Koperasi dan UKM", org=ORG)
    login(client, "kepala-dinas")
    step_1 = started.ready_tasks[0]
    assert post(client, f"/tugas/{step_1.id}", {"isi_disposisi": DISPOSISI, "sifat": "segera"}).status_code == 302
    [step_2] = alur.instance(started.id).ready_tasks

    login(client, "sekretaris")
    response = client.get(f"/tugas/{step_2.id}")
    assert response.status_code == 200
    section = _case_file(response.get_data(as_text=True))
    text = _text(section)
    assert "Berkas proses" in text
    assert f"Isi disposisi {DISPOSISI}" in text  # the form's label, then the value
    assert "Sifat segera" in text and "Disposisi / Perintah" in text  # the form's title
    assert "Budi Santoso, Kepala Dinas Koperasi dan UKM" in text
    assert "kepala-dinas" not in text  # never the user name
    assert _local_time(alur.history(started.id)[-1].at) in text
    assert len(_steps(section)) == 1 and step_1.name in text


def test_the_instance_page_keeps_both_drafts_of_a_returned_step_with_their_documents(client, login, post, alur,
                                                                                      started, run_until):
    draft = run_until(started, "Step_04")
    login(client, "fungsional")
    post(client, f"/tugas/{draft.id}", {"perihal": "Rancangan pertama",
                                        "lampiran": (io.BytesIO(PDF), "Rancangan Surat.pdf")},
         content_type="multipart/form-data")
    first_file = alur.history(started.id)[-1].data["lampiran"]
    review = run_until(alur.instance(started.id), "Step_05")
    login(client, "kasubbag")
    post(client, f"/tugas/{review.id}", {"keputusan": "kembalikan", "catatan": "Lengkapi tabel capaian."})
    [fix] = alur.instance(started.id).ready_tasks
    login(client, "fungsional")
    post(client, f"/tugas/{fix.id}", {"perihal": "Rancangan kedua"})

    login(client, "kepala-dinas")
    response = client.get(f"/proses/{started.id}")
    assert response.status_code == 200
    section = _case_file(response.get_data(as_text=True))
    text = _text(section)
    assert "Berkas proses" in text
    assert text.index("Rancangan kedua") < text.index("Keputusan Kembalikan untuk diperbaiki") \
        < text.index("Rancangan pertama") < text.index("Isi disposisi")  # newest first
    assert "Catatan pemeriksaan Lengkapi tabel capaian." in text
    assert "Dikembalikan" in text
    assert len(_steps(section)) == 6  # steps 1-3, the draft, the return, the redone draft
    assert f'href="/lampiran/{first_file}">Rancangan Surat.pdf</a>' in section
    assert client.get(f"/lampiran/{first_file}").data == PDF  # the link goes through the access check


def test_no_case_file_for_anyone_who_may_not_see_the_instance(client, login, post, alur, started):
    alur.complete(started.ready_tasks[0].id, "kepala-dinas", {"isi_disposisi": DISPOSISI})
    [step_2] = alur.instance(started.id).ready_tasks
    directory.add_organisation(alur, "kotim-diskominfo", "Diskominfo Kotim")
    directory.add_user(alur, "sekretaris-kotim", ["sekretaris"], password_hash=PASSWORD_HASH, org="kotim-diskominfo")
    for outsider in ("sekretaris-kotim", "pegawai-lain"):
        login(client, outsider)
        for url in (f"/proses/{started.id}", f"/tugas/{step_2.id}"):
            response = client.get(url)
            assert response.status_code == 404, (outsider, url)
            assert DISPOSISI not in response.get_data(as_text=True)


def test_a_case_file_with_no_completed_step_says_so_and_the_text_is_escaped(client, login, alur, started):
    login(client, "kepala-dinas")
    assert "Belum ada langkah yang selesai" in _case_file(client.get(f"/proses/{started.id}").get_data(as_text=True))
    alur.complete(started.ready_tasks[0].id, "kepala-dinas", {"isi_disposisi": "<script>alert(1)</script>"})
    section = _case_file(client.get(f"/proses/{started.id}").get_data(as_text=True))
    assert "<script>" not in section and "&lt;script&gt;alert(1)&lt;/script&gt;" in section

"""Attachments: uploaded on a task, stored outside the web root under generated names,
downloadable only by users who can see the instance."""
import base64
import io

import pytest

from alur.runtime.attachments import MAX_BYTES

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def basic(user: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:rahasia-uji".encode()).decode()}


def stored_files(alur) -> list:
    folder = alur.settings.instance_dir / "attachments"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def draft(started, run_until):
    """Step 4: the Fungsional Umum drafts the letter (form rancangan, with a lampiran field)."""
    return run_until(started, "Step_04")


def test_draft_with_its_document_is_stored_under_a_generated_name(client, login, post, alur, draft, app):
    login(client, "fungsional")
    response = post(client, f"/tugas/{draft.id}", {
        "perihal": "Surat pengumpulan data kinerja",
        "lampiran": (io.BytesIO(PDF), "Rancangan Surat.pdf"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    completed = alur.history(draft.instance_id)[-1]
    name = completed.data["lampiran"]
    assert name.endswith(".pdf") and "Rancangan" not in name
    assert stored_files(alur) == [name]
    path = alur.settings.instance_dir / "attachments" / name
    assert path.read_bytes() == PDF
    assert not str(path).startswith(app.static_folder)

    login(client, "sekretaris")  # another lane of the same SOP
    download = client.get(f"/lampiran/{name}")
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert 'attachment; filename="Rancangan Surat.pdf"' in download.headers["Content-Disposition"] \
        or "Rancangan%20Surat.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get(f"/proses/{draft.instance_id}").get_data(as_text=True)
    assert "Rancangan Surat.pdf" in page


def test_download_only_for_users_who_can_see_the_instance(client, login, post, alur, draft):
    login(client, "fungsional")
    post(client, f"/tugas/{draft.id}/lampiran", {"berkas": (io.BytesIO(PNG), "foto.png")},
         content_type="multipart/form-data")
    [name] = stored_files(alur)
    anonymous = client.application.test_client()
    assert anonymous.get(f"/lampiran/{name}").status_code == 302  # to the login page
    login(client, "pegawai-lain")
    assert client.get(f"/lampiran/{name}").status_code == 404
    assert client.get("/lampiran/..%2F..%2Falur.sqlite3").status_code == 404
    assert client.get("/lampiran/tidak-ada.pdf").status_code == 404


@pytest.mark.parametrize("filename, content, message", [
    ("program.exe", b"MZ\x90\x00", "jenis berkas tidak diizinkan"),
    ("halaman.html", b"<script>alert(1)</script>", "jenis berkas tidak diizinkan"),
    ("palsu.pdf", b"<html>bukan pdf</html>", "isi berkas bukan pdf yang sah"),
    ("kosong.pdf", b"", "berkas kosong"),
    ("besar.pdf", b"%PDF" + b"0" * MAX_BYTES, "berkas terlalu besar (maksimal 10 MiB)"),
])
def test_refused_files_are_named_next_to_the_field_and_nothing_changes(client, login, post, alur, draft,
                                                                        text_of, filename, content, message):
    login(client, "fungsional")
    response = post(client, f"/tugas/{draft.id}", {
        "perihal": "Surat pengumpulan data kinerja",
        "lampiran": (io.BytesIO(content), filename),
    }, content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'id="lampiran-error"' in response.get_data(as_text=True)
    assert f"Lampiran dokumen: {message}" in text_of(response)
    assert stored_files(alur) == []
    assert alur.task(draft.id).status == "ready"


def test_a_file_chosen_before_a_refused_submit_is_kept_and_sent_again_by_name(client, login, post, alur, draft,
                                                                                text_of):
    login(client, "fungsional")
    revision = alur.instance(draft.instance_id).revision
    response = post(client, f"/tugas/{draft.id}", {"perihal": "", "lampiran": (io.BytesIO(PDF), "surat.pdf")},
                    content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Perihal / judul dokumen: wajib diisi" in text_of(response)
    # The task and the instance are as they were; the file waits, named on the form shown again.
    assert alur.task(draft.id).status == "ready" and alur.instance(draft.instance_id).revision == revision
    [kept] = stored_files(alur)
    assert "Berkas terpilih: surat.pdf (sudah tersimpan" in text_of(response)
    assert f'<input type="hidden" name="lampiran" value="{kept}">' in response.get_data(as_text=True)
    # Sent again with the perihal and the kept file's name only: completed with that very file.
    response = post(client, f"/tugas/{draft.id}", {"perihal": "Surat pengumpulan data kinerja", "lampiran": kept},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    assert alur.history(draft.instance_id)[-1].data["lampiran"] == kept
    assert stored_files(alur) == [kept]


def test_without_keep_files_a_refused_completion_stores_no_file(alur, draft):
    # Other callers than the task page (none today sends files) keep the all-or-nothing rule.
    from alur.runtime.attachments import Attachments, Upload
    from alur.runtime.engine import InvalidData

    with pytest.raises(InvalidData) as refused:
        Attachments(alur).complete(draft.id, "fungsional", {"perihal": ""},
                                   {"lampiran": Upload("surat.pdf", io.BytesIO(PDF))})
    assert refused.value.kept == {} and refused.value.errors == {"perihal": "minimal 3 karakter"}
    assert stored_files(alur) == []
    assert Attachments(alur).for_instance(draft.instance_id) == []


def test_a_request_over_the_size_limit_is_refused(client, login, post, alur, draft):
    login(client, "fungsional")
    huge = b"%PDF" + b"0" * (MAX_BYTES + 3 * 1024 * 1024)
    response = post(client, f"/tugas/{draft.id}/lampiran", {"berkas": (io.BytesIO(huge), "besar.pdf")},
                    content_type="multipart/form-data")
    assert response.status_code == 413
    assert stored_files(alur) == []


def test_standalone_upload_on_a_task(client, login, post, alur, draft, text_of):
    login(client, "fungsional")
    response = post(client, f"/tugas/{draft.id}/lampiran", {"berkas": (io.BytesIO(PDF), "data.pdf")},
                    content_type="multipart/form-data", follow_redirects=True)
    assert "terunggah" in text_of(response)
    assert "data.pdf" in text_of(response)
    refused = post(client, f"/tugas/{draft.id}/lampiran", {"berkas": (io.BytesIO(b"x"), "data.txt")},
                   content_type="multipart/form-data", follow_redirects=True)
    assert "jenis berkas tidak diizinkan" in text_of(refused)
    assert len(stored_files(alur)) == 1


def test_upload_refusals(client, login, post, alur, draft):
    login(client, "sekretaris")  # not the drafting lane
    response = post(client, f"/tugas/{draft.id}/lampiran", {"berkas": (io.BytesIO(PDF), "data.pdf")},
                    content_type="multipart/form-data")
    assert response.status_code == 403
    login(client, "fungsional")
    no_token = client.post(f"/tugas/{draft.id}/lampiran", data={"berkas": (io.BytesIO(PDF), "data.pdf")},
                           content_type="multipart/form-data")
    assert no_token.status_code == 400
    assert stored_files(alur) == []


def test_api_upload_then_complete_with_the_reference(client, alur, draft):
    uploaded = client.post(f"/api/tasks/{draft.id}/attachments", headers=basic("fungsional"),
                           data={"file": (io.BytesIO(PDF), "surat.pdf")}, content_type="multipart/form-data")
    assert uploaded.status_code == 201
    attachment = uploaded.get_json()
    assert attachment["original_name"] == "surat.pdf" and attachment["size"] == len(PDF)
    unknown = client.post(f"/api/tasks/{draft.id}/complete", headers=basic("fungsional"),
                          json={"data": {"perihal": "Surat", "lampiran": "0123456789abcdef.pdf"}})
    assert unknown.status_code == 422
    assert unknown.get_json()["fields"] == {"lampiran": "lampiran tidak dikenal pada proses ini"}
    done = client.post(f"/api/tasks/{draft.id}/complete", headers=basic("fungsional"),
                       json={"data": {"perihal": "Surat", "lampiran": attachment["name"]}})
    assert done.status_code == 200
    assert alur.history(draft.instance_id)[-1].data["lampiran"] == attachment["name"]
    listed = client.get(f"/api/instances/{draft.instance_id}", headers=basic("kepala-dinas")).get_json()
    assert [a["name"] for a in listed["attachments"]] == [attachment["name"]]


def test_api_upload_refuses_bad_files(client, alur, draft):
    response = client.post(f"/api/tasks/{draft.id}/attachments", headers=basic("fungsional"),
                           data={"file": (io.BytesIO(b"MZ"), "x.exe")}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "file" in response.get_json()["fields"]
    missing = client.post(f"/api/tasks/{draft.id}/attachments", headers=basic("fungsional"))
    assert missing.status_code == 422
    assert stored_files(alur) == []

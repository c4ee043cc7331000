"""Bad and hostile input: each gets a clear 4xx and changes nothing (the whole database is compared)."""
from __future__ import annotations

import base64
import io
import json

import pytest

from alur.runtime import directory
from alur.runtime.backup import export_database
from tests.web.conftest import ORG, PASSWORD, SOP


def basic(user="kepala-dinas"):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()}


@pytest.fixture
def step1(alur, started):
    return started.ready_tasks[0]


@pytest.fixture
def unchanged(alur):
    """Asserts, at the end of the test, that the database is as it was when the fixture was taken."""
    snapshots = []

    def take():
        snapshots.append(export_database(alur))

    yield take
    assert snapshots, "take() was never called"
    assert export_database(alur) == snapshots[0]


API_BODIES = [
    pytest.param(b"{not json", "application/json", 400, None, id="malformed-json"),
    pytest.param(b'{"data": "teks"}', "application/json", 422, "data", id="data-not-object"),
    pytest.param(b'{"data": {"isi_disposisi": 123}}', "application/json", 422, "isi_disposisi", id="wrong-type"),
    pytest.param(json.dumps({"data": {"isi_disposisi": "x" * 100_000}}).encode(), "application/json", 422,
                 "isi_disposisi", id="oversized-field"),
    pytest.param(b'{"data": {"isi_disposisi": "Kumpulkan", "gaji": 1}}', "application/json", 422, "gaji",
                 id="unknown-field"),
    pytest.param(b'{"data": {"isi_disposisi": "Kumpulkan", "sifat": "kilat"}}', "application/json", 422, "sifat",
                 id="not-a-choice"),
    pytest.param(b'{"data": {"isi_disposisi": "Kumpulkan"}, "revision": "1"}', "application/json", 422, "revision",
                 id="revision-not-int"),
    pytest.param(b'[1, 2]', "application/json", 400, None, id="body-not-object"),
]


@pytest.mark.parametrize("body, content_type, status, field", API_BODIES)
def test_api_completion_with_bad_bodies_is_refused(client, step1, unchanged, body, content_type, status, field):
    unchanged()
    response = client.post(f"/api/tasks/{step1.id}/complete", data=body, content_type=content_type,
                           headers=basic())
    assert response.status_code == status, response.get_data(as_text=True)
    payload = response.get_json()
    assert payload["error"]
    if field:
        assert field in payload["fields"]


@pytest.mark.parametrize("url", [
    "/api/tasks/00000000-0000-0000-0000-000000000000", "/api/tasks/bukan-uuid", "/api/tasks/..%2F..%2Fetc",
    "/api/instances/999999", "/api/instances/-1",
])
def test_unknown_ids_are_not_found(client, started, unchanged, url):
    unchanged()
    assert client.get(url, headers=basic()).status_code == 404


@pytest.mark.parametrize("url", ["/api/tasks/00000000-0000-0000-0000-000000000000/complete",
                                 "/api/tasks/bukan-uuid/claim", "/api/processes/tidak-ada/instances"])
def test_unknown_ids_in_actions_are_not_found(client, started, unchanged, url):
    unchanged()
    response = client.post(url, json={"data": {}}, headers=basic())
    assert response.status_code == 404


def test_oversized_upload_is_refused(client, step1, unchanged):
    unchanged()
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (13 * 1024 * 1024))
    response = client.post(f"/api/tasks/{step1.id}/attachments", data={"file": (big, "besar.pdf")},
                           headers=basic(), content_type="multipart/form-data")
    assert response.status_code == 413


def test_path_traversal_in_file_names_stays_in_the_store(client, alur, step1, tmp_path):
    response = client.post(f"/api/tasks/{step1.id}/attachments",
                           data={"file": (io.BytesIO(b"%PDF-1.4\nisi"), "../../../etc/passwd.pdf")},
                           headers=basic(), content_type="multipart/form-data")
    assert response.status_code == 201, response.get_data(as_text=True)
    stored = response.get_json()["name"]
    assert "/" not in stored and ".." not in stored
    store = alur.settings.instance_dir / "attachments"
    assert [p.name for p in store.rglob("*") if p.is_file()] and all(
        p.resolve().is_relative_to(store.resolve()) for p in store.rglob("*"))


@pytest.mark.parametrize("name", ["../secret_key", "..%2Fsecret_key", "%2e%2e%2fsecret_key", "secret_key"])
def test_downloads_cannot_leave_the_store(client, login, started, name):
    login(client, "kepala-dinas")
    response = client.get(f"/lampiran/{name}")
    assert response.status_code == 404


def test_an_attachment_reference_must_be_a_stored_name(client, run_until, started, unchanged):
    draft = run_until(started, "Step_04")  # Fungsional Umum drafts: the form has a `lampiran` field
    unchanged()
    body = {"data": {"perihal": "Rancangan surat", "lampiran": "../../instance/secret_key"}}
    response = client.post(f"/api/tasks/{draft.id}/complete", json=body, headers=basic("fungsional"))
    assert response.status_code == 422 and "lampiran" in response.get_json()["fields"]


def test_html_in_notes_is_escaped_on_every_page(client, alur, login, post, run_until, started, text_of):
    review = run_until(started, "Step_05")
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    login(client, "kasubbag")
    response = post(client, f"/tugas/{review.id}", {"keputusan": "kembalikan", "catatan": hostile})
    assert response.status_code == 302
    pages = [f"/proses/{started.id}", "/"]
    fixed = alur.instance(started.id).ready_tasks[0]
    login(client, "fungsional")
    pages.append(f"/tugas/{fixed.id}")
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
    assert "&lt;script&gt;" in client.get(f"/tugas/{fixed.id}").get_data(as_text=True)
    api = client.get(f"/api/instances/{started.id}", headers=basic("fungsional"))
    notes = [h.get("data", {}).get("catatan") for h in api.get_json()["history"]]
    assert hostile in notes  # stored as written, escaped when shown


def test_a_replayed_form_post_is_refused_and_changes_nothing(client, alur, login, post, started):
    task = started.ready_tasks[0]
    login(client, "kepala-dinas")
    form = {"isi_disposisi": "Mulai pengumpulan data kinerja", "revision": str(started.revision)}
    assert post(client, f"/tugas/{task.id}", form).status_code == 302
    before = export_database(alur)
    replay = post(client, f"/tugas/{task.id}", form)
    assert replay.status_code in (404, 409)
    assert export_database(alur) == before


def test_a_form_post_without_csrf_token_is_refused(client, alur, login, started):
    task = started.ready_tasks[0]
    login(client, "kepala-dinas")
    before = export_database(alur)
    response = client.post(f"/tugas/{task.id}", data={"isi_disposisi": "Tanpa token"})
    assert response.status_code == 400
    assert export_database(alur) == before


def test_a_process_of_another_organisation_cannot_be_started_or_listed(client, alur, unchanged):
    directory.add_user(alur, "kadis-kalbar", ["kepala-dinas"], org="kalbar-diskukm",
                       password_hash=alur_hash())
    unchanged()
    assert client.post(f"/api/processes/{SOP}/instances", headers=basic("kadis-kalbar")).status_code == 404
    listed = client.get("/api/processes", headers=basic("kadis-kalbar")).get_json()
    assert SOP not in [p["process_id"] for p in listed]
    assert {p["org"] for p in listed} == {"kalbar-diskukm"}
    assert ORG not in {p["org"] for p in listed}


def alur_hash():
    from tests.web.conftest import PASSWORD_HASH

    return PASSWORD_HASH

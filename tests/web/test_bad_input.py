"""Bad and hostile input: each gets a clear 4xx and changes nothing (the whole database is compared)."""
from __future__ import annotations

import base64
import io
import json
import time
from dataclasses import replace as dataclass_replace
from xml.sax.saxutils import escape as xml_escape

import pytest

from alur.runtime.whole_numbers import MAX_ID

from alur.runtime import directory
from alur.runtime.backup import export_database
from alur.web.app import create_app
from tests.conftest import PROCESSES
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


def test_a_replayed_form_post_is_refused_and_changes_nothing(client, alur, login, post, started, text_of):
    task = started.ready_tasks[0]
    login(client, "kepala-dinas")
    form = {"isi_disposisi": "Mulai pengumpulan data kinerja", "revision": str(started.revision)}
    assert post(client, f"/tugas/{task.id}", form).status_code == 302
    before = export_database(alur)
    replay = post(client, f"/tugas/{task.id}", form)
    # The task is still there and hers to see, only done: a conflict (409), not "not found" (404);
    # refused because it is completed, before its stale revision is even compared.
    assert replay.status_code == 409
    page = text_of(replay)
    assert "Data sudah berubah" in page and "tugas ini sudah selesai" in page
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
    assert client.post(f"/api/processes/{SOP}/instances", json={"perihal": "SKP Triwulan IV"}, headers=basic("kadis-kalbar")).status_code == 404
    listed = client.get("/api/processes", headers=basic("kadis-kalbar")).get_json()
    assert SOP not in [p["process_id"] for p in listed]
    assert {p["org"] for p in listed} == {"kalbar-diskukm"}
    assert ORG not in {p["org"] for p in listed}


def alur_hash():
    from tests.web.conftest import PASSWORD_HASH

    return PASSWORD_HASH


# ---------------------------------------------------------------------------------------------------
# Issue 13: every attempt of the red-team pass that crashed a request or escaped, as a corpus test.
# ---------------------------------------------------------------------------------------------------
DIGITS_23 = "12345678901234567890123"


@pytest.fixture
def review(run_until, started):
    """The Kasubbag's review step (pemeriksaan: keputusan and, when returning, catatan)."""
    return run_until(started, "Step_05")


def test_a_lone_surrogate_in_a_note_is_refused_and_the_pages_still_work(client, alur, login, review):
    before = export_database(alur)
    body = b'{"data": {"keputusan": "kembalikan", "catatan": "Perbaiki \\ud800 tabelnya"}}'
    response = client.post(f"/api/tasks/{review.id}/complete", data=body, content_type="application/json",
                           headers=basic("kasubbag"))
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.get_json()["error"]
    assert export_database(alur) == before
    login(client, "kasubbag")
    assert client.get(f"/proses/{review.instance_id}").status_code == 200
    assert client.get(f"/tugas/{review.id}").status_code == 200


@pytest.mark.parametrize("url", [pytest.param("/api/tasks?process_id=sulteng%00"),
                                 "/api/tasks?overdue=1%00"])
def test_nul_in_an_api_query_parameter_is_refused(client, started, unchanged, url):
    unchanged()
    response = client.get(url, headers=basic())
    assert response.status_code == 400
    assert response.get_json()["error"]


def test_nul_in_a_page_query_parameter_is_refused(client, login, started, unchanged):
    login(client, "kepala-dinas")
    unchanged()
    assert client.get("/?sop=sulteng%00").status_code == 400


def test_nul_in_a_login_name_is_refused(client, csrf_of, unchanged):
    unchanged()
    response = client.post("/masuk", data={"username": "kepala-dinas\x00", "password": PASSWORD,
                                           "csrf_token": csrf_of(client)})
    assert response.status_code == 400


def test_nul_in_an_attachment_name_is_refused_and_downloads_keep_working(client, alur, login, step1):
    good = client.post(f"/api/tasks/{step1.id}/attachments", headers=basic(), content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"%PDF-1.4\nisi"), "surat.pdf")})
    assert good.status_code == 201
    before = export_database(alur)
    stored = sorted(p.name for p in (alur.settings.instance_dir / "attachments").rglob("*"))
    response = client.post(f"/api/tasks/{step1.id}/attachments", headers=basic(),
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"%PDF-1.4\nisi"), "surat\x00.pdf")})
    assert response.status_code == 400
    assert export_database(alur) == before
    assert sorted(p.name for p in (alur.settings.instance_dir / "attachments").rglob("*")) == stored
    login(client, "kepala-dinas")
    download = client.get(f"/lampiran/{good.get_json()['name']}")
    assert download.status_code == 200 and download.data == b"%PDF-1.4\nisi"


def test_an_offset_of_23_digits_is_refused(client, started, unchanged):
    unchanged()
    response = client.get(f"/api/tasks?offset={DIGITS_23}", headers=basic())
    assert response.status_code == 400
    assert "offset" in response.get_json()["error"]


def test_an_instance_id_of_23_digits_is_not_found(client, login, started, unchanged):
    login(client, "kepala-dinas")
    unchanged()
    assert client.get(f"/api/instances/{DIGITS_23}", headers=basic()).status_code == 404
    assert client.get(f"/proses/{DIGITS_23}").status_code == 404


def test_a_limit_or_revision_of_23_digits_is_handled(client, step1, unchanged):
    unchanged()
    page = client.get(f"/api/tasks?limit={DIGITS_23}", headers=basic())
    assert page.status_code == 400
    assert page.get_json() == {"error": f"parameter limit harus bilangan bulat dari 1 sampai {MAX_ID}"}
    body = {"data": {"isi_disposisi": "Kumpulkan data kinerja"}, "revision": int(DIGITS_23)}
    response = client.post(f"/api/tasks/{step1.id}/complete", json=body, headers=basic())
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"JSON": f"bilangan {DIGITS_23} di luar batas 64 bit"}


def test_json_nested_100k_deep_is_refused(client, step1, unchanged):
    unchanged()
    depth = 100_000
    body = b'{"data": {"isi_disposisi": ' + b"[" * depth + b"]" * depth + b"}}"
    response = client.post(f"/api/tasks/{step1.id}/complete", data=body, content_type="application/json",
                           headers=basic())
    assert response.status_code == 400
    assert response.get_json()["error"]


# --- BPMN files: the designer's upload page, `alur deploy` and the processes/ folder ---------------

SOP_TEXT = (PROCESSES / f"{SOP}.bpmn").read_text(encoding="utf-8")
SCRIPT_SOP = (PROCESSES.parent / "tests" / "fixtures" / "spiff-arena-disposisi.bpmn").read_text(encoding="utf-8")
SCRIPT = 'nomor_agenda = "AG-" + str(len(isi_disposisi))'
CONDITION = 'keputusan == "kembalikan"'


@pytest.fixture
def designer(alur, login, client):
    """The Sulteng perancang, logged in."""
    directory.add_user(alur, "perancang", ["perancang"], display_name="Perancang", password_hash=alur_hash(),
                       org=ORG)
    login(client, "perancang")


def upload_bpmn(client, post, content: bytes, filename: str = f"{SOP}.bpmn"):
    return post(client, "/sop/pasang", {"berkas": (io.BytesIO(content), filename)},
                content_type="multipart/form-data")


def with_condition(expression: str) -> bytes:
    """The SOP with every review gateway's return condition replaced by `expression` (Step_05's
    gateway is the first one a run reaches)."""
    return SOP_TEXT.replace(CONDITION, xml_escape(expression)).encode("utf-8")


def with_script(script: str) -> bytes:
    """spiff-arena's disposition example with its scriptTask's script replaced by `script`."""
    return SCRIPT_SOP.replace(SCRIPT, xml_escape(script)).encode("utf-8")


def latin1(text: str = SOP_TEXT) -> bytes:
    """The file as a Windows editor saves it: Latin-1, with a letter outside ASCII (not valid UTF-8),
    its XML declaration still saying UTF-8."""
    return text.replace("Kepala Dinas", "Kepala Dinas Daérah").encode("latin-1")


def test_a_latin1_bpmn_upload_is_refused(client, post, designer, unchanged):
    unchanged()
    response = upload_bpmn(client, post, latin1())
    assert response.status_code == 422
    assert "deklarasi XML-nya menyebut UTF-8, tetapi isinya bukan teks UTF-8 (bita 0xE9 pada baris ini)" in \
        response.get_data(as_text=True)


def test_an_xxe_entity_in_element_text_is_refused_without_reading_the_file(client, post, designer, unchanged,
                                                                          tmp_path):
    secret = tmp_path / "rahasia.txt"
    secret.write_text("ISI-RAHASIA-SERVER")
    doctype = f'<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
    text = SOP_TEXT.replace("<bpmn:definitions", doctype + "<bpmn:definitions", 1)
    text = text.replace("<bpmn:documentation>", "<bpmn:documentation>&xxe;", 1)
    unchanged()
    response = upload_bpmn(client, post, text.encode("utf-8"))
    assert response.status_code == 422
    assert "ISI-RAHASIA-SERVER" not in response.get_data(as_text=True)


def test_alur_deploy_of_a_latin1_file_is_a_clear_error(alur, monkeypatch, capsys, tmp_path, unchanged):
    from alur.runtime import cli

    path = tmp_path / "latin1.bpmn"
    path.write_bytes(latin1())
    monkeypatch.setattr(cli, "_engine", lambda args: alur)
    unchanged()
    assert cli.main(["deploy", str(path)]) == 1
    err = capsys.readouterr().err
    assert "latin1.bpmn:" in err and "not UTF-8 text (byte 0xE9 on this line)" in err and "Traceback" not in err


def test_one_bad_file_in_processes_is_reported_and_skipped_and_the_app_starts(settings, tmp_path, capsys, caplog):
    folder = tmp_path / "processes"
    folder.mkdir()
    (folder / f"{SOP}.bpmn").write_text(SOP_TEXT, encoding="utf-8")
    (folder / "latin1.bpmn").write_bytes(latin1(SOP_TEXT.replace(SOP, "sulteng-latin1")))
    app = create_app({"TESTING": True, "SECRET_KEY": "uji",
                      "ALUR_SETTINGS": dataclass_replace(settings, processes_dir=folder)})
    try:
        alur = app.extensions["alur"]
        # The database held every SOP already; the folder's good file is one of them, the bad one is skipped.
        assert "sulteng-latin1" not in [p["process_id"] for p in alur.processes()]
        assert SOP in [p["process_id"] for p in alur.processes()]
        assert "latin1.bpmn" in caplog.text + capsys.readouterr().err
    finally:
        app.extensions["alur"].close()


FRAME_WALK = ("[g := (g.gi_frame.f_back.f_back.f_builtins['__import__']('os').system('touch {pwned}')"
              " for _ in [1]), list(g)][1][0]")


@pytest.mark.parametrize("content", [
    pytest.param(with_condition(FRAME_WALK + " == 1"), id="frame-walk-in-a-condition"),
    pytest.param(with_script("x = " + FRAME_WALK), id="frame-walk-in-a-script"),
    pytest.param(with_condition("'{0.__class__.__mro__}'.format(keputusan) == 'x'"), id="format-reads-internals"),
    pytest.param(with_script("nomor_agenda = (i for i in [1])"), id="generator-in-task-data"),
    pytest.param(with_condition(" + ".join(["1"] * 300_000) + " == 1"), id="300k-terms"),
])
def test_an_escaping_expression_is_refused_at_upload(client, post, designer, unchanged, tmp_path, content):
    pwned = tmp_path / "pwned.txt"
    content = content.replace(b"{pwned}", str(pwned).encode())
    unchanged()
    response = upload_bpmn(client, post, content)
    assert response.status_code == 422
    assert not pwned.exists()


@pytest.mark.parametrize("expression", ["9**9**9 == 1", "sum(range(10**10)) == 1", "len('a'*3*10**9) == 1"])
def test_an_expensive_condition_is_refused_at_upload_or_when_reached(client, post, alur, designer, run_until,
                                                                     expression):
    """Refused at upload (422, nothing deployed), or deployed and then the completion that reaches the
    gateway is refused (422) within a second, changing nothing."""
    before = export_database(alur)
    response = upload_bpmn(client, post, with_condition(expression))
    if response.status_code == 422:
        assert export_database(alur) == before
        return
    assert response.status_code == 302
    review = run_until(alur.start(SOP, "kepala-dinas"), "Step_05")
    before = export_database(alur)
    started_at = time.monotonic()
    response = client.post(f"/api/tasks/{review.id}/complete", json={"data": {"keputusan": "setuju"}},
                           headers=basic("kasubbag"))
    assert time.monotonic() - started_at < 1.0
    assert response.status_code == 422
    assert export_database(alur) == before


# --- open redirects --------------------------------------------------------------------------------

OFF_SITE = ["/\t/evil.example/", "/\n/evil.example/", "/\r\nLocation: //evil.example/", "//evil.example/",
            "/\\evil.example/", "https://evil.example/"]


def test_login_never_redirects_off_the_site(client, csrf_of):
    for target in OFF_SITE:
        response = client.post("/masuk", query_string={"next": target}, data={
            "username": "kepala-dinas", "password": PASSWORD, "csrf_token": csrf_of(client)})
        assert (response.status_code, response.headers.get("Location")) == (302, "/"), repr(target)


def test_claim_and_unclaim_never_redirect_off_the_site(client, alur, login, post, step1):
    login(client, "kepala-dinas")
    for target in OFF_SITE:
        for action in ("ambil", "lepas"):
            response = post(client, f"/tugas/{step1.id}/{action}", {"next": target})
            assert (response.status_code, response.headers.get("Location")) == (302, "/"), (action, repr(target))
    assert alur.task(step1.id).claimed_by is None


def test_a_multipart_part_without_a_name_is_ignored(app, client, step1):
    """Found by the API fuzzer: the request guard read a nameless part's name (None) as text (500)."""
    body = (b'--XX\r\nContent-Disposition: form-data\r\n\r\nisi\r\n'
            b'--XX\r\nContent-Disposition: form-data; name="file"; filename="surat.pdf"\r\n\r\n%PDF-1.4\nisi\r\n'
            b'--XX--\r\n')
    response = client.post(f"/api/tasks/{step1.id}/attachments", data=body, headers=basic(),
                           content_type="multipart/form-data; boundary=XX")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["original_name"] == "surat.pdf"
    stored = app.extensions["alur_attachments"].for_instance(step1.instance_id)
    assert [a.original_name for a in stored] == ["surat.pdf"]

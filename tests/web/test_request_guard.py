"""The request guard: input no database or page can hold (NUL, lone surrogates), JSON nested too
deep, too large or with numbers no database takes, is refused at the edge with a 400 (413 for size)
naming the field, on SQLite and PostgreSQL, and changes nothing (database and attachment folder)."""
from __future__ import annotations

import base64
import io
import json

import pytest

from alur.runtime.backup import export_database
from tests.web.conftest import PASSWORD

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def basic(user="kepala-dinas", password=PASSWORD):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def files_of(alur) -> list[str]:
    folder = alur.settings.instance_dir / "attachments"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def unchanged(alur):
    """take() remembers the database and the attachment files; at the end of the test both must be as then."""
    taken = []

    def take():
        taken.append((export_database(alur), files_of(alur)))

    yield take
    assert taken, "take() was never called"
    assert (export_database(alur), files_of(alur)) == taken[0]


@pytest.fixture
def review(run_until, started):
    """Step 5: the Kasubbag reviews the draft (form pemeriksaan: keputusan, catatan)."""
    return run_until(started, "Step_05")


def complete_json(client, task_id: str, body: bytes, user="kasubbag"):
    return client.post(f"/api/tasks/{task_id}/complete", data=body, content_type="application/json",
                       headers=basic(user))


NUL = "berisi karakter NUL (\\u0000), yang tidak boleh ada dalam teks"
SURROGATE = "berisi karakter tidak sah (\\ud800, surrogate tanpa pasangan)"

JSON_BODIES = [  # (what, body, the fields named)
    ("lone surrogate", b'{"data": {"keputusan": "kembalikan", "catatan": "\\ud800"}}', {"data.catatan": SURROGATE}),
    ("lone low surrogate", b'{"data": {"keputusan": "kembalikan", "catatan": "ada \\udfff di sini"}}',
     {"data.catatan": "berisi karakter tidak sah (\\udfff, surrogate tanpa pasangan)"}),
    ("NUL", b'{"data": {"keputusan": "kembalikan", "catatan": "a\\u0000b"}}', {"data.catatan": NUL}),
    ("surrogate in a key", b'{"data": {"keputusan": "kembalikan", "\\ud800": "x"}}',
     {"data.\ufffd (nama kunci)": SURROGATE}),
    ("NUL nested", b'{"data": {"keputusan": "kembalikan", "catatan": ["ok", {"x": "\\u0000"}]}}',
     {"data.catatan.1.x": NUL}),
    ("NaN", b'{"data": {"keputusan": "kembalikan", "catatan": NaN}}', {"JSON": "NaN bukan bilangan JSON yang sah"}),
    ("-Infinity", b'{"data": {}, "revision": -Infinity}', {"JSON": "-Infinity bukan bilangan JSON yang sah"}),
    ("float overflow", b'{"data": {}, "revision": 1e400}', {"JSON": "bilangan 1e400 terlalu besar"}),
    ("23-digit int", b'{"data": {}, "revision": 100000000000000000000000}',
     {"JSON": "bilangan 100000000000000000000000 di luar batas 64 bit"}),
    ("5000-digit int", b'{"data": {}, "revision": ' + b"9" * 5000 + b"}",
     {"JSON": "bukan JSON yang sah (isi tidak terbaca)"}),
    ("not UTF-8", b'{"data": "\xff\xfe"}', {"JSON": "bukan teks UTF-8 yang sah"}),
    ("malformed", b'{"data": ', {"JSON": "bukan JSON yang sah (baris 1, kolom 10)"}),
    ("nested 100k deep", b"[" * 100_000 + b"]" * 100_000, {"JSON": "bersarang lebih dari 32 tingkat"}),
    ("nested 33 deep", b'{"data": ' + b'{"a": ' * 32 + b"1" + b"}" * 33,
     {"data" + ".a" * 31: "bersarang lebih dari 32 tingkat"}),
]


def test_json_bodies_the_guard_refuses(client, review, unchanged):
    unchanged()
    for what, body, fields in JSON_BODIES:
        response = complete_json(client, review.id, body)
        assert response.status_code == 400, (what, response.get_data(as_text=True))
        payload = response.get_json()
        assert payload["fields"] == fields, what
        assert payload["error"].startswith("Permintaan tidak sah: "), what


def test_json_nested_32_deep_passes_the_guard_and_meets_the_form(client, review, unchanged):
    unchanged()
    body = b'{"data": {"keputusan": "setuju", "catatan": ' + b"[" * 30 + b"1" + b"]" * 30 + b"}}"
    response = complete_json(client, review.id, body)
    assert response.status_code == 422 and "catatan" in response.get_json()["fields"]


def test_a_json_body_over_one_mib_is_refused(client, review, unchanged):
    unchanged()
    body = json.dumps({"data": {"keputusan": "setuju", "catatan": "x" * (1024 * 1024)}}).encode()
    response = complete_json(client, review.id, body)
    assert response.status_code == 413
    assert response.get_json() == {"error": "Badan JSON melebihi batas 1024 KiB."}


def test_a_refused_surrogate_leaves_every_page_working(client, alur, login, review, started):
    assert complete_json(client, review.id, b'{"data": {"keputusan": "kembalikan", "catatan": "\\ud800"}}') \
        .status_code == 400
    login(client, "kasubbag")
    assert client.get(f"/tugas/{review.id}").status_code == 200
    assert client.get(f"/proses/{started.id}").status_code == 200
    ok = complete_json(client, review.id, '{"data": {"keputusan": "kembalikan", "catatan": "Perbaiki 😀"}}'
                       .encode())
    assert ok.status_code == 200  # a real (paired) character outside the BMP is fine
    login(client, "fungsional")
    fixed = alur.instance(started.id).ready_tasks[0]
    assert "Perbaiki 😀" in client.get(f"/tugas/{fixed.id}").get_data(as_text=True)


def test_nul_in_a_form_field_of_a_page(client, login, post, review, unchanged, text_of):
    login(client, "kasubbag")
    unchanged()
    response = post(client, f"/tugas/{review.id}", {"keputusan": "kembalikan", "catatan": "a\x00b"})
    assert response.status_code == 400
    assert f"Permintaan tidak sah: catatan: {NUL}" in text_of(response)


def test_nul_in_a_field_name(client, login, post, review, unchanged, text_of):
    login(client, "kasubbag")
    unchanged()
    response = post(client, f"/tugas/{review.id}", {"keputusan": "setuju", "cat\x00atan": "x"})
    assert response.status_code == 400
    assert f"cat\ufffdatan (nama isian): {NUL}" in text_of(response)


API_URLS = [
    ("/api/tasks?process_id=%00", "process_id"),
    ("/api/tasks?offset=1%00", "offset"),
    ("/api/tasks/%00", "alamat"),
    ("/api/tasks?x%00=1", "x\ufffd (nama isian)"),
]


def test_nul_in_the_url(client, login, started, unchanged, text_of):
    login(client, "kepala-dinas")
    unchanged()
    for url, field in API_URLS:
        response = client.application.test_client().get(url, headers=basic())
        assert response.status_code == 400, url
        assert response.get_json()["fields"] == {field: NUL}, url
    for url in ["/?sop=%00", "/lampiran/%00.pdf", "/proses/?x=%00"]:
        response = client.get(url)
        assert response.status_code == 400 and NUL in text_of(response), url


def test_nul_in_a_login_name_is_refused_and_not_logged(client, csrf_of, unchanged, text_of):
    unchanged()
    response = client.post("/masuk", data={"username": "kepala\x00dinas", "password": PASSWORD,
                                           "csrf_token": csrf_of(client)})
    assert response.status_code == 400
    assert f"username: {NUL}" in text_of(response)


def test_nul_in_basic_credentials(client, unchanged):
    unchanged()
    for user, password, part in [("kepala\x00dinas", PASSWORD, "username"), ("kepala-dinas", "x\x00", "password")]:
        response = client.get("/api/me", headers=basic(user, password))
        assert response.status_code == 400 and response.get_json()["fields"] == {f"kredensial ({part})": NUL}


def test_nul_in_the_name_of_an_uploaded_file(client, alur, login, post, started, unchanged, text_of):
    task = started.ready_tasks[0]
    login(client, "kepala-dinas")
    unchanged()
    api = client.application.test_client().post(
        f"/api/tasks/{task.id}/attachments", headers=basic(), data={"file": (io.BytesIO(PDF), "surat\x00.pdf")},
        content_type="multipart/form-data")
    assert api.status_code == 400 and api.get_json()["fields"] == {"file": NUL}
    page = post(client, f"/tugas/{task.id}/lampiran", {"berkas": (io.BytesIO(PDF), "surat\x00.pdf")},
                content_type="multipart/form-data")
    assert page.status_code == 400 and f"berkas: {NUL}" in text_of(page)


def test_ordinary_text_passes(client, alur, review, started):
    """Tabs, newlines, emoji, Arabic and Javanese script are text like any other."""
    note = "Baris satu\n\tBaris dua — “kutip” 😀 مرحبا ꦲꦏ꧀ꦱꦫ"
    response = complete_json(client, review.id, json.dumps({"data": {"keputusan": "kembalikan", "catatan": note}})
                             .encode())
    assert response.status_code == 200
    assert alur.history(started.id)[-1].data["catatan"] == note

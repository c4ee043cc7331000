"""Numbers no column can hold (23 digits, 2**31, other scripts' digits) in paths, query parameters and
forms: a clear 404 for an id that cannot exist, 400 (or the form's 422) for a bad parameter, and nothing
changes, on SQLite and PostgreSQL (the app fixture runs on both)."""
from __future__ import annotations

import base64

import pytest

from alur.runtime import tokens
from alur.runtime.backup import export_database
from alur.runtime.whole_numbers import MAX_ID, parse_whole
from tests.web.conftest import ORG, PASSWORD, SOP

HUGE = "99999999999999999999999"  # 23 digits: overflowed SQLite's and PostgreSQL's integers (a 500)
BEYOND = str(MAX_ID + 1)  # 2**31: fits SQLite's INTEGER, not PostgreSQL's
NOT_ASCII = ["\u0663", "\u00b2", "\uff11"]  # Arabic-Indic 3 (int() reads it), superscript 2 (isdigit, not int), fullwidth 1
ENDLESS = "9" * 5000  # more digits than int() converts


def basic(user="kepala-dinas"):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()}


@pytest.fixture
def unchanged(alur):
    """Asserts, at the end of the test, that the database is as it was when the fixture was taken."""
    snapshots = []
    yield lambda: snapshots.append(export_database(alur))
    assert snapshots and export_database(alur) == snapshots[0]


@pytest.mark.parametrize("number", [HUGE, BEYOND, ENDLESS, *NOT_ASCII])
def test_an_instance_id_no_column_holds_is_not_found(client, login, started, unchanged, number):
    login(client, "kepala-dinas")  # (a login is an audit entry: before the snapshot)
    unchanged()
    assert client.get(f"/api/instances/{number}", headers=basic()).status_code == 404
    response = client.get(f"/proses/{number}")
    assert response.status_code == 404
    assert "Tidak ditemukan" in response.get_data(as_text=True)
    assert client.get(f"/proses/{started.id}").status_code == 200  # the largest real ids still work


def test_a_token_id_no_column_holds_is_not_found(client, login, post, alur, unchanged):
    token, info = tokens.create_token(alur, "kepala-dinas", "uji")
    login(client, "kepala-dinas")
    unchanged()
    for number in (HUGE, BEYOND, ENDLESS):
        assert post(client, f"/akun/token/{number}/cabut").status_code == 404
    assert tokens.authenticate_token(alur, token) is not None


@pytest.mark.parametrize("query", [f"offset={HUGE}", f"offset={BEYOND}", f"offset={ENDLESS}", f"limit={HUGE}",
                                   "offset=-1", "limit=0", *(f"offset={d}" for d in NOT_ASCII)])
def test_a_paging_parameter_out_of_range_is_a_bad_request(client, started, unchanged, query):
    unchanged()
    response = client.get(f"/api/tasks?{query}", headers=basic())
    assert response.status_code == 400
    name = query.split("=")[0]
    least = 1 if name == "limit" else 0
    assert response.get_json() == {"error": f"parameter {name} harus bilangan bulat dari {least} sampai {MAX_ID}"}


def test_the_largest_offset_answers_an_empty_page(client, started):
    response = client.get(f"/api/tasks?offset={MAX_ID}", headers=basic())
    assert response.status_code == 200 and response.get_json() == []
    assert response.headers["X-Total-Count"] == "1" and "Link" not in response.headers  # the one ready task


def test_a_revision_past_64_bits_is_refused_by_the_request_guard(client, started, unchanged):
    """A JSON integer no database column could hold is refused before any view reads the body."""
    task = started.ready_tasks[0]
    unchanged()
    response = client.post(f"/api/tasks/{task.id}/complete", headers=basic(),
                           json={"data": {"isi_disposisi": "Kumpulkan"}, "revision": int(HUGE)})
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"JSON": f"bilangan {HUGE[:30]} di luar batas 64 bit"}


@pytest.mark.parametrize("revision", [MAX_ID + 1, 2**63 - 1, 0, True])
def test_a_revision_no_instance_can_have_is_invalid_data(client, started, unchanged, revision):
    task = started.ready_tasks[0]
    unchanged()
    response = client.post(f"/api/tasks/{task.id}/complete", headers=basic(),
                           json={"data": {"isi_disposisi": "Kumpulkan"}, "revision": revision})
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"revision": f"harus bilangan bulat dari 1 sampai {MAX_ID}"}


@pytest.mark.parametrize("page", [HUGE, ENDLESS, str(MAX_ID // 50 + 1), *NOT_ASCII])
def test_an_inbox_page_number_beyond_any_page_shows_the_first_page(client, login, started, text_of, page):
    login(client, "kepala-dinas")
    response = client.get(f"/?halaman={page}")
    assert response.status_code == 200
    assert started.ready_tasks[0].id in response.get_data(as_text=True)
    assert "Tugas 1–1 dari 1" in text_of(response)


def test_the_last_inbox_page_number_the_database_takes_is_past_the_end(client, login, started, text_of):
    login(client, "kepala-dinas")
    response = client.get(f"/?halaman={MAX_ID // 50}")
    assert response.status_code == 200
    assert "Tidak ada tugas di halaman ini." in text_of(response)


@pytest.fixture
def designer(alur, login, client):
    """The SOP's designer logged in, the SOP at version 2 (so that its page offers the migration form)."""
    from alur.runtime import directory
    from tests.conftest import PROCESSES
    from tests.web.conftest import PASSWORD_HASH

    content = (PROCESSES / f"{SOP}.bpmn").read_bytes().replace(b'name="Pengumpulan Data Kinerja" isExecutable',
                                                               b'name="Pengumpulan Data Kinerja 2" isExecutable')
    assert alur.deploy_bytes(content, f"{SOP}.bpmn", org=ORG).version == 2
    directory.add_user(alur, "perancang", ["perancang"], password_hash=PASSWORD_HASH, org=ORG)
    login(client, "perancang")


@pytest.mark.parametrize("number", [HUGE, BEYOND, ENDLESS, *NOT_ASCII])
def test_a_version_number_that_cannot_exist_is_refused(client, post, designer, started, unchanged, text_of,
                                                        number):
    unchanged()
    response = client.get(f"/sop/{SOP}/versi/beda?dari={number}&ke=1")
    assert response.status_code == 400
    assert "Dari versi: pilih salah satu versi yang ada (1, 2)." in text_of(response)
    response = post(client, f"/sop/{SOP}/versi/pindahkan", {"dari": number, "ke": "1", "proses": ""})
    assert response.status_code == 422
    assert "Dari versi: pilih versi asal yang ada (1, 2)" in text_of(response)
    response = post(client, f"/sop/{SOP}/versi/pindahkan", {"dari": "1", "ke": "1", "proses": number})
    assert response.status_code == 422
    assert "tulis nomor proses dipisah koma" in text_of(response)


def test_parse_whole_reads_ascii_digits_within_bounds_only():
    assert [parse_whole(t) for t in ("0", "7", "007", str(MAX_ID))] == [0, 7, 7, MAX_ID]
    assert [parse_whole(t) for t in (BEYOND, HUGE, ENDLESS, "", " 7", "7 ", "+7", "-7", "7.0", "1e3", None)] == \
        [None] * 11
    assert [parse_whole(d) for d in NOT_ASCII] == [None] * 3
    assert parse_whole("0", least=1) is None and parse_whole("5", most=4) is None and parse_whole("4", most=4) == 4

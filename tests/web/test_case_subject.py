"""Perihal and nomor: entered when a case starts (form, API, CLI), shown everywhere it is listed, searched."""
from __future__ import annotations

import pytest

from alur.runtime import subject
from alur.runtime.engine import InvalidData
from alur.runtime.inbox import inbox
from tests.web.test_api import basic

SOP = "sulteng-pengumpulan-data-kinerja"


def _instances(alur) -> int:
    return sum(p["running_instances"] for p in alur.processes())


def test_the_api_starts_a_case_with_its_perihal_and_nomor(client, alur):
    response = client.post(f"/api/processes/{SOP}/instances", json={"perihal": "  SKP Triwulan IV\n2026 ",
                                                                    "nomor": "800/412/DISKUKM"},
                           headers=basic("kepala-dinas"))
    assert response.status_code == 201
    body = response.get_json()
    assert (body["perihal"], body["nomor"]) == ("SKP Triwulan IV 2026", "800/412/DISKUKM")
    shown = client.get(f"/api/instances/{body['id']}", headers=basic("kepala-dinas")).get_json()
    assert shown["instance"]["perihal"] == "SKP Triwulan IV 2026"


@pytest.mark.parametrize("body, field, message", [
    ({}, "perihal", "wajib diisi"),
    ({"perihal": "   "}, "perihal", "wajib diisi"),
    ({"perihal": 7}, "perihal", "harus berupa teks"),
    ({"perihal": "x" * 501}, "perihal", "maksimal 500 karakter (terisi 501)"),
    ({"perihal": "SKP", "nomor": "n" * 101}, "nomor", "maksimal 100 karakter (terisi 101)"),
    ({"perihal": "SKP", "nomor": ["800"]}, "nomor", "harus berupa teks"),
    ({"perihal": "SKP", "judul": "x"}, "judul", "isian tidak dikenal"),
])
def test_a_bad_perihal_or_nomor_is_a_422_naming_it_and_starts_nothing(client, alur, body, field, message):
    response = client.post(f"/api/processes/{SOP}/instances", json=body, headers=basic("kepala-dinas"))
    assert response.status_code == 422
    assert response.get_json()["fields"] == {field: message}
    assert _instances(alur) == 0


def test_a_user_who_may_not_start_learns_nothing_about_the_perihal(client, alur):
    # The role is checked first: a missing perihal is not what a refused user hears about.
    assert client.post(f"/api/processes/{SOP}/instances", json={}, headers=basic("sekretaris")).status_code == 403


def test_the_start_form_asks_for_a_perihal_and_keeps_what_was_typed(client, login, post, alur, text_of):
    login(client, "kepala-dinas")
    page = client.get("/sop/").get_data(as_text=True)
    assert 'name="perihal" required maxlength="500"' in page
    response = post(client, f"/sop/{SOP}/mulai", {"perihal": "", "nomor": "800/9"})
    assert response.status_code == 422
    assert "Perihal: wajib diisi" in text_of(response)
    assert 'value="800/9"' in response.get_data(as_text=True)
    assert _instances(alur) == 0
    response = post(client, f"/sop/{SOP}/mulai", {"perihal": "Data kinerja 2026", "nomor": "800/9"})
    assert response.status_code == 302
    [task] = alur.tasks_for("kepala-dinas")
    for url in (f"/tugas/{task.id}", f"/proses/{task.instance_id}", "/proses/", "/"):
        text = text_of(client.get(url))
        assert "Data kinerja 2026" in text and "800/9" in text, url


def test_a_case_without_perihal_is_shown_as_such(client, login, started, text_of):
    login(client, "kepala-dinas")
    assert "(tanpa perihal)" in text_of(client.get("/"))
    assert "(tanpa perihal)" in text_of(client.get(f"/proses/{started.id}"))


def test_inbox_and_case_list_search_perihal_and_nomor(client, login, alur, text_of):
    skp = alur.start(SOP, "kepala-dinas", perihal="SKP Triwulan IV", nomor="800/1")
    lkj = alur.start(SOP, "kepala-dinas", perihal="LKjIP 2026 (100% selesai)", nomor="800/2_A")
    member = None
    assert [t.instance_id for t in inbox(alur, "kepala-dinas", query="skp").tasks] == [skp.id]
    assert [t.instance_id for t in inbox(alur, "kepala-dinas", query="800/2").tasks] == [lkj.id]
    # % and _ are the text's own characters, not wildcards.
    assert [t.instance_id for t in inbox(alur, "kepala-dinas", query="100%").tasks] == [lkj.id]
    assert inbox(alur, "kepala-dinas", query="0%s").tasks == []
    assert [t.instance_id for t in inbox(alur, "kepala-dinas", query="2_a").tasks] == [lkj.id]
    assert inbox(alur, "kepala-dinas", query="800/1_").tasks == []
    page = inbox(alur, "kepala-dinas", query="Triwulan", actor=member)
    assert page.total.value == 1 and page.subjects == {skp.id: ("SKP Triwulan IV", "800/1")}
    login(client, "kepala-dinas")
    found = text_of(client.get("/?q=triwulan"))
    assert "SKP Triwulan IV" in found and "LKjIP" not in found
    listed = text_of(client.get("/proses/?q=lkjip"))
    assert "LKjIP 2026" in listed and "SKP Triwulan" not in listed
    assert "Tidak ada proses yang perihal atau nomornya memuat" in text_of(client.get("/proses/?q=tidak-ada"))
    assert client.get("/api/tasks?q=800/1", headers=basic("kepala-dinas")).get_json()[0]["instance_id"] == skp.id


def test_like_patterns_escape_their_wildcards():
    assert subject.like_pattern("50%_a\\b") == "%50\\%\\_a\\\\b%"
    with pytest.raises(InvalidData) as refused:
        subject.clean("ada\x07bel")
    assert refused.value.errors == {"perihal": "tidak boleh memuat karakter kendali"}

"""The Token API page and bearer tokens on the JSON API."""
from __future__ import annotations

import re

from alur.runtime import tokens

SOP = "sulteng-pengumpulan-data-kinerja"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_and_then_listed_by_prefix(client, login, post, alur, text_of):
    login(client, "kepala-dinas")
    page = post(client, "/akun/token", {"name": "integrasi e-Office"})
    assert page.status_code == 200
    token = re.search(r'<code class="token" id="token-baru">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    assert tokens.authenticate_token(alur, token).username == "kepala-dinas"
    again = client.get("/akun/token").get_data(as_text=True)
    assert token not in again and token[:11] in again and "integrasi e-Office" in again


def test_the_api_accepts_a_token_without_csrf_and_refuses_a_bad_one(client, alur):
    token, info = tokens.create_token(alur, "kepala-dinas", "uji")
    started = client.post(f"/api/processes/{SOP}/instances", json={"perihal": "SKP Triwulan IV"}, headers=bearer(token))
    assert started.status_code == 201, started.get_json()
    listed = client.get("/api/tasks", headers=bearer(token)).get_json()
    assert [t["instance_id"] for t in listed] == [started.get_json()["id"]]
    for wrong in (token + "x", "alur_salah", ""):
        response = client.get("/api/tasks", headers=bearer(wrong))
        assert response.status_code == 401 and "error" in response.get_json()
    tokens.revoke_token(alur, "kepala-dinas", info.id)
    assert client.get("/api/tasks", headers=bearer(token)).status_code == 401


def test_revoking_from_the_page(client, login, post, alur, text_of):
    token, info = tokens.create_token(alur, "kepala-dinas", "lama")
    login(client, "kepala-dinas")
    response = post(client, f"/akun/token/{info.id}/cabut", follow_redirects=True)
    assert "Token “lama” dicabut" in text_of(response)
    assert tokens.authenticate_token(alur, token) is None


def test_refusals_change_nothing(client, login, post, alur, text_of):
    token, info = tokens.create_token(alur, "sekretaris", "milik sekretaris")
    assert client.get("/akun/token").status_code == 302  # not logged in: to the login page
    login(client, "kepala-dinas")
    assert post(client, f"/akun/token/{info.id}/cabut").status_code == 404  # another user's token
    assert post(client, "/akun/token/999/cabut").status_code == 404
    assert client.post(f"/akun/token/{info.id}/cabut").status_code == 400  # no CSRF token
    assert client.post("/akun/token", data={"name": "x"}).status_code == 400
    empty = post(client, "/akun/token", {"name": "   "})
    assert empty.status_code == 422 and "Nama token: wajib diisi" in text_of(empty)
    assert tokens.authenticate_token(alur, token).username == "sekretaris"
    assert tokens.tokens_of(alur, "kepala-dinas") == []
    assert "<script>" not in post(client, "/akun/token", {"name": "<script>x</script>"}).get_data(as_text=True)

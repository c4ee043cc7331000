"""Sessions and passwords: throttled logins, expiring sessions, hashed passwords, cookie flags."""
from __future__ import annotations

import base64
import time

from sqlalchemy import select

from alur.runtime.accounts import MAX_LOGIN_FAILURES
from alur.runtime.models import AuditEntry, User
from tests.web.conftest import PASSWORD


def _login(client, username, password):
    client.get("/masuk")
    with client.session_transaction() as session:
        token = session.get("csrf_token")
    return client.post("/masuk", data={"username": username, "password": password, "csrf_token": token})


def test_passwords_are_stored_hashed(alur):
    with alur.sessions() as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "kepala-dinas")).first()
    assert stored.startswith(("pbkdf2:", "scrypt:")) and PASSWORD not in stored


def test_repeated_failures_lock_the_user_name_even_for_the_right_password(client, alur):
    for _ in range(MAX_LOGIN_FAILURES):
        assert _login(client, "sekretaris", "salah-sekali").status_code == 401
    blocked = _login(client, "sekretaris", PASSWORD)
    assert blocked.status_code == 429
    assert "Terlalu banyak percobaan" in blocked.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "username" not in session
    # Other users are not affected.
    assert _login(client, "kepala-dinas", PASSWORD).status_code == 302
    with alur.sessions() as session:
        failures = session.scalars(select(AuditEntry).where(AuditEntry.action == "login_failed")).all()
    assert [f.actor for f in failures] == ["sekretaris"] * MAX_LOGIN_FAILURES


def test_basic_auth_is_throttled_too(client):
    bad = {"Authorization": "Basic " + base64.b64encode(b"sekretaris:salah").decode()}
    for _ in range(MAX_LOGIN_FAILURES):
        assert client.get("/api/tasks", headers=bad).status_code == 401
    good = {"Authorization": "Basic " + base64.b64encode(f"sekretaris:{PASSWORD}".encode()).decode()}
    assert client.get("/api/tasks", headers=good).status_code == 429


def test_an_idle_session_expires(client, monkeypatch):
    assert _login(client, "kepala-dinas", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    page = client.get("/")
    assert page.status_code == 302 and "/masuk" in page.headers["Location"]
    with client.session_transaction() as session:
        assert "username" not in session


def test_a_session_ends_ten_hours_after_login_even_when_active(client, monkeypatch):
    assert _login(client, "kepala-dinas", PASSWORD).status_code == 302
    start = time.time()
    for minutes in range(0, 10 * 60, 25):  # active every 25 minutes
        monkeypatch.setattr(time, "time", lambda m=minutes: start + m * 60)
        assert client.get("/").status_code == 200
    monkeypatch.setattr(time, "time", lambda: start + 10 * 3600 + 60)
    assert client.get("/").status_code == 302


def test_session_cookie_flags(client):
    response = _login(client, "kepala-dinas", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie

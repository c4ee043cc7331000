"""Server-side sessions: the cookie carries only a session id; logout, "keluar dari semua perangkat"
and password changes end sessions for every worker; idle and absolute expiry; cookie flags."""
from __future__ import annotations

import base64
import hashlib

from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from alur.runtime import accounts, directory, sessions, tokens
from alur.runtime.models import User, UserSession
from alur.web.app import create_app
from tests.web.conftest import ORG, PASSWORD, PASSWORD_HASH

NEW_PASSWORD = "kata-sandi-baru-1"


def basic(user, password=PASSWORD):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def cookie_of(client) -> str:
    """The session cookie as a thief would copy it."""
    return client.get_cookie("session").value


def stolen(app, cookie: str):
    """Another browser carrying a copied session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def cookie_content(app, cookie: str) -> dict:
    return SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie)


def session_rows(alur, username):
    with alur.sessions() as session:
        return session.scalars(select(UserSession).join(User, User.id == UserSession.user_id)
                               .where(User.username == username).order_by(UserSession.id)).all()


def test_passwords_are_stored_hashed(alur):
    with alur.sessions() as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "kepala-dinas")).first()
    assert stored.startswith(("pbkdf2:", "scrypt:")) and PASSWORD not in stored


def test_the_cookie_carries_only_a_session_id_whose_hash_is_stored(app, client, alur, login):
    assert login(client, "kepala-dinas").status_code == 302
    content = cookie_content(app, cookie_of(client))
    assert set(content) - {"_flashes"} == {"_user_id", "_fresh", "_id", "_permanent", "csrf_token"}
    assert "kepala-dinas" not in str(content)
    [row] = session_rows(alur, "kepala-dinas")
    assert row.id_hash == hashlib.sha256(content["_user_id"].encode()).hexdigest()
    assert content["_user_id"] not in str([row.id_hash, row.user_agent, row.address])
    assert (row.expires_at - row.created_at).total_seconds() == 10 * 3600
    assert row.revoked_at is None and row.address == "127.0.0.1"


def test_a_cookie_captured_before_logout_is_refused_after_it(app, client, alur, login, post, text_of):
    login(client, "kepala-dinas")
    captured = cookie_of(client)
    assert stolen(app, captured).get("/api/me").status_code == 200
    assert post(client, "/keluar").headers["Location"] == "/masuk"
    thief = stolen(app, captured)
    me = thief.get("/api/me")
    assert me.status_code == 401 and me.get_json() == {"error": "belum masuk: gunakan HTTP Basic atau sesi"}
    page = stolen(app, captured).get("/")
    assert page.status_code == 302 and page.headers["Location"] == "/masuk?next=/"
    assert "Sesi Anda telah diakhiri" in text_of(stolen(app, captured).get("/", follow_redirects=True))
    [row] = session_rows(alur, "kepala-dinas")
    assert row.revoked_at is not None


def test_logout_is_seen_by_every_worker(app, settings, client, login, post):
    """A second app over the same database (another gunicorn worker) refuses the ended session too."""
    other_worker = create_app({"TESTING": True, "ALUR_SETTINGS": settings, "SECRET_KEY": "uji",
                               "ALUR_DEPLOY_ON_STARTUP": False})
    try:
        login(client, "sekretaris")
        captured = cookie_of(client)
        assert stolen(other_worker, captured).get("/api/me").get_json()["username"] == "sekretaris"
        post(client, "/keluar")
        assert stolen(other_worker, captured).get("/api/me").status_code == 401
    finally:
        other_worker.extensions["alur"].close()


def test_changing_ones_password_ends_the_other_sessions_and_keeps_this_one(app, client, alur, login, post,
                                                                              text_of):
    login(client, "sekretaris")
    elsewhere = app.test_client()
    login(elsewhere, "sekretaris")
    captured, captured_elsewhere = cookie_of(client), cookie_of(elsewhere)
    response = post(client, "/akun/sandi", {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                            "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/akun/"
    assert "Kata sandi Anda diganti. Sesi di semua perangkat lain telah diakhiri." in text_of(client.get("/akun/"))
    assert client.get("/api/me").status_code == 200  # this browser has a new session
    assert elsewhere.get("/api/me").status_code == 401
    assert stolen(app, captured).get("/api/me").status_code == 401  # the old cookie of this browser too
    assert stolen(app, captured_elsewhere).get("/api/me").status_code == 401
    assert accounts.authenticate(alur, "sekretaris", NEW_PASSWORD) is not None
    assert accounts.authenticate(alur, "sekretaris", PASSWORD) is None


def test_a_wrong_current_password_changes_nothing(client, alur, login, post, text_of):
    login(client, "sekretaris")
    before = [(r.id_hash, r.revoked_at) for r in session_rows(alur, "sekretaris")]
    response = post(client, "/akun/sandi", {"current_password": "salah-sekali", "password": NEW_PASSWORD,
                                            "password_confirm": NEW_PASSWORD})
    assert response.status_code == 422
    assert "Tidak ada yang diubah. Kata sandi saat ini: kata sandi saat ini salah." in text_of(response)
    short = post(client, "/akun/sandi", {"current_password": PASSWORD, "password": "pendek",
                                         "password_confirm": "pendek"})
    assert short.status_code == 422 and "Kata sandi baru: minimal 10 karakter" in text_of(short)
    unlike = post(client, "/akun/sandi", {"current_password": PASSWORD, "password": NEW_PASSWORD,
                                          "password_confirm": NEW_PASSWORD + "x"})
    assert unlike.status_code == 422 and "Ulangi kata sandi baru: tidak sama dengan kata sandi baru" in text_of(unlike)
    assert [(r.id_hash, r.revoked_at) for r in session_rows(alur, "sekretaris")] == before
    assert accounts.authenticate(alur, "sekretaris", PASSWORD) is not None


def test_an_admin_setting_a_password_ends_the_users_sessions(app, client, alur, login, post):
    directory.add_user(alur, "admin", ["admin"], password_hash=PASSWORD_HASH, org=ORG)
    user = app.test_client()
    login(user, "fungsional")
    captured = cookie_of(user)
    login(client, "admin")
    response = post(client, "/admin/pengguna/fungsional/sandi", {"password": NEW_PASSWORD,
                                                                "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert user.get("/api/me").status_code == 401
    assert stolen(app, captured).get("/").status_code == 302
    assert client.get("/api/me").get_json()["username"] == "admin"  # the admin's own session goes on


def test_an_admin_setting_their_own_password_stays_logged_in_here_only(app, client, alur, login, post):
    directory.add_user(alur, "admin", ["admin"], password_hash=PASSWORD_HASH, org=ORG)
    elsewhere = app.test_client()
    login(elsewhere, "admin")
    login(client, "admin")
    post(client, "/admin/pengguna/admin/sandi", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert client.get("/api/me").status_code == 200
    assert elsewhere.get("/api/me").status_code == 401


def test_passwords_set_by_the_operator_end_sessions_too(app, client, alur, login):
    login(client, "kabid")
    accounts.set_password(alur, "kabid", NEW_PASSWORD, method="pbkdf2:sha256:1000")
    assert client.get("/api/me").status_code == 401
    login(client, "kabid", NEW_PASSWORD)
    assert client.get("/api/me").status_code == 200
    directory.add_user(alur, "kabid", [], password_hash=PASSWORD_HASH, org=ORG)  # `alur users add --password`
    assert client.get("/api/me").status_code == 401
    login(client, "kabid")
    directory.add_user(alur, "kabid", ["pegawai"], org=ORG)  # roles only: the session goes on
    assert client.get("/api/me").get_json()["roles"] == ["bidang-upt-balai-pelatihan", "pegawai"]


def test_keluar_dari_semua_perangkat_ends_every_session_this_one_included(app, client, alur, login, post,
                                                                           text_of):
    token, _ = tokens.create_token(alur, "kasubbag", "integrasi")
    phone, colleague = app.test_client(), app.test_client()
    login(phone, "kasubbag")
    login(colleague, "sekretaris")
    login(client, "kasubbag")
    page = text_of(client.get("/akun/"))
    assert page.count("perangkat ini") == 1 and "Keluar dari semua perangkat" in page
    response = post(client, "/akun/keluar-semua")
    assert response.status_code == 302 and response.headers["Location"] == "/masuk"
    assert ("Anda telah keluar dari semua perangkat (2 sesi diakhiri, termasuk sesi ini). Token API tetap berlaku; "
            "cabut di halaman Token API bila perlu.") in text_of(client.get("/masuk"))
    assert client.get("/api/me").status_code == 401
    assert phone.get("/api/me").status_code == 401
    assert colleague.get("/api/me").get_json()["username"] == "sekretaris"  # another user's session goes on
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/me", headers=basic("kasubbag")).status_code == 200
    assert all(r.revoked_at is not None for r in session_rows(alur, "kasubbag"))


def test_the_account_page_lists_the_open_sessions(app, client, alur, login, text_of):
    other = app.test_client()
    other.environ_base.update(REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Firefox di laptop kantor")
    login(other, "kepala-dinas")
    login(client, "kepala-dinas")
    page = client.get("/akun/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert body.count("<tr") == 3  # the header and two sessions
    assert "Firefox di laptop kantor" in body and "198.51.100.7" in body
    assert body.count('data-current="1"') == 1


def test_ended_sessions_are_deleted_at_the_next_login(app, client, alur, login, post):
    phone = app.test_client()
    login(phone, "kepala-dinas")
    for _ in range(3):
        login(client, "kepala-dinas")
        post(client, "/keluar")
    # The phone's open session, and the last one ended (the earlier ones went at each login).
    assert [r.revoked_at is None for r in session_rows(alur, "kepala-dinas")] == [True, False]
    login(client, "kepala-dinas")
    assert [r.revoked_at is None for r in session_rows(alur, "kepala-dinas")] == [True, True]
    assert phone.get("/api/me").status_code == 200


def test_an_idle_session_expires(client, clock, login, text_of):
    assert login(client, "kepala-dinas").status_code == 302
    for _ in range(4):  # a request every 29 minutes keeps the session
        clock.advance(minutes=29)
        assert client.get("/").status_code == 200
    clock.advance(minutes=30)
    page = client.get("/")
    assert page.status_code == 302 and page.headers["Location"] == "/masuk?next=/"
    assert "Sesi Anda berakhir karena lama tidak aktif. Silakan masuk kembali." in text_of(client.get("/masuk"))
    with client.session_transaction() as session:
        assert "_user_id" not in session
    clock.advance(minutes=-31)  # a clock set back does not revive it: the record has ended
    assert client.get("/").status_code == 302


def test_the_idle_clock_counts_from_the_last_request_within_a_minute(client, clock, login):
    login(client, "kepala-dinas")
    clock.advance(seconds=50)
    assert client.get("/").status_code == 200  # within a minute of the last write: not written again
    clock.advance(minutes=29, seconds=15)  # 30 min 5 s after the recorded time
    assert client.get("/").status_code == 302


def test_a_session_ends_ten_hours_after_login_even_when_active(client, clock, login, text_of):
    assert login(client, "kepala-dinas").status_code == 302
    for _ in range(23):  # active every 25 minutes: 9 h 35 min
        clock.advance(minutes=25)
        assert client.get("/").status_code == 200
    clock.advance(minutes=24)  # 9 h 59 min
    assert client.get("/").status_code == 200
    clock.advance(minutes=1)  # 10 h
    assert client.get("/").status_code == 302
    assert "Sesi Anda berakhir karena lama tidak aktif" in text_of(client.get("/masuk"))


def test_expiry_refuses_the_api_on_the_session_too(client, clock, login):
    login(client, "kepala-dinas")
    clock.advance(minutes=31)
    assert client.get("/api/me").status_code == 401


def test_session_cookie_flags(client, login):
    response = login(client, "kepala-dinas")
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie and "Expires=" in session_cookie
    device = next(c for c in cookies if c.startswith("alur_perangkat="))
    assert "HttpOnly" in device and "SameSite=Lax" in device and "Max-Age=15552000" in device


def test_a_session_of_a_user_who_is_gone_is_refused(app, client, alur, login):
    login(client, "tanpa-peran")
    with alur.sessions() as session, session.begin():
        user = session.scalars(select(User).where(User.username == "tanpa-peran")).one()
        session.execute(UserSession.__table__.delete().where(UserSession.user_id == user.id))
        session.delete(user)
    assert client.get("/api/me").status_code == 401


def test_resume_of_an_unknown_id_is_ended(alur):
    assert sessions.resume(alur, "tidak-ada").state is sessions.SessionState.ENDED


def test_backups_leave_out_sessions_and_failed_logins(client, alur, login):
    from alur.runtime.backup import NOT_BACKED_UP, export_database

    login(client, "kepala-dinas")
    login(client, "sekretaris", "salah-sekali")
    exported = export_database(alur)
    assert NOT_BACKED_UP == {"user_sessions", "login_failures", "signing_keys"}
    assert not NOT_BACKED_UP & set(exported["tables"])
    assert {"users", "api_tokens", "attachments", "audit_entries"} <= set(exported["tables"])

"""Masuk / Keluar, the login guard, and CSRF on every form."""
from alur.runtime import accounts


def test_login_page_is_in_bahasa_indonesia(client):
    response = client.get("/masuk")
    assert response.status_code == 200
    assert "Nama pengguna" in response.get_data(as_text=True)
    assert 'name="csrf_token"' in response.get_data(as_text=True)


def test_pages_send_visitors_to_login(client):
    for url in ("/", "/sop/", "/proses/", "/proses/1", "/tugas/abc", "/lampiran/x.pdf"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/masuk?next="), url


def test_login_with_right_password_opens_the_inbox(client, login):
    response = login(client, "sekretaris")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert "Kotak Masuk" in page.get_data(as_text=True)
    assert "Sekretaris" in page.get_data(as_text=True)


def test_login_goes_back_to_the_page_asked_for(client, login, csrf_of):
    client.get("/sop/")
    response = client.post("/masuk?next=/sop/", data={"username": "sekretaris", "password": "rahasia-uji",
                                                       "csrf_token": csrf_of(client)})
    assert response.headers["Location"] == "/sop/"


def test_login_never_redirects_off_site(client, csrf_of):
    response = client.post("/masuk?next=//evil.example/x", data={
        "username": "sekretaris", "password": "rahasia-uji", "csrf_token": csrf_of(client)})
    assert response.headers["Location"] == "/"


def test_wrong_password_and_unknown_user_are_refused_alike(client, login, text_of):
    wrong = login(client, "sekretaris", "salah")
    unknown = login(client, "tidak-ada", "salah")
    assert wrong.status_code == unknown.status_code == 401
    assert "Nama pengguna atau kata sandi salah" in text_of(wrong)
    assert text_of(wrong).replace("tidak-ada", "sekretaris") == text_of(unknown).replace("tidak-ada", "sekretaris")
    with client.session_transaction() as session:
        assert "username" not in session


def test_login_without_csrf_token_is_refused(client):
    response = client.post("/masuk", data={"username": "sekretaris", "password": "rahasia-uji"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "username" not in session


def test_login_gives_a_fresh_csrf_token(client, login, csrf_of):
    before = csrf_of(client)
    login(client, "sekretaris")
    assert csrf_of(client) != before


def test_logout_needs_post_with_csrf(client, login, post):
    login(client, "sekretaris")
    assert client.get("/keluar").status_code == 405
    assert client.post("/keluar").status_code == 400
    assert client.get("/").status_code == 200  # still logged in
    response = post(client, "/keluar")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_passwords_are_stored_hashed(alur):
    accounts.set_password(alur, "sekretaris", "kata-sandi-baru", method="pbkdf2:sha256:1000")
    from sqlalchemy import select

    from alur.runtime.models import User

    with alur.sessions() as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "sekretaris")).one()
    assert "kata-sandi-baru" not in stored
    assert accounts.authenticate(alur, "sekretaris", "kata-sandi-baru").username == "sekretaris"
    assert accounts.authenticate(alur, "sekretaris", "rahasia-uji") is None


def test_session_cookie_is_httponly_and_samesite(client, login):
    response = login(client, "sekretaris")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_pages_carry_security_headers(client):
    response = client.get("/masuk")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"

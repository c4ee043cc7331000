"""Login throttling per (user name, client) with doubling backoff, a per-client limit, and the device
cookie, on a controlled clock: someone guessing from elsewhere cannot lock a person out of their
own browser, the guessing pair is slowed down, and one client trying many names is stopped."""
from __future__ import annotations

import base64
import re

import pytest
from sqlalchemy import func, select

from alur.runtime import login_throttle
from alur.runtime.models import AuditEntry, LoginFailure
from alur.web.app import create_app
from alur.web.device_cookie import COOKIE_NAME
from tests.web.conftest import PASSWORD

ATTACKER = "203.0.113.9"
VICTIM = "198.51.100.7"


def browser(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def attempt(client, username: str, password: str):
    page = client.get("/masuk").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/masuk", data={"username": username, "password": password, "csrf_token": token})


def basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def failure_rows(alur) -> list[tuple[str, str]]:
    with alur.sessions() as session:
        return [(f.username, f.client) for f in session.scalars(select(LoginFailure).order_by(LoginFailure.id))]


def test_five_failures_are_free_then_the_pair_waits_30_seconds_doubling(app, alur, clock, text_of):
    guesser = browser(app, ATTACKER)
    for _ in range(5):
        assert attempt(guesser, "sekretaris", "salah-sekali").status_code == 401
    refused = attempt(guesser, "sekretaris", PASSWORD)  # even the right password waits
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
    assert ("Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini. Coba lagi dalam 30 detik."
            in text_of(refused))
    clock.advance(seconds=29)
    assert attempt(guesser, "sekretaris", "salah-lagi").headers["Retry-After"] == "1"
    assert len(failure_rows(alur)) == 5  # refused attempts check no password and count nothing
    clock.advance(seconds=1)
    assert attempt(guesser, "sekretaris", "salah-lagi").status_code == 401  # the 6th failure
    refused = attempt(guesser, "sekretaris", PASSWORD)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert "Coba lagi dalam 1 menit." in text_of(refused)
    clock.advance(seconds=60)
    assert attempt(guesser, "sekretaris", "salah-lagi").status_code == 401  # the 7th: 2 minutes
    assert attempt(guesser, "sekretaris", PASSWORD).headers["Retry-After"] == "120"
    clock.advance(minutes=2)
    assert attempt(guesser, "sekretaris", PASSWORD).status_code == 302  # right, and in time
    # A success forgets the pair's failures: five free ones again.
    for _ in range(5):
        assert attempt(guesser, "sekretaris", "salah-sekali").status_code == 401
    assert attempt(guesser, "sekretaris", PASSWORD).status_code == 429


def test_someone_guessing_elsewhere_cannot_lock_the_user_out(app, alur, clock):
    guesser = browser(app, ATTACKER)
    for _ in range(40):
        clock.advance(minutes=15)  # as fast as the backoff lets them: a failure every 15 minutes at most
        assert attempt(guesser, "sekretaris", "salah-sekali").status_code == 401
    assert len(failure_rows(alur)) == 40
    assert attempt(guesser, "sekretaris", PASSWORD).status_code == 429
    victim = browser(app, VICTIM)
    assert attempt(victim, "sekretaris", PASSWORD).status_code == 302
    assert victim.get("/api/me").get_json()["username"] == "sekretaris"
    # Basic from the victim's address is not slowed either; from the guesser's it is.
    assert browser(app, VICTIM).get("/api/me", headers=basic("sekretaris", PASSWORD)).status_code == 200
    assert browser(app, ATTACKER).get("/api/me", headers=basic("sekretaris", PASSWORD)).status_code == 429


def test_one_client_trying_many_names_is_stopped(app, alur, clock, text_of):
    guesser = browser(app, ATTACKER)
    for number in range(login_throttle.CLIENT_FAILURES):  # 50 names, one wrong password each
        assert attempt(guesser, f"pegawai-{number}", "salah-sekali").status_code == 401
        clock.advance(seconds=10)
    refused = attempt(guesser, "kepala-dinas", PASSWORD)  # a name it never tried
    assert refused.status_code == 429
    # The first failure was 500 s ago: it leaves the 15-minute window in 400 s.
    assert refused.headers["Retry-After"] == "400"
    assert "Terlalu banyak percobaan masuk yang gagal dari jaringan ini. Coba lagi dalam 7 menit." in text_of(refused)
    assert attempt(browser(app, VICTIM), "kepala-dinas", PASSWORD).status_code == 302  # other clients are not
    clock.advance(seconds=400)
    assert attempt(guesser, "kepala-dinas", PASSWORD).status_code == 302


def test_the_users_own_browser_stays_trusted_behind_the_same_address(app, alur, clock):
    """An office behind one NAT address: a colleague (or malware) guesses the Sekretaris' password;
    the Sekretaris' browser, which logged in before, carries its device cookie and is not slowed."""
    own = browser(app, ATTACKER)
    assert attempt(own, "sekretaris", PASSWORD).status_code == 302
    assert own.get_cookie(COOKIE_NAME) is not None
    guesser = browser(app, ATTACKER)
    for _ in range(10):
        attempt(guesser, "sekretaris", "salah-sekali")
    assert attempt(guesser, "sekretaris", PASSWORD).status_code == 429
    assert attempt(own, "sekretaris", PASSWORD).status_code == 302
    # The device is a client of its own: its own wrong passwords are throttled as that device.
    for _ in range(5):
        assert attempt(own, "sekretaris", "salah-sekali").status_code == 401
    assert attempt(own, "sekretaris", PASSWORD).status_code == 429
    assert {client for _, client in failure_rows(alur)} == {
        ATTACKER, login_throttle.device_client(own_device(app, own))}


def own_device(app, client) -> str:
    from itsdangerous import URLSafeTimedSerializer

    value = client.get_cookie(COOKIE_NAME).value
    return URLSafeTimedSerializer(app.secret_key, salt="alur-perangkat").loads(value)["d"]


@pytest.mark.parametrize("cookie", ["palsu", "eyJ1Ijoic2VrcmV0YXJpcyIsImQiOiJ4In0.palsu.tanda"])
def test_a_forged_device_cookie_is_ignored(app, clock, cookie):
    guesser = browser(app, ATTACKER)
    guesser.set_cookie(COOKIE_NAME, cookie)
    for _ in range(5):
        attempt(guesser, "sekretaris", "salah-sekali")
    assert attempt(guesser, "sekretaris", PASSWORD).status_code == 429


def test_a_device_cookie_of_another_user_name_does_not_count(app, clock):
    shared = browser(app, ATTACKER)
    assert attempt(shared, "kepala-dinas", PASSWORD).status_code == 302
    guesser = browser(app, ATTACKER)
    for _ in range(5):
        attempt(guesser, "sekretaris", "salah-sekali")
    assert attempt(shared, "sekretaris", PASSWORD).status_code == 429  # the cookie is Kepala Dinas'


def test_basic_auth_is_throttled_with_a_message_and_retry_after(app, alur, clock):
    api = browser(app, ATTACKER)
    for _ in range(5):
        assert api.get("/api/tasks", headers=basic("sekretaris", "salah")).status_code == 401
    refused = api.get("/api/tasks", headers=basic("sekretaris", PASSWORD))
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "30"
    assert refused.get_json() == {"error": "terlalu banyak percobaan masuk yang gagal; coba lagi dalam 30 detik"}
    with alur.sessions() as session:
        logged = session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "login_failed"))
    assert logged == 5


def test_a_wrong_current_password_on_the_account_page_counts_as_a_failure(app, alur, clock, login, post):
    client = browser(app, ATTACKER)
    login(client, "sekretaris")
    for _ in range(5):
        response = post(client, "/akun/sandi", {"current_password": "salah-sekali", "password": "kata-sandi-baru-1",
                                                "password_confirm": "kata-sandi-baru-1"})
        assert response.status_code == 422
    # Counted for this browser's device (it logged in here, so it carries the device cookie).
    assert failure_rows(alur) == [("sekretaris", login_throttle.device_client(own_device(app, client)))] * 5
    refused = post(client, "/akun/sandi", {"current_password": PASSWORD, "password": "kata-sandi-baru-1",
                                           "password_confirm": "kata-sandi-baru-1"})
    assert refused.status_code == 429


def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(settings, clock):
    """By default X-Forwarded-For is ignored, so a guesser cannot dodge the limits by making up addresses."""
    app = create_app({"TESTING": True, "ALUR_SETTINGS": settings, "SECRET_KEY": "uji",
                      "ALUR_DEPLOY_ON_STARTUP": False, "ALUR_CLOCK": clock})
    try:
        guesser = browser(app, ATTACKER)
        for number in range(6):
            guesser.environ_base["HTTP_X_FORWARDED_FOR"] = f"10.0.0.{number}"
            attempt(guesser, "sekretaris", "salah-sekali")
        assert failure_rows(app.extensions["alur"]) == [("sekretaris", ATTACKER)] * 5
    finally:
        app.extensions["alur"].close()
    behind_proxy = create_app({"TESTING": True, "ALUR_SETTINGS": settings, "SECRET_KEY": "uji",
                               "ALUR_DEPLOY_ON_STARTUP": False, "ALUR_CLOCK": clock, "ALUR_TRUSTED_PROXIES": "1"})
    try:
        proxy = browser(behind_proxy, "10.1.1.1")
        proxy.environ_base["HTTP_X_FORWARDED_FOR"] = VICTIM
        assert attempt(proxy, "sekretaris", PASSWORD).status_code == 302  # the victim's own address is clean
        relayed_guesser = browser(behind_proxy, "10.1.1.1")
        relayed_guesser.environ_base["HTTP_X_FORWARDED_FOR"] = ATTACKER
        assert attempt(relayed_guesser, "sekretaris", PASSWORD).status_code == 429  # still the guesser's pair
    finally:
        behind_proxy.extensions["alur"].close()


@pytest.mark.parametrize("value", ["satu", "-1", "1.5"])
def test_a_bad_trusted_proxies_setting_stops_the_start(settings, value):
    with pytest.raises(ValueError, match="ALUR_TRUSTED_PROXIES must be a whole number"):
        create_app({"TESTING": True, "ALUR_SETTINGS": settings, "SECRET_KEY": "uji",
                    "ALUR_DEPLOY_ON_STARTUP": False, "ALUR_TRUSTED_PROXIES": value})

"""/healthz and /readyz for the load balancer: no login, no cookie, the reason when not ready."""
from __future__ import annotations

from alur.runtime import db


def test_healthz_answers_without_login_or_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_is_200_on_a_current_schema(client):
    response = client.get("/readyz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ready"})
    assert "Set-Cookie" not in response.headers


def test_readyz_is_503_when_the_schema_is_behind(client, alur):
    db.downgrade(alur.db, "0009_scenario_runs")
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert "0009_scenario_runs" in body["reason"] and db.head_revision() in body["reason"]


def test_readyz_is_503_when_the_database_is_unreachable(app, client):
    alur = app.extensions["alur"]
    reachable = alur.db
    alur.db = db.make_engine("postgresql+psycopg://alur@127.0.0.1:1/alur?connect_timeout=2")  # nothing listens
    try:
        response = client.get("/readyz")
    finally:
        alur.db.dispose()
        alur.db = reachable
    assert response.status_code == 503
    assert response.get_json()["reason"].startswith("database unreachable")
    assert client.get("/healthz").status_code == 200  # the process still answers


def test_health_checks_do_not_touch_a_logged_in_session(client, login):
    assert login(client, "sekretaris").status_code == 302
    for url in ("/healthz", "/readyz"):
        response = client.get(url)
        assert response.status_code == 200 and "Set-Cookie" not in response.headers

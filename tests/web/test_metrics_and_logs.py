"""GET /metrics (web/metrics.py) and the JSON request log with its request id (web/request_log.py)."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.web.conftest import PASSWORD

TOKEN = "token-metrik-uji"


def _value(text: str, line_start: str) -> float:
    found = [line for line in text.splitlines() if line.startswith(line_start + " ")]
    assert found, f"no sample {line_start} in:\n{text}"
    return float(found[0].rsplit(" ", 1)[1])


def test_metrics_per_route_completions_conflicts_and_tasks(app, client, alur, started, run_until, clock):
    task = started.ready_tasks[0]
    client.get(f"/api/tasks/{task.id}", headers={"Authorization": "Basic a2VwYWxhLWRpbmFzOnNhbGFo"})  # 401
    from tests.web.test_attachments import basic
    response = client.post(f"/api/tasks/{task.id}/complete", json={"data": {"isi_disposisi": "Mohon", "sifat": "segera"}},
                           headers=basic("kepala-dinas"))
    assert response.status_code == 200, response.get_json()
    again = client.post(f"/api/tasks/{task.id}/complete", json={"data": {}}, headers=basic("kepala-dinas"))
    assert again.status_code == 409
    text = client.get("/metrics").get_data(as_text=True)
    route = "/api/tasks/<task_id>/complete"
    assert _value(text, f'alur_http_requests_total{{method="POST",route="{route}",status="200"}}') == 1
    assert _value(text, f'alur_http_request_duration_seconds_count{{method="POST",route="{route}"}}') == 2
    assert _value(text, 'alur_task_completions_total{via="api"}') == 1
    assert _value(text, f'alur_conflicts_total{{route="{route}"}}') == 1
    assert task.id not in text  # routes, never raw paths
    assert _value(text, 'alur_tasks_waiting{org="sulteng-diskukm"}') == 1
    assert _value(text, 'alur_tasks_overdue{org="sulteng-diskukm"}') == 0


def test_overdue_tasks_are_counted_at_scrape_time(app, client, alur, started):
    from sqlalchemy import update

    from alur.runtime.models import HumanTask, utcnow
    with alur.db.begin() as connection:
        connection.execute(update(HumanTask).values(due_at=utcnow() - timedelta(hours=1)))
    text = client.get("/metrics").get_data(as_text=True)
    assert _value(text, 'alur_tasks_overdue{org="sulteng-diskukm"}') == 1


def test_worker_lag_is_the_time_since_the_last_pass_and_absent_before_one(app, client, alur):
    from alur.runtime import db
    from alur.runtime.models import utcnow
    from alur.runtime.notifications import set_mark
    from alur.runtime.worker import LAST_PASS

    assert "alur_worker_lag_seconds" not in client.get("/metrics").get_data(as_text=True)
    with db.transaction(alur.sessions) as session:
        set_mark(session, LAST_PASS, utcnow() - timedelta(minutes=2))
    lag = _value(client.get("/metrics").get_data(as_text=True), "alur_worker_lag_seconds")
    assert 120 <= lag < 180


def test_metrics_need_the_token_or_this_machine(app, client, monkeypatch):
    remote = {"REMOTE_ADDR": "10.1.2.3"}
    assert client.get("/metrics", environ_base=remote).status_code == 403
    assert client.get("/metrics", headers={"X-Forwarded-For": "10.1.2.3"}).status_code == 403  # via a local proxy
    assert client.get("/metrics").status_code == 200
    monkeypatch.setenv("ALUR_METRICS_TOKEN", TOKEN)
    assert client.get("/metrics").status_code == 403  # with a token set, localhost needs it too
    assert client.get("/metrics", headers={"Authorization": "Bearer salah"}, environ_base=remote).status_code == 403
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, environ_base=remote)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert "Set-Cookie" not in response.headers


def _lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


def test_one_json_line_per_request_and_never_the_password(client, login, capsys):
    capsys.readouterr()
    response = login(client, "sekretaris")
    assert response.status_code == 302
    client.get("/", headers={"X-Request-Id": "lb-1234.abc"})
    output = capsys.readouterr().err
    assert PASSWORD not in output and "password" not in output
    lines = [json.loads(line) for line in output.splitlines()]
    login_line, inbox_line = lines
    assert (login_line["method"], login_line["route"], login_line["status"]) == ("POST", "/masuk", 302)
    assert login_line["user"] == "sekretaris" and len(login_line["request_id"]) == 32
    assert inbox_line["request_id"] == "lb-1234.abc" and inbox_line["user"] == "sekretaris"
    assert isinstance(inbox_line["duration_ms"], float)
    assert response.headers["X-Request-Id"] == login_line["request_id"]


@pytest.mark.parametrize("sent", ["a b", "x" * 129, "<script>", ""])
def test_an_insane_request_id_is_replaced(client, capsys, sent):
    response = client.get("/healthz", headers={"X-Request-Id": sent})
    made = response.headers["X-Request-Id"]
    assert made != sent and len(made) == 32
    assert _lines(capsys)[-1]["request_id"] == made


def test_a_refused_bad_request_is_logged_with_its_id(client, capsys):
    response = client.get("/?q=%00", headers={"X-Request-Id": "r-1"})
    assert response.status_code == 400 and response.headers["X-Request-Id"] == "r-1"
    line = _lines(capsys)[-1]
    assert (line["status"], line["request_id"], line["route"]) == (400, "r-1", "/")
    assert "%00" not in json.dumps(line)

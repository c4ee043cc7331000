"""The JSON API under /api/: tasks, claim, complete, start, instance; Basic auth or session + CSRF header."""
import base64

import pytest
from flask import Blueprint

from alur.web.openapi import json_response, operation, ref, spec

SOP = "sulteng-pengumpulan-data-kinerja"


def basic(user: str, password: str = "rahasia-uji") -> dict:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_openapi_description(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    for path in ("/tasks", "/tasks/{task_id}/claim", "/tasks/{task_id}/complete",
                 "/processes/{process_id}/instances", "/instances/{instance_id}"):
        assert path in spec["paths"]
    assert spec["components"]["securitySchemes"]["basic"]["scheme"] == "basic"


def test_api_needs_credentials(client):
    for method, url in (("get", "/api/tasks"), ("post", f"/api/processes/{SOP}/instances"),
                        ("get", "/api/instances/1"), ("get", "/api/processes")):
        response = getattr(client, method)(url)
        assert response.status_code == 401, url
        assert "error" in response.get_json()
    assert client.get("/api/tasks", headers=basic("kepala-dinas", "salah")).status_code == 401
    assert client.get("/api/tasks", headers=basic("tidak-ada")).status_code == 401


def test_a_whole_round_over_the_api(client, alur):
    started = client.post(f"/api/processes/{SOP}/instances", json={"perihal": "SKP Triwulan IV"}, headers=basic("kepala-dinas"))
    assert started.status_code == 201
    instance = started.get_json()
    assert started.headers["Location"].endswith(f"/api/instances/{instance['id']}")
    [task] = client.get("/api/tasks", headers=basic("kepala-dinas")).get_json()
    assert task["task_spec"] == "Step_01" and task["instance_id"] == instance["id"]

    details = client.get(f"/api/tasks/{task['id']}", headers=basic("kepala-dinas")).get_json()
    assert details["properties"]["sopStep"] == "1"
    assert details["form"]["required"] == ["isi_disposisi"]

    claimed = client.post(f"/api/tasks/{task['id']}/claim", headers=basic("kepala-dinas"))
    assert claimed.status_code == 200 and claimed.get_json()["claimed_by"] == "kepala-dinas"
    released = client.post(f"/api/tasks/{task['id']}/unclaim", headers=basic("kepala-dinas"))
    assert released.get_json()["claimed_by"] is None

    done = client.post(f"/api/tasks/{task['id']}/complete", headers=basic("kepala-dinas"),
                       json={"data": {"isi_disposisi": "Kumpulkan data kinerja"}, "revision": instance["revision"]})
    assert done.status_code == 200
    assert [t["task_spec"] for t in done.get_json()["ready_tasks"]] == ["Step_02"]

    seen = client.get(f"/api/instances/{instance['id']}", headers=basic("sekretaris")).get_json()
    assert seen["instance"]["revision"] == 2
    assert [h["action"] for h in seen["history"]] == ["start", "claim", "unclaim", "complete"]


def test_tasks_filters(client, alur):
    alur.start(SOP, "kepala-dinas")
    alur.start("sulteng-penyusunan-iki", "kepala-dinas")
    everything = client.get("/api/tasks", headers=basic("kepala-dinas")).get_json()
    assert len(everything) == 2
    one = client.get(f"/api/tasks?process_id={SOP}", headers=basic("kepala-dinas")).get_json()
    assert [t["process_id"] for t in one] == [SOP]
    assert client.get("/api/tasks?overdue=1", headers=basic("kepala-dinas")).get_json() == []


def test_tasks_pages(client, alur):
    views = [alur.start(SOP, "kepala-dinas") for _ in range(3)]
    newest_first = [v.ready_tasks[0].id for v in reversed(views)]
    first = client.get("/api/tasks?limit=2", headers=basic("kepala-dinas"))
    assert [t["id"] for t in first.get_json()] == newest_first[:2]
    assert first.headers["X-Total-Count"] == "3"
    assert first.headers["Link"] == '</api/tasks?limit=2&offset=2>; rel="next"'
    last = client.get("/api/tasks?limit=2&offset=2", headers=basic("kepala-dinas"))
    assert [t["id"] for t in last.get_json()] == newest_first[2:] and "Link" not in last.headers
    for bad in ("limit=0", "limit=x", "offset=-1", "offset=1.5"):
        response = client.get(f"/api/tasks?{bad}", headers=basic("kepala-dinas"))
        assert response.status_code == 400 and bad.split("=")[0] in response.get_json()["error"]


def test_invalid_data_names_the_field_and_changes_nothing(client, alur):
    view = alur.start(SOP, "kepala-dinas")
    task = view.ready_tasks[0]
    response = client.post(f"/api/tasks/{task.id}/complete", headers=basic("kepala-dinas"),
                           json={"data": {"isi_disposisi": "", "tidak_dikenal": 1}})
    assert response.status_code == 422
    body = response.get_json()
    assert body["fields"] == {"isi_disposisi": "minimal 3 karakter", "tidak_dikenal": "isian tidak dikenal"}
    not_object = client.post(f"/api/tasks/{task.id}/complete", headers=basic("kepala-dinas"), json={"data": [1]})
    assert not_object.status_code == 422 and "data" in not_object.get_json()["fields"]
    assert alur.instance(view.id).revision == 1
    assert alur.task(task.id).status == "ready"


def test_refusals_wrong_role_invisible_conflict(client, alur):
    view = alur.start(SOP, "kepala-dinas")
    task = view.ready_tasks[0]
    assert client.post(f"/api/tasks/{task.id}/claim", headers=basic("sekretaris")).status_code == 403
    assert client.post(f"/api/tasks/{task.id}/complete", headers=basic("sekretaris"),
                       json={"data": {"isi_disposisi": "Kerjakan"}}).status_code == 403
    assert client.get(f"/api/tasks/{task.id}", headers=basic("pegawai-lain")).status_code == 404
    assert client.get(f"/api/instances/{view.id}", headers=basic("pegawai-lain")).status_code == 404
    assert client.post(f"/api/processes/{SOP}/instances", json={"perihal": "SKP Triwulan IV"}, headers=basic("sekretaris")).status_code == 403
    assert client.post("/api/processes/tidak-ada/instances", json={"perihal": "SKP Triwulan IV"}, headers=basic("kepala-dinas")).status_code == 404
    stale = client.post(f"/api/tasks/{task.id}/complete", headers=basic("kepala-dinas"),
                        json={"data": {"isi_disposisi": "Kerjakan"}, "revision": 7})
    assert stale.status_code == 409
    assert client.get("/api/tidak-ada", headers=basic("kepala-dinas")).get_json()["error"]
    assert alur.instance(view.id).revision == 1
    assert [h.action for h in alur.history(view.id)] == ["start"]


def test_session_calls_need_the_csrf_header(client, login, csrf_of, alur):
    view = alur.start(SOP, "kepala-dinas")
    task = view.ready_tasks[0]
    login(client, "kepala-dinas")
    assert client.get("/api/tasks").status_code == 200  # reading needs no token
    assert client.post(f"/api/tasks/{task.id}/claim").status_code == 400
    assert alur.task(task.id).claimed_by is None
    response = client.post(f"/api/tasks/{task.id}/claim", headers={"X-CSRF-Token": csrf_of(client)})
    assert response.status_code == 200
    assert alur.task(task.id).claimed_by == "kepala-dinas"


def test_basic_auth_is_used_alone_even_with_a_session(client, login, alur):
    view = alur.start(SOP, "kepala-dinas")
    login(client, "kepala-dinas")
    # Wrong Basic credentials do not fall back to the session's user.
    response = client.post(f"/api/tasks/{view.ready_tasks[0].id}/claim", headers=basic("kepala-dinas", "salah"))
    assert response.status_code == 401
    assert alur.task(view.ready_tasks[0].id).claimed_by is None


@pytest.mark.parametrize("body", ["bukan json", '{"data": '])
def test_a_body_that_is_not_json_is_refused(client, alur, body):
    view = alur.start(SOP, "kepala-dinas")
    response = client.post(f"/api/tasks/{view.ready_tasks[0].id}/complete", headers=basic("kepala-dinas"),
                           data=body, content_type="application/json")
    assert response.status_code == 400
    assert alur.instance(view.id).revision == 1


def test_me(client):
    me = client.get("/api/me", headers=basic("kasubbag")).get_json()
    assert me == {"username": "kasubbag", "display_name": "Kasubbag",
                  "roles": ["kepala-sub-bagian-program-keuangan-dan-aset"]}


def test_unclaim_refusals(client, alur):
    view = alur.start(SOP, "kepala-dinas")
    task = view.ready_tasks[0]
    assert client.post(f"/api/tasks/{task.id}/unclaim", headers=basic("kepala-dinas")).status_code == 409
    alur.claim(task.id, "kepala-dinas")
    assert client.post(f"/api/tasks/{task.id}/unclaim", headers=basic("sekretaris")).status_code == 403
    assert client.post(f"/api/tasks/{task.id}/unclaim").status_code == 401
    assert alur.task(task.id).claimed_by == "kepala-dinas"


def test_the_description_describes_every_route_and_only_those(app, client):
    spec = client.get("/api/openapi.json").get_json()
    described = {(method.upper(), path, operation["operationId"])
                 for path, methods in spec["paths"].items() for method, operation in methods.items()}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = rule.rule.removeprefix("/api")
            for converter in ("<int:", "<"):
                path = path.replace(converter, "{")
            path = path.replace(">", "}")
            routes |= {(method, path, rule.endpoint.removeprefix("api."))
                       for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == routes


def test_the_description_is_built_from_the_routes_and_refuses_an_undescribed_one():
    described = Blueprint("probe", __name__)

    @described.route("/things/<int:thing_id>/<name>", methods=("GET", "POST"))
    @operation("A thing", {"200": json_response(ref("Error"), "Barang")})
    def thing(thing_id, name):
        return ""

    paths = spec("http://localhost/probe", described)["paths"]
    assert set(paths) == {"/things/{thing_id}/{name}"}
    operations = paths["/things/{thing_id}/{name}"]
    assert set(operations) == {"get", "post"} and operations["get"]["operationId"] == "thing"
    assert [(p["name"], p["schema"].get("type")) for p in operations["post"]["parameters"]] == [
        ("thing_id", "integer"), ("name", "string")]

    undescribed = Blueprint("probe2", __name__)
    undescribed.add_url_rule("/lost", "lost", lambda: "")
    with pytest.raises(LookupError, match=r"/lost \(probe2.lost\) has no OpenAPI description"):
        spec("http://localhost/probe2", undescribed)


def test_other_methods_are_refused_with_405_and_allow(client, login):
    response = client.delete("/api/tasks", headers=basic("kepala-dinas"))
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    assert response.get_json()["error"]
    # On the session too, before any CSRF check: no view runs for a method the route does not have.
    login(client, "kepala-dinas")
    response = client.put("/api/tasks/00000000-0000-0000-0000-000000000000/claim")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}


def test_overdue_is_a_boolean(client, alur):
    alur.start(SOP, "kepala-dinas")
    for value, count in (("true", 0), ("1", 0), ("false", 1), ("0", 1)):
        response = client.get(f"/api/tasks?overdue={value}", headers=basic("kepala-dinas"))
        assert (response.status_code, len(response.get_json())) == (200, count), value
    response = client.get("/api/tasks?overdue=ya", headers=basic("kepala-dinas"))
    assert response.status_code == 400
    assert response.get_json() == {"error": "parameter overdue harus true atau false"}

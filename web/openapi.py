"""The OpenAPI 3.1 description of the JSON API (web/api.py), generated from its routes by apispec.

The routes are the one source of the paths, methods and path parameters: apispec's Flask plugin
reads each /api route of the blueprint, and `operation` (on the route, in web/api.py) says what the
route answers. A route without it fails the build of the document, so none can go undescribed. The
component schemas of the bodies (SCHEMAS) are kept here, in one place, and registered once; the
API's real responses are checked against them by the fuzz test (tests/web/test_api_fuzz.py).
"""
from __future__ import annotations

import re
from typing import Any, Callable

from apispec import APISpec
from apispec_webframeworks.flask import FlaskPlugin
from flask import Blueprint, Flask

from alur.runtime.whole_numbers import MAX_ID


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def json_response(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": json_response(ref("Error"), "Permintaan tidak sah (parameter, badan JSON, token CSRF pada sesi; NUL atau "
                                "surrogate tanpa pasangan dalam teks, JSON bersarang lebih dari 32 tingkat: "
                                "`fields` menyebut isiannya)"),
    "401": json_response(ref("Error"), "Belum masuk atau kredensial salah"),
    "403": json_response(ref("Error"), "Peran pengguna tidak mencakup lane ini"),
    "404": json_response(ref("Error"), "Tidak ada, atau tidak terlihat oleh pengguna ini"),
    "429": {**json_response(ref("Error"), "Terlalu banyak percobaan masuk HTTP Basic yang gagal; tunggu selama "
                                   "header Retry-After (detik)"),
            "headers": {"Retry-After": {"required": True, "schema": {"type": "integer"}}}},
}
CONFLICT = {"409": json_response(ref("Error"), "Tugas atau proses sudah berubah; muat ulang dan coba lagi")}
INVALID = {"422": json_response(ref("InvalidData"), "Isian tidak sah; `fields` menyebut isian dan pesannya")}
TOO_LARGE = {"413": json_response(ref("Error"), "Badan permintaan melebihi batas (berkas paling besar 10 MiB)")}
# Text as the request guard (web/request_guard.py) lets it in: no NUL character.
TEXT = {"type": "string", "pattern": "^[^\\u0000]*$"}
# What a path parameter of a route holds: by its converter (<int:...>), else by its name, else text.
INT_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
PATH_SCHEMAS = {"task_id": {"type": "string", "format": "uuid"}}
_PATH_ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _object(properties: dict) -> dict:
    """An object schema whose properties are all always present (the routes send every field)."""
    return {"type": "object", "properties": properties, "required": list(properties)}


def links(task_id: str | None = None, instance_id: str | None = None) -> dict:
    """OpenAPI links from a response holding a task id and/or an instance id (runtime expressions
    such as `$response.body#/id`) to the operations that take them; clients and the fuzzer follow them."""
    links = {}
    if task_id:
        for operation in ("task", "claim", "unclaim", "complete", "upload"):
            links[operation] = {"operationId": operation, "parameters": {"task_id": task_id}}
    if instance_id:
        links["instance"] = {"operationId": "instance", "parameters": {"instance_id": instance_id}}
    return links


SCHEMAS = {
    "Error": {"type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"]},
    "InvalidData": {
        "type": "object",
        "properties": {"error": {"type": "string"},
                       "fields": {"type": "object", "additionalProperties": {"type": "string"}}},
        "required": ["error", "fields"],
    },
    "Me": _object({"username": {"type": "string"}, "display_name": {"type": "string"},
                   "roles": {"type": "array", "items": {"type": "string"}}}),
    "Task": _object({
        "id": {"type": "string"}, "instance_id": {"type": "integer"}, "process_id": {"type": "string"},
        "org": {"type": "string"}, "task_spec": {"type": "string", "description": "BPMN element id"},
        "name": {"type": "string"}, "lane": {"type": "string"}, "role": {"type": "string"},
        "form": {"type": ["string", "null"]}, "standard_minutes": {"type": ["integer", "null"]},
        "status": {"type": "string", "enum": ["ready", "completed", "cancelled"]},
        "ready_at": {"type": "string", "format": "date-time"},
        "due_at": {"type": ["string", "null"], "format": "date-time"},
        "claimed_by": {"type": ["string", "null"]}, "completed_by": {"type": ["string", "null"]},
        "completed_at": {"type": ["string", "null"], "format": "date-time"},
    }),
    "TaskDetails": _object({
        "task": ref("Task"), "process_name": {"type": "string"},
        "revision": {"type": "integer", "description": "pass back to complete to detect concurrent changes"},
        "properties": {"type": "object", "description": "sopStep, waktu, kelengkapan, output, ..."},
        "documentation": {"type": "string"},
        "form": {"type": ["object", "null"], "description": "the task's JSON Schema"},
    }),
    "Instance": _object({
        "id": {"type": "integer"}, "process_id": {"type": "string"}, "version": {"type": "integer"},
        "status": {"type": "string", "enum": ["running", "completed"]}, "revision": {"type": "integer"},
        "started_by": {"type": "string"}, "started_at": {"type": "string", "format": "date-time"},
        "completed_at": {"type": ["string", "null"], "format": "date-time"},
        "ready_tasks": {"type": "array", "items": ref("Task")},
        "perihal": {"type": "string", "description": "what the case is about (\"\" for one started before perihal existed)"},
        "nomor": {"type": ["string", "null"], "description": "its reference number, if any"},
    }),
    "AuditEntry": _object({
        "id": {"type": "integer"}, "at": {"type": "string", "format": "date-time"}, "actor": {"type": "string"},
        "action": {"type": "string", "description": "start, claim, unclaim, complete, return, end, ..."},
        "process_id": {"type": ["string", "null"]}, "version": {"type": ["integer", "null"]},
        "instance_id": {"type": ["integer", "null"]}, "task_id": {"type": ["string", "null"]},
        "task_spec": {"type": ["string", "null"]},
        "data": {"type": "object", "description": "what was entered (form data, notes)"},
    }),
    "Attachment": _object({
        "id": {"type": "integer"},
        "name": {"type": "string", "description": "generated name; put it in the form's attachment field"},
        "instance_id": {"type": "integer"}, "task_id": {"type": ["string", "null"]},
        "original_name": {"type": "string"}, "content_type": {"type": "string"},
        "size": {"type": "integer"}, "sha256": {"type": "string"},
        "uploaded_by": {"type": "string"}, "uploaded_at": {"type": "string", "format": "date-time"},
    }),
    "Process": _object({
        "process_id": {"type": "string"}, "org": {"type": "string"}, "name": {"type": "string"},
        "version": {"type": "integer"}, "content_hash": {"type": "string"},
        "deployed_at": {"type": "string", "format": "date-time"},
        "deployed_by": {"type": "string"}, "running_instances": {"type": "integer"},
    }),
    "ReportStep": _object({
        "step": {"type": "string", "description": "BPMN task id"}, "name": {"type": "string"},
        "lane": {"type": "string"},
        "completed": {"type": "integer", "description": "every completion in the period, repeats after a return too"},
        "returns": {"type": "integer", "description": "times this review step sent the document back"},
        "median_minutes": {"type": ["integer", "null"], "description": "working minutes, nearest-rank"},
        "p90_minutes": {"type": ["integer", "null"], "description": "working minutes, nearest-rank"},
        "standard_minutes": {"type": ["integer", "null"]},
        "on_time_ratio": {"type": ["number", "null"], "description": "share of completions within the standard"},
        "waiting": {"type": "integer", "description": "ready now"}, "overdue": {"type": "integer"},
        "return_rate": {"type": ["number", "null"], "description": "returns per completion"},
    }),
    "Report": _object({
        "process_id": {"type": "string"}, "instances_started": {"type": "integer"},
        "instances_finished": {"type": "integer"}, "steps": {"type": "array", "items": ref("ReportStep")},
        "process_name": {"type": "string"}, "org": {"type": "string"}, "org_name": {"type": "string"},
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
        "cycle": _object({"median_minutes": {"type": ["integer", "null"]}, "p90_minutes": {"type": ["integer", "null"]},
                          "standard_minutes": {"type": ["integer", "null"]},
                          "on_time_ratio": {"type": ["number", "null"]}}),
        "months": {"type": "array", "items": _object({
            "month": {"type": "string", "description": "YYYY-MM"}, "started": {"type": "integer"},
            "finished": {"type": "integer"}, "median_cycle_minutes": {"type": ["integer", "null"]}})},
        "waiting_by_lane": {"type": "array", "items": _object({
            "lane": {"type": "string"}, "waiting": {"type": "integer"}, "overdue": {"type": "integer"}})},
        "waiting_by_person": {"type": "array", "items": _object({
            "username": {"type": "string"}, "name": {"type": "string"}, "waiting": {"type": "integer"},
            "overdue": {"type": "integer"}})},
    }),
    "InstanceDetails": _object({
        "instance": ref("Instance"),
        "tasks": {"type": "array", "items": ref("Task")},
        "history": {"type": "array", "items": ref("AuditEntry")},
        "attachments": {"type": "array", "items": ref("Attachment")},
    }),
}


SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "personal API token (alur_...)"},
    "basic": {"type": "http", "scheme": "basic"},
    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
}
DESCRIPTION = ("Tugas, proses dan SOP Alur untuk integrasi dengan sistem lain. "
               "Masuk dengan token API pribadi (Authorization: Bearer alur_...) atau HTTP Basic; "
               "panggilan dengan cookie sesi memerlukan header X-CSRF-Token.")
UNDESCRIBED = {"openapi"}  # the description itself


def operation(summary: str, responses: dict, *, parameters: list | None = None,
              request_body: dict | None = None) -> Callable:
    """What an /api route answers, put on the route (between @bp.route and the login guard). Its
    operationId is the route's endpoint name; its path parameters come from the route."""
    described: dict[str, Any] = {"summary": summary, "responses": responses}
    if parameters:
        described["parameters"] = parameters
    if request_body:
        described["requestBody"] = request_body

    def mark(view: Callable) -> Callable:
        view.openapi_operation = described  # type: ignore[attr-defined]
        return view

    return mark


def _path_parameters(rule: str) -> list[dict]:
    parameters = []
    for match in _PATH_ARGUMENT.finditer(rule):
        name = match["name"]
        schema = INT_ID if match["converter"] == "int" else PATH_SCHEMAS.get(name, TEXT)
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return parameters


def spec(server_url: str, blueprint: Blueprint | None = None) -> dict:
    """The OpenAPI document of `blueprint`'s routes (the API's), with `server_url` (…/api) as its server."""
    if blueprint is None:
        from .api import bp as blueprint

    routes = Flask(__name__)  # the API's routes alone, at the server's root (paths relative to …/api)
    routes.register_blueprint(blueprint, url_prefix="/")
    document = APISpec(title="Alur API", version="1", openapi_version="3.1.0", plugins=[FlaskPlugin()],
                       info={"description": DESCRIPTION}, servers=[{"url": server_url}],
                       security=[{"bearer": []}, {"basic": []}, {"session": [], "csrf": []}])
    for name, scheme in SECURITY_SCHEMES.items():
        document.components.security_scheme(name, scheme)
    for name, schema in SCHEMAS.items():
        document.components.schema(name, schema)
    for rule in routes.url_map.iter_rules():
        if rule.endpoint.removeprefix(f"{blueprint.name}.") in UNDESCRIBED or rule.endpoint == "static":
            continue
        view = routes.view_functions[rule.endpoint]
        described = getattr(view, "openapi_operation", None)
        if described is None:
            raise LookupError(f"the API route {rule.rule} ({rule.endpoint}) has no OpenAPI description: "
                              "put web/openapi.operation on it")
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        operations = {method.lower(): {
            "operationId": rule.endpoint.removeprefix(f"{blueprint.name}."), **described,
            "parameters": _path_parameters(rule.rule) + described.get("parameters", []),
        } for method in methods}
        for operation_ in operations.values():
            if not operation_["parameters"]:
                del operation_["parameters"]
        document.path(view=view, operations=operations, app=routes)
    return document.to_dict()

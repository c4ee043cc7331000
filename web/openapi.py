"""The OpenAPI 3.1 description of the JSON API (web/api.py)."""
from __future__ import annotations

from alur.runtime.whole_numbers import MAX_ID


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json(_ref("Error"), "Permintaan tidak sah (parameter, badan JSON, token CSRF pada sesi; NUL atau "
                                "surrogate tanpa pasangan dalam teks, JSON bersarang lebih dari 32 tingkat: "
                                "`fields` menyebut isiannya)"),
    "401": _json(_ref("Error"), "Belum masuk atau kredensial salah"),
    "403": _json(_ref("Error"), "Peran pengguna tidak mencakup lane ini"),
    "404": _json(_ref("Error"), "Tidak ada, atau tidak terlihat oleh pengguna ini"),
    "429": {**_json(_ref("Error"), "Terlalu banyak percobaan masuk HTTP Basic yang gagal; tunggu selama "
                                   "header Retry-After (detik)"),
            "headers": {"Retry-After": {"required": True, "schema": {"type": "integer"}}}},
}
CONFLICT = {"409": _json(_ref("Error"), "Tugas atau proses sudah berubah; muat ulang dan coba lagi")}
INVALID = {"422": _json(_ref("InvalidData"), "Isian tidak sah; `fields` menyebut isian dan pesannya")}
TOO_LARGE = {"413": _json(_ref("Error"), "Badan permintaan melebihi batas (berkas paling besar 10 MiB)")}
# Text as the request guard (web/request_guard.py) lets it in: no NUL character.
TEXT = {"type": "string", "pattern": "^[^\\u0000]*$"}
TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}


def _object(properties: dict) -> dict:
    """An object schema whose properties are all always present (the routes send every field)."""
    return {"type": "object", "properties": properties, "required": list(properties)}


def _links(task_id: str | None = None, instance_id: str | None = None) -> dict:
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
        "task": _ref("Task"), "process_name": {"type": "string"},
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
        "ready_tasks": {"type": "array", "items": _ref("Task")},
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
    "InstanceDetails": _object({
        "instance": _ref("Instance"),
        "tasks": {"type": "array", "items": _ref("Task")},
        "history": {"type": "array", "items": _ref("AuditEntry")},
        "attachments": {"type": "array", "items": _ref("Attachment")},
    }),
}


def spec(server_url: str) -> dict:
    """The OpenAPI document, with `server_url` (…/api) as its server."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Alur API",
            "version": "1",
            "description": "Tugas, proses dan SOP Alur untuk integrasi dengan sistem lain. "
                           "Masuk dengan token API pribadi (Authorization: Bearer alur_...) atau HTTP Basic; "
                           "panggilan dengan cookie sesi memerlukan header X-CSRF-Token.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}, {"basic": []}, {"session": [], "csrf": []}],
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "personal API token (alur_...)"},
                "basic": {"type": "http", "scheme": "basic"},
                "session": {"type": "apiKey", "in": "cookie", "name": "session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            },
            "schemas": SCHEMAS,
        },
        # Each operationId is the route's endpoint name in web/api.py.
        "paths": {
            "/me": {"get": {
                "operationId": "me", "summary": "The logged-in user and roles",
                "responses": {"200": _json(_ref("Me"), "Pengguna"), **ERRORS},
            }},
            "/tasks": {"get": {
                "operationId": "tasks",
                "summary": "A page of the ready tasks of the lanes the user's roles cover, newest first",
                "parameters": [
                    {"name": "process_id", "in": "query", "schema": TEXT},
                    {"name": "overdue", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "q", "in": "query", "description": "only tasks whose instance's perihal or nomor "
                     "contains this text (any case; % and _ are taken literally)", "schema": TEXT},
                    {"name": "limit", "in": "query", "description": "tasks per page; a larger limit than 500 "
                     "is served as 500", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID, "default": 100}},
                    {"name": "offset", "in": "query",
                     "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID, "default": 0}},
                ],
                "responses": {"200": {**_json({"type": "array", "items": _ref("Task")}, "Tugas"), "headers": {
                    "X-Total-Count": {"description": "ready tasks matching the filters, on all pages",
                                      "schema": {"type": "integer"}},
                    "X-Total-Count-At-Least": {"description": "sent instead of X-Total-Count when there are "
                                               "more than offset + 100: counting stopped there",
                                               "schema": {"type": "integer"}},
                    "Link": {"description": 'the next page, as <url>; rel="next", when there is one',
                             "schema": {"type": "string"}},
                }, "links": _links("$response.body#/0/id", "$response.body#/0/instance_id")}, **ERRORS},
            }},
            "/tasks/{task_id}": {"get": {
                "operationId": "task", "summary": "A task with its SOP step, mutu baku and form schema",
                "parameters": [TASK_ID],
                "responses": {"200": {**_json(_ref("TaskDetails"), "Tugas"), "links": _links(
                    "$response.body#/task/id", "$response.body#/task/instance_id")}, **ERRORS},
            }},
            "/tasks/{task_id}/claim": {"post": {
                "operationId": "claim", "summary": "Claim a ready task", "parameters": [TASK_ID],
                "responses": {"200": {**_json(_ref("Task"), "Diambil"), "links": _links(
                    "$response.body#/id", "$response.body#/instance_id")}, **ERRORS, **CONFLICT},
            }},
            "/tasks/{task_id}/unclaim": {"post": {
                "operationId": "unclaim", "summary": "Give a claimed task back to the lane", "parameters": [TASK_ID],
                "responses": {"200": {**_json(_ref("Task"), "Dilepas"), "links": _links(
                    "$response.body#/id", "$response.body#/instance_id")}, **ERRORS, **CONFLICT},
            }},
            "/tasks/{task_id}/complete": {"post": {
                "operationId": "complete", "summary": "Complete a task with form data",
                "parameters": [TASK_ID],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {
                        "data": {"type": "object", "description": "values for the task's form"},
                        "revision": {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                                     "description": "refuse (409) if the instance moved on"},
                    },
                    "required": ["data"],
                }}}},
                "responses": {"200": {**_json(_ref("Instance"), "Selesai"), "links": _links(
                    "$response.body#/ready_tasks/0/id", "$response.body#/id")},
                    **ERRORS, **CONFLICT, **TOO_LARGE, **INVALID},
            }},
            "/tasks/{task_id}/attachments": {"post": {
                "operationId": "upload",
                "summary": "Upload a document (pdf, doc(x), xls(x), odt, ods, png, jpg; at most 10 MiB)",
                "parameters": [TASK_ID],
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }}}},
                "responses": {"201": {**_json(_ref("Attachment"), "Tersimpan"), "links": _links(
                    "$response.body#/task_id", "$response.body#/instance_id")},
                    **ERRORS, **CONFLICT, **TOO_LARGE, **INVALID},
            }},
            "/processes": {"get": {
                "operationId": "processes", "summary": "Deployed processes with their current version",
                "responses": {"200": {**_json({"type": "array", "items": _ref("Process")}, "SOP"), "links": {
                    "start": {"operationId": "start", "parameters": {"process_id": "$response.body#/0/process_id"}},
                }}, **ERRORS},
            }},
            "/processes/{process_id}/instances": {"post": {
                "operationId": "start",
                "summary": "Start an instance of the newest version (the user must hold the start lane's role)",
                "description": "The body names what the case is about: `perihal` (required, 1-500 characters "
                               "after trimming) and its reference number `nomor` (optional, at most 100). A "
                               "missing or bad one is a 422 whose `fields` names it; nothing is started.",
                "parameters": [{"name": "process_id", "in": "path", "required": True, "schema": TEXT}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {
                    "type": "object", "required": ["perihal"], "additionalProperties": False,
                    "properties": {"perihal": {**TEXT, "minLength": 1, "maxLength": 500},
                                   "nomor": {"type": ["string", "null"], "pattern": "^[^\\u0000]*$", "maxLength": 100}},
                }}}},
                "responses": {"201": {**_json(_ref("Instance"), "Dimulai"), "headers": {
                    "Location": {"description": "the new instance (/api/instances/{id})", "required": True,
                                 "schema": {"type": "string"}},
                }, "links": _links("$response.body#/ready_tasks/0/id", "$response.body#/id")}, **ERRORS,
                              "422": _json(_ref("Error"), "Perihal atau nomor tidak sah (`fields` menyebutnya), "
                                                                "atau model SOP gagal sebelum langkah pertamanya")},
            }},
            "/instances/{instance_id}": {"get": {
                "operationId": "instance", "summary": "An instance with its tasks, history and attachments",
                "parameters": [{"name": "instance_id", "in": "path", "required": True,
                                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}],
                "responses": {"200": {**_json(_ref("InstanceDetails"), "Proses"), "links": _links(
                    "$response.body#/instance/ready_tasks/0/id")}, **ERRORS},
            }},
        },
    }

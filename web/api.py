"""JSON API under /api/ for other systems: the same verbs as the pages.

Authentication: a personal API token (`Authorization: Bearer alur_...`, made on
the Token API page or with `alur tokens create`), HTTP Basic (user name and
password: a deliberately slow password check on every call), or the browser session;
unsafe calls on the session also need the X-CSRF-Token header. Errors are
JSON: {"error": message} plus "fields" (field -> message) for invalid data.
The OpenAPI description is at /api/openapi.json.
"""
from __future__ import annotations

import functools

from flask import Blueprint, abort, g, jsonify, request, url_for

from alur.runtime import accounts, login_throttle, tokens, views
from alur.runtime.attachments import Upload
from alur.runtime.inbox import MAX_PAGE_SIZE
from alur.runtime.inbox import inbox as inbox_page
from alur.runtime.whole_numbers import MAX_ID, parse_whole

from .auth import check_password
from .openapi import CONFLICT, ERRORS, INVALID, TEXT, TOO_LARGE, json_response, links, ref
from .openapi import operation as described
from .services import actor, attachment_store, engine

bp = Blueprint("api", __name__, url_prefix="/api")

API_PAGE_SIZE = 100


def api_login_required(view):
    """A bearer token or Basic credentials when given (and then only those), else the session's user."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        credentials = request.authorization
        if credentials is not None:
            account = None
            if credentials.type == "bearer" and credentials.token:
                account = tokens.authenticate_token(engine(), credentials.token)
                if account is None:
                    return jsonify(error="token tidak berlaku"), 401
            elif credentials.type == "basic" and credentials.username and credentials.password:
                account, verdict = check_password(credentials.username, credentials.password)
                if not verdict.allowed:
                    wait = login_throttle.describe_wait(verdict.wait_seconds)
                    return jsonify(error=f"terlalu banyak percobaan masuk yang gagal; coba lagi dalam {wait}"), \
                        429, {"Retry-After": str(verdict.wait_seconds)}
                if account is None:
                    accounts.record_login(engine(), credentials.username, False, request.remote_addr)
            if account is None:
                return jsonify(error="kredensial salah"), 401
            g.user = account
        elif g.get("user") is None:
            return jsonify(error="belum masuk: gunakan HTTP Basic atau sesi"), 401
        return view(**kwargs)

    return wrapped


def _body() -> dict:
    body = request.get_json(silent=True)
    if body is None and request.content_length:
        abort(400, description="badan permintaan harus JSON")
    if body is not None and not isinstance(body, dict):
        abort(400, description="badan permintaan harus berupa objek JSON")
    return body or {}


@bp.route("/openapi.json")
def openapi():
    from .openapi import spec

    return jsonify(spec(url_for("api.openapi", _external=True).removesuffix("/openapi.json")))


@bp.route("/me")
@described("The logged-in user and roles", {"200": json_response(ref("Me"), "Pengguna"), **ERRORS})
@api_login_required
def me():
    return jsonify(username=g.user.username, display_name=g.user.display_name, roles=sorted(g.user.roles))


def _count_arg(name: str, default: int, least: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    value = parse_whole(raw, least)
    if value is None:
        abort(400, description=f"parameter {name} harus bilangan bulat dari {least} sampai {MAX_ID}")
    return value


def _flag_arg(name: str) -> bool:
    raw = request.args.get(name)
    if raw in (None, "0", "false"):
        return False
    if raw in ("1", "true"):
        return True
    abort(400, description=f"parameter {name} harus true atau false")


@bp.route("/tasks")
@described("A page of the ready tasks of the lanes the user's roles cover, newest first", parameters=[
    {"name": "process_id", "in": "query", "schema": TEXT},
    {"name": "overdue", "in": "query", "schema": {"type": "boolean"}},
    {"name": "q", "in": "query", "description": "only tasks whose instance's perihal or nomor contains this text "
     "(any case; % and _ are taken literally)", "schema": TEXT},
    {"name": "limit", "in": "query", "description": "tasks per page; a larger limit than 500 is served as 500",
     "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID, "default": 100}},
    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_ID, "default": 0}},
], responses={"200": {**json_response({"type": "array", "items": ref("Task")}, "Tugas"), "headers": {
    "X-Total-Count": {"description": "ready tasks matching the filters, on all pages", "schema": {"type": "integer"}},
    "X-Total-Count-At-Least": {"description": "sent instead of X-Total-Count when there are more than offset + 100: "
                               "counting stopped there", "schema": {"type": "integer"}},
    "Link": {"description": 'the next page, as <url>; rel="next", when there is one', "schema": {"type": "string"}},
}, "links": links("$response.body#/0/id", "$response.body#/0/instance_id")}, **ERRORS})
@api_login_required
def tasks():
    """A page of the user's ready tasks, newest first; the total is in X-Total-Count (or, past
    alur.runtime.inbox.COUNT_CAP, X-Total-Count-At-Least), the next page in Link."""
    limit = min(_count_arg("limit", API_PAGE_SIZE, 1), MAX_PAGE_SIZE)
    offset = _count_arg("offset", 0, 0)
    process_id = request.args.get("process_id") or None
    overdue = _flag_arg("overdue")
    query = request.args.get("q") or None
    page = inbox_page(engine(), g.user.username, process_id=process_id, overdue=overdue, limit=limit, offset=offset,
                      counts=False, actor=actor(), query=query)
    response = jsonify([t.to_dict() for t in page.tasks])
    if page.total.more:  # counting stops at a cap: a bounded cost however many tasks wait
        response.headers["X-Total-Count-At-Least"] = str(page.total.value)
    else:
        response.headers["X-Total-Count"] = str(page.total.value)
    if page.has_next:
        following = url_for("api.tasks", limit=limit, offset=offset + limit, process_id=process_id,
                            overdue="1" if overdue else None, q=query)
        response.headers["Link"] = f'<{following}>; rel="next"'
    return response


@bp.route("/tasks/<task_id>")
@described("A task with its SOP step, mutu baku and form schema", {"200": {
    **json_response(ref("TaskDetails"), "Tugas"),
    "links": links("$response.body#/task/id", "$response.body#/task/instance_id")}, **ERRORS})
@api_login_required
def task(task_id):
    details = views.task_details(engine(), task_id, actor())  # NotFound unless the user may see it
    return jsonify(task=details["task"].to_dict(), process_name=details["process_name"],
                   revision=details["revision"], properties=details["properties"],
                   documentation=details["documentation"], form=details["form"])


@bp.route("/tasks/<task_id>/claim", methods=("POST",))
@described("Claim a ready task", {"200": {**json_response(ref("Task"), "Diambil"), "links": links(
    "$response.body#/id", "$response.body#/instance_id")}, **ERRORS, **CONFLICT})
@api_login_required
def claim(task_id):
    return jsonify(engine().claim(task_id, g.user.username).to_dict())


@bp.route("/tasks/<task_id>/unclaim", methods=("POST",))
@described("Give a claimed task back to the lane", {"200": {**json_response(ref("Task"), "Dilepas"), "links": links(
    "$response.body#/id", "$response.body#/instance_id")}, **ERRORS, **CONFLICT})
@api_login_required
def unclaim(task_id):
    return jsonify(engine().unclaim(task_id, g.user.username).to_dict())


@bp.route("/tasks/<task_id>/complete", methods=("POST",))
@described("Complete a task with form data", request_body={"required": True, "content": {"application/json": {
    "schema": {"type": "object", "properties": {
        "data": {"type": "object", "description": "values for the task's form"},
        "revision": {"type": "integer", "minimum": 1, "maximum": MAX_ID,
                     "description": "refuse (409) if the instance moved on"},
    }, "required": ["data"]}}}}, responses={"200": {**json_response(ref("Instance"), "Selesai"), "links": links(
        "$response.body#/ready_tasks/0/id", "$response.body#/id")}, **ERRORS, **CONFLICT, **TOO_LARGE, **INVALID})
@api_login_required
def complete(task_id):
    body = _body()
    data = body.get("data", {})
    revision = body.get("revision")
    if not isinstance(data, dict):
        return jsonify(error="data tidak sah", fields={"data": "harus berupa objek JSON"}), 422
    if revision is not None and (type(revision) is not int or not 1 <= revision <= MAX_ID):
        return jsonify(error="data tidak sah", fields={"revision": f"harus bilangan bulat dari 1 sampai {MAX_ID}"}), 422
    view = attachment_store().complete(task_id, g.user.username, data, expected_revision=revision)
    return jsonify(view.to_dict())


@bp.route("/tasks/<task_id>/attachments", methods=("POST",))
@described("Upload a document (pdf, doc(x), xls(x), odt, ods, png, jpg; at most 10 MiB)", request_body={
    "required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"file": {"type": "string", "format": "binary"}}, "required": ["file"]}}},
}, responses={"201": {**json_response(ref("Attachment"), "Tersimpan"), "links": links(
    "$response.body#/task_id", "$response.body#/instance_id")}, **ERRORS, **CONFLICT, **TOO_LARGE, **INVALID})
@api_login_required
def upload(task_id):
    sent = request.files.get("file")
    view = attachment_store().store(task_id, g.user.username,
                                    Upload(sent.filename if sent else "", sent.stream if sent else None),
                                    field="file")
    return jsonify(view.to_dict()), 201


@bp.route("/processes")
@described("Deployed processes with their current version", {"200": {
    **json_response({"type": "array", "items": ref("Process")}, "SOP"),
    "links": {"start": {"operationId": "start", "parameters": {"process_id": "$response.body#/0/process_id"}}},
}, **ERRORS})
@api_login_required
def processes():
    return jsonify(engine().processes(g.user.org))


@bp.route("/processes/<process_id>/instances", methods=("POST",))
@described("Start an instance of the newest version (the user must hold the start lane's role)", {"201": {
    **json_response(ref("Instance"), "Dimulai"),
    "headers": {"Location": {"description": "the new instance (/api/instances/{id})", "required": True,
                             "schema": {"type": "string"}}},
    "links": links("$response.body#/ready_tasks/0/id", "$response.body#/id")}, **ERRORS,
    "422": json_response(ref("Error"), "Perihal atau nomor tidak sah (`fields` menyebutnya), "
                                       "atau model SOP gagal sebelum langkah pertamanya")},
    request_body={"required": True, "description": "The body names what the case is about: `perihal` (required, "
                  "1-500 characters after trimming) and its reference number `nomor` (optional, at most 100). A "
                  "missing or bad one is a 422 whose `fields` names it; nothing is started.",
                  "content": {"application/json": {"schema": {
                      "type": "object", "required": ["perihal"], "additionalProperties": False,
                      "properties": {"perihal": {**TEXT, "minLength": 1, "maxLength": 500},
                                     "nomor": {"type": ["string", "null"], "pattern": "^[^\\u0000]*$",
                                               "maxLength": 100}}}}}})
@api_login_required
def start(process_id):
    body = _body()
    # Unknown fields are refused by the engine, after it has found the process and the right to start it.
    unknown = sorted(set(body) - {"perihal", "nomor"})
    view = engine().start(process_id, g.user.username, perihal=body.get("perihal", ""), nomor=body.get("nomor"),
                          unknown_fields=unknown)
    return jsonify(view.to_dict()), 201, {"Location": url_for("api.instance", instance_id=view.id)}


@bp.route("/instances/<int:instance_id>")
@described("An instance with its tasks, history and attachments", {"200": {
    **json_response(ref("InstanceDetails"), "Proses"), "links": links("$response.body#/instance/ready_tasks/0/id")},
    **ERRORS})
@api_login_required
def instance(instance_id):
    view = engine().instance(instance_id, actor())  # NotFound unless the user may see it
    return jsonify(
        instance=view.to_dict(),
        tasks=[t.to_dict() for t in engine().instance_tasks(instance_id, actor())],
        history=[h.to_dict() for h in engine().history(instance_id, actor())],
        attachments=[a.to_dict() for a in attachment_store().for_instance(instance_id, actor())],
    )

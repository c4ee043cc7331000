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
from .services import attachment_store, engine

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


def _visible(instance_id: int) -> None:
    if not accounts.can_see_instance(engine(), g.user.username, instance_id):
        abort(404, description=f"proses {instance_id} tidak ditemukan")


@bp.route("/openapi.json")
def openapi():
    from .openapi import spec

    return jsonify(spec(url_for("api.openapi", _external=True).removesuffix("/openapi.json")))


@bp.route("/me")
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
                      counts=False, member=(g.user.org, g.user.roles), query=query)
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
@api_login_required
def task(task_id):
    details = views.task_details(engine(), task_id)
    _visible(details["task"].instance_id)
    return jsonify(task=details["task"].to_dict(), process_name=details["process_name"],
                   revision=details["revision"], properties=details["properties"],
                   documentation=details["documentation"], form=details["form"])


@bp.route("/tasks/<task_id>/claim", methods=("POST",))
@api_login_required
def claim(task_id):
    return jsonify(engine().claim(task_id, g.user.username).to_dict())


@bp.route("/tasks/<task_id>/unclaim", methods=("POST",))
@api_login_required
def unclaim(task_id):
    return jsonify(engine().unclaim(task_id, g.user.username).to_dict())


@bp.route("/tasks/<task_id>/complete", methods=("POST",))
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
@api_login_required
def upload(task_id):
    sent = request.files.get("file")
    view = attachment_store().store(task_id, g.user.username,
                                    Upload(sent.filename if sent else "", sent.stream if sent else None),
                                    field="file")
    return jsonify(view.to_dict()), 201


@bp.route("/processes")
@api_login_required
def processes():
    return jsonify(engine().processes(g.user.org))


@bp.route("/processes/<process_id>/instances", methods=("POST",))
@api_login_required
def start(process_id):
    body = _body()
    unknown = sorted(set(body) - {"perihal", "nomor"})
    if unknown:
        return jsonify(error="data tidak sah", fields={k: "isian tidak dikenal" for k in unknown}), 422
    view = engine().start(process_id, g.user.username, perihal=body.get("perihal", ""), nomor=body.get("nomor"))
    return jsonify(view.to_dict()), 201, {"Location": url_for("api.instance", instance_id=view.id)}


@bp.route("/instances/<int:instance_id>")
@api_login_required
def instance(instance_id):
    _visible(instance_id)
    view = engine().instance(instance_id)
    return jsonify(
        instance=view.to_dict(),
        tasks=[t.to_dict() for t in engine().instance_tasks(instance_id)],
        history=[h.to_dict() for h in engine().history(instance_id)],
        attachments=[a.to_dict() for a in attachment_store().for_instance(instance_id)],
    )

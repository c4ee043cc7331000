"""The Flask application factory of Alur's staff web app.

create_app builds the engine over the configured database, deploys every
BPMN file of processes/ (idempotent: unchanged files add no version) and
registers one blueprint per area. The views call the runtime only.
"""
from __future__ import annotations

import os
from dataclasses import replace
from datetime import date, datetime, timedelta

from flask import Flask, abort, current_app, g, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from alur.runtime import db, local_time
from alur.runtime.attachments import MAX_BYTES, Attachments
from alur.runtime.engine import Alur, AlurError, InvalidData
from alur.runtime.inbox import waiting_for
from alur.runtime.report import MONTHS
from alur.runtime.sessions import ABSOLUTE_TIMEOUT
from alur.runtime.settings import Settings
from alur.runtime.standard_time import format_minutes
from alur.runtime.whole_numbers import MAX_ID

from . import auth, permissions, request_guard, request_log, signing
from .i18n import shown

ERROR_TITLES = {
    400: "Permintaan tidak sah", 401: "Belum masuk", 403: "Tidak berhak", 404: "Tidak ditemukan",
    405: "Cara permintaan tidak didukung", 409: "Data sudah berubah", 413: "Berkas terlalu besar",
    415: "Jenis isi tidak didukung", 422: "Isian tidak sah", 429: "Terlalu banyak permintaan",
    500: "Terjadi kesalahan",
}
ACTION_LABELS = {
    "start": "memulai proses", "claim": "mengambil tugas", "unclaim": "melepas tugas",
    "complete": "menyelesaikan", "return": "mengembalikan untuk diperbaiki", "end": "proses selesai",
    "deploy": "memasang versi", "migrate": "memindahkan proses ke versi baru",
}
CSRF_REFUSED = "Token CSRF tidak ada atau tidak cocok. Muat ulang halaman lalu coba lagi."
csrf = CSRFProtect()


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` may carry ALUR_SETTINGS (a Settings), DATABASE_URL,
    ALUR_DEPLOY_ON_STARTUP (default True) and any Flask setting (tests pass these)."""
    config = dict(config or {})
    settings: Settings = config.pop("ALUR_SETTINGS", None) or Settings.from_env()
    if config.get("DATABASE_URL"):
        settings = replace(settings, database_url=config.pop("DATABASE_URL"))

    app = Flask(__name__)
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=MAX_BYTES + 2 * 1024 * 1024,  # room for the form fields around a 10 MiB file
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("ALUR_SECURE_COOKIES") == "1",  # set behind HTTPS
        PERMANENT_SESSION_LIFETIME=ABSOLUTE_TIMEOUT,  # the browser drops the cookie when the record expires
        ALUR_DEPLOY_ON_STARTUP=True,
        ALUR_TRUSTED_PROXIES=os.environ.get("ALUR_TRUSTED_PROXIES", "0"),
        # CSRF (Flask-WTF): checked by _check_csrf, which exempts the API calls that carry no session.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_HEADERS=["X-CSRF-Token"],
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as its session (a form may stay open for hours)
    )
    app.config.update(config)
    proxies = _trusted_proxies(app.config["ALUR_TRUSTED_PROXIES"])
    if proxies:
        # Behind that many reverse proxies, the client address (for login throttling and the
        # session list) is read from X-Forwarded-For, as the last proxy saw it; never otherwise.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    alur = Alur(settings, migrate=False)
    # The attachment store first: one that cannot be used (S3 not installed, not reachable, no such
    # bucket) stops the start with the setting to look at, before anything is written.
    try:
        attachments = Attachments(alur)
    except BaseException:
        alur.close()
        raise
    # Several servers starting at once take turns (db.startup_lock): the schema upgrade and the deploy
    # of processes/ are done by the first; the others find the schema at head and every file known.
    # A file of processes/ that cannot be deployed is logged and skipped (the app still starts); the
    # designers of its organisation see it on Daftar SOP.
    with db.startup_lock(alur.db):
        db.upgrade(alur.db)
        refused = alur.deploy_directory().refused if app.config["ALUR_DEPLOY_ON_STARTUP"] else []
    app.extensions["alur"] = alur
    app.extensions["alur_refused_files"] = refused
    app.extensions["alur_attachments"] = attachments

    signing.init_app(app, alur)  # the cookie keys every server of this database shares
    request_guard.init_app(app)
    request_log.init_app(app)  # added after the guard: its timer starts before the guard checks anything
    app.url_map.converters["int"] = DatabaseInteger  # before any route is added: every <int:...> is one
    csrf.init_app(app)  # the csrf_token() of the templates; the form field csrf_token, header X-CSRF-Token
    app.before_request(_check_csrf)
    auth.init_app(app)
    app.after_request(_security_headers)
    _register_filters(app, settings)
    permissions.register(app)
    _register_errors(app)
    app.context_processor(lambda: {"tasks_waiting": _tasks_waiting})

    from . import (account, admin, admin_calendar, api, attachments, designer, health, instances, metrics, processes,
                   reports, tasks, vendor)

    for module in (auth, tasks, instances, processes, reports, designer, admin, admin_calendar, account, attachments, api,
                   health, metrics, vendor):
        app.register_blueprint(module.bp)
    return app


def _check_csrf() -> None:
    """Every unsafe request needs this session's CSRF token (Flask-WTF), except API calls with
    credentials of their own: Basic or a bearer token carry no cookie a third site could borrow, and
    a call with no session user has nothing a forged request could ride on (the API answers 401)."""
    if request.method not in current_app.config["WTF_CSRF_METHODS"]:
        return
    if request.routing_exception is not None:
        return  # no view will run: the unknown path or method is answered 404 or 405
    if request.blueprint == "api" and (request.authorization is not None or not current_user.is_authenticated):
        return
    try:
        csrf.protect()
    except CSRFError:
        abort(400, description=CSRF_REFUSED)


class DatabaseInteger(IntegerConverter):
    """`<int:...>` in every route: ASCII digits making a number an INTEGER column holds (at most
    whole_numbers.MAX_ID). Anything longer or larger does not match the route (404): no such id can
    exist, and it never reaches the database (where it overflowed: a 500)."""

    regex = r"[0-9]{1,%d}" % len(str(MAX_ID))

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # werkzeug's parameter names
        super().__init__(map, fixed_digits, min, MAX_ID if max is None or max > MAX_ID else max, signed)


def _security_headers(response):
    # Pages use no inline script or style and are never framed.
    response.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def _trusted_proxies(value) -> int:
    """ALUR_TRUSTED_PROXIES: how many reverse proxies in front of the app set X-Forwarded-For (default 0)."""
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"ALUR_TRUSTED_PROXIES must be a whole number of proxies (0 for none), not {value!r}")
    return int(text)


def _register_filters(app: Flask, settings: Settings) -> None:
    zone = settings.calendar.zone

    @app.template_filter("waktu")
    def waktu(value: datetime | None) -> str:
        return local_time.waktu(value, zone)

    @app.template_filter("waktu_pendek")
    def waktu_pendek(value: datetime | None) -> str:
        return local_time.waktu_pendek(value, zone)

    @app.template_filter("durasi")
    def durasi(value: timedelta | None) -> str:
        if value is None:
            return "-"
        minutes = int(value.total_seconds() // 60)
        if minutes < 1:
            return "< 1 menit"
        days, rest = divmod(minutes, 24 * 60)
        hours, mins = divmod(rest, 60)
        parts = [f"{days} hari" if days else "", f"{hours} jam" if hours else "",
                 f"{mins} menit" if mins and not days else ""]
        return " ".join(p for p in parts if p)

    @app.template_filter("menit_kerja")
    def menit_kerja(value: int | None) -> str:
        return "-" if value is None else format_minutes(value)

    @app.template_filter("tanggal")
    def tanggal(value: date | None) -> str:
        """A day as Indonesian readers write it: "28 Desember 2026"."""
        return "-" if value is None else f"{value.day} {MONTHS[value.month - 1]} {value.year}"

    @app.template_filter("perihal")
    def perihal(value: str | None) -> str:
        return value or "(tanpa perihal)"

    @app.template_filter("pesan")
    def pesan(value) -> str:
        """A message of the runtime as the user reads it (web/i18n.py)."""
        return shown(str(value))

    app.jinja_env.globals["ACTION_LABELS"] = ACTION_LABELS


def _tasks_waiting():
    """The count of tasks waiting for the logged-in user (the header calls it once per page)."""
    user = g.user
    try:
        return waiting_for(current_app.extensions["alur"], user.username, user.org, user.roles)
    except SQLAlchemyError:  # the page that says the database is unreachable still renders
        return None


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _register_errors(app: Flask) -> None:
    @app.errorhandler(AlurError)
    def alur_error(exc: AlurError):
        # The runtime's messages are English; the user reads them in Indonesian (web/i18n.py).
        # The body keeps its keys: `error` (the message) and, for invalid data, `fields` (field -> message).
        fields = {name: shown(message) for name, message in exc.errors.items()} if isinstance(exc, InvalidData) else None
        message = "data tidak sah: " + "; ".join(f"{k}: {v}" for k, v in fields.items()) if fields else shown(str(exc))
        if _wants_json():
            body: dict = {"error": message}
            if fields is not None:
                body["fields"] = fields
            return jsonify(body), exc.status
        return _error_page(exc.status, message)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # The exception's own headers carry meaning (Allow on a 405, as RFC 9110 requires); only its
        # Content-Type is replaced by the page's or the JSON body's.
        headers = [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]
        # Werkzeug's own description of a status is English: the page's title says it in Indonesian.
        default = exc.description == type(exc).description
        description = ERROR_TITLES.get(exc.code or 500, "Kesalahan") + "." if default else exc.description
        if _wants_json():
            body = {"error": description}
            if isinstance(exc, request_guard.BadInput):
                body["fields"] = exc.fields
            return jsonify(body), exc.code, headers
        page, status = _error_page(exc.code, description if exc.code in (400, 403, 404, 413) and not default else "")
        return page, status, headers


def _error_page(status: int, detail: str):
    if status == 404:
        detail = "Halaman, tugas atau proses yang Anda cari tidak ada, atau tidak terlihat oleh peran Anda."
    elif status == 413:
        detail = "Berkas melebihi batas 10 MiB."
    return render_template("error.html", status=status, title=ERROR_TITLES.get(status, "Kesalahan"),
                           detail=detail), status

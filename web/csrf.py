"""CSRF protection: one random token per session, required on every unsafe request.

HTML forms send it as the `csrf_token` field, scripts and API calls that
ride on the session cookie as the X-CSRF-Token header. API calls with HTTP
Basic credentials carry no cookie a third site could borrow, so they need none.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session
from flask_login import current_user

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
HEADER = "X-CSRF-Token"


def csrf_token() -> str:
    """This session's token (created on first use)."""
    token = session.get("csrf_token")
    if not token:
        token = session["csrf_token"] = secrets.token_urlsafe(32)
    return token


def _check() -> None:
    if request.method in SAFE_METHODS:
        return
    if request.routing_exception is not None:
        # No view will run: the unknown path or method is answered 404 or 405 (as Flask-WTF does).
        return
    if request.blueprint == "api" and (request.authorization is not None or not current_user.is_authenticated):
        # Basic credentials: the API then authenticates by them only, never by the cookie.
        # No session user: nothing a forged request could ride on; the API answers 401.
        return
    expected = session.get("csrf_token")
    sent = request.headers.get(HEADER) or request.form.get("csrf_token")
    if not expected or not sent or not hmac.compare_digest(sent, expected):
        abort(400, description="Token CSRF tidak ada atau tidak cocok. Muat ulang halaman lalu coba lagi.")


def init_app(app: Flask) -> None:
    app.before_request(_check)
    app.jinja_env.globals["csrf_token"] = csrf_token

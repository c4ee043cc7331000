"""Health checks for the load balancer: /healthz (the process answers) and /readyz (it can serve).

Neither needs a login, reads a session or sets a cookie; both answer JSON and are never cached.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask.sessions import SecureCookieSessionInterface

from alur.runtime import db

from .services import engine

bp = Blueprint("health", __name__)
# Endpoints that never refresh the session cookie: a probe must not extend or rewrite a session.
COOKIELESS_BLUEPRINTS = {"health", "metrics"}


class ProbeAwareSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, but a health check or scrape never sends the cookie back
    (Flask otherwise refreshes a permanent session's cookie on every request)."""

    def should_set_cookie(self, app, session) -> bool:
        if request.blueprint in COOKIELESS_BLUEPRINTS:
            return False
        return super().should_set_cookie(app, session)


def _no_store(response, status: int = 200):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/healthz")
def healthz():
    return _no_store(jsonify({"status": "ok"}))


@bp.route("/readyz")
def readyz():
    """200 when the database answers and its schema is at the newest revision this code knows; else 503
    with the reason (the load balancer then sends requests to the other servers)."""
    problem = db.readiness_problem(engine().db)
    if problem:
        return _no_store(jsonify({"status": "unavailable", "reason": problem}), 503)
    return _no_store(jsonify({"status": "ready"}))

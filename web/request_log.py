"""One JSON line per request on standard error, with a request id also returned in X-Request-Id.

Each line: time, method, route (the URL rule, not the raw path), status, duration in ms, request
id and the user name of the account acting (if any). Never the query string, form fields, bodies,
cookies or headers: passwords and tokens cannot end up in the log. The request id is the client's
(or the load balancer's) X-Request-Id when it is sane (1-128 letters, digits, `.`, `_`, `-`),
else a new random one.
"""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, request

from . import metrics
from .metrics import route_of

HEADER = "X-Request-Id"
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
log = logging.getLogger("alur.requests")


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a line is written (as logging's last-resort handler does)."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                  "level": record.levelname.lower(), "event": record.getMessage()}
        fields.update(getattr(record, "alur", {}))
        return json.dumps(fields, ensure_ascii=False)


def _install_handler() -> None:
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        handler = _StderrHandler()
        handler.setFormatter(JsonLines())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


def request_id_of(sent: str | None) -> str:
    """The client's request id if it is sane, else a new one."""
    if sent and _SANE_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_of(request.headers.get(HEADER))


def _finish(response):
    started = g.get("request_started")
    duration = time.perf_counter() - started if started is not None else 0.0
    request_id = g.get("request_id") or request_id_of(request.headers.get(HEADER))
    response.headers[HEADER] = request_id
    user = g.get("user")
    log.info("request", extra={"alur": {
        "method": request.method, "route": route_of(), "status": response.status_code,
        "duration_ms": round(duration * 1000, 2), "request_id": request_id,
        "user": getattr(user, "username", None)}})
    metrics.observe(response, duration)
    return response


def init_app(app: Flask) -> None:
    """Log every request; runs before every other before_request (the request guard's included)."""
    _install_handler()
    metrics.init_app(app)
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)

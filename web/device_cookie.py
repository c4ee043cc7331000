"""The device cookie: a browser a user has logged in with before is a client of its own for throttling.

OWASP's "device cookie" pattern against lock-outs: after a successful login the
browser gets a long-lived cookie, signed with the app's secret, naming the user
and a random device id. A later login of that user name from a browser carrying
it is throttled as that device (runtime/login_throttle.py), not as its network
address: someone guessing the password from elsewhere, or from the same office
network behind one NAT address, does not slow down the user's own browser. The
cookie authenticates nothing by itself; it only picks the throttling counter.
"""
from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from .signing import signing_secrets

COOKIE_NAME = "alur_perangkat"
MAX_AGE = timedelta(days=180)


def _serializer() -> URLSafeTimedSerializer:
    # Every accepted key: a device cookie signed before `alur secret rotate` stays readable.
    return URLSafeTimedSerializer(signing_secrets(current_app), salt="alur-perangkat")


def _read() -> dict | None:
    value = request.cookies.get(COOKIE_NAME)
    if not value or len(value) > 1000:
        return None
    try:
        content = _serializer().loads(value, max_age=int(MAX_AGE.total_seconds()))
    except BadSignature:  # also an expired signature
        return None
    if isinstance(content, dict) and isinstance(content.get("u"), str) and isinstance(content.get("d"), str):
        return content
    return None


def trusted_device(username: str) -> str | None:
    """The device id of this browser if its device cookie was issued to `username`, else None."""
    content = _read()
    return content["d"] if content is not None and content["u"] == username else None


def remember_device(response, username: str) -> None:
    """Give the browser (again) the device cookie of `username`, keeping its device id if it had one."""
    device = trusted_device(username) or secrets.token_urlsafe(16)
    response.set_cookie(COOKIE_NAME, _serializer().dumps({"u": username, "d": device}),
                        max_age=int(MAX_AGE.total_seconds()), httponly=True, samesite="Lax",
                        secure=current_app.config.get("SESSION_COOKIE_SECURE", False))

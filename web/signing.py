"""The app's cookie keys from runtime/signing_keys.py: SECRET_KEY and Flask's SECRET_KEY_FALLBACKS.

Keys from the database are read again every REFRESH_SECONDS (when a request opens its session), so that
after `alur secret rotate` every server signs with the new key within a minute while still reading
cookies signed with the old one.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from flask import Flask

from alur.runtime import signing_keys
from alur.runtime.engine import Alur
from alur.runtime.models import utcnow

from .health import ProbeAwareSessionInterface


class SharedKeySessionInterface(ProbeAwareSessionInterface):
    """Signed-cookie sessions whose keys are read again from the database every REFRESH_SECONDS,
    before the request's cookie is read (Flask opens the session before any before_request)."""

    refresh = None  # set by init_app when the keys come from the database

    def open_session(self, app, request):
        if self.refresh is not None:
            self.refresh()
        return super().open_session(app, request)


def init_app(app: Flask, alur: Alur) -> None:
    """Set the app's keys: an explicit SECRET_KEY in its config (tests) wins, then ALUR_SECRET_KEY,
    then the database's (made on first start, taking over instance/secret_key)."""
    app.session_interface = SharedKeySessionInterface()
    if app.config.get("SECRET_KEY"):
        return
    keys = signing_keys.from_environment(os.environ)
    if keys is None:
        signing_keys.ensure(alur.db, utcnow(), Path(alur.settings.instance_dir) / "secret_key")
        keys = signing_keys.active(alur.db, utcnow())
        app.session_interface.refresh = _refresher(app, alur)
    _apply(app, keys)


def _apply(app: Flask, keys: signing_keys.Keys) -> None:
    app.config["SECRET_KEY"] = keys.current
    app.config["SECRET_KEY_FALLBACKS"] = list(keys.fallbacks)


def _refresher(app: Flask, alur: Alur):
    state = {"read_at": time.monotonic()}
    lock = threading.Lock()

    def _refresh_keys():
        if time.monotonic() - state["read_at"] < signing_keys.REFRESH_SECONDS or not lock.acquire(blocking=False):
            return
        try:
            _apply(app, signing_keys.active(alur.db, utcnow()))
            state["read_at"] = time.monotonic()
        finally:
            lock.release()

    return _refresh_keys


def signing_secrets(app: Flask) -> list[str]:
    """For itsdangerous signers of the app's own cookies: the accepted keys, oldest first (the last signs)."""
    return [*reversed(app.config.get("SECRET_KEY_FALLBACKS") or []), app.secret_key]

"""Masuk / Keluar: username + password, a session cookie, and the login_required guard."""
from __future__ import annotations

import functools
import time
from datetime import timedelta

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from alur.runtime import accounts

from .csrf import csrf_token
from .services import engine

bp = Blueprint("auth", __name__)


# A session ends after this long without a request, and at the latest this long after login.
IDLE_TIMEOUT = timedelta(minutes=30)
ABSOLUTE_TIMEOUT = timedelta(hours=10)


@bp.before_app_request
def load_logged_in_user() -> None:
    username = session.get("username")
    g.user = None
    if not username:
        return
    now = time.time()
    seen, logged_in = session.get("seen_at", 0), session.get("logged_in_at", 0)
    if now - seen > IDLE_TIMEOUT.total_seconds() or now - logged_in > ABSOLUTE_TIMEOUT.total_seconds():
        session.clear()
        g.session_expired = True
        return
    if now - seen > 60:  # refresh the idle clock at most once a minute (fewer cookie rewrites)
        session["seen_at"] = now
    g.user = accounts.get_user(engine(), username)


def login_required(view):
    """Send visitors who are not logged in to the login page, then back."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
            if g.get("session_expired"):
                flash("Sesi Anda berakhir karena lama tidak aktif. Silakan masuk kembali.")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    return wrapped


def _safe_next(target: str | None) -> str:
    # Only paths on this site: never "//host" or "https://host".
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("tasks.inbox")


@bp.route("/masuk", methods=("GET", "POST"))
def login():
    error = None
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        if username and accounts.login_blocked(engine(), username):
            error = ("Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini. "
                     f"Coba lagi dalam {accounts.LOGIN_WINDOW.seconds // 60} menit.")
            return render_template("auth/login.html", error=error, username=username), 429
        account = accounts.authenticate(engine(), username, password) if username and password else None
        if username:
            accounts.record_login(engine(), username, account is not None, request.remote_addr)
        if account is None:
            error = "Nama pengguna atau kata sandi salah."
        else:
            session.clear()  # a fresh session (and CSRF token) on every login
            session.permanent = True
            session["username"] = account.username
            session["logged_in_at"] = session["seen_at"] = time.time()
            csrf_token()
            flash(f"Selamat datang, {account.display_name}.")
            return redirect(_safe_next(request.args.get("next")))
    status = 401 if error else 200
    return render_template("auth/login.html", error=error, username=username), status


@bp.route("/keluar", methods=("POST",))
def logout():
    session.clear()
    flash("Anda telah keluar.")
    return redirect(url_for("auth.login"))

"""Masuk / Keluar: username + password, a session cookie, and the login_required guard."""
from __future__ import annotations

import functools

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for

from runtime import accounts

from .csrf import csrf_token
from .services import engine

bp = Blueprint("auth", __name__)


@bp.before_app_request
def load_logged_in_user() -> None:
    username = session.get("username")
    g.user = accounts.get_user(engine(), username) if username else None


def login_required(view):
    """Send visitors who are not logged in to the login page, then back."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.user is None:
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
        account = accounts.authenticate(engine(), username, password) if username and password else None
        if account is None:
            error = "Nama pengguna atau kata sandi salah."
        else:
            session.clear()  # a fresh session (and CSRF token) on every login
            session["username"] = account.username
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

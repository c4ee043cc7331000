"""Masuk / Keluar with Flask-Login over server-side sessions (runtime/sessions.py).

Flask-Login's "alternative tokens" pattern: the user object's id is the random
session id, not the user's, so the signed cookie carries only that, and the
user loader resumes the session record on every request. Logging out, "keluar
dari semua perangkat" and a password change end the record, and every worker
refuses the cookie from then on. `g.user` is the account acting in a request
(the session's user here; web/api.py sets it from a token or HTTP Basic).
"""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_login import login_required as login_required  # noqa: F401 (the guard the blueprints import)
from flask_wtf.csrf import generate_csrf

from alur.runtime import accounts, login_throttle, sessions
from alur.runtime.accounts import Account

from . import device_cookie
from .redirects import safe_next
from .services import engine, now

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
# Sessions are checked against the database on every request; Flask-Login's own "session
# protection" (a hash of address and browser) would only add a cookie rewrite per request.
login_manager.session_protection = None

EXPIRED_MESSAGE = "Sesi Anda berakhir karena lama tidak aktif. Silakan masuk kembali."
ENDED_MESSAGE = ("Sesi Anda telah diakhiri (keluar dari semua perangkat atau kata sandi diganti). "
                 "Silakan masuk kembali.")
WRONG_MESSAGE = "Nama pengguna atau kata sandi salah."


class SessionUser(UserMixin):
    """The logged-in user of a request: the account and the id of the session it came with."""

    def __init__(self, session_id: str, account: Account):
        self.session_id = session_id
        self.account = account

    def get_id(self) -> str:
        return self.session_id


@login_manager.user_loader
def _resume(session_id: str) -> SessionUser | None:
    resumed = sessions.resume(engine(), session_id, now())
    if resumed.account is None:
        g.session_end = EXPIRED_MESSAGE if resumed.state is sessions.SessionState.EXPIRED else ENDED_MESSAGE
        session.clear()
        return None
    return SessionUser(session_id, resumed.account)


@login_manager.unauthorized_handler
def _to_login():
    """Send visitors who are not logged in to the login page, then back."""
    if g.get("session_end"):
        flash(g.session_end)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _set_actor() -> None:
    g.user = current_user.account if current_user.is_authenticated else None


def init_app(app) -> None:
    login_manager.init_app(app)
    app.before_request(_set_actor)


def client_key(username: str) -> str:
    """Who is trying to log in, for throttling: this browser's device if its device cookie was
    issued to `username`, else its network address (see runtime/login_throttle.py)."""
    device = device_cookie.trusted_device(username)
    if device is not None:
        return login_throttle.device_client(device)
    return login_throttle.client_of_address(request.remote_addr)


def throttle_message(verdict: login_throttle.Verdict) -> str:
    """The 429 message of a refused login attempt, with the wait."""
    wait = login_throttle.describe_wait(verdict.wait_seconds)
    if verdict.reason == "client":
        return f"Terlalu banyak percobaan masuk yang gagal dari jaringan ini. Coba lagi dalam {wait}."
    return f"Terlalu banyak percobaan masuk yang gagal untuk nama pengguna ini. Coba lagi dalam {wait}."


def check_password(username: str, password: str) -> tuple[Account | None, login_throttle.Verdict]:
    """Throttle, then check a password: (the account or None, the throttle's verdict).

    A refused attempt checks no password and counts no failure; a wrong password counts one
    for (username, this client); a right one clears that pair's failures.
    """
    client = client_key(username)
    verdict = login_throttle.check(engine(), username, client, now())
    if not verdict.allowed:
        return None, verdict
    account = accounts.authenticate(engine(), username, password)
    if account is None:
        login_throttle.record_failure(engine(), username, client, now())
    elif verdict.pair_failures:
        login_throttle.record_success(engine(), username, client)
    return account, verdict


def start_session(account: Account) -> None:
    """Log `account` in on this browser: a fresh cookie session (and CSRF token) over a new record."""
    session.clear()
    session_id = sessions.open_session(engine(), account.username, request.user_agent.string,
                                       request.remote_addr, now())
    login_user(SessionUser(session_id, account))
    session.permanent = True
    g.user = account
    g.pop("csrf_token", None)  # Flask-WTF's copy of this request's token, made for the old session
    generate_csrf()


@bp.route("/masuk", methods=("GET", "POST"))
def login():
    username = ""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        if not username or not password:
            return render_template("auth/login.html", error=WRONG_MESSAGE, username=username), 401
        account, verdict = check_password(username, password)
        if not verdict.allowed:
            return render_template("auth/login.html", error=throttle_message(verdict), username=username), 429, \
                {"Retry-After": str(verdict.wait_seconds)}
        accounts.record_login(engine(), username, account is not None, request.remote_addr)
        if account is None:
            return render_template("auth/login.html", error=WRONG_MESSAGE, username=username), 401
        start_session(account)
        flash(f"Selamat datang, {account.display_name}.")
        response = redirect(safe_next(request.args.get("next"), url_for("tasks.inbox")))
        device_cookie.remember_device(response, account.username)
        return response
    return render_template("auth/login.html", error=None, username=username)


@bp.route("/keluar", methods=("POST",))
def logout():
    if current_user.is_authenticated:
        sessions.end_session(engine(), current_user.session_id, now())
    logout_user()
    session.clear()
    flash("Anda telah keluar.")
    return redirect(url_for("auth.login"))

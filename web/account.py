"""The user's own account: the open sessions, changing one's password, "keluar dari semua
perangkat", and personal API tokens for other systems (make, list, revoke)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from alur.runtime import accounts, login_throttle, sessions, tokens
from alur.runtime.engine import InvalidData, NotFound

from .auth import client_key, login_required, start_session, throttle_message
from .services import engine, now

bp = Blueprint("account", __name__, url_prefix="/akun")

FIELD_LABELS = {"current_password": "Kata sandi saat ini", "password": "Kata sandi baru",
                "password_confirm": "Ulangi kata sandi baru"}


def _overview(errors: dict | None = None, status: int = 200):
    return render_template("account/overview.html", errors=errors or {}, labels=FIELD_LABELS,
                           min_password=accounts.MIN_PASSWORD_LENGTH,
                           sessions=sessions.active_sessions(engine(), g.user.username, current_user.session_id,
                                                             now())), status


@bp.route("/")
@login_required
def overview():
    """The user's open sessions, the password form and the button that ends every session."""
    return _overview()


@bp.route("/sandi", methods=("POST",))
@login_required
def change_password():
    """Change one's own password (the current one is checked, throttled like a login); every
    session ends, and this browser gets a new one."""
    current, new, confirm = (request.form.get(k, "") for k in ("current_password", "password", "password_confirm"))
    if new != confirm:
        return _overview({"password_confirm": "tidak sama dengan kata sandi baru"}, 422)
    client = client_key(g.user.username)
    verdict = login_throttle.check(engine(), g.user.username, client, now())
    if not verdict.allowed:
        return _overview({"current_password": throttle_message(verdict)}, 429)
    try:
        accounts.change_own_password(engine(), g.user.username, current, new)
    except InvalidData as exc:
        if "current_password" in exc.errors:
            login_throttle.record_failure(engine(), g.user.username, client, now())
        return _overview(exc.errors, 422)
    start_session(accounts.get_user(engine(), g.user.username))
    flash("Kata sandi Anda diganti. Sesi di semua perangkat lain telah diakhiri.")
    return redirect(url_for(".overview"))


@bp.route("/keluar-semua", methods=("POST",))
@login_required
def end_all():
    """Keluar dari semua perangkat: every session of the user ends, this browser's included."""
    ended = sessions.end_all_sessions(engine(), g.user.username, now())
    logout_user()
    session.clear()
    flash(f"Anda telah keluar dari semua perangkat ({ended} sesi diakhiri, termasuk sesi ini). "
          "Token API tetap berlaku; cabut di halaman Token API bila perlu.")
    return redirect(url_for("auth.login"))


@bp.route("/token", methods=("GET", "POST"))
@login_required
def token_list():
    """The user's tokens; POST makes one and shows it this once."""
    name, errors, made, status = "", {}, None, 200
    if request.method == "POST":
        name = request.form.get("name", "")
        try:
            made, _ = tokens.create_token(engine(), g.user.username, name)
            name = ""
        except InvalidData as exc:
            errors, status = exc.errors, 422
    return render_template("account/tokens.html", tokens=tokens.tokens_of(engine(), g.user.username),
                           made=made, name=name, errors=errors), status


@bp.route("/token/<int:token_id>/cabut", methods=("POST",))
@login_required
def revoke(token_id):
    try:
        info = tokens.revoke_token(engine(), g.user.username, token_id)
    except NotFound:
        abort(404)
    flash(f"Token “{info.name}” dicabut: tidak dapat dipakai lagi.")
    return redirect(url_for(".token_list"))

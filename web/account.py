"""The user's own account: personal API tokens for other systems (make, list, revoke)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from alur.runtime import tokens
from alur.runtime.engine import InvalidData, NotFound

from .auth import login_required
from .services import engine

bp = Blueprint("account", __name__, url_prefix="/akun")


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

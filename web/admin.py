"""Admin pages: the users of the admin's organisation (create, roles, password) and which role
performs each lane of its processes. Another organisation's users and processes are not found."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from alur.runtime import access, accounts, directory
from alur.runtime.engine import InvalidData

from .auth import start_session
from .permissions import allowed_by
from .services import actor, engine

bp = Blueprint("admin", __name__, url_prefix="/admin")

FIELD_LABELS = {
    "username": "Nama pengguna", "display_name": "Nama tampilan", "password": "Kata sandi",
    "password_confirm": "Ulangi kata sandi", "roles": "Peran", "role": "Peran",
}
# What the two roles that perform no lane are for, beside the lanes the others perform.
ROLE_PURPOSES = {accounts.DESIGNER_ROLE: "memasang versi SOP dan memindahkan proses",
                 accounts.ADMIN_ROLE: "mengelola pengguna, peran dan lajur"}

admin_only = allowed_by(access.may_administer, "admin")


@bp.route("/")
@admin_only
def index():
    return redirect(url_for(".users"))


@bp.route("/pengguna", methods=("GET", "POST"))
@admin_only
def users():
    """The organisation's users, and the form that adds one (POST)."""
    form, errors, status = {}, {}, 200
    if request.method == "POST":
        form = {k: request.form.get(k, "") for k in ("username", "display_name", "password", "password_confirm")}
        roles = request.form.getlist("roles")
        errors = {**accounts.new_user_problems(engine(), g.user.org, form["username"], form["display_name"],
                                               form["password"], roles), **_confirm(form)}
        try:
            if errors:
                raise InvalidData(errors)
            account = accounts.create_user(engine(), g.user.org, form["username"], form["display_name"],
                                           form["password"], roles, actor=actor())
        except InvalidData as exc:
            errors, status = exc.errors, 422
            form["roles"] = roles
        else:
            flash(f"Pengguna {account.username} dibuat dengan peran: {', '.join(sorted(account.roles)) or '-'}.")
            return redirect(url_for(".user", username=account.username))
    organisation = next((o["name"] for o in directory.organisations(engine()) if o["slug"] == g.user.org), g.user.org)
    return render_template("admin/users.html", users=accounts.users_of(engine(), g.user.org, actor()),
                           organisation=organisation,
                           roles=accounts.organisation_roles(engine(), g.user.org), purposes=ROLE_PURPOSES,
                           form=form, errors=errors, labels=FIELD_LABELS,
                           min_password=accounts.MIN_PASSWORD_LENGTH), status


@bp.route("/pengguna/<username>")
@admin_only
def user(username):
    return _user_page(username)


def _user_page(username: str, errors: dict | None = None, status: int = 200):
    account = accounts.user_of(engine(), g.user.org, username, actor())  # NotFound (404) outside the organisation
    return render_template("admin/user.html", account=account,
                           roles=accounts.organisation_roles(engine(), g.user.org), purposes=ROLE_PURPOSES,
                           errors=errors or {}, labels=FIELD_LABELS,
                           min_password=accounts.MIN_PASSWORD_LENGTH), status


@bp.route("/pengguna/<username>/peran", methods=("POST",))
@admin_only
def add_role(username):
    return _change_role(username, accounts.add_role, "Peran {role} diberikan kepada {username}.")


@bp.route("/pengguna/<username>/peran/cabut", methods=("POST",))
@admin_only
def remove_role(username):
    return _change_role(username, accounts.remove_role, "Peran {role} dicabut dari {username}.")


def _change_role(username: str, change, done: str):
    """Give or take the form's role with `change` (accounts.add_role or accounts.remove_role); on success
    flash `done` (a str.format template of role and username) and go back to the user's page."""
    accounts.user_of(engine(), g.user.org, username, actor())  # NotFound (404) outside the organisation
    role = request.form.get("role", "")
    try:
        change(engine(), g.user.org, username, role, actor=actor())
    except InvalidData as exc:
        return _user_page(username, exc.errors, 422)
    flash(done.format(role=role, username=username))
    return redirect(url_for(".user", username=username))


@bp.route("/pengguna/<username>/sandi", methods=("POST",))
@admin_only
def reset_password(username):
    accounts.user_of(engine(), g.user.org, username, actor())
    form = {k: request.form.get(k, "") for k in ("password", "password_confirm")}
    try:
        errors = _confirm(form)
        if errors:
            raise InvalidData(errors)
        accounts.reset_password(engine(), g.user.org, username, form["password"], actor=actor())
    except InvalidData as exc:
        return _user_page(username, exc.errors, 422)
    if username == g.user.username:  # the admin's own sessions ended with the old password: keep this one
        start_session(accounts.get_user(engine(), username))
    flash(f"Kata sandi {username} diganti. Sampaikan kata sandi baru kepadanya secara langsung.")
    return redirect(url_for(".user", username=username))


def _confirm(form: dict) -> dict[str, str]:
    """The confirmation must repeat the password (checked here: it never leaves the page)."""
    if form["password"] != form["password_confirm"]:
        return {"password_confirm": "tidak sama dengan kata sandi"}
    return {}


@bp.route("/lajur", methods=("GET", "POST"))
@admin_only
def lanes():
    """Lane -> role of the organisation's processes, and the form that changes one (POST)."""
    errors, status, changed = {}, 200, None
    if request.method == "POST":
        process_id, lane, role = (request.form.get(k, "") for k in ("process_id", "lane", "role"))
        try:
            moved = accounts.map_lane(engine(), g.user.org, process_id, lane, role, actor=actor())
        except InvalidData as exc:
            errors, status, changed = exc.errors, 422, (process_id, lane, role)
        else:
            flash(f"Lajur {lane} ({process_id}) kini dijalankan oleh peran {role.strip()}"
                  + (f"; {moved} tugas yang menunggu ikut pindah." if moved else "."))
            return redirect(url_for(".lanes") + f"#{process_id}")
    mappings = accounts.lane_mappings(engine(), g.user.org, actor())
    holders: dict[str, int] = {}
    for account in accounts.users_of(engine(), g.user.org, actor()):
        for role in account.roles:
            holders[role] = holders.get(role, 0) + 1
    processes: dict[tuple[str, str], list] = {}
    for mapping in mappings:
        processes.setdefault((mapping.process_id, mapping.process_name), []).append(mapping)
    return render_template("admin/lanes.html", processes=processes, holders=holders, errors=errors,
                           changed=changed, labels=FIELD_LABELS,
                           known_roles=sorted({m.role for m in mappings})), status

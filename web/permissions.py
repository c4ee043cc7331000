"""Who may open the designer and admin pages: a role of the user's organisation, and only that
organisation's processes and users (another organisation's are not found)."""
from __future__ import annotations

import functools

from flask import abort, g

from alur.runtime import accounts

from .auth import login_required
from .services import engine

ROLE_NAMES = {accounts.DESIGNER_ROLE: "perancang proses", accounts.ADMIN_ROLE: "admin"}


def role_required(role: str):
    """Like login_required, and then 403 for users who do not hold `role`."""

    def decorator(view):
        @functools.wraps(view)
        def checked(**kwargs):
            if role not in g.user.roles:
                abort(403, description=f"Halaman ini hanya untuk pengguna dengan peran {ROLE_NAMES.get(role, role)}.")
            return view(**kwargs)

        return login_required(checked)

    return decorator


def own_process(process_id: str) -> None:
    """404 unless the user's organisation has deployed a process `process_id`."""
    if not accounts.process_deployed(engine(), g.user.org, process_id):
        abort(404)

"""The designer and admin pages ask the access policy (runtime/access.py) whether the user may
deploy, migrate or administer in their own organisation; only that organisation's processes and
users are there for them (another organisation's are not found)."""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import abort, g

from alur.runtime.access import Actor

from .auth import login_required
from .services import actor


def allowed_by(may: Callable[[Actor, str | None], bool], who: str):
    """Like login_required, and then 403 unless `may(actor, the user's organisation)` (a decision of
    runtime/access.py); the refusal names `who` may open the page (the role, as people call it)."""

    def decorator(view):
        @functools.wraps(view)
        def checked(**kwargs):
            if not may(actor(), g.user.org):
                abort(403, description=f"Halaman ini hanya untuk pengguna dengan peran {who}.")
            return view(**kwargs)

        return login_required(checked)

    return decorator


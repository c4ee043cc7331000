"""The designer and admin pages ask the access policy (runtime/access.py) whether the user may
deploy, migrate or administer in their own organisation; only that organisation's processes and
users are there for them (another organisation's are not found)."""
from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Flask, abort, g

from alur.runtime import access
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



def register(app: Flask) -> None:
    """Give the templates the policy's answers for the logged-in user: whether the menu shows Admin
    (`may_administer`), whether Daftar SOP shows the designer's links (`may_deploy`), and
    `performs(task)`, whether a task's lane is theirs (its page is linked)."""

    @app.context_processor
    def policy_answers() -> dict:
        if g.get("user") is None:
            return {}
        me = actor()
        return {"may_administer": access.may_administer(me, me.org), "may_deploy": access.may_deploy(me, me.org),
                "performs": lambda task: access.performs(me, task)}

"""The runtime objects of the running app, for views to call."""
from __future__ import annotations

from datetime import datetime

from flask import current_app, g

from alur.runtime.access import Actor
from alur.runtime.attachments import Attachments
from alur.runtime.engine import Alur
from alur.runtime.models import utcnow


def engine() -> Alur:
    """The Alur engine create_app built for this app."""
    return current_app.extensions["alur"]


def attachment_store() -> Attachments:
    """The attachment store over the same engine."""
    return current_app.extensions["alur_attachments"]


def actor() -> Actor:
    """The logged-in user as the actor the runtime's verbs and the access policy take."""
    return Actor.of_account(g.user)


def now() -> datetime:
    """The current time (UTC) for sessions and login throttling: the ALUR_CLOCK setting (a function,
    which tests set to a controlled clock), else the real clock."""
    return current_app.config.get("ALUR_CLOCK", utcnow)()

"""The runtime objects of the running app, for views to call."""
from __future__ import annotations

from flask import current_app

from alur.runtime.attachments import Attachments
from alur.runtime.engine import Alur


def engine() -> Alur:
    """The Alur engine create_app built for this app."""
    return current_app.extensions["alur"]


def attachment_store() -> Attachments:
    """The attachment store over the same engine."""
    return current_app.extensions["alur_attachments"]

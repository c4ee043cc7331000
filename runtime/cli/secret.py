"""`alur secret rotate`: a new key for the session and device cookies (runtime/signing_keys.py)."""
from __future__ import annotations

import os

from ..engine import AlurError
from ..models import utcnow
from .common import command, emit, engine, group


@group("secret")
def secret() -> None:
    """the key that signs session cookies"""


@secret.add_command
@command("rotate")
def rotate() -> int:
    """make a new cookie key; the old one is accepted until its sessions expire"""
    from .. import signing_keys

    if os.environ.get("ALUR_SECRET_KEY"):
        raise AlurError("ALUR_SECRET_KEY is set, so the key is not the database's: put the new key in "
                        "ALUR_SECRET_KEY and the old one in ALUR_SECRET_KEY_FALLBACKS, then restart the servers")
    alur = engine()
    until = signing_keys.rotate(alur.db, utcnow())
    emit({"old_key_accepted_until": until.isoformat(), "servers_pick_it_up_within_seconds": signing_keys.REFRESH_SECONDS},
         f"kunci baru dibuat; server memakainya dalam {signing_keys.REFRESH_SECONDS} detik; "
         f"kunci lama tetap diterima sampai {until:%Y-%m-%d %H:%M} UTC")
    return 0

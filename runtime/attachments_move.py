"""`alur attachments move --to db|folder`: existing attachment files into another blob store.

Each file is copied whole into the target (one transaction in the database; a write under another
name then a rename in the folder), checked against the SHA-256 its row keeps, and only then
removed from the source. A move killed at any point is finished by running it again: a file the
target already has is only removed from the source; nothing is copied twice or lost.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from sqlalchemy import select

from . import blobstore
from .blobstore import KINDS
from .engine import Alur, InvalidData
from .models import Attachment


@dataclass
class MoveReport:
    moved: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # in neither store: restore from a backup
    damaged: list[str] = field(default_factory=list)  # bytes that do not match the row's SHA-256: left in place


def move_attachments(alur: Alur, to: str) -> MoveReport:
    """Move every attachment's bytes into the store `to` ("db" or "folder"); see the module's description."""
    if to not in KINDS:
        raise InvalidData({"to": f"tujuan harus salah satu dari {', '.join(KINDS)}, bukan {to!r}"})
    target = blobstore.store(to, alur.settings, alur.db)
    source = blobstore.store(next(k for k in KINDS if k != to), alur.settings, alur.db)
    with alur.sessions() as session:
        rows = session.execute(select(Attachment.name, Attachment.sha256).order_by(Attachment.id)).all()
    report = MoveReport()
    for name, sha256 in rows:
        if target.has(name):
            source.delete(name)  # a rerun after a kill between the copy and the removal
            report.already_there.append(name)
            continue
        reader = source.open(name)
        if reader is None:
            report.missing.append(name)
            continue
        with reader:
            content = reader.read()
        if hashlib.sha256(content).hexdigest() != sha256:
            report.damaged.append(name)
            continue
        target.put(None, name, content)
        source.delete(name)
        report.moved.append(name)
    return report

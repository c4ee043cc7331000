"""`alur attachments move --to db|folder|s3`: existing attachment files into another blob store.

The sources are the other stores these settings reach (S3 only when ALUR_S3_BUCKET is set). Each
file is checked against the SHA-256 its row keeps, copied whole into the target (one transaction in
the database; a write under another name then a rename in the folder; one PUT or one multipart
upload in S3, visible only once complete), and only then removed from the sources. A move killed at any point is finished by running it again: a file the
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
    """Move every attachment's bytes into the store `to` ("db", "folder" or "s3"); see the module's description."""
    if to not in KINDS:
        raise InvalidData({"to": f"tujuan harus salah satu dari {', '.join(KINDS)}, bukan {to!r}"})
    kinds = blobstore.configured_kinds(alur.settings)
    if to not in kinds:
        raise InvalidData({"to": "penyimpanan s3 memerlukan ALUR_S3_BUCKET (nama bucket)"})
    target = blobstore.store(to, alur.settings, alur.db)
    sources = [blobstore.store(kind, alur.settings, alur.db) for kind in kinds if kind != to]
    with alur.sessions() as session:
        rows = session.execute(select(Attachment.name, Attachment.sha256).order_by(Attachment.id)).all()
    report = MoveReport()
    for name, sha256 in rows:
        if target.has(name):
            for source in sources:
                source.delete(name)  # a rerun after a kill between the copy and the removal
            report.already_there.append(name)
            continue
        content, found = _sound_copy(sources, name, sha256)
        if content is None:
            (report.damaged if found else report.missing).append(name)
            continue
        target.put(None, name, content)
        for source in sources:
            source.delete(name)
        report.moved.append(name)
    return report


def _sound_copy(sources, name: str, sha256: str) -> tuple[bytes | None, bool]:
    """The bytes of `name` from the first source whose copy matches its SHA-256 (None if none does),
    and whether any source had a copy at all."""
    found = False
    for source in sources:
        reader = source.open(name)
        if reader is None:
            continue
        found = True
        with reader:
            content = reader.read()
        if hashlib.sha256(content).hexdigest() == sha256:
            return content, True
    return None, found

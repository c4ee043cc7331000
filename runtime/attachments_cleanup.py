"""Orphaned attachments: what an interrupted upload or completion leaves behind, and its removal.

An upload writes the file and then commits its row; a completion with files
stores them first (each with its form field in `attachments.form_field`) and
then completes the task. A kill or crash in between leaves:

- a **file without a row**: a file of the attachments folder (also a `.part`
  file of an interrupted write), or an object of the S3 bucket when ALUR_S3_BUCKET
  is set, that no `attachments` row names (the database store's chunks go with
  their row);
- an **unused upload**: a row (and its file) stored for a form field by a
  completion that never happened: no completion (audit entry `complete` or
  `return`) of its instance names it.

Both are removed once they are older than the grace period (default 24 hours,
at least one hour, so that an upload still under way is never touched). Never
removed: a document uploaded on its own (the task page's Lampiran button or the
API's upload call: `form_field` is empty), and anything a completion names.
A **row without a file** is only reported: a completion may name it, and its
file should be restored from the copy of the attachments folder.

Run by `alur attachments cleanup`, not at start: a start over a database restored
without its folder (or a folder copied before its database) must not delete files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, select

from . import blobstore, db
from .engine import Alur, InvalidData
from .models import Attachment, AttachmentChunk, AuditEntry, utcnow

DEFAULT_GRACE = timedelta(hours=24)
MIN_GRACE = timedelta(hours=1)
COMPLETIONS = ("complete", "return")


@dataclass
class CleanupReport:
    """What a cleanup found: the names of removed files and rows, and rows whose file is missing."""

    files_without_row: list[str] = field(default_factory=list)
    unused_uploads: list[str] = field(default_factory=list)
    rows_without_file: list[str] = field(default_factory=list)


def _strings(value):
    """Every string inside a JSON value."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _referenced(session, instance_ids: set[int]) -> set[str]:
    """Every string the completions of these instances carry in their data."""
    if not instance_ids:
        return set()
    names: set[str] = set()
    for data in session.scalars(select(AuditEntry.data).where(AuditEntry.instance_id.in_(instance_ids),
                                                              AuditEntry.action.in_(COMPLETIONS))):
        names.update(_strings(data))
    return names


def _loose_stores(alur: Alur, folder) -> list:
    """The stores whose files do not go with their rows: the folder, and the S3 bucket when there is one."""
    stores: list = [blobstore.FolderStore(folder)]
    if alur.settings.s3_bucket:
        stores.append(blobstore.store("s3", alur.settings, alur.db))
    return stores


def clean_attachments(alur: Alur, folder, older_than: timedelta = DEFAULT_GRACE, now: datetime | None = None,
                      dry_run: bool = False) -> CleanupReport:
    """Remove the orphans older than `older_than` (see the module's description) from the
    attachments `folder`, the S3 bucket (when ALUR_S3_BUCKET is set) and the database; with
    `dry_run`, only report them."""
    if older_than < MIN_GRACE:
        raise InvalidData({"older_than": "masa tenggang minimal 1 jam, agar unggahan yang sedang berjalan tidak terhapus"})
    cutoff = (now or utcnow()) - older_than
    report = CleanupReport()
    stores = _loose_stores(alur, folder)
    # Listed before the rows are read, so that a file whose row commits in between is not taken for an orphan.
    written: dict[str, list[datetime]] = {}
    for store in stores:
        for name, when in store.modified().items():
            written.setdefault(name, []).append(when)
    with db.transaction(alur.sessions) as session:
        rows = session.execute(select(Attachment.name, Attachment.instance_id, Attachment.form_field,
                                      Attachment.uploaded_at)).all()
        known = {row.name for row in rows}
        candidates = [row for row in rows if row.form_field is not None and row.uploaded_at < cutoff]
        referenced = _referenced(session, {row.instance_id for row in candidates})
        report.unused_uploads = sorted(row.name for row in candidates if row.name not in referenced)
        if report.unused_uploads and not dry_run:
            session.execute(cast(Table, Attachment.__table__).delete().where(Attachment.name.in_(report.unused_uploads)))
        in_database = set(session.scalars(select(AttachmentChunk.name).distinct()))  # the database store's
        report.rows_without_file = sorted(known - set(written) - in_database - set(report.unused_uploads))
        report.files_without_row = sorted(name for name, times in written.items()
                                          if name not in known and max(times) < cutoff)
    if not dry_run:  # the rows are gone (committed): now their files, and the files no row names
        for name in report.unused_uploads + report.files_without_row:
            for store in stores:
                store.delete(name)
    return report

"""`alur attachments cleanup|move`: orphaned attachment files, and moving files between blob stores."""
from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

import click

from .common import command, emit, engine, group


@group("attachments")
def attachments() -> None:
    """attachment files"""


@attachments.add_command
@command("cleanup")
@click.option("--older-than", type=float, default=24, metavar="HOURS",
              help="only what is older than this many hours (default 24, at least 1)")
@click.option("--dry-run", is_flag=True, help="only list what would be removed")
def cleanup(older_than: float, dry_run: bool) -> int:
    """remove files (folder, S3) no record names and uploads no completion used (see runtime/attachments_cleanup.py)"""
    from ..attachments_cleanup import clean_attachments

    alur = engine()
    folder = Path(alur.settings.instance_dir) / "attachments"
    report = clean_attachments(alur, folder, timedelta(hours=older_than), dry_run=dry_run)
    verb = "akan dihapus" if dry_run else "dihapus"
    lines = [f"berkas tanpa catatan {verb}: {len(report.files_without_row)}",
             *(f"  {name}" for name in report.files_without_row),
             f"unggahan yang tidak dipakai penyelesaian tugas mana pun {verb}: {len(report.unused_uploads)}",
             *(f"  {name}" for name in report.unused_uploads),
             f"catatan yang berkasnya hilang (dibiarkan; pulihkan berkasnya dari cadangan): "
             f"{len(report.rows_without_file)}",
             *(f"  {name}" for name in report.rows_without_file)]
    emit({**asdict(report), "dry_run": dry_run}, "\n".join(lines))
    return 0


@attachments.add_command
@command("move")
@click.option("--to", "to", type=click.Choice(["db", "folder", "s3"]), required=True,
              help="db: the database (every server reads it); folder: this server's instance folder; "
                   "s3: the bucket ALUR_S3_BUCKET names")
def move(to: str) -> int:
    """move existing attachment files into the database, the folder or S3 (safe to run again)"""
    from .. import blobstore
    from ..attachments_move import move_attachments

    alur = engine()
    report = move_attachments(alur, to)
    lines = [f"dipindahkan: {len(report.moved)}", f"sudah di tujuan: {len(report.already_there)}",
             f"tidak ditemukan di penyimpanan mana pun (pulihkan dari cadangan): {len(report.missing)}",
             *(f"  {name}" for name in report.missing),
             f"isi tidak cocok dengan SHA-256 catatannya (dibiarkan di tempat): {len(report.damaged)}",
             *(f"  {name}" for name in report.damaged)]
    if blobstore.default_kind(alur.settings, alur.db) != to:
        lines.append(f"catatan: server memakai penyimpanan lain; setel ALUR_ATTACHMENT_STORE={to} lalu mulai ulang")
    emit({**asdict(report), "to": to}, "\n".join(lines))
    return 1 if report.missing or report.damaged else 0

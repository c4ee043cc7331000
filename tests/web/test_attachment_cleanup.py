"""Orphaned attachments: a worker killed between storing a completion's file and completing the task
leaves a row and a file that `alur attachments cleanup` removes after the grace period; what a
completion names, documents uploaded on their own and recent files are kept; missing files are reported."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from alur.runtime.attachments import Upload
from alur.runtime.attachments_cleanup import CleanupReport, clean_attachments
from alur.runtime.cli import main as cli
from alur.runtime.engine import InvalidData
from alur.runtime.models import Attachment, utcnow
from tests.conftest import PROJECT_ROOT

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
LATER = timedelta(hours=25)  # past the default grace period of 24 hours


def folder_of(alur):
    return alur.settings.instance_dir / "attachments"


def rows_of(alur) -> dict[str, str | None]:
    """name -> form field of every attachment row."""
    with alur.sessions() as session:
        return dict(session.execute(select(Attachment.name, Attachment.form_field)).all())


def files_of(alur) -> set[str]:
    folder = folder_of(alur)
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def age(path, hours: float) -> None:
    """Make a file look `hours` old."""
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def kill_while_completing(alur, task_id: str, user: str) -> None:
    """A worker completes the task with a file and is killed (SIGKILL) before the task is completed."""
    worker = subprocess.run(
        [sys.executable, "-m", "tests.web.attachment_kill_worker", alur.settings.database_url,
         str(alur.settings.instance_dir), task_id, user], cwd=PROJECT_ROOT, capture_output=True, text=True,
        timeout=120)
    assert worker.returncode == -signal.SIGKILL, worker.stderr


@pytest.fixture
def draft(started, run_until):
    """Step 4: the Fungsional Umum drafts the letter (form rancangan, with a lampiran field)."""
    return run_until(started, "Step_04")


def test_a_kill_during_a_completion_leaves_an_orphan_that_cleanup_removes(alur, app, draft):
    kill_while_completing(alur, draft.id, "fungsional")
    [(orphan, field)] = rows_of(alur).items()
    assert field == "lampiran" and files_of(alur) == {orphan}
    assert alur.task(draft.id).status == "ready"  # the task was never completed
    assert clean_attachments(alur, folder_of(alur)) == CleanupReport()  # within the grace period: kept
    report = clean_attachments(alur, folder_of(alur), now=utcnow() + LATER)
    assert report == CleanupReport(unused_uploads=[orphan])
    assert rows_of(alur) == {} and files_of(alur) == set()
    # The user completes the task again, with the file: nothing of the first try is in the way.
    view = app.extensions["alur_attachments"].complete(draft.id, "fungsional", {"perihal": "Surat"},
                                                       {"lampiran": Upload("rancangan.pdf", io.BytesIO(PDF))})
    assert view.ready_tasks[0].task_spec == "Step_05"


def test_cleanup_keeps_what_must_stay_and_removes_only_orphans(alur, app, draft, run_until, started):
    store = app.extensions["alur_attachments"]
    document = store.store(draft.id, "fungsional", Upload("undangan.pdf", io.BytesIO(PDF)))  # on its own
    kill_while_completing(alur, draft.id, "fungsional")
    orphan = next(name for name, field in rows_of(alur).items() if field == "lampiran")
    review = store.complete(draft.id, "fungsional", {"perihal": "Surat"},
                            {"lampiran": Upload("rancangan.pdf", io.BytesIO(PDF))}).ready_tasks[0]
    used = alur.history(started.id)[-1].data["lampiran"]
    # Step 5 returns the draft (action "return"), naming the document uploaded on its own as well.
    alur.complete(review.id, "kasubbag", {"keputusan": "kembalikan", "catatan": f"lihat {document.name}"})
    folder = folder_of(alur)
    (folder / "0123456789abcdef0123456789abcdef.pdf.part").write_bytes(PDF[:10])  # an interrupted write
    (folder / "tanpa-catatan.pdf").write_bytes(PDF)
    (folder / "baru-saja.pdf").write_bytes(PDF)  # a minute old: maybe an upload under way
    for name in ("0123456789abcdef0123456789abcdef.pdf.part", "tanpa-catatan.pdf"):
        age(folder / name, 30)
    age(folder / "baru-saja.pdf", 1 / 60)
    (folder / used).rename(folder / "disimpan-di-tempat-lain.pdf")  # a used upload's file went missing
    age(folder / "disimpan-di-tempat-lain.pdf", 30)

    with alur.sessions() as session, session.begin():  # every row uploaded 25 hours ago
        session.execute(Attachment.__table__.update().values(uploaded_at=utcnow() - LATER))

    expected = CleanupReport(
        files_without_row=sorted(["0123456789abcdef0123456789abcdef.pdf.part", "disimpan-di-tempat-lain.pdf",
                                  "tanpa-catatan.pdf"]),
        unused_uploads=[orphan], rows_without_file=[used])
    before_rows, before_files = rows_of(alur), files_of(alur)
    assert clean_attachments(alur, folder, dry_run=True) == expected
    assert (rows_of(alur), files_of(alur)) == (before_rows, before_files)  # a dry run removes nothing
    assert clean_attachments(alur, folder) == expected
    assert rows_of(alur) == {document.name: None, used: "lampiran"}
    assert files_of(alur) == {document.name, "baru-saja.pdf"}
    assert clean_attachments(alur, folder) == CleanupReport(rows_without_file=[used])


@pytest.mark.parametrize("hours", [0, 0.5])
def test_a_grace_period_under_an_hour_is_refused(alur, hours):
    with pytest.raises(InvalidData, match="masa tenggang minimal 1 jam"):
        clean_attachments(alur, folder_of(alur), timedelta(hours=hours))


def test_the_command(alur, monkeypatch, capsys):
    folder = folder_of(alur)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tanpa-catatan.pdf").write_bytes(PDF)
    age(folder / "tanpa-catatan.pdf", 2)
    monkeypatch.setenv("ALUR_DATABASE_URL", alur.settings.database_url)
    monkeypatch.setenv("ALUR_INSTANCE_DIR", str(alur.settings.instance_dir))
    assert cli(["attachments", "cleanup", "--older-than", "1", "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "berkas tanpa catatan akan dihapus: 1", "  tanpa-catatan.pdf",
        "unggahan yang tidak dipakai penyelesaian tugas mana pun akan dihapus: 0",
        "catatan yang berkasnya hilang (dibiarkan; pulihkan berkasnya dari cadangan): 0"]
    assert files_of(alur) == {"tanpa-catatan.pdf"}
    assert cli(["attachments", "cleanup", "--json"]) == 0  # 24 hours: the file is 2 hours old, kept
    assert json.loads(capsys.readouterr().out)["files_without_row"] == []
    assert cli(["attachments", "cleanup", "--older-than", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"files_without_row": ["tanpa-catatan.pdf"], "unused_uploads": [],
                                                   "rows_without_file": [], "dry_run": False}
    assert files_of(alur) == set()
    assert cli(["attachments", "cleanup", "--older-than", "0.5"]) == 1
    assert "masa tenggang minimal 1 jam" in capsys.readouterr().err

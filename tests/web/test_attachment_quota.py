"""Attachment quotas: files and bytes per task, bytes per instance (settings.attachment_limits); a
refused file is named next to its field and stores nothing, and two workers cannot pass a quota together."""
from __future__ import annotations

import base64
import io
import threading
from dataclasses import replace

import pytest
from sqlalchemy import select

from alur.runtime.attachments import Upload
from alur.runtime.engine import InvalidData
from alur.runtime.models import Attachment
from alur.runtime.settings import MIB, AttachmentLimits, Settings
from tests.web.conftest import PASSWORD

LIMITS = AttachmentLimits(files_per_task=3, bytes_per_task=2 * MIB, bytes_per_instance=3 * MIB)


@pytest.fixture
def settings(settings):
    """The app's settings with small limits: 3 files and 2 MiB per task, 3 MiB per instance."""
    return replace(settings, attachment_limits=LIMITS)


def pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (size - 9)


def basic(user: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()}


def stored(alur) -> list[tuple[str, int]]:
    """(task id, size) of every attachment row, and the files must be exactly those rows'."""
    with alur.sessions() as session:
        rows = session.scalars(select(Attachment).order_by(Attachment.id)).all()
        folder = alur.settings.instance_dir / "attachments"
        files = sorted(p.name for p in folder.iterdir()) if folder.exists() else []
        assert files == sorted(r.name for r in rows)
        return [(r.task_id, r.size) for r in rows]


def upload_api(client, task_id: str, user: str, content: bytes, name="surat.pdf"):
    return client.post(f"/api/tasks/{task_id}/attachments", headers=basic(user),
                       data={"file": (io.BytesIO(content), name)}, content_type="multipart/form-data")


def test_the_fourth_file_of_a_task_is_refused(client, alur, started, login, post, text_of):
    task = started.ready_tasks[0]
    for _ in range(3):
        assert upload_api(client, task.id, "kepala-dinas", pdf(1000)).status_code == 201
    refused = upload_api(client, task.id, "kepala-dinas", pdf(1000))
    assert refused.status_code == 422
    assert refused.get_json()["fields"] == {"file": "tugas ini sudah memiliki 3 lampiran; batasnya 3 berkas per tugas"}
    login(client, "kepala-dinas")
    page = post(client, f"/tugas/{task.id}/lampiran", {"berkas": (io.BytesIO(pdf(1000)), "surat.pdf")},
                content_type="multipart/form-data", follow_redirects=True)
    assert ("Berkas tidak diterima: tugas ini sudah memiliki 3 lampiran; batasnya 3 berkas per tugas."
            in text_of(page))
    assert stored(alur) == [(task.id, 1000)] * 3


def test_the_bytes_of_a_task_and_of_an_instance_are_bounded(client, alur, started, run_until):
    first = started.ready_tasks[0]
    assert upload_api(client, first.id, "kepala-dinas", pdf(MIB + MIB // 2)).status_code == 201
    refused = upload_api(client, first.id, "kepala-dinas", pdf(MIB))  # 2.5 MiB on the task
    assert refused.get_json()["fields"] == {
        "file": "lampiran tugas ini akan melebihi batas 2 MiB per tugas (sudah 1,5 MiB)"}
    second = run_until(started, "Step_02")  # the Sekretaris' task: its own task quota, the same instance
    assert upload_api(client, second.id, "sekretaris", pdf(MIB)).status_code == 201  # 2.5 MiB in the instance
    refused = upload_api(client, second.id, "sekretaris", pdf(MIB))  # 3.5 MiB: the task would hold only 2
    assert refused.status_code == 422
    assert refused.get_json()["fields"] == {
        "file": "lampiran proses ini akan melebihi batas 3 MiB per proses (sudah 2,5 MiB)"}
    assert upload_api(client, second.id, "sekretaris", pdf(MIB // 2)).status_code == 201  # exactly 3 MiB fits
    assert [size for _, size in stored(alur)] == [MIB + MIB // 2, MIB, MIB // 2]


def test_a_completion_whose_files_would_pass_the_quota_stores_none(client, alur, started, run_until, login, post,
                                                                   text_of):
    draft = run_until(started, "Step_04")  # the rancangan form has a `lampiran` field
    for _ in range(3):
        assert upload_api(client, draft.id, "fungsional", pdf(100)).status_code == 201
    before, history = stored(alur), alur.history(started.id)
    login(client, "fungsional")
    response = post(client, f"/tugas/{draft.id}", {"perihal": "Surat", "lampiran": (io.BytesIO(pdf(100)), "r.pdf")},
                    content_type="multipart/form-data")
    assert response.status_code == 422
    assert "tugas ini sudah memiliki 3 lampiran; batasnya 3 berkas per tugas" in text_of(response)
    assert stored(alur) == before and alur.history(started.id) == history
    assert alur.task(draft.id).status == "ready"


def test_two_workers_cannot_pass_the_quota_together(app, alur, settings, started):
    """Two uploads at once, each within the task's 2 MiB alone but not together: exactly one is stored
    (the quota is checked under a lock per instance; on SQLite the write lock serialises them)."""
    task = started.ready_tasks[0]
    other_worker = app.extensions["alur_attachments"].__class__(type(alur)(settings, migrate=False))
    stores = [app.extensions["alur_attachments"], other_worker]
    start, results = threading.Barrier(2), []

    def upload(store):
        start.wait()
        try:
            store.store(task.id, "kepala-dinas", Upload("surat.pdf", io.BytesIO(pdf(MIB + MIB // 2))))
            results.append("stored")
        except InvalidData as exc:
            results.append(exc.errors["berkas"])

    threads = [threading.Thread(target=upload, args=(store,)) for store in stores]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other_worker.alur.close()
    assert sorted(results) == ["lampiran tugas ini akan melebihi batas 2 MiB per tugas (sudah 1,5 MiB)", "stored"]
    assert stored(alur) == [(task.id, MIB + MIB // 2)]


def test_limits_from_the_environment():
    limits = Settings.from_env({"ALUR_ATTACHMENT_FILES_PER_TASK": "5", "ALUR_ATTACHMENT_MIB_PER_TASK": "30",
                                "ALUR_ATTACHMENT_MIB_PER_INSTANCE": "100"}).attachment_limits
    assert limits == AttachmentLimits(files_per_task=5, bytes_per_task=30 * MIB, bytes_per_instance=100 * MIB)
    assert Settings.from_env({}).attachment_limits == AttachmentLimits(20, 50 * MIB, 200 * MIB)
    for bad in ("0", "-1", "lima", "1.5"):
        with pytest.raises(ValueError, match=f"ALUR_ATTACHMENT_MIB_PER_TASK must be a whole number of at least 1, "
                                             f"not '{bad}'"):
            Settings.from_env({"ALUR_ATTACHMENT_MIB_PER_TASK": bad})

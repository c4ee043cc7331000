"""Attachment bytes in a store every server reaches (runtime/blobstore.py: the database, or an S3 bucket
on a real S3 server): uploaded through one app, downloaded the same through another with its own
instance folder; moved between stores; carried by export and import."""
from __future__ import annotations

import hashlib
import io
import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from alur.runtime import blobstore, directory
from alur.runtime.attachments import Upload
from alur.runtime.attachments_move import move_attachments
from alur.runtime.backup import BackupError, export_database, import_database
from alur.runtime.cli import main
from alur.runtime.engine import Alur, InvalidData
from alur.runtime.settings import AttachmentLimits
from alur.runtime.models import AttachmentChunk
from alur.web.app import create_app
from tests.conftest import database_url
from tests.web.conftest import ORG, PASSWORD_HASH, SOP, USERS, _run_until, s3_objects

# A PDF of a little over 3 chunks, with bytes that differ along the file.
BIG_PDF = b"%PDF-1.4\n" + hashlib.sha256(b"alur").digest() * (3 * blobstore.CHUNK_BYTES // 32 + 100)


def _app(settings, instance, **store):
    """An app over the test's database with an instance folder of its own and the store `store`'s fields name."""
    return create_app({"TESTING": True, "SECRET_KEY": "uji", "ALUR_DEPLOY_ON_STARTUP": False,
                       "ALUR_SETTINGS": replace(settings, instance_dir=instance, **store)})


@pytest.fixture(params=["db", "s3"])
def shared_store(request) -> dict:
    """The settings fields of a store every server reaches: the database, or a bucket of the test's S3 server."""
    if request.param == "db":
        return {"attachment_store": "db"}
    return request.getfixturevalue("s3_settings")


@pytest.fixture
def servers(settings, tmp_path, shared_store):
    """Two apps on the test's database, each with an instance folder of its own, keeping attachments
    in the shared store; the Sekretaris' task of a started SOP."""
    server_a, server_b = (_app(settings, tmp_path / "a", **shared_store),
                          _app(settings, tmp_path / "b", **shared_store))
    alur = server_a.extensions["alur"]
    for username, roles in USERS.items():
        directory.add_user(alur, username, roles, display_name=username.title(), password_hash=PASSWORD_HASH,
                           org=ORG)
    task = _run_until(alur, alur.start(SOP, "kepala-dinas"), "Step_02")
    yield server_a, server_b, task
    for app in (server_a, server_b):
        app.extensions["alur"].close()


def _download(app, login, name):
    client = app.test_client()
    assert login(client, "sekretaris").status_code == 302
    return client.get(f"/lampiran/{name}")


def test_upload_through_one_server_download_through_another(servers, login, post, request):
    server_a, server_b, task = servers
    client = server_a.test_client()
    assert login(client, "sekretaris").status_code == 302
    response = post(client, f"/tugas/{task.id}/lampiran", {"berkas": (io.BytesIO(BIG_PDF), "undangan.pdf")},
                    content_type="multipart/form-data")
    assert response.status_code == 302
    [view] = server_a.extensions["alur_attachments"].for_instance(task.instance_id)
    downloaded = _download(server_b, login, view.name)
    assert downloaded.status_code == 200
    assert downloaded.data == BIG_PDF
    assert downloaded.headers["Content-Length"] == str(len(BIG_PDF))
    assert downloaded.headers["Content-Disposition"].startswith("attachment")
    if server_a.extensions["alur"].settings.attachment_store == "db":
        with server_a.extensions["alur"].sessions() as session:
            pieces = session.scalar(select(func.count()).where(AttachmentChunk.name == view.name))
        assert pieces == -(-len(BIG_PDF) // blobstore.CHUNK_BYTES) == 4
    else:  # one object, under the prefix
        objects = s3_objects(request.getfixturevalue("s3_client"), request.getfixturevalue("s3_bucket"))
        assert objects == {"alur/" + view.name: len(BIG_PDF)}
    assert not (server_a.extensions["alur"].settings.instance_dir / "attachments").exists()  # nothing on disk


def _chunks_fetched(reader) -> int:
    """How many pieces of CHUNK_BYTES a store's reader has taken from the database or the S3 server."""
    if isinstance(reader.raw, blobstore.ChunkReader):
        return reader.raw.seq
    return -(-reader.raw.received // blobstore.CHUNK_BYTES)


def test_a_download_reads_the_store_chunk_by_chunk(servers):
    server_a, _, task = servers
    view = server_a.extensions["alur_attachments"].store(task.id, "sekretaris", Upload("a.pdf", io.BytesIO(BIG_PDF)))
    reader = server_a.extensions["alur_attachments"].blobs.open(view.name)
    with reader:
        assert reader.read(10) == BIG_PDF[:10]
        assert _chunks_fetched(reader) == 1  # one chunk fetched of four
        assert reader.read() == BIG_PDF[10:]
        assert _chunks_fetched(reader) == 4


def test_an_upload_over_the_quota_keeps_no_chunks(servers):
    server_a, _, task = servers
    store = server_a.extensions["alur_attachments"]
    store.alur.settings = replace(store.alur.settings, attachment_limits=AttachmentLimits(bytes_per_task=len(BIG_PDF)))
    kept = store.store(task.id, "sekretaris", Upload("a.pdf", io.BytesIO(BIG_PDF)))
    with pytest.raises(InvalidData):  # refused inside the write transaction, after the quota check
        store.store(task.id, "sekretaris", Upload("b.pdf", io.BytesIO(BIG_PDF)))
    assert store.blobs.primary.names() == {kept.name}


def _folder_app(settings, tmp_path):
    return _app(settings, tmp_path / "a", attachment_store="folder")


def test_move_to_the_database_and_back_and_a_rerun_after_a_kill(settings, tmp_path, login):
    app = _folder_app(settings, tmp_path)
    alur = app.extensions["alur"]
    try:
        for username, roles in USERS.items():
            directory.add_user(alur, username, roles, display_name=username, password_hash=PASSWORD_HASH, org=ORG)
        task = _run_until(alur, alur.start(SOP, "kepala-dinas"), "Step_02")
        attachments = app.extensions["alur_attachments"]
        names = [attachments.store(task.id, "sekretaris", Upload(f"{i}.pdf", io.BytesIO(BIG_PDF + bytes([i])))).name
                 for i in range(3)]
        folder = blobstore.FolderStore(tmp_path / "a" / "attachments")
        database = blobstore.DatabaseStore(alur.db)
        assert folder.names() == set(names)
        # A move killed after copying the first file, before removing it from the folder:
        with folder.open(names[0]) as reader:
            database.put(None, names[0], reader.read())
        report = move_attachments(alur, "db")
        assert (report.already_there, sorted(report.moved)) == ([names[0]], sorted(names[1:]))
        assert folder.names() == set() and database.names() == set(names)
        assert move_attachments(alur, "db").already_there == names  # idempotent
        # The app, still configured for the folder, reads through to the database.
        response = _download(app, login, names[1])
        assert response.status_code == 200 and response.data == BIG_PDF + bytes([1])
        report = move_attachments(alur, "folder")
        assert sorted(report.moved) == sorted(names) and database.names() == set()
        assert (tmp_path / "a" / "attachments" / names[2]).read_bytes() == BIG_PDF + bytes([2])
    finally:
        alur.close()


def test_move_reports_missing_and_damaged_files_and_leaves_them(settings, tmp_path, monkeypatch, capsys):
    app = _folder_app(settings, tmp_path)
    alur = app.extensions["alur"]
    try:
        for username, roles in USERS.items():
            directory.add_user(alur, username, roles, display_name=username, password_hash=PASSWORD_HASH, org=ORG)
        task = _run_until(alur, alur.start(SOP, "kepala-dinas"), "Step_02")
        attachments = app.extensions["alur_attachments"]
        lost, damaged = (attachments.store(task.id, "sekretaris", Upload(f"{i}.pdf", io.BytesIO(BIG_PDF))).name
                         for i in range(2))
        (tmp_path / "a" / "attachments" / lost).unlink()
        (tmp_path / "a" / "attachments" / damaged).write_bytes(b"%PDF-1.4 diubah")
        monkeypatch.setenv("ALUR_DATABASE_URL", settings.database_url)
        monkeypatch.setenv("ALUR_INSTANCE_DIR", str(tmp_path / "a"))
        monkeypatch.setenv("ALUR_ATTACHMENT_STORE", "folder")
        assert main(["attachments", "move", "--to", "db", "--json"]) == 1
        report = json.loads(capsys.readouterr().out)
        assert (report["missing"], report["damaged"], report["moved"]) == ([lost], [damaged], [])
        assert (tmp_path / "a" / "attachments" / damaged).exists()  # left where it was
        with pytest.raises(SystemExit) as usage:  # a usage error names the choices
            main(["attachments", "move", "--to", "tape"])
        assert usage.value.code == 2
        assert "'tape' is not one of 'db', 'folder', 's3'" in capsys.readouterr().err
    finally:
        alur.close()


@pytest.mark.parametrize("target_store", ["db", "folder", "s3"])
def test_export_and_import_carry_the_files(servers, tmp_path, target_store, backend, request):
    server_a, _, task = servers
    view = server_a.extensions["alur_attachments"].store(task.id, "sekretaris", Upload("a.pdf", io.BytesIO(BIG_PDF)))
    document = json.loads(json.dumps(export_database(server_a.extensions["alur"])))
    assert set(document["attachment_files"]) == {view.name} and document["missing_attachment_files"] == []
    assert "attachment_chunks" not in document["tables"] and "signing_keys" not in document["tables"]
    settings = server_a.extensions["alur"].settings
    # Into S3: the test's bucket under another prefix (a new bucket of another deployment, as it were).
    s3 = ({**request.getfixturevalue("s3_settings"), "s3_prefix": "pulih/"} if target_store == "s3" else {})
    restored = Alur(replace(settings, database_url=database_url(backend, tmp_path / "kosong", "empty"),
                            instance_dir=tmp_path / "pulih", attachment_store=target_store,
                            **{k: v for k, v in s3.items() if k != "attachment_store"}))
    try:
        tampered = json.loads(json.dumps(document))
        tampered["attachment_files"][view.name] = tampered["attachment_files"][view.name][:-8] + "AAAAAAA="
        with pytest.raises(BackupError, match=f"attachment_files.{view.name}: its bytes do not match"):
            import_database(restored, tampered)
        assert blobstore.store(target_store, restored.settings, restored.db).names() == set()  # nothing written
        counts = import_database(restored, document)
        assert counts["attachment files"] == 1 and counts["attachments"] == 1
        reader = blobstore.store(target_store, restored.settings, restored.db).open(view.name)
        with reader:
            assert reader.read() == BIG_PDF
        again = export_database(restored)
        assert again["attachment_files"] == document["attachment_files"]
    finally:
        restored.close()

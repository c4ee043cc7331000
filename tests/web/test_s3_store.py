"""The S3 attachment store (runtime/s3store.py) against a real S3-compatible HTTP server on 127.0.0.1
(moto's): a file larger than one part goes up in parts and comes down the same; a failed part leaves
nothing, and so does an import cut between two files; a bucket or endpoint that cannot be used stops
the start, naming the setting, before anything is written; `alur attachments move` from the folder to S3 and back; the cleanup removes objects no row names.
(The store contract shared with the database store is in test_blob_stores.py.)"""
from __future__ import annotations

import io
import json
import os
import socket
import sys
from dataclasses import replace

import pytest
from botocore.exceptions import EndpointConnectionError
from sqlalchemy import create_engine, inspect

from alur.runtime import blobstore, directory, s3store
from alur.runtime.attachments import Upload
from alur.runtime.attachments_cleanup import clean_attachments
from alur.runtime.backup import export_database, import_database
from alur.runtime.cli import main
from alur.runtime.engine import Alur
from alur.runtime.models import utcnow
from alur.runtime.s3store import StoreUnavailable
from alur.runtime.settings import Settings
from alur.web.app import create_app
from tests.conftest import FORMS, PROCESSES, database_url
from tests.web.conftest import ORG, PASSWORD_HASH, SOP, USERS, _run_until, s3_objects
from tests.web.test_attachment_cleanup import LATER

PDF = b"%PDF-1.4\n" + os.urandom(200 * 1024)


def _start(settings, instance, **store):
    return create_app({"TESTING": True, "SECRET_KEY": "uji", "ALUR_DEPLOY_ON_STARTUP": False,
                       "ALUR_SETTINGS": replace(settings, instance_dir=instance, **store)})


@pytest.fixture
def s3_app(settings, tmp_path, s3_settings):
    """An app keeping attachments in the test's bucket (prefix alur/), and the Sekretaris' task of a started SOP."""
    app = _start(settings, tmp_path / "a", **s3_settings)
    alur = app.extensions["alur"]
    for username, roles in USERS.items():
        directory.add_user(alur, username, roles, display_name=username, password_hash=PASSWORD_HASH, org=ORG)
    yield app, _run_until(alur, alur.start(SOP, "kepala-dinas"), "Step_02")
    alur.close()


def test_a_file_larger_than_one_part_goes_up_in_parts_and_comes_down_the_same(s3_app, s3_client, s3_bucket,
                                                                               login):
    app, task = s3_app
    big = b"%PDF-1.4\n" + os.urandom(s3store.PART_BYTES + 1024 * 1024)  # two parts: 8 MiB and the rest
    view = app.extensions["alur_attachments"].store(task.id, "sekretaris", Upload("besar.pdf", io.BytesIO(big)))
    head = s3_client.head_object(Bucket=s3_bucket, Key="alur/" + view.name)
    assert head["ContentLength"] == len(big)
    assert head["ETag"].strip('"').endswith("-2")  # the ETag of a multipart upload of two parts
    client = app.test_client()
    assert login(client, "sekretaris").status_code == 302
    response = client.get(f"/lampiran/{view.name}")
    assert response.status_code == 200 and response.headers["Content-Length"] == str(len(big))
    assert response.data == big
    assert not (app.extensions["alur"].settings.instance_dir / "attachments").exists()  # nothing on disk


def test_a_failed_part_leaves_no_object_and_no_row(s3_app, s3_client, s3_bucket, s3_endpoint):
    app, task = s3_app
    attachments = app.extensions["alur_attachments"]

    def cut_at_the_second_part(params, **_):
        if params.get("PartNumber") == 2:
            raise EndpointConnectionError(endpoint_url=s3_endpoint)

    attachments.blobs.primary.client.meta.events.register("before-parameter-build.s3.UploadPart",
                                                          cut_at_the_second_part)
    big = b"%PDF-1.4\n" + os.urandom(s3store.PART_BYTES + 1024 * 1024)
    with pytest.raises(StoreUnavailable, match=r"attachment store s3: storing [0-9a-f]{32}\.pdf in bucket"):
        attachments.store(task.id, "sekretaris", Upload("besar.pdf", io.BytesIO(big)))
    assert attachments.for_instance(task.instance_id) == []
    assert s3_objects(s3_client, s3_bucket) == {}
    assert s3_client.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []  # aborted, not left


def test_an_upload_whose_row_does_not_commit_takes_its_object_away_again(s3_app, s3_client, s3_bucket, monkeypatch):
    app, task = s3_app
    attachments = app.extensions["alur_attachments"]
    real_put = s3store.S3Store.put

    def put_then_fail(self, connection, name, content):
        real_put(self, connection, name, content)
        raise RuntimeError("the database went away before the commit")  # the object is in the bucket by now

    monkeypatch.setattr(s3store.S3Store, "put", put_then_fail)
    with pytest.raises(RuntimeError, match="went away"):
        attachments.store(task.id, "sekretaris", Upload("surat.pdf", io.BytesIO(PDF)))
    assert attachments.for_instance(task.instance_id) == []
    assert s3_objects(s3_client, s3_bucket) == {}


def test_an_upload_while_the_bucket_is_gone_is_refused_with_503_and_changes_nothing(s3_app, s3_client, s3_bucket,
                                                                                     login, post):
    app, task = s3_app
    s3_client.delete_bucket(Bucket=s3_bucket)
    client = app.test_client()
    assert login(client, "sekretaris").status_code == 302
    response = post(client, f"/tugas/{task.id}/lampiran", {"berkas": (io.BytesIO(PDF), "undangan.pdf")},
                    content_type="multipart/form-data")
    assert response.status_code == 503
    assert app.extensions["alur_attachments"].for_instance(task.instance_id) == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens on it once the probe is closed


@pytest.mark.parametrize("change, message", [
    ({"s3_bucket": "tidak-ada"}, "ALUR_S3_BUCKET: there is no bucket 'tidak-ada' at http://127.0.0.1:"),
    ({"s3_endpoint_url": "closed"}, "ALUR_S3_ENDPOINT_URL: cannot reach http://127.0.0.1:"),
    ({"credentials": None}, "the S3 attachment store found no credentials: set AWS_ACCESS_KEY_ID"),
    ({"boto3": None}, r"ALUR_ATTACHMENT_STORE=s3 needs boto3, which is not installed: pip install 'alur\[s3\]'"),
])
def test_a_store_that_cannot_be_used_stops_the_start_before_anything_is_written(tmp_path, s3_settings, monkeypatch,
                                                                                change, message):
    fields = dict(s3_settings)
    if "s3_bucket" in change:
        fields["s3_bucket"] = change["s3_bucket"]
    if "s3_endpoint_url" in change:
        fields["s3_endpoint_url"] = f"http://127.0.0.1:{_closed_port()}"
    if "credentials" in change:
        monkeypatch.delenv("AWS_ACCESS_KEY_ID")
        monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    if "boto3" in change:
        monkeypatch.setitem(sys.modules, "boto3", None)  # as if the `s3` extra were not installed
    url = f"sqlite:///{tmp_path / 'baru.sqlite3'}"
    settings = Settings(database_url=url, processes_dir=PROCESSES, forms_dir=FORMS, instance_dir=tmp_path / "i",
                        **fields)
    with pytest.raises(StoreUnavailable, match=message) as refused:
        create_app({"TESTING": True, "SECRET_KEY": "uji", "ALUR_SETTINGS": settings})
    assert "rahasia-uji-s3" not in str(refused.value)  # the secret key is never part of a message
    assert inspect(create_engine(url)).get_table_names() == []  # no schema, no deploy: nothing written


@pytest.mark.parametrize("env, message", [
    ({"ALUR_ATTACHMENT_STORE": "s3"}, r"ALUR_ATTACHMENT_STORE=s3 needs ALUR_S3_BUCKET"),
    ({"ALUR_ATTACHMENT_STORE": "S3", "ALUR_S3_BUCKET": "b", "ALUR_S3_ENDPOINT_URL": "minio:9000"},
     "ALUR_S3_ENDPOINT_URL must start with http:// or https://, not 'minio:9000'"),
    ({"ALUR_ATTACHMENT_STORE": "tape"}, "ALUR_ATTACHMENT_STORE must be db, folder or s3, not 'tape'"),
])
def test_incomplete_s3_settings_are_refused_naming_the_setting(tmp_path, env, message):
    with pytest.raises(ValueError, match=message):
        Settings.from_env({"ALUR_INSTANCE_DIR": str(tmp_path), **env})


def test_s3_settings_are_read_from_the_environment(tmp_path):
    settings = Settings.from_env({"ALUR_INSTANCE_DIR": str(tmp_path), "ALUR_ATTACHMENT_STORE": "s3",
                                  "ALUR_S3_BUCKET": " lampiran ", "ALUR_S3_ENDPOINT_URL": "http://minio:9000",
                                  "ALUR_S3_PREFIX": "alur/"})
    assert (settings.attachment_store, settings.s3_bucket, settings.s3_endpoint_url, settings.s3_prefix) == (
        "s3", "lampiran", "http://minio:9000", "alur/")


def test_move_from_the_folder_to_s3_and_back_and_a_rerun_after_a_kill(settings, tmp_path, s3_settings, s3_client,
                                                                      s3_bucket, monkeypatch, capsys, login):
    # The files in the folder; the bucket already known (ALUR_S3_BUCKET set), so read through to.
    app = _start(settings, tmp_path / "a", **{**s3_settings, "attachment_store": "folder"})
    alur = app.extensions["alur"]
    try:
        for username, roles in USERS.items():
            directory.add_user(alur, username, roles, display_name=username, password_hash=PASSWORD_HASH, org=ORG)
        task = _run_until(alur, alur.start(SOP, "kepala-dinas"), "Step_02")
        attachments = app.extensions["alur_attachments"]
        contents = {attachments.store(task.id, "sekretaris", Upload(f"{i}.pdf", io.BytesIO(PDF + bytes([i])))).name:
                    PDF + bytes([i]) for i in range(3)}
        names = list(contents)
        folder = blobstore.FolderStore(tmp_path / "a" / "attachments")
        for name, value in {"ALUR_DATABASE_URL": settings.database_url, "ALUR_INSTANCE_DIR": str(tmp_path / "a"),
                            "ALUR_ATTACHMENT_STORE": "folder", "ALUR_S3_BUCKET": s3_bucket,
                            "ALUR_S3_ENDPOINT_URL": s3_settings["s3_endpoint_url"], "ALUR_S3_PREFIX": "alur"}.items():
            monkeypatch.setenv(name, value)

        assert main(["attachments", "move", "--to", "s3", "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert sorted(report["moved"]) == sorted(names) and report["to"] == "s3"
        assert folder.names() == set()
        assert s3_objects(s3_client, s3_bucket) == {"alur/" + name: len(content) for name, content in contents.items()}
        # The app, still configured for the folder, reads through to the bucket.
        client = app.test_client()
        assert login(client, "sekretaris").status_code == 302
        response = client.get(f"/lampiran/{names[1]}")
        assert response.status_code == 200 and response.data == contents[names[1]]

        # A move killed after copying a file back, before removing it from the bucket, is finished by a rerun.
        folder.put(None, names[0], contents[names[0]])
        assert main(["attachments", "move", "--to", "s3", "--json"]) == 0
        assert json.loads(capsys.readouterr().out)["already_there"] == names
        assert folder.names() == set()

        assert main(["attachments", "move", "--to", "folder"]) == 0
        assert "dipindahkan: 3" in capsys.readouterr().out
        assert s3_objects(s3_client, s3_bucket) == {}
        assert {name: (tmp_path / "a" / "attachments" / name).read_bytes() for name in names} == contents
    finally:
        alur.close()


def test_move_to_s3_without_a_bucket_is_refused(settings, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALUR_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ALUR_INSTANCE_DIR", str(tmp_path / "a"))
    monkeypatch.delenv("ALUR_S3_BUCKET", raising=False)
    assert main(["attachments", "move", "--to", "s3"]) == 1
    assert "ALUR_S3_BUCKET" in capsys.readouterr().err


def test_cleanup_removes_objects_no_row_names_and_keeps_the_rest(s3_app, s3_client, s3_bucket):
    app, task = s3_app
    alur, attachments = app.extensions["alur"], app.extensions["alur_attachments"]
    kept = attachments.store(task.id, "sekretaris", Upload("surat.pdf", io.BytesIO(PDF)))  # a document on its own
    # What a completion stores before completing the task, for a completion that never happened:
    unused = attachments._write(task.instance_id, task.id, "sekretaris", Upload("draf.pdf", io.BytesIO(PDF)),
                                form_field="dokumen")
    orphan = "0" * 32 + ".pdf"  # a kill between the upload and the commit of its row
    attachments.blobs.primary.put(None, orphan, PDF)
    folder = alur.settings.instance_dir / "attachments"
    assert clean_attachments(alur, folder).files_without_row == []  # within the grace period: kept
    report = clean_attachments(alur, folder, now=utcnow() + LATER, dry_run=True)
    assert (report.files_without_row, report.unused_uploads) == ([orphan], [unused.name])
    assert len(s3_objects(s3_client, s3_bucket)) == 3  # a dry run removes nothing
    clean_attachments(alur, folder, now=utcnow() + LATER)
    assert s3_objects(s3_client, s3_bucket) == {"alur/" + kept.name: len(PDF)}
    assert [view.name for view in attachments.for_instance(task.instance_id)] == [kept.name]


def test_an_import_whose_second_file_cannot_be_stored_leaves_no_row_and_no_object(s3_app, s3_settings, s3_client,
                                                                                    s3_bucket, tmp_path, backend,
                                                                                    monkeypatch):
    app, task = s3_app
    names = [app.extensions["alur_attachments"].store(task.id, "sekretaris", Upload(f"{i}.pdf", io.BytesIO(PDF))).name
             for i in range(2)]
    document = export_database(app.extensions["alur"])
    restored = Alur(replace(app.extensions["alur"].settings, s3_prefix="pulih/",
                            database_url=database_url(backend, tmp_path / "kosong", "empty"),
                            instance_dir=tmp_path / "pulih"))
    real_put, stored = s3store.S3Store.put, []

    def put_once_then_fail(self, connection, name, content):
        if stored:
            raise StoreUnavailable(f"attachment store s3: storing {name} failed (cut by the test)")
        real_put(self, connection, name, content)
        stored.append(name)

    monkeypatch.setattr(s3store.S3Store, "put", put_once_then_fail)
    try:
        with pytest.raises(StoreUnavailable, match="cut by the test"):
            import_database(restored, document)
        assert len(stored) == 1  # one object was written before the failure ...
        assert sorted(s3_objects(s3_client, s3_bucket)) == sorted("alur/" + name for name in names)  # ... and removed
        with restored.db.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM attachments").scalar() == 0
            assert connection.exec_driver_sql("SELECT count(*) FROM instances").scalar() == 0
    finally:
        restored.close()

"""Fixtures for the web tests: an app over a temporary SQLite database and instance folder,
one user per role of the data-collection SOP, and helpers to log in and walk the SOP."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import flask
import pytest
from flask_wtf.csrf import generate_csrf
from werkzeug.security import generate_password_hash

from alur.runtime import directory, forms, views
from alur.runtime.settings import Settings
from tests.conftest import FORMS, PROCESSES, database_url
from alur.web.app import create_app

SOP = "sulteng-pengumpulan-data-kinerja"
ORG = "sulteng-diskukm"  # the organisation the SOP belongs to (its BPMN's `org` property)
PASSWORD = "rahasia-uji"
# A cheap hash: the tests log in many times.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

USERS = {
    "kepala-dinas": ["kepala-dinas"],
    "sekretaris": ["sekretaris"],
    "kasubbag": ["kepala-sub-bagian-program-keuangan-dan-aset"],
    "fungsional": ["fungsional-umum"],
    "kabid": ["bidang-upt-balai-pelatihan"],
    "bappeda": ["perangkat-daerah-terkait-bappeda-dan-biro-organisasi"],
    "pegawai-lain": ["pegawai"],  # holds no lane of the SOP
    "tanpa-peran": [],
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request, tmp_path):
    """The app's settings: a temporary instance folder, and a database of this test's own with
    every SOP of processes/ deployed (SQLite; PostgreSQL too when ALUR_TEST_POSTGRES_URL is set)."""
    instance = tmp_path / "instance"
    env = {"ALUR_INSTANCE_DIR": str(instance), "ALUR_TIMEZONE": "Asia/Jakarta",
           "ALUR_PROCESSES_DIR": str(PROCESSES), "ALUR_FORMS_DIR": str(FORMS),
           "ALUR_DATABASE_URL": database_url(request.param, instance, "deployed"),
           # These tests look at the attachment folder; tests/web/test_blob_stores.py runs both stores.
           "ALUR_ATTACHMENT_STORE": "folder"}
    return Settings.from_env(env)


@pytest.fixture
def app(settings):
    # The database already holds every SOP (copied from the session's template): deploying
    # processes/ again at start would only find every file known.
    app = create_app({"TESTING": True, "ALUR_SETTINGS": settings, "SECRET_KEY": "uji",
                      "ALUR_DEPLOY_ON_STARTUP": False})
    alur = app.extensions["alur"]
    for username, roles in USERS.items():
        directory.add_user(alur, username, roles, display_name=username.replace("-", " ").title(),
                           password_hash=PASSWORD_HASH, org=ORG)
    yield app
    alur.close()


@pytest.fixture
def alur(app):
    return app.extensions["alur"]


@pytest.fixture
def client(app):
    return app.test_client()


def _csrf_of(client) -> str:
    """The session's CSRF token, as a page would carry it (Flask-WTF's signed form of the token the
    session keeps; a session without one is given one, as the first page it opens would)."""
    with client.session_transaction() as session:
        with client.application.test_request_context():
            flask.session.update(session)
            token = generate_csrf()
            session.update(flask.session)
    return token


def _login(client, user: str, password: str = PASSWORD):
    """Log `user` in through the login form; returns the response."""
    return client.post("/masuk", data={"username": user, "password": password, "csrf_token": _csrf_of(client)})


def _post(client, url: str, data: dict | None = None, **kwargs):
    """POST a form with this session's CSRF token."""
    return client.post(url, data={**(data or {}), "csrf_token": _csrf_of(client)}, **kwargs)


ROLE_USER = {roles[0]: user for user, roles in USERS.items() if roles}


def _run_until(alur, view, task_spec: str | None, decisions: dict | None = None):
    """Complete the instance's tasks with sample data until `task_spec` is ready and return
    that task; with task_spec None, run to the end and return the instance."""
    decisions = decisions or {}
    for _ in range(100):
        for task in view.ready_tasks:
            if task.task_spec == task_spec:
                return task
        if not view.ready_tasks:
            if task_spec is None:
                return view
            break
        task = view.ready_tasks[0]
        schema = views.task_details(alur, task.id)["form"]
        data = forms.sample_data(schema, decisions.get(task.task_spec, "setuju"))
        view = alur.complete(task.id, ROLE_USER[task.role], data)
    raise AssertionError(f"{task_spec} never became ready")


def _text_of(response) -> str:
    """The visible text of an HTML response, whitespace collapsed."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


@pytest.fixture
def csrf_of():
    return _csrf_of


@pytest.fixture
def login():
    """login(client, user, password=PASSWORD): log in through the form."""
    return _login


@pytest.fixture
def post():
    """post(client, url, data): a form POST carrying the CSRF token."""
    return _post


@pytest.fixture
def text_of():
    return _text_of


@pytest.fixture
def run_until(alur):
    """run_until(view, task_spec, decisions): walk the SOP with sample data up to `task_spec`."""
    return lambda view, task_spec, decisions=None: _run_until(alur, view, task_spec, decisions)


@pytest.fixture
def started(alur):
    """A fresh instance of the data-collection SOP, started by the Kepala Dinas."""
    return alur.start(SOP, "kepala-dinas")


class Clock:
    """A controlled clock for the app (its ALUR_CLOCK): stands still until moved on."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def advance(self, **delta) -> None:
        self.at += timedelta(**delta)


@pytest.fixture
def clock(app):
    """The app's clock, frozen at 24 Nov 2026 09:00 WIB until a test moves it on."""
    frozen = Clock(datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc))
    app.config["ALUR_CLOCK"] = frozen
    return frozen


# boto3's own credential chain, pointed at test credentials and away from the machine's ~/.aws.
S3_ENV = {"AWS_ACCESS_KEY_ID": "alur-uji", "AWS_SECRET_ACCESS_KEY": "rahasia-uji-s3", "AWS_DEFAULT_REGION": "us-east-1",
          "AWS_CONFIG_FILE": "/nonexistent/aws-config", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
          "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.fixture(scope="session")
def s3_endpoint():
    """The URL of a real S3-compatible HTTP server on 127.0.0.1 (moto's), for the whole session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_client(s3_endpoint, monkeypatch):
    """A boto3 client of the test's S3 server, with the test credentials in the environment."""
    import boto3

    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    for name, value in S3_ENV.items():
        monkeypatch.setenv(name, value)
    return boto3.session.Session().client("s3", endpoint_url=s3_endpoint)


@pytest.fixture
def s3_bucket(s3_client):
    """A new bucket of this test's own."""
    bucket = f"alur-uji-{uuid.uuid4().hex[:12]}"
    s3_client.create_bucket(Bucket=bucket)
    return bucket


@pytest.fixture
def s3_settings(s3_endpoint, s3_bucket):
    """The settings fields of the S3 store over the test's bucket (with a prefix, as in a shared bucket)."""
    return {"attachment_store": "s3", "s3_bucket": s3_bucket, "s3_endpoint_url": s3_endpoint, "s3_prefix": "alur/"}


def s3_objects(client, bucket: str) -> dict[str, int]:
    """key -> size of every object in the bucket."""
    return {item["Key"]: item["Size"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", [])}

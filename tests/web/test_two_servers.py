"""Two real app servers (`alur serve` on two ports, instance folders of their own) on one PostgreSQL
database, as behind a load balancer: a login on one works on the other, a file uploaded through one
downloads the same from the other, a task completed on one shows its next task on the other."""
from __future__ import annotations

import base64
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

from alur.runtime import directory, forms, views
from alur.runtime.engine import Alur
from alur.runtime.settings import Settings
from tests.conftest import FORMS, PROCESSES, PROJECT_ROOT, database_url
from tests.web.conftest import ORG, PASSWORD, PASSWORD_HASH, SOP, USERS

pytestmark = pytest.mark.postgres
PDF = b"%PDF-1.4\n" + os.urandom(600 * 1024)  # a little over two database chunks


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, url: str, instance, log_path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("ALUR_SECRET_KEY", "ALUR_ATTACHMENT_STORE")}
        env.update(ALUR_DATABASE_URL=url, ALUR_INSTANCE_DIR=str(instance), ALUR_PROCESSES_DIR=str(PROCESSES),
                   ALUR_FORMS_DIR=str(FORMS), PYTHONPATH=str(PROJECT_ROOT))
        self.log_path = log_path
        self.process = subprocess.Popen([sys.executable, "-m", "alur.web.cli", "serve", "--port", str(self.port)],
                                        env=env, cwd=instance.parent, stdout=subprocess.DEVNULL,
                                        stderr=open(log_path, "w"))

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log_path.read_text()[-3000:]
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        raise AssertionError(f"{self.base} not ready: {self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _basic(user: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()}


def _call(opener, url: str, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.geturl(), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, url, exc.read()


def _multipart(field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def two_servers(tmp_path):
    url = database_url("postgres", tmp_path, "deployed")
    alur = Alur(Settings(database_url=url, processes_dir=PROCESSES, forms_dir=FORMS, instance_dir=tmp_path / "x"))
    for username, roles in USERS.items():
        directory.add_user(alur, username, roles, display_name=username.title(), password_hash=PASSWORD_HASH, org=ORG)
    servers = [Server(url, tmp_path / name, tmp_path / f"{name}.log") for name in ("a", "b")]
    try:
        for server in servers:
            server.wait_ready()
        yield alur, *servers
    finally:
        for server in servers:
            server.stop()
        alur.close()


def test_two_servers_share_sessions_files_and_work(two_servers):
    alur, server_a, server_b = two_servers
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    # Log in on A ...
    status, _, page = _call(browser, server_a.base + "/masuk")
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    form = urllib.parse.urlencode({"username": "kepala-dinas", "password": PASSWORD, "csrf_token": token}).encode()
    status, landed, _ = _call(browser, server_a.base + "/masuk", form)
    assert status == 200 and urllib.parse.urlsplit(landed).path == "/"
    # ... and use the cookie on B.
    status, landed, page = _call(browser, server_b.base + "/")
    assert status == 200 and urllib.parse.urlsplit(landed).path == "/", landed
    assert "Keluar".encode() in page or b"keluar" in page.lower()

    instance = alur.start(SOP, "kepala-dinas")
    [task] = instance.ready_tasks
    # Upload through A, download the same bytes through B.
    body, content_type = _multipart("file", "undangan.pdf", PDF)
    status, _, answer = _call(browser, f"{server_a.base}/api/tasks/{task.id}/attachments", body,
                              {**_basic("kepala-dinas"), "Content-Type": content_type})
    assert status == 201, answer
    name = json.loads(answer)["name"]
    status, _, downloaded = _call(browser, f"{server_b.base}/lampiran/{name}")
    assert status == 200 and downloaded == PDF

    # Complete on A; the next task is in the inbox B serves.
    data = forms.sample_data(views.task_details(alur, task.id)["form"], "setuju")
    status, _, answer = _call(browser, f"{server_a.base}/api/tasks/{task.id}/complete",
                              json.dumps({"data": data}).encode(),
                              {**_basic("kepala-dinas"), "Content-Type": "application/json"})
    assert status == 200, answer
    [next_task] = json.loads(answer)["ready_tasks"]
    next_user = next(user for user, roles in USERS.items() if next_task["role"] in roles)
    status, _, answer = _call(browser, f"{server_b.base}/api/tasks", headers=_basic(next_user))
    assert status == 200 and next_task["id"] in answer.decode()

    # Both logged every request as JSON lines, and no password.
    for server in (server_a, server_b):
        log = server.log_path.read_text()
        assert PASSWORD not in log
        requests = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
        assert {"/masuk", "/"} & {line["route"] for line in requests}

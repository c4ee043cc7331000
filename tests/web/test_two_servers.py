"""Two real app servers (`alur serve` on two ports, instance folders of their own) on one PostgreSQL
database, as behind a load balancer: a login on one works on the other, a file uploaded through one
downloads the same from the other (from the database, or from one S3 bucket), a task completed on
one shows its next task on the other."""
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
    def __init__(self, url: str, instance, log_path, extra_env: dict | None = None):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("ALUR_SECRET_KEY", "ALUR_ATTACHMENT_STORE")}
        env.update(ALUR_DATABASE_URL=url, ALUR_INSTANCE_DIR=str(instance), ALUR_PROCESSES_DIR=str(PROCESSES),
                   ALUR_FORMS_DIR=str(FORMS), PYTHONPATH=str(PROJECT_ROOT), **(extra_env or {}))
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


def test_a_server_stopped_mid_burst_loses_no_acknowledged_completion(two_servers):
    """Completions go to A and B in turns; A is killed (SIGKILL, no clean shutdown) once it has
    acknowledged some. Every completion either server acknowledged is in the database, each task is
    completed exactly once, and a completion whose answer was lost with A, sent again to B, is
    either done there or refused as done already (409): never done twice."""
    from concurrent.futures import ThreadPoolExecutor
    import threading

    from alur.runtime.tokens import create_token

    alur, server_a, server_b = two_servers
    secret, _ = create_token(alur, "kepala-dinas", "burst")
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    tasks = [alur.start(SOP, "kepala-dinas").ready_tasks[0] for _ in range(40)]
    form = views.task_details(alur, tasks[0].id)["form"]
    body = json.dumps({"data": forms.sample_data(form, "setuju")}).encode()
    opener = urllib.request.build_opener()
    acknowledged_by_a = threading.Semaphore(0)
    outcomes: dict[str, list[tuple[str, int | None]]] = {}

    def complete(index_task):
        index, task = index_task
        first = server_a if index % 2 == 0 else server_b
        tries = outcomes.setdefault(task.id, [])
        for server in (first, server_b):  # a try A could not answer goes to B
            try:
                status, _, _ = _call(opener, f"{server.base}/api/tasks/{task.id}/complete", body, headers)
            except (urllib.error.URLError, ConnectionError, OSError):
                tries.append((server.base, None))
                continue
            tries.append((server.base, status))
            if server is server_a and status == 200:
                acknowledged_by_a.release()
            return

    with ThreadPoolExecutor(max_workers=4) as pool:
        running = pool.map(complete, enumerate(tasks))
        for _ in range(5):
            assert acknowledged_by_a.acquire(timeout=60), outcomes
        server_a.process.kill()
        list(running)
    assert server_a.process.wait(timeout=20) == -9

    lost_answers = 0
    for task in tasks:
        tries = outcomes[task.id]
        statuses = [status for _, status in tries]
        if statuses[0] is None:  # A died before answering; B's answer decides
            lost_answers += 1
            assert statuses[1] in (200, 409), tries
        else:
            assert statuses == [200], tries
        history = [entry.action for entry in alur.history(task.instance_id)]
        assert history.count("complete") == 1, (task.id, history, tries)
    # The kill really cut the burst: A answered some, B the rest, including A's lost ones.
    answered_by_a = sum(1 for tries in outcomes.values() if tries[0] == (server_a.base, 200))
    assert 5 <= answered_by_a < 20, outcomes
    assert answered_by_a + lost_answers + sum(
        1 for tries in outcomes.values() if tries[0] == (server_b.base, 200)) == len(tasks)


def test_two_servers_share_files_in_one_s3_bucket(tmp_path, s3_endpoint, s3_client, s3_bucket):
    """The same two servers with ALUR_ATTACHMENT_STORE=s3 (the credentials from boto3's AWS_* variables):
    a file uploaded through one (larger than one part) is one object of the bucket, and downloads
    the same through the other; neither keeps it in its folder or the database."""
    from alur.runtime.s3store import PART_BYTES
    from tests.web.conftest import s3_objects

    url = database_url("postgres", tmp_path, "deployed")
    alur = Alur(Settings(database_url=url, processes_dir=PROCESSES, forms_dir=FORMS, instance_dir=tmp_path / "x"))
    store = {"ALUR_ATTACHMENT_STORE": "s3", "ALUR_S3_BUCKET": s3_bucket, "ALUR_S3_ENDPOINT_URL": s3_endpoint,
             "ALUR_S3_PREFIX": "bersama/"}
    servers = [Server(url, tmp_path / name, tmp_path / f"{name}.log", store) for name in ("a", "b")]
    try:
        for username, roles in USERS.items():
            directory.add_user(alur, username, roles, display_name=username.title(), password_hash=PASSWORD_HASH,
                               org=ORG)
        for server in servers:
            server.wait_ready()
        server_a, server_b = servers
        [task] = alur.start(SOP, "kepala-dinas").ready_tasks
        big = b"%PDF-1.4\n" + os.urandom(PART_BYTES + 512 * 1024)
        body, content_type = _multipart("file", "undangan.pdf", big)
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        status, _, answer = _call(browser, f"{server_a.base}/api/tasks/{task.id}/attachments", body,
                                  {**_basic("kepala-dinas"), "Content-Type": content_type})
        assert status == 201, answer
        name = json.loads(answer)["name"]
        _, _, page = _call(browser, server_b.base + "/masuk")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        form = urllib.parse.urlencode({"username": "kepala-dinas", "password": PASSWORD, "csrf_token": token}).encode()
        assert _call(browser, server_b.base + "/masuk", form)[0] == 200
        status, _, downloaded = _call(browser, f"{server_b.base}/lampiran/{name}")
        assert status == 200 and downloaded == big
        assert s3_objects(s3_client, s3_bucket) == {"bersama/" + name: len(big)}
        assert not any((tmp_path / folder / "attachments").exists() for folder in ("a", "b"))
        with alur.db.connect() as connection:
            assert connection.exec_driver_sql("SELECT count(*) FROM attachment_chunks").scalar() == 0
        for server in servers:
            assert "rahasia-uji-s3" not in server.log_path.read_text()  # the secret key is never logged
    finally:
        for server in servers:
            server.stop()
        alur.close()

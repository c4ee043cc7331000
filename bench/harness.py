"""What the HTTP benchmarks share: databases, users, seeded instances, a server, a client, percentiles.

Seeding: one instance of each SOP is run through the engine on its happy path,
and its stored state and task rows are snapshotted at every wait (a template
per step). Copies of the templates are written with bulk INSERTs: every task
UUID in the state and in human_tasks is replaced by a fresh one, times are
shifted into the past, so each copy is an instance the engine can load and
complete like any other.
"""
from __future__ import annotations

import base64
import http.client
import json
import logging
import random
import re
import statistics
import sys
import threading
import time
import uuid
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402

from alur.runtime import directory, forms, state, views  # noqa: E402
from alur.runtime.engine import Alur  # noqa: E402
from alur.runtime.models import HumanTask, Instance  # noqa: E402
from alur.runtime.settings import Settings  # noqa: E402

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PASSWORD = "bench-rahasia"
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# ------------------------------------------------------------------ databases

def fresh_database(backend: str, folder: Path, name: str) -> Settings:
    """Settings over an empty database: a SQLite file in `folder`, or PostgreSQL database `name` (re-created)."""
    if backend == "sqlite":
        url = f"sqlite:///{folder / (name + '.sqlite3')}"
    else:
        server = create_engine(f"{POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        server.dispose()
        url = f"{POSTGRES_SERVER}/{name}"
    return Settings(database_url=url, instance_dir=folder / f"instance-{backend}")


def analyze(alur: Alur) -> None:
    """What the database does on its own after a bulk load: on PostgreSQL autovacuum's VACUUM ANALYZE
    (statistics, and the visibility map that lets counts read the index alone); on SQLite ANALYZE."""
    if alur.db.dialect.name == "postgresql":
        with alur.db.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with alur.db.begin() as connection:
            connection.execute(text("ANALYZE"))


# ---------------------------------------------------------------------- users

def password_hash() -> str:
    """One hash with werkzeug's default method (what `alur user` stores), shared by every bench user."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD)


def seed_users(alur: Alur, count: int, hashed: str) -> dict[tuple[str, str], list[str]]:
    """`count` users spread round-robin over every (organisation, role) of the deployed SOPs."""
    pairs = sorted({(p["org"], role) for p in alur.processes()
                    for role in directory.lane_roles(alur, p["org"], p["process_id"]).values()})
    users: dict[tuple[str, str], list[str]] = {pair: [] for pair in pairs}
    for n in range(count):
        org, role = pairs[n % len(pairs)]
        username = f"{org.split('-')[0]}.{role}.{n}"
        directory.add_user(alur, username, [role], display_name=f"Pegawai {n}", password_hash=hashed, org=org)
        users[(org, role)].append(username)
    return users


# ------------------------------------------------------------------ templates

def sample_for(alur: Alur, task_id: str) -> dict:
    """Form data that approves (on a review) and fills every required field."""
    schema = views.task_details(alur, task_id)["form"] or {"properties": {}}
    return forms.sample_data(schema, "setuju" if "keputusan" in schema.get("properties", {}) else None)


@dataclass
class Template:
    """A running instance's stored rows at one wait, with its UUIDs cut out for copying."""

    process_id: str
    org: str
    version_id: int
    revision: int
    started_by: str
    state_parts: list[str]
    state_ids: list[str]
    tasks: list[dict]


@dataclass
class Templates:
    by_process: dict[str, list[Template]] = field(default_factory=dict)
    ended: dict[str, Template] = field(default_factory=dict)  # process -> the instance at its end
    data: dict[tuple[str, str], dict] = field(default_factory=dict)  # (process, task spec) -> form data


def make_templates(alur: Alur, users: dict[tuple[str, str], list[str]]) -> Templates:
    """Run one instance of every SOP to its end through the engine, snapshotting each wait."""
    out = Templates()
    for process in alur.processes():
        process_id, org = process["process_id"], process["org"]
        view = alur.start(process_id, users[(org, views.start_role(alur, org, process_id))][0])
        snapshots = []
        while view.status == "running":
            snapshots.append(_snapshot(alur, view.id))
            task = view.ready_tasks[0]
            data = out.data.setdefault((process_id, task.task_spec), sample_for(alur, task.id))
            view = alur.complete(task.id, users[(org, task.role)][0], data)
        out.by_process[process_id] = snapshots
        out.ended[process_id] = _snapshot(alur, view.id)
    return out


def _snapshot(alur: Alur, instance_id: int) -> Template:
    with alur.sessions() as session:
        instance = session.get(Instance, instance_id)
        rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id)).all()
        tasks = [{c.key: getattr(r, c.key) for c in HumanTask.__table__.columns} for r in rows]
        text_ = state.state_json(instance.state)
        return Template(instance.process_id, instance.org, instance.version_id, instance.revision,
                        instance.started_by, UUID_RE.split(text_), UUID_RE.findall(text_), tasks)


# -------------------------------------------------------------------- copying

def _copy(template: Template, instance_id: int, age: timedelta, now) -> tuple[dict, list[dict]]:
    fresh = {old: str(uuid.uuid4()) for old in set(template.state_ids)}
    pieces = [template.state_parts[0]]
    for old, part in zip(template.state_ids, template.state_parts[1:]):
        pieces += [fresh[old], part]
    packed = zlib.compress("".join(pieces).encode("utf-8"), 6)
    started = now - age
    instance = dict(id=instance_id, version_id=template.version_id, process_id=template.process_id,
                    org=template.org, status="running",
                    state=state.COMPRESSED_PREFIX + base64.b64encode(packed).decode("ascii"),
                    revision=template.revision, started_by=template.started_by, started_at=started,
                    updated_at=started, completed_at=None)
    tasks = []
    for row in template.tasks:
        copy = dict(row, id=fresh[row["id"]], instance_id=instance_id)
        for key in ("ready_at", "due_at", "claimed_at", "completed_at"):
            if copy[key] is not None:
                copy[key] = copy[key] - age
        tasks.append(copy)
    return instance, tasks


def copy_instances(alur: Alur, templates: Templates, count: int, seed: int = 7, batch: int = 2000) -> None:
    """Add `count` running instances, spread evenly over the SOPs and, within one, over its waits."""
    rng = random.Random(seed)
    processes = sorted(templates.by_process)
    with alur.sessions() as session:
        next_id = (session.scalar(select(func.max(Instance.id))) or 0) + 1
    now = time.time()
    from datetime import datetime, timezone

    now = datetime.fromtimestamp(now, timezone.utc)
    done = 0
    while done < count:
        instances, tasks = [], []
        for _ in range(min(batch, count - done)):
            template = rng.choice(templates.by_process[processes[done % len(processes)]])
            age = timedelta(minutes=rng.randrange(1, 60 * 24 * 60))  # up to 60 days old
            instance, rows = _copy(template, next_id, age, now)
            instances.append(instance)
            tasks += rows
            next_id += 1
            done += 1
        insert_rows(alur, instances, tasks)
    align_instance_ids(alur)


def running_count(alur: Alur) -> int:
    with alur.sessions() as session:
        return session.scalar(select(func.count()).select_from(Instance).where(Instance.status == "running"))


def ready_tasks(connection, ordered: bool = False) -> dict[int, list[tuple[str, str, str, str, str]]]:
    """Instance id -> (task id, process, task spec, org, role) of each ready task, for every running instance
    with one. `connection` is a Connection or a Session. Instances come in the order the database returns
    their first ready task; `ordered` sorts by instance, then ready_at, then task id."""
    query = (select(HumanTask.instance_id, HumanTask.id, HumanTask.process_id, HumanTask.task_spec,
                    HumanTask.org, HumanTask.role)
             .join(Instance, Instance.id == HumanTask.instance_id)
             .where(HumanTask.status == "ready", Instance.status == "running"))
    if ordered:
        query = query.order_by(HumanTask.instance_id, HumanTask.ready_at, HumanTask.id)
    ready: dict[int, list[tuple[str, str, str, str, str]]] = {}
    for instance_id, task_id, process_id, task_spec, org, role in connection.execute(query).all():
        ready.setdefault(instance_id, []).append((task_id, process_id, task_spec, org, role))
    return ready


# -------------------------------------------------------------------- serving

@contextmanager
def serve(app):
    """The WSGI app on a real HTTP server (werkzeug, threaded, keep-alive) on 127.0.0.1; yields the port."""
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(5)


class Client:
    """One keep-alive HTTP/1.1 connection, with Basic credentials or a logged-in session cookie."""

    def __init__(self, port: int, username: str | None = None, basic: bool = True):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers: dict[str, str] = {}
        self.cookies: dict[str, str] = {}
        if username and basic:
            token = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
            self.headers["Authorization"] = f"Basic {token}"

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes, http.client.HTTPResponse]:
        sent = dict(self.headers, **(headers or {}))
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
            self.connection.close()  # the server closed an idle keep-alive connection: once more
            self.connection.request(method, path, body=body, headers=sent)
            response = self.connection.getresponse()
        payload = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, payload, response

    def get(self, path: str):
        return self.request("GET", path)

    def post_json(self, path: str, body: dict):
        return self.request("POST", path, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def login(self, username: str) -> None:
        """Log in through the login form (GET for the CSRF token, then POST)."""
        _, page, _ = self.get("/masuk")
        token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
        status, _, _ = self.request(
            "POST", "/masuk", urlencode({"username": username, "password": PASSWORD, "csrf_token": token}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"})
        if status != 302:
            raise RuntimeError(f"login of {username} answered {status}")

    def close(self) -> None:
        self.connection.close()


# ---------------------------------------------------------------------- stats

def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def summary_ms(seconds: list[float]) -> tuple[float, float]:
    """(median, p95) in milliseconds."""
    return statistics.median(seconds) * 1000, percentile(seconds, 95) * 1000


def insert_rows(alur, instances: list[dict], tasks: list[dict]) -> None:
    """Bulk-insert one batch of copied instances and their task rows, in one transaction."""
    with alur.db.begin() as connection:
        connection.execute(insert(Instance.__table__), instances)
        connection.execute(insert(HumanTask.__table__), tasks)


def align_instance_ids(alur) -> None:
    """After inserting instances with their own ids, move PostgreSQL's id sequence past them."""
    if alur.db.dialect.name == "postgresql":
        with alur.db.begin() as connection:
            connection.execute(text("SELECT setval(pg_get_serial_sequence('instances', 'id'), "
                                    "(SELECT max(id) FROM instances))"))

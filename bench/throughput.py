"""Benchmark 4: throughput of task completions under gunicorn with several workers, PostgreSQL.

A fresh PostgreSQL database is seeded once (users spread over every
(organisation, role), one engine run of each of the eleven SOPs, then
--instances copies at random steps, see harness.py) and kept as a template;
every configuration runs on its own copy of it (CREATE DATABASE ... TEMPLATE),
so each starts from the same state.

For each configuration gunicorn serves `alur.web.app:create_app()` with the
database and instance folder given as ALUR_DATABASE_URL / ALUR_INSTANCE_DIR
(the processes are already deployed and the secret key already exists, so
workers starting together write nothing; with --preload the app is built once
in the master and each worker gets fresh database connections after fork).
--clients concurrent clients (client processes, each with threads; one
keep-alive http.client connection per client, which gunicorn's sync workers
close after every answer and http.client reopens; prebuilt bodies) each own a
disjoint set of running instances and walk them step by step: complete the
instance's ready task with POST /api/tasks/<id>/complete {"data": ...}, take
the next ready task from the response (its role decides which user sends it),
until the instance ends, then the next instance. No two clients ever touch the
same instance, so every non-200 answer is an error.

Authentication, per request, as a user of the task's (organisation, role):
a personal API token (Authorization: Bearer alur_..., one per user made while
seeding; checking it is a SHA-256 and an index lookup), HTTP Basic (checked
against the werkzeug password hash, a deliberately slow scrypt, on every
request), or a session cookie (one login through the login form per
(organisation, role) before the run, the cookie and its CSRF token shared by
the clients).

Completions/s and latency count the --seconds window after --warmup seconds.
Afterwards the server is stopped and the database checked for lost updates:
every task answered 200 must be a completed human_tasks row with exactly one
complete/return audit entry, no other task may have been completed, and every
instance's revision must be the one the last 200 answer reported, advanced by
exactly its number of completions (the completion that ends an instance
writes its end in the same UPDATE), and each instance's stored workflow must hold every
answered task as completed and exactly its ready task rows as ready. The CPU seconds of gunicorn workers, PostgreSQL and
the client processes over the window show where the two cores went.

Target: at least 300 completions/s with zero errors and zero lost updates.

Usage: python bench/throughput.py [--workers 2,3,4] [--worker-class sync,gthread] [--threads 4]
           [--auth token,session,basic] [--clients 32] [--seconds 30] [--warmup 3] [--instances 6000]
           [--client-procs 2] [--preload] [--profile]
"""
from __future__ import annotations

import argparse
import base64
import collections
import http.client
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from uuid import UUID

import harness
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import create_engine, select, text

from alur.runtime import state
from alur.runtime.script_engine import restricted_script_engine
from alur.runtime.models import Instance
from alur.web.app import create_app

TARGET_PER_SECOND = 300.0
USERS = 200
SEED_DB = "alur_bench_throughput_seed"
RUN_DB = "alur_bench_throughput"
HEADERS = {"Content-Type": "application/json"}

# --------------------------------------------------------------------- seeding


def seed(folder: Path, instances: int) -> dict:
    """Seed the template database; return what the clients need (users, form data, instance dir)."""
    settings = harness.fresh_database("postgres", folder, SEED_DB)
    app = create_app({"ALUR_SETTINGS": settings})  # deploys processes/, writes the secret key
    alur = app.extensions["alur"]
    users = harness.seed_users(alur, USERS, harness.password_hash())
    templates = harness.make_templates(alur, users)
    harness.copy_instances(alur, templates, instances - harness.running_count(alur))
    # A personal API token for every user (only its SHA-256 is stored), for --auth token.
    from alur.runtime import tokens

    api_tokens = {name: tokens.create_token(alur, name, "bench")[0] for names in users.values() for name in names}
    harness.analyze(alur)
    running = harness.running_count(alur)
    alur.close()
    return {"users": users, "data": templates.data, "instance_dir": settings.instance_dir,
            "running": running, "app": app, "tokens": api_tokens}


def database_from_template() -> str:
    """Re-create the run database as a copy of the seeded one; its URL."""
    server = create_engine(f"{harness.POSTGRES_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{RUN_DB}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{RUN_DB}" TEMPLATE "{SEED_DB}"'))
    server.dispose()
    return f"{harness.POSTGRES_SERVER}/{RUN_DB}"


def work_plan(db, clients: int, rng: random.Random) -> tuple[list[list[tuple]], dict[int, int]]:
    """Per client: its instances, each (instance id, [ready task tuples]); and every instance's revision."""
    with db.connect() as connection:
        ready = harness.ready_tasks(connection, ordered=True)
        revisions = dict(connection.execute(select(Instance.id, Instance.revision)).all())
    order = sorted(ready)
    rng.shuffle(order)
    plan = [[] for _ in range(clients)]
    for n, instance_id in enumerate(order):
        plan[n % clients].append((instance_id, ready[instance_id]))
    return plan, revisions


# ---------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


GUNICORN_CONFIG = '''
import sys

def post_fork(server, worker):
    # With --preload the app (and its SQLAlchemy pool) was built in the master:
    # a worker must not reuse the master's database connections.
    app = getattr(worker.app, "callable", None)
    if app is not None:
        app.extensions["alur"].db.dispose(close=False)

def post_worker_init(worker):
    print("ALUR-WORKER-READY", worker.pid, file=sys.stderr, flush=True)
'''


class Gunicorn:
    """gunicorn serving alur.web.app:create_app() over `database_url`, started and stopped by the benchmark."""

    def __init__(self, folder: Path, database_url: str, instance_dir: Path, workers: int, worker_class: str,
                 threads: int, preload: bool):
        self.port = free_port()
        self.workers = workers
        self.log_path = folder / f"gunicorn-{workers}-{worker_class}.log"
        config = folder / "gunicorn_conf.py"
        config.write_text(GUNICORN_CONFIG)
        command = [sys.executable, "-m", "gunicorn", "-c", str(config), "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(workers), "--worker-class", worker_class, "--backlog", "256",
                   "--timeout", "60", "--log-level", "warning", "--error-logfile", "-"]
        if worker_class == "gthread":
            command += ["--threads", str(threads), "--keep-alive", "30"]
        if preload:
            command.append("--preload")
        command.append("alur.web.app:create_app()")
        env = dict(os.environ, ALUR_DATABASE_URL=database_url, ALUR_INSTANCE_DIR=str(instance_dir),
                   PYTHONPATH=str(harness.ROOT))
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(command, cwd=harness.ROOT, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}); see {self.log_path}:\n"
                                   + self.log_path.read_text()[-3000:])
            if self.log_path.read_text().count("ALUR-WORKER-READY") >= self.workers:
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn workers not ready after {timeout} s; see {self.log_path}")

    def worker_pids(self) -> list[int]:
        return children_of(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    def problems(self) -> list[str]:
        """Lines of the gunicorn log that tell of errors (tracebacks, killed workers)."""
        return [line for line in self.log_path.read_text().splitlines()
                if ("ERROR" in line or "CRITICAL" in line or "Traceback" in line) and "Shutting down" not in line]


# ---------------------------------------------------------------- CPU counters

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return [raw[:raw.rindex(")") + 1]] + raw[raw.rindex(")") + 2:].split()


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[2]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += int(fields[12]) + int(fields[13])  # utime, stime
    return total / TICK


def postgres_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and fields[0].endswith("(postgres)"):
                pids.append(int(entry.name))
    return pids


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the machine so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


# --------------------------------------------------------------------- clients


def client_thread(port: int, instances: list, bodies: dict, auth: dict, start: float, stop: float,
                  out: list) -> None:
    """Walk `instances` step by step until `stop`; append (task, instance, revision, began, ended, status)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    queue = collections.deque(instances)
    time.sleep(max(0.0, start - time.time()))
    current: list[tuple] = []
    instance_id = None
    while time.time() < stop:
        if not current:
            if not queue:
                out.append((None, None, None, time.time(), time.time(), "out of instances"))
                break
            instance_id, current = queue.popleft()
        task_id, process_id, task_spec, org, role = current[0]
        began = time.time()
        try:
            connection.request("POST", f"/api/tasks/{task_id}/complete", bodies[(process_id, task_spec)],
                               auth[(org, role)])
            response = connection.getresponse()
            payload = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            # The outcome is unknown: leave the instance, count an error, open a new connection.
            connection.close()
            out.append((task_id, instance_id, None, began, time.time(), f"{type(exc).__name__}: {exc}"))
            current = []
            continue
        ended = time.time()
        if status != 200:
            out.append((task_id, instance_id, None, began, ended, f"{status} {payload[:300]!r}"))
            current = []
            continue
        view = json.loads(payload)
        out.append((task_id, instance_id, view["revision"], began, ended, 200))
        current = [(t["id"], t["process_id"], t["task_spec"], t["org"], t["role"])
                   for t in view["ready_tasks"]] if view["status"] == "running" else []
    connection.close()


def client_process(port: int, plans: list[tuple[int, list]], bodies: dict, auths: list[dict],
                   start: float, window: tuple[float, float], stop: float, results) -> None:
    """One client process: a thread per client; reports its records and its CPU seconds over the window."""
    outs = [[] for _ in plans]
    threads = [threading.Thread(target=client_thread, args=(port, instances, bodies, auths[n], start, stop, outs[n]))
               for n, (_, instances) in enumerate(plans)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, window[0] - time.time()))
    cpu_start = time.process_time()
    time.sleep(max(0.0, window[1] - time.time()))
    cpu = time.process_time() - cpu_start
    for thread in threads:
        thread.join()
    results.put(([(plans[n][0], record) for n, out in enumerate(outs) for record in out], cpu))


def auth_headers(kind: str, port: int, users: dict, clients: int, app, api_tokens: dict) -> list[dict]:
    """Per client: (org, role) -> the request headers (Content-Type and credentials)."""
    if kind in ("basic", "token"):
        per_client = []
        for n in range(clients):
            headers = {}
            for pair, names in users.items():
                name = names[n % len(names)]
                if kind == "basic":
                    basic = base64.b64encode(f"{name}:{harness.PASSWORD}".encode()).decode()
                    headers[pair] = dict(HEADERS, Authorization=f"Basic {basic}")
                else:
                    headers[pair] = dict(HEADERS, Authorization=f"Bearer {api_tokens[name]}")
            per_client.append(headers)
        return per_client
    if kind != "session":
        raise SystemExit(f"unknown --auth {kind}: session, token or basic")
    serializer = app.session_interface.get_signing_serializer(app)
    shared = {}
    for pair, names in users.items():
        client = harness.Client(port)
        client.login(names[0])
        cookie = client.cookies["session"]
        client.close()
        shared[pair] = dict(HEADERS, Cookie=f"session={cookie}",
                            **{"X-CSRF-Token": serializer.loads(cookie)["csrf_token"]})
    return [shared] * clients


# ------------------------------------------------------------------- profiling


def start_profilers(folder: Path, pids: list[int], seconds: float) -> list[tuple[subprocess.Popen, Path]]:
    profilers = []
    for pid in pids:
        path = folder / f"py-spy-{pid}.txt"
        process = subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--duration", str(int(seconds)),
                                    "--rate", "100", "--nonblocking", "--gil", "--format", "raw",
                                    "--output", str(path)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        profilers.append((process, path))
    return profilers


def _package(frame: str) -> str:
    """The library (or app folder) a py-spy frame "function (path/file.py:line)" is in."""
    path = frame.partition(" (")[2].lstrip("<")
    if path.startswith(("runtime/", "web/")):
        return path.split("/")[0] + "/ (app code itself)"
    head = path.split("/")[0].split(".")[0].split(" ")[0]
    return head if "/" in path or " " in path else f"stdlib {head}"


def summarize_profiles(profilers: list[tuple[subprocess.Popen, Path]], top: int = 22) -> None:
    """Print where the workers' Python time went: app functions (inclusive, with their line), libraries (self)."""
    inclusive, packages, total = collections.Counter(), collections.Counter(), 0
    for process, path in profilers:
        _, error = process.communicate()
        if not path.exists():
            print(f"  py-spy wrote nothing for {path.name}: {error.decode()[-300:]}")
            continue
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack:
                continue
            count = int(count)
            frames = [f.strip() for f in stack.split(";")]
            total += count
            packages[_package(frames[-1])] += count
            for frame in set(frames):
                if "(runtime/" in frame or "(web/" in frame:
                    inclusive[frame] += count
    if not total:
        return
    print(f"\nProfile of the gunicorn workers (py-spy --gil: {total} samples of a thread holding the GIL)")
    print("App functions, inclusive share (the line is where the sampled call was made):")
    for frame, count in inclusive.most_common(top):
        print(f"  {100 * count / total:5.1f}%  {frame}")
    print("Self time by library:")
    for package, count in packages.most_common(12):
        print(f"  {100 * count / total:5.1f}%  {package}")


# ------------------------------------------------------------------------ runs


def verify(db, records: list, revisions_before: dict[int, int], audit_before: int) -> dict:
    """Lost updates: 200 answers the database does not show, and changes it shows that no 200 answered.

    Rows: every task answered 200 is a completed human_tasks row with one complete/return audit entry;
    no other task got one; each instance's revision is the last one answered, advanced by exactly its answered
    completions. State: in each instance's stored workflow every task answered 200
    is COMPLETED, and its ready user tasks are exactly its ready human_tasks rows (a completion written
    over a stale workflow would lose an earlier one there while every row looked right).
    """
    ok = [r for r in records if r[5] == 200]
    by_instance: dict[int, list] = collections.defaultdict(list)
    for task_id, instance_id, revision, began, _, _ in ok:
        by_instance[instance_id].append((began, revision, task_id))
    task_ids = [r[0] for r in ok]
    with db.connect() as connection:
        completed = dict(connection.execute(
            text("SELECT id, status FROM human_tasks WHERE id = ANY(:ids)"), {"ids": task_ids}).all())
        audited = dict(connection.execute(
            text("SELECT task_id, count(*) FROM audit_entries WHERE id > :before "
                 "AND action IN ('complete', 'return') GROUP BY task_id"), {"before": audit_before}).all())
        instances = {row[0]: row[1:] for row in connection.execute(
            text("SELECT id, revision, status, state, version_id FROM instances WHERE id = ANY(:ids)"),
            {"ids": list(by_instance)}).all()}
        ready_rows = collections.defaultdict(set)
        for instance_id, task_id in connection.execute(
                text("SELECT instance_id, id FROM human_tasks WHERE status = 'ready' AND instance_id = ANY(:ids)"),
                {"ids": list(by_instance)}).all():
            ready_rows[instance_id].add(task_id)
        specs = {version_id: state.load_spec(spec_json) for version_id, spec_json in connection.execute(
            text("SELECT id, spec_json FROM process_versions")).all()}
        ended = set(connection.execute(
            text("SELECT instance_id FROM audit_entries WHERE id > :before AND action = 'end'"),
            {"before": audit_before}).scalars())
    answered = set(task_ids)
    not_completed = [t for t in task_ids if completed.get(t) != "completed"]
    not_audited = [t for t in task_ids if audited.get(t) != 1]
    unanswered = [t for t in audited if t not in answered]
    bad_revision, bad_state = [], []
    script_engine = restricted_script_engine()
    for instance_id, answers in by_instance.items():
        answers.sort()
        revision, _, stored, version_id = instances[instance_id]
        expected = revisions_before[instance_id] + len(answers)
        reported = [r for _, r, _ in answers]
        if revision != reported[-1] or revision != expected or reported != sorted(set(reported)):
            bad_revision.append((instance_id, revisions_before[instance_id], reported, revision))
        workflow = state.load_state(stored, *specs[version_id], script_engine)
        missing = [t for _, _, t in answers
                   if (task := workflow.get_task_from_id(UUID(t))) is None or task.state != TaskState.COMPLETED]
        ready = {str(t.id) for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
        if missing or ready != ready_rows[instance_id]:
            bad_state.append((instance_id, missing, sorted(ready ^ ready_rows[instance_id])))
    return {"not_completed": not_completed, "not_audited": not_audited, "unanswered": unanswered,
            "bad_revision": bad_revision, "bad_state": bad_state,
            "lost": len(not_completed) + len(not_audited) + len(bad_revision) + len(bad_state),
            "ended": len(ended), "instances": len(by_instance)}


def run(config: dict, seeded: dict, args, folder: Path) -> dict:
    workers, worker_class, auth = config["workers"], config["worker_class"], config["auth"]
    label = f"{workers} x {worker_class}" + (f"({args.threads})" if worker_class == "gthread" else "")
    print(f"\n== {label}, {auth} auth, {args.clients} clients", flush=True)
    database_url = database_from_template()
    db = create_engine(database_url)
    plan, revisions_before = work_plan(db, args.clients, random.Random(7))
    with db.connect() as connection:
        audit_before = connection.scalar(text("SELECT coalesce(max(id), 0) FROM audit_entries"))
    bodies = {key: json.dumps({"data": value}).encode() for key, value in seeded["data"].items()}
    server = Gunicorn(folder, database_url, seeded["instance_dir"], workers, worker_class, args.threads,
                      args.preload)
    try:
        started_at = time.time()
        server.wait_ready()
        print(f"   {workers} workers ready in {time.time() - started_at:.1f} s", flush=True)
        auths = auth_headers(auth, server.port, seeded["users"], args.clients, seeded["app"], seeded["tokens"])
        pids = server.worker_pids()
        start = time.time() + 1.0
        window = (start + args.warmup, start + args.warmup + args.seconds)
        procs = max(1, min(args.client_procs, args.clients))
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        processes = []
        for p in range(procs):
            mine = [(n, plan[n]) for n in range(p, args.clients, procs)]
            processes.append(context.Process(target=client_process, args=(
                server.port, mine, bodies, [auths[n] for n, _ in mine], start, window, window[1], results)))
        for process in processes:
            process.start()
        time.sleep(max(0.0, window[0] - time.time()))
        cpu_before = (cpu_seconds(pids), cpu_seconds(postgres_pids()), machine_busy())
        profilers = start_profilers(folder, pids, args.seconds) if args.profile else []
        time.sleep(max(0.0, window[1] - time.time()))
        cpu_after = (cpu_seconds(pids), cpu_seconds(postgres_pids()), machine_busy())
        records, client_cpu = [], 0.0
        for _ in processes:
            got, cpu = results.get(timeout=120)
            records += [record for _, record in got]
            client_cpu += cpu
        for process in processes:
            process.join()
        if profilers:
            summarize_profiles(profilers)
    finally:
        server.stop()
    log_problems = server.problems()
    audit = verify(db, [r for r in records if r[0] is not None], revisions_before, audit_before)
    db.dispose()

    in_window = [r for r in records if window[0] <= r[4] < window[1]]
    ok = [r[4] - r[3] for r in in_window if r[5] == 200]
    errors = [r for r in records if r[5] != 200 and r[5] != "out of instances"]
    starved = sum(1 for r in records if r[5] == "out of instances")
    for record in errors[:5]:
        print(f"   error on task {record[0]}: {record[5]}")
    for line in log_problems[:5]:
        print(f"   gunicorn: {line[:200]}")
    if starved:
        print(f"   {starved} clients ran out of instances: use more --instances")
    if audit["lost"] or audit["unanswered"]:
        print(f"   lost: not completed {audit['not_completed'][:3]}, not audited {audit['not_audited'][:3]}, "
              f"revisions {audit['bad_revision'][:3]}, states {audit['bad_state'][:3]}; "
              f"completed without a 200: {audit['unanswered'][:3]}")
    busy, total = (cpu_after[2][0] - cpu_before[2][0]), (cpu_after[2][1] - cpu_before[2][1])
    result = {
        "label": label, "auth": auth, "clients": args.clients, "seconds": args.seconds,
        "per_second": len(ok) / args.seconds, "n": len(ok), "errors": len(errors),
        "lost": audit["lost"], "unanswered": len(audit["unanswered"]), "starved": starved,
        "median": harness.summary_ms(ok)[0] if ok else float("nan"),
        "p95": harness.summary_ms(ok)[1] if ok else float("nan"),
        "total_ok": sum(1 for r in records if r[5] == 200), "ended": audit["ended"], "instances": audit["instances"],
        "cpu_workers": (cpu_after[0] - cpu_before[0]) / args.seconds,
        "cpu_postgres": (cpu_after[1] - cpu_before[1]) / args.seconds,
        "cpu_clients": client_cpu / args.seconds,
        "cpu_busy": busy / args.seconds, "cpu_total": total / args.seconds,
    }
    # Whatever else ran on the machine meanwhile (the machine is shared): busy minus what we account for.
    result["cpu_other"] = max(0.0, result["cpu_busy"] - result["cpu_workers"] - result["cpu_postgres"]
                              - result["cpu_clients"])
    # A rough figure for a quiet machine: the same CPU per completion with all cores for the benchmark.
    ours = result["cpu_workers"] + result["cpu_postgres"] + result["cpu_clients"]
    result["projected"] = result["per_second"] * result["cpu_total"] / ours if ours else float("nan")
    print(f"   {result['per_second']:.1f} completions/s, median {result['median']:.1f} ms, "
          f"p95 {result['p95']:.1f} ms, errors {result['errors']}, lost {result['lost']} "
          f"({result['total_ok']} completions on {result['instances']} instances checked, {result['ended']} ended); "
          f"CPU cores busy: workers {result['cpu_workers']:.2f}, postgres {result['cpu_postgres']:.2f}, "
          f"clients {result['cpu_clients']:.2f}, other {result['cpu_other']:.2f} "
          f"(machine busy {result['cpu_busy']:.2f} "
          f"of {result['cpu_total']:.2f})",
          flush=True)
    return result


def code_state() -> str:
    """The commit the server ran, and the app files changed in the working tree (another engineer may edit them)."""
    def git(*argv):
        done = subprocess.run(["git", *argv], cwd=harness.ROOT, capture_output=True, text=True, check=False)
        return done.stdout.rstrip()

    changed = [line[3:] for line in git("status", "--porcelain", "--", "runtime", "web").splitlines()]
    return git("rev-parse", "--short", "HEAD") + (f" + uncommitted changes in {', '.join(changed)}" if changed else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", default="2,3,4", help="comma-separated worker counts to try")
    parser.add_argument("--worker-class", default="sync,gthread", help="comma-separated: sync, gthread")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--auth", default="token,session,basic", help="comma-separated: token, session, basic")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--client-procs", type=int, default=2, help="client processes the clients are spread over")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before the counted window")
    parser.add_argument("--instances", type=int, default=6000, help="running instances seeded")
    parser.add_argument("--preload", action="store_true", help="gunicorn --preload (app built once in the master)")
    parser.add_argument("--profile", action="store_true", help="py-spy the workers during the window (slows them)")
    args = parser.parse_args()

    configs = [{"workers": int(w), "worker_class": c, "auth": a}
               for a in args.auth.split(",") for c in args.worker_class.split(",") for w in args.workers.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        began = time.time()
        state_before = code_state()
        seeded = seed(folder, args.instances)
        print(f"Seeded {seeded['running']:,} running instances and {USERS} users "
              f"({len(seeded['users'])} (organisation, role) pairs) in {time.time() - began:.0f} s", flush=True)
        for config in configs:
            results.append(run(config, seeded, args, folder))

    print(f"\nThroughput: POST /api/tasks/<id>/complete under gunicorn, PostgreSQL, {os.cpu_count()} cores, "
          f"{args.clients} clients on disjoint instances, {args.seconds:.0f} s after {args.warmup:.0f} s warm-up"
          f"{', --preload' if args.preload else ''}. Target: >= {TARGET_PER_SECOND:.0f}/s, 0 errors, 0 lost updates")
    state_after = code_state()
    print(f"Code: {state_before}" + ("" if state_after == state_before else f" (at the end: {state_after})"))
    print(f"{'workers':<14} {'auth':<8} {'clients':>7} {'seconds':>7} {'compl/s':>8} {'median':>9} {'p95':>9} "
          f"{'errors':>6} {'lost':>5}  {'cores: workers/pg/client/other':<31} {'quiet*':>6}  verdict")
    for r in results:
        verdict = ("meets" if r["per_second"] >= TARGET_PER_SECOND and not r["errors"] and not r["lost"]
                   and not r["unanswered"] else "MISSES")
        cpu = f"{r['cpu_workers']:.2f}/{r['cpu_postgres']:.2f}/{r['cpu_clients']:.2f}/{r['cpu_other']:.2f}"
        print(f"{r['label']:<14} {r['auth']:<8} {r['clients']:>7} {r['seconds']:>7.0f} {r['per_second']:>8.1f} "
              f"{r['median']:>6.1f} ms {r['p95']:>6.1f} ms {r['errors']:>6} {r['lost']:>5}  {cpu:<31} "
              f"{r['projected']:>6.0f}  {verdict}")
    print("* quiet: completions/s scaled to all cores being ours (rate x cores / cores used by workers, "
          "PostgreSQL and clients); 'other' is CPU of anything else on the machine, kernel network time included.")
    best = max(results, key=lambda r: r["per_second"])
    print(f"Best: {best['label']} with {best['auth']} auth, {best['per_second']:.1f} completions/s "
          f"({100 * best['per_second'] / TARGET_PER_SECOND:.0f}% of the target). "
          f"Lost updates counted: 200 answers not completed/audited once in the database, instance revisions "
          f"not advanced by exactly the answered completions, stored workflows missing an answered completion "
          f"or disagreeing with the ready task rows; completions without a 200: "
          f"{sum(r['unanswered'] for r in results)}.")


if __name__ == "__main__":
    main()

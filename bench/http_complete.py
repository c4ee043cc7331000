"""Benchmark 2: latency of completing a task over HTTP with 1,000 running instances, SQLite and PostgreSQL.

The app (create_app) runs on a real HTTP server in this process (werkzeug,
threaded); one keep-alive client posts POST /api/tasks/<id>/complete as a
user holding the task's role, one task per instance, on instances spread over
the eleven SOPs and their steps. The user authenticates with a personal API
token (--auth token, what an integration uses) or HTTP Basic (--auth basic:
a scrypt password check on every call, ~100 ms by design).
Target: p95 under 25 ms.

Usage: python bench/http_complete.py [--backends sqlite,postgres] [--completions N] [--auth token|basic]
"""
from __future__ import annotations

import argparse
import base64
import random
import tempfile
import time
from pathlib import Path

import harness

from alur.runtime import tokens
from alur.web.app import create_app

TARGET_P95_MS = 25.0
INSTANCES = 1000
WARMUP = 30


def ready_tasks(alur, count: int, rng: random.Random) -> list[tuple[str, str, str, str, str]]:
    """(task id, process, task spec, org, role) of one ready task on each of `count` running instances."""
    with alur.sessions() as session:
        ready = harness.ready_tasks(session)
    chosen = [tasks[0] for tasks in ready.values()]
    rng.shuffle(chosen)
    return chosen[:count]


def run(backend: str, completions: int, folder: Path, auth: str) -> dict:
    settings = harness.fresh_database(backend, folder, "alur_bench_complete")
    app = create_app({"ALUR_SETTINGS": settings})
    alur = app.extensions["alur"]
    users = harness.seed_users(alur, 200, harness.password_hash())
    templates = harness.make_templates(alur, users)
    harness.copy_instances(alur, templates, INSTANCES - harness.running_count(alur))
    harness.analyze(alur)
    running = harness.running_count(alur)
    rng = random.Random(11)
    tasks = ready_tasks(alur, WARMUP + completions, rng)
    if auth == "token":
        credentials = {user: f"Bearer {tokens.create_token(alur, user, 'bench')[0]}"
                       for names in users.values() for user in names}
    else:
        credentials = {user: "Basic " + base64.b64encode(f"{user}:{harness.PASSWORD}".encode()).decode()
                       for names in users.values() for user in names}
    latencies, errors = [], 0
    with harness.serve(app) as port:
        client = harness.Client(port)
        for n, (task_id, process_id, task_spec, org, role) in enumerate(tasks):
            client.headers["Authorization"] = credentials[rng.choice(users[(org, role)])]
            started = time.perf_counter()
            status, body, _ = client.post_json(f"/api/tasks/{task_id}/complete",
                                               {"data": templates.data[(process_id, task_spec)]})
            elapsed = time.perf_counter() - started
            if status != 200:
                errors += 1
                print(f"  {backend}: {status} {body[:200]!r}")
            elif n >= WARMUP:
                latencies.append(elapsed)
        client.close()
    alur.close()
    median, p95 = harness.summary_ms(latencies)
    return {"backend": backend, "auth": auth, "running": running, "n": len(latencies), "median": median, "p95": p95,
            "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--completions", type=int, default=500)
    parser.add_argument("--auth", default="token", choices=("token", "basic"))
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends.split(","):
            results.append(run(backend, args.completions, Path(folder), args.auth))
    print(f"Task completion over HTTP (POST /api/tasks/<id>/complete, {args.auth} auth, keep-alive), "
          f"target p95 < {TARGET_P95_MS:.0f} ms")
    print(f"{'backend':<10} {'running':>8} {'completions':>11} {'median':>9} {'p95':>9} {'errors':>6}  verdict")
    for r in results:
        verdict = "meets" if r["p95"] < TARGET_P95_MS and not r["errors"] else "MISSES"
        print(f"{r['backend']:<10} {r['running']:>8,} {r['n']:>11} {r['median']:>6.1f} ms {r['p95']:>6.1f} ms "
              f"{r['errors']:>6}  {verdict}")


if __name__ == "__main__":
    main()

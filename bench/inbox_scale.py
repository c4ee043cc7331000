"""Benchmark 3: a user's inbox page and the API task list at 1k, 10k and 100k running instances.

1,000 users spread over the roles of the five organisations' eleven SOPs.
Instances are seeded as copies of real engine runs (see harness.py), evenly
over the SOPs and their steps, up to 60 days old, with their task history.
At each size the same sample of users asks for GET / (the inbox page, logged
in through the login form) and GET /api/tasks (a personal API token), over keep-alive
connections to the app on a real HTTP server in this process.
Target: p95 under 20 ms for both, and flat from 1k to 100k instances.

Flat is shown three ways at each size: the p95s; the SQL statements per request
(counted on the app's engine: a fixed number, whatever the size); and the
workflow states deserialized while serving (none: the inbox reads only the
human_tasks index). At 1k a user's inbox holds ~15 tasks, fewer than a page, so
the like-for-like latency ratio is between the sizes with full 50-row pages
(10k and 100k).

Usage: python bench/inbox_scale.py [--backends sqlite,postgres] [--sizes 1000,10000,100000]
"""
from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import harness
from sqlalchemy import event, func, select

from alur.runtime import directory, state, tokens
from alur.runtime.models import HumanTask

from alur.web.app import create_app

TARGET_P95_MS = 20.0
USERS = 1000
SAMPLE_USERS = 40
MAX_REQUESTS = 300  # per endpoint and size ...
MAX_SECONDS = 20.0  # ... or this long, whichever comes first


class Counters:
    """SQL statements run on the app's engine and workflow states loaded, while serving."""

    def __init__(self, alur):
        self.statements = 0
        self.states_loaded = 0
        event.listen(alur.db, "before_cursor_execute", self._statement)
        original = state.load_state

        def counting_load_state(*args, **kwargs):
            self.states_loaded += 1
            return original(*args, **kwargs)

        state.load_state = counting_load_state  # the engine calls it as state.load_state

    def _statement(self, *_args):
        self.statements += 1

    def snapshot(self) -> tuple[int, int]:
        return self.statements, self.states_loaded


def measure(clients: list, path: str, counters: Counters) -> tuple[list[float], list[bytes], float, int]:
    """Latencies of GET `path`, the clients taking turns; the first body of each client;
    SQL statements per request; workflow states loaded while serving."""
    for client in clients:  # warm: each user's first request (and login cache) is not counted
        client.get(path)
    statements_before, loaded_before = counters.snapshot()
    latencies, bodies = [], []
    deadline = time.perf_counter() + MAX_SECONDS
    n = 0
    while n < MAX_REQUESTS and time.perf_counter() < deadline:
        client = clients[n % len(clients)]
        started = time.perf_counter()
        status, body, _ = client.get(path)
        latencies.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:200]!r}")
        if n < len(clients):
            bodies.append(body)
        n += 1
    statements, loaded = counters.snapshot()
    return latencies, bodies, (statements - statements_before) / n, loaded - loaded_before


def ready_count(alur, user: str) -> int:
    """How many ready tasks the user's inbox holds in all (what a page of it is taken from)."""
    org, roles = directory.member(alur, user)
    with alur.sessions() as session:
        return session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.org == org, HumanTask.role.in_(roles), HumanTask.status == "ready"))


def run(backend: str, sizes: list[int], folder: Path) -> list[dict]:
    settings = harness.fresh_database(backend, folder, "alur_bench_inbox")
    app = create_app({"ALUR_SETTINGS": settings})
    alur = app.extensions["alur"]
    users = harness.seed_users(alur, USERS, harness.password_hash())
    templates = harness.make_templates(alur, users)
    everyone = sorted(u for names in users.values() for u in names)
    sample = random.Random(3).sample(everyone, SAMPLE_USERS)
    results = []
    counters = Counters(alur)
    with harness.serve(app) as port:
        pages = []
        for user in sample:
            client = harness.Client(port, basic=False)
            client.login(user)
            pages.append(client)
        apis = []
        for user in sample:  # an integration's personal API token (a password check costs ~100 ms by design)
            client = harness.Client(port)
            client.headers["Authorization"] = f"Bearer {tokens.create_token(alur, user, 'bench')[0]}"
            apis.append(client)
        for size in sizes:
            started = time.perf_counter()
            harness.copy_instances(alur, templates, size - harness.running_count(alur))
            harness.analyze(alur)
            seeded = time.perf_counter() - started
            running = harness.running_count(alur)
            page_times, _, page_sql, page_loads = measure(pages, "/", counters)
            api_times, _, api_sql, api_loads = measure(apis, "/api/tasks", counters)
            listed = sorted(ready_count(alur, user) for user in sample)
            results.append({"backend": backend, "instances": running, "seed_s": seeded,
                            "page": harness.summary_ms(page_times), "api": harness.summary_ms(api_times),
                            "requests": (len(page_times), len(api_times)),
                            "sql": (page_sql, api_sql), "loads": page_loads + api_loads,
                            "tasks": listed[len(listed) // 2]})
            r = results[-1]
            print(f"  {backend} {running:,} instances (seeded in {seeded:.0f} s): page p95 {r['page'][1]:.1f} ms, "
                  f"api p95 {r['api'][1]:.1f} ms, median user has {r['tasks']} ready tasks", flush=True)
        for client in pages + apis:
            client.close()
    alur.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends.split(","):
            results += run(backend, sizes, Path(folder))
    print(f"Inbox at scale: {USERS:,} users, {SAMPLE_USERS} of them asking; target p95 < {TARGET_P95_MS:.0f} ms, flat")
    print(f"{'backend':<10} {'instances':>9} {'ready tasks':>11}  {'inbox page median/p95':>22}  "
          f"{'GET /api/tasks median/p95':>26}  {'SQL/request page/api':>20}  {'states loaded':>13}")
    for r in results:
        print(f"{r['backend']:<10} {r['instances']:>9,} {r['tasks']:>11,}  "
              f"{r['page'][0]:>8.1f} / {r['page'][1]:>6.1f} ms  {r['api'][0]:>12.1f} / {r['api'][1]:>6.1f} ms  "
              f"{r['sql'][0]:>11.1f} / {r['sql'][1]:>4.1f}  {r['loads']:>13}")
    for backend in args.backends.split(","):
        rows = [r for r in results if r["backend"] == backend]
        worst = max(max(r["page"][1], r["api"][1]) for r in rows)
        growth = max(r["page"][1] for r in rows) / min(r["page"][1] for r in rows)
        full = [r for r in rows if r["tasks"] >= 50]  # sizes whose inbox pages are full (50 rows)
        like = (f"; full pages {full[-1]['instances']:,}/{full[0]['instances']:,}: page p95 "
                f"{full[-1]['page'][1] / full[0]['page'][1]:.2f}x, api p95 {full[-1]['api'][1] / full[0]['api'][1]:.2f}x"
                if len(full) > 1 else "")
        same_sql = len({r["sql"] for r in rows}) == 1
        loads = sum(r["loads"] for r in rows)
        verdict = "meets" if worst < TARGET_P95_MS and same_sql and loads == 0 else "MISSES"
        print(f"{backend}: worst p95 {worst:.1f} ms; largest/smallest size page p95 {growth:.2f}x{like}; "
              f"SQL per request {'the same at every size' if same_sql else 'GROWS'}; {loads} workflow states "
              f"loaded ({verdict})")


if __name__ == "__main__":
    main()

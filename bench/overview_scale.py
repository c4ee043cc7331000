"""Benchmark 6: the Proses overview of a head of unit at 100,000 instances (~1M task rows).

Instances are seeded as in benchmark 3 (copies of real engine runs, harness.py), over the eleven
SOPs of the five organisations, with a mix closer to a year of use: most task rows completed, a third of
the cases ended (with their whole history), the rest running at one of their steps, some of
those steps claimed, some late, each case with a perihal and most with a nomor. The head of unit of the organisation
with the most SOPs holds every role of its lanes, so their overview lists every case of the
organisation (the largest list there is), and asks for it over keep-alive connections to the app
on a real HTTP server in this process: the default list, page 2, each filter, the two one-click
views, each sort, and the CSV export of a filtered list (timed apart: it may be slower).

Target: p95 < 50 ms for every page; the export is reported beside it. The SQL statements per
request are counted on the app's engine and the workflow states loaded while serving (none: the
overview reads the instances and human_tasks tables only).

PostgreSQL runs when ALUR_BENCH_POSTGRES_URL names a server (for example
postgresql+psycopg://postgres@127.0.0.1:5432); the benchmark creates and drops its own database
there, alur_bench_overview.

Seeding 100,000 instances takes about ten minutes per database here; `--keep DIR` keeps the SQLite
file (PostgreSQL's database stays until the next run) and `--reuse` measures the kept ones again,
after the app has upgraded their schema: the same data before and after a change of indexes.

Usage: python bench/overview_scale.py [--backends sqlite,postgres] [--instances 100000] [--requests 40]
                                      [--keep DIR] [--reuse]
"""
from __future__ import annotations

import argparse
import logging
import os
import random
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

import harness
from inbox_scale import Counters
from sqlalchemy import create_engine, func, select, text

from alur.runtime import directory
from alur.runtime.models import HumanTask, Instance
from alur.runtime.settings import Settings

from alur.web.app import create_app

TARGET_P95_MS = 50.0
USERS = 200
ENDED_SHARE = 0.3  # of the instances, ended with their whole history (~1M task rows at 100k)
CLAIMED_SHARE = 0.3  # of the ready steps, taken by someone
MAX_SECONDS = 10.0  # per case, or --requests requests, whichever comes first
EXPORT_TIMEOUT = 600  # seconds
DATABASE = "alur_bench_overview"
HEAD = "kepala.unit"

UNITS = ["Sekretariat", "Subbagian Umum dan Kepegawaian", "Subbagian Keuangan", "Subbagian Program",
         "Bidang Koperasi", "Bidang Usaha Mikro", "Bidang Pengawasan", "Bidang Pemberdayaan",
         "UPTD Balai Latihan Koperasi", "UPTD Pasar Induk", "Bidang Kelembagaan", "Bidang Pembiayaan",
         "Seksi Penyuluhan", "Seksi Pendataan", "Seksi Fasilitasi", "Inspektorat Pembantu"]
KINDS = ["Penyusunan SKP", "Perjanjian Kinerja", "Rencana Aksi", "Pengukuran Kinerja", "Laporan Kinerja",
         "Indikator Kinerja Individu", "Pengumpulan Data Kinerja", "Evaluasi Capaian", "Revisi Target"]
SEARCHED = "balai latihan"  # in the perihal of ~1 case in 16


def perihal_of(rng: random.Random) -> tuple[str, str | None]:
    unit = rng.choice(UNITS)
    year = rng.choice((2025, 2026))
    perihal = f"{rng.choice(KINDS)} {unit} Tahun {year}"
    if rng.random() < 0.3:
        perihal += f" triwulan {rng.randint(1, 4)}"
    nomor = f"{rng.choice((800, 850, 900))}/{rng.randint(1, 9999)}/{unit.split()[-1][:6]}/{year}" if rng.random() < 0.8 else None
    return perihal, nomor


def copy_mix(alur, templates: harness.Templates, users: dict, count: int, now: datetime, seed: int = 11,
             batch: int = 2000) -> None:
    """Add `count` instances over the SOPs: ENDED_SHARE ended (started up to a year ago, each after 1-30 days),
    the rest running at one of their waits (started up to 120 days ago, the current step ready for a
    while: from minutes to weeks, so some are within their due time and some late)."""
    rng = random.Random(seed)
    processes = sorted(templates.by_process)
    with alur.sessions() as session:
        next_id = (session.scalar(select(func.max(Instance.id))) or 0) + 1
    done = 0
    while done < count:
        instances, tasks = [], []
        for _ in range(min(batch, count - done)):
            process_id = processes[done % len(processes)]
            if rng.random() < ENDED_SHARE:
                age = timedelta(minutes=rng.randrange(60 * 24 * 31, 60 * 24 * 365))
                instance, rows = harness._copy(templates.ended[process_id], next_id, age, now)
                instance.update(status="completed",
                                completed_at=instance["started_at"] + timedelta(minutes=rng.randrange(60 * 8, 60 * 24 * 30)))
                instance["updated_at"] = instance["completed_at"]
            else:
                age = timedelta(minutes=rng.randrange(60, 60 * 24 * 120))
                template = rng.choice(templates.by_process[process_id])
                instance, rows = harness._copy(template, next_id, age, now)
                waited = timedelta(minutes=min(age.total_seconds() / 60, rng.expovariate(1 / (60 * 24 * 3))))
                for row in rows:
                    if row["status"] != "ready":
                        continue
                    shift = (now - waited) - row["ready_at"]
                    row["ready_at"] += shift
                    if row["due_at"] is not None:
                        row["due_at"] += shift
                    if rng.random() < CLAIMED_SHARE:
                        row["claimed_by"] = rng.choice(users[(row["org"], row["role"])])
                        row["claimed_at"] = row["ready_at"]
            instance["perihal"], instance["nomor"] = perihal_of(rng)
            instances.append(instance)
            tasks += rows
            next_id += 1
            done += 1
        harness.insert_rows(alur, instances, tasks)
    harness.align_instance_ids(alur)


def add_head(alur, users: dict) -> str:
    """The head of unit of the organisation with the most SOPs, holding every role of its lanes."""
    per_org: dict[str, set[str]] = {}
    for org, role in users:
        per_org.setdefault(org, set()).add(role)
    org = max(per_org, key=lambda o: (sum(1 for p in alur.processes() if p["org"] == o), o))
    directory.add_user(alur, HEAD, sorted(per_org[org]), display_name="Kepala Unit",
                       password_hash=harness.password_hash(), org=org)
    return org


def cases(alur, org: str, now: datetime) -> list[tuple[str, dict]]:
    """(name, query parameters) of every page the benchmark asks for."""
    with alur.sessions() as session:
        sops = sorted(session.scalars(select(Instance.process_id).where(Instance.org == org).distinct()))
        lane = session.execute(select(HumanTask.lane, func.count()).where(HumanTask.org == org,
                                                                          HumanTask.status == "ready")
                               .group_by(HumanTask.lane).order_by(func.count().desc())).first()[0]
    start = (now - timedelta(days=60)).date()
    return [
        ("default list", {}),
        ("page 2", {"halaman": "2"}),
        ("SOP", {"sop": sops[0]}),
        ("status berjalan", {"status": "berjalan"}),
        ("status selesai", {"status": "selesai"}),
        ("late only", {"terlambat": "1"}),
        ("lane", {"lajur": lane}),
        ("started between", {"dari": start.isoformat(), "sampai": (start + timedelta(days=30)).isoformat()}),
        ("text search", {"q": SEARCHED}),
        ("text search, no match", {"q": "tidak ada perihal seperti ini"}),
        ("view menunggu-saya", {"tampilan": "menunggu-saya"}),
        ("view terlambat-unit-saya", {"tampilan": "terlambat-unit-saya"}),
        ("sort baru", {"urut": "baru"}),
        ("sort lama", {"urut": "lama"}),
        ("sort tenggat", {"urut": "tenggat"}),
        ("sort perihal", {"urut": "perihal"}),
        ("SOP + running + late, page 3", {"sop": sops[-1], "status": "berjalan", "terlambat": "1", "halaman": "3"}),
    ]


def measure(client, path: str, requests: int, counters: Counters) -> tuple[list[float], int, float, int]:
    """Latencies of GET `path` (after 2 warm-up requests), the body size, SQL statements per request
    and workflow states loaded."""
    for _ in range(2):
        status, body, _ = client.get(path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    statements, loaded = counters.snapshot()
    latencies = []
    deadline = time.perf_counter() + MAX_SECONDS
    while len(latencies) < requests and (len(latencies) < min(5, requests) or time.perf_counter() < deadline):
        started = time.perf_counter()
        status, body, _ = client.get(path)
        latencies.append(time.perf_counter() - started)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}: {body[:300]!r}")
    after = counters.snapshot()
    return latencies, len(body), (after[0] - statements) / len(latencies), after[1] - loaded


def seeded_database(backend: str, folder: Path) -> Settings | None:
    """Settings over the database an earlier run seeded and kept (--reuse), or None when there is none."""
    if backend == "sqlite":
        path = folder / f"{DATABASE}.sqlite3"
        url = f"sqlite:///{path}" if path.exists() else None
    else:
        server = create_engine(f"{harness.POSTGRES_SERVER}/postgres")
        with server.connect() as connection:
            found = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": DATABASE})
        server.dispose()
        url = f"{harness.POSTGRES_SERVER}/{DATABASE}" if found else None
    return Settings(database_url=url, instance_dir=folder / f"instance-{backend}") if url else None


def run(backend: str, size: int, requests: int, folder: Path, reuse: bool) -> dict:
    settings = seeded_database(backend, folder) if reuse else None
    started = time.perf_counter()
    if settings is not None:  # seeded by an earlier run: starting the app upgrades its schema (new indexes)
        app = create_app({"ALUR_SETTINGS": settings})
        alur = app.extensions["alur"]
        org = directory.member(alur, HEAD)[0]
        harness.analyze(alur)
        now = datetime.now(timezone.utc)
        print(f"  {backend}: reusing the seeded {DATABASE}, upgraded and analysed in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
    else:
        settings = harness.fresh_database(backend, folder, DATABASE)
        app = create_app({"ALUR_SETTINGS": settings})
        alur = app.extensions["alur"]
        users = harness.seed_users(alur, USERS, harness.password_hash())
        templates = harness.make_templates(alur, users)
        org = add_head(alur, users)
        now = datetime.now(timezone.utc)
        copy_mix(alur, templates, users, size - harness.running_count(alur), now)
        harness.analyze(alur)
    logging.getLogger("alur.requests").setLevel(logging.WARNING)  # one line per request is the app's, not ours
    seeded = time.perf_counter() - started
    with alur.sessions() as session:
        figures = dict(session.execute(select(HumanTask.status, func.count()).group_by(HumanTask.status)).all())
        figures["late"] = session.scalar(select(func.count()).select_from(HumanTask).where(
            HumanTask.status == "ready", HumanTask.due_at < now))
        figures["instances"] = session.scalar(select(func.count()).select_from(Instance))
        figures["running"] = harness.running_count(alur)
        figures["visible"] = session.scalar(select(func.count()).select_from(Instance).where(Instance.org == org))
    print(f"  {backend}: {figures['instances']:,} instances ({figures['running']:,} running), "
          f"{sum(v for k, v in figures.items() if k in ('ready', 'completed', 'cancelled')):,} task rows "
          f"({figures.get('completed', 0):,} completed, {figures.get('ready', 0):,} ready, {figures['late']:,} late); "
          f"the head of {org} sees {figures['visible']:,}; seeded in {seeded:.0f} s", flush=True)
    counters = Counters(alur)
    results = []
    with harness.serve(app) as port:
        client = harness.Client(port, basic=False)
        client.login(HEAD)
        for name, params in cases(alur, org, now):
            path = "/proses/" + (f"?{urlencode(params)}" if params else "")
            latencies, size_bytes, sql, loads = measure(client, path, requests, counters)
            results.append({"case": name, "path": path, "times": harness.summary_ms(latencies), "n": len(latencies),
                            "bytes": size_bytes, "sql": sql, "loads": loads})
            print(f"    {name:<30} p50 {results[-1]['times'][0]:7.1f}  p95 {results[-1]['times'][1]:7.1f} ms", flush=True)
        client.close()
        client = harness.Client(port, basic=False)
        client.connection.timeout = EXPORT_TIMEOUT  # an export may take longer than a page
        client.login(HEAD)
        sop = cases(alur, org, now)[2][1]["sop"]
        export_path = "/proses/unduh.csv?" + urlencode({"sop": sop, "status": "berjalan"})
        latencies, size_bytes, sql, loads = measure(client, export_path, max(3, requests // 8), counters)
        export = {"path": export_path, "times": harness.summary_ms(latencies), "n": len(latencies),
                  "bytes": size_bytes, "sql": sql, "loads": loads,
                  "rows": client.get(export_path)[1].decode("utf-8-sig").count("\n") - 1}
        client.close()
    alur.close()
    return {"backend": backend, "figures": figures, "org": org, "pages": results, "export": export}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    server = os.environ.get("ALUR_BENCH_POSTGRES_URL")
    parser.add_argument("--backends", default="sqlite,postgres" if server else "sqlite")
    parser.add_argument("--instances", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="per page (at most %.0f s each)" % MAX_SECONDS)
    parser.add_argument("--keep", type=Path, help="keep the SQLite database in this folder (PostgreSQL's is kept anyway)")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the databases an earlier run kept (--keep) instead of seeding again")
    args = parser.parse_args()
    if server:
        harness.POSTGRES_SERVER = server.rstrip("/")
    elif "postgres" in args.backends:
        parser.error("set ALUR_BENCH_POSTGRES_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432) for PostgreSQL")
    runs = []
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for backend in args.backends.split(","):
            runs.append(run(backend, args.instances, args.requests, folder, args.reuse))
    print(f"Proses overview of a head of unit at {args.instances:,} instances; target p95 < {TARGET_P95_MS:.0f} ms; "
          f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for r in runs:
        f = r["figures"]
        print(f"{r['backend']}: {f['instances']:,} instances, {f['visible']:,} of them the head's "
              f"({r['org']}); task rows {f.get('completed', 0):,} completed, {f.get('ready', 0):,} ready "
              f"({f['late']:,} late)")
        print(f"  {'page':<30} {'median':>8} {'p95':>8}  {'n':>3}  {'SQL':>4}  {'states':>6}  verdict")
        for p in r["pages"]:
            verdict = "meets" if p["times"][1] < TARGET_P95_MS and p["loads"] == 0 else "MISSES"
            print(f"  {p['case']:<30} {p['times'][0]:>5.1f} ms {p['times'][1]:>5.1f} ms  {p['n']:>3}  "
                  f"{p['sql']:>4.1f}  {p['loads']:>6}  {verdict}")
        e = r["export"]
        print(f"  {'CSV export (' + format(e['rows'], ',') + ' rows)':<30} {e['times'][0]:>5.1f} ms {e['times'][1]:>5.1f} ms  "
              f"{e['n']:>3}  {e['sql']:>4.1f}  {e['loads']:>6}  (reported apart, {e['bytes'] / 1024:,.0f} KiB)")
        worst = max(r["pages"], key=lambda p: p["times"][1])
        loads = sum(p["loads"] for p in r["pages"]) + e["loads"]
        verdict = "meets" if worst["times"][1] < TARGET_P95_MS and loads == 0 else "MISSES"
        print(f"  {r['backend']}: worst page p95 {worst['times'][1]:.1f} ms ({worst['case']}); "
              f"{loads} workflow states loaded ({verdict})")


if __name__ == "__main__":
    main()

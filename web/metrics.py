"""GET /metrics in the Prometheus text format (prometheus_client, the official client library).

- alur_http_requests_total{method,route,status} and alur_http_request_duration_seconds{method,route}:
  the route is the URL rule (`/tugas/<task_id>`), never the raw path, so ids make no new series;
- alur_task_completions_total{via}: completed tasks (the form page and the API);
- alur_conflicts_total{route}: answers 409 (the instance changed under the request);
- alur_tasks_waiting{org} and alur_tasks_overdue{org}: read from the task index at scrape time, so
  every server reports the same figures;
- alur_worker_lag_seconds: seconds since a worker (`alur worker`) last finished a pass, read from the
  database at scrape time; absent until a worker has run once.

Access: with ALUR_METRICS_TOKEN set, `Authorization: Bearer <token>`; without it, only from this
machine (127.0.0.1 or ::1, and not forwarded by a proxy). Several gunicorn workers: set
PROMETHEUS_MULTIPROC_DIR to an empty folder (see README, "Production set-up") and each scrape
sums every worker's counters.
"""
from __future__ import annotations

import hmac
import os

from flask import Blueprint, Flask, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import case, func, select

from alur.runtime import db
from alur.runtime.models import HumanTask, WorkerMark, utcnow
from alur.runtime.worker import LAST_PASS

from .services import engine

bp = Blueprint("metrics", __name__)
COMPLETIONS = {"tasks.complete": "form", "api.complete": "api"}
LOCAL_ADDRESSES = {"127.0.0.1", "::1"}


class Metrics:
    """The app's own counters, in a registry of its own (tests build many apps in one process)."""

    def __init__(self):
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("alur_http_requests", "HTTP requests answered", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("alur_http_request_duration_seconds", "Time to answer a request",
                                 ["method", "route"], registry=self.registry)
        self.completions = Counter("alur_task_completions", "Tasks completed", ["via"], registry=self.registry)
        self.conflicts = Counter("alur_conflicts", "Requests refused 409 (changed by someone else)", ["route"],
                                 registry=self.registry)


class TaskCollector:
    """Tasks waiting and overdue per organisation, counted in the database when scraped, and the worker's lag."""

    def __init__(self, alur):
        self.alur = alur

    def collect(self):
        waiting = GaugeMetricFamily("alur_tasks_waiting", "Ready tasks not yet completed", labels=["org"])
        overdue = GaugeMetricFamily("alur_tasks_overdue", "Ready tasks past their due time", labels=["org"])
        tasks = HumanTask.__table__.c
        now = utcnow()
        with db.read_connection(self.alur.db) as connection:
            rows = connection.execute(
                select(tasks.org, func.count(), func.sum(case((tasks.due_at < now, 1), else_=0)))
                .where(tasks.status == "ready").group_by(tasks.org).order_by(tasks.org)).all()
            last_pass = connection.execute(select(WorkerMark.at).where(WorkerMark.name == LAST_PASS)).scalar()
        for org, count, late in rows:
            waiting.add_metric([org], count)
            overdue.add_metric([org], late or 0)
        yield waiting
        yield overdue
        if last_pass is not None:
            lag = GaugeMetricFamily("alur_worker_lag_seconds", "Seconds since a worker last finished a pass")
            lag.add_metric([], max(0.0, (now - last_pass).total_seconds()))
            yield lag


def route_of() -> str:
    """The URL rule the request matched (bounded: one per route), or a fixed name for none."""
    return request.url_rule.rule if request.url_rule is not None else "<unmatched>"


def observe(response, duration: float) -> None:
    """Count one answered request (called by web/request_log.py after every request)."""
    metrics: Metrics = current_app.extensions["alur_metrics"]
    route = route_of()
    metrics.requests.labels(request.method, route, str(response.status_code)).inc()
    metrics.latency.labels(request.method, route).observe(duration)
    if response.status_code == 409:
        metrics.conflicts.labels(route).inc()
    via = COMPLETIONS.get(request.endpoint or "")
    if via and request.method == "POST" and response.status_code < 400:
        metrics.completions.labels(via).inc()


def _allowed() -> bool:
    token = current_app.config.get("ALUR_METRICS_TOKEN") or os.environ.get("ALUR_METRICS_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "")
        return sent.startswith("Bearer ") and hmac.compare_digest(sent[7:].encode(), token.encode())
    # A local reverse proxy would make every visitor look local: a forwarded request is not.
    return request.remote_addr in LOCAL_ADDRESSES and "X-Forwarded-For" not in request.headers


@bp.route("/metrics")
def metrics():
    if not _allowed():
        abort(403, description="Metrik hanya untuk pemantau: kirim token ALUR_METRICS_TOKEN atau minta dari mesin ini.")
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = current_app.extensions["alur_metrics"].registry
    output = generate_latest(registry) + generate_latest(_tasks_registry())
    return Response(output, mimetype=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def _tasks_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(TaskCollector(engine()))
    return registry


def init_app(app: Flask) -> None:
    app.extensions["alur_metrics"] = Metrics()

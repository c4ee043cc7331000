"""`alur worker`: notifications and their mail, pass after pass (runtime/worker.py)."""
from __future__ import annotations

import os
import signal
import sys
import threading
from dataclasses import asdict

import click

from .. import worker as runtime_worker
from ..mailing import MailSettings
from .common import WholeNumber, command, emit, engine


def _summary(report: runtime_worker.PassReport) -> str:
    failed = f", {len(report.failed)} not sent (SMTP)" if report.failed else ""
    return (f"{report.at.isoformat(timespec='seconds')}: {report.notifications} notifications, "
            f"{report.mails_sent} mails ({report.notifications_sent} tasks), {report.skipped} skipped{failed}")


@command("worker")
@click.option("--once", is_flag=True, help="one pass, then exit")
@click.option("--interval", type=WholeNumber(1, 3600), default=int(runtime_worker.DEFAULT_INTERVAL_SECONDS),
              show_default=True, help="seconds between passes")
def worker(once: bool, interval: int) -> int:
    """notify people of their ready tasks by e-mail (ALUR_SMTP_URL, ALUR_SMTP_FROM, ALUR_BASE_URL)"""
    settings = MailSettings.from_env(os.environ)
    alur = engine()
    if once:
        report = runtime_worker.run_pass(alur, settings)
        emit(asdict(report), _summary(report))
        return 1 if report.failed else 0
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"alur worker: a pass every {interval} s; stop with SIGTERM or Ctrl-C", file=sys.stderr, flush=True)
    runtime_worker.run_forever(alur, settings, interval, stop,
                               on_pass=lambda report: print(_summary(report), flush=True))
    return 0

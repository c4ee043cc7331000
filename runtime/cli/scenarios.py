"""`alur test`: run the SOPs' scenario files."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..settings import Settings
from .common import command, emit


@command("test")
@click.argument("targets", nargs=-1, metavar="[PROCESS|FILE]...",
                help="process ids (in processes/), scenario files or BPMN files (default: every processes/*.test.yaml)")
@click.option("--forms", help="forms folder (default: forms/)")
@click.option("--junit", metavar="FILE", help="also write the results as JUnit XML")
@click.option("--html", metavar="DIR", help="also write a report page per SOP, with its coverage diagram")
def test(targets: tuple[str, ...], forms: str | None, junit: str | None, html: str | None) -> int:
    """run the SOPs' scenario files (*.test.yaml); exit 1 on a failure"""
    from ..scenarios import html as html_report, junit as junit_report, suite

    settings = Settings.from_env()
    forms_dir = Path(forms) if forms else settings.forms_dir
    chosen = list(targets) or suite.default_targets(settings.processes_dir)
    if not chosen:
        print(f"no scenario files (*{suite.SUFFIX}) in {settings.processes_dir}", file=sys.stderr)
        return 1
    reports = [suite.run_target(t, settings.processes_dir, forms_dir, settings.calendar) for t in chosen]
    if junit:
        junit_report.write_junit(reports, Path(junit))
    if html:
        html_report.write_html(reports, Path(html))
    emit([r.to_dict() for r in reports], "\n".join(r.summary() for r in reports))
    return 0 if all(r.ok for r in reports) else 1

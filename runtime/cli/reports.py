"""`alur report`: the evaluation report of one SOP over a period (runtime/report.py)."""
from __future__ import annotations

from datetime import date
from typing import Any

import click

from ..errors import InvalidData
from ..standard_time import format_minutes
from .common import PROCESS_ID_HELP, command, emit, engine
from .processes import ORG_HELP


class Day(click.ParamType):
    """A day written YYYY-MM-DD; anything else is a usage error naming the option."""

    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        """`value` as a date, or a usage error ("Invalid value for '--from': ...")."""
        if isinstance(value, date):
            return value
        from ..report import parse_day

        try:
            day = parse_day(str(value), param.name if param is not None and param.name else "day")
        except InvalidData:
            day = None
        if day is None:
            self.fail(f"'{str(value)[:40]}' is not a day written YYYY-MM-DD (for example 2026-12-04)", param, ctx)
        return day


def _minutes(value: int | None) -> str:
    return "-" if value is None else format_minutes(value)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.0f}%"


def _text(report) -> str:
    lines = [f"{report.process_name} ({report.process_id}, {report.org})",
             f"periode {report.period_from.isoformat()} s.d. {report.period_to.isoformat()}",
             f"dimulai {report.instances_started}, selesai {report.instances_finished}; waktu siklus median "
             f"{_minutes(report.cycle_median_minutes)}, p90 {_minutes(report.cycle_p90_minutes)}, standar total "
             f"{_minutes(report.total_standard_minutes)}", ""]
    header = ("langkah", "selesai", "kembali", "median", "p90", "standar", "tepat", "menunggu", "terlambat")
    rows = [header] + [(s.step, str(s.completed), str(s.returns), _minutes(s.median_minutes),
                        _minutes(s.p90_minutes), _minutes(s.standard_minutes), _ratio(s.on_time_ratio),
                        str(s.now.waiting), str(s.now.overdue)) for s in report.steps]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                               for i, (cell, width) in enumerate(zip(row, widths))).rstrip())
    lines.append("")
    lines += [f"{m.month}  dimulai {m.started}  selesai {m.finished}  median siklus "
              f"{_minutes(m.to_dict()['median_cycle_minutes'])}" for m in report.months]
    return "\n".join(lines)


@command("report")
@click.argument("process_id", help=PROCESS_ID_HELP)
@click.option("--from", "start", type=Day(), help="first day of the period (default: 11 months before --to's month)")
@click.option("--to", "end", type=Day(), help="last day of the period (default: today in the organisation's zone)")
@click.option("--org", help=ORG_HELP)
def report(process_id: str, start: date | None, end: date | None, org: str | None) -> int:
    """evaluation report of an SOP: per step completions, returns, working times against the standard"""
    from ..report import operator_report

    found = operator_report(engine(), process_id, org, start, end)
    emit(found.to_dict(), _text(found))
    return 0

"""The evaluation report (runtime/report.py) as files an agency files, and as chart data.

- `to_xlsx`: a workbook (openpyxl) with a summary, the steps (with a bar chart of median, p90
  and standard per step), the months (with a chart of the trend) and who or which lane holds
  what is waiting now. People are named (jabatan and name), never by user name; a text that a
  spreadsheet would run as a formula is kept as text.
- `to_pdf`: the printed report, from the HTML the web app renders, by WeasyPrint (as the printed
  SOP is), fetching nothing from outside.
- `steps_chart`, `months_chart`: the figures the charts draw (the page's Chart.js, the PDF's bars).
"""
from __future__ import annotations

import io
import math

from .report import Report
from .sheets import write_table

STEP_COLUMNS = ("No.", "Langkah", "Nama langkah", "Lajur", "Selesai", "Dikembalikan", "Tingkat pengembalian",
                "Median (menit kerja)", "P90 (menit kerja)", "Standar (menit kerja)", "Dalam standar",
                "Menunggu", "Terlambat")
MONTH_COLUMNS = ("Bulan", "Dimulai", "Selesai", "Median waktu siklus (menit kerja)")


def step_label(number: int) -> str:
    """How a chart names the step at `number` (1-based) of the report: its SOP step number."""
    return f"Langkah {number}"


def steps_chart(report: Report) -> dict:
    """Per step: its label and name, and the median, p90 and standard minutes (None where there are none)."""
    return {"labels": [step_label(i) for i, _ in enumerate(report.steps, start=1)],
            "names": [s.name for s in report.steps],
            "median": [s.median_minutes for s in report.steps],
            "p90": [s.p90_minutes for s in report.steps],
            "standard": [s.standard_minutes for s in report.steps]}


def months_chart(report: Report) -> dict:
    """Per month of the period: its label, instances started and finished, the median cycle time."""
    return {"labels": [m.label for m in report.months],
            "started": [m.started for m in report.months],
            "finished": [m.finished for m in report.months],
            "median_cycle": [m.to_dict()["median_cycle_minutes"] for m in report.months]}


def bar_lengths(report: Report) -> list[dict]:
    """Per step, the printed chart's bars: median, p90 and standard as shares (0..1) of the longest,
    on a logarithmic scale (log10(1 + minutes)), so that 5 minutes and 5 days both show."""
    values = [v for s in report.steps for v in (s.median_minutes, s.p90_minutes, s.standard_minutes) if v]
    top = math.log10(1 + max(values)) if values else 1.0

    def share(value: int | None) -> float:
        return round(math.log10(1 + value) / top, 4) if value else 0.0

    return [{"label": step_label(i), "median": share(s.median_minutes), "p90": share(s.p90_minutes),
             "standard": share(s.standard_minutes)} for i, s in enumerate(report.steps, start=1)]


def summary_rows(report: Report) -> list[tuple[str, object]]:
    """The report's figures for the whole SOP, as (label, value) rows."""
    return [
        ("SOP", report.process_name), ("Kode SOP", report.process_id), ("Organisasi", report.org_name),
        ("Periode", f"{report.period_from:%d-%m-%Y} s.d. {report.period_to:%d-%m-%Y}"),
        ("Proses dimulai", report.instances_started), ("Proses selesai", report.instances_finished),
        ("Median waktu siklus (menit kerja)", report.cycle_median_minutes),
        ("P90 waktu siklus (menit kerja)", report.cycle_p90_minutes),
        ("Standar total SOP (menit kerja)", report.total_standard_minutes),
        ("Proses selesai dalam standar total", report.cycle_on_time_ratio),
        ("Tugas menunggu saat ini", report.waiting), ("Tugas terlambat saat ini", report.overdue),
    ]


def to_xlsx(report: Report, people) -> bytes:
    """The report as an Excel workbook; `people` names whoever holds a waiting task (runtime/people.py)."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()

    def sheet_of(title: str, header: tuple[str, ...] | None, rows: list, widths: tuple[int, ...], first=False):
        sheet = book.active if first else book.create_sheet()
        sheet.title = title
        write_table(sheet, header, rows, widths, {float: "0.0%"})
        return sheet

    summary = sheet_of("Ringkasan", None, summary_rows(report), (38, 60), first=True)
    for row in summary.iter_rows(min_col=1, max_col=1):
        row[0].font = bold

    steps = sheet_of("Langkah", STEP_COLUMNS, [
        (i, s.step, s.name, s.lane, s.completed, s.returns, s.return_rate, s.median_minutes, s.p90_minutes,
         s.standard_minutes, s.on_time_ratio, s.now.waiting, s.now.overdue)
        for i, s in enumerate(report.steps, start=1)], (6, 12, 60, 36, 9, 12, 12, 12, 12, 12, 12, 10, 10))
    if report.steps:
        chart = BarChart()
        chart.title = "Waktu nyata dan standar per langkah (menit kerja)"
        chart.y_axis.title = "menit kerja"
        chart.x_axis.title = "langkah"
        last = len(report.steps) + 1
        chart.add_data(Reference(steps, min_col=8, max_col=10, min_row=1, max_row=last), titles_from_data=True)
        chart.set_categories(Reference(steps, min_col=1, min_row=2, max_row=last))
        chart.width, chart.height = 30, 10
        steps.add_chart(chart, f"A{last + 3}")

    months = sheet_of("Per bulan", MONTH_COLUMNS, [
        (m.label, m.started, m.finished, m.to_dict()["median_cycle_minutes"]) for m in report.months], (18, 10, 10, 30))
    if report.months:
        last = len(report.months) + 1
        counts = BarChart()
        counts.title = "Tren per bulan"
        counts.y_axis.title = "proses"
        counts.add_data(Reference(months, min_col=2, max_col=3, min_row=1, max_row=last), titles_from_data=True)
        counts.set_categories(Reference(months, min_col=1, min_row=2, max_row=last))
        cycle = LineChart()
        cycle.add_data(Reference(months, min_col=4, min_row=1, max_row=last), titles_from_data=True)
        cycle.y_axis.axId = 200
        cycle.y_axis.title = "median siklus (menit kerja)"
        cycle.y_axis.crosses = "max"
        counts += cycle
        counts.width, counts.height = 24, 10
        months.add_chart(counts, "F2")

    waiting = [("Lajur", lane, w.waiting, w.overdue) for lane, w in report.by_lane.items()]
    waiting += [("Pegawai", people.get(p.username), p.waiting, p.overdue) for p in report.by_person]
    sheet_of("Menunggu", ("Menurut", "Lajur atau pegawai", "Menunggu", "Terlambat"), waiting, (10, 50, 10, 10))

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_pdf(html: str) -> bytes:
    """The printed report from its HTML (WeasyPrint, nothing fetched from outside); PdfUnavailable
    (503) without WeasyPrint's system libraries."""
    from .sopdoc.pdf import _refuse_fetch, _weasyprint

    return _weasyprint().HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()

"""The overview's filtered list as a file: CSV (any spreadsheet, semicolon-free, UTF-8 with BOM so
that Excel reads the Indonesian text right) and XLSX (openpyxl), the same columns in both.

People are named (jabatan and name), times are in the organisation's zone, durations in working
minutes. A text that a spreadsheet would run as a formula (=, +, -, @ first) is kept as text:
in CSV with a leading apostrophe, in XLSX as a string cell.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from .overview import Row
from .sheets import write_table

COLUMNS = ("No.", "Perihal", "Nomor", "SOP", "Versi", "Status", "Langkah saat ini", "Pemegang atau lajur",
           "Siap sejak", "Tenggat", "Terlambat", "Umur (menit kerja)", "Standar total (menit kerja)",
           "Melebihi standar", "Dimulai", "Dimulai oleh", "Selesai")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def table(rows: list[Row], people, zone: ZoneInfo) -> list[list]:
    """One list of values per instance, in COLUMNS order (datetimes naive, in `zone`)."""
    def local(value: datetime | None):
        return value.astimezone(zone).replace(tzinfo=None, microsecond=0) if value else None

    out = []
    for row in rows:
        steps = row.steps
        out.append([
            row.id, row.perihal or "(tanpa perihal)", row.nomor or "", row.process_name, row.version,
            "Selesai" if row.status == "completed" else "Berjalan",
            "; ".join(s.name for s in steps),
            "; ".join(people.get(s.claimed_by) if s.claimed_by else f"Lajur {s.lane}" for s in steps),
            local(min((s.ready_at for s in steps), default=None)),
            local(min((s.due_at for s in steps if s.due_at), default=None)),
            "Ya" if row.late else "Tidak",
            row.age_minutes, row.standard_minutes,
            "Ya" if row.over_standard else "Tidak",
            local(row.started_at), people.get(row.started_by), local(row.completed_at),
        ])
    return out


def to_csv(rows: list[Row], people, zone: ZoneInfo) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for values in table(rows, people, zone):
        writer.writerow([_csv_cell(v) for v in values])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    return "'" + text if isinstance(value, str) and text.startswith(_FORMULA_START) else text


def to_xlsx(rows: list[Row], people, zone: ZoneInfo, title: str = "Proses") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    write_table(sheet, COLUMNS, table(rows, people, zone),
                (6, 40, 18, 40, 6, 10, 40, 36, 17, 17, 10, 12, 12, 10, 17, 30, 17),
                {datetime: "yyyy-mm-dd hh:mm"})
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

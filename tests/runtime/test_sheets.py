"""runtime/sheets.py: the table every export writes into a worksheet."""
from __future__ import annotations

from datetime import datetime

from openpyxl import Workbook

from alur.runtime.sheets import write_table


def test_a_table_has_a_frozen_bold_header_text_cells_and_formats_by_type():
    sheet = Workbook().active
    write_table(sheet, ("Perihal", "Kapan", "Tepat waktu", "Jumlah"),
                [("=1+1", datetime(2026, 12, 4, 9, 30), 0.75, 3), ("+62 812", None, 1.0, 0)],
                (30, 17, 10), {datetime: "yyyy-mm-dd hh:mm", float: "0.0%"})
    assert [c.value for c in sheet[1]] == ["Perihal", "Kapan", "Tepat waktu", "Jumlah"]
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"
    assert (sheet["A2"].value, sheet["A2"].data_type) == ("=1+1", "s")  # never a formula
    assert (sheet["A3"].value, sheet["A3"].data_type) == ("+62 812", "s")
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm" and sheet["C2"].number_format == "0.0%"
    assert sheet["D2"].number_format == "General"  # an int is not a float
    assert sheet.column_dimensions["A"].width == 30 and sheet.column_dimensions["C"].width == 10


def test_a_table_without_header_starts_on_the_first_row_and_freezes_nothing():
    sheet = Workbook().active
    write_table(sheet, None, [("SOP", "Pengumpulan Data Kinerja")], (20, 40))
    assert sheet["A1"].value == "SOP" and sheet.freeze_panes is None

"""One table written into an openpyxl worksheet, the way every Alur export writes one: a bold header
row frozen at the top, a text always a string cell (a text a spreadsheet would run as a formula,
"=..." or "+...", stays text), other values with the number format of their type, column widths."""
from __future__ import annotations

from collections.abc import Iterable, Sequence


def write_table(sheet, header: Sequence[str] | None, rows: Iterable[Sequence], widths: Sequence[int],
                formats: dict[type, str] | None = None) -> None:
    """Fill `sheet` with `header` (if any) and `rows`; `formats` maps a value type (datetime, float) to
    its number format."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    formats = formats or {}
    if header:
        sheet.append(list(header))
        bold = Font(bold=True)
        for cell in sheet[1]:
            cell.font = bold
    for r, values in enumerate(rows, start=2 if header else 1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            elif type(value) in formats:
                cell.number_format = formats[type(value)]
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    if header:
        sheet.freeze_panes = "A2"

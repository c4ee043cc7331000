"""The SOP document as a Word file (python-docx): the identity sheet and the flowchart table as
real Word tables, the flowchart symbols as Word drawing shapes anchored in their cells.

python-docx has no shape API: the drawings are DrawingML built here (`wps:wsp` with
`a:prstGeom prst="flowChartTerminator|flowChartProcess|flowChartDecision"`, inside
`mc:AlternateContent` as Word writes them). Connector lines are straight connector shapes,
computed by layout.connectors on the table's own grid and cut at row borders, so that each
row carries its part of every line and a page break in Word only splits them. Every data row
has an "at least" height large enough for its text, so the rows stay where the lines expect
them. A review's return is also written in its Keterangan cell ("Tidak: kembali ke langkah 4"),
which the importer reads first.
"""
from __future__ import annotations

import io
import math
from xml.sax.saxutils import escape
from itertools import count

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from . import layout
from .fields import LIST_FIELDS
from .model import DECISION, PROCESS, TERMINATOR, SopDocument

EMU_PER_MM = 36000
TWIPS_PER_MM = 1440 / 25.4
FONT = "Arial"
FONT_SIZE = 8  # pt
LINE_MM = 3.4  # a line of 8 pt text, with Word's spacing
CHAR_MM = 1.55  # a generous average character width of 8 pt Arial
CELL_MARGIN_MM = 1.0
PRESET = {TERMINATOR: "flowChartTerminator", PROCESS: "flowChartProcess", DECISION: "flowChartDecision"}
RETURN_NOTE = "Tidak: kembali ke langkah {no}"

NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
_DECLS = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NS.items())


def _emu(mm: float) -> int:
    return int(round(mm * EMU_PER_MM))


def _twips(mm: float) -> int:
    return int(round(mm * TWIPS_PER_MM))


class _Drawings:
    """Shape ids: unique over the document, as Word wants them."""

    def __init__(self):
        self.ids = count(1)

    def anchor(self, paragraph, x_mm: float, y_mm: float, w_mm: float, h_mm: float, shape: str, name: str,
               flip_h: bool = False, flip_v: bool = False):
        """Anchor a DrawingML shape in a paragraph of a table cell, at (x, y) mm from the cell's
        left edge and the paragraph's top."""
        shape_id = next(self.ids)
        flips = (' flipH="1"' if flip_h else "") + (' flipV="1"' if flip_v else "")
        xml = (
            f'<w:r {_DECLS}><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing>'
            f'<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="{shape_id + 1000}" '
            f'behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
            f'<wp:simplePos x="0" y="0"/>'
            f'<wp:positionH relativeFrom="column"><wp:posOffset>{_emu(x_mm)}</wp:posOffset></wp:positionH>'
            f'<wp:positionV relativeFrom="paragraph"><wp:posOffset>{_emu(y_mm)}</wp:posOffset></wp:positionV>'
            f'<wp:extent cx="{_emu(w_mm)}" cy="{_emu(h_mm)}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:wrapNone/><wp:docPr id="{shape_id}" name="{name} {shape_id}"/><wp:cNvGraphicFramePr/>'
            f'<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
            f'<wps:wsp>{shape.format(flips=flips, cx=_emu(w_mm), cy=_emu(h_mm))}</wps:wsp>'
            f'</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice></mc:AlternateContent></w:r>'
        )
        paragraph._p.append(parse_xml(xml))


_SYMBOL = ('<wps:cNvSpPr/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
           '<a:prstGeom prst="PRESET"><a:avLst/></a:prstGeom><a:solidFill><a:srgbClr val="FFFFFF"/></a:solidFill>'
           '<a:ln w="9525"><a:solidFill><a:srgbClr val="000000"/></a:solidFill></a:ln></wps:spPr><wps:bodyPr/>')
_LINE = ('<wps:cNvCnPr/><wps:spPr><a:xfrm{flips}><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
         '<a:prstGeom prst="straightConnector1"><a:avLst/></a:prstGeom>'
         '<a:ln w="6350"><a:solidFill><a:srgbClr val="000000"/></a:solidFill>TAIL</a:ln></wps:spPr><wps:bodyPr/>')
_LABEL = ('<wps:cNvSpPr txBox="1"/><wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'
          '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>'
          '<wps:txbx><w:txbxContent><w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
          '</w:pPr><w:r><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial"/><w:sz w:val="11"/></w:rPr><w:t>TEXT</w:t>'
          '</w:r></w:p></w:txbxContent></wps:txbx><wps:bodyPr lIns="0" tIns="0" rIns="0" bIns="0"/>')


def _base_document() -> Document:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(layout.PAGE_WIDTH), Mm(layout.PAGE_HEIGHT)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(layout.PAGE_MARGIN))
    style = document.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(FONT_SIZE)
    style.paragraph_format.space_after = Pt(0)
    style.paragraph_format.space_before = Pt(0)
    return document


def _set_widths(table, widths_mm: list[float]) -> None:
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths_mm):
        col.set(qn("w:w"), str(_twips(width)))
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER


def _text(cell, text: str, bold: bool = False, size: float | None = None, center: bool = False):
    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if center:
        paragraph.alignment = 1
    return paragraph


def _lines(cell, values: list[str], numbered: bool = True) -> None:
    for index, value in enumerate(values):
        paragraph = cell.paragraphs[0] if index == 0 and not cell.paragraphs[0].text else cell.add_paragraph()
        paragraph.add_run(f"{index + 1}. {value}" if numbered and len(values) > 1 else value)


def _identity(document: Document, sop: SopDocument) -> None:
    identity = sop.identity
    head = document.add_table(rows=7, cols=3)
    head.style = "Table Grid"
    _set_widths(head, [110, 42, 125])
    agency = head.cell(0, 0).merge(head.cell(6, 0))
    _text(agency, identity.organisation, bold=True, size=10, center=True)
    if identity.unit:
        unit = agency.add_paragraph()
        unit.alignment = 1
        unit.add_run(identity.unit).bold = True
    signatory = [identity.disahkan_jabatan, "", identity.disahkan_nama, identity.disahkan_pangkat,
                 f"NIP. {identity.disahkan_nip}" if identity.disahkan_nip else ""]
    rows = [("Nomor SOP", identity.nomor), ("Tanggal Pembuatan", identity.tanggal_pembuatan),
            ("Tanggal Revisi", identity.tanggal_revisi), ("Tanggal Efektif", identity.tanggal_efektif),
            ("Disahkan oleh", signatory), ("Nama SOP", identity.nama), ("Total Waktu", sop.total_waktu)]
    for index, (label, value) in enumerate(rows):
        _text(head.cell(index, 1), label, bold=True)
        cell = head.cell(index, 2)
        if isinstance(value, list):
            for line_no, line in enumerate(value):
                paragraph = cell.paragraphs[0] if line_no == 0 else cell.add_paragraph()
                run = paragraph.add_run(line)
                if line_no == 2:
                    run.bold = run.underline = True
        else:
            _text(cell, value, bold=label == "Nama SOP")
    body = document.add_table(rows=6, cols=2)
    body.style = "Table Grid"
    _set_widths(body, [138.5, 138.5])
    for pair in range(3):
        for side in range(2):
            item = LIST_FIELDS[pair * 2 + side]
            _text(body.cell(pair * 2, side), f"{item.label}:", bold=True)
            _lines(body.cell(pair * 2 + 1, side), getattr(identity, item.key))


def _row_height_mm(row, widths: dict) -> float:
    """A row height that holds its text (estimated generously) and at least a symbol's slot."""
    def lines(text: str, width_mm: float) -> int:
        per_line = max(1, int((width_mm - 2 * CELL_MARGIN_MM) / CHAR_MM))
        return sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n")) if text else 1

    keterangan = "\n".join(part for part in (row.keterangan, _return_note(row)) if part)
    needed = max(lines(row.kegiatan, widths["kegiatan"]), lines(row.kelengkapan, widths["kelengkapan"]),
                 lines(row.waktu, widths["waktu"]), lines(row.output, widths["output"]),
                 lines(keterangan, widths["keterangan"]))
    return max(layout.CELL_MIN_HEIGHT, needed * LINE_MM + 2.0)


def _return_note(row) -> str:
    return RETURN_NOTE.format(no=row.tidak_no) if row.kind == DECISION and row.tidak_no is not None else ""


def _chart(document: Document, sop: SopDocument, drawings: _Drawings) -> None:
    lanes = sop.pelaksana
    widths = layout.column_widths(len(lanes))
    columns = [widths["no"], widths["kegiatan"], *widths["lanes"], widths["kelengkapan"], widths["waktu"],
               widths["output"], widths["keterangan"]]
    n = len(lanes)
    table = document.add_table(rows=3 + len(sop.rows), cols=len(columns))
    table.style = "Table Grid"
    _set_widths(table, columns)
    first_lane, first_mutu = 2, 2 + n
    # Header: No, Kegiatan and Keterangan over two rows, Pelaksana and Mutu Baku over their columns.
    for col, label in ((0, "No"), (1, "Kegiatan"), (first_mutu + 3, "Keterangan")):
        _text(table.cell(0, col).merge(table.cell(1, col)), label, bold=True, center=True)
    if n:
        _text(table.cell(0, first_lane).merge(table.cell(0, first_lane + n - 1)), "Pelaksana", bold=True, center=True)
    _text(table.cell(0, first_mutu).merge(table.cell(0, first_mutu + 2)), "Mutu Baku", bold=True, center=True)
    for index, lane in enumerate(lanes):
        _text(table.cell(1, first_lane + index), lane, bold=True, size=7, center=True)
    for offset, label in enumerate(("Kelengkapan", "Waktu", "Output")):
        _text(table.cell(1, first_mutu + offset), label, bold=True, center=True)
    for col in range(len(columns)):
        _text(table.cell(2, col), str(col + 1), size=6, center=True)
    for header in table.rows[:3]:
        header._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {_DECLS}/>'))

    heights = [_row_height_mm(row, widths) for row in sop.rows]
    tops = [sum(heights[:i]) for i in range(len(heights))]
    lane_left = [widths["no"] + widths["kegiatan"] + sum(widths["lanes"][:i]) for i in range(n)]
    symbol_w = layout.symbol_width(widths["lanes"][0]) if n else 0
    for index, row in enumerate(sop.rows):
        tr = table.rows[3 + index]
        trPr = tr._tr.get_or_add_trPr()
        trPr.append(parse_xml(f'<w:cantSplit {_DECLS}/>'))
        trPr.append(parse_xml(f'<w:trHeight {_DECLS} w:val="{_twips(heights[index])}" w:hRule="atLeast"/>'))
        _text(tr.cells[0], str(row.no), center=True)
        _text(tr.cells[1], row.kegiatan)
        _text(tr.cells[first_mutu], row.kelengkapan)
        _text(tr.cells[first_mutu + 1], row.waktu, center=True)
        _text(tr.cells[first_mutu + 2], row.output)
        ket = tr.cells[first_mutu + 3]
        _lines(ket, [part for part in (row.keterangan, _return_note(row)) if part], numbered=False)
        for lane_index in range(n):
            _zero_margins(tr.cells[first_lane + lane_index])
        if row.pelaksana in lanes:
            lane_index = lanes.index(row.pelaksana)
            cell = tr.cells[first_lane + lane_index]
            x = (widths["lanes"][lane_index] - symbol_w) / 2
            drawings.anchor(cell.paragraphs[0], x, layout.SYMBOL_TOP, symbol_w, layout.SYMBOL_HEIGHT,
                            _SYMBOL.replace("PRESET", PRESET[row.kind]), "Simbol")
    _connectors(table, sop, drawings, widths, heights, tops, lane_left, symbol_w, first_lane)


def _zero_margins(cell) -> None:
    tcPr = cell._tc.get_or_add_tcPr()
    tcPr.append(parse_xml(f'<w:tcMar {_DECLS}><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
                          f'</w:tcMar>'))


def _connectors(table, sop: SopDocument, drawings: _Drawings, widths, heights, tops, lane_left, symbol_w,
                first_lane) -> None:
    """The chart's lines (layout.connectors on the table's grid), each cut at row borders and
    anchored in the first pelaksana cell of the row it runs through."""
    if not sop.pelaksana:
        return
    mm = layout.MM
    rows, symbols = {}, {}
    total_width = sum(widths["lanes"]) + widths["no"] + widths["kegiatan"]
    for index, row in enumerate(sop.rows):
        rows[index] = layout.Box(0, tops[index] * mm, total_width * mm, heights[index] * mm)
        if row.pelaksana in sop.pelaksana:
            lane = sop.pelaksana.index(row.pelaksana)
            x = lane_left[lane] + (widths["lanes"][lane] - symbol_w) / 2
            symbols[index] = layout.Box(x * mm, (tops[index] + layout.SYMBOL_TOP) * mm, symbol_w * mm,
                                        layout.SYMBOL_HEIGHT * mm)
    lanes = [(left * mm, (left + width) * mm) for left, width in zip(lane_left, widths["lanes"])]
    measured = layout.Measured({i: 0 for i in rows}, rows, symbols, lanes)
    drawing = layout.connectors(sop, measured).get(0, layout.Overlay())
    origin = lane_left[0]  # anchors sit in the first pelaksana cell of each row
    bottoms = [top + height for top, height in zip(tops, heights)]

    def row_of(y_mm: float) -> int:
        return next((i for i, bottom in enumerate(bottoms) if y_mm < bottom - 1e-6), len(bottoms) - 1)

    for line in drawing.lines:
        points = [(x / mm, y / mm) for x, y in line.points]
        for number, (start, end) in enumerate(zip(points, points[1:])):
            last = number == len(points) - 2
            for piece_start, piece_end in _cut_at_rows(start, end, bottoms):
                index = row_of(min(piece_start[1], piece_end[1]) + 1e-6)
                cell = table.rows[3 + index].cells[first_lane]
                arrow = line.arrow and last and piece_end == end
                _line(drawings, cell.paragraphs[0], piece_start, piece_end, origin, tops[index], arrow)
    for label in drawing.labels:
        y = label.y / mm - 2.2
        index = row_of(y)
        cell = table.rows[3 + index].cells[first_lane]
        width = 7.0
        x = label.x / mm - (width if label.anchor == "end" else 0) - origin
        drawings.anchor(cell.paragraphs[0], x, y - tops[index], width, 2.6,
                        _LABEL.replace("TEXT", escape(label.text)), "Label")


def _cut_at_rows(start, end, bottoms):
    """A straight segment cut where it crosses a row border (vertical segments only cross them)."""
    (x0, y0), (x1, y1) = start, end
    low, high = min(y0, y1), max(y0, y1)
    cuts = [b for b in bottoms if low + 1e-6 < b < high - 1e-6]
    if not cuts:
        return [(start, end)]
    ys = [y0, *(cuts if y1 > y0 else reversed(cuts)), y1]
    return [((x0 + (x1 - x0) * ((a - y0) / (y1 - y0)), a), (x0 + (x1 - x0) * ((b - y0) / (y1 - y0)), b))
            for a, b in zip(ys, ys[1:])]


def _line(drawings: _Drawings, paragraph, start, end, origin_x: float, row_top: float, arrow: bool) -> None:
    (x0, y0), (x1, y1) = start, end
    left, top = min(x0, x1) - origin_x, min(y0, y1) - row_top
    tail = '<a:tailEnd type="triangle" w="sm" len="sm"/>' if arrow else ""
    drawings.anchor(paragraph, left, top, abs(x1 - x0), abs(y1 - y0), _LINE.replace("TAIL", tail), "Garis",
                    flip_h=x1 < x0, flip_v=y1 < y0)


def export_docx(sop: SopDocument) -> bytes:
    """The SOP document as a .docx file (bytes)."""
    document = _base_document()
    drawings = _Drawings()
    _identity(document, sop)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _chart(document, sop, drawings)
    document.core_properties.title = f"SOP {sop.identity.nama}"
    document.core_properties.subject = sop.process_id
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def drawing_shapes(docx_bytes: bytes) -> list[str]:
    """The preset geometries of the drawing shapes in a .docx body, in document order (for checks)."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    return [g.get("prst") for g in root.iterfind(".//wps:wsp/wps:spPr/a:prstGeom", NS)]

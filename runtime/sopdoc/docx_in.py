"""A Word SOP (Permenpan RB 35/2012 table) read back into a transcription, turned into BPMN by
sopgen.

What it reads:
- the flowchart table: the header row with "Pelaksana" over the pelaksana columns (merged
  cells allowed), the mutu baku columns by their names (Kelengkapan/Persyaratan, Waktu,
  Output/Hasil, Keterangan), then one step per row with a number in the No column;
- in each row, the pelaksana column holding its symbol: a drawing shape (DrawingML
  flowChartTerminator/Process/Decision, or the VML shapes older Word writes) or a text mark
  (✓ √ ✔ X • ● and the like);
- for a decision, the step "Tidak" returns to: the note "Tidak: kembali ke langkah N" (the
  exporter writes it in Keterangan), else the connector lines (when the rows carry their
  heights), else the text "dikembalikan kepada <pelaksana>" (the latest earlier step of that
  pelaksana); "Ya" goes on to the next row, as sopgen models it;
- the identity sheet, by its labels (Nomor SOP, Tanggal ..., Disahkan oleh, Nama SOP, Dasar
  Hukum, ...).

Every reading that is not certain becomes a warning naming the row and column; the warnings
are also kept as the transcription's readings (in the BPMN documentation).
"""
from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from lxml import etree

from ..errors import AlurError
from ..standard_time import parse_waktu

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {
    "w": W,
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
}
EMU_PER_MM = 36000
TWIPS_PER_MM = 1440 / 25.4
MAX_DOCX_BYTES = 20 * 1024 * 1024
MAX_PART_BYTES = 50 * 1024 * 1024  # word/document.xml unpacked

TERMINATOR, PROCESS, DECISION = "terminator", "process", "decision"
SHAPE_KINDS = {
    "flowChartTerminator": TERMINATOR, "flowChartProcess": PROCESS, "flowChartDecision": DECISION,
    "flowChartAlternateProcess": PROCESS, "roundRect": TERMINATOR, "rect": PROCESS, "diamond": DECISION,
    "ellipse": TERMINATOR, "flowChartConnector": TERMINATOR,
}
UNCERTAIN_SHAPES = {"flowChartAlternateProcess", "roundRect", "rect", "diamond", "ellipse", "flowChartConnector"}
VML_TYPES = {"116": TERMINATOR, "109": PROCESS, "110": DECISION, "176": PROCESS}
CONNECTOR_PRESETS = re.compile(r"^(line|straightConnector1|bentConnector\d|curvedConnector\d)$")
TEXT_MARKS = {"✓": None, "✔": None, "√": None, "v": None, "V": None, "x": None, "X": None, "•": None,
              "●": None, "○": TERMINATOR, "◯": TERMINATOR, "*": None, "■": PROCESS, "□": PROCESS,
              "◇": DECISION, "◊": DECISION, "♦": DECISION, "◆": DECISION}
TEXT_WORDS = {"mulai": TERMINATOR, "selesai": TERMINATOR}
RETURN_NOTE = re.compile(r"(?:tidak\s*[:→>\-–]*\s*)?(?:kembali|dikembalikan)\s+ke\s+langkah\s+(?:no\.?\s*)?(\d+)", re.I)
RETURN_TEXT = re.compile(r"dikembalikan\s+(?:kepada|ke)\s+(.+?)(?:\s+untuk\b|\s+jika\b|[,.;]|$)", re.I)
REVIEW_TEXT = re.compile(r"dikembalikan|jika\s+tidak\s+(?:setuju|sesuai|lengkap|benar)|jika\s+terdapat\s+kekeliruan", re.I)
NUMBERING = re.compile(r"^\s*(?:\d{1,3}[.)]|[a-zA-Z][.)]|[-–•●▪*])\s+")
DEFAULT_WAKTU = "1 hari"

# Forms by the first verb of the step (processes/sources/README.md, "Forms").
FORM_WORDS = [
    ("disposisi", r"memerintahkan|menugaskan|mendisposisikan|disposisi"),
    ("rancangan", r"menyusun|membuat|merancang|merumuskan|konsep"),
    ("pengisian", r"mengisi|pengisian|pengukuran|mengukur|mengolah|menghitung|menilai"),
    ("pengesahan", r"mengesahkan|menandatangani|penanda\s*tangan|pengesahan|menetapkan|memaraf"),
    ("penyampaian", r"menyampaikan|mendistribusikan|meneruskan|mengirim|menyerahkan|pengiriman|menyurati|mengajukan"),
    ("penerimaan", r"menerima|penerimaan|mengambil"),
    ("rekapitulasi", r"menghimpun|merekap|rekap|mengumpulkan|rekapitulasi|mendokumentasikan"),
    ("pengarsipan", r"mengarsipkan|pengarsipan|arsip|penggandaan|menggandakan|perarsipan"),
]


class DocxReadError(AlurError):
    """The file is not a Word document holding an SOP flowchart table."""

    status = 422


@dataclass
class Mark:
    col: int  # lane index
    kind: str | None
    source: str  # "shape" | "text" | "vml"
    detail: str
    box: tuple[float, float, float, float] | None = None  # x, y, w, h (mm in the table) for shapes


@dataclass
class Segment:
    start: tuple[float, float]
    end: tuple[float, float]
    arrow_at_end: bool
    arrow_at_start: bool


@dataclass
class ImportResult:
    data: dict  # a transcription, as sopgen.check_source takes it
    warnings: list[str] = field(default_factory=list)


# --- the table grid ------------------------------------------------------------------------

@dataclass
class GridCell:
    tc: object
    row: int
    col: int
    span: int
    origin: tuple[int, int]  # (row, col) of the cell a vertical merge continues


def _paragraphs(element) -> list:
    """The paragraphs of a cell, leaving out those inside drawings' text boxes."""
    return [p for p in element.iterfind(".//w:p", NS) if not any(
        etree.QName(a).localname == "txbxContent" for a in p.iterancestors())]


def _paragraph_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter(f"{{{W}}}t", f"{{{W}}}tab", f"{{{W}}}br"):
        if any(etree.QName(a).localname == "txbxContent" for a in node.iterancestors()):
            continue
        local = etree.QName(node).localname
        parts.append(node.text or "" if local == "t" else ("\n" if local == "br" else " "))
    return "".join(parts)


def _cell_lines(tc) -> list[str]:
    """The cell's lines: its paragraphs, split at manual line breaks, whitespace collapsed."""
    return [" ".join(line.split()) for p in _paragraphs(tc) for line in _paragraph_text(p).split("\n")]


def _cell_text(tc) -> str:
    return " ".join(line for line in _cell_lines(tc) if line)


def _grid(tbl) -> list[list[GridCell]]:
    rows: list[list[GridCell]] = []
    for r, tr in enumerate(tbl.iterfind("w:tr", NS)):
        row: list[GridCell] = []
        col = 0
        before = tr.find("w:trPr/w:gridBefore", NS)
        if before is not None:
            col = int(before.get(f"{{{W}}}val", "0") or 0)
        for tc in tr.iterfind("w:tc", NS):
            span_el = tc.find("w:tcPr/w:gridSpan", NS)
            span = int(span_el.get(f"{{{W}}}val", "1")) if span_el is not None else 1
            vmerge = tc.find("w:tcPr/w:vMerge", NS)
            origin = (r, col)
            if vmerge is not None and vmerge.get(f"{{{W}}}val", "continue") != "restart" and rows:
                above = next((c for c in rows[-1] if c.col == col), None)
                if above is not None:
                    origin = above.origin
            row.append(GridCell(tc, r, col, span, origin))
            col += span
        rows.append(row)
    return rows


def _at(row: list[GridCell], col: int) -> GridCell | None:
    return next((c for c in row if c.col <= col < c.col + c.span), None)


def _norm(text: str) -> str:
    return " ".join(text.lower().replace(":", " ").split())


# --- reading the document ------------------------------------------------------------------

def _document_xml(docx_bytes: bytes):
    if len(docx_bytes) > MAX_DOCX_BYTES:
        raise DocxReadError(f"berkas lebih besar dari {MAX_DOCX_BYTES // (1024 * 1024)} MiB")
    try:
        with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_PART_BYTES:
                raise DocxReadError("word/document.xml terlalu besar")
            text = archive.read(info)
    except (zipfile.BadZipFile, KeyError) as exc:
        raise DocxReadError("bukan berkas Word (.docx) yang sah") from exc
    try:
        return etree.fromstring(text, etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except etree.XMLSyntaxError as exc:
        raise DocxReadError(f"word/document.xml bukan XML yang sah: {exc}") from exc


def import_docx(docx_bytes: bytes, process_id: str | None = None) -> ImportResult:
    """Read a Word SOP into a transcription (sopgen's data) with the warnings of the reading."""
    root = _document_xml(docx_bytes)
    body = root.find("w:body", NS)
    tables = body.findall(".//w:tbl", NS) if body is not None else []
    warnings: list[str] = []
    chart = next((t for t in tables if _find_header(_grid(t)) is not None), None)
    if chart is None:
        raise DocxReadError("tidak ada tabel bagan alur: butuh baris judul dengan 'Pelaksana' dan 'Kegiatan' "
                            "(atau 'Uraian Prosedur'/'Aktivitas')")
    identity = _read_identity([t for t in tables if t is not chart], warnings, _heading(body))
    lanes, steps = _read_chart(chart, warnings)
    name = identity.pop("nama", "") or "SOP tanpa nama"
    data = {
        "id": process_id or _slug(name),
        "name": name,
        **identity,
        "readings": [f"Dibaca dari Word: {w}" for w in warnings],
        "lanes": lanes,
        "steps": steps,
    }
    return ImportResult(data, warnings)


def _heading(body) -> list[str]:
    """The text lines before the document's first table (an agency's letterhead)."""
    lines = []
    for element in body if body is not None else []:
        local = etree.QName(element).localname
        if local == "tbl":
            break
        if local == "p":
            lines += [" ".join(x.split()) for x in _paragraph_text(element).split("\n") if x.strip()]
    return lines


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:80] or "sop"


# --- the flowchart table -------------------------------------------------------------------

@dataclass
class _Header:
    rows: int  # header rows (including a numbering row)
    no: int | None
    kegiatan: int
    lanes: list[tuple[int, str]]  # (grid column, name)
    mutu: dict[str, int]  # kelengkapan / waktu / output / keterangan -> grid column


def _find_header(grid) -> _Header | None:
    for r, row in enumerate(grid[:6]):
        pelaksana = next((c for c in row if _norm(_cell_text(c.tc)) == "pelaksana"), None)
        kegiatan = next((c for c in row if re.match(r"^(kegiatan|uraian( prosedur| kegiatan)?|aktivitas)$",
                                                        _norm(_cell_text(c.tc)))), None)
        if pelaksana is None or kegiatan is None:
            continue
        below = grid[r + 1] if r + 1 < len(grid) else []
        if pelaksana.span > 1:
            lane_cols = range(pelaksana.col, pelaksana.col + pelaksana.span)
        else:  # the columns after Kegiatan up to the first mutu baku column
            lane_cols = range(kegiatan.col + kegiatan.span, max(c.col for c in row) + 1)
        mutu: dict[str, int] = {}
        for candidate in (row, below):
            for cell in candidate:
                text = _norm(_cell_text(cell.tc))
                for key, pattern in (("kelengkapan", r"kelengkapan|persyaratan"), ("waktu", r"^waktu"),
                                     ("output", r"^(output|hasil|keluaran)"), ("keterangan", r"^(keterangan|ket\.?)$")):
                    if key not in mutu and re.search(pattern, text) and cell.origin[0] == cell.row:
                        mutu[key] = cell.col
        lanes = []
        for col in lane_cols:
            if col in mutu.values():
                break
            cell = _at(below, col)
            lanes.append((col, _cell_text(cell.tc) if cell is not None else f"Pelaksana {len(lanes) + 1}"))
        no = next((c.col for c in row if re.match(r"^no\.?$", _norm(_cell_text(c.tc)))), None)
        rows = r + 2
        if rows < len(grid) and all(re.fullmatch(r"\d+", _cell_text(c.tc).strip() or "x") for c in grid[rows]):
            rows += 1  # the column numbering row: 1 2 3 ...
        return _Header(rows, no, kegiatan.col, lanes, mutu)
    return None


def _read_chart(tbl, warnings: list[str]) -> tuple[list[str], list[dict]]:
    grid = _grid(tbl)
    header = _find_header(grid)
    lanes = [name or f"Pelaksana {i + 1}" for i, (_, name) in enumerate(header.lanes)]
    if len(set(lanes)) != len(lanes):
        warnings.append("judul kolom pelaksana berulang; nama dibedakan dengan nomor kolom")
        lanes = [f"{name} ({i + 1})" if lanes.count(name) > 1 else name for i, name in enumerate(lanes)]
    lane_of_col = {col: i for i, (col, _) in enumerate(header.lanes)}
    geometry = _Geometry(tbl, grid, header)
    rows = []
    for r in range(header.rows, len(grid)):
        row = grid[r]
        number_cell = _at(row, header.no if header.no is not None else 0)
        number = _cell_text(number_cell.tc).strip().rstrip(".") if number_cell is not None else ""
        kegiatan_cell = _at(row, header.kegiatan)
        kegiatan = _cell_text(kegiatan_cell.tc) if kegiatan_cell is not None else ""
        if not number and not kegiatan:
            continue
        if not re.fullmatch(r"\d{1,4}", number):
            if re.match(r"^total", _norm(_cell_text(row[0].tc))):
                continue  # the Total Waktu row
            warnings.append(f"baris tabel {r + 1}: kolom No '{number}' bukan nomor langkah; baris dilewati")
            continue
        rows.append((r, int(number), kegiatan, row))
    if not rows:
        raise DocxReadError("tabel bagan alur tidak memuat langkah bernomor")
    steps = []
    seen_numbers = set()
    marks_of: dict[int, Mark | None] = {}
    kinds: dict[int, str] = {}
    for r, number, kegiatan, row in rows:
        where = f"langkah {number} (baris tabel {r + 1})"
        if number in seen_numbers:
            warnings.append(f"{where}: nomor langkah berulang; langkah dilewati")
            continue
        seen_numbers.add(number)
        marks = [m for col, i in lane_of_col.items() for m in _marks(_at(row, col), i, geometry, r)]
        shapes = [m for m in marks if m.source != "text"]
        chosen = (shapes or marks)
        if not marks:
            lane = steps[-1]["lane"] if steps else lanes[0]
            warnings.append(f"{where}: tidak ada simbol atau tanda di kolom pelaksana; dianggap {lane}")
            mark = None
        else:
            mark = chosen[0]
            if len({m.col for m in marks}) > 1:
                names = ", ".join(dict.fromkeys(lanes[m.col] for m in marks))
                warnings.append(f"{where}: tanda di lebih dari satu kolom pelaksana ({names}); dipakai {lanes[mark.col]}")
            lane = lanes[mark.col]
            if mark.source == "shape" and mark.detail in UNCERTAIN_SHAPES:
                warnings.append(f"{where}, kolom {lane}: bentuk '{mark.detail}' bukan simbol bagan alur baku; "
                                f"dibaca sebagai {_KIND_NAMES[mark.kind]}")
        marks_of[number] = mark
        kind = mark.kind if mark is not None and mark.kind is not None else None
        keterangan_lines = _column_lines(row, header.mutu.get("keterangan"))
        note = next((m for line in keterangan_lines if (m := RETURN_NOTE.search(line))), None) \
            or RETURN_NOTE.search(kegiatan)
        has_ya_tidak = _has_ya_tidak(row, lane_of_col)
        if kind is None:
            if note or has_ya_tidak or REVIEW_TEXT.search(kegiatan):
                kind = DECISION
                if mark is not None:
                    warnings.append(f"{where}, kolom {lane}: tanda teks '{mark.detail}' tidak menunjukkan jenis "
                                    f"simbol; dibaca sebagai keputusan dari teks langkah")
            else:
                kind = PROCESS
        kinds[number] = kind
        step = {
            "no": number, "lane": lane, "text": kegiatan,
            "kelengkapan": _column_text(row, header.mutu.get("kelengkapan")),
            "waktu": _column_text(row, header.mutu.get("waktu")),
            "output": _column_text(row, header.mutu.get("output")),
        }
        keterangan = " ".join(line for line in keterangan_lines if line and not RETURN_NOTE.search(line))
        if keterangan:
            step["keterangan"] = keterangan
        if parse_waktu(step["waktu"]) is None:
            warnings.append(f"{where}, kolom Waktu: '{step['waktu']}' bukan lama waktu; diisi '{DEFAULT_WAKTU}'")
            step["waktu"] = DEFAULT_WAKTU
        if kind == DECISION:
            step["_note"] = int(note.group(1)) if note else None
        steps.append(step)
    _decide_returns(steps, kinds, marks_of, geometry, lanes, warnings)
    for step in steps:
        step["form"] = "pemeriksaan" if "returns_to" in step else _form(step, warnings)
    return lanes, steps


_KIND_NAMES = {TERMINATOR: "terminator", PROCESS: "proses", DECISION: "keputusan", None: "tanda"}


def _column_lines(row, col) -> list[str]:
    cell = _at(row, col) if col is not None else None
    return _cell_lines(cell.tc) if cell is not None and cell.origin[0] == cell.row else []


def _column_text(row, col) -> str:
    return " ".join(line for line in _column_lines(row, col) if line)


def _has_ya_tidak(row, lane_of_col) -> bool:
    words = " ".join(_cell_text(_at(row, col).tc) for col in lane_of_col if _at(row, col) is not None).lower()
    return bool(re.search(r"\btidak\b", words)) and bool(re.search(r"\bya\b", words))


def _marks(cell: GridCell | None, lane: int, geometry: "_Geometry", r: int) -> list[Mark]:
    if cell is None or cell.origin[0] != cell.row:
        return []
    found = []
    for anchor, wsp in geometry.shapes_in(cell.tc):
        geom = wsp.find("wps:spPr/a:prstGeom", NS)
        preset = geom.get("prst") if geom is not None else "custGeom"
        if wsp.find("wps:cNvCnPr", NS) is not None or CONNECTOR_PRESETS.match(preset):
            continue
        if wsp.find("wps:cNvSpPr", NS) is not None and wsp.find("wps:cNvSpPr", NS).get("txBox") == "1":
            continue
        if preset in SHAPE_KINDS:
            found.append(Mark(lane, SHAPE_KINDS[preset], "shape", preset, geometry.box(anchor, cell, r)))
        else:
            found.append(Mark(lane, None, "shape", preset))
    if not found:  # VML (older Word, or the fallback of a drawing Word could not read)
        for shape in cell.tc.iterfind(".//w:pict//*", NS):
            local = etree.QName(shape).localname
            spt = shape.get(f"{{{NS['o']}}}spt") or (shape.get("type") or "").rsplit("t", 1)[-1]
            if local in ("line", "polyline") or spt in ("32", "33", "34", "38"):
                continue
            if local == "shape" and spt in VML_TYPES:
                found.append(Mark(lane, VML_TYPES[spt], "vml", f"v:shape {spt}"))
            elif local in ("roundrect", "oval"):
                found.append(Mark(lane, TERMINATOR, "vml", f"v:{local}"))
            elif local == "rect":
                found.append(Mark(lane, PROCESS, "vml", "v:rect"))
    text = _cell_text(cell.tc).strip()
    for token in re.split(r"\s+", text) if text else []:
        if token in TEXT_MARKS:
            found.append(Mark(lane, TEXT_MARKS[token], "text", token))
        elif token.lower() in TEXT_WORDS:
            found.append(Mark(lane, TEXT_WORDS[token.lower()], "text", token))
    return found


# --- connector geometry ----------------------------------------------------------------------

class _Geometry:
    """Positions (mm) of shapes in the chart table, where the rows carry their heights."""

    def __init__(self, tbl, grid, header: _Header):
        widths = [int(c.get(f"{{{W}}}w", "0") or 0) / TWIPS_PER_MM for c in tbl.iterfind("w:tblGrid/w:gridCol", NS)]
        self.col_left = [sum(widths[:i]) for i in range(len(widths) + 1)]
        self.row_top: dict[int, float] = {}
        top = 0.0
        self.known = True
        for r, tr in enumerate(tbl.iterfind("w:tr", NS)):
            if r < header.rows:
                continue
            height = tr.find("w:trPr/w:trHeight", NS)
            if height is None or not (height.get(f"{{{W}}}val") or "").isdigit():
                self.known = False
                break
            self.row_top[r] = top
            top += int(height.get(f"{{{W}}}val")) / TWIPS_PER_MM
        self.row_bottom = top
        self.segments: list[Segment] = []
        if self.known:
            for r, row in enumerate(grid):
                if r in self.row_top:
                    for cell in row:
                        self._collect(cell, r)

    def shapes_in(self, tc):
        for anchor in tc.iterfind(".//wp:anchor", NS):
            wsp = anchor.find(".//wps:wsp", NS)
            if wsp is not None:
                yield anchor, wsp
        for inline in tc.iterfind(".//wp:inline", NS):
            wsp = inline.find(".//wps:wsp", NS)
            if wsp is not None:
                yield inline, wsp

    def _offset(self, anchor, axis: str) -> float | None:
        position = anchor.find(f"wp:position{axis}", NS)
        if position is None:
            return 0.0 if etree.QName(anchor).localname == "inline" else None
        offset = position.find("wp:posOffset", NS)
        if offset is None or not (offset.text or "").strip().lstrip("-").isdigit():
            return None
        relative = position.get("relativeFrom", "")
        if axis == "H" and relative not in ("column", "character"):
            return None
        if axis == "V" and relative not in ("paragraph", "line"):
            return None
        return int(offset.text) / EMU_PER_MM

    def box(self, anchor, cell: GridCell, r: int):
        if not self.known or r not in self.row_top:
            return None
        x, y = self._offset(anchor, "H"), self._offset(anchor, "V")
        extent = anchor.find("wp:extent", NS)
        if x is None or y is None or extent is None:
            return None
        return (self.col_left[cell.col] + x, self.row_top[r] + y,
                int(extent.get("cx", "0")) / EMU_PER_MM, int(extent.get("cy", "0")) / EMU_PER_MM)

    def _collect(self, cell: GridCell, r: int) -> None:
        for anchor, wsp in self.shapes_in(cell.tc):
            geom = wsp.find("wps:spPr/a:prstGeom", NS)
            preset = geom.get("prst") if geom is not None else ""
            if not CONNECTOR_PRESETS.match(preset) or preset.startswith(("bent", "curved")):
                continue
            box = self.box(anchor, cell, r)
            if box is None:
                continue
            x, y, w, h = box
            xfrm = wsp.find("wps:spPr/a:xfrm", NS)
            flip_h = xfrm is not None and xfrm.get("flipH") == "1"
            flip_v = xfrm is not None and xfrm.get("flipV") == "1"
            start = (x + w if flip_h else x, y + h if flip_v else y)
            end = (x if flip_h else x + w, y if flip_v else y + h)
            line = wsp.find("wps:spPr/a:ln", NS)

            def has(tag):
                end_el = line.find(f"a:{tag}", NS) if line is not None else None
                return end_el is not None and end_el.get("type", "none") != "none"

            self.segments.append(Segment(start, end, has("tailEnd"), has("headEnd")))

    def arrows(self) -> list[tuple[tuple[float, float], tuple[float, float]]]:
        """(start, arrow point) of every chain of segments ending in an arrow."""
        tolerance = 0.3

        def near(p, q):
            return abs(p[0] - q[0]) <= tolerance and abs(p[1] - q[1]) <= tolerance

        segments = []
        for s in self.segments:  # orient every segment with its arrow at the end
            segments.append((s.end, s.start, True) if s.arrow_at_start and not s.arrow_at_end
                            else (s.start, s.end, s.arrow_at_end))
        chains = []
        for start, end, arrow in segments:
            if not arrow:
                continue
            point, used = start, 0
            while used < len(segments):
                previous = next(((a, b) for a, b, _ in segments if near(b, point) and not near(a, point)), None)
                if previous is None:
                    break
                point, used = previous[0], used + 1
            chains.append((point, end))
        return chains


def _symbol_at(point, marks_of: dict[int, Mark | None]) -> int | None:
    margin = 1.2
    for number, mark in marks_of.items():
        if mark is None or mark.box is None:
            continue
        x, y, w, h = mark.box
        if x - margin <= point[0] <= x + w + margin and y - margin <= point[1] <= y + h + margin:
            return number
    return None


def _decide_returns(steps, kinds, marks_of, geometry: _Geometry, lanes, warnings) -> None:
    numbers = [s["no"] for s in steps]
    arrows = geometry.arrows() if geometry.known else []
    from_lines: dict[int, list[int]] = {}
    for start, end in arrows:
        source, target = _symbol_at(start, marks_of), _symbol_at(end, marks_of)
        if source is not None and target is not None and target in numbers and source in numbers \
                and numbers.index(target) < numbers.index(source):
            from_lines.setdefault(source, []).append(target)
    for index, step in enumerate(steps):
        note = step.pop("_note", None)
        if kinds[step["no"]] != DECISION:
            continue
        where = f"langkah {step['no']}"
        earlier = numbers[:index]
        target = None
        if note is not None:
            target = note
        elif from_lines.get(step["no"]):
            candidates = sorted(set(from_lines[step["no"]]))
            target = candidates[-1]
            if len(candidates) > 1:
                warnings.append(f"{where}: beberapa garis kembali ({', '.join(map(str, candidates))}); dipakai {target}")
        else:
            match = RETURN_TEXT.search(step["text"])
            lane = _match_lane(match.group(1), lanes) if match else None
            previous = [s["no"] for s in steps[:index] if s["lane"] == lane] if lane else []
            if previous:
                target = previous[-1]
                warnings.append(f"{where}: sasaran 'Tidak' dibaca dari teks 'dikembalikan kepada {match.group(1)}': "
                                f"langkah {target}, langkah terakhir {lane} sebelumnya")
            elif earlier:
                target = earlier[-1]
                reason = (f"'dikembalikan kepada {match.group(1)}' tidak cocok dengan pelaksana yang mengerjakan "
                          f"langkah sebelumnya" if match else "tidak ada garis atau teks yang menunjukkan sasarannya")
                warnings.append(f"{where}: keputusan tanpa sasaran 'Tidak' ({reason}); dianggap kembali ke "
                                f"langkah {target}")
        if target is not None and target not in earlier:
            fallback = earlier[-1] if earlier else None
            warnings.append(f"{where}: sasaran 'Tidak' langkah {target} bukan langkah sebelumnya"
                            + (f"; dianggap kembali ke langkah {fallback}" if fallback else "; dibaca tanpa keputusan"))
            target = fallback
        if target is None:
            if not earlier:
                warnings.append(f"{where}: keputusan pada langkah pertama tidak dapat kembali; dibaca sebagai proses")
            continue
        step["returns_to"] = target


def _match_lane(text: str, lanes: list[str]) -> str | None:
    wanted = _norm(re.sub(r"^(?:kepala\s+)?", "", text)) if text else ""
    wanted_full = _norm(text)
    for lane in lanes:
        if _norm(lane) == wanted_full:
            return lane
    hits = [lane for lane in lanes if _norm(lane) in wanted_full or (wanted and wanted in _norm(lane))]
    return hits[0] if len(hits) == 1 else None


def _form(step: dict, warnings: list[str]) -> str:
    text = step["text"].lower()
    best = None
    for form, pattern in FORM_WORDS:
        match = re.search(rf"\b(?:{pattern})", text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), form)
    if best is None:
        warnings.append(f"langkah {step['no']}: formulir tidak dapat ditentukan dari teks; dipakai 'pengisian'")
        return "pengisian"
    return best[1]


# --- the identity sheet --------------------------------------------------------------------

SCALAR_LABELS = [
    ("nomor", r"^(nomor|no\.?) sop$"),
    ("tanggal_pembuatan", r"^(tanggal|tgl\.?) pembuatan$"),
    ("tanggal_revisi", r"^(tanggal|tgl\.?) revisi$"),
    ("tanggal_efektif", r"^(tanggal|tgl\.?) (efektif|berlaku)$"),
    ("disahkan", r"^disahkan oleh$"),
    ("nama", r"^(nama|judul) sop$"),
]
LIST_LABELS = [
    ("dasar_hukum", r"^dasar hukum$"),
    ("kualifikasi", r"^kualifikasi pelaksana(an)?$"),
    ("keterkaitan", r"^keterkaitan$"),
    ("peralatan", r"^peralatan ?/ ?(perlengkapan|kelengkapan)$"),
    ("peringatan", r"^peringatan$"),
    ("pencatatan", r"^pencatatan dan pendataan$"),
]


def _read_identity(tables, warnings: list[str], heading: list[str] | None = None) -> dict:
    found: dict = {}
    for tbl in tables:
        grid = _grid(tbl)
        for r, row in enumerate(grid):
            for cell in row:
                if cell.origin != (cell.row, cell.col):
                    continue
                lines = [line for line in _cell_lines(cell.tc)]
                label = _norm(lines[0]) if lines else ""
                for key, pattern in SCALAR_LABELS:
                    if re.match(pattern, label) and key not in found:
                        value_cell = next((c for c in row if c.col > cell.col and _cell_text(c.tc).strip() != ":"), None)
                        found[key] = _cell_lines(value_cell.tc) if value_cell is not None else []
                        if key == "nomor" and cell.col > 0:
                            agency = _at(row, 0)
                            if agency is not None and agency.tc is not cell.tc:
                                found.setdefault("agency", [x for x in _cell_lines(agency.tc) if x])
                for key, pattern in LIST_LABELS:
                    if re.match(pattern, label) and key not in found:
                        items = [x for x in lines[1:] if x]
                        if not items and r + 1 < len(grid):
                            below = _at(grid[r + 1], cell.col)
                            if below is not None:
                                items = [x for x in _cell_lines(below.tc) if x]
                        found[key] = [NUMBERING.sub("", x).strip() for x in items]
    result: dict = {}
    for key in ("nomor", "tanggal_pembuatan", "tanggal_revisi", "tanggal_efektif", "nama"):
        value = " ".join(x for x in found.get(key, []) if x)
        result[key] = "" if value in ("-", "–", "—") else value  # "-" is how a table says "none"
    for key, _ in LIST_LABELS:
        result[key] = found.get(key, [])
    agency = found.get("agency", [])
    if not agency and heading:
        agency = heading
        warnings.append(f"identitas: nama instansi dibaca dari teks di atas tabel ('{heading[0]}')")
    result["organisation"] = agency[0] if agency else ""
    result["unit"] = ", ".join(agency[1:])
    if len(agency) > 2:
        warnings.append(f"identitas: nama instansi dibaca dari baris pertama ('{agency[0]}'), sisanya sebagai unit")
    result["disahkan_oleh"] = _signatory(found.get("disahkan", []), warnings)
    for key, label in (("nomor", "Nomor SOP"), ("nama", "Nama SOP")):
        if not result[key]:
            warnings.append(f"identitas: '{label}' tidak ditemukan atau kosong")
    return result


def _signatory(lines: list[str], warnings: list[str]) -> dict:
    """jabatan, nama, pangkat, NIP from the lines of the 'Disahkan oleh' cell."""
    lines = [x for x in lines if x]
    result = {}
    nip = next((x for x in lines if re.match(r"^nip\b", x, re.I)), None)
    if nip:
        result["nip"] = re.sub(r"^nip\.?\s*:?\s*", "", nip, flags=re.I).strip()
        lines = [x for x in lines if x is not nip]
    if lines:
        result["jabatan"] = lines[0]
    if len(lines) > 1:
        result["nama"] = lines[1]
    if len(lines) > 2:
        result["pangkat"] = " ".join(lines[2:])
        if len(lines) > 3:
            warnings.append("identitas: 'Disahkan oleh' punya lebih dari empat baris; baris ketiga dan seterusnya "
                            "dibaca sebagai pangkat")
    return result


def import_to_bpmn(docx_bytes: bytes, process_id: str | None = None, forms_dir=None) -> tuple[bytes, ImportResult]:
    """Read a Word SOP and generate its BPMN (with DI) through sopgen."""
    from .. import sopgen

    result = import_docx(docx_bytes, process_id)
    try:
        data = sopgen.check_source(result.data, "dokumen Word")
    except sopgen.SourceError as exc:
        raise DocxReadError(str(exc)) from exc
    return sopgen.generate(data, forms_dir), result

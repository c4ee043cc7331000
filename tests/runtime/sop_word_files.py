"""Word SOP files made by hand in the layouts agencies use, not by Alur's exporter: built here
with python-docx's table API, the shapes written as other tools write them (inline DrawingML
without mc:AlternateContent, VML from older Word), marks as typed characters."""
from __future__ import annotations

import io

from docx import Document
from docx.oxml import parse_xml
from docx.shared import Mm

VML_DECLS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
             'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office"')
DML_DECLS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
             'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" '
             'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
             'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"')


def inline_shape(cell, preset: str, shape_id: int) -> None:
    """A DrawingML shape inline in the cell's text (no anchor, no AlternateContent)."""
    cell.paragraphs[0]._p.append(parse_xml(
        f'<w:r {DML_DECLS}><w:drawing><wp:inline><wp:extent cx="432000" cy="252000"/>'
        f'<wp:docPr id="{shape_id}" name="Bentuk {shape_id}"/><a:graphic>'
        f'<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp>'
        f'<wps:cNvSpPr/><wps:spPr><a:prstGeom prst="{preset}"><a:avLst/></a:prstGeom></wps:spPr><wps:bodyPr/>'
        f'</wps:wsp></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>'))


def vml_shape(cell, spt: int) -> None:
    """A VML shape as Word 2003 wrote them (shape type 116 terminator, 109 process, 110 decision)."""
    cell.paragraphs[0]._p.append(parse_xml(
        f'<w:r {VML_DECLS}><w:pict><v:shapetype id="_x0000_t{spt}" o:spt="{spt}" coordsize="21600,21600"/>'
        f'<v:shape id="s{spt}" type="#_x0000_t{spt}" style="width:34pt;height:20pt"/></w:pict></w:r>'))


def _save(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _identity_with_colons(document, rows):
    """The identity block as Sungai Penuh's SOP has it: label | ':' | value."""
    table = document.add_table(rows=len(rows), cols=3)
    for r, (label, value) in enumerate(rows):
        table.cell(r, 0).text = label
        table.cell(r, 1).text = ":"
        table.cell(r, 2).text = value
    return table


def text_mark_sop() -> bytes:
    """Surat Keluar, marks typed as ✓/√ in the pelaksana columns; the review's return is only in
    its sentence; the header is merged over two rows with a numbering row under it."""
    document = Document()
    document.add_paragraph("PEMERINTAH KOTA CONTOH")
    _identity_with_colons(document, [
        ("Nomor SOP", "045/12/SET-2024"), ("Tanggal Pembuatan", "2 Januari 2024"), ("Tanggal Revisi", "-"),
        ("Tanggal Efektif", "1 Februari 2024"), ("Disahkan oleh", "Sekretaris Daerah"), ("Nama SOP", "Surat Keluar")])
    lists = document.add_table(rows=2, cols=2)
    lists.cell(0, 0).text = "Dasar Hukum :"
    lists.cell(1, 0).text = "1. UU Nomor 43 Tahun 2009 tentang Kearsipan\n2. Permenpan RB Nomor 35 Tahun 2012"
    lists.cell(0, 1).text = "Peralatan/Perlengkapan :"
    lists.cell(1, 1).text = "- Komputer\n- Printer"
    chart = document.add_table(rows=3 + 4, cols=9)
    chart.cell(0, 0).merge(chart.cell(1, 0)).text = "No"
    chart.cell(0, 1).merge(chart.cell(1, 1)).text = "Uraian Prosedur"
    chart.cell(0, 2).merge(chart.cell(0, 4)).text = "Pelaksana"
    chart.cell(0, 5).merge(chart.cell(0, 7)).text = "Mutu Baku"
    chart.cell(0, 8).merge(chart.cell(1, 8)).text = "Ket"
    for col, name in zip(range(2, 8), ["Staf", "Kasubbag Umum", "Sekretaris", "Persyaratan/ Kelengkapan",
                                       "Waktu", "Output"]):
        chart.cell(1, col).text = name
    for col in range(9):
        chart.cell(2, col).text = str(col + 1)
    rows = [
        ("1.", "Membuat konsep surat keluar", 2, "✓", "Disposisi", "30 Menit", "Konsep surat"),
        ("2.", "Mengetik dan mencetak konsep surat", 2, "√", "Konsep surat", "15 menit", "Surat"),
        ("3.", "Memeriksa surat, jika terdapat kekeliruan dikembalikan kepada Staf untuk diperbaiki", 3, "√",
         "Surat", "10 Menit", "Surat diparaf"),
        ("4.", "Menandatangani surat", 4, "✓", "Surat diparaf", "1 Jam", "Surat keluar"),
    ]
    for r, (no, text, col, mark, kelengkapan, waktu, output) in enumerate(rows, 3):
        values = {0: no, 1: text, col: mark, 5: kelengkapan, 6: waktu, 7: output}
        for c, value in values.items():
            chart.cell(r, c).text = value
    return _save(document)


def shape_sop() -> bytes:
    """Penerimaan Berkas, the symbols drawn as shapes: inline DrawingML, and one VML decision;
    the return written in Keterangan; the identity sheet merged as the Permenpan layout does."""
    document = Document()
    head = document.add_table(rows=4, cols=3)
    agency = head.cell(0, 0).merge(head.cell(3, 0))
    agency.text = "DINAS CONTOH PROVINSI CONTOH"
    agency.add_paragraph("BIDANG PELAYANAN")
    head.cell(0, 1).text, head.cell(0, 2).text = "No. SOP", "100/7/DC"
    head.cell(1, 1).text, head.cell(1, 2).text = "Tgl. Pembuatan", "5 Mei 2023"
    head.cell(2, 1).text = "Disahkan Oleh"
    sign = head.cell(2, 2)
    sign.text = "Kepala Dinas"
    sign.add_paragraph("Drs. Ahmad Contoh, M.Si")
    sign.add_paragraph("Pembina Tk. I")
    sign.add_paragraph("NIP. 19700101 199003 1 001")
    head.cell(3, 1).text, head.cell(3, 2).text = "Nama SOP", "Penerimaan Berkas"
    body = document.add_table(rows=2, cols=2)
    body.cell(0, 0).text = "Kualifikasi Pelaksana:"
    body.cell(0, 0).add_paragraph("a. Memahami tata naskah")
    body.cell(0, 0).add_paragraph("b. Teliti")
    body.cell(0, 1).text = "Keterkaitan:"
    body.cell(0, 1).add_paragraph("SOP Pengarsipan")
    chart = document.add_table(rows=2 + 3, cols=8)
    chart.cell(0, 0).merge(chart.cell(1, 0)).text = "No."
    chart.cell(0, 1).merge(chart.cell(1, 1)).text = "Kegiatan"
    chart.cell(0, 2).merge(chart.cell(0, 3)).text = "Pelaksana"
    chart.cell(0, 4).merge(chart.cell(0, 6)).text = "Mutu Baku"
    chart.cell(0, 7).merge(chart.cell(1, 7)).text = "Keterangan"
    for col, name in zip(range(2, 7), ["Petugas Loket", "Kepala Seksi", "Kelengkapan", "Waktu", "Hasil"]):
        chart.cell(1, col).text = name
    chart.cell(2, 0).text, chart.cell(2, 1).text = "1", "Menerima berkas permohonan"
    inline_shape(chart.cell(2, 2), "flowChartTerminator", 11)
    chart.cell(2, 4).text, chart.cell(2, 5).text, chart.cell(2, 6).text = "Berkas", "10 Menit", "Tanda terima"
    chart.cell(3, 0).text, chart.cell(3, 1).text = "2", "Meneliti kelengkapan berkas"
    vml_shape(chart.cell(3, 3), 110)
    chart.cell(3, 4).text, chart.cell(3, 5).text, chart.cell(3, 6).text = "Berkas", "1 Jam", "Berkas lengkap"
    chart.cell(3, 7).text = "Tidak: dikembalikan ke langkah 1"
    chart.cell(4, 0).text, chart.cell(4, 1).text = "3", "Mengarsipkan berkas"
    inline_shape(chart.cell(4, 2), "flowChartTerminator", 12)
    chart.cell(4, 4).text, chart.cell(4, 5).text, chart.cell(4, 6).text = "Berkas lengkap", "5 Menit", "Arsip"
    for row in chart.rows:
        for cell in row.cells:
            cell.width = Mm(30)
    return _save(document)


def sop_with_problems() -> bytes:
    """A table with the readings the importer must not make silently: two marks in one row, a
    decision without any target, a waktu that is no duration, a row without a mark, a repeated
    number."""
    document = Document()
    _identity_with_colons(document, [("Nama SOP", "Uji Peringatan")])
    chart = document.add_table(rows=2 + 6, cols=7)
    chart.cell(0, 0).merge(chart.cell(1, 0)).text = "No"
    chart.cell(0, 1).merge(chart.cell(1, 1)).text = "Kegiatan"
    chart.cell(0, 2).merge(chart.cell(0, 3)).text = "Pelaksana"
    chart.cell(0, 4).merge(chart.cell(0, 6)).text = "Mutu Baku"
    for col, name in zip(range(2, 7), ["Staf", "Kepala", "Kelengkapan", "Waktu", "Output"]):
        chart.cell(1, col).text = name
    rows = [
        ("1", "Menyusun laporan", {2: "✓", 3: "✓"}, "1 Jam"),
        ("2", "Menilai laporan", {}, "segera"),
        ("3", "Memeriksa laporan", {}, "30 Menit"),
        ("3", "Mengulang nomor", {2: "✓"}, "5 Menit"),
        ("4", "Mengarsipkan laporan", {2: "✓"}, "5 Menit"),
        ("5", "Bertanya", {3: "✓"}, "5 Menit"),
    ]
    for r, (no, text, marks, waktu) in enumerate(rows, 2):
        chart.cell(r, 0).text, chart.cell(r, 1).text, chart.cell(r, 5).text = no, text, waktu
        for col, mark in marks.items():
            chart.cell(r, col).text = mark
    inline_shape(chart.cell(4, 3), "flowChartDecision", 21)  # step 3: a diamond, and nothing says where "Tidak" goes
    return _save(document)

"""Word out and in: every SOP goes to .docx and comes back with the same lanes, steps, step lanes,
decisions and their targets and mutu baku (from the written return or from the connector lines);
Word files made by hand in agencies' layouts are read, and every uncertain reading is a warning."""
from __future__ import annotations

import io
import re
import zipfile

import docx
import pytest
from lxml import etree

from alur.runtime.bpmn_check import check_file
from alur.runtime.sopdoc.docx_in import DocxReadError, import_docx, import_to_bpmn
from alur.runtime.sopdoc.docx_out import NS, export_docx
from alur.runtime.sopdoc.model import DECISION, read_document
from tests.conftest import FORMS, PROCESSES
from tests.runtime import sop_word_files

SOPS = sorted(p.stem for p in PROCESSES.glob("*.bpmn"))
SULTENG_NO_NOMOR = ["identitas: 'Nomor SOP' tidak ditemukan atau kosong"]  # the seed leaves it blank
# The only readings the round trip makes: the form of a step whose text names no known verb.
EXPECTED_WARNINGS = {
    **{stem: SULTENG_NO_NOMOR for stem in SOPS if stem.startswith("sulteng-")},
    "sungaipenuh-skp": ["langkah 6: formulir tidak dapat ditentukan dari teks; dipakai 'pengisian'"],  # "Selesai"
    "tanjabbar-penyusunan-skp": ["langkah 5: formulir tidak dapat ditentukan dari teks; dipakai 'pengisian'"],
}


def _table(document):
    """What the round trip must keep: lanes, and per step its number, text, lane, decision target
    and mutu baku."""
    return document.pelaksana, [
        (r.no, r.kegiatan, r.pelaksana, r.tidak_no if r.kind == DECISION else None, r.kelengkapan, r.waktu, r.output)
        for r in document.rows]


def _without_return_notes(docx_bytes: bytes) -> bytes:
    """The same file with the written "Tidak: kembali ke langkah N" notes removed: only the lines tell."""
    source, out = zipfile.ZipFile(io.BytesIO(docx_bytes)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            if item.filename == "word/document.xml":
                content, count = re.subn(rb"Tidak: kembali ke langkah \d+", b"", content)
                assert count > 0 or b"flowChartDecision" not in content
            target.writestr(item, content)
    return out.getvalue()


@pytest.fixture(scope="module", params=SOPS)
def exported(request):
    document = read_document((PROCESSES / f"{request.param}.bpmn").read_bytes())
    return request.param, document, export_docx(document)


def test_round_trip_keeps_the_table_and_the_identity_sheet(exported, tmp_path):
    stem, original, word = exported
    bpmn, result = import_to_bpmn(word, stem, FORMS)
    assert result.warnings == EXPECTED_WARNINGS.get(stem, [])
    back = read_document(bpmn)
    assert _table(back) == _table(original)
    assert back.identity == original.identity
    path = tmp_path / f"{stem}.bpmn"
    path.write_bytes(bpmn)
    checked = check_file(path, FORMS)
    assert checked.ok, checked.problems


def test_round_trip_reads_the_returns_from_the_connector_lines(exported):
    stem, original, word = exported
    result = import_docx(_without_return_notes(word), stem)
    returns = {s["no"]: s["returns_to"] for s in result.data["steps"] if "returns_to" in s}
    assert returns == {r.no: r.tidak_no for r in original.rows if r.kind == DECISION}
    assert result.warnings == EXPECTED_WARNINGS.get(stem, [])


def test_the_export_is_a_landscape_word_table_with_shapes_in_the_pelaksana_cells():
    original = read_document((PROCESSES / "kalbar-pengumpulan-skp.bpmn").read_bytes())
    word = export_docx(original)
    reread = docx.Document(io.BytesIO(word))
    section = reread.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (297, 210)
    identity, lists, chart = reread.tables
    assert [c.text for c in identity.rows[0].cells][1:] == ["Nomor SOP", "800/ 861 /KUKM-SET.2"]
    assert len(chart.rows) == 3 + 9
    header = chart._tbl.findall("w:tr", NS)[:3]
    assert all(tr.find("w:trPr/w:tblHeader", NS) is not None for tr in header)  # repeated on each page
    assert [c.text for c in chart.rows[1].cells[2:7]] == original.pelaksana
    kinds = {"flowChartTerminator": "terminator", "flowChartProcess": "process", "flowChartDecision": "decision"}
    for row, tr in zip(original.rows, chart._tbl.findall("w:tr", NS)[3:]):
        cells = tr.findall("w:tc", NS)
        found = [(i - 2, kinds[g.get("prst")]) for i, tc in enumerate(cells)
                 for g in tc.iterfind(".//wps:wsp/wps:spPr/a:prstGeom", NS) if g.get("prst") in kinds]
        assert found == [(original.pelaksana.index(row.pelaksana), row.kind)], row.no
        anchor = tr.find(".//wp:anchor", NS)
        assert anchor.get("layoutInCell") == "1"
        assert etree.QName(anchor.getparent().getparent().getparent()).localname == "AlternateContent"
    # Connector lines: straight connectors, the last piece of every line with an arrow.
    arrows = etree.ElementBase.xpath(chart._tbl, ".//a:prstGeom[@prst='straightConnector1']/../a:ln/a:tailEnd",
                                     namespaces=NS)
    assert len(arrows) == 8 + 3  # eight steps lead to the next one, three reviews return


def test_a_hand_made_file_with_text_marks_and_merged_headers_is_read_with_its_readings():
    result = import_docx(sop_word_files.text_mark_sop())
    data = result.data
    assert data["id"] == "surat-keluar" and data["name"] == "Surat Keluar"
    assert (data["nomor"], data["tanggal_pembuatan"], data["tanggal_revisi"], data["tanggal_efektif"]) == (
        "045/12/SET-2024", "2 Januari 2024", "", "1 Februari 2024")
    assert data["disahkan_oleh"] == {"jabatan": "Sekretaris Daerah"}
    assert data["dasar_hukum"] == ["UU Nomor 43 Tahun 2009 tentang Kearsipan", "Permenpan RB Nomor 35 Tahun 2012"]
    assert data["peralatan"] == ["Komputer", "Printer"]
    assert data["lanes"] == ["Staf", "Kasubbag Umum", "Sekretaris"]
    assert [(s["no"], s["lane"], s.get("returns_to"), s["form"]) for s in data["steps"]] == [
        (1, "Staf", None, "rancangan"), (2, "Staf", None, "rancangan"), (3, "Kasubbag Umum", 2, "pemeriksaan"),
        (4, "Sekretaris", None, "pengesahan")]
    assert [(s["kelengkapan"], s["waktu"], s["output"]) for s in data["steps"]] == [
        ("Disposisi", "30 Menit", "Konsep surat"), ("Konsep surat", "15 menit", "Surat"),
        ("Surat", "10 Menit", "Surat diparaf"), ("Surat diparaf", "1 Jam", "Surat keluar")]
    assert result.warnings == [
        "identitas: nama instansi dibaca dari teks di atas tabel ('PEMERINTAH KOTA CONTOH')",
        "langkah 3 (baris tabel 6), kolom Kasubbag Umum: tanda teks '√' tidak menunjukkan jenis simbol; "
        "dibaca sebagai keputusan dari teks langkah",
        "langkah 3: sasaran 'Tidak' dibaca dari teks 'dikembalikan kepada Staf': langkah 2, langkah terakhir "
        "Staf sebelumnya",
    ]
    assert data["readings"] == [f"Dibaca dari Word: {w}" for w in result.warnings]


def test_a_hand_made_file_with_inline_and_vml_shapes_is_read_without_warnings(tmp_path):
    bpmn, result = import_to_bpmn(sop_word_files.shape_sop(), "penerimaan-berkas", FORMS)
    assert result.warnings == []
    data = result.data
    assert (data["organisation"], data["unit"], data["nomor"], data["tanggal_pembuatan"]) == (
        "DINAS CONTOH PROVINSI CONTOH", "BIDANG PELAYANAN", "100/7/DC", "5 Mei 2023")
    assert data["disahkan_oleh"] == {"jabatan": "Kepala Dinas", "nama": "Drs. Ahmad Contoh, M.Si",
                                     "pangkat": "Pembina Tk. I", "nip": "19700101 199003 1 001"}
    assert data["kualifikasi"] == ["Memahami tata naskah", "Teliti"] and data["keterkaitan"] == ["SOP Pengarsipan"]
    document = read_document(bpmn)
    assert document.pelaksana == ["Petugas Loket", "Kepala Seksi"]
    assert [(r.no, r.pelaksana, r.kind, r.tidak_no, r.output) for r in document.rows] == [
        (1, "Petugas Loket", "terminator", None, "Tanda terima"),
        (2, "Kepala Seksi", "decision", 1, "Berkas lengkap"),
        (3, "Petugas Loket", "terminator", None, "Arsip")]
    path = tmp_path / "penerimaan-berkas.bpmn"
    path.write_bytes(bpmn)
    assert check_file(path, FORMS).ok


def test_every_uncertain_reading_is_a_warning_with_its_row_and_column():
    result = import_docx(sop_word_files.sop_with_problems())
    assert result.warnings == [
        "identitas: 'Nomor SOP' tidak ditemukan atau kosong",
        "langkah 1 (baris tabel 3): tanda di lebih dari satu kolom pelaksana (Staf, Kepala); dipakai Staf",
        "langkah 2 (baris tabel 4): tidak ada simbol atau tanda di kolom pelaksana; dianggap Staf",
        "langkah 2 (baris tabel 4), kolom Waktu: 'segera' bukan lama waktu; diisi '1 hari'",
        "langkah 3 (baris tabel 6): nomor langkah berulang; langkah dilewati",
        "langkah 3: keputusan tanpa sasaran 'Tidak' (tidak ada garis atau teks yang menunjukkan sasarannya); "
        "dianggap kembali ke langkah 2",
        "langkah 5: formulir tidak dapat ditentukan dari teks; dipakai 'pengisian'",
    ]
    assert [(s["no"], s["lane"], s.get("returns_to")) for s in result.data["steps"]] == [
        (1, "Staf", None), (2, "Staf", None), (3, "Kepala", 2), (4, "Staf", None), (5, "Kepala", None)]


@pytest.mark.parametrize("content, message", [
    (b"bukan zip", "bukan berkas Word (.docx) yang sah"),
    (None, "tidak ada tabel bagan alur"),
])
def test_a_file_that_is_no_word_sop_is_refused(content, message):
    if content is None:
        document = docx.Document()
        document.add_paragraph("Surat biasa tanpa tabel")
        out = io.BytesIO()
        document.save(out)
        content = out.getvalue()
    with pytest.raises(DocxReadError, match=re.escape(message)):
        import_docx(content)

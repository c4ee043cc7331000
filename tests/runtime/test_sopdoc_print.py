"""The printed SOP: a PDF in A4 landscape with the identity sheet and every step, and its HTML
with one row per step and each symbol in its pelaksana's column."""
from __future__ import annotations

import io
import re

import pytest
from lxml import html as lxml_html
from pypdf import PdfReader

from alur.runtime.sopdoc.html import render_html
from alur.runtime.sopdoc.model import read_document
from alur.runtime.sopdoc.pdf import print_pdf
from tests.conftest import PROCESSES

A4_LANDSCAPE_POINTS = (842, 595)  # 297 x 210 mm


@pytest.fixture(scope="module")
def kalbar():
    document = read_document((PROCESSES / "kalbar-pengumpulan-skp.bpmn").read_bytes())
    return document, print_pdf(document)


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_pdf_is_a4_landscape_identity_sheet_and_two_chart_pages(kalbar):
    _, printed = kalbar
    reader = PdfReader(io.BytesIO(printed.pdf))
    # One identity sheet, then nine rows of at least 20.2 mm: eight fit under the header on a page.
    assert len(reader.pages) == printed.pages == 3
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == A4_LANDSCAPE_POINTS
        assert page.rotation == 0
    assert "Halaman 1 dari 3" in reader.pages[0].extract_text()


def test_the_pdf_text_holds_the_identity_sheet_and_every_step(kalbar):
    document, printed = kalbar
    reader = PdfReader(io.BytesIO(printed.pdf))
    identity = _words(reader.pages[0].extract_text())
    for text in ("800/ 861 /KUKM-SET.2", "21 Juli 2020", "22 Juli 2020", "Kepala Dinas", "Ir. Anstidus J. Andjoe, ME",
                 "Pembina Utama Madya", "NIP. 19660719 199311 1 002", "PENGUMPULAN SASARAN KINERJA PEGAWAI",
                 "SUBBAG. UMUM DAN APARATUR, SEKRETARIAT", "1 hari 1 jam 35 menit",
                 "Permen PAN-RB Nomor 35 tahun 2012 tentang Pedoman Penyusunan SOP Administrasi Perkantoran",
                 "Memiliki kemampuan Pengolahan data", "SOP Formasi dan Bezetting PNS", "Alat Tulis Kantor",
                 "menghambat proses pengusulan Kenaikan Pangkat", "Sekretaris Dinas: Lembar Disposisi, Paraf"):
        assert text in identity
    chart = _words(" ".join(page.extract_text() for page in reader.pages[1:]))
    for lane in document.pelaksana:
        assert _words(lane) in chart
    for row in document.rows:
        assert _words(row.kegiatan) in chart, row.no
    assert chart.count("Tidak") == 3 and chart.count("Ya") == 3
    assert "Total Waktu" in chart


def test_the_html_has_one_row_per_step_with_its_symbol_in_its_pelaksana_column(kalbar):
    document, printed = kalbar
    page = lxml_html.fromstring(printed.html)
    rows = page.xpath("//table[@class='flow']/tbody/tr[contains(@class, 'step')]")
    assert [int(r.get("data-no")) for r in rows] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    # (column of the symbol, its kind), read off the SOP table of seed 000
    expected = [(0, "terminator"), (1, "process"), (2, "process"), (1, "process"), (0, "decision"),
                (3, "decision"), (4, "decision"), (0, "process"), (1, "terminator")]
    seen = []
    for row in rows:
        cells = row.xpath("./td[@data-lane]")
        assert len(cells) == 5
        marked = [int(c.get("data-lane")) for c in cells if c.xpath(".//svg")]
        assert len(marked) == 1
        seen.append((marked[0], row.xpath(".//svg")[0].get("data-kind")))
    assert seen == expected
    # the header names the pelaksana in the SOP's column order, and is repeated on each chart page
    sections = page.xpath("//section[@class='chart']")
    assert len(sections) == 2
    for section in sections:
        assert section.xpath(".//thead//th[@class='lane']/text()") == document.pelaksana
        assert len(section.xpath("./svg[@class='overlay']")) == 1
    # Rows 1-8 on the first chart page: seven connectors and three returns end in an arrow there, and
    # 8 -> 9 goes on through the off-page connector "A" to the second page.
    first, second = (s.xpath("./svg[@class='overlay']")[0] for s in sections)
    assert len(first.xpath(".//polygon[not(@class)]")) == 10
    assert first.xpath(".//polygon[@class='offpage']/following-sibling::text[1]/text()") == ["A"]
    assert second.xpath(".//polygon[@class='offpage']/following-sibling::text[1]/text()") == ["A"]
    assert len(second.xpath(".//polygon[not(@class)]")) == 1


def test_model_text_is_escaped_in_the_html():
    bpmn = ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" name="&lt;script&gt;x">'
            '<laneSet><lane id="l" name="&lt;b&gt;Staf"><flowNodeRef>t</flowNodeRef></lane></laneSet>'
            '<userTask id="t" name="1. &lt;img src=x onerror=alert(1)&gt;"/></process></definitions>')
    text = render_html(read_document(bpmn))
    assert "<script>" not in text and "<img" not in text and "<b>Staf" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text

"""The SOP document as a PDF (WeasyPrint): A4 landscape, the header repeated on each page,
the symbols joined by connector lines drawn over each chart page.

Connector lines must meet the symbols wherever the text made the rows tall, so the
document is laid out first and the lines are drawn from where WeasyPrint put the rows:
1. the chart as one table, cut into pages by WeasyPrint: which rows land on which page;
2. one table per page (each with its header): where every row and symbol is on its page;
3. the same with an SVG drawing of the connectors over each page (absolutely positioned,
   so the layout does not move), written as the PDF.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import AlurError
from . import layout
from .html import ChartPage, PageOverlay, render_html
from .model import SopDocument


class PdfUnavailable(AlurError):
    """WeasyPrint or the system libraries it needs (Pango) are missing."""

    status = 503


@dataclass
class PrintedSop:
    pdf: bytes
    html: str  # the same pages and drawing, with the row heights fixed for a browser
    pages: int


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango is missing
        raise PdfUnavailable(
            "WeasyPrint tidak dapat dimuat (butuh pustaka Pango dari sistem, mis. paket Debian "
            f"libpango-1.0-0 dan libpangoft2-1.0-0): {exc}") from exc
    return weasyprint


def _refuse_fetch(url: str, *args, **kwargs):
    # The document needs nothing from outside; model text never makes the renderer read a file
    # or the network.
    raise ValueError(f"sumber luar tidak dimuat: {url}")


def _layout(html: str):
    weasyprint = _weasyprint()
    return weasyprint.HTML(string=html, url_fetcher=_refuse_fetch).render()


def _boxes(document_layout):
    """(page index, box, element id) for every box whose element has an id."""
    for page_index, page in enumerate(document_layout.pages):
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            element = getattr(box, "element", None)
            if element is not None and element.get("id") and getattr(box, "element_tag", None) is not None:
                yield page_index, box, element.get("id")
            stack.extend(reversed(getattr(box, "children", []) or []))


def _border_box(box) -> layout.Box:
    return layout.Box(box.border_box_x(), box.border_box_y(), box.border_width(), box.border_height())


def _paginate(document: SopDocument) -> list[ChartPage]:
    """Pass 1: the chart pages as WeasyPrint cuts the single table."""
    first_page: dict[str, int] = {}
    for page_index, box, element_id in _boxes(_layout(render_html(document))):
        if element_id.startswith("baris-") and type(box).__name__ == "TableRowBox":
            first_page.setdefault(element_id, page_index)
    pages: dict[int, ChartPage] = {}
    for index in range(len(document.rows)):
        page_index = first_page.get(f"baris-{index}", 0)
        pages.setdefault(page_index, ChartPage(0, [])).rows.append(index)
    total_page = first_page.get("baris-total", max(pages, default=0))
    pages.setdefault(total_page, ChartPage(0, [])).total = True
    ordered = [pages[k] for k in sorted(pages)]
    for number, page in enumerate(ordered):
        page.index = number
    return ordered


def _measure(document: SopDocument, pages: list[ChartPage]):
    """Pass 2: every row, symbol, pelaksana column and page section as laid out."""
    result = _layout(render_html(document, pages))
    row_page, rows, symbols, lanes, sections = {}, {}, {}, {}, {}
    for page_index, box, element_id in _boxes(result):
        kind = type(box).__name__
        if element_id.startswith("baris-") and element_id != "baris-total" and kind == "TableRowBox":
            index = int(element_id.removeprefix("baris-"))
            if index not in rows:
                row_page[index], rows[index] = page_index, _border_box(box)
        elif element_id.startswith("simbol-") and int(element_id.removeprefix("simbol-")) not in symbols:
            symbols[int(element_id.removeprefix("simbol-"))] = layout.Box(
                box.content_box_x(), box.content_box_y(), box.width, box.height)
        elif element_id.startswith("pelaksana-") and kind == "TableCellBox":
            lane = int(element_id.split("-")[1])
            lanes.setdefault(lane, (box.border_box_x(), box.border_box_x() + box.border_width()))
        elif element_id.startswith("halaman-") and element_id not in sections:
            sections[element_id] = (page_index, _border_box(box))
    measured = layout.Measured(row_page, rows, symbols, [lanes[k] for k in sorted(lanes)])
    return result, measured, sections


def print_pdf(document: SopDocument) -> PrintedSop:
    """Lay out the document and return the PDF (with the HTML it was made from)."""
    pages = _paginate(document)
    laid_out, measured, sections = _measure(document, pages)
    drawings = layout.connectors(document, measured)
    width_px, height_px = layout.PAGE_WIDTH * layout.MM, layout.PAGE_HEIGHT * layout.MM
    for page in pages:
        page_index, section = sections.get(f"halaman-{page.index}", (None, None))
        if section is None:
            continue
        page.overlay = PageOverlay(section.x, section.y, width_px - section.x, height_px - section.y,
                                   drawings.get(page_index, layout.Overlay()))
    final = _layout(render_html(document, pages))
    pdf = final.write_pdf()
    heights = {index: box.h for index, box in measured.rows.items()}
    return PrintedSop(pdf, render_html(document, pages, heights), len(final.pages))

"""The SOP document as HTML (Jinja2): the identity sheet and the flowchart table, in pages.

The same template serves the PDF (pdf.py lays it out with WeasyPrint and adds the connector
drawing) and the HTML file. Model text is escaped by Jinja2's autoescape.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from . import layout
from .fields import LIST_FIELDS
from .model import DECISION, TERMINATOR, SopDocument


@dataclass
class PageOverlay:
    """The connector drawing of one chart page, and where its section sits on the page (px)."""

    x: float
    y: float
    width: float
    height: float
    drawing: layout.Overlay


@dataclass
class ChartPage:
    index: int
    rows: list[int]  # row indexes
    total: bool = False  # the Total Waktu row ends this page
    overlay: PageOverlay | None = None


@dataclass
class _ListItem:
    label: str
    values: list[str]
    css: str


def _css_string(value: str) -> Markup:
    """A CSS string literal: quotes, backslashes, control characters and "<" (which could end
    the style element) as CSS escapes; everything else as it is (the page is UTF-8)."""
    escaped = "".join(f"\\{ord(ch):x} " if ch in '"\\<' or ord(ch) < 0x20 else ch for ch in value)
    return Markup(f'"{escaped}"')


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("alur.runtime.sopdoc", "templates"),
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["css_string"] = _css_string
    return env


def symbol_svg(index: int, kind: str, width_mm: float) -> Markup:
    """The flowchart symbol of a row: terminator, process box or decision diamond."""
    w, h = round(width_mm * 10), round(layout.SYMBOL_HEIGHT * 10)
    stroke = 2.5
    if kind == TERMINATOR:
        shape = (f'<rect x="{stroke/2}" y="{stroke/2}" width="{w - stroke}" height="{h - stroke}" '
                 f'rx="{(h - stroke) / 2}" ry="{(h - stroke) / 2}"/>')
    elif kind == DECISION:
        shape = f'<polygon points="{w/2},{stroke} {w - stroke},{h/2} {w/2},{h - stroke} {stroke},{h/2}"/>'
    else:
        shape = f'<rect x="{stroke/2}" y="{stroke/2}" width="{w - stroke}" height="{h - stroke}"/>'
    return Markup(
        f'<svg class="sym sym-{kind}" id="simbol-{index}" data-kind="{kind}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{width_mm:.2f}mm" height="{layout.SYMBOL_HEIGHT}mm" viewBox="0 0 {w} {h}">'
        f'<g fill="#fff" stroke="#000" stroke-width="{stroke}">{shape}</g></svg>'
    )


def single_page(document: SopDocument) -> list[ChartPage]:
    """The whole chart as one table (the first layout pass: the engine cuts it into pages)."""
    return [ChartPage(0, list(range(len(document.rows))), total=True)]


def render_html(document: SopDocument, pages: list[ChartPage] | None = None,
                heights: dict[int, float] | None = None) -> str:
    """The document's HTML: the identity sheet, then the chart in `pages` (one table each)."""
    widths = layout.column_widths(len(document.pelaksana))
    lane_width = widths["lanes"][0] if widths["lanes"] else layout.LANE_MIN
    items = {item.key: _ListItem(item.label, getattr(document.identity, item.key), item.key.replace("_", "-"))
             for item in LIST_FIELDS}
    keys = [item.key for item in LIST_FIELDS]
    pairs = [(items[keys[i]], items[keys[i + 1]]) for i in range(0, len(keys), 2)]
    identity = document.identity
    footer = " \u2014 ".join(part for part in (f"SOP {identity.nama}", identity.nomor and f"Nomor {identity.nomor}") if part)
    css = (_environment().loader.get_source(_environment(), "sop.css")[0])
    return _environment().get_template("sop.html").render(
        css=Markup(css),
        footer=footer,
        identity=identity,
        identity_pairs=pairs,
        total_waktu=document.total_waktu,
        pelaksana=document.pelaksana,
        rows=document.rows,
        pages=pages if pages is not None else single_page(document),
        widths=widths,
        heights=heights or {},
        stroke=0.25 * layout.MM,
        symbol=lambda index, kind: symbol_svg(index, kind, layout.symbol_width(lane_width)),
    )

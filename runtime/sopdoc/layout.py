"""Geometry of the printed flowchart table: column widths, symbol sizes, and the connector
lines between the symbols, computed from where the layout engine put the rows and symbols.

Units are CSS pixels (1/96 in), the unit WeasyPrint reports box positions in. Connectors
follow the Permenpan RB 35/2012 drawings: a line leaves a symbol at its bottom and enters
the next step's symbol at its top, bending once in the band at the top of the next row
when the pelaksana changes; a "Tidak" line leaves the decision's side and runs back up in
a channel at the edge of the target's column into the side of the step it returns to.
Where the chart goes on on another page, an off-page connector (a pentagon with a letter)
ends the line on one page and starts it on the other.
"""
from __future__ import annotations

import string
from dataclasses import dataclass, field

from .model import DECISION, TERMINATOR, SopDocument

MM = 96 / 25.4  # CSS px per millimetre

# Page and columns (mm): A4 landscape, 10 mm margins.
PAGE_WIDTH, PAGE_HEIGHT, PAGE_MARGIN = 297, 210, 10
CONTENT_WIDTH = PAGE_WIDTH - 2 * PAGE_MARGIN
FIXED_COLUMNS = {"no": 9, "kelengkapan": 30, "waktu": 17, "output": 30, "keterangan": 20}
KEGIATAN_MIN = 60
LANE_MIN, LANE_MAX = 17, 34

# Inside a pelaksana cell (mm from the row's top): the band for incoming lines (off-page
# connector at 0.6-4.2, bend at 5.2), the symbol at 6.5-14.5, room below for an outgoing
# off-page connector (15.7-19.3). The template's CSS uses the same figures.
SYMBOL_TOP = 6.5
SYMBOL_HEIGHT = 8.0
SYMBOL_WIDTH_MAX = 12.0
CELL_MIN_HEIGHT = 20.2
BEND = 5.2
OFFPAGE_SIZE = 3.6
OFFPAGE_TOP = 0.6
GAP = 1.2
CHANNEL_FIRST, CHANNEL_STEP = 1.7, 1.0
ARROW = 1.1


def column_widths(lanes: int) -> dict[str, float | list[float]]:
    """Widths (mm) of No, Kegiatan, each pelaksana, the mutu baku columns and Keterangan."""
    free = CONTENT_WIDTH - sum(FIXED_COLUMNS.values())
    lane = min(LANE_MAX, max(LANE_MIN, (free - KEGIATAN_MIN) / lanes)) if lanes else 0
    if lanes and free - lane * lanes < 35:  # very many pelaksana: narrower lanes, Kegiatan keeps 35 mm
        lane = (free - 35) / lanes
    return {**FIXED_COLUMNS, "kegiatan": free - lane * lanes, "lanes": [lane] * lanes}


def symbol_width(lane_width_mm: float) -> float:
    """Symbol width (mm) in a pelaksana column: room is left on both sides for return channels."""
    return max(6.0, min(SYMBOL_WIDTH_MAX, lane_width_mm - 6.5))


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def left(self) -> float:
        return self.x

    @property
    def right(self) -> float:
        return self.x + self.w

    @property
    def top(self) -> float:
        return self.y

    @property
    def bottom(self) -> float:
        return self.y + self.h

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


@dataclass
class Measured:
    """Where the layout put things: page index and box of every row and symbol (by row index),
    and the left/right edge of every pelaksana column."""

    row_page: dict[int, int]
    rows: dict[int, Box]
    symbols: dict[int, Box]
    lanes: list[tuple[float, float]]


@dataclass
class Line:
    points: list[tuple[float, float]]
    arrow: bool = True

    def path(self) -> str:
        return " ".join(f"{'M' if i == 0 else 'L'}{x:.2f},{y:.2f}" for i, (x, y) in enumerate(self.points))

    def arrowhead(self) -> str:
        """The arrow's triangle at the last point, along the last segment."""
        (x0, y0), (x1, y1) = self.points[-2], self.points[-1]
        dx, dy = x1 - x0, y1 - y0
        length = (dx * dx + dy * dy) ** 0.5 or 1.0
        ux, uy = dx / length, dy / length
        size, half = ARROW * MM, ARROW * MM * 0.45
        bx, by = x1 - ux * size, y1 - uy * size
        return f"{x1:.2f},{y1:.2f} {bx - uy * half:.2f},{by + ux * half:.2f} {bx + uy * half:.2f},{by - ux * half:.2f}"


@dataclass
class OffPage:
    """An off-page connector: a pentagon whose point shows the direction, with its letter."""

    x: float  # centre
    y: float  # centre
    label: str
    direction: str  # down | left | right

    def polygon(self) -> str:
        s = OFFPAGE_SIZE * MM
        x, y, h = self.x, self.y, s / 2
        if self.direction == "down":
            points = [(x - h, y - h), (x + h, y - h), (x + h, y + h * 0.25), (x, y + h), (x - h, y + h * 0.25)]
        elif self.direction == "left":
            points = [(x + h, y - h), (x + h, y + h), (x - h * 0.25, y + h), (x - h, y), (x - h * 0.25, y - h)]
        else:
            points = [(x - h, y - h), (x - h, y + h), (x + h * 0.25, y + h), (x + h, y), (x + h * 0.25, y - h)]
        return " ".join(f"{px:.2f},{py:.2f}" for px, py in points)

    @property
    def text_x(self) -> float:
        shift = {"left": 0.35, "right": -0.35}.get(self.direction, 0) * OFFPAGE_SIZE * MM / 2
        return self.x + shift

    @property
    def text_y(self) -> float:
        return self.y + (0.9 if self.direction != "down" else 0.5) * MM


@dataclass
class Label:
    x: float
    y: float
    text: str
    anchor: str = "start"


@dataclass
class Overlay:
    """Everything drawn over one page."""

    lines: list[Line] = field(default_factory=list)
    offpage: list[OffPage] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)


def _letters():
    for letter in string.ascii_uppercase:
        yield letter
    n = 1
    while True:
        for letter in string.ascii_uppercase:
            yield f"{letter}{n}"
        n += 1


def _dedupe(points):
    out = []
    for point in points:
        if not out or (abs(out[-1][0] - point[0]) > 0.01 or abs(out[-1][1] - point[1]) > 0.01):
            out.append(point)
    return out


def _entry_x(symbol: Box, kind: str, side: str, y: float) -> float:
    """Where a horizontal line at height y meets the symbol's outline on one side."""
    dy = abs(y - symbol.cy)
    if kind == DECISION:
        half = symbol.w / 2 * max(0.0, 1 - dy / (symbol.h / 2))
    elif kind == TERMINATOR:
        r = symbol.h / 2
        inset = r - max(0.0, r * r - dy * dy) ** 0.5
        half = symbol.w / 2 - inset
    else:
        half = symbol.w / 2
    return symbol.cx - half if side == "left" else symbol.cx + half


def connectors(document: SopDocument, measured: Measured) -> dict[int, Overlay]:
    """The connector drawing of each page (by page index) for a laid-out document."""
    rows = document.rows
    index_of = {row.no: i for i, row in enumerate(rows)}
    lane_of = {i: document.pelaksana.index(r.pelaksana) if r.pelaksana in document.pelaksana else None
               for i, r in enumerate(rows)}
    overlays: dict[int, Overlay] = {}
    letters = _letters()
    first_on_page: dict[int, int] = {}
    for i in sorted(measured.row_page):
        first_on_page.setdefault(measured.row_page[i], i)

    def overlay(page: int) -> Overlay:
        return overlays.setdefault(page, Overlay())

    drawn = [i for i in range(len(rows)) if i in measured.symbols and i in measured.row_page]
    for i in drawn:
        row = rows[i]
        j = index_of.get(row.next_no) if row.next_no is not None else None
        if j is not None and j in measured.symbols and j in measured.row_page:
            _forward(i, j, measured, overlay, letters, first_on_page)
            if row.kind == DECISION:
                s = measured.symbols[i]
                overlay(measured.row_page[i]).labels.append(Label(s.cx + 2.3 * MM, s.bottom + 2.2 * MM, "Ya"))
    returns = [(i, index_of[rows[i].tidak_no]) for i in drawn
               if rows[i].kind == DECISION and rows[i].tidak_no in index_of
               and index_of[rows[i].tidak_no] in measured.symbols]
    sides = _return_sides(returns, rows, lane_of)
    channels = _allocate_channels(returns, measured, lane_of, sides)
    for (d, t) in returns:
        _return(d, t, rows, measured, lane_of, overlay, letters, channels.get((d, t), (0, 1)), sides[(d, t)])
    return overlays


def _forward(i, j, measured: Measured, overlay, letters, first_on_page):
    a, b = measured.symbols[i], measured.symbols[j]
    page_i, page_j = measured.row_page[i], measured.row_page[j]
    row_j = measured.rows[j]
    bend = row_j.top + BEND * MM
    if page_i == page_j:
        if abs(a.cx - b.cx) < 0.5 and j == i + 1:
            points = [(a.cx, a.bottom), (b.cx, b.top)]
        else:
            points = [(a.cx, a.bottom), (a.cx, bend), (b.cx, bend), (b.cx, b.top)]
        overlay(page_i).lines.append(Line(_dedupe(points)))
        return
    letter = next(letters)
    size = OFFPAGE_SIZE * MM
    down_y = a.bottom + GAP * MM + size / 2
    overlay(page_i).lines.append(Line([(a.cx, a.bottom), (a.cx, down_y - size / 2)], arrow=False))
    overlay(page_i).offpage.append(OffPage(a.cx, down_y, letter, "down"))
    first = measured.rows[first_on_page[page_j]]
    top_y = first.top + OFFPAGE_TOP * MM + size / 2
    overlay(page_j).offpage.append(OffPage(a.cx, top_y, letter, "down"))
    start = (a.cx, top_y + size / 2)
    if abs(a.cx - b.cx) < 0.5 and j == first_on_page[page_j]:
        points = [start, (b.cx, b.top)]
    else:
        points = [start, (a.cx, bend), (b.cx, bend), (b.cx, b.top)]
    overlay(page_j).lines.append(Line(_dedupe(points)))


def _near_side(lane_d, lane_t) -> str:
    """The side of the target's column facing the decision ("left" when they share a column)."""
    if lane_t is not None and lane_d is not None and lane_t > lane_d:
        return "left"
    if lane_t is not None and lane_d is not None and lane_t < lane_d:
        return "right"
    return "left"


def _return_sides(returns, rows, lane_of) -> dict[tuple[int, int], tuple[str, str]]:
    """For each return (decision d, target t): the side d's line leaves from and the side of
    t's column its channel runs in (and t is entered from). The channel takes the side facing
    the decision, unless t is a decision whose own "Tidak" leaves from that side."""
    exits = {}
    for d, t in returns:
        near = _near_side(lane_of[d], lane_of[t])
        exits[d] = near if lane_of[d] == lane_of[t] else ("left" if near == "right" else "right")
    sides = {}
    for d, t in returns:
        channel = _near_side(lane_of[d], lane_of[t])
        if rows[t].kind == DECISION and exits.get(t) == channel:
            channel = "right" if channel == "left" else "left"
        exit_side = exits[d] if lane_of[d] != lane_of[t] else channel
        sides[(d, t)] = (exit_side, channel)
    return sides


def _allocate_channels(returns, measured: Measured, lane_of, sides) -> dict[tuple[int, int], tuple[int, int]]:
    """(channel number, channels in its column side) per same-page return: returns that share a
    column side over overlapping rows get different channels, the longer ones nearer the edge."""
    groups: dict[tuple, list[tuple[int, int]]] = {}
    for d, t in returns:
        if measured.row_page[d] != measured.row_page[t]:
            continue
        side = sides[(d, t)][1]
        groups.setdefault((measured.row_page[d], lane_of[t], side), []).append((d, t))
    result = {}
    for members in groups.values():
        taken: list[tuple[int, int, int]] = []
        for d, t in sorted(members, key=lambda m: (-(m[0] - m[1]), m[1])):
            k = 0
            while any(k == other and not (d < lo or t > hi) for lo, hi, other in taken):
                k += 1
            taken.append((t, d, k))
            result[(d, t)] = k
        channels = 1 + max(result[m] for m in members)
        for m in members:
            result[m] = (result[m], channels)
    return result


def _return(d, t, rows, measured: Measured, lane_of, overlay, letters, channel: tuple[int, int],
            sides: tuple[str, str]):
    decision, target = measured.symbols[d], measured.symbols[t]
    exit_side, channel_side = sides
    entry_side = channel_side
    exit_x = decision.left if exit_side == "left" else decision.right
    exit_y = decision.cy
    entry_y = target.top + target.h * 0.25  # above the middle, where a decision's own "Tidak" leaves
    entry_x = _entry_x(target, rows[t].kind, entry_side, entry_y)
    outward = -1 if exit_side == "left" else 1
    label_x = exit_x + outward * 0.6 * MM
    page_d, page_t = measured.row_page[d], measured.row_page[t]
    # Under the line: above it a return into this symbol may run.
    overlay(page_d).labels.append(Label(label_x, exit_y + 2.3 * MM, "Tidak", "end" if outward < 0 else "start"))
    if page_d == page_t:
        lane = lane_of[t]
        if lane is not None and lane < len(measured.lanes):
            left, right = measured.lanes[lane]
        else:
            left, right = target.left - 3 * MM, target.right + 3 * MM
        # Channels stay between the column's edge and the symbol: closer together when many
        # returns share the room.
        k, count = channel
        room = ((target.left - left) if channel_side == "left" else (right - target.right)) - 0.4 * MM
        first = min(CHANNEL_FIRST * MM, room * 0.45)
        step = min(CHANNEL_STEP * MM, (room - first) / max(1, count - 1))
        offset = first + k * step
        x = left + offset if channel_side == "left" else right - offset
        overlay(page_d).lines.append(Line(_dedupe([(exit_x, exit_y), (x, exit_y), (x, entry_y), (entry_x, entry_y)])))
        return
    letter = next(letters)
    size = OFFPAGE_SIZE * MM
    stub = 1.0 * MM
    centre = exit_x + outward * (stub + size / 2)
    overlay(page_d).lines.append(Line([(exit_x, exit_y), (exit_x + outward * stub, exit_y)], arrow=False))
    overlay(page_d).offpage.append(OffPage(centre, exit_y, letter, "left" if outward < 0 else "right"))
    inward = 1 if entry_side == "left" else -1  # the direction the line runs into the target
    # The connector stands clear of the symbol's box (a diamond is entered inside its box).
    side_x = target.left if inward > 0 else target.right
    start_x = side_x - inward * 0.8 * MM
    if (entry_x - start_x) * inward < stub:
        start_x = entry_x - inward * stub
    overlay(page_t).offpage.append(OffPage(start_x - inward * size / 2, entry_y, letter,
                                           "right" if inward > 0 else "left"))
    overlay(page_t).lines.append(Line([(start_x, entry_y), (entry_x, entry_y)]))

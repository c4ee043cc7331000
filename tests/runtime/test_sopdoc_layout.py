"""Connector geometry of the printed chart, on hand-made row and symbol boxes (CSS px; 1 mm is
3.7795 px): forward lines bend in the band at the top of the next row, returns run in a channel
at the edge of the target's column, page breaks get off-page connectors."""
from __future__ import annotations

from pytest import approx

from alur.runtime.sopdoc.layout import Box, Measured, connectors
from alur.runtime.sopdoc.model import DECISION, PROCESS, TERMINATOR, Identity, Row, SopDocument

LANES = [(100.0, 200.0), (200.0, 300.0)]  # "Staf", "Kepala"


def _document(rows):
    return SopDocument("contoh", Identity(), ["Staf", "Kepala"], rows)


def _three_rows():
    return _document([
        Row(1, "Menyusun", "Staf", TERMINATOR, next_no=2),
        Row(2, "Meneruskan", "Kepala", PROCESS, next_no=3),
        Row(3, "Memeriksa", "Staf", DECISION, next_no=None, tidak_no=2),
    ])


def _at(*points):
    """Expected points, to a thousandth of a pixel."""
    return [(approx(x, abs=1e-3), approx(y, abs=1e-3)) for x, y in points]


def test_on_one_page_lines_bend_at_the_next_row_top_and_the_return_uses_the_target_column_edge():
    measured = Measured(
        row_page={0: 1, 1: 1, 2: 1},
        rows={0: Box(0, 100, 500, 80), 1: Box(0, 180, 500, 80), 2: Box(0, 260, 500, 80)},
        symbols={0: Box(130, 125, 40, 30), 1: Box(230, 205, 40, 30), 2: Box(130, 285, 40, 30)},
        lanes=LANES,
    )
    overlay = connectors(_three_rows(), measured)[1]
    forward_1, forward_2, back = overlay.lines
    # bend 5.2 mm (19.654 px) below the next row's top
    assert forward_1.points == _at((150, 155), (150, 199.654), (250, 199.654), (250, 205))
    assert forward_2.points == _at((250, 235), (250, 279.654), (150, 279.654), (150, 285))
    # "Tidak" leaves the decision's right side (the target is to the right), runs up 1.7 mm (6.425 px)
    # inside the Kepala column's left edge and enters the box a quarter down its height.
    assert back.points == _at((170, 300), (206.425, 300), (206.425, 212.5), (230, 212.5))
    assert all(line.arrow for line in overlay.lines)
    assert overlay.offpage == []
    assert [(l.text, round(l.x, 3), round(l.y, 3), l.anchor) for l in overlay.labels] == [
        ("Tidak", 172.268, 308.693, "start")]


def test_a_page_break_ends_and_starts_the_line_in_off_page_connectors_with_one_letter():
    measured = Measured(
        row_page={0: 1, 1: 1, 2: 2},
        rows={0: Box(0, 100, 500, 80), 1: Box(0, 180, 500, 80), 2: Box(0, 50, 500, 80)},
        symbols={0: Box(130, 125, 40, 30), 1: Box(230, 205, 40, 30), 2: Box(130, 75, 40, 30)},
        lanes=LANES,
    )
    overlays = connectors(_three_rows(), measured)
    first, second = overlays[1], overlays[2]
    # page 1: 2 -> 3 stops 1.2 mm under the symbol in connector "A"; the return 3 -> 2 arrives from "B"
    down = first.lines[1]
    assert not down.arrow and down.points == _at((250, 235), (250, 239.535))
    assert [(c.label, c.direction, round(c.x, 3), round(c.y, 3)) for c in first.offpage] == [
        ("A", "down", 250, 246.339), ("B", "right", 219.417, 212.5)]
    into_target = first.lines[2]
    assert into_target.arrow and into_target.points == _at((226.220, 212.5), (230, 212.5))
    # page 2: "A" at the top of the first row, then the bend into row 3's symbol
    assert [(c.label, c.direction, round(c.x, 3), round(c.y, 3)) for c in second.offpage] == [
        ("A", "down", 250, 59.071), ("B", "right", 180.583, 90)]
    start = second.lines[0]
    assert start.arrow and start.points == _at((250, 65.874), (250, 69.654), (150, 69.654), (150, 75))
    stub = second.lines[1]
    assert not stub.arrow and stub.points == _at((170, 90), (173.780, 90))


def test_returns_sharing_a_column_edge_get_their_own_channels_the_longer_one_outside():
    rows = [Row(1, "a", "Staf", TERMINATOR, next_no=2), Row(2, "b", "Staf", PROCESS, next_no=3),
            Row(3, "c", "Staf", DECISION, next_no=4, tidak_no=2), Row(4, "d", "Staf", DECISION, tidak_no=1)]
    measured = Measured(
        row_page={i: 1 for i in range(4)},
        rows={i: Box(0, 100 + 80 * i, 500, 80) for i in range(4)},
        symbols={i: Box(130, 125 + 80 * i, 40, 30) for i in range(4)},
        lanes=LANES,
    )
    overlay = connectors(_document(rows), measured)[1]
    returns = [line for line in overlay.lines if line.points[0][0] == 130]  # leaving a decision's left side
    channel_x = {round(line.points[1][0], 3): round(line.points[-1][1], 1) for line in returns}
    # 4 -> 1 (three rows) at 1.7 mm from the Staf column's left edge, 3 -> 2 at 2.7 mm, inside it
    assert channel_x == {106.425: 132.5, 110.205: 212.5}

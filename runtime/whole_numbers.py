"""Whole numbers typed by people (ids, version numbers, offsets, page numbers) read in one place.

Every number that comes from a URL, a query parameter, a form or the command line
is read here, so that none reaches the database beyond what its columns hold:
an INTEGER column holds at most 2**31 - 1 on PostgreSQL (SQLite's hold more), and
a 23-digit number would otherwise fail deep inside the driver (OverflowError,
NumericValueOutOfRange). Only ASCII digits count: Python's int() also reads
other scripts' digits and str.isdigit() accepts superscripts that int() refuses.
"""
from __future__ import annotations

# The largest value every integer column holds on every supported database (PostgreSQL INTEGER).
MAX_ID = 2**31 - 1


def parse_whole(text: str | None, least: int = 0, most: int = MAX_ID) -> int | None:
    """`text` as a whole number from `least` to `most`, or None when it is not one.

    Only ASCII digits, no sign, no spaces; a text with more digits than `most` has
    is refused before it is converted, so the cost does not grow with its length.
    """
    if not isinstance(text, str) or not text or len(text) > len(str(most)):
        return None
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if least <= value <= most else None

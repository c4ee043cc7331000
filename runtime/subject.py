"""What a case is about: its perihal (subject) and nomor (reference number), checked as entered.

Every face that starts an instance (the start form, the API, the CLI) passes what the user typed
through `clean`; a simulation or a benchmark starts without one (stored as "", shown as
"(tanpa perihal)"). `like_pattern` is the one place a search text becomes a LIKE pattern.
"""
from __future__ import annotations

from collections.abc import Iterable

from .errors import InvalidData

MAX_PERIHAL = 500  # instances.perihal
MAX_NOMOR = 100  # instances.nomor
MAX_QUERY = 200  # a search text longer than any perihal worth typing is cut here
LIKE_ESCAPE = "\\"


def clean(perihal, nomor=None, unknown: Iterable[str] = ()) -> tuple[str, str | None]:
    """(perihal, nomor) trimmed; raises InvalidData naming each bad field and what is wrong.

    perihal is required (1-500 characters after trimming); nomor is optional (at most 100).
    Both must be text without control characters. `unknown` names fields a request sent
    besides these two; each is refused as unknown.
    """
    errors: dict[str, str] = {name: "isian tidak dikenal" for name in unknown}
    perihal_text = _text(perihal, "perihal", MAX_PERIHAL, errors)
    nomor_text = _text(nomor, "nomor", MAX_NOMOR, errors) if nomor is not None else None
    if "perihal" not in errors and not perihal_text:
        errors["perihal"] = "wajib diisi"
    if errors:
        raise InvalidData(errors)
    return perihal_text, nomor_text or None


def _text(value, name: str, limit: int, errors: dict[str, str]) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[name] = "harus berupa teks"
        return ""
    text = " ".join(value.split())  # trimmed, and line breaks or runs of spaces become one space
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        errors[name] = "tidak boleh memuat karakter kendali"
    elif len(text) > limit:
        errors[name] = f"maksimal {limit} karakter (terisi {len(text)})"
    return text


def like_pattern(query: str) -> str:
    """A LIKE pattern matching `query` anywhere, with its own %, _ and backslash taken literally
    (use with `escape=LIKE_ESCAPE`)."""
    query = " ".join(query.split())[:MAX_QUERY]
    escaped = query.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return f"%{escaped}%"


def search_conditions(query: str | None, perihal_column, nomor_column) -> list:
    """The WHERE conditions for a search text (none for an empty one): perihal or nomor contains it,
    case-insensitively (lower() on both sides, the same on SQLite and PostgreSQL)."""
    from sqlalchemy import func, or_

    if not query or not query.strip():
        return []
    pattern = like_pattern(query.lower())
    return [or_(func.lower(perihal_column).like(pattern, escape=LIKE_ESCAPE),
                func.lower(nomor_column).like(pattern, escape=LIKE_ESCAPE))]

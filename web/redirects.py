"""Where a `next` parameter may send the browser: only to a path of this site.

Browsers remove ASCII tab, LF and CR anywhere in a URL and treat "\\" like "/",
so "/\t/evil.example" and "/\\evil.example" reach another host as "//evil.example".
A target is therefore refused unless every character is printable (no control,
format or separator characters but the plain space), it has no backslash,
Python's URL parser finds neither scheme nor host in it, and it starts with
exactly one "/".
"""
from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2000


def is_same_site_path(target: str | None) -> bool:
    """True when `target` is a path of this site that no browser reads as another host."""
    if not target or len(target) > MAX_LENGTH:
        return False
    if not target.isprintable() or "\\" in target or target != target.strip():
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    try:
        parts = urlsplit(target)
    except ValueError:
        return False
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a same-site path (is_same_site_path), else `default`."""
    return target if is_same_site_path(target) else default

"""Camunda Modeler's `${...}` conditions (JUEL) rewritten into Alur's expression language.

The text is split into tokens first, so that an operator inside a string literal
(`${catatan == 'a && !b'}`) is left alone. Translated: `&&` `||` `!`, the word
operators `and or not eq ne lt gt le ge div mod`, the literals `true false null`,
and property access `dokumen.status` (a field of a task-data object) as
`dokumen["status"]`. JUEL's `empty` and `? :` have no counterpart and are refused.
"""
from __future__ import annotations

import re

from .limits import ExpressionError

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<operator>&&|\|\||==|!=|<=|>=|.)
""", re.VERBOSE | re.DOTALL)

_WORDS = {"and": "and", "or": "or", "not": "not", "eq": "==", "ne": "!=", "lt": "<", "gt": ">",
          "le": "<=", "ge": ">=", "div": "/", "mod": "%", "true": "True", "false": "False", "null": "None"}
_OPERATORS = {"&&": "and", "||": "or", "!": "not"}
_KEYWORDS = {"and", "or", "not"}  # Python words that need a space on both sides
_UNSUPPORTED = {
    "empty": "JUEL's 'empty' operator is not supported; compare with null or '' instead",
    "?": "JUEL's '? :' operator is not supported; use 'a if condition else b'",
}


def normalize(text: str) -> str:
    """A condition in the expression language: Camunda's `${a == 'x' && !b}` becomes `a == 'x' and not b`.

    Other text (spiff-arena's and Alur's own conditions) passes through, stripped. In a
    `${...}` text, whitespace between tokens becomes one space and string literals are
    kept as written. Raises ExpressionError for `empty` and `? :`.
    """
    source = (text or "").strip()
    if not (source.startswith("${") and source.endswith("}")):
        return source
    body = source[2:-1]
    pieces: list[tuple[str, bool]] = []  # (text, whether whitespace preceded it)
    spaced = False
    for match in _TOKEN.finditer(body):
        kind, token = match.lastgroup, match.group()
        if kind == "space":
            spaced = True
            continue
        if token in _UNSUPPORTED and kind in ("word", "operator"):
            raise ExpressionError(_UNSUPPORTED[token], 1)
        if kind == "word" and pieces and pieces[-1][0] == ".":
            pieces[-1] = (f'["{token}"]', pieces[-1][1])  # property access: a field of the object before it
            spaced = False
            continue
        if kind == "word":
            token = _WORDS.get(token, token)
        elif kind == "operator":
            token = _OPERATORS.get(token, token)
        pieces.append((token, spaced))
        spaced = False
    return _join(pieces)


def _join(pieces: list[tuple[str, bool]]) -> str:
    out = []
    for index, (token, spaced) in enumerate(pieces):
        if index and (spaced or token in _KEYWORDS or pieces[index - 1][0] in _KEYWORDS):
            out.append(" ")
        out.append(token)
    return "".join(out)

"""One guard over every request's input, before any view reads it.

Text that Python holds but a database or a page cannot (a NUL, which PostgreSQL
refuses and which breaks SQLite file downloads; a lone surrogate such as the
JSON escape "\\ud800", which cannot be written as UTF-8) is refused at the edge
with a 400 naming the field, so that it is never stored. The guard reads:

- the path (with its parameters), the query string, form fields and the names of
  uploaded files, keys and values alike;
- the user name and password of HTTP Basic credentials;
- a JSON body: at most MAX_JSON_BYTES, nested at most MAX_JSON_DEPTH deep, no
  NaN or Infinity (which no database's JSON accepts), integers within 64 bits,
  and every string (keys included) as above.

The JSON rules live in the request class (GuardedRequest.json_module), so a view
calling request.get_json gets a body that passed them, and bodies that are not
JSON never reach a view's JSON parser unchecked.
"""
from __future__ import annotations

import json
import re
from types import SimpleNamespace

from flask import Flask, request
from flask.wrappers import Request
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

MAX_JSON_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
INT_RANGE = (-(2 ** 63), 2 ** 63 - 1)
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


class BadInput(BadRequest):
    """A request refused by the guard: `fields` names where (field -> message)."""

    def __init__(self, fields: dict[str, str]):
        self.fields = fields
        super().__init__("Permintaan tidak sah: " + "; ".join(f"{k}: {v}" for k, v in fields.items()))


def text_problem(text: str) -> str | None:
    """Why a string may not be stored (in Bahasa Indonesia), or None."""
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "berisi karakter NUL (\\u0000), yang tidak boleh ada dalam teks"
    return f"berisi karakter tidak sah (\\u{ord(found.group()):04x}, surrogate tanpa pasangan)"


def _shown(name: str) -> str:
    """A field name fit to show, whatever it holds."""
    return _FORBIDDEN.sub("\ufffd", name)[:100]


def _check_pairs(pairs, problems: dict[str, str]) -> None:
    """Each (field name, value): a forbidden name or value is named in `problems`."""
    for key, value in pairs:
        key = key or ""  # a multipart part without a name comes as None
        if problem := text_problem(key):
            problems.setdefault(f"{_shown(key)} (nama isian)", problem)
        elif isinstance(value, str) and (problem := text_problem(value)):
            problems.setdefault(key, problem)


def _bounded_int(text: str) -> int:
    value = int(text)
    if not INT_RANGE[0] <= value <= INT_RANGE[1]:
        raise BadInput({"JSON": f"bilangan {text[:30]}{'...' if len(text) > 30 else ''} di luar batas 64 bit"})
    return value


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise BadInput({"JSON": f"bilangan {text[:30]} terlalu besar"})
    return value


def _no_constant(name: str):
    raise BadInput({"JSON": f"{name} bukan bilangan JSON yang sah"})


def _walk(document) -> None:
    """Depth and text of every value and key of a parsed document, iteratively (no recursion)."""
    stack = [(document, "", 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise BadInput({path or "JSON": f"bersarang lebih dari {MAX_JSON_DEPTH} tingkat"})
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and (problem := text_problem(key)):
                    raise BadInput({f"{_shown(where)} (nama kunci)": problem})
                stack.append((item, where, depth + 1))
        elif isinstance(value, str) and (problem := text_problem(value)):
            raise BadInput({path or "JSON": problem})


def loads(data: bytes | str, **kwargs):
    """Parse a request's JSON body under the guard's rules (BadInput or 413 otherwise)."""
    if len(data) > MAX_JSON_BYTES:
        raise RequestEntityTooLarge(f"Badan JSON melebihi batas {MAX_JSON_BYTES // 1024} KiB.")
    try:
        document = json.loads(data, parse_int=_bounded_int, parse_float=_finite_float,
                              parse_constant=_no_constant)
    except RecursionError:
        raise BadInput({"JSON": f"bersarang lebih dari {MAX_JSON_DEPTH} tingkat"}) from None
    except UnicodeDecodeError:
        raise BadInput({"JSON": "bukan teks UTF-8 yang sah"}) from None
    except ValueError as exc:
        raise BadInput({"JSON": f"bukan JSON yang sah ({_position(exc)})"}) from None
    _walk(document)
    return document


def _position(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"baris {exc.lineno}, kolom {exc.colno}"
    return "isi tidak terbaca"


_GUARDED_JSON = SimpleNamespace(loads=loads, dumps=json.dumps)


class GuardedRequest(Request):
    """Flask's request, parsing JSON bodies with the guard's `loads`."""

    # Flask's request context assigns the app's JSON provider to every request's json_module;
    # request bodies keep the guard's parser (the provider still serves responses).
    @property
    def json_module(self):
        return _GUARDED_JSON

    @json_module.setter
    def json_module(self, _provider) -> None:
        pass

    def on_json_loading_failed(self, e: ValueError | None):
        if e is None:
            raise BadRequest("Badan permintaan harus JSON (Content-Type: application/json).")
        raise BadInput({"JSON": "bukan JSON yang sah"})


def check_request() -> None:
    """before_request: refuse (BadInput, 400) any input the guard's rules forbid."""
    problems: dict[str, str] = {}
    if problem := text_problem(request.path):
        problems["alamat"] = problem
    _check_pairs(request.args.items(multi=True), problems)
    _check_pairs(request.form.items(multi=True), problems)
    for name, upload in request.files.items(multi=True):
        _check_pairs([(name, upload.filename or "")], problems)
    credentials = request.authorization
    if credentials is not None:
        for part in ("username", "password", "token"):
            value = getattr(credentials, part, None)
            if isinstance(value, str) and (problem := text_problem(value)):
                problems.setdefault(f"kredensial ({part})", problem)
    if problems:
        raise BadInput(problems)
    if request.is_json and request.content_length != 0:
        request.get_json()  # parsed under the rules (and cached for the view)


def init_app(app: Flask) -> None:
    """Use the guarded request class and check every request before anything else reads it."""
    app.request_class = GuardedRequest
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)

"""The messages runtime/ gives a user, read from its source (AST): every raise or construction of
AlurError or one of its subclasses, and every Problem a deploy check reports, and every failure of a scenario run.

A message written as a literal or f-string becomes its template exactly as the catalogue
(web/translations/id/LC_MESSAGES/messages.po) keys it: the literal text, with each
placeholder as the code writes it (`{task_id}`, `{row.claimed_by}`, `{size:,}`, `{key!r}`),
and literal braces doubled. A message built elsewhere (a variable, a join) has no template
here: its parts are checked where they are written, when that is one of these sites.

`python -m tests.message_sites` prints the templates that have no catalogue entry, as .po stubs.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

RUNTIME = Path(__file__).resolve().parent.parent / "runtime"
BASE = "AlurError"
# Raised inside a scenario run and shown to the designer as the scenario's failure.
SCENARIO_FAILURE = "_Failed"
# Calls that report a problem of a file to its designer: Problem(file, line, message) and the
# checks' local problem(line, message); the message's position among the arguments.
PROBLEM_CALLS = {"Problem": 2, "problem": 1}


@dataclass(frozen=True)
class Site:
    path: str
    line: int
    template: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.template}"


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in sorted(RUNTIME.rglob("*.py"))}


def error_classes(trees) -> set[str]:
    """AlurError and the names of every class in runtime/ that derives from it (by name, to a fixpoint)."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases[node.name] = {b.id if isinstance(b, ast.Name) else b.attr for b in node.bases
                                    if isinstance(b, (ast.Name, ast.Attribute))}
    found = {BASE}
    while True:
        more = {name for name, of in bases.items() if of & found} - found
        if not more:
            return found
        found |= more


def templates_of(node: ast.expr) -> list[str] | None:
    """The message templates an argument expression can give, or None when it is built at run time."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [_escape(node.value)]
    if isinstance(node, ast.JoinedStr):
        text = ""
        for part in node.values:
            if isinstance(part, ast.Constant):
                text += _escape(part.value)
            else:
                assert isinstance(part, ast.FormattedValue)
                text += "{" + _placeholder(part) + "}"
        return [text]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = templates_of(node.left), templates_of(node.right)
        if left is None or right is None:
            return None
        return [a + b for a in left for b in right]
    if isinstance(node, ast.IfExp):
        body, orelse = templates_of(node.body), templates_of(node.orelse)
        return None if body is None or orelse is None else body + orelse
    if isinstance(node, ast.Dict):  # InvalidData({field: message}): each message
        found = [templates_of(value) for value in node.values]
        return None if any(f is None for f in found) else [t for f in found for t in f or []]
    return None


def _escape(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


def _placeholder(part: ast.FormattedValue) -> str:
    text = ast.unparse(part.value)
    if part.conversion != -1:
        text += "!" + chr(part.conversion)
    if part.format_spec is not None:
        assert isinstance(part.format_spec, ast.JoinedStr)
        text += ":" + "".join(p.value for p in part.format_spec.values if isinstance(p, ast.Constant))
    return text


def message_sites() -> tuple[list[Site], list[Site]]:
    """(sites with their templates, sites whose message is built at run time: template '')."""
    trees = _trees()
    classes = error_classes(trees) | {SCENARIO_FAILURE}
    literal, dynamic = [], []
    for path, tree in trees.items():
        name = str(path.relative_to(RUNTIME.parent))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func.id if isinstance(node.func, ast.Name) else (
                node.func.attr if isinstance(node.func, ast.Attribute) else None)
            if func in classes:
                position = 0
            elif func in PROBLEM_CALLS:
                position = PROBLEM_CALLS[func]
            else:
                continue
            if len(node.args) <= position:
                continue
            found = templates_of(node.args[position])
            if found is None:
                dynamic.append(Site(name, node.lineno, ""))
            else:
                literal += [Site(name, node.lineno, t) for t in found]
    return literal, dynamic


if __name__ == "__main__":
    from alur.web.i18n import catalogue

    entries = catalogue()
    sites, _ = message_sites()
    seen = set()
    for site in sites:
        if site.template not in seen and not entries.covers(site.template):
            seen.add(site.template)
            print(f"#: {site.path}:{site.line}\nmsgid {site.template!r}\nmsgstr \"\"\n".replace("msgid '", 'msgid "')
                  .replace("'\nmsgstr", '"\nmsgstr'))

"""Call activities that call another deployed process of the same organisation.

An SOP may call the SOP it names under keterkaitan: a `callActivity` whose `calledElement`
is not a process of its own file. At deploy it resolves to the newest deployed version of
that process of the organisation; the called version's spec, forms and task information
are stored with the calling version, so an instance runs on what was deployed when its
version was, like everything else of a version. Deploying the called process again changes
a caller only when the caller is deployed again (its content hash names what it called).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {"bpmn": BPMN_NS}
# How deep calls may nest (a calls b calls c ...): deeper is a mistake, and bounds the deploy.
MAX_DEPTH = 10


@dataclass(frozen=True)
class CalledProcess:
    """The deployed version a call activity resolves to."""

    process_id: str
    version: int
    content_hash: str
    bpmn_text: str
    forms: dict[str, str]
    task_info: dict[str, dict]


# (process id, the calling file's `org` property) -> the newest deployed version, or None.
Lookup = Callable[[str, "str | None"], "CalledProcess | None"]


@dataclass
class Resolved:
    """What the call activities of a file resolved to, in the order they were found."""

    called: list[CalledProcess] = field(default_factory=list)
    problems: list[tuple[int | None, str]] = field(default_factory=list)  # (line, message): errors


def resolve(root, parse: Callable[[str], object], lookup: Lookup | None, file_org: str | None) -> Resolved:
    """Resolve the call activities of the file `root` (and of what they call) that call a
    process outside their own file. `parse(bpmn_text)` gives the root of a called version's text."""
    result = Resolved()
    seen: set[str] = set()
    pending = [(root, 0)]
    while pending:
        document, depth = pending.pop(0)
        own = set(document.xpath("./bpmn:process/@id", namespaces=NS))
        for call in document.xpath(".//bpmn:callActivity[@calledElement]", namespaces=NS):
            target = call.get("calledElement")
            if target in own or target in seen:
                continue
            where = f"call activity '{call.get('id')}' calls process '{target}'"
            line = call.sourceline if document is root else None
            if lookup is None:
                result.problems.append((line, f"{where}, which is not in this file; only a deploy resolves it to "
                                              "a deployed process of the same organisation"))
                continue
            if depth >= MAX_DEPTH:
                result.problems.append((line, f"{where}: calls nest more than {MAX_DEPTH} deep"))
                continue
            found = lookup(target, file_org)
            if found is None:
                result.problems.append((line, f"{where}, which is neither in this file nor deployed in this "
                                              f"organisation; deploy '{target}' first"))
                continue
            seen.add(target)
            result.called.append(found)
            pending.append((parse(found.bpmn_text), depth + 1))
    return result

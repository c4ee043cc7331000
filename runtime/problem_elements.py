"""Which BPMN element a deploy problem is about, so that a modeler can mark it on the diagram.

bpmn_check names each problem by its file line (and often quotes the element's id in its message);
the browser editor needs the element id instead.
"""
from __future__ import annotations

import re

from lxml import etree

from .bpmn_check import BPMN_NS, Problem, _safe_parser

# Elements a problem may sit inside without being about them: the file, the process, the lane set.
_WHOLE_FILE = {f"{{{BPMN_NS}}}{tag}" for tag in ("definitions", "process", "laneSet", "collaboration")}
_QUOTED = re.compile(r"'([^'\s]{1,200})'")


def problem_elements(content: bytes, problems: list[Problem]) -> list[str | None]:
    """For each of `problems` (found in BPMN `content`), the id of the element it is about: the
    element that starts on its line, or the nearest one around it with an id, else the first element
    id its message quotes; None for a problem about the file as a whole (or a file that is no XML)."""
    try:
        root = etree.fromstring(content, _safe_parser())
    except etree.XMLSyntaxError:
        return [None] * len(problems)
    ids = {e.get("id"): e for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    first_on_line: dict[int, etree._Element] = {}
    for element in root.iter():
        if isinstance(element.tag, str) and element.sourceline is not None:
            first_on_line.setdefault(element.sourceline, element)
    return [_element_at(first_on_line.get(p.line) if p.line else None) or _quoted(p.message, ids)
            for p in problems]


def _element_at(element) -> str | None:
    while element is not None and element.tag not in _WHOLE_FILE:
        if element.get("bpmnElement"):  # a shape or edge of the diagram: the element it draws
            return element.get("bpmnElement")
        if element.get("id"):
            return element.get("id")
        element = element.getparent()
    return None


def _quoted(message: str, ids: dict) -> str | None:
    for quoted in _QUOTED.findall(message):
        element = ids.get(quoted)
        if element is not None and element.tag not in _WHOLE_FILE:
            return quoted
    return None

"""A BPMN diagram as SVG, drawn from the file's DI (for the instance page and the test reports).

Pools and lanes, tasks, gateways, events and sequence flows are drawn where
the modeler put them (BPMNShape bounds, BPMNEdge waypoints). Each flow node
is coloured by how far an instance got: completed, current, or not yet
reached; flows a run went through are drawn dark (and, for a coverage report,
flows only `alur simulate` took, dashed). No JavaScript needed.
"""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

MODEL = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
SVG = "http://www.w3.org/2000/svg"

STATE_LABELS = {"completed": "selesai", "current": "sedang berjalan", "pending": "belum dicapai"}
TASK_KINDS = {"task", "userTask", "manualTask", "serviceTask", "scriptTask", "sendTask", "receiveTask",
              "businessRuleTask", "callActivity", "subProcess"}
GATEWAY_KINDS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway",
                 "complexGateway"}
GATEWAY_MARKS = {"exclusiveGateway": "×", "parallelGateway": "+", "inclusiveGateway": "○"}
FONT = 11
CHAR_WIDTH = 5.9  # average glyph width of an 11px sans-serif font, for wrapping
LABEL_CHAR_WIDTH = 7.4  # the same for the bold 12px lane and pool names


@dataclass
class Box:
    x: float
    y: float
    width: float
    height: float


def _bounds(element) -> Box | None:
    found = element.find(f"{{{DC}}}Bounds")
    if found is None:
        return None
    return Box(*(float(found.get(k, 0)) for k in ("x", "y", "width", "height")))


def _wrap(text: str, width: float, max_lines: int, char_width: float = CHAR_WIDTH) -> list[str]:
    per_line = max(int(width / char_width), 4)
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if len(candidate) <= per_line:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word if len(word) <= per_line else word[: per_line - 1] + "…"
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: per_line - 1].rstrip() + "…"
    return lines


def _sub(parent, tag: str, text: str | None = None, **attrs):
    element = etree.SubElement(parent, f"{{{SVG}}}{tag}",
                               {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


def _text_block(parent, lines: list[str], cx: float, cy: float, css: str, line_height: float = 13,
                rotate: bool = False) -> None:
    text = _sub(parent, "text", x=cx, y=cy, class_=css, text_anchor="middle")
    if rotate:
        text.set("transform", f"rotate(-90 {cx} {cy})")
    first = cy - (len(lines) - 1) * line_height / 2 + FONT * 0.35
    for i, line in enumerate(lines):
        _sub(text, "tspan", line, x=cx, y=round(first + i * line_height, 1))


def render_svg(bpmn_xml: str, states: dict[str, str] | None = None,
               taken: list[tuple[str, str]] | None = None, flow_classes: dict[str, str] | None = None) -> str:
    """SVG markup of the diagram of `bpmn_xml`, to put inline in an HTML page.

    `states` maps element ids to "completed" or "current" (others are not
    reached yet); `taken` lists (source id, target id) transitions a run
    went through; `flow_classes` maps sequence flow ids to "taken" or
    "simulated" (a flow in neither is "pending"). Every text of the file is
    escaped by the serializer, so the markup is safe to embed.
    """
    states = states or {}
    taken_pairs = {tuple(pair) for pair in (taken or [])}
    flow_classes = flow_classes or {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    root = etree.fromstring(bpmn_xml.encode("utf-8"), parser)
    elements = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    plane = root.find(f".//{{{BPMNDI}}}BPMNPlane")
    if plane is None:
        return '<p class="muted">Berkas BPMN ini tidak memuat diagram (BPMN DI).</p>'

    shapes = [s for s in plane.iter(f"{{{BPMNDI}}}BPMNShape") if _bounds(s) is not None]
    edges = list(plane.iter(f"{{{BPMNDI}}}BPMNEdge"))
    xs, ys = [], []
    for shape in shapes:
        b = _bounds(shape)
        xs += [b.x, b.x + b.width]
        ys += [b.y, b.y + b.height]
    for edge in edges:
        for point in edge.iter(f"{{{DI}}}waypoint"):
            xs.append(float(point.get("x")))
            ys.append(float(point.get("y")))
    if not xs:
        return '<p class="muted">Diagram kosong.</p>'
    left, top = min(xs) - 10, min(ys) - 10
    width, height = max(xs) - left + 10, max(ys) - top + 10

    svg = etree.Element(f"{{{SVG}}}svg", nsmap={None: SVG}, attrib={
        "viewBox": f"{left:g} {top:g} {width:g} {height:g}", "width": f"{width:g}", "height": f"{height:g}",
        "class": "bpmn", "role": "img", "aria-label": "Diagram proses",
    })
    defs = _sub(svg, "defs")
    for name in ("pending", "taken", "simulated"):
        marker = _sub(defs, "marker", id=f"arrow-{name}", viewBox="0 0 10 10", refX=10, refY=5,
                      markerWidth=7, markerHeight=7, orient="auto-start-reverse")
        _sub(marker, "path", d="M 0 0 L 10 5 L 0 10 z", class_=f"arrowhead {name}")

    containers = _sub(svg, "g", class_="containers")
    flows = _sub(svg, "g", class_="flows")
    nodes = _sub(svg, "g", class_="nodes")

    for shape in shapes:
        element = elements.get(shape.get("bpmnElement"))
        if element is None:
            continue
        kind = etree.QName(element).localname
        b = _bounds(shape)
        name = element.get("name") or ""
        if kind in ("participant", "lane"):
            group = _sub(containers, "g", class_=kind)
            _sub(group, "rect", x=b.x, y=b.y, width=b.width, height=b.height)
            _sub(group, "line", x1=b.x + 30, y1=b.y, x2=b.x + 30, y2=b.y + b.height)
            lines = _wrap(name, b.height - 10, 2, LABEL_CHAR_WIDTH)
            _text_block(group, lines, b.x + 15, b.y + b.height / 2, f"{kind}-label", rotate=True)
            continue
        element_id = element.get("id")
        state = states.get(element_id, "pending")
        group = _sub(nodes, "g", class_=f"node {kind} {state}", data_element=element_id, data_state=state)
        _sub(group, "title", f"{name or element_id} ({STATE_LABELS[state]})")
        label_box = _bounds(shape.find(f"{{{BPMNDI}}}BPMNLabel")) if shape.find(
            f"{{{BPMNDI}}}BPMNLabel") is not None else None
        if kind in TASK_KINDS:
            _sub(group, "rect", x=b.x, y=b.y, width=b.width, height=b.height, rx=10, ry=10)
            _text_block(group, _wrap(name, b.width - 10, int((b.height - 8) // 13)),
                        b.x + b.width / 2, b.y + b.height / 2, "node-label")
        elif kind in GATEWAY_KINDS:
            cx, cy = b.x + b.width / 2, b.y + b.height / 2
            _sub(group, "polygon", points=f"{cx},{b.y} {b.x + b.width},{cy} {cx},{b.y + b.height} {b.x},{cy}")
            if kind in GATEWAY_MARKS:
                _sub(group, "text", GATEWAY_MARKS[kind], x=cx, y=cy + 7, class_="gateway-mark",
                     text_anchor="middle")
            if name:
                box = label_box or Box(b.x - 10, b.y - 20, b.width + 20, 14)
                _text_block(group, _wrap(name, max(box.width, 60), 2), box.x + box.width / 2,
                            box.y + box.height / 2, "small-label")
        elif kind.endswith("Event"):
            radius = min(b.width, b.height) / 2
            _sub(group, "circle", cx=b.x + b.width / 2, cy=b.y + b.height / 2, r=radius,
                 class_="end" if kind == "endEvent" else "event")
            if name:
                box = label_box or Box(b.x - 20, b.y + b.height + 4, b.width + 40, 14)
                _text_block(group, _wrap(name, max(box.width, 60), 2), box.x + box.width / 2,
                            box.y + box.height / 2, "small-label")
        else:
            _sub(group, "rect", x=b.x, y=b.y, width=b.width, height=b.height, class_="other")

    for edge in edges:
        element = elements.get(edge.get("bpmnElement"))
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.iter(f"{{{DI}}}waypoint")]
        if element is None or len(points) < 2:
            continue
        went = (element.get("sourceRef"), element.get("targetRef")) in taken_pairs
        css = flow_classes.get(element.get("id"), "taken" if went else "pending")
        _sub(flows, "polyline", points=" ".join(f"{x:g},{y:g}" for x, y in points),
             class_=f"flow {css}", marker_end=f"url(#arrow-{css})", data_element=element.get("id"))
        name = element.get("name")
        label = edge.find(f"{{{BPMNDI}}}BPMNLabel")
        if name and label is not None and _bounds(label) is not None:
            box = _bounds(label)
            _text_block(flows, [name], box.x + box.width / 2, box.y + box.height / 2, "small-label flow-label")
    return etree.tostring(svg, encoding="unicode")

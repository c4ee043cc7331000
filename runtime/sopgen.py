"""Generate a laid-out BPMN file from an SOP transcription (processes/sources/*.toml).

The transcription follows the Permenpan RB 35/2012 table: pelaksana columns
become lanes, activity rows user tasks in their lane, review rows a user task
followed by an exclusive gateway whose "Tidak" flow goes back (through a
merging gateway) to the step that produced the document. The output carries
the mutu baku as spiffworkflow properties and BPMN DI for every element, so
that it opens laid out in bpmn.io / Camunda Modeler.

Usage: python -m alur.runtime.sopgen SOURCE.toml [--out FILE.bpmn]
"""
from __future__ import annotations

import argparse
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from .sopdoc.fields import KETERANGAN_PROPERTY, LIST_FIELDS, SCALAR_FIELDS, list_property
from .standard_time import format_minutes, parse_waktu

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "spiffworkflow": SPIFF}

RETURN_CONDITION = 'keputusan == "kembalikan"'
REVIEW_FORM = "pemeriksaan"

# Geometry (pixels)
POOL_X, POOL_Y = 160, 80
POOL_LABEL = 30
LANE_HEIGHT = 180
CHANNEL_GAP = 18
GAP = 45
SIZES = {"task": (150, 100), "gateway": (50, 50), "event": (36, 36)}


class SourceError(ValueError):
    """The transcription is not usable; the message names the file and the field."""


@dataclass
class Node:
    id: str
    kind: str  # task | gateway | event
    tag: str
    lane: str
    name: str = ""
    x: float = 0
    y: float = 0
    incoming: list[str] = field(default_factory=list)
    outgoing: list[str] = field(default_factory=list)

    @property
    def size(self):
        return SIZES[self.kind]

    @property
    def right(self):
        return (self.x + self.size[0], self.y + self.size[1] / 2)

    @property
    def left(self):
        return (self.x, self.y + self.size[1] / 2)

    @property
    def bottom(self):
        return (self.x + self.size[0] / 2, self.y + self.size[1])


@dataclass
class Flow:
    id: str
    source: Node
    target: Node
    name: str = ""
    condition: str | None = None
    waypoints: list[tuple[float, float]] = field(default_factory=list)


def q(ns: str, tag: str) -> str:
    return f"{{{NSMAP[ns]}}}{tag}"


def load_source(path: Path) -> dict:
    """Read and check a transcription; raise SourceError naming file and field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"{path}: {exc}") from exc
    return check_source(data, path)


def check_source(data: dict, path: Path | str) -> dict:
    """Check a transcription's data (as a TOML file gives it, or the Word importer builds it);
    raise SourceError naming `path` and the field."""
    for key in ("id", "name", "lanes", "steps"):
        if key not in data:
            raise SourceError(f"{path}: missing field '{key}'")
    _check_header(path, data)
    numbers = [step.get("no") for step in data["steps"]]
    for index, step in enumerate(data["steps"]):
        where = f"{path}: steps[{index}] (no {step.get('no')})"
        for key in ("no", "lane", "text", "form"):
            if key not in step:
                raise SourceError(f"{where}: missing field '{key}'")
        if step["lane"] not in data["lanes"]:
            raise SourceError(f"{where}: lane '{step['lane']}' is not in lanes")
        if parse_waktu(step.get("waktu", "")) is None:
            raise SourceError(f"{where}: waktu '{step.get('waktu', '')}' holds no duration")
        target = step.get("returns_to")
        if target is not None:
            if target not in numbers or numbers.index(target) >= index:
                raise SourceError(f"{where}: returns_to {target} is not an earlier step")
            if step["form"] != REVIEW_FORM:
                raise SourceError(f"{where}: a review step must use form '{REVIEW_FORM}'")
    if len(set(numbers)) != len(numbers):
        raise SourceError(f"{path}: step numbers repeat")
    return data


SIGNATORY_KEYS = ("jabatan", "nama", "pangkat", "nip")


def _check_header(path: Path, data: dict) -> None:
    """The identity-sheet fields: strings, lists of strings, and `disahkan_oleh` as a table."""
    for item in SCALAR_FIELDS:
        if item.key.startswith("disahkan_") or item.key == "nama":
            continue
        if not isinstance(data.get(item.key, ""), str):
            raise SourceError(f"{path}: field '{item.key}' must be a string")
    for item in LIST_FIELDS:
        value = data.get(item.key, [])
        if isinstance(value, str) and item.key == "peringatan":
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SourceError(f"{path}: field '{item.key}' must be a list of strings")
    signatory = data.get("disahkan_oleh", "")
    if isinstance(signatory, dict):
        unknown = sorted(set(signatory) - set(SIGNATORY_KEYS))
        if unknown:
            raise SourceError(f"{path}: disahkan_oleh: unknown field '{unknown[0]}' "
                              f"(known: {', '.join(SIGNATORY_KEYS)})")
        if not all(isinstance(v, str) for v in signatory.values()):
            raise SourceError(f"{path}: disahkan_oleh: every field must be a string")
    elif not isinstance(signatory, str):
        raise SourceError(f"{path}: field 'disahkan_oleh' must be a table (jabatan, nama, pangkat, nip) or a string")


def identity_properties(data: dict) -> dict[str, str]:
    """The identity sheet as process properties (names in sopdoc.fields): every scalar field,
    empty when the SOP leaves it blank (so a designer finds the slot to fill), and each list
    as numbered items."""
    signatory = data.get("disahkan_oleh") or {}
    if isinstance(signatory, str):
        signatory = {"jabatan": signatory}
    values = {
        **{item.key: data.get(item.key) or "" for item in SCALAR_FIELDS},
        "nama": data["name"],
        **{f"disahkan_{key}": signatory.get(key, "") for key in SIGNATORY_KEYS},
    }
    properties = {item.property: values[item.key] for item in SCALAR_FIELDS}
    for item in LIST_FIELDS:
        items = data.get(item.key) or []
        if isinstance(items, str):
            items = [items]
        for index, value in enumerate(items, 1):
            properties[list_property(item.property, index)] = value
    return properties


def step_id(no: int) -> str:
    return f"Step_{no:02d}"


def lane_id(index: int) -> str:
    return f"Lane_{index + 1:02d}"


def documentation(data: dict) -> str:
    """The process documentation (plain text): what the SOP is, where it was read from and the
    readings made of its text. The identity sheet itself is in the process properties."""
    lines = [f"SOP {data['name']}", f"Organisasi: {data.get('organisation', '')}",
             "Identitas SOP (nomor, tanggal, pengesahan, dasar hukum, kualifikasi, keterkaitan, peralatan, "
             "peringatan, pencatatan): properti proses."]
    if data.get("total_waktu"):
        lines.append(f"Total waktu tertulis di SOP: {data['total_waktu']}")
    lines.append("Catatan pembacaan SOP (readings):")
    readings = data.get("readings") or []
    lines.extend(f"  {i}. {item}" for i, item in enumerate(readings, 1))
    if not readings:
        lines.append("  -")
    lines.append(f"Sumber: seeds/{data.get('seed', '')}")
    return "\n".join(lines)


def build_graph(data: dict) -> tuple[list[Node], list[Flow]]:
    """Nodes in SOP order (left to right) and the flows between them."""
    steps = data["steps"]
    return_targets = {s["returns_to"] for s in steps if "returns_to" in s}
    nodes: list[Node] = [Node("StartEvent_Mulai", "event", "startEvent", steps[0]["lane"], "Mulai")]
    flows: list[Flow] = []
    join_of: dict[int, Node] = {}
    decisions: list[tuple[Node, int]] = []
    previous = nodes[0]
    pending_name = ""

    def connect(source: Node, target: Node, name: str = "", condition: str | None = None, flow_id=None):
        flow = Flow(flow_id or f"Flow_{source.id}_{target.id}", source, target, name, condition)
        source.outgoing.append(flow.id)
        target.incoming.append(flow.id)
        flows.append(flow)
        return flow

    for step in steps:
        no = step["no"]
        if no in return_targets:
            join = Node(f"{step_id(no)}_Join", "gateway", "exclusiveGateway", step["lane"])
            nodes.append(join)
            connect(previous, join, pending_name)
            pending_name = ""
            join_of[no] = join
            previous = join
        task = Node(step_id(no), "task", "userTask", step["lane"], f"{no}. {step['text']}")
        nodes.append(task)
        connect(previous, task, pending_name)
        pending_name = ""
        previous = task
        if "returns_to" in step:
            decision = Node(f"{step_id(no)}_Keputusan", "gateway", "exclusiveGateway", step["lane"], "Setuju?")
            nodes.append(decision)
            connect(task, decision)
            decisions.append((decision, step["returns_to"]))
            previous = decision
            pending_name = "Ya"
    end = Node("EndEvent_Selesai", "event", "endEvent", steps[-1]["lane"], "Selesai")
    nodes.append(end)
    connect(previous, end, pending_name)
    for decision, target in decisions:
        connect(decision, join_of[target], "Tidak", RETURN_CONDITION, f"Flow_{decision.id}_Tidak")
    return nodes, flows


def layout(data: dict, nodes: list[Node], flows: list[Flow]) -> dict:
    """Place nodes left to right in their lanes and route the flows."""
    lanes = data["lanes"]
    returns = [f for f in flows if f.condition]
    lane_heights = [LANE_HEIGHT] * len(lanes)
    lane_heights[-1] += CHANNEL_GAP * (len(returns) + 1)
    lane_tops = [POOL_Y + sum(lane_heights[:i]) for i in range(len(lanes))]
    x = POOL_X + POOL_LABEL + 50
    for node in nodes:
        width, height = node.size
        index = lanes.index(node.lane)
        node.x = x
        node.y = lane_tops[index] + (LANE_HEIGHT - height) / 2
        x += width + GAP
    pool_width = x - POOL_X + 20
    forward_bottom = lane_tops[-1] + LANE_HEIGHT
    for flow in flows:
        src, dst = flow.source, flow.target
        if flow.condition:
            # Return flows leave the decision downwards and run in their own
            # channel under the last lane, so they cross no element.
            k = returns.index(flow)
            channel = forward_bottom + CHANNEL_GAP * (k + 1)
            sx, sy = src.bottom
            tx, ty = dst.bottom
            flow.waypoints = [(sx, sy), (sx, channel), (tx, channel), (tx, ty)]
        elif src.left[1] == dst.left[1]:
            flow.waypoints = [src.right, dst.left]
        else:
            mid = (src.right[0] + dst.left[0]) / 2
            flow.waypoints = [src.right, (mid, src.right[1]), (mid, dst.left[1]), dst.left]
    return {"lane_tops": lane_tops, "lane_heights": lane_heights, "pool_width": pool_width}


def add_properties(parent, properties: dict[str, str]):
    ext = etree.SubElement(parent, q("bpmn", "extensionElements"))
    props = etree.SubElement(ext, q("spiffworkflow", "properties"))
    for name, value in properties.items():
        etree.SubElement(props, q("spiffworkflow", "property"), name=name, value=str(value))


def generate(data: dict, forms_dir: Path | None = None) -> bytes:
    """Return the BPMN XML (bytes) for a checked transcription."""
    nodes, flows = build_graph(data)
    geometry = layout(data, nodes, flows)
    process_id = data["id"]
    steps = {step_id(s["no"]): s for s in data["steps"]}

    root = etree.Element(q("bpmn", "definitions"), nsmap=NSMAP)
    root.set("id", f"Definitions_{process_id}")
    root.set("targetNamespace", "https://alur.id/bpmn")
    root.set("exporter", "Alur sopgen")
    root.set("exporterVersion", "1")

    collaboration = etree.SubElement(root, q("bpmn", "collaboration"), id=f"Collaboration_{process_id}")
    etree.SubElement(
        collaboration, q("bpmn", "participant"), id="Participant_SOP", name=data["name"], processRef=process_id
    )
    process = etree.SubElement(root, q("bpmn", "process"), id=process_id, name=data["name"], isExecutable="true")
    doc = etree.SubElement(process, q("bpmn", "documentation"))
    doc.text = documentation(data)
    add_properties(process, {**({"org": data["org"]} if data.get("org") else {}), **identity_properties(data)})
    lane_set = etree.SubElement(process, q("bpmn", "laneSet"), id="LaneSet_Pelaksana")
    for index, lane_name in enumerate(data["lanes"]):
        lane = etree.SubElement(lane_set, q("bpmn", "lane"), id=lane_id(index), name=lane_name)
        for node in nodes:
            if node.lane == lane_name:
                etree.SubElement(lane, q("bpmn", "flowNodeRef")).text = node.id

    for node in nodes:
        element = etree.SubElement(process, q("bpmn", node.tag), id=node.id)
        if node.name:
            element.set("name", node.name)
        default = next((f for f in flows if f.source is node and f.name == "Ya"), None)
        if node.tag == "exclusiveGateway" and len(node.outgoing) > 1 and default is not None:
            element.set("default", default.id)
        if node.tag == "userTask":
            step = steps[node.id]
            minutes = parse_waktu(step["waktu"])
            form = step["form"]
            properties = {"formJsonSchemaFilename": f"{form}.schema.json"}
            if forms_dir is not None and (forms_dir / f"{form}.uischema.json").exists():
                properties["formUiSchemaFilename"] = f"{form}.uischema.json"
            properties.update(
                {
                    "sopStep": step["no"],
                    "standardMinutes": minutes,
                    "waktu": step.get("waktu", ""),
                    "kelengkapan": step.get("kelengkapan", ""),
                    "output": step.get("output", ""),
                    **({KETERANGAN_PROPERTY: step["keterangan"]} if step.get("keterangan") else {}),
                }
            )
            doc = etree.Element(q("bpmn", "documentation"))
            doc.text = (
                f"Langkah {step['no']}: {step['text']}\n"
                f"Kelengkapan: {step.get('kelengkapan') or '-'}\n"
                f"Waktu: {step.get('waktu')} ({format_minutes(minutes)} kerja)\n"
                f"Output: {step.get('output') or '-'}"
            )
            element.append(doc)
            add_properties(element, properties)
        for flow_id in node.incoming:
            etree.SubElement(element, q("bpmn", "incoming")).text = flow_id
        for flow_id in node.outgoing:
            etree.SubElement(element, q("bpmn", "outgoing")).text = flow_id
    for flow in flows:
        element = etree.SubElement(
            process, q("bpmn", "sequenceFlow"), id=flow.id, sourceRef=flow.source.id, targetRef=flow.target.id
        )
        if flow.name:
            element.set("name", flow.name)
        if flow.condition:
            condition = etree.SubElement(element, q("bpmn", "conditionExpression"))
            condition.set(q("xsi", "type"), "bpmn:tFormalExpression")
            condition.text = flow.condition

    diagram = etree.SubElement(root, q("bpmndi", "BPMNDiagram"), id="BPMNDiagram_1")
    plane = etree.SubElement(diagram, q("bpmndi", "BPMNPlane"), id="BPMNPlane_1", bpmnElement=collaboration.get("id"))

    def shape(element_id, x, y, w, h, **attrs):
        s = etree.SubElement(plane, q("bpmndi", "BPMNShape"), id=f"{element_id}_di", bpmnElement=element_id, **attrs)
        etree.SubElement(s, q("dc", "Bounds"), x=_n(x), y=_n(y), width=_n(w), height=_n(h))
        return s

    pool_height = sum(geometry["lane_heights"])
    shape("Participant_SOP", POOL_X, POOL_Y, geometry["pool_width"], pool_height, isHorizontal="true")
    for index, _ in enumerate(data["lanes"]):
        shape(
            lane_id(index),
            POOL_X + POOL_LABEL,
            geometry["lane_tops"][index],
            geometry["pool_width"] - POOL_LABEL,
            geometry["lane_heights"][index],
            isHorizontal="true",
        )
    for node in nodes:
        attrs = {"isMarkerVisible": "true"} if node.kind == "gateway" else {}
        s = shape(node.id, node.x, node.y, *node.size, **attrs)
        if node.kind != "task" and node.name:
            label = etree.SubElement(s, q("bpmndi", "BPMNLabel"))
            etree.SubElement(label, q("dc", "Bounds"), x=_n(node.x - 7), y=_n(node.y - 24), width="60", height="14")
    for flow in flows:
        edge = etree.SubElement(plane, q("bpmndi", "BPMNEdge"), id=f"{flow.id}_di", bpmnElement=flow.id)
        for x, y in flow.waypoints:
            etree.SubElement(edge, q("di", "waypoint"), x=_n(x), y=_n(y))
        if flow.name:
            lx, ly = flow.waypoints[0] if not flow.condition else flow.waypoints[1]
            label = etree.SubElement(edge, q("bpmndi", "BPMNLabel"))
            etree.SubElement(label, q("dc", "Bounds"), x=_n(lx + 4), y=_n(ly - 18), width="30", height="14")
    return etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")


def _n(value: float) -> str:
    return str(int(round(value)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="alur generate", description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, help="output file (one source) or folder; default processes/")
    parser.add_argument("--forms", type=Path, default=Path("forms"))
    args = parser.parse_args(argv)
    status = 0
    for source in args.sources:
        try:
            data = load_source(source)
        except SourceError as exc:
            print(exc, file=sys.stderr)
            status = 1
            continue
        if args.out and args.out.suffix == ".bpmn":
            target = args.out
        else:
            target = (args.out or Path("processes")) / f"{data['id']}.bpmn"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(generate(data, args.forms))
        print(f"{source} -> {target}")
    return status


if __name__ == "__main__":
    sys.exit(main())

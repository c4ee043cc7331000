"""A BPMN text read as the official SOP document (Permenpan RB 35/2012): identity sheet,
pelaksana columns and the rows of the flowchart table.

lxml only (no SpiffWorkflow): the print, the Word export and the importer's tests read
any deployed version with it, even one a modeler saved with fields missing. Unknown or
missing fields read as empty; only text that is not XML, or holds no process, is refused.

The reading follows the generator's conventions (README, "How an SOP becomes BPMN"):
a user task is a row; a user task followed by an exclusive gateway that splits is a
decision, whose default (or "Ya") flow gives the Ya target and whose conditional (or
"Tidak") flow, followed through merging gateways, gives the Tidak return target.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from ..errors import AlurError
from ..standard_time import format_minutes, parse_waktu
from .fields import KETERANGAN_PROPERTY, LIST_FIELDS, SCALAR_FIELDS, STEP_PROPERTY

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {
    "bpmn": BPMN,
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
TERMINATOR, PROCESS, DECISION = "terminator", "process", "decision"
_GATEWAYS = {"exclusiveGateway", "inclusiveGateway", "parallelGateway", "eventBasedGateway", "complexGateway"}
_TASKS = {"userTask", "task", "manualTask", "serviceTask", "scriptTask", "sendTask", "receiveTask",
          "businessRuleTask", "callActivity", "subProcess"}
_NUMBERED_NAME = re.compile(r"^\s*(\d+)\s*[.)]\s*")


class SopReadError(AlurError):
    """The text is not a BPMN file with a process; the message says why."""

    status = 422


@dataclass
class Identity:
    """The identity sheet. Every field is a string or a list of strings, empty when absent."""

    nomor: str = ""
    tanggal_pembuatan: str = ""
    tanggal_revisi: str = ""
    tanggal_efektif: str = ""
    disahkan_jabatan: str = ""
    disahkan_nama: str = ""
    disahkan_pangkat: str = ""
    disahkan_nip: str = ""
    nama: str = ""
    organisation: str = ""
    unit: str = ""
    dasar_hukum: list[str] = field(default_factory=list)
    kualifikasi: list[str] = field(default_factory=list)
    keterkaitan: list[str] = field(default_factory=list)
    peralatan: list[str] = field(default_factory=list)
    peringatan: list[str] = field(default_factory=list)
    pencatatan: list[str] = field(default_factory=list)


@dataclass
class Row:
    """One row of the flowchart table."""

    no: int
    kegiatan: str
    pelaksana: str  # a lane name, "" when the task is in no lane
    kind: str  # terminator | process | decision
    kelengkapan: str = ""
    waktu: str = ""
    output: str = ""
    keterangan: str = ""
    standard_minutes: int | None = None
    next_no: int | None = None  # the row the forward (Ya) connector goes to; None after the last
    tidak_no: int | None = None  # decisions: the row the "Tidak" connector returns to
    task_id: str = ""

    @property
    def ya_no(self) -> int | None:
        """Decisions: the row "Ya" goes on to (None when it goes to the end)."""
        return self.next_no if self.kind == DECISION else None


@dataclass
class SopDocument:
    process_id: str
    identity: Identity
    pelaksana: list[str]
    rows: list[Row]

    @property
    def total_minutes(self) -> int:
        """Total waktu, derived: every row's standard once (the path without returns)."""
        return sum(row.standard_minutes or 0 for row in self.rows)

    @property
    def total_waktu(self) -> str:
        return format_minutes(self.total_minutes) if self.rows else ""

    def row(self, no: int) -> Row | None:
        return next((r for r in self.rows if r.no == no), None)


def read_properties(element) -> dict[str, str]:
    """camunda:properties then spiffworkflow:properties of an element (the latter win), as
    bpmn_check reads them; a property without a name is skipped."""
    found: dict[str, str] = {}
    for prop in element.xpath(
        "./bpmn:extensionElements/camunda:properties/camunda:property"
        " | ./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS
    ):
        if prop.get("name"):
            found.setdefault(etree.QName(prop).namespace, {})[prop.get("name")] = prop.get("value", "")
    return {**found.get(NS["camunda"], {}), **found.get(NS["spiffworkflow"], {})}


def read_identity(properties: dict[str, str], process_name: str = "") -> Identity:
    """The identity sheet from process properties (names in sopdoc.fields)."""
    identity = Identity()
    for item in SCALAR_FIELDS:
        setattr(identity, item.key, properties.get(item.property, "").strip())
    if not identity.nama:
        identity.nama = process_name
    for item in LIST_FIELDS:
        setattr(identity, item.key, _list_property(properties, item.property))
    return identity


def _list_property(properties: dict[str, str], name: str) -> list[str]:
    """`name.1`, `name.2`, ... in numeric order, after a plain `name` split into lines."""
    items = [line.strip() for line in properties.get(name, "").splitlines()]
    numbered = []
    for key, value in properties.items():
        prefix, _, index = key.rpartition(".")
        if prefix == name and index.isdigit():
            numbered.append((int(index), value.strip()))
    items += [value for _, value in sorted(numbered)]
    return [item for item in items if item]


def read_document(bpmn_text: str | bytes, process_id: str | None = None) -> SopDocument:
    """Read a BPMN text as the SOP document; raise SopReadError if it is no BPMN with a process."""
    if isinstance(bpmn_text, str):
        bpmn_text = bpmn_text.encode("utf-8")
    try:
        root = etree.fromstring(bpmn_text, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise SopReadError(f"bukan XML yang sah: {exc}") from exc
    processes = root.xpath("./bpmn:process", namespaces=NS)
    if process_id is not None:
        processes = [p for p in processes if p.get("id") == process_id]
    executable = [p for p in processes if p.get("isExecutable", "true") != "false"] or processes
    if not executable:
        raise SopReadError("berkas tidak memuat proses BPMN")
    process = executable[0]
    identity = read_identity(read_properties(process), process.get("name") or "")
    lanes, lane_of = _lanes(root, process)
    rows = _rows(process, lane_of)
    return SopDocument(process.get("id") or "", identity, lanes, rows)


def _lanes(root, process) -> tuple[list[str], dict[str, str]]:
    """Leaf lanes, top to bottom as drawn (document order where a lane has no DI), and the
    lane of each flow node."""
    leaves = [lane for lane in process.iterfind(".//bpmn:lane", NS)
              if lane.find("./bpmn:childLaneSet", NS) is None]
    tops = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        bounds = shape.find("dc:Bounds", NS)
        if bounds is not None:
            try:
                tops[shape.get("bpmnElement")] = float(bounds.get("y", ""))
            except ValueError:
                pass
    if all(lane.get("id") in tops for lane in leaves):
        leaves = sorted(leaves, key=lambda lane: tops[lane.get("id")])  # stable for equal tops
    names = []
    lane_of: dict[str, str] = {}
    for index, lane in enumerate(leaves):
        name = (lane.get("name") or lane.get("id") or f"Pelaksana {index + 1}").strip()
        names.append(name)
        for ref in lane.iterfind("bpmn:flowNodeRef", NS):
            lane_of.setdefault((ref.text or "").strip(), name)
    return names, lane_of


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    name: str
    conditional: bool


def _rows(process, lane_of: dict[str, str]) -> list[Row]:
    nodes = {e.get("id"): e for e in process if isinstance(e.tag, str) and e.get("id")}
    kind_of = {node_id: etree.QName(e).localname for node_id, e in nodes.items()}
    flows: dict[str, list[_Flow]] = {}
    for element in process.iterfind("bpmn:sequenceFlow", NS):
        flow = _Flow(element.get("id") or "", element.get("sourceRef") or "", element.get("targetRef") or "",
                     (element.get("name") or "").strip(),
                     element.find("bpmn:conditionExpression", NS) is not None)
        flows.setdefault(flow.source, []).append(flow)
    tasks = [node_id for node_id, kind in kind_of.items() if kind in _TASKS]

    def is_return(flow: _Flow, gateway) -> bool:
        if flow.name.lower() == "tidak":
            return True
        if flow.name.lower() == "ya" or flow.id == gateway.get("default"):
            return False
        return flow.conditional

    def first_task(node_id: str, seen: set[str] | None = None) -> str | None:
        """The first task reached from a node, through gateways and events, following the
        forward flows (default / "Ya" / unconditioned first)."""
        seen = seen if seen is not None else set()
        while node_id not in seen:
            seen.add(node_id)
            if kind_of.get(node_id) in _TASKS:
                return node_id
            outgoing = flows.get(node_id, [])
            if not outgoing:
                return None
            gateway = nodes.get(node_id)
            forward = [f for f in outgoing if gateway is None or not is_return(f, gateway)] or outgoing
            node_id = forward[0].target
        return None

    def decision_of(task_id: str):
        """The splitting exclusive gateway right after a task, if any."""
        outgoing = flows.get(task_id, [])
        if len(outgoing) != 1:
            return None
        target = outgoing[0].target
        if kind_of.get(target) == "exclusiveGateway" and len(flows.get(target, [])) > 1:
            return nodes[target]
        return None

    order = _task_order(tasks, kind_of, flows, first_task, nodes)
    properties = {task_id: read_properties(nodes[task_id]) for task_id in order}
    numbers = _numbers(order, properties, nodes)
    rows = []
    for task_id in order:
        element, props = nodes[task_id], properties[task_id]
        waktu = props.get("waktu", "").strip()
        minutes = _minutes(props)
        row = Row(
            no=numbers[task_id],
            kegiatan=_NUMBERED_NAME.sub("", element.get("name") or "", count=1).strip() or task_id,
            pelaksana=lane_of.get(task_id, ""),
            kind=PROCESS,
            kelengkapan=props.get("kelengkapan", "").strip(),
            waktu=waktu or (format_minutes(minutes) if minutes is not None else ""),
            output=props.get("output", "").strip(),
            keterangan=props.get(KETERANGAN_PROPERTY, "").strip(),
            standard_minutes=minutes,
            task_id=task_id,
        )
        gateway = decision_of(task_id)
        if gateway is not None:
            row.kind = DECISION
            ya = [f for f in flows[gateway.get("id")] if not is_return(f, gateway)]
            tidak = [f for f in flows[gateway.get("id")] if is_return(f, gateway)]
            row.next_no = numbers.get(first_task(ya[0].target)) if ya else None
            row.tidak_no = numbers.get(first_task(tidak[0].target)) if tidak else None
        else:
            outgoing = flows.get(task_id, [])
            row.next_no = numbers.get(first_task(outgoing[0].target)) if outgoing else None
        rows.append(row)
    for index in (0, len(rows) - 1):
        if rows and rows[index].kind != DECISION:
            rows[index].kind = TERMINATOR
    return rows


def _task_order(tasks, kind_of, flows, first_task, nodes) -> list[str]:
    """Tasks by SOP step number where every task has one; otherwise in the order the forward
    flows reach them from the start event, then any unreached ones in document order."""
    order: list[str] = []
    starts = [n for n, kind in kind_of.items() if kind == "startEvent"]
    frontier = [first_task(s) for s in starts]
    seen: set[str] = set()
    while frontier:
        task = frontier.pop(0)
        if task is None or task in seen:
            continue
        seen.add(task)
        order.append(task)
        for flow in flows.get(task, []):
            gateway = nodes.get(flow.target)
            if gateway is not None and kind_of.get(flow.target) in _GATEWAYS:
                for onward in flows.get(flow.target, []):
                    frontier.append(first_task(onward.target))
            else:
                frontier.append(first_task(flow.target))
    order += [t for t in tasks if t not in seen]
    return order


def _numbers(order: list[str], properties: dict, nodes) -> dict[str, int]:
    """Row numbers: the sopStep property, else the number the task name starts with, else the
    position; re-sorted by number when every task has a distinct one."""
    found = {}
    for task_id in order:
        value = properties[task_id].get(STEP_PROPERTY, "").strip()
        match = _NUMBERED_NAME.match(nodes[task_id].get("name") or "")
        if value.isdigit():
            found[task_id] = int(value)
        elif match:
            found[task_id] = int(match.group(1))
    if len(found) == len(order) and len(set(found.values())) == len(order):
        order.sort(key=found.get)
        return found
    return {task_id: index for index, task_id in enumerate(order, 1)}


def _minutes(properties: dict[str, str]) -> int | None:
    value = properties.get("standardMinutes", "").strip()
    if value.isdigit():
        return int(value)
    return parse_waktu(properties.get("waktu", ""))

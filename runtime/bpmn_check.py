"""Checks a BPMN file before it may run: XSD, engine parse, lanes, forms, gateways, expressions.

Every problem names the file and line, so a designer can fix it in the modeler.
A file with any error is never deployed.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from . import called_processes, camunda_extensions, camunda_forms, due_dates, expressions, forms
from .content_hash import version_hash
from .standard_time import MAX_STANDARD_MINUTES, parse_waktu

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NS = {
    "bpmn": BPMN_NS,
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "camunda": "http://camunda.org/schema/1.0/bpmn",
}
# SpiffWorkflow names some task specs itself; an element with one of these ids
# silently replaces them (an element with id "Start" yields an empty process).
RESERVED_IDS = {"Start", "End", "Root"}
_xsd = None


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str
    severity: str = "error"  # error | warning

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.severity}: {self.message}"


@dataclass
class UserTaskInfo:
    id: str
    name: str
    lane: str | None
    form: str | None
    ui_form: str | None
    standard_minutes: int | None
    properties: dict[str, str]


@dataclass
class CheckedFile:
    """The outcome of checking one BPMN file."""

    path: str
    problems: list[Problem] = field(default_factory=list)
    process_id: str | None = None
    name: str | None = None
    bpmn_text: str | None = None
    forms: dict[str, str] = field(default_factory=dict)  # file name -> schema text
    user_tasks: list[UserTaskInfo] = field(default_factory=list)
    lanes: list[str] = field(default_factory=list)
    start_lane: str | None = None
    org: str | None = None  # the process's `org` property: the organisation it belongs to
    organisation: str | None = None  # that organisation's name (`organisation` property)
    spec: object | None = None
    subprocess_specs: dict = field(default_factory=dict)
    # The deployed versions its call activities call, and their user tasks' information.
    called: list[called_processes.CalledProcess] = field(default_factory=list)
    called_task_info: dict[str, dict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def content_hash(self) -> str:
        own = version_hash(self.bpmn_text, self.forms)
        if not self.called:
            return own
        # A caller deployed again after its callee changed is new content: it would run the new callee.
        return version_hash(own, {c.process_id: c.content_hash for c in self.called})


def _schema() -> etree.XMLSchema:
    global _xsd
    if _xsd is None:
        from SpiffWorkflow.bpmn.parser.BpmnParser import XSD_PATH

        _xsd = etree.XMLSchema(file=XSD_PATH)
    return _xsd


def task_properties(element) -> dict[str, str]:
    """Extension properties of a task or process: camunda:properties, then spiffworkflow:properties."""
    properties = {}
    for prop in element.xpath(
        "./bpmn:extensionElements/camunda:properties/camunda:property", namespaces=NS
    ) + element.xpath("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS):
        if prop.get("name"):
            properties[prop.get("name")] = prop.get("value", "")
    form_key = element.get(f"{{{NS['camunda']}}}formKey")
    if form_key and "formJsonSchemaFilename" not in properties:
        properties["formJsonSchemaFilename"] = form_key
    due_date = element.get(f"{{{NS['camunda']}}}dueDate")
    if due_date and due_dates.DUE_DATE_PROPERTY not in properties:
        properties[due_dates.DUE_DATE_PROPERTY] = due_date
    return properties


def standard_minutes_of(properties: dict[str, str]) -> int | None:
    """The task's time standard in working minutes, from `standardMinutes` or `waktu`."""
    value = properties.get("standardMinutes")
    minutes = int(value) if value not in (None, "") else parse_waktu(properties.get("waktu", ""))
    if minutes is not None and not 0 <= minutes <= MAX_STANDARD_MINUTES:
        raise ValueError(f"{minutes} is outside 0..{MAX_STANDARD_MINUTES}")
    return minutes


def check_bytes(content: bytes, filename: str, forms_dir: Path | dict | None,
                process_id: str | None = None, called: called_processes.Lookup | None = None) -> CheckedFile:
    """Check BPMN `content` (named `filename` in messages) against the forms in `forms_dir`.

    `forms_dir` is a folder, or a mapping of form file name to schema text. A file holds one
    executable process, or `process_id` names the one of its executable processes to check.
    `called(process_id, org)` finds the deployed process a call activity calls outside the file
    (runtime/called_processes.py); without it such a call is an error.
    """
    result = CheckedFile(path=filename)

    def problem(line, message, severity="error"):
        result.problems.append(Problem(filename, line, message, severity))

    root, result.bpmn_text = _read_xml(content, problem)
    if root is None:
        return result
    schema = _schema()
    if not schema.validate(root):
        for error in schema.error_log:
            problem(error.line, f"not valid BPMN 2.0 (XSD): {error.message}")
        return result

    process = _the_process(root, process_id, problem)
    if process is None:
        return result
    result.process_id = process.get("id")
    result.name = process.get("name") or result.process_id
    process_properties = task_properties(process)
    result.org = process_properties.get("org") or None
    result.organisation = process_properties.get("organisation") or None

    for element in root.iter():
        element_id = element.get("id") if isinstance(element.tag, str) else None
        if element_id and (element_id in RESERVED_IDS or element_id.endswith(".EndJoin")):
            problem(element.sourceline, f"id '{element_id}' collides with a SpiffWorkflow task name; rename it")

    _check_lanes_and_tasks(process, result, problem, forms_dir)
    _check_gateways(process, problem)
    _check_expressions(process, problem)
    for line, message, severity in camunda_extensions.problems(process):
        problem(line, message, severity)
    if not result.ok:
        return result
    _add_called(root, called, result, problem)
    if not result.ok:
        return result

    parser = SpiffBpmnParser(validator=BpmnValidator())
    try:
        parser.add_bpmn_xml(_engine_tree(content), filename=filename)
        for callee in result.called:
            parser.add_bpmn_xml(_engine_tree(callee.bpmn_text.encode("utf-8")),
                                filename=f"{callee.process_id} v{callee.version}")
        result.spec = parser.get_spec(result.process_id)
        result.subprocess_specs = parser.get_subprocess_specs(result.process_id)
    except ValidationException as exc:
        line, message = _engine_problem(exc, root)
        problem(line, message)
    except Exception as exc:  # the parser raises plain errors for some malformed models
        problem(None, f"the engine cannot parse it: {type(exc).__name__}: {_without_reprs(str(exc))}")
    return result


def _add_called(root, called, result: CheckedFile, problem) -> None:
    """Resolve the file's calls to other deployed processes; their forms, lanes and user tasks join the file's."""
    resolved = called_processes.resolve(root, lambda text: etree.fromstring(text.encode("utf-8"), _safe_parser()),
                                        called, result.org)
    for line, message in resolved.problems:
        problem(line, message)
    own_tasks = {t.id for t in result.user_tasks}
    for callee in resolved.called:
        for name, text in callee.forms.items():
            if result.forms.setdefault(name, text) != text:
                problem(None, f"called process '{callee.process_id}' has a form '{name}' that differs from this "
                              "file's form of that name; rename one of them")
        for task_id, info in callee.task_info.items():
            if task_id in own_tasks or result.called_task_info.setdefault(task_id, info) != info:
                problem(None, f"user task id '{task_id}' is in this file and in called process "
                              f"'{callee.process_id}'; rename one of them")
            if info.get("lane") and info["lane"] not in result.lanes:
                result.lanes.append(info["lane"])
    result.called = resolved.called


# How lxml shows an element in a message: `<Element {namespace}sourceRef at 0x7f...>`.
_ELEMENT_REPR = re.compile(r"<Element \{[^}]*\}(\w+) at 0x[0-9a-fA-F]+>")
_DATA_REFERENCES = {"dataInputAssociation": "./bpmn:dataInputAssociation/bpmn:sourceRef",
                    "dataOutputAssociation": "./bpmn:dataOutputAssociation/bpmn:targetRef"}


def _engine_problem(exc: ValidationException, root) -> tuple[int | None, str]:
    """(line, message) of the engine's parse error, naming the element it is about and its line.

    SpiffWorkflow names the element by id and tag but not by line (lxml calls it `sourceline`),
    and some of its messages show an XML element as a Python repr: both are put right here.
    """
    detail = _without_reprs(str(exc.args[0]) if exc.args else str(exc))
    element_id = getattr(exc, "id", "") or ""
    element = None
    if element_id:
        found = root.xpath("//*[@id=$id]", id=element_id)
        element = found[0] if found else None
    line = getattr(exc, "line_number", None)
    if not isinstance(line, int) or line <= 0:
        line = element.sourceline if element is not None else None
    for kind, path in _DATA_REFERENCES.items():
        if element is not None and detail.startswith(f"Cannot resolve {kind}"):
            known = set(root.xpath("//bpmn:dataObjectReference/@id | //bpmn:dataStoreReference/@id",
                                   namespaces=NS))
            refs = [(ref.text or "").strip() for ref in element.xpath(path, namespaces=NS)]
            unresolved = [ref for ref in refs if ref not in known] or refs
            detail = (f"its {kind} refers to {', '.join(repr(r) for r in unresolved)}, which is not a data object "
                      "reference or a data store reference (the only data the engine can pass to a task)")
    if not element_id:
        return line, f"the engine cannot parse it: {detail}"
    tag = getattr(exc, "tag", "") or "element"
    return line, f"the engine cannot parse {tag} '{element_id}': {detail}"


def _without_reprs(message: str) -> str:
    return _ELEMENT_REPR.sub(lambda m: f"<{m.group(1)}>", message).rstrip(". ")


def _the_process(root, process_id: str | None, problem):
    """The process of the file to deploy: its one executable process, or the executable one named
    `process_id`. None after reporting why there is none."""
    processes = root.xpath("./bpmn:process", namespaces=NS)
    executable = [p for p in processes if p.get("isExecutable", "true") != "false"]
    ids = ", ".join(f"'{p.get('id')}'" for p in processes)
    if process_id is not None:
        named = [p for p in processes if p.get("id") == process_id]
        if not named:
            problem(root.sourceline, f"this file has no process '{process_id}'; its processes are {ids or 'none'}")
        elif named[0] not in executable:
            problem(named[0].sourceline, f"process '{process_id}' is marked isExecutable=\"false\"; set it to "
                                         "\"true\" to deploy it")
        return named[0] if named and named[0] in executable else None
    if len(executable) == 1:
        return executable[0]
    if not processes:
        problem(root.sourceline, "this file has no process (only a collaboration or definitions); Alur deploys "
                                 "one executable process per file")
    elif not executable:
        problem(root.sourceline, f"this file has no executable process: {ids} {'is' if len(processes) == 1 else 'are'}"
                                 " marked isExecutable=\"false\"; isExecutable decides what Alur deploys: set it "
                                 "to \"true\" on the process to run")
    else:
        names = ", ".join(f"'{p.get('id')}' (line {p.sourceline})" for p in executable)
        problem(root.sourceline, f"this file has {len(executable)} executable processes: {names}; isExecutable "
                                 "decides what Alur deploys: set isExecutable=\"false\" on all but one, or name "
                                 "the one to deploy (alur deploy FILE --process ID, or the upload's field Id proses)")
    return None


def _safe_parser() -> etree.XMLParser:
    """A parser that reads no DTD, expands no entity, fetches nothing and refuses huge trees
    (one per parse: lxml parsers are not shared between threads)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


# The encoding named by an XML declaration (the file's first bytes, in an ASCII-compatible encoding).
_DECLARED_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\sencoding\s*=\s*["']([^"']*)["']""")
_TEXT_ENCODING = re.compile(r"""^(\ufeff?\s*<\?xml[^>]*?\sencoding\s*=\s*)(["'])[^"']*\2""")
_UNICODE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)


def _read_xml(content: bytes, problem):
    """(root element, text of the file) of well-formed XML without a DOCTYPE; (None, None) after
    reporting the problem.

    A file that names no encoding must be UTF-8 (the XML default). One that names another
    encoding in its XML declaration (ISO-8859-1, windows-1252, UTF-16 ...) is read in it and
    kept as UTF-8 text, its declaration saying so. A DOCTYPE is refused whatever it holds: BPMN
    needs none, and entities (`<!ENTITY x SYSTEM "file:///...">`) would reach outside the file.
    """
    declared = _DECLARED_ENCODING.match(content)
    says_utf8 = declared is not None and declared.group(1).lower().replace(b"-", b"").replace(b"_", b"") == b"utf8"
    if (declared is None or says_utf8) and not content.startswith(_UNICODE_BOMS):
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = content.count(b"\n", 0, exc.start) + 1
            claim = "its XML declaration says UTF-8, but it is " if says_utf8 else ""
            problem(line, f"{claim}not UTF-8 text (byte 0x{content[exc.start]:02X} on this line): save the file "
                          "as UTF-8, or name its encoding in the XML declaration, e.g. "
                          "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>")
            return None, None
    try:
        root = etree.fromstring(content, _safe_parser())
    except etree.XMLSyntaxError as exc:
        problem(exc.lineno, f"not well-formed XML: {exc.msg}")
        return None, None
    docinfo = root.getroottree().docinfo
    encoding = docinfo.encoding or "UTF-8"
    try:
        text = content.decode(codecs.lookup(encoding).name)
    except (LookupError, UnicodeDecodeError):
        problem(1, f"cannot read the file in the encoding it names ({encoding[:40]}); save it as UTF-8")
        return None, None
    if docinfo.doctype or docinfo.internalDTD is not None:
        start = text.find("<!DOCTYPE")
        problem(text.count("\n", 0, start) + 1 if start >= 0 else 1,
                "a DOCTYPE is not allowed in a BPMN file (no DTD is read and no entity expanded); remove it")
        return None, None
    if codecs.lookup(encoding).name != "utf-8":
        text = _TEXT_ENCODING.sub(r"\1\2UTF-8\2", text.removeprefix("\ufeff"), count=1)
    return root, text


def _engine_tree(content: bytes):
    """The XML the engine parses: the file as it is, but with conditions written as Python."""
    root = etree.fromstring(content, _safe_parser())
    for condition in root.iter(f"{{{BPMN_NS}}}conditionExpression"):
        condition.text = expressions.normalize_condition(condition.text)
    return root


def check_file(path: Path, forms_dir: Path | None, process_id: str | None = None) -> CheckedFile:
    """Check the BPMN file at `path` (its process `process_id`, when it has several); forms are looked
    up in `forms_dir`."""
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        return CheckedFile(path=str(path), problems=[Problem(str(path), None, f"cannot read: {exc.strerror}")])
    return check_bytes(content, str(path), forms_dir, process_id)


def _leaf_lanes(process):
    # An empty <bpmn:childLaneSet/> (Camunda Modeler 4.x writes one) leaves its lane a leaf.
    return [lane for lane in process.iter(f"{{{BPMN_NS}}}lane")
            if not lane.xpath("./bpmn:childLaneSet/bpmn:lane", namespaces=NS)]


_SUBPROCESSES = {f"{{{BPMN_NS}}}{kind}" for kind in ("subProcess", "transaction", "adHocSubProcess")}


def _lanes_of(task, lane_of: dict[str, list[str]]) -> list[str]:
    """The lanes a task sits in: its own, or those of the nearest embedded subprocess around it
    that sits in a lane (lanes name only the process's own flow nodes; the engine, too, gives a
    task inside a subprocess the subprocess's lane)."""
    in_lanes = lane_of.get(task.get("id"), [])
    for ancestor in task.iterancestors():
        if in_lanes:
            break
        if ancestor.tag in _SUBPROCESSES:
            in_lanes = lane_of.get(ancestor.get("id"), [])
    return in_lanes


def _check_lanes_and_tasks(process, result: CheckedFile, problem, forms_dir: Path | None) -> None:
    lanes = _leaf_lanes(process)
    result.lanes = [lane.get("name") or lane.get("id") for lane in lanes]
    lane_of: dict[str, list[str]] = {}
    for lane in lanes:
        for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS):
            lane_of.setdefault((ref.text or "").strip(), []).append(lane.get("name") or lane.get("id"))
    for start in process.xpath("./bpmn:startEvent", namespaces=NS):
        result.start_lane = (lane_of.get(start.get("id")) or [None])[0]
    for start in process.xpath(".//bpmn:startEvent", namespaces=NS):
        if camunda_forms.form_data(start) is not None:
            problem(start.sourceline, f"start event '{start.get('id')}': its camunda:formData is not asked; Alur "
                                      "starts a process with its perihal and nomor only", "warning")

    # A manual task waits for a person like a user task: outside every lane it would get lane ''
    # and nobody could do it.
    for task in process.xpath(".//bpmn:manualTask", namespaces=NS):
        in_lanes = _lanes_of(task, lane_of)
        if len(in_lanes) != 1:
            where = "outside every lane" if not in_lanes else f"in {len(in_lanes)} lanes ({', '.join(in_lanes)})"
            problem(task.sourceline, f"manual task '{task.get('id')}' is {where}; it must sit in exactly one lane")
    for task in process.xpath(".//bpmn:userTask", namespaces=NS):
        task_id = task.get("id")
        line = task.sourceline
        in_lanes = _lanes_of(task, lane_of)
        if len(in_lanes) != 1:
            where = "outside every lane" if not in_lanes else f"in {len(in_lanes)} lanes ({', '.join(in_lanes)})"
            problem(line, f"user task '{task_id}' is {where}; it must sit in exactly one lane")
        properties = task_properties(task)
        form_name = properties.get(forms.FORM_PROPERTY)
        ui_name = properties.get(forms.UI_FORM_PROPERTY)
        generated = None
        if camunda_forms.form_data(task) is not None:
            if form_name:
                problem(line, f"user task '{task_id}' names form '{form_name}': its camunda:formData (generated "
                              "form fields) is not used", "warning")
            else:
                generated = form_name = properties[forms.FORM_PROPERTY] = _generated_form(task, result, problem)
        if not form_name:
            # A modeler's file often names no form: the task gets the generic one (selesai + catatan).
            form_name = properties[forms.FORM_PROPERTY] = forms.GENERIC_FORM
            result.forms.setdefault(forms.GENERIC_FORM, forms.GENERIC_FORM_TEXT)
            problem(line, f"user task '{task_id}' names no form (property '{forms.FORM_PROPERTY}' or "
                          f"camunda:formKey); it gets the generic form (selesai + catatan)", "warning")
        for name in filter(None, (form_name, ui_name)):
            if name in result.forms or name == generated:  # a generated form with errors: they are reported
                continue
            if name.startswith(_CAMUNDA_FORM_KEYS):
                problem(line, f"user task '{task_id}': form '{name}' is a Camunda form (HTML or Camunda Forms), "
                              "which Alur does not show; name a JSON Schema of forms/ (camunda:formKey="
                              "\"NAME.schema.json\") or use generated form fields (camunda:formData)")
                continue
            if "/" in name or "\\" in name or name.startswith("."):
                problem(line, f"user task '{task_id}': form file name '{name}' must be a plain file name")
                continue
            text = _read_form(forms_dir, name)
            if text is None:
                problem(line, f"user task '{task_id}': form '{name}' not found in {_describe(forms_dir)}")
                continue
            issues = forms.schema_problems(text) if name == form_name else []
            for issue in issues:
                problem(line, f"user task '{task_id}': form '{name}' is {issue}")
            if not issues:
                result.forms[name] = text
        _check_due_date(task_id, line, properties, problem)
        try:
            minutes = standard_minutes_of(properties)
        except ValueError:
            problem(line, f"user task '{task_id}': time standard '{properties.get('standardMinutes') or properties.get('waktu')}'"
                          f" is not a whole number of minutes between 0 and {MAX_STANDARD_MINUTES} (250 working days)")
            minutes = None
        if minutes is None:
            problem(line, f"user task '{task_id}' has no time standard (property 'standardMinutes' or 'waktu')",
                    "warning")
        result.user_tasks.append(
            UserTaskInfo(task_id, task.get("name") or task_id, (in_lanes or [None])[0], form_name, ui_name,
                         minutes, properties)
        )


def _check_due_date(task_id: str, line: int | None, properties: dict[str, str], problem) -> None:
    """A dueDate must be an ISO date-time or duration; an expression is dropped with a warning."""
    due = properties.get(due_dates.DUE_DATE_PROPERTY)
    if due is None:
        return
    if due_dates.is_expression(due):
        del properties[due_dates.DUE_DATE_PROPERTY]
        problem(line, f"user task '{task_id}': dueDate '{_short(due)}' is an expression, which Alur does not "
                      "evaluate; the task is due by its time standard instead (write an ISO date-time or "
                      "duration such as P3D to set its due time)", "warning")
        return
    issue = due_dates.problem(due)
    if issue is not None:
        problem(line, f"user task '{task_id}': dueDate {issue}")


# How camunda:formKey names an embedded HTML form, a deployed one or a Camunda Forms form.
_CAMUNDA_FORM_KEYS = ("embedded:", "app:", "deployment:", "camunda-forms:")


def _generated_form(task, result: CheckedFile, problem) -> str:
    """The name of the JSON Schema made from the task's camunda:formData, stored in `result.forms`
    (when it had errors, they are reported and the name is of no stored form)."""
    generated = camunda_forms.generate(task, task.get("name") or task.get("id"))
    for line, message, severity in generated.problems:
        problem(line or task.sourceline, message, severity)
    name = camunda_forms.form_file_name(task.get("id"))
    if generated.text is not None:
        result.forms[name] = generated.text
    return name


def _read_form(forms_dir, name: str) -> str | None:
    """Form text from a folder, or from a {name: text} mapping (a stored version's forms)."""
    if isinstance(forms_dir, dict):
        return forms_dir.get(name)
    path = Path(forms_dir) / name if forms_dir else None
    return path.read_text(encoding="utf-8") if path is not None and path.is_file() else None


def _describe(forms_dir) -> str:
    return "the stored forms" if isinstance(forms_dir, dict) else str(forms_dir)


def _check_gateways(process, problem) -> None:
    flows = {f.get("id"): f for f in process.xpath(".//bpmn:sequenceFlow", namespaces=NS)}
    for gateway in process.xpath(".//bpmn:exclusiveGateway | .//bpmn:inclusiveGateway", namespaces=NS):
        outgoing = [f for f in flows.values() if f.get("sourceRef") == gateway.get("id")]
        if len(outgoing) < 2:
            continue
        default = gateway.get("default")
        if default and default not in {f.get("id") for f in outgoing}:
            problem(gateway.sourceline, f"gateway '{gateway.get('id')}': default flow '{default}' does not leave it")
        unconditioned = [
            f.get("id") for f in outgoing
            if f.get("id") != default and not f.xpath("./bpmn:conditionExpression", namespaces=NS)
        ]
        if unconditioned:
            problem(
                gateway.sourceline,
                f"gateway '{gateway.get('id')}' splits but flows {', '.join(unconditioned)} have no condition"
                + ("" if default else " and it has no default flow"),
            )


# Elements whose text SpiffWorkflow evaluates: conditions must give True or False, the others any value.
_CONDITIONS = (".//bpmn:conditionExpression | .//bpmn:conditionalEventDefinition/bpmn:condition"
               " | .//bpmn:loopCondition | .//bpmn:completionCondition")
_VALUES = (".//bpmn:loopCardinality | .//bpmn:timeDate | .//bpmn:timeDuration | .//bpmn:timeCycle"
           " | .//spiffworkflow:messagePayload")
_SCRIPTS = ".//bpmn:scriptTask/bpmn:script | .//spiffworkflow:preScript | .//spiffworkflow:postScript"


def _check_expressions(process, problem) -> None:
    """Every condition, value expression and script in the expression language (runtime/expressions)."""
    for element in process.xpath(_CONDITIONS, namespaces=NS):
        if not (element.text or "").strip():
            problem(element.sourceline, "empty condition expression")
            continue
        for issue in expressions.problems(element.text, condition=True):
            problem(_line(element, issue), f"condition '{_short(element.text)}': {issue.message}")
    for element in process.xpath(_VALUES, namespaces=NS):
        for issue in expressions.problems(element.text):
            problem(_line(element, issue), f"expression '{_short(element.text)}': {issue.message}")
    for element in process.xpath(".//spiffworkflow:parameter[@value]", namespaces=NS):
        for issue in expressions.problems(element.get("value")):
            problem(element.sourceline, f"parameter '{element.get('name')}': {issue.message}")
    for element in process.xpath(_SCRIPTS, namespaces=NS):
        for issue in expressions.script_problems(element.text or ""):
            problem(_line(element, issue, strip=False), f"script: {issue.message}")


def _line(element, issue, strip: bool = True) -> int | None:
    """The file line of an expression's problem: the element's line, plus the lines before it in the text."""
    text = element.text or ""
    skipped = text[:len(text) - len(text.lstrip())].count("\n") if strip else 0
    return element.sourceline + skipped + (issue.line or 1) - 1 if element.sourceline else None


def _short(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= 80 else f"{text[:77]}..."

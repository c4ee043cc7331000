"""The Camunda and SpiffWorkflow extensions a file may carry that Alur does not run.

A file saved by Camunda Modeler may call Java code or a connector from a service task, run
scripts when a task is created (task and execution listeners) or map variables in and out
(camunda:inputOutput). Alur runs none of these. Where the element's work would not happen
at all (a service task's implementation, a DMN decision, a spiff-arena service operator)
the file is refused; where the step itself still happens and only a side effect is lost
(listeners, variable mappings) the deploy warns. Each names the element and its line; none
is dropped in silence. Engine hints that change nothing a person sees (camunda:asyncBefore,
camunda:exclusive, camunda:historyTimeToLive, camunda:jobPriority, camunda:versionTag ...)
are left alone.
"""
from __future__ import annotations

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS, "spiffworkflow": SPIFF_NS}

# Attributes that make an element call code of Camunda's engine.
_IMPLEMENTATIONS = {
    "class": "calls the Java class '{value}' (camunda:class)",
    "expression": "evaluates the expression '{value}' (camunda:expression)",
    "delegateExpression": "calls the delegate '{value}' (camunda:delegateExpression)",
}
_LISTENERS = {"taskListener": "task listener", "executionListener": "execution listener"}


def problems(process) -> list[tuple[int | None, str, str]]:
    """(line, message, severity) for each extension of `process` that Alur does not run."""
    found: list[tuple[int | None, str, str]] = []
    for element in process.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag.startswith(f"{{{BPMN_NS}}}"):
            found.extend(_implementation(element))
        elif element.tag.startswith(f"{{{CAMUNDA_NS}}}"):
            found.extend(_camunda_element(element))
    return found


def _name(element) -> str:
    """"service task 'archiveInvoice'" for a BPMN element."""
    kind = element.tag.split("}", 1)[1]
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in kind)
    return f"{words} '{element.get('id')}'"


def _owner(element):
    """The BPMN element an extension element belongs to."""
    for ancestor in element.iterancestors():
        if ancestor.tag.startswith(f"{{{BPMN_NS}}}") and ancestor.get("id") and \
                ancestor.tag != f"{{{BPMN_NS}}}extensionElements":
            return ancestor
    return element


def _implementation(element):
    kind = element.tag.split("}", 1)[1]
    line = element.sourceline
    for attribute, what in _IMPLEMENTATIONS.items():
        value = element.get(f"{{{CAMUNDA_NS}}}{attribute}")
        if value:
            yield line, f"{_name(element)} {what.format(value=_short(value))}; Alur runs no code of a model: " \
                        "remove it, or make the step a user task", "error"
    if element.get(f"{{{CAMUNDA_NS}}}type") == "external":
        topic = element.get(f"{{{CAMUNDA_NS}}}topic") or ""
        yield line, f"{_name(element)} is an external task (topic '{_short(topic)}'); Alur has no external " \
                    "workers: remove it, or make the step a user task", "error"
    if kind == "businessRuleTask":
        decision = element.get(f"{{{CAMUNDA_NS}}}decisionRef") or ""
        extensions = element.xpath("./bpmn:extensionElements/spiffworkflow:calledDecisionId", namespaces=NS)
        if decision or extensions:
            named = decision or (extensions[0].text or "").strip()
            yield line, f"{_name(element)} calls the DMN decision '{_short(named)}'; Alur does not run DMN " \
                        "decisions yet: decide it in a user task, or with a gateway's conditions", "error"
        else:
            yield line, f"{_name(element)} names no decision; it would do nothing: remove it, or make the " \
                        "step a user task", "error"
    if kind == "callActivity":
        case = element.get(f"{{{CAMUNDA_NS}}}caseRef")
        if case:
            yield line, f"{_name(element)} calls the CMMN case '{_short(case)}' (camunda:caseRef); Alur runs no " \
                        "CMMN cases: call a deployed process (calledElement), or make the step a user task", "error"
        elif not element.get("calledElement"):
            yield line, f"{_name(element)} names no process to call (calledElement)", "error"
    if kind == "serviceTask":
        operators = element.xpath("./bpmn:extensionElements/spiffworkflow:serviceTaskOperator", namespaces=NS)
        if operators:
            yield line, f"{_name(element)} calls the service '{_short(operators[0].get('id') or '')}' " \
                        "(spiffworkflow:serviceTaskOperator); Alur runs no service: remove it, or make the step " \
                        "a user task", "error"
        elif not any(element.get(f"{{{CAMUNDA_NS}}}{a}") for a in (*_IMPLEMENTATIONS, "type")) and \
                not element.xpath("./bpmn:extensionElements/camunda:connector", namespaces=NS):
            yield line, f"{_name(element)} names no implementation; the engine cannot run it: remove it, or " \
                        "make the step a user task", "error"


def _camunda_element(element):
    kind = element.tag.split("}", 1)[1]
    owner = _owner(element)
    line = element.sourceline
    if kind in _LISTENERS:
        event = element.get("event") or ""
        yield line, f"{_name(owner)}: its {_LISTENERS[kind]} ({event or 'every event'}) is not run by Alur; " \
                    "what it does (a script, a class, an expression) does not happen", "warning"
    elif kind == "connector":
        connector_id = element.xpath("./camunda:connectorId", namespaces=NS)
        named = (connector_id[0].text or "").strip() if connector_id else ""
        yield line, f"{_name(owner)} calls the connector '{_short(named)}' (camunda:connector); Alur runs no " \
                    "connector: remove it, or make the step a user task", "error"
    elif kind in ("in", "out") and owner.tag == f"{{{BPMN_NS}}}callActivity":
        yield line, f"{_name(owner)}: its variable mapping (camunda:{kind}) is not applied by Alur; the called " \
                    "process gets all the data of the caller and gives all of its data back", "warning"
    elif kind == "inputOutput" and element.getparent() is not None and \
            element.getparent().tag == f"{{{BPMN_NS}}}extensionElements":
        yield line, f"{_name(owner)}: its input/output mapping (camunda:inputOutput) is not applied by Alur; " \
                    "the step sees and changes the process data as it is", "warning"


def _short(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= 80 else f"{text[:77]}..."

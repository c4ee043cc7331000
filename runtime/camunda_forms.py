"""Camunda generated forms (`camunda:formData`) as the JSON Schema forms Alur runs.

Camunda Modeler writes a task's form fields into the BPMN itself: each `camunda:formField`
has an id (the data field), a label, a type (string, long, boolean, date, enum), a default
value and validation constraints (required, minlength, maxlength, min, max). At deploy they
become a JSON Schema, stored with the version like any file of forms/. What has no JSON Schema
counterpart (a custom type or validator, a read-only field, field properties) is refused or
warned about with its line, never dropped in silence.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
NS = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL", "camunda": CAMUNDA_NS}
# A string field without a maxlength constraint: one line of text, as Camunda's own form shows it.
DEFAULT_MAX_LENGTH = 500
_FIELD_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LENGTHS = {"minlength": "minLength", "maxlength": "maxLength"}
_BOUNDS = {"min": "minimum", "max": "maximum"}


@dataclass
class GeneratedForm:
    """A task's camunda:formData as a JSON Schema (None when it had errors), and what was wrong."""

    schema: dict | None
    problems: list[tuple[int | None, str, str]] = field(default_factory=list)  # (line, message, severity)

    @property
    def text(self) -> str | None:
        return json.dumps(self.schema, indent=2, ensure_ascii=False) if self.schema is not None else None


def form_data(element):
    """The element's camunda:formData, or None."""
    found = element.xpath("./bpmn:extensionElements/camunda:formData", namespaces=NS)
    return found[0] if found else None


def form_file_name(task_id: str) -> str:
    """The name the generated form of task `task_id` is stored under with its version."""
    return f"camunda-{task_id}.schema.json"


def generate(element, title: str) -> GeneratedForm:
    """The JSON Schema of `element`'s camunda:formData (a task's; its name is the form's `title`)."""
    result = GeneratedForm(None)
    task_id = element.get("id")

    def problem(line, message, severity="error"):
        result.problems.append((line, f"task '{task_id}', form field {message}", severity))

    properties: dict[str, dict] = {}
    required: list[str] = []
    data = form_data(element)
    for form_field in data.xpath("./camunda:formField", namespaces=NS) if data is not None else []:
        name, line = form_field.get("id") or "", form_field.sourceline
        if not _FIELD_ID.fullmatch(name):
            problem(line, f"'{name}': the id must be a name of letters, digits and _ (it names the data field)")
            continue
        if name in properties:
            problem(line, f"'{name}' appears twice")
            continue
        prop = _field_schema(form_field, name, problem)
        if prop is None:
            continue
        if _constraints(form_field, name, prop, problem):
            required.append(name)
        if form_field.xpath("./camunda:properties/camunda:property", namespaces=NS):
            problem(line, f"'{name}': its camunda:properties are not used by Alur's forms", "warning")
        if prop.pop("readOnly", False):
            problem(line, f"'{name}' is read-only: Alur's forms have no read-only fields, so it is left out "
                          "of the form", "warning")
            continue
        properties[name] = prop
    if any(severity == "error" for _, _, severity in result.problems):
        return result
    if not properties:
        problem(data.sourceline if data is not None else element.sourceline, "list is empty: the task has no field "
                "to fill in; name a form (camunda:formKey) or add form fields")
        return result
    result.schema = {"type": "object", "title": title, "properties": properties, "required": required,
                     "additionalProperties": False}
    return result


def _field_schema(form_field, name: str, problem) -> dict | None:
    kind, line = form_field.get("type") or "", form_field.sourceline
    prop: dict = {"title": form_field.get("label") or name}
    if kind == "string":
        prop.update(type="string", maxLength=DEFAULT_MAX_LENGTH)
    elif kind == "long":
        prop["type"] = "integer"
    elif kind == "boolean":
        prop["type"] = "boolean"
    elif kind == "date":
        prop.update(type="string", format="date")
    elif kind == "enum":
        values = form_field.xpath("./camunda:value", namespaces=NS)
        ids = [v.get("id") or "" for v in values]
        if not values or "" in ids or len(set(ids)) != len(ids):
            problem(line, f"'{name}': an enum needs camunda:value entries, each with its own id")
            return None
        prop.update(type="string", enum=ids, **{"x-enumNames": [v.get("name") or v.get("id") for v in values]})
    else:
        problem(line, f"'{name}': type '{kind}' has no Alur form field; use string, long, boolean, date or enum")
        return None
    default = form_field.get("defaultValue")
    if default is not None and default != "":
        if default.lstrip().startswith(("${", "#{")):
            problem(line, f"'{name}': the default value '{default[:60]}' is an expression; Alur evaluates no "
                          "expression in a form, write the value itself")
            return None
        value = _typed_default(prop, default)
        if value is None:
            problem(line, f"'{name}': the default value '{default[:60]}' is not a {kind}")
            return None
        prop["default"] = value
    return prop


def _typed_default(prop: dict, text: str):
    """The default value as the field's JSON value, or None when it is not one."""
    kind = prop["type"]
    if kind == "integer":
        return int(text) if re.fullmatch(r"-?\d{1,18}", text.strip()) else None
    if kind == "boolean":
        return {"true": True, "false": False}.get(text.strip().lower())
    if prop.get("format") == "date":
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):  # ISO, or Camunda's own dd/MM/yyyy
            try:
                return datetime.strptime(text.strip(), pattern).date().isoformat()
            except ValueError:
                continue
        return None
    if "enum" in prop:
        return text if text in prop["enum"] else None
    return text if len(text) <= prop.get("maxLength", DEFAULT_MAX_LENGTH) else None


def _constraints(form_field, name: str, prop: dict, problem) -> bool:
    """Put the field's validation constraints into `prop`; True when it is required."""
    required = False
    for constraint in form_field.xpath("./camunda:validation/camunda:constraint", namespaces=NS):
        kind, config, line = constraint.get("name") or "", (constraint.get("config") or "").strip(), constraint.sourceline
        if kind == "required":
            required = True
        elif kind == "readonly":
            prop["readOnly"] = True
        elif kind in _LENGTHS and prop["type"] == "string" and "enum" not in prop and "format" not in prop:
            if not config.isdigit():
                problem(line, f"'{name}': {kind} needs a whole number, not '{config[:40]}'")
                continue
            prop[_LENGTHS[kind]] = int(config)
        elif kind in _BOUNDS and prop["type"] == "integer":
            if not re.fullmatch(r"-?\d{1,18}", config):
                problem(line, f"'{name}': {kind} needs a whole number, not '{config[:40]}'")
                continue
            prop[_BOUNDS[kind]] = int(config)
        elif kind in _BOUNDS and prop.get("format") == "date":
            # JSON Schema bounds numbers only: a date bound has no counterpart in the form.
            problem(line, f"'{name}': a {kind} date is not checked by Alur's forms", "warning")
        elif kind in (*_LENGTHS, *_BOUNDS):
            problem(line, f"'{name}': {kind} does not apply to a {form_field.get('type')} field")
        else:
            problem(line, f"'{name}': validation constraint '{kind[:60]}' is not one Alur runs (required, "
                          "minlength, maxlength, min, max, readonly)")
    if prop.get("minLength", 0) > prop.get("maxLength", DEFAULT_MAX_LENGTH):
        problem(form_field.sourceline, f"'{name}': minlength is above maxlength")
    if "minimum" in prop and "maximum" in prop and prop["minimum"] > prop["maximum"]:
        problem(form_field.sourceline, f"'{name}': min is above max")
    return required

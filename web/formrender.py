"""A task's JSON Schema form as HTML fields, and the posted fields back as form data.

Widgets by schema: string -> text (long text when maxLength > 500), `format:
date` -> date, `format: "alur-attachment"` -> file, enum -> choice (radio
buttons for up to four options, labelled by `x-enumNames`), integer/number ->
number, boolean -> checkbox. The runtime validates; the browser checks first what HTML
can say (required, lengths, min/max, pattern), so most mistakes are caught before the
round trip. This module converts what the browser sends into JSON values.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from alur.runtime.attachments import ATTACHMENT_FORMAT, Upload

LONG_TEXT_FROM = 500


@dataclass
class Field:
    name: str
    label: str
    widget: str  # text | textarea | number | date | radio | select | checkbox | file
    required: bool = False
    value: object = None
    error: str | None = None
    help: str | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    attrs: dict[str, object] = field(default_factory=dict)


def _widget(prop: dict) -> str:
    if prop.get("x-widget"):
        return prop["x-widget"]
    kind = prop.get("type")
    if "enum" in prop:
        return "radio" if len(prop["enum"]) <= 4 else "select"
    if kind == "boolean":
        return "checkbox"
    if kind in ("integer", "number"):
        return "number"
    if prop.get("format") == "date":
        return "date"
    if prop.get("format") == ATTACHMENT_FORMAT:
        return "file"
    if prop.get("maxLength", LONG_TEXT_FROM + 1) > LONG_TEXT_FROM:
        return "textarea"
    return "text"


def _conditional_hints(schema: dict) -> dict[str, str]:
    """'wajib jika ...' for fields an if/then makes required (e.g. catatan when returning)."""
    condition, then = schema.get("if", {}), schema.get("then", {})
    hints = {}
    for name, rule in condition.get("properties", {}).items():
        if "const" not in rule:
            continue
        prop = schema.get("properties", {}).get(name, {})
        labels = dict(zip(prop.get("enum", []), prop.get("x-enumNames", [])))
        shown = labels.get(rule["const"], rule["const"])
        for required in then.get("required", []):
            hints[required] = f"Wajib diisi jika {prop.get('title', name)}: {shown}."
    return hints


def fields_of(schema: dict, values: dict | None = None, errors: dict | None = None) -> list[Field]:
    """The fields of a form schema, in its order, with posted values and error messages."""
    values, errors = values or {}, errors or {}
    required = set(schema.get("required", []))
    hints = _conditional_hints(schema)
    fields = []
    for name, prop in schema.get("properties", {}).items():
        widget = _widget(prop)
        value = values.get(name, prop.get("default"))
        attrs: dict[str, object] = {}
        for key, attr in (("minLength", "minlength"), ("maxLength", "maxlength"),
                          ("minimum", "min"), ("maximum", "max")):
            if key in prop and widget not in ("file", "radio", "select", "checkbox"):
                attrs[attr] = prop[key]
        if widget == "number":
            attrs["step"] = "1" if prop.get("type") == "integer" else "any"
        if "pattern" in prop and widget == "text":
            # JSON Schema's pattern matches anywhere; the browser's must match the whole value.
            attrs["pattern"] = f".*(?:{prop['pattern']}).*"
        if name in required and widget not in ("checkbox", "file"):
            attrs["required"] = "required"
        help_text = " ".join(t for t in (prop.get("description"), hints.get(name)) if t) or None
        options = []
        if "enum" in prop:
            names = prop.get("x-enumNames", [])
            options = [(str(v), names[i] if i < len(names) else str(v)) for i, v in enumerate(prop["enum"])]
        fields.append(Field(
            name=name, label=prop.get("title", name.replace("_", " ").capitalize()), widget=widget,
            required=name in required, value=value, error=errors.get(name), help=help_text,
            options=options, attrs=attrs,
        ))
    return fields


def parse(schema: dict, form, files) -> tuple[dict, dict[str, Upload]]:
    """(data, uploads) from a posted form: typed JSON values for the schema's fields.

    Empty inputs are left out, so a missing required field is reported by the
    runtime as "wajib diisi"; a number that does not parse is passed on as
    text, so the runtime names that field too.
    """
    data: dict = {}
    uploads: dict[str, Upload] = {}
    for name, prop in schema.get("properties", {}).items():
        widget = _widget(prop)
        if widget == "file":
            upload = files.get(name)
            if upload is not None and upload.filename:
                uploads[name] = Upload(upload.filename, upload.stream)
            elif kept := (form.get(name) or "").strip():
                data[name] = kept  # a file kept from a refused submit, by its stored name (checked by the runtime)
            continue
        if widget == "checkbox":
            data[name] = form.get(name) in ("on", "true", "1", "ya")
            continue
        raw = (form.get(name) or "").strip()
        if raw == "":
            continue
        data[name] = _typed(prop, raw)
    return data, uploads


def _typed(prop: dict, raw: str):
    kind = prop.get("type")
    try:
        if kind == "integer":
            return int(raw)
        if kind == "number":
            return float(raw.replace(",", "."))
    except ValueError:
        return raw
    return raw

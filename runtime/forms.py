"""User-task forms: JSON Schemas in forms/, checked at deploy, enforced on complete."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError

FORM_PROPERTY = "formJsonSchemaFilename"
UI_FORM_PROPERTY = "formUiSchemaFilename"
_format_checker = FormatChecker()
# The form a user task gets when its file names none: "selesai" (done) and an optional note.
GENERIC_FORM = "alur-umum.schema.json"
GENERIC_FORM_TEXT = json.dumps({
    "type": "object",
    "title": "Penyelesaian tugas",
    "properties": {
        "selesai": {"type": "boolean", "const": True, "title": "Selesai"},
        "catatan": {"type": "string", "title": "Catatan", "maxLength": 2000},
    },
    "required": ["selesai"],
    "additionalProperties": False,
}, indent=2)


def form_names(forms_dir: Path) -> list[str]:
    """The form files a user task may name: the JSON files of `forms_dir`, sorted."""
    return sorted(p.name for p in Path(forms_dir).glob("*.json") if p.is_file())


@_format_checker.checks("alur-attachment")
def _is_attachment_reference(value) -> bool:
    # An attachment is referred to by the generated name Alur stored it under.
    return isinstance(value, str) and "/" not in value and "\\" not in value and ".." not in value


class FormDataInvalid(ValueError):
    """Submitted data does not satisfy the task's form; `errors` maps field -> message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


def schema_problems(text: str) -> list[str]:
    """Why `text` is not a usable JSON Schema (empty when it is)."""
    try:
        schema = json.loads(text)
    except json.JSONDecodeError as exc:
        return [f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [f"not a valid JSON Schema: {exc.message}"]
    if schema.get("type") != "object":
        return ["a form schema must have type 'object'"]
    return []


def validate(schema: dict, data: dict) -> dict:
    """Return `data` if it satisfies `schema`; raise FormDataInvalid naming each bad field.

    Fields are named by their path ("lampiran.0.nama" for a nested one); messages are in
    Bahasa Indonesia, since the person filling in the form reads them.
    """
    if not isinstance(data, dict):
        raise FormDataInvalid({"_": "data harus berupa objek JSON"})
    validator = Draft202012Validator(schema, format_checker=_format_checker)
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        where = [str(p) for p in error.absolute_path]
        if error.validator == "required" and isinstance(error.instance, dict):
            for name in error.validator_value:
                if name not in error.instance:
                    errors.setdefault(".".join([*where, name]), "wajib diisi")
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = set(error.schema.get("properties", {}))
            for extra in sorted(set(error.instance) - known):
                errors.setdefault(".".join([*where, extra]), "isian tidak dikenal")
        else:
            errors.setdefault(".".join(where) or "_", _message(error))
    if errors:
        raise FormDataInvalid(errors)
    return data


_TYPE_NAMES = {"string": "teks", "integer": "bilangan bulat", "number": "angka", "boolean": "ya/tidak",
               "array": "daftar", "object": "objek", "null": "kosong"}


def _message(error) -> str:
    kind, value = error.validator, error.validator_value
    if kind == "enum":
        return "pilihan tidak dikenal"
    if kind == "minLength":
        return f"minimal {value} karakter"
    if kind == "maxLength":
        return f"maksimal {value} karakter"
    if kind == "type":
        kinds = value if isinstance(value, list) else [value]
        return "harus berupa " + " atau ".join(_TYPE_NAMES.get(k, str(k)) for k in kinds)
    if kind == "format":
        return f"format {value} tidak sah"
    if kind in ("minimum", "maximum"):
        return f"{'minimal' if kind == 'minimum' else 'maksimal'} {value}"
    if kind in ("exclusiveMinimum", "exclusiveMaximum"):
        return f"harus {'lebih dari' if kind == 'exclusiveMinimum' else 'kurang dari'} {value}"
    if kind in ("minItems", "maxItems"):
        return f"{'minimal' if kind == 'minItems' else 'maksimal'} {value} butir"
    if kind == "uniqueItems":
        return "butir tidak boleh berulang"
    if kind == "multipleOf":
        return f"harus kelipatan {value}"
    if kind == "pattern":
        return "bentuk isian tidak sesuai"
    if kind == "const":
        return "harus dicentang" if value is True else "nilai tidak sah"
    return "nilai tidak sah"


def sample_data(schema: dict, decision: str | None = None) -> dict:
    """Data a user would plausibly enter: every required field, valid for the schema.

    `decision` fills a review form's `keputusan` ("setuju" or "kembalikan").
    """
    data = {}
    properties = schema.get("properties", {})
    for name, prop in properties.items():
        if name == "keputusan" and decision is not None:
            data[name] = decision
        elif name in schema.get("required", []) or name == "catatan":
            data[name] = _sample_value(name, prop)
    if decision == "kembalikan" and "catatan" in properties:
        data["catatan"] = "Mohon diperbaiki sesuai koreksi."
    return data


def _sample_value(name: str, prop: dict):
    if "const" in prop:
        return prop["const"]
    if "enum" in prop:
        return prop.get("default", prop["enum"][0])
    kind = prop.get("type")
    if kind == "boolean":
        return True
    if kind == "integer":
        return max(prop.get("minimum", 1), 1)
    if kind == "number":
        return 1.0
    if prop.get("format") == "date":
        return date(2026, 1, 5).isoformat()
    if prop.get("format") == "alur-attachment":
        return "lampiran-contoh.pdf"
    return f"Isian {name.replace('_', ' ')}"

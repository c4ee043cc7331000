"""The case file (berkas proses): what every completed step of an instance recorded.

Each completion (or return) of a user task is an entry of the audit log that keeps the data
its form submitted (runtime/engine.py, Alur._complete). The case file reads those entries
back the way a clerk reads a paper file: newest first, each step with the labels of its form
(JSON Schema titles, `x-enumNames`), values as people write them (dates "4 Desember 2026",
numbers "1.234,5", booleans Ya/Tidak), the documents it attached, and who did it by name and
jabatan. A step returned and redone appears once per completion.

`build` is pure (entries, steps, forms, attachments and people in; the case file out);
`case_file` reads them for one instance, for a user who may see it. No Flask here.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import select

from . import directory
from .access import Actor
from .attachments import ATTACHMENT_FORMAT, AttachmentView
from .engine import Alur, AuditView, TaskView
from .models import Attachment, AuditEntry, HumanTask
from .people import People, people

COMPLETIONS = ("complete", "return")
LOCALE = "id"
MISSING_FILE = "(berkas tidak ditemukan)"


@dataclass(frozen=True)
class FileLink:
    """A document of the case: `name` is the generated name the download route takes."""

    name: str
    original_name: str
    size: int


@dataclass(frozen=True)
class RecordedField:
    """One field a step filled: its form label and its value as text (or the files it names)."""

    name: str
    label: str
    text: str
    files: tuple[FileLink, ...] = ()
    long: bool = False  # text of several lines or a long one: shown as a paragraph


@dataclass(frozen=True)
class RecordedStep:
    """One completion of a user task, as the case file shows it."""

    entry_id: int
    task_id: str
    step_name: str
    form_title: str | None
    returned: bool  # the step sent the case back (keputusan: kembalikan)
    at: datetime  # UTC; pages show it in the organisation's time zone
    by_name: str
    by_jabatan: str | None
    fields: tuple[RecordedField, ...]
    files: tuple[FileLink, ...]  # documents uploaded on the step that no field names


def format_value(prop: Mapping, value) -> str:
    """A submitted value as the form's reader writes it, by its JSON Schema property `prop`."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "Ya" if value else "Tidak"
    if "enum" in prop:
        names = prop.get("x-enumNames") or []
        for i, option in enumerate(prop["enum"]):
            if option == value and i < len(names):
                return str(names[i])
    if isinstance(value, (int, float)):
        return format_decimal(value, locale=LOCALE)
    if isinstance(value, str) and prop.get("format") == "date":
        try:
            return format_date(date.fromisoformat(value), "d MMMM y", locale=LOCALE)
        except ValueError:
            return value
    if isinstance(value, list):
        items = prop.get("items")
        items = items if isinstance(items, Mapping) else {}
        return ", ".join(format_value(items, item) for item in value) or "-"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _label(name: str, prop: Mapping) -> str:
    # The same fallback as the form's own field (web/formrender.py): "jumlah_berkas" -> "Jumlah berkas".
    return str(prop.get("title") or name.replace("_", " ").capitalize())


def _is_long(text: str) -> bool:
    return "\n" in text or len(text) > 120


def _fields(data: Mapping, schema: Mapping, files_by_name: Mapping[str, FileLink]) -> list[RecordedField]:
    properties: Mapping = schema.get("properties") or {}
    # The form's order first, then whatever else the data holds (an older form, the API).
    names = [n for n in properties if n in data] + [n for n in data if n not in properties]
    fields = []
    for name in names:
        prop = properties.get(name) or {}
        value = data[name]
        if value == "" or value is None:
            continue
        if prop.get("format") == ATTACHMENT_FORMAT:
            references = value if isinstance(value, list) else [value]
            found = tuple(files_by_name[r] for r in references if isinstance(r, str) and r in files_by_name)
            text = "" if len(found) == len(references) else MISSING_FILE
            fields.append(RecordedField(name, _label(name, prop), text, files=found))
            continue
        text = format_value(prop, value)
        fields.append(RecordedField(name, _label(name, prop), text, long=_is_long(text)))
    return fields


def build(entries: Iterable[AuditView], steps: Mapping[str, TaskView], forms: Mapping[str, dict],
          attachments: Iterable[AttachmentView], persons: People) -> list[RecordedStep]:
    """The case file of an instance, newest completion first.

    `entries`: its audit entries (only completions and returns of tasks are used); `steps`: its
    user tasks by task id (for the step's name and form); `forms`: form name -> JSON Schema, of
    the instance's version; `attachments`: its documents; `persons`: who's who, by user name.
    """
    attachments = list(attachments)
    files_by_name = {a.name: FileLink(a.name, a.original_name, a.size) for a in attachments}
    recorded = []
    for entry in entries:
        if entry.action not in COMPLETIONS or entry.task_id is None:
            continue
        step = steps.get(entry.task_id)
        schema = forms.get(step.form, {}) if step is not None and step.form else {}
        data = entry.data if isinstance(entry.data, Mapping) else {}
        fields = _fields(data, schema, files_by_name)
        named = {f.name for field in fields for f in field.files}
        loose = tuple(files_by_name[a.name] for a in attachments
                      if a.task_id == entry.task_id and a.name not in named)
        person = persons.person(entry.actor)
        recorded.append(RecordedStep(
            entry_id=entry.id, task_id=entry.task_id,
            step_name=step.name if step is not None else (entry.task_spec or "-"),
            form_title=schema.get("title"), returned=entry.action == "return", at=entry.at,
            by_name=person.name if person is not None else persons.get(entry.actor),
            by_jabatan=person.jabatan if person is not None else None,
            fields=tuple(fields), files=loose,
        ))
    recorded.sort(key=lambda s: s.entry_id, reverse=True)
    return recorded


def case_file(alur: Alur, instance_id: int, actor: Actor | str) -> list[RecordedStep]:
    """The case file of instance `instance_id` (see `build`), for `actor` (or the user of that name):
    NotFound, as if the instance did not exist, unless they may see the instance."""
    with alur.sessions() as session:
        if isinstance(actor, str):
            actor = directory.actor(alur, actor, session)
        instance = alur.visible_instance(session, instance_id, actor)
        version = alur.version(session, instance.version_id)
        entries = [AuditView(**{f: getattr(r, f) for f in AuditView.__dataclass_fields__})
                   for r in session.scalars(select(AuditEntry).where(
                       AuditEntry.instance_id == instance_id, AuditEntry.action.in_(COMPLETIONS))
                       .order_by(AuditEntry.id))]
        steps = {r.id: TaskView.of(r) for r in session.scalars(
            select(HumanTask).where(HumanTask.instance_id == instance_id))}
        attachments = [AttachmentView.of(r) for r in session.scalars(
            select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.id))]
        org = instance.org
    forms = {name: alur.form(version, name) for name in {s.form for s in steps.values() if s.form}
             if name in version.forms}
    return build(entries, steps, forms, attachments, people(alur, org))

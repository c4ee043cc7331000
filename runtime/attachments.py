"""Documents attached to an instance while working on one of its tasks.

The bytes live in a blob store (runtime/blobstore.py: the database, or
<instance_dir>/attachments/) under a generated name (never the uploader's file
name), outside anything a web server serves; a row in
`attachments` keeps the original name, type, size, hash, who and when. A form
field with `format: "alur-attachment"` holds the generated name.
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import func, select

from . import access, blobstore, db, directory, forms, views
from .access import SYSTEM, Actor
from .engine import Alur, AlurError, InstanceView, InvalidData, NotFound
from .models import Attachment, utcnow

MAX_BYTES = 10 * 1024 * 1024


def _mib(size: int) -> str:
    """A size in MiB as people read it here: "50 MiB", "12,5 MiB"."""
    text = f"{size / (1024 * 1024):.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} MiB"

# Extension -> (content type, leading bytes the file must start with).
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF",)),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", (b"PK\x03\x04",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}
ATTACHMENT_FORMAT = "alur-attachment"


@dataclass
class AttachmentView:
    id: int
    name: str
    instance_id: int
    task_id: str | None
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime

    @classmethod
    def of(cls, row: Attachment) -> "AttachmentView":
        return cls(**{f: getattr(row, f) for f in cls.__dataclass_fields__})

    def to_dict(self) -> dict:
        return {**asdict(self), "uploaded_at": self.uploaded_at.isoformat()}


@dataclass
class Upload:
    """A file as it arrives: the uploader's file name and its bytes."""

    filename: str
    stream: BinaryIO
    _content: bytes | None = field(default=None, repr=False)

    def content(self) -> bytes:
        """The bytes (at most MAX_BYTES + 1: enough to tell a file is too large), read once."""
        if self._content is None:
            self._content = self.stream.read(MAX_BYTES + 1)
        return self._content


def upload_problem(upload: Upload) -> str | None:
    """Why an upload cannot be stored (in Bahasa Indonesia, for the user), or None."""
    extension = Path(upload.filename or "").suffix.lower()
    if not upload.filename:
        return "pilih berkas yang akan diunggah"
    if not upload.filename.isprintable() or len(upload.filename) > 500:
        return "nama berkas tidak sah (karakter kendali, atau lebih dari 500 karakter)"
    if extension not in ALLOWED_TYPES:
        return "jenis berkas tidak diizinkan (hanya pdf, doc, docx, xls, xlsx, odt, ods, png, jpg)"
    content = upload.content()
    if not content:
        return "berkas kosong"
    if len(content) > MAX_BYTES:
        return "berkas terlalu besar (maksimal 10 MiB)"
    if not content.startswith(ALLOWED_TYPES[extension][1]):
        return f"isi berkas bukan {extension.lstrip('.')} yang sah"
    return None


class Attachments:
    """The attachment store of one Alur engine."""

    def __init__(self, alur: Alur):
        self.alur = alur
        self.folder = Path(alur.settings.instance_dir) / "attachments"
        self.blobs = blobstore.for_engine(alur.settings, alur.db)

    # ------------------------------------------------------------- writing

    def store(self, task_id: str, user: str, upload: Upload, field: str = "berkas") -> AttachmentView:
        """Store an upload on a ready task the user may work on, as a document of the instance
        (kept whether or not a completion names it).

        Refuses with InvalidData({field: message}) a file of a type not
        allowed, larger than 10 MiB, empty, whose content does not match its
        extension, or that would pass the task's or the instance's quota
        (settings.attachment_limits); Forbidden/Conflict/NotFound as for completing the task.
        """
        task = self._workable_task(task_id, user)
        problem = upload_problem(upload)
        if problem:
            raise InvalidData({field: problem})
        return self._write(task.instance_id, task.id, user, upload, field=field)

    def complete(self, task_id: str, user: str, data: dict, uploads: dict[str, Upload] | None = None,
                 expected_revision: int | None = None, keep_files: bool = False) -> InstanceView:
        """Complete a task whose form may carry files: store each upload, put its
        generated name in its field, and complete the task with the data.

        Every file and every field is checked before anything is stored, and
        all errors are raised together as InvalidData; if completing fails,
        the files stored for it are removed again, so nothing changes.
        An attachment field given as text must name an attachment of the same instance.
        With `keep_files` (a person at the task page), the good files of a completion refused for
        other fields are stored all the same and named in the error's `kept`, so that the form
        shown again still holds them; the task and the instance stay as they were.
        """
        uploads = {name: u for name, u in (uploads or {}).items() if u is not None and u.filename}
        if not uploads:  # nothing to store: one transaction of the engine checks everything
            return self.alur.complete(task_id, user, data, expected_revision=expected_revision,
                                      check=self._references_problems)
        task = self._workable_task(task_id, user)
        details = views.task_details(self.alur, task_id)
        schema = details["form"] or {}
        fields = schema.get("properties", {})
        errors: dict[str, str] = {}
        for name, upload in uploads.items():
            if fields.get(name, {}).get("format") != ATTACHMENT_FORMAT:
                errors[name] = "isian ini tidak menerima berkas"
            elif problem := upload_problem(upload):
                errors[name] = problem
        with self.alur.sessions() as session:  # all the files together, before any is stored
            adding = [len(u.content()) for name, u in uploads.items() if name not in errors]
            if adding and (problem := self._quota_problem(session, task.instance_id, task.id, adding)):
                errors.update({name: problem for name in uploads if name not in errors})
        data = dict(data)
        with self.alur.sessions() as session:
            errors.update(self._references_problems(session, task, schema,
                                                    {k: v for k, v in data.items() if k not in uploads}))
        placeholder = {name: "berkas-baru.pdf" for name in uploads if name not in errors}
        if schema:
            try:
                forms.validate(schema, {**data, **placeholder})
            except forms.FormDataInvalid as exc:
                for name, message in exc.errors.items():
                    errors.setdefault(name, message)
        if errors:
            raise InvalidData(errors, kept=self._keep(task, user, uploads, errors) if keep_files else None)
        stored = []
        try:
            for name, upload in uploads.items():
                view = self._write(task.instance_id, task.id, user, upload, field=name, form_field=name)
                stored.append(view)
                data[name] = view.name
            return self.alur.complete(task_id, user, data, expected_revision=expected_revision)
        except BaseException:
            for view in stored:
                self._discard(view.name)
            raise

    def _keep(self, task, user: str, uploads: dict[str, Upload], errors: dict[str, str]) -> dict[str, AttachmentView]:
        """Store the good files of a completion refused for other fields, so that the user need not
        choose them again: the form shown again names each and sends it back by name. A file no
        completion names is removed after the grace period (runtime/attachments_cleanup.py)."""
        kept = {}
        for name, upload in uploads.items():
            if name not in errors:
                try:
                    kept[name] = self._write(task.instance_id, task.id, user, upload, field=name, form_field=name)
                except AlurError:  # the quota filled meanwhile: this one is chosen again, the errors stand
                    continue
        return kept

    @staticmethod
    def _references_problems(session, task, schema: dict, data: dict) -> dict[str, str]:
        """Attachment fields given as text must name an attachment of the task's instance."""
        fields = schema.get("properties", {})
        references = {name: value for name, value in data.items()
                      if fields.get(name, {}).get("format") == ATTACHMENT_FORMAT and isinstance(value, str)}
        if not references:
            return {}
        known = set(session.scalars(select(Attachment.name).where(Attachment.instance_id == task.instance_id)))
        return {name: "lampiran tidak dikenal pada proses ini" for name, value in references.items()
                if value not in known}

    # ------------------------------------------------------------- reading

    def for_instance(self, instance_id: int, actor: Actor = SYSTEM) -> list[AttachmentView]:
        """The attachments of an instance, oldest first (NotFound if `actor` may not see the instance)."""
        with self.alur.sessions() as session:
            self.alur.check_visible(session, instance_id, actor)
            rows = session.scalars(
                select(Attachment).where(Attachment.instance_id == instance_id).order_by(Attachment.id)
            )
            return [AttachmentView.of(r) for r in rows]

    def get(self, name: str) -> AttachmentView:
        """The attachment stored under the generated `name` (NotFound if none)."""
        with self.alur.sessions() as session:
            row = session.scalars(select(Attachment).where(Attachment.name == name)).first()
            if row is None:
                raise NotFound(f"attachment {name} does not exist")
            return AttachmentView.of(row)

    def open_for(self, actor: Actor, name: str) -> tuple[AttachmentView, BinaryIO]:
        """The attachment and a reader of its bytes (to close after use), if `actor` may see its instance.

        An attachment of an instance the actor may not see is NotFound, as if it did not exist.
        """
        view = self.get(name)
        with self.alur.sessions() as session:
            try:
                self.alur.check_visible(session, view.instance_id, actor)
            except NotFound:
                raise NotFound(f"attachment {name} does not exist") from None
        reader = self.blobs.open(view.name)
        if reader is None:
            raise NotFound(f"attachment {name} is missing from storage")
        return view, reader

    # ------------------------------------------------------------- helpers

    def _workable_task(self, task_id: str, user: str):
        """The task, if `user` may complete it (and so attach files to it); else the policy's refusal."""
        task = self.alur.task(task_id)
        access.check_task(directory.actor(self.alur, user), task, "complete")
        return task

    def _quota_problem(self, session, instance_id: int, task_id: str | None, adding: list[int]) -> str | None:
        """Why files of these sizes may not be added to the task and instance (or None)."""
        limits = self.alur.settings.attachment_limits
        on_task, task_bytes = session.execute(
            select(func.count(), func.coalesce(func.sum(Attachment.size), 0))
            .where(Attachment.instance_id == instance_id, Attachment.task_id == task_id)).one()
        instance_bytes = session.scalar(select(func.coalesce(func.sum(Attachment.size), 0))
                                        .where(Attachment.instance_id == instance_id))
        if on_task + len(adding) > limits.files_per_task:
            return (f"tugas ini sudah memiliki {on_task} lampiran; batasnya {limits.files_per_task} berkas per tugas")
        if task_bytes + sum(adding) > limits.bytes_per_task:
            return (f"lampiran tugas ini akan melebihi batas {_mib(limits.bytes_per_task)} per tugas "
                    f"(sudah {_mib(task_bytes)})")
        if instance_bytes + sum(adding) > limits.bytes_per_instance:
            return (f"lampiran proses ini akan melebihi batas {_mib(limits.bytes_per_instance)} per proses "
                    f"(sudah {_mib(instance_bytes)})")
        return None

    def _write(self, instance_id: int, task_id: str | None, user: str, upload: Upload, field: str = "berkas",
               form_field: str | None = None) -> AttachmentView:
        """Store one checked upload: the row and the file in one transaction, under the instance's
        quota (checked under a lock per instance, so workers cannot together pass it)."""
        content = upload.content()
        extension = Path(upload.filename).suffix.lower()
        name = uuid.uuid4().hex + extension
        try:
            with db.transaction(self.alur.sessions) as session:
                db.lock(session, f"alur:attachments:{instance_id}")
                if problem := self._quota_problem(session, instance_id, task_id, [len(content)]):
                    raise InvalidData({field: problem})
                row = Attachment(
                    name=name, instance_id=instance_id, task_id=task_id,
                    original_name=Path(upload.filename.replace("\\", "/")).name[:500],
                    content_type=ALLOWED_TYPES[extension][0], size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(), uploaded_by=user, uploaded_at=utcnow(),
                    form_field=form_field,
                )
                session.add(row)
                session.flush()
                view = AttachmentView.of(row)
                # In the database store the bytes commit with the row. In the folder they are in
                # place before the row commits: a kill in between leaves a file without a row (or
                # a .part file), which `alur attachments cleanup` removes.
                self.blobs.put(session.connection(), name, content)
            return view
        except BaseException:
            if self.blobs.kind == "folder":  # database chunks went with the rolled-back transaction
                self.blobs.primary.delete(name)
            raise

    def _discard(self, name: str) -> None:
        with db.transaction(self.alur.sessions) as session:
            row = session.scalars(select(Attachment).where(Attachment.name == name)).first()
            if row is not None:
                session.delete(row)  # its chunks in the database go with it (ON DELETE CASCADE)
        self.blobs.delete(name)

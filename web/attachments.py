"""Attachments: upload a document on a task, download one of an instance you can see."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, request, send_file, url_for

from alur.runtime.attachments import Upload
from alur.runtime.engine import InvalidData

from .auth import login_required
from .i18n import shown
from .services import actor, attachment_store

bp = Blueprint("attachments", __name__)


@bp.route("/tugas/<task_id>/lampiran", methods=("POST",))
@login_required
def upload(task_id):
    sent = request.files.get("berkas")
    try:
        view = attachment_store().store(task_id, g.user.username,
                                        Upload(sent.filename if sent else "", sent.stream if sent else None))
        flash(f"Berkas “{view.original_name}” terunggah.")
    except InvalidData as exc:
        flash(f"Berkas tidak diterima: {shown(str(exc.errors.get('berkas', exc)))}.", "error")
    return redirect(url_for("tasks.task_page", task_id=task_id))


@bp.route("/lampiran/<name>")
@login_required
def download(name):
    view, reader = attachment_store().open_for(actor(), name)
    # Streamed from whichever store holds it (the database: chunk by chunk); the reader is closed
    # when the response is.
    response = send_file(reader, mimetype=view.content_type, as_attachment=True,
                         download_name=view.original_name, max_age=0, etag=view.sha256)
    response.content_length = view.size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response

"""A worker for the orphan test: completes a task with a file and is killed (SIGKILL) after the file
is stored and before the task is completed, as a crash or `kill -9` of a worker would.

Run as `python -m tests.web.attachment_kill_worker DATABASE_URL INSTANCE_DIR TASK_ID USER`.
"""
import io
import os
import signal
import sys
from pathlib import Path

from alur.runtime.attachments import Attachments, Upload
from alur.runtime.engine import Alur
from alur.runtime.settings import Settings
from tests.conftest import FORMS, PROCESSES

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def main(url: str, instance_dir: str, task_id: str, user: str) -> None:
    alur = Alur(Settings(database_url=url, processes_dir=PROCESSES, forms_dir=FORMS,
                         instance_dir=Path(instance_dir), attachment_store="folder"), migrate=False)
    alur.complete = lambda *args, **kwargs: os.kill(os.getpid(), signal.SIGKILL)  # dies on completing
    Attachments(alur).complete(task_id, user, {"perihal": "Surat pengumpulan data kinerja"},
                               {"lampiran": Upload("rancangan.pdf", io.BytesIO(PDF))})


if __name__ == "__main__":
    main(*sys.argv[1:5])

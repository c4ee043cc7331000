"""A worker for the crash test: completes tasks in a burst and acknowledges each one on stdout.

Run as `python -m tests.runtime.crash_worker DATABASE_URL`; it is killed with SIGKILL mid-burst.
"""
import sys

from alur.runtime.engine import Alur
from alur.runtime.settings import Settings
from tests.conftest import FORMS, PROCESSES
from tests.runtime.test_kalbar_pengumpulan_skp import DATA, PERFORMER

APPROVE = {"keputusan": "setuju"}


def main(url: str) -> None:
    alur = Alur(Settings(database_url=url, processes_dir=PROCESSES, forms_dir=FORMS), migrate=False)
    print("READY", flush=True)
    while True:
        tasks = alur.tasks_for("kasubbag-umum-aparatur") + alur.tasks_for("pemroses-administrasi-kepegawaian") \
            + alur.tasks_for("kepala-bidang") + alur.tasks_for("sekretaris-dinas") + alur.tasks_for("kepala-dinas")
        if not tasks:
            print("DONE", flush=True)
            return
        for task in tasks:
            data = APPROVE if task.form == "pemeriksaan.schema.json" else DATA[task.task_spec]
            alur.complete(task.id, PERFORMER[task.task_spec], data)
            print(f"ACK {task.id}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])

"""Several server processes starting at once on an empty database (gunicorn workers): every one starts,
the schema is made once, every SOP is deployed once, and all share one session secret (also with
instance folders of their own, as separate servers on one database have)."""
from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import func, select

from alur.runtime import directory
from alur.runtime.engine import Alur
from alur.runtime.models import AuditEntry, ProcessVersion, SigningKey
from tests.conftest import PROJECT_ROOT
from tests.conftest import make_settings

WORKERS = 4
START = """
import sys
from alur.web.app import create_app
app = create_app()
print(app.secret_key)
app.extensions["alur"].close()
"""


def test_workers_starting_together_on_an_empty_database(backend, tmp_path):
    settings = make_settings(backend, tmp_path)  # an empty database (PostgreSQL: schema dropped)
    env = dict(os.environ, ALUR_DATABASE_URL=settings.database_url, PYTHONPATH=str(PROJECT_ROOT))
    env.pop("ALUR_SECRET_KEY", None)
    # Each its own instance folder, as separate servers have: what they share is the database's.
    workers = [subprocess.Popen([sys.executable, "-c", START], env={**env, "ALUR_INSTANCE_DIR": str(tmp_path / f"i{n}")},
                                cwd=tmp_path, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for n in range(WORKERS)]
    results = [(w.wait(timeout=300), *w.communicate()) for w in workers]
    assert [code for code, _, _ in results] == [0] * WORKERS, [err[-2000:] for _, _, err in results]
    assert len({out.strip() for _, out, _ in results}) == 1  # one secret key
    alur = Alur(settings)
    try:
        with alur.sessions() as session:
            versions = session.execute(select(ProcessVersion.process_id, func.count())
                                       .group_by(ProcessVersion.process_id)).all()
        files = sorted(p.stem for p in settings.processes_dir.glob("*.bpmn"))
        assert sorted(versions) == [(name, 1) for name in files]
        deploys = session.execute(select(AuditEntry.process_id, func.count()).where(AuditEntry.action == "deploy")
                                  .group_by(AuditEntry.process_id)).all()
        assert sorted(deploys) == [(name, 1) for name in files]  # each deployed by one server only
        assert session.scalar(select(func.count()).select_from(SigningKey)) == 1
    finally:
        alur.close()


def test_a_forked_worker_opens_its_own_connections(alur):
    """A preloaded app forked into workers (gunicorn --preload): parent and child never share a connection."""
    directory.add_organisation(alur, "contoh", "Contoh")
    assert directory.organisations(alur)  # the parent's pool now holds a connection
    pid = os.fork()
    if pid == 0:  # the worker
        try:
            ok = [o["slug"] for o in directory.organisations(alur)] == ["contoh"]
            directory.add_organisation(alur, "anak", "Anak")
        except BaseException:
            ok = False
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sorted(o["slug"] for o in directory.organisations(alur)) == ["anak", "contoh"]

"""Authorization matrix (issue "Trust"): every route and API call, for anonymous, each role of the
SOP's organisation, the designer, the admin and a user of another organisation who holds every one
of those role names (so that only the organisation boundary refuses them).

Exactly the allowed calls succeed (with the status and redirect the matrix names, and changing what
they should); every other call gets exactly the expected 401/403/404 (or, for a page and an
anonymous visitor, the redirect to the login page) and changes nothing in the database or the
attachment folder. A route the matrix does not list fails test_every_route_is_in_the_matrix, so a new
route cannot be added without deciding who may call it.

API calls are made three ways: HTTP Basic, a personal API token (Bearer) and the browser session
(with its CSRF header); an anonymous caller sends no credentials, a wrong token, or has no session.

The scenario is built once and copied per app: calls that should change nothing share one copy (it
is replaced as soon as a call changes it anyway), allowed calls that change data get a fresh copy.
"""
from __future__ import annotations

import base64
import copy
import io
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import pytest

from alur.runtime import directory, sopgen, tokens
from alur.runtime.attachments import Upload
from alur.runtime.settings import Settings
from tests.conftest import PROCESSES
from tests.web.conftest import (
    ORG,
    PASSWORD,
    PASSWORD_HASH,
    SOP,
    USERS,
    _csrf_of,
    _login,
    _post,
    _run_until,
)
from alur.web.app import create_app

OTHER_ORG = "kalbar-diskukm"
OTHER = "kalbar.semua"  # of OTHER_ORG, holding every role name the actors of ORG hold
ANON = "anonim"
LANE_USERS = ("kepala-dinas", "sekretaris", "kasubbag", "fungsional", "kabid", "bappeda")
ACTORS = (ANON, *LANE_USERS, "pegawai-lain", "tanpa-peran", "perancang", "admin", OTHER)
# Who is who in the scenario: the Kepala Dinas starts the SOP; the ready task is the Sekretaris'
# (claimed by nobody yet); the other lanes' users see the instance but may not act on the task; the rest of
# the organisation holds no lane of the SOP.
GROUPS = {
    "start": ("kepala-dinas",),
    "task": ("sekretaris",),
    "viewers": ("kasubbag", "fungsional", "kabid", "bappeda"),
    "no_lane": ("pegawai-lain", "tanpa-peran"),
    "designer": ("perancang",),
    "admin": ("admin",),
    "other_org": (OTHER,),
}
TARGET_USER = "pegawai-lain"  # the user the admin pages act on
TOKEN_OWNER = "fungsional"  # whose API token the revoke route is called with
API_AUTHS = ("basic", "token", "session")
NEW_PASSWORD = "kata-sandi-baru-1"
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
# Version 2 of the SOP (deployed in the scenario) adds a review step at the end; version 3 (the upload
# of the designer page) words it differently.
EXTRA_REVIEW = {
    "no": 25, "lane": "Kepala Sub Bagian Program, Keuangan dan Aset", "form": "pemeriksaan", "returns_to": 24,
    "text": "Memeriksa Rekapitulasi Data Kinerja, jika tidak lengkap dikembalikan",
    "kelengkapan": "Rekapitulasi Data Kinerja", "waktu": "10 Menit", "output": "Rekapitulasi Data Kinerja diperiksa",
}

# The scenarios versions 2 and 3 are tested with at the upload (the shipped ones expect version 1).
SCENARIOS_V2 = ("scenarios:\n  - name: jalur utama\n    steps: []\n    end: true\n    standard_minutes: 5100\n"
                .encode())

OK = "allowed"
LOGIN = "redirect to the login page"


def outcomes(anonymous, default, **groups) -> dict[str, object]:
    """actor -> OK, LOGIN or the refusal status: `default` for everyone logged in, except the GROUPS named."""
    assert set(groups) <= set(GROUPS), set(groups) - set(GROUPS)
    result = {ANON: anonymous, **{actor: default for actor in ACTORS if actor != ANON}}
    for group, outcome in groups.items():
        result.update(dict.fromkeys(GROUPS[group], outcome))
    return result


# The usual shapes: any logged-in user; a page about the instance (its lanes see it, nobody else);
# the designer's and the admin's pages of their own organisation, and of this organisation's ids.
ANY_USER = outcomes(LOGIN, OK)
ANY_API_USER = outcomes(401, OK)
SEES_INSTANCE = outcomes(LOGIN, 404, start=OK, task=OK, viewers=OK)
API_SEES_INSTANCE = outcomes(401, 404, start=OK, task=OK, viewers=OK)
TASK_ACTION = outcomes(LOGIN, 403, task=OK, other_org=404)
API_TASK_ACTION = outcomes(401, 403, task=OK, other_org=404)
START = outcomes(LOGIN, 403, start=OK, other_org=404)
DESIGNER_PAGE = outcomes(LOGIN, 403, designer=OK, other_org=OK)
DESIGNER_OF_SOP = outcomes(LOGIN, 403, designer=OK, other_org=404)
ADMIN_PAGE = outcomes(LOGIN, 403, admin=OK, other_org=OK)
ADMIN_OF_ORG = outcomes(LOGIN, 403, admin=OK, other_org=404)


@dataclass
class Scenario:
    """The ids a call's URL and body are filled with."""

    task: str  # the Sekretaris' ready task (not claimed), on version 1
    instance: int
    attachment: str  # uploaded on that task
    v3: bytes  # a new version of the SOP, for the designer's upload
    tokens: dict[str, str]  # actor -> their personal API token
    token: int  # the id of TOKEN_OWNER's token, for the revoke route
    sop: str = SOP
    user: str = TARGET_USER


@dataclass(frozen=True)
class Call:
    endpoint: str
    method: str
    path: str  # filled with the Scenario's fields
    outcomes: dict[str, object]
    ok: int = 200  # the status of an allowed call
    to: str | None = None  # regex the Location of an allowed redirect matches (filled like path)
    body: Callable[[Scenario, str], dict] | None = None  # (scenario, actor) -> form or JSON body
    changes: tuple[str, ...] = ()  # tables an allowed call must change; none: it changes nothing
    anonymous_changes: tuple[str, ...] | None = None  # what it changes when called anonymously, if other
    setup: Callable | None = None  # (alur, scenario): prepares the fresh copy for an allowed call
    own_ids: tuple[str, ...] = ()  # Scenario fields the caller sent itself: in its answer they are no leak

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    def changes_of(self, actor: str) -> tuple[str, ...]:
        """The tables an allowed call by `actor` must change."""
        if actor == ANON and self.anonymous_changes is not None:
            return self.anonymous_changes
        return self.changes


def _claim(alur, scenario):
    alur.claim(scenario.task, "sekretaris")


def _login_form(scenario, actor):
    return {"username": "tanpa-peran" if actor == ANON else actor, "password": PASSWORD}


DISPOSISI = {"isi_disposisi": "Mohon data kinerja dikumpulkan", "sifat": "segera"}
TASK = "/tugas/{task}"
INSTANCE_TABLES = ("instances", "human_tasks", "audit_entries")

MATRIX = [
    # Health checks for the load balancer: anyone, no login (web/health.py).
    Call("health.healthz", "GET", "/healthz", outcomes(OK, OK)),
    Call("health.readyz", "GET", "/readyz", outcomes(OK, OK)),
    # Metrics: from this machine (as the test client is) or with ALUR_METRICS_TOKEN (tests/web/test_metrics.py).
    Call("metrics.metrics", "GET", "/metrics", outcomes(OK, OK)),
    # Logging in and out: anyone.
    Call("auth.login", "GET", "/masuk", outcomes(OK, OK)),
    # Logging in opens a session record; logging out ends it (an anonymous visitor has none).
    Call("auth.login", "POST", "/masuk", outcomes(OK, OK), ok=302, to="/", body=_login_form,
         changes=("user_sessions",)),
    Call("auth.logout", "POST", "/keluar", outcomes(OK, OK), ok=302, to="/masuk", changes=("user_sessions",),
         anonymous_changes=()),
    # Inbox and task.
    Call("tasks.inbox", "GET", "/", ANY_USER),
    Call("tasks.claim", "POST", TASK + "/ambil", TASK_ACTION, ok=302, to="/", changes=("human_tasks", "audit_entries")),
    Call("tasks.unclaim", "POST", TASK + "/lepas", TASK_ACTION, ok=302, to="/", setup=_claim,
         changes=("human_tasks",)),
    Call("tasks.task_page", "GET", TASK, outcomes(LOGIN, 404, task=OK, start=403, viewers=403)),
    Call("tasks.complete", "POST", TASK, outcomes(LOGIN, 404, task=OK, start=403, viewers=403), ok=302, to="/",
         body=lambda s, a: DISPOSISI, changes=INSTANCE_TABLES),
    Call("attachments.upload", "POST", TASK + "/lampiran", TASK_ACTION, ok=302, to=TASK,
         body=lambda s, a: {"berkas": (io.BytesIO(PDF), "surat.pdf")}, changes=("attachments",)),
    Call("attachments.download", "GET", "/lampiran/{attachment}", SEES_INSTANCE),
    # Instances and SOPs.
    Call("instances.instance_list", "GET", "/proses/", ANY_USER),
    # Any user exports the list of what they may see (an empty one when it is nothing).
    Call("instances.instance_export", "GET", "/proses/unduh.csv", ANY_USER),
    Call("instances.instance_page", "GET", "/proses/{instance}", SEES_INSTANCE),
    Call("processes.process_list", "GET", "/sop/", ANY_USER),
    # The evaluation report of an SOP and its files: who sees the SOP's instances (its lanes), nobody else.
    Call("reports.report_page", "GET", "/sop/{sop}/laporan", SEES_INSTANCE),
    Call("reports.report_xlsx", "GET", "/sop/{sop}/laporan.xlsx", SEES_INSTANCE),
    Call("reports.report_pdf", "GET", "/sop/{sop}/laporan.pdf?dari=2026-01-01", SEES_INSTANCE),
    # Browser libraries from their npm packages (web/vendor.py): public, as the stylesheet is.
    Call("vendor.asset", "GET", "/aset/chart.umd.min.js", outcomes(OK, OK)),
    Call("processes.start", "POST", "/sop/{sop}/mulai", START, ok=302, to=r"/tugas/[0-9a-f-]+",
         body=lambda s, a: {"perihal": "SKP Triwulan IV", "nomor": "800/1/2026"}, changes=INSTANCE_TABLES),
    # Designer: the upload page is the designer's own organisation's; the SOP's pages are ORG's.
    Call("designer.upload", "GET", "/sop/pasang", DESIGNER_PAGE),
    # The other organisation's designer uploads a file of ORG's process id: process ids are scoped per
    # organisation, so it becomes version 1 of a process of its own (ORG's is untouched: test_designer.py).
    Call("designer.upload", "POST", "/sop/pasang", DESIGNER_PAGE, ok=302, to="/sop/{sop}/versi",
         body=lambda s, a: {"berkas": (io.BytesIO(s.v3), f"{SOP}.bpmn"),
                            "skenario": (io.BytesIO(SCENARIOS_V2), f"{SOP}.test.yaml")},
         changes=("process_versions", "scenario_runs"),
         own_ids=("sop",)),
    Call("designer.versions", "GET", "/sop/{sop}/versi", DESIGNER_OF_SOP),
    # The browser editor over the newest version, and the BPMN file it opens (it saves through the upload).
    Call("designer.editor", "GET", "/sop/{sop}/sunting", DESIGNER_OF_SOP),
    Call("designer.version_file", "GET", "/sop/{sop}/versi/1.bpmn", DESIGNER_OF_SOP),
    Call("designer.diff", "GET", "/sop/{sop}/versi/beda?dari=1&ke=2", DESIGNER_OF_SOP),
    Call("designer.print_version", "GET", "/sop/{sop}/versi/1/cetak", DESIGNER_OF_SOP),
    Call("designer.migrate", "POST", "/sop/{sop}/versi/pindahkan", DESIGNER_OF_SOP,
         body=lambda s, a: {"dari": "1", "ke": "2", "proses": str(s.instance)}, changes=("instances",)),
    # Admin: the user list and lanes are the admin's own organisation's; a user of ORG is ORG's.
    Call("admin.index", "GET", "/admin/", ADMIN_PAGE, ok=302, to="/admin/pengguna"),
    Call("admin.users", "GET", "/admin/pengguna", ADMIN_PAGE),
    # The new user is made in the admin's own organisation's namespace (<org>.pengguna.baru).
    Call("admin.users", "POST", "/admin/pengguna", ADMIN_PAGE, ok=302, to=r"/admin/pengguna/[a-z-]+\.pengguna\.baru",
         body=lambda s, a: {"username": "pengguna.baru", "display_name": "Pengguna Baru", "password": NEW_PASSWORD,
                            "password_confirm": NEW_PASSWORD, "roles": ["perancang"]},
         changes=("users", "user_roles")),
    Call("admin.user", "GET", "/admin/pengguna/{user}", ADMIN_OF_ORG),
    Call("admin.add_role", "POST", "/admin/pengguna/{user}/peran", ADMIN_OF_ORG, ok=302, to="/admin/pengguna/{user}",
         body=lambda s, a: {"role": "perancang"}, changes=("user_roles",)),
    Call("admin.remove_role", "POST", "/admin/pengguna/{user}/peran/cabut", ADMIN_OF_ORG, ok=302,
         to="/admin/pengguna/{user}", body=lambda s, a: {"role": "pegawai"}, changes=("user_roles",)),
    Call("admin.reset_password", "POST", "/admin/pengguna/{user}/sandi", ADMIN_OF_ORG, ok=302,
         to="/admin/pengguna/{user}", body=lambda s, a: {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
         changes=("users",)),
    Call("admin.lanes", "GET", "/admin/lajur", ADMIN_PAGE),
    # Mapping a lane of ORG's SOP: another organisation's admin does not find it.
    Call("admin.lanes", "POST", "/admin/lajur", ADMIN_OF_ORG, ok=302, to="/admin/lajur",
         body=lambda s, a: {"process_id": SOP, "lane": "Sekretaris", "role": "pegawai"},
         changes=("lane_roles", "human_tasks")),
    # The working calendar of the admin's own organisation: another organisation's admin sees and changes its own.
    Call("calendar.page", "GET", "/admin/kalender/", ADMIN_PAGE),
    Call("calendar.add_day", "POST", "/admin/kalender/libur", ADMIN_PAGE, ok=302, to="/admin/kalender/",
         body=lambda s, a: {"tanggal": "2027-03-04", "keterangan": "Hari Jadi"},
         changes=("calendar_days", "working_calendars", "audit_entries")),
    Call("calendar.remove_day", "POST", "/admin/kalender/libur/hapus", ADMIN_PAGE, ok=302, to="/admin/kalender/",
         body=lambda s, a: {"tanggal": "2027-01-01", "keterangan": "Pelayanan tetap buka"},
         changes=("calendar_days", "working_calendars", "audit_entries")),
    Call("calendar.hours", "POST", "/admin/kalender/jam", ADMIN_PAGE, ok=302, to="/admin/kalender/",
         body=lambda s, a: {"hari": "sat", "buka": "08:00", "tutup": "12:00"},
         changes=("working_hours", "working_calendars", "audit_entries")),
    # The user's own API tokens: anyone logged in has a token page; a token is only its owner's to revoke.
    # The user's own account: sessions, password, logging out everywhere.
    Call("account.overview", "GET", "/akun/", ANY_USER),
    Call("account.change_password", "POST", "/akun/sandi", ANY_USER, ok=302, to="/akun/",
         body=lambda s, a: {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD},
         changes=("users", "user_sessions", "audit_entries")),
    Call("account.end_all", "POST", "/akun/keluar-semua", ANY_USER, ok=302, to="/masuk", changes=("user_sessions",)),
    Call("account.token_list", "GET", "/akun/token", ANY_USER),
    Call("account.token_list", "POST", "/akun/token", ANY_USER, body=lambda s, a: {"name": "integrasi e-Office"},
         changes=("api_tokens", "audit_entries")),
    Call("account.revoke", "POST", "/akun/token/{token}/cabut", {**outcomes(LOGIN, 404), TOKEN_OWNER: OK}, ok=302,
         to="/akun/token", changes=("api_tokens", "audit_entries")),
    # JSON API.
    Call("api.openapi", "GET", "/api/openapi.json", outcomes(OK, OK)),
    Call("api.me", "GET", "/api/me", ANY_API_USER),
    Call("api.tasks", "GET", "/api/tasks", ANY_API_USER),
    Call("api.task", "GET", "/api/tasks/{task}", API_SEES_INSTANCE),
    Call("api.claim", "POST", "/api/tasks/{task}/claim", API_TASK_ACTION, changes=("human_tasks", "audit_entries")),
    Call("api.unclaim", "POST", "/api/tasks/{task}/unclaim", API_TASK_ACTION, setup=_claim,
         changes=("human_tasks",)),
    Call("api.complete", "POST", "/api/tasks/{task}/complete", API_TASK_ACTION,
         body=lambda s, a: {"data": DISPOSISI}, changes=INSTANCE_TABLES),
    Call("api.upload", "POST", "/api/tasks/{task}/attachments", API_TASK_ACTION, ok=201,
         body=lambda s, a: {"file": (io.BytesIO(PDF), "surat.pdf")}, changes=("attachments",)),
    Call("api.processes", "GET", "/api/processes", ANY_API_USER),
    Call("api.start", "POST", "/api/processes/{sop}/instances", outcomes(401, 403, start=OK, other_org=404), ok=201,
         body=lambda s, a: {"perihal": "SKP Triwulan IV"}, changes=INSTANCE_TABLES),
    Call("api.instance", "GET", "/api/instances/{instance}", API_SEES_INSTANCE),
    Call("api.report", "GET", "/api/processes/{sop}/report", API_SEES_INSTANCE),
]


# ------------------------------------------------------------------ the scenario


def _sop_version(text_of_extra_step: str) -> bytes:
    data = copy.deepcopy(sopgen.load_source(PROCESSES / "sources" / f"{SOP}.toml"))
    data["steps"].append({**EXTRA_REVIEW, "text": text_of_extra_step})
    return sopgen.generate(data)


def _settings(instance_dir) -> Settings:
    return Settings.from_env({"ALUR_INSTANCE_DIR": str(instance_dir), "ALUR_TIMEZONE": "Asia/Jakarta"})


class Scenarios:
    """Apps over copies of one scenario's instance folder (database, attachments, secret key)."""

    def __init__(self, tmp_path_factory):
        self.factory = tmp_path_factory
        self.template = tmp_path_factory.mktemp("skenario") / "instance"
        self._shared = None
        app = create_app({"TESTING": True, "ALUR_SETTINGS": _settings(self.template), "SECRET_KEY": "uji"})
        alur = app.extensions["alur"]
        try:
            self.ids = self._build(alur, app.extensions["alur_attachments"])
        finally:
            alur.close()

    @staticmethod
    def _build(alur, attachments) -> Scenario:
        for username, roles in {**USERS, "perancang": ["perancang"], "admin": ["admin"]}.items():
            directory.add_user(alur, username, roles, display_name=username.replace("-", " ").title(),
                               password_hash=PASSWORD_HASH, org=ORG)
        every_role = sorted({r for roles in USERS.values() for r in roles} | {"perancang", "admin"})
        directory.add_user(alur, OTHER, every_role, display_name="Kalbar Semua Peran", password_hash=PASSWORD_HASH,
                           org=OTHER_ORG)
        task = _run_until(alur, alur.start(SOP, "kepala-dinas"), "Step_02")
        assert task.role == "sekretaris"
        attachment = attachments.store(task.id, "sekretaris", Upload("undangan.pdf", io.BytesIO(PDF)))
        # Version 2, so that the running instance (on version 1) can be migrated and versions compared.
        alur.deploy_bytes(_sop_version(EXTRA_REVIEW["text"]), f"{SOP}.bpmn", user="perancang", org=ORG)
        made = {actor: tokens.create_token(alur, actor, "matriks") for actor in ACTORS if actor != ANON}
        return Scenario(task=task.id, instance=task.instance_id, attachment=attachment.name,
                        v3=_sop_version("Memeriksa kembali Rekapitulasi Data Kinerja sebelum diserahkan"),
                        tokens={actor: token for actor, (token, _) in made.items()}, token=made[TOKEN_OWNER][1].id)

    def fresh(self):
        """An app over a new copy of the scenario."""
        folder = self.factory.mktemp("kopi") / "instance"
        shutil.copytree(self.template, folder)
        return create_app({"TESTING": True, "ALUR_SETTINGS": _settings(folder), "SECRET_KEY": "uji",
                           "ALUR_DEPLOY_ON_STARTUP": False})

    def shared(self):
        """The copy shared by calls that change nothing."""
        if self._shared is None:
            self._shared = self.fresh()
        return self._shared

    def spoil(self) -> None:
        """The shared copy was changed: the next call gets a new one."""
        if self._shared is not None:
            self._shared.extensions["alur"].close()
            self._shared = None


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    built = Scenarios(tmp_path_factory)
    yield built
    built.spoil()


def snapshot(app) -> dict[str, list]:
    """Every row of every table (but the audit entries of logins, which the test's own login writes),
    and the files of the attachment folder."""
    folder = app.extensions["alur"].settings.instance_dir
    state = {}
    with sqlite3.connect(f"file:{folder / 'alur.sqlite3'}?mode=ro", uri=True) as database:
        tables = [name for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in sorted(set(tables) - {"alembic_version"}):
            query = f"SELECT * FROM {table}" + (" WHERE action <> 'login'" if table == "audit_entries" else "")
            state[table] = database.execute(query + " ORDER BY rowid").fetchall()
    database.close()
    attachments = folder / "attachments"
    state["attachment files"] = sorted(p.name for p in attachments.iterdir()) if attachments.exists() else []
    return state


def changed_tables(before: dict, after: dict) -> set[str]:
    return {table for table in before if before[table] != after[table]}


# ------------------------------------------------------------------ the calls


def basic(user: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{PASSWORD}".encode()).decode()}


def log_in(client, call: Call, actor: str, auth: str | None) -> None:
    """Give the client the actor's session: for every page, and for the API called on the session."""
    if auth not in (None, "session"):
        return
    if actor != ANON:
        assert _login(client, actor).status_code == 302
    elif not call.api:
        _csrf_of(client)  # an anonymous visitor's session with a CSRF token, as the login page gives


def request(client, call: Call, scenario: Scenario, actor: str, auth: str | None):
    """Make `call` as `actor`: pages with the session and its CSRF token, the API as `auth` says."""
    url = call.path.format(**vars(scenario))
    headers = {}
    if auth == "basic" and actor != ANON:
        headers = basic(actor)
    elif auth == "token":
        headers = {"Authorization": "Bearer " + scenario.tokens.get(actor, "alur_bukan-token")}
    elif auth == "session" and actor != ANON and call.method != "GET":
        headers = {"X-CSRF-Token": _csrf_of(client)}
    if call.method == "GET":
        return client.get(url, headers=headers)
    body = call.body(scenario, actor) if call.body else {}
    multipart = any(isinstance(value, tuple) for value in body.values())
    if call.api:
        if multipart:
            return client.post(url, data=body, headers=headers, content_type="multipart/form-data")
        return client.post(url, json=body, headers=headers) if body else client.post(url, headers=headers)
    return _post(client, url, body, **({"content_type": "multipart/form-data"} if multipart else {}))


def refusal_problem(response, outcome, url: str, api: bool) -> str | None:
    """What is wrong with the answer to a call that must be refused with `outcome`; None if nothing."""
    if outcome == LOGIN:
        location = urlsplit(response.headers.get("Location", ""))
        if response.status_code != 302 or (location.path, parse_qs(location.query)) != ("/masuk", {"next": [url]}):
            return f"{response.status_code} to {location.geturl() or '-'} instead of the login page"
        return None
    if response.status_code != outcome:
        return f"{response.status_code} instead of {outcome}"
    if api and not (response.is_json and response.get_json().get("error")):
        return "an API refusal without a JSON error"
    if not api and response.mimetype != "text/html":
        return "a page refusal that is not the error page"
    return None


def assert_allowed(response, call: Call, scenario: Scenario) -> None:
    assert response.status_code == call.ok, f"{response.status_code} instead of {call.ok}"
    if call.to is not None:
        location = urlsplit(response.headers["Location"])
        assert re.fullmatch(call.to.format(**vars(scenario)), location.path), location.path


def leaks(response, scenario: Scenario, own_ids: tuple[str, ...] = ()) -> list[str]:
    """The ids of ORG's scenario that appear in a response to another organisation's user (but those
    of `own_ids`, which that user sent itself)."""
    body = response.get_data(as_text=True)
    ids = {"task": scenario.task, "attachment": scenario.attachment, "sop": scenario.sop,
           "instance": f"/proses/{scenario.instance}\"", "user": "pegawai-lain", "no_role_user": "tanpa-peran"}
    return [value for name, value in ids.items() if name not in own_ids and value in body]


CASES = [pytest.param(call, actor, auth, id="-".join([call.endpoint, call.method, actor] + [auth] * bool(auth)))
         for call in MATRIX for actor in ACTORS for auth in (API_AUTHS if call.api else (None,))]


@pytest.mark.parametrize("call, actor, auth", CASES)
def test_call(scenarios, call: Call, actor: str, auth: str | None):
    outcome = call.outcomes[actor]
    own_copy = outcome == OK and bool(call.changes_of(actor))
    app = scenarios.fresh() if own_copy else scenarios.shared()
    scenario = scenarios.ids
    try:
        if own_copy and call.setup:
            call.setup(app.extensions["alur"], scenario)
        client = app.test_client()
        log_in(client, call, actor, auth)
        before = snapshot(app)
        response = request(client, call, scenario, actor, auth)
        after = snapshot(app)
        changed = changed_tables(before, after)
        if changed and not own_copy:
            scenarios.spoil()
        if outcome == OK:
            assert_allowed(response, call, scenario)
            if call.changes_of(actor):
                assert set(call.changes_of(actor)) <= changed, f"unchanged: {set(call.changes_of(actor)) - changed}"
            else:
                assert not changed, f"an allowed call that should change nothing changed {sorted(changed)}"
            if actor == OTHER:
                assert not leaks(response, scenario, call.own_ids)
        else:
            problem = refusal_problem(response, outcome, call.path.format(**vars(scenario)), call.api)
            assert problem is None and not changed, \
                f"refused call answered {problem or 'as expected'}; changed {sorted(changed) or 'nothing'}"
    finally:
        if own_copy:
            app.extensions["alur"].close()


def test_every_route_is_in_the_matrix(scenarios):
    """Each rule and method of the app (but static files) has a line in the matrix, and no line is stale."""
    app = scenarios.shared()
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    listed = [(call.endpoint, call.method) for call in MATRIX]
    assert len(listed) == len(set(listed)), "a route is listed twice"
    assert routes - set(listed) == set(), "routes the matrix does not say who may call: add a Call to MATRIX"
    assert set(listed) - routes == set(), "matrix lines for routes that do not exist"
    urls = app.url_map.bind("localhost")
    for call in MATRIX:  # each line's URL reaches the route it is listed for, and names every actor
        path = urlsplit(call.path).path.format(**vars(scenarios.ids))
        assert urls.match(path, method=call.method)[0] == call.endpoint, call.path
        assert set(call.outcomes) == set(ACTORS), call.endpoint


def test_every_actor_is_allowed_something_and_refused_something():
    """The matrix exercises each actor both ways (a sanity check of the matrix itself)."""
    for actor in ACTORS:
        seen = {call.outcomes[actor] == OK for call in MATRIX}
        assert seen == {True, False}, actor

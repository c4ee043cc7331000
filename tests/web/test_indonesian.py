"""Everything a user reads is in Bahasa Indonesia: every page a clerk, a head, an admin and a
process designer reach by following links, the designer's list of problems in a refused file,
the flashed refusals, and every error the API answers (400, 401, 403, 404, 405, 409, 422).

A page or an error fails on any word of ENGLISH. The list is of words that are English and
never Indonesian, and that the runtime's messages use ("task", "lane", "already", ...), so
that a message shown untranslated is caught. Left out, and why:
- words Indonesian writes the same: "data", "status", "format", "token", "parameter";
- "error" and "task" in CSS classes and attributes: only visible text is read (tags dropped);
- SOP, BPMN, API, PDF, CSV, XLSX, JSON, UTF-8, NIP: names of formats and documents, the
  same in Indonesian;
- the names of the expression language's functions and methods (len, lower, replace, ...):
  they are code the designer writes, shown in <code>;
- text inside <code> and <pre>: ids, file names and expressions as the file has them.
"""
from __future__ import annotations

import base64
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest

from alur.runtime import directory, forms, people, views
from alur.runtime.scenarios.deploy import deploy_with_scenarios
from alur.runtime.scenarios.runs import ScenarioSource
from alur.runtime.versions import migrate_instances
from alur.web.app import create_app
from alur.web.demo import demo_username, setup_demo
from tests.conftest import PROCESSES
from tests.web.conftest import PASSWORD, PASSWORD_HASH, _csrf_of

ORG = "sulteng-diskukm"
SOP = "sulteng-pengumpulan-data-kinerja"
KALBAR = "kalbar-diskukm"
OTHER = "sulteng.sekretaris-2"
ENGLISH = ["task", "tasks", "instance", "instances", "not found", "already", "is completed", "process", "processes",
           "user", "users", "allowed", "lane", "lanes", "version", "migrate", "system", "error", "errors", "the",
           "does not", "cannot", "could not", "claimed", "must", "exist", "deployed", "role", "reload", "someone",
           "invalid", "request", "method", "requested", "server", "sequence flow", "condition", "expression",
           "outside", "every", "gateway", "form", "standard", "minutes", "working", "days", "flows", "default",
           "name", "property", "generic", "should", "please", "unknown", "missing", "failed", "forbidden"]
_ENGLISH = re.compile(r"\b(" + "|".join(re.escape(w) for w in ENGLISH) + r")\b", re.I)
NOT_PAGES = ("/lampiran/", "/unduh.", "/dokumen", ".pdf", ".docx", ".bpmn", "/static/", "/api/", "/keluar",
             "/ekspor", ".csv", ".xlsx", "/metrics", "/health")
MAX_PAGES_PER_USER = 60


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style|code|pre)[^>]*>.*?</\1>", " ", html, flags=re.S | re.I)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", text.replace("&#39;", "'").replace("&#34;", '"').replace("&amp;", "&")).strip()


def english_in(text: str) -> list[str]:
    """Each English word of `text` with a little of what surrounds it."""
    return [text[max(0, m.start() - 40):m.end() + 40] for m in _ENGLISH.finditer(text)]


@pytest.fixture
def demo(settings):
    """The demo set-up (every SOP, one user per role, each with a name), an instance of the data-collection
    SOP run to its end, and another with its first step done and its second claimed."""
    passwords = {username: password for username, password, _ in setup_demo(settings)}
    app = create_app({"TESTING": True, "ALUR_SETTINGS": settings, "SECRET_KEY": "uji"})
    alur = app.extensions["alur"]
    user = lambda role: demo_username(ORG, role)  # noqa: E731
    done = alur.start(SOP, user("kepala-dinas"), perihal="Pengumpulan data kinerja triwulan III 2026")
    while done.ready_tasks:
        task = done.ready_tasks[0]
        data = forms.sample_data(views.task_details(alur, task.id)["form"], "setuju")
        done = alur.complete(task.id, user(task.role), data)
    running = alur.start(SOP, user("kepala-dinas"), perihal="Pengumpulan data kinerja triwulan IV 2026",
                         nomor="800/1234/DISKUKM/XII/2026")
    running = alur.complete(running.ready_tasks[0].id, user("kepala-dinas"),
                            {"isi_disposisi": "Mohon segera disiapkan pengumpulan data kinerja seluruh bidang"})
    task = running.ready_tasks[0]
    alur.claim(task.id, user(task.role))
    # Another holder of that lane's role, who finds the task claimed.
    directory.add_user(alur, OTHER, [task.role], display_name="Rina Kusuma", org=ORG, password_hash=PASSWORD_HASH)
    passwords[OTHER] = PASSWORD
    # A second version, deployed by the designer after its scenarios passed (the versions page shows
    # their coverage, the diff page what changed), and the running instance moved onto it.
    source = PROCESSES / f"{SOP}.bpmn"
    content = source.read_text(encoding="utf-8").replace('name="Pengumpulan Data Kinerja"',
                                                         'name="Pengumpulan Data Kinerja (revisi)"')
    scenarios = ScenarioSource((PROCESSES / f"{SOP}.test.yaml").read_text(encoding="utf-8"), f"{SOP}.test.yaml")
    deploy_with_scenarios(alur, content.encode(), source.name, scenarios, user=user("perancang"), org=ORG)
    assert migrate_instances(alur, ORG, SOP, 1, 2, user("perancang"), [running.id]).migrated
    yield app, alur, passwords, running
    alur.close()


def _login(client, username, password):
    response = client.post("/masuk", data={"username": username, "password": password,
                                           "csrf_token": _csrf_of(client)})
    assert response.status_code == 302, username


def _crawl(client, start: tuple[str, ...] = ("/",)) -> list[tuple[str, list[str]]]:
    """(path, English found) of every page reached from `start` (the inbox) by links, breadth first."""
    seen, queue, found = set(start), deque(start), []
    while queue and len(found) < MAX_PAGES_PER_USER:
        path = queue.popleft()
        response = client.get(path)
        assert response.status_code < 500, f"{path} answered {response.status_code}"
        if response.status_code in (301, 302, 303):
            continue
        if not response.content_type.startswith("text/html"):
            continue
        html = response.get_data(as_text=True)
        found.append((path, english_in(_visible_text(html))))
        for href in re.findall(r'<a [^>]*href="([^"]+)"', html):
            target = urlsplit(urljoin("http://localhost" + path, href.replace("&amp;", "&")))
            if target.netloc != "localhost" or any(part in target.path for part in NOT_PAGES):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return found


def test_every_page_is_in_indonesian(demo):
    app, alur, passwords, _ = demo
    english, reached = [], {}
    for org, role in ((ORG, "sekretaris"), (ORG, "kepala-dinas"), (ORG, "admin"), (ORG, "perancang"),
                      (ORG, "fungsional-umum")):
        client = app.test_client()
        username = demo_username(org, role)
        _login(client, username, passwords[username])
        # The diff of two versions is reached through a form (GET), not a link.
        pages = _crawl(client, ("/", f"/sop/{SOP}/versi/beda?dari=1&ke=2") if role == "perancang" else ("/",))
        reached[username] = len(pages); print("CRAWL", username, [p for p, _ in pages])
        english += [(username, path, hit) for path, hits in pages for hit in hits]
    assert min(reached.values()) >= 4, reached
    assert sum(reached.values()) >= 40, reached
    assert english == [], "English on a page (user, page, text)"


def test_the_english_list_catches_what_the_issue_saw():
    for leftover in ("system proses selesai", "Perancang SOP migrate", "task 3f2a is completed",
                     "task 3f2a is already claimed by sulteng.sekretaris", "user task 'Step_24' is outside every lane",
                     "name '__import__' is not allowed", "Alur (sequence flow)"):
        assert english_in(leftover), leftover
    assert english_in("Kotak Masuk Proses SOP Berkas proses Tugas Lajur Versi Sistem Token API Keluar") == []


def _deploy_page(client, tmp_path, edit):
    text = (PROCESSES / "kalbar-pengumpulan-skp.bpmn").read_text()
    assert edit[0] in text, edit[0]
    content = text.replace(*edit).encode()
    from io import BytesIO

    return client.post("/sop/pasang", data={"berkas": (BytesIO(content), "varian.bpmn"), "csrf_token": _csrf_of(client)},
                       content_type="multipart/form-data")


# Refused files whose every problem is Alur's own message (a file that is not XML, or not valid
# BPMN, is described by lxml, in its English, after Alur's Indonesian words).
REFUSED = [
    ('"StartEvent_Mulai"', '"Start"'),
    ("<bpmn:flowNodeRef>Step_03</bpmn:flowNodeRef>", ""),
    (' default="Flow_Step_05_Keputusan_Step_06_Join"', ""),
    ('value="pengarsipan.schema.json"', 'value="tidak-ada.schema.json"'),
    ('keputusan == "kembalikan"', "__import__('os').system('id')"),
    ('keputusan == "kembalikan"', "len([x for x in keputusan]) == 1 or (lambda: 1)"),
    ('keputusan == "kembalikan"', "keputusan == 'kembalikan"),  # Python's own words for a syntax error
    ('name="standardMinutes" value="480"', 'name="standardMinutes" value="-5"'),
]


def test_the_designers_problems_are_in_indonesian(demo, tmp_path):
    app, alur, passwords, _ = demo
    client = app.test_client()
    designer = demo_username(KALBAR, "perancang")
    _login(client, designer, passwords[designer])
    english = []
    for edit in REFUSED:
        response = _deploy_page(client, tmp_path, edit)
        assert response.status_code == 422, edit
        html = response.get_data(as_text=True)
        problems = re.search(r'<section class="card problems"[^>]*id="masalah">(.*?)</section>', html, re.S)
        assert problems is not None, _visible_text(html)[:500]
        # Here the quoted ids and expressions are part of the text (not in <code>): they are left out.
        text = re.sub(r"'[^']*'", "''", _visible_text(problems.group(1)))
        assert "baris" in text, edit
        english += [(edit[1], hit) for hit in english_in(text)]
    # Moving an instance that cannot move (the Sulteng SOP has two versions): why it stays.
    client = app.test_client()
    sulteng_designer = demo_username(ORG, "perancang")
    _login(client, sulteng_designer, passwords[sulteng_designer])
    response = client.post(f"/sop/{SOP}/versi/pindahkan", data={"dari": "1", "ke": "2", "proses": "999",
                                                                 "csrf_token": _csrf_of(client)})
    assert response.status_code == 200
    text = _visible_text(response.get_data(as_text=True))
    assert "#999 bukan proses berjalan dari" in text
    english += [("pindahkan", hit) for hit in english_in(text)]
    assert english == [], "English in a refused file's problems or refused moves (edit, text)"


def test_a_refused_claim_is_flashed_in_indonesian_naming_the_holder(demo):
    app, alur, passwords, running = demo
    task = running.ready_tasks[0]
    holder = alur.task(task.id).claimed_by
    client = app.test_client()
    _login(client, OTHER, passwords[OTHER])
    response = client.post(f"/tugas/{task.id}/ambil", data={"csrf_token": _csrf_of(client)}, follow_redirects=True)
    text = _visible_text(response.get_data(as_text=True))
    label = people.people(alur, ORG).get(holder)
    assert f"Tidak dapat diambil: tugas ini sudah diambil oleh {label}." in text
    assert holder not in text
    assert english_in(text) == []


def _basic(username, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_every_api_error_is_in_indonesian(demo):
    app, alur, passwords, running = demo
    client = app.test_client()
    head, clerk = demo_username(ORG, "kepala-dinas"), demo_username(ORG, "fungsional-umum")
    as_head, as_clerk = _basic(head, passwords[head]), _basic(clerk, passwords[clerk])
    claimed = running.ready_tasks[0]
    holder = alur.task(claimed.id).claimed_by
    as_holder = _basic(holder, passwords[holder])
    completed = [t for t in alur.instance_tasks(running.id) if t.status == "completed"][0]
    calls = [
        ("GET", "/api/tasks?limit=nol", as_head, None, 400),
        ("GET", "/api/tasks?overdue=mungkin", as_head, None, 400),
        ("POST", f"/api/processes/{SOP}/instances", {**as_head, "Content-Type": "application/json"}, "{", 400),
        ("GET", "/api/me", {"Authorization": "Basic " + base64.b64encode(b"siapa:salah").decode()}, None, 401),
        ("GET", "/api/me", {"Authorization": "Bearer alur_tidak-ada"}, None, 401),
        ("GET", "/api/me", {}, None, 401),
        ("POST", f"/api/processes/{SOP}/instances", as_clerk, {"perihal": "Uji"}, 403),
        ("POST", f"/api/tasks/{claimed.id}/complete", as_head, {"data": {}}, 403),
        ("GET", "/api/tasks/tidak-ada", as_head, None, 404),
        ("GET", "/api/instances/999999", as_head, None, 404),
        ("POST", "/api/processes/tidak-ada/instances", as_head, {"perihal": "Uji"}, 404),
        ("GET", "/api/tidak-ada", as_head, None, 404),
        ("DELETE", "/api/tasks", as_head, None, 405),
        ("POST", f"/api/tasks/{claimed.id}/claim", _basic(OTHER, passwords[OTHER]), None, 409),
        ("POST", f"/api/tasks/{completed.id}/claim", as_head, None, 409),
        ("POST", f"/api/tasks/{completed.id}/complete", as_head, {"data": {"isi_disposisi": "lagi"}}, 409),
        ("POST", f"/api/processes/{SOP}/instances", as_head, {}, 422),
        ("POST", f"/api/processes/{SOP}/instances", as_head, {"perihal": "Uji", "lain": 1}, 422),
        ("POST", f"/api/tasks/{claimed.id}/complete", as_holder, {"data": {"tidak_ada": 1}}, 422),
        ("POST", f"/api/tasks/{claimed.id}/complete", as_holder, {"data": {}, "revision": 0}, 422),
    ]
    answered, english = set(), []
    for method, path, headers, body, status in calls:
        kwargs = {"data": body} if isinstance(body, str) else ({"json": body} if body is not None else {})
        response = client.open(path, method=method, headers=headers, **kwargs)
        assert response.status_code == status, (method, path, response.status_code, response.get_data(as_text=True))
        payload = response.get_json()
        assert set(payload) <= {"error", "fields"} and payload["error"], payload
        answered.add(status)
        for text in [payload["error"], *(payload.get("fields") or {}).values()]:
            english += [(method, path, hit) for hit in english_in(text)]
    assert answered == {400, 401, 403, 404, 405, 409, 422}
    assert english == [], "English in an API error (method, path, text)"

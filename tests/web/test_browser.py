"""In a real browser (Debian's headless Chromium): the data-collection SOP from start to end.

The Kepala Dinas starts it; the Fungsional Umum drafts the letter with its
document; the Kasubbag returns it with a note; the draft is fixed; the
Kasubbag, the Sekretaris and the Kepala Dinas approve; every later step is
done by its lane until the instance page shows the SOP completed.
Screenshots go to test-artifacts/.
"""
from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from alur.runtime import forms, views
from alur.runtime.attachments import Attachments, Upload
from tests.conftest import PROJECT_ROOT
from alur.web.app import create_app
from alur.web.demo import demo_username, setup_demo

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SOP = "sulteng-pengumpulan-data-kinerja"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium "
                                                      "(apt-get install chromium; .ci/run installs it)"),
]


@pytest.fixture
def served(settings):
    """The demo set-up (every SOP, one user per role) served on a free port of 127.0.0.1."""
    passwords = {username: password for username, password, _ in setup_demo(settings)}
    app = create_app({"ALUR_SETTINGS": settings})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", app.extensions["alur"], passwords
    server.shutdown()
    thread.join(timeout=10)
    app.extensions["alur"].close()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def submit(page, selector):
    """Click a submit button and wait for the server's answer to the POST.

    The test reads the database right after a submit, so it must not run ahead of
    the request; checks of the next page use `expect`, which waits for it.
    """
    with page.expect_response(lambda response: response.request.method == "POST"):
        page.click(selector)


class Office:
    """The staff at their browsers: one logged-in page per role."""

    def __init__(self, base, alur, passwords, browser):
        self.base, self.alur, self.passwords, self.browser = base, alur, passwords, browser
        self.pages = {}
        ARTIFACTS.mkdir(exist_ok=True)

    def page(self, role):
        user = demo_username("sulteng-diskukm", role)
        if user not in self.pages:
            page = self.browser.new_context(viewport={"width": 1400, "height": 900}, locale="id-ID").new_page()
            page.goto(f"{self.base}/masuk")
            page.fill("#username", user)
            page.fill("#password", self.passwords[user])
            submit(page, "button:has-text('Masuk')")
            expect(page.locator("h1", has_text="Kotak Masuk"), f"{user} could not log in").to_be_visible()
            self.pages[user] = page
        return self.pages[user]

    def shot(self, page, name):
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def open_task(self, task):
        """The task's role opens its inbox and the task from there."""
        page = self.page(task.role)
        page.goto(f"{self.base}/")
        row = page.locator(f"tr[data-task='{task.id}']")
        expect(row, f"{task.task_spec} is not in the inbox of {task.role}").to_be_visible()
        row.locator("a", has_text="Kerjakan").click()
        page.wait_for_selector("section.task-form form")
        return page

    def fill(self, page, task, decision="setuju", note=None, attach=None):
        """Fill the task's form the way a user would: every required field, plus a note."""
        schema = views.task_details(self.alur, task.id)["form"]
        data = forms.sample_data(schema, decision)
        if note is not None:
            data["catatan"] = note
        for name, value in data.items():
            prop = schema["properties"][name]
            if prop.get("format") == "alur-attachment":
                continue
            if isinstance(value, bool):
                page.locator(f"#f-{name}").set_checked(value)
            elif "enum" in prop:
                page.check(f"input[name='{name}'][value='{value}']")
            else:
                page.fill(f"#f-{name}", str(value))
        if attach:
            page.set_input_files("#f-lampiran", files=[attach])
        submit(page, "section.task-form button.primary")

    def ready(self, instance_id):
        return self.alur.instance(instance_id).ready_tasks


def test_data_collection_sop_end_to_end_in_the_browser(served, browser):
    base, alur, passwords = served
    office = Office(base, alur, passwords, browser)

    # Kepala Dinas starts the SOP from Daftar SOP and lands on step 1.
    head = office.page("kepala-dinas")
    head.goto(f"{base}/sop/")
    office.shot(head, "01-daftar-sop")
    row = head.locator(f"tr[data-process='{SOP}']")
    row.locator("summary:has-text('Mulai proses baru')").click()
    row.locator("input[name=perihal]").fill("Data kinerja triwulan IV 2026")
    row.locator("input[name=nomor]").fill("800/412/DISKUKM")
    submit(head, f"tr[data-process='{SOP}'] button:has-text('Mulai')")
    expect(head.locator("h1")).to_contain_text("Langkah 1")
    instance_id = alur.tasks_for(demo_username("sulteng-diskukm", "kepala-dinas"))[0].instance_id

    def step(task_spec, **how):
        [task] = office.ready(instance_id)
        assert task.task_spec == task_spec
        page = office.open_task(task)
        office.fill(page, task, **how)
        return page

    for spec in ("Step_01", "Step_02", "Step_03"):
        step(spec)

    # Step 4: the Fungsional Umum drafts the letter and attaches it.
    draft_file = ARTIFACTS / "rancangan-surat.pdf"
    draft_file.write_bytes(PDF)
    inbox = office.page("fungsional-umum")
    inbox.goto(f"{base}/")
    office.shot(inbox, "02-kotak-masuk-fungsional-umum")
    step("Step_04", attach=str(draft_file))

    # Step 5: the Kasubbag returns it; first without the required note, which is refused next to the field.
    [review] = office.ready(instance_id)
    assert review.task_spec == "Step_05"
    page = office.open_task(review)
    expect(page.locator("section.sop-step a", has_text="rancangan-surat.pdf")).to_be_visible()
    # ... and in the case file, under step 4's open entry, the newest
    expect(page.locator("#berkas-proses details.case-step[open] a", has_text="rancangan-surat.pdf")).to_be_visible()
    page.check("input[name='keputusan'][value='kembalikan']")
    submit(page, "section.task-form button.primary")
    expect(page.locator("#catatan-error")).to_contain_text("wajib diisi")
    # The focus is on the summary of what to fix, which links the field.
    expect(page.locator("#kesalahan")).to_be_focused()
    expect(page.locator("#kesalahan a[href='#f-catatan']")).to_contain_text("wajib diisi")
    office.shot(page, "03-pemeriksaan-catatan-wajib")
    assert office.ready(instance_id)[0].id == review.id  # nothing changed
    page.fill("#f-catatan", "Lengkapi tabel capaian triwulan IV.")
    submit(page, "section.task-form button.primary")

    # The Fungsional Umum sees the note and fixes the draft.
    [fix] = office.ready(instance_id)
    assert fix.task_spec == "Step_04"
    page = office.open_task(fix)
    expect(page.locator("details.case-step.returned[open]", has_text="Lengkapi tabel capaian triwulan IV.")) \
        .to_be_visible()
    office.shot(page, "04-perbaikan-dengan-catatan")
    office.fill(page, fix)

    step("Step_05")  # Kasubbag approves
    step("Step_06")  # Sekretaris approves
    page = step("Step_07")  # Kepala Dinas ratifies

    # Halfway: the instance page shows done, current and not-yet-reached steps.
    page.goto(f"{base}/proses/{instance_id}")
    assert page.locator("g.node.completed[data-element='Step_07']").count() == 1
    assert page.locator("g.node.current[data-element='Step_08']").count() == 1
    assert page.locator("g.node.pending[data-element='Step_24']").count() == 1
    office.shot(page, "05-proses-di-tengah")

    # Every later step by its own lane, approving each review, to the end.
    for _ in range(40):
        ready = office.ready(instance_id)
        if not ready:
            break
        page = office.open_task(ready[0])
        office.fill(page, ready[0])
    assert alur.instance(instance_id).status == "completed"

    page = office.page("kepala-dinas")
    page.goto(f"{base}/proses/{instance_id}")
    expect(page.locator("#status")).to_have_text("Selesai")
    assert page.locator("g.node.completed[data-element='EndEvent_Selesai']").count() == 1
    assert page.locator("g.node.current").count() == 0
    expect(page.locator("ol.history", has_text="mengembalikan untuk diperbaiki")).to_be_visible()
    office.shot(page, "06-proses-selesai")


def _viewer(browser, base, passwords, role, width):
    """A logged-in page of `role`'s demo user in a window `width` pixels wide (390: a phone)."""
    user = demo_username("sulteng-diskukm", role)
    mobile = width < 600
    context = browser.new_context(viewport={"width": width, "height": 844 if mobile else 900}, locale="id-ID",
                                  is_mobile=mobile, has_touch=mobile, device_scale_factor=2 if mobile else 1)
    page = context.new_page()
    page.goto(f"{base}/masuk")
    page.fill("#username", user)
    page.fill("#password", passwords[user])
    submit(page, "button:has-text('Masuk')")
    expect(page.locator("h1", has_text="Kotak Masuk")).to_be_visible()
    return page


def test_the_case_file_reads_on_a_desktop_and_on_a_phone(served, browser):
    """The Fungsional Umum redoing a returned draft reads, on step 4's page, the Kasubbag's return,
    the first draft with its document and the disposisi of steps 1-3; the Kepala Dinas reads the same
    on the instance page. At 390 px wide neither page scrolls sideways."""
    base, alur, passwords = served
    org = "sulteng-diskukm"
    store = Attachments(alur)
    view = alur.start(SOP, demo_username(org, "kepala-dinas"), perihal="Data kinerja triwulan IV 2026",
                      nomor="800/412/DISKUKM")
    disposisi = {
        "Step_01": "Segera mulai pengumpulan data kinerja triwulan IV 2026; libatkan seluruh bidang dan UPT Balai "
                   "Pelatihan, dan laporkan kemajuannya setiap hari Jumat.",
        "Step_02": "Siapkan surat dan format tabel capaian.",
        "Step_03": "Susun rancangan surat perihal pengumpulan data kinerja.",
    }
    for spec, text in disposisi.items():
        [task] = view.ready_tasks
        assert task.task_spec == spec
        view = alur.complete(task.id, demo_username(org, task.role),
                             {"isi_disposisi": text, "sifat": "segera", "catatan": "Tembusan: Kepala Bidang."})
    [draft] = view.ready_tasks
    view = store.complete(draft.id, demo_username(org, draft.role),
                          {"perihal": "Surat Pengumpulan Data Kinerja Triwulan IV Tahun Anggaran 2026",
                           "ringkasan": "Permintaan data capaian indikator kinerja\nkepada seluruh bidang."},
                          {"lampiran": Upload("rancangan-surat-pengumpulan-data-kinerja-triwulan-iv-2026.pdf",
                                              io.BytesIO(PDF))})
    [review] = view.ready_tasks
    view = alur.complete(review.id, demo_username(org, review.role),
                         {"keputusan": "kembalikan", "catatan": "Lengkapi tabel capaian triwulan IV."})
    [fix] = view.ready_tasks
    assert fix.task_spec == "Step_04"

    for width in (1400, 390):
        page = _viewer(browser, base, passwords, "fungsional-umum", width)
        page.goto(f"{base}/tugas/{fix.id}")
        case_file = page.locator("section.case-file")
        expect(case_file.locator("h2")).to_have_text("Berkas proses")
        steps = case_file.locator("details.case-step")
        expect(steps).to_have_count(5)
        newest = steps.nth(0)
        expect(newest).to_have_attribute("open", "")
        expect(newest).to_contain_text("Kembalikan untuk diperbaiki")
        expect(newest.locator("dd", has_text="Lengkapi tabel capaian triwulan IV.")).to_be_visible()
        first_draft = steps.nth(1)
        expect(first_draft.locator("a", has_text="rancangan-surat")).to_be_hidden()  # collapsed
        first_draft.locator("summary").click()
        expect(first_draft.locator("a", has_text="rancangan-surat")).to_be_visible()
        steps.nth(4).locator("summary").click()
        expect(steps.nth(4).locator("dd", has_text="libatkan seluruh bidang")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"07-berkas-proses-tugas-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"the task page scrolls at {width}"

        page = _viewer(browser, base, passwords, "kepala-dinas", width)
        page.goto(f"{base}/proses/{view.id}")
        case_file = page.locator("section.case-file")
        expect(case_file.locator("h2")).to_have_text("Berkas proses")
        expect(case_file.locator("details.case-step")).to_have_count(5)
        page.screenshot(path=str(ARTIFACTS / f"08-berkas-proses-instance-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, \
            f"the instance page scrolls at {width}"
        page.context.close()

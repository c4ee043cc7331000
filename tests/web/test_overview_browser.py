"""The Proses overview in a real browser (Debian's headless Chromium): a head narrows the list with
the filter bar, uses a one-click view, and downloads the filtered list."""
from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from alur.runtime.models import HumanTask
from alur.web.demo import demo_username
from tests.web.test_browser import ARTIFACTS, browser, pytestmark, served, submit  # noqa: F401 (fixtures, marks)

ORG = "sulteng-diskukm"
SOP = "sulteng-pengumpulan-data-kinerja"


def test_a_head_filters_the_overview_and_downloads_what_is_shown(served, browser):
    base, alur, passwords = served
    head = demo_username(ORG, "kepala-dinas")
    late = alur.start(SOP, head, perihal="Data kinerja Bidang Koperasi", nomor="800/1/DISKUKM")
    alur.start(SOP, head, perihal="Data kinerja UPT Balai Pelatihan", nomor="800/2/DISKUKM")
    with alur.sessions() as session, session.begin():  # the first case's step is overdue by a day
        task = session.get(HumanTask, late.ready_tasks[0].id)
        task.due_at = task.ready_at - timedelta(days=1)
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID").new_page()
    page.goto(f"{base}/masuk")
    page.fill("#username", head)
    page.fill("#password", passwords[head])
    submit(page, "button:has-text('Masuk')")
    page.goto(f"{base}/proses/")
    rows = page.locator("table.overview tbody tr")
    expect(rows).to_have_count(2)

    page.check("input[name='terlambat']")
    page.click("form.overview-filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Data kinerja Bidang Koperasi")
    expect(rows.first.locator(".badge.late")).to_have_text("Terlambat")
    assert "terlambat=1" in page.url

    page.fill("#q", "balai")
    page.uncheck("input[name='terlambat']")
    page.select_option("#urut", "perihal")
    page.click("form.overview-filters button[type=submit]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("UPT Balai Pelatihan")
    with page.expect_download() as download:
        page.click("a:has-text('CSV')")
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert "UPT Balai Pelatihan" in text and "Bidang Koperasi" not in text

    page.click("nav.views a:has-text('Terlambat di unit saya')")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Bidang Koperasi")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "10-proses-terlambat-di-unit-saya.png"), full_page=True)

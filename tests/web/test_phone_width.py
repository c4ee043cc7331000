"""Every page is usable on a phone: at 390 px wide nothing makes the page itself scroll sideways
(tables become cards or scroll inside their box, the header wraps).

The browser crawls the pages a clerk, a head, an admin and a process designer reach by
following links from their inbox, in Debian's headless Chromium.
"""
from __future__ import annotations

from collections import deque
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import expect

from alur.web.demo import demo_username
from tests.web.test_browser import browser, pytestmark, served, submit  # noqa: F401 (fixtures, marks)

ORG = "sulteng-diskukm"
SOP = "sulteng-pengumpulan-data-kinerja"
PHONE = {"width": 390, "height": 844}
# Links that are not pages: files, the printed SOP, exports, what only a POST does.
NOT_PAGES = ("/lampiran/", "/unduh.", "/dokumen", ".pdf", ".docx", ".xlsx", ".bpmn", "/static/", "/aset/", "/api/",
             "/keluar")
MAX_PAGES_PER_USER = 40


def _pages_of(page, base: str) -> list[tuple[str, int]]:
    """(path, scrollWidth) of every page reached from the inbox by links, breadth first."""
    seen, queue, widths = {"/"}, deque(["/"]), []
    while queue and len(widths) < MAX_PAGES_PER_USER:
        path = queue.popleft()
        response = page.goto(base + path)
        assert response is not None and response.status < 500, f"{path} answered {response and response.status}"
        widths.append((path, page.evaluate("document.documentElement.scrollWidth")))
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            target = urlsplit(urljoin(base + path, href))
            if target.netloc != urlsplit(base).netloc or any(part in target.path for part in NOT_PAGES):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return widths


def test_no_page_scrolls_sideways_at_390_px(served, browser):
    base, alur, passwords = served
    view = alur.start(SOP, demo_username(ORG, "kepala-dinas"), perihal="Pengumpulan data kinerja triwulan IV 2026 "
                      "untuk seluruh Bidang dan UPT Balai Pelatihan", nomor="800/1234/DISKUKM/XII/2026")
    alur.complete(view.ready_tasks[0].id, demo_username(ORG, "kepala-dinas"),
                  {"isi_disposisi": "Mohon segera disiapkan pengumpulan data kinerja seluruh bidang"})
    too_wide = []
    for role in ("sekretaris", "kepala-dinas", "admin", "perancang"):
        user = demo_username(ORG, role)
        page = browser.new_context(viewport=PHONE, locale="id-ID").new_page()
        page.goto(f"{base}/masuk")
        page.fill("#username", user)
        page.fill("#password", passwords[user])
        submit(page, "button:has-text('Masuk')")
        expect(page.locator("h1", has_text="Kotak Masuk")).to_be_visible()
        widths = _pages_of(page, base)
        assert len(widths) >= 4, f"{user} reached only {widths}"
        too_wide += [(user, path, width) for path, width in widths if width > PHONE["width"]]
        page.context.close()
    assert too_wide == [], "pages wider than the phone (user, page, scrollWidth)"

"""The report page in Chromium: its charts draw (Chart.js from the npm package, under the page's
CSP), its table names steps and people, and at 390 px nothing scrolls sideways. Screenshots go to
test-artifacts/ (09-laporan-1400.png, 09-laporan-390.png)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from alur.runtime import engine as runtime_engine
from alur.runtime import forms, views
from alur.web.demo import demo_username
from tests.web.test_browser import ARTIFACTS, _viewer, browser, pytestmark, served  # noqa: F401 (fixtures, marks)

ORG = "sulteng-diskukm"
SOP = "sulteng-pengumpulan-data-kinerja"
WIB = timezone(timedelta(hours=7))


def _walk(alur, clock, start: datetime, minutes: dict[str, int], returns: set[str], until: str | None = None):
    """An instance started at `start` whose every step takes `minutes[step]` (default 3) of clock time;
    each review in `returns` sends the document back once; it stops when `until` is ready."""
    clock["now"] = start
    view = alur.start(SOP, demo_username(ORG, "kepala-dinas"), perihal=f"Data kinerja {start:%d-%m-%Y}")
    returned = set()
    while view.ready_tasks:
        task = view.ready_tasks[0]
        if task.task_spec == until:
            return view
        clock["now"] += timedelta(minutes=minutes.get(task.task_spec, 3))
        decision = "kembalikan" if task.task_spec in returns - returned else "setuju"
        if decision == "kembalikan":
            returned.add(task.task_spec)
        schema = views.task_details(alur, task.id)["form"]
        view = alur.complete(task.id, demo_username(ORG, task.role), forms.sample_data(schema, decision))
    return view


def test_the_report_page_draws_its_charts_and_fits_a_phone(served, browser, monkeypatch):
    base, alur, passwords = served
    clock = {"now": datetime(2026, 9, 1, 9, 0, tzinfo=WIB)}
    monkeypatch.setattr(runtime_engine, "utcnow", lambda: clock["now"])
    for month, day, slow, returns in ((9, 1, 30, {"Step_05"}), (9, 15, 200, set()), (10, 6, 400, {"Step_06"}),
                                      (10, 20, 90, set()), (11, 3, 600, {"Step_05", "Step_13"})):
        _walk(alur, clock, datetime(2026, month, day, 8, 5, tzinfo=WIB), {"Step_04": slow, "Step_12": slow}, returns)
    view = _walk(alur, clock, datetime(2026, 11, 24, 9, 0, tzinfo=WIB), {}, set(), until="Step_04")
    monkeypatch.undo()  # the page reads the real clock: the last instance's Step_04 waits, overdue by now
    assert view.status == "running"

    for width in (1400, 390):
        page = _viewer(browser, base, passwords, "sekretaris", width)
        errors = []
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{base}/sop/")
        page.locator(f"tr[data-process='{SOP}'] a", has_text="laporan evaluasi").click()
        expect(page.locator("h1")).to_have_text("Laporan evaluasi penerapan SOP")
        page.goto(f"{base}/sop/{SOP}/laporan?dari=2026-09-01&sampai=2026-12-31")
        expect(page.locator(".summary .figure .value").first).to_have_text("6")  # proses dimulai
        row = page.locator("tr[data-step='Step_05']")
        # Five approvals and two returns, and once more where Step_06 sent the draft back to it.
        expect(row.locator("td[data-label='Selesai']")).to_have_text("8")
        expect(row.locator("td[data-label='Dikembalikan']")).to_contain_text("2")
        expect(page.locator("tr[data-step='Step_04'] td[data-label='Menunggu']")).to_have_text("1")
        # Chart.js drew both charts: each canvas has its chart and a drawn size.
        for chart in ("grafik-langkah", "grafik-bulan"):
            drawn = page.evaluate("id => { const c = document.getElementById(id); const chart = Chart.getChart(c);"
                                  " return chart ? [chart.data.datasets.length, c.width, c.height] : null; }", chart)
            assert drawn is not None and drawn[0] == 3 and drawn[1] > 100 and drawn[2] > 100, (chart, drawn)
        assert errors == [], errors  # no CSP refusal, no script error
        page.screenshot(path=str(ARTIFACTS / f"09-laporan-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, f"the report page scrolls at {width}"
        page.context.close()

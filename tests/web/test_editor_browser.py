"""In a real browser (Debian's headless Chromium): the perancang edits the newest version of an SOP in
the bpmn.io modeler and saves it as the next version.

The perancang of Sulteng opens Sunting di peramban, drags step 2 to another place, renames it and
changes its waktu in the Formulir dan mutu baku group, and saves (forcing it past the SOP's scenarios,
whose time standard no longer holds): version 2 holds the move, the new
name and the new waktu, and `alur diff` names the renamed step. A step given the reserved id "Start"
is refused: the problem is marked on that step and listed, and no version is added.
Screenshots (desktop and 390 px) go to test-artifacts/.
"""
from __future__ import annotations

import re

import pytest
from lxml import etree
from playwright.sync_api import expect

from alur.runtime.cli import main
from alur.runtime.bpmn_check import NS
from alur.runtime.versions import list_versions, version_xml
from alur.web.demo import demo_username
from tests.web.test_browser import ARTIFACTS, CHROMIUM, SOP, browser, served, submit  # noqa: F401 (fixtures)

ORG = "sulteng-diskukm"
STEP = "Step_02"
GENERAL = "Umum"
SECRETARY_LANE = "Lane_02"
NEW_NAME = "2. Memerintahkan persiapan pengumpulan data kinerja (disunting di peramban)"

# The two containers bpmn-js-properties-panel makes from markup with a style attribute, which the
# Content-Security-Policy blocks (alur.css gives them the same rules): "height: 100%" and
# "flex: none; height: auto". Any other refusal fails the test.
KNOWN_CSP_REFUSALS = ("sha256-nR5hyLltSjfvi2rqC26RbcredWrJvTaPA1yqPX96jpY=",
                      "sha256-LIWyuNLBDBQuKJLr4mOx2cFEzHX9lM0BrbfcAAzCvSU=")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium"),
]


def open_editor(base, passwords, browser, width=1400, height=900):
    """The perancang logs in and opens the editor from the SOP's versions page; every console error
    (a Content-Security-Policy refusal among them) is collected."""
    user = demo_username(ORG, "perancang")
    page = browser.new_context(viewport={"width": width, "height": height}, locale="id-ID").new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/masuk")
    page.fill("#username", user)
    page.fill("#password", passwords[user])
    submit(page, "button:has-text('Masuk')")
    page.goto(f"{base}/sop/{SOP}/versi")
    page.click("a:has-text('Sunting di peramban')")
    expect(page.locator(f".djs-element[data-element-id='{STEP}']")).to_be_visible()
    expect(page.locator("#editor-save")).to_be_enabled()
    return page, errors


def unexpected(errors: list[str]) -> list[str]:
    """Console errors other than the favicon's 404, a refused save's 422 and the two known style refusals."""
    answered = re.compile(r"Failed to load resource: the server responded with a status of (404|422) ")
    return [e for e in errors if not answered.match(e) and not any(known in e for known in KNOWN_CSP_REFUSALS)]


def shape_bounds(xml: str, element_id: str) -> tuple[float, float]:
    root = etree.fromstring(xml.encode("utf-8"))
    (bounds,) = root.xpath(f"//bpmndi:BPMNShape[@bpmnElement='{element_id}']/dc:Bounds", namespaces={
        "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI", "dc": "http://www.omg.org/spec/DD/20100524/DC"})
    return float(bounds.get("x")), float(bounds.get("y"))


def task_property(xml: str, element_id: str, name: str) -> str | None:
    root = etree.fromstring(xml.encode("utf-8"))
    found = root.xpath(f"//bpmn:userTask[@id='{element_id}']//spiffworkflow:property[@name='{name}']/@value",
                       namespaces=NS)
    return found[0] if found else None


def test_perancang_moves_and_renames_a_step_and_saves_version_2(served, browser, monkeypatch, capsys):
    base, alur, passwords = served
    assert [v["version"] for v in list_versions(alur, ORG, SOP)] == [1]
    before = version_xml(alur, ORG, SOP, 1)
    page, errors = open_editor(base, passwords, browser)
    ARTIFACTS.mkdir(exist_ok=True)

    # The whole SOP fits the canvas, small: zoom to step 2 first, as a person would, then drag it by
    # its middle 120 px right and 40 px down with the mouse.
    page.evaluate(f"""() => {{
        const canvas = window.alurModeler.get('canvas');
        canvas.zoom(1);
        canvas.scrollToElement(window.alurModeler.get('elementRegistry').get('{STEP}'), {{ top: 300, left: 400 }});
    }}""")
    page.screenshot(path=str(ARTIFACTS / "editor-opened.png"))
    box = page.locator(f".djs-element[data-element-id='{STEP}'] .djs-hit").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x + 12 * step, y + 4 * step)
    page.mouse.up()

    # The drag selected it: rename it and change its waktu in the properties panel.
    expect(page.locator(".bio-properties-panel-header-label")).to_contain_text("2. Memerintahkan")
    page.locator(".bio-properties-panel-group-header", has_text=GENERAL).click()
    name = page.locator("#bio-properties-panel-name")
    expect(name).to_be_visible()
    name.fill(NEW_NAME)
    group = page.locator(".bio-properties-panel-group", has_text="Formulir dan mutu baku")
    group.locator(".bio-properties-panel-group-header").click()
    waktu = page.locator("#bio-properties-panel-alur-waktu")
    expect(waktu).to_have_value("5 Menit")
    expect(page.locator("#bio-properties-panel-alur-form")).to_have_value("disposisi.schema.json")
    waktu.fill("2 Jam")
    page.locator("#bio-properties-panel-alur-output").click()  # leave the field: its debounced change lands
    page.wait_for_timeout(600)
    page.screenshot(path=str(ARTIFACTS / "editor-desktop.png"))

    # Two hours instead of five minutes: the SOP's scenarios (their total time standard) now fail, and
    # the save is refused until the perancang forces it.
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/sop/pasang")) as answer:
        page.click("#editor-save")
    assert answer.value.status == 422
    expect(page.locator("#editor-status")).to_contain_text("skenario uji gagal")
    expect(page.locator("#editor-problems li").first).to_contain_text("standard_minutes 5090 expected, got 5205")
    assert [v["version"] for v in list_versions(alur, ORG, SOP)] == [1]
    page.check("#editor-force")
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/sop/pasang")) as answer:
        page.click("#editor-save")
    assert answer.value.status == 200, answer.value.text()
    expect(page.locator("#editor-status")).to_contain_text(f"dipasang sebagai versi 2 dari {SOP}")
    page.screenshot(path=str(ARTIFACTS / "editor-saved.png"))
    expect(page.locator("#editor-opened")).to_contain_text("Versi terbaru sekarang versi 2")

    assert [v["version"] for v in list_versions(alur, ORG, SOP)] == [1, 2]
    after = version_xml(alur, ORG, SOP, 2)
    moved_x, moved_y = shape_bounds(after, STEP)
    old_x, old_y = shape_bounds(before, STEP)
    assert moved_x > old_x + 50 and moved_y != old_y
    assert task_property(after, STEP, "waktu") == "2 Jam"
    assert task_property(after, STEP, "standardMinutes") is None  # derived from waktu at deploy: 120

    settings = alur.settings
    monkeypatch.setenv("ALUR_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ALUR_PROCESSES_DIR", str(settings.processes_dir))
    monkeypatch.setenv("ALUR_FORMS_DIR", str(settings.forms_dir))
    capsys.readouterr()
    assert main(["diff", SOP, "1", "2", "--org", ORG]) == 0
    printed = capsys.readouterr().out
    assert re.search(rf"~ task {STEP}: .*bpmn_name", printed), printed
    assert re.search(rf"~ task {STEP}: .*extensions", printed), printed
    assert not unexpected(errors), errors


def test_a_refused_save_marks_the_element_and_lists_the_problem(served, browser):
    base, alur, passwords = served
    page, errors = open_editor(base, passwords, browser, width=390, height=844)
    # The modeler speaks Indonesian, and a lane shows the role that performs it.
    expect(page.locator(".djs-palette [data-action='create.task']")).to_have_attribute("aria-label", "Buat tugas")
    page.evaluate("() => window.alurModeler.get('selection').select("
                  "window.alurModeler.get('elementRegistry').get('LANE_ID'))".replace("LANE_ID", SECRETARY_LANE))
    page.locator(".bio-properties-panel-group-header", has_text="Peran lajur").click()
    expect(page.locator(".alur-lane-role")).to_contain_text('dijalankan oleh peran "sekretaris"')
    page.evaluate("""() => {
        const modeler = window.alurModeler;
        const shape = modeler.get('elementRegistry').get('Step_03');
        modeler.get('modeling').updateProperties(shape, { id: 'Start' });
    }""")
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.click("#editor-save")
    assert answer.value.status == 422
    expect(page.locator("#editor-status")).to_contain_text("tidak dipasang")
    problems = page.locator("#editor-problems li")
    expect(problems.first).to_contain_text("Start")
    expect(page.locator(".djs-element.alur-problem[data-element-id='Start']")).to_have_count(1)
    expect(page.locator(".djs-overlay .alur-problem-badge")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "editor-390-problem.png"), full_page=True)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the editor page is {width} px wide at 390 px"
    assert [v["version"] for v in list_versions(alur, ORG, SOP)] == [1]
    assert not unexpected(errors), errors

"""The browser editor's server side: its page, the BPMN file it opens, and the JSON answers of the
upload path it saves through (the same checks as an upload; problems name their elements).

The editor itself runs in Chromium: tests/web/test_editor_browser.py.
"""
from __future__ import annotations

import html
import json
import re

from alur.runtime.versions import list_versions
from tests.conftest import PROCESSES
from tests.web.conftest import ORG, SOP
from tests.web.test_designer import V2_SCENARIOS, designers, upload, v2_content  # noqa: F401 (fixtures)

JSON = {"Accept": "application/json"}
ORIGINAL = (PROCESSES / f"{SOP}.bpmn").read_bytes()


def data_attribute(page: str, name: str):
    return json.loads(html.unescape(re.search(rf'data-{name}="([^"]*)"', page).group(1)))


def test_the_editor_page_opens_the_newest_version_with_the_forms_and_lane_roles(client, login, designers, text_of):
    login(client, "perancang")
    response = client.get(f"/sop/{SOP}/sunting")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'data-xml-url="/sop/{SOP}/versi/1.bpmn"' in page and 'data-deploy-url="/sop/pasang"' in page
    assert "disposisi.schema.json" in data_attribute(page, "forms")
    assert data_attribute(page, "lane-roles")["Sekretaris"] == "sekretaris"
    assert "Content-Security-Policy" in response.headers and "<script>" not in page
    assert "Sunting di peramban" in text_of(client.get(f"/sop/{SOP}/versi"))


def test_the_editor_names_what_to_do_when_its_assets_are_not_built(client, login, designers, app, tmp_path):
    app.static_folder = str(tmp_path)  # a server where `npm install` never ran
    login(client, "perancang")
    page = client.get(f"/sop/{SOP}/sunting").get_data(as_text=True)
    assert "Modeler belum dibangun" in page and "npm install" in page and "modeler.js" not in page


def test_the_bpmn_file_of_a_version_is_served_as_deployed(client, login, designers):
    login(client, "perancang")
    response = client.get(f"/sop/{SOP}/versi/1.bpmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.get_data() == ORIGINAL
    assert client.get(f"/sop/{SOP}/versi/2.bpmn").status_code == 404


def test_a_json_save_answers_the_new_version(client, login, post, alur, designers, v2_content):
    login(client, "perancang")
    response = upload(client, post, v2_content, scenarios=V2_SCENARIOS, headers=JSON)
    assert response.status_code == 200
    assert response.json == {
        "process_id": SOP, "version": 2, "created": True, "versions_url": f"/sop/{SOP}/versi",
        "message": f"{SOP}.bpmn dipasang sebagai versi 2 dari {SOP}. Skenario uji ({SOP}.test.yaml): 1 dari 1 lulus."}
    assert [v["version"] for v in list_versions(alur, ORG, SOP)] == [1, 2]


def test_a_json_save_whose_scenarios_fail_changes_nothing_unless_forced(client, login, post, alur, designers,
                                                                         v2_content):
    login(client, "perancang")
    refused = upload(client, post, v2_content, headers=JSON)  # the shipped scenarios expect no extra review
    assert refused.status_code == 422
    assert "skenario uji gagal" in refused.json["error"] and refused.json["scenarios"]
    assert [v["version"] for v in list_versions(alur, ORG, SOP)] == [1]
    forced = upload(client, post, v2_content, force=True, headers=JSON)
    assert forced.status_code == 200 and forced.json["version"] == 2


def test_a_refused_json_save_names_the_element_of_each_problem(client, login, post, alur, designers):
    login(client, "perancang")
    broken = ORIGINAL.replace(b'id="Step_03"', b'id="Start"').replace(b"<bpmn:flowNodeRef>Step_05</bpmn:flowNodeRef>", b"")
    broken = re.sub(rb'(sourceRef|targetRef|bpmnElement)="Step_03"', rb'\1="Start"', broken)
    broken = broken.replace(b"<bpmn:flowNodeRef>Step_03</bpmn:flowNodeRef>", b"<bpmn:flowNodeRef>Start</bpmn:flowNodeRef>")
    response = upload(client, post, broken, headers=JSON)
    assert response.status_code == 422
    problems = {(p["element"], p["severity"]) for p in response.json["problems"]}
    assert ("Start", "error") in problems  # the reserved id, found on its line
    assert ("Step_05", "error") in problems  # "user task 'Step_05' is outside every lane"
    assert all(p["line"] and p["message"] for p in response.json["problems"])
    assert "tidak dipasang" in response.json["error"]
    assert [v["version"] for v in list_versions(alur, ORG, SOP)] == [1]


def test_a_bad_json_save_names_the_field(client, login, post, designers):
    login(client, "perancang")
    response = upload(client, post, b"", headers=JSON)
    assert response.status_code == 422 and response.json == {"error": "Berkas: berkas kosong"}


def test_a_form_post_still_gets_the_page(client, login, post, designers, v2_content):
    login(client, "perancang")
    response = upload(client, post, v2_content, scenarios=V2_SCENARIOS, headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 302

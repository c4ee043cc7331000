"""The instance page: diagram with completed/current/not-reached steps, history, time against the standard."""
import re

from alur.web.diagram import render_svg


def _node(html: str, element_id: str) -> str:
    found = re.search(rf'<g class="node [^"]*" data-element="{element_id}" data-state="(\w+)"', html)
    assert found, f"{element_id} is not drawn"
    return found.group(1)


def test_instance_page_draws_the_diagram_with_progress(client, login, started, run_until):
    run_until(started, "Step_04")
    login(client, "sekretaris")
    response = client.get(f"/proses/{started.id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<svg" in html and 'class="bpmn"' in html
    assert _node(html, "StartEvent_Mulai") == "completed"
    assert _node(html, "Step_01") == "completed"
    assert _node(html, "Step_03") == "completed"
    assert _node(html, "Step_04") == "current"
    assert _node(html, "Step_05") == "pending"
    assert _node(html, "EndEvent_Selesai") == "pending"
    assert 'class="flow taken" marker-end="url(#arrow-taken)" data-element="Flow_Step_01_Step_02"' in html
    assert 'class="flow pending" marker-end="url(#arrow-pending)" data-element="Flow_Step_05_Keputusan_Step_06"' in html
    # every lane is drawn with its name
    for lane in ("Kepala Dinas", "Sekretaris", "Fungsional Umum"):
        assert lane in html


def test_a_return_is_in_the_history_with_its_note(client, login, alur, started, run_until, text_of):
    review = run_until(started, "Step_05")
    alur.complete(review.id, "kasubbag", {"keputusan": "kembalikan", "catatan": "Tabel belum lengkap."})
    login(client, "kepala-dinas")
    response = client.get(f"/proses/{started.id}")
    html = response.get_data(as_text=True)
    page = text_of(response)
    assert "Riwayat" in page
    assert "mengembalikan untuk diperbaiki" in page
    assert "Tabel belum lengkap." in page
    assert 'class="flow taken" marker-end="url(#arrow-taken)" data-element="Flow_Step_05_Keputusan_Tidak"' in html
    assert _node(html, "Step_04") == "current"


def test_steps_table_shows_time_taken_against_the_standard(client, login, alur, started, text_of):
    alur.complete(started.ready_tasks[0].id, "kepala-dinas", {"isi_disposisi": "Kerjakan"})
    login(client, "kepala-dinas")
    page = text_of(client.get(f"/proses/{started.id}"))
    assert "Langkah dan waktu baku" in page
    assert "Waktu dipakai" in page and "Waktu baku" in page
    assert "5 menit" in page  # step 1's standard
    assert "Tepat waktu" in page  # completed well within 5 working minutes
    assert "sedang berjalan" in page


def test_completed_instance_shows_selesai(client, login, alur, started, run_until):
    assert run_until(started, None).status == "completed"
    login(client, "fungsional")
    html = client.get(f"/proses/{started.id}").get_data(as_text=True)
    assert '<span class="badge done" id="status">Selesai</span>' in html
    assert _node(html, "EndEvent_Selesai") == "completed"
    assert _node(html, "Step_24") == "completed"


def test_instance_list_shows_only_visible_instances(client, login, alur, started, text_of):
    login(client, "fungsional")
    page = text_of(client.get("/proses/"))
    assert f"#{started.id}" in page
    login(client, "pegawai-lain")
    page = text_of(client.get("/proses/"))
    assert f"#{started.id}" not in page
    assert "Belum ada proses" in page


def test_instance_page_refusals(client, login, started):
    assert client.get(f"/proses/{started.id}").status_code == 302  # not logged in
    login(client, "pegawai-lain")  # no lane of this SOP
    assert client.get(f"/proses/{started.id}").status_code == 404
    login(client, "tanpa-peran")
    assert client.get(f"/proses/{started.id}").status_code == 404
    login(client, "sekretaris")
    assert client.get("/proses/9999").status_code == 404


def test_diagram_escapes_names_and_needs_no_script():
    xml = """<?xml version="1.0"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="d" targetNamespace="x">
  <bpmn:process id="p"><bpmn:userTask id="T" name="&lt;script&gt;alert(1)&lt;/script&gt;"/></bpmn:process>
  <bpmndi:BPMNDiagram><bpmndi:BPMNPlane bpmnElement="p">
    <bpmndi:BPMNShape bpmnElement="T"><dc:Bounds x="10" y="10" width="100" height="80"/></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>"""
    svg = str(render_svg(xml, {"T": "current"}))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert 'data-state="current"' in svg


def test_diagram_without_di_says_so():
    xml = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
           'targetNamespace="x"><bpmn:process id="p"/></bpmn:definitions>')
    assert "tidak memuat diagram" in str(render_svg(xml))

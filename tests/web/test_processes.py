"""Daftar SOP: deployed processes with their current version; start where the user holds the start lane."""
import re


def test_sop_list_shows_every_process_of_the_users_organisation_and_no_other(client, login, alur, text_of):
    login(client, "sekretaris")
    response = client.get("/sop/")
    assert response.status_code == 200
    page = text_of(response)
    for process in alur.processes():
        shown = process["process_id"] in page
        assert shown == (process["org"] == "sulteng-diskukm"), process["process_id"]
    assert "Pengumpulan Data Kinerja" in page
    assert "Versi" in page


def test_start_button_only_where_the_user_holds_the_start_lane(client, login):
    login(client, "kepala-dinas")
    html = client.get("/sop/").get_data(as_text=True)
    assert 'action="/sop/sulteng-pengumpulan-data-kinerja/mulai"' in html
    assert 'action="/sop/kalbar-pengumpulan-skp/mulai"' not in html  # started by the Kasubbag Umum & Aparatur
    login(client, "sekretaris")
    assert "/mulai" not in client.get("/sop/").get_data(as_text=True)


def test_sop_list_names_the_lane_that_starts_each_process(client, login):
    login(client, "sekretaris")
    html = client.get("/sop/").get_data(as_text=True)
    row = html[html.index('data-process="sulteng-pengumpulan-data-kinerja"'):]
    cells = dict(re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row[:row.index("</tr>")], flags=re.S))
    assert cells["Dimulai oleh"].strip() == "Kepala Dinas"


def test_starting_opens_the_first_task(client, login, post, alur):
    login(client, "kepala-dinas")
    response = post(client, "/sop/sulteng-pengumpulan-data-kinerja/mulai", {"perihal": "SKP Triwulan IV"})
    assert response.status_code == 302
    [task] = alur.tasks_for("kepala-dinas")
    assert response.headers["Location"] == f"/tugas/{task.id}"
    assert task.task_spec == "Step_01"


def test_start_refusals_change_nothing(client, login, post, alur):
    post(client, "/sop/sulteng-pengumpulan-data-kinerja/mulai", {"perihal": "SKP Triwulan IV"})  # not logged in
    login(client, "sekretaris")
    assert post(client, "/sop/sulteng-pengumpulan-data-kinerja/mulai", {"perihal": "SKP Triwulan IV"}).status_code == 403  # wrong role
    assert post(client, "/sop/tidak-ada/mulai", {"perihal": "SKP Triwulan IV"}).status_code == 404
    login(client, "kepala-dinas")
    assert client.post("/sop/sulteng-pengumpulan-data-kinerja/mulai").status_code == 400  # CSRF missing
    assert client.get("/sop/sulteng-pengumpulan-data-kinerja/mulai").status_code == 405
    assert sum(p["running_instances"] for p in alur.processes()) == 0


def test_new_instances_take_the_newest_version(client, login, post, alur, tmp_path):
    source = alur.settings.processes_dir / "sulteng-pengumpulan-data-kinerja.bpmn"
    changed = tmp_path / "v2.bpmn"
    changed.write_text(source.read_text().replace('name="Pengumpulan Data Kinerja"',
                                                  'name="Pengumpulan Data Kinerja (revisi)"'))
    assert alur.deploy(changed).version == 2
    login(client, "kepala-dinas")
    page = client.get("/sop/").get_data(as_text=True)
    assert "Pengumpulan Data Kinerja (revisi)" in page
    post(client, "/sop/sulteng-pengumpulan-data-kinerja/mulai", {"perihal": "SKP Triwulan IV"})
    [task] = alur.tasks_for("kepala-dinas")
    assert alur.instance(task.instance_id).version == 2


def test_a_file_of_processes_that_could_not_be_deployed_is_shown_to_its_organisations_designers(
        settings, tmp_path, login, text_of):
    from dataclasses import replace

    from alur.runtime import directory
    from alur.web.app import create_app
    from tests.runtime.test_bad_files import _folder_with_a_broken_file
    from tests.web.conftest import PASSWORD_HASH

    folder, task_line = _folder_with_a_broken_file(tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "uji", "ALUR_SETTINGS": replace(settings, processes_dir=folder)})
    alur = app.extensions["alur"]
    try:
        directory.add_organisation(alur, "kotim-diskominfo", "Diskominfo Kotim")
        for user, roles, org in (("kotim.perancang", ["perancang"], "kotim-diskominfo"),
                                 ("kotim.staf", ["staf"], "kotim-diskominfo"),
                                 ("sulteng.perancang", ["perancang"], "sulteng-diskukm")):
            directory.add_user(alur, user, roles, password_hash=PASSWORD_HASH, org=org)
        client = app.test_client()
        login(client, "kotim.perancang")
        page = text_of(client.get("/sop/"))
        assert "kotim-rusak.bpmn: berkas tidak dapat dipasang" in page
        assert f"baris {task_line}: tugas pengguna 'Step_02' berada di luar semua lajur" in page.replace("&#39;", "'")
        assert "latin1.bpmn" not in page  # whose it is could not be read: only in the server's log
        for other in ("kotim.staf", "sulteng.perancang"):
            login(client, other)
            assert "tidak dapat dipasang" not in text_of(client.get("/sop/")), other
    finally:
        alur.close()


def test_starting_a_model_that_fails_at_start_is_422_and_writes_nothing(client, login, post, alur, text_of):
    import base64

    from alur.runtime import directory
    from alur.runtime.backup import export_database
    from tests.runtime.test_bad_files import GATEWAY_AT_START
    from tests.web.conftest import ORG, PASSWORD, PASSWORD_HASH

    alur.deploy_bytes(GATEWAY_AT_START.encode(), "gerbang.bpmn", org=ORG)
    directory.add_user(alur, "pimpinan", ["pimpinan"], password_hash=PASSWORD_HASH, org=ORG)
    login(client, "pimpinan")
    before = export_database(alur)
    response = post(client, "/sop/spiff-disposisi/mulai", {"perihal": "SKP Triwulan IV"})
    assert response.status_code == 422
    assert "SOP 'spiff-disposisi' tidak dapat dimulai" in text_of(response).replace("&#39;", "'")
    basic = {"Authorization": "Basic " + base64.b64encode(f"pimpinan:{PASSWORD}".encode()).decode()}
    response = client.post("/api/processes/spiff-disposisi/instances", json={"perihal": "SKP Triwulan IV"}, headers=basic)
    assert response.status_code == 422
    assert response.get_json()["error"].startswith("SOP 'spiff-disposisi' tidak dapat dimulai: ")
    assert export_database(alur) == before


def test_starting_a_gateway_reading_a_missing_value_is_422_on_the_api(client, alur):
    import base64

    from alur.runtime import directory
    from alur.runtime.backup import export_database
    from tests.runtime.test_bad_files import NO_DEFAULT_GATEWAY
    from tests.web.conftest import ORG, PASSWORD, PASSWORD_HASH

    alur.deploy_bytes(NO_DEFAULT_GATEWAY.encode(), "gerbang.bpmn", org=ORG)
    directory.add_user(alur, "pimpinan", ["pimpinan"], password_hash=PASSWORD_HASH, org=ORG)
    before = export_database(alur)
    basic = {"Authorization": "Basic " + base64.b64encode(f"pimpinan:{PASSWORD}".encode()).decode()}
    response = client.post("/api/processes/gerbang-tanpa-bawaan/instances", json={"perihal": "Surat uji"},
                           headers=basic)
    assert response.status_code == 422
    assert "Gateway_Nilai" in response.get_json()["error"] and "'x'" in response.get_json()["error"]
    assert export_database(alur) == before

"""Process designer pages: a perancang deploys a new version from the browser, reads the versions
and their difference, and moves running instances; nobody else can, and no other organisation's SOP."""
from __future__ import annotations

import copy
import html
import io
import re

import pytest
from sqlalchemy import func, select

from alur.runtime import directory, sopgen
from alur.runtime.backup import export_database
from alur.runtime.models import AuditEntry
from alur.runtime.versions import list_versions
from tests.conftest import PROCESSES
from tests.web.conftest import ORG, PASSWORD_HASH, SOP
from alur.web.app import create_app

FIXTURES = PROCESSES.parent / "tests" / "fixtures"
OTHER_SOP = "kalbar-pengumpulan-skp"  # belongs to kalbar-diskukm
# Version 2: the Kasubbag checks the collected recapitulation at the end (an extra review step).
EXTRA_REVIEW = {
    "no": 25, "lane": "Kepala Sub Bagian Program, Keuangan dan Aset", "form": "pemeriksaan", "returns_to": 24,
    "text": "Memeriksa Rekapitulasi Data Kinerja, jika tidak lengkap dikembalikan",
    "kelengkapan": "Rekapitulasi Data Kinerja", "waktu": "10 Menit", "output": "Rekapitulasi Data Kinerja diperiksa",
}


@pytest.fixture(scope="module")
def v2_content() -> bytes:
    data = copy.deepcopy(sopgen.load_source(PROCESSES / "sources" / f"{SOP}.toml"))
    data["steps"].append(EXTRA_REVIEW)
    return sopgen.generate(data)


@pytest.fixture
def designers(alur):
    """A perancang of the SOP's organisation and one of another organisation."""
    directory.add_user(alur, "perancang", ["perancang"], display_name="Perancang Sulteng",
                       password_hash=PASSWORD_HASH, org=ORG)
    directory.add_user(alur, "perancang-kalbar", ["perancang"], display_name="Perancang Kalbar",
                       password_hash=PASSWORD_HASH, org="kalbar-diskukm")


# Version 2's scenarios: the shipped ones expect the SOP without the extra review (5090 minutes).
V2_SCENARIOS = f"""\
scenarios:
  - name: jalur utama dengan pemeriksaan rekapitulasi
    steps:
      - task: Step_25
        as: {EXTRA_REVIEW["lane"]}
        next: []
    end: true
    standard_minutes: 5100
""".encode()


def upload(client, post, content: bytes, filename: str = f"{SOP}.bpmn", scenarios: bytes | None = None,
           scenario_name: str = f"{SOP}.test.yaml", force: bool = False, **kwargs):
    data = {"berkas": (io.BytesIO(content), filename)}
    if scenarios is not None:
        data["skenario"] = (io.BytesIO(scenarios), scenario_name)
    if force:
        data["paksa"] = "1"
    return post(client, "/sop/pasang", data, content_type="multipart/form-data", **kwargs)


def versions_of(alur, process_id=SOP, org=ORG):
    return [(v["version"], v["deployed_by"]) for v in list_versions(alur, org, process_id)]


def test_designer_deploys_version_2_and_sees_it_in_the_version_list(client, login, post, alur, designers,
                                                                     v2_content, text_of):
    login(client, "perancang")
    assert "Ketentuan berkas" in text_of(client.get("/sop/pasang"))
    response = upload(client, post, v2_content, scenarios=V2_SCENARIOS)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/sop/{SOP}/versi")
    page = text_of(client.get(response.headers["Location"]))
    assert f"{SOP}.bpmn dipasang sebagai versi 2 dari {SOP}." in page
    assert versions_of(alur) == [(1, "system"), (2, "perancang")]
    assert next(p for p in alur.processes() if p["process_id"] == SOP)["org"] == ORG
    assert "Perancang Sulteng" in page and "terbaru" in page
    short_hash = list_versions(alur, ORG, SOP)[1]["content_hash"][:12]
    assert short_hash in page
    new = alur.start(SOP, "kepala-dinas")
    assert new.version == 2


def test_a_version_deployed_from_the_web_survives_a_restart(client, login, post, alur, settings, designers,
                                                           v2_content):
    login(client, "perancang")
    upload(client, post, v2_content, scenarios=V2_SCENARIOS)
    restarted = create_app({"TESTING": True, "ALUR_SETTINGS": settings, "SECRET_KEY": "uji"})  # deploys processes/
    try:
        assert versions_of(restarted.extensions["alur"]) == [(1, "system"), (2, "perancang")]
    finally:
        restarted.extensions["alur"].close()


def test_the_same_content_again_is_no_new_version(client, login, post, alur, designers, v2_content, text_of):
    login(client, "perancang")
    page = text_of(upload(client, post, (PROCESSES / f"{SOP}.bpmn").read_bytes(), follow_redirects=True))
    assert "tidak berubah, tetap versi 1" in page
    upload(client, post, v2_content, scenarios=V2_SCENARIOS)
    page = text_of(upload(client, post, v2_content, scenarios=V2_SCENARIOS, filename="salinan.xml",
                          follow_redirects=True))
    assert "salinan.xml sama dengan versi terbaru" in page and "tidak berubah, tetap versi 2" in page
    assert versions_of(alur) == [(1, "system"), (2, "perancang")]


def test_files_from_camunda_and_spiff_arena_deploy_into_the_designers_organisation(client, login, post, alur,
                                                                                    designers):
    login(client, "perancang")
    for name, process_id in (("camunda-surat-masuk.bpmn", "camunda-surat-masuk"),
                             ("spiff-arena-disposisi.bpmn", "spiff-disposisi")):
        response = upload(client, post, (FIXTURES / name).read_bytes(), filename=name)
        assert response.status_code == 302, name
        assert versions_of(alur, process_id) == [(1, "perancang")]
        assert next(p for p in alur.processes() if p["process_id"] == process_id)["org"] == ORG


def _line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def test_a_refused_file_lists_every_problem_with_its_line_and_changes_nothing(client, login, post, alur, designers,
                                                                             text_of):
    text = (PROCESSES / f"{SOP}.bpmn").read_text(encoding="utf-8")
    broken = text.replace('value="disposisi.schema.json"', 'value="tidak-ada.schema.json"', 1)
    broken = broken.replace('<bpmn:flowNodeRef>Step_02</bpmn:flowNodeRef>', '', 1)  # Step_02 leaves its lane
    login(client, "perancang")
    response = upload(client, post, broken.encode("utf-8"))
    assert response.status_code == 422
    page = html.unescape(text_of(response))
    assert f"{SOP}.bpmn tidak dipasang" in page and "Tidak ada yang berubah" in page
    missing_form_line = _line_of(broken, 'value="tidak-ada.schema.json"')
    task_line = broken[:broken.index('value="tidak-ada.schema.json"')].rfind("<bpmn:userTask")
    task_line = broken[:task_line].count("\n") + 1
    assert f"baris {task_line}: tugas pengguna 'Step_01': formulir 'tidak-ada.schema.json' tidak ditemukan di forms/" in page
    assert missing_form_line > task_line
    step_02_line = _line_of(broken, '<bpmn:userTask id="Step_02"')
    assert f"baris {step_02_line}: tugas pengguna 'Step_02' berada di luar semua lajur" in page
    assert versions_of(alur) == [(1, "system")]


def test_a_300k_term_condition_is_refused_with_its_line_and_stores_nothing(client, login, post, alur, designers,
                                                                          text_of):
    text = (PROCESSES / f"{SOP}.bpmn").read_text(encoding="utf-8")
    huge = text.replace('keputusan == "kembalikan"', "+".join(["1"] * 300_000) + " == 0", 1)
    login(client, "perancang")
    with alur.sessions() as session:
        audit_before = session.scalar(select(func.count()).select_from(AuditEntry))
    response = upload(client, post, huge.encode("utf-8"))
    assert response.status_code == 422
    page = html.unescape(text_of(response))
    assert f"{SOP}.bpmn tidak dipasang" in page and "Tidak ada yang berubah" in page
    line = _line_of(huge, "1+1+1")
    assert (f"baris {line}: kondisi '{'1+' * 38}1...': ekspresinya sepanjang 600,004 karakter; paling banyak 2,000 "
            "yang diizinkan") in page
    assert len(page) < 20_000  # the condition is not echoed back
    assert versions_of(alur) == [(1, "system")]
    with alur.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == audit_before


def test_a_condition_that_escapes_is_refused_with_its_line(client, login, post, alur, designers, text_of):
    text = (PROCESSES / f"{SOP}.bpmn").read_text(encoding="utf-8")
    walk = ("[g := (g.gi_frame.f_back.f_back.f_builtins['__import__']('os').system('id &gt; pwned.txt') "
            "for _ in [1]), list(g)][1][0] == 1")
    bad = text.replace('keputusan == "kembalikan"', walk, 1)
    login(client, "perancang")
    response = upload(client, post, bad.encode("utf-8"))
    assert response.status_code == 422
    page = html.unescape(text_of(response))
    assert f"baris {_line_of(bad, walk)}: kondisi '[g := (g.gi_frame" in page
    assert "ekspresi penugasan ':=' tidak diizinkan" in page
    assert versions_of(alur) == [(1, "system")]


def test_xml_that_is_not_well_formed_is_refused_with_its_line(client, login, post, alur, designers, text_of):
    login(client, "perancang")
    response = upload(client, post, b'<?xml version="1.0"?>\n<bpmn:definitions>\n  <oops>\n</bpmn:definitions>\n',
                      filename="rusak.bpmn")
    assert response.status_code == 422
    assert re.search(r"baris \d+: XML tidak tersusun dengan benar", text_of(response))


def test_process_ids_are_the_organisations_own(client, login, post, alur, designers, v2_content, text_of):
    """Kalbar's designer deploys a process with Sulteng's id (and a file naming Sulteng as its `org`): it is
    Kalbar's own process, version 1; Sulteng's keeps its versions, deploys its next one, and neither sees
    the other's."""
    login(client, "perancang-kalbar")
    response = upload(client, post, v2_content, scenarios=V2_SCENARIOS)  # the file's `org` property names sulteng-diskukm
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/sop/{SOP}/versi")
    page = text_of(client.get(response.headers["Location"]))
    assert f"{SOP}.bpmn dipasang sebagai versi 1 dari {SOP}." in page
    assert "Perancang Kalbar" in page and "Sistem (folder processes/)" not in page
    assert versions_of(alur, SOP, "kalbar-diskukm") == [(1, "perancang-kalbar")]
    assert versions_of(alur) == [(1, "system")]

    login(client, "perancang")
    response = upload(client, post, v2_content, scenarios=V2_SCENARIOS)
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert f"{SOP}.bpmn dipasang sebagai versi 2 dari {SOP}." in page and "Perancang Kalbar" not in page
    assert versions_of(alur) == [(1, "system"), (2, "perancang")]
    assert versions_of(alur, SOP, "kalbar-diskukm") == [(1, "perancang-kalbar")]
    # A file naming Kalbar as its organisation, uploaded by Sulteng's designer, is Sulteng's.
    response = upload(client, post, (PROCESSES / f"{OTHER_SOP}.bpmn").read_bytes(), filename=f"{OTHER_SOP}.bpmn")
    assert response.status_code == 302
    assert versions_of(alur, OTHER_SOP) == [(1, "perancang")]
    assert versions_of(alur, OTHER_SOP, "kalbar-diskukm") == [(1, "system")]


def test_a_refused_upload_names_no_other_organisation(client, login, post, alur, designers, v2_content,
                                                      text_of):
    login(client, "perancang-kalbar")
    assert upload(client, post, v2_content, scenarios=V2_SCENARIOS).status_code == 302  # Kalbar now has a process of SOP's id too
    login(client, "perancang")
    broken = v2_content.replace(b'value="pemeriksaan.schema.json"', b'value="tidak-ada.schema.json"')
    before = export_database(alur)
    response = upload(client, post, broken)
    assert response.status_code == 422
    page = html.unescape(text_of(response))
    assert "formulir 'tidak-ada.schema.json' tidak ditemukan di forms/" in page
    assert "kalbar" not in page.lower() and "Perancang Kalbar" not in page
    assert export_database(alur) == before


def test_a_latin1_upload_is_refused_with_its_line_unless_its_declaration_names_it(client, login, post, alur,
                                                                                    designers, v2_content, text_of):
    login(client, "perancang")
    text = v2_content.decode("utf-8").replace('name="Pengumpulan Data Kinerja" isExecutable',
                                                'name="Pengumpulan Data Kinerja (révisi)" isExecutable', 1)
    undeclared = text.replace("<?xml version='1.0' encoding='UTF-8'?>", "<?xml version='1.0'?>", 1)
    before = export_database(alur)
    response = upload(client, post, undeclared.encode("latin-1"))
    assert response.status_code == 422
    line = undeclared[:undeclared.index("révisi")].count("\n") + 1
    assert f"baris {line}: bukan teks UTF-8 (bita 0xE9 pada baris ini): simpan berkas sebagai UTF-8" in html.unescape(
        text_of(response))
    assert export_database(alur) == before
    declared = text.replace("encoding='UTF-8'", "encoding='ISO-8859-1'", 1)
    response = upload(client, post, declared.encode("latin-1"), scenarios=V2_SCENARIOS)
    assert response.status_code == 302
    assert versions_of(alur) == [(1, "system"), (2, "perancang")]
    assert next(p for p in alur.processes(ORG) if p["process_id"] == SOP)["name"] == \
        "Pengumpulan Data Kinerja (révisi)"


def test_an_upload_with_an_entity_is_refused_and_shows_no_file_of_the_server(client, login, post, alur, designers,
                                                                             v2_content, text_of, tmp_path):
    secret = tmp_path / "rahasia.txt"
    secret.write_text("RAHASIA-SERVER-42")
    content = v2_content.replace(b"?>\n", f'?>\n<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
                                 .encode(), 1).replace(b"<bpmn:documentation>", b"<bpmn:documentation>&xxe;", 1)
    login(client, "perancang")
    before = export_database(alur)
    response = upload(client, post, content)
    assert response.status_code == 422
    page = text_of(response)
    assert "baris 2: DOCTYPE tidak diizinkan dalam berkas BPMN" in page and "RAHASIA" not in page
    assert export_database(alur) == before


@pytest.mark.parametrize("filename, content, message", [
    (None, b"", "Berkas: pilih berkas BPMN"),
    ("proses.txt", b"<xml/>", "Berkas: hanya berkas .bpmn atau .xml yang diterima"),
    ("kosong.bpmn", b"", "Berkas: berkas kosong"),
    ("besar.bpmn", b"<a>" + b" " * (2 * 1024 * 1024) + b"</a>", "Berkas: berkas lebih besar dari 2 MiB"),
])
def test_bad_uploads_name_the_field_and_change_nothing(client, login, post, alur, designers, filename, content,
                                                       message, text_of):
    login(client, "perancang")
    data = {} if filename is None else {"berkas": (io.BytesIO(content), filename)}
    response = post(client, "/sop/pasang", data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert message in text_of(response)
    assert sum(len(list_versions(alur, p["org"], p["process_id"])) for p in alur.processes()) == len(alur.processes())


def test_a_file_larger_than_any_request_is_refused_with_413(client, login, post, designers):
    login(client, "perancang")
    response = upload(client, post, b" " * (13 * 1024 * 1024))
    assert response.status_code == 413


def test_diff_between_two_versions_names_steps_and_flows(client, login, post, alur, designers, v2_content, text_of):
    login(client, "perancang")
    upload(client, post, v2_content, scenarios=V2_SCENARIOS)
    versions_page = client.get(f"/sop/{SOP}/versi").get_data(as_text=True)
    assert f"/sop/{SOP}/versi/beda?dari=1&amp;ke=2" in versions_page
    response = client.get(f"/sop/{SOP}/versi/beda?dari=1&ke=2")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    added = text_of(response).split("Ditambahkan (3)")[1].split("Dihapus")[0]
    assert "Step_25 25. Memeriksa Rekapitulasi Data Kinerja" in added and "Step_25_Keputusan" in added
    changed = body.split('id="langkah-diubah"')[1].split("</ul>")[0]
    assert "Step_24" in changed and "alur keluar" in changed
    removed_flows = body.split('id="alur-dihapus"')[1].split("</ul>")[0]
    assert "Flow_Step_24_EndEvent_Selesai" in removed_flows and "→ Selesai" in removed_flows
    same = text_of(client.get(f"/sop/{SOP}/versi/beda?dari=2&ke=2"))
    assert "Tidak ada perbedaan" in same


@pytest.mark.parametrize("query, field", [("dari=x&ke=2", "Dari versi"), ("dari=1&ke=9", "Ke versi"),
                                          ("ke=2", "Dari versi"), ("dari=1&ke=-1", "Ke versi")])
def test_diff_of_versions_that_do_not_exist_is_a_bad_request(client, login, post, designers, v2_content, query,
                                                              field, text_of):
    login(client, "perancang")
    upload(client, post, v2_content, scenarios=V2_SCENARIOS)
    response = client.get(f"/sop/{SOP}/versi/beda?{query}")
    assert response.status_code == 400
    assert f"{field}: pilih salah satu versi yang ada (1, 2)" in text_of(response)


def test_migration_moves_safe_instances_and_shows_the_refused_ones_with_their_reason(
        client, login, post, alur, designers, v2_content, run_until, text_of):
    early = alur.start(SOP, "kepala-dinas")  # nothing done yet that version 2 changes
    late = alur.start(SOP, "kepala-dinas")
    run_until(late, "Step_24")  # Step_23 is done, and version 2 changes it
    late_revision = alur.instance(late.id).revision
    login(client, "perancang")
    upload(client, post, v2_content, scenarios=V2_SCENARIOS)
    page = text_of(client.get(f"/sop/{SOP}/versi"))
    assert "versi 1 (2 berjalan)" in page
    response = post(client, f"/sop/{SOP}/versi/pindahkan", {"dari": "1", "ke": "2", "proses": ""})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    moved = body.split('id="dipindahkan"')[1].split("</section>")[0]
    stayed = body.split('id="ditolak"')[1].split("</section>")[0]
    assert f"#{early.id}" in moved and f"#{late.id}" not in moved
    assert f"#{late.id}" in stayed and "Step_23" in stayed
    assert alur.instance(early.id).version == 2
    assert alur.instance(late.id).version == 1 and alur.instance(late.id).revision == late_revision
    assert [(e.action, e.actor) for e in alur.history(early.id)][-1] == ("migrate", "perancang")
    assert "migrate" not in [e.action for e in alur.history(late.id)]


def test_migrating_named_instances_only(client, login, post, alur, designers, v2_content, text_of):
    first, second = alur.start(SOP, "kepala-dinas"), alur.start(SOP, "kepala-dinas")
    login(client, "perancang")
    upload(client, post, v2_content, scenarios=V2_SCENARIOS)
    page = text_of(post(client, f"/sop/{SOP}/versi/pindahkan",
                        {"dari": "1", "ke": "2", "proses": f"#{second.id}, 999"}))
    assert "Dipindahkan ke versi 2 (1)" in page and f"Proses #{second.id}" in page
    assert "#999 bukan proses berjalan dari" in page
    assert (alur.instance(first.id).version, alur.instance(second.id).version) == (1, 2)


@pytest.mark.parametrize("form, message", [
    ({"dari": "1", "ke": "1"}, "Ke versi: versi tujuan harus berbeda dari versi asal"),
    ({"dari": "7", "ke": "2"}, "Dari versi: pilih versi asal yang ada (1, 2)"),
    ({"dari": "1", "ke": "dua"}, "Ke versi: pilih versi tujuan yang ada (1, 2)"),
    ({"dari": "1", "ke": "2", "proses": "satu, dua"}, "Nomor proses: tulis nomor proses dipisah koma"),
])
def test_bad_migration_input_names_the_field_and_moves_nothing(client, login, post, alur, designers, v2_content,
                                                               form, message, text_of):
    started = alur.start(SOP, "kepala-dinas")
    login(client, "perancang")
    upload(client, post, v2_content, scenarios=V2_SCENARIOS)
    response = post(client, f"/sop/{SOP}/versi/pindahkan", form)
    assert response.status_code == 422
    assert message in text_of(response)
    assert alur.instance(started.id).version == 1


def test_sop_list_links_the_designer_pages_for_designers_only(client, login, designers):
    login(client, "perancang")
    body = client.get("/sop/").get_data(as_text=True)
    assert 'href="/sop/pasang"' in body and f'href="/sop/{SOP}/versi"' in body
    login(client, "sekretaris")
    body = client.get("/sop/").get_data(as_text=True)
    assert "/sop/pasang" not in body and "/versi" not in body


def test_refusals(client, login, post, csrf_of, alur, designers, v2_content, text_of):
    started = alur.start(SOP, "kepala-dinas")
    pages = ["/sop/pasang", f"/sop/{SOP}/versi", f"/sop/{SOP}/versi/beda?dari=1&ke=1"]
    for url in pages:  # not logged in: to the login page
        response = client.get(url)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], url
    login(client, "sekretaris")  # logged in, but no perancang role
    for url in pages:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "hanya untuk pengguna dengan peran perancang proses" in text_of(response)
    assert upload(client, post, v2_content, scenarios=V2_SCENARIOS).status_code == 403
    assert post(client, f"/sop/{SOP}/versi/pindahkan", {"dari": "1", "ke": "1"}).status_code == 403

    login(client, "perancang-kalbar")  # a designer of another organisation
    for url in pages[1:]:
        assert client.get(url).status_code == 404, url
    assert post(client, f"/sop/{SOP}/versi/pindahkan", {"dari": "1", "ke": "1"}).status_code == 404
    assert client.get("/sop/tidak-ada/versi").status_code == 404
    # The same process id is a process of their own organisation: its version 1, and ORG's is untouched.
    assert upload(client, post, v2_content, scenarios=V2_SCENARIOS).status_code == 302
    assert versions_of(alur, SOP, "kalbar-diskukm") == [(1, "perancang-kalbar")]

    login(client, "perancang")  # the right designer, but without the CSRF token
    response = client.post("/sop/pasang", data={"berkas": (io.BytesIO(v2_content), "v2.bpmn")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert client.post(f"/sop/{SOP}/versi/pindahkan", data={"dari": "1", "ke": "1"}).status_code == 400
    assert versions_of(alur) == [(1, "system")]
    assert alur.instance(started.id).version == 1


# ------------------------------------------------------------------ scenarios at the upload

SHIPPED = f"processes/{SOP}.test.yaml"


def scenario_state(alur):
    """What a refused upload must leave as it was: versions, scenario runs, deploy audit entries."""
    from sqlalchemy import select

    from alur.runtime.models import AuditEntry, ScenarioRun

    with alur.sessions() as session:
        return (versions_of(alur), session.scalars(select(ScenarioRun.id)).all(),
                session.scalars(select(AuditEntry.id).where(AuditEntry.action.like("deploy%"))).all())


def test_a_version_whose_shipped_scenarios_fail_is_refused_with_the_report(client, login, post, alur, designers,
                                                                          v2_content, text_of):
    before = scenario_state(alur)
    login(client, "perancang")
    response = upload(client, post, v2_content)  # no scenario file: the shipped ones expect 5090 minutes
    assert response.status_code == 422
    page = html.unescape(text_of(response))
    assert f"{SOP}.bpmn tidak dipasang: skenario uji gagal" in page and "Tidak ada yang berubah" in page
    assert f"Skenario dari {SHIPPED} 7 dari 8 gagal" in page
    assert f"{SHIPPED}:13: skenario 'jalur utama, semua pemeriksaan setuju': standard_minutes 5090 diharapkan, " \
           "ternyata 5100" in page
    assert scenario_state(alur) == before


def test_a_version_with_its_own_passing_scenarios_shows_results_and_coverage(client, login, post, alur, designers,
                                                                             v2_content, text_of):
    login(client, "perancang")
    response = upload(client, post, v2_content, scenarios=V2_SCENARIOS, follow_redirects=True)
    assert response.status_code == 200
    page = html.unescape(text_of(response))
    assert f"Skenario uji ({SOP}.test.yaml): 1 dari 1 lulus." in page
    row = re.search(r'<tr data-version="2">.*?</tr>', response.get_data(as_text=True), re.S).group(0)
    assert "1 dari 1 lulus" in row and "dipaksa" not in row
    row = re.search(r'<tr data-version="1">.*?</tr>', response.get_data(as_text=True), re.S).group(0)
    assert "tidak diuji" in row
    assert "Versi 2, dijalankan saat dipasang" in page and "oleh Perancang Sulteng" in page
    assert "1 dari 1 skenario lulus" in page
    # Version 1 has 43 flows, 37 on the happy path; the extra review at the end replaces Step_24 -> end
    # (and Step_23 -> Step_24) by six: 47 flows, 40 on the happy path, 7 only on returns.
    assert "yang dilalui skenario: 40 dari 47 (simulasi: 47 dari 47)" in page
    assert "semua cabangnya dilalui: 0 dari 7 (simulasi: 7 dari 7)" in page
    body = response.get_data(as_text=True)
    assert body.count('class="flow taken"') == 40 and body.count('class="flow simulated"') == 7


def test_a_forced_version_is_deployed_and_the_override_audited(client, login, post, alur, designers, v2_content,
                                                               text_of):
    from sqlalchemy import select

    from alur.runtime.models import AuditEntry

    login(client, "perancang")
    response = upload(client, post, v2_content, force=True, follow_redirects=True)
    page = html.unescape(text_of(response))
    assert f"Skenario uji ({SHIPPED}): 1 dari 8 lulus. Dipasang walau skenario gagal; tercatat di log audit." in page
    row = re.search(r'<tr data-version="2">.*?</tr>', response.get_data(as_text=True), re.S).group(0)
    assert "1 dari 8 lulus" in row and "dipaksa" in row
    assert versions_of(alur) == [(1, "system"), (2, "perancang")]
    with alur.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "deploy-override")).one()
    assert (entry.actor, entry.process_id, entry.version, entry.data["scenario_file"], entry.data["failed"]) == \
        ("perancang", SOP, 2, SHIPPED, 7)
    # The next upload without a file is tested with the scenarios this one was tested with.
    response = upload(client, post, v2_content)
    assert response.status_code == 422
    assert f"Skenario dari {SHIPPED} 7 dari 8 gagal" in html.unescape(text_of(response))


@pytest.mark.parametrize("name, content, message", [
    ("skenario.txt", b"scenarios: []", "hanya berkas skenario .yaml atau .yml yang diterima"),
    (f"{SOP}.test.yaml", b"", "berkas skenario kosong"),
    (f"{SOP}.test.yaml", b"\xff\xfe", "berkas skenario harus disimpan dengan pengodean UTF-8"),
    (f"{SOP}.test.yaml", b"#" * (1024 * 1024 + 1), "berkas skenario lebih besar dari 1024 KiB"),
])
def test_bad_scenario_files_name_the_field_and_change_nothing(client, login, post, alur, designers, v2_content,
                                                              text_of, name, content, message):
    before = scenario_state(alur)
    login(client, "perancang")
    response = upload(client, post, v2_content, scenarios=content, scenario_name=name)
    assert response.status_code == 422
    assert f"Berkas skenario: {message}" in text_of(response)
    assert scenario_state(alur) == before


def test_a_scenario_file_that_cannot_run_names_its_line(client, login, post, alur, designers, v2_content, text_of):
    before = scenario_state(alur)
    login(client, "perancang")
    response = upload(client, post, v2_content, scenarios=b"scenarios:\n  - name: a\n    steps:\n      - tsk: x\n")
    assert response.status_code == 422
    page = html.unescape(text_of(response))
    assert f"Skenario dari {SOP}.test.yaml tidak dapat dijalankan" in page
    assert f"{SOP}.test.yaml:4: kesalahan: skenario 'a', langkah 1: kunci 'tsk' tidak dikenal (yang boleh: task, " \
           "data, as, next, late)" in page
    assert scenario_state(alur) == before
    response = upload(client, post, v2_content, scenarios=b"scenarios:\n  - name: a\n    steps:\n      - tsk: x\n",
                      force=True, follow_redirects=True)
    row = re.search(r'<tr data-version="2">.*?</tr>', response.get_data(as_text=True), re.S).group(0)
    assert "berkas skenario bermasalah" in row and "dipaksa" in row
    assert "berkas skenario tidak dapat dijalankan" in html.unescape(text_of(response))


def test_the_upload_field_id_proses_picks_one_of_several_executable_processes(client, login, post, alur, designers,
                                                                              text_of):
    from tests.runtime.test_modeler_files import with_second_process

    login(client, "perancang")
    content = with_second_process().encode()
    response = upload(client, post, content, filename="dua.bpmn")
    assert response.status_code == 422
    assert "isExecutable menentukan apa yang dipasang Alur" in html.unescape(text_of(response))
    assert 'name="proses"' in response.get_data(as_text=True)
    data = {"berkas": (io.BytesIO(content), "dua.bpmn"), "proses": "camunda-surat-masuk"}
    response = post(client, "/sop/pasang", data, content_type="multipart/form-data")
    assert response.status_code == 302
    assert versions_of(alur, "camunda-surat-masuk") == [(1, "perancang")]
    before = export_database(alur)
    data = {"berkas": (io.BytesIO(content), "dua.bpmn"), "proses": "<script>"}
    response = post(client, "/sop/pasang", data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "Id proses: id proses di berkas BPMN diawali huruf" in html.unescape(text_of(response))
    assert "<script>" not in response.get_data(as_text=True)
    assert export_database(alur) == before

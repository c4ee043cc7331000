"""Every SOP of the seeds as executable BPMN: shape checked against the SOP, every path simulated."""
from __future__ import annotations

import pytest
from lxml import etree

from alur.runtime.bpmn_check import NS, check_file
from alur.runtime.simulate import simulate
from tests.conftest import FORMS, PROCESSES

SULTENG = [
    "Kepala Dinas", "Sekretaris", "Kepala Sub Bagian Program, Keuangan dan Aset", "Fungsional Umum",
    "Bidang/UPT Balai Pelatihan", "Perangkat Daerah Terkait (BAPPEDA dan Biro Organisasi)",
]
# process id: (steps, lanes, reviews, happy-path standard minutes), read off the SOP tables.
SOPS = {
    "kalbar-pengumpulan-skp": (9, ["Kasubbag Umum & Aparatur", "Pemroses Administrasi Kepegawaian",
                                   "Kepala Bidang", "Sekretaris Dinas", "Kepala Dinas"], 3, 575),
    "kotim-pemrosesan-skp": (6, ["Pengelola kepegawaian", "Pegawai", "Atasan langsung Pegawai"], 2, 1205),
    # Seed 002 states its own total: 2 hari kerja + 1 jam 5 menit.
    "sungaipenuh-skp": (6, ["Staf", "Kasubbag/ Kasubbid", "Kabid", "Sekretaris", "Kaban"], 0, 2 * 480 + 65),
    "tanjabbar-penyusunan-skp": (8, ["PNS", "Staf", "Kasubbag", "Sekretaris", "Kadis"], 1, 1445),
    "sulteng-pengumpulan-data-kinerja": (24, SULTENG, 6, 5090),
    "sulteng-penetapan-perjanjian-kinerja": (30, SULTENG, 8, 5840),
    "sulteng-penyusunan-lkjip": (22, [*SULTENG[:4], "Tim Penyusun LKjIP", SULTENG[5]], 7, 12580),
    "sulteng-penyusunan-iki": (24, SULTENG, 6, 5090),
    "sulteng-penyusunan-rencana-aksi": (24, SULTENG, 6, 5090),
    "sulteng-pengukuran-kinerja": (36, SULTENG, 10, 6940),
    "sulteng-penyusunan-lki": (24, SULTENG, 6, 5090),
}


def test_processes_folder_holds_exactly_the_eleven_sops():
    assert sorted(p.stem for p in PROCESSES.glob("*.bpmn")) == sorted(SOPS)


@pytest.fixture(scope="module", params=sorted(SOPS))
def checked(request):
    return check_file(PROCESSES / f"{request.param}.bpmn", FORMS)


def test_file_is_clean(checked):
    assert checked.ok, checked.problems
    assert checked.problems == []  # not even warnings


def test_steps_and_lanes_match_the_sop(checked):
    steps, lanes, _, _ = SOPS[checked.process_id]
    assert len(checked.user_tasks) == steps
    assert checked.lanes == lanes
    numbers = [int(t.properties["sopStep"]) for t in checked.user_tasks]
    assert numbers == sorted(numbers)
    for task in checked.user_tasks:
        assert task.name.startswith(f"{task.properties['sopStep']}. ")
        assert task.lane in lanes and task.form and task.standard_minutes is not None
        assert task.properties["kelengkapan"] is not None and task.properties["output"] is not None


def test_identity_sheet_is_in_process_properties_and_readings_in_the_documentation(checked):
    root = etree.fromstring(checked.bpmn_text.encode())
    process = root.xpath("./bpmn:process", namespaces=NS)[0]
    names = [p.get("name") for p in process.xpath(
        "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", namespaces=NS)]
    for name in ("nomorSop", "tanggalPembuatan", "tanggalRevisi", "tanggalEfektif", "disahkanOlehJabatan",
                 "disahkanOlehNama", "disahkanOlehNip", "namaSop", "dasarHukum.1", "kualifikasiPelaksana.1",
                 "keterkaitan.1", "peralatanPerlengkapan.1", "peringatan.1"):
        assert name in names
    doc = process.xpath("./bpmn:documentation", namespaces=NS)[0].text
    assert "Catatan pembacaan SOP" in doc and "Sumber: seeds/" in doc
    assert "Dasar Hukum" not in doc  # moved into the properties


def _step_lanes(process_id: str) -> dict[str, tuple[str, bool]]:
    """task id -> (lane, followed by a review gateway) as the committed BPMN has it."""
    checked = check_file(PROCESSES / f"{process_id}.bpmn", FORMS)
    root = etree.fromstring(checked.bpmn_text.encode())
    gateways = {g.get("id") for g in root.xpath("//bpmn:exclusiveGateway", namespaces=NS)}
    return {t.id: (t.lane, f"{t.id}_Keputusan" in gateways) for t in checked.user_tasks}


def test_tanjabbar_rows_follow_the_seed_marks():
    """Seed 003: row 4 is the PNS's hand-over with no Ya/Tidak; row 6's only mark is in the
    Kasubbag column; row 7's diamond in the Kadis column is the one decision."""
    lanes = _step_lanes("tanjabbar-penyusunan-skp")
    assert lanes["Step_04"] == ("PNS", False)
    assert lanes["Step_06"] == ("Kasubbag", False)
    assert lanes["Step_07"] == ("Kadis", True)
    assert [task for task, (_, review) in lanes.items() if review] == ["Step_07"]


def test_sungaipenuh_filing_cabinet_is_read_from_its_context():
    checked = check_file(PROCESSES / "sungaipenuh-skp.bpmn", FORMS)
    step5 = next(t for t in checked.user_tasks if t.id == "Step_05")
    assert step5.properties["kelengkapan"] == "Jaringan Internet, Filing Kabinet"


def _step_lanes(process_id: str) -> dict[str, tuple[str, bool]]:
    """task id -> (lane, followed by a review gateway) as the committed BPMN has it."""
    checked = check_file(PROCESSES / f"{process_id}.bpmn", FORMS)
    root = etree.fromstring(checked.bpmn_text.encode())
    gateways = {g.get("id") for g in root.xpath("//bpmn:exclusiveGateway", namespaces=NS)}
    return {t.id: (t.lane, f"{t.id}_Keputusan" in gateways) for t in checked.user_tasks}


def test_tanjabbar_rows_follow_the_seed_marks():
    """Seed 003: row 4 is the PNS's hand-over with no Ya/Tidak; row 6's only mark is in the
    Kasubbag column; row 7's diamond in the Kadis column is the one decision."""
    lanes = _step_lanes("tanjabbar-penyusunan-skp")
    assert lanes["Step_04"] == ("PNS", False)
    assert lanes["Step_06"] == ("Kasubbag", False)
    assert lanes["Step_07"] == ("Kadis", True)
    assert [task for task, (_, review) in lanes.items() if review] == ["Step_07"]


def test_sungaipenuh_filing_cabinet_is_read_from_its_context():
    checked = check_file(PROCESSES / "sungaipenuh-skp.bpmn", FORMS)
    step5 = next(t for t in checked.user_tasks if t.id == "Step_05")
    assert step5.properties["kelengkapan"] == "Jaringan Internet, Filing Kabinet"


def test_every_shape_edge_and_lane_has_di(checked):
    root = etree.fromstring(checked.bpmn_text.encode())
    ns = {**NS, "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI"}
    drawn = {e.get("bpmnElement") for e in root.xpath("//bpmndi:BPMNShape | //bpmndi:BPMNEdge", namespaces=ns)}
    elements = root.xpath("./bpmn:process//*[@id] | ./bpmn:collaboration/bpmn:participant", namespaces=ns)
    missing = {e.get("id") for e in elements if etree.QName(e).localname not in ("laneSet", "conditionExpression")}
    assert missing - drawn == set()


def test_every_path_runs_to_the_end_covering_every_flow(checked):
    steps, _, reviews, happy_minutes = SOPS[checked.process_id]
    report = simulate(checked, max_returns=1)
    assert report.ok, report.summary()
    assert report.flows_covered == report.flows_total
    assert report.reviews == reviews
    assert report.paths == 1 + reviews + (1 if reviews else 0)
    assert report.happy_path_minutes == happy_minutes
    assert len(report.path_results[0].steps) == steps
    if reviews:
        assert report.longest_path_minutes > happy_minutes


def test_a_return_loop_goes_round_as_often_as_needed():
    checked = check_file(PROCESSES / "kalbar-pengumpulan-skp.bpmn", FORMS)
    report = simulate(checked, max_returns=3)
    assert report.ok, report.summary()
    three_returns = next(p for p in report.path_results if p.label == "Step_05 returns 3x")
    assert three_returns.steps.count("Step_05:kembalikan") == 3
    assert three_returns.steps.count("Step_04") == 4
    assert three_returns.steps[-1] == "Step_09"


def test_simulation_reports_a_path_that_cannot_finish(tmp_path):
    text = (PROCESSES / "kalbar-pengumpulan-skp.bpmn").read_text()
    # Approval sends the SKP back too: no path can reach the end.
    broken = text.replace('sourceRef="Step_07_Keputusan" targetRef="Step_08"',
                          'sourceRef="Step_07_Keputusan" targetRef="Step_06_Join"')
    assert broken != text
    path = tmp_path / "loop.bpmn"
    path.write_text(broken)
    report = simulate(check_file(path, FORMS), max_returns=1)
    assert not report.ok
    assert any(not p.reached_end for p in report.path_results)

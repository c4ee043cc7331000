"""The SOP document read from BPMN: identity sheet, pelaksana and table rows, from the committed
SOPs and from files other modelers save (Camunda properties, missing fields, no DI)."""
from __future__ import annotations

import pytest

from alur.runtime.sopdoc.model import DECISION, PROCESS, TERMINATOR, Identity, SopReadError, read_document
from tests.conftest import PROCESSES


def _read(stem: str):
    return read_document((PROCESSES / f"{stem}.bpmn").read_bytes())


def test_the_kotim_identity_sheet_reads_as_the_seed_prints_it():
    identity = _read("kotim-pemrosesan-skp").identity
    assert identity.nomor == "555 / 08/Set-Diskominfo/XI/2017"
    assert (identity.tanggal_pembuatan, identity.tanggal_revisi, identity.tanggal_efektif) == (
        "04 September 2017", "02 Oktober 2017", "01 November 2017")
    assert identity.disahkan_jabatan == "Kepala Dinas Komunikasi dan Informatika Kabupaten Kotawaringin Timur"
    assert (identity.disahkan_nama, identity.disahkan_pangkat, identity.disahkan_nip) == (
        "MULTAZAM, S.T., M.MT.", "", "19680528 199903 1 004")
    assert identity.nama == "Pemrosesan Sasaran Kinerja Pegawai (SKP)"
    assert identity.unit == "Sekretariat"
    assert len(identity.dasar_hukum) == 5
    assert identity.dasar_hukum[4] == "Perka BKN No 1 Tahun 2013 Tentang Penilaian Prestasi Kerja Pegawai Negeri Sipil"
    assert identity.peralatan == ["Formulir SKP", "Aplikasi SKP", "Lembar Penilaian SKP"]
    assert identity.keterkaitan == ["SOP Penyusunan ANJAB dan ABK"]
    assert identity.pencatatan == ["Database kepegawaian"]
    assert identity.peringatan == ["Apabila pemrosesan SKP tidak dilaksanakan maka berakibat keterlambatan "
                                   "penyampaian SKP ke Instansi terkait"]


def test_the_kalbar_table_has_its_rows_symbols_and_return_targets():
    document = _read("kalbar-pengumpulan-skp")
    assert document.pelaksana == ["Kasubbag Umum & Aparatur", "Pemroses Administrasi Kepegawaian",
                                  "Kepala Bidang", "Sekretaris Dinas", "Kepala Dinas"]
    assert [(r.no, r.kind, r.next_no, r.tidak_no) for r in document.rows] == [
        (1, TERMINATOR, 2, None), (2, PROCESS, 3, None), (3, PROCESS, 4, None), (4, PROCESS, 5, None),
        (5, DECISION, 6, 4), (6, DECISION, 7, 5), (7, DECISION, 8, 6), (8, PROCESS, 9, None),
        (9, TERMINATOR, None, None)]
    five = document.row(5)
    assert five.pelaksana == "Kasubbag Umum & Aparatur"
    assert five.kegiatan.startswith("Memeriksa SKP, jika tidak setuju dikembalikan")
    assert (five.kelengkapan, five.waktu, five.output, five.standard_minutes) == ("SKP", "20 Menit", "SKP", 20)
    # 5 + 15 + 480 + 5 + 3 x 20 + 5 + 5 working minutes
    assert document.total_minutes == 575
    assert document.total_waktu == "1 hari 1 jam 35 menit"


def test_the_tanjabbar_table_starts_at_its_step_two_and_has_one_decision():
    document = _read("tanjabbar-penyusunan-skp")
    assert [r.no for r in document.rows] == [2, 3, 4, 5, 6, 7, 8, 9]
    assert [(r.no, r.pelaksana) for r in document.rows if r.kind == DECISION] == [(7, "Kadis")]
    assert document.row(7).ya_no == 8 and document.row(7).tidak_no == 5
    assert document.row(6).pelaksana == "Kasubbag"


def test_sungaipenuh_derived_total_is_the_total_the_seed_states():
    # Seed 002: "2 HARI KERJA + 1 JAM 5 MENIT"
    assert _read("sungaipenuh-skp").total_waktu == "2 hari 1 jam 5 menit"


HAND_MADE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="surat" name="Surat Masuk" isExecutable="true">
    <bpmn:extensionElements>
      <camunda:properties>
        <camunda:property name="nomorSop" value="045/1" />
        <camunda:property name="dasarHukum" value="UU 1&#10;  UU 2  &#10;" />
        <camunda:property name="dasarHukum.10" value="UU 12" />
        <camunda:property name="dasarHukum.2" value="UU 4" />
        <camunda:property name="dasarHukum.1" value="UU 3" />
        <camunda:property name="dasarHukumX" value="bukan" />
        <camunda:property value="tanpa nama" />
        <camunda:property name="rahasia" value="diabaikan" />
      </camunda:properties>
    </bpmn:extensionElements>
    <bpmn:laneSet>
      <bpmn:lane id="L_atas" name="Kepala"><bpmn:flowNodeRef>Periksa</bpmn:flowNodeRef></bpmn:lane>
      <bpmn:lane id="L_bawah" name="Staf"><bpmn:flowNodeRef>Catat</bpmn:flowNodeRef><bpmn:flowNodeRef>Arsip</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s" />
    <bpmn:userTask id="Catat" name="Mencatat surat" />
    <bpmn:userTask id="Periksa" name="Memeriksa">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="waktu" value="2 Jam" /><camunda:property name="keterangan" value="paraf" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="g" default="ya" />
    <bpmn:userTask id="Arsip" name="Mengarsipkan" />
    <bpmn:endEvent id="e" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="Catat" />
    <bpmn:sequenceFlow id="f2" sourceRef="Catat" targetRef="Periksa" />
    <bpmn:sequenceFlow id="f3" sourceRef="Periksa" targetRef="g" />
    <bpmn:sequenceFlow id="ya" sourceRef="g" targetRef="Arsip" />
    <bpmn:sequenceFlow id="balik" sourceRef="g" targetRef="Catat">
      <bpmn:conditionExpression>${keputusan == "kembalikan"}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f5" sourceRef="Arsip" targetRef="e" />
  </bpmn:process>
  <bpmndi:BPMNDiagram><bpmndi:BPMNPlane bpmnElement="surat">
    <bpmndi:BPMNShape bpmnElement="L_atas"><dc:Bounds x="0" y="300" width="600" height="100" /></bpmndi:BPMNShape>
    <bpmndi:BPMNShape bpmnElement="L_bawah"><dc:Bounds x="0" y="100" width="600" height="200" /></bpmndi:BPMNShape>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_a_camunda_file_reads_with_numbered_and_line_lists_and_lanes_as_drawn():
    document = read_document(HAND_MADE)
    assert document.process_id == "surat"
    assert document.identity.nomor == "045/1"
    assert document.identity.nama == "Surat Masuk"  # no namaSop: the process name
    assert document.identity.dasar_hukum == ["UU 1", "UU 2", "UU 3", "UU 4", "UU 12"]
    assert document.identity.tanggal_revisi == "" and document.identity.peringatan == []
    assert document.pelaksana == ["Staf", "Kepala"]  # the Staf lane is drawn on top
    rows = document.rows
    assert [(r.no, r.kegiatan, r.pelaksana, r.kind, r.next_no, r.tidak_no) for r in rows] == [
        (1, "Mencatat surat", "Staf", TERMINATOR, 2, None),
        (2, "Memeriksa", "Kepala", DECISION, 3, 1),
        (3, "Mengarsipkan", "Staf", TERMINATOR, None, None)]
    assert (rows[1].waktu, rows[1].standard_minutes, rows[1].keterangan) == ("2 Jam", 120, "paraf")
    assert (rows[0].waktu, rows[0].standard_minutes, rows[0].kelengkapan) == ("", None, "")
    assert document.total_waktu == "2 jam"


def test_a_bare_process_reads_as_empty_fields():
    text = ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p">'
            '<userTask id="t"/></process></definitions>')
    document = read_document(text)
    assert document.identity == Identity()
    assert document.pelaksana == []
    assert [(r.no, r.kegiatan, r.pelaksana, r.kind) for r in document.rows] == [(1, "t", "", TERMINATOR)]


@pytest.mark.parametrize("text, message", [
    ("<bukan xml", "bukan XML yang sah"),
    ('<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"/>', "berkas tidak memuat proses BPMN"),
])
def test_text_that_is_no_bpmn_process_is_refused(text, message):
    with pytest.raises(SopReadError, match=message):
        read_document(text)

"""The generator writes the identity sheet as process properties, and refuses a malformed header."""
from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from alur.runtime import sopgen
from tests.conftest import FORMS

SOURCE = '''
id = "contoh"
name = "Contoh Prosedur"
organisation = "Dinas Contoh"
org = "contoh-dinas"
nomor = "800/12/SET"
tanggal_pembuatan = "1 Maret 2024"
disahkan_oleh = { jabatan = "Kepala Dinas", nama = "Budi, S.E.", nip = "19700101 199003 1 001" }
dasar_hukum = ["UU 5/2014", "PP 11/2017"]
peringatan = "Jika tidak dilaksanakan, terlambat"
pencatatan = []
total_waktu = "2 jam"
readings = ["Step 1: read as the Pelaksana's."]
lanes = ["Pelaksana"]

[[steps]]
no = 1
lane = "Pelaksana"
text = "Menyusun konsep"
waktu = "1 Jam"
form = "rancangan"
keterangan = "Rangkap dua"
'''
SPIFF = "{http://spiffworkflow.org/bpmn/schema/1.0/core}"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _generate(tmp_path: Path, text: str) -> etree._Element:
    path = tmp_path / "contoh.toml"
    path.write_text(text, encoding="utf-8")
    return etree.fromstring(sopgen.generate(sopgen.load_source(path), FORMS))


def _properties(element) -> list[tuple[str, str]]:
    ext = element.find(f"{BPMN}extensionElements")
    return [(p.get("name"), p.get("value")) for p in ext.iter(f"{SPIFF}property")]


def test_the_identity_sheet_becomes_process_properties_in_print_order(tmp_path):
    root = _generate(tmp_path, SOURCE)
    process = root.find(f"{BPMN}process")
    assert _properties(process) == [
        ("org", "contoh-dinas"),
        ("nomorSop", "800/12/SET"),
        ("tanggalPembuatan", "1 Maret 2024"),
        ("tanggalRevisi", ""),
        ("tanggalEfektif", ""),
        ("disahkanOlehJabatan", "Kepala Dinas"),
        ("disahkanOlehNama", "Budi, S.E."),
        ("disahkanOlehPangkat", ""),
        ("disahkanOlehNip", "19700101 199003 1 001"),
        ("namaSop", "Contoh Prosedur"),
        ("organisation", "Dinas Contoh"),
        ("unit", ""),
        ("dasarHukum.1", "UU 5/2014"),
        ("dasarHukum.2", "PP 11/2017"),
        ("peringatan.1", "Jika tidak dilaksanakan, terlambat"),
    ]
    doc = process.findtext(f"{BPMN}documentation")
    assert doc.splitlines() == [
        "SOP Contoh Prosedur",
        "Organisasi: Dinas Contoh",
        "Identitas SOP (nomor, tanggal, pengesahan, dasar hukum, kualifikasi, keterkaitan, peralatan, "
        "peringatan, pencatatan): properti proses.",
        "Total waktu tertulis di SOP: 2 jam",
        "Catatan pembacaan SOP (readings):",
        "  1. Step 1: read as the Pelaksana's.",
        "Sumber: seeds/",
    ]


def test_a_step_keterangan_becomes_a_task_property(tmp_path):
    task = _generate(tmp_path, SOURCE).find(f".//{BPMN}userTask")
    assert ("keterangan", "Rangkap dua") in _properties(task)
    without = _generate(tmp_path, SOURCE.replace('keterangan = "Rangkap dua"\n', "")).find(f".//{BPMN}userTask")
    assert "keterangan" not in dict(_properties(without))


def test_a_signatory_written_as_one_string_is_its_jabatan(tmp_path):
    text = SOURCE.replace('disahkan_oleh = { jabatan = "Kepala Dinas", nama = "Budi, S.E.", nip = "19700101 199003 1 001" }',
                          'disahkan_oleh = "WALIKOTA CONTOH"')
    properties = dict(_properties(_generate(tmp_path, text).find(f"{BPMN}process")))
    assert properties["disahkanOlehJabatan"] == "WALIKOTA CONTOH"
    assert properties["disahkanOlehNama"] == "" and properties["disahkanOlehNip"] == ""


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace('nama = "Budi, S.E."', 'name = "Budi"'), "disahkan_oleh: unknown field 'name'"),
    (lambda t: t.replace('nip = "19700101 199003 1 001"', "nip = 19700101"), "disahkan_oleh: every field must be a string"),
    (lambda t: t.replace('dasar_hukum = ["UU 5/2014", "PP 11/2017"]', 'dasar_hukum = "UU 5/2014"'),
     "field 'dasar_hukum' must be a list of strings"),
    (lambda t: t.replace('pencatatan = []', 'pencatatan = [1]'), "field 'pencatatan' must be a list of strings"),
    (lambda t: t.replace('nomor = "800/12/SET"', "nomor = 800"), "field 'nomor' must be a string"),
    (lambda t: t.replace('disahkan_oleh = {', 'disahkan_oleh = [{').replace('1 001" }', '1 001" }]'),
     "field 'disahkan_oleh' must be a table"),
])
def test_a_malformed_header_is_refused_naming_the_field(tmp_path, edit, message):
    path = tmp_path / "contoh.toml"
    path.write_text(edit(SOURCE), encoding="utf-8")
    with pytest.raises(sopgen.SourceError) as refused:
        sopgen.load_source(path)
    assert str(refused.value).startswith(f"{path}: {message}")

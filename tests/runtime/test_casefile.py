"""The case file (berkas proses): what every completed step recorded, as a clerk reads it."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from alur.runtime import directory, forms, views
from alur.runtime.attachments import AttachmentView
from alur.runtime.casefile import MISSING_FILE, build, case_file, format_value
from alur.runtime.engine import AuditView, NotFound, TaskView
from alur.runtime.people import People, Person
from tests.conftest import FORMS, PROCESSES, seed_lane_users

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=timezone.utc)
FORM_NAMES = ("disposisi.schema.json", "rancangan.schema.json", "pemeriksaan.schema.json",
              "penerimaan.schema.json", "pengesahan.schema.json")
SCHEMAS = {name: json.loads((FORMS / name).read_text()) for name in FORM_NAMES}
PEOPLE = People({
    "kadis": Person("kadis", "Budi Santoso", jabatan="Kepala Dinas"),
    "fungsional": Person("fungsional", "Siti Aminah", jabatan="Fungsional Umum"),
    "kasubbag": Person("kasubbag", "Ahmad Fauzi"),  # no jabatan recorded
})


def task(task_id: str, spec: str, name: str, form: str | None) -> TaskView:
    return TaskView(id=task_id, instance_id=1, process_id="p", org="o", task_spec=spec, name=name, lane="-",
                    role="r", form=form, standard_minutes=None, status="completed", ready_at=T0, due_at=None,
                    claimed_by=None, completed_by=None, completed_at=None)


def entry(entry_id: int, action: str, task_id: str | None, actor: str, data: dict, minutes: int = 0) -> AuditView:
    return AuditView(id=entry_id, at=T0 + timedelta(minutes=minutes), actor=actor, action=action, process_id="p",
                     version=None, instance_id=1, task_id=task_id, task_spec=None, data=data)


def attachment(name: str, task_id: str, original: str) -> AttachmentView:
    return AttachmentView(id=1, name=name, instance_id=1, task_id=task_id, original_name=original,
                          content_type="application/pdf", size=2048, sha256="0" * 64, uploaded_by="fungsional",
                          uploaded_at=T0)


STEPS = {
    "t1": task("t1", "Step_01", "1. Memerintahkan Sekretaris", "disposisi.schema.json"),
    "t4": task("t4", "Step_04", "4. Menyusun rancangan surat", "rancangan.schema.json"),
    "t5": task("t5", "Step_05", "5. Memeriksa rancangan", "pemeriksaan.schema.json"),
    "t4b": task("t4b", "Step_04", "4. Menyusun rancangan surat", "rancangan.schema.json"),
}


def test_each_field_is_labelled_by_its_form_and_the_person_is_named_with_jabatan():
    entries = [entry(1, "start", None, "kadis", {"perihal": "x"}),
               entry(2, "claim", "t1", "kadis", {}),
               entry(3, "complete", "t1", "kadis",
                     {"isi_disposisi": "Segera kumpulkan data kinerja triwulan IV", "sifat": "segera"})]
    [step] = build(entries, STEPS, SCHEMAS, [], PEOPLE)
    assert step.step_name == "1. Memerintahkan Sekretaris"
    assert step.form_title == "Disposisi / Perintah"
    assert [(f.label, f.text) for f in step.fields] == [
        ("Isi disposisi", "Segera kumpulkan data kinerja triwulan IV"), ("Sifat", "segera")]
    assert (step.by_name, step.by_jabatan, step.at, step.returned) == ("Budi Santoso", "Kepala Dinas", T0, False)


def test_values_are_written_as_people_write_them():
    assert format_value({"type": "boolean"}, True) == "Ya"
    assert format_value({"type": "boolean"}, False) == "Tidak"
    assert format_value({"type": "string", "format": "date"}, "2026-12-04") == "4 Desember 2026"
    assert format_value({"type": "string", "format": "date"}, "besok") == "besok"  # not a date: as written
    assert format_value({"type": "integer"}, 1234567) == "1.234.567"
    assert format_value({"type": "number"}, 1234.5) == "1.234,5"
    review = SCHEMAS["pemeriksaan.schema.json"]["properties"]["keputusan"]
    assert format_value(review, "kembalikan") == "Kembalikan untuk diperbaiki"
    assert format_value({"enum": ["biasa", "segera"]}, "segera") == "segera"  # no x-enumNames: the value
    assert format_value({"type": "array", "items": {"enum": ["a", "b"], "x-enumNames": ["Satu", "Dua"]}},
                        ["b", "a"]) == "Dua, Satu"
    assert format_value({}, None) == "-"


def test_dates_numbers_and_booleans_of_a_step_are_formatted():
    steps = {"t": task("t", "Step_07", "7. Mengesahkan", "pengesahan.schema.json"),
             "r": task("r", "Step_02", "2. Menerima", "penerimaan.schema.json")}
    entries = [entry(1, "complete", "r", "kasubbag", {"jumlah_diterima": 12500, "tanggal": "2026-11-30"}),
               entry(2, "complete", "t", "kadis", {"tanggal": "2026-12-01", "disahkan": True,
                                                   "nomor_dokumen": "800/12/2026"})]
    signed, received = build(entries, steps, SCHEMAS, [], PEOPLE)
    assert [(f.label, f.text) for f in signed.fields] == [
        ("Nomor dokumen", "800/12/2026"), ("Tanggal pengesahan", "1 Desember 2026"),
        ("Dokumen telah ditandatangani", "Ya")]
    assert [(f.label, f.text) for f in received.fields] == [
        ("Jumlah dokumen diterima", "12.500"), ("Tanggal diterima", "30 November 2026")]
    assert (received.by_name, received.by_jabatan) == ("Ahmad Fauzi", None)


def test_newest_first_and_a_returned_step_shows_both_completions():
    entries = [entry(1, "complete", "t4", "fungsional", {"perihal": "Rancangan pertama"}, 0),
               entry(2, "return", "t5", "kasubbag", {"keputusan": "kembalikan", "catatan": "Lengkapi tabel"}, 10),
               entry(3, "complete", "t4b", "fungsional", {"perihal": "Rancangan kedua"}, 20)]
    redone, returned, first = build(entries, STEPS, SCHEMAS, [], PEOPLE)
    assert [s.entry_id for s in (redone, returned, first)] == [3, 2, 1]
    assert redone.step_name == first.step_name == "4. Menyusun rancangan surat"
    assert redone.fields[0].text == "Rancangan kedua" and first.fields[0].text == "Rancangan pertama"
    assert returned.returned and not redone.returned
    assert [(f.label, f.text) for f in returned.fields] == [
        ("Keputusan", "Kembalikan untuk diperbaiki"), ("Catatan pemeriksaan", "Lengkapi tabel")]


def test_files_are_linked_from_their_field_and_loose_uploads_of_the_step_are_listed():
    files = [attachment("a1.pdf", "t4", "rancangan-surat.pdf"), attachment("a2.pdf", "t4", "tabel-capaian.pdf"),
             attachment("a3.pdf", "t4b", "rancangan-kedua.pdf")]
    entries = [entry(1, "complete", "t4", "fungsional", {"perihal": "Rancangan", "lampiran": "a1.pdf"}),
               entry(2, "complete", "t4b", "fungsional", {"perihal": "Rancangan", "lampiran": "hilang.pdf"})]
    second, first = build(entries, STEPS, SCHEMAS, files, PEOPLE)
    lampiran = first.fields[1]
    assert (lampiran.label, lampiran.text) == ("Lampiran dokumen", "")
    assert [f.original_name for f in lampiran.files] == ["rancangan-surat.pdf"]
    assert [f.name for f in first.files] == ["a2.pdf"]  # uploaded on the step, named by no field
    assert (second.fields[1].text, second.fields[1].files) == (MISSING_FILE, ())
    assert [f.name for f in second.files] == ["a3.pdf"]


def test_fields_outside_the_form_and_unknown_people_are_still_shown():
    steps = {"x": task("x", "Step_X", "Langkah lama", "tidak-ada.schema.json")}
    entries = [entry(1, "complete", "x", "dihapus", {"jumlah_berkas": 3, "kosong": "", "catatan": "a\nb"}),
               entry(2, "complete", "y", "system", {})]
    unknown_step, old = build(entries, steps, SCHEMAS, [], PEOPLE)
    assert [(f.label, f.text) for f in old.fields] == [("Jumlah berkas", "3"), ("Catatan", "a\nb")]
    assert old.fields[1].long and not old.fields[0].long
    assert old.by_name == "pengguna yang telah dihapus" and old.form_title is None
    assert unknown_step.by_name == "Sistem" and unknown_step.fields == ()


SOP = "sulteng-pengumpulan-data-kinerja"


@pytest.fixture
def sulteng(alur):
    alur.deploy(PROCESSES / f"{SOP}.bpmn")
    return alur, seed_lane_users(alur, SOP)


def _complete_next(alur, view, decision: str = "setuju", **data):
    [ready] = view.ready_tasks
    schema = views.task_details(alur, ready.id)["form"]
    return alur.complete(ready.id, ready.role, {**forms.sample_data(schema, decision), **data})


def test_the_case_file_of_an_instance_keeps_every_completion_for_who_may_see_it(sulteng):
    alur, _ = sulteng
    org = directory.process_organisation(alur, SOP)
    view = alur.start(SOP, "kepala-dinas", perihal="Data kinerja triwulan IV")
    view = _complete_next(alur, view, isi_disposisi="Mulai pengumpulan data kinerja")
    assert [s.fields[0].text for s in case_file(alur, view.id, "sekretaris")] == ["Mulai pengumpulan data kinerja"]
    while view.ready_tasks[0].task_spec != "Step_05":
        view = _complete_next(alur, view)
    view = _complete_next(alur, view, "kembalikan", catatan="Lengkapi tabel capaian")
    view = _complete_next(alur, view, perihal="Rancangan yang diperbaiki")
    recorded = case_file(alur, view.id, "fungsional-umum")
    assert recorded[0].fields[0].text == "Rancangan yang diperbaiki"
    assert recorded[1].returned and recorded[1].fields[1].text == "Lengkapi tabel capaian"
    assert [s.step_name[:2] for s in recorded] == ["4.", "5.", "4.", "3.", "2.", "1."]
    assert recorded[-1].fields[0].label == "Isi disposisi"

    directory.add_user(alur, "pegawai", ["pegawai"], org=org)  # holds no lane of the SOP
    directory.add_organisation(alur, "lain", "Dinas Lain")
    directory.add_user(alur, "orang-lain", ["kepala-dinas"], org="lain")
    for outsider in ("pegawai", "orang-lain"):
        with pytest.raises(NotFound):
            case_file(alur, view.id, outsider)
    with pytest.raises(NotFound):
        case_file(alur, 999999, "kepala-dinas")

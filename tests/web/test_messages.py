"""Every message runtime/ gives a user has its Indonesian text in the catalogue
(web/translations/id/LC_MESSAGES/messages.po), and web/i18n.py turns a formatted English
message into it: placeholders refilled, messages inside messages translated, user names
shown as people."""
from __future__ import annotations

import re

import pytest

from alur.web.i18n import Catalogue, catalogue
from tests.message_sites import message_sites

# Words that mark a template as English (a message already written in Indonesian, as most
# InvalidData field messages are, needs no entry). Placeholders and quoted names are left out first.
ENGLISH = {"the", "is", "not", "does", "has", "have", "of", "to", "cannot", "be", "by", "an", "a", "must", "are",
           "was", "no", "with", "and", "or", "in", "it", "its", "this", "than", "at", "for", "exist", "allowed",
           "expected", "unknown", "only", "name", "line", "task", "user", "process", "instance", "lane", "needs"}
# What the quoted or coded parts of a message hold (ids, file names, code): not prose.
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_CODE = re.compile(r"'[^']*'|\"[^\"]*\"|<[^>]*>|\S*[_./=*\[\]()]\S*")


def _english_words(text: str) -> set[str]:
    prose = _CODE.sub(" ", _PLACEHOLDER.sub(" ", text))
    return {w for w in re.findall(r"[A-Za-z]+", prose) if w.lower() in ENGLISH}


def test_every_english_message_of_the_runtime_has_an_indonesian_entry():
    sites, _ = message_sites()
    assert len(sites) > 150  # the scan reads runtime/: an empty list would pass anything
    entries = catalogue()
    missing = sorted({str(s) for s in sites if _english_words(s.template) and not entries.covers(s.template)})
    assert missing == [], "messages without a catalogue entry (python -m tests.message_sites prints .po stubs)"


def test_the_scan_reads_literals_and_f_strings_as_the_catalogue_keys_them():
    templates = {s.template for s in message_sites()[0]}
    assert "task {task.id} is already claimed by {task.claimed_by}" in templates
    assert "user task '{task_id}' is {where}; it must sit in exactly one lane" in templates
    assert "the result would be {size:,} characters or items long; at most {MAX_LENGTH:,}" in templates
    assert "there is no key {key!r}" in templates
    # Both branches of a conditional message.
    assert {"{what} is not allowed", "{what} is not allowed; {hint}"} <= templates


def test_no_indonesian_text_is_left_in_english():
    left = {msgid: text for msgid, text in catalogue().entries.items()
            if _english_words(text) - {"lambda", "await", "yield"}}
    assert left == {}


def test_an_indonesian_text_uses_only_placeholders_of_its_template():
    with pytest.raises(ValueError, match="placeholders the msgid lacks"):
        Catalogue({"task {task_id} is done": "tugas {id} selesai"})


def test_claimed_task_names_the_person_holding_it():
    people = {"sulteng.sekretaris": "Sekretaris Dinas (Budi Santoso)"}
    text = catalogue().translate("task 3f2a-77 is already claimed by sulteng.sekretaris", people.get)
    assert text == "tugas ini sudah diambil oleh Sekretaris Dinas (Budi Santoso)"


def test_a_completed_task_and_its_status():
    assert catalogue().translate("task 3f2a-77 is completed") == "tugas ini sudah selesai"


def test_designer_errors_in_indonesian():
    shown = catalogue().translate
    assert shown("user task 'Step_24' is outside every lane; it must sit in exactly one lane") == \
        "tugas pengguna 'Step_24' berada di luar semua lajur; tugas harus berada di tepat satu lajur"
    assert shown("user task 'Step_24' is in 2 lanes (Kasubbag, Sekretaris); it must sit in exactly one lane") == \
        "tugas pengguna 'Step_24' berada di 2 lajur (Kasubbag, Sekretaris); tugas harus berada di tepat satu lajur"
    # A message inside a message inside a message, and two refusals joined by "; ".
    assert shown("condition '__import__(\"os\")': calling '__import__' is not allowed; the functions are len, abs") \
        == "kondisi '__import__(\"os\")': memanggil '__import__' tidak diizinkan; fungsi yang tersedia: len, abs"
    assert shown("lambda is not allowed; a keyword argument is not allowed") == \
        "lambda tidak diizinkan; argumen bernama tidak diizinkan"
    assert shown("'x' cannot combine the str 'a' and the int 3") == \
        "'x' tidak dapat menggabungkan teks 'a' dan bilangan bulat 3"


def test_the_most_specific_template_wins_and_lines_are_translated_one_by_one():
    shown = catalogue().translate
    assert shown("the statement 'import' is not allowed; a script line must be 'name = expression'") == \
        "pernyataan 'import' tidak diizinkan; baris skrip harus berbentuk 'nama = ekspresi'"
    assert shown("division by zero\nthe number is too large") == "pembagian dengan nol\nbilangannya terlalu besar"


def test_joined_messages_are_translated_part_by_part():
    shown = catalogue().translate
    assert shown("task Step_03 (COMPLETED) changed: lane, extensions; task Step_04 (STARTED) was removed") == \
        "langkah Step_03 (sudah selesai) berubah: lajur, properti (formulir, mutu baku); " \
        "langkah Step_04 (sedang berjalan) dihapus dari versi baru"
    assert shown("lambda is not allowed; a keyword argument is not allowed; calling 'x' is not allowed; "
                 "the functions are len, abs") == "lambda tidak diizinkan; argumen bernama tidak diizinkan; " \
        "memanggil 'x' tidak diizinkan; fungsi yang tersedia: len, abs"


def test_a_problem_and_a_scenario_failure_as_the_designer_reads_them():
    shown = catalogue().translate
    assert shown("f.bpmn:3: error: user task 'S' is outside every lane; it must sit in exactly one lane") == \
        "f.bpmn:3: kesalahan: tugas pengguna 'S' berada di luar semua lajur; tugas harus berada di tepat satu lajur"
    assert shown("p.test.yaml:12: scenario 'jalur utama': Step_03: never became ready; the instance ended") == \
        "p.test.yaml:12: skenario 'jalur utama': Step_03: tidak pernah menunggu dikerjakan; proses sudah berakhir"
    # "scenario '{scenario.name}', step {number}" matches the start only: a number never holds ": ".
    assert shown("p.test.yaml:4: error: scenario 'a', step 1: unknown key 'tsk' (allowed: task, data)") == \
        "p.test.yaml:4: kesalahan: skenario 'a', langkah 1: kunci 'tsk' tidak dikenal (yang boleh: task, data)"


def test_a_message_without_a_template_is_shown_as_it_is():
    assert catalogue().translate("perihal wajib diisi") == "perihal wajib diisi"
    assert catalogue().translate("") == ""

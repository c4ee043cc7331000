"""`alur sop print | export | import`: a deployed version to PDF, HTML and Word, and a Word SOP
back to a BPMN file that validates."""
from __future__ import annotations

import json

import pytest

from alur.runtime.bpmn_check import check_file
from alur.runtime.cli import main
from alur.runtime.sopdoc.model import read_document
from tests.conftest import FORMS, PROCESSES
from tests.runtime.sop_word_files import sop_with_problems

PROCESS = "tanjabbar-penyusunan-skp"


@pytest.fixture
def alur_cli(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("ALUR_FORMS_DIR", str(FORMS))

    def run(*argv, expect=0):
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert code == expect, err
        return (json.loads(out) if "--json" in argv and out.strip() else out), err

    run("deploy", str(PROCESSES / f"{PROCESS}.bpmn"))
    return run


def test_print_writes_the_pdf_and_the_html_of_the_newest_version(alur_cli, tmp_path):
    # The identity sheet, and the eight steps (rows of 20.2 mm at least) on one chart page.
    out, _ = alur_cli("sop", "print", PROCESS, "--pdf", str(tmp_path / "sop.pdf"), "--json")
    assert out == {"process_id": PROCESS, "version": 1, "file": str(tmp_path / "sop.pdf"), "pages": 2}
    assert (tmp_path / "sop.pdf").read_bytes().startswith(b"%PDF-")
    text, _ = alur_cli("sop", "print", PROCESS, "--version", "1", "--html", str(tmp_path / "sop.html"))
    assert text.strip() == f"SOP {PROCESS} versi 1: 2 halaman -> {tmp_path / 'sop.html'}"
    assert "Pengkoordinir Penyusunan SKP" in (tmp_path / "sop.html").read_text(encoding="utf-8")


def test_print_of_a_missing_version_or_process_says_so_and_writes_nothing(alur_cli, tmp_path):
    _, err = alur_cli("sop", "print", PROCESS, "--version", "4", "--pdf", str(tmp_path / "x.pdf"), expect=1)
    assert err.strip() == f"error: proses '{PROCESS}' tidak memiliki versi 4"
    _, err = alur_cli("sop", "export", "tidak-ada", "--docx", str(tmp_path / "x.docx"), expect=1)
    assert err.strip() == "error: proses 'tidak-ada' tidak ditemukan"
    assert list(tmp_path.glob("x.*")) == []


def test_export_then_import_gives_a_bpmn_with_the_same_table(alur_cli, tmp_path):
    word = tmp_path / "sop.docx"
    alur_cli("sop", "export", PROCESS, "--docx", str(word))
    out, err = alur_cli("sop", "import", str(word), "-o", str(tmp_path / "impor.bpmn"))
    # "Perbaikan SKP ..." names no verb the importer knows: its form is the one reading it makes.
    assert err == f"{word}: peringatan: langkah 5: formulir tidak dapat ditentukan dari teks; dipakai 'pengisian'\n"
    assert out.strip() == f"{word} -> {tmp_path / 'impor.bpmn'}: 8 langkah, 5 pelaksana, 1 peringatan"
    checked = check_file(tmp_path / "impor.bpmn", FORMS)
    assert checked.ok and checked.process_id == "impor"
    original = read_document((PROCESSES / f"{PROCESS}.bpmn").read_bytes())
    back = read_document((tmp_path / "impor.bpmn").read_bytes())
    assert [(r.no, r.pelaksana, r.kind, r.tidak_no) for r in back.rows] == [
        (r.no, r.pelaksana, r.kind, r.tidak_no) for r in original.rows]


def test_import_prints_each_warning_with_the_file_name(alur_cli, tmp_path):
    word = tmp_path / "uji.docx"
    word.write_bytes(sop_with_problems())
    out, err = alur_cli("sop", "import", str(word))
    assert out.strip() == f"{word} -> {tmp_path / 'uji.bpmn'}: 5 langkah, 2 pelaksana, 7 peringatan"
    lines = err.strip().splitlines()
    assert len(lines) == 7 and all(line.startswith(f"{word}: peringatan: ") for line in lines)
    assert f"{word}: peringatan: langkah 2 (baris tabel 4), kolom Waktu: 'segera' bukan lama waktu; diisi '1 hari'" in lines
    assert check_file(tmp_path / "uji.bpmn", FORMS).ok


def test_import_of_a_file_that_is_no_word_document_fails_naming_it(alur_cli, tmp_path):
    bad = tmp_path / "rusak.docx"
    bad.write_bytes(b"bukan berkas word")
    _, err = alur_cli("sop", "import", str(bad), expect=1)
    assert err.strip() == f"error: {bad}: bukan berkas Word (.docx) yang sah"
    assert not (tmp_path / "rusak.bpmn").exists()

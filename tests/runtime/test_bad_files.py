"""Files that must not crash anything: other encodings, DTDs and entities, a broken file among good
ones in processes/, and a model that fails as soon as it starts. Each is a clear refusal with its file
and line, stores nothing, and leaves the other files and the app working."""
from __future__ import annotations

import shutil
from dataclasses import replace

import pytest

from alur.runtime import directory
from alur.runtime.backup import export_database
from alur.runtime.cli import main
from alur.runtime.engine import Alur, DeployRefused, ProcessFailed
from alur.runtime.settings import Settings
from alur.web.app import create_app
from tests.conftest import PROCESSES, PROJECT_ROOT, make_settings

FIXTURES = PROJECT_ROOT / "tests" / "fixtures"
SOURCE = PROCESSES / "kalbar-pengumpulan-skp.bpmn"
DECLARATION = "<?xml version='1.0' encoding='UTF-8'?>"
NAME = 'name="Pengumpulan Sasaran Kinerja Pegawai"'
ACCENTED = 'name="Pengumpulan Sasaran Kinerja Pegawai (révisi)"'  # é: one byte 0xE9 in Latin-1
DOCTYPE_LINE = 2


def _text(declaration: str) -> str:
    """The SOP's text with an accented process name and `declaration` for its XML declaration."""
    text = SOURCE.read_text(encoding="utf-8").replace(NAME, ACCENTED)
    assert text.startswith(DECLARATION)
    return text.replace(DECLARATION, declaration, 1)


def _line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


# ------------------------------------------------------------------ encodings

def test_a_latin1_file_without_declaration_is_refused_with_its_line(alur, tmp_path):
    text = _text("<?xml version='1.0'?>")
    path = tmp_path / "latin1.bpmn"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(path)
    (problem,) = refused.value.problems
    assert (problem.file, problem.line) == ("latin1.bpmn", _line_of(text, "révisi"))
    assert problem.message.startswith("not UTF-8 text (byte 0xE9 on this line): save the file as UTF-8, or name "
                                      "its encoding in the XML declaration")
    assert alur.processes() == []


@pytest.mark.parametrize("encoding, declared", [
    ("latin-1", "ISO-8859-1"), ("cp1252", "windows-1252"), ("utf-16", "UTF-16"), ("utf-8", "UTF-8")])
def test_a_file_in_the_encoding_its_declaration_names_is_deployed_as_utf8(alur, tmp_path, encoding, declared):
    path = tmp_path / "declared.bpmn"
    path.write_bytes(_text(f'<?xml version="1.0" encoding="{declared}"?>').encode(encoding))
    result = alur.deploy(path)
    assert (result.version, result.created) == (1, True)
    with alur.sessions() as session:
        from alur.runtime.engine import newest_version

        stored = newest_version(session, "kalbar-diskukm", "kalbar-pengumpulan-skp")
        assert stored.name == "Pengumpulan Sasaran Kinerja Pegawai (révisi)"
        assert stored.bpmn_xml.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions')
    # The same document, whatever bytes carried it, is the same content: no new version.
    utf8 = tmp_path / "utf8.bpmn"
    utf8.write_bytes(_text('<?xml version="1.0" encoding="UTF-8"?>').encode("utf-8"))
    assert alur.deploy(utf8).created is False


def test_an_encoding_lxml_does_not_know_is_refused(alur, tmp_path):
    path = tmp_path / "bogus.bpmn"
    path.write_bytes(_text('<?xml version="1.0" encoding="x-tidak-ada"?>').encode("utf-8"))
    with pytest.raises(DeployRefused, match=r"bogus.bpmn:1: error: not well-formed XML: Unsupported encoding"):
        alur.deploy(path)


# ------------------------------------------------------------- DTDs, entities

SECRET = "RAHASIA-DI-SERVER-7f3a"

DOCTYPES = {
    "external-entity": '<!DOCTYPE bpmn:definitions [<!ENTITY xxe SYSTEM "file://{secret}">]>',
    "parameter-entity": '<!DOCTYPE bpmn:definitions [<!ENTITY % p SYSTEM "file://{secret}"> %p;]>',
    "external-dtd": '<!DOCTYPE bpmn:definitions SYSTEM "file://{secret}">',
    "internal-entity": '<!DOCTYPE bpmn:definitions [<!ENTITY xxe "teks">]>',
    "entity-expansion": '<!DOCTYPE bpmn:definitions [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
                        '<!ENTITY xxe "&b;&b;&b;&b;&b;&b;&b;&b;">]>',
    "network": '<!DOCTYPE bpmn:definitions SYSTEM "http://127.0.0.1:9/alur.dtd">',
}


@pytest.mark.parametrize("kind", DOCTYPES)
def test_a_doctype_is_refused_and_no_file_content_appears_anywhere(alur, tmp_path, kind):
    secret = tmp_path / "secret.txt"
    secret.write_text(f'{SECRET}\n<!ENTITY bocor "{SECRET}">\n')
    doctype = DOCTYPES[kind].format(secret=secret)
    text = SOURCE.read_text(encoding="utf-8")
    text = text.replace(DECLARATION, DECLARATION + "\n" + doctype, 1).replace("<bpmn:documentation>SOP", "<bpmn:documentation>&xxe; SOP", 1)
    path = tmp_path / f"{kind}.bpmn"
    path.write_text(text, encoding="utf-8")
    before = export_database(alur)
    for refusal in (lambda: alur.deploy(path), lambda: alur.deploy_bytes(path.read_bytes(), path.name)):
        with pytest.raises(DeployRefused) as refused:
            refusal()
        assert str(refused.value) == (f"{path.name}:{DOCTYPE_LINE}: error: a DOCTYPE is not allowed in a BPMN "
                                      "file (no DTD is read and no entity expanded); remove it")
        assert SECRET not in repr(refused.value.problems)
    assert export_database(alur) == before
    checked = alur.check(path)
    assert not checked.ok and checked.bpmn_text is None and SECRET not in repr(checked)


# ------------------------------------------------- one bad file in processes/

def _folder_with_a_broken_file(tmp_path):
    folder = tmp_path / "processes"
    folder.mkdir()
    for name in ("kalbar-pengumpulan-skp.bpmn", "sulteng-pengumpulan-data-kinerja.bpmn"):
        shutil.copy(PROCESSES / name, folder / name)
    broken = (PROCESSES / "kotim-pemrosesan-skp.bpmn").read_text(encoding="utf-8")
    broken = broken.replace("<bpmn:flowNodeRef>Step_02</bpmn:flowNodeRef>", "", 1)
    (folder / "kotim-rusak.bpmn").write_text(broken, encoding="utf-8")
    (folder / "latin1.bpmn").write_bytes(_text("<?xml version='1.0'?>").encode("latin-1"))
    return folder, _line_of(broken, '<bpmn:userTask id="Step_02"')


def test_a_broken_file_in_the_folder_is_reported_and_the_others_deploy(alur, tmp_path, caplog):
    folder, task_line = _folder_with_a_broken_file(tmp_path)
    report = alur.deploy_directory(folder)
    assert sorted(r.process_id for r in report.deployed) == ["kalbar-pengumpulan-skp",
                                                            "sulteng-pengumpulan-data-kinerja"]
    assert [(f.name, f.org) for f in report.refused] == [("kotim-rusak.bpmn", "kotim-diskominfo"),
                                                          ("latin1.bpmn", None)]
    assert [str(p) for p in report.refused[0].problems if p.severity == "error"] == [
        f"kotim-rusak.bpmn:{task_line}: error: user task 'Step_02' is outside every lane; it must sit in exactly "
        "one lane"]
    assert sorted(p["process_id"] for p in alur.processes()) == ["kalbar-pengumpulan-skp",
                                                                "sulteng-pengumpulan-data-kinerja"]
    logged = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(logged) == 2
    assert f"kotim-rusak.bpmn was not deployed:\nkotim-rusak.bpmn:{task_line}: error: user task 'Step_02'" in logged[0]
    assert "latin1.bpmn:" in logged[1] and "not UTF-8 text" in logged[1]


def test_the_app_starts_with_a_broken_file_in_processes(tmp_path, backend):
    folder, _ = _folder_with_a_broken_file(tmp_path)
    settings = make_settings(backend, tmp_path)
    app = create_app({"TESTING": True, "SECRET_KEY": "uji", "ALUR_SETTINGS": replace(settings, processes_dir=folder)})
    alur = app.extensions["alur"]
    try:
        assert sorted(p["process_id"] for p in alur.processes()) == ["kalbar-pengumpulan-skp",
                                                                    "sulteng-pengumpulan-data-kinerja"]
        assert [f.name for f in app.extensions["alur_refused_files"]] == ["kotim-rusak.bpmn", "latin1.bpmn"]
    finally:
        alur.close()


def test_the_demo_sets_up_with_a_broken_file_in_processes(tmp_path, monkeypatch, capsys):
    from alur.web.demo import run_demo

    folder, task_line = _folder_with_a_broken_file(tmp_path)
    monkeypatch.setenv("ALUR_INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.setenv("ALUR_PROCESSES_DIR", str(folder))
    assert run_demo(serve=False) == 0
    out, err = capsys.readouterr()
    assert "sulteng.kepala-dinas" in out and "kalbar.kasubbag-umum-aparatur" in out and "kotim." not in out
    assert f"kotim-rusak.bpmn:{task_line}: error: user task 'Step_02' is outside every lane" in err
    assert "latin1.bpmn:" in err


def test_alur_deploy_refuses_a_latin1_file_with_file_and_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    text = _text("<?xml version='1.0'?>")
    path = tmp_path / "latin1.bpmn"
    path.write_bytes(text.encode("latin-1"))
    assert main(["deploy", str(path)]) == 1
    out, err = capsys.readouterr()
    assert err.startswith(f"latin1.bpmn:{_line_of(text, 'révisi')}: error: not UTF-8 text (byte 0xE9")
    assert "Traceback" not in err and out == ""
    assert main(["validate", str(path)]) == 1
    assert f"{path}:{_line_of(text, 'révisi')}: error: not UTF-8 text" in capsys.readouterr().err


# ------------------------------------------------------ a model failing at start

GATEWAY_AT_START = (PROJECT_ROOT / "tests" / "fixtures" / "spiff-arena-disposisi.bpmn").read_text().replace(
    '<bpmn:sequenceFlow id="Flow_a" sourceRef="StartEvent_Mulai" targetRef="Activity_Disposisi" />',
    '<bpmn:sequenceFlow id="Flow_a" sourceRef="StartEvent_Mulai" targetRef="Gateway_Jenis" />'
    '<bpmn:exclusiveGateway id="Gateway_Jenis"><bpmn:incoming>Flow_a</bpmn:incoming>'
    '<bpmn:outgoing>Flow_surat</bpmn:outgoing><bpmn:outgoing>Flow_nota</bpmn:outgoing></bpmn:exclusiveGateway>'
    '<bpmn:sequenceFlow id="Flow_surat" sourceRef="Gateway_Jenis" targetRef="Activity_Disposisi">'
    '<bpmn:conditionExpression>1 == 2</bpmn:conditionExpression></bpmn:sequenceFlow>'
    '<bpmn:sequenceFlow id="Flow_nota" sourceRef="Gateway_Jenis" targetRef="Activity_Arsip">'
    '<bpmn:conditionExpression>2 == 3</bpmn:conditionExpression></bpmn:sequenceFlow>',
).replace('<bpmn:flowNodeRef>Activity_Disposisi</bpmn:flowNodeRef>',
          '<bpmn:flowNodeRef>Activity_Disposisi</bpmn:flowNodeRef><bpmn:flowNodeRef>Gateway_Jenis</bpmn:flowNodeRef>')


def test_a_model_that_fails_at_start_is_refused_and_writes_nothing(alur, tmp_path):
    path = tmp_path / "gerbang.bpmn"
    path.write_text(GATEWAY_AT_START)
    alur.deploy(path)  # every flow of the gateway has a condition: the check lets it pass
    directory.add_user(alur, "pimpinan", ["pimpinan"])
    before = export_database(alur)
    with pytest.raises(ProcessFailed, match=r"^process 'spiff-disposisi' could not start: ") as failed:
        alur.start("spiff-disposisi", "pimpinan")
    assert failed.value.status == 422
    assert export_database(alur) == before


def test_alur_start_of_a_model_that_fails_at_start_is_a_clear_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    path = tmp_path / "gerbang.bpmn"
    path.write_text(GATEWAY_AT_START)
    assert main(["deploy", str(path)]) == 0
    assert main(["users", "add", "pimpinan", "--role", "pimpinan"]) == 0
    capsys.readouterr()
    assert main(["start", "spiff-disposisi", "--user", "pimpinan", "--perihal", "Surat uji"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: process 'spiff-disposisi' could not start: ") and "Traceback" not in err
    alur = Alur(Settings.from_env())
    try:
        assert alur.processes()[0]["running_instances"] == 0
    finally:
        alur.close()



# A gateway without a default whose conditions read a value nobody has entered yet (the shape of
# SpiffWorkflow's own exclusive_gateway_no_default.bpmn): it deploys, and fails as soon as it starts.
NO_DEFAULT_GATEWAY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="Definitions_Gerbang"
    targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="gerbang-tanpa-bawaan" isExecutable="true">
    <bpmn:startEvent id="Mulai"><bpmn:outgoing>Flow_1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:exclusiveGateway id="Gateway_Nilai"><bpmn:incoming>Flow_1</bpmn:incoming>
      <bpmn:outgoing>Flow_Besar</bpmn:outgoing><bpmn:outgoing>Flow_Kecil</bpmn:outgoing></bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Mulai" targetRef="Gateway_Nilai" />
    <bpmn:sequenceFlow id="Flow_Besar" sourceRef="Gateway_Nilai" targetRef="Selesai_Besar">
      <bpmn:conditionExpression>x &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="Flow_Kecil" sourceRef="Gateway_Nilai" targetRef="Selesai_Kecil">
      <bpmn:conditionExpression>x &lt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="Selesai_Besar"><bpmn:incoming>Flow_Besar</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="Selesai_Kecil"><bpmn:incoming>Flow_Kecil</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>
"""


def test_a_gateway_reading_a_missing_value_at_start_is_a_cli_error_naming_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    path = tmp_path / "gerbang.bpmn"
    path.write_text(NO_DEFAULT_GATEWAY)
    assert main(["deploy", str(path)]) == 0
    assert main(["users", "add", "pimpinan", "--role", "pimpinan"]) == 0
    capsys.readouterr()
    assert main(["start", "gerbang-tanpa-bawaan", "--user", "pimpinan", "--perihal", "Surat uji"]) == 1
    out, err = capsys.readouterr()
    assert err.startswith("error: ") and "Gateway_Nilai" in err and "'x'" in err
    assert "Traceback" not in err and out == ""


# ------------------------------------------------------ engine parse errors

def test_an_engine_parse_error_names_the_element_and_its_line_without_python_reprs(alur, tmp_path):
    # MIWG C.6.0 passes data to a task from a process property: the engine passes only data objects.
    text = (FIXTURES / "camunda-surat-masuk.bpmn").read_text()
    text = text.replace('<bpmn:laneSet id="LaneSet_1">',
                        '<bpmn:property id="Property_Agenda" name="agenda" />\n    <bpmn:laneSet id="LaneSet_1">')
    old = '<bpmn:outgoing>Flow_3</bpmn:outgoing>'
    assert text.count(old) == 1
    text = text.replace(old, old + '<bpmn:dataInputAssociation id="DataInput_Agenda"><bpmn:sourceRef>Property_Agenda'
                                   '</bpmn:sourceRef><bpmn:targetRef>Property_Agenda</bpmn:targetRef>'
                                   '</bpmn:dataInputAssociation>')
    path = tmp_path / "c60.bpmn"
    path.write_text(text)
    with pytest.raises(DeployRefused) as refused:
        alur.deploy(path)
    (problem,) = [p for p in refused.value.problems if p.severity == "error"]
    assert (problem.file, problem.line) == ("c60.bpmn", _line_of(text, '<bpmn:userTask id="Activity_Catat"'))
    assert problem.message == (
        "the engine cannot parse bpmn:userTask 'Activity_Catat': its dataInputAssociation refers to "
        "'Property_Agenda', which is not a data object reference or a data store reference (the only data "
        "the engine can pass to a task)")
    assert alur.processes() == []


def test_an_element_repr_in_an_engine_message_becomes_its_tag():
    from alur.runtime.bpmn_check import _without_reprs

    assert _without_reprs("Cannot resolve <Element {http://www.omg.org/spec/BPMN/20100524/MODEL}sourceRef at "
                          "0x7fdd4c831e40>. ") == "Cannot resolve <sourceRef>"

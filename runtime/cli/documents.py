"""`alur sop print|export|import`: the official SOP document (Permenpan RB 35/2012)."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from ..engine import AlurError
from ..settings import Settings
from .common import PROCESS_ID_HELP, command, emit, engine, group, wants_json

VERSION_HELP = "version number (default: the newest)"


@group("sop")
def sop() -> None:
    """the official SOP document (Permenpan RB 35/2012): print, Word out and in"""


def _write(path: str, content: bytes) -> None:
    try:
        Path(path).write_bytes(content)
    except OSError as exc:
        raise AlurError(f"{path}: tidak dapat ditulis ({exc.strerror or exc})") from exc


@sop.add_command
@command("print")
@click.argument("process_id", help=PROCESS_ID_HELP)
@click.option("--version", type=int, help=VERSION_HELP)
@click.option("--org", help="organisation of the process")
@click.option("--pdf", metavar="FILE", help="write a PDF file (this or --html)")
@click.option("--html", metavar="FILE", help="write an HTML file (this or --pdf)")
def sop_print(process_id: str, version: int | None, org: str | None, pdf: str | None, html: str | None) -> int:
    """print a deployed version as PDF or HTML"""
    if pdf is None and html is None:
        raise click.UsageError("one of the arguments --pdf --html is required")
    if pdf is not None and html is not None:
        raise click.UsageError("argument --html: not allowed with argument --pdf")
    from ..sopdoc import service

    deployed = service.deployed_version(engine(), process_id, version, org)
    printed = service.printed(deployed)
    target = pdf or html
    _write(target, printed.pdf if pdf else printed.html.encode("utf-8"))
    emit({"process_id": deployed.process_id, "version": deployed.version, "file": target, "pages": printed.pages},
         f"SOP {deployed.process_id} versi {deployed.version}: {printed.pages} halaman -> {target}")
    return 0


@sop.add_command
@command("export")
@click.argument("process_id", help=PROCESS_ID_HELP)
@click.option("--version", type=int, help=VERSION_HELP)
@click.option("--org", help="organisation of the process")
@click.option("--docx", metavar="FILE", required=True, help="the Word file to write")
def sop_export(process_id: str, version: int | None, org: str | None, docx: str) -> int:
    """write a deployed version as a Word file"""
    from ..sopdoc import service
    from ..sopdoc.docx_out import export_docx

    deployed = service.deployed_version(engine(), process_id, version, org)
    _write(docx, export_docx(service.document_of(deployed)))
    emit({"process_id": deployed.process_id, "version": deployed.version, "file": docx},
         f"SOP {deployed.process_id} versi {deployed.version} -> {docx}")
    return 0


@sop.add_command
@command("import")
@click.argument("file", help="the .docx file")
@click.option("-o", "--output", metavar="FILE.bpmn", help="default: the .docx name with .bpmn")
def sop_import(file: str, output: str | None) -> int:
    """read a Word SOP table into a BPMN file"""
    from ..sopdoc.docx_in import DocxReadError, import_to_bpmn

    source = Path(file)
    try:
        content = source.read_bytes()
    except OSError as exc:
        raise DocxReadError(f"{source}: tidak dapat dibaca ({exc.strerror or exc})") from exc
    target = Path(output) if output else source.with_suffix(".bpmn")
    forms_dir = Settings.from_env().forms_dir
    try:
        bpmn, result = import_to_bpmn(content, target.stem, forms_dir)
    except DocxReadError as exc:
        raise DocxReadError(f"{source}: {exc}") from exc
    _write(str(target), bpmn)
    warnings = [f"{source}: peringatan: {w}" for w in result.warnings]
    if wants_json():
        emit({"file": str(target), "process_id": result.data["id"], "steps": len(result.data["steps"]),
              "lanes": result.data["lanes"], "warnings": result.warnings}, "")
    else:
        for line in warnings:
            print(line, file=sys.stderr)
        print(f"{source} -> {target}: {len(result.data['steps'])} langkah, {len(result.data['lanes'])} pelaksana, "
              f"{len(warnings)} peringatan")
    return 0

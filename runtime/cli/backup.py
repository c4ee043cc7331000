"""`alur export|import`: the whole database as one JSON document, out and back in."""
from __future__ import annotations

import json
import sys

import click

from .common import command, emit, engine


@command("export")
@click.argument("file", required=False, help="output file (default: standard output)")
def export(file: str | None) -> int:
    """write the whole database as JSON (backup)"""
    from ..backup import write_export

    alur = engine()
    if file in (None, "-"):
        missing = write_export(alur, sys.stdout)
    else:
        with open(file, "w", encoding="utf-8") as out:
            missing = write_export(alur, out)
        print(f"exported to {file}", file=sys.stderr)
    for name in missing:
        print(f"warning: attachment {name} is in no store; its record is exported without its bytes", file=sys.stderr)
    return 0


@command("import")
@click.argument("file", help="a file written by alur export")
def import_(file: str) -> int:
    """load a backup into an empty database"""
    from ..backup import BackupError, import_database

    try:
        with open(file, encoding="utf-8") as source:
            document = json.load(source)
    except (OSError, json.JSONDecodeError) as exc:
        raise BackupError(f"{file}: {exc}") from exc
    counts = import_database(engine(), document)
    emit(counts, ", ".join(f"{table}: {n}" for table, n in counts.items()))
    return 0

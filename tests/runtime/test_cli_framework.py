"""The `alur` command line on Click: help, usage errors, --json errors, a reader that goes away."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from alur.runtime.cli import main
from tests.conftest import PROCESSES, PROJECT_ROOT

RUNTIME_COMMANDS = [
    "validate", "deploy", "processes", "start", "tasks", "claim", "complete", "history", "users", "tokens",
    "attachments", "orgs", "calendar", "lanes", "generate", "versions", "diff", "migrate", "export", "import", "simulate",
    "sop", "test", "secret", "worker",
]


def _listed_commands(help_text: str) -> list[str]:
    rows = help_text.split("Commands:\n", 1)[1].splitlines()
    return [row.split()[0] for row in rows if row.startswith("  ") and not row.startswith("    ")]


def test_help_lists_the_runtime_commands_in_their_order_and_the_console_script_adds_serve_and_demo(capsys):
    assert main(["--help"]) == 0
    assert _listed_commands(capsys.readouterr().out) == RUNTIME_COMMANDS
    from alur.web.cli import main as console

    assert console(["-h"]) == 0
    assert _listed_commands(capsys.readouterr().out) == [*RUNTIME_COMMANDS, "serve", "demo"]


def test_the_runtime_command_line_does_not_import_the_web_app():
    probe = "import sys, alur.runtime.cli; print(sorted(m for m in sys.modules if m == 'flask' or m.startswith('alur.web')))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "[]\n"


def test_sop_print_needs_exactly_one_of_pdf_and_html_and_writes_nothing_otherwise(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    for argv, message in [
        (["sop", "print", "kalbar-pengumpulan-skp"], "Error: one of the arguments --pdf --html is required\n"),
        (["sop", "print", "kalbar-pengumpulan-skp", "--pdf", str(tmp_path / "a.pdf"), "--html", str(tmp_path / "a.html")],
         "Error: argument --html: not allowed with argument --pdf\n"),
    ]:
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 2
        err = capsys.readouterr().err
        assert err.startswith("Usage: alur sop print [OPTIONS] PROCESS_ID\n") and err.endswith(message)
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # not even the database


def test_a_refusal_with_json_is_a_json_error_on_stderr_and_exit_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ALUR_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["users", "add", "budi", "--role", "staf", "--org", "tidak-ada", "--json"]) == 1
    out, err = capsys.readouterr()
    assert (out, json.loads(err)) == ("", {"error": "organisation 'tidak-ada' does not exist"})
    assert main(["attachments", "cleanup", "--older-than", "0.5", "--json"]) == 1
    out, err = capsys.readouterr()
    reason = "masa tenggang minimal 1 jam, agar unggahan yang sedang berjalan tidak terhapus"
    assert (out, json.loads(err)) == ("", {"error": f"data tidak sah: older_than: {reason}", "fields": {"older_than": reason}})


def _closed_early(argv: list[str], env: dict[str, str], read: int) -> tuple[int, str]:
    """Run `alur ARGV`, read `read` bytes of its output and close the pipe, as `| head -c N` does."""
    child = subprocess.Popen([sys.executable, "-m", "alur.runtime.cli", *argv], cwd=PROJECT_ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if read:
        child.stdout.read(read)
    child.stdout.close()
    code = child.wait(timeout=60)
    return code, child.stderr.read().decode()


def test_a_reader_that_goes_away_ends_the_command_without_a_traceback(tmp_path, monkeypatch, capsys):
    database = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("ALUR_DATABASE_URL", database)
    assert main(["deploy", str(PROCESSES / "kalbar-pengumpulan-skp.bpmn"),
                 str(PROCESSES / "sulteng-pengumpulan-data-kinerja.bpmn")]) == 0
    capsys.readouterr()
    # Buffered output, as in a shell (the test runner may set PYTHONUNBUFFERED).
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}, "ALUR_DATABASE_URL": database}
    # Gone before the first line (`alur orgs | true`): the last flush meets the closed pipe.
    assert _closed_early(["orgs"], env, read=0) == (1, "")
    # Gone after the first byte of an export far larger than a pipe holds: a write in the middle fails.
    assert _closed_early(["export"], env, read=1) == (1, "")

"""The `alur` command line: the runtime verbs for operators and scripts (Click).

Every command takes --json for machine-readable output. The commands live in one module
per area (processes, versions, work, people, documents, scenarios, backup, attachments, worker);
this module puts them in one group, maps Alur's errors to a message and exit 1, Click's
usage errors to exit 2, and a reader that went away (`alur processes | head -1`) to a quiet
exit. web/cli.py adds the commands that need the web app (serve, demo) to `build_group()`.
"""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click

from ..engine import Alur, AlurError, InvalidData
from ..settings import Settings
from . import attachments, backup, calendar, documents, people, processes, scenarios, secret, versions, work, worker
from .common import JSON_FLAG, OrderedGroup

DESCRIPTION = "Alur: SOP pemerintahan sebagai proses BPMN"


def _engine(_ctx: click.Context | None = None) -> Alur:
    """The runtime a command works on: the database and folders the environment names."""
    return Alur(Settings.from_env())


class AlurGroup(OrderedGroup):
    """The root group: runs a command and turns Alur's refusals into a message on stderr and exit 1."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the chosen command; an AlurError is printed (as JSON with --json) and gives 1."""
        try:
            return super().invoke(ctx)
        except InvalidData as exc:
            payload = {"error": str(exc), "fields": exc.errors}
            print(json.dumps(payload, ensure_ascii=False) if ctx.meta.get(JSON_FLAG) else str(exc), file=sys.stderr)
            return 1
        except AlurError as exc:
            print(json.dumps({"error": str(exc)}) if ctx.meta.get(JSON_FLAG) else f"error: {exc}", file=sys.stderr)
            return 1


# The runtime's commands, in the order `alur --help` lists them.
COMMANDS: tuple[click.Command, ...] = (
    processes.validate, processes.deploy, processes.processes, work.start, work.tasks, work.claim,
    work.complete, work.history, people.users, people.tokens, attachments.attachments, people.orgs, calendar.calendar,
    processes.lanes, processes.generate, versions.versions, versions.diff, versions.migrate, backup.export,
    backup.import_, processes.simulate, documents.sop, scenarios.test, secret.secret, worker.worker,
)


def build_group(extra: Iterable[click.Command] = ()) -> AlurGroup:
    """A new `alur` group with the runtime's commands and then `extra` (the web app's)."""
    return AlurGroup("alur", commands={c.name: c for c in (*COMMANDS, *extra)}, help=DESCRIPTION,
                     context_settings={"help_option_names": ["-h", "--help"]})


def run(group: click.Group, argv: Sequence[str] | None = None) -> int:
    """Run `group` on `argv` (default: the process's arguments) and give the exit code.

    A usage error (an unknown command, a missing argument, a number out of range) is
    printed with the usage line and exits 2, as argparse did: it raises SystemExit(2).
    """
    try:
        code = group.main(list(argv) if argv is not None else None, prog_name="alur", standalone_mode=False)
        sys.stdout.flush()
    except click.UsageError as exc:
        exc.show()
        raise SystemExit(exc.exit_code) from None
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.Abort:
        print("Aborted!", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader of our output has gone (`| head -1`): stop without a traceback, and point
        # stdout at /dev/null so that the interpreter's last flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code if isinstance(code, int) else 0


def main(argv: Sequence[str] | None = None) -> int:
    """`alur` with the runtime's commands; the exit code (0 done, 1 refused or failed, 2 bad input)."""
    return run(build_group(), argv)

"""What every `alur` command shares: `--json`, printing, whole-number arguments, the engine.

A command is thin: Click parses its arguments, it calls the runtime and hands the
result to `emit`, which prints JSON when `--json` was given and the text otherwise.
"""
from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from typing import Any

import click

from .. import directory
from ..engine import Alur, AlurError, NotFound
from ..whole_numbers import MAX_ID, parse_whole

# Where the `--json` flag is kept: Click shares `meta` between a context and every context under it,
# so the root group (which maps errors to messages) sees the flag its subcommand was given.
JSON_FLAG = "alur.json"

PROCESS_ID_HELP = "the process id (alur processes lists them)"


class OrderedGroup(click.Group):
    """A group that lists its commands in the order they were added (as `alur --help` always did)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The names of the commands, in the order they were added."""
        return list(self.commands)


def _remember_json(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta[JSON_FLAG] = True


json_option = click.option("--json", is_flag=True, expose_value=False, callback=_remember_json,
                           help="machine-readable output")


def wants_json() -> bool:
    """Whether the running command was given `--json`."""
    context = click.get_current_context(silent=True)
    return bool(context and context.meta.get(JSON_FLAG))


def _help(function: Callable[..., Any]) -> str:
    return inspect.cleandoc(function.__doc__ or "")


def command(name: str, **settings: Any) -> Callable[[Callable[..., int]], click.Command]:
    """A command with `--json`; its docstring is both its --help text and its line in the list of commands."""

    def decorate(function: Callable[..., int]) -> click.Command:
        text = _help(function)
        return click.command(name, help=text, short_help=text, **settings)(json_option(function))

    return decorate


def group(name: str) -> Callable[[Callable[..., None]], OrderedGroup]:
    """A group of subcommands (one of which must be named), listed in the order they are added; help as `command`."""

    def decorate(function: Callable[..., None]) -> OrderedGroup:
        text = _help(function)
        return click.group(name, cls=OrderedGroup, help=text, short_help=text)(function)

    return decorate


def emit(payload: Any, text: str) -> None:
    """Print `payload` as JSON when the command was given `--json`, else `text`."""
    if wants_json():
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        print(text)


class WholeNumber(click.ParamType):
    """A whole number from `least` to `most` (ASCII digits only); Click reports anything else as a usage error."""

    name = "integer"

    def __init__(self, least: int, most: int = MAX_ID) -> None:
        self.least, self.most = least, most

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        """`value` as an int, or a usage error naming the allowed range."""
        if isinstance(value, int) and not isinstance(value, bool) and self.least <= value <= self.most:
            return value  # a default
        number = parse_whole(value if isinstance(value, str) else str(value), self.least, self.most)
        if number is None:
            self.fail(f"'{str(value)[:40]}' is not a whole number from {self.least} to {self.most}", param, ctx)
        return number


def engine() -> Alur:
    """The runtime (`Alur`) the command works on, made by `alur.runtime.cli._engine`.

    Looked up at call time, so that a test can hand the commands an engine of its own.
    """
    from . import _engine

    return _engine(click.get_current_context())


def process_org(alur: Alur, process_id: str, org: str | None, user: str | None = None) -> str:
    """The organisation whose process `process_id` the command is about.

    Acting as a user (`--user` naming a user of an organisation), that user's organisation,
    and nothing of any other is named; otherwise (the system, or an operator's name that is
    no user's) `--org`, else the one organisation that has deployed that id (see
    directory.process_organisation).
    """
    user_org = directory.member(alur, user)[0] if user is not None else None
    if user_org is not None:
        if org is not None and org != user_org:
            raise AlurError(f"user '{user}' is not of organisation '{org}'")
        from ..accounts import process_deployed

        if not process_deployed(alur, user_org, process_id):
            raise NotFound(f"process '{process_id}' is not deployed")
        return user_org
    return directory.process_organisation(alur, process_id, org)

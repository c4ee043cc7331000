"""The `alur` console command: the runtime commands plus `serve` and `demo`."""
from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from alur.runtime.cli import build_group, run

HOST_HELP = "the address to listen on (default: 127.0.0.1, this machine only)"
PORT_HELP = "the port to listen on (default: 5000)"


@click.command("serve", help="serve the web app", short_help="serve the web app")
@click.option("--host", default="127.0.0.1", help=HOST_HELP)
@click.option("--port", type=int, default=5000, help=PORT_HELP)
def serve(host: str, port: int) -> int:
    from .app import create_app

    app = create_app()
    app.run(host=host, port=port, debug=False)
    return 0


DEMO_HELP = "set up the SQLite demo (all SOPs, one user per role) and serve it"


@click.command("demo", help=DEMO_HELP, short_help=DEMO_HELP)
@click.option("--host", default="127.0.0.1", help=HOST_HELP)
@click.option("--port", type=int, default=5000, help=PORT_HELP)
@click.option("--no-serve", is_flag=True, help="set up only, do not serve")
@click.option("--reset", is_flag=True, help="give every demo user a new password")
def demo(host: str, port: int, no_serve: bool, reset: bool) -> int:
    from .demo import run_demo

    return run_demo(host=host, port=port, serve=not no_serve, reset=reset)


def main(argv: Sequence[str] | None = None) -> int:
    """`alur`: the runtime's commands and the web app's; the exit code."""
    return run(build_group([serve, demo]), argv)


if __name__ == "__main__":
    sys.exit(main())

"""The `alur` console command: the runtime commands plus `serve` and `demo`."""
from __future__ import annotations

import sys

from alur.runtime.cli import build_parser, run


def cmd_serve(args) -> int:
    from .app import create_app

    app = create_app()
    app.run(host=args.host, port=args.port, debug=False)
    return 0


def cmd_demo(args) -> int:
    from .demo import run_demo

    return run_demo(host=args.host, port=args.port, serve=not args.no_serve, reset=args.reset)


def parser():
    p = build_parser()
    sub = next(a for a in p._actions if a.dest == "command")
    s = sub.add_parser("serve", help="serve the web app")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=5000)
    s.set_defaults(func=cmd_serve, json=False)
    d = sub.add_parser("demo", help="set up the SQLite demo (all SOPs, one user per role) and serve it")
    d.add_argument("--host", default="127.0.0.1")
    d.add_argument("--port", type=int, default=5000)
    d.add_argument("--no-serve", action="store_true", help="set up only, do not serve")
    d.add_argument("--reset", action="store_true", help="give every demo user a new password")
    d.set_defaults(func=cmd_demo, json=False)
    return p


def main(argv: list[str] | None = None) -> int:
    return run(parser(), argv)


if __name__ == "__main__":
    sys.exit(main())

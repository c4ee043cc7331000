"""The `alur` command line: the runtime verbs for operators and scripts.

Every command takes --json for machine-readable output. web/cli.py adds the
commands that need the web app (serve, demo) on top of `build_parser`.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import directory
from .engine import Alur, AlurError, DeployRefused, InvalidData, NotFound
from .settings import Settings
from .whole_numbers import MAX_ID, parse_whole


# `alur simulate --max-returns`: each review's loop taken up to this many times (each k is one more path).
MAX_RETURNS = 20


def _print(args, payload, text: str) -> None:
    if args.json:
        print(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        print(text)


def _engine(args) -> Alur:
    return Alur(Settings.from_env())


def _whole(least: int, most: int = MAX_ID):
    """An argparse type: a whole number from `least` to `most` (argparse reports anything else)."""

    def parse(text: str) -> int:
        value = parse_whole(text, least, most)
        if value is None:
            raise argparse.ArgumentTypeError(f"'{text[:40]}' is not a whole number from {least} to {most}")
        return value

    return parse


def _process_org(alur: Alur, args, user: str | None = None) -> str:
    """The organisation whose process `args.process_id` the command is about.

    Acting as a user (`--user` naming a user of an organisation), that user's organisation,
    and nothing of any other is named; otherwise (the system, or an operator's name that is
    no user's) `--org`, else the one organisation that has deployed that id (see
    directory.process_organisation).
    """
    user_org = directory.member(alur, user)[0] if user is not None else None
    if user_org is not None:
        if args.org is not None and args.org != user_org:
            raise AlurError(f"user '{user}' is not of organisation '{args.org}'")
        from .accounts import process_deployed

        if not process_deployed(alur, user_org, args.process_id):
            raise NotFound(f"process '{args.process_id}' is not deployed")
        return user_org
    return directory.process_organisation(alur, args.process_id, args.org)


def cmd_validate(args) -> int:
    settings = Settings.from_env()
    forms_dir = Path(args.forms) if args.forms else settings.forms_dir
    from .bpmn_check import check_file

    results = [check_file(Path(f), forms_dir) for f in args.files]
    failed = [r for r in results if not r.ok]
    if args.json:
        _print(args, [
            {"file": r.path, "ok": r.ok, "process_id": r.process_id,
             "problems": [{"line": p.line, "severity": p.severity, "message": p.message} for p in r.problems]}
            for r in results
        ], "")
    else:
        for r in results:
            for p in r.problems:
                print(p, file=sys.stderr if p.severity == "error" else sys.stdout)
            if r.ok:
                print(f"{r.path}: ok ({r.process_id}, {len(r.user_tasks)} user tasks)")
    return 1 if failed else 0


def cmd_deploy(args) -> int:
    from .scenarios.deploy import ScenariosFailed, deploy_file

    alur = _engine(args)
    if args.org is not None and args.org not in {o["slug"] for o in directory.organisations(alur)}:
        # A file's `org` property makes its organisation; a mistyped --org must not make a new one.
        raise NotFound(f"organisation '{args.org}' does not exist (alur orgs lists them, alur orgs SLUG NAME adds one)")
    status = 0
    for path in args.files:
        try:
            result, check = deploy_file(alur, Path(path), Path(args.forms) if args.forms else None, user=args.user,
                                        org=args.org, force=args.force)
        except DeployRefused as exc:
            if args.json:
                _print(args, {"file": path, "deployed": False,
                              "problems": [str(p) for p in exc.problems]}, "")
            else:
                print(str(exc), file=sys.stderr)
            status = 1
            continue
        except ScenariosFailed as exc:
            _print_refused_scenarios(args, path, exc)
            status = 1
            continue
        word = "deployed as" if result.created else "unchanged, still"
        tested = ""
        if check.report is not None:
            tested = f"; scenarios {check.source.name}: {len(check.report.results) - len(check.report.failed)}" \
                     f"/{len(check.report.results)} passed"
            if check.forced:
                tested += " (forced; the override is in the audit log)"
        _print(args, {**vars(result), "scenarios": check.report.to_dict() if check.report else None,
                      "forced": check.forced},
               f"{path}: {result.process_id} of {result.org} {word} version {result.version} ({result.content_hash[:12]}){tested}")
    return status


def _print_refused_scenarios(args, path: str, exc) -> None:
    if args.json:
        _print(args, {"file": path, "deployed": False, "scenarios": exc.report.to_dict()}, "")
        return
    lines = [str(exc), *(f"  {m}" for m in exc.report.messages()),
             "  (alur deploy --force deploys it anyway; the override is written to the audit log)"]
    print("\n".join(lines), file=sys.stderr)


def cmd_processes(args) -> int:
    rows = _engine(args).processes(args.org)
    text = "\n".join(f"{r['org']}  {r['process_id']}  v{r['version']}  {r['running_instances']} berjalan  {r['name']}"
                     for r in rows) or "(belum ada proses)"
    _print(args, rows, text)
    return 0


def _task_line(t) -> str:
    due = t.due_at.isoformat(timespec="minutes") if t.due_at else "-"
    claimed = f" [diambil {t.claimed_by}]" if t.claimed_by else ""
    return f"{t.id}  #{t.instance_id} {t.process_id}  {t.name[:70]}  (lane {t.lane}, tenggat {due}){claimed}"


def cmd_start(args) -> int:
    view = _engine(args).start(args.process_id, args.user)
    _print(args, view.to_dict(), f"instance {view.id} started on {view.process_id} v{view.version}\n"
           + "\n".join(_task_line(t) for t in view.ready_tasks))
    return 0


def cmd_tasks(args) -> int:
    tasks = _engine(args).tasks_for(args.user)
    _print(args, [t.to_dict() for t in tasks], "\n".join(_task_line(t) for t in tasks) or "(kotak masuk kosong)")
    return 0


def cmd_claim(args) -> int:
    task = _engine(args).claim(args.task_id, args.user)
    _print(args, task.to_dict(), f"task {task.id} claimed by {task.claimed_by}")
    return 0


def cmd_complete(args) -> int:
    try:
        data = json.loads(args.data)
    except json.JSONDecodeError as exc:
        print(f"--data: not JSON: {exc.msg} (column {exc.colno})", file=sys.stderr)
        return 2
    view = _engine(args).complete(args.task_id, args.user, data, expected_revision=args.revision)
    _print(args, view.to_dict(), f"instance {view.id} ({view.status}, revision {view.revision})\n"
           + "\n".join(_task_line(t) for t in view.ready_tasks))
    return 0


def cmd_history(args) -> int:
    rows = _engine(args).history(args.instance_id)
    text = "\n".join(
        f"{r.at.isoformat(timespec='seconds')}  {r.actor:<28} {r.action:<9} {r.task_spec or ''}"
        + (f"  catatan: {r.data['catatan']}" if r.data.get("catatan") else "")
        for r in rows
    )
    _print(args, [r.to_dict() for r in rows], text)
    return 0


def cmd_users_add(args) -> int:
    from werkzeug.security import generate_password_hash

    password_hash = generate_password_hash(args.password) if args.password else None
    directory.add_user(_engine(args), args.name, args.role, args.display_name, password_hash, org=args.org)
    _print(args, {"username": args.name, "org": args.org, "roles": args.role},
           f"user {args.name} ({args.org}): roles {', '.join(args.role)}")
    return 0


def cmd_tokens(args) -> int:
    from dataclasses import asdict

    from . import tokens

    alur = _engine(args)
    if args.tokens_command == "create":
        token, info = tokens.create_token(alur, args.user, args.name, actor="cli")
        _print(args, {**asdict(info), "token": token},
               f"token {info.id} ({info.name}) for {args.user}; shown only now:\n{token}")
    elif args.tokens_command == "revoke":
        info = tokens.revoke_token(alur, args.user, args.token_id, actor="cli")
        _print(args, asdict(info), f"token {info.id} ({info.name}) of {args.user} revoked")
    else:
        rows = tokens.tokens_of(alur, args.user)
        _print(args, [asdict(r) for r in rows], "\n".join(
            f"{r.id:>4}  {r.prefix}...  {r.name}  {'revoked' if r.revoked_at else 'active'}" for r in rows))
    return 0


def cmd_orgs(args) -> int:
    alur = _engine(args)
    if args.slug:
        directory.add_organisation(alur, args.slug, args.name or args.slug)
    rows = directory.organisations(alur)
    _print(args, rows, "\n".join(f"{r['slug']:<24} {r['name']}" for r in rows))
    return 0


def cmd_lanes(args) -> int:
    alur = _engine(args)
    org = _process_org(alur, args)
    if args.role:
        directory.set_lane_role(alur, org, args.process_id, args.lane, args.role)
    mapping = directory.lane_roles(alur, org, args.process_id)
    _print(args, mapping, "\n".join(f"{lane}  ->  {role}" for lane, role in mapping.items()))
    return 0


def cmd_generate(args) -> int:
    from . import sopgen

    argv = [*args.sources] + (["--out", args.out] if args.out else [])
    return sopgen.main(argv)


def cmd_simulate(args) -> int:
    from .simulate import simulate_target

    report = simulate_target(args.target, Settings.from_env(), max_returns=args.max_returns, org=args.org)
    _print(args, report.to_dict(), report.summary())
    return 0 if report.ok else 1


def cmd_test(args) -> int:
    from .scenarios import html, junit, suite

    settings = Settings.from_env()
    forms_dir = Path(args.forms) if args.forms else settings.forms_dir
    targets = args.targets or suite.default_targets(settings.processes_dir)
    if not targets:
        print(f"no scenario files (*{suite.SUFFIX}) in {settings.processes_dir}", file=sys.stderr)
        return 1
    reports = [suite.run_target(t, settings.processes_dir, forms_dir, settings.calendar) for t in targets]
    if args.junit:
        junit.write_junit(reports, Path(args.junit))
    if args.html:
        html.write_html(reports, Path(args.html))
    _print(args, [r.to_dict() for r in reports], "\n".join(r.summary() for r in reports))
    return 0 if all(r.ok for r in reports) else 1


def cmd_versions(args) -> int:
    from .versions import list_versions

    alur = _engine(args)
    rows = list_versions(alur, _process_org(alur, args), args.process_id)
    _print(args, rows, "\n".join(
        f"v{r['version']}  {r['content_hash'][:12]}  {r['deployed_at'][:19]}  {r['deployed_by']:<16} "
        f"{r['running_instances']} berjalan  ({r['source']})" for r in rows))
    return 0


def cmd_diff(args) -> int:
    from .versions import diff_versions

    alur = _engine(args)
    diff = diff_versions(alur, _process_org(alur, args), args.process_id, args.from_version, args.to_version)
    lines = [f"{args.process_id}: v{diff.from_version} -> v{diff.to_version}"]
    lines += [f"  + task {t}" for t in diff.added_tasks] + [f"  - task {t}" for t in diff.removed_tasks]
    lines += [f"  ~ task {t}: {', '.join(c)}" for t, c in diff.changed_tasks.items()]
    lines += [f"  + flow {f}" for f in diff.added_flows] + [f"  - flow {f}" for f in diff.removed_flows]
    _print(args, diff.to_dict(), "\n".join(lines))
    return 0


def cmd_migrate(args) -> int:
    from .versions import migrate_instances

    alur = _engine(args)
    result = migrate_instances(alur, _process_org(alur, args, args.user), args.process_id, args.from_version,
                               args.to_version, args.user, args.instance or None)
    lines = [f"migrated: {', '.join(map(str, result.migrated)) or '-'}"]
    lines += [f"stays on v{args.from_version}: instance {i}: {why}" for i, why in result.refused.items()]
    _print(args, result.to_dict(), "\n".join(lines))
    return 0


def cmd_export(args) -> int:
    from .backup import write_export

    alur = _engine(args)
    if args.file in (None, "-"):
        write_export(alur, sys.stdout)
    else:
        with open(args.file, "w", encoding="utf-8") as out:
            write_export(alur, out)
        print(f"exported to {args.file}", file=sys.stderr)
    return 0


def cmd_import(args) -> int:
    from .backup import BackupError, import_database

    try:
        with open(args.file, encoding="utf-8") as source:
            document = json.load(source)
    except (OSError, json.JSONDecodeError) as exc:
        raise BackupError(f"{args.file}: {exc}") from exc
    counts = import_database(_engine(args), document)
    _print(args, counts, ", ".join(f"{table}: {n}" for table, n in counts.items()))
    return 0


def cmd_attachments_cleanup(args) -> int:
    from dataclasses import asdict
    from datetime import timedelta

    from .attachments_cleanup import clean_attachments

    alur = _engine(args)
    folder = Path(alur.settings.instance_dir) / "attachments"
    report = clean_attachments(alur, folder, timedelta(hours=args.older_than), dry_run=args.dry_run)
    verb = "akan dihapus" if args.dry_run else "dihapus"
    lines = [f"berkas tanpa catatan {verb}: {len(report.files_without_row)}",
             *(f"  {name}" for name in report.files_without_row),
             f"unggahan yang tidak dipakai penyelesaian tugas mana pun {verb}: {len(report.unused_uploads)}",
             *(f"  {name}" for name in report.unused_uploads),
             f"catatan yang berkasnya hilang (dibiarkan; pulihkan berkasnya dari cadangan): "
             f"{len(report.rows_without_file)}",
             *(f"  {name}" for name in report.rows_without_file)]
    _print(args, {**asdict(report), "dry_run": args.dry_run}, "\n".join(lines))
    return 0


def _write(path: str, content: bytes) -> None:
    try:
        Path(path).write_bytes(content)
    except OSError as exc:
        raise AlurError(f"{path}: tidak dapat ditulis ({exc.strerror or exc})") from exc


def cmd_sop_print(args) -> int:
    from .sopdoc import service

    deployed = service.deployed_version(_engine(args), args.process_id, args.version, args.org)
    printed = service.printed(deployed)
    target = args.pdf or args.html
    _write(target, printed.pdf if args.pdf else printed.html.encode("utf-8"))
    _print(args, {"process_id": deployed.process_id, "version": deployed.version, "file": target,
                  "pages": printed.pages},
           f"SOP {deployed.process_id} versi {deployed.version}: {printed.pages} halaman -> {target}")
    return 0


def cmd_sop_export(args) -> int:
    from .sopdoc import service
    from .sopdoc.docx_out import export_docx

    deployed = service.deployed_version(_engine(args), args.process_id, args.version, args.org)
    _write(args.docx, export_docx(service.document_of(deployed)))
    _print(args, {"process_id": deployed.process_id, "version": deployed.version, "file": args.docx},
           f"SOP {deployed.process_id} versi {deployed.version} -> {args.docx}")
    return 0


def cmd_sop_import(args) -> int:
    from .sopdoc.docx_in import DocxReadError, import_to_bpmn

    source = Path(args.file)
    try:
        content = source.read_bytes()
    except OSError as exc:
        raise DocxReadError(f"{source}: tidak dapat dibaca ({exc.strerror or exc})") from exc
    target = Path(args.output) if args.output else source.with_suffix(".bpmn")
    forms_dir = Settings.from_env().forms_dir
    try:
        bpmn, result = import_to_bpmn(content, target.stem, forms_dir)
    except DocxReadError as exc:
        raise DocxReadError(f"{source}: {exc}") from exc
    _write(str(target), bpmn)
    warnings = [f"{source}: peringatan: {w}" for w in result.warnings]
    if args.json:
        _print(args, {"file": str(target), "process_id": result.data["id"], "steps": len(result.data["steps"]),
                      "lanes": result.data["lanes"], "warnings": result.warnings}, "")
    else:
        for line in warnings:
            print(line, file=sys.stderr)
        print(f"{source} -> {target}: {len(result.data['steps'])} langkah, {len(result.data['lanes'])} pelaksana, "
              f"{len(warnings)} peringatan")
    return 0


def _add_sop_commands(sub, common) -> None:
    sop = sub.add_parser("sop", help="the official SOP document (Permenpan RB 35/2012): print, Word out and in")
    commands = sop.add_subparsers(dest="sop_command", required=True)
    p = commands.add_parser("print", parents=[common], help="print a deployed version as PDF or HTML")
    p.add_argument("process_id")
    p.add_argument("--version", type=int, help="version number (default: the newest)")
    p.add_argument("--org", help="organisation of the process")
    target = p.add_mutually_exclusive_group(required=True)
    target.add_argument("--pdf", metavar="FILE")
    target.add_argument("--html", metavar="FILE")
    p.set_defaults(func=cmd_sop_print)
    p = commands.add_parser("export", parents=[common], help="write a deployed version as a Word file")
    p.add_argument("process_id")
    p.add_argument("--version", type=int, help="version number (default: the newest)")
    p.add_argument("--org", help="organisation of the process")
    p.add_argument("--docx", metavar="FILE", required=True)
    p.set_defaults(func=cmd_sop_export)
    p = commands.add_parser("import", parents=[common], help="read a Word SOP table into a BPMN file")
    p.add_argument("file", help="the .docx file")
    p.add_argument("-o", "--output", metavar="FILE.bpmn", help="default: the .docx name with .bpmn")
    p.set_defaults(func=cmd_sop_import)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alur", description="Alur: SOP pemerintahan sebagai proses BPMN")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", parents=[common], help="check BPMN files; exit 1 on any problem")
    p.add_argument("files", nargs="+")
    p.add_argument("--forms", help="forms folder (default: forms/)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("deploy", parents=[common], help="deploy BPMN files as new process versions")
    p.add_argument("files", nargs="+")
    p.add_argument("--forms")
    p.add_argument("--user", default="system")
    p.add_argument("--org", help="organisation the process belongs to (default: the file's 'org' property)")
    p.add_argument("--force", action="store_true",
                   help="deploy even if its scenarios (<process-id>.test.yaml beside the file) fail; audited")
    p.set_defaults(func=cmd_deploy)

    p = sub.add_parser("processes", parents=[common], help="list deployed processes")
    p.add_argument("--org", help="only this organisation's processes")
    p.set_defaults(func=cmd_processes)

    p = sub.add_parser("start", parents=[common], help="start an instance")
    p.add_argument("process_id")
    p.add_argument("--user", required=True)
    p.set_defaults(func=cmd_start)

    p = sub.add_parser("tasks", parents=[common], help="a user's ready tasks")
    p.add_argument("--user", required=True)
    p.set_defaults(func=cmd_tasks)

    p = sub.add_parser("claim", parents=[common], help="claim a task")
    p.add_argument("task_id")
    p.add_argument("--user", required=True)
    p.set_defaults(func=cmd_claim)

    p = sub.add_parser("complete", parents=[common], help="complete a task with form data")
    p.add_argument("task_id")
    p.add_argument("--user", required=True)
    p.add_argument("--data", default="{}", help="form data as a JSON object")
    p.add_argument("--revision", type=_whole(1), help="refuse if the instance is no longer at this revision")
    p.set_defaults(func=cmd_complete)

    p = sub.add_parser("history", parents=[common], help="audit log of an instance")
    p.add_argument("instance_id", type=_whole(1))
    p.set_defaults(func=cmd_history)

    users = sub.add_parser("users", help="manage users").add_subparsers(dest="users_command", required=True)
    p = users.add_parser("add", parents=[common], help="create a user or give it roles")
    p.add_argument("name")
    p.add_argument("--role", action="append", required=True)
    p.add_argument("--password")
    p.add_argument("--display-name")
    p.add_argument("--org", default="default", help="the user's organisation (default: 'default')")
    p.set_defaults(func=cmd_users_add)

    token_commands = sub.add_parser("tokens", help="personal API tokens of a user").add_subparsers(
        dest="tokens_command", required=True)
    p = token_commands.add_parser("create", parents=[common], help="make a token (printed once)")
    p.add_argument("user")
    p.add_argument("--name", required=True, help="what the token is for")
    p.set_defaults(func=cmd_tokens)
    p = token_commands.add_parser("list", parents=[common], help="a user's tokens")
    p.add_argument("user")
    p.set_defaults(func=cmd_tokens)
    p = token_commands.add_parser("revoke", parents=[common], help="revoke a token")
    p.add_argument("user")
    p.add_argument("token_id", type=_whole(1))
    p.set_defaults(func=cmd_tokens)

    attachment_commands = sub.add_parser("attachments", help="attachment files").add_subparsers(
        dest="attachments_command", required=True)
    p = attachment_commands.add_parser(
        "cleanup", parents=[common],
        help="remove files no record names and uploads no completion used (see runtime/attachments_cleanup.py)")
    p.add_argument("--older-than", type=float, default=24, metavar="HOURS",
                   help="only what is older than this many hours (default 24, at least 1)")
    p.add_argument("--dry-run", action="store_true", help="only list what would be removed")
    p.set_defaults(func=cmd_attachments_cleanup)

    p = sub.add_parser("orgs", parents=[common], help="list organisations, or add one: alur orgs SLUG NAME")
    p.add_argument("slug", nargs="?")
    p.add_argument("name", nargs="?")
    p.set_defaults(func=cmd_orgs)

    p = sub.add_parser("lanes", parents=[common], help="show or set the role of a process lane")
    p.add_argument("process_id")
    p.add_argument("--org", help="the organisation of the process (needed when several have deployed its id)")
    p.add_argument("lane", nargs="?")
    p.add_argument("role", nargs="?")
    p.set_defaults(func=cmd_lanes)

    p = sub.add_parser("generate", parents=[common], help="generate BPMN from SOP transcriptions (TOML)")
    p.add_argument("sources", nargs="+")
    p.add_argument("--out")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("versions", parents=[common], help="versions of a process")
    p.add_argument("process_id")
    p.add_argument("--org", help="the organisation of the process (needed when several have deployed its id)")
    p.set_defaults(func=cmd_versions)

    p = sub.add_parser("diff", parents=[common], help="what changed between two versions")
    p.add_argument("process_id")
    p.add_argument("from_version", type=_whole(1))
    p.add_argument("to_version", type=_whole(1))
    p.add_argument("--org", help="the organisation of the process (needed when several have deployed its id)")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("migrate", parents=[common], help="move running instances to another version where safe")
    p.add_argument("process_id")
    p.add_argument("from_version", type=_whole(1))
    p.add_argument("to_version", type=_whole(1))
    p.add_argument("--instance", type=_whole(1), action="append", help="only these instances (repeatable)")
    p.add_argument("--user", default="system", help="who migrates (a user: the process of their organisation)")
    p.add_argument("--org", help="the organisation of the process (needed when several have deployed its id)")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("export", parents=[common], help="write the whole database as JSON (backup)")
    p.add_argument("file", nargs="?", help="output file (default: standard output)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", parents=[common], help="load a backup into an empty database")
    p.add_argument("file")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("simulate", parents=[common], help="run every path of a process through the engine")
    p.add_argument("target", help="process id (deployed or in processes/) or BPMN file")
    p.add_argument("--max-returns", type=_whole(0, MAX_RETURNS), default=1,
                   help=f"times each return loop is taken (default 1, at most {MAX_RETURNS})")
    p.add_argument("--org", help="the organisation of a deployed process id (needed when several have deployed it)")
    p.set_defaults(func=cmd_simulate)

    _add_sop_commands(sub, common)
    p = sub.add_parser("test", parents=[common], help="run the SOPs' scenario files (*.test.yaml); exit 1 on a failure")
    p.add_argument("targets", nargs="*", metavar="PROCESS|FILE",
                   help="process ids (in processes/), scenario files or BPMN files (default: every processes/*.test.yaml)")
    p.add_argument("--forms", help="forms folder (default: forms/)")
    p.add_argument("--junit", metavar="FILE", help="also write the results as JUnit XML")
    p.add_argument("--html", metavar="DIR", help="also write a report page per SOP, with its coverage diagram")
    p.set_defaults(func=cmd_test)
    return parser


def run(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except InvalidData as exc:
        payload = {"error": str(exc), "fields": exc.errors}
        print(json.dumps(payload, ensure_ascii=False) if getattr(args, "json", False) else str(exc), file=sys.stderr)
        return 1
    except AlurError as exc:
        print(json.dumps({"error": str(exc)}) if getattr(args, "json", False) else f"error: {exc}", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv)


if __name__ == "__main__":
    sys.exit(main())

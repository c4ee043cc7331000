"""`alur validate|deploy|processes|lanes|generate|simulate`: BPMN files and deployed processes."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import directory
from ..engine import DeployRefused, NotFound
from ..settings import Settings
from .common import PROCESS_ID_HELP, WholeNumber, command, emit, engine, process_org, wants_json

# `alur simulate --max-returns`: each review's loop taken up to this many times (each k is one more path).
MAX_RETURNS = 20

FORMS_HELP = "forms folder (default: forms/)"
ORG_HELP = "the organisation of the process (needed when several have deployed its id)"
PROCESS_OPTION_HELP = "the id of the executable process to take, when the file has several"


@command("validate")
@click.argument("files", nargs=-1, required=True, help="the BPMN files")
@click.option("--forms", help=FORMS_HELP)
@click.option("--process", "process_id", help=PROCESS_OPTION_HELP)
def validate(files: tuple[str, ...], forms: str | None, process_id: str | None) -> int:
    """check BPMN files; exit 1 on any problem"""
    if process_id is not None and len(files) != 1:
        raise click.UsageError("--process picks a process of one file; check the files one at a time")
    settings = Settings.from_env()
    forms_dir = Path(forms) if forms else settings.forms_dir
    from ..bpmn_check import check_file

    results = [check_file(Path(f), forms_dir, process_id) for f in files]
    failed = [r for r in results if not r.ok]
    if wants_json():
        emit([
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


@command("deploy")
@click.argument("files", nargs=-1, required=True, help="the BPMN files")
@click.option("--forms", help=FORMS_HELP)
@click.option("--user", default="system", help="who deploys, as the audit log names it (default: system)")
@click.option("--org", help="organisation the process belongs to (default: the file's 'org' property)")
@click.option("--force", is_flag=True,
              help="deploy even if its scenarios (<process-id>.test.yaml beside the file) fail; audited")
@click.option("--process", "process_id", help=PROCESS_OPTION_HELP)
def deploy(files: tuple[str, ...], forms: str | None, user: str, org: str | None, force: bool,
           process_id: str | None) -> int:
    """deploy BPMN files as new process versions"""
    from ..scenarios.deploy import ScenariosFailed, deploy_file

    if process_id is not None and len(files) != 1:
        raise click.UsageError("--process picks a process of one file; deploy the files one at a time")
    alur = engine()
    if org is not None and org not in {o["slug"] for o in directory.organisations(alur)}:
        # A file's `org` property makes its organisation; a mistyped --org must not make a new one.
        raise NotFound(f"organisation '{org}' does not exist (alur orgs lists them, alur orgs SLUG NAME adds one)")
    status = 0
    for path in files:
        try:
            result, check = deploy_file(alur, Path(path), Path(forms) if forms else None, user=user,
                                        org=org, force=force, process_id=process_id)
        except DeployRefused as exc:
            if wants_json():
                emit({"file": path, "deployed": False, "problems": [str(p) for p in exc.problems]}, "")
            else:
                print(str(exc), file=sys.stderr)
            status = 1
            continue
        except ScenariosFailed as exc:
            _print_refused_scenarios(path, exc)
            status = 1
            continue
        word = "deployed as" if result.created else "unchanged, still"
        tested = ""
        if check.report is not None:
            tested = f"; scenarios {check.source.name}: {len(check.report.results) - len(check.report.failed)}" \
                     f"/{len(check.report.results)} passed"
            if check.forced:
                tested += " (forced; the override is in the audit log)"
        emit({**vars(result), "scenarios": check.report.to_dict() if check.report else None, "forced": check.forced},
             f"{path}: {result.process_id} of {result.org} {word} version {result.version} "
             f"({result.content_hash[:12]}){tested}")
    return status


def _print_refused_scenarios(path: str, exc) -> None:
    if wants_json():
        emit({"file": path, "deployed": False, "scenarios": exc.report.to_dict()}, "")
        return
    lines = [str(exc), *(f"  {m}" for m in exc.report.messages()),
             "  (alur deploy --force deploys it anyway; the override is written to the audit log)"]
    print("\n".join(lines), file=sys.stderr)


@command("processes")
@click.option("--org", help="only this organisation's processes")
def processes(org: str | None) -> int:
    """list deployed processes"""
    rows = engine().processes(org)
    text = "\n".join(f"{r['org']}  {r['process_id']}  v{r['version']}  {r['running_instances']} berjalan  {r['name']}"
                     for r in rows) or "(belum ada proses)"
    emit(rows, text)
    return 0


@command("lanes")
@click.argument("process_id", help=PROCESS_ID_HELP)
@click.option("--org", help=ORG_HELP)
@click.argument("lane", required=False, help="the lane's name (with ROLE: give it that role)")
@click.argument("role", required=False, help="the role whose users do the lane's tasks")
def lanes(process_id: str, org: str | None, lane: str | None, role: str | None) -> int:
    """show or set the role of a process lane"""
    alur = engine()
    owner = process_org(alur, process_id, org)
    if role:
        directory.set_lane_role(alur, owner, process_id, lane, role)
    mapping = directory.lane_roles(alur, owner, process_id)
    emit(mapping, "\n".join(f"{name}  ->  {mapped}" for name, mapped in mapping.items()))
    return 0


@command("generate")
@click.argument("sources", nargs=-1, required=True, help="the SOP transcriptions (processes/sources/*.toml)")
@click.option("--out", help="output file (one source) or folder; default processes/")
def generate(sources: tuple[str, ...], out: str | None) -> int:
    """generate BPMN from SOP transcriptions (TOML)"""
    from .. import sopgen

    argv = [*sources] + (["--out", out] if out else [])
    return sopgen.main(argv)


@command("simulate")
@click.argument("target", help="process id (deployed or in processes/) or BPMN file")
@click.option("--max-returns", type=WholeNumber(0, MAX_RETURNS), default=1,
              help=f"times each return loop is taken (default 1, at most {MAX_RETURNS})")
@click.option("--org", help="the organisation of a deployed process id (needed when several have deployed it)")
def simulate(target: str, max_returns: int, org: str | None) -> int:
    """run every path of a process through the engine"""
    from ..simulate import simulate_target

    report = simulate_target(target, Settings.from_env(), max_returns=max_returns, org=org)
    emit(report.to_dict(), report.summary())
    return 0 if report.ok else 1

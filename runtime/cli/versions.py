"""`alur versions|diff|migrate`: the versions of a deployed process and moving instances between them."""
from __future__ import annotations

import click

from .common import PROCESS_ID_HELP, WholeNumber, command, emit, engine, process_org
from .processes import ORG_HELP


@command("versions")
@click.argument("process_id", help=PROCESS_ID_HELP)
@click.option("--org", help=ORG_HELP)
def versions(process_id: str, org: str | None) -> int:
    """versions of a process"""
    from ..versions import list_versions

    alur = engine()
    rows = list_versions(alur, process_org(alur, process_id, org), process_id)
    emit(rows, "\n".join(
        f"v{r['version']}  {r['content_hash'][:12]}  {r['deployed_at'][:19]}  {r['deployed_by']:<16} "
        f"{r['running_instances']} berjalan  ({r['source']})" for r in rows))
    return 0


@command("diff")
@click.argument("process_id", help=PROCESS_ID_HELP)
@click.argument("from_version", type=WholeNumber(1), help="a version number (alur versions lists them)")
@click.argument("to_version", type=WholeNumber(1), help="another version number")
@click.option("--org", help=ORG_HELP)
def diff(process_id: str, from_version: int, to_version: int, org: str | None) -> int:
    """what changed between two versions"""
    from ..versions import diff_versions

    alur = engine()
    changes = diff_versions(alur, process_org(alur, process_id, org), process_id, from_version, to_version)
    lines = [f"{process_id}: v{changes.from_version} -> v{changes.to_version}"]
    lines += [f"  + task {t}" for t in changes.added_tasks] + [f"  - task {t}" for t in changes.removed_tasks]
    lines += [f"  ~ task {t}: {', '.join(c)}" for t, c in changes.changed_tasks.items()]
    lines += [f"  + flow {f}" for f in changes.added_flows] + [f"  - flow {f}" for f in changes.removed_flows]
    emit(changes.to_dict(), "\n".join(lines))
    return 0


@command("migrate")
@click.argument("process_id", help=PROCESS_ID_HELP)
@click.argument("from_version", type=WholeNumber(1), help="a version number (alur versions lists them)")
@click.argument("to_version", type=WholeNumber(1), help="another version number")
@click.option("--instance", type=WholeNumber(1), multiple=True, help="only these instances (repeatable)")
@click.option("--user", default="system", help="who migrates (a user: the process of their organisation)")
@click.option("--org", help=ORG_HELP)
def migrate(process_id: str, from_version: int, to_version: int, instance: tuple[int, ...], user: str,
            org: str | None) -> int:
    """move running instances to another version where safe"""
    from ..versions import migrate_instances

    alur = engine()
    result = migrate_instances(alur, process_org(alur, process_id, org, user), process_id, from_version,
                               to_version, user, list(instance) or None)
    lines = [f"migrated: {', '.join(map(str, result.migrated)) or '-'}"]
    lines += [f"stays on v{from_version}: instance {i}: {why}" for i, why in result.refused.items()]
    emit(result.to_dict(), "\n".join(lines))
    return 0

"""The SQL of the completion hot path, built once.

Completing a task is what the app does most (benchmark 4 in bench/README.md):
building a SQLAlchemy statement afresh on every call costs more CPU than the
database spends running it. These are built at import with bind parameters,
so SQLAlchemy compiles each once per dialect and reuses its cached form; the
engine passes the values. Core, not the ORM: no unit of work, no identity map.
"""
from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, exists, func, insert, select, update

from .models import ApiToken, AuditEntry, HumanTask, Instance, LaneRole, User, UserRole, UserSession

tasks = cast(Table, HumanTask.__table__)  # a declarative class's table
instances = cast(Table, Instance.__table__)

# A task with what completing it needs: its instance's version, revision, state and start, and the
# organisation of the user (`user`) and whether they hold the task's role. Params: task_id, user.
task_for_completion = (
    select(tasks, instances.c.version_id, instances.c.revision, instances.c.state,
           instances.c.started_by, instances.c.started_at, instances.c.perihal, instances.c.nomor,
           select(User.org).where(User.username == bindparam("user")).scalar_subquery().label("user_org"),
           exists().where(UserRole.user_id == User.id, User.username == bindparam("user"),
                          UserRole.role == tasks.c.role).label("holds_role"))
    .join(instances, instances.c.id == tasks.c.instance_id)
    .where(tasks.c.id == bindparam("task_id"))
)

# Write the instance's new state if it is still at the revision read (0 rows: someone else moved it on).
# Params: instance_id, read_revision, new_state, new_revision, now, new_status, ended_at.
advance_instance = (
    update(instances)
    .where(instances.c.id == bindparam("instance_id"), instances.c.revision == bindparam("read_revision"))
    .values(state=bindparam("new_state"), revision=bindparam("new_revision"), updated_at=bindparam("now"),
            status=bindparam("new_status"), completed_at=bindparam("ended_at"))
)

# Mark a task completed by `user` (an unclaimed task counts as claimed by who completed it).
# Params: task_id, user, now.
complete_task = (
    update(tasks).where(tasks.c.id == bindparam("task_id"))
    .values(status="completed", completed_by=bindparam("user"), completed_at=bindparam("now"),
            claimed_by=func.coalesce(tasks.c.claimed_by, bindparam("user")),
            claimed_at=func.coalesce(tasks.c.claimed_at, bindparam("now")))
)

add_audit_entries = insert(cast(Table, AuditEntry.__table__))

# The ready task rows of an instance. Param: instance_id.
ready_tasks_of = select(tasks).where(tasks.c.instance_id == bindparam("instance_id"), tasks.c.status == "ready")

# Ready tasks the state no longer has ready (the process went another way). Param: task_ids (a list).
cancel_tasks = (
    update(tasks).where(tasks.c.id.in_(bindparam("task_ids", expanding=True)), tasks.c.status == "ready")
    .values(status="cancelled")
)

# A new ready task; its role is the lane's role of the process if one is set, else `default_role`,
# looked up by the INSERT itself and returned. Params: the human_tasks columns but role, and
# lane_org, lane_process, lane_name (organisation, process id and lane again, for the lookup) and default_role.
add_ready_task = (
    insert(tasks)
    .values(role=func.coalesce(
        select(LaneRole.role)
        .where(LaneRole.org == bindparam("lane_org"), LaneRole.process_id == bindparam("lane_process"),
               LaneRole.lane == bindparam("lane_name"))
        .scalar_subquery(), bindparam("default_role")))
    .returning(tasks.c.role)
)

# Accounts: (username, display_name, password_hash, org, role), one row per role (role None for none).
account_rows = (
    select(User.username, User.display_name, User.password_hash, User.org, UserRole.role)
    .outerjoin(UserRole, UserRole.user_id == User.id)
)
# The account of a request's session (param: username) or of its API token (param: token_hash).
account_by_name = account_rows.where(User.username == bindparam("username"))
account_by_token = (
    account_rows.join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"), ApiToken.revoked_at.is_(None))
)

# End every open browser session of a user (logout everywhere, a password change). Params: owner_id, now.
end_sessions_of_user = (
    update(cast(Table, UserSession.__table__))
    .where(UserSession.user_id == bindparam("owner_id"), UserSession.revoked_at.is_(None))
    .values(revoked_at=bindparam("now"))
)

"""The one access policy of Alur: may this actor do this to that?

An `Actor` is who calls a verb: a user (user name, organisation, roles) or the
system (the operator's CLI, the app deploying processes/ at start). Every
decision about access is a function of this module, so the engine, the
attachment store, the account pages and the web app ask here instead of
comparing organisations and roles themselves.

The rules, in one place:

- An organisation is a wall: another organisation's instance, task or process
  is not there at all for a user (NotFound), whatever role names they hold.
- A user sees an instance of their organisation when they hold the role of one
  of its process's lanes (they follow the case they take part in).
- A user claims, releases and completes a ready task of their organisation
  whose lane role they hold; completing (or attaching to) a task someone else
  has claimed is refused, and so is releasing a claim that is not theirs.
- A user starts a process of their organisation when they hold the role of the
  lane its start event lies in (any user of it, when the start lies in no lane).
- Designers (`perancang`) deploy and migrate the processes of their
  organisation; admins (`admin`) administer its users and lanes.
- The system sees every instance and deploys, migrates and administers in every
  organisation, but does no one's work: it claims, completes and starts nothing
  (the audit log names the person who did each step).

The functions take plain facts (an organisation, a task row or view, the roles
of a process's lanes), never a session: the caller reads what they need in its
own transaction, so a check costs no query of its own. `instance_conditions`
and `task_conditions` state the same rules as SQL conditions, for lists.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, Protocol

from sqlalchemy import ColumnElement, false, select

from .errors import AlurError, Conflict, Forbidden, NotFound
from .models import HumanTask, Instance, LaneRole

ADMIN_ROLE = "admin"
DESIGNER_ROLE = "perancang"
SYSTEM_NAME = "system"  # how the audit log names the system

TaskVerb = Literal["claim", "unclaim", "complete"]


@dataclass(frozen=True)
class Actor:
    """Who calls a verb: a user of an organisation with roles, or the system.

    A user name that is no user's is an actor of no organisation and no roles: it may do nothing.
    """

    username: str
    org: str | None
    roles: frozenset[str] = frozenset()
    is_system: bool = False

    @classmethod
    def user(cls, username: str, org: str | None, roles: Iterable[str] = ()) -> Actor:
        """A user of organisation `org` (None: no user of that name) holding `roles`."""
        return cls(username, org, frozenset(roles))

    @classmethod
    def of_account(cls, account) -> Actor:
        """The actor of an account (accounts.Account: the logged-in user of the web app)."""
        return cls.user(account.username, account.org, account.roles)


SYSTEM = Actor(SYSTEM_NAME, None, frozenset(), is_system=True)


class TaskFacts(Protocol):
    """What the policy reads of a task: a HumanTask row, a TaskView, or a row of a Core statement."""

    id: str
    org: str
    role: str
    lane: str
    status: str
    claimed_by: str | None


# ------------------------------------------------------------------ instances


def may_see_instance(actor: Actor, org: str, lane_roles: Iterable[str]) -> bool:
    """True when `actor` may see an instance of organisation `org` whose process's lanes are
    performed by `lane_roles`: the system, or a user of `org` holding one of those roles."""
    if actor.is_system:
        return True
    return actor.org == org and not actor.roles.isdisjoint(lane_roles)


def check_see_instance(actor: Actor, instance_id: int, org: str, lane_roles: Iterable[str]) -> None:
    """NotFound unless `actor` may see the instance (one they may not see is not there for them)."""
    if not may_see_instance(actor, org, lane_roles):
        raise NotFound(f"instance {instance_id} does not exist")


def instance_conditions(actor: Actor) -> list[ColumnElement[bool]]:
    """`may_see_instance` as SQL conditions on Instance, for listing the instances `actor` may see."""
    return process_conditions(actor, Instance.org, Instance.process_id)


def process_conditions(actor: Actor, org_column, process_column) -> list[ColumnElement[bool]]:
    """SQL conditions keeping the rows (of an organisation and a process id column) of the processes
    whose instances `actor` may see (`may_see_instance`): of the actor's organisation, with a lane
    whose role the actor holds; every process for the system."""
    if actor.is_system:
        return []
    if actor.org is None or not actor.roles:
        return [false()]
    lanes_held = (select(LaneRole.process_id)
                  .where(LaneRole.org == actor.org, LaneRole.role.in_(sorted(actor.roles))).distinct())
    return [org_column == actor.org, process_column.in_(lanes_held)]


def performs_lane_condition(actor: Actor) -> ColumnElement[bool]:
    """A SQL condition true for the LaneRole rows (joined by the caller) whose role `actor` holds."""
    if actor.is_system or not actor.roles:
        return false()
    return LaneRole.role.in_(sorted(actor.roles))


# ---------------------------------------------------------------------- tasks


def performs(actor: Actor, task: TaskFacts) -> bool:
    """True when `actor` is a user of the task's organisation holding its lane's role."""
    return not actor.is_system and actor.org == task.org and task.role in actor.roles


def task_refusal(actor: Actor, task: TaskFacts, verb: TaskVerb) -> AlurError | None:
    """Why `actor` may not `verb` (claim, unclaim, complete) the task, or None when they may.

    In this order: another organisation's task is NotFound (a missing one is the caller's
    NotFound); a lane whose role the actor does not hold is Forbidden; a task no longer ready is
    a Conflict. Then, to complete (or attach to) it, someone else's claim is Forbidden; to claim
    it, someone else's claim is a Conflict (claiming one's own claim again is allowed: nothing
    changes); to release it, a claim that is not the actor's is a Conflict.
    """
    if actor.is_system or actor.org is None or task.org != actor.org:
        # Another organisation's task is not there at all for this user; the system does no task.
        return NotFound(f"task {task.id} does not exist")
    if task.role not in actor.roles:
        return Forbidden(f"'{actor.username}' does not hold role '{task.role}' of lane '{task.lane}'")
    if task.status != "ready":
        return Conflict(f"task {task.id} is {task.status}")
    if verb == "complete" and task.claimed_by not in (None, actor.username):
        return Forbidden(f"task {task.id} is claimed by {task.claimed_by}")
    if verb == "claim" and task.claimed_by not in (None, actor.username):
        return Conflict(f"task {task.id} is already claimed by {task.claimed_by}")
    if verb == "unclaim" and task.claimed_by != actor.username:
        return Conflict(f"task {task.id} is not claimed by {actor.username}")
    return None


def check_task(actor: Actor, task: TaskFacts, verb: TaskVerb) -> None:
    """Raise `task_refusal(actor, task, verb)` when there is one."""
    refusal = task_refusal(actor, task, verb)
    if refusal is not None:
        raise refusal


def may_do_task(actor: Actor, task: TaskFacts, verb: TaskVerb = "complete") -> bool:
    """True when `actor` may `verb` the task (see `task_refusal`)."""
    return task_refusal(actor, task, verb) is None


def task_conditions(actor: Actor) -> list[ColumnElement[bool]]:
    """`performs` as SQL conditions on HumanTask: the tasks of the lanes `actor` performs (an inbox)."""
    if actor.is_system or actor.org is None or not actor.roles:
        return [false()]
    return [HumanTask.org == actor.org, HumanTask.role.in_(sorted(actor.roles))]


# ------------------------------------------------------------------ processes


def may_start(actor: Actor, org: str, start_lane: str | None, start_role: str | None) -> bool:
    """True when `actor` may start a process of organisation `org` whose start event lies in
    `start_lane` (None: in no lane), performed by `start_role` (None: the lane has no role)."""
    if actor.is_system or actor.org != org:
        return False
    return start_lane is None or (start_role is not None and start_role in actor.roles)


def check_start(actor: Actor, org: str, start_lane: str | None, start_role: str | None) -> None:
    """Forbidden unless `actor` may start the process (see `may_start`); the caller has found
    the process in the actor's organisation, so another organisation's is NotFound before this."""
    if not may_start(actor, org, start_lane, start_role):
        raise Forbidden(f"'{actor.username}' does not hold the role of lane '{start_lane}' that starts this SOP")


def may_deploy(actor: Actor, org: str | None) -> bool:
    """True when `actor` may deploy a process version in organisation `org` (and see why a file of
    it was refused): the system, or a designer of `org`."""
    return actor.is_system or (org is not None and actor.org == org and DESIGNER_ROLE in actor.roles)


def check_deploy(actor: Actor, org: str | None) -> None:
    """Refuse `actor` a deploy in organisation `org` unless `may_deploy`: another organisation is not
    there for a user (NotFound); in their own, a user who is no designer is Forbidden."""
    if may_deploy(actor, org):
        return
    if actor.org != org:
        raise NotFound(f"organisation '{org}' does not exist")
    raise Forbidden(f"'{actor.username}' does not hold role '{DESIGNER_ROLE}'")


def may_migrate(actor: Actor, org: str | None) -> bool:
    """True when `actor` may move running instances of `org` between versions (and compare its
    versions): who may deploy there."""
    return may_deploy(actor, org)


def check_migrate(actor: Actor, org: str | None, process_id: str) -> None:
    """Refuse `actor` the versions of process `process_id` of organisation `org` (listing, comparing
    and moving instances between them) unless `may_migrate`: another organisation's process is not
    there for a user (NotFound), and in their own a user who is no designer is Forbidden."""
    if may_migrate(actor, org):
        return
    if actor.org != org:
        raise NotFound(f"process '{process_id}' is not deployed")
    raise Forbidden(f"'{actor.username}' does not hold role '{DESIGNER_ROLE}'")


def may_administer(actor: Actor, org: str | None) -> bool:
    """True when `actor` may administer organisation `org` (its users, roles, passwords, lanes):
    the system, or an admin of `org`."""
    return actor.is_system or (org is not None and actor.org == org and ADMIN_ROLE in actor.roles)


def check_administer(actor: Actor, org: str) -> None:
    """Refuse `actor` the administration of organisation `org` unless `may_administer`: another
    organisation is not there for a user (NotFound); in their own, a user who is no admin is Forbidden."""
    if may_administer(actor, org):
        return
    if actor.org != org:
        raise NotFound(f"organisation '{org}' does not exist")
    raise Forbidden(f"'{actor.username}' does not hold role '{ADMIN_ROLE}'")

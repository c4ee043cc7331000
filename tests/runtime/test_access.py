"""The access policy (runtime/access.py) by itself: every verb, allowed and refused.

The people: the Sekretaris and the Kasubbag of Dinas Koperasi Sulawesi Tengah, its process
designer and admin, a user of Kalimantan Barat holding every one of those role names (only
the organisation refuses them), a name that is no user's, and the system.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from sqlalchemy import select

from alur.runtime import access, accounts, directory
from alur.runtime.access import ADMIN_ROLE, DESIGNER_ROLE, SYSTEM, Actor
from alur.runtime.errors import Conflict, Forbidden, NotFound
from alur.runtime.models import AuditEntry, HumanTask, Instance
from alur.runtime.scenarios.deploy import deploy_with_scenarios
from alur.runtime.scenarios.runs import last_runs, newest_run_with_diagram
from alur.runtime.sopdoc import service as sopdoc
from tests.conftest import PROCESSES, seed_lane_users
from tests.runtime.test_kalbar_pengumpulan_skp import DATA, KASUBBAG, PROCESS, only_ready

ORG, OTHER_ORG = "sulteng-diskukm", "kalbar-diskukm"
SEKRETARIS = Actor.user("sulteng.sekretaris", ORG, {"sekretaris"})
KASUBBAG_SULTENG = Actor.user("sulteng.kasubbag", ORG, {"kasubbag"})
DESIGNER = Actor.user("sulteng.perancang", ORG, {DESIGNER_ROLE})
ADMIN = Actor.user("sulteng.admin", ORG, {ADMIN_ROLE})
NO_ROLE = Actor.user("sulteng.tanpa-peran", ORG)
OTHER = Actor.user("kalbar.semua", OTHER_ORG, {"sekretaris", "kasubbag", DESIGNER_ROLE, ADMIN_ROLE})
NOBODY = Actor.user("tidak-ada", None)
LANES = {"sekretaris", "kasubbag"}  # the roles of the lanes of the SOP the instance runs


@dataclass
class Task:
    """The facts of a task the policy reads (a HumanTask row or a TaskView carries the same)."""

    id: str = "t-1"
    org: str = ORG
    role: str = "sekretaris"
    lane: str = "Sekretaris"
    status: str = "ready"
    claimed_by: str | None = None


READY = Task()


# ------------------------------------------------------------------ the actor


def test_an_actor_is_a_user_of_an_organisation_or_the_system():
    account = accounts.Account("sulteng.sekretaris", "Siti Aminah", {"sekretaris"}, True, ORG)
    assert Actor.of_account(account) == SEKRETARIS
    assert SEKRETARIS.roles == frozenset({"sekretaris"}) and not SEKRETARIS.is_system
    assert SYSTEM.is_system and SYSTEM.org is None and SYSTEM.username == "system"
    # A user of no organisation and no roles is not the system, whatever they are called.
    assert not Actor.user("system", None).is_system


def test_directory_reads_the_actor_of_a_user_name(alur):
    directory.add_organisation(alur, ORG, "Dinas Koperasi Sulawesi Tengah")
    directory.add_user(alur, "sulteng.sekretaris", ["sekretaris"], org=ORG)
    assert directory.actor(alur, "sulteng.sekretaris") == SEKRETARIS
    assert directory.actor(alur, "tidak-ada") == NOBODY


# ------------------------------------------------------------------ instances


def test_a_user_of_the_organisation_holding_a_lane_role_sees_the_instance():
    assert access.may_see_instance(SEKRETARIS, ORG, LANES)
    assert access.may_see_instance(KASUBBAG_SULTENG, ORG, LANES)
    access.check_see_instance(SEKRETARIS, 7, ORG, LANES)


@pytest.mark.parametrize("actor", [NO_ROLE, DESIGNER, ADMIN, OTHER, NOBODY], ids=lambda a: a.username)
def test_no_lane_role_or_another_organisation_does_not_see_the_instance(actor):
    assert not access.may_see_instance(actor, ORG, LANES)
    with pytest.raises(NotFound, match="instance 7 does not exist"):
        access.check_see_instance(actor, 7, ORG, LANES)


def test_the_system_sees_every_instance():
    assert access.may_see_instance(SYSTEM, ORG, LANES)
    assert access.may_see_instance(SYSTEM, OTHER_ORG, ())


# ---------------------------------------------------------------------- tasks


@pytest.mark.parametrize("verb", ["claim", "complete"])
def test_the_lane_role_holder_claims_and_completes_a_ready_task(verb):
    assert access.task_refusal(SEKRETARIS, READY, verb) is None
    assert access.may_do_task(SEKRETARIS, READY, verb)
    access.check_task(SEKRETARIS, READY, verb)
    assert access.performs(SEKRETARIS, READY)


def test_a_claim_of_ones_own_is_claimed_again_released_and_completed():
    mine = replace(READY, claimed_by=SEKRETARIS.username)
    for verb in ("claim", "unclaim", "complete"):
        assert access.task_refusal(SEKRETARIS, mine, verb) is None, verb


def test_an_unclaimed_task_cannot_be_released():
    refusal = access.task_refusal(SEKRETARIS, READY, "unclaim")
    assert isinstance(refusal, Conflict) and str(refusal) == "task t-1 is not claimed by sulteng.sekretaris"


def test_a_task_claimed_by_someone_else():
    theirs = replace(READY, claimed_by="sulteng.sekretaris-2")
    completing = access.task_refusal(SEKRETARIS, theirs, "complete")
    assert isinstance(completing, Forbidden) and str(completing) == "task t-1 is claimed by sulteng.sekretaris-2"
    claiming = access.task_refusal(SEKRETARIS, theirs, "claim")
    assert isinstance(claiming, Conflict)
    assert str(claiming) == "task t-1 is already claimed by sulteng.sekretaris-2"
    releasing = access.task_refusal(SEKRETARIS, theirs, "unclaim")
    assert isinstance(releasing, Conflict) and str(releasing) == "task t-1 is not claimed by sulteng.sekretaris"
    assert not access.may_do_task(SEKRETARIS, theirs)
    # Still their lane: the task page shows it, without the form's buttons.
    assert access.performs(SEKRETARIS, theirs)


@pytest.mark.parametrize("verb", ["claim", "unclaim", "complete"])
def test_another_lane_is_forbidden(verb):
    refusal = access.task_refusal(KASUBBAG_SULTENG, READY, verb)
    assert isinstance(refusal, Forbidden)
    assert str(refusal) == "'sulteng.kasubbag' does not hold role 'sekretaris' of lane 'Sekretaris'"
    assert not access.performs(KASUBBAG_SULTENG, READY)
    with pytest.raises(Forbidden):
        access.check_task(KASUBBAG_SULTENG, READY, verb)


@pytest.mark.parametrize("actor", [OTHER, NOBODY, SYSTEM], ids=lambda a: a.username)
@pytest.mark.parametrize("verb", ["claim", "unclaim", "complete"])
def test_another_organisations_task_is_not_there_and_the_system_does_no_task(actor, verb):
    # The Kalbar user holds the role name `sekretaris` too: only the organisation refuses them.
    refusal = access.task_refusal(actor, replace(READY, claimed_by=actor.username), verb)
    assert isinstance(refusal, NotFound) and str(refusal) == "task t-1 does not exist"
    assert not access.performs(actor, READY)


@pytest.mark.parametrize("verb", ["claim", "unclaim", "complete"])
def test_a_task_no_longer_ready_is_a_conflict(verb):
    done = replace(READY, status="completed", claimed_by=SEKRETARIS.username)
    refusal = access.task_refusal(SEKRETARIS, done, verb)
    assert isinstance(refusal, Conflict) and str(refusal) == "task t-1 is completed"


def test_refusals_come_in_order_organisation_role_status_claim():
    everything_wrong = Task(org=OTHER_ORG, role="kasubbag", status="cancelled", claimed_by="someone")
    assert isinstance(access.task_refusal(SEKRETARIS, everything_wrong, "complete"), NotFound)
    assert isinstance(access.task_refusal(SEKRETARIS, replace(everything_wrong, org=ORG), "complete"), Forbidden)
    assert isinstance(access.task_refusal(SEKRETARIS, replace(everything_wrong, org=ORG, role="sekretaris"),
                                          "complete"), Conflict)


# ------------------------------------------------------------------ processes


def test_the_start_lane_role_holder_starts_the_process():
    assert access.may_start(SEKRETARIS, ORG, "Sekretaris", "sekretaris")
    access.check_start(SEKRETARIS, ORG, "Sekretaris", "sekretaris")
    assert not access.may_start(KASUBBAG_SULTENG, ORG, "Sekretaris", "sekretaris")
    with pytest.raises(Forbidden, match="'sulteng.kasubbag' does not hold the role of lane 'Sekretaris'"):
        access.check_start(KASUBBAG_SULTENG, ORG, "Sekretaris", "sekretaris")
    # A start lane no role performs: nobody starts it.
    assert not access.may_start(SEKRETARIS, ORG, "Sekretaris", None)


def test_a_start_in_no_lane_is_for_every_user_of_the_organisation():
    for actor in (SEKRETARIS, NO_ROLE, DESIGNER, ADMIN):
        assert access.may_start(actor, ORG, None, None)
    for actor in (OTHER, NOBODY, SYSTEM):
        assert not access.may_start(actor, ORG, None, None)
        with pytest.raises(Forbidden):
            access.check_start(actor, ORG, None, None)


def test_another_organisation_and_the_system_start_nothing():
    assert not access.may_start(OTHER, ORG, "Sekretaris", "sekretaris")
    assert not access.may_start(SYSTEM, ORG, "Sekretaris", "sekretaris")


@pytest.mark.parametrize("decision", [access.may_deploy, access.may_migrate])
def test_designers_deploy_and_migrate_in_their_organisation(decision):
    assert decision(DESIGNER, ORG)
    assert decision(SYSTEM, ORG) and decision(SYSTEM, OTHER_ORG)
    for actor in (SEKRETARIS, ADMIN, NO_ROLE, NOBODY):
        assert not decision(actor, ORG), actor.username
    # The Kalbar user is a designer of Kalbar, not of Sulteng; no organisation is no one's.
    assert decision(OTHER, OTHER_ORG) and not decision(OTHER, ORG)
    assert not decision(DESIGNER, None) and not decision(NOBODY, None)


def test_the_versions_of_a_process_are_refused_as_not_there_or_forbidden():
    access.check_migrate(DESIGNER, ORG, "sop-a")
    access.check_migrate(SYSTEM, OTHER_ORG, "sop-a")
    with pytest.raises(Forbidden, match="'sulteng.sekretaris' does not hold role 'perancang'"):
        access.check_migrate(SEKRETARIS, ORG, "sop-a")
    with pytest.raises(NotFound, match="process 'sop-a' is not deployed"):
        access.check_migrate(OTHER, ORG, "sop-a")  # a designer of Kalbar: Sulteng's process is not there


def test_admins_administer_their_organisation():
    assert access.may_administer(ADMIN, ORG)
    assert access.may_administer(SYSTEM, ORG)
    for actor in (SEKRETARIS, DESIGNER, NO_ROLE, NOBODY):
        assert not access.may_administer(actor, ORG), actor.username
    assert access.may_administer(OTHER, OTHER_ORG) and not access.may_administer(OTHER, ORG)
    assert not access.may_administer(ADMIN, None)


# --------------------------------------------- the same rules as SQL conditions, for lists


@pytest.fixture
def two_offices(alur):
    # Both organisations deploy the same SOP file: the same process id and lane roles in each.
    alur.deploy(PROCESSES / f"{PROCESS}.bpmn")  # org kalbar-diskukm (the file's `org` property)
    alur.deploy(PROCESSES / f"{PROCESS}.bpmn", org=ORG)
    seed_lane_users(alur, PROCESS, OTHER_ORG)
    directory.add_user(alur, "kalbar.tanpa-peran", [], org=OTHER_ORG)
    directory.add_user(alur, "sulteng.kasubbag", [KASUBBAG], org=ORG)  # the same role name, in Sulteng
    return alur


def test_listing_conditions_agree_with_the_decisions(two_offices):
    alur = two_offices
    kalbar = alur.start(PROCESS, KASUBBAG)
    alur.complete(only_ready(kalbar).id, KASUBBAG, DATA["Step_01"])
    sulteng = alur.start(PROCESS, "sulteng.kasubbag")
    names = [KASUBBAG, "kepala-dinas", "sulteng.kasubbag", "kalbar.tanpa-peran", "tidak-ada"]
    actors = [directory.actor(alur, name) for name in names] + [SYSTEM]
    with alur.sessions() as session:
        instances = session.scalars(select(Instance)).all()
        tasks = session.scalars(select(HumanTask)).all()
        assert {t.status for t in tasks} == {"completed", "ready"}
        lanes = {i.id: set(directory.lane_roles(alur, i.org, i.process_id, session).values()) for i in instances}
        for actor in actors:
            listed = set(session.scalars(select(Instance.id).where(*access.instance_conditions(actor))))
            assert listed == {i.id for i in instances if access.may_see_instance(actor, i.org, lanes[i.id])}, \
                actor.username
            inbox = set(session.scalars(select(HumanTask.id).where(*access.task_conditions(actor))))
            assert inbox == {t.id for t in tasks if access.performs(actor, t)}, actor.username
    # Who is who: each Kasubbag sees their own organisation's instance only, the Kepala Dinas sees
    # Kalbar's; the user without roles and the unknown name see nothing; the system sees both.
    seen = [set(listed_for(alur, actor)) for actor in actors]
    assert seen == [{kalbar.id}, {kalbar.id}, {sulteng.id}, set(), set(), {kalbar.id, sulteng.id}]


def listed_for(alur, actor: Actor) -> list[int]:
    """The instances the listing shows `actor` (accounts.visible_instances, over the policy's conditions)."""
    return [i.id for i in accounts.visible_instances(alur, actor)]


def test_only_an_admin_of_the_organisation_administers_it(alur):
    directory.add_organisation(alur, ORG, "Dinas Koperasi Sulawesi Tengah")
    directory.add_organisation(alur, OTHER_ORG, "Dinas Koperasi Kalimantan Barat")
    for actor in (SEKRETARIS, ADMIN):
        directory.add_user(alur, actor.username, sorted(actor.roles), org=ORG)
    directory.add_user(alur, OTHER.username, sorted(OTHER.roles), org=OTHER_ORG)
    assert [a.username for a in accounts.users_of(alur, ORG, ADMIN)] == ["sulteng.admin", "sulteng.sekretaris"]
    for refused, error in ((SEKRETARIS, Forbidden), (OTHER, NotFound)):
        with pytest.raises(error):
            accounts.users_of(alur, ORG, refused)
        with pytest.raises(error):
            accounts.user_of(alur, ORG, "sulteng.sekretaris", refused)
        with pytest.raises(error):
            accounts.add_role(alur, ORG, "sulteng.sekretaris", ADMIN_ROLE, refused)
        with pytest.raises(error):
            accounts.reset_password(alur, ORG, "sulteng.sekretaris", "kata-sandi-baru-1", refused)
    assert directory.actor(alur, "sulteng.sekretaris") == SEKRETARIS  # nothing changed on a refusal
    accounts.add_role(alur, ORG, "sulteng.sekretaris", DESIGNER_ROLE, ADMIN)
    assert directory.actor(alur, "sulteng.sekretaris").roles == {"sekretaris", DESIGNER_ROLE}
    with alur.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "role_add")).one()
        assert entry.actor == "sulteng.admin"


def test_the_administration_verbs_refuse_through_the_policy():
    access.check_administer(ADMIN, ORG)
    access.check_administer(SYSTEM, OTHER_ORG)
    with pytest.raises(Forbidden, match="'sulteng.perancang' does not hold role 'admin'"):
        access.check_administer(DESIGNER, ORG)
    with pytest.raises(NotFound, match="organisation 'sulteng-diskukm' does not exist"):
        access.check_administer(OTHER, ORG)


def test_only_a_designer_of_the_organisation_deploys_there(alur):
    directory.add_organisation(alur, ORG, "Dinas Koperasi Sulawesi Tengah")
    directory.add_organisation(alur, OTHER_ORG, "Dinas Koperasi Kalimantan Barat")
    content = (PROCESSES / f"{PROCESS}.bpmn").read_bytes()
    for refused, error in ((SEKRETARIS, Forbidden), (ADMIN, Forbidden), (OTHER, NotFound), (NOBODY, NotFound)):
        with pytest.raises(error):
            alur.deploy_bytes(content, "skp.bpmn", user=refused, org=ORG)
        with pytest.raises(error):
            deploy_with_scenarios(alur, content, "skp.bpmn", user=refused, org=ORG, force=True)
    assert alur.processes(ORG) == []  # nothing deployed on a refusal
    # A designer deploys in their own organisation (whatever organisation the file names).
    result = alur.deploy_bytes(content, "skp.bpmn", user=DESIGNER)
    assert (result.org, result.version) == (ORG, 1)
    assert [(p["org"], p["deployed_by"]) for p in alur.processes()] == [(ORG, "sulteng.perancang")]
    with pytest.raises(NotFound):
        alur.deploy_bytes(content, "skp.bpmn", user=DESIGNER, org=OTHER_ORG)
    # The system deploys in the organisation the file names.
    assert alur.deploy_bytes(content, "skp.bpmn", user=SYSTEM).org == OTHER_ORG


def test_scenario_runs_and_the_sop_document_are_for_designers_of_the_organisation(alur):
    directory.add_organisation(alur, ORG, "Dinas Koperasi Sulawesi Tengah")
    alur.deploy(PROCESSES / f"{PROCESS}.bpmn", org=ORG)
    assert sopdoc.deployed_version(alur, PROCESS, 1, actor=DESIGNER).org == ORG
    assert last_runs(alur, ORG, PROCESS, DESIGNER) == {}
    assert newest_run_with_diagram(alur, ORG, PROCESS, DESIGNER) is None
    for refused, error in ((SEKRETARIS, Forbidden), (OTHER, NotFound), (NOBODY, NotFound)):
        with pytest.raises(error):
            sopdoc.deployed_version(alur, PROCESS, 1, ORG, refused)
        with pytest.raises(error):
            last_runs(alur, ORG, PROCESS, refused)
        with pytest.raises(error):
            newest_run_with_diagram(alur, ORG, PROCESS, refused)
    # Without an organisation named, a user reads their own: Kalbar's designer finds no such process.
    with pytest.raises(NotFound):
        sopdoc.deployed_version(alur, PROCESS, 1, actor=OTHER)

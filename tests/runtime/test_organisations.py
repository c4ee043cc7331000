"""Tenant isolation: a user never sees, claims or completes anything of another organisation."""
from __future__ import annotations

import pytest

from alur.runtime import accounts, directory, versions
from alur.runtime.backup import export_database
from alur.runtime.engine import DeployRefused, NotFound
from tests.conftest import FORMS, PROCESSES, seed_lane_users
from tests.runtime.test_kalbar_pengumpulan_skp import DATA, KASUBBAG, PROCESS, only_ready

SULTENG = "sulteng-pengumpulan-data-kinerja"


@pytest.fixture
def two_offices(alur):
    alur.deploy(PROCESSES / f"{PROCESS}.bpmn")  # org kalbar-diskukm (the file's `org` property)
    alur.deploy(PROCESSES / f"{SULTENG}.bpmn")  # org sulteng-diskukm
    seed_lane_users(alur, PROCESS)  # kalbar's "kepala-dinas", "kasubbag-umum-aparatur", ...
    directory.add_user(alur, "sulteng-kadis", ["kepala-dinas"], org="sulteng-diskukm")
    return alur


def test_processes_belong_to_the_organisation_their_file_names(two_offices):
    orgs = {p["process_id"]: p["org"] for p in two_offices.processes()}
    assert orgs == {PROCESS: "kalbar-diskukm", SULTENG: "sulteng-diskukm"}
    names = {o["slug"]: o["name"] for o in directory.organisations(two_offices)}
    assert names["sulteng-diskukm"] == "Dinas Koperasi, Usaha Kecil dan Menengah Provinsi Sulawesi Tengah"


def test_same_role_in_another_organisation_sees_nothing(two_offices):
    alur = two_offices
    sulteng = alur.start(SULTENG, "sulteng-kadis")
    task = only_ready(sulteng)
    assert [t.id for t in alur.tasks_for("sulteng-kadis")] == [task.id]
    # Kalbar's Kepala Dinas holds the same role key, in another organisation.
    assert alur.tasks_for("kepala-dinas") == []
    with pytest.raises(NotFound):
        alur.claim(task.id, "kepala-dinas")
    with pytest.raises(NotFound):
        alur.complete(task.id, "kepala-dinas", {"isi_disposisi": "Bukan urusan saya"})
    with pytest.raises(NotFound):
        alur.instance(sulteng.id, directory.actor(alur, "kepala-dinas"))
    with pytest.raises(NotFound):
        alur.history(sulteng.id, directory.actor(alur, "kepala-dinas"))
    with pytest.raises(NotFound):
        alur.start(SULTENG, "kepala-dinas")
    assert not accounts.can_see_instance(alur, "kepala-dinas", sulteng.id)
    assert accounts.can_see_instance(alur, "sulteng-kadis", sulteng.id)
    after = alur.instance(sulteng.id)
    assert after.revision == sulteng.revision and only_ready(after).claimed_by is None


def test_guessed_ids_of_another_organisation_are_not_found(two_offices):
    alur = two_offices
    kalbar = alur.start(PROCESS, KASUBBAG)
    with pytest.raises(NotFound):
        alur.instance(kalbar.id, directory.actor(alur, "sulteng-kadis"))
    with pytest.raises(NotFound):
        alur.complete(only_ready(kalbar).id, "sulteng-kadis", DATA["Step_01"])
    assert [e.action for e in alur.history(kalbar.id)] == ["start"]


# ------------------------------------------------ process ids are scoped per organisation

KALBAR, SULTENG_ORG = "kalbar-diskukm", "sulteng-diskukm"


def _renamed(process_id: str, new_id: str) -> bytes:
    """The BPMN of processes/<process_id>.bpmn with the process (and its diagram's ids) renamed to `new_id`."""
    return (PROCESSES / f"{process_id}.bpmn").read_bytes().replace(process_id.encode(), new_id.encode())


def test_two_organisations_each_own_a_process_of_the_same_id(two_offices):
    alur = two_offices
    # Sulteng deploys Kalbar's SOP file as its own process (the explicit organisation wins over the file's).
    theirs = alur.deploy(PROCESSES / f"{PROCESS}.bpmn", org=SULTENG_ORG)
    assert (theirs.process_id, theirs.org, theirs.version, theirs.created) == (PROCESS, SULTENG_ORG, 1, True)
    changed = (PROCESSES / f"{PROCESS}.bpmn").read_bytes().replace(b'name="Setuju?"', b'name="Disetujui?"')
    assert alur.deploy_bytes(changed, "v2.bpmn", FORMS, org=SULTENG_ORG).version == 2
    assert [(p["org"], p["process_id"], p["version"]) for p in alur.processes(KALBAR)] == [(KALBAR, PROCESS, 1)]
    assert [(p["org"], p["process_id"], p["version"]) for p in alur.processes(SULTENG_ORG)] == [
        (SULTENG_ORG, PROCESS, 2), (SULTENG_ORG, SULTENG, 1)]
    assert [v["version"] for v in versions.list_versions(alur, KALBAR, PROCESS)] == [1]
    assert [v["version"] for v in versions.list_versions(alur, SULTENG_ORG, PROCESS)] == [1, 2]
    kalbar_lanes = directory.lane_roles(alur, KALBAR, PROCESS)
    assert directory.lane_roles(alur, SULTENG_ORG, PROCESS) == kalbar_lanes

    # Each organisation's lanes are its own: Sulteng gives its first lane to another role.
    directory.add_user(alur, "sulteng-kasubbag", ["kasubbag-sulteng"], org=SULTENG_ORG)
    directory.set_lane_role(alur, SULTENG_ORG, PROCESS, "Kasubbag Umum & Aparatur", "kasubbag-sulteng")
    assert directory.lane_roles(alur, KALBAR, PROCESS) == kalbar_lanes

    kalbar = alur.start(PROCESS, KASUBBAG)
    sulteng = alur.start(PROCESS, "sulteng-kasubbag")
    assert (kalbar.version, sulteng.version) == (1, 2)
    assert [t.id for t in alur.tasks_for(KASUBBAG)] == [only_ready(kalbar).id]
    assert [t.id for t in alur.tasks_for("sulteng-kasubbag")] == [only_ready(sulteng).id]
    assert only_ready(sulteng).role == "kasubbag-sulteng" and only_ready(kalbar).role == KASUBBAG
    assert [i.id for i in accounts.visible_instances(alur, KASUBBAG)] == [kalbar.id]
    assert [i.id for i in accounts.visible_instances(alur, "sulteng-kasubbag")] == [sulteng.id]
    with pytest.raises(NotFound):
        alur.complete(only_ready(sulteng).id, KASUBBAG, DATA["Step_01"])
    kalbar = alur.complete(only_ready(kalbar).id, KASUBBAG, DATA["Step_01"])
    sulteng = alur.complete(only_ready(sulteng).id, "sulteng-kasubbag", DATA["Step_01"])
    assert only_ready(kalbar).task_spec == only_ready(sulteng).task_spec == "Step_02"
    assert (only_ready(kalbar).org, only_ready(sulteng).org) == (KALBAR, SULTENG_ORG)
    assert [v["running_instances"] for v in versions.list_versions(alur, KALBAR, PROCESS)] == [1]
    assert [v["running_instances"] for v in versions.list_versions(alur, SULTENG_ORG, PROCESS)] == [0, 1]
    running = {(p["org"], p["process_id"]): p["running_instances"] for p in alur.processes()}
    assert running[(KALBAR, PROCESS)] == 1 and running[(SULTENG_ORG, PROCESS)] == 1


def test_a_squatted_id_does_not_stop_its_owner(two_offices):
    """Kalbar's designer deploys a process with Sulteng's id first: Sulteng still deploys its own, and
    its files in processes/ still deploy when the app starts."""
    alur = two_offices
    squat = alur.deploy_bytes(_renamed(SULTENG, "sulteng-sop-baru"), "sulteng-sop-baru.bpmn", FORMS,
                              user="kalbar.perancang", org=KALBAR)
    assert (squat.org, squat.version) == (KALBAR, 1)
    own = alur.deploy_bytes(_renamed(SULTENG, "sulteng-sop-baru"), "sulteng-sop-baru.bpmn", FORMS,
                            user="sulteng.perancang", org=SULTENG_ORG)
    assert (own.org, own.version, own.created) == (SULTENG_ORG, 1, True)
    alur.deploy_bytes((PROCESSES / f"{SULTENG}.bpmn").read_bytes(), f"{SULTENG}.bpmn", FORMS, org=KALBAR)
    report = alur.deploy_directory(PROCESSES)
    assert report.refused == []
    assert {(r.org, r.process_id, r.version, r.created) for r in report.deployed if r.process_id == SULTENG} == {
        (SULTENG_ORG, SULTENG, 1, False)}
    sulteng = alur.start(SULTENG, "sulteng-kadis")
    assert alur.instance(sulteng.id).version == 1 and only_ready(sulteng).org == SULTENG_ORG


def test_a_refused_deploy_names_no_other_organisation(two_offices):
    alur = two_offices
    alur.deploy_bytes(_renamed(SULTENG, "sulteng-sop-baru"), "baru.bpmn", FORMS, org=KALBAR)
    broken = _renamed(SULTENG, "sulteng-sop-baru").replace(b'formJsonSchemaFilename" value="', 
                                                          b'formJsonSchemaFilename" value="tidak-ada-', 1)
    before = export_database(alur)
    with pytest.raises(DeployRefused) as refused:
        alur.deploy_bytes(broken, "baru.bpmn", FORMS, user="sulteng.perancang", org=SULTENG_ORG)
    assert "tidak-ada-" in str(refused.value)
    assert "kalbar" not in str(refused.value) and all("kalbar" not in str(p) for p in refused.value.problems)
    assert export_database(alur) == before


def test_an_organisation_made_by_a_deploy_takes_the_files_name_only_if_the_file_is_its(alur):
    alur.deploy(PROCESSES / f"{PROCESS}.bpmn", org="baru")
    alur.deploy(PROCESSES / f"{PROCESS}.bpmn")
    assert directory.organisations(alur) == [
        {"slug": "baru", "name": "baru"},
        {"slug": KALBAR, "name": "Dinas Koperasi, Usaha Kecil dan Menengah Provinsi Kalimantan Barat"}]


def test_users_are_created_in_existing_organisations_only(two_offices):
    with pytest.raises(NotFound):
        directory.add_user(two_offices, "x", ["kepala-dinas"], org="tidak-ada")

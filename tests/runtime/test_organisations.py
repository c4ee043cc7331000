"""Tenant isolation: a user never sees, claims or completes anything of another organisation."""
from __future__ import annotations

import pytest

from alur.runtime import accounts, directory
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
        alur.instance(sulteng.id, user="kepala-dinas")
    with pytest.raises(NotFound):
        alur.history(sulteng.id, user="kepala-dinas")
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
        alur.instance(kalbar.id, user="sulteng-kadis")
    with pytest.raises(NotFound):
        alur.complete(only_ready(kalbar).id, "sulteng-kadis", DATA["Step_01"])
    assert [e.action for e in alur.history(kalbar.id)] == ["start"]


def test_a_process_cannot_move_to_another_organisation(two_offices, tmp_path):
    changed = tmp_path / "copy.bpmn"
    changed.write_text((PROCESSES / f"{PROCESS}.bpmn").read_text().replace('name="Setuju?"', 'name="Disetujui?"'))
    with pytest.raises(DeployRefused, match="belongs to organisation 'kalbar-diskukm'"):
        two_offices.deploy(changed, FORMS, org="sulteng-diskukm")
    assert len([p for p in two_offices.processes() if p["process_id"] == PROCESS]) == 1


def test_users_are_created_in_existing_organisations_only(two_offices):
    with pytest.raises(NotFound):
        directory.add_user(two_offices, "x", ["kepala-dinas"], org="tidak-ada")

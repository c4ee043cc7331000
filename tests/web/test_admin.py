"""Admin pages: an admin manages the users of their own organisation and which role performs
each lane of its SOPs; nobody else can, and another organisation's users and SOPs are not there."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from alur.runtime import accounts, directory, people
from alur.runtime.engine import Alur
from alur.runtime.models import AuditEntry
from tests.web.conftest import ORG, PASSWORD, PASSWORD_HASH, SOP, _text_of
from alur.web.demo import demo_username, setup_demo

OTHER_ORG = "kalbar-diskukm"
OTHER_SOP = "kalbar-pengumpulan-skp"
NEW_PASSWORD = "kata-sandi-baru-1"


@pytest.fixture
def admins(alur):
    """The organisation's admin, and a user and an admin of another organisation."""
    directory.add_user(alur, "admin", ["admin"], display_name="Admin Sulteng", password_hash=PASSWORD_HASH,
                       org=ORG)
    directory.add_user(alur, "kalbar.staf", ["kasubbag-umum-aparatur"], display_name="Staf Kalbar",
                       password_hash=PASSWORD_HASH, org=OTHER_ORG)
    directory.add_user(alur, "kalbar.admin", ["admin"], display_name="Admin Kalbar", password_hash=PASSWORD_HASH,
                       org=OTHER_ORG)
    directory.add_user(alur, "kalbar-diskukm.budi", [], display_name="Budi Kalbar", password_hash=PASSWORD_HASH,
                       org=OTHER_ORG)
    directory.add_user(alur, "sulteng-diskukm.ani", [], display_name="Ani", password_hash=PASSWORD_HASH, org=ORG)


def page_of(response) -> str:
    """The visible text, entities resolved."""
    return html.unescape(_text_of(response))


def roles_of(alur, username):
    return accounts.get_user(alur, username).roles


def audit_actions(alur, actor="admin"):
    with alur.sessions() as session:
        return [(e.action, e.data) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.actor == actor, AuditEntry.action != "login").order_by(AuditEntry.id))]


def test_admin_sees_the_users_of_their_organisation_with_roles_and_no_others(client, login, alur, admins):
    login(client, "admin")
    response = client.get("/admin/pengguna")
    assert response.status_code == 200
    page = page_of(response)
    for username in ("admin", "kepala-dinas", "sekretaris", "tanpa-peran"):
        assert f'data-user="{username}"' in response.get_data(as_text=True)
    assert "kalbar" not in page
    assert "kepala-sub-bagian-program-keuangan-dan-aset" in page  # the Kasubbag's role
    assert "tanpa peran" in page  # tanpa-peran holds none
    assert 'href="/admin/pengguna"' in response.get_data(as_text=True)  # the Admin link in the top bar


def test_the_new_user_form_offers_the_organisations_lane_roles_and_the_two_staff_roles(client, login, admins):
    login(client, "admin")
    body = client.get("/admin/pengguna").get_data(as_text=True)
    offered = set(re.findall(r'name="roles" value="([^"]+)"', body))
    assert {"kepala-dinas", "sekretaris", "fungsional-umum", "perancang", "admin"} <= offered
    assert not any("kasubbag-umum" in role for role in offered)  # a Kalbar lane role
    assert "pegawai" not in offered  # held by a user, but performs no lane here


@pytest.mark.parametrize("typed", ["budi", "sulteng-diskukm.budi", "  budi "])
def test_admin_creates_a_user_who_can_log_in(client, login, post, alur, admins, text_of, typed):
    """The name is put in the organisation's namespace: "budi" becomes "sulteng-diskukm.budi"
    (although Kalbar has a "kalbar-diskukm.budi")."""
    login(client, "admin")
    response = post(client, "/admin/pengguna", {
        "username": typed, "display_name": "Budi Santoso", "password": NEW_PASSWORD,
        "password_confirm": NEW_PASSWORD, "roles": ["sekretaris", "perancang"]})
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/pengguna/sulteng-diskukm.budi"
    assert "Pengguna sulteng-diskukm.budi dibuat dengan peran: perancang, sekretaris." in text_of(
        client.get(response.headers["Location"]))
    account = accounts.get_user(alur, "sulteng-diskukm.budi")
    assert (account.org, account.roles, account.display_name) == (ORG, {"sekretaris", "perancang"}, "Budi Santoso")
    assert ("user_create", {"username": "sulteng-diskukm.budi", "org": ORG, "roles": ["perancang", "sekretaris"]}) \
        in audit_actions(alur)
    assert accounts.get_user(alur, "kalbar-diskukm.budi").org == OTHER_ORG  # Kalbar's Budi is untouched
    login(client, "sulteng-diskukm.budi", NEW_PASSWORD)
    assert "Selamat datang, Budi Santoso" in text_of(client.get("/"))
    assert client.get("/sop/pasang").status_code == 200  # the perancang role took effect


@pytest.mark.parametrize("changes, message", [
    ({"password": "pendek-12", "password_confirm": "pendek-12"}, "Kata sandi: minimal 10 karakter"),
    ({"password_confirm": "lain-lagi-123"}, "Ulangi kata sandi: tidak sama dengan kata sandi"),
    # 100 characters in all, with "sulteng-diskukm." (16) in front: 84 for the name.
    ({"username": "Budi Santoso"}, "Nama pengguna: 1-84 karakter: huruf kecil"),
    ({"username": "b" * 85}, "Nama pengguna: 1-84 karakter: huruf kecil"),
    ({"username": ""}, "Nama pengguna: 1-84 karakter: huruf kecil"),
    ({"username": ".budi"}, "Nama pengguna: 1-84 karakter: huruf kecil"),
    ({"username": "ani"}, "Nama pengguna: nama pengguna sudah dipakai di organisasi ini"),
    ({"username": "sulteng-diskukm.ani"}, "Nama pengguna: nama pengguna sudah dipakai di organisasi ini"),
    ({"display_name": "   "}, "Nama tampilan: wajib diisi"),
    ({"roles": ["kasubbag-umum-aparatur"]}, "Peran: peran tidak dikenal di organisasi ini: kasubbag-umum-aparatur"),
])
def test_bad_new_user_input_names_the_field_and_creates_nobody(client, login, post, alur, admins, changes,
                                                               message):
    form = {"username": "budi", "display_name": "Budi Santoso", "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD, "roles": ["sekretaris"], **changes}
    users_before = [(a.username, a.roles) for a in accounts.list_users(alur)]
    login(client, "admin")
    response = post(client, "/admin/pengguna", form)
    assert response.status_code == 422
    page = page_of(response)
    assert message in page and "Pengguna belum dibuat" in page
    assert [(a.username, a.roles) for a in accounts.list_users(alur)] == users_before
    login(client, "sekretaris")  # the existing user kept their password
    assert client.get("/").status_code == 200


def test_admin_adds_and_removes_roles(client, login, post, alur, admins, text_of):
    login(client, "admin")
    page = text_of(client.get("/admin/pengguna/fungsional"))
    assert "fungsional-umum" in page and "Tambah peran" in page
    response = post(client, "/admin/pengguna/fungsional/peran", {"role": "sekretaris"})
    assert response.status_code == 302
    assert roles_of(alur, "fungsional") == {"fungsional-umum", "sekretaris"}
    response = post(client, "/admin/pengguna/fungsional/peran/cabut", {"role": "fungsional-umum"})
    assert response.status_code == 302
    assert "Peran fungsional-umum dicabut dari fungsional." in text_of(client.get(response.headers["Location"]))
    assert roles_of(alur, "fungsional") == {"sekretaris"}
    assert [a for a, _ in audit_actions(alur)] == ["role_add", "role_remove"]


@pytest.mark.parametrize("url, role, message", [
    ("/admin/pengguna/fungsional/peran", "kasubbag-umum-aparatur", "Peran: peran tidak dikenal di organisasi ini"),
    ("/admin/pengguna/fungsional/peran", "", "Peran: peran tidak dikenal di organisasi ini"),
    ("/admin/pengguna/fungsional/peran/cabut", "sekretaris", "Peran: pengguna tidak memegang peran ini"),
    ("/admin/pengguna/admin/peran/cabut", "admin", "Peran: Anda tidak dapat mencabut peran admin Anda sendiri"),
])
def test_bad_role_changes_are_refused_and_change_nothing(client, login, post, alur, admins, url, role, message):
    before = {u: roles_of(alur, u) for u in ("fungsional", "admin")}
    login(client, "admin")
    response = post(client, url, {"role": role})
    assert response.status_code == 422
    assert message in page_of(response) and "Tidak ada yang diubah" in page_of(response)
    assert {u: roles_of(alur, u) for u in ("fungsional", "admin")} == before


@pytest.mark.parametrize("typed", ["kalbar.staf", "kalbar-diskukm.budi", "staf"])
def test_a_name_another_organisation_holds_is_answered_like_a_free_one(client, login, post, alur, admins, typed):
    """Whatever name the admin types, the answer does not tell whether another organisation has it:
    the user is made in the admin's own namespace, exactly as for a name nobody holds."""
    login(client, "admin")
    response = post(client, "/admin/pengguna", {
        "username": typed, "display_name": "Staf", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/pengguna/sulteng-diskukm.{typed}"
    assert accounts.get_user(alur, f"sulteng-diskukm.{typed}").org == ORG
    assert roles_of(alur, "kalbar.staf") == {"kasubbag-umum-aparatur"}
    assert accounts.get_user(alur, "kalbar-diskukm.budi").display_name == "Budi Kalbar"


def test_no_one_can_be_put_in_another_organisations_namespace(alur, admins):
    """The CLI's way (directory.add_user) refuses a name in another organisation's namespace, so a
    name "sulteng-diskukm.*" can only ever be Sulteng's (and the admin's "taken" is about their own)."""
    from alur.runtime.errors import Conflict

    before = [(a.username, a.org) for a in accounts.list_users(alur)]
    with pytest.raises(Conflict, match="namespace of organisation 'sulteng-diskukm'"):
        directory.add_user(alur, "sulteng-diskukm.penyusup", [], org=OTHER_ORG)
    assert [(a.username, a.org) for a in accounts.list_users(alur)] == before
    directory.add_user(alur, "sulteng.lama", [], org=OTHER_ORG)  # "sulteng" is no organisation: no namespace
    assert accounts.get_user(alur, "sulteng.lama").org == OTHER_ORG


def test_another_admin_may_take_the_admin_role(client, login, post, alur, admins):
    directory.add_user(alur, "admin-2", ["admin"], password_hash=PASSWORD_HASH, org=ORG)
    login(client, "admin-2")
    assert post(client, "/admin/pengguna/admin/peran/cabut", {"role": "admin"}).status_code == 302
    assert roles_of(alur, "admin") == set()


def test_admin_resets_a_password(client, login, post, alur, admins, text_of):
    login(client, "admin")
    response = post(client, "/admin/pengguna/sekretaris/sandi",
                    {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert "Kata sandi sekretaris diganti" in text_of(client.get(response.headers["Location"]))
    assert login(client, "sekretaris").status_code == 401  # the old password no longer works
    assert login(client, "sekretaris", NEW_PASSWORD).status_code == 302
    actions = audit_actions(alur)
    assert actions == [("password_reset", {"username": "sekretaris"})]
    assert NEW_PASSWORD not in str(actions)


@pytest.mark.parametrize("form, message", [
    ({"password": "123456789", "password_confirm": "123456789"}, "Kata sandi: minimal 10 karakter"),
    ({"password": NEW_PASSWORD, "password_confirm": "lain"}, "Ulangi kata sandi: tidak sama dengan kata sandi"),
])
def test_a_bad_new_password_is_refused_and_the_old_one_stays(client, login, post, admins, form, message):
    login(client, "admin")
    response = post(client, "/admin/pengguna/sekretaris/sandi", form)
    assert response.status_code == 422
    assert message in page_of(response)
    assert login(client, "sekretaris", PASSWORD).status_code == 302


def test_lane_roles_of_the_organisations_sops_and_no_others(client, login, alur, admins):
    login(client, "admin")
    response = client.get("/admin/lajur")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert f'id="{SOP}"' in body and f'id="{OTHER_SOP}"' not in body
    assert 'data-lane="Kepala Dinas"' in body and 'value="kepala-dinas"' in body


def test_admin_maps_a_lane_to_another_role_and_its_waiting_tasks_follow(client, login, post, alur, admins,
                                                                         started, text_of):
    waiting = started.ready_tasks[0]
    assert waiting.lane == "Kepala Dinas"
    alur.claim(waiting.id, "kepala-dinas")
    directory.add_user(alur, "pimpinan", ["pimpinan"], password_hash=PASSWORD_HASH, org=ORG)
    login(client, "admin")
    response = post(client, "/admin/lajur", {"process_id": SOP, "lane": "Kepala Dinas", "role": "pimpinan"})
    assert response.status_code == 302
    assert "Lajur Kepala Dinas (sulteng-pengumpulan-data-kinerja) kini dijalankan oleh peran pimpinan; " \
           "1 tugas yang menunggu ikut pindah." in text_of(client.get(response.headers["Location"]))
    assert directory.lane_roles(alur, ORG, SOP)["Kepala Dinas"] == "pimpinan"
    assert [t.id for t in alur.tasks_for("pimpinan")] == [waiting.id]
    assert alur.tasks_for("kepala-dinas") == []
    assert alur.task(waiting.id).claimed_by is None  # the old holder could neither finish nor release it
    assert audit_actions(alur)[-1] == ("lane_role", {"lane": "Kepala Dinas", "from": "kepala-dinas",
                                                     "to": "pimpinan", "tasks": 1})
    assert "pimpinan" in accounts.organisation_roles(alur, ORG)


@pytest.mark.parametrize("role, message", [
    ("Kepala Dinas!", "Peran: 1-200 karakter"),
    ("", "Peran: 1-200 karakter"),
    ("admin", "Peran: peran 'admin' untuk pengelolaan, bukan untuk menjalankan lajur"),
])
def test_a_bad_lane_role_is_refused_and_changes_nothing(client, login, post, alur, admins, role, message):
    login(client, "admin")
    response = post(client, "/admin/lajur", {"process_id": SOP, "lane": "Kepala Dinas", "role": role})
    assert response.status_code == 422
    assert message in page_of(response)
    assert directory.lane_roles(alur, ORG, SOP)["Kepala Dinas"] == "kepala-dinas"


def test_another_organisations_users_and_lanes_are_not_found(client, login, post, alur, admins):
    other_lane, other_role = next(iter(directory.lane_roles(alur, "kalbar-diskukm", OTHER_SOP).items()))
    login(client, "admin")
    assert client.get("/admin/pengguna/kalbar.staf").status_code == 404
    assert client.get("/admin/pengguna/tidak-ada").status_code == 404
    assert post(client, "/admin/pengguna/kalbar.staf/peran", {"role": "sekretaris"}).status_code == 404
    assert post(client, "/admin/pengguna/kalbar.admin/peran/cabut", {"role": "admin"}).status_code == 404
    assert post(client, "/admin/pengguna/kalbar.staf/sandi",
                {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}).status_code == 404
    assert post(client, "/admin/lajur", {"process_id": OTHER_SOP, "lane": other_lane, "role": "x"}).status_code == 404
    assert post(client, "/admin/lajur", {"process_id": SOP, "lane": "Tidak Ada", "role": "x"}).status_code == 404
    assert roles_of(alur, "kalbar.staf") == {"kasubbag-umum-aparatur"}
    assert roles_of(alur, "kalbar.admin") == {"admin"}
    assert directory.lane_roles(alur, "kalbar-diskukm", OTHER_SOP)[other_lane] == other_role
    assert login(client, "kalbar.staf").status_code == 302  # password unchanged


ADMIN_PAGES = ["/admin/", "/admin/pengguna", "/admin/pengguna/sekretaris", "/admin/lajur"]
ADMIN_POSTS = [
    ("/admin/pengguna", {"username": "x.baru", "display_name": "X", "password": NEW_PASSWORD,
                         "password_confirm": NEW_PASSWORD}),
    ("/admin/pengguna/sekretaris/peran", {"role": "kepala-dinas"}),
    ("/admin/pengguna/sekretaris/peran/cabut", {"role": "sekretaris"}),
    ("/admin/pengguna/sekretaris/sandi", {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}),
    ("/admin/lajur", {"process_id": SOP, "lane": "Sekretaris", "role": "x"}),
]


def test_refusals(client, login, post, alur, admins, text_of):
    for url in ADMIN_PAGES:  # not logged in: to the login page
        response = client.get(url)
        assert response.status_code == 302 and "/masuk" in response.headers["Location"], url
    login(client, "sekretaris")  # no admin role
    assert 'href="/admin/pengguna"' not in client.get("/").get_data(as_text=True)
    for url in ADMIN_PAGES:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "hanya untuk pengguna dengan peran admin" in text_of(response)
    for url, data in ADMIN_POSTS:
        assert post(client, url, data).status_code == 403, url
    login(client, "admin")  # the admin, but without the CSRF token
    for url, data in ADMIN_POSTS:
        assert client.post(url, data=data).status_code == 400, url
    assert accounts.get_user(alur, "x.baru") is None and accounts.get_user(alur, f"{ORG}.x.baru") is None
    assert roles_of(alur, "sekretaris") == {"sekretaris"}
    assert directory.lane_roles(alur, ORG, SOP)["Sekretaris"] == "sekretaris"
    assert login(client, "sekretaris").status_code == 302
    assert audit_actions(alur) == []


def test_demo_has_an_admin_and_a_designer_per_organisation(settings):
    rows = {username: (password, display) for username, password, display in setup_demo(settings)}
    alur = Alur(settings)
    try:
        for org in {p["org"] for p in alur.processes()}:
            for role in ("admin", "perancang"):
                username = demo_username(org, role)
                password, _ = rows[username]
                account = accounts.authenticate(alur, username, password)
                assert account is not None and account.org == org and account.roles == {role}
        assert rows["sulteng.admin"][1].startswith("Admin (") and rows["sulteng.perancang"][1].startswith("Perancang SOP (")
        # Every demo user has a full name, an 18-digit NIP and a jabatan, and pages name them by both.
        everyone = people.people(alur)
        for username in rows:
            person = everyone.person(username)
            assert person.name != username and len(person.name.split()) >= 2
            assert person.nip is not None and len(person.nip) == 18 and person.nip.isdigit()
            assert person.jabatan and everyone.get(username) == f"{person.jabatan} ({person.name})"
        assert len({everyone.person(u).nip for u in rows}) == len(rows)
    finally:
        alur.close()

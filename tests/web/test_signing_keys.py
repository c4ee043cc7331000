"""One cookie key for every server of a database (runtime/signing_keys.py, web/signing.py): a session
made through one app works on another with its own instance folder; rotation keeps old cookies readable."""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from alur.runtime import directory, signing_keys
from alur.runtime.cli import main
from alur.runtime.models import SigningKey, utcnow
from alur.web import signing
from alur.web.app import create_app
from tests.web.conftest import ORG, PASSWORD_HASH

USER = "sekretaris"


def _app(settings, instance):
    return create_app({"TESTING": True, "ALUR_SETTINGS": replace(settings, instance_dir=instance),
                       "ALUR_DEPLOY_ON_STARTUP": False})


@pytest.fixture
def apps(settings, tmp_path, monkeypatch):
    """make(name): an app over the test's database with an instance folder of its own, keys from the database."""
    monkeypatch.delenv("ALUR_SECRET_KEY", raising=False)
    made = []

    def make(name):
        app = _app(settings, tmp_path / name)
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["alur"].close()


def _logged_in(app, login):
    directory.add_user(app.extensions["alur"], USER, ["sekretaris"], display_name="Sekretaris",
                       password_hash=PASSWORD_HASH, org=ORG)
    client = app.test_client()
    assert login(client, USER).status_code == 302
    return client.get_cookie("session").value


def _inbox_status(app, cookie) -> int:
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client.get("/").status_code


def test_a_session_made_on_one_server_works_on_another(apps, login):
    server_a, server_b = apps("a"), apps("b")
    assert server_a.secret_key == server_b.secret_key and len(server_a.secret_key) == 64
    cookie = _logged_in(server_a, login)
    assert _inbox_status(server_b, cookie) == 200
    assert _inbox_status(server_b, cookie[:-2] + "xx") == 302  # a forged signature is refused: to the login page


def test_rotation_keeps_old_cookies_and_reaches_running_servers(apps, login, monkeypatch):
    server_a = apps("a")
    old_cookie = _logged_in(server_a, login)
    signing_keys.rotate(server_a.extensions["alur"].db, utcnow())
    server_c = apps("c")  # started after the rotation: signs with the new key
    assert server_c.secret_key != server_a.secret_key
    assert server_c.config["SECRET_KEY_FALLBACKS"] == [server_a.secret_key]
    assert _inbox_status(server_c, old_cookie) == 200
    new_cookie = _logged_in_again(server_c, login)
    assert _inbox_status(server_a, new_cookie) == 302  # A has not read the keys again yet
    monkeypatch.setattr(signing_keys, "REFRESH_SECONDS", 0)
    assert _inbox_status(server_a, new_cookie) == 200  # now it has
    assert server_a.secret_key == server_c.secret_key


def _logged_in_again(app, login):
    client = app.test_client()
    assert login(client, USER).status_code == 302
    return client.get_cookie("session").value


def test_a_retired_key_is_dropped_once_its_sessions_have_expired(alur):
    now = utcnow()
    signing_keys.ensure(alur.db, now)
    first = signing_keys.active(alur.db, now).current
    until = signing_keys.rotate(alur.db, now)
    assert until == now + signing_keys.KEEP_RETIRED
    assert signing_keys.active(alur.db, until - timedelta(seconds=1)).fallbacks == (first,)
    assert signing_keys.active(alur.db, until).fallbacks == ()
    signing_keys.rotate(alur.db, until + timedelta(seconds=1))  # deletes the expired one
    with alur.sessions() as session:
        assert first not in set(session.scalars(select(SigningKey.secret)))


def test_the_key_of_instance_secret_key_moves_into_the_database(apps, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "secret_key").write_text("kunci-lama-server-a-" + "a" * 40)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "secret_key").write_text("kunci-lama-server-b-" + "b" * 40)
    server_a = apps("a")
    assert server_a.secret_key == "kunci-lama-server-a-" + "a" * 40  # its sessions survive the upgrade
    assert not (tmp_path / "a" / "secret_key").exists()
    server_b = apps("b")
    assert server_b.secret_key == server_a.secret_key
    assert server_b.config["SECRET_KEY_FALLBACKS"] == ["kunci-lama-server-b-" + "b" * 40]  # B's stay readable
    assert not (tmp_path / "b" / "secret_key").exists()


def test_servers_starting_together_make_one_key(alur):
    errors = []

    def start():
        try:
            signing_keys.ensure(alur.db, utcnow())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with alur.sessions() as session:
        assert session.scalar(select(func.count()).select_from(SigningKey)) == 1


def test_alur_secret_key_from_the_environment_wins(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("ALUR_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("ALUR_SECRET_KEY_FALLBACKS", "lama-1, lama-2")
    app = _app(settings, tmp_path / "a")
    try:
        assert app.secret_key == "k" * 40
        assert app.config["SECRET_KEY_FALLBACKS"] == ["lama-1", "lama-2"]
        assert signing.signing_secrets(app) == ["lama-2", "lama-1", "k" * 40]
        with app.extensions["alur"].sessions() as session:
            assert session.scalar(select(func.count()).select_from(SigningKey)) == 0
    finally:
        app.extensions["alur"].close()
    monkeypatch.setenv("ALUR_SECRET_KEY", "pendek")
    with pytest.raises(ValueError, match="ALUR_SECRET_KEY must be at least 32 characters"):
        _app(settings, tmp_path / "b")


def test_alur_secret_rotate(settings, monkeypatch, capsys):
    monkeypatch.setenv("ALUR_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ALUR_INSTANCE_DIR", str(settings.instance_dir))
    monkeypatch.delenv("ALUR_SECRET_KEY", raising=False)
    assert main(["secret", "rotate"]) == 0
    assert "kunci lama tetap diterima sampai" in capsys.readouterr().out
    assert main(["secret", "rotate", "--json"]) == 0
    monkeypatch.setenv("ALUR_SECRET_KEY", "k" * 40)
    assert main(["secret", "rotate"]) == 1
    assert "ALUR_SECRET_KEY is set" in capsys.readouterr().err

"""Personal API tokens: made once, stored as a hash, act as their user until revoked, audited."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from alur.runtime import cli, directory, tokens
from alur.runtime.engine import InvalidData, NotFound
from alur.runtime.models import ApiToken, AuditEntry


@pytest.fixture
def people(alur):
    directory.add_organisation(alur, "sulteng-diskukm", "Dinas Koperasi dan UKM Provinsi Sulawesi Tengah")
    directory.add_user(alur, "ani", ["sekretaris"], org="sulteng-diskukm")
    directory.add_user(alur, "budi", ["sekretaris"], org="sulteng-diskukm")
    return alur


def test_a_token_acts_as_its_user_with_their_current_roles(people):
    token, info = tokens.create_token(people, "ani", "integrasi e-Office")
    assert token.startswith(tokens.PREFIX) and info.prefix == token[:len(info.prefix)]
    account = tokens.authenticate_token(people, token)
    assert (account.username, account.org, account.roles) == ("ani", "sulteng-diskukm", {"sekretaris"})
    directory.add_user(people, "ani", ["kepala-dinas"], org="sulteng-diskukm")  # roles are read at each call
    assert tokens.authenticate_token(people, token).roles == {"sekretaris", "kepala-dinas"}


def test_only_the_hash_is_stored(people):
    token, _ = tokens.create_token(people, "ani", "x")
    with people.sessions() as session:
        row = session.scalars(select(ApiToken)).one()
    assert token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64


def test_unknown_altered_and_revoked_tokens_are_refused(people):
    token, info = tokens.create_token(people, "ani", "x")
    for wrong in ("", "alur_", token[:-1], token + "a", "Basic " + token, tokens.PREFIX + "a" * 500):
        assert tokens.authenticate_token(people, wrong) is None
    tokens.revoke_token(people, "ani", info.id)
    assert tokens.authenticate_token(people, token) is None
    assert tokens.tokens_of(people, "ani")[0].revoked_at is not None


def test_another_users_token_cannot_be_revoked(people):
    token, info = tokens.create_token(people, "ani", "x")
    with pytest.raises(NotFound):
        tokens.revoke_token(people, "budi", info.id)
    assert tokens.authenticate_token(people, token).username == "ani"
    assert tokens.tokens_of(people, "budi") == []


def test_bad_names_and_too_many_tokens_change_nothing(people):
    for name, message in (("  ", "wajib"), ("x" * 101, "paling banyak 100")):
        with pytest.raises(InvalidData) as refused:
            tokens.create_token(people, "ani", name)
        assert message in refused.value.errors["name"]
    for n in range(tokens.MAX_ACTIVE_TOKENS):
        tokens.create_token(people, "ani", f"t{n}")
    with pytest.raises(InvalidData):
        tokens.create_token(people, "ani", "one more")
    assert len(tokens.tokens_of(people, "ani")) == tokens.MAX_ACTIVE_TOKENS
    with pytest.raises(NotFound):
        tokens.create_token(people, "tidak-ada", "x")


def test_making_and_revoking_are_audited(people):
    _, info = tokens.create_token(people, "ani", "x")
    tokens.revoke_token(people, "ani", info.id, actor="admin")
    tokens.revoke_token(people, "ani", info.id)  # revoking again changes nothing
    with people.sessions() as session:
        rows = session.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.data)
                               .where(AuditEntry.action.like("token_%")).order_by(AuditEntry.id)).all()
    assert [(a, b) for a, b, _ in rows] == [("ani", "token_create"), ("admin", "token_revoke")]
    assert rows[0][2] == {"user": "ani", "token": info.id, "name": "x"}


def test_cli_create_list_revoke(people, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_engine", lambda args: people)
    assert cli.main(["tokens", "create", "ani", "--name", "sistem kepegawaian", "--json"]) == 0
    made = json.loads(capsys.readouterr().out)
    assert tokens.authenticate_token(people, made["token"]).username == "ani"
    assert cli.main(["tokens", "list", "ani"]) == 0
    assert "sistem kepegawaian  active" in capsys.readouterr().out
    assert cli.main(["tokens", "revoke", "ani", str(made["id"])]) == 0
    assert tokens.authenticate_token(people, made["token"]) is None
    assert cli.main(["tokens", "revoke", "budi", str(made["id"])]) == 1
    assert "does not exist" in capsys.readouterr().err

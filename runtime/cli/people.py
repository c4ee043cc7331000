"""`alur users|tokens|orgs`: users, their personal API tokens, and organisations."""
from __future__ import annotations

from dataclasses import asdict

import click

from .. import directory, tokens as api_tokens
from .common import WholeNumber, command, emit, engine, group


@group("users")
def users() -> None:
    """manage users"""


@users.add_command
@command("add")
@click.argument("name", help="the user name to log in with")
@click.option("--role", multiple=True, required=True, help="a role to give (repeatable)")
@click.option("--password", help="the password to log in with (a new one ends the user's sessions)")
@click.option("--display-name", help="the name shown in the app (default: NAME)")
@click.option("--org", default="default", help="the user's organisation (default: 'default')")
@click.option("--email", help="where the worker mails the user's new tasks (alur worker)")
@click.option("--mail/--no-mail", "notify_email", default=None,
              help="whether the user is mailed about new tasks (default: yes; unchanged for an existing user)")
def users_add(name: str, role: tuple[str, ...], password: str | None, display_name: str | None, org: str,
              email: str | None, notify_email: bool | None) -> int:
    """create a user or give it roles"""
    from werkzeug.security import generate_password_hash

    roles = list(role)
    password_hash = generate_password_hash(password) if password else None
    directory.add_user(engine(), name, roles, display_name, password_hash, org=org, email=email,
                       notify_email=notify_email)
    emit({"username": name, "org": org, "roles": roles, "email": email},
         f"user {name} ({org}): roles {', '.join(roles)}" + (f", e-mail {email}" if email else ""))
    return 0


@group("tokens")
def tokens() -> None:
    """personal API tokens of a user"""


@tokens.add_command
@command("create")
@click.argument("user", help="the user the token acts as")
@click.option("--name", required=True, help="what the token is for")
def tokens_create(user: str, name: str) -> int:
    """make a token (printed once)"""
    token, info = api_tokens.create_token(engine(), user, name, actor="cli")
    emit({**asdict(info), "token": token}, f"token {info.id} ({info.name}) for {user}; shown only now:\n{token}")
    return 0


@tokens.add_command
@command("list")
@click.argument("user", help="the user whose tokens")
def tokens_list(user: str) -> int:
    """a user's tokens"""
    rows = api_tokens.tokens_of(engine(), user)
    emit([asdict(r) for r in rows], "\n".join(
        f"{r.id:>4}  {r.prefix}...  {r.name}  {'revoked' if r.revoked_at else 'active'}" for r in rows))
    return 0


@tokens.add_command
@command("revoke")
@click.argument("user", help="the user whose tokens")
@click.argument("token_id", type=WholeNumber(1), help="the token's number (alur tokens list USER)")
def tokens_revoke(user: str, token_id: int) -> int:
    """revoke a token"""
    info = api_tokens.revoke_token(engine(), user, token_id, actor="cli")
    emit(asdict(info), f"token {info.id} ({info.name}) of {user} revoked")
    return 0


@command("orgs")
@click.argument("slug", required=False, help="the new organisation's short name")
@click.argument("name", required=False, help="its full name (default: SLUG)")
def orgs(slug: str | None, name: str | None) -> int:
    """list organisations, or add one: alur orgs SLUG NAME"""
    alur = engine()
    if slug:
        directory.add_organisation(alur, slug, name or slug)
    rows = directory.organisations(alur)
    emit(rows, "\n".join(f"{r['slug']:<24} {r['name']}" for r in rows))
    return 0

"""Users, apps, business-access grants and tokens: what the CLI, the demo, OAuth and tests create."""

from __future__ import annotations

import secrets

import sqlalchemy as sa

from pinsandbox.core.access import BUSINESS_ACCESS_ROLES
from pinsandbox.core.auth import issue_token
from pinsandbox.core.ids import new_id
from pinsandbox.core.tables import ad_account_members, apps, users


def get_user_by_name(conn: sa.Connection, username: str) -> sa.Row | None:
    return conn.execute(sa.select(users).where(users.c.username == username)).first()


def get_user(conn: sa.Connection, user_id: int) -> sa.Row | None:
    return conn.execute(sa.select(users).where(users.c.id == user_id)).first()


def ensure_user(conn: sa.Connection, username: str, *, now: int, account_type: str = "BUSINESS",
                business_name: str | None = None) -> sa.Row:
    row = get_user_by_name(conn, username)
    if row is not None:
        return row
    conn.execute(sa.insert(users).values(
        id=new_id(), username=username, account_type=account_type,
        business_name=business_name if business_name is not None else (username if account_type == "BUSINESS" else None),
        about="", website_url="", profile_image=f"https://i.pinimg.com/600x600_R/sandbox/{username}.jpg",
        created_time=now))
    return get_user_by_name(conn, username)


def create_app_record(conn: sa.Connection, *, name: str, owner_user_id: int | None, now: int,
                      redirect_uris: list[str] | None = None, client_id: int | None = None,
                      secret: str | None = None) -> sa.Row:
    app_id = client_id or int(str(new_id())[-7:]) + 1_000_000  # Pinterest client ids are short numbers
    conn.execute(sa.insert(apps).values(
        id=app_id, name=name, secret=secret or secrets.token_hex(20), owner_user_id=owner_user_id,
        redirect_uris=redirect_uris or ["http://localhost:8085/", "http://127.0.0.1:8085/"], created_time=now))
    return conn.execute(sa.select(apps).where(apps.c.id == app_id)).first()


def default_app(conn: sa.Connection, *, now: int) -> sa.Row:
    """The sandbox's own app, which tokens minted by the CLI belong to."""
    row = conn.execute(sa.select(apps).where(apps.c.name == "pinsandbox")).first()
    return row or create_app_record(conn, name="pinsandbox", owner_user_id=None, now=now)


def grant(conn: sa.Connection, *, ad_account_id: int, user_id: int, roles: list[str]) -> None:
    for r in roles:
        if r not in BUSINESS_ACCESS_ROLES:
            raise ValueError(f"unknown role {r!r}; known: {', '.join(BUSINESS_ACCESS_ROLES)}")
    conn.execute(ad_account_members.delete().where(ad_account_members.c.ad_account_id == ad_account_id,
                                                   ad_account_members.c.user_id == user_id))
    roles = list(dict.fromkeys(roles))  # a role named twice is held once
    if roles:
        conn.execute(sa.insert(ad_account_members).values(ad_account_id=ad_account_id, user_id=user_id, roles=roles))


def mint_access_token(conn: sa.Connection, *, user_id: int, scopes: list[str], now: int, ttl_seconds: int,
                      app_id: int | None = None) -> str:
    app_id = app_id or default_app(conn, now=now).id
    token, _ = issue_token(conn, kind="access", user_id=user_id, app_id=app_id, scopes=scopes, now=now,
                           ttl_seconds=ttl_seconds)
    return token


def get_app(conn: sa.Connection, client_id: int) -> sa.Row | None:
    return conn.execute(sa.select(apps).where(apps.c.id == client_id)).first()


def ensure_app_owner(conn: sa.Connection, app: sa.Row, *, now: int) -> sa.Row:
    """The app's owner user; an app registered without one gets `app-<client_id>-owner` (created once)."""
    if app.owner_user_id is not None:
        owner = get_user(conn, app.owner_user_id)
        if owner is not None:
            return owner
    owner = ensure_user(conn, f"app-{app.id}-owner", now=now)
    conn.execute(sa.update(apps).where(apps.c.id == app.id).values(owner_user_id=owner.id))
    return owner


def mint_conversion_token(conn: sa.Connection, *, ad_account_id: int, user_id: int, now: int) -> str:
    """A conversion token bound to one ad account (what Ads Manager makes); it does not expire."""
    token, _ = issue_token(conn, kind="conversion", user_id=user_id, app_id=None, scopes=(), now=now,
                           ttl_seconds=None, ad_account_id=ad_account_id)
    return token

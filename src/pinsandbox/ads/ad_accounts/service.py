"""Ad accounts: create, get, list (owned and shared through Business Access)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pinsandbox.core.access import ANY_ROLE, NOT_PERMITTED, ad_account_access, roles_on
from pinsandbox.core.db import Query
from pinsandbox.core.enums import currency_for_country
from pinsandbox.core.errors import Forbidden, InvalidParameter
from pinsandbox.core.ids import new_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate
from pinsandbox.core.tables import ad_account_members, ad_accounts, users

MAX_AD_ACCOUNTS_PER_USER = 50


_USERNAME = Query(sa.select(users.c.username).where(users.c.id == sa.bindparam("id")), memo=True)


def render(conn: sa.Connection, row: sa.Row, *, viewer_id: int) -> dict[str, Any]:
    owner = _USERNAME.scalar(conn, {"id": row.owner_user_id})
    return {
        "id": str(row.id), "name": row.name,
        "owner": {"username": owner, "id": str(row.owner_user_id)},
        "country": row.country, "currency": row.currency,
        "permissions": sorted(roles_on(conn, user_id=viewer_id, account=row)),
        "created_time": row.created_time, "updated_time": row.updated_time,
    }


def create(conn: sa.Connection, *, user_id: int, name: str | None, country: str | None,
           owner_user_id: str | None, now: int, currency: str | None = None) -> sa.Row:
    if not name or not name.strip():
        raise InvalidParameter("Field 'name' is required: give the ad account a name.")
    if owner_user_id is not None and int(owner_user_id) != user_id:
        raise Forbidden(f"{NOT_PERMITTED} 'owner_user_id' {owner_user_id} is not the token's user; an ad "
                        "account can only be created for yourself.", code=29)
    user = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    if user.account_type != "BUSINESS":
        raise Forbidden("The user must have a business account to create an ad account.", code=29)
    owned = conn.execute(sa.select(sa.func.count()).select_from(ad_accounts).where(
        ad_accounts.c.owner_user_id == user_id)).scalar()
    if owned >= MAX_AD_ACCOUNTS_PER_USER:
        raise InvalidParameter(f"A user can set up at most {MAX_AD_ACCOUNTS_PER_USER} ad accounts.")
    country = country or "US"
    new = new_id()
    conn.execute(sa.insert(ad_accounts).values(
        id=new, owner_user_id=user_id, name=name, country=country,
        currency=currency or currency_for_country(country), created_time=now, updated_time=now))
    return conn.execute(sa.select(ad_accounts).where(ad_accounts.c.id == new)).first()


def get(conn: sa.Connection, *, user_id: int, ad_account_id: str) -> sa.Row:
    return ad_account_access(conn, user_id=user_id, ad_account_id=ad_account_id, roles=ANY_ROLE).account


def list_(conn: sa.Connection, *, user_id: int, include_shared: bool, page: PageParams, secret: bytes
          ) -> tuple[list[sa.Row], str | None]:
    cond = ad_accounts.c.owner_user_id == user_id
    if include_shared:
        shared = sa.select(ad_account_members.c.ad_account_id).where(ad_account_members.c.user_id == user_id)
        cond = sa.or_(cond, ad_accounts.c.id.in_(shared))
    stmt = sa.select(ad_accounts).where(cond)
    return paginate(conn, stmt, key=ad_accounts.c.id, page=page, secret=secret,
                    fp=fingerprint("ad_accounts/list", user=user_id, shared=include_shared))

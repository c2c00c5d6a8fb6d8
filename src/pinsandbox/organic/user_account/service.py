"""The user account: the "operation user_account" as Pinterest renders it, its linked businesses and the
interests it follows. Follows live in `follows.py`, websites in `websites.py`."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import sqlalchemy as sa

from pinsandbox.core.errors import InvalidParameter, NotFound
from pinsandbox.core.ids import new_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate
from pinsandbox.core.tables import ad_account_members, ad_accounts, users
from pinsandbox.organic.boards.tables import boards
from pinsandbox.organic.pins.tables import pins
from pinsandbox.organic.user_account import follows
from pinsandbox.organic.user_account.tables import interest_follows
from pinsandbox.reporting.vocab import INTEREST_IDS_BY_NAME, INTERESTS

MONTHLY_VIEW_DAYS = 30


def get(conn: sa.Connection, *, user_id: int, monthly_views: int) -> dict[str, Any]:
    """The account; `monthly_views` comes from the analytics facts (`monthly_views()`)."""
    user = conn.execute(sa.select(users).where(users.c.id == user_id)).first()
    if user is None:
        raise NotFound("User not found.", code=30)
    board_count = conn.execute(sa.select(sa.func.count()).select_from(boards).where(
        boards.c.owner_user_id == user_id)).scalar()
    pin_count = conn.execute(sa.select(sa.func.count()).select_from(pins).where(
        pins.c.owner_user_id == user_id)).scalar()
    return {
        "account_type": user.account_type, "id": str(user.id), "profile_image": user.profile_image,
        "website_url": user.website_url, "username": user.username, "about": user.about,
        "business_name": user.business_name, "board_count": board_count, "pin_count": pin_count,
        "follower_count": follows.follower_count(conn, user_id),
        "following_count": follows.following_count(conn, user_id), "monthly_views": monthly_views,
    }


def monthly_views(facts: Any, *, user_id: int, today: dt.date) -> int:
    """Impressions in the organic facts over the last 30 days, today (the sandbox clock's) included, of
    what the user account's analytics count: the user's Pins and others' Pins of their claimed websites."""
    from pinsandbox.reporting.organic_query import Scope, sums

    first = today - dt.timedelta(days=MONTHLY_VIEW_DAYS - 1)
    rows = sums(facts, Scope(user_id=user_id), start=first, end=today, by=(), counters=("impression",))
    return int(rows[0]["impression"]) if rows else 0


# -- linked businesses ------------------------------------------------------------------------------------
_SIZED = re.compile(r"/\d+x\d+(_RS?)?/")
_SIZES = {"image_small_url": "30x30_RS", "image_medium_url": "75x75_RS", "image_large_url": "140x140_RS",
          "image_xlarge_url": "280x280_RS"}


def _profile_images(profile_image: str) -> dict[str, str]:
    if _SIZED.search(profile_image):
        return {k: _SIZED.sub(f"/{size}/", profile_image, count=1) for k, size in _SIZES.items()}
    return {k: profile_image for k in _SIZES}


def linked_businesses(conn: sa.Connection, *, user_id: int) -> list[dict[str, Any]]:
    """Business accounts the user is linked to through Business Access: the owners (business accounts,
    not the user) of the ad accounts on which the user holds a role. By username."""
    stmt = (sa.select(users).distinct()
            .join(ad_accounts, ad_accounts.c.owner_user_id == users.c.id)
            .join(ad_account_members, ad_account_members.c.ad_account_id == ad_accounts.c.id)
            .where(ad_account_members.c.user_id == user_id, users.c.id != user_id,
                   users.c.account_type == "BUSINESS")
            .order_by(users.c.username))
    return [{"username": u.username, **_profile_images(u.profile_image)} for u in conn.execute(stmt)]


# -- interests ----------------------------------------------------------------------------------------------
def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def render_interest(interest_id: str) -> dict[str, Any]:
    name = INTERESTS[interest_id][0]
    return {"canonical_url": f"https://www.pinterest.com/ideas/{_slug(name)}/{interest_id}/", "id": interest_id,
            "key": name.lower(), "name": name}


def resolve_interests(values: list[str]) -> list[str]:
    """Interest ids for ids or names of the sandbox's interest vocabulary (reporting/vocab.py)."""
    out: list[str] = []
    for n, value in enumerate(values):
        key = value.strip()
        iid = key if key in INTERESTS else INTEREST_IDS_BY_NAME.get(key.lower())
        if iid is None:
            raise InvalidParameter(f"Invalid field 'interests[{n}]': {value!r} is not an interest id or name of the "
                                   f"sandbox (known: {', '.join(sorted(n for n, _ in INTERESTS.values()))}).")
        if iid not in out:
            out.append(iid)
    return out


def set_interests(conn: sa.Connection, *, user_id: int, interest_ids: list[str], now: int) -> None:
    """Follow exactly these interests (ones already followed keep their follow date)."""
    have = set(conn.execute(sa.select(interest_follows.c.interest_id).where(interest_follows.c.user_id == user_id))
               .scalars())
    conn.execute(interest_follows.delete().where(interest_follows.c.user_id == user_id,
                                                 interest_follows.c.interest_id.not_in(interest_ids)))
    for iid in interest_ids:
        if iid not in have:
            conn.execute(sa.insert(interest_follows).values(id=new_id(), user_id=user_id, interest_id=iid,
                                                            created_time=now))


def list_interests(conn: sa.Connection, *, user_id: int, page: PageParams, secret: bytes
                   ) -> tuple[list[dict[str, Any]], str | None]:
    """The interests the user follows, newest follow first."""
    stmt = sa.select(interest_follows).where(interest_follows.c.user_id == user_id)
    rows, bookmark = paginate(conn, stmt, key=interest_follows.c.id, page=page, secret=secret,
                              fp=fingerprint("user_account/followed_interests", user=user_id), descending=True)
    return [render_interest(r.interest_id) for r in rows if r.interest_id in INTERESTS], bookmark

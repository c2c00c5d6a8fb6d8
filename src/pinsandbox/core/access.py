"""Business access: who may act on an ad account, and the "operation user_account".

An ad account has an owner; other users hold roles on it (BusinessAccessRole). Each operation
names the roles its docs give; the owner always passes. With the `ad_account_id` query parameter
the organic operations act as the account's owner, when the token user holds a permitted role.
The role sets below are what the operation descriptions in the spec name; see docs/business-access.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from pinsandbox.core.db import Query
from pinsandbox.core.errors import Forbidden, NotFound
from pinsandbox.core.tables import ad_account_members, ad_accounts

BUSINESS_ACCESS_ROLES = (
    "OWNER", "ADMIN", "ANALYST", "SOS_READER", "FINANCE_MANAGER", "AUDIENCE_MANAGER", "CAMPAIGN_MANAGER",
    "CATALOGS_MANAGER", "RESTRICTED_OWNER", "PROFILE_MANAGER", "PROFILE_PUBLISHER",
    "RESOURCE_PINNER_LIST_OWNER", "RESOURCE_PINNER_LIST_READER", "BIZ_PINNER_LIST_SHARER",
    "RESOURCE_CONVERSION_TAGS_READER",
)

# "The token's user_account must either be the Owner of the specified ad account, or have one of the
# necessary roles granted to them via Business Access: Admin, Analyst, Campaign Manager."
ADS_READ = frozenset({"OWNER", "ADMIN", "ANALYST", "CAMPAIGN_MANAGER"})
# Writing campaigns, ad groups and ads: Analysts read only.
ADS_WRITE = frozenset({"OWNER", "ADMIN", "CAMPAIGN_MANAGER"})
# Sending conversion events (events/create): "Owner of the specified ad account, or ... Admin, Analyst,
# Audience, Campaign."
CONVERSIONS_WRITE = frozenset({"OWNER", "ADMIN", "ANALYST", "AUDIENCE_MANAGER", "CAMPAIGN_MANAGER"})
# Reading conversion tags: the ads readers, and the role Business Access makes for exactly that.
CONVERSION_TAGS_READ = ADS_READ | {"RESOURCE_CONVERSION_TAGS_READER"}
# Reading the ad account object itself: any role on it.
ANY_ROLE = frozenset(BUSINESS_ACCESS_ROLES)
# Acting as the account's owner on organic content (boards, pins): public/protected boards.
OPERATE_AS_OWNER = frozenset({"OWNER", "ADMIN", "ANALYST", "CAMPAIGN_MANAGER"})
# ... and secret boards.
OPERATE_AS_OWNER_SECRET = frozenset({"OWNER", "ADMIN"})

NOT_PERMITTED = "You are not permitted to access that resource."


@dataclass(frozen=True)
class AdAccountAccess:
    account: sa.Row
    roles: frozenset[str]

    @property
    def id(self) -> int:
        return self.account.id


# Every request of an ad account runs these: compiled once, run on the DBAPI cursor (core/db.py Query).
# Memoized per SQLite snapshot (core/db.py SnapshotMemo): a role granted or removed is a commit, so the
# next request reads it.
_ACCOUNT_BY_ID = Query(sa.select(ad_accounts).where(ad_accounts.c.id == sa.bindparam("ad_account_id")), memo=True)
_ROLES_OF_MEMBER = Query(sa.select(ad_account_members.c.roles).where(
    ad_account_members.c.ad_account_id == sa.bindparam("ad_account_id"),
    ad_account_members.c.user_id == sa.bindparam("user_id")), memo=True)
_OWNER_ONLY = frozenset({"OWNER"})


def roles_on(conn: sa.Connection, *, user_id: int, account: sa.Row) -> frozenset[str]:
    if account.owner_user_id == user_id:
        return _OWNER_ONLY
    held = _ROLES_OF_MEMBER.scalar(conn, {"ad_account_id": account.id, "user_id": user_id})
    return frozenset(held or ())


def ad_account_access(conn: sa.Connection, *, user_id: int, ad_account_id: str | int,
                      roles: frozenset[str]) -> AdAccountAccess:
    """The ad account, if the user may act on it with one of `roles`; 404 or 403 otherwise."""
    account = _ACCOUNT_BY_ID.first(conn, {"ad_account_id": int(ad_account_id)})
    if account is None:
        raise NotFound(f"Ad account {ad_account_id} not found.", code=2)
    held = roles_on(conn, user_id=user_id, account=account)
    if not held:
        raise Forbidden(f"{NOT_PERMITTED} The user has no access to ad account {ad_account_id}.", code=29)
    if not (held & roles):
        need = ", ".join(sorted(roles - {"OWNER"}))
        raise Forbidden(f"{NOT_PERMITTED} This operation on ad account {ad_account_id} needs the owner or "
                        f"one of the roles {need}; the user holds {', '.join(sorted(held))}.", code=29)
    return AdAccountAccess(account=account, roles=held)


def operation_user(conn: sa.Connection, *, user_id: int, ad_account_id: str | None,
                   roles: frozenset[str] = OPERATE_AS_OWNER) -> int:
    """The "operation user_account": the token user, or the owner of `ad_account_id` (Business Access)."""
    if ad_account_id is None:
        return user_id
    return ad_account_access(conn, user_id=user_id, ad_account_id=ad_account_id, roles=roles).account.owner_user_id

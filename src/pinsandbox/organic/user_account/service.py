"""The user account: the "operation user_account" as Pinterest renders it."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pinsandbox.core.errors import NotFound
from pinsandbox.core.tables import users
from pinsandbox.organic.boards.tables import boards
from pinsandbox.organic.pins.tables import pins


def get(conn: sa.Connection, *, user_id: int) -> dict[str, Any]:
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
        "follower_count": 0, "following_count": 0, "monthly_views": 0,
    }

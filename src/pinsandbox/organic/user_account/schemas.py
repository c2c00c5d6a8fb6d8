from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Account(BaseModel):
    account_type: Literal["PINNER", "BUSINESS"]
    id: str
    profile_image: str
    website_url: str
    username: str
    about: str
    business_name: str | None
    board_count: int | None
    pin_count: int | None
    follower_count: int | None
    following_count: int | None
    monthly_views: int | None

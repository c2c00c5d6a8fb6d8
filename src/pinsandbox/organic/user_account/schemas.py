"""User account: request and response models named as the spec names them."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pinsandbox.organic.boards.schemas import Board


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


class UserSummary(BaseModel):
    username: str
    type: Literal["user"] = "user"


class UserSummaryList(BaseModel):
    items: list[UserSummary]
    bookmark: str | None = None


class BoardList(BaseModel):
    items: list[Board]
    bookmark: str | None = None


class UserFollowingFeedType(str, Enum):
    ALL = "ALL"
    RANKED = "RANKED"
    CREATOR_ONLY = "CREATOR_ONLY"
    RANKED_CREATOR_ONLY = "RANKED_CREATOR_ONLY"


class FollowUserRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    auto_follow: bool = False


class LinkedBusiness(BaseModel):
    username: str
    image_small_url: str
    image_medium_url: str
    image_large_url: str
    image_xlarge_url: str


class Interest(BaseModel):
    canonical_url: str
    id: str
    key: str
    name: str


class InterestList(BaseModel):
    items: list[Interest]
    bookmark: str | None = None


class VerificationMethod(str, Enum):
    FILENAME = "FILENAME"
    METATAG = "METATAG"
    DNSTXT = "DNSTXT"


class UserWebsiteVerifyRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    website: str = Field(description="Website with path or domain only (a scheme is accepted and dropped).")
    verification_method: VerificationMethod = VerificationMethod.METATAG


class UserWebsiteSummary(BaseModel):
    website: str
    status: str
    verified_at: str | None = None


class UserWebsiteSummaryList(BaseModel):
    items: list[UserWebsiteSummary]
    bookmark: str | None = None


class UserWebsiteVerificationCode(BaseModel):
    verification_code: str
    dns_txt_record: str
    metatag: str
    filename: str
    file_content: str


# -- sandbox controls (docs/sandbox.md) --------------------------------------------------------------
class SandboxWebsiteFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=255, description="File name, e.g. pinterest-1a2b3.html")
    content: str = Field(max_length=100_000)


class SandboxWebsite(BaseModel):
    """What a website serves: its page head (meta tags), a file at its root, its host's DNS TXT records."""

    model_config = ConfigDict(extra="forbid")
    website: str = Field(min_length=1, max_length=512)
    meta_tag: str | None = Field(None, max_length=100_000)
    file: SandboxWebsiteFile | None = None
    dns_txt: list[str] | None = Field(None, max_length=50)


class SandboxInterests(BaseModel):
    model_config = ConfigDict(extra="forbid")
    interests: list[str] = Field(max_length=200, description="Interest ids or names of the sandbox's vocabulary.")

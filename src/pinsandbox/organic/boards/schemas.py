"""Boards: request and response models named as the spec names them (`Board`, `BoardList`)."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict, Field


class BoardPrivacy(str, Enum):
    PUBLIC = "PUBLIC"
    PROTECTED = "PROTECTED"
    SECRET = "SECRET"


class BoardListPrivacy(str, Enum):
    """The `privacy` filter of boards/list."""

    ALL = "ALL"
    PROTECTED = "PROTECTED"
    PUBLIC = "PUBLIC"
    SECRET = "SECRET"
    PUBLIC_AND_SECRET = "PUBLIC_AND_SECRET"


class BoardCreate(BaseModel):
    """The body of boards/create (the spec reuses `Board`; its read-only fields are ignored)."""

    model_config = ConfigDict(extra="ignore")
    name: str
    description: str | None = Field(None, max_length=500)
    privacy: BoardPrivacy = BoardPrivacy.PUBLIC


class BoardUpdatePrivacy(str, Enum):
    """BoardUpdate's privacy: a board can be made public or secret (not protected) by an update."""

    PUBLIC = "PUBLIC"
    SECRET = "SECRET"


class BoardUpdate(BaseModel):
    """The body of boards/update: only the fields sent change (`description: null` clears it)."""

    model_config = ConfigDict(extra="ignore")
    name: str | None = None
    description: str | None = Field(None, max_length=500)
    privacy: BoardUpdatePrivacy | None = None


class BoardOwner(BaseModel):
    username: str


class BoardMedia(BaseModel):
    image_cover_url: str | None
    pin_thumbnail_urls: list[str]


class Board(BaseModel):
    id: str
    created_at: str
    board_pins_modified_at: str
    name: str
    description: str | None
    collaborator_count: int
    pin_count: int
    follower_count: int
    media: BoardMedia
    owner: BoardOwner
    privacy: BoardPrivacy


class BoardList(BaseModel):
    items: list[Board]
    bookmark: str | None = None

"""Board sections: `BoardSection` as the spec names it (the request body of create and update too)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BoardSectionWrite(BaseModel):
    """The body of board_sections/create and board_sections/update (the spec reuses `BoardSection`;
    its read-only `id` is ignored)."""

    model_config = ConfigDict(extra="ignore")
    name: str = Field(min_length=1, max_length=180)


class BoardSection(BaseModel):
    id: str
    name: str


class BoardSectionList(BaseModel):
    items: list[BoardSection]
    bookmark: str | None = None

"""Search: response models named as the spec names them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from pinsandbox.organic.boards.schemas import Board
from pinsandbox.organic.pins.schemas import Pin


class SummaryPin(BaseModel):
    media: dict[str, Any]
    alt_text: str | None
    link: str | None
    title: str | None
    description: str | None


class BoardSearchList(BaseModel):
    items: list[Board]
    bookmark: str | None = None


class PinSearchList(BaseModel):
    items: list[Pin]
    bookmark: str | None = None


class SummaryPinList(BaseModel):
    items: list[SummaryPin]
    bookmark: str | None = None

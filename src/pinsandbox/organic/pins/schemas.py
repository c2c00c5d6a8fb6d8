"""Pins: `PinCreate` (with its `media_source` variants), `Pin`, `PinList`, as the spec names them."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

from pinsandbox.core.types import NumericId

ContentType = Literal["image/jpeg", "image/png"]
Base64Data = Annotated[str, Field(pattern=r"^[a-zA-Z0-9+/=\s]+$")]


class CreativeType(str, Enum):
    REGULAR = "REGULAR"
    VIDEO = "VIDEO"
    SHOPPING = "SHOPPING"
    CAROUSEL = "CAROUSEL"
    MAX_VIDEO = "MAX_VIDEO"
    SHOP_THE_PIN = "SHOP_THE_PIN"
    COLLECTION = "COLLECTION"
    IDEA = "IDEA"
    SHOWCASE = "SHOWCASE"
    QUIZ = "QUIZ"


# creative_types filter of pins/list (the spec's list there is shorter than CreativeType)
LIST_CREATIVE_TYPES = ("REGULAR", "VIDEO", "SHOPPING", "CAROUSEL", "MAX_VIDEO", "SHOP_THE_PIN", "COLLECTION", "IDEA")


class PinFilter(str, Enum):
    exclude_native = "exclude_native"
    exclude_repins = "exclude_repins"
    has_been_promoted = "has_been_promoted"


class PinType(str, Enum):
    PRIVATE = "PRIVATE"


class PinMediaSourceImageBase64(BaseModel):
    model_config = ConfigDict(extra="ignore")
    source_type: Literal["image_base64"]
    content_type: ContentType
    data: Base64Data
    is_standard: bool = True


class PinMediaSourceImageURL(BaseModel):
    model_config = ConfigDict(extra="ignore")
    source_type: Literal["image_url"]
    url: str = Field(min_length=1, max_length=2048)
    is_standard: bool = True


class PinMediaSourceVideoID(BaseModel):
    model_config = ConfigDict(extra="ignore")
    source_type: Literal["video_id"]
    media_id: NumericId
    cover_image_url: str | None = None
    cover_image_content_type: ContentType | None = None
    cover_image_data: Base64Data | None = None
    is_standard: bool = True


class ImageBase64Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    description: str | None = None
    link: str | None = None
    content_type: ContentType
    data: Base64Data


class ImageURLItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    description: str | None = None
    link: str | None = None
    url: str = Field(min_length=1, max_length=2048)


class PinMediaSourceImagesBase64(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_type: Literal["multiple_image_base64"]
    items: list[ImageBase64Item] = Field(min_length=2, max_length=5)
    index: int | None = Field(None, ge=0)


class PinMediaSourceImagesURL(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source_type: Literal["multiple_image_urls"]
    items: list[ImageURLItem] = Field(min_length=2, max_length=5)
    index: int | None = Field(None, ge=0)


class PinMediaSourcePinURL(BaseModel):
    model_config = ConfigDict(extra="ignore")
    source_type: Literal["pin_url"]
    is_affiliate_link: bool = False


PinMediaSource = Annotated[
    Union[PinMediaSourceImageBase64, PinMediaSourceImageURL, PinMediaSourceVideoID, PinMediaSourceImagesBase64,
          PinMediaSourceImagesURL, PinMediaSourcePinURL],
    Field(discriminator="source_type"),
]


class PinCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")
    link: str | None = Field(None, max_length=2048)
    title: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=800)
    dominant_color: str | None = Field(None, pattern=r"^#[0-9A-Fa-f]{6}$")
    alt_text: str | None = Field(None, max_length=500)
    board_id: NumericId  # not marked required in the schema, but a Pin is always created on a board
    board_section_id: NumericId | None = None
    media_source: PinMediaSource | None = None
    parent_pin_id: NumericId | None = None
    note: str | None = Field(None, max_length=500)


class CarouselSlot(BaseModel):
    model_config = ConfigDict(extra="ignore")
    title: str | None = None
    description: str | None = None
    link: str | None = None


class PinUpdate(BaseModel):
    """The body of pins/update: only the fields sent change (null clears a text field)."""

    model_config = ConfigDict(extra="ignore")
    alt_text: str | None = Field(None, max_length=500)
    board_id: NumericId | None = None
    board_section_id: NumericId | None = None
    description: str | None = Field(None, max_length=800)
    link: str | None = Field(None, max_length=2048)
    title: str | None = Field(None, max_length=100)
    carousel_slots: list[CarouselSlot] | None = None
    note: str | None = Field(None, max_length=500)


class PinSave(BaseModel):
    """The body of pins/save."""

    model_config = ConfigDict(extra="ignore")
    board_id: NumericId | None = None
    board_section_id: NumericId | None = None


class BoardOwner(BaseModel):
    username: str


class Pin(BaseModel):
    id: str
    created_at: str
    link: str | None
    title: str | None
    description: str | None
    dominant_color: str | None
    alt_text: str | None
    creative_type: CreativeType | None
    board_id: str
    board_section_id: str | None
    board_owner: BoardOwner
    is_owner: bool
    media: dict[str, Any]
    parent_pin_id: str | None
    is_standard: bool
    has_been_promoted: bool
    note: str | None
    pin_metrics: dict[str, Any] | None


class PinList(BaseModel):
    items: list[Pin]
    bookmark: str | None = None

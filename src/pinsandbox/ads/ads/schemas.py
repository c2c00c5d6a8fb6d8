"""Ads: `AdCreateRequest`, `AdUpdateRequest`, `AdResponse`, `AdArrayResponse`, as the spec names them.

Batch bodies are validated in two steps: the array itself (1..30 objects) by FastAPI — a bad array
is a 400 code 1 for the whole request — then each item on its own with these models, so one bad
item becomes that item's exception while the others are written.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pinsandbox.core.enums import EntityStatus
from pinsandbox.core.types import NumericId
from pinsandbox.organic.pins.schemas import CreativeType

AdGroupRef = Annotated[str, Field(pattern=r"^(AG)?[0-9]+$", max_length=20)]
MAX_BATCH = 30


class GridClickType(str, Enum):
    CLOSEUP = "CLOSEUP"
    DIRECT_TO_DESTINATION = "DIRECT_TO_DESTINATION"


CtaType = Literal["GET_OFFER", "LEARN_MORE", "ORDER_NOW", "SHOP_NOW", "SIGN_UP", "SUBSCRIBE", "BUY_NOW", "CONTACT_US",
                  "GET_QUOTE", "VISIT_WEBSITE", "APPLY_NOW", "BOOK_NOW", "REQUEST_DEMO", "REGISTER_NOW",
                  "FIND_A_DEALER", "ADD_TO_CART", "WATCH_NOW", "READ_MORE"]


class TrackingUrls(BaseModel):
    model_config = ConfigDict(extra="forbid")
    impression: list[str] | None = None
    click: list[str] | None = None
    engagement: list[str] | None = None
    buyable_button: list[str] | None = None
    audience_verification: list[str] | None = None


class AdCommon(BaseModel):
    model_config = ConfigDict(extra="ignore")
    android_deep_link: str | None = None
    carousel_android_deep_links: list[str] | None = None
    carousel_destination_urls: list[str] | None = None
    carousel_ios_deep_links: list[str] | None = None
    click_tracking_url: str | None = Field(None, max_length=2000)
    destination_url: str | None = Field(None, max_length=2048)
    ios_deep_link: str | None = None
    is_pin_deleted: bool | None = None  # read-only in effect: computed from the Pin
    is_removable: bool | None = None  # read-only in effect
    name: str | None = Field(None, max_length=255)
    status: EntityStatus | None = None
    tracking_urls: TrackingUrls | None = None
    view_tracking_url: str | None = Field(None, max_length=2000)
    lead_form_id: AdGroupRef | None = None
    grid_click_type: GridClickType | None = None
    customizable_cta_type: CtaType | None = None
    quiz_pin_data: dict[str, Any] | None = None


class AdCreateRequest(AdCommon):
    ad_group_id: AdGroupRef
    creative_type: CreativeType
    pin_id: NumericId


class AdUpdateRequest(AdCommon):
    id: NumericId
    ad_group_id: AdGroupRef | None = None
    creative_type: CreativeType | None = None
    pin_id: NumericId | None = None


class ReviewStatus(str, Enum):
    OTHER = "OTHER"
    PENDING = "PENDING"
    REJECTED = "REJECTED"
    APPROVED = "APPROVED"


class AdResponse(BaseModel):
    id: str
    ad_account_id: str
    campaign_id: str
    ad_group_id: str
    pin_id: str
    android_deep_link: str | None
    carousel_android_deep_links: list[str] | None
    carousel_destination_urls: list[str] | None
    carousel_ios_deep_links: list[str] | None
    click_tracking_url: str | None
    collection_items_destination_url_template: str | None
    creative_type: CreativeType
    destination_url: str | None
    ios_deep_link: str | None
    is_pin_deleted: bool
    is_removable: bool
    name: str | None
    status: EntityStatus
    tracking_urls: TrackingUrls | None
    view_tracking_url: str | None
    lead_form_id: str | None
    grid_click_type: GridClickType | None
    customizable_cta_type: CtaType | None
    quiz_pin_data: dict[str, Any] | None
    created_time: int
    updated_time: int
    rejected_reasons: list[str]
    rejection_labels: list[str]
    review_status: ReviewStatus
    type: str
    summary_status: str


class AdList(BaseModel):
    items: list[AdResponse]
    bookmark: str | None = None


class AdException(BaseModel):
    code: int
    message: str


class AdArrayResponseElement(BaseModel):
    data: AdResponse  # {} when the item failed
    exceptions: AdException | None = None  # present only when the item failed (one object, as the spec types it)


class AdArrayResponse(BaseModel):
    items: list[AdArrayResponseElement]


BatchBody = Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_BATCH)]

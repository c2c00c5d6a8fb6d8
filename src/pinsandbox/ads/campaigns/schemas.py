"""Campaigns: `CampaignCreateRequest`, `CampaignUpdateRequest`, `CampaignResponse`, `CampaignCreateResponse`.

Batch bodies are validated in two steps: the array itself (1..30 objects) by FastAPI — a bad array is
a 400 code 1 for the whole request — then each item on its own with these models (in the service),
so one bad item becomes that item's exception while the others are written.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from pinsandbox.core.enums import EntityStatus
from pinsandbox.core.types import NumericId, UnixSeconds

MAX_BATCH = 30

BatchBody = Annotated[list[dict[str, Any]], Field(min_length=1, max_length=MAX_BATCH)]


class ObjectiveType(str, Enum):
    AWARENESS = "AWARENESS"
    CONSIDERATION = "CONSIDERATION"
    VIDEO_VIEW = "VIDEO_VIEW"
    WEB_CONVERSION = "WEB_CONVERSION"
    CATALOG_SALES = "CATALOG_SALES"
    WEB_SESSIONS = "WEB_SESSIONS"


class SummaryStatus(str, Enum):
    """CampaignSummaryStatus and AdGroupSummaryStatus (the same values)."""

    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    NOT_STARTED = "NOT_STARTED"
    COMPLETED = "COMPLETED"
    ADVERTISER_DISABLED = "ADVERTISER_DISABLED"
    ARCHIVED = "ARCHIVED"
    DRAFT = "DRAFT"
    DELETED_DRAFT = "DELETED_DRAFT"


TrackingUrlList = Annotated[list[Annotated[str, Field(max_length=2000)]], Field(max_length=3)]


class TrackingUrls(BaseModel):
    """Up to three URLs (each at most 2,000 characters) per event type."""

    model_config = ConfigDict(extra="forbid")
    impression: TrackingUrlList | None = None
    click: TrackingUrlList | None = None
    engagement: TrackingUrlList | None = None
    buyable_button: TrackingUrlList | None = None
    audience_verification: TrackingUrlList | None = None


class CampaignCommon(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ad_account_id: NumericId
    name: str | None = Field(None, max_length=255)
    status: EntityStatus | None = None
    lifetime_spend_cap: int | None = None
    daily_spend_cap: int | None = None
    order_line_id: NumericId | None = None
    tracking_urls: TrackingUrls | None = None
    start_time: UnixSeconds | None = None
    end_time: UnixSeconds | None = None
    is_flexible_daily_budgets: bool | None = None
    default_ad_group_budget_in_micro_currency: int | None = None
    is_automated_campaign: bool | None = None
    # Only CampaignUpdateRequest lists it in 5.12; later versions accept it on create too, and so do we.
    is_campaign_budget_optimization: bool | None = None


class CampaignCreateRequest(CampaignCommon):
    name: str = Field(min_length=1, max_length=255)
    objective_type: ObjectiveType


class CampaignUpdateRequest(CampaignCommon):
    id: NumericId
    objective_type: ObjectiveType | None = None


class Campaign(BaseModel):
    """CampaignResponse (and CampaignCreateResponseData, which has the same fields)."""

    id: str
    ad_account_id: str
    name: str
    status: EntityStatus
    lifetime_spend_cap: int | None
    daily_spend_cap: int | None
    order_line_id: str | None
    tracking_urls: TrackingUrls | None
    start_time: int | None
    end_time: int | None
    summary_status: SummaryStatus
    objective_type: ObjectiveType
    created_time: int
    updated_time: int
    type: str = "campaign"
    is_flexible_daily_budgets: bool
    default_ad_group_budget_in_micro_currency: int | None
    is_automated_campaign: bool
    is_campaign_budget_optimization: bool


class CampaignList(BaseModel):
    items: list[Campaign]
    bookmark: str | None = None


class ItemException(BaseModel):
    code: int
    message: str


class CampaignCreateResponseItem(BaseModel):
    data: Campaign | dict[str, Any]
    exceptions: list[ItemException]


class CampaignCreateResponse(BaseModel):
    """CampaignCreateResponse; CampaignUpdateResponse has the same shape."""

    items: list[CampaignCreateResponseItem]

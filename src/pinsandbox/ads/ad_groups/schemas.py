"""Ad groups: `AdGroupCreateRequest`, `AdGroupUpdateRequest`, `AdGroupResponse`, `AdGroupArrayResponse`,
`BidFloorRequest`, `BidFloor`, as the spec names them.

Batch bodies: the array (1..30) is checked by FastAPI (400 code 1 for the whole request); each item
is validated on its own in the service, so one bad item becomes that item's exception.
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pinsandbox.ads.campaigns.schemas import ItemException, ObjectiveType, SummaryStatus, TrackingUrls
from pinsandbox.core.enums import Country, Currency, EntityStatus
from pinsandbox.core.types import NumericId, UnixSeconds
from pinsandbox.organic.pins.schemas import CreativeType

Digits = Annotated[str, Field(pattern=r"^[0-9]+$")]
CampaignRef = Annotated[str, Field(pattern=r"^[C]?[0-9]+$", max_length=19)]


class BudgetType(str, Enum):
    DAILY = "DAILY"
    LIFETIME = "LIFETIME"
    CBO_ADGROUP = "CBO_ADGROUP"


class ActionType(str, Enum):
    """Billable events."""

    CLICKTHROUGH = "CLICKTHROUGH"
    IMPRESSION = "IMPRESSION"
    VIDEO_V_50_MRC = "VIDEO_V_50_MRC"


class PlacementGroupType(str, Enum):
    ALL = "ALL"
    SEARCH = "SEARCH"
    BROWSE = "BROWSE"
    OTHER = "OTHER"


class PacingDeliveryType(str, Enum):
    STANDARD = "STANDARD"
    ACCELERATED = "ACCELERATED"


BidStrategyType = Literal["AUTOMATIC_BID", "MAX_BID", "TARGET_AVG"]
LearningMode = Literal["NOT_ACTIVE", "ACTIVE"]


class AttributionWindows(BaseModel):
    model_config = ConfigDict(extra="ignore")
    click_window_days: int | None = None
    engagement_window_days: int | None = None
    view_window_days: int | None = None


class ConversionTagV3GoalMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore")
    attribution_windows: AttributionWindows | None = None
    conversion_event: Literal["PAGE_VISIT", "SIGNUP", "CHECKOUT", "CUSTOM", "VIEW_CATEGORY", "SEARCH", "ADD_TO_CART",
                              "WATCH_VIDEO", "LEAD", "APP_INSTALL"] | None = None
    conversion_tag_id: Digits | None = None
    cpa_goal_value_in_micro_currency: Digits | None = None
    is_roas_optimized: bool | None = None
    learning_mode_type: LearningMode | None = None


class FrequencyGoalMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore")
    frequency: int | None = None
    timerange: Literal["THIRTY_DAY", "DAY", "SEVEN_DAY", "TWENTY_MINUTE", "TEN_MINUTE", "TWENTY_FOUR_HOUR"] | None = None


class ScrollupGoalMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore")
    scrollup_goal_value_in_micro_currency: Digits | None = None


class OptimizationGoalMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore")
    conversion_tag_v3_goal_metadata: ConversionTagV3GoalMetadata | None = None
    frequency_goal_metadata: FrequencyGoalMetadata | None = None
    scrollup_goal_metadata: ScrollupGoalMetadata | None = None


class ShoppingRetargeting(BaseModel):
    model_config = ConfigDict(extra="ignore")
    lookback_window: int | None = None
    tag_types: list[int] | None = None
    exclusion_window: int | None = None


AgeBucket = Literal["18-24", "21+", "25-34", "35-44", "45-49", "50-54", "55-64", "65+"]
AppType = Literal["android_mobile", "android_tablet", "ipad", "iphone", "web", "web_mobile"]
Gender = Literal["unknown", "male", "female"]
TargetingStrategy = Literal["CHOOSE_YOUR_OWN", "FIND_NEW_CUSTOMERS", "RECONNECT_WITH_USERS"]


class TargetingSpec(BaseModel):
    """The documented targeting types with their enums; other targeting types Pinterest knows
    (KEYWORD, ...) are kept as given (lists of strings)."""

    model_config = ConfigDict(extra="allow")
    AGE_BUCKET: list[AgeBucket] | None = None
    APPTYPE: list[AppType] | None = None
    AUDIENCE_EXCLUDE: list[Digits] | None = None
    AUDIENCE_INCLUDE: list[Digits] | None = None
    GENDER: list[Gender] | None = None
    GEO: list[str] | None = None
    INTEREST: list[str] | None = None
    LOCALE: list[str] | None = None
    LOCATION: list[str] | None = None
    SHOPPING_RETARGETING: list[ShoppingRetargeting] | None = None
    TARGETING_STRATEGY: list[TargetingStrategy] | None = None


class AdGroupCommon(BaseModel):
    model_config = ConfigDict(extra="ignore")
    name: str | None = Field(None, max_length=255)
    status: EntityStatus | None = None
    budget_in_micro_currency: int | None = None
    bid_in_micro_currency: int | None = None
    optimization_goal_metadata: OptimizationGoalMetadata | None = None
    budget_type: BudgetType | None = None
    start_time: UnixSeconds | None = None
    end_time: UnixSeconds | None = None
    targeting_spec: TargetingSpec | None = None
    lifetime_frequency_cap: int | None = None
    tracking_urls: TrackingUrls | None = None
    auto_targeting_enabled: bool | None = None
    placement_group: PlacementGroupType | None = None
    pacing_delivery_type: PacingDeliveryType | None = None
    billable_event: ActionType | None = None
    bid_strategy_type: BidStrategyType | None = None


class AdGroupCreateRequest(AdGroupCommon):
    name: str = Field(min_length=1, max_length=255)
    campaign_id: CampaignRef
    billable_event: ActionType


class AdGroupUpdateRequest(AdGroupCommon):
    id: NumericId
    campaign_id: CampaignRef | None = None


class AdGroupResponse(BaseModel):
    name: str
    status: EntityStatus
    budget_in_micro_currency: int | None
    bid_in_micro_currency: int | None
    optimization_goal_metadata: OptimizationGoalMetadata | None
    budget_type: BudgetType
    start_time: int | None
    end_time: int | None
    targeting_spec: dict[str, Any]
    lifetime_frequency_cap: int
    tracking_urls: TrackingUrls | None
    auto_targeting_enabled: bool | None
    placement_group: PlacementGroupType
    pacing_delivery_type: PacingDeliveryType
    campaign_id: str
    billable_event: ActionType
    bid_strategy_type: BidStrategyType | None
    id: str
    ad_account_id: str
    created_time: int
    updated_time: int
    type: str = "adgroup"
    conversion_learning_mode_type: LearningMode | None
    summary_status: SummaryStatus
    feed_profile_id: str
    dca_assets: Any = None


class AdGroupList(BaseModel):
    items: list[AdGroupResponse]
    bookmark: str | None = None


class AdGroupArrayResponseElement(BaseModel):
    data: AdGroupResponse | dict[str, Any]
    exceptions: list[ItemException]


class AdGroupArrayResponse(BaseModel):
    items: list[AdGroupArrayResponseElement]


class BidFloorSpec(BaseModel):
    model_config = ConfigDict(extra="ignore")
    billable_event: ActionType
    currency: Currency
    countries: list[Country] | None = None
    objective_type: ObjectiveType | None = None
    optimization_goal_metadata: OptimizationGoalMetadata | None = None
    creative_type: CreativeType | None = None


class BidFloorRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    bid_floor_specs: list[BidFloorSpec] = Field(max_length=100)
    targeting_spec: TargetingSpec | None = None


class BidFloor(BaseModel):
    bid_floors: list[int]
    type: str = "bidfloor"

"""Organic analytics: parameter enums and the response models, named as the spec names them."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, RootModel


class AppTypes(str, Enum):
    ALL = "ALL"
    MOBILE = "MOBILE"
    TABLET = "TABLET"
    WEB = "WEB"


class PinSplitField(str, Enum):
    NO_SPLIT = "NO_SPLIT"
    APP_TYPE = "APP_TYPE"


class UserSplitField(str, Enum):
    NO_SPLIT = "NO_SPLIT"
    APP_TYPE = "APP_TYPE"
    OWNED_CONTENT = "OWNED_CONTENT"
    SOURCE = "SOURCE"
    PIN_FORMAT = "PIN_FORMAT"


class FromClaimedContent(str, Enum):
    OTHER = "OTHER"
    CLAIMED = "CLAIMED"
    BOTH = "BOTH"


class PinFormat(str, Enum):
    ALL = "ALL"
    ORGANIC_IMAGE = "ORGANIC_IMAGE"
    ORGANIC_PRODUCT = "ORGANIC_PRODUCT"
    ORGANIC_VIDEO = "ORGANIC_VIDEO"
    ADS_STANDARD = "ADS_STANDARD"
    ADS_PRODUCT = "ADS_PRODUCT"
    ADS_VIDEO = "ADS_VIDEO"
    ADS_IDEA = "ADS_IDEA"
    PRODUCT = "PRODUCT"
    REGULAR = "REGULAR"
    VIDEO = "VIDEO"


class ContentType(str, Enum):
    ALL = "ALL"
    PAID = "PAID"
    ORGANIC = "ORGANIC"


class Source(str, Enum):
    ALL = "ALL"
    YOUR_PINS = "YOUR_PINS"
    OTHER_PINS = "OTHER_PINS"


class TopPinsSortBy(str, Enum):
    ENGAGEMENT = "ENGAGEMENT"
    IMPRESSION = "IMPRESSION"
    OUTBOUND_CLICK = "OUTBOUND_CLICK"
    PIN_CLICK = "PIN_CLICK"
    SAVE = "SAVE"


class TopVideoPinsSortBy(str, Enum):
    IMPRESSION = "IMPRESSION"
    SAVE = "SAVE"
    OUTBOUND_CLICK = "OUTBOUND_CLICK"
    VIDEO_MRC_VIEW = "VIDEO_MRC_VIEW"
    VIDEO_AVG_WATCH_TIME = "VIDEO_AVG_WATCH_TIME"
    VIDEO_V50_WATCH_TIME = "VIDEO_V50_WATCH_TIME"
    QUARTILE_95_PERCENT_VIEW = "QUARTILE_95_PERCENT_VIEW"
    VIDEO_10S_VIEW = "VIDEO_10S_VIEW"
    VIDEO_START = "VIDEO_START"


class AnalyticsDailyMetrics(BaseModel):
    date: str
    data_status: str
    metrics: dict[str, float]


class AnalyticsMetricsResponse(BaseModel):
    summary_metrics: dict[str, float]
    daily_metrics: list[AnalyticsDailyMetrics]


class PinAnalyticsMetricsResponse(AnalyticsMetricsResponse):
    lifetime_metrics: dict[str, int] | None = None


class PinAnalyticsResponse(RootModel[dict[str, PinAnalyticsMetricsResponse]]):
    """Keyed by split bucket: "all" unsplit, else the app types."""


class AnalyticsResponse(RootModel[dict[str, AnalyticsMetricsResponse]]):
    """Keyed by split bucket: "all" unsplit, else the values of the split field."""


class DateAvailability(BaseModel):
    latest_available_timestamp: float
    is_realtime: bool


class TopPin(BaseModel):
    pin_id: str
    metrics: dict[str, float]
    data_status: dict[str, str]


class TopPinsAnalyticsResponse(BaseModel):
    sort_by: str
    pins: list[TopPin]
    date_availability: DateAvailability


class TopVideoPinsAnalyticsResponse(TopPinsAnalyticsResponse):
    pass

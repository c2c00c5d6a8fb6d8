"""Async reports and report templates: `AdsAnalyticsCreateAsyncRequest`, `AdsAnalyticsCreateAsyncResponse`,
`AdsAnalyticsGetAsyncResponse`, `TemplateResponse` (and the sandbox's `TemplateCreate`).

Shape, enums and bounds live here (400 code 1 naming the field); `columns` is checked by the service
against the async column enum and the level, so its message can say which rule a column breaks.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pinsandbox.core.types import NumericId

DateStr = Annotated[str, Field(pattern=r"^(\d{4})-(\d{2})-(\d{2})$")]
Granularity = Literal["TOTAL", "DAY", "HOUR", "WEEK", "MONTH"]
WindowDays = Literal[0, 1, 7, 14, 30, 60]
ReportTime = Literal["TIME_OF_AD_ACTION", "TIME_OF_CONVERSION"]
Attribution = Literal["INDIVIDUAL", "HOUSEHOLD"]
Level = Literal["ADVERTISER", "ADVERTISER_TARGETING", "CAMPAIGN", "CAMPAIGN_TARGETING", "AD_GROUP",
                "AD_GROUP_TARGETING", "PIN_PROMOTION", "PIN_PROMOTION_TARGETING", "KEYWORD", "PRODUCT_GROUP",
                "PRODUCT_GROUP_TARGETING", "PRODUCT_ITEM"]
ReportFormat = Literal["JSON", "CSV"]
SummaryStatus = Literal["RUNNING", "PAUSED", "NOT_STARTED", "COMPLETED", "ADVERTISER_DISABLED", "ARCHIVED", "DRAFT",
                        "DELETED_DRAFT"]
AdSummaryStatus = Literal["APPROVED", "PAUSED", "PENDING", "REJECTED", "ADVERTISER_DISABLED", "ARCHIVED", "DRAFT",
                          "DELETED_DRAFT"]
ProductGroupStatus = Literal["RUNNING", "PAUSED", "EXCLUDED", "ARCHIVED"]
Objective = Literal["AWARENESS", "CONSIDERATION", "VIDEO_VIEW", "WEB_CONVERSION", "CATALOG_SALES", "WEB_SESSIONS"]
TargetingType = Literal["KEYWORD", "APPTYPE", "GENDER", "LOCATION", "PLACEMENT", "COUNTRY", "TARGETED_INTEREST",
                        "PINNER_INTEREST", "AUDIENCE_INCLUDE", "GEO", "AGE_BUCKET", "REGION"]
JobStatus = Literal["DOES_NOT_EXIST", "FINISHED", "IN_PROGRESS", "EXPIRED", "FAILED", "CANCELLED"]

IdList = Annotated[list[NumericId], Field(min_length=1, max_length=500)]


def _statuses(kind: Any) -> Any:
    return Annotated[list[kind], Field(min_length=1, max_length=6)]


class MetricsFilter(BaseModel):
    """AdsAnalyticsMetricsFilter: keep rows whose `field` is less / greater than every value."""

    model_config = ConfigDict(extra="forbid")
    field: Literal["SPEND_IN_DOLLAR", "TOTAL_IMPRESSION"]
    operator: Literal["LESS_THAN", "GREATER_THAN"]
    values: Annotated[list[float], Field(min_length=1)]


class ReportCreate(BaseModel):
    """AdsAnalyticsCreateAsyncRequest (JSON body only; the endpoint takes no query parameters)."""

    model_config = ConfigDict(extra="forbid")
    start_date: DateStr
    end_date: DateStr
    granularity: Granularity
    click_window_days: WindowDays = 30
    engagement_window_days: WindowDays = 30
    view_window_days: WindowDays = 1
    conversion_report_time: ReportTime = "TIME_OF_AD_ACTION"
    attribution_types: list[Attribution] | None = None
    campaign_ids: IdList | None = None
    campaign_statuses: _statuses(SummaryStatus) | None = None
    campaign_objective_types: _statuses(Objective) | None = None
    ad_group_ids: IdList | None = None
    ad_group_statuses: _statuses(SummaryStatus) | None = None
    ad_ids: IdList | None = None
    ad_statuses: _statuses(AdSummaryStatus) | None = None
    product_group_ids: IdList | None = None
    product_group_statuses: _statuses(ProductGroupStatus) | None = None
    product_item_ids: IdList | None = None
    targeting_types: Annotated[list[TargetingType], Field(min_length=1, max_length=5)] | None = None
    metrics_filters: Annotated[list[MetricsFilter], Field(min_length=1)] | None = None
    columns: list[str]
    level: Level
    report_format: ReportFormat = "JSON"


class ReportCreateResponse(BaseModel):
    """AdsAnalyticsCreateAsyncResponse."""

    report_status: JobStatus
    token: str
    message: str | None = None


class ReportGetResponse(BaseModel):
    """AdsAnalyticsGetAsyncResponse: `url` and `size` (bytes) once FINISHED, else null."""

    report_status: JobStatus
    url: str | None = None
    size: float | None = None


# -- templates -------------------------------------------------------------------------------------------
class DynamicDateRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["dynamic"] = "dynamic"
    range: Literal["YEAR_TO_DATE", "QUARTER_TO_DATE", "MONTH_TO_DATE", "LAST_MONTH"]


class RelativeDateRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: Literal["relative"] = "relative"
    start_days_in_past: Annotated[int, Field(ge=0, le=914)]
    end_days_in_past: Annotated[int, Field(ge=0, le=914)]


class AbsoluteDateRange(BaseModel):
    """Dates as Unix epoch seconds (UTC): the spec types them as numbers."""

    model_config = ConfigDict(extra="forbid")
    type: Literal["absolute"] = "absolute"
    start_date: Annotated[float, Field(ge=0)]
    end_date: Annotated[float, Field(ge=0)]


class DateRange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    dynamic_date_range: DynamicDateRange | None = None
    relative_date_range: RelativeDateRange | None = None
    absolute_date_range: AbsoluteDateRange | None = None


class TemplateCreate(BaseModel):
    """The sandbox's stand-in for a custom report saved in Ads Manager: TemplateResponse's fields.

    Read-only fields of TemplateResponse (`id`, `ad_account_id`, `is_owned_by_user`, `updated_time`,
    `is_deleted`) are accepted and ignored, so a template object copied from Pinterest loads as is."""

    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(max_length=255)] | None = None
    report_level: Level
    columns: Annotated[list[str], Field(min_length=1)]
    granularity: Granularity = "DAY"
    date_range: DateRange | None = None
    report_start_relative_days_in_past: Annotated[int, Field(ge=0, le=914)] | None = None
    report_end_relative_days_in_past: Annotated[int, Field(ge=0, le=914)] | None = None
    report_format: ReportFormat = "JSON"
    view_window_days: WindowDays = 1
    click_window_days: WindowDays = 30
    engagement_window_days: WindowDays = 30
    conversion_report_time_type: ReportTime = "TIME_OF_AD_ACTION"
    filters_json: str | None = None
    ad_account_ids: Annotated[list[NumericId], Field(max_length=50)] | None = None
    user_id: NumericId | None = None
    is_scheduled: bool = False
    creation_source: Literal["ADS_API", "ADS_MANAGER_REPORTING_PAGE", "ADS_MANAGER_REPORT_BUILDER"] = \
        "ADS_MANAGER_REPORT_BUILDER"
    type: Literal["UNSPECIFIED", "BULK", "OVERVIEW", "TABLE"] = "TABLE"
    custom_column_ids: list[str] | None = None
    ingestion_sources: list[Literal["TAG", "MMP", "FILE_UPLOAD", "CONVERSIONS_API", "NATIVE"]] | None = None
    # read-only fields of TemplateResponse: ignored
    id: Any = None
    ad_account_id: Any = None
    is_owned_by_user: Any = None
    updated_time: Any = None
    is_deleted: Any = None


class Template(BaseModel):
    """TemplateResponse."""

    id: str
    ad_account_id: str
    ad_account_ids: list[str]
    user_id: str
    name: str | None
    report_start_relative_days_in_past: int
    report_end_relative_days_in_past: int
    date_range: dict[str, Any]
    report_level: Level
    report_format: ReportFormat
    columns: list[str]
    granularity: Granularity
    view_window_days: int
    click_window_days: int
    engagement_window_days: int
    conversion_report_time_type: ReportTime
    filters_json: str | None
    is_owned_by_user: bool
    is_scheduled: bool
    creation_source: str
    is_deleted: bool | None
    updated_time: int
    custom_column_ids: list[str] | None
    type: str
    ingestion_sources: list[str] | None


class TemplateList(BaseModel):
    items: list[Template]
    bookmark: str | None = None

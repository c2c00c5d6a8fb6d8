"""Marketing Mix Modeling (MMM) reports: `CreateMMMReportRequest`, `CreateMMMReportResponse`,
`GetMMMReportResponse`, as the spec names them (5.12 wraps both answers as `{"code": 0, "data": ...}`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

DatePattern = Annotated[str, Field(pattern=r"^(\d{4})-(\d{2})-(\d{2})$", examples=["2020-12-20"])]

MMMReportingColumn = Literal[
    "SPEND_IN_DOLLAR", "SPEND_IN_MICRO_DOLLAR", "ECPC_IN_DOLLAR", "ECTR", "CAMPAIGN_NAME", "TOTAL_ENGAGEMENT",
    "EENGAGEMENT_RATE", "ECPM_IN_DOLLAR", "CAMPAIGN_ID", "ADVERTISER_ID", "AD_GROUP_ID", "AD_GROUP_NAME",
    "CLICKTHROUGH_1", "IMPRESSION_1", "CLICKTHROUGH_2", "IMPRESSION_2", "TOTAL_CLICKTHROUGH", "TOTAL_IMPRESSION",
    "ADVERTISER_NAME", "SPEND_ORDER_LINE_PAID_TYPE"]
MMMReportingTargetingType = Literal["APPTYPE", "COUNTRY", "CREATIVE_TYPE", "GENDER", "LOCATION"]
TargetingAdvertiserCountry = Literal[
    "US", "GB", "CA", "IE", "AU", "NZ", "FR", "SE", "IL", "DE", "AT", "IT", "ES", "NL", "BE", "PT", "CH", "HK", "JP",
    "KR", "SG", "NO", "DK", "FI", "CY", "LU", "MT", "PL", "RO", "HU", "CZ", "GR", "SK", "BR", "MX", "AR", "CL", "CO"]
BulkReportingJobStatus = Literal["DOES_NOT_EXIST", "FINISHED", "IN_PROGRESS", "EXPIRED", "FAILED", "CANCELLED"]


class CreateMMMReportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_name: str = Field(..., min_length=1, max_length=256, description="Name of the MMM report")
    start_date: DatePattern = Field(..., description="Metric report start date (UTC). Format: YYYY-MM-DD")
    end_date: DatePattern = Field(..., description="Metric report end date (UTC). Format: YYYY-MM-DD")
    granularity: Literal["DAY", "WEEK"]
    level: Literal["CAMPAIGN_TARGETING", "AD_GROUP_TARGETING"]
    targeting_types: list[MMMReportingTargetingType] = Field(..., min_length=1, max_length=5)
    columns: list[MMMReportingColumn] = Field(..., description="Metric and entity columns")
    countries: list[TargetingAdvertiserCountry] | None = Field(None, description="A List of countries for filtering")


class CreateMMMReportResponseData(BaseModel):
    report_status: BulkReportingJobStatus
    token: str
    message: str | None = None
    status: str = "success"


class CreateMMMReportResponse(BaseModel):
    code: int = 0
    data: CreateMMMReportResponseData


class GetMMMReportResponseData(BaseModel):
    report_status: BulkReportingJobStatus
    url: str | None = None
    size: float | None = None


class GetMMMReportResponse(BaseModel):
    code: int = 0
    data: GetMMMReportResponseData
    message: str = "ok"
    status: str = "success"

"""Sync analytics (ad account, campaigns, ad groups, ads), targeting analytics, and the metrics
resources (delivery_metrics, metrics_ready_state). The rules live in service.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from pinsandbox.ads.analytics import service
from pinsandbox.app import store_of
from pinsandbox.core.access import ADS_READ, ad_account_access
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.responses import Json
from pinsandbox.core.types import AdAccountIdPath
from pinsandbox.reporting.catalog import delivery_metrics

router = APIRouter(tags=["analytics"])

DateQuery = Annotated[str, Query(description="Metric report date (UTC), YYYY-MM-DD.")]
ListQuery = Annotated[list[str] | None, Query()]
Granularity = Annotated[Literal["TOTAL", "DAY", "HOUR", "WEEK", "MONTH"], Query()]
# An int checked against the enum in service.parse_params (a Literal of ints does not take "1").
Window = Annotated[int, Query(json_schema_extra={"enum": [0, 1, 7, 14, 30, 60]})]
ReportTime = Literal["TIME_OF_AD_ACTION", "TIME_OF_CONVERSION"]
Attribution = Literal["INDIVIDUAL", "HOUSEHOLD"]


def _run(request: Request, caller: Caller, ad_account_id: str, level: str, ids_raw: list[str] | None,
         targeting_raw: list[str] | None, **kw: Any) -> Json:
    store = store_of(request)
    today = store.clock.today()
    hour_range = None if level == "AD_ACCOUNT" and targeting_raw is None else 3
    p = service.parse_params(level=level, today=today, hour_range_days=hour_range, **kw)
    ids = service.parse_ids(level, ids_raw) if level != "AD_ACCOUNT" else None
    types = service.parse_targeting_types(targeting_raw) if targeting_raw is not None else None
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        if ids:
            service.check_ids(conn, level, ids, access.account.id)
        if types is None:
            return Json(service.analytics(store, conn, account=access.account, level=level, ids=ids, p=p))
        data = []
        for t in types:
            data.extend(service.analytics(store, conn, account=access.account, level=level, ids=ids, p=p,
                                          targeting_type=t))
        return Json({"data": data})


def _common(start_date: str, end_date: str, columns: list[str] | None, granularity: str, click_window_days: int,
            engagement_window_days: int, view_window_days: int, conversion_report_time: str,
            attribution_types: str | None = None) -> dict[str, Any]:
    return dict(start_date=start_date, end_date=end_date, columns=columns, granularity=granularity,
                click_window_days=click_window_days, engagement_window_days=engagement_window_days,
                view_window_days=view_window_days, conversion_report_time=conversion_report_time,
                attribution_types=attribution_types)


@router.get("/ad_accounts/{ad_account_id}/analytics", **op("ad_account/analytics", "ads_analytics"))
async def ad_account_analytics(request: Request, ad_account_id: AdAccountIdPath, start_date: DateQuery,
                               end_date: DateQuery, columns: ListQuery, granularity: Granularity,
                               click_window_days: Window = 30, engagement_window_days: Window = 30,
                               view_window_days: Window = 1, conversion_report_time: ReportTime = "TIME_OF_AD_ACTION",
                               caller: Caller = require("ads:read")) -> Json:
    return _run(request, caller, ad_account_id, "AD_ACCOUNT", None, None,
                **_common(start_date, end_date, columns, granularity, click_window_days, engagement_window_days,
                          view_window_days, conversion_report_time))


@router.get("/ad_accounts/{ad_account_id}/campaigns/analytics", **op("campaigns/analytics", "ads_analytics"))
async def campaigns_analytics(request: Request, ad_account_id: AdAccountIdPath, start_date: DateQuery,
                              end_date: DateQuery, campaign_ids: ListQuery, columns: ListQuery,
                              granularity: Granularity, click_window_days: Window = 30,
                              engagement_window_days: Window = 30, view_window_days: Window = 1,
                              conversion_report_time: ReportTime = "TIME_OF_AD_ACTION",
                              caller: Caller = require("ads:read")) -> Json:
    return _run(request, caller, ad_account_id, "CAMPAIGN", campaign_ids, None,
                **_common(start_date, end_date, columns, granularity, click_window_days, engagement_window_days,
                          view_window_days, conversion_report_time))


@router.get("/ad_accounts/{ad_account_id}/ad_groups/analytics", **op("ad_groups/analytics", "ads_analytics"))
async def ad_groups_analytics(request: Request, ad_account_id: AdAccountIdPath, start_date: DateQuery,
                              end_date: DateQuery, ad_group_ids: ListQuery, columns: ListQuery,
                              granularity: Granularity, click_window_days: Window = 30,
                              engagement_window_days: Window = 30, view_window_days: Window = 1,
                              conversion_report_time: ReportTime = "TIME_OF_AD_ACTION",
                              caller: Caller = require("ads:read")) -> Json:
    return _run(request, caller, ad_account_id, "AD_GROUP", ad_group_ids, None,
                **_common(start_date, end_date, columns, granularity, click_window_days, engagement_window_days,
                          view_window_days, conversion_report_time))


@router.get("/ad_accounts/{ad_account_id}/ads/analytics", **op("ads/analytics", "ads_analytics"))
async def ads_analytics(request: Request, ad_account_id: AdAccountIdPath, start_date: DateQuery, end_date: DateQuery,
                        ad_ids: ListQuery, columns: ListQuery, granularity: Granularity,
                        click_window_days: Window = 30, engagement_window_days: Window = 30,
                        view_window_days: Window = 1, conversion_report_time: ReportTime = "TIME_OF_AD_ACTION",
                        caller: Caller = require("ads:read")) -> Json:
    return _run(request, caller, ad_account_id, "AD", ad_ids, None,
                **_common(start_date, end_date, columns, granularity, click_window_days, engagement_window_days,
                          view_window_days, conversion_report_time))


@router.get("/ad_accounts/{ad_account_id}/targeting_analytics",
            **op("ad_account_targeting_analytics/get", "ads_analytics"))
async def ad_account_targeting_analytics(
        request: Request, ad_account_id: AdAccountIdPath, start_date: DateQuery, end_date: DateQuery,
        targeting_types: ListQuery, columns: ListQuery, granularity: Granularity, click_window_days: Window = 30,
        engagement_window_days: Window = 30, view_window_days: Window = 1,
        conversion_report_time: ReportTime = "TIME_OF_AD_ACTION", attribution_types: Attribution | None = None,
        caller: Caller = require("ads:read")) -> Json:
    return _run(request, caller, ad_account_id, "AD_ACCOUNT", None, targeting_types or [],
                **_common(start_date, end_date, columns, granularity, click_window_days, engagement_window_days,
                          view_window_days, conversion_report_time, attribution_types))


@router.get("/ad_accounts/{ad_account_id}/campaigns/targeting_analytics",
            **op("campaign_targeting_analytics/get", "ads_analytics"))
async def campaign_targeting_analytics(
        request: Request, ad_account_id: AdAccountIdPath, campaign_ids: ListQuery, start_date: DateQuery,
        end_date: DateQuery, targeting_types: ListQuery, columns: ListQuery, granularity: Granularity,
        click_window_days: Window = 30, engagement_window_days: Window = 30, view_window_days: Window = 1,
        conversion_report_time: ReportTime = "TIME_OF_AD_ACTION", attribution_types: Attribution | None = None,
        caller: Caller = require("ads:read")) -> Json:
    return _run(request, caller, ad_account_id, "CAMPAIGN", campaign_ids, targeting_types or [],
                **_common(start_date, end_date, columns, granularity, click_window_days, engagement_window_days,
                          view_window_days, conversion_report_time, attribution_types))


@router.get("/ad_accounts/{ad_account_id}/ad_groups/targeting_analytics",
            **op("ad_groups_targeting_analytics/get", "ads_analytics"))
async def ad_groups_targeting_analytics(
        request: Request, ad_account_id: AdAccountIdPath, ad_group_ids: ListQuery, start_date: DateQuery,
        end_date: DateQuery, targeting_types: ListQuery, columns: ListQuery, granularity: Granularity,
        click_window_days: Window = 30, engagement_window_days: Window = 30, view_window_days: Window = 1,
        conversion_report_time: ReportTime = "TIME_OF_AD_ACTION", attribution_types: Attribution | None = None,
        caller: Caller = require("ads:read")) -> Json:
    return _run(request, caller, ad_account_id, "AD_GROUP", ad_group_ids, targeting_types or [],
                **_common(start_date, end_date, columns, granularity, click_window_days, engagement_window_days,
                          view_window_days, conversion_report_time, attribution_types))


@router.get("/ad_accounts/{ad_account_id}/ads/targeting_analytics",
            **op("ad_targeting_analytics/get", "ads_analytics"))
async def ad_targeting_analytics(
        request: Request, ad_account_id: AdAccountIdPath, ad_ids: ListQuery, start_date: DateQuery,
        end_date: DateQuery, targeting_types: ListQuery, columns: ListQuery, granularity: Granularity,
        click_window_days: Window = 30, engagement_window_days: Window = 30, view_window_days: Window = 1,
        conversion_report_time: ReportTime = "TIME_OF_AD_ACTION", attribution_types: Attribution | None = None,
        caller: Caller = require("ads:read")) -> Json:
    return _run(request, caller, ad_account_id, "AD", ad_ids, targeting_types or [],
                **_common(start_date, end_date, columns, granularity, click_window_days, engagement_window_days,
                          view_window_days, conversion_report_time, attribution_types))


@router.get("/resources/delivery_metrics", **op("delivery_metrics/get", "ads_read"))
async def delivery_metrics_get(report_type: Annotated[Literal["SYNC", "ASYNC"] | None, Query()] = None,
                               caller: Caller = require("ads:read", "pins:read", "user_accounts:read")) -> Json:
    return Json({"items": delivery_metrics(report_type)})


@router.get("/resources/metrics_ready_state", **op("metrics_ready_state/get", "ads_analytics"))
async def metrics_ready_state(request: Request,
                              date: Annotated[str, Query(pattern=r"^(\d{4})-(\d{2})-(\d{2})$")],
                              caller: Caller = require("ads:read")) -> Json:
    """Ready when the facts cover the whole day (non-conversion) and, for conversions, when the
    day's conversion lag has settled: the watermark is 3 days past the end of the date."""
    store = store_of(request)
    day = service.parse_date("date", date)
    service._catch_up(store)
    watermark = _watermark(store)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.timezone.utc)
    return Json({"non_conversion_metrics_ready": watermark >= end,
                 "conversion_metrics_ready": watermark >= end + dt.timedelta(days=3)})


def _watermark(store: Any) -> dt.datetime:
    """How far the facts are complete: the simulator's watermark while it runs, else the clock's hour."""
    raw = store.facts.get_meta("sim_watermark")
    if raw:
        w = dt.datetime.fromisoformat(raw)
        return w if w.tzinfo else w.replace(tzinfo=dt.timezone.utc)
    return store.clock.now().replace(minute=0, second=0, microsecond=0)

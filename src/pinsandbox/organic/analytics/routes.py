"""Pin analytics and user account analytics (summary, daily, top Pins, top video Pins). The rules live
in service.py; the numbers come from the organic facts (reporting/organic_facts.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from pinsandbox.app import store_of
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.errors import InvalidParameter
from pinsandbox.core.responses import Json
from pinsandbox.core.types import AdAccountIdQuery
from pinsandbox.organic.analytics import service
from pinsandbox.organic.analytics.schemas import (AnalyticsResponse, AppTypes, ContentType, FromClaimedContent,
                                                  PinAnalyticsResponse, PinFormat, PinSplitField, Source,
                                                  TopPinsAnalyticsResponse, TopPinsSortBy,
                                                  TopVideoPinsAnalyticsResponse, TopVideoPinsSortBy, UserSplitField)

router = APIRouter(tags=["analytics"])

StartDate = Annotated[str, Query(description="Metric report start date (UTC). Format: YYYY-MM-DD. Cannot be more "
                                             "than 90 days back from today.")]
EndDate = Annotated[str, Query(description="Metric report end date (UTC). Format: YYYY-MM-DD. Cannot be more than "
                                           "90 days past start_date.")]
MetricTypes = Annotated[list[str] | None, Query(description="Metric types (comma-joined).")]
NumOfPins = Annotated[int, Query(ge=1, le=50, description="Number of pins to include, default is 10. Max is 50.")]
CreatedInLastNDays = Annotated[int | None, Query(json_schema_extra={"enum": [30]},
                                                 description="Get metrics for pins created in the last n days.")]


@router.get("/pins/{pin_id}/analytics", response_model=PinAnalyticsResponse, **op("pins/analytics", "org_analytics"))
async def pins_analytics(request: Request, pin_id: Annotated[str, Path(description="Unique identifier of a Pin.")],
                         start_date: StartDate, end_date: EndDate,
                         metric_types: Annotated[list[str], Query(description="Pin metric types (comma-joined).")],
                         app_types: AppTypes = AppTypes.ALL, split_field: PinSplitField = PinSplitField.NO_SPLIT,
                         ad_account_id: AdAccountIdQuery = None,
                         caller: Caller = require("boards:read", "pins:read")) -> Json:
    store = store_of(request)
    start, end = service.parse_dates(service.PIN_PARAMS, start_date, end_date, today=store.clock.today())
    metrics = service.parse_metrics(service.PIN_PARAMS, metric_types, service.PIN_METRICS, required=True)
    with store.read() as conn:
        who = service.analytics_viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        pin = service.analytics_pin(conn, viewer=who, pin_id=pin_id)
    return Json(service.pin_analytics(store, pin=pin, start=start, end=end, app_types=app_types.value,
                                      metrics=metrics, split_field=split_field.value))


@router.get("/user_account/analytics", response_model=AnalyticsResponse,
            **op("user_account/analytics", "org_analytics"))
async def user_account_analytics(request: Request, start_date: StartDate, end_date: EndDate,
                                 from_claimed_content: FromClaimedContent = FromClaimedContent.BOTH,
                                 pin_format: PinFormat = PinFormat.ALL, app_types: AppTypes = AppTypes.ALL,
                                 content_type: ContentType = ContentType.ALL, source: Source = Source.ALL,
                                 metric_types: MetricTypes = None,
                                 split_field: UserSplitField = UserSplitField.NO_SPLIT,
                                 ad_account_id: AdAccountIdQuery = None,
                                 caller: Caller = require("user_accounts:read")) -> Json:
    store = store_of(request)
    start, end = service.parse_dates(service.USER_PARAMS, start_date, end_date, today=store.clock.today())
    metrics = service.parse_metrics(service.USER_PARAMS, metric_types, service.USER_METRICS, required=False)
    filters = service.Filters(app_types=app_types.value, content_type=content_type.value, source=source.value,
                              from_claimed_content=from_claimed_content.value, pin_format=pin_format.value)
    with store.read() as conn:
        who = service.analytics_viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        return Json(service.user_account_analytics(store, conn, user_id=who.user_id, start=start, end=end,
                                                   filters=filters, metrics=metrics, split_field=split_field.value))


def _top(request: Request, caller: Caller, *, video: bool, start_date: str, end_date: str, sort_by: str,
         from_claimed_content: str, pin_format: str, app_types: str, content_type: str, source: str,
         metric_types: list[str] | None, num_of_pins: int, created_in_last_n_days: int | None,
         ad_account_id: str | None) -> Json:
    store = store_of(request)
    start, end = service.parse_dates(service.USER_PARAMS, start_date, end_date, today=store.clock.today())
    allowed = service.TOP_VIDEO_METRICS if video else service.USER_METRICS
    metrics = service.parse_metrics(service.USER_PARAMS, metric_types, allowed, required=False)
    if created_in_last_n_days is not None and created_in_last_n_days != 30:
        raise InvalidParameter(f"{service.USER_PARAMS} Parameter 'created_in_last_n_days': "
                               f"{created_in_last_n_days} is not one of 30.")
    filters = service.Filters(app_types=app_types, content_type=content_type, source=source,
                              from_claimed_content=from_claimed_content, pin_format=pin_format)
    with store.read() as conn:
        who = service.analytics_viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        return Json(service.top_pins(store, conn, user_id=who.user_id, start=start, end=end, filters=filters,
                                     metrics=metrics, sort_by=sort_by, num_of_pins=num_of_pins,
                                     created_in_last_n_days=created_in_last_n_days, video=video, viewer=who))


@router.get("/user_account/analytics/top_pins", response_model=TopPinsAnalyticsResponse,
            **op("user_account/analytics/top_pins", "org_analytics"))
async def user_account_analytics_top_pins(
        request: Request, start_date: StartDate, end_date: EndDate, sort_by: Annotated[TopPinsSortBy, Query()],
        from_claimed_content: FromClaimedContent = FromClaimedContent.BOTH, pin_format: PinFormat = PinFormat.ALL,
        app_types: AppTypes = AppTypes.ALL, content_type: ContentType = ContentType.ALL, source: Source = Source.ALL,
        metric_types: MetricTypes = None, num_of_pins: NumOfPins = 10,
        created_in_last_n_days: CreatedInLastNDays = None, ad_account_id: AdAccountIdQuery = None,
        caller: Caller = require("pins:read", "user_accounts:read")) -> Json:
    return _top(request, caller, video=False, start_date=start_date, end_date=end_date, sort_by=sort_by.value,
                from_claimed_content=from_claimed_content.value, pin_format=pin_format.value,
                app_types=app_types.value, content_type=content_type.value, source=source.value,
                metric_types=metric_types, num_of_pins=num_of_pins, created_in_last_n_days=created_in_last_n_days,
                ad_account_id=ad_account_id)


@router.get("/user_account/analytics/top_video_pins", response_model=TopVideoPinsAnalyticsResponse,
            **op("user_account/analytics/top_video_pins", "org_analytics"))
async def user_account_analytics_top_video_pins(
        request: Request, start_date: StartDate, end_date: EndDate, sort_by: Annotated[TopVideoPinsSortBy, Query()],
        from_claimed_content: FromClaimedContent = FromClaimedContent.BOTH, pin_format: PinFormat = PinFormat.ALL,
        app_types: AppTypes = AppTypes.ALL, content_type: ContentType = ContentType.ALL, source: Source = Source.ALL,
        metric_types: MetricTypes = None, num_of_pins: NumOfPins = 10,
        created_in_last_n_days: CreatedInLastNDays = None, ad_account_id: AdAccountIdQuery = None,
        caller: Caller = require("pins:read", "user_accounts:read")) -> Json:
    return _top(request, caller, video=True, start_date=start_date, end_date=end_date, sort_by=sort_by.value,
                from_claimed_content=from_claimed_content.value, pin_format=pin_format.value,
                app_types=app_types.value, content_type=content_type.value, source=source.value,
                metric_types=metric_types, num_of_pins=num_of_pins, created_in_last_n_days=created_in_last_n_days,
                ad_account_id=ad_account_id)

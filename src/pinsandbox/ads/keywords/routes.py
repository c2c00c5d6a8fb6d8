from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request

from pinsandbox.ads.keywords import service
from pinsandbox.ads.keywords.schemas import (MATCH_TYPES, MAX_KEYWORDS, MAX_VALUE_LENGTH, KeywordList,
                                             KeywordsMetricsArrayResponse, KeywordsRequest, KeywordsResponse,
                                             KeywordUpdateBody)
from pinsandbox.app import store_of
from pinsandbox.core.access import ADS_READ, ADS_WRITE, ad_account_access
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.enums import COUNTRIES
from pinsandbox.core.errors import InvalidParameter
from pinsandbox.core.pagination import Page
from pinsandbox.core.params import enum_list, split_list
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import AdAccountIdPath

router = APIRouter(tags=["keywords"])

ListQuery = Annotated[list[str] | None, Query()]  # repeated or comma-joined
CampaignIdQuery = Annotated[str | None, Query(pattern=r"^[0-9]+$", max_length=18,
                                              description="Campaign Id to use to filter the results.")]
AdGroupIdQuery = Annotated[str | None, Query(pattern=r"^[0-9]+$", max_length=18, description="Ad group Id.")]


@router.get("/ad_accounts/{ad_account_id}/keywords", response_model=KeywordList, **op("keywords/get", "ads_read"))
async def keywords_get(request: Request, ad_account_id: AdAccountIdPath, page: Page,
                       campaign_id: CampaignIdQuery = None, ad_group_id: AdGroupIdQuery = None,
                       match_types: ListQuery = None, caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    kinds = enum_list("match_types", match_types, MATCH_TYPES, max_items=5)
    if kinds == []:
        raise InvalidParameter("Invalid parameter 'match_types': give at least one match type.")
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        rows, bookmark = service.list_(conn, ad_account_id=access.id, campaign_id=campaign_id, ad_group_id=ad_group_id,
                                       match_types=kinds, page=page, secret=store.secret)
        return Json(page_body([service.render(r) for r in rows], bookmark))


@router.post("/ad_accounts/{ad_account_id}/keywords", response_model=KeywordsResponse,
             **op("keywords/create", "ads_write"))
async def keywords_create(request: Request, ad_account_id: AdAccountIdPath, body: Annotated[KeywordsRequest, Body()],
                          caller: Caller = require("ads:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_WRITE)
        return Json(service.create(conn, account=access.account, parent_id=body.parent_id, items=body.keywords,
                                   now=store.clock.epoch_seconds()))


@router.patch("/ad_accounts/{ad_account_id}/keywords", response_model=KeywordsResponse,
              **op("keywords/update", "ads_write"))
async def keywords_update(request: Request, ad_account_id: AdAccountIdPath, body: Annotated[KeywordUpdateBody, Body()],
                          caller: Caller = require("ads:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_WRITE)
        return Json(service.update(conn, account=access.account, items=body.keywords, now=store.clock.epoch_seconds()))


@router.get("/ad_accounts/{ad_account_id}/keywords/metrics", response_model=KeywordsMetricsArrayResponse,
            **op("country_keywords_metrics/get", "ads_read"))
async def country_keywords_metrics_get(request: Request, ad_account_id: AdAccountIdPath,
                                       country_code: Annotated[str, Query(description="Two letter country code "
                                                                                      "(ISO 3166-1 alpha-2)")],
                                       keywords: Annotated[list[str], Query(description="Comma-separated keywords")],
                                       caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    if country_code not in COUNTRIES:
        raise InvalidParameter(f"Invalid parameter 'country_code': {country_code[:20]!r} is not an ISO 3166-1 alpha-2 "
                               "country code (upper case, e.g. US).")
    values = split_list(keywords) or []
    if not values:
        raise InvalidParameter("Invalid parameter 'keywords': give at least one keyword.")
    if len(values) > MAX_KEYWORDS:
        raise InvalidParameter(f"Invalid parameter 'keywords': at most {MAX_KEYWORDS} keywords are allowed, "
                               f"got {len(values)}.")
    for value in values:
        if len(value) > MAX_VALUE_LENGTH:
            raise InvalidParameter(f"Invalid parameter 'keywords': {value[:30]!r}... is longer than "
                                   f"{MAX_VALUE_LENGTH} characters.")
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        return Json({"data": service.country_metrics(keywords_=values, country=country_code,
                                                     currency=access.account.currency)})

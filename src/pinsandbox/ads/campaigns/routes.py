from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request

from pinsandbox.ads.campaigns import service
from pinsandbox.ads.campaigns.schemas import BatchBody, Campaign, CampaignCreateResponse, CampaignList
from pinsandbox.app import store_of
from pinsandbox.core.access import ADS_READ, ADS_WRITE, ad_account_access
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.enums import ENTITY_STATUSES
from pinsandbox.core.pagination import Page
from pinsandbox.core.params import enum_list, id_list
from pinsandbox.core.responses import Json, RawJson
from pinsandbox.core.types import AdAccountIdPath, id_path

router = APIRouter(tags=["campaigns"])



ListQuery = Annotated[list[str] | None, Query()]  # repeated or comma-joined
CampaignIdPath = Annotated[str, id_path("Campaign ID, must be associated with the ad account ID provided in the path.")]


@router.get("/ad_accounts/{ad_account_id}/campaigns", response_model=CampaignList, **op("campaigns/list", "ads_read"))
async def campaigns_list(request: Request, ad_account_id: AdAccountIdPath, page: Page, campaign_ids: ListQuery = None,
                         entity_statuses: ListQuery = None,
                         order: Annotated[Literal["ASCENDING", "DESCENDING"] | None, Query()] = None,
                         caller: Caller = require("ads:read")) -> RawJson:
    store = store_of(request)
    ids = id_list("campaign_ids", campaign_ids)
    statuses = enum_list("entity_statuses", entity_statuses, ENTITY_STATUSES)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        prepared = service.list_page(conn, ad_account_id=access.id, campaign_ids=ids, entity_statuses=statuses,
                                     order=order, page=page, secret=store.secret)
        return prepared.body(now=store.clock.epoch_seconds())


@router.post("/ad_accounts/{ad_account_id}/campaigns", response_model=CampaignCreateResponse,
             **op("campaigns/create", "ads_write"))
async def campaigns_create(request: Request, ad_account_id: AdAccountIdPath, body: Annotated[BatchBody, Body()],
                           caller: Caller = require("ads:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_WRITE)
        items = service.create(conn, account=access.account, items=body, now=store.clock.epoch_seconds())
        return Json({"items": items})


@router.patch("/ad_accounts/{ad_account_id}/campaigns", response_model=CampaignCreateResponse,
              **op("campaigns/update", "ads_write"))
async def campaigns_update(request: Request, ad_account_id: AdAccountIdPath, body: Annotated[BatchBody, Body()],
                           caller: Caller = require("ads:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_WRITE)
        items = service.update(conn, account=access.account, items=body, now=store.clock.epoch_seconds())
        return Json({"items": items})


@router.get("/ad_accounts/{ad_account_id}/campaigns/{campaign_id:digits}", response_model=Campaign,
            **op("campaigns/get", "ads_read"))
async def campaigns_get(request: Request, ad_account_id: AdAccountIdPath, campaign_id: CampaignIdPath,
                        caller: Caller = require("ads:read")) -> RawJson:
    store = store_of(request)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        return RawJson(service.get_json(conn, ad_account_id=access.id, campaign_id=campaign_id,
                                        now=store.clock.epoch_seconds()))

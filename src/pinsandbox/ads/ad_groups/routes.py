from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request

from pinsandbox.ads.ad_groups import service
from pinsandbox.ads.ad_groups.schemas import AdGroupArrayResponse, AdGroupList, AdGroupResponse, BidFloor, BidFloorRequest
from pinsandbox.ads.campaigns.schemas import BatchBody
from pinsandbox.app import store_of
from pinsandbox.core.access import ADS_READ, ADS_WRITE, ad_account_access
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.enums import ENTITY_STATUSES
from pinsandbox.core.pagination import Page
from pinsandbox.core.params import enum_list, id_list
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import AdAccountIdPath, id_path

router = APIRouter(tags=["ad_groups"])

ListQuery = Annotated[list[str] | None, Query()]  # repeated or comma-joined
AdGroupIdPath = Annotated[str, id_path("Unique identifier of an ad group.")]


@router.get("/ad_accounts/{ad_account_id}/ad_groups", response_model=AdGroupList, **op("ad_groups/list", "ads_read"))
async def ad_groups_list(request: Request, ad_account_id: AdAccountIdPath, page: Page, campaign_ids: ListQuery = None,
                         ad_group_ids: ListQuery = None, entity_statuses: ListQuery = None,
                         order: Annotated[Literal["ASCENDING", "DESCENDING"] | None, Query()] = None,
                         translate_interests_to_names: Annotated[bool, Query()] = False,
                         caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    filters = dict(campaign_ids=id_list("campaign_ids", campaign_ids), ad_group_ids=id_list("ad_group_ids", ad_group_ids),
                   entity_statuses=enum_list("entity_statuses", entity_statuses, ENTITY_STATUSES))
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        rows, bookmark = service.list_(conn, ad_account_id=access.id, order=order, page=page, secret=store.secret,
                                       **filters)
        return Json(page_body(service.render_rows(conn, rows, now=store.clock.epoch_seconds()), bookmark))


@router.post("/ad_accounts/{ad_account_id}/ad_groups", response_model=AdGroupArrayResponse,
             **op("ad_groups/create", "ads_write"))
async def ad_groups_create(request: Request, ad_account_id: AdAccountIdPath, body: Annotated[BatchBody, Body()],
                           caller: Caller = require("ads:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_WRITE)
        return Json({"items": service.create(conn, account=access.account, items=body,
                                             now=store.clock.epoch_seconds())})


@router.patch("/ad_accounts/{ad_account_id}/ad_groups", response_model=AdGroupArrayResponse,
              **op("ad_groups/update", "ads_write"))
async def ad_groups_update(request: Request, ad_account_id: AdAccountIdPath, body: Annotated[BatchBody, Body()],
                           caller: Caller = require("ads:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_WRITE)
        return Json({"items": service.update(conn, account=access.account, items=body,
                                             now=store.clock.epoch_seconds())})


@router.get("/ad_accounts/{ad_account_id}/ad_groups/{ad_group_id:digits}", response_model=AdGroupResponse,
            **op("ad_groups/get", "ads_read"))
async def ad_groups_get(request: Request, ad_account_id: AdAccountIdPath, ad_group_id: AdGroupIdPath,
                        caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        row = service.get_row(conn, ad_account_id=access.id, ad_group_id=ad_group_id)
        return Json(service.render_rows(conn, [row], now=store.clock.epoch_seconds())[0])


@router.post("/ad_accounts/{ad_account_id}/bid_floor", response_model=BidFloor,
             **op("ad_groups_bid_floor/get", "ads_read"))
async def ad_groups_bid_floor_get(request: Request, ad_account_id: AdAccountIdPath,
                                  body: Annotated[BidFloorRequest, Body()], caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        targeting = body.targeting_spec.model_dump(mode="json", exclude_none=True) if body.targeting_spec else None
        return Json({"bid_floors": service.bid_floors(specs=body.bid_floor_specs, targeting_spec=targeting),
                     "type": "bidfloor"})

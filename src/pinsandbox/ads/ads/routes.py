from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request

from pinsandbox.ads.ads import service
from pinsandbox.ads.ads.schemas import AdArrayResponse, AdList, AdResponse, BatchBody
from pinsandbox.app import store_of
from pinsandbox.core.access import ADS_READ, ADS_WRITE, ad_account_access
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.enums import ENTITY_STATUSES
from pinsandbox.core.pagination import Page
from pinsandbox.core.params import enum_list, id_list
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import AdAccountIdPath, id_path

router = APIRouter(tags=["ads"])

IdsQuery = Annotated[list[str] | None, Query()]  # repeated or comma-joined
AdIdPath = Annotated[str, id_path("Unique identifier of an ad.")]


@router.get("/ad_accounts/{ad_account_id}/ads", response_model=AdList, **op("ads/list", "ads_read"))
async def ads_list(request: Request, ad_account_id: AdAccountIdPath, page: Page, campaign_ids: IdsQuery = None,
                   ad_group_ids: IdsQuery = None, ad_ids: IdsQuery = None, entity_statuses: IdsQuery = None,
                   order: Annotated[Literal["ASCENDING", "DESCENDING"] | None, Query()] = None,
                   caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    filters = dict(campaign_ids=id_list("campaign_ids", campaign_ids), ad_group_ids=id_list("ad_group_ids", ad_group_ids),
                   ad_ids=id_list("ad_ids", ad_ids),
                   entity_statuses=enum_list("entity_statuses", entity_statuses, ENTITY_STATUSES))
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        rows, bookmark = service.list_(conn, ad_account_id=access.id, order=order, page=page, secret=store.secret,
                                       **filters)
        return Json(page_body([service.render(conn, r) for r in rows], bookmark))


@router.post("/ad_accounts/{ad_account_id}/ads", response_model=AdArrayResponse, **op("ads/create", "ads_write"))
async def ads_create(request: Request, ad_account_id: AdAccountIdPath, body: Annotated[BatchBody, Body()],
                     caller: Caller = require("ads:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_WRITE)
        items = service.create(conn, account=access.account, items=body, now=store.clock.epoch_seconds())
        return Json({"items": items})


@router.patch("/ad_accounts/{ad_account_id}/ads", response_model=AdArrayResponse, **op("ads/update", "ads_write"))
async def ads_update(request: Request, ad_account_id: AdAccountIdPath, body: Annotated[BatchBody, Body()],
                     caller: Caller = require("ads:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_WRITE)
        items = service.update(conn, account=access.account, items=body, now=store.clock.epoch_seconds())
        return Json({"items": items})


@router.get("/ad_accounts/{ad_account_id}/ads/{ad_id:digits}", response_model=AdResponse, **op("ads/get", "ads_read"))
async def ads_get(request: Request, ad_account_id: AdAccountIdPath, ad_id: AdIdPath,
                  caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        return Json(service.render(conn, service.get(conn, ad_account_id=access.id, ad_id=ad_id)))

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request

from pinsandbox.ads.ad_accounts import service
from pinsandbox.ads.ad_accounts.schemas import AdAccount, AdAccountCreate, AdAccountList
from pinsandbox.app import store_of
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.pagination import Page
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import AdAccountIdPath

router = APIRouter(tags=["ad_accounts"])


@router.get("/ad_accounts", response_model=AdAccountList, **op("ad_accounts/list", "ads_read"))
async def ad_accounts_list(request: Request, page: Page, caller: Caller = require("ads:read"),
                           include_shared_accounts: Annotated[bool, Query()] = True) -> Json:
    store = store_of(request)
    with store.read() as conn:
        rows, bookmark = service.list_(conn, user_id=caller.user_id, include_shared=include_shared_accounts,
                                       page=page, secret=store.secret)
        items = [service.render(conn, r, viewer_id=caller.user_id) for r in rows]
    return Json(page_body(items, bookmark))


@router.post("/ad_accounts", response_model=AdAccount, **op("ad_accounts/create", "ads_write"))
async def ad_accounts_create(request: Request, body: Annotated[AdAccountCreate, Body()],
                             caller: Caller = require("ads:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        row = service.create(conn, user_id=caller.user_id, name=body.name,
                             country=body.country.value if body.country else None,
                             owner_user_id=body.owner_user_id, now=store.clock.epoch_seconds())
        return Json(service.render(conn, row, viewer_id=caller.user_id))


@router.get("/ad_accounts/{ad_account_id}", response_model=AdAccount, **op("ad_accounts/get", "ads_read"))
async def ad_accounts_get(request: Request, ad_account_id: AdAccountIdPath, caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        row = service.get(conn, user_id=caller.user_id, ad_account_id=ad_account_id)
        return Json(service.render(conn, row, viewer_id=caller.user_id))

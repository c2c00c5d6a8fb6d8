from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request

from pinsandbox.app import store_of
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.pagination import Page
from pinsandbox.core.params import enum_list
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import AdAccountIdQuery
from pinsandbox.organic.boards.service import viewer
from pinsandbox.organic.pins import service
from pinsandbox.organic.pins.schemas import LIST_CREATIVE_TYPES, Pin, PinCreate, PinFilter, PinList, PinType

router = APIRouter(tags=["pins"])

# pin_metrics is accepted on get and list, but organic Pin analytics are not computed yet: the
# response's `pin_metrics` stays null whatever its value.
PinMetrics = Annotated[bool, Query(description="Specify whether to return 90d and lifetime Pin metrics.")]


@router.get("/pins", response_model=PinList, **op("pins/list", "org_read"))
async def pins_list(request: Request, page: Page, pin_filter: Annotated[PinFilter | None, Query()] = None,
                    include_protected_pins: Annotated[bool, Query()] = False,
                    pin_type: Annotated[PinType | None, Query()] = None,
                    creative_types: Annotated[list[str] | None, Query()] = None,
                    ad_account_id: AdAccountIdQuery = None, pin_metrics: PinMetrics = False,
                    caller: Caller = require("boards:read", "pins:read")) -> Json:
    store = store_of(request)
    types = enum_list("creative_types", creative_types, LIST_CREATIVE_TYPES)
    with store.read() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        rows, bookmark = service.list_(conn, viewer=who, pin_filter=pin_filter.value if pin_filter else None,
                                       include_protected_pins=include_protected_pins,
                                       pin_type=pin_type.value if pin_type else None, creative_types=types,
                                       page=page, secret=store.secret)
        return Json(page_body([service.render(conn, r, viewer=who) for r in rows], bookmark))


@router.post("/pins", response_model=Pin, status_code=201, **op("pins/create", "org_write"))
async def pins_create(request: Request, body: Annotated[PinCreate, Body()], ad_account_id: AdAccountIdQuery = None,
                      caller: Caller = require("boards:read", "boards:write", "pins:read", "pins:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        row = service.create(conn, viewer=who, body=body, now=store.clock.epoch_seconds())
        return Json(service.render(conn, row, viewer=who), status_code=201)


@router.get("/pins/{pin_id}", response_model=Pin, **op("pins/get", "org_read"))
async def pins_get(request: Request, pin_id: Annotated[str, Path(description="Unique identifier of a Pin.")],
                   ad_account_id: AdAccountIdQuery = None, pin_metrics: PinMetrics = False,
                   caller: Caller = require("boards:read", "pins:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        return Json(service.render(conn, service.get(conn, viewer=who, pin_id=pin_id), viewer=who))

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request
from starlette.responses import Response

from pinsandbox.app import store_of
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.pagination import Page
from pinsandbox.core.params import enum_list
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import AdAccountIdQuery
from pinsandbox.organic.boards.service import viewer
from pinsandbox.organic.pins import service
from pinsandbox.organic.pins.schemas import (LIST_CREATIVE_TYPES, Pin, PinCreate, PinFilter, PinList, PinSave, PinType,
                                             PinUpdate)

router = APIRouter(tags=["pins"])

# pin_metrics=true fills each Pin's `pin_metrics` from the organic analytics (90 days and lifetime);
# otherwise it is null.
PinMetrics = Annotated[bool, Query(description="Specify whether to return 90d and lifetime Pin metrics.")]
PinIdPath = Annotated[str, Path(description="Unique identifier of a Pin.")]
CreativeTypes = Annotated[list[str] | None, Query(description="Pin creative types filter.")]


def render_pins(conn, rows, *, who, pin_metrics: bool, store) -> list[dict]:
    """The Pins as the API shows them; with `pin_metrics` each carries its metrics (organic analytics)."""
    metrics: dict[str, dict] = {}
    if pin_metrics and rows:
        from pinsandbox.organic.analytics.service import pin_metrics as compute_pin_metrics

        metrics = compute_pin_metrics(store, conn, rows)
    return [service.render(conn, r, viewer=who, metrics=metrics.get(str(r.id))) for r in rows]


@router.get("/pins", response_model=PinList, **op("pins/list", "org_read"))
async def pins_list(request: Request, page: Page, pin_filter: Annotated[PinFilter | None, Query()] = None,
                    include_protected_pins: Annotated[bool, Query()] = False,
                    pin_type: Annotated[PinType | None, Query()] = None,
                    creative_types: CreativeTypes = None,
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
        return Json(page_body(render_pins(conn, rows, who=who, pin_metrics=pin_metrics, store=store), bookmark))


@router.post("/pins", response_model=Pin, status_code=201, **op("pins/create", "org_write"))
async def pins_create(request: Request, body: Annotated[PinCreate, Body()], ad_account_id: AdAccountIdQuery = None,
                      caller: Caller = require("boards:read", "boards:write", "pins:read", "pins:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        row = service.create(conn, viewer=who, body=body, now=store.clock.timestamp())
        return Json(service.render(conn, row, viewer=who), status_code=201)


@router.get("/pins/{pin_id}", response_model=Pin, **op("pins/get", "org_read"))
async def pins_get(request: Request, pin_id: PinIdPath, ad_account_id: AdAccountIdQuery = None,
                   pin_metrics: PinMetrics = False, caller: Caller = require("boards:read", "pins:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        row = service.get(conn, viewer=who, pin_id=pin_id)
        return Json(render_pins(conn, [row], who=who, pin_metrics=pin_metrics, store=store)[0])


@router.patch("/pins/{pin_id}", response_model=Pin, **op("pins/update", "org_write"))
async def pins_update(request: Request, pin_id: PinIdPath, body: Annotated[PinUpdate, Body()],
                      ad_account_id: AdAccountIdQuery = None,
                      caller: Caller = require("boards:read", "boards:write", "pins:read", "pins:write")) -> Json:
    store = store_of(request)
    fields = body.model_dump(exclude_unset=True)
    with store.write() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        row = service.update(conn, viewer=who, pin_id=pin_id, fields=fields, now=store.clock.epoch_seconds())
        return Json(service.render(conn, row, viewer=who))


@router.delete("/pins/{pin_id}", status_code=204, response_class=Response, **op("pins/delete", "org_write"))
async def pins_delete(request: Request, pin_id: PinIdPath, ad_account_id: AdAccountIdQuery = None,
                      caller: Caller = require("boards:read", "boards:write", "pins:read", "pins:write")) -> Response:
    store = store_of(request)
    with store.write() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        service.delete(conn, viewer=who, pin_id=pin_id, now=store.clock.epoch_seconds())
    return Response(status_code=204)


@router.post("/pins/{pin_id}/save", response_model=Pin, status_code=201, **op("pins/save", "org_write"))
async def pins_save(request: Request, pin_id: PinIdPath, body: Annotated[PinSave, Body()],
                    ad_account_id: AdAccountIdQuery = None,
                    caller: Caller = require("boards:read", "boards:write", "pins:read", "pins:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        who = viewer(conn, user_id=caller.user_id, scopes=caller.scopes, ad_account_id=ad_account_id)
        row = service.save(conn, viewer=who, pin_id=pin_id, board_id=body.board_id,
                           section_id=body.board_section_id, now=store.clock.epoch_seconds())
        return Json(service.render(conn, row, viewer=who), status_code=201)

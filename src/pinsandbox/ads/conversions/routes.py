"""Conversion tags and the Conversions API over HTTP.

- `router` (/v5): conversion tags (list, create, get, oCPM eligible, page visit) and POST .../events.
- `sandbox_router` (/_sandbox): delete a conversion tag, as Ads Manager does (API 5.12 has no operation for it).
  Conversion tokens for .../events are minted by POST /_sandbox/ad_accounts/{id}/conversion_token (oauth).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request

from pinsandbox.ads.conversions import service
from pinsandbox.ads.conversions.schemas import (ConversionApiResponse, ConversionEvents, ConversionTagCreate,
                                                ConversionTagListResponse, ConversionTagResponse,
                                                ConversionTagsOcpmEligibleResponse, DetailedError,
                                                PageVisitConversionTagList)
from pinsandbox.app import store_of
from pinsandbox.core.access import (ADS_WRITE, CONVERSION_TAGS_READ, CONVERSIONS_WRITE, ad_account_access)
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.errors import NotFound
from pinsandbox.core.pagination import Page
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.tables import ad_accounts
from pinsandbox.core.types import AdAccountIdPath, id_path

router = APIRouter(tags=["conversion_tags"])
sandbox_router = APIRouter(prefix="/_sandbox", tags=["sandbox"])

ConversionTagIdPath = Annotated[str, id_path("Id of the conversion tag.")]


@router.get("/ad_accounts/{ad_account_id}/conversion_tags", response_model=ConversionTagListResponse,
            **op("conversion_tags/list", "ads_read"))
async def conversion_tags_list(request: Request, ad_account_id: AdAccountIdPath,
                               filter_deleted: Annotated[bool, Query(description="Filter out deleted tags.")] = False,
                               caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id,
                                   roles=CONVERSION_TAGS_READ)
        rows = service.list_(conn, ad_account_id=access.id, filter_deleted=filter_deleted)
        return Json({"items": service.render_rows(conn, rows)})


@router.post("/ad_accounts/{ad_account_id}/conversion_tags", response_model=ConversionTagResponse,
             **op("conversion_tags/create", "ads_write"))
async def conversion_tags_create(request: Request, ad_account_id: AdAccountIdPath,
                                 body: Annotated[ConversionTagCreate, Body()],
                                 caller: Caller = require("ads:write")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_WRITE)
        row = service.create(conn, account=access.account, body=body, now=store.clock.epoch_seconds())
        return Json(service.render_rows(conn, [row])[0])


@router.get("/ad_accounts/{ad_account_id}/conversion_tags/ocpm_eligible",
            response_model=ConversionTagsOcpmEligibleResponse,
            **op("ocpm_eligible_conversion_tags/get", "ads_read"))
async def ocpm_eligible_conversion_tags_get(request: Request, ad_account_id: AdAccountIdPath,
                                            caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id,
                                   roles=CONVERSION_TAGS_READ)
        return Json(service.ocpm_eligible(conn, ad_account_id=access.id, now=store.clock.epoch_seconds()))


@router.get("/ad_accounts/{ad_account_id}/conversion_tags/page_visit", response_model=PageVisitConversionTagList,
            **op("page_visit_conversion_tags/get", "ads_read"))
async def page_visit_conversion_tags_get(request: Request, ad_account_id: AdAccountIdPath, page: Page,
                                         order: Annotated[Literal["ASCENDING", "DESCENDING"] | None, Query()] = None,
                                         caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id,
                                   roles=CONVERSION_TAGS_READ)
        items, bookmark = service.page_visit_list(conn, ad_account_id=access.id, order=order, page=page,
                                                  secret=store.secret)
        return Json(page_body(items, bookmark))


@router.get("/ad_accounts/{ad_account_id}/conversion_tags/{conversion_tag_id:digits}",
            response_model=ConversionTagResponse, **op("conversion_tags/get", "ads_read"))
async def conversion_tags_get(request: Request, ad_account_id: AdAccountIdPath,
                              conversion_tag_id: ConversionTagIdPath, caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id,
                                   roles=CONVERSION_TAGS_READ)
        row = service.get_row(conn, ad_account_id=access.id, conversion_tag_id=conversion_tag_id)
        return Json(service.render_rows(conn, [row])[0])


@router.post("/ad_accounts/{ad_account_id}/events", response_model=ConversionApiResponse, tags=["conversion_events"],
             responses={422: {"model": DetailedError, "description": "Not all events were successfully processed."}},
             **op("events/create", "ads_conversions"))
async def events_create(request: Request, ad_account_id: AdAccountIdPath, body: Annotated[ConversionEvents, Body()],
                        test: Annotated[bool, Query(description="Validate and answer, but record nothing.")] = False,
                        caller: Caller = require("ads:write", accept_conversion=True)) -> Json:
    """OAuth tokens need ads:write and a role that may send conversions; a conversion token is bound to the
    path's ad account (checked by `require`) and acts for the user it was minted for."""
    store = store_of(request)
    with (store.read() if test else store.write()) as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=CONVERSIONS_WRITE)
        report = service.send_events(conn, account=access.account, events=body.data, test=test,
                                     now=store.clock.epoch_seconds())
    # Outside the transaction: the processed events stay stored when some others failed.
    if report["num_events_processed"] < report["num_events_received"]:
        raise service.EventsNotProcessed(report)
    return Json(report)


@sandbox_router.delete("/ad_accounts/{ad_account_id}/conversion_tags/{conversion_tag_id}",
                       response_model=ConversionTagResponse, operation_id="sandbox/conversion_tag_delete")
async def conversion_tag_delete(request: Request, ad_account_id: AdAccountIdPath,
                                conversion_tag_id: ConversionTagIdPath) -> Json:
    """Delete a conversion tag as Ads Manager does: it becomes ARCHIVED (`filter_deleted=true` hides it)."""
    store = store_of(request)
    with store.write() as conn:
        if conn.execute(ad_accounts.select().where(ad_accounts.c.id == int(ad_account_id))).first() is None:
            raise NotFound(f"Ad account {ad_account_id} not found.", code=2)
        row = service.delete(conn, ad_account_id=int(ad_account_id), conversion_tag_id=conversion_tag_id,
                             now=store.clock.epoch_seconds())
        return Json(service.render_rows(conn, [row])[0])

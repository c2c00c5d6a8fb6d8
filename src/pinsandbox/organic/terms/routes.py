from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from pinsandbox.app import store_of
from pinsandbox.core.access import ADS_READ
from pinsandbox.core.access import ad_account_access
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.errors import NotFound
from pinsandbox.core.responses import Json
from pinsandbox.core.tables import ad_accounts
from pinsandbox.core.types import AdAccountIdPath, IntIdPath
from pinsandbox.organic.terms import service, tos
from pinsandbox.organic.terms.schemas import RelatedTerms, SandboxTermsAcceptance, TermsOfService

router = APIRouter(tags=["terms"])


@router.get("/terms/related", response_model=RelatedTerms, **op("terms_related/list", "ads_read"))
async def terms_related_list(request: Request,
                             terms: Annotated[list[str], Query(description="List of input terms.")],
                             caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    wanted = service.check_terms(terms)
    with store.read() as conn:
        return Json(service.related_terms(conn, terms=wanted))


@router.get("/terms/suggested", response_model=list[str], **op("terms_suggested/list", "ads_read"))
async def terms_suggested_list(request: Request, term: Annotated[str, Query(description="Input term.")],
                               limit: Annotated[int, Query(ge=1, le=10, description="Max suggested terms to "
                                                                                      "return.")] = 4,
                               caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    wanted = service.check_term("term", term)
    with store.read() as conn:
        return Json(service.suggested_terms(conn, term=wanted, limit=limit))


@router.get("/ad_accounts/{ad_account_id}/terms_of_service", response_model=TermsOfService,
            tags=["terms_of_service"], **op("terms_of_service/get", "ads_read"))
async def terms_of_service_get(request: Request, ad_account_id: AdAccountIdPath,
                               include_html: Annotated[bool, Query(description="Return HTML in TOS text.")] = False,
                               tos_type: Annotated[str | None, Query(description="Request type.")] = None,
                               caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    kind = tos.check_type(tos_type)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        return Json(tos.get(conn, ad_account_id=access.id, tos_type=kind, include_html=include_html))


# -- sandbox control (docs/sandbox.md) ------------------------------------------------------------------------
sandbox_router = APIRouter(prefix="/_sandbox", tags=["sandbox"])


@sandbox_router.put("/ad_accounts/{ad_account_id}/terms_of_service", operation_id="sandbox/terms_of_service_set")
async def sandbox_terms_of_service_set(request: Request, ad_account_id: IntIdPath, body: SandboxTermsAcceptance) -> Json:
    """The advertiser accepts (or withdraws) a terms type, as in Ads Manager."""
    store = store_of(request)
    kind = tos.check_type(body.tos_type)
    with store.write() as conn:
        if conn.execute(ad_accounts.select().where(ad_accounts.c.id == ad_account_id)).first() is None:
            raise NotFound(f"Ad account {ad_account_id} not found.", code=2)
        tos.set_accepted(conn, ad_account_id=ad_account_id, tos_type=kind, value=body.accepted,
                         now=store.clock.epoch_seconds())
        return Json(tos.get(conn, ad_account_id=ad_account_id, tos_type=kind, include_html=False))

"""Async reports and report templates over HTTP (the rules are in service.py).

- `router` (/v5): create a report, poll it by token, list templates, create a report from a template.
- `sandbox_router` (/_sandbox): create a template, as saving a custom report in Ads Manager does.
The report file itself is written by the job runner (`pinsandbox.jobs`, kind "report": jobs.py) and
downloaded from the signed `url` the poll answers.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request

from pinsandbox.ads.reports import service
from pinsandbox.ads.reports.schemas import (ReportCreate, ReportCreateResponse, ReportGetResponse, Template,
                                            TemplateCreate, TemplateList)
from pinsandbox.app import store_of
from pinsandbox.core.access import ADS_READ, ad_account_access
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.errors import NotFound
from pinsandbox.core.pagination import Page
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.tables import ad_accounts
from pinsandbox.core.types import AdAccountIdPath, id_path

router = APIRouter(tags=["ad_accounts"])
sandbox_router = APIRouter(prefix="/_sandbox", tags=["sandbox"])

TemplateIdPath = Annotated[str, id_path("Unique identifier of a template.")]
Granularity = Literal["TOTAL", "DAY", "HOUR", "WEEK", "MONTH"]


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.post("/ad_accounts/{ad_account_id}/reports", response_model=ReportCreateResponse,
             **op("analytics/create_report", "ads_analytics"))
async def analytics_create_report(request: Request, ad_account_id: AdAccountIdPath,
                                  body: Annotated[ReportCreate, Body()],
                                  caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    now = store.clock.now()
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        params = service.parse_create(body, conn=conn, account=access.account, today=now.date(), now=now)
        return Json(service.submit(conn, account=access.account, params=params, now=now))


@router.get("/ad_accounts/{ad_account_id}/reports", response_model=ReportGetResponse,
            **op("analytics/get_report", "ads_analytics"))
async def analytics_get_report(request: Request, ad_account_id: AdAccountIdPath,
                               token: Annotated[str, Query(description="Token returned from the post request "
                                                                       "creation call")],
                               caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    service.check_token(token)
    store.secret  # noqa: B018  (made on first use in a transaction of its own: not inside ours)
    with store.write() as conn:  # polling may mark the job EXPIRED
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        return Json(service.poll(conn, store, account_id=access.id, token=token, now=store.clock.now(),
                                 base_url=_base_url(request)))


@router.get("/ad_accounts/{ad_account_id}/templates", response_model=TemplateList,
            **op("templates/list", "ads_read"))
async def templates_list(request: Request, ad_account_id: AdAccountIdPath, page: Page,
                         order: Annotated[Literal["ASCENDING", "DESCENDING"] | None, Query()] = None,
                         caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        rows, bookmark = service.list_templates(conn, ad_account_id=access.id, order=order, page=page,
                                                secret=store.secret)
        items = service.render_templates(conn, rows, user_id=caller.user_id, today=store.clock.today())
        return Json(page_body(items, bookmark))


@router.post("/ad_accounts/{ad_account_id}/templates/{template_id:digits}/reports",
             response_model=ReportCreateResponse, **op("analytics/create_template_report", "ads_analytics"))
async def analytics_create_template_report(
        request: Request, ad_account_id: AdAccountIdPath, template_id: TemplateIdPath,
        start_date: Annotated[str | None, Query(description="Metric report start date (UTC), YYYY-MM-DD.")] = None,
        end_date: Annotated[str | None, Query(description="Metric report end date (UTC), YYYY-MM-DD.")] = None,
        granularity: Annotated[Granularity | None, Query()] = None,
        caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    now = store.clock.now()
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        row = service.get_template(conn, ad_account_id=access.id, template_id=template_id)
        params = service.template_report_params(row, start_date=start_date, end_date=end_date,
                                                granularity=granularity, today=now.date(), now=now)
        return Json(service.submit(conn, account=access.account, params=params, now=now))


@sandbox_router.post("/ad_accounts/{ad_account_id}/templates", response_model=Template,
                     operation_id="sandbox/template_create")
async def template_create(request: Request, ad_account_id: AdAccountIdPath,
                          body: Annotated[TemplateCreate, Body()]) -> Json:
    """Save a report template for an ad account, as a custom report saved in Ads Manager is."""
    store = store_of(request)
    with store.write() as conn:
        account = conn.execute(ad_accounts.select().where(ad_accounts.c.id == int(ad_account_id))).first()
        if account is None:
            raise NotFound(f"Ad account {ad_account_id} not found.", code=2)
        row = service.create_template(conn, account=account, body=body, now=store.clock.epoch_seconds())
        return Json(service.render_templates(conn, [row], user_id=row.user_id, today=store.clock.today())[0])

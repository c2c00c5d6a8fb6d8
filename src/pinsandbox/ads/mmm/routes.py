"""Marketing Mix Modeling (MMM) reports: create (a job) and poll. The rules live in service.py, the job
in jobs.py, the runner in pinsandbox.jobs."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request

from pinsandbox.ads.mmm import service
from pinsandbox.ads.mmm.schemas import CreateMMMReportRequest, CreateMMMReportResponse, GetMMMReportResponse
from pinsandbox.app import store_of
from pinsandbox.core.access import ADS_READ, ad_account_access
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.ratelimit import RateLimiter
from pinsandbox.core.responses import Json
from pinsandbox.core.types import AdAccountIdPath
from pinsandbox.jobs import service as jobs

router = APIRouter(tags=["ad_accounts"])

# "An additional limit of 5 queries per minute per advertiser applies to this endpoint while it's in beta
# release": enforced whenever the sandbox's rate limits are on (PINSANDBOX_RATE_LIMITS), per ad account.
BETA_LIMIT = "mmm_reports/create=5/60"
_beta_limiters: dict[int, RateLimiter] = {}


def _beta_limit(store, ad_account_id: int) -> None:
    if not store.limiter.enabled:
        return
    limiter = _beta_limiters.setdefault(id(store), RateLimiter(BETA_LIMIT, categories=("mmm_reports/create",)))
    limiter.hit(user_id=ad_account_id, app_id=None, category="mmm_reports/create")


@router.post("/ad_accounts/{ad_account_id}/mmm_reports", response_model=CreateMMMReportResponse,
             **op("analytics/create_mmm_report", "ads_analytics"))
async def mmm_reports_create(request: Request, ad_account_id: AdAccountIdPath,
                             body: Annotated[CreateMMMReportRequest, Body()],
                             caller: Caller = require("ads:read")) -> Json:
    """Queue an MMM report; the token polls it (GET) until FINISHED, then its `url` downloads the CSV."""
    store = store_of(request)
    params = service.parse_request(body, today=store.clock.today(), now=store.clock.now())
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        _beta_limit(store, access.id)
        job = jobs.submit(conn, kind=service.KIND, ad_account_id=access.id, params=params, now=store.clock.now())
    return Json({"code": 0, "data": {"report_status": job.report_status, "token": job.id, "message": None,
                                     "status": "success"}})


@router.get("/ad_accounts/{ad_account_id}/mmm_reports", response_model=GetMMMReportResponse,
            **op("analytics/get_mmm_report", "ads_read"))
async def mmm_reports_get(request: Request, ad_account_id: AdAccountIdPath,
                          token: Annotated[str, Query(description="Token returned from the post request creation "
                                                                  "call")],
                          caller: Caller = require("ads:read")) -> Json:
    """The report's status; when FINISHED, a signed link (5 minutes) and the file's size in bytes. A token
    this account did not issue for an MMM report is DOES_NOT_EXIST."""
    store = store_of(request)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        job = jobs.get(conn, token, now=store.clock.now())
    message = "ok"
    if job is None or job.kind != service.KIND or job.ad_account_id != access.id:
        data = {"report_status": "DOES_NOT_EXIST", "url": None, "size": None}
    elif job.status == jobs.FINISHED:
        url = jobs.download_url(store, job, base_url=str(request.base_url),
                                ttl_seconds=store.settings.download_url_ttl_seconds)
        data = {"report_status": job.report_status, "url": url, "size": job.result_size}
    else:
        data = {"report_status": job.report_status, "url": None, "size": None}
        if job.status == jobs.FAILED:
            message = f"The report failed: {job.error}"
    return Json({"code": 0, "data": data, "message": message, "status": "success"})

"""Bulk download / upsert / request status, and DELETE /ad_accounts/{id}/sandbox (the bulk removal of an
account's ads data). HTTP only: the rules are in service.py, the work in jobs.py."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Body, Path, Query, Request

from pinsandbox.ads.bulk import service
from pinsandbox.ads.bulk.schemas import (BulkDownloadRequest, BulkDownloadResponse, BulkUpsertRequest,
                                         BulkUpsertResponse, BulkUpsertStatusResponse)
from pinsandbox.app import store_of
from pinsandbox.core.access import ADS_READ, ADS_WRITE, ANY_ROLE, NOT_PERMITTED, ad_account_access
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.errors import Forbidden
from pinsandbox.core.responses import Json
from pinsandbox.core.types import AdAccountIdPath
from pinsandbox.jobs import service as jobs

router = APIRouter(tags=["bulk"])

BulkRequestIdPath = Annotated[str, Path(max_length=512, description="Unique identifier of a bulk upsert request.")]
LINK_TTL_SECONDS = 300  # "the download link lives 5 minutes", as for async reports


def _base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


@router.post("/ad_accounts/{ad_account_id}/bulk/download", response_model=BulkDownloadResponse,
             **op("bulk_download/create", "ads_read"))
async def bulk_download_create(request: Request, ad_account_id: AdAccountIdPath,
                               body: Annotated[BulkDownloadRequest, Body()],
                               caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        params = service.download_params(conn, account=access.account, request=body)
        job = jobs.submit(conn, kind=service.DOWNLOAD, ad_account_id=access.id, params=params,
                          now=store.clock.now())
    return Json({"request_id": job.id})


@router.post("/ad_accounts/{ad_account_id}/bulk/upsert", response_model=BulkUpsertResponse,
             **op("bulk_upsert/create", "ads_write"))
async def bulk_upsert_create(request: Request, ad_account_id: AdAccountIdPath,
                             body: Annotated[BulkUpsertRequest, Body()],
                             caller: Caller = require("ads:write")) -> Json:
    store = store_of(request)
    params = service.upsert_params(body)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_WRITE)
        job = jobs.submit(conn, kind=service.UPSERT, ad_account_id=access.id, params=params, now=store.clock.now())
    return Json({"request_id": job.id})


@router.get("/ad_accounts/{ad_account_id}/bulk/{bulk_request_id}", response_model=BulkUpsertStatusResponse,
            response_model_exclude_none=True, **op("bulk_request/get", "ads_read"))
async def bulk_request_get(request: Request, ad_account_id: AdAccountIdPath, bulk_request_id: BulkRequestIdPath,
                           include_details: Annotated[bool, Query(description="if set to True then attach the "
                                                                              "errors/details to all the requests")]
                           = False,
                           caller: Caller = require("ads:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ADS_READ)
        job = jobs.get(conn, bulk_request_id, now=store.clock.now())
    if job is None or job.kind not in service.KINDS or job.ad_account_id != access.id:
        raise service.not_found(access.id, bulk_request_id)
    status = service.bulk_status(job.status)
    body: dict = {"status": status}
    if status == "SUCCEEDED" and job.result_path:
        body["result_url"] = jobs.download_url(store, job, base_url=_base_url(request), ttl_seconds=LINK_TTL_SECONDS)
    if include_details:
        path = jobs.result_file_path(store, job)
        if status == "FAILED":
            body["details"] = {"error": service.failure_reason(job)}
        elif status == "SUCCEEDED" and job.kind == service.UPSERT and path is not None and path.is_file():
            body["details"] = json.loads(path.read_text(encoding="utf-8"))  # the per-row results
        else:
            body["details"] = dict(job.result_meta or {})
    return Json(body)


@router.delete("/ad_accounts/{ad_account_id}/sandbox", response_model=str, tags=["ad_accounts"],
               **op("sandbox/delete", "ads_write"))
async def sandbox_delete(request: Request, ad_account_id: AdAccountIdPath,
                         caller: Caller = require("ads:write")) -> Json:
    """Delete the ad account and all its ads data (entities, conversion data, jobs, members, facts)."""
    store = store_of(request)
    with store.write() as conn:
        access = ad_account_access(conn, user_id=caller.user_id, ad_account_id=ad_account_id, roles=ANY_ROLE)
        if "OWNER" not in access.roles:
            raise Forbidden(f"{NOT_PERMITTED} Only the owner of ad account {ad_account_id} can delete it and its "
                            f"ads data; the user holds {', '.join(sorted(access.roles))}.", code=29)
        files = service.job_files(conn, store, ad_account_id=access.id)
        removed = service.delete_account(conn, ad_account_id=access.id)
    # After the commit: the state database is the truth; facts and files of a deleted account only follow it.
    service.delete_account_facts(store.facts, ad_account_id=access.id)
    service.remove_files(files)
    if service.tokens_removed(removed):
        store.token_cache.clear()
    return Json("Delete Success")

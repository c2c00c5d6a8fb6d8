"""Sandbox controls of the job runner (docs/sandbox.md "Jobs") and the signed result downloads.

- `GET /_sandbox/jobs` lists jobs (newest first) with their status; `GET /_sandbox/jobs/{id}` one job.
- `POST /_sandbox/jobs/run` runs every pending job now, synchronously, ignoring the minimum processing
  time, and answers what ran.
- `POST /_sandbox/jobs/{id}/cancel` cancels a queued or running job.
- `GET /_sandbox/files/{job_id}?expires=&signature=` serves a finished job's result file, streamed, when
  the link's HMAC signature is right and it has not expired. Refusals answer like the pre-signed S3 URLs
  Pinterest hands out: 403 `SignatureDoesNotMatch` (forged or altered link), 403 `AccessDenied`
  "Request has expired" (older than 5 minutes on the sandbox clock), 404 `NoSuchKey` (the result has
  expired or does not exist), as an S3 XML error document.
"""

from __future__ import annotations

from typing import Annotated, Literal
from xml.sax.saxutils import escape

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from pinsandbox.app import store_of
from pinsandbox.core.errors import NotFound
from pinsandbox.core.responses import Json
from pinsandbox.jobs import service

router = APIRouter(prefix="/_sandbox", tags=["sandbox"])

Status = Literal["QUEUED", "RUNNING", "FINISHED", "FAILED", "CANCELLED", "EXPIRED"]


@router.get("/jobs", operation_id="sandbox/jobs_list")
async def jobs_list(request: Request, status: Annotated[Status | None, Query()] = None,
                    kind: Annotated[str | None, Query(max_length=32)] = None,
                    ad_account_id: Annotated[str | None, Query(pattern=r"^[0-9]+$", max_length=18)] = None,
                    limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Json:
    """Jobs, newest first, with status, attempts, worker, error and result size."""
    store = store_of(request)
    now = store.clock.now()
    with store.read() as conn:
        items = service.list_jobs(conn, status=status, kind=kind, limit=limit,
                                  ad_account_id=int(ad_account_id) if ad_account_id else None)
        items = [service.get(conn, j.id, now=now) or j for j in items]  # expiry as `get` reports it
    return Json({"items": [j.as_dict() for j in items]})


@router.get("/jobs/{job_id}", operation_id="sandbox/jobs_get")
async def jobs_get(request: Request, job_id: str) -> Json:
    store = store_of(request)
    with store.read() as conn:
        job = service.get(conn, job_id, now=store.clock.now())
    if job is None:
        raise NotFound(f"Job {job_id!r} not found.")
    return Json(job.as_dict())


@router.post("/jobs/run", operation_id="sandbox/jobs_run")
async def jobs_run(request: Request, limit: Annotated[int | None, Query(ge=1, le=10_000)] = None) -> Json:
    """Run every pending job now, here, ignoring the minimum processing time; wait for the jobs other
    workers are running (their minimum time is cut short). Answers what ran and what was awaited."""
    store = store_of(request)
    ran, awaited = await run_in_threadpool(service.run_pending_jobs, store, limit=limit)
    return Json({"count": len(ran), "ran": [j.as_dict() for j in ran], "awaited": [j.as_dict() for j in awaited]})


@router.post("/jobs/{job_id}/cancel", operation_id="sandbox/jobs_cancel")
async def jobs_cancel(request: Request, job_id: str) -> Json:
    store = store_of(request)
    with store.write() as conn:
        job = service.cancel(conn, job_id, now=store.clock.now())
    if job is None:
        raise NotFound(f"Job {job_id!r} not found.")
    return Json(job.as_dict())


def _s3_error(status: int, code: str, message: str, **extra: str) -> Response:
    fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in extra.items())
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
            f"{fields}</Error>")
    return Response(body, status_code=status, media_type="application/xml")


@router.head("/files/{job_id}", operation_id="sandbox/files_head")
@router.get("/files/{job_id}", operation_id="sandbox/files_get")
async def files_get(request: Request, job_id: str, expires: str | None = None, signature: str | None = None
                    ) -> Response:
    """A job's result file, for a link made by `service.download_url` (no token needed: the signature is
    the credential, as with S3 pre-signed URLs)."""
    store = store_of(request)
    valid, expired = service.check_signature(store, job_id, expires, signature)
    if not valid:
        return _s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                         "signature you provided: this link was not issued by this sandbox, or was altered.")
    now = store.clock.now()
    if expired:
        when = service._dt(int(expires) * 1000)
        return _s3_error(403, "AccessDenied", "Request has expired",
                         Expires=when.isoformat().replace("+00:00", "Z"),
                         ServerTime=now.isoformat(timespec="seconds").replace("+00:00", "Z"))
    with store.read() as conn:
        job = service.get(conn, job_id, now=now)
    path = service.result_file_path(store, job) if job is not None else None
    if job is None or job.status != service.FINISHED or path is None or not path.is_file():
        state = "does not exist" if job is None else f"is {job.status}"
        return _s3_error(404, "NoSuchKey", f"The specified key does not exist: the result of job {job_id} {state}"
                         + (" (results live for a limited time after they finish)." if job is not None else "."),
                         Key=job_id)
    filename = job.result_meta.get("filename") or f"{job.kind}_{job.id[:12]}{path.suffix}"
    return FileResponse(path, media_type=service.content_type(job), filename=str(filename),
                        content_disposition_type="attachment")

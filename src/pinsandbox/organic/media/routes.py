"""Media uploads over HTTP.

- `router` (/v5): media/create (register), media/list, media/get.
- `sandbox_router` (/_sandbox): `POST /_sandbox/media/upload`, the upload target that `upload_url`
  points at — it answers as S3 answers a form POST (204, or an XML error), see docs/sandbox.md.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from xml.sax.saxutils import escape

from fastapi import APIRouter, Body, Request
from starlette.responses import Response

from pinsandbox.app import store_of
from pinsandbox.core.auth import Caller, op, require
from pinsandbox.core.pagination import Page
from pinsandbox.core.responses import Json, page_body
from pinsandbox.core.types import id_path
from pinsandbox.organic.media import service
from pinsandbox.organic.media.multipart import read_form
from pinsandbox.organic.media.schemas import MediaUpload, MediaUploadDetails, MediaUploadList, MediaUploadRequest

router = APIRouter(tags=["media"])
sandbox_router = APIRouter(prefix="/_sandbox", tags=["sandbox"])

MediaIdPath = Annotated[str, id_path("Media identifier")]
UPLOAD_PATH = "/_sandbox/media/upload"


def upload_url(request: Request) -> str:
    return str(request.base_url).rstrip("/") + UPLOAD_PATH


@router.get("/media", response_model=MediaUploadList, **op("media/list", "org_read"))
async def media_list(request: Request, page: Page, caller: Caller = require("pins:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        rows, bookmark = service.list_(conn, user_id=caller.user_id, page=page, secret=store.secret)
        now = store.clock.timestamp()
        return Json(page_body([service.render(r, now=now) for r in rows], bookmark))


@router.post("/media", response_model=MediaUpload, status_code=201, **op("media/create", "org_write"))
async def media_create(request: Request, body: Annotated[MediaUploadRequest, Body()],
                       caller: Caller = require("pins:read", "pins:write")) -> Json:
    store = store_of(request)
    secret = store.secret
    with store.write() as conn:
        row = service.create(conn, user_id=caller.user_id, media_type=body.media_type.value,
                             now=store.clock.epoch_seconds(), secret=secret)
        return Json(service.upload_form(row, secret=secret, upload_url=upload_url(request)), status_code=201)


@router.get("/media/{media_id}", response_model=MediaUploadDetails, **op("media/get", "org_read"))
async def media_get(request: Request, media_id: MediaIdPath, caller: Caller = require("pins:read")) -> Json:
    store = store_of(request)
    with store.read() as conn:
        row = service.get(conn, user_id=caller.user_id, media_id=media_id)
        return Json(service.render(row, now=store.clock.timestamp()))


def _s3_error(exc: service.UploadRejected) -> Response:
    request_id = secrets.token_hex(8).upper()
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f"<Error><Code>{escape(exc.code)}</Code><Message>{escape(exc.message)}</Message>"
            f"<RequestId>{request_id}</RequestId><HostId>pinsandbox</HostId></Error>")
    return Response(body, status_code=exc.status, media_type="application/xml")


@sandbox_router.post("/media/upload", operation_id="sandbox/media_upload")
async def media_upload(request: Request) -> Response:
    """The upload target of media/create: an S3-style form POST (the fields of `upload_parameters` and
    the file in the field `file`). 204 when the file is taken; S3's XML errors otherwise."""
    store = store_of(request)
    try:
        form = await read_form(request)
    except service.UploadRejected as exc:
        return _s3_error(exc)
    try:
        secret = store.secret
        with store.write() as conn:
            row = service.accept_upload(conn, fields=form.fields, upload=form.file, file_count=form.file_count,
                                        now=store.clock.timestamp(), secret=secret)
    except service.UploadRejected as exc:
        return _s3_error(exc)
    finally:
        form.close()
    key = row.data["key"]
    return Response(status_code=204, headers={"ETag": f'"{row.data["md5"]}"',
                                              "Location": f"{upload_url(request)}/{key}"})

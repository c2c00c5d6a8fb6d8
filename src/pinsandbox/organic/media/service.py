"""Media uploads (video): register, receive the file, process on the sandbox clock, use in a Pin.

`media/create` registers an upload and answers what Pinterest answers: an `upload_url` and the
`upload_parameters` of an S3-style form POST (a policy signed with the sandbox's secret). The
upload target is the sandbox itself (`POST /_sandbox/media/upload`), which checks the form as S3
checks a POST policy (signature, expiry, every field the policy names) and then looks at the file.

Status is derived from the sandbox clock: `registered` until the file arrives, `processing` for
PROCESSING_SECONDS after it arrived, then `succeeded` (an MP4/MOV/M4V with a video track) or
`failed` (anything else). A Pin can use a media id only once it has `succeeded`.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets as pysecrets
from dataclasses import dataclass
from typing import Any, BinaryIO

import sqlalchemy as sa

from pinsandbox.core.errors import InvalidParameter, NotFound
from pinsandbox.core.ids import new_id, parse_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate
from pinsandbox.organic.media import probe
from pinsandbox.organic.media.tables import media_uploads

PROCESSING_SECONDS = 10  # sandbox seconds between the upload and the final status
POLICY_SECONDS = 3600  # how long the upload form stays valid after registration
MAX_UPLOAD_BYTES = 2 * 1024 ** 3  # Pinterest takes video files up to 2 GB
BUCKET = "pinsandbox-media-upload"
REGION = "us-east-1"
MEDIA_NOT_FOUND = "Media upload not found"


# -- status and rendering -------------------------------------------------------------------------
def status(row: sa.Row, now: float) -> str:
    if row.uploaded_at_ms is None:
        return "registered"
    if now * 1000 < row.uploaded_at_ms + PROCESSING_SECONDS * 1000:
        return "processing"
    return row.outcome or "failed"


def render(row: sa.Row, *, now: float) -> dict[str, Any]:
    return {"media_id": str(row.id), "media_type": row.media_type, "status": status(row, now)}


def _amz_date(ts: int) -> str:
    return dt.datetime.fromtimestamp(ts, tz=dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _derive(secret: bytes, *parts: Any) -> bytes:
    return hmac.new(secret, ":".join(str(p) for p in parts).encode(), hashlib.sha256).digest()


def sign(secret: bytes, policy: str) -> str:
    return hmac.new(secret, policy.encode(), hashlib.sha256).hexdigest()


def upload_form(row: sa.Row, *, secret: bytes, upload_url: str) -> dict[str, Any]:
    """The MediaUpload body: where and how to POST the file."""
    data = row.data
    return {"media_id": str(row.id), "media_type": row.media_type, "upload_url": upload_url,
            "upload_parameters": {**data["fields"], "policy": data["policy"],
                                  "x-amz-signature": sign(secret, data["policy"]),
                                  "Content-Type": "multipart/form-data"}}


# -- rules ----------------------------------------------------------------------------------------
def create(conn: sa.Connection, *, user_id: int, media_type: str, now: int, secret: bytes) -> sa.Row:
    """Register an upload for the user: a key in the upload bucket and a signed POST policy."""
    media_id = new_id()
    digest = hashlib.sha256(f"{user_id}:{media_id}".encode()).hexdigest()
    key = f"uploads/{digest[0:2]}/{digest[2:4]}/{digest[4:6]}/{user_id}:{media_type}:{media_id}:" \
          f"{pysecrets.randbits(63)}"
    day = _amz_date(now)[:8]
    access_key = "ASIA" + base64.b32encode(_derive(secret, "access", media_id)).decode()[:16]
    fields = {
        "key": key,
        "x-amz-algorithm": "AWS4-HMAC-SHA256",
        "x-amz-credential": f"{access_key}/{day}/{REGION}/s3/aws4_request",
        "x-amz-date": _amz_date(now),
        "x-amz-security-token": base64.b64encode(_derive(secret, "token", media_id) * 2).decode(),
    }
    expires_at = now + POLICY_SECONDS
    policy_doc = {
        "expiration": dt.datetime.fromtimestamp(expires_at, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "conditions": [{"bucket": BUCKET}, *({k: v} for k, v in fields.items()),
                       ["content-length-range", 1, MAX_UPLOAD_BYTES]],
    }
    policy = base64.b64encode(json.dumps(policy_doc, separators=(",", ":")).encode()).decode()
    conn.execute(sa.insert(media_uploads).values(
        id=media_id, owner_user_id=user_id, media_type=media_type, uploaded_at_ms=None, outcome=None,
        data={"key": key, "fields": fields, "policy": policy, "expires_at": expires_at},
        created_time=now, updated_time=now))
    return conn.execute(sa.select(media_uploads).where(media_uploads.c.id == media_id)).first()


def get(conn: sa.Connection, *, user_id: int, media_id: str | int) -> sa.Row:
    """A media upload of the user; anyone else's, or an unknown id, is 404."""
    row = conn.execute(sa.select(media_uploads).where(media_uploads.c.id == parse_id(media_id))).first()
    if row is None or row.owner_user_id != user_id:
        raise NotFound(f"{MEDIA_NOT_FOUND}: the user has no media upload {media_id} (media_id).", code=404)
    return row


def list_(conn: sa.Connection, *, user_id: int, page: PageParams, secret: bytes) -> tuple[list[sa.Row], str | None]:
    """The user's media uploads, newest first."""
    stmt = sa.select(media_uploads).where(media_uploads.c.owner_user_id == user_id)
    return paginate(conn, stmt, key=media_uploads.c.id, page=page, secret=secret,
                    fp=fingerprint("media/list", user=user_id), descending=True)


def usable_video(conn: sa.Connection, *, media_id: str, owner_ids: set[int], now: float,
                 field: str = "media_source.media_id") -> dict[str, Any]:
    """The video of a finished upload, for a video Pin: 400 code 1 if the upload is unknown (to these
    users), not uploaded or processed yet, or failed."""
    row = conn.execute(sa.select(media_uploads).where(media_uploads.c.id == parse_id(media_id))).first()
    if row is None or row.owner_user_id not in owner_ids:
        raise InvalidParameter(f"Invalid Pin parameters. Field '{field}': media upload {media_id} not found; "
                               "register and upload the video with POST /v5/media first.")
    state = status(row, now)
    if state == "registered":
        raise InvalidParameter(f"Invalid Pin parameters. Field '{field}': media upload {media_id} has no file yet "
                               "(status registered); upload the video to its upload_url, then wait for status "
                               "succeeded (GET /v5/media/{media_id}).")
    if state == "processing":
        raise InvalidParameter(f"Invalid Pin parameters. Field '{field}': media upload {media_id} is still being "
                               "processed (status processing); wait for status succeeded (GET /v5/media/"
                               "{media_id}).")
    if state == "failed":
        raise InvalidParameter(f"Invalid Pin parameters. Field '{field}': media upload {media_id} failed "
                               f"processing ({row.data.get('failure', 'not a usable video')}).")
    return {"media_id": str(row.id), **row.data["video"]}


# -- the upload target ----------------------------------------------------------------------------
class UploadRejected(Exception):
    """What S3 answers to a bad form POST: HTTP status, S3 error code, message (rendered as S3's XML)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class UploadedFile:
    stream: BinaryIO
    size: int
    md5: str
    sha256: str
    content_type: str | None


def _policy(policy: str) -> dict[str, Any]:
    try:
        doc = json.loads(base64.b64decode(policy, validate=True))
        assert isinstance(doc, dict) and isinstance(doc.get("conditions"), list)
        return doc
    except Exception:
        raise UploadRejected(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.") from None


def accept_upload(conn: sa.Connection, *, fields: dict[str, str], upload: UploadedFile | None, file_count: int,
                  now: float, secret: bytes) -> sa.Row:
    """Check the form as S3 checks a POST policy, then take the file: it is processed from `now` (sandbox
    clock, seconds) on."""
    form = {k.lower(): v for k, v in fields.items()}
    if "key" not in fields:
        raise UploadRejected(400, "InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is "
                                                     "specified, please check the order of the fields.")
    if "policy" not in form or "x-amz-signature" not in form:
        raise UploadRejected(403, "AccessDenied", "Access Denied: the form lacks the 'policy' or "
                                                  "'x-amz-signature' field of upload_parameters.")
    # bytes: compare_digest refuses str with non-ASCII characters
    if not hmac.compare_digest(sign(secret, form["policy"]).encode(), form["x-amz-signature"].encode()):
        raise UploadRejected(403, "SignatureDoesNotMatch", "The request signature we calculated does not match "
                                                           "the signature you provided. Check your key and "
                                                           "signing method.")
    doc = _policy(form["policy"])
    for condition in doc["conditions"]:
        if isinstance(condition, dict):
            for name, value in condition.items():
                if name == "bucket":
                    continue
                given = fields.get(name) if name == "key" else form.get(name.lower())
                if given != value:
                    raise UploadRejected(403, "AccessDenied", "Invalid according to Policy: Policy Condition "
                                                              f'failed: ["eq", "${name}", "{value}"]')
    try:
        expires = dt.datetime.strptime(doc["expiration"], "%Y-%m-%dT%H:%M:%S.000Z").replace(tzinfo=dt.timezone.utc)
    except (KeyError, ValueError):
        raise UploadRejected(400, "InvalidPolicyDocument", "Invalid Policy: Invalid 'expiration' value.") from None
    if now >= expires.timestamp():
        raise UploadRejected(403, "AccessDenied", "Invalid according to Policy: Policy expired.")
    if file_count != 1 or upload is None:
        raise UploadRejected(400, "IncorrectNumberOfFilesInPostRequest", "POST requires exactly one file upload "
                                                                         "per request.")
    if upload.size < 1:
        raise UploadRejected(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size")
    if upload.size > MAX_UPLOAD_BYTES:
        raise UploadRejected(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
    media_id = fields["key"].split(":")[2] if fields["key"].count(":") == 3 else ""
    row = conn.execute(sa.select(media_uploads).where(media_uploads.c.id == parse_id(media_id))).first() \
        if media_id.isdigit() and len(media_id) <= 18 else None
    if row is None or row.data.get("key") != fields["key"]:
        raise UploadRejected(403, "AccessDenied", "Access Denied: no media upload is registered under this key "
                                                  "(the sandbox was reset since?).")
    if row.uploaded_at_ms is not None:
        raise UploadRejected(403, "AccessDenied", f"Access Denied: the file of media upload {row.id} was already "
                                                  "received; register a new upload with POST /v5/media.")
    data = dict(row.data)
    data.update(size=upload.size, md5=upload.md5, sha256=upload.sha256, content_type=upload.content_type)
    try:
        info = probe.probe(upload.stream, upload.size)
        outcome = "succeeded"
        data["video"] = {"duration_ms": info.duration_ms, "width": info.width, "height": info.height,
                         "brand": info.brand}
    except probe.Unusable as exc:
        outcome = "failed"
        data["failure"] = str(exc)
    conn.execute(sa.update(media_uploads).where(media_uploads.c.id == row.id).values(
        uploaded_at_ms=int(now * 1000), outcome=outcome, data=data, updated_time=int(now)))
    return conn.execute(sa.select(media_uploads).where(media_uploads.c.id == row.id)).first()

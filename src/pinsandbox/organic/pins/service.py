"""Pins: create, get, list — media built from the media source, visibility by board privacy.

The sandbox never fetches URLs: image URLs are recorded and rendered as Pinterest-style `i.pinimg.com`
images derived from a hash of the source; base64 images are decoded and their header read (size,
broken image). Later organic operations (update, delete, save, analytics) extend this module.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from typing import Any
from urllib.parse import urlparse

import sqlalchemy as sa

from pinsandbox.ads.ads.tables import ads
from pinsandbox.core.access import NOT_PERMITTED
from pinsandbox.core.errors import ApiError, Forbidden, InvalidParameter, NotFound
from pinsandbox.core.ids import new_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate
from pinsandbox.organic.boards import service as boards_service
from pinsandbox.organic.boards.service import Viewer, iso
from pinsandbox.organic.boards.tables import boards
from pinsandbox.organic.pins.tables import pins

PIN_NOT_FOUND = "Pin not found."
INVALID_URL = "Whoops! It looks like you entered an invalid URL. Try creating a Pin again with a valid URL."
MIN_IMAGE_SIDE = 100  # ImageDetails: width and height are at least 100


# -- media ----------------------------------------------------------------------------------------
def _check_url(field: str, value: str | None) -> None:
    if value is None:
        return
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in value:
        raise InvalidParameter(f"{INVALID_URL} Field '{field}': {value[:80]!r} is not an http(s) URL.")


def _images(seed: str, width: int | None = None, height: int | None = None) -> dict[str, Any]:
    """The four renditions Pinterest serves. The original size is known for base64 images; for URLs
    (never fetched) the sandbox assumes Pinterest's recommended 2:3 portrait ratio."""
    digest = hashlib.md5(seed.encode()).hexdigest()
    path = f"{digest[0:2]}/{digest[2:4]}/{digest[4:6]}/{digest}.jpg"
    ratio = (height / width) if width and height else 1.5

    def fit(w: int) -> int:
        return max(MIN_IMAGE_SIDE, round(w * ratio))

    return {
        "150x150": {"width": 150, "height": 150, "url": f"https://i.pinimg.com/150x150/{path}"},
        "400x300": {"width": 400, "height": 300, "url": f"https://i.pinimg.com/400x300/{path}"},
        "600x": {"width": 600, "height": fit(600), "url": f"https://i.pinimg.com/600x/{path}"},
        "1200x": {"width": 1200, "height": fit(1200), "url": f"https://i.pinimg.com/1200x/{path}"},
    }


def _image_size(raw: bytes, content_type: str) -> tuple[int, int] | None:
    """(width, height) from a PNG or JPEG header, or None if the bytes are not that kind of image."""
    if content_type == "image/png":
        if raw[:8] != b"\x89PNG\r\n\x1a\n" or len(raw) < 24 or raw[12:16] != b"IHDR":
            return None
        return struct.unpack(">II", raw[16:24])
    if raw[:2] != b"\xff\xd8":
        return None
    i = 2
    while i + 9 < len(raw):
        if raw[i] != 0xFF:
            return None
        marker = raw[i + 1]
        length = struct.unpack(">H", raw[i + 2:i + 4])[0]
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", raw[i + 5:i + 9])
            return width, height
        i += 2 + length
    return None


def _decode_image(field: str, data: str, content_type: str) -> tuple[str, int, int]:
    """Decode a base64 image: 403 code 235 if broken, 403 code 233 if too small; (seed, width, height)."""
    try:
        raw = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameter(f"Invalid field '{field}': not valid base64 data.") from None
    size = _image_size(raw, content_type)
    if size is None:
        raise ApiError(f"Sorry, this image is broken. Please pick a different image. Field '{field}' does not "
                       f"hold a {content_type} image.", status=403, code=235)
    width, height = size
    if width < MIN_IMAGE_SIDE or height < MIN_IMAGE_SIDE:
        raise ApiError(f"Your image is too small. Please choose a larger image and try again. Field '{field}' "
                       f"is {width}x{height}; each side must be at least {MIN_IMAGE_SIDE} pixels.",
                       status=403, code=233)
    return hashlib.sha256(raw).hexdigest(), width, height


def _dominant_color(seed: str) -> str:
    return "#" + hashlib.sha1(seed.encode()).hexdigest()[:6].upper()


def build_media(source: Any, *, link: str | None) -> tuple[str, dict[str, Any], str, bool]:
    """(creative_type, media, seed for the dominant color, is_standard) for one PinMediaSource."""
    kind = source.source_type
    if kind == "image_url":
        _check_url("media_source.url", source.url)
        return "REGULAR", {"media_type": "image", "images": _images(source.url)}, source.url, source.is_standard
    if kind == "image_base64":
        seed, w, h = _decode_image("media_source.data", source.data, source.content_type)
        return "REGULAR", {"media_type": "image", "images": _images(seed, w, h)}, seed, source.is_standard
    if kind in ("multiple_image_urls", "multiple_image_base64"):
        if source.index is not None and source.index >= len(source.items):
            raise InvalidParameter(f"Invalid field 'media_source.index': {source.index} is out of range for "
                                   f"{len(source.items)} items.")
        items = []
        for n, item in enumerate(source.items):
            _check_url(f"media_source.items[{n}].link", item.link)
            if kind == "multiple_image_urls":
                _check_url(f"media_source.items[{n}].url", item.url)
                images = _images(item.url)
            else:
                seed, w, h = _decode_image(f"media_source.items[{n}].data", item.data, item.content_type)
                images = _images(seed, w, h)
            items.append({"item_type": "image", "title": item.title, "description": item.description,
                          "link": item.link, "images": images})
        return "CAROUSEL", {"media_type": "multiple_images", "items": items}, str(items[0]["images"]), True
    if kind == "video_id":
        # Videos are registered and uploaded with media/create before a Pin can use them; that
        # operation is not served by the sandbox yet, so no media_id can be a finished upload.
        raise InvalidParameter(f"Invalid field 'media_source.media_id': media upload {source.media_id} not found. "
                               "Register and upload the video with POST /v5/media first (video uploads are not "
                               "available in this sandbox yet).")
    # pin_url: a product Pin made from the page at `link` (the sandbox does not fetch it)
    if not link:
        raise InvalidParameter("Field 'link' is required when media_source.source_type is 'pin_url'.")
    return "REGULAR", {"media_type": "image", "images": _images(link)}, link, True


# -- visibility -----------------------------------------------------------------------------------
def _board_of(conn: sa.Connection, pin: sa.Row) -> sa.Row | None:
    if pin.board_id is None:
        return None
    return conn.execute(sa.select(boards).where(boards.c.id == pin.board_id)).first()


def check_visible(conn: sa.Connection, pin: sa.Row, *, viewer: Viewer) -> None:
    """Anyone sees Pins on public boards; the owner also sees protected ones, and secret ones with
    pins:read_secret or boards:read_secret (through an ad account: Owner or Admin role)."""
    board = _board_of(conn, pin)
    privacy = board.privacy if board is not None else "PUBLIC"
    if privacy == "PUBLIC":
        return
    if pin.owner_user_id != viewer.user_id:
        raise Forbidden(f"Not authorized to access board or Pin. {NOT_PERMITTED} Pin {pin.id} is on another "
                        f"user's {privacy.lower()} board.", code=29)
    if privacy == "SECRET" and not viewer.can_read_secret_pins:
        raise viewer.secret_denied(f"Pin {pin.id} is on a secret board; reading it", "pins:read_secret",
                                   "boards:read_secret")


def get(conn: sa.Connection, *, viewer: Viewer, pin_id: str | int) -> sa.Row:
    row = None
    if str(pin_id).isdigit() and len(str(pin_id)) <= 18:
        row = conn.execute(sa.select(pins).where(pins.c.id == int(pin_id))).first()
    if row is None:
        raise NotFound(f"{PIN_NOT_FOUND} No Pin {pin_id} exists (pin_id).", code=50)
    check_visible(conn, row, viewer=viewer)
    return row


def promoted(conn: sa.Connection, pin_id: int) -> bool:
    return conn.execute(sa.select(ads.c.id).where(ads.c.pin_id == pin_id).limit(1)).first() is not None


# -- rendering ------------------------------------------------------------------------------------
def render(conn: sa.Connection, row: sa.Row, *, viewer: Viewer) -> dict[str, Any]:
    data = row.data or {}
    board = _board_of(conn, row)
    board_owner = boards_service.username(conn, board.owner_user_id if board is not None else row.owner_user_id)
    return {
        "id": str(row.id),
        "created_at": iso(row.created_time),
        "link": data.get("link"),
        "title": data.get("title"),
        "description": data.get("description"),
        "dominant_color": data.get("dominant_color"),
        "alt_text": data.get("alt_text"),
        "creative_type": data.get("creative_type"),
        "board_id": str(row.board_id) if row.board_id is not None else "",
        "board_section_id": str(row.board_section_id) if row.board_section_id is not None else None,
        "board_owner": {"username": board_owner},
        "is_owner": row.owner_user_id == viewer.user_id,
        "media": data.get("media") or {"media_type": "image"},
        "parent_pin_id": data.get("parent_pin_id"),
        "is_standard": data.get("is_standard", True),
        "has_been_promoted": promoted(conn, row.id),
        "note": data.get("note") if row.owner_user_id == viewer.user_id else None,  # notes are private
        # pin_metrics=true is accepted but not computed yet (organic analytics is a later domain): null.
        "pin_metrics": None,
    }


# -- rules ----------------------------------------------------------------------------------------
def create(conn: sa.Connection, *, viewer: Viewer, body: Any, now: int) -> sa.Row:
    """Create a Pin on a board of the operation user_account (`body` is a validated PinCreate)."""
    board = boards_service.get_owned(conn, viewer=viewer, board_id=body.board_id, action="Pins can be created")
    if board.privacy == "SECRET":
        if not ({"pins:write_secret", "boards:write_secret"} & viewer.scopes) or not viewer.secret_role:
            raise viewer.secret_denied(f"Creating a Pin on secret board {board.id}", "pins:write_secret",
                                       "boards:write_secret")
    if body.board_section_id is not None:
        # Board sections are not modelled yet, so no section can belong to this board.
        raise NotFound(f"Sorry! We couldn't find this board section. Board {board.id} has no section "
                       f"{body.board_section_id} (board_section_id).", code=2031)
    _check_url("link", body.link)
    parent = None
    if body.parent_pin_id is not None:
        parent = conn.execute(sa.select(pins).where(pins.c.id == int(body.parent_pin_id))).first()
        if parent is None:
            raise NotFound(f"{PIN_NOT_FOUND} The parent_pin_id {body.parent_pin_id} does not exist.", code=50)
        check_visible(conn, parent, viewer=viewer)
    if body.media_source is not None:
        creative_type, media, seed, is_standard = build_media(body.media_source, link=body.link)
    elif parent is not None:
        creative_type, media = parent.data.get("creative_type"), parent.data.get("media")
        seed, is_standard = str(parent.id), parent.data.get("is_standard", True)
    else:
        raise InvalidParameter("Field 'media_source' is required (or 'parent_pin_id' to save an existing Pin).")
    pin_id = new_id()
    data = {
        "link": body.link, "title": body.title, "description": body.description,
        "dominant_color": body.dominant_color or (parent.data.get("dominant_color") if parent is not None and
                                                  body.media_source is None else _dominant_color(seed)),
        "alt_text": body.alt_text, "creative_type": creative_type, "media": media,
        "parent_pin_id": body.parent_pin_id, "is_standard": is_standard, "note": body.note,
    }
    if body.media_source is not None and body.media_source.source_type == "pin_url":
        data["is_affiliate_link"] = body.media_source.is_affiliate_link
    conn.execute(sa.insert(pins).values(id=pin_id, owner_user_id=viewer.user_id, board_id=board.id,
                                        board_section_id=None, data=data, created_time=now, updated_time=now))
    boards_service.touch_pins_modified(conn, board=board, now=now)
    return conn.execute(sa.select(pins).where(pins.c.id == pin_id)).first()


def list_(conn: sa.Connection, *, viewer: Viewer, pin_filter: str | None, include_protected_pins: bool,
          pin_type: str | None, creative_types: list[str] | None, page: PageParams, secret: bytes
          ) -> tuple[list[sa.Row], str | None]:
    """The operation user's Pins, newest first."""
    if pin_type == "PRIVATE" and not viewer.can_read_secret_pins:
        raise viewer.secret_denied("Listing PRIVATE Pins", "pins:read_secret", "boards:read_secret")
    privacies = ["PUBLIC"]
    if include_protected_pins:
        privacies.append("PROTECTED")
    if viewer.can_read_secret_pins:
        privacies.append("SECRET")
    if pin_type == "PRIVATE":
        privacies = ["SECRET"]
    board_privacy = sa.select(boards.c.id).where(boards.c.privacy.in_(privacies))
    stmt = sa.select(pins).where(pins.c.owner_user_id == viewer.user_id, pins.c.board_id.in_(board_privacy))
    parent = pins.c.data["parent_pin_id"].as_string()
    if pin_filter == "exclude_native":
        stmt = stmt.where(parent.is_not(None))
    elif pin_filter == "exclude_repins":
        stmt = stmt.where(parent.is_(None))
    elif pin_filter == "has_been_promoted":
        stmt = stmt.where(pins.c.id.in_(sa.select(ads.c.pin_id).where(ads.c.pin_id.is_not(None))))
    if creative_types:
        stmt = stmt.where(pins.c.data["creative_type"].as_string().in_(creative_types))
    fp = fingerprint("pins/list", user=viewer.user_id, filter=pin_filter, protected=include_protected_pins,
                     type=pin_type, creative=sorted(creative_types or []))
    return paginate(conn, stmt, key=pins.c.id, page=page, secret=secret, fp=fp, descending=True)

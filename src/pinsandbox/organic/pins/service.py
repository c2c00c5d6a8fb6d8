"""Pins: create, get, list, update, delete, save — media built from the media source, visibility by
board privacy, group boards and scopes.

The sandbox never fetches URLs: image URLs are recorded and rendered as Pinterest-style `i.pinimg.com`
images derived from a hash of the source; base64 images are decoded and their header read (size,
broken image); a video comes from a finished media upload (organic/media). A Pin on a protected or
secret board needs pins:read_secret or boards:read_secret to be seen and pins:write_secret or
boards:write_secret to be changed. Rules where the spec is silent: docs/organic.md.
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
from pinsandbox.core.ids import new_id, parse_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate
from pinsandbox.organic.boards import service as boards_service
from pinsandbox.organic.boards.service import Viewer, iso
from pinsandbox.organic.boards.tables import boards
from pinsandbox.organic.media import service as media_service
from pinsandbox.organic.pins.tables import pins
from pinsandbox.organic.sections import service as sections_service

PIN_NOT_FOUND = "Pin not found."
INVALID_URL = "Whoops! It looks like you entered an invalid URL. Try creating a Pin again with a valid URL."
MIN_IMAGE_SIDE = 100  # ImageDetails: width and height are at least 100
PIN_READ_SECRET = ("pins:read_secret", "boards:read_secret")
PIN_WRITE_SECRET = ("pins:write_secret", "boards:write_secret")
SAVE_DENIED = "Not authorized to access Board or Pin."


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


def _video(conn: sa.Connection, source: Any, *, viewer: Viewer, now: float) -> dict[str, Any]:
    """Video Pin media from a finished upload and a cover image (URL or base64)."""
    video = media_service.usable_video(conn, media_id=source.media_id, owner_ids={viewer.user_id,
                                                                                  viewer.token_user_id}, now=now)
    if source.cover_image_url is not None:
        _check_url("media_source.cover_image_url", source.cover_image_url)
        seed, w, h = source.cover_image_url, video["width"], video["height"]
    elif source.cover_image_data is not None:
        if source.cover_image_content_type is None:
            raise InvalidParameter("Field 'media_source.cover_image_content_type' is required with "
                                   "media_source.cover_image_data.")
        seed, w, h = _decode_image("media_source.cover_image_data", source.cover_image_data,
                                   source.cover_image_content_type)
    else:
        raise InvalidParameter("Invalid Pin parameters. A video Pin needs a cover image: give "
                               "'media_source.cover_image_url' or 'media_source.cover_image_data'.")
    digest = hashlib.md5(f"{video['media_id']}:{seed}".encode()).hexdigest()
    return {
        "media_type": "video",
        "images": _images(seed, w, h),
        "cover_image_url": f"https://i.pinimg.com/videos/thumbnails/originals/{digest[0:2]}/{digest[2:4]}/"
                           f"{digest[4:6]}/{digest}.0000000.jpg",
        "video_url": None,  # "limited and not available to all apps"
        "duration": video["duration_ms"],
        "height": video["height"],
        "width": video["width"],
        "media_id": video["media_id"],  # kept for the record, not rendered
    }


def build_media(conn: sa.Connection, source: Any, *, link: str | None, viewer: Viewer, now: float
                ) -> tuple[str, dict[str, Any], str, bool]:
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
        media = _video(conn, source, viewer=viewer, now=now)
        return "VIDEO", media, media["cover_image_url"], source.is_standard
    # pin_url: "media source for product pin creation" (PinMediaSourcePinURL) — a product Pin made from
    # the page at `link`, whose image the sandbox derives from the URL (it fetches nothing). Its creative
    # type is SHOPPING, the product Pin type of the spec's Pin creative types (pins/list's filter).
    if not link:
        raise InvalidParameter("Field 'link' is required when media_source.source_type is 'pin_url'.")
    return "SHOPPING", {"media_type": "image", "images": _images(link)}, link, True


# -- visibility -----------------------------------------------------------------------------------
def _board_of(conn: sa.Connection, pin: sa.Row) -> sa.Row | None:
    if pin.board_id is None:
        return None
    return conn.execute(sa.select(boards).where(boards.c.id == pin.board_id)).first()


def _is_member(conn: sa.Connection, pin: sa.Row, board: sa.Row | None, viewer: Viewer) -> bool:
    """The Pin's owner, or the owner or a collaborator of the (group) board it is on."""
    if pin.owner_user_id == viewer.user_id:
        return True
    return board is not None and boards_service.role_of(conn, board, viewer.user_id) is not None


def check_visible(conn: sa.Connection, pin: sa.Row, *, viewer: Viewer) -> None:
    """Anyone sees Pins on public boards; the owner (and on a group board its members) also sees
    protected and secret ones with pins:read_secret or boards:read_secret (secret ones through an ad
    account: Owner or Admin role)."""
    board = _board_of(conn, pin)
    privacy = board.privacy if board is not None else "PUBLIC"
    if privacy == "PUBLIC":
        return
    if not _is_member(conn, pin, board, viewer):
        raise Forbidden(f"Not authorized to access board or Pin. {NOT_PERMITTED} Pin {pin.id} is on another "
                        f"user's {privacy.lower()} board.", code=29)
    if not viewer.may(privacy, PIN_READ_SECRET):
        raise viewer.denied(privacy, f"Pin {pin.id} is on a {privacy.lower()} board; reading it", *PIN_READ_SECRET)


def _check_secret_write(board: sa.Row | None, *, viewer: Viewer, what: str) -> None:
    if board is not None and not viewer.may(board.privacy, PIN_WRITE_SECRET):
        raise viewer.denied(board.privacy, f"{what} ({board.privacy.lower()} board {board.id})", *PIN_WRITE_SECRET)


def load(conn: sa.Connection, pin_id: str | int) -> sa.Row | None:
    if not (str(pin_id).isdigit() and len(str(pin_id)) <= 18):
        return None
    return conn.execute(sa.select(pins).where(pins.c.id == parse_id(pin_id))).first()


def get(conn: sa.Connection, *, viewer: Viewer, pin_id: str | int) -> sa.Row:
    row = load(conn, pin_id)
    if row is None:
        raise NotFound(f"{PIN_NOT_FOUND} No Pin {pin_id} exists (pin_id).", code=50)
    check_visible(conn, row, viewer=viewer)
    return row


def promoted(conn: sa.Connection, pin_id: int) -> bool:
    return conn.execute(sa.select(ads.c.id).where(ads.c.pin_id == pin_id).limit(1)).first() is not None


# -- rendering ------------------------------------------------------------------------------------
def public_media(media: dict[str, Any] | None) -> dict[str, Any]:
    """A Pin's stored media as responses show it: without the upload's `media_id` (no Pin schema has it)."""
    if not media:
        return {"media_type": "image"}
    return {k: v for k, v in media.items() if k != "media_id"}


def render(conn: sa.Connection, row: sa.Row, *, viewer: Viewer,
           metrics: dict[str, Any] | None = None) -> dict[str, Any]:
    """The Pin as the API shows it to `viewer`; `metrics` is its pin_metrics object (null unless asked)."""
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
        "media": public_media(data.get("media")),
        "parent_pin_id": data.get("parent_pin_id"),
        "is_standard": data.get("is_standard", True),
        "has_been_promoted": promoted(conn, row.id),
        "note": data.get("note") if row.owner_user_id == viewer.user_id else None,  # notes are private
        "pin_metrics": metrics,
    }


# -- rules ----------------------------------------------------------------------------------------
def _target(conn: sa.Connection, *, viewer: Viewer, board_id: str | None, section_id: str | None, denied: str
            ) -> tuple[sa.Row, sa.Row | None]:
    """The board (owned, or a group board shared with the user) and section a Pin goes to.

    Without board_id the section's board is taken. 404 code 40 / 2031 if unknown, 403 code 29 if the
    user may not save there, 401 code 3 on a secret board without a secret write scope."""
    if board_id is None:
        if section_id is None:
            raise InvalidParameter("Field 'board_id' is required (or 'board_section_id' to save into a section).")
        section = sections_service.find(conn, section_id)
        board_id = str(section.board_id)
    board = boards_service.get_for_write(conn, viewer=viewer, board_id=board_id, denied=denied, collaborators=True,
                                         secret_scopes=PIN_WRITE_SECRET)
    section = None
    if section_id is not None:
        section = sections_service.load(conn, board_id=board.id, section_id=section_id, field="board_section_id")
    return board, section


def create(conn: sa.Connection, *, viewer: Viewer, body: Any, now: float) -> sa.Row:
    """Create a Pin on a board (or section) of the operation user_account, or on a group board shared
    with it (`body` is a validated PinCreate; `now` the sandbox clock, in seconds)."""
    board, section = _target(conn, viewer=viewer, board_id=body.board_id, section_id=body.board_section_id,
                             denied=SAVE_DENIED)
    _check_url("link", body.link)
    parent = None
    if body.parent_pin_id is not None:
        parent = load(conn, body.parent_pin_id)
        if parent is None:
            raise NotFound(f"{PIN_NOT_FOUND} The parent_pin_id {body.parent_pin_id} does not exist.", code=50)
        check_visible(conn, parent, viewer=viewer)
    if body.media_source is not None:
        creative_type, media, seed, is_standard = build_media(conn, body.media_source, link=body.link,
                                                              viewer=viewer, now=now)
    elif parent is not None:
        creative_type, media = parent.data.get("creative_type"), parent.data.get("media")
        seed, is_standard = str(parent.id), parent.data.get("is_standard", True)
    else:
        raise InvalidParameter("Field 'media_source' is required (or 'parent_pin_id' to save an existing Pin).")
    data = {
        "link": body.link, "title": body.title, "description": body.description,
        "dominant_color": body.dominant_color or (parent.data.get("dominant_color") if parent is not None and
                                                  body.media_source is None else _dominant_color(seed)),
        "alt_text": body.alt_text, "creative_type": creative_type, "media": media,
        "parent_pin_id": body.parent_pin_id, "is_standard": is_standard, "note": body.note,
    }
    if body.media_source is not None and body.media_source.source_type == "pin_url":
        data["is_affiliate_link"] = body.media_source.is_affiliate_link
    return _insert(conn, owner_user_id=viewer.user_id, board=board, section=section, data=data, now=int(now))


def _insert(conn: sa.Connection, *, owner_user_id: int, board: sa.Row, section: sa.Row | None,
            data: dict[str, Any], now: int) -> sa.Row:
    pin_id = new_id()
    conn.execute(sa.insert(pins).values(id=pin_id, owner_user_id=owner_user_id, board_id=board.id,
                                        board_section_id=section.id if section is not None else None,
                                        data=data, created_time=now, updated_time=now))
    boards_service.touch_pins_modified(conn, board=board, now=now)
    return load(conn, pin_id)


def save(conn: sa.Connection, *, viewer: Viewer, pin_id: str, board_id: str | None, section_id: str | None,
         now: int) -> sa.Row:
    """pins/save: a new Pin of the operation user_account with the saved Pin's content, on their board
    (or section); its parent_pin_id is the saved Pin. Any Pin the user may see can be saved."""
    source = get(conn, viewer=viewer, pin_id=pin_id)
    board, section = _target(conn, viewer=viewer, board_id=board_id, section_id=section_id, denied=SAVE_DENIED)
    src = source.data or {}
    data = {k: src.get(k) for k in ("link", "title", "description", "dominant_color", "alt_text", "creative_type",
                                    "media", "is_standard")}
    data.update(parent_pin_id=str(source.id), note=None)
    return _insert(conn, owner_user_id=viewer.user_id, board=board, section=section, data=data, now=now)


def update(conn: sa.Connection, *, viewer: Viewer, pin_id: str, fields: dict[str, Any], now: int) -> sa.Row:
    """pins/update: the Pin's owner changes its text fields, moves it to another board or section, or
    edits the slots of a carousel. Only the fields sent change; null clears a text field."""
    row = get(conn, viewer=viewer, pin_id=pin_id)
    if row.owner_user_id != viewer.user_id:
        raise Forbidden(f"Not authorized to update Pin. {NOT_PERMITTED} Pin {row.id} belongs to another user.",
                        code=29)
    board = _board_of(conn, row)
    _check_secret_write(board, viewer=viewer, what=f"Updating Pin {row.id}")
    data = dict(row.data or {})
    target, section_id = board, row.board_section_id
    new_board = fields.get("board_id")
    if new_board is not None and (board is None or int(new_board) != board.id):
        target, _ = _target(conn, viewer=viewer, board_id=new_board, section_id=None,
                            denied="Not authorized to update Pin.")
        section_id = None
    if "board_section_id" in fields:
        if fields["board_section_id"] is None:
            section_id = None
        else:
            section_id = sections_service.load(conn, board_id=target.id, section_id=fields["board_section_id"],
                                               field="board_section_id").id
    if "link" in fields:
        _check_url("link", fields["link"])
    for name in ("title", "description", "link", "alt_text", "note"):
        if name in fields:
            data[name] = fields[name]
    if fields.get("carousel_slots") is not None:
        data["media"] = _update_slots(row, data.get("media") or {}, fields["carousel_slots"])
    conn.execute(sa.update(pins).where(pins.c.id == row.id).values(
        board_id=target.id, board_section_id=section_id, data=data, updated_time=now))
    if target is not board:
        boards_service.touch_pins_modified(conn, board=target, now=now)
        if board is not None:
            boards_service.touch_pins_modified(conn, board=board.id, now=now)
    return load(conn, row.id)


def _update_slots(row: sa.Row, media: dict[str, Any], slots: list[dict[str, Any]]) -> dict[str, Any]:
    items = media.get("items")
    if media.get("media_type") != "multiple_images" or not items:
        raise InvalidParameter(f"Invalid field 'carousel_slots': Pin {row.id} is not a carousel Pin.")
    if len(slots) > len(items):
        raise InvalidParameter(f"Invalid field 'carousel_slots': Pin {row.id} has {len(items)} slots, "
                               f"{len(slots)} were given.")
    items = [dict(i) for i in items]
    for n, slot in enumerate(slots):
        if "link" in slot:
            _check_url(f"carousel_slots[{n}].link", slot["link"])
        for key in ("title", "description", "link"):
            if key in slot:
                items[n][key] = slot[key]
    return {**media, "items": items}


def delete(conn: sa.Connection, *, viewer: Viewer, pin_id: str, now: int) -> None:
    """pins/delete: the Pin's owner, or a member of the group board it is on, deletes it."""
    row = get(conn, viewer=viewer, pin_id=pin_id)
    board = _board_of(conn, row)
    if not _is_member(conn, row, board, viewer):
        raise Forbidden(f"Not authorized to access board or Pin. {NOT_PERMITTED} Pin {row.id} belongs to another "
                        "user and is not on a board shared with this user.", code=29)
    _check_secret_write(board, viewer=viewer, what=f"Deleting Pin {row.id}")
    conn.execute(sa.delete(pins).where(pins.c.id == row.id))
    if board is not None:
        boards_service.touch_pins_modified(conn, board=board, now=now)


def list_(conn: sa.Connection, *, viewer: Viewer, pin_filter: str | None, include_protected_pins: bool,
          pin_type: str | None, creative_types: list[str] | None, page: PageParams, secret: bytes
          ) -> tuple[list[sa.Row], str | None]:
    """The operation user's Pins (wherever the board), newest first: on public boards, on protected ones
    with include_protected_pins (which needs pins:read_secret or boards:read_secret, as asking for
    PRIVATE Pins does), on secret ones when the token may read them."""
    if pin_type == "PRIVATE" and not viewer.can_read_secret_pins:
        raise viewer.secret_denied("Listing PRIVATE Pins", *PIN_READ_SECRET)
    if include_protected_pins and not viewer.may("PROTECTED", PIN_READ_SECRET):
        raise viewer.denied("PROTECTED", "Listing Pins with include_protected_pins=true", *PIN_READ_SECRET)
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


def list_on_board(conn: sa.Connection, *, viewer: Viewer, board_id: str, section_id: str | None = None,
                  creative_types: list[str] | None = None, page: PageParams, secret: bytes
                  ) -> tuple[list[sa.Row], str | None]:
    """The Pins on a board the viewer may see (everyone's, on a group board), or on one of its
    sections, newest first."""
    board = boards_service.get(conn, viewer=viewer, board_id=board_id)
    stmt = sa.select(pins).where(pins.c.board_id == board.id)
    section = None
    if section_id is not None:
        section = sections_service.load(conn, board_id=board.id, section_id=section_id)
        stmt = stmt.where(pins.c.board_section_id == section.id)
    if not viewer.may(board.privacy, PIN_READ_SECRET):
        raise viewer.denied(board.privacy, f"Listing the Pins of {board.privacy.lower()} board {board.id}",
                            *PIN_READ_SECRET)
    if creative_types:
        stmt = stmt.where(pins.c.data["creative_type"].as_string().in_(creative_types))
    fp = fingerprint("boards/list_pins", board=board.id, section=section.id if section is not None else None,
                     creative=sorted(creative_types or []))
    return paginate(conn, stmt, key=pins.c.id, page=page, secret=secret, fp=fp, descending=True)

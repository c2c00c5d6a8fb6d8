"""Ads (Pinterest's "pin promotions"): list, get, and batch create / update with per-item exceptions.

Each item of a batch is validated and checked on its own; a failing item becomes
`{"data": null, "exceptions": [{code, message}]}` and the others are written (HTTP 200).

Review: Pinterest reviews a new or edited ad asynchronously (review_status PENDING, then APPROVED or
REJECTED). The sandbox approves at once, so `review_status` is APPROVED, `rejected_reasons` and
`rejection_labels` are empty, and `summary_status` follows the status (ACTIVE ads show APPROVED).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlparse

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError

from pinsandbox.ads.ad_groups.tables import ad_groups
from pinsandbox.ads.ads.schemas import AdCreateRequest, AdUpdateRequest
from pinsandbox.ads.ads.tables import ads
from pinsandbox.ads.campaigns.tables import campaigns
from pinsandbox.core.access import NOT_PERMITTED
from pinsandbox.core.errors import ApiError, Forbidden, InvalidParameter, NotFound, validation_message
from pinsandbox.core.ids import new_id, parse_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate
from pinsandbox.organic.boards.tables import boards
from pinsandbox.organic.pins.tables import pins

UNKNOWN_ENTITY = 1012  # Pinterest: "Request contains invalid gids ..." for an entity not in the account
PIN_NOT_FOUND = 50
MAX_TRACKING_URLS = 3  # per event type
CREATE_STATUSES = ("ACTIVE", "PAUSED", "DRAFT")
DEFAULT_LIST_STATUSES = ("ACTIVE", "PAUSED")
# creative types that need a particular kind of Pin (media_type of the Pin)
PIN_MEDIA_FOR = {"REGULAR": ("image",), "VIDEO": ("video",), "MAX_VIDEO": ("video",),
                 "CAROUSEL": ("multiple_images",)}
_FIELDS = ("android_deep_link", "carousel_android_deep_links", "carousel_destination_urls", "carousel_ios_deep_links",
           "click_tracking_url", "destination_url", "ios_deep_link", "name", "tracking_urls", "view_tracking_url",
           "lead_form_id", "grid_click_type", "customizable_cta_type", "quiz_pin_data")


# -- rendering ------------------------------------------------------------------------------------
def summary_status(status: str, review_status: str) -> str:
    return review_status if status == "ACTIVE" else status


def render(conn: sa.Connection, row: sa.Row) -> dict[str, Any]:
    data = row.data or {}
    pin_exists = row.pin_id is not None and conn.execute(
        sa.select(pins.c.id).where(pins.c.id == row.pin_id)).first() is not None
    review = data.get("review_status", "APPROVED")
    out = {
        "id": str(row.id), "ad_account_id": str(row.ad_account_id), "campaign_id": str(row.campaign_id),
        "ad_group_id": str(row.ad_group_id), "pin_id": str(row.pin_id) if row.pin_id is not None else "",
        **{f: data.get(f) for f in _FIELDS},
        "collection_items_destination_url_template": data.get("collection_items_destination_url_template"),
        "creative_type": data["creative_type"],
        "is_pin_deleted": not pin_exists, "is_removable": False,
        "status": row.status, "created_time": row.created_time, "updated_time": row.updated_time,
        "rejected_reasons": data.get("rejected_reasons", []), "rejection_labels": data.get("rejection_labels", []),
        "review_status": review, "type": "pinpromotion", "summary_status": summary_status(row.status, review),
    }
    return out


def element(data: dict[str, Any] | None = None, error: ApiError | None = None) -> dict[str, Any]:
    """One item of an AdArrayResponse.

    The 5.12 spec types AdArrayResponseElement.exceptions as a single Exception object (unlike the
    campaign and ad group responses, which carry a list) and `data` as a non-nullable AdResponse.
    A failed item is therefore `{"data": {}, "exceptions": {"code", "message"}}`; a successful one
    is `{"data": {...}}` with no `exceptions` key.
    """
    if error is not None:
        return {"data": {}, "exceptions": {"code": error.code, "message": error.message}}
    return {"data": data}


def _stored(item: BaseModel, fields: set[str]) -> dict[str, Any]:
    """The fields of a request item as stored: tracking_urls keeps only the event types given."""
    data = item.model_dump(mode="json", include=fields)
    if data.get("tracking_urls") is not None:
        data["tracking_urls"] = {k: v for k, v in data["tracking_urls"].items() if v is not None}
    return data


# -- reads ----------------------------------------------------------------------------------------
def get(conn: sa.Connection, *, ad_account_id: int, ad_id: str | int) -> sa.Row:
    row = conn.execute(sa.select(ads).where(ads.c.id == parse_id(ad_id), ads.c.ad_account_id == ad_account_id)).first()
    if row is None:
        raise NotFound(f"Ad {ad_id} not found in ad account {ad_account_id} (ad_id). Request contains invalid "
                       "gids, method GetPinPromotionsByIds.", code=UNKNOWN_ENTITY)
    return row


def list_(conn: sa.Connection, *, ad_account_id: int, campaign_ids: list[int] | None, ad_group_ids: list[int] | None,
          ad_ids: list[int] | None, entity_statuses: list[str] | None, order: str | None, page: PageParams,
          secret: bytes) -> tuple[list[sa.Row], str | None]:
    given = [n for n, v in (("campaign_ids", campaign_ids), ("ad_group_ids", ad_group_ids), ("ad_ids", ad_ids))
             if v is not None]
    if len(given) > 1:
        raise InvalidParameter(f"Invalid ad account ads parameters: provide only one of campaign_ids, ad_group_ids "
                               f"or ad_ids (got {' and '.join(given)}).")
    statuses = sorted(set(entity_statuses or DEFAULT_LIST_STATUSES))
    stmt = sa.select(ads).where(ads.c.ad_account_id == ad_account_id, ads.c.status.in_(statuses))
    if campaign_ids is not None:
        stmt = stmt.where(ads.c.campaign_id.in_(campaign_ids))
    if ad_group_ids is not None:
        stmt = stmt.where(ads.c.ad_group_id.in_(ad_group_ids))
    if ad_ids is not None:
        stmt = stmt.where(ads.c.id.in_(ad_ids))
    fp = fingerprint("ads/list", account=ad_account_id, campaigns=sorted(campaign_ids or []),
                     groups=sorted(ad_group_ids or []), ids=sorted(ad_ids or []), statuses=statuses, order=order)
    return paginate(conn, stmt, key=ads.c.id, page=page, secret=secret, fp=fp, descending=order == "DESCENDING")


# -- item rules -----------------------------------------------------------------------------------
def _url(field: str, value: str | None) -> None:
    if value is None:
        return
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc or " " in value:
        raise InvalidParameter(f"Invalid '{field}': {value[:80]!r} is not a valid http(s) URL.")


def _check_links(item: BaseModel, creative_type: str) -> None:
    for field in ("android_deep_link", "ios_deep_link"):
        if getattr(item, field) is not None:
            raise InvalidParameter(f"Invalid '{field}': deep links are not currently available for ads.")
    for field in ("destination_url", "click_tracking_url", "view_tracking_url"):
        _url(field, getattr(item, field))
    if item.tracking_urls is not None:
        for kind, urls in item.tracking_urls.model_dump(exclude_none=True).items():
            if len(urls) > MAX_TRACKING_URLS:
                raise InvalidParameter(f"Invalid 'tracking_urls.{kind}': at most {MAX_TRACKING_URLS} URLs are "
                                       f"allowed, got {len(urls)}.")
            for url in urls:
                _url(f"tracking_urls.{kind}", url)
    for field in ("carousel_destination_urls", "carousel_android_deep_links", "carousel_ios_deep_links"):
        values = getattr(item, field)
        if values and creative_type != "CAROUSEL":
            raise InvalidParameter(f"Invalid '{field}': only CAROUSEL ads take it (creative_type is {creative_type}).")
    for url in item.carousel_destination_urls or []:
        _url("carousel_destination_urls", url)
    if creative_type == "QUIZ" and not item.quiz_pin_data:
        raise InvalidParameter("Invalid 'quiz_pin_data': a QUIZ ad needs quiz_pin_data.")


def _ad_group(conn: sa.Connection, *, ad_account_id: int, ref: str) -> sa.Row:
    group_id = parse_id(ref, "AG")
    row = conn.execute(sa.select(ad_groups).where(ad_groups.c.id == group_id,
                                                  ad_groups.c.ad_account_id == ad_account_id)).first()
    if row is None:
        raise NotFound(f"Invalid 'ad_group_id': ad group {ref} not found in ad account {ad_account_id}.",
                       code=UNKNOWN_ENTITY)
    return row


def _pin(conn: sa.Connection, *, pin_id: str, owner_user_id: int) -> sa.Row:
    """The Pin to promote: it must exist, and be the account owner's or on a public board."""
    row = conn.execute(sa.select(pins).where(pins.c.id == parse_id(pin_id))).first()
    if row is None:
        raise NotFound(f"Pin not found. Invalid 'pin_id': Pin {pin_id} does not exist.", code=PIN_NOT_FOUND)
    if row.owner_user_id != owner_user_id:
        privacy = conn.execute(sa.select(boards.c.privacy).where(boards.c.id == row.board_id)).scalar()
        if privacy != "PUBLIC":
            raise Forbidden(f"{NOT_PERMITTED} Invalid 'pin_id': Pin {pin_id} is not visible to the owner of "
                            "the ad account.", code=29)
    return row


def _check_creative(creative_type: str, pin_row: sa.Row) -> None:
    media_type = ((pin_row.data or {}).get("media") or {}).get("media_type")
    need = PIN_MEDIA_FOR.get(creative_type)
    if need is not None and media_type not in need:
        raise InvalidParameter(f"Invalid 'creative_type': {creative_type} needs a Pin with {' or '.join(need)} media; "
                               f"Pin {pin_row.id} has {media_type} media.")


def _validated(model: type[BaseModel], raw: dict[str, Any]) -> BaseModel:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InvalidParameter(validation_message(list(exc.errors()))) from None


def create_one(conn: sa.Connection, *, account: sa.Row, raw: dict[str, Any], now: int) -> sa.Row:
    item = _validated(AdCreateRequest, raw)
    creative_type = item.creative_type.value
    status = item.status.value if item.status else "ACTIVE"
    if status not in CREATE_STATUSES:
        raise InvalidParameter(f"Invalid 'status': an ad is created {', '.join(CREATE_STATUSES)}, not {status}.")
    group = _ad_group(conn, ad_account_id=account.id, ref=item.ad_group_id)
    campaign_status = conn.execute(sa.select(campaigns.c.status).where(campaigns.c.id == group.campaign_id)).scalar()
    if group.status == "ARCHIVED" or campaign_status == "ARCHIVED":
        raise InvalidParameter(f"Invalid 'ad_group_id': ad group {group.id} is ARCHIVED"
                               f"{'' if group.status == 'ARCHIVED' else ' (its campaign is)'}; no ad can be created "
                               "in it.")
    pin_row = _pin(conn, pin_id=item.pin_id, owner_user_id=account.owner_user_id)
    _check_creative(creative_type, pin_row)
    _check_links(item, creative_type)
    dup = conn.execute(sa.select(ads.c.id).where(ads.c.ad_group_id == group.id, ads.c.pin_id == pin_row.id,
                                                 ads.c.status.not_in(("ARCHIVED", "DELETED_DRAFT")))).first()
    if dup is not None:
        raise InvalidParameter(f"Invalid 'pin_id': Pin {pin_row.id} is already promoted in ad group {group.id} "
                               f"(ad {dup.id}).")
    data = _stored(item, set(_FIELDS))
    if data["destination_url"] is None:
        data["destination_url"] = (pin_row.data or {}).get("link")
    data.update(creative_type=creative_type, review_status="APPROVED", rejected_reasons=[], rejection_labels=[],
                collection_items_destination_url_template=None)
    ad_id = new_id()
    conn.execute(sa.insert(ads).values(id=ad_id, ad_account_id=account.id, campaign_id=group.campaign_id,
                                       ad_group_id=group.id, pin_id=pin_row.id, status=status, data=data,
                                       created_time=now, updated_time=now))
    return conn.execute(sa.select(ads).where(ads.c.id == ad_id)).first()


def _status_change(current: str, new: str, ad_id: int) -> None:
    if new == current:
        return
    if current in ("ARCHIVED", "DELETED_DRAFT"):
        raise InvalidParameter(f"Invalid 'status': ad {ad_id} is {current} and cannot become {new}.")
    if new == "DELETED_DRAFT" and current != "DRAFT":
        raise InvalidParameter(f"Invalid 'status': only a DRAFT ad can become DELETED_DRAFT (ad {ad_id} is {current}).")
    if new == "DRAFT":
        raise InvalidParameter(f"Invalid 'status': ad {ad_id} is {current} and cannot go back to DRAFT.")


def update_one(conn: sa.Connection, *, account: sa.Row, raw: dict[str, Any], now: int) -> sa.Row:
    item = _validated(AdUpdateRequest, raw)
    row = conn.execute(sa.select(ads).where(ads.c.id == parse_id(item.id), ads.c.ad_account_id == account.id)).first()
    if row is None:
        raise NotFound(f"Invalid 'id': ad {item.id} not found in ad account {account.id}.", code=UNKNOWN_ENTITY)
    sent = item.model_fields_set - {"id"}
    if item.ad_group_id is not None and parse_id(item.ad_group_id, "AG") != row.ad_group_id:
        raise InvalidParameter(f"Invalid 'ad_group_id': the ad group of ad {row.id} cannot be changed.")
    if item.pin_id is not None and parse_id(item.pin_id) != row.pin_id:
        raise InvalidParameter(f"Invalid 'pin_id': the Pin of ad {row.id} cannot be changed.")
    status = item.status.value if item.status else row.status
    if row.status in ("ARCHIVED", "DELETED_DRAFT") and sent - {"status", "ad_group_id", "pin_id"}:
        raise InvalidParameter(f"Invalid 'id': ad {row.id} is {row.status} and can no longer be edited.")
    _status_change(row.status, status, row.id)
    data = dict(row.data or {})
    creative_type = item.creative_type.value if item.creative_type else data["creative_type"]
    if creative_type != data["creative_type"]:
        pin_row = conn.execute(sa.select(pins).where(pins.c.id == row.pin_id)).first()
        if pin_row is None:
            raise InvalidParameter(f"Invalid 'creative_type': the Pin of ad {row.id} was deleted.")
        _check_creative(creative_type, pin_row)
    # the rules see the ad as it will be: stored values overlaid with the fields sent
    merged = AdUpdateRequest.model_validate({**{f: data.get(f) for f in _FIELDS},
                                             **item.model_dump(mode="json", include=sent), "id": item.id})
    _check_links(merged, creative_type)
    data.update(_stored(item, sent & set(_FIELDS)))
    data["creative_type"] = creative_type
    conn.execute(sa.update(ads).where(ads.c.id == row.id).values(status=status, data=data, updated_time=now))
    return conn.execute(sa.select(ads).where(ads.c.id == row.id)).first()


def _batch(conn: sa.Connection, *, account: sa.Row, items: list[dict[str, Any]], now: int,
           one: Callable[..., sa.Row]) -> list[dict[str, Any]]:
    out = []
    for raw in items:
        try:
            with conn.begin_nested():  # an item that fails leaves nothing behind
                row = one(conn, account=account, raw=raw, now=now)
            out.append(element(render(conn, row)))
        except ApiError as err:
            out.append(element(error=err))
    return out


def create(conn: sa.Connection, *, account: sa.Row, items: list[dict[str, Any]], now: int) -> list[dict[str, Any]]:
    return _batch(conn, account=account, items=items, now=now, one=create_one)


def update(conn: sa.Connection, *, account: sa.Row, items: list[dict[str, Any]], now: int) -> list[dict[str, Any]]:
    return _batch(conn, account=account, items=items, now=now, one=update_one)

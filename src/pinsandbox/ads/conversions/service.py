"""Conversion tags and the Conversions API: the rules, as this sandbox decides them from the API reference.

Conversion tags
* A tag is created ACTIVE with version "3" and its configs (enhanced match flags default false,
  `md_frequency` default 1 and within 0..1); a null config means its default. The name must not be
  blank (1..255 characters). `code_snippet` is the Pinterest base code loading this tag id (with `em`
  when `aem_enabled`). Tags are deleted in Ads Manager, not through API 5.12; the sandbox endpoint
  `DELETE /_sandbox/ad_accounts/{id}/conversion_tags/{tag_id}` does it (status ARCHIVED). `filter_deleted`
  leaves deleted tags out; they stay readable by id.
* Events received through the Conversions API are recorded on the ad account's *primary tag*: its oldest
  ACTIVE tag when the event arrives (none: the event is stored without a tag, with a warning).
  `last_fired_time_ms` is the latest `event_time` (in ms) of the events recorded on the tag.
  `enhanced_match_status`: NOT_VALIDATED when no automatic enhanced match flag is on; with one on,
  VALIDATING_IN_PROGRESS until the tag has fired, then VALIDATION_COMPLETE.
* oCPM eligibility: an (ACTIVE tag, event type) pair is eligible when the tag recorded at least
  `OCPM_MIN_EVENTS` events of that type whose `event_time` lies in the last `OCPM_WINDOW_DAYS` days by the
  sandbox clock. `created_time` is when the tag first received that event type. The answer is keyed by
  the ad account id: `{"<ad_account_id>": [...]}` (an empty list when nothing is eligible).
* Page visit conversion tag events: one PAGE_VISIT entry per tag (any status) that has recorded
  `page_visit` events, `created_time` the first one's receipt; paged by tag id.

Conversions API (`POST /ad_accounts/{id}/events`)
* Each event is validated on its own; a failed event gets `status: failed` and an `error_message` naming
  the field, the others are processed. Rules, in order: the spec's schema (types, required
  event_name / action_source / event_time / event_id / user_data, the event_name and action_source
  enums); `event_time` not in the future and not more than `MAX_EVENT_AGE_DAYS` (7) days old, by the
  sandbox clock; `user_data` holds `em`, `hashed_maids`, or both `client_ip_address` and
  `client_user_agent`; every hashed field (em, hashed_maids, ph, ge, db, ln, fn, ct, st, zp, country,
  external_id) is a lowercase hex SHA-256 (64 characters); `client_ip_address` is IPv4 or IPv6;
  `custom_data.currency` is a three-letter ISO-4217 code; `value` and `contents[].item_price` are
  non-negative decimal numbers up to 10^12; `num_items` and `contents[].quantity` are 0..10^6.
* Warnings (`warning_message`, event still processed): fields API 5.12 does not define (ignored);
  `value`/`item_price` sent as JSON numbers instead of strings; a currency the sandbox has no exchange
  rate for (value not converted: stored as NULL); a `partner_name` not of the form `ss-<name>`; no active
  conversion tag on the account; a duplicate (below).
* Deduplication: an event with the same `event_name` and `event_id` as one stored for the ad account
  less than `DEDUPE_WINDOW_SECONDS` (48 h, by receipt time) ago, or earlier in the same request, is
  acknowledged (`processed`, with a warning) but not stored again. Offline events are never
  deduplicated (the spec: "events that took place offline cannot be deduplicated").
* Stored (`conversion_events`): the user key (first hash of external_id, em, hashed_maids, ph; else
  sha256 of "client_ip_address|client_user_agent"), `value` converted to micro-units of the ad account's
  currency with the fixed `CURRENCY_PER_USD` table (missing currency = the account's), the quantity
  (`num_items`, else the sum of `contents[].quantity`, else 1), `order_id`, the raw event, the receipt
  time (sandbox clock) and `attributed` = false. `?test=true` runs every check and answers the same,
  storing nothing.
* The answer is 200 when every event was processed, else 422 with the same report in `details`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError

from pinsandbox.ads.campaigns.service import CURRENCY_PER_USD, MICRO
from pinsandbox.ads.conversions.schemas import (AEM_FLAGS, HASHED_FIELDS, ConversionEvent, ConversionTagCreate,
                                                ConversionTagConfigs)
from pinsandbox.ads.conversions.tables import conversion_events, conversion_tags
from pinsandbox.core.errors import ApiError, InvalidParameter, NotFound, validation_message
from pinsandbox.core.ids import new_id, parse_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate

TAG_VERSION = "3"
DELETED_STATUS = "ARCHIVED"
MAX_EVENT_AGE_DAYS = 7
DEDUPE_WINDOW_SECONDS = 48 * 3600
OCPM_WINDOW_DAYS = 7
OCPM_MIN_EVENTS = 1
MAX_AMOUNT = Decimal(10) ** 12
MAX_QUANTITY = 1_000_000
DAY = 86_400

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
_PARTNER = re.compile(r"^ss-[a-z0-9_.-]+$")
USER_KEY_FIELDS = ("external_id", "em", "hashed_maids", "ph")


class EventsNotProcessed(ApiError):
    """422: not all events were processed; `details` is the per-event report (DetailedError)."""

    status, code = 422, 422

    def __init__(self, report: dict[str, Any]):
        failed = report["num_events_received"] - report["num_events_processed"]
        super().__init__(f"Not all events were successfully processed: {failed} of {report['num_events_received']} "
                         "failed; see details.events for each event's error_message.", extra={"details": report})


# -- conversion tags -------------------------------------------------------------------------------
def code_snippet(tag_id: int, *, aem_enabled: bool) -> str:
    """The Pinterest tag base code for this tag id (what Ads Manager shows)."""
    load = f"pintrk('load', '{tag_id}', {{em: '<user_email_address>'}});" if aem_enabled else \
        f"pintrk('load', '{tag_id}');"
    return (
        "<!-- Pinterest Tag -->\n<script>\n"
        "!function(e){if(!window.pintrk){window.pintrk = function () {\n"
        "window.pintrk.queue.push(Array.prototype.slice.call(arguments))};var\n"
        "  n=window.pintrk;n.queue=[],n.version=\"3.0\";var\n"
        "  t=document.createElement(\"script\");t.async=!0,t.src=e;var\n"
        "  r=document.getElementsByTagName(\"script\")[0];\n"
        "  r.parentNode.insertBefore(t,r)}}(\"https://s.pinimg.com/ct/core.js\");\n"
        f"{load}\npintrk('page');\n</script>\n<noscript>\n"
        "<img height=\"1\" width=\"1\" style=\"display:none;\" alt=\"\"\n"
        f"  src=\"https://ct.pinterest.com/v3/?event=init&tid={tag_id}&noscript=1\" />\n"
        "</noscript>\n<!-- end Pinterest Tag -->"
    )


def get_row(conn: sa.Connection, *, ad_account_id: int, conversion_tag_id: str | int) -> sa.Row:
    row = conn.execute(sa.select(conversion_tags).where(conversion_tags.c.id == parse_id(conversion_tag_id),
                                                        conversion_tags.c.ad_account_id == ad_account_id)).first()
    if row is None:
        raise NotFound(f"Conversion tag {conversion_tag_id} not found in ad account {ad_account_id}.")
    return row


def list_(conn: sa.Connection, *, ad_account_id: int, filter_deleted: bool) -> list[sa.Row]:
    stmt = sa.select(conversion_tags).where(conversion_tags.c.ad_account_id == ad_account_id)
    if filter_deleted:
        stmt = stmt.where(conversion_tags.c.status != DELETED_STATUS)
    return list(conn.execute(stmt.order_by(conversion_tags.c.id)))


def create(conn: sa.Connection, *, account: sa.Row, body: ConversionTagCreate, now: int) -> sa.Row:
    name = body.name.strip()
    if not name:
        raise InvalidParameter("Invalid field 'name': a conversion tag name cannot be blank.")
    defaults = ConversionTagConfigs()
    configs = {k: getattr(body, k) if getattr(body, k) is not None else getattr(defaults, k)
               for k in ConversionTagConfigs.model_fields}
    tag_id = new_id()
    conn.execute(sa.insert(conversion_tags).values(
        id=tag_id, ad_account_id=account.id, status="ACTIVE", created_time=now, updated_time=now,
        data={"name": name, "version": TAG_VERSION, "configs": configs}))
    return conn.execute(sa.select(conversion_tags).where(conversion_tags.c.id == tag_id)).first()


def delete(conn: sa.Connection, *, ad_account_id: int, conversion_tag_id: str | int, now: int) -> sa.Row:
    """What deleting the tag in Ads Manager does: status ARCHIVED (kept, readable by id)."""
    row = get_row(conn, ad_account_id=ad_account_id, conversion_tag_id=conversion_tag_id)
    conn.execute(sa.update(conversion_tags).where(conversion_tags.c.id == row.id)
                 .values(status=DELETED_STATUS, updated_time=now))
    return get_row(conn, ad_account_id=ad_account_id, conversion_tag_id=row.id)


def _last_fired(conn: sa.Connection, tag_ids: list[int]) -> dict[int, int]:
    if not tag_ids:
        return {}
    rows = conn.execute(sa.select(conversion_events.c.conversion_tag_id, sa.func.max(conversion_events.c.event_time))
                        .where(conversion_events.c.conversion_tag_id.in_(tag_ids))
                        .group_by(conversion_events.c.conversion_tag_id))
    return {tag_id: last for tag_id, last in rows}


def enhanced_match_status(configs: dict[str, Any], *, fired: bool) -> str:
    if not any(configs.get(flag) for flag in AEM_FLAGS):
        return "NOT_VALIDATED"
    return "VALIDATION_COMPLETE" if fired else "VALIDATING_IN_PROGRESS"


def render_rows(conn: sa.Connection, rows: list[sa.Row]) -> list[dict[str, Any]]:
    last = _last_fired(conn, [r.id for r in rows])
    out = []
    for row in rows:
        d = row.data
        configs = d["configs"]
        fired = last.get(row.id)
        out.append({
            "ad_account_id": str(row.ad_account_id),
            "code_snippet": code_snippet(row.id, aem_enabled=bool(configs.get("aem_enabled"))),
            "enhanced_match_status": enhanced_match_status(configs, fired=fired is not None),
            "id": str(row.id),
            "last_fired_time_ms": fired * 1000 if fired is not None else None,
            "name": d["name"], "status": row.status, "version": d["version"], "configs": configs,
        })
    return out


def _tag_event(event_name: str) -> str:
    """Conversions API event_name -> the ConversionTagType of the tag event (page_visit -> PAGE_VISIT)."""
    return event_name.upper()


def ocpm_eligible(conn: sa.Connection, *, ad_account_id: int, now: int) -> dict[str, list[dict[str, Any]]]:
    ce, tags = conversion_events, conversion_tags
    recent = conn.execute(
        sa.select(ce.c.conversion_tag_id, ce.c.event_name)
        .join(tags, tags.c.id == ce.c.conversion_tag_id)
        .where(ce.c.ad_account_id == ad_account_id, tags.c.status == "ACTIVE",
               ce.c.event_time >= now - OCPM_WINDOW_DAYS * DAY, ce.c.event_time <= now)
        .group_by(ce.c.conversion_tag_id, ce.c.event_name)
        .having(sa.func.count() >= OCPM_MIN_EVENTS)).all()
    first = dict(((t, n), first) for t, n, first in conn.execute(
        sa.select(ce.c.conversion_tag_id, ce.c.event_name, sa.func.min(ce.c.received_at))
        .where(ce.c.ad_account_id == ad_account_id, ce.c.conversion_tag_id.is_not(None))
        .group_by(ce.c.conversion_tag_id, ce.c.event_name)))
    items = [{"conversion_event": _tag_event(name), "conversion_tag_id": str(tag_id),
              "ad_account_id": str(ad_account_id), "created_time": first[(tag_id, name)]}
             for tag_id, name in sorted(recent)]
    return {str(ad_account_id): items}


def page_visit_list(conn: sa.Connection, *, ad_account_id: int, order: str | None, page: PageParams, secret: bytes
                    ) -> tuple[list[dict[str, Any]], str | None]:
    ce = conversion_events
    stmt = (sa.select(ce.c.conversion_tag_id, sa.func.min(ce.c.received_at).label("created_time"))
            .where(ce.c.ad_account_id == ad_account_id, ce.c.event_name == "page_visit",
                   ce.c.conversion_tag_id.is_not(None))
            .group_by(ce.c.conversion_tag_id))
    fp = fingerprint("page_visit_conversion_tags/get", account=ad_account_id, order=order)
    rows, bookmark = paginate(conn, stmt, key=ce.c.conversion_tag_id, page=page, secret=secret, fp=fp,
                              descending=order == "DESCENDING")
    return [{"conversion_event": "PAGE_VISIT", "conversion_tag_id": str(r.conversion_tag_id),
             "ad_account_id": str(ad_account_id), "created_time": r.created_time} for r in rows], bookmark


# -- Conversions API -------------------------------------------------------------------------------
class EventFailed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _amount(value: Any, field: str, warnings: list[str]) -> Decimal:
    """A money amount: a decimal string (a JSON number is accepted with a warning), 0..10^12."""
    if isinstance(value, (int, float)):
        warnings.append(f"'{field}' was sent as a number; the API reference types it as a string (e.g. \"72.39\").")
        text = repr(value) if isinstance(value, float) else str(value)
    else:
        text = value.strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise EventFailed(f"Invalid field '{field}': {value!r} is not a number.") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise EventFailed(f"Invalid field '{field}': {value!r} must be a number between 0 and {MAX_AMOUNT:.0f}.")
    return amount


def _quantity(value: int, field: str) -> int:
    if not 0 <= value <= MAX_QUANTITY:
        raise EventFailed(f"Invalid field '{field}': {value} must be between 0 and {MAX_QUANTITY}.")
    return value


def _unknown_fields(model: BaseModel, prefix: str = "") -> list[str]:
    out = [f"{prefix}{k}" for k in (model.model_extra or {})]
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            out += _unknown_fields(value, f"{prefix}{name}.")
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    out += _unknown_fields(item, f"{prefix}{name}.{i}.")
    return out


def check_event(ev: ConversionEvent, *, now: int, currency: str, warnings: list[str]) -> dict[str, Any]:
    """Every single-event rule; the stored columns of a valid event (value, quantity, user key...)."""
    if ev.event_time > now:
        hint = " (event_time is in seconds, not milliseconds)" if ev.event_time > now * 100 else ""
        raise EventFailed(f"Invalid field 'event_time': {ev.event_time} is in the future{hint}; now is {now} by the "
                          "sandbox clock.")
    oldest = now - MAX_EVENT_AGE_DAYS * DAY
    if ev.event_time < oldest:
        raise EventFailed(f"Invalid field 'event_time': {ev.event_time} is more than {MAX_EVENT_AGE_DAYS} days in the "
                          f"past; the oldest accepted now is {oldest}.")
    ud = ev.user_data
    for field in HASHED_FIELDS:
        for i, value in enumerate(getattr(ud, field) or []):
            if not _SHA256.match(value):
                raise EventFailed(f"Invalid field 'user_data.{field}.{i}': {value[:80]!r} is not a SHA-256 hash "
                                  "(64 lowercase hexadecimal characters); hash the normalized value before sending.")
    has_pair = bool(ud.client_ip_address) and bool(ud.client_user_agent)
    if not (ud.em or ud.hashed_maids or has_pair):
        raise EventFailed("Invalid field 'user_data': give at least one of 'em', 'hashed_maids', or both "
                          "'client_ip_address' and 'client_user_agent'.")
    if ud.client_ip_address is not None:
        try:
            ipaddress.ip_address(ud.client_ip_address)
        except ValueError:
            raise EventFailed(f"Invalid field 'user_data.client_ip_address': {ud.client_ip_address[:80]!r} is not an "
                              "IPv4 or IPv6 address.") from None
    cd = ev.custom_data
    value_micro: int | None = None
    quantity = 1
    if cd is not None:
        event_currency = currency
        if cd.currency is not None:
            if not _CURRENCY.match(cd.currency):
                raise EventFailed(f"Invalid field 'custom_data.currency': {cd.currency[:20]!r} is not an ISO-4217 "
                                  "currency code (three letters, e.g. USD).")
            event_currency = cd.currency.upper()
        amount = _amount(cd.value, "custom_data.value", warnings) if cd.value is not None else None
        for i, item in enumerate(cd.contents or []):
            if item.item_price is not None:
                _amount(item.item_price, f"custom_data.contents.{i}.item_price", warnings)
            if item.quantity is not None:
                _quantity(item.quantity, f"custom_data.contents.{i}.quantity")
        if cd.num_items is not None:
            quantity = _quantity(cd.num_items, "custom_data.num_items")
        elif any(item.quantity is not None for item in cd.contents or []):
            quantity = sum(item.quantity or 0 for item in cd.contents or [])
        if amount is not None:
            if event_currency == currency:
                value_micro = int((amount * MICRO).to_integral_value())
            elif event_currency in CURRENCY_PER_USD and currency in CURRENCY_PER_USD:
                rate = Decimal(str(CURRENCY_PER_USD[currency])) / Decimal(str(CURRENCY_PER_USD[event_currency]))
                value_micro = int((amount * rate * MICRO).to_integral_value())
            else:
                warnings.append(f"custom_data.currency {event_currency} has no exchange rate to the ad account's "
                                f"currency ({currency}) in the sandbox; the value is not counted.")
    if ev.partner_name is not None and not _PARTNER.match(ev.partner_name):
        warnings.append(f"partner_name {ev.partner_name[:60]!r} does not follow the 'ss-partnername' lowercase "
                        "convention.")
    unknown = _unknown_fields(ev)
    if unknown:
        warnings.append(f"Fields not defined by API 5.12 were ignored: {', '.join(unknown[:10])}.")
    return {"value_micro_currency": value_micro, "quantity": quantity, "user_key": user_key(ev),
            "order_id": cd.order_id if cd is not None else None}


def user_key(ev: ConversionEvent) -> str | None:
    ud = ev.user_data
    for field in USER_KEY_FIELDS:
        values = getattr(ud, field)
        if values:
            return values[0]
    if ud.client_ip_address and ud.client_user_agent:
        return hashlib.sha256(f"{ud.client_ip_address}|{ud.client_user_agent}".encode()).hexdigest()
    return None


def _primary_tag(conn: sa.Connection, ad_account_id: int) -> int | None:
    return conn.execute(sa.select(sa.func.min(conversion_tags.c.id)).where(
        conversion_tags.c.ad_account_id == ad_account_id, conversion_tags.c.status == "ACTIVE")).scalar()


def _stored_duplicate(conn: sa.Connection, *, ad_account_id: int, event_name: str, event_id: str,
                      now: int) -> int | None:
    """Receipt time of the same event stored in the dedupe window, if any."""
    ce = conversion_events
    return conn.execute(sa.select(sa.func.max(ce.c.received_at)).where(
        ce.c.ad_account_id == ad_account_id, ce.c.event_name == event_name, ce.c.event_id == event_id,
        ce.c.received_at > now - DEDUPE_WINDOW_SECONDS)).scalar()


def send_events(conn: sa.Connection, *, account: sa.Row, events: list[dict[str, Any]], test: bool, now: int
                ) -> dict[str, Any]:
    """Validate each event, store the processed ones (unless `test`); the ConversionApiResponse."""
    tag_id = _primary_tag(conn, account.id)
    seen: set[tuple[str, str]] = set()
    results: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    for raw in events:
        warnings: list[str] = []
        try:
            try:
                ev = ConversionEvent.model_validate(raw)
            except ValidationError as exc:
                raise EventFailed(validation_message(list(exc.errors()))) from None
            stored = check_event(ev, now=now, currency=account.currency, warnings=warnings)
        except EventFailed as failure:
            results.append({"status": "failed", "error_message": failure.message, "warning_message": None})
            continue
        key = (ev.event_name, ev.event_id)
        duplicate = False
        if ev.action_source != "offline":
            if key in seen:
                duplicate = True
                warnings.append(f"Duplicate of an earlier event of this request (event_name {ev.event_name}, event_id "
                                f"{ev.event_id!r}): acknowledged, not counted again.")
            else:
                earlier = _stored_duplicate(conn, ad_account_id=account.id, event_name=ev.event_name,
                                            event_id=ev.event_id, now=now)
                if earlier is not None:
                    duplicate = True
                    warnings.append(f"Duplicate of an event received at {earlier} (event_name {ev.event_name}, event_id "
                                    f"{ev.event_id!r}): acknowledged, not counted again.")
            seen.add(key)
        if not duplicate:
            if tag_id is None:
                warnings.append(f"Ad account {account.id} has no active conversion tag; the event is recorded on the "
                                "ad account only.")
            rows.append({"id": new_id(), "ad_account_id": account.id, "conversion_tag_id": tag_id,
                         "event_id": ev.event_id, "event_name": ev.event_name, "action_source": ev.action_source,
                         "event_time": ev.event_time, "raw": raw, "received_at": now, "attributed": False, **stored})
        results.append({"status": "processed", "error_message": None,
                        "warning_message": " ".join(warnings) if warnings else None})
    if rows and not test:
        conn.execute(sa.insert(conversion_events), rows)
    processed = sum(1 for r in results if r["status"] == "processed")
    return {"num_events_received": len(events), "num_events_processed": processed, "events": results}


# -- for the reporting engine ----------------------------------------------------------------------
def unattributed_events(conn: sa.Connection, ad_account_id: int | None = None, limit: int = 10_000) -> list[sa.Row]:
    """Stored events not yet attributed (oldest first), of one ad account or all."""
    ce = conversion_events
    stmt = sa.select(ce).where(ce.c.attributed == sa.false())
    if ad_account_id is not None:
        stmt = stmt.where(ce.c.ad_account_id == int(ad_account_id))
    return list(conn.execute(stmt.order_by(ce.c.id).limit(limit)))


def mark_attributed(conn: sa.Connection, ids: list[int]) -> int:
    """Flag events as attributed; the number of rows changed."""
    ids = [int(i) for i in ids]
    if not ids:
        return 0
    changed = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        changed += conn.execute(sa.update(conversion_events).where(conversion_events.c.id.in_(chunk))
                                .values(attributed=True)).rowcount
    return changed

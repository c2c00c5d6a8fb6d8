"""Campaigns: list, get, and batch create / update with per-item exceptions.

Each item of a batch is validated with its pydantic model and checked on its own, inside a savepoint;
a failing item becomes `{"data": {}, "exceptions": [{code, message}]}` and the others are written
(HTTP 200). Failed items carry an empty `data` object, not null: that is what Pinterest sends on the
wire (`{"items":[{"data":{},"exceptions":[{"code":1509,"message":"Invalid 'spend_cap'"}]}]}`), and the
spec types `data` as a non-nullable object. Successful items carry `"exceptions": []`.

The rules, as this sandbox decides them from the API reference (each lives in one function below, so
a future bulk upsert calls the same ones):

* Campaign Budget Optimization (CBO) is opt-in: `is_campaign_budget_optimization` (accepted on create
  and on update) defaults to false, as the spec's CampaignIsCampaignBudgetOptimization says; without it
  the spend caps are plain campaign caps and the ad groups carry the budgets. Only the objectives
  Pinterest budgets at campaign level (AWARENESS, CONSIDERATION, WEB_CONVERSION, CATALOG_SALES) can be
  CBO. A CBO campaign needs exactly one spend cap, and a lifetime cap needs an `end_time`. Turning
  CBO on clears the budgets (and dates) of the campaign's ad groups (budget_type CBO_ADGROUP,
  STANDARD pacing); turning it off gives each ad group a DAILY budget of
  `default_ad_group_budget_in_micro_currency`, which is then required when the campaign has ad groups.
* Spend caps are micro-currency integers between the account currency's minimum (one US dollar's
  worth, `min_spend_cap`, from the fixed `CURRENCY_PER_USD` table) and `MAX_SPEND_CAP`; not both at
  once.
* `is_flexible_daily_budgets` (average daily budgets) needs a CBO campaign with a `daily_spend_cap`,
  and an ad account billed in USD (Pinterest offers it to USD accounts only).
* Times: `start_time` < `end_time`; a new or changed `end_time` must be in the future (sandbox clock). New
  dates must still hold the dates of the campaign's live ad groups (the rule ad groups are written under).
* Status: created ACTIVE, PAUSED or DRAFT. DRAFT may become ACTIVE, PAUSED or DELETED_DRAFT; nothing
  goes back to DRAFT; ARCHIVED and DELETED_DRAFT are final. An ARCHIVED campaign accepts no update but
  a new `name` (housekeeping: the archive stays readable in reports); every other field, including a
  status change, is refused with ARCHIVED_ENTITY.
* `objective_type` can change only while the campaign is DRAFT (as the reference says).
* `ad_account_id` in each item must be the account of the path.

`summary_status` is derived when read, from the status and the dates against the sandbox clock:
non-ACTIVE statuses map to themselves; an ACTIVE campaign is NOT_STARTED before `start_time`,
COMPLETED after `end_time`, else RUNNING.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ValidationError

from pinsandbox.ads.ad_groups.tables import ad_groups
from pinsandbox.ads.campaigns.schemas import CampaignCreateRequest, CampaignUpdateRequest, SummaryStatus
from pinsandbox.ads.campaigns.tables import campaigns
from pinsandbox.core.db import Query, json_loads, memoized
from pinsandbox.core.errors import ApiError, InvalidParameter, NotFound, validation_message
from pinsandbox.core.ids import new_id, parse_id
from pinsandbox.core.pagination import PageParams, after_key, cut_page, fingerprint
from pinsandbox.core.responses import LATE, RawJson, RenderedRows, dumps, page_json

# Pinterest-style codes of per-item exceptions (and of the 404 for unknown ids). 1012 and 1509 are
# codes seen on the wire; the others are this sandbox's, one per rule, stable across releases.
ERROR_CODES: dict[str, int] = {
    "INVALID_FIELD": 1,            # an item's field fails its schema (type, enum, pattern, missing)
    "AD_ACCOUNT_MISMATCH": 2,      # ad_account_id of the item is not the path's ("Advertiser not found.")
    "UNKNOWN_ENTITY": 1012,        # "Request contains invalid gids": campaign / ad group not in the account
    "SPEND_CAP": 1509,             # "Invalid 'spend_cap'": bounds, both caps, CBO needs one
    "CBO": 1510,                   # campaign budget optimization combinations
    "FLEXIBLE_DAILY_BUDGETS": 1511,
    "TIME_RANGE": 1520,            # start_time / end_time order, past end, outside the campaign's range
    "STATUS_TRANSITION": 1530,     # e.g. ARCHIVED -> ACTIVE, ACTIVE -> DRAFT
    "ARCHIVED_ENTITY": 1531,       # an ARCHIVED entity edited, or a child created under one
    "DRAFT_ONLY_FIELD": 1532,      # objective_type / billable_event / budget_type changed outside DRAFT
    "BUDGET": 1540,                # ad group budget_in_micro_currency / budget_type rules
    "BID": 1550,                   # bid_in_micro_currency / bid_strategy_type rules, bid below the floor
    "BILLABLE_EVENT": 1560,        # billable_event not allowed for the campaign's objective
    "OPTIMIZATION_GOAL": 1561,     # optimization_goal_metadata required / frequency cap rules
    "TARGETING": 1570,             # targeting_spec values
    "AD_GROUP_LIMIT": 1580,        # a CBO campaign holds at most 70 ad groups
}

CBO_OBJECTIVES = frozenset({"AWARENESS", "CONSIDERATION", "WEB_CONVERSION", "CATALOG_SALES"})
CREATE_STATUSES = ("ACTIVE", "PAUSED", "DRAFT")
FINAL_STATUSES = ("ARCHIVED", "DELETED_DRAFT")
DEFAULT_LIST_STATUSES = ("ACTIVE", "PAUSED")
MAX_SPEND_CAP = 10**15  # one billion units of currency, in micro-currency
# Units of currency worth roughly one US dollar (fixed, deterministic): the minimum spend cap and
# the bid floors scale by it. Currencies not listed count 1.
CURRENCY_PER_USD: dict[str, float] = {
    "USD": 1, "GBP": 0.8, "CAD": 1.35, "EUR": 0.9, "AUD": 1.5, "NZD": 1.65, "SEK": 10.5, "ILS": 3.7, "CHF": 0.9,
    "HKD": 7.8, "JPY": 150, "SGD": 1.35, "KRW": 1300, "NOK": 10.5, "DKK": 6.8, "PLN": 4, "RON": 4.6, "HUF": 360,
    "CZK": 23, "BRL": 5, "MXN": 17, "ARS": 850, "CLP": 900, "COP": 4000,
}
MICRO = 1_000_000

_CAMPAIGN_FIELDS = ("name", "objective_type", "lifetime_spend_cap", "daily_spend_cap", "order_line_id", "tracking_urls",
                    "start_time", "end_time", "is_flexible_daily_budgets", "default_ad_group_budget_in_micro_currency",
                    "is_automated_campaign", "is_campaign_budget_optimization")


def rule_error(rule: str, message: str) -> InvalidParameter:
    """A per-item rule violation: HTTP 400 semantics, the rule's code, a message naming the field."""
    return InvalidParameter(message, code=ERROR_CODES[rule])


def validated(model: type[BaseModel], raw: Any) -> BaseModel:
    """One batch item through its pydantic model; the first error names the field (code 1)."""
    if not isinstance(raw, dict):
        raise rule_error("INVALID_FIELD", "Invalid request item: each item must be a JSON object.")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InvalidParameter(validation_message(list(exc.errors())), code=ERROR_CODES["INVALID_FIELD"]) from None


def min_spend_cap(currency: str) -> int:
    """The smallest spend cap, in micro-currency: one US dollar's worth of the account currency."""
    return int(CURRENCY_PER_USD.get(currency, 1) * MICRO)


# -- batch plumbing (shared with ad groups) --------------------------------------------------------
def element(data: dict[str, Any] | None = None, error: ApiError | None = None) -> dict[str, Any]:
    """One item of a CampaignCreateResponse / AdGroupArrayResponse."""
    if error is not None:
        return {"data": {}, "exceptions": [{"code": error.code, "message": error.message}]}
    return {"data": data, "exceptions": []}


def run_batch(conn: sa.Connection, items: list[Any], one: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply `one` to each item in its own savepoint: a failing item leaves nothing behind."""
    out = []
    for raw in items:
        try:
            with conn.begin_nested():
                data = one(raw)
            out.append(element(data))
        except ApiError as err:
            out.append(element(error=err))
    return out


def check_account(item_account_id: str, ad_account_id: int) -> None:
    if int(item_account_id) != ad_account_id:
        raise rule_error("AD_ACCOUNT_MISMATCH", f"Advertiser not found. Invalid 'ad_account_id': {item_account_id} is "
                                                f"not the ad account of the path ({ad_account_id}).")


# -- reads -----------------------------------------------------------------------------------------
_BY_ID = Query(sa.select(campaigns).where(campaigns.c.id == sa.bindparam("id"),
                                          campaigns.c.ad_account_id == sa.bindparam("ad_account_id")))


def get_row(conn: sa.Connection, *, ad_account_id: int, campaign_id: str | int) -> sa.Row:
    """The campaign row, or 404 code 1012 when it is not a campaign of the ad account."""
    row = _BY_ID.first(conn, {"id": parse_id(campaign_id), "ad_account_id": int(ad_account_id)})
    if row is None:
        raise NotFound(f"Request contains invalid gids: campaign {campaign_id} (campaign_id) is not in ad account "
                       f"{ad_account_id}, method GetCampaignsByIds.", code=ERROR_CODES["UNKNOWN_ENTITY"])
    return row


def summary_status(status: str, start_time: int | None, end_time: int | None, now: int) -> str:
    if status != "ACTIVE":
        return status
    if end_time is not None and end_time <= now:
        return "COMPLETED"
    if start_time is not None and start_time > now:
        return "NOT_STARTED"
    return "RUNNING"


def _fields(row: Any, d: dict[str, Any], summary: str) -> dict[str, Any]:
    get = d.get
    return {
        "id": str(row.id), "ad_account_id": str(row.ad_account_id), "name": d["name"], "status": row.status,
        "lifetime_spend_cap": get("lifetime_spend_cap"), "daily_spend_cap": get("daily_spend_cap"),
        "order_line_id": get("order_line_id"), "tracking_urls": get("tracking_urls"),
        "start_time": get("start_time"), "end_time": get("end_time"), "summary_status": summary,
        "objective_type": d["objective_type"], "created_time": row.created_time, "updated_time": row.updated_time,
        "type": "campaign", "is_flexible_daily_budgets": bool(get("is_flexible_daily_budgets")),
        "default_ad_group_budget_in_micro_currency": get("default_ad_group_budget_in_micro_currency"),
        "is_automated_campaign": bool(get("is_automated_campaign")),
        "is_campaign_budget_optimization": bool(get("is_campaign_budget_optimization")),
    }


def render(row: sa.Row, *, now: int) -> dict[str, Any]:
    d = row.data or {}
    return _fields(row, d, summary_status(row.status, d.get("start_time"), d.get("end_time"), now))


# The read routes render from "raw" rows (the JSON `data` as stored text) through a RenderedRows cache
# (core/responses.py): the bytes are those of `Json(render(row))`, rendered once per stored content.
_RAW_COLUMNS = (campaigns.c.id, campaigns.c.ad_account_id, campaigns.c.status,
                sa.cast(campaigns.c.data, sa.Text).label("data"), campaigns.c.created_time, campaigns.c.updated_time)


def _render_raw(raw: Any) -> tuple[dict[str, Any], tuple[str, Any, Any]]:
    d = json_loads(raw.data) if raw.data is not None else None
    d = d or {}
    return _fields(raw, d, LATE), (raw.status, d.get("start_time"), d.get("end_time"))


_RENDERED = RenderedRows(_render_raw)


def render_jsons(raws: list[Any], *, now: int) -> list[bytes]:
    """The JSON of `render()` for each raw row (see `_RAW_COLUMNS`)."""
    parts, out = _RENDERED.parts, []
    for raw in raws:
        hit = parts(raw)
        if hit is None:  # a stored value RenderedRows cannot split around: rendered afresh
            fields = raw._asdict()
            fields["data"] = json_loads(raw.data) if raw.data is not None else None
            out.append(dumps(render(SimpleNamespace(**fields), now=now)))
            continue
        (head, tail), (status, start_time, end_time) = hit
        summary = summary_status(status, start_time, end_time, now)
        out.append(head + (_SUMMARY_JSON.get(summary) or dumps(summary)) + tail)
    return out


class PreparedPage:
    """A page of campaigns as JSON fragments around each one's `summary_status` (which depends on the
    clock), and the next page's bookmark: a function of the stored rows alone, so it is memoized per
    SQLite snapshot (core/db.py `memoized`). `body(now)` fills the statuses in; the last few bodies are
    kept by their statuses."""

    __slots__ = ("_rows", "_parts", "_bookmark", "_bodies")

    def __init__(self, raws: list[Any], bookmark: str | None):
        self._rows = tuple(raws)
        self._parts = [_RENDERED.parts(raw) for raw in raws]
        self._bookmark = bookmark
        self._bodies: dict[tuple[str, ...], bytes] = {}

    def body(self, *, now: int) -> RawJson:
        if any(hit is None for hit in self._parts):  # a row RenderedRows cannot split: render afresh
            return page_json(render_jsons(list(self._rows), now=now), self._bookmark)
        statuses = tuple(summary_status(status, start, end, now) for _, (status, start, end) in self._parts)
        body = self._bodies.get(statuses)
        if body is None:
            fragments = [head + (_SUMMARY_JSON.get(s) or dumps(s)) + tail
                         for ((head, tail), _), s in zip(self._parts, statuses)]
            body = page_json(fragments, self._bookmark).body
            if len(self._bodies) >= 2:
                self._bodies.clear()
            self._bodies[statuses] = body
        return RawJson(body)


def render_json(raw: Any, *, now: int) -> bytes:
    return render_jsons([raw], now=now)[0]


_SUMMARY_JSON = {s.value: dumps(s.value) for s in SummaryStatus}


_RAW_BY_ID = Query(sa.select(*_RAW_COLUMNS).where(campaigns.c.id == sa.bindparam("id"),
                                                   campaigns.c.ad_account_id == sa.bindparam("ad_account_id")),
                   memo=True)


def get_json(conn: sa.Connection, *, ad_account_id: int, campaign_id: str | int, now: int) -> bytes:
    """The campaign's JSON, or 404 code 1012 as `get_row`."""
    raw = _RAW_BY_ID.first(conn, {"id": parse_id(campaign_id), "ad_account_id": int(ad_account_id)})
    if raw is None:
        get_row(conn, ad_account_id=ad_account_id, campaign_id=campaign_id)  # raises the 404
    return render_json(raw, now=now)


@functools.lru_cache(maxsize=512)
def _list_query(statuses: int, ids: int | None, after: bool, descending: bool, raw: bool = False) -> Query:
    """The page query of one shape: how many statuses and ids are asked for, bookmark or not, order;
    `raw`: the columns of `render_json`."""
    stmt = sa.select(*_RAW_COLUMNS) if raw else sa.select(campaigns)
    stmt = stmt.where(campaigns.c.ad_account_id == sa.bindparam("ad_account_id"),
                      campaigns.c.status.in_([sa.bindparam(f"s{i}") for i in range(statuses)]))
    if ids is not None:
        stmt = stmt.where(campaigns.c.id.in_([sa.bindparam(f"i{i}") for i in range(ids)]))
    if after:
        after_bind = sa.bindparam("after")
        stmt = stmt.where(campaigns.c.id < after_bind if descending else campaigns.c.id > after_bind)
    stmt = stmt.order_by(campaigns.c.id.desc() if descending else campaigns.c.id.asc())
    return Query(stmt.limit(sa.bindparam("limit", type_=sa.Integer)), memo=raw)  # raw rows: `data` as text


def list_page(conn: sa.Connection, *, ad_account_id: int, campaign_ids: list[int] | None,
              entity_statuses: list[str] | None, order: str | None, page: PageParams, secret: bytes) -> PreparedPage:
    """The page `list_` gives, prepared for rendering (memoized per SQLite snapshot)."""
    key = ("campaigns/list_page", ad_account_id, tuple(campaign_ids) if campaign_ids is not None else None,
           tuple(entity_statuses) if entity_statuses is not None else None, order, page.page_size, page.bookmark)
    return memoized(conn, key, lambda: PreparedPage(*list_(
        conn, ad_account_id=ad_account_id, campaign_ids=campaign_ids, entity_statuses=entity_statuses, order=order,
        page=page, secret=secret, raw=True)))


def list_(conn: sa.Connection, *, ad_account_id: int, campaign_ids: list[int] | None,
          entity_statuses: list[str] | None, order: str | None, page: PageParams, secret: bytes, raw: bool = False
          ) -> tuple[list[sa.Row], str | None]:
    """A page of the account's campaigns and the next page's bookmark; `raw`: rows for `render_json`."""
    statuses = sorted(set(entity_statuses or DEFAULT_LIST_STATUSES))
    fp = fingerprint("campaigns/list", account=ad_account_id, ids=sorted(campaign_ids or []), statuses=statuses,
                     order=order)
    after = after_key(page, secret=secret, fp=fp)
    descending = order == "DESCENDING"
    ids = sorted(set(campaign_ids)) if campaign_ids is not None else None
    params: dict[str, Any] = {"ad_account_id": ad_account_id, "after": after, "limit": page.page_size + 1}
    params.update((f"s{i}", s) for i, s in enumerate(statuses))
    params.update((f"i{i}", v) for i, v in enumerate(ids or ()))
    query = _list_query(len(statuses), None if ids is None else len(ids), after is not None, descending, raw)
    return cut_page(query.all(conn, params), key="id", page=page, secret=secret, fp=fp)


# -- rules (each one function; they see the campaign as it will be) -------------------------------
def check_status_transition(current: str | None, new: str, *, entity: str, entity_id: int | None = None) -> None:
    """Statuses of campaigns and ad groups: created ACTIVE/PAUSED/DRAFT; DRAFT -> anything live or
    DELETED_DRAFT; nothing back to DRAFT; ARCHIVED and DELETED_DRAFT are final."""
    if current is None:
        if new not in CREATE_STATUSES:
            raise rule_error("STATUS_TRANSITION", f"Invalid 'status': a {entity} is created {', '.join(CREATE_STATUSES)}"
                                                  f", not {new}.")
        return
    if new == current:
        return
    if current in FINAL_STATUSES:
        raise rule_error("STATUS_TRANSITION", f"Invalid 'status': {entity} {entity_id} is {current} and cannot become "
                                              f"{new}.")
    if new == "DRAFT":
        raise rule_error("STATUS_TRANSITION", f"Invalid 'status': {entity} {entity_id} is {current} and cannot go back "
                                              "to DRAFT.")
    if new == "DELETED_DRAFT" and current != "DRAFT":
        raise rule_error("STATUS_TRANSITION", f"Invalid 'status': only a DRAFT {entity} can become DELETED_DRAFT "
                                              f"({entity} {entity_id} is {current}).")


def check_time_range(start_time: int | None, end_time: int | None, *, now: int, end_changed: bool,
                     prefix: str = "") -> None:
    for field, value in (("start_time", start_time), ("end_time", end_time)):
        if value is not None and value < 0:
            raise rule_error("TIME_RANGE", f"Invalid '{prefix}{field}': {value} is not a Unix timestamp in seconds.")
    if start_time is not None and end_time is not None and start_time >= end_time:
        raise rule_error("TIME_RANGE", f"Invalid '{prefix}end_time': it must be after '{prefix}start_time' "
                                       f"({end_time} <= {start_time}).")
    if end_changed and end_time is not None and end_time <= now:
        raise rule_error("TIME_RANGE", f"Invalid '{prefix}end_time': {end_time} is in the past (now is {now}).")


def check_spend_caps(state: dict[str, Any], *, currency: str) -> None:
    lifetime, daily = state.get("lifetime_spend_cap"), state.get("daily_spend_cap")
    if lifetime is not None and daily is not None:
        raise rule_error("SPEND_CAP", "Invalid 'spend_cap': 'lifetime_spend_cap' and 'daily_spend_cap' cannot be set "
                                      "at the same time.")
    low = min_spend_cap(currency)
    for field, value in (("lifetime_spend_cap", lifetime), ("daily_spend_cap", daily)):
        if value is not None and not low <= value <= MAX_SPEND_CAP:
            raise rule_error("SPEND_CAP", f"Invalid 'spend_cap': '{field}' is {value}; it must be between {low} and "
                                          f"{MAX_SPEND_CAP} micro-currency ({currency}).")
    default = state.get("default_ad_group_budget_in_micro_currency")
    if default is not None and default <= 0:
        raise rule_error("BUDGET", f"Invalid 'default_ad_group_budget_in_micro_currency': {default} must be positive.")
    if default is not None and default > MAX_SPEND_CAP:  # it becomes the ad groups' budget: their bound
        raise rule_error("BUDGET", f"Invalid 'default_ad_group_budget_in_micro_currency': {default} is above the "
                                   f"maximum of {MAX_SPEND_CAP} micro-currency ({currency}).")


def check_cbo(state: dict[str, Any]) -> None:
    if not state.get("is_campaign_budget_optimization"):
        return
    if state["objective_type"] not in CBO_OBJECTIVES:
        raise rule_error("CBO", f"Invalid 'is_campaign_budget_optimization': a {state['objective_type']} campaign "
                                f"cannot use campaign budget optimization (only {', '.join(sorted(CBO_OBJECTIVES))}).")
    if state.get("lifetime_spend_cap") is None and state.get("daily_spend_cap") is None:
        raise rule_error("SPEND_CAP", "Invalid 'spend_cap': a campaign budget optimization (CBO) campaign needs "
                                      "'lifetime_spend_cap' or 'daily_spend_cap'.")
    if state.get("lifetime_spend_cap") is not None and state.get("end_time") is None:
        raise rule_error("CBO", "Invalid 'end_time': a CBO campaign with a 'lifetime_spend_cap' needs an end_time.")


def check_flexible_daily_budgets(state: dict[str, Any], *, currency: str) -> None:
    if not state.get("is_flexible_daily_budgets"):
        return
    if not state.get("is_campaign_budget_optimization") or state.get("daily_spend_cap") is None:
        raise rule_error("FLEXIBLE_DAILY_BUDGETS", "Invalid 'is_flexible_daily_budgets': flexible daily budgets need "
                                                   "a CBO campaign with a 'daily_spend_cap'.")
    if currency != "USD":
        raise rule_error("FLEXIBLE_DAILY_BUDGETS", "Invalid 'is_flexible_daily_budgets': flexible daily budgets are "
                                                   f"available to ad accounts billed in USD only (this one: {currency}).")


def check_campaign(state: dict[str, Any], *, currency: str, now: int, end_changed: bool) -> None:
    """Every single-campaign rule, on the campaign as it will be stored."""
    check_spend_caps(state, currency=currency)
    check_cbo(state)
    check_flexible_daily_budgets(state, currency=currency)
    check_time_range(state.get("start_time"), state.get("end_time"), now=now, end_changed=end_changed)


def _stored(item: BaseModel, fields: set[str]) -> dict[str, Any]:
    """The fields of a request item as stored: tracking_urls keeps only the event types given."""
    data = item.model_dump(mode="json", include=fields)
    if data.get("tracking_urls") is not None:
        data["tracking_urls"] = {k: v for k, v in data["tracking_urls"].items() if v is not None}
    return data


# -- writes ----------------------------------------------------------------------------------------
def create_one(conn: sa.Connection, *, account: sa.Row, raw: Any, now: int) -> sa.Row:
    item = validated(CampaignCreateRequest, raw)
    check_account(item.ad_account_id, account.id)
    status = item.status.value if item.status else "ACTIVE"
    check_status_transition(None, status, entity="campaign")
    state = _stored(item, set(_CAMPAIGN_FIELDS))
    state["is_campaign_budget_optimization"] = bool(state["is_campaign_budget_optimization"])
    state["is_flexible_daily_budgets"] = bool(state["is_flexible_daily_budgets"])
    state["is_automated_campaign"] = bool(state["is_automated_campaign"])
    check_campaign(state, currency=account.currency, now=now, end_changed=True)
    campaign_id = new_id()
    conn.execute(sa.insert(campaigns).values(id=campaign_id, ad_account_id=account.id, status=status, data=state,
                                             created_time=now, updated_time=now))
    return conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id)).first()


def _apply_cbo_transition(conn: sa.Connection, *, row: sa.Row, was: bool, now_cbo: bool, default_budget: int | None,
                          now: int) -> None:
    """Turning CBO on clears the ad groups' budgets; turning it off gives them the default daily budget."""
    if was == now_cbo:
        return
    children = list(conn.execute(sa.select(ad_groups).where(ad_groups.c.campaign_id == row.id,
                                                            ad_groups.c.status.not_in(FINAL_STATUSES))))
    if not now_cbo and children and default_budget is None:
        raise rule_error("CBO", "Invalid 'default_ad_group_budget_in_micro_currency': it is required to turn campaign "
                                f"budget optimization off, as campaign {row.id} has ad groups that need a budget.")
    for child in children:
        data = dict(child.data or {})
        if now_cbo:
            data.update(budget_in_micro_currency=None, budget_type="CBO_ADGROUP", start_time=None, end_time=None,
                        pacing_delivery_type="STANDARD")
        else:
            data.update(budget_in_micro_currency=default_budget, budget_type="DAILY")
        conn.execute(sa.update(ad_groups).where(ad_groups.c.id == child.id).values(data=data, updated_time=now))


def check_ad_groups_within(conn: sa.Connection, *, row: sa.Row, start_time: int | None, end_time: int | None) -> None:
    """New campaign dates must still hold the dates of its live ad groups (not ARCHIVED / DELETED_DRAFT): the
    rule ad groups are written under (ad_groups/service.py check_within_campaign), seen from the campaign."""
    if start_time is None and end_time is None:
        return
    children = conn.execute(sa.select(ad_groups.c.id, ad_groups.c.data).where(
        ad_groups.c.campaign_id == row.id, ad_groups.c.status.not_in(FINAL_STATUSES)).order_by(ad_groups.c.id))
    for child in children:
        data = child.data or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start_time is not None and start is not None and start < start_time:
            raise rule_error("TIME_RANGE", f"Invalid 'start_time': {start_time} is after the start of ad group {child.id} "
                                           f"({start}) of campaign {row.id}; an ad group's dates must stay within its "
                                           "campaign's.")
        if end_time is not None and end is not None and end > end_time:
            raise rule_error("TIME_RANGE", f"Invalid 'end_time': {end_time} is before the end of ad group {child.id} "
                                           f"({end}) of campaign {row.id}; an ad group's dates must stay within its "
                                           "campaign's.")
        if end_time is not None and start is not None and start > end_time:
            raise rule_error("TIME_RANGE", f"Invalid 'end_time': {end_time} is before the start of ad group {child.id} "
                                           f"({start}) of campaign {row.id}; an ad group's dates must stay within its "
                                           "campaign's.")


def update_one(conn: sa.Connection, *, account: sa.Row, raw: Any, now: int) -> sa.Row:
    item = validated(CampaignUpdateRequest, raw)
    check_account(item.ad_account_id, account.id)
    row = get_row(conn, ad_account_id=account.id, campaign_id=item.id)
    sent = item.model_fields_set - {"id", "ad_account_id", "summary_status"}
    current = dict(row.data or {})
    if row.status == "ARCHIVED":
        if item.status is not None and item.status.value != "ARCHIVED":
            check_status_transition(row.status, item.status.value, entity="campaign", entity_id=row.id)
        others = sent - {"name", "status"}
        if others:
            raise rule_error("ARCHIVED_ENTITY", f"Invalid '{sorted(others)[0]}': campaign {row.id} is ARCHIVED; only "
                                                "its 'name' can still be changed.")
    status = item.status.value if item.status is not None else row.status
    check_status_transition(row.status, status, entity="campaign", entity_id=row.id)
    fields = sent & set(_CAMPAIGN_FIELDS)
    changes = _stored(item, fields)
    for flag in ("is_flexible_daily_budgets", "is_automated_campaign", "is_campaign_budget_optimization"):
        if flag in changes and changes[flag] is None:
            changes.pop(flag)  # null: keep the stored value
    if "name" in changes and not (changes["name"] or "").strip():
        raise rule_error("INVALID_FIELD", "Invalid 'name': a campaign name cannot be empty.")
    if changes.get("objective_type", current["objective_type"]) != current["objective_type"] and row.status != "DRAFT":
        raise rule_error("DRAFT_ONLY_FIELD", f"Invalid 'objective_type': only a DRAFT campaign can change its objective "
                                             f"(campaign {row.id} is {row.status}).")
    if changes.get("objective_type") is None:
        changes.pop("objective_type", None)
    state = {**current, **changes}
    end_changed = "end_time" in changes and changes["end_time"] != current.get("end_time")
    check_campaign(state, currency=account.currency, now=now, end_changed=end_changed)
    _apply_cbo_transition(conn, row=row, was=bool(current.get("is_campaign_budget_optimization")),
                          now_cbo=bool(state.get("is_campaign_budget_optimization")),
                          default_budget=state.get("default_ad_group_budget_in_micro_currency"), now=now)
    if any(field in changes and changes[field] != current.get(field) for field in ("start_time", "end_time")):
        # after the CBO transition, which clears the ad groups' dates when CBO is turned on
        check_ad_groups_within(conn, row=row, start_time=state.get("start_time"), end_time=state.get("end_time"))
    conn.execute(sa.update(campaigns).where(campaigns.c.id == row.id).values(status=status, data=state,
                                                                              updated_time=now))
    return conn.execute(sa.select(campaigns).where(campaigns.c.id == row.id)).first()


def create(conn: sa.Connection, *, account: sa.Row, items: list[Any], now: int) -> list[dict[str, Any]]:
    return run_batch(conn, items, lambda raw: render(create_one(conn, account=account, raw=raw, now=now), now=now))


def update(conn: sa.Connection, *, account: sa.Row, items: list[Any], now: int) -> list[dict[str, Any]]:
    return run_batch(conn, items, lambda raw: render(update_one(conn, account=account, raw=raw, now=now), now=now))

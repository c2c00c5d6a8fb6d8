"""Ad groups: list, get, batch create / update with per-item exceptions, and bid floors.

Batches work as for campaigns (see campaigns/service.py: per-item savepoints, failed items as
`{"data": {}, "exceptions": [...]}`, codes in `campaigns.service.ERROR_CODES`).

Rules (each in one function below, on the ad group as it will be stored):

* The campaign (`campaign_id`, "C" prefix accepted) must be in the ad account (1012 otherwise) and
  not ARCHIVED / DELETED_DRAFT; an ad group never moves to another campaign.
* Budgets. In a CBO campaign the ad group has budget_type CBO_ADGROUP (the default there), no
  `budget_in_micro_currency`, no `start_time`/`end_time` (the campaign's apply) and STANDARD pacing;
  a CBO campaign holds at most 70 live ad groups. Otherwise `budget_in_micro_currency` is required
  and at least one US dollar's worth of the account currency, at most `MAX_SPEND_CAP` (the campaign spend
  caps' bound; Pinterest documents none); budget_type is DAILY (default) or
  LIFETIME (needs `end_time`); WEB_SESSIONS campaigns take LIFETIME only.
* billable_event must suit the campaign objective (`BILLABLE_EVENTS`).
* Bids. `bid_in_micro_currency` is positive, at most `MAX_SPEND_CAP`, and at least the bid floor (`bid_floor`, below) for the
  account currency, the objective and the countries in targeting_spec.LOCATION. It is required for
  AWARENESS/IMPRESSION, CONSIDERATION/CLICKTHROUGH, CATALOG_SALES/CLICKTHROUGH and
  VIDEO_VIEW/VIDEO_V_50_MRC unless bid_strategy_type is AUTOMATIC_BID, which takes no bid; MAX_BID
  and TARGET_AVG need one. When no strategy is sent it reads MAX_BID with a bid, AUTOMATIC_BID without.
* WEB_CONVERSION ad groups need optimization_goal_metadata.conversion_tag_v3_goal_metadata with a
  conversion_tag_id and conversion_event.
* lifetime_frequency_cap: positive, IMPRESSION billable event only, needs end_time (-1 = none).
* Times: start < end, a new end in the future, and within the campaign's start/end when it has them.
  start_time defaults to the creation time (non-CBO).
* Status as for campaigns; an ARCHIVED ad group, or one in an ARCHIVED campaign, takes a new name
  only. billable_event and budget_type change only while the ad group is DRAFT.

summary_status: the ad group's own status when not ACTIVE; an ACTIVE ad group shows its campaign's
PAUSED / ARCHIVED / DRAFT state, else NOT_STARTED / RUNNING / COMPLETED from its dates (or the
campaign's when it has none) against the sandbox clock.

`translate_interests_to_names`: the sandbox has no interest catalogue, so INTEREST ids are returned
as stored whatever the flag says.
"""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from pinsandbox.ads.ad_groups.schemas import AdGroupCreateRequest, AdGroupUpdateRequest
from pinsandbox.ads.ad_groups.tables import ad_groups
from pinsandbox.ads.campaigns import service as campaigns_service
from pinsandbox.ads.campaigns.service import (CURRENCY_PER_USD, ERROR_CODES, FINAL_STATUSES, MAX_SPEND_CAP,
                                              check_status_transition,
                                              check_time_range, min_spend_cap, rule_error, run_batch, summary_status,
                                              validated)
from pinsandbox.ads.campaigns.tables import campaigns
from pinsandbox.core.enums import COUNTRIES
from pinsandbox.core.errors import InvalidParameter, NotFound
from pinsandbox.core.ids import new_id, parse_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate

MAX_CBO_AD_GROUPS = 70
DEFAULT_LIST_STATUSES = ("ACTIVE", "PAUSED")
NO_FREQUENCY_CAP = -1
# Billable events each objective accepts.
BILLABLE_EVENTS: dict[str, tuple[str, ...]] = {
    "AWARENESS": ("IMPRESSION",),
    "CONSIDERATION": ("CLICKTHROUGH",),
    "VIDEO_VIEW": ("VIDEO_V_50_MRC", "IMPRESSION"),
    "WEB_CONVERSION": ("IMPRESSION",),
    "CATALOG_SALES": ("CLICKTHROUGH", "IMPRESSION"),
    "WEB_SESSIONS": ("CLICKTHROUGH",),
}
# objective/billable_event pairs whose ad groups need a bid (the reference's list), unless AUTOMATIC_BID
BID_REQUIRED = {("AWARENESS", "IMPRESSION"), ("CONSIDERATION", "CLICKTHROUGH"), ("CATALOG_SALES", "CLICKTHROUGH"),
                ("VIDEO_VIEW", "VIDEO_V_50_MRC")}

_FIELDS = ("name", "budget_in_micro_currency", "bid_in_micro_currency", "optimization_goal_metadata", "budget_type",
           "start_time", "end_time", "targeting_spec", "lifetime_frequency_cap", "tracking_urls",
           "auto_targeting_enabled", "placement_group", "pacing_delivery_type", "billable_event", "bid_strategy_type")
# fields whose null in an update means "keep" (the response types them non-nullable)
_NOT_NULLABLE = {"name", "budget_type", "targeting_spec", "lifetime_frequency_cap", "placement_group",
                 "pacing_delivery_type", "billable_event"}

# -- bid floors ------------------------------------------------------------------------------------
# floor = ceil_to_cent(BASE[billable_event] * OBJECTIVE_FACTOR[objective] * COUNTRY_FACTOR[tier]
#                      * CREATIVE_FACTOR[creative_type] * CURRENCY_PER_USD[currency])
# in micro-currency, rounded up to a multiple of 10,000 (one hundredth of a unit). The country factor
# is the highest tier among the countries (a bid must clear the floor everywhere it runs); no
# countries count as tier 1. IMPRESSION bids are per thousand impressions (CPM).
BASE_FLOOR_USD_MICRO = {"IMPRESSION": 2_000_000, "CLICKTHROUGH": 100_000, "VIDEO_V_50_MRC": 30_000}
OBJECTIVE_FACTOR = {"AWARENESS": 1.0, "CONSIDERATION": 1.0, "VIDEO_VIEW": 1.0, "WEB_CONVERSION": 1.5,
                    "CATALOG_SALES": 1.2, "WEB_SESSIONS": 1.1}
TIER1 = frozenset("US CA GB AU NZ IE DE FR NL BE LU AT CH SE NO DK FI JP".split())
TIER2 = frozenset("ES IT PT GR PL CZ HU RO SK SI HR EE LV LT CY MT IL SG HK KR TW MX BR AR CL CO".split())
COUNTRY_FACTOR = {1: 1.0, 2: 0.6, 3: 0.3}
CREATIVE_FACTOR = {"VIDEO": 1.25, "MAX_VIDEO": 1.25}
FLOOR_STEP = 10_000


def country_tier(country: str) -> int:
    return 1 if country in TIER1 else 2 if country in TIER2 else 3


def bid_floor(*, billable_event: str, currency: str, objective_type: str | None = None,
              countries: list[str] | None = None, creative_type: str | None = None) -> int:
    """The smallest bid, in micro-currency of `currency` (see the formula above)."""
    tier = min((country_tier(c) for c in countries), default=1) if countries else 1
    value = (BASE_FLOOR_USD_MICRO[billable_event] * OBJECTIVE_FACTOR.get(objective_type or "", 1.0)
             * COUNTRY_FACTOR[tier] * CREATIVE_FACTOR.get(creative_type or "", 1.0) * CURRENCY_PER_USD.get(currency, 1))
    return int(math.ceil(round(value, 6) / FLOOR_STEP) * FLOOR_STEP)


def targeted_countries(targeting_spec: dict[str, Any] | None) -> list[str]:
    return [v for v in (targeting_spec or {}).get("LOCATION") or [] if v in COUNTRIES]


def bid_floors(*, specs: list[BaseModel], targeting_spec: dict[str, Any] | None) -> list[int]:
    """ad_groups_bid_floor/get: one floor per spec, in order; a spec without countries uses the
    countries of targeting_spec.LOCATION."""
    out = []
    for spec in specs:
        if spec.currency.value == "UNK":
            raise InvalidParameter("Invalid field 'bid_floor_specs.currency': UNK is not a billing currency.")
        countries = [c.value for c in spec.countries] if spec.countries else targeted_countries(targeting_spec)
        out.append(bid_floor(billable_event=spec.billable_event.value, currency=spec.currency.value,
                             objective_type=spec.objective_type.value if spec.objective_type else None,
                             countries=countries, creative_type=spec.creative_type.value if spec.creative_type else None))
    return out


# -- reads -----------------------------------------------------------------------------------------
def get_row(conn: sa.Connection, *, ad_account_id: int, ad_group_id: str | int) -> sa.Row:
    """The ad group row, or 404 code 1012 when it is not an ad group of the ad account."""
    row = conn.execute(sa.select(ad_groups).where(ad_groups.c.id == parse_id(ad_group_id),
                                                  ad_groups.c.ad_account_id == int(ad_account_id))).first()
    if row is None:
        raise NotFound(f"Request contains invalid gids: ad group {ad_group_id} (ad_group_id) is not in ad account "
                       f"{ad_account_id}, method GetAdGroupsByIds.", code=ERROR_CODES["UNKNOWN_ENTITY"])
    return row


def get_campaign_row(conn: sa.Connection, *, ad_account_id: int, campaign_id: str | int) -> sa.Row:
    """The campaign (the shared helper; re-exported for the ads domain)."""
    return campaigns_service.get_row(conn, ad_account_id=ad_account_id, campaign_id=campaign_id)


def group_summary_status(status: str, data: dict[str, Any], campaign: sa.Row, now: int) -> str:
    if status != "ACTIVE":
        return status
    if campaign.status != "ACTIVE":
        return campaign.status
    cdata = campaign.data or {}
    start = data.get("start_time") if data.get("start_time") is not None else cdata.get("start_time")
    end = data.get("end_time") if data.get("end_time") is not None else cdata.get("end_time")
    return summary_status("ACTIVE", start, end, now)


def render(row: sa.Row, *, campaign: sa.Row, now: int) -> dict[str, Any]:
    d = row.data or {}
    goal = d.get("optimization_goal_metadata")
    learning = ((goal or {}).get("conversion_tag_v3_goal_metadata") or {}).get("learning_mode_type")
    bid = d.get("bid_in_micro_currency")
    strategy = d.get("bid_strategy_type") or ("MAX_BID" if bid is not None else "AUTOMATIC_BID")
    cap = d.get("lifetime_frequency_cap")
    return {
        "name": d["name"], "status": row.status, "budget_in_micro_currency": d.get("budget_in_micro_currency"),
        "bid_in_micro_currency": bid, "optimization_goal_metadata": goal, "budget_type": d["budget_type"],
        "start_time": d.get("start_time"), "end_time": d.get("end_time"), "targeting_spec": d.get("targeting_spec") or {},
        "lifetime_frequency_cap": NO_FREQUENCY_CAP if cap is None else cap, "tracking_urls": d.get("tracking_urls"),
        "auto_targeting_enabled": d.get("auto_targeting_enabled"), "placement_group": d.get("placement_group") or "ALL",
        "pacing_delivery_type": d.get("pacing_delivery_type") or "STANDARD", "campaign_id": str(row.campaign_id),
        "billable_event": d["billable_event"], "bid_strategy_type": strategy, "id": str(row.id),
        "ad_account_id": str(row.ad_account_id), "created_time": row.created_time, "updated_time": row.updated_time,
        "type": "adgroup", "conversion_learning_mode_type": learning,
        "summary_status": group_summary_status(row.status, d, campaign, now),
        "feed_profile_id": "0", "dca_assets": None,
    }


def render_rows(conn: sa.Connection, rows: list[sa.Row], *, now: int) -> list[dict[str, Any]]:
    ids = {r.campaign_id for r in rows}
    parents = {c.id: c for c in conn.execute(sa.select(campaigns).where(campaigns.c.id.in_(ids)))} if ids else {}
    return [render(r, campaign=parents[r.campaign_id], now=now) for r in rows]


def list_(conn: sa.Connection, *, ad_account_id: int, campaign_ids: list[int] | None, ad_group_ids: list[int] | None,
          entity_statuses: list[str] | None, order: str | None, page: PageParams, secret: bytes
          ) -> tuple[list[sa.Row], str | None]:
    if campaign_ids is not None and ad_group_ids is not None:
        raise InvalidParameter("Invalid ad account group parameters: provide only one of 'campaign_ids' or "
                               "'ad_group_ids', not both.")
    statuses = sorted(set(entity_statuses or DEFAULT_LIST_STATUSES))
    stmt = sa.select(ad_groups).where(ad_groups.c.ad_account_id == ad_account_id, ad_groups.c.status.in_(statuses))
    if campaign_ids is not None:
        stmt = stmt.where(ad_groups.c.campaign_id.in_(campaign_ids))
    if ad_group_ids is not None:
        stmt = stmt.where(ad_groups.c.id.in_(ad_group_ids))
    fp = fingerprint("ad_groups/list", account=ad_account_id, campaigns=sorted(campaign_ids or []),
                     ids=sorted(ad_group_ids or []), statuses=statuses, order=order)
    return paginate(conn, stmt, key=ad_groups.c.id, page=page, secret=secret, fp=fp,
                    descending=order == "DESCENDING")


# -- rules -----------------------------------------------------------------------------------------
def is_cbo(campaign: sa.Row) -> bool:
    return bool((campaign.data or {}).get("is_campaign_budget_optimization"))


def check_campaign_open(campaign: sa.Row) -> None:
    if campaign.status in FINAL_STATUSES:
        raise rule_error("ARCHIVED_ENTITY", f"Invalid 'campaign_id': campaign {campaign.id} is {campaign.status}; no ad "
                                            "group can be created or revived in it.")


def check_budget(state: dict[str, Any], *, campaign: sa.Row, currency: str) -> None:
    objective = (campaign.data or {})["objective_type"]
    budget, budget_type = state.get("budget_in_micro_currency"), state["budget_type"]
    if budget is not None and budget <= 0:
        raise rule_error("BUDGET", f"Invalid 'budget_in_micro_currency': {budget} must be positive.")
    if budget is not None and budget > MAX_SPEND_CAP:
        raise rule_error("BUDGET", f"Invalid 'budget_in_micro_currency': {budget} is above the maximum of "
                                   f"{MAX_SPEND_CAP} micro-currency ({currency}), the campaign spend caps' bound.")
    if is_cbo(campaign):
        if budget_type != "CBO_ADGROUP":
            raise rule_error("BUDGET", f"Invalid 'budget_type': campaign {campaign.id} uses campaign budget "
                                       f"optimization, so only CBO_ADGROUP is allowed (got {budget_type}).")
        if budget is not None:
            raise rule_error("BUDGET", f"Invalid 'budget_in_micro_currency': campaign {campaign.id} uses campaign "
                                       "budget optimization; its ad groups take no budget.")
        for field in ("start_time", "end_time"):
            if state.get(field) is not None:
                raise rule_error("TIME_RANGE", f"Invalid '{field}': start and end time cannot be set for ad groups of "
                                               f"a CBO campaign ({campaign.id}); the campaign's apply.")
        if state.get("pacing_delivery_type", "STANDARD") != "STANDARD":
            raise rule_error("BUDGET", "Invalid 'pacing_delivery_type': only STANDARD is allowed in a CBO campaign.")
        return
    if budget_type == "CBO_ADGROUP":
        raise rule_error("BUDGET", f"Invalid 'budget_type': CBO_ADGROUP is only for CBO campaigns; campaign "
                                   f"{campaign.id} is not one.")
    if objective == "WEB_SESSIONS" and budget_type != "LIFETIME":
        raise rule_error("BUDGET", f"Invalid 'budget_type': WEB_SESSIONS campaigns take LIFETIME budgets only "
                                   f"(got {budget_type}).")
    if budget is None:
        raise rule_error("BUDGET", f"Invalid 'budget_in_micro_currency': it is required in a campaign without "
                                   f"campaign budget optimization (campaign {campaign.id}).")
    low = min_spend_cap(currency)
    if budget < low:
        raise rule_error("BUDGET", f"Invalid 'budget_in_micro_currency': {budget} is below the minimum of {low} "
                                   f"micro-currency ({currency}).")
    if budget_type == "LIFETIME" and state.get("end_time") is None:
        raise rule_error("BUDGET", "Invalid 'end_time': a LIFETIME budget needs an end_time.")


def check_billable_event(state: dict[str, Any], *, objective: str) -> None:
    allowed = BILLABLE_EVENTS[objective]
    if state["billable_event"] not in allowed:
        raise rule_error("BILLABLE_EVENT", f"Invalid 'billable_event': {state['billable_event']} is not allowed for a "
                                           f"{objective} campaign (allowed: {', '.join(allowed)}).")


def check_bid(state: dict[str, Any], *, objective: str, currency: str) -> None:
    bid, strategy, event = state.get("bid_in_micro_currency"), state.get("bid_strategy_type"), state["billable_event"]
    if bid is not None and bid <= 0:
        raise rule_error("BID", f"Invalid 'bid_in_micro_currency': {bid} must be positive.")
    if bid is not None and bid > MAX_SPEND_CAP:
        raise rule_error("BID", f"Invalid 'bid_in_micro_currency': {bid} is above the maximum of {MAX_SPEND_CAP} "
                                f"micro-currency ({currency}), the campaign spend caps' bound.")
    if strategy == "AUTOMATIC_BID":
        if bid is not None:
            raise rule_error("BID", "Invalid 'bid_in_micro_currency': an AUTOMATIC_BID ad group takes no bid.")
        return
    if bid is None:
        if strategy in ("MAX_BID", "TARGET_AVG"):
            raise rule_error("BID", f"Invalid 'bid_in_micro_currency': it is required with bid_strategy_type {strategy}.")
        if (objective, event) in BID_REQUIRED:
            raise rule_error("BID", f"Invalid 'bid_in_micro_currency': it is required for {objective}/{event} ad groups "
                                    "(or set bid_strategy_type AUTOMATIC_BID).")
        return
    floor = bid_floor(billable_event=event, currency=currency, objective_type=objective,
                      countries=targeted_countries(state.get("targeting_spec")))
    if bid < floor:
        raise rule_error("BID", f"Invalid 'bid_in_micro_currency': {bid} is below the bid floor of {floor} "
                                f"micro-currency ({currency}) for {objective}/{event} in the targeted countries.")


def check_optimization_goal(state: dict[str, Any], *, objective: str, campaign_end: int | None = None) -> None:
    goal = state.get("optimization_goal_metadata") or {}
    if objective == "WEB_CONVERSION":
        tag = goal.get("conversion_tag_v3_goal_metadata") or {}
        if not tag.get("conversion_tag_id") or not tag.get("conversion_event"):
            raise rule_error("OPTIMIZATION_GOAL", "Invalid 'optimization_goal_metadata': WEB_CONVERSION ad groups need "
                                                  "conversion_tag_v3_goal_metadata with conversion_tag_id and "
                                                  "conversion_event.")
    cap = state.get("lifetime_frequency_cap")
    if cap is not None and cap != NO_FREQUENCY_CAP:
        if cap <= 0:
            raise rule_error("OPTIMIZATION_GOAL", f"Invalid 'lifetime_frequency_cap': {cap} must be positive.")
        if state["billable_event"] != "IMPRESSION":
            raise rule_error("OPTIMIZATION_GOAL", "Invalid 'lifetime_frequency_cap': only IMPRESSION (CPM) ad groups "
                                                  "take a frequency cap.")
        if state.get("end_time") is None and campaign_end is None:
            raise rule_error("OPTIMIZATION_GOAL", "Invalid 'lifetime_frequency_cap': it needs an end_time.")


def check_targeting(state: dict[str, Any]) -> None:
    for value in (state.get("targeting_spec") or {}).get("LOCATION") or []:
        if value not in COUNTRIES and not value.isdigit():
            raise rule_error("TARGETING", f"Invalid 'targeting_spec.LOCATION': {value!r} is neither a country code nor "
                                          "a numeric metro (DMA) code.")


def check_within_campaign(state: dict[str, Any], *, campaign: sa.Row) -> None:
    cdata = campaign.data or {}
    c_start, c_end = cdata.get("start_time"), cdata.get("end_time")
    start, end = state.get("start_time"), state.get("end_time")
    if c_start is not None and start is not None and start < c_start:
        raise rule_error("TIME_RANGE", f"Invalid 'start_time': {start} is before the start of campaign {campaign.id} "
                                       f"({c_start}).")
    if c_end is not None and end is not None and end > c_end:
        raise rule_error("TIME_RANGE", f"Invalid 'end_time': {end} is after the end of campaign {campaign.id} ({c_end}).")
    if c_end is not None and start is not None and start > c_end:
        raise rule_error("TIME_RANGE", f"Invalid 'start_time': {start} is after the end of campaign {campaign.id} "
                                       f"({c_end}).")


def check_ad_group(state: dict[str, Any], *, campaign: sa.Row, currency: str, now: int, end_changed: bool) -> None:
    """Every single-ad-group rule, on the ad group as it will be stored."""
    objective = (campaign.data or {})["objective_type"]
    check_billable_event(state, objective=objective)
    check_budget(state, campaign=campaign, currency=currency)
    check_time_range(state.get("start_time"), state.get("end_time"), now=now, end_changed=end_changed)
    check_within_campaign(state, campaign=campaign)
    check_targeting(state)
    check_bid(state, objective=objective, currency=currency)
    check_optimization_goal(state, objective=objective, campaign_end=(campaign.data or {}).get("end_time"))


def check_cbo_capacity(conn: sa.Connection, *, campaign: sa.Row) -> None:
    if not is_cbo(campaign):
        return
    live = conn.execute(sa.select(sa.func.count()).select_from(ad_groups).where(
        ad_groups.c.campaign_id == campaign.id, ad_groups.c.status.not_in(FINAL_STATUSES))).scalar()
    if live >= MAX_CBO_AD_GROUPS:
        raise rule_error("AD_GROUP_LIMIT", f"Invalid 'campaign_id': CBO campaign {campaign.id} already holds "
                                           f"{MAX_CBO_AD_GROUPS} ad groups, the most it can.")


def _stored(item: BaseModel, fields: set[str]) -> dict[str, Any]:
    data = item.model_dump(mode="json", include=fields)
    for key in ("optimization_goal_metadata", "targeting_spec"):
        if data.get(key) is not None:
            data[key] = getattr(item, key).model_dump(mode="json", exclude_none=True)
    if "tracking_urls" in data and data["tracking_urls"] is not None:
        urls = {k: v for k, v in data["tracking_urls"].items() if v is not None}
        data["tracking_urls"] = urls or None  # {} removes the tracking URLs
    return data


def _campaign_ref(ref: str) -> int:
    return parse_id(ref, "C")


# -- writes ----------------------------------------------------------------------------------------
def create_one(conn: sa.Connection, *, account: sa.Row, raw: Any, now: int) -> sa.Row:
    item = validated(AdGroupCreateRequest, raw)
    campaign = get_campaign_row(conn, ad_account_id=account.id, campaign_id=_campaign_ref(item.campaign_id))
    check_campaign_open(campaign)
    status = item.status.value if item.status else "ACTIVE"
    check_status_transition(None, status, entity="ad group")
    cbo = is_cbo(campaign)
    objective = (campaign.data or {})["objective_type"]
    state = _stored(item, set(_FIELDS))
    if state["budget_type"] is None:
        state["budget_type"] = "CBO_ADGROUP" if cbo else "LIFETIME" if objective == "WEB_SESSIONS" else "DAILY"
    state["targeting_spec"] = state["targeting_spec"] or {}
    state["placement_group"] = state["placement_group"] or "ALL"
    state["pacing_delivery_type"] = state["pacing_delivery_type"] or "STANDARD"
    if state["auto_targeting_enabled"] is None:
        state["auto_targeting_enabled"] = True
    if not cbo and state["start_time"] is None:
        state["start_time"] = max(now, (campaign.data or {}).get("start_time") or now)
    check_ad_group(state, campaign=campaign, currency=account.currency, now=now, end_changed=True)
    check_cbo_capacity(conn, campaign=campaign)
    group_id = new_id()
    conn.execute(sa.insert(ad_groups).values(id=group_id, ad_account_id=account.id, campaign_id=campaign.id,
                                             status=status, data=state, created_time=now, updated_time=now))
    return conn.execute(sa.select(ad_groups).where(ad_groups.c.id == group_id)).first()


def update_one(conn: sa.Connection, *, account: sa.Row, raw: Any, now: int) -> sa.Row:
    item = validated(AdGroupUpdateRequest, raw)
    row = get_row(conn, ad_account_id=account.id, ad_group_id=item.id)
    campaign = conn.execute(sa.select(campaigns).where(campaigns.c.id == row.campaign_id)).first()
    if item.campaign_id is not None and _campaign_ref(item.campaign_id) != row.campaign_id:
        raise rule_error("INVALID_FIELD", f"Invalid 'campaign_id': ad group {row.id} cannot move to another campaign.")
    sent = item.model_fields_set - {"id", "campaign_id"}
    new_status = item.status.value if item.status is not None else row.status
    frozen = row.status == "ARCHIVED" or campaign.status in FINAL_STATUSES
    if frozen:
        if new_status != row.status and row.status in FINAL_STATUSES:
            check_status_transition(row.status, new_status, entity="ad group", entity_id=row.id)
        if new_status not in (row.status, "ARCHIVED"):
            check_campaign_open(campaign)
        others = sent - {"name", "status"}
        if others:
            whose = f"ad group {row.id}" if row.status == "ARCHIVED" else f"campaign {campaign.id} of ad group {row.id}"
            raise rule_error("ARCHIVED_ENTITY", f"Invalid '{sorted(others)[0]}': {whose} is ARCHIVED; only the ad "
                                                "group's 'name' can still be changed.")
    check_status_transition(row.status, new_status, entity="ad group", entity_id=row.id)
    current = dict(row.data or {})
    changes = _stored(item, sent & set(_FIELDS))
    for key in _NOT_NULLABLE:
        if key in changes and changes[key] is None:
            changes.pop(key)
    for key in ("billable_event", "budget_type"):
        if key in changes and changes[key] != current.get(key) and row.status != "DRAFT":
            raise rule_error("DRAFT_ONLY_FIELD", f"Invalid '{key}': only a DRAFT ad group can change it (ad group "
                                                 f"{row.id} is {row.status}).")
    state = {**current, **changes}
    end_changed = "end_time" in changes and changes["end_time"] != current.get("end_time")
    if not frozen:
        check_ad_group(state, campaign=campaign, currency=account.currency, now=now, end_changed=end_changed)
    conn.execute(sa.update(ad_groups).where(ad_groups.c.id == row.id).values(status=new_status, data=state,
                                                                              updated_time=now))
    return conn.execute(sa.select(ad_groups).where(ad_groups.c.id == row.id)).first()


def _rendered(conn: sa.Connection, row: sa.Row, now: int) -> dict[str, Any]:
    return render_rows(conn, [row], now=now)[0]


def create(conn: sa.Connection, *, account: sa.Row, items: list[Any], now: int) -> list[dict[str, Any]]:
    return run_batch(conn, items, lambda raw: _rendered(conn, create_one(conn, account=account, raw=raw, now=now), now))


def update(conn: sa.Connection, *, account: sa.Row, items: list[Any], now: int) -> list[dict[str, Any]]:
    return run_batch(conn, items, lambda raw: _rendered(conn, update_one(conn, account=account, raw=raw, now=now), now))

"""Keywords: list, batch create / update with per-keyword errors, and country keyword metrics.

Parents. A keyword belongs to the ad account itself (parent_type "advertiser"), to one of its
campaigns ("campaign") or to one of its ad groups ("ad_group"). `parent_id` of a create names it:
"AG<id>" is an ad group, "C<id>" a campaign, bare digits are the ad account when they equal the path's
id, else a campaign, else an ad group of that account. A parent that is not in the account is a 404
code 1012 for the whole request (ads, which the reference also names, are not keyword parents here).

Listing (keywords/get), as the reference says: without `campaign_id` or `ad_group_id` the list holds
only the keywords whose parent is the ad account itself; `campaign_id` lists the keywords whose parent
is that campaign, `ad_group_id` those whose parent is that ad group (the more specific filter: when
both are sent the ad group must be in that campaign, 400 otherwise). An id that is not in the account
is a 404 code 1012. Archived keywords are "effectively deleted": never listed, never delivered; their
ids still answer to updates. `match_types` narrows the list. Sorted by id (creation order).

Batches (keywords/create, keywords/update) answer `KeywordsResponse`: written keywords in `keywords`,
the others in `errors` as `{"data": <keyword>, "error_messages": [...]}`; each keyword is decided in
its own savepoint (`campaigns.service.run_batch`), so a failing one leaves nothing behind and does not
sink the rest (HTTP 200). The error's `data` is the keyword as sent (create: `value`, `match_type`,
`bid`, `type`) or as stored (update). Pinterest's reference shows the unknown fields of a failed create
as null; they are left out here, because its `Keyword` schema types them as non-nullable.

Rules per keyword (each one function below):

* Advertisers and campaigns only take negative keywords (EXACT_NEGATIVE, PHRASE_NEGATIVE); ad groups
  take every match type ("Advertisers and Campaigns only accept excluded targeting attributes.").
* A negative keyword takes no bid. A bid (micro-currency of the account) on an ad-group keyword is at
  least that ad group's bid floor (`ad_groups.service.bid_floor` for its billable event, objective and
  targeted countries); `bid: null` on update drops the custom bid (the ad group's bid applies).
* No two live (non-archived) keywords of one parent share match type and value; values compare
  case-insensitively after trimming and collapsing whitespace (that is how they are stored). A
  duplicate within one request fails at its second occurrence.
* No keyword is created under, or un-archived in, an ARCHIVED / DELETED_DRAFT campaign or ad group (or
  an ad group of such a campaign).
* Update: every id must be a keyword of the account (404 code 1012 for the whole request otherwise),
  and an id appears once per request (400 code 1). The bid rules are checked on keywords that stay
  live (a new bid) or come back to life (their bid); an archived keyword may carry any positive bid,
  as it does not deliver.

Country keyword metrics (country_keywords_metrics/get) are deterministic: the same keyword, country and
account currency always give the same numbers, computed from `h = sha256("<key>|<country>")`, where
`<key>` is the keyword's comparison form (above):

* u1 = first 8 bytes of h, u2 = the next 8, each as an unsigned integer / 2**64 (in [0, 1)).
* Monthly search volume: log10(volume) = 2 + 5.5*u1 - 0.35*(min(words, 6) - 1) + log10(MARKET[tier]),
  words being the keyword's word count and tier the country's (ad_groups.service.country_tier), with
  MARKET = {1: 1, 2: 0.25, 3: 0.05}. `keyword_query_volume` is the bucket of that volume: "5M+", "1M+",
  "100K+", "10K+", "1K+", "100+" (at least 5,000,000, 1,000,000, ... 100), else "<100".
* avg_cpc_in_micro_currency = 100,000 * 10**(1.5*u2) US micro-dollars (USD 0.10 to 3.16), times the
  country's bid-floor factor (ad_groups.service.COUNTRY_FACTOR) and the account currency's
  CURRENCY_PER_USD, rounded up to a multiple of 10,000 — so it never falls below the CLICKTHROUGH bid
  floor of that country and currency.
Keywords are answered once each, in the order first given.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pinsandbox.ads.ad_groups.service import COUNTRY_FACTOR, FLOOR_STEP, bid_floor, country_tier, targeted_countries
from pinsandbox.ads.ad_groups.tables import ad_groups
from pinsandbox.ads.campaigns.service import CURRENCY_PER_USD, ERROR_CODES, FINAL_STATUSES, run_batch
from pinsandbox.ads.campaigns.tables import campaigns
from pinsandbox.ads.keywords.schemas import NEGATIVE_MATCH_TYPES, KeywordsCommon, KeywordUpdate, clean_value
from pinsandbox.ads.keywords.tables import keywords
from pinsandbox.core.errors import InvalidParameter, NotFound
from pinsandbox.core.ids import new_id, parse_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate

ADVERTISER, CAMPAIGN, AD_GROUP = "advertiser", "campaign", "ad_group"
ONLY_NEGATIVE = "Advertisers and Campaigns only accept excluded targeting attributes."

MARKET = {1: 1.0, 2: 0.25, 3: 0.05}
VOLUME_BUCKETS = ((5_000_000, "5M+"), (1_000_000, "1M+"), (100_000, "100K+"), (10_000, "10K+"), (1_000, "1K+"),
                  (100, "100+"))
CPC_BASE_USD_MICRO = 100_000

# Codes of per-keyword errors (KeywordError carries only the messages; the codes stay with the
# exceptions): the shared ads codes, plus this sandbox's own for duplicates.
KEYWORD_ERROR_CODES = {**ERROR_CODES, "DUPLICATE": 1590}


def rule_error(rule: str, message: str) -> InvalidParameter:
    return InvalidParameter(message, code=KEYWORD_ERROR_CODES[rule])


def value_key(value: str) -> str:
    """How keyword values compare: trimmed, whitespace collapsed, case-folded."""
    return clean_value(value).casefold()


# -- parents ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Parent:
    """The entity a keyword hangs from (advertiser, campaign or ad group), with the rows the rules read:
    the campaign of a campaign or ad-group parent, the ad group of an ad-group parent."""

    kind: str
    id: int
    campaign: sa.Row | None = None
    ad_group: sa.Row | None = None

    @property
    def status(self) -> str | None:
        entity = self.ad_group if self.kind == AD_GROUP else self.campaign if self.kind == CAMPAIGN else None
        return entity.status if entity is not None else None


def _unknown(what: str, ref: str, ad_account_id: int, field: str) -> NotFound:
    return NotFound(f"Request contains invalid gids: {what} {ref} ({field}) is not in ad account {ad_account_id}.",
                    code=ERROR_CODES["UNKNOWN_ENTITY"])


def _campaign(conn: sa.Connection, ad_account_id: int, campaign_id: int) -> sa.Row | None:
    return conn.execute(sa.select(campaigns).where(campaigns.c.id == campaign_id,
                                                   campaigns.c.ad_account_id == ad_account_id)).first()


def _ad_group(conn: sa.Connection, ad_account_id: int, ad_group_id: int) -> sa.Row | None:
    return conn.execute(sa.select(ad_groups).where(ad_groups.c.id == ad_group_id,
                                                   ad_groups.c.ad_account_id == ad_account_id)).first()


def _ad_group_parent(conn: sa.Connection, group: sa.Row) -> Parent:
    campaign = conn.execute(sa.select(campaigns).where(campaigns.c.id == group.campaign_id)).first()
    return Parent(AD_GROUP, group.id, campaign=campaign, ad_group=group)


def resolve_parent(conn: sa.Connection, *, ad_account_id: int, parent_id: str) -> Parent:
    """`parent_id` of a create ("AG<id>", "C<id>" or bare digits), or 404 code 1012."""
    if parent_id.startswith("AG"):
        group = _ad_group(conn, ad_account_id, int(parent_id[2:]))
        if group is None:
            raise _unknown("ad group", parent_id, ad_account_id, "parent_id")
        return _ad_group_parent(conn, group)
    if parent_id.startswith("C"):
        campaign = _campaign(conn, ad_account_id, parse_id(parent_id, "C"))
        if campaign is None:
            raise _unknown("campaign", parent_id, ad_account_id, "parent_id")
        return Parent(CAMPAIGN, campaign.id, campaign=campaign)
    number = parse_id(parent_id)
    if number == ad_account_id:
        return Parent(ADVERTISER, ad_account_id)
    campaign = _campaign(conn, ad_account_id, number)
    if campaign is not None:
        return Parent(CAMPAIGN, campaign.id, campaign=campaign)
    group = _ad_group(conn, ad_account_id, number)
    if group is not None:
        return _ad_group_parent(conn, group)
    raise _unknown("advertiser, campaign or ad group", parent_id, ad_account_id, "parent_id")


def parent_of(conn: sa.Connection, row: sa.Row) -> Parent:
    """The parent of a stored keyword."""
    if row.parent_type == AD_GROUP:
        group = conn.execute(sa.select(ad_groups).where(ad_groups.c.id == row.parent_id)).first()
        return _ad_group_parent(conn, group)
    if row.parent_type == CAMPAIGN:
        return Parent(CAMPAIGN, row.parent_id,
                      campaign=conn.execute(sa.select(campaigns).where(campaigns.c.id == row.parent_id)).first())
    return Parent(ADVERTISER, row.parent_id)


# -- reads -----------------------------------------------------------------------------------------
def render(row: sa.Row) -> dict[str, Any]:
    d = row.data or {}
    return {"archived": bool(row.archived), "id": str(row.id), "parent_id": str(row.parent_id),
            "parent_type": row.parent_type, "type": "keyword", "bid": d.get("bid"), "match_type": row.match_type,
            "value": d["value"]}


def get_row(conn: sa.Connection, *, ad_account_id: int, keyword_id: str | int) -> sa.Row:
    """One keyword of the ad account (the bulk upsert updates keywords one row at a time), or 404 code 1012."""
    row = conn.execute(sa.select(keywords).where(keywords.c.id == parse_id(keyword_id),
                                                 keywords.c.ad_account_id == ad_account_id)).first()
    if row is None:
        raise _unknown("keyword", str(keyword_id), ad_account_id, "id")
    return row


def list_parent(conn: sa.Connection, *, ad_account_id: int, campaign_id: str | None,
                ad_group_id: str | None) -> int:
    """The parent whose keywords keywords/get lists (see the module docstring)."""
    campaign = None
    if campaign_id is not None:
        campaign = _campaign(conn, ad_account_id, parse_id(campaign_id))
        if campaign is None:
            raise _unknown("campaign", campaign_id, ad_account_id, "campaign_id")
    if ad_group_id is not None:
        group = _ad_group(conn, ad_account_id, parse_id(ad_group_id))
        if group is None:
            raise _unknown("ad group", ad_group_id, ad_account_id, "ad_group_id")
        if campaign is not None and group.campaign_id != campaign.id:
            raise InvalidParameter(f"Invalid parameter 'ad_group_id': ad group {ad_group_id} is not in campaign "
                                   f"{campaign_id}; send one of them, or an ad group of that campaign.")
        return group.id
    return campaign.id if campaign is not None else ad_account_id


def list_(conn: sa.Connection, *, ad_account_id: int, campaign_id: str | None, ad_group_id: str | None,
          match_types: list[str] | None, page: PageParams, secret: bytes) -> tuple[list[sa.Row], str | None]:
    parent_id = list_parent(conn, ad_account_id=ad_account_id, campaign_id=campaign_id, ad_group_id=ad_group_id)
    stmt = sa.select(keywords).where(keywords.c.ad_account_id == ad_account_id, keywords.c.parent_id == parent_id,
                                     keywords.c.archived == sa.false())
    kinds = sorted(set(match_types)) if match_types else None
    if kinds is not None:
        stmt = stmt.where(keywords.c.match_type.in_(kinds))
    fp = fingerprint("keywords/get", account=ad_account_id, parent=parent_id, match_types=kinds)
    return paginate(conn, stmt, key=keywords.c.id, page=page, secret=secret, fp=fp)


def keywords_for_ad_group(conn: sa.Connection, ad_group_id: int | str) -> list[tuple[str, str]]:
    """(value, match_type) of the ad group's live positive keywords, in creation order: what the
    delivery simulator reports as KEYWORD targeting values."""
    rows = conn.execute(sa.select(keywords.c.data, keywords.c.match_type).where(
        keywords.c.parent_type == AD_GROUP, keywords.c.parent_id == parse_id(ad_group_id),
        keywords.c.archived == sa.false(), keywords.c.match_type.not_in(sorted(NEGATIVE_MATCH_TYPES))
    ).order_by(keywords.c.id))
    return [((r.data or {})["value"], r.match_type) for r in rows]


# -- rules -----------------------------------------------------------------------------------------
def check_match_type(parent: Parent, match_type: str) -> None:
    if parent.kind in (ADVERTISER, CAMPAIGN) and match_type not in NEGATIVE_MATCH_TYPES:
        raise rule_error("TARGETING", f"{ONLY_NEGATIVE} Invalid 'match_type': {match_type} on a {parent.kind} "
                                      f"keyword; use EXACT_NEGATIVE or PHRASE_NEGATIVE.")


def check_parent_open(parent: Parent) -> None:
    """The parent, and the campaign of an ad-group parent, is not ARCHIVED / DELETED_DRAFT."""
    if parent.status in FINAL_STATUSES:
        raise rule_error("ARCHIVED_ENTITY", f"Invalid 'parent_id': {parent.kind.replace('_', ' ')} {parent.id} is "
                                            f"{parent.status}; it takes no live keywords.")
    if parent.kind == AD_GROUP and parent.campaign.status in FINAL_STATUSES:
        raise rule_error("ARCHIVED_ENTITY", f"Invalid 'parent_id': campaign {parent.campaign.id} of ad group "
                                            f"{parent.id} is {parent.campaign.status}; it takes no live keywords.")


def check_bid(parent: Parent, *, match_type: str, bid: int | None, currency: str) -> None:
    if bid is None:
        return
    if match_type in NEGATIVE_MATCH_TYPES:
        raise rule_error("BID", f"Invalid 'bid': a negative keyword ({match_type}) excludes traffic and takes no bid.")
    if parent.kind != AD_GROUP:
        return
    group, campaign = parent.ad_group, parent.campaign
    gdata, cdata = group.data or {}, campaign.data or {}
    floor = bid_floor(billable_event=gdata["billable_event"], currency=currency,
                      objective_type=cdata.get("objective_type"),
                      countries=targeted_countries(gdata.get("targeting_spec")))
    if bid < floor:
        raise rule_error("BID", f"Invalid 'bid': {bid} is below the bid floor of {floor} micro-currency ({currency}) "
                                f"of ad group {group.id}.")


def check_unique(conn: sa.Connection, parent: Parent, *, match_type: str, value: str,
                 keyword_id: int | None = None) -> None:
    stmt = sa.select(keywords.c.id).where(keywords.c.parent_id == parent.id, keywords.c.match_type == match_type,
                                          keywords.c.value_key == value_key(value), keywords.c.archived == sa.false())
    if keyword_id is not None:
        stmt = stmt.where(keywords.c.id != keyword_id)
    other = conn.execute(stmt.limit(1)).scalar()
    if other is not None:
        raise rule_error("DUPLICATE", f"Invalid 'value': the {parent.kind.replace('_', ' ')} {parent.id} already has "
                                      f"the {match_type} keyword {value!r} (keyword {other}).")


# -- writes ----------------------------------------------------------------------------------------
def create_one(conn: sa.Connection, *, account: sa.Row, parent: Parent, item: KeywordsCommon, now: int) -> sa.Row:
    match_type = item.match_type.value
    check_match_type(parent, match_type)
    check_parent_open(parent)
    check_bid(parent, match_type=match_type, bid=item.bid, currency=account.currency)
    check_unique(conn, parent, match_type=match_type, value=item.value)
    keyword_id = new_id()
    conn.execute(sa.insert(keywords).values(
        id=keyword_id, ad_account_id=account.id, parent_type=parent.kind, parent_id=parent.id,
        campaign_id=parent.campaign.id if parent.campaign is not None else None,
        ad_group_id=parent.ad_group.id if parent.ad_group is not None else None,
        match_type=match_type, value_key=value_key(item.value), archived=False,
        data={"value": item.value, "bid": item.bid}, created_time=now, updated_time=now))
    return conn.execute(sa.select(keywords).where(keywords.c.id == keyword_id)).first()


def update_one(conn: sa.Connection, *, account: sa.Row, row: sa.Row, item: KeywordUpdate, now: int) -> sa.Row:
    sent = item.model_fields_set
    data = dict(row.data or {})
    archived = bool(row.archived) if item.archived is None else item.archived
    if "bid" in sent:
        data["bid"] = item.bid
    if not archived:
        parent = parent_of(conn, row)
        if row.archived:
            check_parent_open(parent)
            check_unique(conn, parent, match_type=row.match_type, value=data["value"], keyword_id=row.id)
        if "bid" in sent or row.archived:
            check_bid(parent, match_type=row.match_type, bid=data.get("bid"), currency=account.currency)
    conn.execute(sa.update(keywords).where(keywords.c.id == row.id).values(archived=archived, data=data,
                                                                          updated_time=now))
    return conn.execute(sa.select(keywords).where(keywords.c.id == row.id)).first()


def _response(pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> dict[str, Any]:
    """KeywordsResponse from (error data, run_batch element) pairs."""
    done, errors = [], []
    for data, element in pairs:
        if element["exceptions"]:
            errors.append({"data": data, "error_messages": [e["message"] for e in element["exceptions"]]})
        else:
            done.append(element["data"])
    return {"keywords": done, "errors": errors}


def create(conn: sa.Connection, *, account: sa.Row, parent_id: str, items: list[KeywordsCommon],
           now: int) -> dict[str, Any]:
    parent = resolve_parent(conn, ad_account_id=account.id, parent_id=parent_id)
    results = run_batch(conn, items, lambda item: render(create_one(conn, account=account, parent=parent, item=item,
                                                                    now=now)))
    sent = [{"type": "keyword", "bid": i.bid, "match_type": i.match_type.value, "value": i.value} for i in items]
    return _response(zip(sent, results))


def update(conn: sa.Connection, *, account: sa.Row, items: list[KeywordUpdate], now: int) -> dict[str, Any]:
    ids = [int(i.id) for i in items]
    seen: set[int] = set()
    for index, keyword_id in enumerate(ids):
        if keyword_id in seen:
            raise InvalidParameter(f"Invalid field 'keywords.{index}.id': keyword {keyword_id} is given more than "
                                   "once.")
        seen.add(keyword_id)
    rows = {r.id: r for r in conn.execute(sa.select(keywords).where(keywords.c.id.in_(ids),
                                                                    keywords.c.ad_account_id == account.id))}
    missing = [i for i in ids if i not in rows]
    if missing:
        raise _unknown("keyword", ", ".join(map(str, missing)), account.id, "keywords.id")
    before = {i: render(rows[i]) for i in ids}
    results = run_batch(conn, items, lambda item: render(update_one(conn, account=account, row=rows[int(item.id)],
                                                                    item=item, now=now)))
    return _response(zip((before[i] for i in ids), results))


# -- metrics ---------------------------------------------------------------------------------------
def _unit(digest: bytes, start: int) -> float:
    return int.from_bytes(digest[start:start + 8], "big") / 2**64


def query_volume_bucket(volume: float) -> str:
    for low, label in VOLUME_BUCKETS:
        if volume >= low:
            return label
    return "<100"


def keyword_metrics(keyword: str, *, country: str, currency: str) -> dict[str, Any]:
    """The deterministic metrics of one keyword in one country (see the module docstring)."""
    key = value_key(keyword)
    digest = hashlib.sha256(f"{key}|{country}".encode()).digest()
    u1, u2 = _unit(digest, 0), _unit(digest, 8)
    tier = country_tier(country)
    words = max(1, min(len(key.split()), 6))
    volume = 10 ** (2 + 5.5 * u1 - 0.35 * (words - 1) + math.log10(MARKET[tier]))
    cpc = CPC_BASE_USD_MICRO * 10 ** (1.5 * u2) * COUNTRY_FACTOR[tier] * CURRENCY_PER_USD.get(currency, 1)
    cpc = int(math.ceil(round(cpc, 6) / FLOOR_STEP) * FLOOR_STEP)
    return {"avg_cpc_in_micro_currency": cpc, "keyword_query_volume": query_volume_bucket(volume)}


def country_metrics(*, keywords_: list[str], country: str, currency: str) -> list[dict[str, Any]]:
    out, seen = [], set()
    for keyword in keywords_:
        if keyword in seen:
            continue
        seen.add(keyword)
        out.append({"keyword": keyword, "metrics": keyword_metrics(keyword, country=country, currency=currency)})
    return out


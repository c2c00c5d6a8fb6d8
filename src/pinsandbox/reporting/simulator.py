"""The delivery simulator: deterministic hourly delivery and conversion facts for the live ads.

`simulate(store, start=, end=, seed=)` writes facts (source 'sim') for the UTC hours in [start, end);
`catch_up(store)` continues from the watermark to the last completed hour of the sandbox clock once
a simulation was ever started (the fact store's meta 'sim_seed').

Who delivers. Each ACTIVE ad of an ACTIVE ad group of an ACTIVE campaign (the stored statuses, as they
are when the simulation runs), in the hours that overlap both the ad group's and the campaign's
[start_time, end_time) (an unset bound is open).

How much. An ad group has a daily volume (impressions) from its targeting breadth and its budget
(a larger budget buys more, with diminishing returns); its ads share it by fixed weights. Each day
varies it (weekday, a slow trend, noise), each hour follows a diurnal curve (UTC, shaped by US
evenings). An ad-hour is split into 1-4 segment rows: each row is one combination of targeting
values drawn from what the ad group's targeting_spec allows (GENDER, AGE_BUCKET, APPTYPE, LOCATION
as countries and/or metros, INTEREST, AUDIENCE_INCLUDE, placement_group, and the ad group's keywords
on SEARCH rows), weighted by audience shares (`reporting.vocab`). A US row names its metro (LOCATION),
state (REGION) and a postal code (GEO); elsewhere LOCATION is NULL and REGION/GEO come from the
country's regions. TARGETED_INTEREST and AUDIENCE_INCLUDE are set only when the ad group targets
them; PINNER_INTEREST always names an interest.

Funnel per row: paid impressions; Pin clicks (CTR 0.2-2.5%, higher on SEARCH); outbound clicks ≤ Pin
clicks; saves; closeups; engagement_1 = Pin clicks + outbound clicks + saves + closeups; gross
counters = net + invalid traffic; web sessions ≤ outbound clicks; earned (_2) counters 3-15% of the
paid ones. Video counters only for VIDEO / MAX_VIDEO ads (starts ≥ 3-second views, MRC views; p0 ≥
p25 ≥ p50 ≥ p75 ≥ p95 ≥ p100; watch time from the quartiles and the video's length). Other bases
follow the creative type (checkouts for shopping ads, product tag visits for Idea ads, quiz
completions, showcase counters, leads for ads with a lead form); 0 otherwise.

Spend is micro-units of the account currency: billable events (CLICKTHROUGH -> Pin clicks,
IMPRESSION -> impressions, VIDEO_V_50_MRC -> MRC views) times a clearing price: below the bid when
there is one, else an automatic price scaled to the currency (`vocab.currency_factor`).

Caps. Each UTC day has a room per ad group (DAILY budget: the budget; LIFETIME: the budget less all
spend before the day) and per campaign (daily_spend_cap / lifetime_spend_cap, which are the budget of
a CBO campaign); fixture spend of the day counts against it too. Delivery is paced to the room from the
expected spend (ad group first, then campaign), and then cut exactly: in a random order per ad group
(then campaign), rows are kept while the running spend stays within the room. So the sum of spend
never exceeds any cap, a capped day spends close to its room, and every row keeps the relations
between its counters. Lifetime caps count every spend already in the facts before the day.

Reach. People ids are local to the ad account, in [0, 2**24). An ad group owns an audience block
derived from its id; an ad's rows of one day lie in a daily window inside it, which drifts from day
to day; the rows of one ad-hour are consecutive sub-blocks placed at random in the window. So hourly
blocks of a day overlap (daily reach < sum of hourly reach), and 1 ≤ people_n ≤ impressions.

Conversions. From each row's Pin clicks (CLICK), saves and closeups (ENGAGEMENT) and impressions
(VIEW), with lags mostly of hours to days and a tail to 60 days; event types suited to the campaign
objective (and the ad group's conversion goal); channel WEB mostly, INAPP from app types, some
OFFLINE, PINTEREST only for checkouts; devices from the app type (conversion device usually the
same); attribution INDIVIDUAL ~85% / HOUSEHOLD; quantity 1-3 and values for checkouts, add-to-carts
and custom events. A conversion carries its row's ids and segment values; its conversion_time may
lie after the watermark (the query layer counts only those that happened by the clock's now).

Determinism. Every random number is a counter-based hash of (seed, ad id, UTC day, hour, slot,
stream), so the same seed, entities and range give identical facts, and a day is always generated
whole (its caps and reach windows see the whole day) before the hours asked for are kept: simulating
[a, b) then [b, c) gives exactly the facts of [a, c).

Re-simulation. `simulate` first deletes the 'sim' facts of its range (delivery by hour, conversions
by action_time), so running it twice is the same as running it once. Each chunk of days is one commit
of the fact store (delete, append, watermark): a failure leaves the facts as they were before the chunk.
Runs are serialized per data dir across processes (`FactStore.exclusive("simulate")`).
"""

from __future__ import annotations

import datetime as dt
import math
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from pinsandbox.reporting import vocab

UTC = dt.timezone.utc
HOUR = 3600
DAY = 86_400
PEOPLE_SPACE = 1 << 24
META_WATERMARK = "sim_watermark"
META_SEED = "sim_seed"
SOURCE = "sim"
TARGET_ROWS_PER_CHUNK = 300_000
MAX_LAG_SECONDS = 60 * DAY - 1
DEVICE_ORDER = ("DESKTOP", "MOBILE", "TABLET")

# Diurnal curve over UTC hours (US evenings are 00-04 UTC), and a weekday factor (Monday first).
DIURNAL = np.array([1.25, 1.35, 1.40, 1.30, 1.10, 0.85, 0.60, 0.45, 0.38, 0.35, 0.38, 0.45,
                    0.60, 0.75, 0.88, 0.95, 1.00, 1.02, 1.03, 1.05, 1.08, 1.12, 1.15, 1.20])
DIURNAL = DIURNAL / DIURNAL.sum()
WEEKDAY = np.array([0.97, 0.98, 0.99, 1.00, 0.98, 1.03, 1.07])
PLACEMENT_CTR = {"SEARCH": 1.35, "BROWSE": 0.90, "OTHER": 0.70}
BILLABLE = {"IMPRESSION": 0, "CLICKTHROUGH": 1, "VIDEO_V_50_MRC": 2}
# Automatic clearing prices in USD per billable unit (impression, Pin click, MRC view): (low, high).
AUTO_PRICE_USD = {0: (0.0025, 0.009), 1: (0.25, 1.50), 2: (0.02, 0.08)}
VIDEO_TYPES = frozenset({"VIDEO", "MAX_VIDEO"})
SHOPPING_TYPES = frozenset({"SHOPPING", "SHOP_THE_PIN", "COLLECTION"})

# Conversion event mix per campaign objective (weights); the ad group's goal event gets a boost.
EVENT_MIX: dict[str, dict[str, float]] = {
    "AWARENESS": {"PAGE_VISIT": 70, "VIEW_CATEGORY": 14, "SIGNUP": 5, "ADD_TO_CART": 5, "CHECKOUT": 4, "SEARCH": 2},
    "CONSIDERATION": {"PAGE_VISIT": 55, "VIEW_CATEGORY": 14, "SEARCH": 8, "ADD_TO_CART": 10, "SIGNUP": 5,
                      "CHECKOUT": 5, "CUSTOM": 3},
    "WEB_SESSIONS": {"PAGE_VISIT": 62, "VIEW_CATEGORY": 14, "SEARCH": 8, "ADD_TO_CART": 7, "SIGNUP": 4,
                     "CHECKOUT": 3, "CUSTOM": 2},
    "VIDEO_VIEW": {"WATCH_VIDEO": 50, "PAGE_VISIT": 35, "SIGNUP": 5, "ADD_TO_CART": 5, "CHECKOUT": 5},
    "WEB_CONVERSION": {"PAGE_VISIT": 35, "ADD_TO_CART": 18, "CHECKOUT": 14, "SIGNUP": 8, "LEAD": 5,
                       "VIEW_CATEGORY": 10, "SEARCH": 5, "CUSTOM": 5},
    "CATALOG_SALES": {"PAGE_VISIT": 35, "VIEW_CATEGORY": 10, "ADD_TO_CART": 25, "CHECKOUT": 25, "SEARCH": 5},
}
VALUE_EVENTS = frozenset({"CHECKOUT", "ADD_TO_CART", "CUSTOM"})
OFFLINE_EVENTS = frozenset({"CHECKOUT", "SIGNUP", "LEAD", "CUSTOM", "ADD_TO_CART"})
# Conversion rate per action (clicks, engagements, impressions), scaled per objective.
CONV_RATE = {"CLICK": 0.035, "ENGAGEMENT": 0.010, "VIEW": 0.0006}
OBJECTIVE_CONV = {"AWARENESS": 0.6, "CONSIDERATION": 1.0, "WEB_SESSIONS": 1.0, "VIDEO_VIEW": 0.7,
                  "WEB_CONVERSION": 1.8, "CATALOG_SALES": 1.5}

# ---- counter-based random numbers ------------------------------------------------------------------
_MASK = (1 << 64) - 1
_GOLD = 0x9E3779B97F4A7C15


def _c(x: int) -> np.uint64:
    return np.uint64(x & _MASK)


_M1, _M2 = _c(0xBF58476D1CE4E5B9), _c(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer: a bijective avalanche of 64-bit keys (returns a new array)."""
    x = x ^ (x >> _S30)
    x *= _M1
    x ^= x >> _S27
    x *= _M2
    x ^= x >> _S31
    return x


def _keys(base: np.ndarray, salt: int) -> np.ndarray:
    """Derived keys: mix(base + salt * golden)."""
    return _mix(base + _c(salt * _GOLD))


def _unit53(keys: np.ndarray, stream: int) -> np.ndarray:
    """A uniform in [0, 1) per key, 53-bit resolution."""
    return (_keys(keys, stream + 1) >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53))


class _Lanes:
    """Uniforms in (0, 1) with 16-bit resolution, four per hash: lane i of every key."""

    def __init__(self, keys: np.ndarray):
        self.keys = keys
        self._blocks: dict[int, np.ndarray] = {}

    def __call__(self, i: int) -> np.ndarray:
        j, lane = divmod(i, 4)
        block = self._blocks.get(j)
        if block is None:
            h = _keys(self.keys, 1000 + j).astype("<u8", copy=False)
            block = self._blocks[j] = (h.view("<u2").reshape(-1, 4).astype(np.float64) + 0.5) * (1.0 / 65536)
        return block[:, lane]


def _sr(x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Stochastic rounding: floor(x + u), a whole number (as float64) with mean x (x ≥ 0)."""
    return np.floor(x + u)


def _between(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return lo + (hi - lo) * u


def _log_between(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * u)


def _seed_key(seed: int) -> int:
    x = (seed * _GOLD + 0x632BE59BD9B4E019) & _MASK
    x ^= x >> 31
    return x


# ---- categorical choices per group -----------------------------------------------------------------
class _Choice:
    """A weighted choice among value indices, with its own option list per group (empty: NULL).

    Each distinct distribution is tabulated over `BUCKETS` equal slices of [0, 1) (the value whose
    cumulative weight covers the slice's midpoint), so a pick is one table lookup."""

    BUCKETS = 4096

    def __init__(self, per_group: list[list[tuple[int, float]]]):
        dist_of: dict[tuple[tuple[int, float], ...], int] = {}
        tables: list[np.ndarray] = []
        group_dist = np.zeros(len(per_group), dtype=np.int64)
        mids = (np.arange(self.BUCKETS) + 0.5) / self.BUCKETS
        for g, options in enumerate(per_group):
            sig = tuple(options)
            d = dist_of.get(sig)
            if d is None:
                d = dist_of[sig] = len(tables)
                if options:
                    w = np.array([wt for _, wt in options], dtype=np.float64)
                    cum = np.cumsum(w) / w.sum()
                    pos = np.minimum(np.searchsorted(cum, mids, side="right"), len(options) - 1)
                    tables.append(np.array([v for v, _ in options], dtype=np.int32)[pos])
                else:
                    tables.append(np.full(self.BUCKETS, -1, dtype=np.int32))
            group_dist[g] = d
        self.table = np.stack(tables).ravel() if tables else np.full(self.BUCKETS, -1, dtype=np.int32)
        self.base = group_dist * self.BUCKETS
        self.has = np.array([bool(o) for o in per_group], dtype=bool)

    def pick(self, g: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Value index per row of group `g` (uniform `u` in (0, 1)), -1 where the group has no options."""
        return self.table[self.base[g] + np.minimum((u * self.BUCKETS).astype(np.int64), self.BUCKETS - 1)]


class _Dict:
    """A growing dictionary of string values (the Arrow dictionary of one column)."""

    def __init__(self, values: list[str] | tuple[str, ...] = ()):
        self.values: list[str] = []
        self.index: dict[str, int] = {}
        for v in values:
            self.add(v)

    def add(self, value: str) -> int:
        i = self.index.get(value)
        if i is None:
            i = self.index[value] = len(self.values)
            self.values.append(value)
        return i

    def array(self, idx: np.ndarray) -> pa.Array:
        """A dictionary-encoded Arrow array (index -1 = NULL)."""
        mask = idx < 0
        indices = pa.array(np.where(mask, 0, idx).astype(np.int32), mask=mask if mask.any() else None)
        return pa.DictionaryArray.from_arrays(indices, pa.array(self.values or [""], type=pa.string()))


# ---- the plan: everything the simulation needs, read once from the state database ------------------
@dataclass
class _Plan:
    n_ads: int
    ad: dict[str, np.ndarray]  # per ad
    grp: dict[str, np.ndarray]  # per ad group
    camp: dict[str, np.ndarray]  # per campaign
    group_ids: np.ndarray
    campaign_ids: np.ndarray
    choice: dict[str, _Choice]
    dicts: dict[str, _Dict]
    cells: dict[str, np.ndarray]
    geo_dict: _Dict
    event_names: list[str]
    any_flag: dict[str, bool]  # does any ad / group have it (skips work)
    placement_ctr: np.ndarray  # CTR factor per placement index
    search_index: int
    interest_cum: np.ndarray  # cumulative audience shares of vocab.INTERESTS
    hour_salt: np.ndarray  # per ad-hour key salt (ads x 24)
    diurnal: np.ndarray  # DIURNAL tiled over the ads


def _num(v: Any) -> float | None:
    if v is None:
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def _load_rows(store) -> list[Any]:
    from pinsandbox.ads.ad_groups.tables import ad_groups
    from pinsandbox.ads.ads.tables import ads
    from pinsandbox.ads.campaigns.tables import campaigns
    from pinsandbox.core.tables import ad_accounts

    stmt = (sa.select(ads.c.id, ads.c.pin_id, ads.c.ad_group_id, ads.c.campaign_id, ads.c.ad_account_id,
                      ads.c.data.label("a_data"), ad_groups.c.data.label("g_data"), campaigns.c.data.label("c_data"),
                      ad_accounts.c.currency, ad_accounts.c.country)
            .join(ad_groups, ads.c.ad_group_id == ad_groups.c.id)
            .join(campaigns, ads.c.campaign_id == campaigns.c.id)
            .join(ad_accounts, ads.c.ad_account_id == ad_accounts.c.id)
            .where(ads.c.status == "ACTIVE", ad_groups.c.status == "ACTIVE", campaigns.c.status == "ACTIVE")
            .order_by(ads.c.id))
    with store.read() as conn:
        rows = list(conn.execute(stmt))
        keywords: dict[int, list[str]] = {}
        try:
            from pinsandbox.ads.keywords.service import keywords_for_ad_group
        except ImportError:  # keywords not built: no KEYWORD values
            keywords_for_ad_group = None
        if keywords_for_ad_group is not None:
            first = {}
            for r in rows:
                first.setdefault(r.ad_group_id, r)
            for gid, r in sorted(first.items()):
                placement = (r.g_data or {}).get("placement_group") or "ALL"
                if "SEARCH" in vocab.PLACEMENT_GROUPS.get(placement, ("SEARCH",)):
                    keywords[gid] = [value for value, _ in keywords_for_ad_group(conn, gid)]
    return rows, keywords


def _build_geo() -> tuple[dict[str, np.ndarray], _Dict, _Dict, _Dict, _Dict, dict[str, list[int]], dict[str, int]]:
    """Geo cells: one per US metro, one per region elsewhere. Returns cell arrays, the dictionaries
    (country, location, region, geo), the cells of each country and the cell of each metro."""
    countries, locations, regions, geos = _Dict(), _Dict(), _Dict(), _Dict()
    c_country, c_location, c_region, c_geo0, c_geon, c_weight = [], [], [], [], [], []
    by_country: dict[str, list[int]] = {}
    by_metro: dict[str, int] = {}
    us_total = sum(m.weight for m in vocab.METROS.values())

    def cell(country: str, location: str | None, region: str | None, postal: tuple[str, ...], weight: float) -> int:
        i = len(c_country)
        c_country.append(countries.add(country))
        c_location.append(locations.add(location) if location else -1)
        c_region.append(regions.add(region) if region else -1)
        c_geo0.append(len(geos.values))
        for p in postal:
            geos.values.append(vocab.geo_value(country, p))
            geos.index[geos.values[-1]] = len(geos.values) - 1
        c_geon.append(len(postal))
        c_weight.append(weight)
        by_country.setdefault(country, []).append(i)
        return i

    for m in vocab.METROS.values():
        by_metro[m.code] = cell("US", m.code, m.region, m.postal, 100.0 * m.weight / us_total)
    for c in vocab.COUNTRIES.values():
        if c.code == "US":
            continue
        total = sum(r.weight for r in c.regions) or 1.0
        for r in c.regions:
            cell(c.code, None, r.code, r.postal, c.weight * r.weight / total)
    arrays = {"country": c_country, "location": c_location, "region": c_region, "geo0": c_geo0, "geon": c_geon,
              "weight": c_weight}
    cells = {k: np.array(v, dtype=np.float64 if k == "weight" else np.int64) for k, v in arrays.items()}
    return cells, countries, locations, regions, geos, by_country, by_metro


def _plan(store, seed: int) -> _Plan | None:
    rows, keywords = _load_rows(store)
    if not rows:
        return None
    sk = _seed_key(seed)
    cells, countries, locations, regions, geos, by_country, by_metro = _build_geo()

    def add_cell(country: str, location: str | None) -> int:
        """A cell for a country or metro the vocabulary lacks (no region or postal code)."""
        for k, v in (("country", countries.add(country)), ("location", locations.add(location) if location else -1),
                     ("region", -1), ("geo0", len(geos.values)), ("geon", 0), ("weight", 0.5)):
            cells[k] = np.append(cells[k], v)
        i = len(cells["country"]) - 1
        (by_metro.__setitem__(location, i) if location else by_country.setdefault(country, []).append(i))
        return i

    gender_d, age_d, app_d, place_d = (_Dict(tuple(vocab.GENDER)), _Dict(tuple(vocab.AGE_BUCKET)),
                                       _Dict(tuple(vocab.APPTYPE)), _Dict(tuple(vocab.PLACEMENT)))
    interest_d = _Dict([name for name, _ in vocab.INTERESTS.values()])
    audience_d, keyword_d = _Dict(), _Dict()
    event_names = list(dict.fromkeys([e for mix in EVENT_MIX.values() for e in mix] + ["APP_INSTALL", "LEAD"]))
    event_d = {e: i for i, e in enumerate(event_names)}

    # groups and campaigns, in order of first appearance (ads are sorted by id)
    g_index: dict[int, int] = {}
    c_index: dict[int, int] = {}
    g_rows: list[Any] = []
    c_rows: list[Any] = []
    for r in rows:
        if r.ad_group_id not in g_index:
            g_index[r.ad_group_id] = len(g_rows)
            g_rows.append(r)
        if r.campaign_id not in c_index:
            c_index[r.campaign_id] = len(c_rows)
            c_rows.append(r)
    n_g, n_c = len(g_rows), len(c_rows)
    groups_per_campaign = np.bincount([c_index[r.campaign_id] for r in g_rows], minlength=n_c)

    # ---- campaigns: caps and windows
    camp = {"daily": np.full(n_c, np.nan), "life": np.full(n_c, np.nan), "start": np.zeros(n_c, np.int64),
            "end": np.full(n_c, np.iinfo(np.int64).max, np.int64)}
    for i, r in enumerate(c_rows):
        d = r.c_data or {}
        if _num(d.get("daily_spend_cap")) is not None:
            camp["daily"][i] = _num(d["daily_spend_cap"])
        if _num(d.get("lifetime_spend_cap")) is not None:
            camp["life"][i] = _num(d["lifetime_spend_cap"])
        if d.get("start_time") is not None:
            camp["start"][i] = _time(d["start_time"]) // HOUR * HOUR
        if d.get("end_time") is not None:
            camp["end"][i] = _time(d["end_time"])

    # ---- ad groups
    gid = np.array([r.ad_group_id for r in g_rows], dtype=np.int64)
    gkey = _mix(gid.astype(np.uint64) ^ _c(sk))
    gu = [_unit53(gkey, s) for s in range(8)]
    grp: dict[str, np.ndarray] = {
        "c": np.array([c_index[r.campaign_id] for r in g_rows], dtype=np.int64),
        "daily": np.full(n_g, np.nan), "life": np.full(n_g, np.nan),
        "start": np.zeros(n_g, np.int64), "end": np.full(n_g, np.iinfo(np.int64).max, np.int64),
        "volume": np.zeros(n_g), "cf": np.ones(n_g), "billable": np.zeros(n_g, np.int64),
        "bid": np.full(n_g, np.nan), "conv": np.ones(n_g),
        "aov": _log_between(gu[2], 20, 120),  # average order value, USD
        "tier": np.ones(n_g),
    }
    per_group: dict[str, list[list[tuple[int, float]]]] = {k: [] for k in (
        "gender", "age", "apptype", "placement", "cell", "tint", "audience", "keyword", "event")}
    for i, r in enumerate(g_rows):
        g, c = r.g_data or {}, r.c_data or {}
        spec = g.get("targeting_spec") or {}
        cf = vocab.currency_factor(r.currency)
        grp["cf"][i] = cf
        ci = c_index[r.campaign_id]
        if g.get("start_time") is not None:
            grp["start"][i] = _time(g["start_time"]) // HOUR * HOUR
        if g.get("end_time") is not None:
            grp["end"][i] = _time(g["end_time"])
        grp["start"][i] = max(grp["start"][i], camp["start"][ci])
        grp["end"][i] = min(grp["end"][i], camp["end"][ci])
        budget = _num(g.get("budget_in_micro_currency"))
        btype = g.get("budget_type") or "DAILY"
        life_days = max(1.0, (grp["end"][i] - grp["start"][i]) / DAY) if grp["end"][i] < np.iinfo(np.int64).max \
            and grp["start"][i] > 0 else 30.0
        if budget is not None and btype == "DAILY":
            grp["daily"][i] = budget
            per_day = budget
        elif budget is not None and btype == "LIFETIME":
            grp["life"][i] = budget
            per_day = budget / life_days
        elif not math.isnan(camp["daily"][ci]):
            per_day = camp["daily"][ci] / groups_per_campaign[ci]
        elif not math.isnan(camp["life"][ci]):
            c_days = max(1.0, (camp["end"][ci] - camp["start"][ci]) / DAY) if camp["end"][ci] < \
                np.iinfo(np.int64).max and camp["start"][ci] > 0 else 30.0
            per_day = camp["life"][ci] / c_days / groups_per_campaign[ci]
        else:
            per_day = 50.0 * cf * 1e6
        usd_per_day = per_day / cf / 1e6
        grp["billable"][i] = BILLABLE.get(g.get("billable_event") or "IMPRESSION", 0)
        if _num(g.get("bid_in_micro_currency")) is not None:
            grp["bid"][i] = _num(g["bid_in_micro_currency"])
        objective = c.get("objective_type") or "CONSIDERATION"
        grp["conv"][i] = OBJECTIVE_CONV.get(objective, 1.0)

        def weighted(allowed: list[str] | None, table: dict[str, float], d: _Dict) -> list[tuple[int, float]]:
            keys = [k for k in (allowed or table) if k in table] or list(table)
            return [(d.index[k], table[k]) for k in keys]

        ages = None
        if spec.get("AGE_BUCKET"):
            ages = list(dict.fromkeys(b for v in spec["AGE_BUCKET"] for b in vocab.AGE_TARGETS.get(v, ())))
        per_group["gender"].append(weighted(spec.get("GENDER"), vocab.GENDER, gender_d))
        per_group["age"].append(weighted(ages, vocab.AGE_BUCKET, age_d))
        per_group["apptype"].append(weighted(spec.get("APPTYPE"), vocab.APPTYPE, app_d))
        placements = vocab.PLACEMENT_GROUPS.get(g.get("placement_group") or "ALL", tuple(vocab.PLACEMENT))
        per_group["placement"].append(weighted(list(placements), vocab.PLACEMENT, place_d))

        # geography: targeted countries and metros, else the ad account's country
        cell_ids: list[int] = []
        locs = [str(v) for v in spec.get("LOCATION") or []] or [r.country or "US"]
        for loc in locs:
            if loc.isdigit():
                cell_ids.append(by_metro[loc] if loc in by_metro else add_cell("US", loc))
            else:
                cell_ids.extend(by_country.get(loc) or [add_cell(loc, None)])
        cell_ids = list(dict.fromkeys(cell_ids))
        per_group["cell"].append([(ci_, float(cells["weight"][ci_])) for ci_ in cell_ids])
        tiers = [1 if loc in ("US", "CA", "GB", "AU", "DE", "FR", "JP") or loc.isdigit() else 0.6 for loc in locs]
        grp["tier"][i] = max(tiers)

        interests = [vocab.interest_name(str(v)) for v in spec.get("INTEREST") or []]
        per_group["tint"].append([(interest_d.add(n), vocab.INTERESTS.get(vocab.INTEREST_IDS_BY_NAME.get(n.lower(), ""),
                                                                          ("", 0.02))[1]) for n in interests])
        per_group["audience"].append([(audience_d.add(str(a)), 1.0) for a in spec.get("AUDIENCE_INCLUDE") or []])
        per_group["keyword"].append([(keyword_d.add(k), 1.0 / (1 + n * 0.3))
                                     for n, k in enumerate(keywords.get(r.ad_group_id, []))])
        mix = dict(EVENT_MIX.get(objective, EVENT_MIX["CONSIDERATION"]))
        goal = ((g.get("optimization_goal_metadata") or {}).get("conversion_tag_v3_goal_metadata") or {}).get(
            "conversion_event")
        if goal and goal in event_d:
            mix[goal] = mix.get(goal, 0) + 40
        per_group["event"].append([(event_d[e], w) for e, w in mix.items()])

        # volume: targeting breadth x budget (diminishing returns) x the group's own draw
        def share(options: list[tuple[int, float]], table: dict[str, float]) -> float:
            return sum(w for _, w in options) / sum(table.values())

        breadth = (share(per_group["gender"][-1], vocab.GENDER) * share(per_group["age"][-1], vocab.AGE_BUCKET)
                   * share(per_group["apptype"][-1], vocab.APPTYPE)
                   * min(2.0, max(0.02, sum(w for _, w in per_group["cell"][-1]) / 100.0)))
        if interests:
            breadth *= 0.5
        if spec.get("AUDIENCE_INCLUDE"):
            breadth *= 0.3
        budget_factor = min(8.0, max(0.15, math.sqrt(max(usd_per_day, 0.0) / 50.0)))
        grp["volume"][i] = 25_000.0 * max(breadth, 0.01) * budget_factor * float(_log_between(gu[0][i:i + 1],
                                                                                            0.5, 2.0)[0])

    # ---- ads
    aid = np.array([r.id for r in rows], dtype=np.int64)
    a_g = np.array([g_index[r.ad_group_id] for r in rows], dtype=np.int64)
    akey = _mix(aid.astype(np.uint64) ^ _c(sk))
    au = [_unit53(akey, s) for s in range(24)]
    creative = [((r.a_data or {}).get("creative_type") or "REGULAR") for r in rows]
    ad: dict[str, np.ndarray] = {
        "id": aid, "pin": np.array([r.pin_id or 0 for r in rows], dtype=np.int64),
        "account": np.array([r.ad_account_id for r in rows], dtype=np.int64),
        "campaign": np.array([r.campaign_id for r in rows], dtype=np.int64),
        "group": np.array([r.ad_group_id for r in rows], dtype=np.int64),
        "g": a_g, "key": akey,
        "video": np.array([t in VIDEO_TYPES for t in creative]),
        "shop": np.array([t in SHOPPING_TYPES for t in creative]),
        "idea": np.array([t == "IDEA" for t in creative]),
        "quiz": np.array([t == "QUIZ" for t in creative]),
        "showcase": np.array([t == "SHOWCASE" for t in creative]),
        "lead": np.array([bool((r.a_data or {}).get("lead_form_id")) for r in rows]),
    }
    weight = _log_between(au[0], 0.5, 2.0)
    wsum = np.bincount(a_g, weights=weight, minlength=n_g)
    ad["volume"] = grp["volume"][a_g] * weight / wsum[a_g]
    billable = grp["billable"][a_g]
    ad["ctr"] = _log_between(au[1], 0.0035, 0.014) * np.where(billable == 1, 1.3, 1.0)
    ad["save"] = _log_between(au[2], 0.001, 0.005)
    ad["closeup"] = _log_between(au[3], 0.004, 0.02)
    ad["ob"] = _between(au[4], 0.35, 0.80)
    ad["ws"] = _between(au[5], 0.55, 0.90)
    ad["earned"] = _between(au[6], 0.03, 0.12)
    ad["ivt"] = _between(au[7], 0.005, 0.03)
    ad["vstart"] = _between(au[8], 0.25, 0.60)
    ad["v3"] = _between(au[9], 0.55, 0.75)
    ad["vmrc"] = _between(au[10], 0.60, 0.85)
    for n, (lo, hi) in enumerate(((0.65, 0.85), (0.70, 0.90), (0.75, 0.90), (0.70, 0.90), (0.75, 0.95))):
        ad[f"q{n}"] = _between(au[11 + n], lo, hi)
    ad["vlen"] = _between(au[16], 6.0, 60.0)
    ad["phase"] = au[17]
    # clearing price per billable unit, micro-currency: under the bid (CPM bids are per thousand)
    lo_hi = np.array([AUTO_PRICE_USD[int(b)] for b in billable])
    auto = np.exp(np.log(lo_hi[:, 0]) + (np.log(lo_hi[:, 1]) - np.log(lo_hi[:, 0])) * au[18]) * 1e6
    auto *= grp["cf"][a_g] * grp["tier"][a_g]
    bid = grp["bid"][a_g] / np.where(billable == 0, 1000.0, 1.0)
    ad["price"] = np.where(np.isnan(bid), auto, bid * _between(au[19], 0.55, 0.92))
    ad["cf"] = grp["cf"][a_g]
    # expected billable units per impression (pacing estimates the day's spend with it)
    place_ctr = np.array([sum(w * PLACEMENT_CTR[place_d.values[v]] for v, w in opts) / sum(w for _, w in opts)
                          for opts in per_group["placement"]])
    ad["bill_rate"] = np.select([billable == 0, billable == 1], [np.ones(len(rows)), ad["ctr"] * place_ctr[a_g]],
                                np.where(ad["video"], ad["vstart"] * ad["vmrc"], 0.0))
    # audience block of the ad group; the ad's typical daily window and drift within it
    size = np.clip(grp["volume"] * 4.0, 50_000, PEOPLE_SPACE // 4).astype(np.int64)
    grp["block"] = size
    grp["lo"] = (gkey % (PEOPLE_SPACE - size).astype(np.uint64)).astype(np.int64)
    typical = np.maximum(ad["volume"] * 0.5, 1.0)
    ad["drift"] = np.clip(0.3 * typical / grp["block"][a_g], 0.002, 0.3)

    choice = {k: _Choice(v) for k, v in per_group.items()}
    dicts = {"gender": gender_d, "age_bucket": age_d, "apptype": app_d, "placement": place_d,
             "country": countries, "location": locations, "region": regions, "interest": interest_d,
             "audience_include": audience_d, "keyword": keyword_d}
    any_flag = {k: bool(ad[k].any()) for k in ("video", "shop", "idea", "quiz", "showcase", "lead")}
    any_flag.update(audience=bool(choice["audience"].has.any()), keyword=bool(choice["keyword"].has.any()))
    interest_w = np.array([w for _, w in vocab.INTERESTS.values()])
    n = len(rows)
    return _Plan(n_ads=n, ad=ad, grp=grp, camp=camp, group_ids=gid,
                 campaign_ids=np.array([r.campaign_id for r in c_rows], dtype=np.int64), choice=choice,
                 dicts=dicts, cells=cells, geo_dict=geos, event_names=event_names, any_flag=any_flag,
                 placement_ctr=np.array([PLACEMENT_CTR[p] for p in place_d.values]),
                 search_index=place_d.index["SEARCH"], interest_cum=np.cumsum(interest_w) / interest_w.sum(),
                 hour_salt=np.tile(np.arange(24, dtype=np.uint64), n) * _c(0xA24BAED4963EE407),
                 diurnal=np.tile(DIURNAL, n))


# ---- one day -------------------------------------------------------------------------------------
COUNTERS = ("impression_1", "impression_2", "impression_1_gross", "clickthrough_1", "clickthrough_2",
            "clickthrough_1_gross", "outbound_click_1", "outbound_click_2", "repin_1", "repin_2", "closeup_1",
            "closeup_2", "engagement_1", "engagement_2", "web_sessions_1", "web_sessions_2")
VIDEO_COUNTERS = tuple(f"video_{q}_{n}" for n in (1, 2) for q in (
    "3sec_views", "mrc_views", "p0_combined", "p25_combined", "p50_combined", "p75_combined", "p95_combined",
    "p100_complete", "watchtime_ms"))
FORMAT_COUNTERS = ("onsite_checkouts_1", "idea_pin_product_tag_visit_1", "idea_pin_product_tag_visit_2", "leads",
                   "quiz_completed", "showcase_sessions", "showcase_pin_clickthrough", "showcase_subpage_clickthrough",
                   "showcase_subpin_clickthrough", "showcase_subpage_impression", "showcase_subpin_impression",
                   "showcase_subpage_swipe_left", "showcase_subpage_swipe_right", "showcase_subpin_swipe_left",
                   "showcase_subpin_swipe_right", "showcase_subpage_repin", "showcase_subpin_repin",
                   "showcase_subpage_closeup", "showcase_card_thumbnail_swipe_forward",
                   "showcase_card_thumbnail_swipe_backward")
ALL_COUNTERS = COUNTERS + VIDEO_COUNTERS + FORMAT_COUNTERS


@dataclass
class _Day:
    """The rows of one simulated day (all 24 hours), before the hours outside the range are dropped.

    Counters are float64 arrays of whole numbers (exact below 2**53); a counter missing from `counts`
    is 0 on every row."""

    a: np.ndarray  # ad index
    hour: np.ndarray  # 0..23
    key: np.ndarray  # row keys (uint64)
    dims: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]
    price: np.ndarray  # micro-currency per billable unit (int64)
    spend: np.ndarray  # float64 while capping, int64 once final
    people_lo: np.ndarray | None = None
    people_n: np.ndarray | None = None

    def take(self, sel: np.ndarray) -> "_Day":
        return _Day(self.a[sel], self.hour[sel], self.key[sel],
                    {k: v[sel] for k, v in self.dims.items()}, {k: v[sel] for k, v in self.counts.items()},
                    self.price[sel], self.spend[sel],
                    None if self.people_lo is None else self.people_lo[sel],
                    None if self.people_n is None else self.people_n[sel])


def _billable_count(plan: _Plan, a: np.ndarray, counts: dict[str, np.ndarray]) -> np.ndarray:
    b = plan.grp["billable"][plan.ad["g"][a]]
    out = np.where(b == 0, counts["impression_1"], counts["clickthrough_1"])
    if "video_mrc_views_1" in counts:
        out = np.where(b == 2, counts["video_mrc_views_1"], out)
    else:
        out = np.where(b == 2, 0.0, out)
    return out


def _funnel(plan: _Plan, a: np.ndarray, imp1: np.ndarray, u: _Lanes, ctr_mult: np.ndarray, placement: np.ndarray
            ) -> dict[str, np.ndarray]:
    ad = plan.ad
    pl_factor = plan.placement_ctr[placement]
    ctr = np.minimum(ad["ctr"][a] * ctr_mult * pl_factor * _between(u(13), 0.8, 1.2), 0.025)
    clicks = _sr(imp1 * ctr, u(14))
    ob = _sr(clicks * ad["ob"][a] * _between(u(15), 0.8, 1.2), u(16))
    repin = _sr(imp1 * ad["save"][a], u(17))
    closeup = _sr(imp1 * ad["closeup"][a], u(18))
    ivt = ad["ivt"][a]
    ws = ad["ws"][a]
    er = ad["earned"][a] * _between(u(22), 0.7, 1.25)
    ob2 = _sr(ob * er, u(25))
    c: dict[str, np.ndarray] = {
        "impression_1": imp1, "clickthrough_1": clicks, "outbound_click_1": ob, "repin_1": repin,
        "closeup_1": closeup,
        "impression_1_gross": imp1 + _sr(imp1 * ivt, u(19)),
        "clickthrough_1_gross": clicks + _sr(clicks * ivt * 1.5, u(20)),
        "web_sessions_1": _sr(ob * ws, u(21)),
        "impression_2": _sr(imp1 * er, u(23)), "clickthrough_2": _sr(clicks * er, u(24)),
        "outbound_click_2": ob2, "repin_2": _sr(repin * er, u(26)), "closeup_2": _sr(closeup * er, u(27)),
        "web_sessions_2": _sr(ob2 * ws, u(28)),
    }
    video = ad["video"][a]
    if video.any():
        n = len(a)
        idx = np.nonzero(video)[0]
        av = a[idx]
        for paid, base, off in ((1, imp1[idx], 32), (2, c["impression_2"][idx], 41)):
            def uu(k: int) -> np.ndarray:
                return u(off + k)[idx]

            p0 = _sr(base * ad["vstart"][av], uu(0))
            q = [p0]
            for k in range(5):
                q.append(_sr(q[-1] * ad[f"q{k}"][av], uu(1 + k)))
            s3 = _sr(p0 * ad["v3"][av], uu(6))
            mrc = _sr(p0 * ad["vmrc"][av], uu(7))
            frac = ((q[0] - q[1]) * 0.10 + (q[1] - q[2]) * 0.37 + (q[2] - q[3]) * 0.62 + (q[3] - q[4]) * 0.85
                    + (q[4] - q[5]) * 0.97 + q[5] * 1.0)
            watch = _sr(frac * ad["vlen"][av] * 1000.0, uu(8))
            for name, vals in zip(("p0_combined", "p25_combined", "p50_combined", "p75_combined", "p95_combined",
                                   "p100_complete"), q):
                c[f"video_{name}_{paid}"] = _scatter(n, idx, vals)
            c[f"video_3sec_views_{paid}"] = _scatter(n, idx, s3)
            c[f"video_mrc_views_{paid}"] = _scatter(n, idx, mrc)
            c[f"video_watchtime_ms_{paid}"] = _scatter(n, idx, watch)
    _formats(plan, a, c, u)
    _engagements(c)
    return c


def _scatter(n: int, idx: np.ndarray, vals: np.ndarray) -> np.ndarray:
    out = np.zeros(n)
    out[idx] = vals
    return out


def _formats(plan: _Plan, a: np.ndarray, c: dict[str, np.ndarray], u: _Lanes) -> None:
    """Counters only some creative types have (checkouts, product tags, quizzes, showcases, leads)."""
    ad = plan.ad
    n = len(a)

    def on(flag: str) -> np.ndarray | None:
        if not plan.any_flag[flag]:
            return None
        m = ad[flag][a]
        return np.nonzero(m)[0] if m.any() else None

    if (idx := on("shop")) is not None:
        c["onsite_checkouts_1"] = _scatter(n, idx, _sr(c["clickthrough_1"][idx] * 0.012, u(50)[idx]))
    if (idx := on("idea")) is not None:
        c["idea_pin_product_tag_visit_1"] = _scatter(n, idx, _sr(c["closeup_1"][idx] * 0.15, u(51)[idx]))
        c["idea_pin_product_tag_visit_2"] = _scatter(n, idx, _sr(c["closeup_2"][idx] * 0.15, u(52)[idx]))
    if (idx := on("quiz")) is not None:
        c["quiz_completed"] = _scatter(n, idx, _sr(c["clickthrough_1"][idx] * 0.3, u(53)[idx]))
    if (idx := on("lead")) is not None:
        c["leads"] = _scatter(n, idx, _sr(c["clickthrough_1"][idx] * 0.06, u(54)[idx]))
    if (idx := on("showcase")) is not None:
        sessions = _sr(c["clickthrough_1"][idx] * 0.6, u(55)[idx])
        sub_imp = _sr(sessions * 2.5, u(56)[idx])
        pin_imp = _sr(sessions * 3.0, u(57)[idx])
        values = {
            "showcase_sessions": sessions, "showcase_subpage_impression": sub_imp,
            "showcase_subpin_impression": pin_imp,
            "showcase_pin_clickthrough": _sr(sessions * 0.3, u(58)[idx]),
            "showcase_subpage_clickthrough": _sr(sub_imp * 0.10, u(59)[idx]),
            "showcase_subpin_clickthrough": _sr(pin_imp * 0.08, u(60)[idx]),
            "showcase_subpage_swipe_left": _sr(sub_imp * 0.30, u(61)[idx]),
            "showcase_subpage_swipe_right": _sr(sub_imp * 0.35, u(62)[idx]),
            "showcase_subpin_swipe_left": _sr(pin_imp * 0.25, u(63)[idx]),
            "showcase_subpin_swipe_right": _sr(pin_imp * 0.30, u(64)[idx]),
            "showcase_subpage_repin": _sr(sub_imp * 0.02, u(65)[idx]),
            "showcase_subpin_repin": _sr(pin_imp * 0.02, u(66)[idx]),
            "showcase_subpage_closeup": _sr(sub_imp * 0.12, u(67)[idx]),
            "showcase_card_thumbnail_swipe_forward": _sr(sessions * 0.8, u(68)[idx]),
            "showcase_card_thumbnail_swipe_backward": _sr(sessions * 0.3, u(69)[idx]),
        }
        for name, vals in values.items():
            c[name] = _scatter(n, idx, vals)


def _engagements(c: dict[str, np.ndarray]) -> None:
    for n in (1, 2):
        c[f"engagement_{n}"] = (c[f"clickthrough_{n}"] + c[f"outbound_click_{n}"] + c[f"repin_{n}"]
                                + c[f"closeup_{n}"])


def _generate_day(plan: _Plan, day: int, room_g: np.ndarray, room_c: np.ndarray) -> _Day | None:
    """Every row of one UTC day (days since the epoch) that has impressions. Delivery is paced to the
    day's room under the caps (`room_*`: micro-currency per ad group / campaign, NaN = no cap), from
    the expected spend; `_cut` then enforces the caps exactly."""
    ad, grp = plan.ad, plan.grp
    g = ad["g"]
    hours = day * DAY + np.arange(24, dtype=np.int64) * HOUR
    active = (hours[None, :] >= grp["start"][g][:, None]) & (hours[None, :] < grp["end"][g][:, None])
    if not active.any():
        return None
    dkey = _keys(ad["key"], day * 7919 + 17)  # (seed, ad, day)
    du = _Lanes(dkey)
    expected = (ad["volume"] * WEEKDAY[(day + 3) % 7]  # 1970-01-01 was a Thursday
                * (1.0 + 0.2 * np.sin(2 * np.pi * (day / 45.0 + ad["phase"])))
                * _log_between(du(0), 0.75, 1.33))
    ctr_mult = _log_between(du(1), 0.85, 1.18)
    price = np.maximum(np.rint(ad["price"] * _between(du(2), 0.9, 1.1)), 1).astype(np.int64)
    per_imp = np.where(plan.grp["billable"][g] == 1, ad["bill_rate"] * ctr_mult, ad["bill_rate"])
    expected = expected * _pacing(plan, expected * per_imp * price, room_g, room_c)

    # ad-hours: volume, number of segment rows (1-4)
    ahkey = _keys(np.repeat(dkey, 24) + plan.hour_salt, 5)
    hu = _Lanes(ahkey)
    e_hour = np.repeat(expected, 24) * plan.diurnal * _between(hu(0), 0.85, 1.15)
    k = np.where(e_hour < 8, 1, 1 + np.minimum((hu(1) * 4).astype(np.int64), 3))
    k[~active.ravel()] = 0
    ah = np.repeat(np.arange(len(k)), k)  # ad-hour of each row
    if len(ah) == 0:
        return None
    slot = np.arange(len(ah)) - (np.cumsum(k) - k)[ah]
    key = _keys(ahkey[ah] + slot.astype(np.uint64) * _c(0xD1B54A32D192ED03), 11)
    u = _Lanes(key)

    # split the ad-hour's impressions among its rows; rows without impressions are dropped
    w = -np.log(u(0))
    wsum = np.bincount(ah, weights=w, minlength=len(k))
    imp1 = _sr(e_hour[ah] * w / wsum[ah], u(1))
    keep = imp1 > 0
    if not keep.all():
        ah, key, imp1 = ah[keep], key[keep], imp1[keep]
        u = _Lanes(key)
        if len(ah) == 0:
            return None
    a = ah // 24
    hour = ah % 24

    # segments
    ga = g[a]
    ch = plan.choice
    dims: dict[str, np.ndarray] = {
        "gender": ch["gender"].pick(ga, u(2)), "age_bucket": ch["age"].pick(ga, u(3)),
        "apptype": ch["apptype"].pick(ga, u(4)), "placement": ch["placement"].pick(ga, u(5)),
        "cell": ch["cell"].pick(ga, u(6)),
    }
    cells = plan.cells
    cell = dims["cell"]
    geon = cells["geon"][cell]
    dims["geo"] = np.where(geon > 0, cells["geo0"][cell] + np.minimum((u(7) * geon).astype(np.int64),
                                                                     np.maximum(geon - 1, 0)), -1)
    tint = ch["tint"].pick(ga, u(10))
    dims["targeted_interest"] = tint
    global_interest = np.minimum(np.searchsorted(plan.interest_cum, u(9), side="right"),
                                 len(plan.interest_cum) - 1).astype(np.int32)
    dims["pinner_interest"] = np.where((tint >= 0) & (u(8) < 0.6), tint, global_interest)
    dims["audience_include"] = ch["audience"].pick(ga, u(11)) if plan.any_flag["audience"] else \
        np.full(len(a), -1, dtype=np.int32)
    dims["keyword"] = np.where(dims["placement"] == plan.search_index, ch["keyword"].pick(ga, u(12)), -1) \
        if plan.any_flag["keyword"] else np.full(len(a), -1, dtype=np.int32)

    counts = _funnel(plan, a, imp1, u, ctr_mult[a], dims["placement"])
    p = price[a]
    spend = _billable_count(plan, a, counts).astype(np.int64) * p
    return _Day(a=a, hour=hour, key=key, dims=dims, counts=counts, price=p, spend=spend)


PACE_TARGET = 0.97  # aim a little under the room: the exact cut then trims less


def _pacing(plan: _Plan, exp_spend: np.ndarray, room_g: np.ndarray, room_c: np.ndarray) -> np.ndarray:
    """Per-ad factor (≤ 1) bringing the expected spend of each capped ad group, then campaign, within
    its room."""
    g = plan.ad["g"]
    es_g = np.bincount(g, weights=exp_spend, minlength=len(plan.group_ids))
    with np.errstate(divide="ignore", invalid="ignore"):
        pace_g = np.where(np.isnan(room_g) | (es_g <= room_g * PACE_TARGET), 1.0,
                          np.clip(room_g * PACE_TARGET / es_g, 0.0, 1.0))
        es_c = np.bincount(plan.grp["c"], weights=es_g * pace_g, minlength=len(plan.campaign_ids))
        pace_c = np.where(np.isnan(room_c) | (es_c <= room_c * PACE_TARGET), 1.0,
                          np.clip(room_c * PACE_TARGET / es_c, 0.0, 1.0))
    return np.nan_to_num(pace_g[g] * pace_c[plan.grp["c"][g]], nan=0.0)


def _cut(plan: _Plan, d: _Day, room_g: np.ndarray, room_c: np.ndarray) -> _Day:
    """Keep the rows that fit the rooms exactly: in a random order per ad group (then per campaign),
    the rows while the running spend stays within the room. Rows are dropped whole, so every relation
    between a row's counters holds as generated."""
    for level, room in (("g", room_g), ("c", room_c)):
        g = plan.ad["g"][d.a]
        ent = g if level == "g" else plan.grp["c"][g]
        capped = ~np.isnan(room)
        if not capped.any():
            continue
        total = np.bincount(ent, weights=d.spend, minlength=len(room))
        over = capped & (total > room)
        if not over.any():
            continue
        rows = np.flatnonzero(over[ent])
        order = rows[np.lexsort(((d.key[rows] >> np.uint64(7)), ent[rows]))]
        e = ent[order]
        cum = np.cumsum(d.spend[order])
        starts = np.flatnonzero(np.r_[True, e[1:] != e[:-1]])
        before = np.repeat(cum[starts] - d.spend[order][starts], np.diff(np.r_[starts, len(e)]))
        keep = np.ones(len(d.a), dtype=bool)
        keep[order] = (cum - before) <= room[e]
        d = d.take(keep)
    return d


def _people(plan: _Plan, d: _Day, day: int) -> None:
    """Reach blocks: consecutive sub-blocks per ad-hour, placed in the ad's drifting daily window.
    The rows of `d` are in ad-hour order (as generated)."""
    ad, grp = plan.ad, plan.grp
    imps = d.counts["impression_1"] + d.counts["impression_2"]
    u = _Lanes(d.key)
    n = np.where(imps > 0, np.maximum(1.0, np.floor(imps / _between(u(29), 1.0, 1.6))), 0.0).astype(np.int64)
    ah = d.a.astype(np.int64) * 24 + d.hour
    starts = np.flatnonzero(np.r_[True, ah[1:] != ah[:-1]])
    uniq = ah[starts]
    inv = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(ah)]))
    h_total = np.add.reduceat(n, starts) if len(n) else np.zeros(0, dtype=np.int64)
    ua = uniq // 24
    block = grp["block"][ad["g"]]
    # an hour larger than the whole audience block (huge volumes): shrink its rows to fit
    over = h_total > block[ua]
    if over.any():
        shrink = np.where(over, block[ua] / np.maximum(h_total, 1), 1.0)[inv]
        n = np.where(n > 0, np.maximum(1, np.floor(n * shrink)), 0).astype(np.int64)
        h_total = np.add.reduceat(n, starts)
    a_total = np.bincount(ua, weights=h_total, minlength=plan.n_ads)
    a_max = np.zeros(plan.n_ads)
    np.maximum.at(a_max, ua, h_total)
    window = np.minimum(np.maximum(np.ceil(a_total * 0.6), a_max), block).astype(np.int64)
    room = block - window
    pos = np.mod(ad["phase"] + day * ad["drift"], 1.0)
    win_lo = grp["lo"][ad["g"]] + np.minimum(np.floor(pos * (room + 1)).astype(np.int64), room)
    hkey = _keys(ad["key"][ua] + _c(day * 0x5851F42D4C957F2D) + (uniq % 24).astype(np.uint64), 29)
    h_lo = win_lo[ua] + np.floor(_unit53(hkey, 0) * (window[ua] - h_total + 1)).astype(np.int64)
    # the rows of one ad-hour: consecutive sub-blocks, in row order
    csum = np.cumsum(n) - n
    d.people_lo = h_lo[inv] + csum - csum[starts][inv]
    d.people_n = n


# ---- conversions ---------------------------------------------------------------------------------
def _conversions(plan: _Plan, d: _Day, day: int) -> dict[str, np.ndarray] | None:
    c = d.counts
    conv = plan.grp["conv"][plan.ad["g"][d.a]]
    u = _Lanes(d.key)
    expected = {
        "CLICK": (c["clickthrough_1"] + c["clickthrough_2"]) * CONV_RATE["CLICK"] * conv,
        "ENGAGEMENT": (c["repin_1"] + c["closeup_1"] + c["repin_2"] + c["closeup_2"]) * CONV_RATE["ENGAGEMENT"] * conv,
        "VIEW": (c["impression_1"] + c["impression_2"]) * CONV_RATE["VIEW"] * conv,
    }
    rows, actions, index = [], [], []
    for t, (action, e) in enumerate(expected.items()):
        n = _sr(e, u(70 + t)).astype(np.int64)
        if n.any():
            r = np.repeat(np.arange(len(n)), n)
            first = np.cumsum(n) - n
            rows.append(r)
            actions.append(np.full(len(r), t, dtype=np.int8))
            index.append(np.arange(len(r)) - first[r])
    if not rows:
        return None
    r = np.concatenate(rows)
    action = np.concatenate(actions)
    j = np.concatenate(index)
    ck = _keys(d.key[r] + action.astype(np.uint64) * _c(0x9FB21C651E98DF25) + j.astype(np.uint64) * _c(_GOLD), 71)
    cu = _Lanes(ck)
    # times: action within the row's hour; lag mostly hours to days, a tail to 60 days
    action_s = (day * DAY + d.hour[r] * HOUR + np.floor(cu(0) * HOUR)).astype(np.int64)
    kind = cu(1)
    short = -np.log(cu(2)) * np.where(action == 2, 1.5, 3.0) * HOUR
    mid = -np.log(cu(3)) * np.where(action == 2, 1.0, 2.5) * DAY
    tail = _between(cu(4), 7.0, 60.0) * DAY
    lag = np.where(kind < 0.55, short, np.where(kind < 0.92, mid, tail))
    lag = np.minimum(np.floor(lag + cu(5) * 60), MAX_LAG_SECONDS).astype(np.int64)
    conv_s = action_s + lag
    # event type, channel, devices, attribution, quantity, value
    g = plan.ad["g"][d.a[r]]
    event = plan.choice["event"].pick(g, cu(6))
    names = plan.event_names
    app_idx = np.array([plan.dicts["apptype"].index[t] for t in vocab.APP_APPTYPES])
    apptype = d.dims["apptype"][r]
    is_app = np.isin(apptype, app_idx)
    app_install = names.index("APP_INSTALL")
    event = np.where(is_app & (cu(7) < 0.03), app_install, event).astype(np.int64)
    ev_names = np.array(names)
    ev = ev_names[event]
    checkout = ev == "CHECKOUT"
    offline_ok = np.isin(ev, list(OFFLINE_EVENTS))
    cch = cu(8)
    channel = np.full(len(r), 0, dtype=np.int64)  # WEB
    channel = np.where(is_app & (cch < 0.25), 1, channel)  # INAPP
    channel = np.where(offline_ok & (cch >= 0.25) & (cch < 0.30), 2, channel)  # OFFLINE
    channel = np.where(checkout & (cch >= 0.90), 3, channel)  # PINTEREST
    channel = np.where(event == app_install, 1, channel)
    dev_of_app = np.array([DEVICE_ORDER.index(vocab.DEVICE_OF_APPTYPE[t]) for t in plan.dicts["apptype"].values])
    action_dev = dev_of_app[apptype]
    other = np.where(action_dev == 0, 1, 0)  # mobile/tablet -> desktop, desktop -> mobile
    switch = (cu(9) >= 0.85) & (channel != 1)
    conv_dev = np.where(switch, other, action_dev)
    attribution = np.where(cu(10) < 0.85, 0, 1)
    qu = cu(11)
    multi = np.isin(ev, ["CHECKOUT", "ADD_TO_CART"])
    quantity = np.where(multi, np.where(qu < 0.7, 1, np.where(qu < 0.9, 2, 3)), 1).astype(np.int64)
    aov = plan.grp["aov"][g] * plan.grp["cf"][g] * 1e6
    unit = aov * _log_between(cu(12), 0.5, 2.0)
    value = np.where(np.isin(ev, list(VALUE_EVENTS)), np.rint(unit * quantity / 10_000) * 10_000, 0).astype(np.int64)
    return {"r": r, "action": action, "action_s": action_s, "conv_s": conv_s, "event": event, "channel": channel,
            "action_dev": action_dev, "conv_dev": conv_dev, "attribution": attribution, "quantity": quantity,
            "value": value}


# ---- to Arrow ------------------------------------------------------------------------------------
def _ts(seconds: np.ndarray) -> pa.Array:
    return pa.array(seconds.astype("datetime64[s]").astype("datetime64[us]"))


def _dim_arrays(plan: _Plan, dims: dict[str, np.ndarray]) -> dict[str, pa.Array]:
    cells = plan.cells
    cell = dims["cell"]
    valid = cell >= 0
    safe = np.where(valid, cell, 0)
    D = plan.dicts
    return {
        "keyword": D["keyword"].array(dims["keyword"]), "apptype": D["apptype"].array(dims["apptype"]),
        "gender": D["gender"].array(dims["gender"]),
        "location": D["location"].array(np.where(valid, cells["location"][safe], -1)),
        "placement": D["placement"].array(dims["placement"]),
        "country": D["country"].array(np.where(valid, cells["country"][safe], -1)),
        "targeted_interest": D["interest"].array(dims["targeted_interest"]),
        "pinner_interest": D["interest"].array(dims["pinner_interest"]),
        "audience_include": D["audience_include"].array(dims["audience_include"]),
        "geo": plan.geo_dict.array(dims["geo"]),
        "age_bucket": D["age_bucket"].array(dims["age_bucket"]),
        "region": D["region"].array(np.where(valid, cells["region"][safe], -1)),
    }


def _entity_arrays(plan: _Plan, a: np.ndarray) -> dict[str, pa.Array]:
    ad = plan.ad
    return {"ad_account_id": pa.array(ad["account"][a]), "campaign_id": pa.array(ad["campaign"][a]),
            "ad_group_id": pa.array(ad["group"][a]), "ad_id": pa.array(ad["id"][a]), "pin_id": pa.array(ad["pin"][a])}


def _source(n: int) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(np.zeros(n, dtype=np.int32)), pa.array([SOURCE]))


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _delivery_table(plan: _Plan, days: list[tuple[int, _Day]]) -> pa.Table:
    """One Arrow table of the kept rows of several days. Counters that are 0 on every row are left out
    (the column default is 0)."""
    hour_s = _cat([day * DAY + d.hour.astype(np.int64) * HOUR for day, d in days])
    a = _cat([d.a for _, d in days])
    cols: dict[str, pa.Array] = {"hour": _ts(hour_s)}
    cols.update(_entity_arrays(plan, a))
    cols.update(_dim_arrays(plan, {k: _cat([d.dims[k] for _, d in days]) for k in days[0][1].dims}))
    cols["spend_micro"] = pa.array(_cat([d.spend for _, d in days]))
    present = [name for name in ALL_COUNTERS if any(name in d.counts for _, d in days)]
    for name in present:
        cols[name] = pa.array(_cat([d.counts[name] if name in d.counts else np.zeros(len(d.a)) for _, d in days]
                                   ).astype(np.int64))
    cols["people_lo"] = pa.array(_cat([d.people_lo for _, d in days]))
    cols["people_n"] = pa.array(_cat([d.people_n for _, d in days]))
    cols["source"] = _source(len(a))
    return pa.table(cols)


def _conversion_table(plan: _Plan, parts: list[tuple[_Day, dict[str, np.ndarray]]]) -> pa.Table:
    a = _cat([d.a[cv["r"]] for d, cv in parts])
    cols: dict[str, pa.Array] = _entity_arrays(plan, a)
    cols.update(_dim_arrays(plan, {k: _cat([d.dims[k][cv["r"]] for d, cv in parts]) for k in parts[0][0].dims}))

    def field(name: str) -> np.ndarray:
        return _cat([cv[name] for _, cv in parts])

    def enum(values: tuple[str, ...], idx: np.ndarray) -> pa.Array:
        return pa.DictionaryArray.from_arrays(pa.array(idx.astype(np.int32)), pa.array(list(values)))

    from pinsandbox.reporting.catalog import ACTIONS, ATTRIBUTIONS, CHANNELS, DEVICES

    assert set(DEVICE_ORDER) == set(DEVICES) and tuple(ACTIONS) == ("CLICK", "ENGAGEMENT", "VIEW")
    assert tuple(CHANNELS) == ("WEB", "INAPP", "OFFLINE", "PINTEREST") and ATTRIBUTIONS[0] == "INDIVIDUAL"
    cols["action_type"] = enum(ACTIONS, field("action"))
    cols["action_time"] = _ts(field("action_s"))
    cols["conversion_time"] = _ts(field("conv_s"))
    cols["event_type"] = enum(tuple(plan.event_names), field("event"))
    cols["channel"] = enum(CHANNELS, field("channel"))
    cols["action_device"] = enum(DEVICE_ORDER, field("action_dev"))
    cols["conversion_device"] = enum(DEVICE_ORDER, field("conv_dev"))
    cols["attribution"] = enum(ATTRIBUTIONS, field("attribution"))
    cols["quantity"] = pa.array(field("quantity"))
    cols["value_micro"] = pa.array(field("value"))
    cols["source"] = _source(len(a))
    return pa.table(cols)


# ---- the run -------------------------------------------------------------------------------------
@dataclass
class SimResult:
    start: dt.datetime
    end: dt.datetime
    seed: int
    delivery_rows: int = 0
    conversion_rows: int = 0
    ads: int = 0
    seconds: float = 0.0
    generate_seconds: float = 0.0
    insert_seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.delivery_rows + self.conversion_rows

    def as_dict(self) -> dict[str, Any]:
        return {"start": _iso(self.start), "end": _iso(self.end), "seed": self.seed, "ads": self.ads,
                "rows": {"delivery": self.delivery_rows, "conversions": self.conversion_rows},
                "seconds": round(self.seconds, 3)}


def _iso(t: dt.datetime) -> str:
    return t.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


_INT64_MAX = int(np.iinfo(np.int64).max)


def _time(value: Any) -> int:
    """A stored start/end time as an int64 the plan can hold (the API bounds them; a row stored before it
    did, or by a fixture, must not stop the simulator, and with it every account's analytics)."""
    return max(0, min(int(value), _INT64_MAX - HOUR))


def hour_floor(t: dt.datetime) -> dt.datetime:
    t = t if t.tzinfo else t.replace(tzinfo=UTC)
    return t.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


# catch-up simulates at most this many days before the clock's now: when the clock jumps further ahead, the
# older hours stay empty (no report reaches past 914 days; an unbounded jump would run for hours)
CATCH_UP_MAX_DAYS = 1100


def resolve_end(store, end: dt.datetime | None) -> dt.datetime:
    """The hour a simulation ends at: `end` floored to the hour (default: the clock's current hour), within
    the range the sandbox clock can show. ValueError (with the reason) otherwise."""
    from pinsandbox.core.clock import MAX_NOW, MIN_NOW

    if end is None:
        return hour_floor(store.clock.now())
    try:
        stop = hour_floor(end)
    except (OverflowError, ValueError):
        stop = None
    if stop is None or not (MIN_NOW <= stop < MAX_NOW):
        raise ValueError(f"{end.isoformat()} is outside the range the sandbox clock can show "
                         f"({MIN_NOW:%Y-%m-%d} to {MAX_NOW:%Y-%m-%d})")
    return stop


def _epoch(t: dt.datetime) -> int:
    return int(t.timestamp())


def _naive(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=UTC).replace(tzinfo=None)


@dataclass
class _Ledger:
    """Spend per ad group and campaign that the caps must see (see the module doc)."""

    prior_g: np.ndarray  # all spend before the current day
    prior_c: np.ndarray
    existing: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=dict)
    # day -> (all-source existing spend per group, per campaign, non-sim per group, per campaign)


def _ledger(cur, plan: _Plan, lo_day: int, hi_day: int, s_lo: int, s_hi: int) -> _Ledger:
    """Spend the caps must count that this run does not generate: every fact before the first day,
    and per day of the run the facts that stay (all but the 'sim' rows of [s_lo, s_hi), which the run
    deletes and writes again)."""
    n_g, n_c = len(plan.group_ids), len(plan.campaign_ids)
    pos = {"ad_group_id": {int(v): i for i, v in enumerate(plan.group_ids)},
           "campaign_id": {int(v): i for i, v in enumerate(plan.campaign_ids)}}
    prior = {"ad_group_id": np.zeros(n_g), "campaign_id": np.zeros(n_c)}
    existing: dict[int, tuple[np.ndarray, ...]] = {}
    cur.register("_sim_ids", pa.table({"ad_group_id": pa.array(plan.group_ids)}))
    cur.register("_sim_cids", pa.table({"campaign_id": pa.array(plan.campaign_ids)}))
    stays = f"NOT (source = '{SOURCE}' AND hour >= ? AND hour < ?)"
    try:
        lo, hi = _naive(lo_day * DAY), _naive(hi_day * DAY)
        for k, (col, ids) in enumerate((("ad_group_id", "_sim_ids"), ("campaign_id", "_sim_cids"))):
            for eid, total in cur.execute(
                    f"SELECT {col}, SUM(spend_micro) FROM delivery WHERE hour < ? AND {col} IN (SELECT {col} FROM "
                    f"{ids}) GROUP BY {col}", [lo]).fetchall():
                prior[col][pos[col][int(eid)]] = float(total)
            rows = cur.execute(
                f"SELECT {col}, CAST(epoch(hour) AS BIGINT) // {DAY} AS day, SUM(spend_micro), "
                f"SUM(CASE WHEN source <> '{SOURCE}' THEN spend_micro ELSE 0 END) FROM delivery "
                f"WHERE hour >= ? AND hour < ? AND {stays} AND {col} IN (SELECT {col} FROM {ids}) GROUP BY ALL",
                [lo, hi, _naive(s_lo), _naive(s_hi)]).fetchall()
            for eid, day, total, nonsim in rows:
                entry = existing.setdefault(int(day), (np.zeros(n_g), np.zeros(n_c), np.zeros(n_g), np.zeros(n_c)))
                entry[k][pos[col][int(eid)]] = float(total)
                entry[k + 2][pos[col][int(eid)]] = float(nonsim)
    finally:
        cur.unregister("_sim_ids")
        cur.unregister("_sim_cids")
    return _Ledger(prior_g=prior["ad_group_id"], prior_c=prior["campaign_id"], existing=existing)


def _rooms(plan: _Plan, ledger: _Ledger, day: int) -> tuple[np.ndarray, np.ndarray]:
    """What each ad group and campaign may still spend on `day` (micro-currency, ≥ 0; NaN = no cap)."""
    n_g, n_c = len(plan.group_ids), len(plan.campaign_ids)
    zeros_g, zeros_c = np.zeros(n_g), np.zeros(n_c)
    _, _, nonsim_g, nonsim_c = ledger.existing.get(day, (zeros_g, zeros_c, zeros_g, zeros_c))
    grp, camp = plan.grp, plan.camp
    room_g = np.fmin(grp["daily"] - nonsim_g, grp["life"] - ledger.prior_g - nonsim_g)
    room_c = np.fmin(camp["daily"] - nonsim_c, camp["life"] - ledger.prior_c - nonsim_c)
    return np.floor(np.maximum(room_g, 0.0)), np.floor(np.maximum(room_c, 0.0))


def _advance(plan: _Plan, ledger: _Ledger, kept: _Day | None, day: int) -> None:
    """Day done: the next day's prior spend adds this day's existing facts and the rows kept."""
    n_g, n_c = len(plan.group_ids), len(plan.campaign_ids)
    if day in ledger.existing:
        all_g, all_c, _, _ = ledger.existing[day]
        ledger.prior_g += all_g
        ledger.prior_c += all_c
    if kept is not None and len(kept.a):
        g = plan.ad["g"][kept.a]
        sg = np.bincount(g, weights=kept.spend, minlength=n_g)
        ledger.prior_g += sg
        ledger.prior_c += np.bincount(plan.grp["c"], weights=sg, minlength=n_c)


def _simulate_day(plan: _Plan, ledger: _Ledger, day: int, c_lo: int, c_hi: int) -> _Day | None:
    """One whole day: generated, capped, reach blocks placed; then the rows of hours in [c_lo, c_hi)."""
    room_g, room_c = _rooms(plan, ledger, day)
    d = _generate_day(plan, day, room_g, room_c)
    if d is None:
        return None
    d = _cut(plan, d, room_g, room_c)
    if len(d.a) == 0:
        return None
    _people(plan, d, day)
    if c_lo > day * DAY or c_hi < (day + 1) * DAY:
        hour_s = day * DAY + d.hour.astype(np.int64) * HOUR
        d = d.take((hour_s >= c_lo) & (hour_s < c_hi))
    return d if len(d.a) else None


@dataclass
class _Chunk:
    lo: int  # epoch seconds: the chunk's hours [lo, hi)
    hi: int
    delivery: pa.Table | None
    conversions: pa.Table | None
    seconds: float  # generation time


def _produce(plan: _Plan | None, ledger: _Ledger | None, chunks: list[list[int]], s_lo: int, s_hi: int
             ) -> Iterator[_Chunk]:
    """The chunks' tables, in order (generation only: no database access)."""
    for chunk in chunks:
        c_lo = max(s_lo, chunk[0] * DAY) if chunk else s_lo
        c_hi = min(s_hi, (chunk[-1] + 1) * DAY) if chunk else s_hi
        t = time.perf_counter()
        kept_days: list[tuple[int, _Day]] = []
        conv_parts: list[tuple[_Day, dict[str, np.ndarray]]] = []
        if plan is not None and ledger is not None:
            for day in chunk:
                kept = _simulate_day(plan, ledger, day, c_lo, c_hi)
                if kept is not None:
                    kept_days.append((day, kept))
                    cv = _conversions(plan, kept, day)
                    if cv is not None:
                        conv_parts.append((kept, cv))
                _advance(plan, ledger, kept, day)
        delivery = _delivery_table(plan, kept_days) if kept_days else None
        conversions = _conversion_table(plan, conv_parts) if conv_parts else None
        yield _Chunk(c_lo, c_hi, delivery, conversions, time.perf_counter() - t)


_DONE = object()


def _pipelined(items: Iterator[_Chunk]) -> Iterator[_Chunk]:
    """Run the generator in a thread, one chunk ahead: generation overlaps the database inserts
    (numpy and DuckDB release the GIL). Stops the thread when the consumer fails."""
    q: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in items:
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            put(exc)

    thread = threading.Thread(target=work, name="pinsandbox-simulate", daemon=True)
    thread.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def _write_chunk(facts, chunk: _Chunk, seed: int, result: SimResult) -> None:
    """One commit: the chunk's old sim rows out, the new ones in (a segment per table), the watermark on."""
    t = time.perf_counter()
    lo, hi = _naive(chunk.lo), _naive(chunk.hi)
    with facts.writing() as w:
        w.delete("delivery", f"source = '{SOURCE}' AND hour >= ? AND hour < ?", [lo, hi])
        w.delete("conversions", f"source = '{SOURCE}' AND action_time >= ? AND action_time < ?", [lo, hi])
        if chunk.delivery is not None:
            result.delivery_rows += w.append("delivery", chunk.delivery)
        if chunk.conversions is not None:
            result.conversion_rows += w.append("conversions", chunk.conversions)
        old = w.get_meta(META_WATERMARK)
        if old is None or dt.datetime.fromisoformat(old) < hi:
            w.set_meta(META_WATERMARK, hi.isoformat(timespec="seconds"))
        w.set_meta(META_SEED, str(int(seed)))
    result.insert_seconds += time.perf_counter() - t


def simulate(store, *, start: dt.datetime, end: dt.datetime, seed: int,
             progress: Callable[[int, int], None] | None = None) -> SimResult:
    """Write the simulated facts of the UTC hours in [start, end) (hour-aligned; see the module doc).

    Runs on one fact store are serialized, across processes too. Each chunk of days is one commit; a
    failure leaves the chunks written so far (each complete, the watermark at the last one) and nothing
    of the others."""
    start, end = hour_floor(start), hour_floor(end)
    if end < start:
        raise ValueError(f"end ({_iso(end)}) is before start ({_iso(start)})")
    result = SimResult(start=start, end=end, seed=int(seed))
    t0 = time.perf_counter()
    facts = store.facts
    s_lo, s_hi = _epoch(start), _epoch(end)
    total_hours = (s_hi - s_lo) // HOUR
    with _lock_for(facts):
        plan = _plan(store, int(seed)) if s_hi > s_lo else None
        result.ads = plan.n_ads if plan else 0
        first_day, last_day = s_lo // DAY, (s_hi - 1) // DAY
        days = list(range(first_day, last_day + 1)) if s_hi > s_lo else []
        per_day = max(1.0, (plan.n_ads if plan else 0) * 24 * 2.5)
        chunk_days = max(1, min(31, int(TARGET_ROWS_PER_CHUNK / per_day)))
        chunks = [days[i:i + chunk_days] for i in range(0, len(days), chunk_days)] or [[]]
        # the spend the caps must count, read once (the run's own rows are carried on in memory)
        ledger = None
        if plan is not None:
            ledger = _ledger(facts.cursor(), plan, first_day, last_day + 1, s_lo, s_hi)
        if progress:
            progress(0, total_hours)
        produced = _produce(plan, ledger, chunks, s_lo, s_hi)
        for chunk in (_pipelined(produced) if len(chunks) > 1 else produced):
            result.generate_seconds += chunk.seconds
            _write_chunk(facts, chunk, int(seed), result)
            if progress:
                progress((chunk.hi - s_lo) // HOUR, total_hours)
        from pinsandbox.reporting import organic_sim  # the organic facts of the days this run completes
        organic_sim.simulate(store, start=start, end=end, seed=int(seed))
    result.seconds = time.perf_counter() - t0
    return result


# ---- catching up with the clock -------------------------------------------------------------------
def _lock_for(facts):
    """One simulation at a time per data dir, whichever process runs it (catch_up holds it across its
    check and its run)."""
    return facts.exclusive("simulate")


def _meta(facts) -> dict[str, str]:
    return {k: v for k, v in facts.meta().items() if k in (META_SEED, META_WATERMARK)}


def status(store) -> dict[str, Any]:
    meta = _meta(store.facts)
    return {"enabled": META_SEED in meta, "seed": int(meta[META_SEED]) if META_SEED in meta else None,
            "watermark": meta.get(META_WATERMARK)}


def catch_up(store) -> int:
    """Simulate the completed hours between the watermark and the clock's now, when a simulation was
    ever started; the rows written (0 when there is nothing to do: one meta read)."""
    facts = store.facts
    meta = _meta(facts)
    if META_SEED not in meta:
        return 0
    now_hour = hour_floor(store.clock.now())
    mark = meta.get(META_WATERMARK)
    if mark is not None and dt.datetime.fromisoformat(mark).replace(tzinfo=UTC) >= now_hour:
        return 0
    with _lock_for(facts):
        meta = _meta(facts)  # another request may have caught up meanwhile
        if META_SEED not in meta:
            return 0
        mark = meta.get(META_WATERMARK)
        start = dt.datetime.fromisoformat(mark).replace(tzinfo=UTC) if mark else now_hour
        start = max(start, now_hour - dt.timedelta(days=CATCH_UP_MAX_DAYS))
        if start >= now_hour:
            if mark is None:
                facts.set_meta(META_WATERMARK, _naive(_epoch(now_hour)).isoformat(timespec="seconds"))
            return 0
        return simulate(store, start=start, end=now_hour, seed=int(meta[META_SEED])).rows


def enable(store, *, seed: int, start: dt.datetime | None = None) -> None:
    """Turn catch-up on from `start` (default: the current hour) without simulating anything yet."""
    mark = hour_floor(start or store.clock.now())
    with store.facts.writing() as w:
        w.set_meta(META_SEED, str(int(seed)))
        w.set_meta(META_WATERMARK, _naive(_epoch(mark)).isoformat(timespec="seconds"))


def disable(store) -> None:
    """Turn catch-up off (the facts stay)."""
    store.facts.set_meta(META_SEED, None)

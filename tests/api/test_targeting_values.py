"""Targeting analytics over simulated delivery, through HTTP: every one of the 12 targeting types at every
targeting endpoint, the values in Pinterest's forms (KEYWORD values are the keywords created through
POST /v5/ad_accounts/{id}/keywords), single-valued breakdowns adding up to the total, the order of the
rows, and `attribution_types` as one value."""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import Any

import pytest

from pinsandbox.reporting import vocab
from tests.simdata import T0, advertiser, set_clock

TYPES = ["KEYWORD", "APPTYPE", "GENDER", "LOCATION", "PLACEMENT", "COUNTRY", "TARGETED_INTEREST", "PINNER_INTEREST",
         "AUDIENCE_INCLUDE", "GEO", "AGE_BUCKET", "REGION"]
COLS = ["PAID_IMPRESSION", "SPEND_IN_MICRO_DOLLAR", "CLICKTHROUGH_1", "TOTAL_ENGAGEMENT"]
KEYWORDS = ("raised garden beds", "balcony plants", "Herb Spiral")
INTERESTS = ("909983286710", "918530398158")  # Gardening, Food and Drinks
AUDIENCE = "271828182845"
TARGETING = {"GENDER": ["female", "male"], "AGE_BUCKET": ["25-34", "35-44", "65+"],
             "APPTYPE": ["iphone", "android_mobile", "web"], "LOCATION": ["US", "CA"], "INTEREST": list(INTERESTS),
             "AUDIENCE_INCLUDE": [AUDIENCE]}
DAYS = 3
START, END = (T0 + dt.timedelta(days=1)).date(), (T0 + dt.timedelta(days=DAYS)).date()
R = {"start_date": START.isoformat(), "end_date": END.isoformat()}


@pytest.fixture
def sim(client) -> dict[str, Any]:
    """Group G1 targets every dimension and has 3 keywords (2 ads); G2 targets only the US (1 ad, no keywords,
    interests or audiences); DAYS days simulated after T0 + 1 day."""
    adv = advertiser(client, username="targeter")
    camp = adv.campaign()
    g1 = adv.ad_group(camp, targeting_spec=TARGETING)
    adv.keywords(g1, *KEYWORDS)
    g2 = adv.ad_group(camp, targeting_spec={"LOCATION": ["US"]})
    ads = [adv.ad(g1), adv.ad(g1), adv.ad(g2)]
    set_clock(client, T0 + dt.timedelta(days=DAYS + 1, hours=5))
    r = client.post("/_sandbox/simulate", json={"days": DAYS + 1, "seed": 21})
    assert r.status_code == 200, r.text
    return {"adv": adv, "camp": camp, "g1": g1, "g2": g2, "ads": ads}


def get(sim, path: str, **params: Any) -> Any:
    adv = sim["adv"]
    q = {"granularity": "TOTAL", "columns": ",".join(COLS), **R,
         **{k: ",".join(v) if isinstance(v, list) else v for k, v in params.items()}}
    r = adv.client.get(f"/v5/ad_accounts/{adv.id}/{path}", params=q, headers=adv.h)
    assert r.status_code == 200, r.text
    return r.json()


ENDPOINTS = {  # targeting path -> (ids parameter, ids of the fixture, id column)
    "targeting_analytics": (None, None, "AD_ACCOUNT_ID"),
    "campaigns/targeting_analytics": ("campaign_ids", lambda s: [s["camp"]["id"]], "CAMPAIGN_ID"),
    "ad_groups/targeting_analytics": ("ad_group_ids", lambda s: [s["g1"]["id"], s["g2"]["id"]], "AD_GROUP_ID"),
    "ads/targeting_analytics": ("ad_ids", lambda s: [a["id"] for a in s["ads"]], "AD_ID"),
}
PLAIN = {"targeting_analytics": "analytics", "campaigns/targeting_analytics": "campaigns/analytics",
         "ad_groups/targeting_analytics": "ad_groups/analytics", "ads/targeting_analytics": "ads/analytics"}

METRO = re.compile(r"^[0-9]{3}$")
REGION = re.compile(r"^(US|CA)-[A-Z0-9]{1,3}$")
GEO = re.compile(r"^(US|CA):[A-Z0-9][A-Z0-9 -]*$")
AGE = re.compile(r"^([0-9]{2}-[0-9]{2}|65\+)$")


def check_value_forms(by_type: dict[str, set[str]]) -> None:
    """The values of all entities (G2 targets no gender, age or app type: any value of the vocabularies)."""
    assert {"female", "male"} <= by_type["GENDER"] <= set(vocab.GENDER)
    assert by_type["AGE_BUCKET"] <= set(vocab.AGE_BUCKET) and all(AGE.match(v) for v in by_type["AGE_BUCKET"])
    assert "25-34" in by_type["AGE_BUCKET"]
    assert by_type["APPTYPE"] <= set(vocab.APPTYPE) and by_type["APPTYPE"]
    assert by_type["COUNTRY"] == {"US", "CA"}
    assert by_type["LOCATION"] and all(METRO.match(v) and v in vocab.METROS for v in by_type["LOCATION"])
    assert all(REGION.match(v) for v in by_type["REGION"]) and {v[:2] for v in by_type["REGION"]} == {"US", "CA"}
    us_regions = {m.region for m in vocab.METROS.values()}
    ca_regions = {r.code for r in vocab.COUNTRIES["CA"].regions}
    assert by_type["REGION"] <= us_regions | ca_regions
    assert all(GEO.match(v) for v in by_type["GEO"]) and {v[:2] for v in by_type["GEO"]} == {"US", "CA"}
    postal = {vocab.geo_value("US", p) for m in vocab.METROS.values() for p in m.postal} | {
        vocab.geo_value("CA", p) for r in vocab.COUNTRIES["CA"].regions for p in r.postal}
    assert by_type["GEO"] <= postal
    assert by_type["PLACEMENT"] <= {"SEARCH", "BROWSE", "OTHER"} and "SEARCH" in by_type["PLACEMENT"]
    # interests by name; the targeted ones only for TARGETED_INTEREST
    assert by_type["TARGETED_INTEREST"] and by_type["TARGETED_INTEREST"] <= {vocab.INTERESTS[i][0] for i in INTERESTS}
    assert by_type["PINNER_INTEREST"] <= {name for name, _ in vocab.INTERESTS.values()}
    assert by_type["AUDIENCE_INCLUDE"] == {AUDIENCE}
    # KEYWORD values are the texts of the keywords created for the ad group
    assert by_type["KEYWORD"] and by_type["KEYWORD"] <= set(KEYWORDS)


@pytest.mark.parametrize("path", list(ENDPOINTS))
def test_every_targeting_type_in_pinterests_forms_and_adding_up(sim, path):
    ids_param, ids_of, id_col = ENDPOINTS[path]
    ids = {ids_param: ids_of(sim)} if ids_param else {}
    body = get(sim, path, targeting_types=TYPES, **ids)
    data = body["data"]
    assert set(body) == {"data"} and data
    assert all(set(d) == {"targeting_type", "targeting_value", "metrics"} for d in data)
    assert all(isinstance(d["targeting_value"], str) for d in data)  # always a string (metro codes too)
    # the order: targeting types in request order, then entity id, then value
    order = [(TYPES.index(d["targeting_type"]), int(d["metrics"][id_col]), d["targeting_value"]) for d in data]
    assert order == sorted(order)
    assert len(set(order)) == len(order)
    by_type: dict[str, set[str]] = defaultdict(set)
    sums: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLS, 0))
    for d in data:
        by_type[d["targeting_type"]].add(d["targeting_value"])
        acc = sums[(d["targeting_type"], d["metrics"][id_col])]
        for c in COLS:
            acc[c] += d["metrics"].get(c, 0)
    assert set(by_type) == set(TYPES)
    check_value_forms(by_type)

    # every delivery row names one value of each of these: their values add up to the entity's total
    totals = {r[id_col]: {c: r.get(c, 0) for c in COLS} for r in get(sim, PLAIN[path], **ids)}
    assert totals and any(t["PAID_IMPRESSION"] for t in totals.values())
    for t in ("GENDER", "AGE_BUCKET", "COUNTRY", "APPTYPE", "PLACEMENT", "REGION", "GEO", "PINNER_INTEREST"):
        assert {e: v for (tt, e), v in sums.items() if tt == t} == totals, t
    # LOCATION (a metro) exists for US delivery only: its values add up to COUNTRY US
    us = {d["metrics"][id_col]: {c: d["metrics"].get(c, 0) for c in COLS} for d in data
          if d["targeting_type"] == "COUNTRY" and d["targeting_value"] == "US"}
    assert {e: v for (tt, e), v in sums.items() if tt == "LOCATION"} == us
    if id_col in ("AD_GROUP_ID", "AD_ID"):
        g2_entities = {sim["g2"]["id"]} | {a["id"] for a in sim["ads"] if a["ad_group_id"] == sim["g2"]["id"]}
        # G2 (no keywords, interests or audiences) is in no KEYWORD, TARGETED_INTEREST or AUDIENCE_INCLUDE row
        for t in ("KEYWORD", "TARGETED_INTEREST", "AUDIENCE_INCLUDE"):
            assert not {e for (tt, e) in sums if tt == t} & g2_entities, t
        # G1's entities deliver only to what G1 targets; G2 only in the US
        g1 = {(d["targeting_type"], d["targeting_value"]) for d in data if d["metrics"][id_col] not in g2_entities}
        for t, allowed in (("GENDER", {"female", "male"}), ("AGE_BUCKET", set(TARGETING["AGE_BUCKET"])),
                           ("APPTYPE", set(TARGETING["APPTYPE"])), ("COUNTRY", {"US", "CA"})):
            assert {v for tt, v in g1 if tt == t} <= allowed, t
        assert {v for tt, v in g1 if tt == "GENDER"} == {"female", "male"}
        assert {d["targeting_value"] for d in data if d["targeting_type"] == "COUNTRY"
                and d["metrics"][id_col] in g2_entities} == {"US"}


def test_keyword_and_targeted_breakdowns_of_the_targeting_ad_group(sim):
    """G1's SEARCH delivery is all by keyword; all of its delivery by targeted interest and by audience."""
    g1 = sim["g1"]["id"]
    data = get(sim, "ad_groups/targeting_analytics", ad_group_ids=[g1],
               targeting_types=["KEYWORD", "PLACEMENT", "TARGETED_INTEREST", "AUDIENCE_INCLUDE"])["data"]
    [total] = get(sim, "ad_groups/analytics", ad_group_ids=[g1])

    def summed(t: str, value: str | None = None) -> dict[str, int]:
        rows = [d["metrics"] for d in data if d["targeting_type"] == t and value in (None, d["targeting_value"])]
        return {c: sum(r.get(c, 0) for r in rows) for c in COLS}

    search = summed("PLACEMENT", "SEARCH")
    assert search["PAID_IMPRESSION"] > 0
    assert summed("KEYWORD") == search
    assert {d["targeting_value"] for d in data if d["targeting_type"] == "KEYWORD"} == set(KEYWORDS)
    everything = {c: total.get(c, 0) for c in COLS}
    assert summed("TARGETED_INTEREST") == everything == summed("AUDIENCE_INCLUDE")
    # one day, HOUR granularity: the same values, each row labelled with its date and hour
    hours = get(sim, "ad_groups/targeting_analytics", ad_group_ids=[g1], targeting_types=["KEYWORD"],
                granularity="HOUR", start_date=END.isoformat(), end_date=END.isoformat())["data"]
    assert hours and all(d["metrics"]["DATE"] == END.isoformat() and 0 <= d["metrics"]["HOUR"] <= 23 for d in hours)
    assert {d["targeting_value"] for d in hours} <= set(KEYWORDS)


@pytest.mark.parametrize("value,status", [("INDIVIDUAL", 200), ("HOUSEHOLD", 200), ("INDIVIDUAL,HOUSEHOLD", 400),
                                          ("COUSIN", 400)])
def test_attribution_types_takes_one_value(sim, value, status):
    adv = sim["adv"]
    r = adv.client.get(f"/v5/ad_accounts/{adv.id}/targeting_analytics", headers=adv.h, params={
        "targeting_types": "GENDER", "granularity": "TOTAL", "columns": "TOTAL_CONVERSIONS",
        "attribution_types": value, **R})
    assert r.status_code == status, r.text
    if status == 400:
        assert r.json()["code"] == 1 and "attribution_types" in r.json()["message"]

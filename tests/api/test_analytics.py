"""Sync analytics and targeting analytics (ad account, campaigns, ad groups, ads) and the metrics
resources, through HTTP: facts are loaded with POST /_sandbox/facts, the clock is frozen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests import factories as f
from tests.factories import bearer

NOW = "2026-03-15T12:00:00Z"
TODAY = dt.date(2026, 3, 15)
R = {"start_date": "2026-03-10", "end_date": "2026-03-12"}  # the range most tests read


def _ad(client, tok: str, acct: str, group_id: str, board: str) -> str:
    item = {"ad_group_id": group_id, "creative_type": "REGULAR", "pin_id": f.pin(client, tok, board)["id"]}
    r = client.post(f"/v5/ad_accounts/{acct}/ads", json=[item], headers=bearer(tok))
    assert r.status_code == 200, r.text
    return r.json()["items"][0]["data"]["id"]


def load(client, table: str, rows: list[dict[str, Any]]) -> None:
    r = client.post("/_sandbox/facts", json={"table": table, "rows": rows})
    assert r.status_code == 200, r.text
    assert r.json() == {"table": table, "rows": len(rows)}


@pytest.fixture
def w(client) -> dict[str, Any]:
    """Campaign C1 (ad group G1: ads A1, A2) and C2 (G2: A3) with hand-made facts around 2026-03-10..12."""
    r = client.put("/_sandbox/clock", json={"now": NOW, "frozen": True})
    assert r.status_code == 200, r.text
    tok = f.token(client, "alice")
    acct = f.ad_account(client, tok)["id"]
    c1 = f.campaign(client, tok, acct, name="Spring", order_line_id="424242")["id"]
    c2 = f.campaign(client, tok, acct, name="Summer")["id"]
    g1 = f.ad_group(client, tok, acct, c1)["id"]
    g2 = f.ad_group(client, tok, acct, c2)["id"]
    board = f.board(client, tok)["id"]
    a1, a2, a3 = _ad(client, tok, acct, g1, board), _ad(client, tok, acct, g1, board), _ad(client, tok, acct, g2, board)
    load(client, "delivery", [
        {"ad_id": a1, "hour": "2026-03-10T10:00:00Z", "impression_1": 100, "clickthrough_1": 4, "spend_micro": 2_000_000,
         "gender": "female", "country": "US", "people_lo": 0, "people_n": 80},
        {"ad_id": a1, "hour": "2026-03-11T09:00:00Z", "impression_1": 50, "clickthrough_1": 1, "spend_micro": 1_000_000,
         "gender": "male", "country": "US", "people_lo": 50, "people_n": 50},
        {"ad_id": a2, "hour": "2026-03-10T15:00:00Z", "impression_1": 200, "clickthrough_1": 0, "spend_micro": 500_000,
         "gender": "female", "country": "CA", "people_lo": 1000, "people_n": 150},
        {"ad_id": a3, "hour": "2026-03-12T00:00:00Z", "impression_1": 30, "impression_2": 10, "clickthrough_1": 3,
         "clickthrough_2": 1, "spend_micro": 3_000_000, "gender": "unknown", "people_lo": 5000, "people_n": 30},
        {"ad_id": a1, "hour": "2026-03-15T08:00:00Z", "impression_1": 7, "spend_micro": 70_000},  # today
        {"ad_id": a1, "hour": "2026-03-01T05:00:00Z", "impression_1": 1},
        {"ad_id": a1, "hour": "2026-03-05T05:00:00Z", "impression_1": 2},
        {"ad_id": a2, "hour": "2026-02-25T00:00:00Z", "impression_1": 4},
    ])
    load(client, "conversions", [
        {"ad_id": a1, "action_type": "CLICK", "action_time": "2026-03-10T10:20:00Z",
         "conversion_time": "2026-03-10T18:00:00Z", "event_type": "CHECKOUT", "quantity": 2, "value_micro": 25_000_000,
         "gender": "female"},
        {"ad_id": a1, "action_type": "CLICK", "action_time": "2026-03-10T10:30:00Z",
         "conversion_time": "2026-03-13T10:00:00Z", "event_type": "CHECKOUT", "value_micro": 5_000_000,
         "gender": "female"},
        {"ad_id": a3, "action_type": "VIEW", "action_time": "2026-03-12T00:10:00Z",
         "conversion_time": "2026-03-12T05:00:00Z", "event_type": "SIGNUP", "attribution": "HOUSEHOLD",
         "gender": "unknown"},
        {"ad_id": a2, "action_type": "CLICK", "action_time": "2026-03-10T16:00:00Z",  # converts after now
         "conversion_time": "2026-03-16T00:00:00Z", "event_type": "CHECKOUT", "gender": "female"},
    ])
    return {"tok": tok, "acct": acct, "c1": c1, "c2": c2, "g1": g1, "g2": g2, "a1": a1, "a2": a2, "a3": a3}


def get(client, w, path: str, tok: str | None = None, **params: Any):
    """GET /v5/ad_accounts/{acct}/<path>; list values are comma-joined."""
    q = {k: ",".join(v) if isinstance(v, (list, tuple)) else v for k, v in params.items() if v is not None}
    headers = bearer(tok or w["tok"]) if tok != "" else {}
    return client.get(f"/v5/ad_accounts/{w['acct']}/{path}", params=q, headers=headers)


def ok(r) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


# -- success, exact numbers, shapes ----------------------------------------------------------------

def test_ad_account_analytics_total(client, w):
    cols = ["SPEND_IN_MICRO_DOLLAR", "SPEND_IN_DOLLAR", "PAID_IMPRESSION", "TOTAL_IMPRESSION", "CLICKTHROUGH_1",
            "TOTAL_CLICKTHROUGH", "CTR", "ECTR", "CPC_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION_USER",
            "TOTAL_IMPRESSION_FREQUENCY", "TOTAL_CONVERSIONS", "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "CHECKOUT_ROAS",
            "AD_ACCOUNT_ID", "ADVERTISER_ID"]
    body = ok(get(client, w, "analytics", granularity="TOTAL", columns=cols, **R))
    assert body == [{
        "AD_ACCOUNT_ID": w["acct"], "ADVERTISER_ID": w["acct"], "SPEND_IN_MICRO_DOLLAR": 6_500_000,
        "SPEND_IN_DOLLAR": 6.5, "PAID_IMPRESSION": 380, "TOTAL_IMPRESSION": 390, "CLICKTHROUGH_1": 8,
        "TOTAL_CLICKTHROUGH": 9, "CTR": pytest.approx(8 / 380), "ECTR": pytest.approx(9 / 390),
        "CPC_IN_MICRO_DOLLAR": pytest.approx(6_500_000 / 8), "TOTAL_IMPRESSION_USER": 100 + 150 + 30,
        "TOTAL_IMPRESSION_FREQUENCY": pytest.approx(390 / 280), "TOTAL_CONVERSIONS": 3,
        "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR": 30_000_000, "CHECKOUT_ROAS": pytest.approx(30 / 6.5)}]
    assert isinstance(body[0]["AD_ACCOUNT_ID"], str) and "DATE" not in body[0]
    # order line columns are accepted, but an account's campaigns have several: still one row, no value
    body = ok(get(client, w, "analytics", granularity="TOTAL", columns=["PAID_IMPRESSION", "ORDER_LINE_ID"], **R))
    assert body == [{"AD_ACCOUNT_ID": w["acct"], "PAID_IMPRESSION": 380}]


def test_ad_account_analytics_day(client, w):
    body = ok(get(client, w, "analytics", granularity="DAY", columns=["PAID_IMPRESSION", "SPEND_IN_MICRO_DOLLAR",
                                                                       "TOTAL_CONVERSIONS"], **R))
    assert body == [
        {"AD_ACCOUNT_ID": w["acct"], "DATE": "2026-03-10", "PAID_IMPRESSION": 300, "SPEND_IN_MICRO_DOLLAR": 2_500_000,
         "TOTAL_CONVERSIONS": 2},
        {"AD_ACCOUNT_ID": w["acct"], "DATE": "2026-03-11", "PAID_IMPRESSION": 50, "SPEND_IN_MICRO_DOLLAR": 1_000_000,
         "TOTAL_CONVERSIONS": 0},
        {"AD_ACCOUNT_ID": w["acct"], "DATE": "2026-03-12", "PAID_IMPRESSION": 30, "SPEND_IN_MICRO_DOLLAR": 3_000_000,
         "TOTAL_CONVERSIONS": 1}]
    # nothing is zero-filled: a range without facts has no rows
    assert ok(get(client, w, "analytics", granularity="DAY", columns=["PAID_IMPRESSION"], start_date="2026-03-13",
                  end_date="2026-03-14")) == []


def test_week_month_and_hour_labels(client, w):
    week = ok(get(client, w, "analytics", granularity="WEEK", columns=["PAID_IMPRESSION"], start_date="2026-03-01",
                  end_date="2026-03-15"))
    assert [(r["DATE"], r["PAID_IMPRESSION"]) for r in week] == [("2026-03-01", 1), ("2026-03-02", 2),
                                                                 ("2026-03-09", 387)]
    month = ok(get(client, w, "analytics", granularity="MONTH", columns=["PAID_IMPRESSION"], start_date="2026-02-20",
                   end_date="2026-03-15"))
    assert [(r["DATE"], r["PAID_IMPRESSION"]) for r in month] == [("2026-02-20", 4), ("2026-03-01", 390)]
    hour = ok(get(client, w, "analytics", granularity="HOUR", columns=["PAID_IMPRESSION", "SPEND_IN_DOLLAR"],
                  start_date="2026-03-15", end_date="2026-03-15"))
    # HOUR rows: DATE is the date (the spec's `format: date`), the UTC hour is the extra key HOUR
    assert hour == [{"AD_ACCOUNT_ID": w["acct"], "DATE": "2026-03-15", "HOUR": 8, "PAID_IMPRESSION": 7,
                     "SPEND_IN_DOLLAR": 0.07}]
    hours = ok(get(client, w, "campaigns/analytics", campaign_ids=[w["c1"], w["c2"]], granularity="HOUR",
                   columns=["PAID_IMPRESSION"], **R))
    assert [(r["CAMPAIGN_ID"], r["DATE"], r["HOUR"], r["PAID_IMPRESSION"]) for r in hours] == sorted([
        (w["c1"], "2026-03-10", 10, 100), (w["c1"], "2026-03-10", 15, 200),
        (w["c1"], "2026-03-11", 9, 50), (w["c2"], "2026-03-12", 0, 30)])
    assert all(list(r)[:3] == ["CAMPAIGN_ID", "DATE", "HOUR"] and type(r["HOUR"]) is int for r in hours)
    # other granularities have no HOUR key
    for gran in ("DAY", "WEEK", "MONTH", "TOTAL"):
        rows = ok(get(client, w, "analytics", granularity=gran, columns=["PAID_IMPRESSION"], **R))
        assert rows and all("HOUR" not in r for r in rows), gran
    # targeting analytics label their HOUR rows the same way
    data = ok(get(client, w, "ad_groups/targeting_analytics", ad_group_ids=w["g1"], targeting_types="GENDER",
                  granularity="HOUR", columns=["PAID_IMPRESSION"], **R))["data"]
    assert [(d["targeting_value"], d["metrics"]["DATE"], d["metrics"]["HOUR"], d["metrics"]["PAID_IMPRESSION"])
            for d in data] == [("female", "2026-03-10", 10, 100), ("female", "2026-03-10", 15, 200),
                               ("male", "2026-03-11", 9, 50)]


SYNC_OPERATIONS = [  # path under the ad account, ids parameter and the ids of `w` it takes
    ("analytics", None, ()), ("campaigns/analytics", "campaign_ids", ("c1", "c2")),
    ("ad_groups/analytics", "ad_group_ids", ("g1", "g2")), ("ads/analytics", "ad_ids", ("a1", "a2", "a3")),
    ("targeting_analytics", None, ()), ("campaigns/targeting_analytics", "campaign_ids", ("c1", "c2")),
    ("ad_groups/targeting_analytics", "ad_group_ids", ("g1", "g2")),
    ("ads/targeting_analytics", "ad_ids", ("a1", "a2", "a3"))]


def _spec_validator(path: str):
    """A validator (formats checked) of the official spec's 200 response schema of GET `path`."""
    import json

    import jsonschema_rs

    from tests.conftest import SPEC_PATH

    if not SPEC_PATH.exists():
        pytest.skip("the official spec is absent")
    spec = json.loads(SPEC_PATH.read_text())
    schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return jsonschema_rs.Draft4Validator({**schema, "components": spec["components"]}, validate_formats=True)


@pytest.mark.parametrize("path,ids_param,ids", SYNC_OPERATIONS)
def test_hour_rows_validate_against_the_spec_response_schema(client, w, path, ids_param, ids):
    """HOUR answers with real rows pass the spec's schema with format checking (DATE is `format: date`)."""
    validator = _spec_validator(f"/ad_accounts/{{ad_account_id}}/{path}")
    # the schema really checks DATE's format: the old `YYYY-MM-DDTHH:MM:SS` label would not pass
    if "targeting" not in path:
        assert not validator.is_valid([{LEVEL_ID[path]: w["acct"], "DATE": "2026-03-10T10:00:00"}])
    params = {"granularity": "HOUR", "columns": ["PAID_IMPRESSION", "SPEND_IN_DOLLAR", "CTR"], **R}
    if ids_param:
        params[ids_param] = [w[k] for k in ids]
    if "targeting" in path:
        params["targeting_types"] = ["GENDER", "COUNTRY"]
    body = ok(get(client, w, path, **params))
    rows = [d["metrics"] for d in body["data"]] if "targeting" in path else body
    assert len(rows) >= 3  # real rows with facts (hours on three days)
    errors = [e.message for e in validator.iter_errors(body)]
    assert not errors, errors
    for r in rows:
        assert dt.date.fromisoformat(r["DATE"]).isoformat() == r["DATE"] and 0 <= r["HOUR"] <= 23
        assert R["start_date"] <= r["DATE"] <= R["end_date"]


LEVEL_ID = {"analytics": "AD_ACCOUNT_ID", "campaigns/analytics": "CAMPAIGN_ID", "ad_groups/analytics": "AD_GROUP_ID",
            "ads/analytics": "AD_ID"}


def test_campaigns_analytics(client, w):
    body = ok(get(client, w, "campaigns/analytics", campaign_ids=[w["c2"], w["c1"]], granularity="TOTAL",
                  columns=["CAMPAIGN_ID", "CAMPAIGN_NAME", "SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION",
                           "TOTAL_CLICKTHROUGH", "AD_ACCOUNT_ID"], **R))
    by_id = {r["CAMPAIGN_ID"]: r for r in body}
    assert by_id == {
        w["c1"]: {"CAMPAIGN_ID": w["c1"], "CAMPAIGN_NAME": "Spring", "AD_ACCOUNT_ID": w["acct"],
                  "SPEND_IN_MICRO_DOLLAR": 3_500_000, "PAID_IMPRESSION": 350, "TOTAL_CLICKTHROUGH": 5},
        w["c2"]: {"CAMPAIGN_ID": w["c2"], "CAMPAIGN_NAME": "Summer", "AD_ACCOUNT_ID": w["acct"],
                  "SPEND_IN_MICRO_DOLLAR": 3_000_000, "PAID_IMPRESSION": 30, "TOTAL_CLICKTHROUGH": 4}}
    # the order line comes from the campaign (C2 has none: left out)
    body = ok(get(client, w, "campaigns/analytics", campaign_ids=[w["c1"], w["c2"]], granularity="TOTAL",
                  columns=["ORDER_LINE_ID", "PAID_IMPRESSION"], **R))
    assert sorted(body, key=lambda r: r["CAMPAIGN_ID"] != w["c1"]) == [
        {"CAMPAIGN_ID": w["c1"], "ORDER_LINE_ID": "424242", "PAID_IMPRESSION": 350},
        {"CAMPAIGN_ID": w["c2"], "PAID_IMPRESSION": 30}]
    only = ok(get(client, w, "campaigns/analytics", campaign_ids=w["c2"], granularity="DAY",
                  columns=["PAID_IMPRESSION"], **R))
    assert only == [{"CAMPAIGN_ID": w["c2"], "DATE": "2026-03-12", "PAID_IMPRESSION": 30}]


def test_ad_groups_analytics(client, w):
    body = ok(get(client, w, "ad_groups/analytics", ad_group_ids=[w["g1"], w["g2"]], granularity="DAY",
                  columns=["AD_GROUP_ID", "CAMPAIGN_ID", "SPEND_IN_MICRO_DOLLAR", "CLICKTHROUGH_1"], **R))
    assert sorted((r["AD_GROUP_ID"], r["CAMPAIGN_ID"], r["DATE"], r["SPEND_IN_MICRO_DOLLAR"], r["CLICKTHROUGH_1"])
                  for r in body) == sorted([
        (w["g1"], w["c1"], "2026-03-10", 2_500_000, 4), (w["g1"], w["c1"], "2026-03-11", 1_000_000, 1),
        (w["g2"], w["c2"], "2026-03-12", 3_000_000, 3)])
    assert all(set(r) == {"AD_GROUP_ID", "CAMPAIGN_ID", "DATE", "SPEND_IN_MICRO_DOLLAR", "CLICKTHROUGH_1"} for r in body)


def test_ads_analytics(client, w):
    body = ok(get(client, w, "ads/analytics", ad_ids=[w["a1"], w["a2"], w["a3"]], granularity="TOTAL",
                  columns=["AD_ID", "PIN_PROMOTION_ID", "AD_GROUP_ID", "CAMPAIGN_ID", "PAID_IMPRESSION", "CTR",
                           "CPC_IN_MICRO_DOLLAR", "TOTAL_CLICK_CHECKOUT", "TOTAL_VIEW_SIGNUP"], **R))
    by_id = {r["AD_ID"]: r for r in body}
    assert set(by_id) == {w["a1"], w["a2"], w["a3"]}
    assert by_id[w["a1"]] == {"AD_ID": w["a1"], "PIN_PROMOTION_ID": w["a1"], "AD_GROUP_ID": w["g1"],
                              "CAMPAIGN_ID": w["c1"], "PAID_IMPRESSION": 150, "CTR": pytest.approx(5 / 150),
                              "CPC_IN_MICRO_DOLLAR": pytest.approx(3_000_000 / 5), "TOTAL_CLICK_CHECKOUT": 2,
                              "TOTAL_VIEW_SIGNUP": 0}
    # no paid click: CTR 0, no CPC at all
    assert by_id[w["a2"]] == {"AD_ID": w["a2"], "PIN_PROMOTION_ID": w["a2"], "AD_GROUP_ID": w["g1"],
                              "CAMPAIGN_ID": w["c1"], "PAID_IMPRESSION": 200, "CTR": 0.0, "TOTAL_CLICK_CHECKOUT": 0,
                              "TOTAL_VIEW_SIGNUP": 0}
    assert by_id[w["a3"]]["TOTAL_VIEW_SIGNUP"] == 1 and by_id[w["a3"]]["CTR"] == pytest.approx(3 / 30)
    # an ad without activity in the range has no row
    assert ok(get(client, w, "ads/analytics", ad_ids=w["a3"], granularity="TOTAL", columns="PAID_IMPRESSION",
                  start_date="2026-03-13", end_date="2026-03-14")) == []


def test_conversion_windows_report_time_and_attribution(client, w):
    def total(path="analytics", **kw) -> dict[str, Any]:
        body = ok(get(client, w, path, granularity="TOTAL", columns=["TOTAL_CONVERSIONS", "TOTAL_CLICK_CHECKOUT"],
                      **{**R, **kw}))
        rows = body["data"] if isinstance(body, dict) else body
        return rows[0]["metrics"] if isinstance(body, dict) else rows[0]

    assert total()["TOTAL_CONVERSIONS"] == 3  # defaults: click 30, view 1 days; one converts after now
    assert total(click_window_days=0)["TOTAL_CLICK_CHECKOUT"] == 1  # same day only
    assert total(click_window_days=1)["TOTAL_CLICK_CHECKOUT"] == 1
    assert total(click_window_days=7)["TOTAL_CLICK_CHECKOUT"] == 2
    assert total(click_window_days=60)["TOTAL_CLICK_CHECKOUT"] == 2
    assert total(view_window_days=0)["TOTAL_CONVERSIONS"] == 3
    assert total(click_window_days=0, view_window_days=0, engagement_window_days=0)["TOTAL_CONVERSIONS"] == 2
    # by the time of the conversion, the one of 2026-03-13 falls outside the range
    assert total(conversion_report_time="TIME_OF_CONVERSION")["TOTAL_CONVERSIONS"] == 2
    days = ok(get(client, w, "analytics", granularity="DAY", columns=["TOTAL_CONVERSIONS"], start_date="2026-03-10",
                  end_date="2026-03-15", conversion_report_time="TIME_OF_CONVERSION"))
    assert [(r["DATE"], r["TOTAL_CONVERSIONS"]) for r in days if r["TOTAL_CONVERSIONS"]] == [
        ("2026-03-10", 1), ("2026-03-12", 1), ("2026-03-13", 1)]
    # the conversion after now counts once the clock passes it
    client.put("/_sandbox/clock", json={"now": "2026-03-16T01:00:00Z", "frozen": True})
    assert total()["TOTAL_CONVERSIONS"] == 4
    # attribution types (targeting analytics): INDIVIDUAL leaves out the household match
    tt = {"targeting_types": "GENDER"}
    data = ok(get(client, w, "targeting_analytics", granularity="TOTAL", columns="TOTAL_CONVERSIONS",
                  attribution_types="INDIVIDUAL", **tt, **R))["data"]
    assert {d["targeting_value"]: d["metrics"]["TOTAL_CONVERSIONS"] for d in data} == {"female": 3, "male": 0,
                                                                                     "unknown": 0}
    data = ok(get(client, w, "targeting_analytics", granularity="TOTAL", columns="TOTAL_CONVERSIONS",
                  attribution_types="HOUSEHOLD", **tt, **R))["data"]
    assert {d["targeting_value"]: d["metrics"]["TOTAL_CONVERSIONS"] for d in data} == {"female": 3, "male": 0,
                                                                                     "unknown": 1}


def test_ad_account_targeting_analytics(client, w):
    body = ok(get(client, w, "targeting_analytics", targeting_types=["GENDER", "COUNTRY"], granularity="TOTAL",
                  columns=["PAID_IMPRESSION", "SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION_USER"], **R))
    assert set(body) == {"data"}
    acct = w["acct"]
    got = {(d["targeting_type"], d["targeting_value"]): d["metrics"] for d in body["data"]}
    assert got == {
        ("GENDER", "female"): {"AD_ACCOUNT_ID": acct, "PAID_IMPRESSION": 300, "SPEND_IN_MICRO_DOLLAR": 2_500_000,
                               "TOTAL_IMPRESSION_USER": 230},
        ("GENDER", "male"): {"AD_ACCOUNT_ID": acct, "PAID_IMPRESSION": 50, "SPEND_IN_MICRO_DOLLAR": 1_000_000,
                             "TOTAL_IMPRESSION_USER": 50},
        ("GENDER", "unknown"): {"AD_ACCOUNT_ID": acct, "PAID_IMPRESSION": 30, "SPEND_IN_MICRO_DOLLAR": 3_000_000,
                                "TOTAL_IMPRESSION_USER": 30},
        # the ad of campaign 2 has no country: it is not in the COUNTRY breakdown
        ("COUNTRY", "US"): {"AD_ACCOUNT_ID": acct, "PAID_IMPRESSION": 150, "SPEND_IN_MICRO_DOLLAR": 3_000_000,
                            "TOTAL_IMPRESSION_USER": 100},
        ("COUNTRY", "CA"): {"AD_ACCOUNT_ID": acct, "PAID_IMPRESSION": 200, "SPEND_IN_MICRO_DOLLAR": 500_000,
                            "TOTAL_IMPRESSION_USER": 150}}
    assert [d["targeting_type"] for d in body["data"]] == ["GENDER"] * 3 + ["COUNTRY"] * 2  # each type in turn
    assert all(set(d) == {"targeting_type", "targeting_value", "metrics"} for d in body["data"])
    day = ok(get(client, w, "targeting_analytics", targeting_types="GENDER", granularity="DAY",
                 columns="PAID_IMPRESSION", **R))["data"]
    assert [(d["metrics"]["DATE"], d["targeting_value"], d["metrics"]["PAID_IMPRESSION"]) for d in day] == [
        ("2026-03-10", "female", 300), ("2026-03-11", "male", 50), ("2026-03-12", "unknown", 30)]


@pytest.mark.parametrize("path,ids_param,level,id_col", [
    ("campaigns/targeting_analytics", "campaign_ids", ("c1", "c2"), "CAMPAIGN_ID"),
    ("ad_groups/targeting_analytics", "ad_group_ids", ("g1", "g2"), "AD_GROUP_ID"),
    ("ads/targeting_analytics", "ad_ids", ("a1", "a2", "a3"), "AD_ID"),
])
def test_entity_targeting_analytics(client, w, path, ids_param, level, id_col):
    body = ok(get(client, w, path, **{ids_param: [w[k] for k in level]}, targeting_types="GENDER",
                  granularity="TOTAL", columns=["PAID_IMPRESSION", "CLICKTHROUGH_1"], **R))
    got = {(d["metrics"][id_col], d["targeting_value"]): (d["metrics"]["PAID_IMPRESSION"], d["metrics"]["CLICKTHROUGH_1"])
           for d in body["data"]}
    assert all(d["targeting_type"] == "GENDER" and set(d["metrics"]) == {id_col, "PAID_IMPRESSION", "CLICKTHROUGH_1"}
               and isinstance(d["metrics"][id_col], str) for d in body["data"])
    want = {"CAMPAIGN_ID": {("c1", "female"): (300, 4), ("c1", "male"): (50, 1), ("c2", "unknown"): (30, 3)},
            "AD_GROUP_ID": {("g1", "female"): (300, 4), ("g1", "male"): (50, 1), ("g2", "unknown"): (30, 3)},
            "AD_ID": {("a1", "female"): (100, 4), ("a2", "female"): (200, 0), ("a1", "male"): (50, 1),
                      ("a3", "unknown"): (30, 3)}}[id_col]
    assert got == {(w[k], v): n for (k, v), n in want.items()}
    # one id only
    body = ok(get(client, w, path, **{ids_param: w[level[-1]]}, targeting_types="GENDER", granularity="WEEK",
                  columns="PAID_IMPRESSION", **R))
    assert [(d["targeting_value"], d["metrics"]["DATE"], d["metrics"]["PAID_IMPRESSION"]) for d in body["data"]] == [
        ("unknown", "2026-03-10", 30)]


def test_non_usd_account_returns_micro_currency_unchanged(client):
    client.put("/_sandbox/clock", json={"now": NOW, "frozen": True})
    tok = f.token(client, "hanako")
    acct = f.ad_account(client, tok, name="Tokyo", country="JP")
    assert acct["currency"] == "JPY"
    c = f.campaign(client, tok, acct["id"])["id"]
    g = f.ad_group(client, tok, acct["id"], c)["id"]
    ad = _ad(client, tok, acct["id"], g, f.board(client, tok)["id"])
    load(client, "delivery", [{"ad_id": ad, "hour": "2026-03-14T03:00:00Z", "impression_1": 1000, "clickthrough_1": 20,
                               "spend_micro": 1_234_000_000}])
    r = client.get(f"/v5/ad_accounts/{acct['id']}/analytics", headers=bearer(tok),
                   params={"start_date": "2026-03-14", "end_date": "2026-03-14", "granularity": "TOTAL",
                           "columns": "SPEND_IN_MICRO_DOLLAR,SPEND_IN_DOLLAR,CPC_IN_MICRO_DOLLAR,CPM_IN_DOLLAR"})
    assert ok(r) == [{"AD_ACCOUNT_ID": acct["id"], "SPEND_IN_MICRO_DOLLAR": 1_234_000_000, "SPEND_IN_DOLLAR": 1234.0,
                      "CPC_IN_MICRO_DOLLAR": 61_700_000.0, "CPM_IN_DOLLAR": 1234.0}]


# -- validation ------------------------------------------------------------------------------------

def bad(r, *words: str) -> str:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == 1 and set(body) == {"code", "message"}, body
    for word in words:
        assert word in body["message"], (word, body["message"])
    return body["message"]


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


COLS = "PAID_IMPRESSION"


@pytest.mark.parametrize("params,words", [
    ({"start_date": "2026/03/10", "end_date": "2026-03-12"}, ["start_date"]),
    ({"start_date": "2026-03-10", "end_date": "12-03-2026"}, ["end_date"]),
    ({"start_date": "2026-02-30", "end_date": "2026-03-12"}, ["start_date"]),
    # other ISO 8601 forms of valid dates in range (date.fromisoformat takes them): only YYYY-MM-DD is a date here
    ({"start_date": "20260310", "end_date": "2026-03-12"}, ["start_date", "YYYY-MM-DD"]),
    ({"start_date": "2026-03-10", "end_date": "2026-W11-4"}, ["end_date", "YYYY-MM-DD"]),
    ({"start_date": "2026-069", "end_date": "2026-03-12"}, ["start_date"]),
    ({"start_date": "2026-03-10", "end_date": "2026-03-1\u0662"}, ["end_date"]),  # an Arabic-Indic digit
    ({"start_date": " 2026-03-10", "end_date": "2026-03-12"}, ["start_date"]),
    ({"start_date": "2026-03-12", "end_date": "2026-03-10"}, ["end_date", "start_date"]),
    # the last days of year 9999 once overflowed the day after the range (500)
    ({"start_date": "9999-12-31", "end_date": "9999-12-31"}, ["start_date", "out of range"]),
    ({"start_date": "2026-03-10", "end_date": "9999-12-31"}, ["end_date", "out of range"]),
    ({"start_date": days_ago(91), "end_date": days_ago(80)}, ["start_date", "90"]),
    ({"start_date": days_ago(90), "end_date": (TODAY + dt.timedelta(days=1)).isoformat()}, ["90"]),
    ({"granularity": "HOUR", "start_date": days_ago(8), "end_date": days_ago(7)}, ["start_date", "HOUR"]),
    ({"granularity": "HOUR", "start_date": days_ago(5), "end_date": days_ago(1)}, ["HOUR", "3 days"]),
    ({"columns": "PAID_IMPRESSION,NOT_A_COLUMN"}, ["columns", "NOT_A_COLUMN"]),
    ({"columns": "AD_ID"}, ["columns", "AD_ID"]),
    ({"columns": "AD_GROUP_ID"}, ["columns", "AD_GROUP_ID"]),
    ({"columns": "PIN_ID"}, ["columns", "PIN_ID"]),
    ({"granularity": "YEAR"}, ["granularity"]),
    ({"click_window_days": "2"}, ["click_window_days"]),
    ({"engagement_window_days": "90"}, ["engagement_window_days"]),
    ({"view_window_days": "x"}, ["view_window_days"]),
    ({"conversion_report_time": "TIME_OF_CLICK"}, ["conversion_report_time"]),
    ({"campaign_ids": ",".join(str(10**12 + i) for i in range(101))}, ["campaign_ids", "100"]),
    ({"campaign_ids": "abc"}, ["campaign_ids"]),
    ({"campaign_ids": "123456789"}, ["campaign_ids", "123456789"]),
    ({"start_date": None}, ["start_date"]),
    ({"end_date": None}, ["end_date"]),
    ({"granularity": None}, ["granularity"]),
    ({"columns": None}, ["columns"]),
    ({"campaign_ids": None}, ["campaign_ids"]),
])
def test_campaign_analytics_parameter_errors(client, w, params, words):
    q = {"campaign_ids": w["c1"], "granularity": "TOTAL", "columns": COLS, **R, **params}
    bad(get(client, w, "campaigns/analytics", **q), *words)


def test_boundaries_are_accepted(client, w):
    q = {"campaign_ids": w["c1"], "columns": COLS}
    ok(get(client, w, "campaigns/analytics", granularity="DAY", start_date=days_ago(90), end_date=TODAY.isoformat(),
           **q))
    ok(get(client, w, "campaigns/analytics", granularity="HOUR", start_date=days_ago(7), end_date=days_ago(4), **q))
    # ad account analytics states no HOUR range: 5 days are fine there, but not in its targeting analytics
    ok(get(client, w, "analytics", granularity="HOUR", start_date=days_ago(7), end_date=days_ago(2), columns=COLS))
    bad(get(client, w, "targeting_analytics", targeting_types="GENDER", granularity="HOUR", start_date=days_ago(7),
            end_date=days_ago(2), columns=COLS), "HOUR")
    # 100 ids are allowed (all of them must be this account's)
    many = [w["c1"]] * 100
    ok(get(client, w, "campaigns/analytics", granularity="TOTAL", campaign_ids=many, **R, columns=COLS))


def test_ids_of_another_account_are_refused(client, w):
    tok = w["tok"]
    other = f.ad_account(client, tok, name="Other")["id"]
    oc = f.campaign(client, tok, other)["id"]
    og = f.ad_group(client, tok, other, oc)["id"]
    oa = _ad(client, tok, other, og, f.board(client, tok)["id"])
    base = {"granularity": "TOTAL", "columns": COLS, **R}
    for path, param, foreign in (("campaigns/analytics", "campaign_ids", oc), ("ad_groups/analytics", "ad_group_ids", og),
                                 ("ads/analytics", "ad_ids", oa), ("campaigns/targeting_analytics", "campaign_ids", oc),
                                 ("ad_groups/targeting_analytics", "ad_group_ids", og),
                                 ("ads/targeting_analytics", "ad_ids", oa)):
        mine = {"campaign_ids": w["c1"], "ad_group_ids": w["g1"], "ad_ids": w["a1"]}[param]
        extra = {"targeting_types": "GENDER"} if "targeting" in path else {}
        bad(get(client, w, path, **{param: [mine, foreign]}, **extra, **base), param, foreign)
        # a campaign id is not an ad group id
        if param != "campaign_ids":
            bad(get(client, w, path, **{param: w["c1"]}, **extra, **base), param)


@pytest.mark.parametrize("path,ids", [
    ("targeting_analytics", {}), ("campaigns/targeting_analytics", {"campaign_ids": "c1"}),
    ("ad_groups/targeting_analytics", {"ad_group_ids": "g1"}), ("ads/targeting_analytics", {"ad_ids": "a1"})])
def test_targeting_parameter_errors(client, w, path, ids):
    q = {k: w[v] for k, v in ids.items()}
    base = {"granularity": "TOTAL", "columns": COLS, **R, **q}
    bad(get(client, w, path, targeting_types="SHOE_SIZE", **base), "targeting_types")
    bad(get(client, w, path, **base), "targeting_types")  # required
    bad(get(client, w, path, targeting_types=",".join(["GENDER"] * 16), **base), "targeting_types")
    bad(get(client, w, path, targeting_types="GENDER", attribution_types="COUSIN", **base), "attribution_types")
    bad(get(client, w, path, targeting_types="GENDER", **{**base, "columns": "NOPE"}), "columns")
    bad(get(client, w, path, targeting_types="GENDER", **{**base, "start_date": "yesterday"}), "start_date")
    for param in ids:
        bad(get(client, w, path, targeting_types="GENDER", **{k: v for k, v in base.items() if k != param}), param)


@pytest.mark.parametrize("path,ids_param,forbidden", [
    ("analytics", None, ["CAMPAIGN_ID", "CAMPAIGN_NAME", "AD_GROUP_ID", "AD_ID", "PIN_ID"]),
    ("campaigns/analytics", "campaign_ids", ["AD_GROUP_ID", "AD_GROUP_ENTITY_STATUS", "AD_ID", "PIN_PROMOTION_ID"]),
    ("ad_groups/analytics", "ad_group_ids", ["AD_ID", "PIN_ID", "PIN_PROMOTION_ID"]),
])
def test_columns_of_a_lower_level_are_refused(client, w, path, ids_param, forbidden):
    ids = {ids_param: {"campaign_ids": w["c1"], "ad_group_ids": w["g1"]}[ids_param]} if ids_param else {}
    for col in forbidden:
        bad(get(client, w, path, granularity="TOTAL", columns=["PAID_IMPRESSION", col], **ids, **R), "columns", col)


# -- auth and access -------------------------------------------------------------------------------

ALL_PATHS = [("analytics", {}), ("campaigns/analytics", {"campaign_ids": "c1"}),
             ("ad_groups/analytics", {"ad_group_ids": "g1"}), ("ads/analytics", {"ad_ids": "a1"}),
             ("targeting_analytics", {"targeting_types": None}),
             ("campaigns/targeting_analytics", {"campaign_ids": "c1", "targeting_types": None}),
             ("ad_groups/targeting_analytics", {"ad_group_ids": "g1", "targeting_types": None}),
             ("ads/targeting_analytics", {"ad_ids": "a1", "targeting_types": None})]


def _params(w, extra: dict[str, str | None]) -> dict[str, str]:
    q = {k: (w[v] if v else "GENDER") for k, v in extra.items()}
    return {"granularity": "TOTAL", "columns": "PAID_IMPRESSION", **R, **q}


@pytest.mark.parametrize("path,extra", ALL_PATHS)
def test_auth_and_access(client, w, path, extra):
    q = _params(w, extra)
    r = get(client, w, path, tok="", **q)
    assert r.status_code == 401 and r.json()["code"] == 2, r.text
    r = get(client, w, path, tok=f.token(client, "pinonly", scopes="pins:read,boards:read"), **q)
    assert r.status_code == 401 and r.json()["code"] == 3, r.text
    stranger = f.token(client, "bob")
    r = get(client, w, path, tok=stranger, **q)
    assert r.status_code == 403 and set(r.json()) == {"code", "message"}, r.text
    # an analyst of the account reads the same numbers as its owner (a read-only token is enough)
    f.grant(client, w["acct"], "bob", ["ANALYST"])
    owner = ok(get(client, w, path, **q))
    assert owner and ok(get(client, w, path, tok=f.token(client, "bob", scopes="ads:read"), **q)) == owner
    # a role that does not read ads
    f.grant(client, w["acct"], "bob", ["FINANCE_MANAGER"])
    assert get(client, w, path, tok=stranger, **q).status_code == 403
    r = client.get(f"/v5/ad_accounts/999999999999/{path}", params=q, headers=bearer(w["tok"]))
    assert r.status_code == 404 and set(r.json()) == {"code", "message"}, r.text


# -- metrics resources -----------------------------------------------------------------------------

def test_delivery_metrics(client):
    tok = f.token(client, "alice")
    sync = ok(client.get("/v5/resources/delivery_metrics", params={"report_type": "SYNC"}, headers=bearer(tok)))
    assert set(sync) == {"items"} and len(sync["items"]) == 149
    assert all(set(i) == {"name", "category", "definition", "display_name"} and all(isinstance(v, str) and v
                                                                                  for v in i.values())
               for i in sync["items"])
    names = [i["name"] for i in sync["items"]]
    assert len(set(names)) == 149 and {"SPEND_IN_MICRO_DOLLAR", "CTR", "TOTAL_IMPRESSION_USER"} <= set(names)
    async_ = ok(client.get("/v5/resources/delivery_metrics", params={"report_type": "ASYNC"}, headers=bearer(tok)))
    assert len(async_["items"]) == 561 and len({i["name"] for i in async_["items"]}) == 561
    both = ok(client.get("/v5/resources/delivery_metrics", headers=bearer(tok)))
    assert {i["name"] for i in both["items"]} == set(names) | {i["name"] for i in async_["items"]}
    bad(client.get("/v5/resources/delivery_metrics", params={"report_type": "BOTH"}, headers=bearer(tok)),
        "report_type")
    # the spec's one security requirement names three scopes: all of them are needed
    three = f.token(client, "p", scopes="ads:read,pins:read,user_accounts:read")
    assert client.get("/v5/resources/delivery_metrics", headers=bearer(three)).status_code == 200
    r = client.get("/v5/resources/delivery_metrics", headers=bearer(f.token(client, "q", scopes="ads:read,pins:read")))
    assert r.status_code == 401 and r.json()["code"] == 3
    assert client.get("/v5/resources/delivery_metrics").status_code == 401


def test_metrics_ready_state(client):
    client.put("/_sandbox/clock", json={"now": NOW, "frozen": True})
    tok = f.token(client, "alice")

    def state(date: str) -> dict[str, bool]:
        return ok(client.get("/v5/resources/metrics_ready_state", params={"date": date}, headers=bearer(tok)))

    assert state("2026-03-10") == {"non_conversion_metrics_ready": True, "conversion_metrics_ready": True}
    assert state("2026-03-14") == {"non_conversion_metrics_ready": True, "conversion_metrics_ready": False}
    assert state("2026-03-15") == {"non_conversion_metrics_ready": False, "conversion_metrics_ready": False}
    client.put("/_sandbox/clock", json={"now": "2026-03-18T00:00:00Z", "frozen": True})
    assert state("2026-03-14") == {"non_conversion_metrics_ready": True, "conversion_metrics_ready": True}
    bad(client.get("/v5/resources/metrics_ready_state", params={"date": "2026-3-14"}, headers=bearer(tok)), "date")
    bad(client.get("/v5/resources/metrics_ready_state", params={"date": "20260314"}, headers=bearer(tok)), "date")
    bad(client.get("/v5/resources/metrics_ready_state", headers=bearer(tok)), "date")
    assert client.get("/v5/resources/metrics_ready_state", params={"date": "2026-03-14"}).status_code == 401


@pytest.mark.parametrize("path", ["analytics", "campaigns/analytics", "targeting_analytics"])
def test_dates_at_the_end_of_the_calendar(client, w, path):
    q = {"granularity": "DAY", "columns": COLS, "start_date": "9999-12-31", "end_date": "9999-12-31",
         "campaign_ids": w["c1"], "targeting_types": "GENDER"}
    bad(get(client, w, path, **q), "out of range")


@pytest.mark.parametrize("date", ["9998-12-31", "9999-12-28", "9999-12-31"])
def test_metrics_ready_state_near_the_end_of_the_calendar(client, w, date):
    r = client.get("/v5/resources/metrics_ready_state", params={"date": date}, headers=bearer(w["tok"]))
    if date == "9998-12-31":
        assert r.json() == {"non_conversion_metrics_ready": False, "conversion_metrics_ready": False}, r.text
    else:
        bad(r, "date", "out of range")


def test_campaign_and_ad_group_times_are_bounded(client, w):
    """A time past year 9999 (2**63 was taken and stored) once broke the simulator, and with it every
    account's analytics: it is a 400 naming the field, on create and update."""
    tok, acct = w["tok"], w["acct"]

    def refused(r, field: str) -> None:  # a batch answers 200 with the item's exception
        assert r.status_code == 200, r.text
        (item,) = r.json()["items"]
        assert not item.get("data") and item["exceptions"][0]["code"] == 1, item
        assert field in item["exceptions"][0]["message"], item

    for value in (2**63, 253_402_300_800, -1):
        refused(client.post(f"/v5/ad_accounts/{acct}/campaigns", headers=bearer(tok), json=[
            {"ad_account_id": acct, "name": "far", "objective_type": "AWARENESS", "end_time": value}]), "end_time")
        refused(client.patch(f"/v5/ad_accounts/{acct}/ad_groups", headers=bearer(tok), json=[
            {"id": w["g1"], "ad_account_id": acct, "start_time": value}]), "start_time")
    ok(get(client, w, "analytics", granularity="TOTAL", columns=COLS, **R))

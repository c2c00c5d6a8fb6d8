"""Async reports (POST/GET /v5/ad_accounts/{id}/reports) through HTTP: the whole flow (create, poll,
run the jobs, download), JSON and CSV layouts, every report_status, the same numbers as sync analytics,
every validation error, auth and access. Facts are loaded with POST /_sandbox/facts; the clock is frozen."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from typing import Any

import pytest

from tests import factories as f
from tests.factories import bearer

NOW = "2026-03-15T12:00:00Z"
TODAY = dt.date(2026, 3, 15)
R = {"start_date": "2026-03-10", "end_date": "2026-03-12"}
LIVE = bool(os.environ.get("PINSANDBOX_TEST_URL"))


def _ad(client, tok: str, acct: str, group_id: str, board: str, **fields: Any) -> str:
    item = {"ad_group_id": group_id, "creative_type": "REGULAR", "pin_id": f.pin(client, tok, board)["id"], **fields}
    r = client.post(f"/v5/ad_accounts/{acct}/ads", json=[item], headers=bearer(tok))
    assert r.status_code == 200, r.text
    return r.json()["items"][0]["data"]["id"]


def load(client, table: str, rows: list[dict[str, Any]]) -> None:
    r = client.post("/_sandbox/facts", json={"table": table, "rows": rows})
    assert r.status_code == 200, r.text


@pytest.fixture
def w(client) -> dict[str, Any]:
    """Campaign C1 (ad group G1 with keywords: ads A1, A2) and a PAUSED AWARENESS campaign C2 (G2: A3), with
    hand-made facts around 2026-03-10..12 (the same numbers as tests/api/test_analytics.py)."""
    r = client.put("/_sandbox/clock", json={"now": NOW, "frozen": True})
    assert r.status_code == 200, r.text
    tok = f.token(client, "alice")
    acct = f.ad_account(client, tok)["id"]
    c1 = f.campaign(client, tok, acct, name="Spring, \"big\" sale", order_line_id="424242")["id"]
    c2 = f.campaign(client, tok, acct, name="Summer", objective_type="AWARENESS")["id"]
    g1 = f.ad_group(client, tok, acct, c1, name="Group one")["id"]
    g2 = f.ad_group(client, tok, acct, c2, name="Group two")["id"]
    board = f.board(client, tok)["id"]
    a1, a2 = _ad(client, tok, acct, g1, board, name="Ad one"), _ad(client, tok, acct, g1, board)
    a3 = _ad(client, tok, acct, g2, board)
    r = client.post(f"/v5/ad_accounts/{acct}/keywords", headers=bearer(tok), json={
        "parent_id": g1, "keywords": [{"match_type": "BROAD", "value": "red shoes"},
                                      {"match_type": "PHRASE", "value": "blue shoes"}]})
    assert r.status_code == 200, r.text
    kw = {k["value"]: k["id"] for k in r.json()["keywords"]}
    r = client.patch(f"/v5/ad_accounts/{acct}/campaigns", headers=bearer(tok),
                     json=[{"id": c2, "ad_account_id": acct, "status": "PAUSED"}])
    assert r.status_code == 200 and not r.json()["items"][0]["exceptions"], r.text
    load(client, "delivery", [
        {"ad_id": a1, "hour": "2026-03-10T10:00:00Z", "impression_1": 100, "clickthrough_1": 4, "spend_micro": 2_000_000,
         "gender": "female", "country": "US", "keyword": "red shoes", "people_lo": 0, "people_n": 80},
        {"ad_id": a1, "hour": "2026-03-11T09:00:00Z", "impression_1": 50, "clickthrough_1": 1, "spend_micro": 1_000_000,
         "gender": "male", "country": "US", "keyword": "blue shoes", "people_lo": 50, "people_n": 50},
        {"ad_id": a2, "hour": "2026-03-10T15:00:00Z", "impression_1": 200, "clickthrough_1": 0, "spend_micro": 500_000,
         "gender": "female", "country": "CA", "people_lo": 1000, "people_n": 150},
        {"ad_id": a3, "hour": "2026-03-12T00:00:00Z", "impression_1": 30, "impression_2": 10, "clickthrough_1": 3,
         "clickthrough_2": 1, "spend_micro": 3_000_000, "gender": "unknown", "people_lo": 5000, "people_n": 30},
        {"ad_id": a2, "hour": "2026-03-12T05:00:00Z", "impression_2": 5, "gender": "male"},  # earned only
        {"ad_id": a1, "hour": "2026-03-15T08:00:00Z", "impression_1": 7, "spend_micro": 70_000},  # today
        {"ad_id": a1, "hour": "2026-03-01T05:00:00Z", "impression_1": 1},
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
    return {"tok": tok, "acct": acct, "c1": c1, "c2": c2, "g1": g1, "g2": g2, "a1": a1, "a2": a2, "a3": a3,
            "k_red": kw["red shoes"], "k_blue": kw["blue shoes"]}


# -- helpers ---------------------------------------------------------------------------------------------------
def create(client, w, tok: str | None = None, acct: str | None = None, **body: Any):
    headers = bearer(tok or w["tok"]) if tok != "" else {}
    return client.post(f"/v5/ad_accounts/{acct or w['acct']}/reports", json=body, headers=headers)


def poll(client, w, token: str | None, tok: str | None = None, acct: str | None = None):
    headers = bearer(tok or w["tok"]) if tok != "" else {}
    params = {"token": token} if token is not None else {}
    return client.get(f"/v5/ad_accounts/{acct or w['acct']}/reports", params=params, headers=headers)


def ok(r) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


def run_jobs(client) -> None:
    r = client.post("/_sandbox/jobs/run")
    assert r.status_code == 200, r.text


def body_of(**kw: Any) -> dict[str, Any]:
    return {"level": "CAMPAIGN", "granularity": "DAY", "columns": ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION"], **R,
            **kw}


def finished(client, w, **kw: Any) -> tuple[str, dict[str, Any]]:
    created = ok(create(client, w, **body_of(**kw)))
    run_jobs(client)
    got = ok(poll(client, w, created["token"]))
    assert got["report_status"] == "FINISHED", got
    return created["token"], got


def download(client, url: str):
    r = client.get(url)  # no Authorization header: the link is the credential
    assert r.status_code == 200, r.text
    return r


def report(client, w, **kw: Any) -> Any:
    _, got = finished(client, w, **kw)
    r = download(client, got["url"])
    assert got["size"] == len(r.content)
    if kw.get("report_format") == "CSV":
        return list(csv.reader(io.StringIO(r.text)))
    return r.json()


def bad(r, *words: str) -> str:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == 1 and set(body) == {"code", "message"}, body
    for word in words:
        assert word in body["message"], (word, body["message"])
    return body["message"]


# -- the flow ----------------------------------------------------------------------------------------------------
def test_create_poll_run_download_json(client, w):
    created = ok(create(client, w, **body_of(columns=["CAMPAIGN_NAME", "SPEND_IN_DOLLAR", "PAID_IMPRESSION", "CTR",
                                                       "TOTAL_CONVERSIONS", "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"])))
    assert set(created) == {"report_status", "token", "message"}
    assert created["report_status"] == "IN_PROGRESS" and created["token"]
    assert ok(poll(client, w, created["token"])) == {"report_status": "IN_PROGRESS", "url": None, "size": None}
    run_jobs(client)
    got = ok(poll(client, w, created["token"]))
    assert got["report_status"] == "FINISHED" and got["url"].startswith("http") and got["size"] > 0
    r = download(client, got["url"])
    assert r.headers["content-type"].startswith("application/json") and got["size"] == len(r.content)
    c1, c2 = w["c1"], w["c2"]
    assert r.json() == {
        c1: [{"CAMPAIGN_ID": c1, "DATE": "2026-03-10", "CAMPAIGN_NAME": "Spring, \"big\" sale", "SPEND_IN_DOLLAR": 2.5,
              "PAID_IMPRESSION": 300, "CTR": pytest.approx(4 / 300), "TOTAL_CONVERSIONS": 2,
              "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR": 30_000_000},
             # no conversions that day: JSON leaves the zero metrics out (not zero-filled)
             {"CAMPAIGN_ID": c1, "DATE": "2026-03-11", "CAMPAIGN_NAME": "Spring, \"big\" sale", "SPEND_IN_DOLLAR": 1.0,
              "PAID_IMPRESSION": 50, "CTR": pytest.approx(1 / 50)}],
        # campaign 1 on 2026-03-12 had only earned impressions: every column 0, so no row
        c2: [{"CAMPAIGN_ID": c2, "DATE": "2026-03-12", "CAMPAIGN_NAME": "Summer", "SPEND_IN_DOLLAR": 3.0,
              "PAID_IMPRESSION": 30, "CTR": pytest.approx(3 / 30), "TOTAL_CONVERSIONS": 1}]}
    # polling again: still FINISHED, a fresh link to the same file
    again = ok(poll(client, w, created["token"]))
    assert again["report_status"] == "FINISHED" and again["size"] == got["size"]
    assert download(client, again["url"]).content == r.content


def test_csv_report(client, w):
    rows = report(client, w, report_format="CSV", columns=["CAMPAIGN_NAME", "SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION",
                                                            "CTR", "TOTAL_CONVERSIONS"])
    assert rows == [
        ["Campaign ID", "Date", "Campaign name", "Spend (micro-currency)", "Paid impressions", "Pin click rate",
         "Total conversions"],
        [w["c1"], "2026-03-10", "Spring, \"big\" sale", "2500000", "300", str(4 / 300), "2"],
        [w["c1"], "2026-03-11", "Spring, \"big\" sale", "1000000", "50", "0.02", "0"],  # zero-filled
        [w["c2"], "2026-03-12", "Summer", "3000000", "30", "0.1", "1"]]
    _, got = finished(client, w, report_format="CSV")
    r = download(client, got["url"])
    assert r.headers["content-type"].startswith("text/csv")


def test_csv_and_json_of_one_report_agree(client, w):
    cols = ["SPEND_IN_DOLLAR", "PAID_IMPRESSION", "TOTAL_IMPRESSION", "ECTR", "CPC_IN_MICRO_DOLLAR",
            "TOTAL_IMPRESSION_USER", "TOTAL_CONVERSIONS", "CHECKOUT_ROAS", "AD_GROUP_NAME"]
    for level in ("AD_GROUP", "PIN_PROMOTION_TARGETING"):
        extra = {"targeting_types": ["GENDER", "COUNTRY"]} if level.endswith("TARGETING") else {}
        js = report(client, w, level=level, columns=cols, **extra)
        cs = report(client, w, level=level, columns=cols, report_format="CSV", **extra)
        header, data = cs[0], cs[1:]
        flat = [row for rows in js.values() for row in rows]
        assert len(flat) == len(data) > 0
        for j, c in zip(flat, data):
            line = dict(zip(header, c))
            assert line["Ad group name"] == j["AD_GROUP_NAME"] and line["Date"] == j["DATE"]
            for name, head in (("SPEND_IN_DOLLAR", "Spend"), ("PAID_IMPRESSION", "Paid impressions"),
                               ("TOTAL_IMPRESSION", "Impressions"), ("ECTR", "Effective Pin click rate"),
                               ("CPC_IN_MICRO_DOLLAR", "CPC"), ("TOTAL_IMPRESSION_USER", "Reach"),
                               ("TOTAL_CONVERSIONS", "Total conversions"), ("CHECKOUT_ROAS", "Checkout ROAS")):
                assert float(line[head]) == pytest.approx(j.get(name, 0)), (level, name)


SYNC = {"ADVERTISER": ("analytics", None, "AD_ACCOUNT_ID"), "CAMPAIGN": ("campaigns/analytics", "campaign_ids",
                                                                         "CAMPAIGN_ID"),
        "AD_GROUP": ("ad_groups/analytics", "ad_group_ids", "AD_GROUP_ID"),
        "PIN_PROMOTION": ("ads/analytics", "ad_ids", "AD_ID")}
IDS = {"campaign_ids": ("c1", "c2"), "ad_group_ids": ("g1", "g2"), "ad_ids": ("a1", "a2", "a3")}
REPORT_ID = {"ADVERTISER": "ADVERTISER_ID", "CAMPAIGN": "CAMPAIGN_ID", "AD_GROUP": "AD_GROUP_ID", "PIN_PROMOTION": "AD_ID"}


def _report_date(sync_row: dict) -> str | None:
    """The report's DATE for a sync row: sync HOUR rows carry the date and the hour apart (DATE is the spec's
    `format: date`), report files keep one `YYYY-MM-DDTHH:MM:SS` label."""
    if "HOUR" in sync_row:
        return f"{sync_row['DATE']}T{sync_row['HOUR']:02d}:00:00"
    return sync_row.get("DATE")


@pytest.mark.parametrize("level", list(SYNC))
def test_report_numbers_equal_sync_analytics(client, w, level):
    cols = ["SPEND_IN_MICRO_DOLLAR", "SPEND_IN_DOLLAR", "PAID_IMPRESSION", "TOTAL_CLICKTHROUGH", "CTR",
            "CPC_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION_USER", "TOTAL_IMPRESSION_FREQUENCY", "TOTAL_CONVERSIONS",
            "TOTAL_CLICK_CHECKOUT", "TOTAL_VIEW_SIGNUP", "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"]
    path, ids_param, sync_id = SYNC[level]
    cases = [("TOTAL", {}), ("DAY", {"click_window_days": 1}), ("HOUR", {}),
             ("WEEK", {"conversion_report_time": "TIME_OF_CONVERSION"}),
             ("MONTH", {"click_window_days": 7, "view_window_days": 0, "engagement_window_days": 0})]
    for gran, windows in cases:
        dates = {"start_date": "2026-03-09", "end_date": "2026-03-12"} if gran != "MONTH" else \
            {"start_date": "2026-02-20", "end_date": "2026-03-15"}
        params = {"granularity": gran, "columns": ",".join(cols), **dates, **windows}
        if ids_param:
            params[ids_param] = ",".join(w[k] for k in IDS[ids_param])
        sync = ok(client.get(f"/v5/ad_accounts/{w['acct']}/{path}", params=params, headers=bearer(w["tok"])))
        expected = sorted((r for r in sync if any(r.get(c) for c in cols)),
                          key=lambda r: (int(r[sync_id]), r.get("DATE", ""), r.get("HOUR", -1)))
        body = report(client, w, level=level, granularity=gran, columns=cols, **dates, **windows)
        got = [row for key in sorted(body, key=int) for row in body[key]]
        assert len(got) == len(expected) > 0, (gran, got, expected)
        for g, e in zip(got, expected):
            assert g[REPORT_ID[level]] == e[sync_id] and g.get("DATE") == _report_date(e)
            for c in cols:
                assert g.get(c, 0) == e.get(c, 0), (level, gran, c)  # the same statement: the same numbers


def test_targeting_report_equals_targeting_analytics(client, w):
    cols = ["PAID_IMPRESSION", "SPEND_IN_MICRO_DOLLAR", "TOTAL_IMPRESSION_USER", "TOTAL_CONVERSIONS"]
    sync = ok(client.get(f"/v5/ad_accounts/{w['acct']}/campaigns/targeting_analytics", headers=bearer(w["tok"]),
                         params={"campaign_ids": f"{w['c1']},{w['c2']}", "targeting_types": "GENDER,COUNTRY",
                                 "granularity": "TOTAL", "columns": ",".join(cols), "attribution_types": "INDIVIDUAL",
                                 **R}))["data"]
    expected = {(d["metrics"]["CAMPAIGN_ID"], d["targeting_type"], d["targeting_value"]):
                {c: d["metrics"].get(c, 0) for c in cols} for d in sync if any(d["metrics"].get(c) for c in cols)}
    body = report(client, w, level="CAMPAIGN_TARGETING", targeting_types=["GENDER", "COUNTRY"], granularity="TOTAL",
                  columns=cols, attribution_types=["INDIVIDUAL"])
    got = {(r["CAMPAIGN_ID"], r["TARGETING_TYPE"], r["TARGETING_VALUE"]): {c: r.get(c, 0) for c in cols}
           for rows in body.values() for r in rows}
    assert got == expected and len(got) == 5
    assert [r["TARGETING_TYPE"] for r in body[w["c1"]]] == ["GENDER", "GENDER", "COUNTRY", "COUNTRY"]


TARGETING_SYNC = {"ADVERTISER_TARGETING": ("targeting_analytics", None, "AD_ACCOUNT_ID", "ADVERTISER_ID"),
                  "CAMPAIGN_TARGETING": ("campaigns/targeting_analytics", "campaign_ids", "CAMPAIGN_ID", "CAMPAIGN_ID"),
                  "AD_GROUP_TARGETING": ("ad_groups/targeting_analytics", "ad_group_ids", "AD_GROUP_ID", "AD_GROUP_ID"),
                  "PIN_PROMOTION_TARGETING": ("ads/targeting_analytics", "ad_ids", "AD_ID", "AD_ID"),
                  # KEYWORD: the ad groups' KEYWORD breakdown, keyed by the id of the ad group's keyword
                  "KEYWORD": ("ad_groups/targeting_analytics", "ad_group_ids", "AD_GROUP_ID", "KEYWORD_ID")}


@pytest.mark.parametrize("level", list(TARGETING_SYNC))
def test_targeting_and_keyword_reports_equal_targeting_analytics(client, w, level):
    """The *_TARGETING levels and KEYWORD over DAY and WEEK, under several windows, both report times and
    attribution types: the same rows (order included) and numbers as the targeting analytics endpoints."""
    load(client, "delivery", [  # more keyword delivery: A2 in G1 (which has "red shoes"), A3 in G2 (no keywords)
        {"ad_id": w["a2"], "hour": "2026-03-11T12:00:00Z", "impression_1": 40, "clickthrough_1": 2,
         "spend_micro": 400_000, "keyword": "red shoes", "gender": "female", "country": "US", "people_lo": 2000,
         "people_n": 40},
        {"ad_id": w["a3"], "hour": "2026-03-11T13:00:00Z", "impression_1": 25, "spend_micro": 250_000,
         "keyword": "green hat", "gender": "male", "people_lo": 6000, "people_n": 25},
        {"ad_id": w["a1"], "hour": "2026-03-04T08:00:00Z", "impression_1": 10, "clickthrough_1": 1,
         "spend_micro": 100_000, "keyword": "blue shoes", "gender": "male", "country": "CA"}])
    load(client, "conversions", [
        {"ad_id": w["a1"], "action_type": "CLICK", "action_time": "2026-03-11T09:10:00Z", "keyword": "blue shoes",
         "conversion_time": "2026-03-11T20:00:00Z", "event_type": "CHECKOUT", "value_micro": 7_000_000,
         "gender": "male", "country": "US"},
        {"ad_id": w["a2"], "action_type": "VIEW", "action_time": "2026-03-11T12:30:00Z", "keyword": "red shoes",
         "conversion_time": "2026-03-12T01:00:00Z", "event_type": "SIGNUP", "attribution": "HOUSEHOLD",
         "gender": "female", "country": "US"},
        {"ad_id": w["a1"], "action_type": "CLICK", "action_time": "2026-03-04T08:30:00Z", "keyword": "blue shoes",
         "conversion_time": "2026-03-09T08:00:00Z", "event_type": "CHECKOUT", "value_micro": 1_000_000,
         "gender": "male", "country": "CA"}])
    cols = ["PAID_IMPRESSION", "SPEND_IN_MICRO_DOLLAR", "CTR", "TOTAL_IMPRESSION_USER", "TOTAL_CONVERSIONS",
            "TOTAL_CLICK_CHECKOUT", "TOTAL_VIEW_SIGNUP", "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"]
    path, ids_param, sync_id, report_id = TARGETING_SYNC[level]
    types = ["KEYWORD"] if level == "KEYWORD" else ["GENDER", "KEYWORD", "COUNTRY"]
    keyword_ids = {(w["g1"], "red shoes"): w["k_red"], (w["g1"], "blue shoes"): w["k_blue"]}
    week = {"start_date": "2026-03-02", "end_date": "2026-03-14"}
    day = {"start_date": "2026-03-09", "end_date": "2026-03-12"}
    cases = [("DAY", day, {}), ("DAY", day, {"click_window_days": 1, "attribution_types": ["INDIVIDUAL"]}),
             ("DAY", day, {"conversion_report_time": "TIME_OF_CONVERSION"}),
             ("WEEK", week, {"view_window_days": 0, "engagement_window_days": 7}),
             ("WEEK", week, {"conversion_report_time": "TIME_OF_CONVERSION", "click_window_days": 7})]
    for gran, dates, windows in cases:
        params = {"granularity": gran, "columns": ",".join(cols), "targeting_types": ",".join(types), **dates,
                  **{k: ",".join(v) if isinstance(v, list) else v for k, v in windows.items()}}
        if ids_param:
            params[ids_param] = ",".join(w[k] for k in IDS[ids_param])
        sync = ok(client.get(f"/v5/ad_accounts/{w['acct']}/{path}", params=params, headers=bearer(w["tok"])))["data"]
        expected: dict[tuple, dict] = {}
        for d in sync:
            m = d["metrics"]
            if not any(m.get(c) for c in cols):
                continue
            if level == "KEYWORD":
                entity = keyword_ids.get((m[sync_id], d["targeting_value"]))
                if entity is None:  # delivery on a keyword text the ad group has no keyword for
                    continue
                key: tuple = (entity, m["DATE"])
            else:
                key = (m[sync_id], d["targeting_type"], d["targeting_value"], m["DATE"])
            expected[key] = {c: m.get(c, 0) for c in cols}
        body = report(client, w, level=level, granularity=gran, columns=cols,
                      **({} if level == "KEYWORD" else {"targeting_types": types}), **dates, **windows)
        rows = [r for entity in body for r in body[entity]]
        if level == "KEYWORD":
            got = {(r["KEYWORD_ID"], r["DATE"]): {c: r.get(c, 0) for c in cols} for r in rows}
            order = [(int(r["KEYWORD_ID"]), r["DATE"]) for r in rows]
        else:
            got = {(r[report_id], r["TARGETING_TYPE"], r["TARGETING_VALUE"], r["DATE"]): {c: r.get(c, 0) for c in cols}
                   for r in rows}
            order = [(int(r[report_id]), types.index(r["TARGETING_TYPE"]), r["DATE"], r["TARGETING_VALUE"])
                     for r in rows]
        assert len(rows) == len(got) and got == expected and len(got) > 1, (level, gran, windows, got, expected)
        assert order == sorted(order), (level, gran)  # entities in id order, then type, DATE, value
        if level == "KEYWORD":
            assert {k for k, _ in got} == {w["k_red"], w["k_blue"]}  # "green hat" (G2) is no keyword of its ad group
        else:
            assert {k[1] for k in got} == set(types)


def test_zero_rows_are_omitted_in_both_formats(client, w):
    # only conversions asked: days and campaigns without any are not rows
    js = report(client, w, columns=["TOTAL_CONVERSIONS"])
    assert js == {w["c1"]: [{"CAMPAIGN_ID": w["c1"], "DATE": "2026-03-10", "TOTAL_CONVERSIONS": 2}],
                  w["c2"]: [{"CAMPAIGN_ID": w["c2"], "DATE": "2026-03-12", "TOTAL_CONVERSIONS": 1}]}
    cs = report(client, w, columns=["TOTAL_CONVERSIONS"], report_format="CSV")
    assert cs == [["Campaign ID", "Date", "Total conversions"], [w["c1"], "2026-03-10", "2"],
                  [w["c2"], "2026-03-12", "1"]]
    # nothing in the range: an empty object / a header line
    assert report(client, w, start_date="2026-03-13", end_date="2026-03-14") == {}
    assert report(client, w, start_date="2026-03-13", end_date="2026-03-14", report_format="CSV") == [
        ["Campaign ID", "Date", "Spend (micro-currency)", "Paid impressions"]]


def test_levels(client, w):
    cols = ["PAID_IMPRESSION"]
    acct = w["acct"]
    assert report(client, w, level="ADVERTISER", granularity="TOTAL", columns=cols + ["AD_ACCOUNT_ID"]) == {
        acct: [{"ADVERTISER_ID": acct, "PAID_IMPRESSION": 380, "AD_ACCOUNT_ID": acct}]}
    assert report(client, w, level="AD_GROUP", granularity="TOTAL", columns=["AD_GROUP_NAME", "CAMPAIGN_ID"] + cols) \
        == {w["g1"]: [{"AD_GROUP_ID": w["g1"], "AD_GROUP_NAME": "Group one", "CAMPAIGN_ID": w["c1"],
                       "PAID_IMPRESSION": 350}],
            w["g2"]: [{"AD_GROUP_ID": w["g2"], "AD_GROUP_NAME": "Group two", "CAMPAIGN_ID": w["c2"],
                       "PAID_IMPRESSION": 30}]}
    ads = report(client, w, level="PIN_PROMOTION", granularity="TOTAL",
                 columns=["AD_NAME", "AD_STATUS", "CAMPAIGN_STATUS", "AD_GROUP_ID"] + cols)
    assert ads[w["a1"]] == [{"AD_ID": w["a1"], "AD_NAME": "Ad one", "AD_STATUS": "ACTIVE", "CAMPAIGN_STATUS": "ACTIVE",
                             "AD_GROUP_ID": w["g1"], "PAID_IMPRESSION": 150}]
    assert ads[w["a3"]][0]["CAMPAIGN_STATUS"] == "PAUSED" and set(ads) == {w["a1"], w["a2"], w["a3"]}
    # KEYWORD: the ad group's delivery by keyword, keyed by the keyword's id
    assert report(client, w, level="KEYWORD", columns=["AD_GROUP_ID", "SPEND_IN_DOLLAR"] + cols) == {
        w["k_red"]: [{"KEYWORD_ID": w["k_red"], "DATE": "2026-03-10", "AD_GROUP_ID": w["g1"], "SPEND_IN_DOLLAR": 2.0,
                      "PAID_IMPRESSION": 100}],
        w["k_blue"]: [{"KEYWORD_ID": w["k_blue"], "DATE": "2026-03-11", "AD_GROUP_ID": w["g1"],
                       "SPEND_IN_DOLLAR": 1.0, "PAID_IMPRESSION": 50}]}
    assert report(client, w, level="KEYWORD", columns=cols, report_format="CSV")[0] == ["Keyword ID", "Date",
                                                                                          "Paid impressions"]


@pytest.mark.parametrize("level", ["PRODUCT_GROUP", "PRODUCT_GROUP_TARGETING", "PRODUCT_ITEM"])
def test_product_levels_validate_and_give_empty_reports(client, w, level):
    extra = {"targeting_types": ["GENDER"]} if level.endswith("TARGETING") else {}
    cols = ["PAID_IMPRESSION", "PRODUCT_GROUP_ID", "CAMPAIGN_NAME"]
    assert report(client, w, level=level, columns=cols, product_group_ids=["123"], **extra) == {}
    rows = report(client, w, level=level, columns=cols, report_format="CSV", **extra)
    assert len(rows) == 1 and rows[0][0] == ("Product item ID" if level == "PRODUCT_ITEM" else "Product group ID")


def test_filters(client, w):
    cols = ["PAID_IMPRESSION"]
    ads = lambda **kw: report(client, w, level="PIN_PROMOTION", granularity="TOTAL", columns=cols, **kw)  # noqa: E731
    assert set(ads()) == {w["a1"], w["a2"], w["a3"]}
    assert set(ads(campaign_ids=[w["c1"]])) == {w["a1"], w["a2"]}
    assert set(ads(ad_group_ids=[w["g2"]])) == {w["a3"]}
    assert set(ads(ad_ids=[w["a2"], w["a3"]], campaign_ids=[w["c1"]])) == {w["a2"]}
    assert set(ads(campaign_statuses=["PAUSED"])) == {w["a3"]}
    assert set(ads(campaign_statuses=["RUNNING", "COMPLETED"])) == {w["a1"], w["a2"]}
    assert set(ads(ad_group_statuses=["RUNNING"])) == {w["a1"], w["a2"]}  # G2's campaign is paused
    assert set(ads(campaign_objective_types=["AWARENESS"])) == {w["a3"]}
    assert set(ads(ad_statuses=["APPROVED"])) == {w["a1"], w["a2"], w["a3"]}
    assert set(ads(ad_statuses=["PAUSED"])) == set()
    assert set(ads(metrics_filters=[{"field": "SPEND_IN_DOLLAR", "operator": "GREATER_THAN", "values": [1]}])) == {
        w["a1"], w["a3"]}
    assert set(ads(metrics_filters=[{"field": "TOTAL_IMPRESSION", "operator": "LESS_THAN", "values": [100, 60]}])) \
        == {w["a3"]}
    # a filter narrows the rows of any level
    camp = report(client, w, level="CAMPAIGN", granularity="TOTAL", columns=cols, ad_ids=[w["a2"]])
    assert camp == {w["c1"]: [{"CAMPAIGN_ID": w["c1"], "PAID_IMPRESSION": 200}]}


def test_windows_report_time_and_attribution(client, w):
    def total(**kw) -> int:
        body = report(client, w, level="ADVERTISER", granularity="TOTAL", columns=["TOTAL_CONVERSIONS"], **kw)
        return body[w["acct"]][0].get("TOTAL_CONVERSIONS", 0) if body else 0

    assert total() == 3
    assert total(click_window_days=0, view_window_days=0, engagement_window_days=0) == 2
    assert total(conversion_report_time="TIME_OF_CONVERSION") == 2
    assert total(attribution_types=["INDIVIDUAL"]) == 2
    assert total(attribution_types=["INDIVIDUAL", "HOUSEHOLD"]) == 3


# -- statuses ----------------------------------------------------------------------------------------------------
def test_expired_after_an_hour_and_link_lifetime(client, w):
    token, got = finished(client, w)
    client.put("/_sandbox/clock", json={"advance_seconds": 301})
    assert client.get(got["url"]).status_code == 403  # the link lives 5 minutes
    fresh = ok(poll(client, w, token))
    assert fresh["report_status"] == "FINISHED" and download(client, fresh["url"])
    client.put("/_sandbox/clock", json={"advance_seconds": 3600})
    assert ok(poll(client, w, token)) == {"report_status": "EXPIRED", "url": None, "size": None}


@pytest.mark.skipif(LIVE, reason="starts a sandbox of its own with another result lifetime")
def test_a_report_lives_an_hour_whatever_the_result_lifetime_setting(tmp_path):
    """PINSANDBOX_JOB_RESULT_TTL_SECONDS sets the life of MMM and bulk results; an async report lives the
    hour Pinterest documents ("the report is valid for one hour") whatever it says."""
    from fastapi.testclient import TestClient

    from pinsandbox.app import create_app
    from pinsandbox.core.store import Store
    from pinsandbox.settings import Settings

    store = Store(Settings(data_dir=tmp_path, job_result_ttl_seconds=60))
    try:
        with TestClient(create_app(store=store), raise_server_exceptions=False) as c:
            assert c.put("/_sandbox/clock", json={"now": NOW, "frozen": True}).status_code == 200
            tok = f.token(c, "alice")
            acct = f.ad_account(c, tok)["id"]
            h = bearer(tok)
            report_token = ok(c.post(f"/v5/ad_accounts/{acct}/reports", json=body_of(), headers=h))["token"]
            mmm = ok(c.post(f"/v5/ad_accounts/{acct}/mmm_reports", headers=h, json={
                "report_name": "ttl", "granularity": "DAY", "level": "CAMPAIGN_TARGETING",
                "targeting_types": ["GENDER"], "columns": ["SPEND_IN_DOLLAR"], **R}))["data"]["token"]
            bulk = ok(c.post(f"/v5/ad_accounts/{acct}/bulk/download", json={}, headers=h))["request_id"]
            run_jobs(c)

            def lifetime(job_id: str) -> float:
                job = c.get(f"/_sandbox/jobs/{job_id}").json()
                assert job["status"] == "FINISHED", job
                return (dt.datetime.fromisoformat(job["expires_at"]) - dt.datetime.fromisoformat(job["finished_at"])
                        ).total_seconds()

            assert lifetime(report_token) == 3600
            assert lifetime(mmm) == lifetime(bulk) == 60

            def statuses() -> tuple[str, str, str]:
                return (ok(c.get(f"/v5/ad_accounts/{acct}/reports", params={"token": report_token},
                                 headers=h))["report_status"],
                        ok(c.get(f"/v5/ad_accounts/{acct}/mmm_reports", params={"token": mmm},
                                 headers=h))["data"]["report_status"],
                        ok(c.get(f"/v5/ad_accounts/{acct}/bulk/{bulk}", headers=h))["status"])

            assert statuses() == ("FINISHED", "FINISHED", "SUCCEEDED")
            c.put("/_sandbox/clock", json={"advance_seconds": 60})
            assert statuses() == ("FINISHED", "EXPIRED", "FAILED")  # bulk reports an expired result as FAILED
            c.put("/_sandbox/clock", json={"advance_seconds": 3600 - 61})
            assert statuses()[0] == "FINISHED"
            c.put("/_sandbox/clock", json={"advance_seconds": 1})
            assert statuses()[0] == "EXPIRED"
    finally:
        store.dispose()


def test_cancelled(client, w):
    token = ok(create(client, w, **body_of()))["token"]
    r = client.post(f"/_sandbox/jobs/{token}/cancel")
    assert r.status_code == 200, r.text
    run_jobs(client)
    assert ok(poll(client, w, token)) == {"report_status": "CANCELLED", "url": None, "size": None}


@pytest.mark.skipif(LIVE, reason="makes the report writer fail inside the server process")
def test_failed(client, w, monkeypatch):
    from pinsandbox.reporting import export

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(export, "write", broken)
    token = ok(create(client, w, **body_of()))["token"]
    run_jobs(client)
    assert ok(poll(client, w, token)) == {"report_status": "FAILED", "url": None, "size": None}


def test_unknown_foreign_and_malformed_tokens(client, w):
    assert ok(poll(client, w, "A" * 40)) == {"report_status": "DOES_NOT_EXIST", "url": None, "size": None}
    # a real-looking Pinterest token (long, base64-ish): well formed, unknown
    assert ok(poll(client, w, "Zm9v" * 90 + "==ab"))["report_status"] == "DOES_NOT_EXIST"
    # a token of another ad account, even the caller's own
    other = f.ad_account(client, w["tok"], name="Other")["id"]
    token = ok(create(client, w, acct=other, **body_of()))["token"]
    run_jobs(client)
    assert ok(poll(client, w, token, acct=other))["report_status"] == "FINISHED"
    assert ok(poll(client, w, token))["report_status"] == "DOES_NOT_EXIST"
    bad(poll(client, w, "not a token!"), "token")
    bad(poll(client, w, "x" * 2000), "token")
    bad(poll(client, w, ""), "token")
    bad(poll(client, w, None), "token")


# -- validation ----------------------------------------------------------------------------------------------------
def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


@pytest.mark.parametrize("change,words", [
    ({"start_date": None}, ["start_date"]),
    ({"end_date": None}, ["end_date"]),
    ({"granularity": None}, ["granularity"]),
    ({"columns": None}, ["columns"]),
    ({"level": None}, ["level"]),
    ({"start_date": "2026/03/10"}, ["start_date"]),
    ({"start_date": "2026-02-30"}, ["start_date"]),
    ({"start_date": "20260310"}, ["start_date"]),
    ({"end_date": "2026-W11-4"}, ["end_date"]),
    ({"end_date": 20260312}, ["end_date"]),
    ({"start_date": "2026-03-12", "end_date": "2026-03-10"}, ["end_date", "start_date"]),
    ({"start_date": "2026-03-12", "end_date": "9999-12-31"}, ["end_date", "out of range"]),
    ({"start_date": days_ago(915), "end_date": days_ago(800)}, ["start_date", "914"]),
    ({"start_date": days_ago(300), "end_date": days_ago(113)}, ["186"]),
    ({"granularity": "HOUR", "start_date": days_ago(8), "end_date": days_ago(7)}, ["start_date", "HOUR"]),
    ({"granularity": "HOUR", "start_date": days_ago(5), "end_date": days_ago(1)}, ["HOUR", "3 days"]),
    ({"level": "PRODUCT_ITEM", "start_date": days_ago(93), "end_date": days_ago(90)}, ["start_date", "92"]),
    ({"level": "PRODUCT_ITEM", "start_date": days_ago(60), "end_date": days_ago(28)}, ["31"]),
    ({"granularity": "YEAR"}, ["granularity"]),
    ({"level": "PIN"}, ["level"]),
    ({"report_format": "XLSX"}, ["report_format"]),
    ({"click_window_days": 2}, ["click_window_days"]),
    ({"engagement_window_days": 90}, ["engagement_window_days"]),
    ({"view_window_days": "x"}, ["view_window_days"]),
    ({"conversion_report_time": "TIME_OF_CLICK"}, ["conversion_report_time"]),
    ({"attribution_types": ["COUSIN"]}, ["attribution_types"]),
    ({"columns": []}, ["columns"]),
    ({"columns": ["PAID_IMPRESSION", "NOT_A_COLUMN"]}, ["columns", "NOT_A_COLUMN"]),
    ({"columns": "PAID_IMPRESSION"}, ["columns"]),
    ({"columns": ["AD_GROUP_ID"]}, ["columns", "AD_GROUP_ID"]),
    ({"level": "ADVERTISER", "columns": ["CAMPAIGN_NAME"]}, ["columns", "CAMPAIGN_NAME"]),
    ({"level": "PRODUCT_ITEM", "columns": ["AD_ID"]}, ["columns", "AD_ID", "PRODUCT_ITEM"]),
    ({"level": "PRODUCT_ITEM", "columns": ["PIN_PROMOTION_STATUS"]}, ["columns", "PIN_PROMOTION_STATUS"]),
    ({"level": "PRODUCT_ITEM", "ad_ids": ["123"]}, ["ad_ids", "PRODUCT_ITEM"]),
    ({"level": "PRODUCT_ITEM", "ad_statuses": ["APPROVED"]}, ["ad_statuses", "PRODUCT_ITEM"]),
    ({"level": "CAMPAIGN_TARGETING"}, ["targeting_types", "CAMPAIGN_TARGETING"]),
    ({"targeting_types": ["GENDER"]}, ["targeting_types", "_TARGETING"]),
    ({"level": "AD_GROUP_TARGETING", "targeting_types": ["SHOE_SIZE"]}, ["targeting_types"]),
    ({"level": "AD_GROUP_TARGETING", "targeting_types": ["GENDER"] * 6}, ["targeting_types"]),
    ({"level": "AD_GROUP_TARGETING", "targeting_types": []}, ["targeting_types"]),
    ({"campaign_ids": []}, ["campaign_ids"]),
    ({"campaign_ids": ["abc"]}, ["campaign_ids"]),
    ({"campaign_ids": [str(10 ** 12 + i) for i in range(501)]}, ["campaign_ids"]),
    ({"campaign_ids": ["123456789"]}, ["campaign_ids", "123456789"]),
    ({"ad_group_ids": ["123456789"]}, ["ad_group_ids", "123456789"]),
    ({"ad_ids": ["123456789"]}, ["ad_ids", "123456789"]),
    ({"campaign_statuses": ["SLEEPING"]}, ["campaign_statuses"]),
    ({"campaign_statuses": ["RUNNING", "PAUSED", "NOT_STARTED", "COMPLETED", "ARCHIVED", "DRAFT", "DELETED_DRAFT"]},
     ["campaign_statuses"]),
    ({"ad_group_statuses": ["APPROVED"]}, ["ad_group_statuses"]),
    ({"ad_statuses": ["RUNNING"]}, ["ad_statuses"]),
    ({"campaign_objective_types": ["FAME"]}, ["campaign_objective_types"]),
    ({"product_group_statuses": ["APPROVED"]}, ["product_group_statuses"]),
    ({"metrics_filters": []}, ["metrics_filters"]),
    ({"metrics_filters": [{"field": "CTR", "operator": "LESS_THAN", "values": [1]}]}, ["metrics_filters", "field"]),
    ({"metrics_filters": [{"field": "SPEND_IN_DOLLAR", "operator": "EQUALS", "values": [1]}]}, ["operator"]),
    ({"metrics_filters": [{"field": "SPEND_IN_DOLLAR", "operator": "LESS_THAN", "values": []}]}, ["values"]),
    ({"metrics_filters": [{"field": "SPEND_IN_DOLLAR", "operator": "LESS_THAN"}]}, ["values"]),
    ({"campaign_id": ["1"]}, ["campaign_id"]),
])
def test_validation_errors(client, w, change, words):
    body = body_of()
    for k, v in change.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    bad(create(client, w, **body), *words)


def test_ids_of_another_account_are_refused(client, w):
    tok = w["tok"]
    other = f.ad_account(client, tok, name="Other")["id"]
    oc = f.campaign(client, tok, other)["id"]
    bad(create(client, w, **body_of(campaign_ids=[w["c1"], oc])), "campaign_ids", oc)


def test_boundaries_are_accepted(client, w):
    for change in ({"start_date": days_ago(914), "end_date": days_ago(728)},  # 914 back, 186-day range
                   {"granularity": "HOUR", "start_date": days_ago(7), "end_date": days_ago(4)},
                   {"level": "PRODUCT_ITEM", "start_date": days_ago(92), "end_date": days_ago(61)},
                   {"campaign_ids": [w["c1"]] * 500}):
        assert ok(create(client, w, **body_of(**change)))["report_status"] == "IN_PROGRESS"
    run_jobs(client)


def test_malformed_body(client, w):
    r = client.post(f"/v5/ad_accounts/{w['acct']}/reports", content=b"{not json", headers={
        **bearer(w["tok"]), "content-type": "application/json"})
    bad(r)
    bad(client.post(f"/v5/ad_accounts/{w['acct']}/reports", json=["a"], headers=bearer(w["tok"])))


# -- auth and access ------------------------------------------------------------------------------------------------
def test_auth_and_access(client, w):
    r = create(client, w, tok="", **body_of())
    assert r.status_code == 401 and r.json()["code"] == 2
    r = poll(client, w, "A" * 40, tok="")
    assert r.status_code == 401 and r.json()["code"] == 2
    weak = f.token(client, "alice", scopes="pins:read")
    for r in (create(client, w, tok=weak, **body_of()), poll(client, w, "A" * 40, tok=weak)):
        assert r.status_code == 401 and r.json()["code"] == 3, r.text
    bob = f.token(client, "bob")
    for r in (create(client, w, tok=bob, **body_of()), poll(client, w, "A" * 40, tok=bob)):
        assert r.status_code == 403, r.text
    # an analyst may report; a finance manager may not
    f.grant(client, w["acct"], "bob", ["ANALYST"])
    token = ok(create(client, w, tok=bob, **body_of()))["token"]
    run_jobs(client)
    assert ok(poll(client, w, token, tok=bob))["report_status"] == "FINISHED"
    f.grant(client, w["acct"], "bob", ["FINANCE_MANAGER"])
    assert create(client, w, tok=bob, **body_of()).status_code == 403
    assert poll(client, w, token, tok=bob).status_code == 403
    for r in (create(client, w, acct="123456789", **body_of()), poll(client, w, token, acct="123456789")):
        assert r.status_code == 404, r.text


def test_forged_download_link_is_refused(client, w):
    _, got = finished(client, w)
    forged = got["url"].replace("signature=", "signature=0")
    assert client.get(forged).status_code == 403

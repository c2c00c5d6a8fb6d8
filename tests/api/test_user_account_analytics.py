"""GET /v5/user_account/analytics, /analytics/top_pins and /analytics/top_video_pins through HTTP, with
exact numbers from organic fixtures (tests/api/organic_world.py), and the organic fixtures themselves."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.organic_world import OTHER, VIDEO, build, get, load

R = {"start_date": "2026-03-09", "end_date": "2026-03-14"}
ALL_METRICS = ["ENGAGEMENT", "ENGAGEMENT_RATE", "IMPRESSION", "OUTBOUND_CLICK", "OUTBOUND_CLICK_RATE", "PIN_CLICK",
               "PIN_CLICK_RATE", "SAVE", "SAVE_RATE"]
# alice's READY facts of 2026-03-09..14: p1 180 (150 organic + 30 paid), p2 60, OTHER 25 (bob's Pin of alice's
# claimed website), VIDEO 80, p3 5
TOTAL_IMPRESSION = 350


@pytest.fixture
def w(client):
    return build(client)


def ua(client, w, tok=None, **params):
    return get(client, "/v5/user_account/analytics", w["tok"] if tok is None else tok, **{**R, **params})


def summary(client, w, metric="IMPRESSION", **params) -> dict:
    r = ua(client, w, **params)
    assert r.status_code == 200, r.text
    return {k: v["summary_metrics"][metric] for k, v in r.json().items()}


def test_default_metrics_exact_numbers(client, w):
    r = ua(client, w)
    assert r.status_code == 200, r.text
    a = r.json()["all"]
    assert list(a) == ["summary_metrics", "daily_metrics"]
    s = a["summary_metrics"]
    assert list(s) == ALL_METRICS
    # engagement defaults to saves + Pin clicks + outbound clicks + comments + reactions per fixture row
    assert s == {"ENGAGEMENT": 16 + 3 + 3 + 9 + 1, "ENGAGEMENT_RATE": 32 / TOTAL_IMPRESSION,
                 "IMPRESSION": TOTAL_IMPRESSION, "OUTBOUND_CLICK": 4, "OUTBOUND_CLICK_RATE": 4 / TOTAL_IMPRESSION,
                 "PIN_CLICK": 14, "PIN_CLICK_RATE": 14 / TOTAL_IMPRESSION, "SAVE": 12,
                 "SAVE_RATE": 12 / TOTAL_IMPRESSION}
    days = a["daily_metrics"]
    assert [(d["date"], d["data_status"], d["metrics"]["IMPRESSION"]) for d in days] == [
        ("2026-03-09", "READY", 0), ("2026-03-10", "READY", 140), ("2026-03-11", "READY", 120),
        ("2026-03-12", "READY", 85), ("2026-03-13", "READY", 5), ("2026-03-14", "READY", 0)]
    assert days[1]["metrics"]["SAVE_RATE"] == 7 / 140


def test_metric_types(client, w):
    r = ua(client, w, metric_types="SAVE,IMPRESSION")
    assert r.json()["all"]["summary_metrics"] == {"SAVE": 12, "IMPRESSION": TOTAL_IMPRESSION}
    r = ua(client, w, metric_types=["SAVE", "SAVE"])
    assert r.json()["all"]["summary_metrics"] == {"SAVE": 12}


@pytest.mark.parametrize("params, impressions", [
    ({"content_type": "PAID"}, 30),
    ({"content_type": "ORGANIC"}, TOTAL_IMPRESSION - 30),
    ({"source": "YOUR_PINS"}, TOTAL_IMPRESSION - 25),
    ({"source": "OTHER_PINS"}, 25),
    ({"from_claimed_content": "CLAIMED"}, 85),
    ({"from_claimed_content": "OTHER"}, TOTAL_IMPRESSION - 85),
    ({"pin_format": "ORGANIC_VIDEO"}, 80),
    ({"pin_format": "VIDEO"}, 80),
    ({"pin_format": "ORGANIC_PRODUCT"}, 60),
    ({"pin_format": "PRODUCT"}, 60),
    ({"pin_format": "ADS_STANDARD"}, 30),
    ({"pin_format": "REGULAR"}, 150 + 30 + 25 + 5),
    ({"pin_format": "ORGANIC_IMAGE", "content_type": "PAID"}, 0),
    ({"app_types": "WEB"}, 100),
    ({"app_types": "TABLET"}, 10),
    ({"source": "OTHER_PINS", "from_claimed_content": "OTHER"}, 0),
])
def test_filters(client, w, params, impressions):
    assert summary(client, w, **params) == {"all": impressions}


@pytest.mark.parametrize("split, expected", [
    ("APP_TYPE", {"MOBILE": 240, "TABLET": 10, "WEB": 100}),
    ("OWNED_CONTENT", {"CLAIMED": 85, "OTHER": TOTAL_IMPRESSION - 85}),
    ("SOURCE", {"YOUR_PINS": TOTAL_IMPRESSION - 25, "OTHER_PINS": 25}),
    ("PIN_FORMAT", {"ORGANIC_IMAGE": 180, "ORGANIC_PRODUCT": 60, "ORGANIC_VIDEO": 80, "ADS_STANDARD": 30,
                    "ADS_PRODUCT": 0, "ADS_VIDEO": 0, "ADS_IDEA": 0}),
])
def test_splits_add_up_to_the_total(client, w, split, expected):
    r = ua(client, w, split_field=split)
    body = r.json()
    assert {k: v["summary_metrics"]["IMPRESSION"] for k, v in body.items()} == expected
    unsplit = ua(client, w).json()["all"]
    for m in ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK", "ENGAGEMENT"):
        assert sum(b["summary_metrics"][m] for b in body.values()) == unsplit["summary_metrics"][m]
        for i, day in enumerate(unsplit["daily_metrics"]):
            assert sum(b["daily_metrics"][i]["metrics"][m] for b in body.values()) == day["metrics"][m]


def test_split_buckets_follow_the_filters(client, w):
    assert summary(client, w, split_field="SOURCE", source="YOUR_PINS") == {"YOUR_PINS": TOTAL_IMPRESSION - 25}
    assert summary(client, w, split_field="OWNED_CONTENT", from_claimed_content="CLAIMED") == {"CLAIMED": 85}
    assert summary(client, w, split_field="APP_TYPE", app_types="WEB") == {"WEB": 100}
    assert summary(client, w, split_field="PIN_FORMAT", content_type="PAID") == {
        "ADS_STANDARD": 30, "ADS_PRODUCT": 0, "ADS_VIDEO": 0, "ADS_IDEA": 0}
    assert summary(client, w, split_field="PIN_FORMAT", pin_format="VIDEO") == {"ORGANIC_VIDEO": 80, "ADS_VIDEO": 0}


def test_other_users_see_their_own_numbers(client, w):
    # bob's own Pin (OTHER) counts for bob as YOUR_PINS, not claimed (alice claims its website)
    r = ua(client, w, tok=w["bob_tok"], split_field="OWNED_CONTENT", metric_types="IMPRESSION")
    assert {k: v["summary_metrics"]["IMPRESSION"] for k, v in r.json().items()} == {"CLAIMED": 0, "OTHER": 25}


def test_days_before_the_account_existed(client, w):
    assert client.put("/_sandbox/clock", json={"now": "2026-03-12T08:00:00Z", "frozen": True}).status_code == 200
    f.token(client, "carol")
    assert client.put("/_sandbox/clock", json={"now": "2026-03-15T12:00:00Z", "frozen": True}).status_code == 200
    carol = f.token(client, "carol")
    r = ua(client, w, tok=carol, start_date="2026-03-10", end_date="2026-03-15", metric_types="IMPRESSION")
    days = r.json()["all"]["daily_metrics"]
    assert [d["data_status"] for d in days] == ["BEFORE_BUSINESS_CREATED"] * 2 + ["READY"] * 3 + ["PROCESSING"]
    assert days[0]["metrics"] == {"IMPRESSION": 0.0}
    # facts cannot be dated before the owner's account existed
    r = load(client, [{"day": "2026-03-11", "pin_id": "77", "owner_user_id": f.user_id(client, carol),
                       "app_type": "WEB", "impression": 1}])
    assert r.status_code == 400 and "column 'day'" in r.json()["message"]


def test_date_limits_and_validation(client, w):
    r = ua(client, w, start_date="2025-12-14", end_date="2025-12-20")
    assert r.status_code == 400 and r.json()["code"] == 1
    assert r.json()["message"].startswith("Invalid user accounts analytics parameters. You can only get data from "
                                          "the last 90 days.")
    assert "'start_date'" in r.json()["message"]
    assert ua(client, w, start_date="2025-12-15", end_date="2026-03-15").status_code == 200
    r = ua(client, w, start_date="2026-01-01", end_date="2026-04-02")
    assert r.status_code == 400 and "'end_date'" in r.json()["message"]


@pytest.mark.parametrize("params, field", [
    ({"metric_types": "IMPRESSION,VIDEO_START"}, "metric_types"),
    ({"metric_types": ""}, "metric_types"),
    ({"start_date": "2026-03-32"}, "start_date"),
    ({"start_date": "20260310"}, "start_date"),
    ({"end_date": "2026-W11-5"}, "end_date"),
    ({"end_date": None}, "end_date"),
    ({"end_date": "2026-03-08"}, "end_date"),
    ({"split_field": "BOARD"}, "split_field"),
    ({"pin_format": "GIF"}, "pin_format"),
    ({"content_type": "BOTH"}, "content_type"),
    ({"source": "MINE"}, "source"),
    ({"from_claimed_content": "ALL"}, "from_claimed_content"),
    ({"app_types": "mobile"}, "app_types"),
])
def test_validation_errors_name_the_field(client, w, params, field):
    r = ua(client, w, **params)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == 1 and f"'{field}'" in r.json()["message"]


def test_auth_and_business_access(client, w):
    r = ua(client, w, tok="")
    assert r.status_code == 401 and r.json()["code"] == 2
    narrow = f.token(client, "alice", scopes="pins:read,boards:read")
    r = ua(client, w, tok=narrow)
    assert r.status_code == 401 and r.json()["code"] == 3 and "user_accounts:read" in r.json()["message"]
    acct = f.ad_account(client, w["tok"])["id"]
    carol = f.token(client, "carol")
    r = ua(client, w, tok=carol, ad_account_id=acct)
    assert r.status_code == 403 and r.json()["code"] == 29
    f.grant(client, acct, "carol", ["CAMPAIGN_MANAGER"])
    assert ua(client, w, tok=carol, ad_account_id=acct).status_code == 403
    f.grant(client, acct, "carol", ["ANALYST"])
    r = ua(client, w, tok=carol, ad_account_id=acct, metric_types="IMPRESSION")
    assert r.status_code == 200 and r.json()["all"]["summary_metrics"] == {"IMPRESSION": TOTAL_IMPRESSION}
    assert ua(client, w, tok=carol, ad_account_id="999999").status_code == 404
    # carol's own analytics: nothing
    r = ua(client, w, tok=carol, metric_types="IMPRESSION")
    assert r.json()["all"]["summary_metrics"] == {"IMPRESSION": 0}


# ---- top Pins ---------------------------------------------------------------------------------------
def top(client, w, path="top_pins", tok=None, **params):
    return get(client, f"/v5/user_account/analytics/{path}", w["tok"] if tok is None else tok,
               **{**R, "sort_by": "IMPRESSION", **params})


def test_top_pins_sorted_by_the_metric(client, w):
    r = top(client, w)
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["sort_by", "pins", "date_availability"]
    assert body["sort_by"] == "IMPRESSION"
    assert [(p["pin_id"], p["metrics"]["IMPRESSION"]) for p in body["pins"]] == [
        (w["p1"], 180), (VIDEO, 80), (w["p2"], 60), (OTHER, 25), (w["p3"], 5)]
    first = body["pins"][0]
    assert list(first["metrics"]) == ALL_METRICS
    assert first["metrics"]["SAVE_RATE"] == 8 / 180
    assert first["data_status"] == {m: "READY" for m in ALL_METRICS}
    # 2026-03-14T23:59:59Z: the end of the last complete day
    assert body["date_availability"] == {"latest_available_timestamp": 1773532799000, "is_realtime": False}
    r = top(client, w, sort_by="SAVE", metric_types="SAVE")
    assert [(p["pin_id"], p["metrics"]) for p in r.json()["pins"]] == [
        (w["p1"], {"SAVE": 8}), (w["p2"], {"SAVE": 3}), (OTHER, {"SAVE": 1}), (w["p3"], {"SAVE": 0}),
        (VIDEO, {"SAVE": 0})]  # ties: by Pin id


def test_top_pins_parameters(client, w):
    assert [p["pin_id"] for p in top(client, w, num_of_pins=2).json()["pins"]] == [w["p1"], VIDEO]
    assert [p["pin_id"] for p in top(client, w, source="OTHER_PINS").json()["pins"]] == [OTHER]
    assert [p["pin_id"] for p in top(client, w, content_type="PAID").json()["pins"]] == [w["p1"]]
    assert top(client, w, content_type="PAID").json()["pins"][0]["metrics"]["IMPRESSION"] == 30
    assert [p["pin_id"] for p in top(client, w, created_in_last_n_days=30).json()["pins"]] == [w["p3"]]
    r = top(client, w, end_date="2026-03-15")
    assert r.json()["pins"][0]["data_status"]["IMPRESSION"] == "PROCESSING"
    assert r.json()["pins"][0]["metrics"]["IMPRESSION"] == 180  # today is not counted yet


@pytest.mark.parametrize("params, field", [
    ({"sort_by": None}, "sort_by"),
    ({"sort_by": "VIDEO_START"}, "sort_by"),
    ({"num_of_pins": 0}, "num_of_pins"),
    ({"num_of_pins": 51}, "num_of_pins"),
    ({"created_in_last_n_days": 7}, "created_in_last_n_days"),
    ({"metric_types": "CLOSEUP"}, "metric_types"),
    ({"start_date": "2025-01-01"}, "start_date"),
])
def test_top_pins_validation(client, w, params, field):
    r = top(client, w, **params)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == 1 and f"'{field}'" in r.json()["message"]


def test_top_pins_auth(client, w):
    assert top(client, w, tok="").status_code == 401
    narrow = f.token(client, "alice", scopes="user_accounts:read")
    r = top(client, w, tok=narrow)
    assert r.status_code == 401 and r.json()["code"] == 3
    acct = f.ad_account(client, w["tok"])["id"]
    carol = f.token(client, "carol")
    assert top(client, w, tok=carol, ad_account_id=acct).status_code == 403
    f.grant(client, acct, "carol", ["ADMIN"])
    assert top(client, w, tok=carol, ad_account_id=acct).json()["pins"][0]["pin_id"] == w["p1"]


def test_top_pins_need_the_secret_scopes_for_pins_on_hidden_boards(client, w):
    """Pins on protected and secret boards are visible only with pins:read_secret or boards:read_secret (as
    pins/get): top Pins does not name them to a token without those scopes, and they take no place."""
    from tests.api.organic_world import NOW

    assert client.put("/_sandbox/clock", json={"now": "2026-01-02T00:00:00Z", "frozen": True}).status_code == 200
    then = f.token(client, "alice")
    protected = f.board(client, then, privacy="PROTECTED")["id"]
    protected_pin = f.pin(client, then, protected)["id"]
    assert client.put("/_sandbox/clock", json={"now": NOW, "frozen": True}).status_code == 200
    r = load(client, [
        {"day": "2026-03-12", "pin_id": w["secret_pin"], "app_type": "MOBILE", "impression": 500},
        {"day": "2026-03-12", "pin_id": protected_pin, "app_type": "MOBILE", "impression": 400}])
    assert r.status_code == 200, r.text
    every = top(client, w, num_of_pins=3).json()["pins"]
    assert [(p["pin_id"], p["metrics"]["IMPRESSION"]) for p in every] == [
        (w["secret_pin"], 500), (protected_pin, 400), (w["p1"], 180)]
    for scopes in ("pins:read,user_accounts:read", "pins:read,user_accounts:read,boards:read"):
        plain = f.token(client, "alice", scopes=scopes)
        r = top(client, w, tok=plain, num_of_pins=3)
        assert r.status_code == 200, r.text
        assert [p["pin_id"] for p in r.json()["pins"]] == [w["p1"], VIDEO, w["p2"]]
    for secret_scope in ("pins:read_secret", "boards:read_secret"):
        tok = f.token(client, "alice", scopes=f"pins:read,user_accounts:read,{secret_scope}")
        assert [p["pin_id"] for p in top(client, w, tok=tok, num_of_pins=2).json()["pins"]] == [
            w["secret_pin"], protected_pin]
    # user account analytics still count every Pin of the account (numbers, no Pin ids)
    plain = f.token(client, "alice", scopes="user_accounts:read")
    r = ua(client, w, tok=plain, metric_types="IMPRESSION")
    assert r.status_code == 200, r.text
    assert r.json()["all"]["summary_metrics"]["IMPRESSION"] == TOTAL_IMPRESSION + 900


def test_top_video_pins(client, w):
    r = top(client, w, path="top_video_pins", sort_by="VIDEO_START")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["sort_by"] == "VIDEO_START"
    assert body["pins"] == [{"pin_id": VIDEO, "metrics": {
        "IMPRESSION": 80, "SAVE": 0, "VIDEO_MRC_VIEW": 30, "VIDEO_AVG_WATCH_TIME": 5000.0,
        "VIDEO_V50_WATCH_TIME": 200000, "QUARTILE_95_PERCENT_VIEW": 8, "VIDEO_10S_VIEW": 12, "VIDEO_START": 40,
        "OUTBOUND_CLICK": 0}, "data_status": {m: "READY" for m in (
            "IMPRESSION", "SAVE", "VIDEO_MRC_VIEW", "VIDEO_AVG_WATCH_TIME", "VIDEO_V50_WATCH_TIME",
            "QUARTILE_95_PERCENT_VIEW", "VIDEO_10S_VIEW", "VIDEO_START", "OUTBOUND_CLICK")}}]
    r = top(client, w, path="top_video_pins", sort_by="VIDEO_AVG_WATCH_TIME", metric_types="VIDEO_AVG_WATCH_TIME")
    assert r.json()["pins"][0]["metrics"] == {"VIDEO_AVG_WATCH_TIME": 5000.0}
    assert top(client, w, path="top_video_pins", pin_format="ORGANIC_IMAGE").json()["pins"] == []
    r = top(client, w, path="top_video_pins", sort_by="ENGAGEMENT")
    assert r.status_code == 400 and "'sort_by'" in r.json()["message"]
    r = top(client, w, path="top_video_pins", metric_types="ENGAGEMENT")
    assert r.status_code == 400 and "'metric_types'" in r.json()["message"]


# ---- organic fixtures ------------------------------------------------------------------------------
@pytest.mark.parametrize("row, column", [
    ({"day": "2026-03-10", "app_type": "WEB"}, "pin_id"),
    ({"day": "2026-03-10", "pin_id": "424242", "app_type": "WEB"}, "owner_user_id"),
    ({"day": "2026-03-10T05:00:00Z", "pin_id": "P1", "app_type": "WEB"}, "day"),
    ({"day": "2025-12-31", "pin_id": "P1", "app_type": "WEB"}, "day"),
    ({"day": "2026-03-10", "pin_id": "P1", "app_type": "PHONE"}, "app_type"),
    ({"day": "2026-03-10", "pin_id": "P1"}, "app_type"),
    ({"day": "2026-03-10", "pin_id": "P1", "app_type": "WEB", "content_type": "PAID", "pin_format": "ORGANIC_IMAGE"},
     "pin_format"),
    ({"day": "2026-03-10", "pin_id": "P1", "app_type": "WEB", "owner_user_id": "BOB"}, "owner_user_id"),
    ({"day": "2026-03-10", "pin_id": "P1", "app_type": "WEB", "save": -1}, "save"),
    ({"day": "2026-03-10", "pin_id": "P1", "app_type": "WEB", "impressions": 1}, "impressions"),
])
def test_fixture_rows_are_checked(client, w, row, column):
    row = {k: (w["p1"] if v == "P1" else w["bob"] if v == "BOB" else v) for k, v in row.items()}
    r = load(client, [row])
    assert r.status_code == 400, r.text
    assert r.json()["code"] == 1 and column in r.json()["message"]


def test_fixture_table_is_inferred_from_day(client, w):
    r = load(client, [{"day": "2026-03-13", "pin_id": w["p2"], "app_type": "TABLET", "impression": 7,
                       "engagement": 2}], table=None)
    assert r.status_code == 200 and r.json() == {"table": "organic", "rows": 1}
    r = ua(client, w, start_date="2026-03-13", end_date="2026-03-13", metric_types="IMPRESSION,ENGAGEMENT")
    assert r.json()["all"]["summary_metrics"] == {"IMPRESSION": 12, "ENGAGEMENT": 2}

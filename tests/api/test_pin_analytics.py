"""GET /v5/pins/{pin_id}/analytics through HTTP, with exact numbers from organic fixtures
(tests/api/organic_world.py describes the world and its facts)."""

from __future__ import annotations

import os

import pytest

from tests import factories as f
from tests.api.organic_world import build, get, load

R = {"start_date": "2026-03-09", "end_date": "2026-03-15"}


@pytest.fixture
def w(client):
    return build(client)


def pin_get(client, w, pin_id=None, tok=None, **params):
    params = {**R, "metric_types": "IMPRESSION,SAVE,SAVE_RATE,PIN_CLICK,OUTBOUND_CLICK", **params}
    return get(client, f"/v5/pins/{pin_id or w['p1']}/analytics", w["tok"] if tok is None else tok, **params)


def test_unsplit_exact_numbers_and_days(client, w):
    r = pin_get(client, w)
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["all"]
    a = body["all"]
    assert list(a) == ["summary_metrics", "daily_metrics"]
    # 03-10: 100 + 40 (MOBILE, WEB); 03-11: 10 organic + 30 paid; 03-15 (today) is not counted
    assert a["summary_metrics"] == {"IMPRESSION": 180, "SAVE": 8, "SAVE_RATE": 8 / 180, "PIN_CLICK": 10,
                                    "OUTBOUND_CLICK": 2}
    days = a["daily_metrics"]
    assert [d["date"] for d in days] == ["2026-03-09", "2026-03-10", "2026-03-11", "2026-03-12", "2026-03-13",
                                         "2026-03-14", "2026-03-15"]
    assert [d["data_status"] for d in days] == ["READY"] * 6 + ["PROCESSING"]
    assert days[0]["metrics"] == {"IMPRESSION": 0, "SAVE": 0, "SAVE_RATE": 0.0, "PIN_CLICK": 0, "OUTBOUND_CLICK": 0}
    assert days[1]["metrics"] == {"IMPRESSION": 140, "SAVE": 7, "SAVE_RATE": 0.05, "PIN_CLICK": 8, "OUTBOUND_CLICK": 2}
    assert days[2]["metrics"] == {"IMPRESSION": 40, "SAVE": 1, "SAVE_RATE": 0.025, "PIN_CLICK": 2, "OUTBOUND_CLICK": 0}
    # the day still processing carries every metric as 0.0, whatever the facts say so far
    assert days[6]["metrics"] == {"IMPRESSION": 0.0, "SAVE": 0.0, "SAVE_RATE": 0.0, "PIN_CLICK": 0.0,
                                  "OUTBOUND_CLICK": 0.0}
    assert isinstance(days[6]["metrics"]["IMPRESSION"], float) and isinstance(days[1]["metrics"]["IMPRESSION"], int)
    for m in ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK"):
        assert a["summary_metrics"][m] == sum(d["metrics"][m] for d in days)


def test_split_by_app_type_adds_up(client, w):
    body = pin_get(client, w, split_field="APP_TYPE").json()
    assert sorted(body) == ["MOBILE", "TABLET", "WEB"]
    assert body["MOBILE"]["summary_metrics"]["IMPRESSION"] == 130  # 100 organic + 30 paid
    assert body["WEB"]["summary_metrics"]["IMPRESSION"] == 40
    assert body["TABLET"]["summary_metrics"] == {"IMPRESSION": 10, "SAVE": 0, "SAVE_RATE": 0.0, "PIN_CLICK": 0,
                                                 "OUTBOUND_CLICK": 0}
    unsplit = pin_get(client, w).json()["all"]
    for m in ("IMPRESSION", "SAVE", "PIN_CLICK", "OUTBOUND_CLICK"):
        assert sum(b["summary_metrics"][m] for b in body.values()) == unsplit["summary_metrics"][m]
        for i, day in enumerate(unsplit["daily_metrics"]):
            assert sum(b["daily_metrics"][i]["metrics"][m] for b in body.values()) == day["metrics"][m]


def test_app_types_filter(client, w):
    body = pin_get(client, w, app_types="WEB").json()
    assert body["all"]["summary_metrics"] == {"IMPRESSION": 40, "SAVE": 2, "SAVE_RATE": 0.05, "PIN_CLICK": 1,
                                              "OUTBOUND_CLICK": 0}
    split = pin_get(client, w, app_types="TABLET", split_field="APP_TYPE").json()
    assert list(split) == ["TABLET"] and split["TABLET"]["summary_metrics"]["IMPRESSION"] == 10


def test_lifetime_metrics_cover_every_ready_day(client, w):
    r = pin_get(client, w, metric_types="IMPRESSION,TOTAL_COMMENTS,TOTAL_REACTIONS")
    a = r.json()["all"]
    assert list(a) == ["lifetime_metrics", "summary_metrics", "daily_metrics"]
    assert a["lifetime_metrics"] == {"TOTAL_COMMENTS": 4, "TOTAL_REACTIONS": 5}  # 2026-01-05 and 2026-03-10
    assert a["summary_metrics"] == {"IMPRESSION": 180}
    assert all(set(d["metrics"]) == {"IMPRESSION"} for d in a["daily_metrics"])
    split = pin_get(client, w, metric_types="TOTAL_COMMENTS", split_field="APP_TYPE").json()
    assert {k: v["lifetime_metrics"]["TOTAL_COMMENTS"] for k, v in split.items()} == {"MOBILE": 4, "TABLET": 0,
                                                                                        "WEB": 0}


def test_video_metrics(client, w):
    r = pin_get(client, w, metric_types="VIDEO_START,VIDEO_AVG_WATCH_TIME,VIDEO_V50_WATCH_TIME")
    assert r.status_code == 200
    assert r.json()["all"]["summary_metrics"] == {"VIDEO_START": 0, "VIDEO_AVG_WATCH_TIME": 0.0,
                                                  "VIDEO_V50_WATCH_TIME": 0}


def test_days_before_the_pin_was_created(client, w):
    load(client, [{"day": "2026-03-12", "pin_id": w["p3"], "app_type": "WEB", "impression": 3}])
    r = pin_get(client, w, pin_id=w["p3"], start_date="2026-03-10", end_date="2026-03-14")
    days = r.json()["all"]["daily_metrics"]
    assert [d["data_status"] for d in days] == ["BEFORE_PIN_CREATED", "BEFORE_PIN_CREATED", "READY", "READY", "READY"]
    assert days[0]["metrics"]["IMPRESSION"] == 0.0
    assert [d["metrics"]["IMPRESSION"] for d in days[2:]] == [3, 5, 0]
    assert r.json()["all"]["summary_metrics"]["IMPRESSION"] == 8


def test_future_days_are_processing(client, w):
    r = pin_get(client, w, start_date="2026-03-14", end_date="2026-03-17")
    assert [d["data_status"] for d in r.json()["all"]["daily_metrics"]] == ["READY", "PROCESSING", "PROCESSING",
                                                                            "PROCESSING"]


def test_date_limits(client, w):
    assert pin_get(client, w, start_date="2025-12-15", end_date="2025-12-16").status_code == 200  # 90 days back
    r = pin_get(client, w, start_date="2025-12-14", end_date="2025-12-16")
    assert r.status_code == 400 and r.json()["code"] == 1 and "'start_date'" in r.json()["message"]
    assert r.json()["message"].startswith("Invalid pins analytics parameters. You can only get data from the last "
                                          "90 days.")
    assert pin_get(client, w, start_date="2026-01-01", end_date="2026-04-01").status_code == 200  # 90 days past
    r = pin_get(client, w, start_date="2026-01-01", end_date="2026-04-02")
    assert r.status_code == 400 and "'end_date'" in r.json()["message"]
    r = pin_get(client, w, start_date="2026-03-12", end_date="2026-03-11")
    assert r.status_code == 400 and "'end_date'" in r.json()["message"]


@pytest.mark.parametrize("params, field", [
    ({"metric_types": None}, "metric_types"),
    ({"metric_types": ""}, "metric_types"),
    ({"metric_types": "IMPRESSION,ENGAGEMENT"}, "metric_types"),
    ({"start_date": "2026-3-1"}, "start_date"),
    ({"start_date": "20260310"}, "start_date"),
    ({"end_date": "2026-W11-5"}, "end_date"),
    ({"end_date": "yesterday"}, "end_date"),
    ({"start_date": None}, "start_date"),
    ({"app_types": "PHONE"}, "app_types"),
    ({"split_field": "OWNED_CONTENT"}, "split_field"),
    ({"ad_account_id": "abc"}, "ad_account_id"),
])
def test_validation_errors_name_the_field(client, w, params, field):
    base = {**R, "metric_types": "IMPRESSION"}
    base.update(params)
    r = get(client, f"/v5/pins/{w['p1']}/analytics", w["tok"], **base)
    assert r.status_code == 400, r.text
    assert r.json()["code"] == 1 and f"'{field}'" in r.json()["message"]


def test_auth(client, w):
    r = pin_get(client, w, tok="")
    assert r.status_code == 401 and r.json()["code"] == 2
    narrow = f.token(client, "alice", scopes="pins:read,user_accounts:read")
    r = pin_get(client, w, tok=narrow)
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:read" in r.json()["message"]


def test_not_found_and_not_authorized(client, w):
    r = pin_get(client, w, pin_id="123456789")
    assert r.status_code == 404 and r.json()["code"] == 50 and r.json()["message"].startswith("Pin not found.")
    r = pin_get(client, w, pin_id="not-a-pin")
    assert r.status_code == 404 and r.json()["code"] == 50
    # bob can see alice's public Pin, but not its analytics
    assert client.get(f"/v5/pins/{w['p1']}", headers=f.bearer(w["bob_tok"])).status_code == 200
    r = pin_get(client, w, tok=w["bob_tok"])
    assert r.status_code == 403 and r.json()["code"] == 29
    assert r.json()["message"].startswith("Not authorized to access board or Pin.")


def test_group_board_collaborator_reads_the_pin(client, w):
    r = client.put(f"/_sandbox/boards/{w['board']}/collaborators", json={"username": "bob"})
    assert r.status_code == 200, r.text
    r = pin_get(client, w, tok=w["bob_tok"])
    assert r.status_code == 200 and r.json()["all"]["summary_metrics"]["IMPRESSION"] == 180


def test_secret_board_pin(client, w):
    r = pin_get(client, w, pin_id=w["secret_pin"])
    assert r.status_code == 200 and r.json()["all"]["summary_metrics"]["IMPRESSION"] == 0
    narrow = f.token(client, "alice", scopes="boards:read,pins:read")
    r = pin_get(client, w, pin_id=w["secret_pin"], tok=narrow)
    assert r.status_code == 401 and r.json()["code"] == 3


def test_business_access(client, w):
    acct = f.ad_account(client, w["tok"])["id"]
    carol = f.token(client, "carol")
    for roles, status in ((["ANALYST"], 200), (["ADMIN"], 200), (["CAMPAIGN_MANAGER"], 403)):
        f.grant(client, acct, "carol", roles)
        r = pin_get(client, w, tok=carol, ad_account_id=acct)
        assert r.status_code == status, (roles, r.text)
        if status == 200:
            assert r.json()["all"]["summary_metrics"]["IMPRESSION"] == 180
        else:
            assert r.json()["code"] == 29
    # secret boards: Admin only
    f.grant(client, acct, "carol", ["ANALYST"])
    assert pin_get(client, w, pin_id=w["secret_pin"], tok=carol, ad_account_id=acct).status_code == 403
    f.grant(client, acct, "carol", ["ADMIN"])
    assert pin_get(client, w, pin_id=w["secret_pin"], tok=carol, ad_account_id=acct).status_code == 200
    # without a role, and an unknown ad account
    dave = f.token(client, "dave")
    assert pin_get(client, w, tok=dave, ad_account_id=acct).status_code == 403
    r = pin_get(client, w, tok=dave, ad_account_id="123456")
    assert r.status_code == 404


def test_lifetime_metrics_of_old_pins(client):
    """A Pin created before 2023-03-20 has lifetime metrics only if it is a video or Idea Pin."""
    assert client.put("/_sandbox/clock", json={"now": "2023-03-01T00:00:00Z", "frozen": True}).status_code == 200
    tok = f.token(client, "old")
    pin = f.pin(client, tok, f.board(client, tok)["id"])["id"]
    assert client.put("/_sandbox/clock", json={"now": "2023-04-01T00:00:00Z", "frozen": True}).status_code == 200
    tok = f.token(client, "old")
    load(client, [{"day": "2023-03-20", "pin_id": pin, "app_type": "WEB", "impression": 9, "total_comments": 2}])
    r = get(client, f"/v5/pins/{pin}/analytics", tok, start_date="2023-03-15", end_date="2023-03-25",
            metric_types="IMPRESSION,TOTAL_COMMENTS")
    assert r.status_code == 200
    assert r.json()["all"] == {"summary_metrics": {"IMPRESSION": 9}, "daily_metrics": r.json()["all"]["daily_metrics"]}


def test_now_is_the_sandbox_clock(client, w):
    """Moving the clock on makes today's facts READY."""
    assert client.put("/_sandbox/clock", json={"now": "2026-03-16T01:00:00Z", "frozen": True}).status_code == 200
    r = pin_get(client, w, start_date="2026-03-15", end_date="2026-03-16")
    days = r.json()["all"]["daily_metrics"]
    assert [d["data_status"] for d in days] == ["READY", "PROCESSING"]
    assert days[0]["metrics"]["IMPRESSION"] == 999


@pytest.mark.skipif(bool(os.environ.get("PINSANDBOX_TEST_URL")), reason="reads the in-process store")
def test_pin_metrics_for_pins_get_and_list(client, store, w):
    """service.pin_metrics: the `pin_metrics` object pins/get and pins/list show with pin_metrics=true."""
    from pinsandbox.organic.analytics.service import pin_metrics

    with store.read() as conn:
        got = pin_metrics(store, conn, [w["p1"], int(w["p2"]), "999", "x"])
    # p1: 2026-01-05, 03-10, 03-11 (paid included) are inside the last 90 days; 03-15 is today
    assert got == {
        w["p1"]: {"90d": {"pin_click": 10, "impression": 200, "clickthrough": 2},
                  "all_time": {"pin_click": 10, "impression": 200, "clickthrough": 2, "reaction": 5, "comment": 4}},
        w["p2"]: {"90d": {"pin_click": 4, "impression": 60, "clickthrough": 2},
                  "all_time": {"pin_click": 4, "impression": 60, "clickthrough": 2, "reaction": 0, "comment": 0}},
    }
    assert client.put("/_sandbox/clock", json={"now": "2026-04-10T00:00:00Z", "frozen": True}).status_code == 200
    with store.read() as conn:
        got = pin_metrics(store, conn, [w["p1"]])
    # 90 days before 2026-04-10 start on 2026-01-10: 2026-01-05 drops out; today's (03-15) row now counts
    assert got[w["p1"]]["90d"] == {"pin_click": 10, "impression": 180 + 999, "clickthrough": 2}
    assert got[w["p1"]]["all_time"]["impression"] == 200 + 999

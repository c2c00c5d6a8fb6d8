"""campaigns: list, create, update, get — through HTTP."""

from __future__ import annotations

import pytest

from tests.factories import ad_account, ad_group, bearer, campaign, collect_pages, grant, token

CAMPAIGN_KEYS = {"id", "ad_account_id", "name", "status", "lifetime_spend_cap", "daily_spend_cap", "order_line_id",
                 "tracking_urls", "start_time", "end_time", "summary_status", "objective_type", "created_time",
                 "updated_time", "type", "is_flexible_daily_budgets", "default_ad_group_budget_in_micro_currency",
                 "is_automated_campaign", "is_campaign_budget_optimization"}


@pytest.fixture
def s(client):
    tok = token(client, "alice")
    acct = ad_account(client, tok)["id"]
    return {"tok": tok, "h": bearer(tok), "acct": acct, "url": f"/v5/ad_accounts/{acct}/campaigns"}


def post(client, s, *items):
    r = client.post(s["url"], json=list(items), headers=s["h"])
    assert r.status_code == 200, r.text
    return r.json()["items"]


def patch(client, s, *items):
    r = client.patch(s["url"], json=list(items), headers=s["h"])
    assert r.status_code == 200, r.text
    return r.json()["items"]


def item(s, **fields):
    return {"ad_account_id": s["acct"], "name": "Spring", "objective_type": "CONSIDERATION", **fields}


def failed(result, code, field):
    assert result["data"] == {} and len(result["exceptions"]) == 1, result
    exc = result["exceptions"][0]
    assert exc["code"] == code and field in exc["message"], exc
    return exc["message"]


def test_create_get_and_shape(client, s):
    [res] = post(client, s, item(s, tracking_urls={"click": ["https://t.example/c"]}, order_line_id="123"))
    c = res["data"]
    assert res["exceptions"] == [] and set(c) == CAMPAIGN_KEYS
    assert c["id"].isdigit() and c["ad_account_id"] == s["acct"] and c["type"] == "campaign"
    assert c["status"] == "ACTIVE" and c["summary_status"] == "RUNNING" and c["objective_type"] == "CONSIDERATION"
    assert c["tracking_urls"] == {"click": ["https://t.example/c"]} and c["order_line_id"] == "123"
    assert c["is_campaign_budget_optimization"] is False and c["is_flexible_daily_budgets"] is False
    assert c["created_time"] == c["updated_time"] and isinstance(c["created_time"], int)
    r = client.get(f"{s['url']}/{c['id']}", headers=s["h"])
    assert r.status_code == 200 and r.json() == c


def test_batch_creates_good_items_and_reports_bad_ones(client, s):
    res = post(client, s, item(s, name="ok1"), {"ad_account_id": s["acct"], "name": "x"},
               item(s, objective_type="SALES"), item(s, name="ok2"), item(s, status="ARCHIVED"))
    assert res[0]["data"]["name"] == "ok1" and res[3]["data"]["name"] == "ok2"
    assert failed(res[1], 1, "objective_type") == "Field 'objective_type' is required."
    failed(res[2], 1, "objective_type")
    failed(res[4], 1530, "status")
    names = [c["name"] for c in collect_pages(client, s["url"], s["h"])]
    assert names == ["ok1", "ok2"]


def test_whole_request_shape_errors(client, s):
    h = s["h"]
    for body in ([], [item(s)] * 31, {"name": "x"}, "x"):
        r = client.post(s["url"], json=body, headers=h)
        assert r.status_code == 400 and r.json()["code"] == 1, (body, r.text)
    r = client.post(s["url"], content=b"[{", headers={**h, "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 1 and "JSON" in r.json()["message"]
    r = client.patch(s["url"], json=[], headers=h)
    assert r.status_code == 400 and r.json()["code"] == 1
    assert collect_pages(client, s["url"], h) == []


def test_ad_account_id_must_match_path(client, s):
    [res] = post(client, s, item(s, ad_account_id="123"))
    failed(res, 2, "ad_account_id")


def test_spend_cap_rules(client, s):
    res = post(client, s, item(s, daily_spend_cap=5_000_000, lifetime_spend_cap=50_000_000, end_time=4_102_444_800),
               item(s, daily_spend_cap=10), item(s, lifetime_spend_cap=10**16, end_time=4_102_444_800),
               item(s, daily_spend_cap=5_000_000))
    assert "at the same time" in failed(res[0], 1509, "spend_cap")
    failed(res[1], 1509, "daily_spend_cap")
    failed(res[2], 1509, "lifetime_spend_cap")
    assert res[3]["data"]["daily_spend_cap"] == 5_000_000


def test_campaign_budget_optimization(client, s):
    res = post(client, s,
               item(s, daily_spend_cap=5_000_000, is_campaign_budget_optimization=True),
               item(s, daily_spend_cap=5_000_000),  # opt-in: a spend cap alone is a plain campaign cap
               item(s, objective_type="VIDEO_VIEW", lifetime_spend_cap=5_000_000),
               item(s, objective_type="VIDEO_VIEW", daily_spend_cap=5_000_000, is_campaign_budget_optimization=True),
               item(s, is_campaign_budget_optimization=True),
               item(s, lifetime_spend_cap=50_000_000, is_campaign_budget_optimization=True),
               item(s, daily_spend_cap=5_000_000, is_flexible_daily_budgets=True, is_campaign_budget_optimization=True),
               item(s, is_flexible_daily_budgets=True, daily_spend_cap=5_000_000))
    assert res[0]["data"]["is_campaign_budget_optimization"] is True
    assert res[1]["data"]["is_campaign_budget_optimization"] is False
    assert res[2]["data"]["is_campaign_budget_optimization"] is False
    failed(res[3], 1510, "is_campaign_budget_optimization")
    failed(res[4], 1509, "spend_cap")
    failed(res[5], 1510, "end_time")
    assert res[6]["data"]["is_flexible_daily_budgets"] is True
    failed(res[7], 1511, "is_flexible_daily_budgets")


def test_flexible_daily_budgets_are_usd_only(client, s):
    acct = ad_account(client, s["tok"], country="DE")["id"]
    r = client.post(f"/v5/ad_accounts/{acct}/campaigns", headers=s["h"], json=[
        {"ad_account_id": acct, "name": "x", "objective_type": "AWARENESS", "daily_spend_cap": 5_000_000,
         "is_campaign_budget_optimization": True, "is_flexible_daily_budgets": True}])
    assert "USD" in failed(r.json()["items"][0], 1511, "is_flexible_daily_budgets")


def test_times_and_summary_status_follow_the_clock(client, s):
    now = campaign(client, s["tok"], s["acct"])["created_time"]
    res = post(client, s, item(s, start_time=now + 1000, end_time=now + 2000),
               item(s, start_time=now + 100, end_time=now + 100), item(s, end_time=now - 10))
    c = res[0]["data"]
    assert c["summary_status"] == "NOT_STARTED"
    failed(res[1], 1520, "end_time")
    assert "past" in failed(res[2], 1520, "end_time")
    client.put("/_sandbox/clock", json={"advance_seconds": 1500})
    assert client.get(f"{s['url']}/{c['id']}", headers=s["h"]).json()["summary_status"] == "RUNNING"
    client.put("/_sandbox/clock", json={"advance_seconds": 1000})
    assert client.get(f"{s['url']}/{c['id']}", headers=s["h"]).json()["summary_status"] == "COMPLETED"
    [p] = patch(client, s, {"id": c["id"], "ad_account_id": s["acct"], "status": "PAUSED"})
    assert p["data"]["summary_status"] == "PAUSED"


def test_update_fields_and_status_rules(client, s):
    # a frozen clock: on a running one, a second may tick between the create and the update
    now = client.get("/_sandbox/clock").json()["now"]
    assert client.put("/_sandbox/clock", json={"now": now, "frozen": True}).status_code == 200
    c = campaign(client, s["tok"], s["acct"], name="before")
    draft = campaign(client, s["tok"], s["acct"], status="DRAFT")
    client.put("/_sandbox/clock", json={"advance_seconds": 60})
    res = patch(client, s, {"id": c["id"], "ad_account_id": s["acct"], "name": "after", "status": "PAUSED"},
                {"id": c["id"], "ad_account_id": s["acct"], "objective_type": "AWARENESS"},
                {"id": draft["id"], "ad_account_id": s["acct"], "objective_type": "AWARENESS", "status": "ACTIVE"},
                {"id": "123", "ad_account_id": s["acct"], "name": "x"},
                {"id": c["id"], "ad_account_id": s["acct"], "status": "DRAFT"},
                {"ad_account_id": s["acct"], "name": "no id"})
    u = res[0]["data"]
    assert u["name"] == "after" and u["status"] == "PAUSED" and u["updated_time"] == c["created_time"] + 60
    assert u["created_time"] == c["created_time"] and u["objective_type"] == "CONSIDERATION"
    failed(res[1], 1532, "objective_type")
    assert res[2]["data"]["objective_type"] == "AWARENESS" and res[2]["data"]["status"] == "ACTIVE"
    assert "invalid gids" in failed(res[3], 1012, "campaign")
    failed(res[4], 1530, "status")
    failed(res[5], 1, "id")


def test_archived_is_final_and_takes_only_a_new_name(client, s):
    c = campaign(client, s["tok"], s["acct"])
    [a] = patch(client, s, {"id": c["id"], "ad_account_id": s["acct"], "status": "ARCHIVED"})
    assert a["data"]["status"] == "ARCHIVED" and a["data"]["summary_status"] == "ARCHIVED"
    res = patch(client, s, {"id": c["id"], "ad_account_id": s["acct"], "status": "ACTIVE"},
                {"id": c["id"], "ad_account_id": s["acct"], "daily_spend_cap": 5_000_000},
                {"id": c["id"], "ad_account_id": s["acct"], "name": "old stuff"})
    failed(res[0], 1530, "status")
    failed(res[1], 1531, "daily_spend_cap")
    assert res[2]["data"]["name"] == "old stuff" and res[2]["data"]["status"] == "ARCHIVED"
    # no ad group can be created under it
    r = client.post(f"/v5/ad_accounts/{s['acct']}/ad_groups", headers=s["h"], json=[
        {"campaign_id": c["id"], "name": "g", "billable_event": "CLICKTHROUGH", "budget_in_micro_currency": 5_000_000}])
    failed(r.json()["items"][0], 1531, "campaign_id")


def test_draft_lifecycle(client, s):
    d = campaign(client, s["tok"], s["acct"], status="DRAFT")
    assert d["summary_status"] == "DRAFT"
    [r] = patch(client, s, {"id": d["id"], "ad_account_id": s["acct"], "status": "DELETED_DRAFT"})
    assert r["data"]["status"] == "DELETED_DRAFT"
    [r] = patch(client, s, {"id": d["id"], "ad_account_id": s["acct"], "status": "DRAFT"})
    failed(r, 1530, "status")


def test_cbo_transitions_reach_the_ad_groups(client, s):
    c = campaign(client, s["tok"], s["acct"])
    g = ad_group(client, s["tok"], s["acct"], c["id"], budget_in_micro_currency=7_000_000)
    [on] = patch(client, s, {"id": c["id"], "ad_account_id": s["acct"], "is_campaign_budget_optimization": True,
                             "daily_spend_cap": 9_000_000})
    assert on["data"]["is_campaign_budget_optimization"] is True
    got = client.get(f"/v5/ad_accounts/{s['acct']}/ad_groups/{g['id']}", headers=s["h"]).json()
    assert got["budget_in_micro_currency"] is None and got["budget_type"] == "CBO_ADGROUP"
    assert got["start_time"] is None
    [off] = patch(client, s, {"id": c["id"], "ad_account_id": s["acct"], "is_campaign_budget_optimization": False})
    failed(off, 1510, "default_ad_group_budget_in_micro_currency")
    [off] = patch(client, s, {"id": c["id"], "ad_account_id": s["acct"], "is_campaign_budget_optimization": False,
                              "default_ad_group_budget_in_micro_currency": 3_000_000})
    assert off["data"]["is_campaign_budget_optimization"] is False
    got = client.get(f"/v5/ad_accounts/{s['acct']}/ad_groups/{g['id']}", headers=s["h"]).json()
    assert got["budget_in_micro_currency"] == 3_000_000 and got["budget_type"] == "DAILY"


def test_list_filters_order_and_pagination(client, s):
    ids = [campaign(client, s["tok"], s["acct"], name=f"c{i}")["id"] for i in range(5)]
    patch(client, s, {"id": ids[0], "ad_account_id": s["acct"], "status": "ARCHIVED"},
          {"id": ids[1], "ad_account_id": s["acct"], "status": "PAUSED"})
    assert [c["id"] for c in collect_pages(client, s["url"], s["h"])] == ids[1:]
    got = collect_pages(client, s["url"], s["h"], {"order": "DESCENDING"}, page_size=2)
    assert [c["id"] for c in got] == ids[1:][::-1]
    got = collect_pages(client, s["url"], s["h"], {"entity_statuses": "ARCHIVED,PAUSED"})
    assert [c["id"] for c in got] == ids[:2]
    got = collect_pages(client, s["url"], s["h"], {"campaign_ids": [ids[0], ids[2]],
                                                   "entity_statuses": ["ACTIVE", "ARCHIVED"]})
    assert [c["id"] for c in got] == [ids[0], ids[2]]
    r = client.get(s["url"], params={"entity_statuses": "GONE"}, headers=s["h"])
    assert r.status_code == 400 and r.json()["code"] == 1 and "entity_statuses" in r.json()["message"]
    r = client.get(s["url"], params={"campaign_ids": "12a"}, headers=s["h"])
    assert r.status_code == 400 and "campaign_ids" in r.json()["message"]
    r = client.get(s["url"], params={"order": "SIDEWAYS"}, headers=s["h"])
    assert r.status_code == 400 and "order" in r.json()["message"]
    bm = client.get(s["url"], params={"page_size": 1}, headers=s["h"]).json()["bookmark"]
    r = client.get(s["url"], params={"page_size": 1, "bookmark": bm, "order": "DESCENDING"}, headers=s["h"])
    assert r.status_code == 400 and "bookmark" in r.json()["message"]


def test_auth_roles_and_not_found(client, s):
    c = campaign(client, s["tok"], s["acct"])
    url, one = s["url"], f"{s['url']}/{c['id']}"
    r = client.get(url)
    assert r.status_code == 401 and r.json()["code"] == 2
    pins_only = token(client, "p", scopes="pins:read")
    r = client.get(url, headers=bearer(pins_only))
    assert r.status_code == 401 and r.json()["code"] == 3 and "ads:read" in r.json()["message"]
    read_only = token(client, "alice", scopes="ads:read")
    r = client.post(url, json=[item(s)], headers=bearer(read_only))
    assert r.status_code == 401 and r.json()["code"] == 3 and "ads:write" in r.json()["message"]
    bob = token(client, "bob")
    r = client.get(one, headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29
    grant(client, s["acct"], "bob", ["ANALYST"])
    assert client.get(one, headers=bearer(bob)).status_code == 200
    assert client.get(url, headers=bearer(bob)).status_code == 200
    for method in (client.post, client.patch):
        r = method(url, json=[item(s, id=c["id"])], headers=bearer(bob))
        assert r.status_code == 403 and r.json()["code"] == 29
    grant(client, s["acct"], "bob", ["CAMPAIGN_MANAGER"])
    [res] = client.post(url, json=[item(s)], headers=bearer(bob)).json()["items"]
    assert res["exceptions"] == []
    r = client.get(f"{url}/123456", headers=s["h"])
    assert r.status_code == 404 and r.json()["code"] == 1012 and "123456" in r.json()["message"]
    other = ad_account(client, bob)["id"]
    bobs = campaign(client, bob, other)
    r = client.get(f"{url}/{bobs['id']}", headers=s["h"])  # exists, but in another account
    assert r.status_code == 404 and r.json()["code"] == 1012
    r = client.get("/v5/ad_accounts/999/campaigns", headers=s["h"])
    assert r.status_code == 404 and r.json()["code"] == 2


def test_new_dates_must_still_hold_the_live_ad_groups(client, s):
    now = campaign(client, s["tok"], s["acct"])["created_time"]
    c = campaign(client, s["tok"], s["acct"], start_time=now + 1_000, end_time=now + 100_000)
    g = ad_group(client, s["tok"], s["acct"], c["id"], start_time=now + 2_000, end_time=now + 50_000)
    archived = ad_group(client, s["tok"], s["acct"], c["id"], start_time=now + 1_000, end_time=now + 90_000)
    r = client.patch(f"/v5/ad_accounts/{s['acct']}/ad_groups", json=[{"id": archived["id"], "status": "ARCHIVED"}],
                     headers=s["h"])
    assert r.json()["items"][0]["data"]["status"] == "ARCHIVED", r.text

    ref = {"ad_account_id": s["acct"], "id": c["id"]}
    res = patch(client, s, {**ref, "start_time": now + 3_000}, {**ref, "end_time": now + 40_000},
                {**ref, "start_time": now + 60_000, "end_time": now + 200_000},
                {**ref, "end_time": now + 1_500, "start_time": now + 1_000})
    msg = failed(res[0], 1520, "start_time")
    assert g["id"] in msg and str(now + 2_000) in msg and archived["id"] not in msg
    msg = failed(res[1], 1520, "end_time")
    assert g["id"] in msg and str(now + 50_000) in msg
    failed(res[2], 1520, "start_time")
    assert g["id"] in failed(res[3], 1520, "end_time")
    got = client.get(f"{s['url']}/{c['id']}", headers=s["h"]).json()
    assert (got["start_time"], got["end_time"]) == (now + 1_000, now + 100_000)  # nothing written

    # Moves that keep the ad group inside pass, also past the ARCHIVED ad group's dates (it is not live).
    res = patch(client, s, {**ref, "start_time": now + 2_000, "end_time": now + 50_000})
    assert res[0]["exceptions"] == [] and res[0]["data"]["start_time"] == now + 2_000
    assert res[0]["data"]["end_time"] == now + 50_000
    # Removing the end leaves nothing to fall outside of.
    res = patch(client, s, {**ref, "end_time": None})
    assert res[0]["exceptions"] == [] and res[0]["data"]["end_time"] is None

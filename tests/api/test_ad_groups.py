"""ad_groups: list, create, update, get, and bid floors — through HTTP."""

from __future__ import annotations

import pytest

from tests.factories import ad_account, ad_group, bearer, campaign, collect_pages, grant, token

AD_GROUP_KEYS = {"name", "status", "budget_in_micro_currency", "bid_in_micro_currency", "optimization_goal_metadata",
                 "budget_type", "start_time", "end_time", "targeting_spec", "lifetime_frequency_cap", "tracking_urls",
                 "auto_targeting_enabled", "placement_group", "pacing_delivery_type", "campaign_id", "billable_event",
                 "bid_strategy_type", "id", "ad_account_id", "created_time", "updated_time", "type",
                 "conversion_learning_mode_type", "summary_status", "feed_profile_id", "dca_assets"}
FAR = 4_102_444_800  # 2100-01-01


@pytest.fixture
def s(client):
    tok = token(client, "alice")
    acct = ad_account(client, tok)["id"]
    c = campaign(client, tok, acct)  # CONSIDERATION, not CBO
    return {"tok": tok, "h": bearer(tok), "acct": acct, "campaign": c["id"],
            "url": f"/v5/ad_accounts/{acct}/ad_groups"}


def post(client, s, *items):
    r = client.post(s["url"], json=list(items), headers=s["h"])
    assert r.status_code == 200, r.text
    return r.json()["items"]


def patch(client, s, *items):
    r = client.patch(s["url"], json=list(items), headers=s["h"])
    assert r.status_code == 200, r.text
    return r.json()["items"]


def item(s, **fields):
    return {"campaign_id": s["campaign"], "name": "Group", "billable_event": "CLICKTHROUGH",
            "budget_in_micro_currency": 20_000_000, "bid_in_micro_currency": 1_000_000, **fields}


def failed(result, code, field):
    assert result["data"] == {} and len(result["exceptions"]) == 1, result
    exc = result["exceptions"][0]
    assert exc["code"] == code and field in exc["message"], exc
    return exc["message"]


def test_create_get_and_defaults(client, s):
    targeting = {"LOCATION": ["US", "807"], "AGE_BUCKET": ["25-34"], "GENDER": ["female"], "APPTYPE": ["iphone"],
                 "INTEREST": ["925056443165"], "KEYWORD": ["shoes"]}
    [res] = post(client, s, item(s, targeting_spec=targeting, tracking_urls={"impression": ["https://t.example/i"]},
                                 campaign_id="C" + s["campaign"]))
    g = res["data"]
    assert res["exceptions"] == [] and set(g) == AD_GROUP_KEYS
    assert g["campaign_id"] == s["campaign"] and g["ad_account_id"] == s["acct"] and g["type"] == "adgroup"
    assert g["status"] == "ACTIVE" and g["summary_status"] == "RUNNING" and g["budget_type"] == "DAILY"
    assert g["targeting_spec"] == targeting and g["tracking_urls"] == {"impression": ["https://t.example/i"]}
    assert g["placement_group"] == "ALL" and g["pacing_delivery_type"] == "STANDARD"
    assert g["auto_targeting_enabled"] is True and g["bid_strategy_type"] == "MAX_BID"
    assert g["start_time"] == g["created_time"] and g["end_time"] is None and g["lifetime_frequency_cap"] == -1
    r = client.get(f"{s['url']}/{g['id']}", headers=s["h"])
    assert r.status_code == 200 and r.json() == g
    r = client.get(s["url"], params={"translate_interests_to_names": "true"}, headers=s["h"])
    assert r.status_code == 200 and r.json()["items"] == [g]


def test_batch_partial_failure_and_shape_errors(client, s):
    res = post(client, s, item(s, name="ok"), item(s, campaign_id="123"), {"name": "no campaign", "billable_event": "IMPRESSION"},
               item(s, targeting_spec={"GENDER": ["robot"]}), item(s, placement_group="NOWHERE"))
    assert res[0]["data"]["name"] == "ok"
    assert "invalid gids" in failed(res[1], 1012, "campaign")
    failed(res[2], 1, "campaign_id")
    failed(res[3], 1, "targeting_spec.GENDER")
    failed(res[4], 1, "placement_group")
    assert [g["name"] for g in collect_pages(client, s["url"], s["h"])] == ["ok"]
    for body in ([], [item(s)] * 31, item(s)):
        r = client.post(s["url"], json=body, headers=s["h"])
        assert r.status_code == 400 and r.json()["code"] == 1


def test_budget_rules(client, s):
    res = post(client, s, item(s, budget_in_micro_currency=None), item(s, budget_in_micro_currency=-5),
               item(s, budget_in_micro_currency=10), item(s, budget_type="LIFETIME"),
               item(s, budget_type="CBO_ADGROUP"), item(s, budget_type="LIFETIME", end_time=FAR))
    assert "required" in failed(res[0], 1540, "budget_in_micro_currency")
    failed(res[1], 1540, "budget_in_micro_currency")
    assert "minimum" in failed(res[2], 1540, "budget_in_micro_currency")
    failed(res[3], 1540, "end_time")
    failed(res[4], 1540, "budget_type")
    assert res[5]["data"]["budget_type"] == "LIFETIME" and res[5]["data"]["end_time"] == FAR


def test_cbo_campaign_ad_groups(client, s):
    cbo = campaign(client, s["tok"], s["acct"], objective_type="AWARENESS", daily_spend_cap=50_000_000,
                   is_campaign_budget_optimization=True)
    assert cbo["is_campaign_budget_optimization"] is True
    base = {"campaign_id": cbo["id"], "name": "g", "billable_event": "IMPRESSION", "bid_in_micro_currency": 3_000_000}
    res = post(client, s, base, {**base, "budget_in_micro_currency": 5_000_000}, {**base, "start_time": FAR - 10},
               {**base, "budget_type": "DAILY"}, {**base, "pacing_delivery_type": "ACCELERATED"})
    g = res[0]["data"]
    assert g["budget_type"] == "CBO_ADGROUP" and g["budget_in_micro_currency"] is None and g["start_time"] is None
    failed(res[1], 1540, "budget_in_micro_currency")
    failed(res[2], 1520, "start_time")
    failed(res[3], 1540, "budget_type")
    failed(res[4], 1540, "pacing_delivery_type")


def test_billable_event_bid_and_goal_rules(client, s):
    res = post(client, s, item(s, billable_event="IMPRESSION"), item(s, bid_in_micro_currency=None),
               item(s, bid_in_micro_currency=None, bid_strategy_type="AUTOMATIC_BID"),
               item(s, bid_strategy_type="AUTOMATIC_BID"), item(s, bid_in_micro_currency=0),
               item(s, bid_in_micro_currency=50_000), item(s, lifetime_frequency_cap=5))
    assert "CONSIDERATION" in failed(res[0], 1560, "billable_event")
    failed(res[1], 1550, "bid_in_micro_currency")
    assert res[2]["data"]["bid_strategy_type"] == "AUTOMATIC_BID" and res[2]["data"]["bid_in_micro_currency"] is None
    failed(res[3], 1550, "bid_in_micro_currency")
    failed(res[4], 1550, "bid_in_micro_currency")
    assert "bid floor" in failed(res[5], 1550, "bid_in_micro_currency")
    failed(res[6], 1561, "lifetime_frequency_cap")
    conv = campaign(client, s["tok"], s["acct"], objective_type="WEB_CONVERSION")
    base = {"campaign_id": conv["id"], "name": "g", "billable_event": "IMPRESSION", "budget_in_micro_currency": 9_000_000}
    goal = {"conversion_tag_v3_goal_metadata": {"conversion_tag_id": "42", "conversion_event": "CHECKOUT",
                                                "learning_mode_type": "ACTIVE"}}
    res = post(client, s, base, {**base, "optimization_goal_metadata": goal},
               {**base, "optimization_goal_metadata": goal, "lifetime_frequency_cap": 3, "end_time": FAR})
    failed(res[0], 1561, "optimization_goal_metadata")
    assert res[1]["data"]["optimization_goal_metadata"] == goal
    assert res[1]["data"]["conversion_learning_mode_type"] == "ACTIVE"
    assert res[2]["data"]["lifetime_frequency_cap"] == 3


def test_bid_floor_matches_the_ad_group_rule(client, s):
    r = client.post(f"/v5/ad_accounts/{s['acct']}/bid_floor", headers=s["h"], json={
        "bid_floor_specs": [{"billable_event": "CLICKTHROUGH", "currency": "USD", "objective_type": "CONSIDERATION",
                             "countries": ["US"]},
                            {"billable_event": "CLICKTHROUGH", "currency": "USD", "objective_type": "CONSIDERATION",
                             "countries": ["BR"]},
                            {"billable_event": "IMPRESSION", "currency": "JPY", "creative_type": "VIDEO"},
                            {"billable_event": "CLICKTHROUGH", "currency": "USD"}],
        "targeting_spec": {"LOCATION": ["IN"]}})
    assert r.status_code == 200, r.text
    floors = r.json()["bid_floors"]
    assert r.json()["type"] == "bidfloor" and all(isinstance(f, int) and f > 0 for f in floors)
    us, br, jpy_video, india = floors
    assert br < us and india < br and jpy_video > us
    res = post(client, s, item(s, bid_in_micro_currency=us - 1, targeting_spec={"LOCATION": ["US"]}),
               item(s, bid_in_micro_currency=us, targeting_spec={"LOCATION": ["US"]}),
               item(s, bid_in_micro_currency=br, targeting_spec={"LOCATION": ["BR"]}))
    failed(res[0], 1550, "bid_in_micro_currency")
    assert res[1]["data"]["bid_in_micro_currency"] == us and res[2]["data"]["bid_in_micro_currency"] == br
    # deterministic
    again = client.post(f"/v5/ad_accounts/{s['acct']}/bid_floor", headers=s["h"], json={
        "bid_floor_specs": [{"billable_event": "CLICKTHROUGH", "currency": "USD", "objective_type": "CONSIDERATION",
                             "countries": ["US"]}]}).json()["bid_floors"]
    assert again == [us]


def test_bid_floor_errors_and_access(client, s):
    url = f"/v5/ad_accounts/{s['acct']}/bid_floor"
    for body, field in (({}, "bid_floor_specs"), ({"bid_floor_specs": [{"currency": "USD"}]}, "billable_event"),
                        ({"bid_floor_specs": [{"billable_event": "CLICKTHROUGH", "currency": "XXX"}]}, "currency"),
                        ({"bid_floor_specs": [{"billable_event": "CLICKTHROUGH", "currency": "UNK"}]}, "currency"),
                        ({"bid_floor_specs": [{"billable_event": "CLICK", "currency": "USD"}]}, "billable_event")):
        r = client.post(url, json=body, headers=s["h"])
        assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], (body, r.text)
    bob = token(client, "bob")
    spec = {"bid_floor_specs": [{"billable_event": "IMPRESSION", "currency": "USD"}]}
    assert client.post(url, json=spec, headers=bearer(bob)).status_code == 403
    grant(client, s["acct"], "bob", ["ANALYST"])
    assert client.post(url, json=spec, headers=bearer(bob)).json()["bid_floors"] == [2_000_000]
    r = client.post(url, json=spec, headers=bearer(token(client, "w", scopes="ads:write")))
    assert r.status_code == 401 and r.json()["code"] == 3


def test_times_within_the_campaign(client, s):
    now = campaign(client, s["tok"], s["acct"])["created_time"]
    c = campaign(client, s["tok"], s["acct"], objective_type="VIDEO_VIEW", start_time=now + 100, end_time=now + 10_000)
    base = {"campaign_id": c["id"], "name": "g", "billable_event": "VIDEO_V_50_MRC",
            "budget_in_micro_currency": 9_000_000, "bid_in_micro_currency": 500_000}
    res = post(client, s, base, {**base, "start_time": now + 50}, {**base, "end_time": now + 20_000},
               {**base, "start_time": now + 500, "end_time": now + 400})
    assert res[0]["data"]["start_time"] == now + 100 and res[0]["data"]["summary_status"] == "NOT_STARTED"
    failed(res[1], 1520, "start_time")
    failed(res[2], 1520, "end_time")
    failed(res[3], 1520, "end_time")


def test_targeting_location_values(client, s):
    [res] = post(client, s, item(s, targeting_spec={"LOCATION": ["Narnia"]}))
    failed(res, 1570, "targeting_spec.LOCATION")


def test_update_rules(client, s):
    g = ad_group(client, s["tok"], s["acct"], s["campaign"])
    other = campaign(client, s["tok"], s["acct"])
    draft = ad_group(client, s["tok"], s["acct"], s["campaign"], status="DRAFT")
    res = patch(client, s, {"id": g["id"], "name": "renamed", "status": "PAUSED", "budget_in_micro_currency": 8_000_000,
                            "targeting_spec": {"GENDER": ["male"]}, "tracking_urls": {}},
                {"id": g["id"], "billable_event": "IMPRESSION"},
                {"id": draft["id"], "budget_type": "LIFETIME", "end_time": FAR},
                {"id": g["id"], "campaign_id": other["id"]},
                {"id": "123", "name": "x"},
                {"id": g["id"], "status": "DRAFT"},
                {"id": g["id"], "budget_in_micro_currency": None})
    u = res[0]["data"]
    assert u["name"] == "renamed" and u["status"] == "PAUSED" and u["summary_status"] == "PAUSED"
    assert u["budget_in_micro_currency"] == 8_000_000 and u["targeting_spec"] == {"GENDER": ["male"]}
    assert u["tracking_urls"] is None and u["billable_event"] == g["billable_event"]
    failed(res[1], 1532, "billable_event")
    assert res[2]["data"]["budget_type"] == "LIFETIME"
    failed(res[3], 1, "campaign_id")
    failed(res[4], 1012, "ad group")
    failed(res[5], 1530, "status")
    failed(res[6], 1540, "budget_in_micro_currency")


def test_archived_ad_groups_and_campaigns(client, s):
    g = ad_group(client, s["tok"], s["acct"], s["campaign"])
    [a] = patch(client, s, {"id": g["id"], "status": "ARCHIVED"})
    assert a["data"]["status"] == "ARCHIVED"
    res = patch(client, s, {"id": g["id"], "status": "ACTIVE"}, {"id": g["id"], "budget_in_micro_currency": 9_000_000},
                {"id": g["id"], "name": "kept"})
    failed(res[0], 1530, "status")
    failed(res[1], 1531, "budget_in_micro_currency")
    assert res[2]["data"]["name"] == "kept"
    live = ad_group(client, s["tok"], s["acct"], s["campaign"])
    r = client.patch(f"/v5/ad_accounts/{s['acct']}/campaigns", headers=s["h"],
                     json=[{"id": s["campaign"], "ad_account_id": s["acct"], "status": "PAUSED"}])
    assert r.json()["items"][0]["data"]["status"] == "PAUSED"
    got = client.get(f"{s['url']}/{live['id']}", headers=s["h"]).json()
    assert got["status"] == "ACTIVE" and got["summary_status"] == "PAUSED"
    client.patch(f"/v5/ad_accounts/{s['acct']}/campaigns", headers=s["h"],
                 json=[{"id": s["campaign"], "ad_account_id": s["acct"], "status": "ARCHIVED"}])
    res = patch(client, s, {"id": live["id"], "bid_strategy_type": "MAX_BID"}, {"id": live["id"], "status": "ARCHIVED"})
    failed(res[0], 1531, "bid_strategy_type")
    assert res[1]["data"]["status"] == "ARCHIVED"


def test_list_filters_and_pagination(client, s):
    c2 = campaign(client, s["tok"], s["acct"])["id"]
    first = [ad_group(client, s["tok"], s["acct"], s["campaign"])["id"] for _ in range(3)]
    second = [ad_group(client, s["tok"], s["acct"], c2)["id"] for _ in range(2)]
    patch(client, s, {"id": first[0], "status": "ARCHIVED"})
    assert [g["id"] for g in collect_pages(client, s["url"], s["h"])] == first[1:] + second
    got = collect_pages(client, s["url"], s["h"], {"campaign_ids": s["campaign"], "entity_statuses": "ACTIVE,ARCHIVED"})
    assert [g["id"] for g in got] == first
    got = collect_pages(client, s["url"], s["h"], {"ad_group_ids": f"{second[1]},{first[2]}", "order": "DESCENDING"},
                        page_size=1)
    assert [g["id"] for g in got] == [second[1], first[2]]
    r = client.get(s["url"], params={"campaign_ids": s["campaign"], "ad_group_ids": first[1]}, headers=s["h"])
    assert r.status_code == 400 and r.json()["code"] == 1 and "campaign_ids" in r.json()["message"]
    r = client.get(s["url"], params={"ad_group_ids": ",".join(["1"] * 101)}, headers=s["h"])
    assert r.status_code == 400 and "ad_group_ids" in r.json()["message"]


def test_auth_roles_and_not_found(client, s):
    g = ad_group(client, s["tok"], s["acct"], s["campaign"])
    one = f"{s['url']}/{g['id']}"
    assert client.get(one).json()["code"] == 2
    r = client.get(one, headers=bearer(token(client, "p", scopes="boards:read")))
    assert r.status_code == 401 and r.json()["code"] == 3
    r = client.patch(s["url"], json=[{"id": g["id"]}], headers=bearer(token(client, "alice", scopes="ads:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "ads:write" in r.json()["message"]
    bob = token(client, "bob")
    assert client.get(one, headers=bearer(bob)).status_code == 403
    grant(client, s["acct"], "bob", ["ANALYST"])
    assert client.get(one, headers=bearer(bob)).json()["id"] == g["id"]
    r = client.post(s["url"], json=[item(s)], headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29
    grant(client, s["acct"], "bob", ["ADMIN"])
    assert client.post(s["url"], json=[item(s)], headers=bearer(bob)).json()["items"][0]["exceptions"] == []
    r = client.get(f"{s['url']}/42", headers=s["h"])
    assert r.status_code == 404 and r.json()["code"] == 1012 and "42" in r.json()["message"]
    r = client.get(f"{s['url']}/audience_sizing", headers=s["h"])
    assert r.status_code == 501  # a sibling operation, not a bad ad_group_id


def test_budget_and_bid_have_an_upper_bound(client, s):
    top = 10**15  # the campaign spend caps' bound (campaigns/service.py MAX_SPEND_CAP)
    res = post(client, s, item(s, budget_in_micro_currency=2**62), item(s, bid_in_micro_currency=2**62),
               item(s, budget_in_micro_currency=top + 1), item(s, bid_in_micro_currency=top + 1),
               item(s, budget_in_micro_currency=top, bid_in_micro_currency=top))
    assert "maximum" in failed(res[0], 1540, "budget_in_micro_currency")
    assert "maximum" in failed(res[1], 1550, "bid_in_micro_currency")
    failed(res[2], 1540, "budget_in_micro_currency")
    failed(res[3], 1550, "bid_in_micro_currency")
    g = res[4]["data"]
    assert res[4]["exceptions"] == [] and g["budget_in_micro_currency"] == top and g["bid_in_micro_currency"] == top
    res = patch(client, s, {"id": g["id"], "budget_in_micro_currency": 2**62}, {"id": g["id"], "bid_in_micro_currency": 2**62})
    failed(res[0], 1540, "budget_in_micro_currency")
    failed(res[1], 1550, "bid_in_micro_currency")
    # The default budget a campaign hands its ad groups when CBO is turned off has the same bound.
    r = client.post(f"/v5/ad_accounts/{s['acct']}/campaigns", headers=s["h"], json=[
        {"ad_account_id": s["acct"], "name": "x", "objective_type": "CONSIDERATION",
         "default_ad_group_budget_in_micro_currency": 2**62}])
    failed(r.json()["items"][0], 1540, "default_ad_group_budget_in_micro_currency")


def test_an_ad_group_cannot_start_after_its_campaign_ends(client, s):
    now = campaign(client, s["tok"], s["acct"])["created_time"]
    c = campaign(client, s["tok"], s["acct"], start_time=now + 100, end_time=now + 10_000)
    [res] = post(client, s, item(s, campaign_id=c["id"], start_time=now + 20_000))
    assert str(c["id"]) in failed(res, 1520, "start_time")

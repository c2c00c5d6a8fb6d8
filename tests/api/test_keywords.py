"""keywords: get, create, update and country keyword metrics — through HTTP."""

from __future__ import annotations

import hashlib
import math
import os

import pytest

from tests.factories import ad_account, ad_group, bearer, campaign, collect_pages, grant, token

KEYWORD_KEYS = {"archived", "id", "parent_id", "parent_type", "type", "bid", "match_type", "value"}
BUCKETS = {"5M+", "1M+", "100K+", "10K+", "1K+", "100+", "<100"}
ONLY_NEGATIVE = "Advertisers and Campaigns only accept excluded targeting attributes."


@pytest.fixture
def s(client):
    tok = token(client, "alice")
    acct = ad_account(client, tok)["id"]
    c = campaign(client, tok, acct)  # CONSIDERATION: CLICKTHROUGH ad groups, US bid floor 100,000
    g = ad_group(client, tok, acct, c["id"])
    return {"tok": tok, "h": bearer(tok), "acct": acct, "campaign": c["id"], "ad_group": g["id"],
            "url": f"/v5/ad_accounts/{acct}/keywords"}


def create(client, s, parent_id, *keywords):
    r = client.post(s["url"], json={"parent_id": parent_id, "keywords": list(keywords)}, headers=s["h"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"keywords", "errors"}
    return body


def update(client, s, *items):
    r = client.patch(s["url"], json={"keywords": list(items)}, headers=s["h"])
    assert r.status_code == 200, r.text
    return r.json()


def kw(value, match_type="BROAD", **fields):
    return {"value": value, "match_type": match_type, **fields}


def listed(client, s, **params):
    return collect_pages(client, s["url"], s["h"], params, page_size=25)


def bad_request(r, field):
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == 1 and field in body["message"], body
    return body["message"]


# -- create ----------------------------------------------------------------------------------------
def test_create_on_each_parent_kind_and_get_them_back(client, s):
    body = create(client, s, s["ad_group"], kw("  Red   Shoes "), kw("running shoes", "PHRASE", bid=250_000),
                  kw("shoes", "EXACT"), kw("cheap", "EXACT_NEGATIVE"), kw("free", "PHRASE_NEGATIVE"))
    assert body["errors"] == []
    got = body["keywords"]
    assert [k["value"] for k in got] == ["Red Shoes", "running shoes", "shoes", "cheap", "free"]
    for k in got:
        assert set(k) == KEYWORD_KEYS and k["type"] == "keyword" and k["archived"] is False
        assert k["parent_id"] == s["ad_group"] and k["parent_type"] == "ad_group"
    assert [k["bid"] for k in got] == [None, 250_000, None, None, None]
    assert [k["match_type"] for k in got] == ["BROAD", "PHRASE", "EXACT", "EXACT_NEGATIVE", "PHRASE_NEGATIVE"]
    assert listed(client, s, ad_group_id=s["ad_group"]) == got

    [c_kw] = create(client, s, "C" + s["campaign"], kw("used", "PHRASE_NEGATIVE"))["keywords"]
    assert c_kw["parent_id"] == s["campaign"] and c_kw["parent_type"] == "campaign"
    [c_kw2] = create(client, s, s["campaign"], kw("refurbished", "EXACT_NEGATIVE"))["keywords"]
    assert c_kw2["parent_type"] == "campaign"
    [a_kw] = create(client, s, s["acct"], kw("jobs", "EXACT_NEGATIVE"))["keywords"]
    assert a_kw["parent_id"] == s["acct"] and a_kw["parent_type"] == "advertiser"
    [g_kw] = create(client, s, "AG" + s["ad_group"], kw("sneakers"))["keywords"]
    assert g_kw["parent_type"] == "ad_group" and g_kw["parent_id"] == s["ad_group"]

    # no filter: only the keywords whose parent is the ad account itself (the reference's rule)
    assert listed(client, s) == [a_kw]
    assert listed(client, s, campaign_id=s["campaign"]) == [c_kw, c_kw2]
    assert listed(client, s, ad_group_id=s["ad_group"]) == got + [g_kw]
    assert listed(client, s, campaign_id=s["campaign"], ad_group_id=s["ad_group"]) == got + [g_kw]
    assert [k["value"] for k in listed(client, s, ad_group_id=s["ad_group"], match_types="EXACT_NEGATIVE,EXACT")] \
        == ["shoes", "cheap"]
    r = client.get(s["url"], params=[("ad_group_id", s["ad_group"]), ("match_types", "PHRASE"),
                                     ("match_types", "PHRASE_NEGATIVE")], headers=s["h"])
    assert [k["value"] for k in r.json()["items"]] == ["running shoes", "free"]


def test_per_keyword_errors_do_not_sink_the_good_ones(client, s):
    create(client, s, s["ad_group"], kw("boots"))
    body = create(client, s, s["ad_group"],
                  kw("sandals"),
                  kw("BOOTS"),                                    # duplicate of a stored keyword (case-insensitive)
                  kw("boots", "EXACT"),                           # other match type: fine
                  kw("slippers", "PHRASE"), kw("slippers ", "PHRASE"),  # duplicate within the request
                  kw("cheap", "EXACT_NEGATIVE", bid=200_000),     # negatives take no bid
                  kw("clogs", bid=99_999),                        # below the ad group's bid floor
                  kw("loafers", bid=100_000))                     # at the floor
    assert [k["value"] for k in body["keywords"]] == ["sandals", "boots", "slippers", "loafers"]
    errors = body["errors"]
    assert [e["data"] for e in errors] == [
        {"type": "keyword", "bid": None, "match_type": "BROAD", "value": "BOOTS"},
        {"type": "keyword", "bid": None, "match_type": "PHRASE", "value": "slippers"},
        {"type": "keyword", "bid": 200_000, "match_type": "EXACT_NEGATIVE", "value": "cheap"},
        {"type": "keyword", "bid": 99_999, "match_type": "BROAD", "value": "clogs"}]
    messages = [e["error_messages"] for e in errors]
    assert all(len(m) == 1 for m in messages)
    assert "'value'" in messages[0][0] and "already has" in messages[0][0]
    assert "'value'" in messages[1][0] and "already has" in messages[1][0]
    assert "'bid'" in messages[2][0] and "no bid" in messages[2][0]
    assert "'bid'" in messages[3][0] and "bid floor of 100000" in messages[3][0]
    assert sorted(k["value"] for k in listed(client, s, ad_group_id=s["ad_group"])) == \
        ["boots", "boots", "loafers", "sandals", "slippers"]


def test_advertisers_and_campaigns_take_negative_keywords_only(client, s):
    for parent in (s["acct"], "C" + s["campaign"]):
        body = create(client, s, parent, kw("foobar", "EXACT"), kw("foo", "BROAD"), kw("bar", "PHRASE"),
                      kw("baz", "PHRASE_NEGATIVE"))
        assert [k["value"] for k in body["keywords"]] == ["baz"]
        assert [e["data"]["value"] for e in body["errors"]] == ["foobar", "foo", "bar"]
        for e in body["errors"]:
            assert e["error_messages"][0].startswith(ONLY_NEGATIVE) and "'match_type'" in e["error_messages"][0]
    # the reference's example: nothing written, the keyword comes back in "errors"
    body = create(client, s, s["acct"], kw("foobar", "EXACT"))
    assert body["keywords"] == [] and body["errors"][0]["data"]["match_type"] == "EXACT"


def test_archived_parents_take_no_keywords(client, s):
    g2 = ad_group(client, s["tok"], s["acct"], s["campaign"])["id"]
    r = client.patch(f"/v5/ad_accounts/{s['acct']}/ad_groups", json=[{"id": g2, "status": "ARCHIVED"}], headers=s["h"])
    assert r.json()["items"][0]["exceptions"] == []
    body = create(client, s, g2, kw("tents"))
    assert body["keywords"] == [] and "ARCHIVED" in body["errors"][0]["error_messages"][0]
    [live] = create(client, s, s["ad_group"], kw("tents"))["keywords"]
    update(client, s, {"id": live["id"], "archived": True})
    r = client.patch(f"/v5/ad_accounts/{s['acct']}/campaigns", headers=s["h"],
                     json=[{"id": s["campaign"], "ad_account_id": s["acct"], "status": "ARCHIVED"}])
    assert r.json()["items"][0]["exceptions"] == []
    for parent in (s["ad_group"], "C" + s["campaign"]):
        body = create(client, s, parent, kw("stoves", "EXACT_NEGATIVE"))
        assert body["keywords"] == [] and "ARCHIVED" in body["errors"][0]["error_messages"][0]
    body = update(client, s, {"id": live["id"], "archived": False})
    assert body["keywords"] == [] and "ARCHIVED" in body["errors"][0]["error_messages"][0]


def test_create_shape_errors_are_400_naming_the_field(client, s):
    url, h, g = s["url"], s["h"], s["ad_group"]
    cases = [
        ({"keywords": [kw("a")]}, "parent_id"),
        ({"parent_id": g}, "keywords"),
        ({"parent_id": g, "keywords": []}, "keywords"),
        ({"parent_id": g, "keywords": kw("a")}, "keywords"),
        ({"parent_id": "X" + g, "keywords": [kw("a")]}, "parent_id"),
        ({"parent_id": "1" * 19, "keywords": [kw("a")]}, "parent_id"),
        ({"parent_id": g, "keywords": [kw("a"), {"value": "b"}]}, "keywords.1.match_type"),
        ({"parent_id": g, "keywords": [kw("a", "FUZZY")]}, "keywords.0.match_type"),
        ({"parent_id": g, "keywords": [kw("a", None)]}, "keywords.0.match_type"),
        ({"parent_id": g, "keywords": [{"match_type": "BROAD"}]}, "keywords.0.value"),
        ({"parent_id": g, "keywords": [kw("x" * 121)]}, "keywords.0.value"),
        ({"parent_id": g, "keywords": [kw("   ")]}, "keywords.0.value"),
        ({"parent_id": g, "keywords": [kw("\u200b")]}, "keywords.0.value"),  # a zero-width space only
        ({"parent_id": g, "keywords": [kw(" \u200b\ufeff ")]}, "keywords.0.value"),
        ({"parent_id": g, "keywords": [kw(42)]}, "keywords.0.value"),
        ({"parent_id": g, "keywords": [kw("a", bid=0)]}, "keywords.0.bid"),
        ({"parent_id": g, "keywords": [kw("a", bid=-5)]}, "keywords.0.bid"),
        ({"parent_id": g, "keywords": [kw("a", bid=10**13)]}, "keywords.0.bid"),
        ({"parent_id": g, "keywords": [kw("a", bid=1.5)]}, "keywords.0.bid"),
        ({"parent_id": g, "keywords": [kw("a", bid="lots")]}, "keywords.0.bid"),
        ({"parent_id": g, "keywords": [kw("a", bid=True)]}, "keywords.0.bid"),
        ({"parent_id": g, "keywords": [kw(str(i)) for i in range(2001)]}, "keywords"),
    ]
    for body, field in cases:
        bad_request(client.post(url, json=body, headers=h), field)
    r = client.post(url, content=b"{not json", headers={**h, "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 1
    # nothing was written by any of them
    assert listed(client, s, ad_group_id=g) == []
    # 120 characters is fine
    assert create(client, s, g, kw("x" * 120))["keywords"][0]["value"] == "x" * 120


# -- update ----------------------------------------------------------------------------------------
def test_update_bid_archive_and_unarchive(client, s):
    a, b, n = create(client, s, s["ad_group"], kw("tents", bid=150_000), kw("tarps"), kw("cheap", "EXACT_NEGATIVE"))[
        "keywords"]
    body = update(client, s, {"id": a["id"], "bid": 300_000}, {"id": b["id"], "archived": True})
    assert body["errors"] == []
    a2, b2 = body["keywords"]
    assert a2 == {**a, "bid": 300_000}
    assert b2 == {**b, "archived": True}
    assert [k["id"] for k in listed(client, s, ad_group_id=s["ad_group"])] == [a["id"], n["id"]]
    # bid null: back to the ad group's bid; an update with nothing to change keeps the keyword
    [a3] = update(client, s, {"id": a["id"], "bid": None})["keywords"]
    assert a3["bid"] is None
    assert update(client, s, {"id": a["id"]})["keywords"] == [a3]
    # the reference's example: archiving with a bid is accepted
    [n2] = update(client, s, {"id": n["id"], "archived": True, "bid": 20000})["keywords"]
    assert n2["archived"] is True and n2["bid"] == 20000
    # coming back: a negative keyword still takes no bid
    body = update(client, s, {"id": n["id"], "archived": False})
    assert body["keywords"] == [] and "'bid'" in body["errors"][0]["error_messages"][0]
    [n3] = update(client, s, {"id": n["id"], "archived": False, "bid": None})["keywords"]
    assert n3["archived"] is False and n3["bid"] is None
    # un-archiving into a duplicate fails; archiving the live one first lets it back
    [b_again] = create(client, s, s["ad_group"], kw("Tarps"))["keywords"]
    body = update(client, s, {"id": b["id"], "archived": False})
    assert body["keywords"] == [] and body["errors"][0]["data"] == b2
    assert "already has" in body["errors"][0]["error_messages"][0]
    body = update(client, s, {"id": b_again["id"], "archived": True}, {"id": b["id"], "archived": False})
    assert body["errors"] == [] and [k["archived"] for k in body["keywords"]] == [True, False]


def test_update_per_keyword_errors_do_not_sink_the_good_ones(client, s):
    a, n = create(client, s, s["ad_group"], kw("tents"), kw("cheap", "PHRASE_NEGATIVE"))["keywords"]
    body = update(client, s, {"id": a["id"], "bid": 50}, {"id": n["id"], "bid": 500_000})
    assert body["keywords"] == []
    assert [e["data"] for e in body["errors"]] == [a, n]
    assert "bid floor" in body["errors"][0]["error_messages"][0]
    assert "no bid" in body["errors"][1]["error_messages"][0]
    g2 = ad_group(client, s["tok"], s["acct"], s["campaign"])["id"]
    [b] = create(client, s, g2, kw("tarps"))["keywords"]
    body = update(client, s, {"id": a["id"], "bid": 50}, {"id": b["id"], "bid": 120_000},
                  {"id": n["id"], "archived": True})
    assert [k["id"] for k in body["keywords"]] == [b["id"], n["id"]] and len(body["errors"]) == 1
    assert listed(client, s, ad_group_id=g2)[0]["bid"] == 120_000
    assert listed(client, s, ad_group_id=s["ad_group"]) == [a]  # unchanged, and n archived


def test_update_shape_errors_and_unknown_ids(client, s):
    [a] = create(client, s, s["ad_group"], kw("tents"))["keywords"]
    url, h = s["url"], s["h"]
    cases = [
        ({}, "keywords"),
        ({"keywords": []}, "keywords"),
        ({"keywords": [{"bid": 200_000}]}, "keywords.0.id"),
        ({"keywords": [{"id": "12a"}]}, "keywords.0.id"),
        ({"keywords": [{"id": a["id"], "bid": 0}]}, "keywords.0.bid"),
        ({"keywords": [{"id": a["id"], "archived": "maybe"}]}, "keywords.0.archived"),
        ({"keywords": [{"id": a["id"], "archived": 1}]}, "keywords.0.archived"),
        ({"keywords": [{"id": a["id"]}, {"id": a["id"], "bid": 200_000}]}, "keywords.1.id"),
    ]
    for body, field in cases:
        bad_request(client.patch(url, json=body, headers=h), field)
    r = client.patch(url, json={"keywords": [{"id": a["id"], "bid": 200_000}, {"id": "123456"}]}, headers=h)
    assert r.status_code == 404 and r.json()["code"] == 1012 and "123456" in r.json()["message"]
    # another account's keyword is unknown here
    bob = token(client, "bob")
    other = ad_account(client, bob)["id"]
    [theirs] = client.post(f"/v5/ad_accounts/{other}/keywords", headers=bearer(bob), json={
        "parent_id": other, "keywords": [kw("x", "EXACT_NEGATIVE")]}).json()["keywords"]
    r = client.patch(url, json={"keywords": [{"id": theirs["id"], "archived": True}]}, headers=h)
    assert r.status_code == 404 and r.json()["code"] == 1012 and theirs["id"] in r.json()["message"]
    # the whole request was refused: the good item was not written
    assert listed(client, s, ad_group_id=s["ad_group"]) == [a]


# -- get -------------------------------------------------------------------------------------------
def test_list_pagination_to_the_end(client, s):
    values = [f"keyword {i:02d}" for i in range(7)]
    made = create(client, s, s["ad_group"], *[kw(v) for v in values], kw("skip me", "EXACT"))["keywords"]
    pages = collect_pages(client, s["url"], s["h"], {"ad_group_id": s["ad_group"], "match_types": "BROAD"},
                          page_size=3)
    assert [k["value"] for k in pages] == values
    r = client.get(s["url"], params={"ad_group_id": s["ad_group"], "page_size": 8}, headers=s["h"])
    assert [k["id"] for k in r.json()["items"]] == [k["id"] for k in made] and r.json()["bookmark"] is None
    first = client.get(s["url"], params={"ad_group_id": s["ad_group"], "page_size": 3}, headers=s["h"]).json()
    assert len(first["items"]) == 3 and first["bookmark"]
    r = client.get(s["url"], params={"ad_group_id": s["ad_group"], "page_size": 3, "bookmark": first["bookmark"],
                                     "match_types": "EXACT"}, headers=s["h"])
    bad_request(r, "bookmark")
    bad_request(client.get(s["url"], params={"bookmark": "forged"}, headers=s["h"]), "bookmark")


def test_list_parameter_errors_and_unknown_parents(client, s):
    url, h = s["url"], s["h"]
    bad_request(client.get(url, params={"campaign_id": "12a"}, headers=h), "campaign_id")
    bad_request(client.get(url, params={"ad_group_id": "1" * 19}, headers=h), "ad_group_id")
    bad_request(client.get(url, params={"match_types": "FUZZY"}, headers=h), "match_types")
    bad_request(client.get(url, params={"match_types": "BROAD,PHRASE,EXACT,EXACT_NEGATIVE,PHRASE_NEGATIVE,BROAD"},
                           headers=h), "match_types")
    bad_request(client.get(url, params={"match_types": ","}, headers=h), "match_types")
    bad_request(client.get(url, params={"page_size": 251}, headers=h), "page_size")
    c2 = campaign(client, s["tok"], s["acct"])["id"]
    bad_request(client.get(url, params={"campaign_id": c2, "ad_group_id": s["ad_group"]}, headers=h), "ad_group_id")
    for params in ({"campaign_id": "123"}, {"ad_group_id": "123"}, {"campaign_id": s["ad_group"]},
                   {"ad_group_id": s["campaign"]}):
        r = client.get(url, params=params, headers=h)
        assert r.status_code == 404 and r.json()["code"] == 1012 and list(params)[0] in r.json()["message"]


# -- metrics ---------------------------------------------------------------------------------------
def documented_metrics(keyword: str, country: str, tier: int, currency_per_usd: float) -> dict:
    """The rule of the service's docstring, recomputed independently."""
    key = " ".join(keyword.split()).casefold()
    h = hashlib.sha256(f"{key}|{country}".encode()).digest()
    u1, u2 = int.from_bytes(h[:8], "big") / 2**64, int.from_bytes(h[8:16], "big") / 2**64
    words = max(1, min(len(key.split()), 6))
    volume = 10 ** (2 + 5.5 * u1 - 0.35 * (words - 1) + math.log10({1: 1, 2: 0.25, 3: 0.05}[tier]))
    bucket = next((label for low, label in ((5_000_000, "5M+"), (1_000_000, "1M+"), (100_000, "100K+"),
                                            (10_000, "10K+"), (1_000, "1K+"), (100, "100+")) if volume >= low), "<100")
    cpc = 100_000 * 10 ** (1.5 * u2) * {1: 1.0, 2: 0.6, 3: 0.3}[tier] * currency_per_usd
    return {"avg_cpc_in_micro_currency": math.ceil(round(cpc, 6) / 10_000) * 10_000, "keyword_query_volume": bucket}


def test_country_keyword_metrics_are_deterministic(client, s):
    murl = s["url"] + "/metrics"
    words = ["animals", "fashion outfits", "christmas decor ideas", "Animals", "animals"]
    r = client.get(murl, params={"country_code": "US", "keywords": ",".join(words)}, headers=s["h"])
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert [d["keyword"] for d in data] == ["animals", "fashion outfits", "christmas decor ideas", "Animals"]
    for d in data:
        assert set(d["metrics"]) == {"avg_cpc_in_micro_currency", "keyword_query_volume"}
        assert d["metrics"]["keyword_query_volume"] in BUCKETS
        assert d["metrics"] == documented_metrics(d["keyword"], "US", 1, 1)
        assert d["metrics"]["avg_cpc_in_micro_currency"] >= 100_000  # the US CLICKTHROUGH floor in USD
    assert data[0]["metrics"] == data[3]["metrics"]  # case-insensitive
    # repeated and comma-joined forms, and another call, answer the same
    again = client.get(murl, params=[("country_code", "US"), ("keywords", "fashion outfits"),
                                     ("keywords", "animals")], headers=s["h"]).json()["data"]
    assert again == [data[1], data[0]]
    # other countries: a tier-3 market, and a GBP account (same keyword, scaled cost)
    br = client.get(murl, params={"country_code": "BR", "keywords": "animals"}, headers=s["h"]).json()["data"][0]
    assert br["metrics"] == documented_metrics("animals", "BR", 2, 1)
    ng = client.get(murl, params={"country_code": "NG", "keywords": "animals"}, headers=s["h"]).json()["data"][0]
    assert ng["metrics"] == documented_metrics("animals", "NG", 3, 1)
    gb_acct = ad_account(client, s["tok"], country="GB")
    assert gb_acct["currency"] == "GBP"
    gb = client.get(f"/v5/ad_accounts/{gb_acct['id']}/keywords/metrics", params={"country_code": "US",
                                                                                 "keywords": "animals"},
                    headers=s["h"]).json()["data"][0]
    assert gb["metrics"] == documented_metrics("animals", "US", 1, 0.8)
    assert gb["metrics"]["keyword_query_volume"] == data[0]["metrics"]["keyword_query_volume"]
    # plausible spread: many keywords fall in several buckets and cost levels
    many = client.get(murl, params={"country_code": "US", "keywords": ",".join(f"idea {i}" for i in range(200))},
                      headers=s["h"]).json()["data"]
    assert len(many) == 200
    assert len({d["metrics"]["keyword_query_volume"] for d in many}) >= 4
    assert len({d["metrics"]["avg_cpc_in_micro_currency"] for d in many}) >= 50


def test_country_keyword_metrics_parameter_errors(client, s):
    murl, h = s["url"] + "/metrics", s["h"]
    bad_request(client.get(murl, params={"keywords": "a"}, headers=h), "country_code")
    bad_request(client.get(murl, params={"country_code": "XX", "keywords": "a"}, headers=h), "country_code")
    bad_request(client.get(murl, params={"country_code": "us", "keywords": "a"}, headers=h), "country_code")
    bad_request(client.get(murl, params={"country_code": "US"}, headers=h), "keywords")
    bad_request(client.get(murl, params={"country_code": "US", "keywords": " , "}, headers=h), "keywords")
    bad_request(client.get(murl, params={"country_code": "US", "keywords": "x" * 121}, headers=h), "keywords")
    bad_request(client.get(murl, params={"country_code": "US", "keywords": ",".join(["k"] * 2001)}, headers=h),
                "keywords")


# -- auth ------------------------------------------------------------------------------------------
def test_auth_roles_and_not_found(client, s):
    url, murl = s["url"], s["url"] + "/metrics"
    body = {"parent_id": s["ad_group"], "keywords": [kw("tents")]}
    metrics = {"country_code": "US", "keywords": "tents"}
    for r in (client.get(url), client.post(url, json=body), client.patch(url, json={"keywords": [{"id": "1"}]}),
              client.get(murl, params=metrics)):
        assert r.status_code == 401 and r.json()["code"] == 2
    pins_only = bearer(token(client, "p", scopes="pins:read"))
    for r in (client.get(url, headers=pins_only), client.get(murl, params=metrics, headers=pins_only)):
        assert r.status_code == 401 and r.json()["code"] == 3 and "ads:read" in r.json()["message"]
    read_only = bearer(token(client, "alice", scopes="ads:read"))
    assert client.get(url, headers=read_only).status_code == 200
    for r in (client.post(url, json=body, headers=read_only),
              client.patch(url, json={"keywords": [{"id": "1"}]}, headers=read_only)):
        assert r.status_code == 401 and r.json()["code"] == 3 and "ads:write" in r.json()["message"]

    [mine] = create(client, s, s["ad_group"], kw("tents"))["keywords"]
    bob = bearer(token(client, "bob"))
    for r in (client.get(url, headers=bob), client.get(murl, params=metrics, headers=bob),
              client.post(url, json=body, headers=bob),
              client.patch(url, json={"keywords": [{"id": mine["id"], "archived": True}]}, headers=bob)):
        assert r.status_code == 403 and r.json()["code"] == 29
    grant(client, s["acct"], "bob", ["ANALYST"])
    assert client.get(url, params={"ad_group_id": s["ad_group"]}, headers=bob).json()["items"] == [mine]
    assert client.get(murl, params=metrics, headers=bob).status_code == 200
    for r in (client.post(url, json={**body, "keywords": [kw("tarps")]}, headers=bob),
              client.patch(url, json={"keywords": [{"id": mine["id"], "archived": True}]}, headers=bob)):
        assert r.status_code == 403 and r.json()["code"] == 29
    grant(client, s["acct"], "bob", ["CAMPAIGN_MANAGER"])
    r = client.post(url, json={**body, "keywords": [kw("tarps")]}, headers=bob)
    assert r.status_code == 200 and r.json()["errors"] == []

    # parents of another account are unknown here
    bob_acct = ad_account(client, token(client, "bob"))["id"]
    bob_campaign = campaign(client, token(client, "bob"), bob_acct)["id"]
    for parent in (bob_acct, bob_campaign, "C" + bob_campaign, "AG" + s["campaign"], "C" + s["ad_group"], "123"):
        r = client.post(url, json={"parent_id": parent, "keywords": [kw("x", "EXACT_NEGATIVE")]}, headers=s["h"])
        assert r.status_code == 404 and r.json()["code"] == 1012 and "parent_id" in r.json()["message"], parent
    r = client.get(url, params={"campaign_id": bob_campaign}, headers=s["h"])
    assert r.status_code == 404 and r.json()["code"] == 1012
    for r in (client.get("/v5/ad_accounts/999/keywords", headers=s["h"]),
              client.post("/v5/ad_accounts/999/keywords", json=body, headers=s["h"]),
              client.patch("/v5/ad_accounts/999/keywords", json={"keywords": [{"id": mine["id"]}]}, headers=s["h"]),
              client.get("/v5/ad_accounts/999/keywords/metrics", params=metrics, headers=s["h"])):
        assert r.status_code == 404 and r.json()["code"] == 2


# -- for the delivery simulator ---------------------------------------------------------------------
@pytest.mark.skipif(bool(os.environ.get("PINSANDBOX_TEST_URL")), reason="reads the in-process store")
def test_keywords_for_ad_group(client, store, s):
    from pinsandbox.ads.keywords.service import keywords_for_ad_group

    a, b, _, d = create(client, s, s["ad_group"], kw("tents"), kw("Camping Stoves", "PHRASE"),
                        kw("cheap", "EXACT_NEGATIVE"), kw("tarps", "EXACT"))["keywords"]
    create(client, s, "C" + s["campaign"], kw("used", "PHRASE_NEGATIVE"))
    g2 = ad_group(client, s["tok"], s["acct"], s["campaign"])["id"]
    create(client, s, g2, kw("lanterns"))
    update(client, s, {"id": d["id"], "archived": True})
    with store.read() as conn:
        assert keywords_for_ad_group(conn, s["ad_group"]) == [("tents", "BROAD"), ("Camping Stoves", "PHRASE")]
        assert keywords_for_ad_group(conn, int(g2)) == [("lanterns", "BROAD")]
        assert keywords_for_ad_group(conn, s["campaign"]) == []

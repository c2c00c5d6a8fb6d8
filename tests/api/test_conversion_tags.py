"""conversion_tags: list, create, get, ocpm_eligible, page_visit — through HTTP."""

from __future__ import annotations

import hashlib

import pytest

from tests.factories import ad_account, bearer, collect_pages, grant, token

TAG_KEYS = {"ad_account_id", "code_snippet", "enhanced_match_status", "id", "last_fired_time_ms", "name", "status",
            "version", "configs"}
DEFAULT_CONFIGS = {"aem_enabled": False, "md_frequency": 1, "aem_fnln_enabled": False, "aem_ph_enabled": False,
                   "aem_ge_enabled": False, "aem_db_enabled": False, "aem_loc_enabled": False}
EM = hashlib.sha256(b"ana@example.com").hexdigest()


@pytest.fixture
def s(client):
    tok = token(client, "alice")
    acct = ad_account(client, tok)["id"]
    return {"tok": tok, "h": bearer(tok), "acct": acct, "url": f"/v5/ad_accounts/{acct}/conversion_tags"}


def create_tag(client, s, **fields):
    r = client.post(s["url"], json={"name": "ACME Tag", **fields}, headers=s["h"])
    assert r.status_code == 200, r.text
    return r.json()


def now(client) -> int:
    import datetime as dt

    text = client.get("/_sandbox/clock").json()["now"]
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


def send(client, s, *events, test=False):
    params = {"test": "true"} if test else {}
    r = client.post(f"/v5/ad_accounts/{s['acct']}/events", json={"data": list(events)}, params=params, headers=s["h"])
    assert r.status_code == 200, r.text
    return r.json()


def event(name, t, event_id, **fields):
    return {"event_name": name, "action_source": "web", "event_time": t, "event_id": event_id,
            "user_data": {"em": [EM]}, **fields}


def test_create_get_list_and_shape(client, s):
    tag = create_tag(client, s)
    assert set(tag) == TAG_KEYS and tag["id"].isdigit() and tag["ad_account_id"] == s["acct"]
    assert tag["name"] == "ACME Tag" and tag["status"] == "ACTIVE" and tag["version"] == "3"
    assert tag["configs"] == DEFAULT_CONFIGS
    assert tag["last_fired_time_ms"] is None and tag["enhanced_match_status"] == "NOT_VALIDATED"
    assert f"pintrk('load', '{tag['id']}');" in tag["code_snippet"] and "s.pinimg.com/ct/core.js" in tag["code_snippet"]
    r = client.get(f"{s['url']}/{tag['id']}", headers=s["h"])
    assert r.status_code == 200 and r.json() == tag
    aem = create_tag(client, s, name="Enhanced", aem_enabled=True, md_frequency=0.6, aem_ph_enabled=None)
    assert aem["configs"] == {**DEFAULT_CONFIGS, "aem_enabled": True, "md_frequency": 0.6}
    assert aem["enhanced_match_status"] == "VALIDATING_IN_PROGRESS"
    assert "{em: '<user_email_address>'}" in aem["code_snippet"]
    r = client.get(s["url"], headers=s["h"])
    assert r.status_code == 200 and r.json() == {"items": [tag, aem]}


def test_events_fire_the_primary_tag(client, s):
    tag = create_tag(client, s, aem_enabled=True)
    later = create_tag(client, s, name="Second")
    t = now(client)
    send(client, s, event("checkout", t - 100, "a"), event("page_visit", t - 50, "b"))
    got = client.get(f"{s['url']}/{tag['id']}", headers=s["h"]).json()
    assert got["last_fired_time_ms"] == (t - 50) * 1000 and got["enhanced_match_status"] == "VALIDATION_COMPLETE"
    assert client.get(f"{s['url']}/{later['id']}", headers=s["h"]).json()["last_fired_time_ms"] is None
    send(client, s, event("checkout", t - 10, "c"), test=True)  # test events fire nothing
    assert client.get(f"{s['url']}/{tag['id']}", headers=s["h"]).json()["last_fired_time_ms"] == (t - 50) * 1000


def test_filter_deleted(client, s):
    keep, gone = create_tag(client, s, name="keep"), create_tag(client, s, name="gone")
    r = client.delete(f"/_sandbox/ad_accounts/{s['acct']}/conversion_tags/{gone['id']}")
    assert r.status_code == 200 and r.json()["status"] == "ARCHIVED"
    names = [t["name"] for t in client.get(s["url"], headers=s["h"]).json()["items"]]
    assert names == ["keep", "gone"]
    r = client.get(s["url"], params={"filter_deleted": "true"}, headers=s["h"])
    assert [t["id"] for t in r.json()["items"]] == [keep["id"]]
    assert client.get(f"{s['url']}/{gone['id']}", headers=s["h"]).json()["status"] == "ARCHIVED"
    r = client.get(s["url"], params={"filter_deleted": "maybe"}, headers=s["h"])
    assert r.status_code == 400 and r.json()["code"] == 1 and "filter_deleted" in r.json()["message"]
    r = client.delete(f"/_sandbox/ad_accounts/{s['acct']}/conversion_tags/123")
    assert r.status_code == 404
    r = client.delete(f"/_sandbox/ad_accounts/999/conversion_tags/{keep['id']}")
    assert r.status_code == 404 and r.json()["code"] == 2


def test_create_validation(client, s):
    cases = [({}, "name"), ({"name": ""}, "name"), ({"name": "   "}, "name"), ({"name": 12}, "name"),
             ({"name": "x" * 256}, "name"), ({"name": "x", "aem_enabled": "yes"}, "aem_enabled"),
             ({"name": "x", "md_frequency": 1.5}, "md_frequency"), ({"name": "x", "md_frequency": -0.1}, "md_frequency")]
    for body, field in cases:
        r = client.post(s["url"], json=body, headers=s["h"])
        assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], (body, r.text)
    r = client.post(s["url"], content=b"{", headers={**s["h"], "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 1
    assert client.get(s["url"], headers=s["h"]).json() == {"items": []}


def test_ocpm_eligible_follows_recent_events(client, s):
    url = f"{s['url']}/ocpm_eligible"
    assert client.get(url, headers=s["h"]).json() == {s["acct"]: []}
    tag = create_tag(client, s)
    t = now(client)
    send(client, s, event("checkout", t - 3600, "1"), event("add_to_cart", t - 6 * 86400, "2"),
         event("lead", t - 60, "3"))
    received = now(client)
    r = client.get(url, headers=s["h"])
    assert r.status_code == 200
    items = r.json()[s["acct"]]
    assert [i["conversion_event"] for i in items] == ["ADD_TO_CART", "CHECKOUT", "LEAD"]
    for i in items:
        assert i["conversion_tag_id"] == tag["id"] and i["ad_account_id"] == s["acct"]
        assert abs(i["created_time"] - received) <= 5
    # Two days on, the add_to_cart event is more than 7 days old: no longer eligible.
    client.put("/_sandbox/clock", json={"advance_seconds": 2 * 86400})
    items = client.get(url, headers=s["h"]).json()[s["acct"]]
    assert [i["conversion_event"] for i in items] == ["CHECKOUT", "LEAD"]
    # A deleted tag is never eligible.
    client.delete(f"/_sandbox/ad_accounts/{s['acct']}/conversion_tags/{tag['id']}")
    assert client.get(url, headers=s["h"]).json() == {s["acct"]: []}


def test_page_visit_pages_to_the_end(client, s):
    url = f"{s['url']}/page_visit"
    assert collect_pages(client, url, s["h"]) == []
    ids = []
    for i in range(5):
        ids.append(create_tag(client, s, name=f"t{i}")["id"])
        t = now(client)
        send(client, s, event("page_visit", t - 10, f"pv{i}"), event("checkout", t - 10, f"co{i}"))
        if i < 4:  # the next events go to the next tag
            client.delete(f"/_sandbox/ad_accounts/{s['acct']}/conversion_tags/{ids[-1]}")
    got = collect_pages(client, url, s["h"], page_size=2)
    assert [g["conversion_tag_id"] for g in got] == ids
    assert all(g["conversion_event"] == "PAGE_VISIT" and g["ad_account_id"] == s["acct"] for g in got)
    got = collect_pages(client, url, s["h"], {"order": "DESCENDING"}, page_size=3)
    assert [g["conversion_tag_id"] for g in got] == ids[::-1]
    r = client.get(url, params={"order": "SIDEWAYS"}, headers=s["h"])
    assert r.status_code == 400 and "order" in r.json()["message"]
    r = client.get(url, params={"page_size": 0}, headers=s["h"])
    assert r.status_code == 400 and "page_size" in r.json()["message"]
    bm = client.get(url, params={"page_size": 1}, headers=s["h"]).json()["bookmark"]
    r = client.get(url, params={"page_size": 1, "bookmark": bm, "order": "DESCENDING"}, headers=s["h"])
    assert r.status_code == 400 and "bookmark" in r.json()["message"]


def test_auth_roles_and_not_found(client, s):
    tag = create_tag(client, s)
    one = f"{s['url']}/{tag['id']}"
    reads = [s["url"], one, f"{s['url']}/ocpm_eligible", f"{s['url']}/page_visit"]
    for url in reads:
        r = client.get(url)
        assert r.status_code == 401 and r.json()["code"] == 2, url
        r = client.get(url, headers=bearer(token(client, "p", scopes="pins:read")))
        assert r.status_code == 401 and r.json()["code"] == 3 and "ads:read" in r.json()["message"], url
    read_only = token(client, "alice", scopes="ads:read")
    r = client.post(s["url"], json={"name": "x"}, headers=bearer(read_only))
    assert r.status_code == 401 and r.json()["code"] == 3 and "ads:write" in r.json()["message"]
    bob = token(client, "bob")
    for url in reads:
        r = client.get(url, headers=bearer(bob))
        assert r.status_code == 403 and r.json()["code"] == 29, url
    grant(client, s["acct"], "bob", ["RESOURCE_CONVERSION_TAGS_READER"])
    for url in reads:
        assert client.get(url, headers=bearer(bob)).status_code == 200, url
    r = client.post(s["url"], json={"name": "x"}, headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29
    grant(client, s["acct"], "bob", ["ANALYST"])
    assert client.get(one, headers=bearer(bob)).status_code == 200
    assert client.post(s["url"], json={"name": "x"}, headers=bearer(bob)).status_code == 403
    grant(client, s["acct"], "bob", ["CAMPAIGN_MANAGER"])
    assert client.post(s["url"], json={"name": "x"}, headers=bearer(bob)).status_code == 200
    r = client.get(f"{s['url']}/123456", headers=s["h"])
    assert r.status_code == 404 and "123456" in r.json()["message"]
    other = ad_account(client, bob)["id"]
    bobs = client.post(f"/v5/ad_accounts/{other}/conversion_tags", json={"name": "b"}, headers=bearer(bob)).json()
    r = client.get(f"{s['url']}/{bobs['id']}", headers=s["h"])  # exists, in another account
    assert r.status_code == 404
    for url in ("/v5/ad_accounts/999/conversion_tags", "/v5/ad_accounts/999/conversion_tags/ocpm_eligible",
                "/v5/ad_accounts/999/conversion_tags/page_visit", f"/v5/ad_accounts/999/conversion_tags/{tag['id']}"):
        r = client.get(url, headers=s["h"])
        assert r.status_code == 404 and r.json()["code"] == 2, url
    r = client.get("/v5/ad_accounts/12x/conversion_tags", headers=s["h"])
    assert r.status_code == 400 and "ad_account_id" in r.json()["message"]
    # A conversion token serves only the events endpoint.
    conv = client.post(f"/_sandbox/ad_accounts/{s['acct']}/conversion_token").json()["access_token"]
    r = client.get(s["url"], headers=bearer(conv))
    assert r.status_code == 401 and r.json()["code"] == 2

"""user_account: get (with the Business Access switch), linked businesses, followed interests."""

from tests.factories import ad_account, bearer, board, collect_pages, grant, pin, token


def test_get(client):
    tok = token(client, "alice")
    r = client.get("/v5/user_account", headers=bearer(tok))
    assert r.status_code == 200, r.text
    me = r.json()
    assert set(me) == {"account_type", "id", "profile_image", "website_url", "username", "about", "business_name",
                       "board_count", "pin_count", "follower_count", "following_count", "monthly_views"}
    assert me["username"] == "alice" and me["account_type"] == "BUSINESS" and me["id"].isdigit()
    assert me["board_count"] == 0 and me["pin_count"] == 0 and me["follower_count"] == 0
    assert me["following_count"] == 0 and me["monthly_views"] == 0
    b = board(client, tok)
    pin(client, tok, b["id"])
    pin(client, tok, b["id"])
    me = client.get("/v5/user_account", headers=bearer(tok)).json()
    assert me["board_count"] == 1 and me["pin_count"] == 2
    pinner = client.get("/v5/user_account", headers=bearer(token(client, "pat", account_type="PINNER"))).json()
    assert pinner["account_type"] == "PINNER" and pinner["business_name"] is None


def test_get_as_ad_account_owner(client):
    owner, analyst, finance = token(client, "owner"), token(client, "analyst"), token(client, "finance")
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "analyst", ["ANALYST"])
    grant(client, acct, "finance", ["FINANCE_MANAGER"])
    r = client.get("/v5/user_account", params={"ad_account_id": acct}, headers=bearer(analyst))
    assert r.status_code == 200 and r.json()["username"] == "owner"
    r = client.get("/v5/user_account", params={"ad_account_id": acct}, headers=bearer(finance))
    assert r.status_code == 403 and r.json()["code"] == 29
    r = client.get("/v5/user_account", params={"ad_account_id": acct}, headers=bearer(token(client, "nobody")))
    assert r.status_code == 403 and r.json()["code"] == 29
    r = client.get("/v5/user_account", params={"ad_account_id": "12345"}, headers=bearer(analyst))
    assert r.status_code == 404 and r.json()["code"] == 2
    r = client.get("/v5/user_account", params={"ad_account_id": "abc"}, headers=bearer(analyst))
    assert r.status_code == 400 and r.json()["code"] == 1 and "ad_account_id" in r.json()["message"]


def test_get_auth(client):
    r = client.get("/v5/user_account")
    assert r.status_code == 401 and r.json()["code"] == 2
    r = client.get("/v5/user_account", headers=bearer("pina_notatoken"))
    assert r.status_code == 401 and r.json()["code"] == 2
    r = client.get("/v5/user_account", headers=bearer(token(client, "alice", scopes="ads:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "user_accounts:read" in r.json()["message"]


def test_linked_businesses(client):
    member = token(client, "member", account_type="PINNER")
    shops = {n: token(client, n) for n in ("zeta_shop", "alpha_shop", "mid_shop")}
    accounts = {n: ad_account(client, t)["id"] for n, t in shops.items()}
    second = ad_account(client, shops["alpha_shop"])["id"]
    grant(client, accounts["zeta_shop"], "member", ["ANALYST"])
    grant(client, accounts["alpha_shop"], "member", ["CAMPAIGN_MANAGER"])
    grant(client, second, "member", ["ADMIN"])  # two accounts of one business: listed once
    r = client.get("/v5/user_account/businesses", headers=bearer(member))
    assert r.status_code == 200, r.text
    got = r.json()
    assert [b["username"] for b in got] == ["alpha_shop", "zeta_shop"]
    assert set(got[0]) == {"username", "image_small_url", "image_medium_url", "image_large_url", "image_xlarge_url"}
    assert got[0]["image_small_url"] == "https://i.pinimg.com/30x30_RS/sandbox/alpha_shop.jpg"
    assert got[0]["image_xlarge_url"] == "https://i.pinimg.com/280x280_RS/sandbox/alpha_shop.jpg"
    # a business owner has no linked businesses of its own accounts; roles removed: no longer linked
    assert client.get("/v5/user_account/businesses", headers=bearer(shops["zeta_shop"])).json() == []
    grant(client, accounts["zeta_shop"], "member", [])
    assert [b["username"] for b in client.get("/v5/user_account/businesses", headers=bearer(member)).json()] == [
        "alpha_shop"]
    assert client.get("/v5/user_account/businesses").json()["code"] == 2
    r = client.get("/v5/user_account/businesses", headers=bearer(token(client, "member", scopes="ads:read")))
    assert r.status_code == 401 and r.json()["code"] == 3


def test_followed_interests(client):
    alice = token(client, "alice")
    bob = token(client, "bob")
    r = client.put("/_sandbox/users/bob/interests", json={"interests": ["Travel", "918530398158", "home decor"]})
    assert r.status_code == 200, r.text
    # anyone with user_accounts:read may list a user's followed interests; newest first
    got = collect_pages(client, "/v5/users/bob/interests/follow", bearer(alice), page_size=2)
    assert [i["name"] for i in got] == ["Home Decor", "Food and Drinks", "Travel"]
    assert got[2] == {"canonical_url": "https://www.pinterest.com/ideas/travel/908182459161/", "id": "908182459161",
                      "key": "travel", "name": "Travel"}
    assert got[1]["canonical_url"] == "https://www.pinterest.com/ideas/food-and-drinks/918530398158/"
    # replacing the set keeps the ones still followed (and their order)
    client.put("/_sandbox/users/bob/interests", json={"interests": ["Travel", "Art"]})
    got = collect_pages(client, "/v5/users/bob/interests/follow", bearer(bob))
    assert [i["name"] for i in got] == ["Art", "Travel"]
    assert collect_pages(client, "/v5/users/alice/interests/follow", bearer(alice)) == []


def test_followed_interests_errors(client):
    alice = token(client, "alice")
    r = client.get("/v5/users/nobody/interests/follow", headers=bearer(alice))
    assert r.status_code == 404 and r.json()["code"] == 30 and r.json()["message"].startswith("User not found.")
    r = client.get("/v5/users/123/interests/follow", headers=bearer(alice))
    assert r.status_code == 400 and r.json()["code"] == 1 and "username" in r.json()["message"]
    r = client.get("/v5/users/alice/interests/follow", params={"page_size": 300}, headers=bearer(alice))
    assert r.status_code == 400 and r.json()["code"] == 1 and "page_size" in r.json()["message"]
    r = client.get("/v5/users/alice/interests/follow", params={"bookmark": "nope"}, headers=bearer(alice))
    assert r.status_code == 400 and "bookmark" in r.json()["message"]
    assert client.get("/v5/users/alice/interests/follow").json()["code"] == 2
    r = client.get("/v5/users/alice/interests/follow", headers=bearer(token(client, "a", scopes="pins:read")))
    assert r.status_code == 401 and r.json()["code"] == 3
    r = client.put("/_sandbox/users/alice/interests", json={"interests": ["Underwater basket weaving"]})
    assert r.status_code == 400 and r.json()["code"] == 1 and "interests[0]" in r.json()["message"]
    assert client.put("/_sandbox/users/nobody/interests", json={"interests": []}).status_code == 404


def test_monthly_views_from_organic_facts(client):
    client.put("/_sandbox/clock", json={"now": "2026-03-31T12:00:00", "frozen": True})
    tok = token(client, "alice")
    p = pin(client, tok, board(client, tok)["id"])
    other = pin(client, token(client, "bob"), board(client, token(client, "bob"))["id"])
    client.put("/_sandbox/clock", json={"now": "2026-05-15T08:00:00", "frozen": True})
    rows = [{"day": day, "pin_id": p["id"], "app_type": "WEB", "impression": n}
            for day, n in (("2026-04-10", 1000), ("2026-04-16", 20), ("2026-05-15", 3), ("2026-05-16", 400))]
    rows.append({"day": "2026-05-01", "pin_id": other["id"], "app_type": "MOBILE", "impression": 50000})
    r = client.post("/_sandbox/facts", json={"table": "organic", "rows": rows})
    assert r.status_code == 200, r.text
    # the last 30 days, today included: 2026-04-16 .. 2026-05-15; only alice's Pins
    tok = token(client, "alice")  # a new token: the first one expired while the clock moved on
    got = client.get("/v5/user_account", headers=bearer(tok))
    assert got.json()["monthly_views"] == 23, got.text

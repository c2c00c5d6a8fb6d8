"""ad_accounts: list, create, get — through HTTP."""

from tests.factories import ad_account, bearer, collect_pages, grant, token


def test_create_and_get(client):
    tok = token(client, "alice")
    acct = ad_account(client, tok, name="ACME", country="DE")
    assert acct["name"] == "ACME" and acct["country"] == "DE" and acct["currency"] == "EUR"
    assert acct["owner"]["username"] == "alice" and acct["permissions"] == ["OWNER"]
    assert acct["id"].isdigit() and len(acct["id"]) == 18
    r = client.get(f"/v5/ad_accounts/{acct['id']}", headers=bearer(tok))
    assert r.status_code == 200 and r.json() == acct
    assert r.headers["x-pinterest-rid"]


def test_create_validation(client):
    tok = token(client)
    r = client.post("/v5/ad_accounts", json={"country": "US"}, headers=bearer(tok))
    assert r.status_code == 400 and r.json()["code"] == 1 and "name" in r.json()["message"]
    r = client.post("/v5/ad_accounts", json={"name": "x", "country": "XX"}, headers=bearer(tok))
    assert r.status_code == 400 and r.json()["code"] == 1 and "country" in r.json()["message"]
    r = client.post("/v5/ad_accounts", json={"name": "x" * 257}, headers=bearer(tok))
    assert r.status_code == 400 and "name" in r.json()["message"]
    r = client.post("/v5/ad_accounts", content=b"{not json", headers={**bearer(tok), "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 1 and "JSON" in r.json()["message"]
    r = client.post("/v5/ad_accounts", json={"name": "x", "owner_user_id": "12x"}, headers=bearer(tok))
    assert r.status_code == 400 and "owner_user_id" in r.json()["message"]


def test_create_for_someone_else_or_as_pinner_is_forbidden(client):
    tok = token(client, "alice")
    r = client.post("/v5/ad_accounts", json={"name": "x", "owner_user_id": "123"}, headers=bearer(tok))
    assert r.status_code == 403 and r.json()["code"] == 29
    pinner = token(client, "paul", account_type="PINNER")
    r = client.post("/v5/ad_accounts", json={"name": "x"}, headers=bearer(pinner))
    assert r.status_code == 403 and "business account" in r.json()["message"]


def test_auth_errors(client):
    r = client.get("/v5/ad_accounts")
    assert r.status_code == 401 and r.json() == {"code": 2, "message": "Authentication failed.", "status": "failure"}
    r = client.get("/v5/ad_accounts", headers=bearer("pina_unknown"))
    assert r.status_code == 401 and r.json()["code"] == 2
    tok = token(client, "reader", scopes="pins:read")
    r = client.get("/v5/ad_accounts", headers=bearer(tok))
    assert r.status_code == 401 and r.json()["code"] == 3 and "ads:read" in r.json()["message"]
    ro = token(client, "ro", scopes="ads:read")
    r = client.post("/v5/ad_accounts", json={"name": "x"}, headers=bearer(ro))
    assert r.status_code == 401 and r.json()["code"] == 3 and "ads:write" in r.json()["message"]


def test_expired_token(client):
    tok = token(client)
    assert client.get("/v5/ad_accounts", headers=bearer(tok)).status_code == 200
    client.put("/_sandbox/clock", json={"advance_seconds": 31 * 24 * 3600})
    r = client.get("/v5/ad_accounts", headers=bearer(tok))
    assert r.status_code == 401 and r.json()["code"] == 2


def test_not_found_and_no_access(client):
    alice = token(client, "alice")
    bob = token(client, "bob")
    acct = ad_account(client, alice)
    r = client.get("/v5/ad_accounts/123456", headers=bearer(alice))
    assert r.status_code == 404
    r = client.get(f"/v5/ad_accounts/{acct['id']}", headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29
    grant(client, acct["id"], "bob", ["ANALYST"])
    r = client.get(f"/v5/ad_accounts/{acct['id']}", headers=bearer(bob))
    assert r.status_code == 200 and r.json()["permissions"] == ["ANALYST"]
    r = client.get("/v5/ad_accounts/1234567890123456789", headers=bearer(alice))
    assert r.status_code == 400 and "ad_account_id" in r.json()["message"]


def test_list_pagination_owned_and_shared(client):
    alice = token(client, "alice")
    bob = token(client, "bob")
    mine = [ad_account(client, alice, name=f"a{i}")["id"] for i in range(5)]
    shared = ad_account(client, bob, name="bob's")["id"]
    grant(client, shared, "alice", ["CAMPAIGN_MANAGER"])
    items = collect_pages(client, "/v5/ad_accounts", bearer(alice), page_size=2)
    assert [i["id"] for i in items] == sorted(mine + [shared])
    items = collect_pages(client, "/v5/ad_accounts", bearer(alice), {"include_shared_accounts": "false"}, page_size=3)
    assert [i["id"] for i in items] == mine


def test_bookmark_rules(client):
    alice = token(client, "alice")
    for i in range(3):
        ad_account(client, alice, name=f"a{i}")
    r = client.get("/v5/ad_accounts", params={"page_size": 1}, headers=bearer(alice)).json()
    bm = r["bookmark"]
    # stable while rows are inserted: a new account lands at the end, nothing is skipped or repeated
    ad_account(client, alice, name="late")
    rest = collect_pages(client, "/v5/ad_accounts", bearer(alice), {"bookmark": bm}, page_size=1)
    assert [x["name"] for x in rest] == ["a1", "a2", "late"]
    # reused with other filters, forged, or garbage: 400 naming the bookmark
    r = client.get("/v5/ad_accounts", params={"bookmark": bm, "include_shared_accounts": "false"}, headers=bearer(alice))
    assert r.status_code == 400 and "bookmark" in r.json()["message"]
    r = client.get("/v5/ad_accounts", params={"bookmark": bm[:-3] + ("AAA" if bm[-3:] != "AAA" else "BBB")}, headers=bearer(alice))
    assert r.status_code == 400 and r.json()["code"] == 1
    for bad in (0, 251, "3e"):
        r = client.get("/v5/ad_accounts", params={"page_size": bad}, headers=bearer(alice))
        assert r.status_code == 400 and "page_size" in r.json()["message"]

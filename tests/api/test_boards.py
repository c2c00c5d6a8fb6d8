"""boards: create, get, list — through HTTP."""

from tests.factories import ad_account, bearer, board, collect_pages, grant, pin, token


def test_create_and_get(client):
    tok = token(client, "alice")
    r = client.post("/v5/boards", json={"name": "Recipes", "description": "Things to cook", "privacy": "PROTECTED",
                                        "pin_count": 99}, headers=bearer(tok))
    assert r.status_code == 201, r.text
    b = r.json()
    assert set(b) == {"id", "created_at", "board_pins_modified_at", "name", "description", "collaborator_count",
                      "pin_count", "follower_count", "media", "owner", "privacy"}
    assert b["id"].isdigit() and b["name"] == "Recipes" and b["description"] == "Things to cook"
    assert b["privacy"] == "PROTECTED" and b["owner"] == {"username": "alice"}
    assert b["pin_count"] == 0 and b["media"] == {"image_cover_url": None, "pin_thumbnail_urls": []}
    assert b["created_at"].endswith("-00:00") and "T" in b["created_at"]
    r = client.get(f"/v5/boards/{b['id']}", headers=bearer(tok))
    assert r.status_code == 200 and r.json() == b
    # defaults: PUBLIC, description null
    d = board(client, tok, name="Plain")
    assert d["privacy"] == "PUBLIC" and d["description"] is None


def test_pins_update_counts_and_media(client):
    tok = token(client, "alice")
    b = board(client, tok)
    p = pin(client, tok, b["id"])
    got = client.get(f"/v5/boards/{b['id']}", headers=bearer(tok)).json()
    assert got["pin_count"] == 1
    assert got["media"]["pin_thumbnail_urls"] == [p["media"]["images"]["150x150"]["url"]]
    assert got["media"]["image_cover_url"] == p["media"]["images"]["400x300"]["url"]


def test_create_validation(client):
    tok = token(client)
    r = client.post("/v5/boards", json={"description": "x"}, headers=bearer(tok))
    assert r.status_code == 400 and r.json()["code"] == 1 and "name" in r.json()["message"]
    r = client.post("/v5/boards", json={"name": "   "}, headers=bearer(tok))
    assert r.status_code == 400 and "The board name is invalid or duplicated." in r.json()["message"]
    r = client.post("/v5/boards", json={"name": "x", "privacy": "HIDDEN"}, headers=bearer(tok))
    assert r.status_code == 400 and "privacy" in r.json()["message"]
    r = client.post("/v5/boards", json={"name": "x", "description": "d" * 501}, headers=bearer(tok))
    assert r.status_code == 400 and "description" in r.json()["message"]


def test_duplicate_name_per_owner(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    board(client, alice, name="Travel")
    r = client.post("/v5/boards", json={"name": "travel "}, headers=bearer(alice))
    assert r.status_code == 400 and r.json()["code"] == 1
    assert r.json()["message"].startswith("The board name is invalid or duplicated.") and "name" in r.json()["message"]
    assert board(client, bob, name="Travel")["owner"]["username"] == "bob"  # another owner may use it


def test_secret_boards_need_secret_scopes(client):
    full = token(client, "alice")
    plain = token(client, "alice", scopes="boards:read,boards:write")
    r = client.post("/v5/boards", json={"name": "Gifts", "privacy": "SECRET"}, headers=bearer(plain))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write_secret" in r.json()["message"]
    secret = board(client, full, name="Gifts", privacy="SECRET")
    public = board(client, full, name="Open")
    # get: hidden without boards:read_secret
    r = client.get(f"/v5/boards/{secret['id']}", headers=bearer(plain))
    assert r.status_code == 404 and r.json()["code"] == 40 and "Board not found." in r.json()["message"]
    assert client.get(f"/v5/boards/{secret['id']}", headers=bearer(full)).status_code == 200
    # list: hidden without the scope, shown with it; asking for SECRET explicitly without it is refused
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(plain))] == [public["id"]]
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(full))] == [secret["id"], public["id"]]
    r = client.get("/v5/boards", params={"privacy": "SECRET"}, headers=bearer(plain))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:read_secret" in r.json()["message"]


def test_list_privacy_filter_and_pagination(client):
    tok = token(client, "alice")
    other = token(client, "bob")
    made = {p: [board(client, tok, name=f"{p}{i}", privacy=p)["id"] for i in range(3)]
            for p in ("PUBLIC", "PROTECTED", "SECRET")}
    board(client, other, name="not mine")
    everything = sorted(sum(made.values(), []))
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(tok), page_size=2)] == everything
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(tok), {"privacy": "ALL"})] == everything
    for p in ("PUBLIC", "PROTECTED", "SECRET"):
        got = collect_pages(client, "/v5/boards", bearer(tok), {"privacy": p}, page_size=2)
        assert [b["id"] for b in got] == made[p] and {b["privacy"] for b in got} == {p}
    got = collect_pages(client, "/v5/boards", bearer(tok), {"privacy": "PUBLIC_AND_SECRET"})
    assert [b["id"] for b in got] == sorted(made["PUBLIC"] + made["SECRET"])
    r = client.get("/v5/boards", params={"privacy": "NOPE"}, headers=bearer(tok))
    assert r.status_code == 400 and "privacy" in r.json()["message"]
    first = client.get("/v5/boards", params={"page_size": 1}, headers=bearer(tok)).json()
    r = client.get("/v5/boards", params={"page_size": 1, "bookmark": first["bookmark"], "privacy": "PUBLIC"},
                   headers=bearer(tok))
    assert r.status_code == 400 and "bookmark" in r.json()["message"]
    assert collect_pages(client, "/v5/boards", bearer(other), {"privacy": "SECRET"}) == []


def test_other_users_boards(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    public = board(client, alice, name="Shown")
    protected = board(client, alice, name="Mine only", privacy="PROTECTED")
    assert client.get(f"/v5/boards/{public['id']}", headers=bearer(bob)).json()["owner"]["username"] == "alice"
    r = client.get(f"/v5/boards/{protected['id']}", headers=bearer(bob))
    assert r.status_code == 404 and r.json()["code"] == 40
    r = client.get("/v5/boards/123456789", headers=bearer(alice))
    assert r.status_code == 404 and r.json()["code"] == 40
    r = client.get("/v5/boards/12x", headers=bearer(alice))
    assert r.status_code == 400 and "board_id" in r.json()["message"]


def test_business_access_operation_user(client):
    owner, admin, analyst, stranger = (token(client, u) for u in ("owner", "admin", "analyst", "stranger"))
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "admin", ["ADMIN"])
    grant(client, acct, "analyst", ["ANALYST"])
    public = board(client, owner, name="Public")
    secret = board(client, owner, name="Secret", privacy="SECRET")
    q = {"ad_account_id": acct}
    # an admin acts as the owner, secret boards included
    got = collect_pages(client, "/v5/boards", bearer(admin), q)
    assert [b["id"] for b in got] == [public["id"], secret["id"]]
    # an analyst acts as the owner without secret boards
    got = collect_pages(client, "/v5/boards", bearer(analyst), q)
    assert [b["id"] for b in got] == [public["id"]]
    r = client.get(f"/v5/boards/{secret['id']}", params=q, headers=bearer(analyst))
    assert r.status_code == 404 and r.json()["code"] == 40
    r = client.get("/v5/boards", params={**q, "privacy": "SECRET"}, headers=bearer(analyst))
    assert r.status_code == 403 and r.json()["code"] == 29
    r = client.post("/v5/boards", params=q, json={"name": "Hidden", "privacy": "SECRET"}, headers=bearer(analyst))
    assert r.status_code == 403 and r.json()["code"] == 29
    # boards created through the account belong to its owner
    made = client.post("/v5/boards", params=q, json={"name": "By admin"}, headers=bearer(admin))
    assert made.status_code == 201 and made.json()["owner"]["username"] == "owner"
    r = client.get("/v5/boards", params=q, headers=bearer(stranger))
    assert r.status_code == 403 and r.json()["code"] == 29
    r = client.get("/v5/boards", params={"ad_account_id": "999"}, headers=bearer(admin))
    assert r.status_code == 404 and r.json()["code"] == 2


def test_auth_errors(client):
    assert client.get("/v5/boards").status_code == 401
    r = client.get("/v5/boards", headers=bearer(token(client, "u", scopes="pins:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:read" in r.json()["message"]
    ro = token(client, "ro", scopes="boards:read")
    r = client.post("/v5/boards", json={"name": "x"}, headers=bearer(ro))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write" in r.json()["message"]

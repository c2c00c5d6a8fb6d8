"""boards: create, get, list, update, delete, list Pins; group boards — through HTTP."""

import pytest

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


def test_protected_boards_need_secret_scopes(client):
    """Protected boards, like secret ones, are seen only with boards:read_secret and changed only with
    boards:write_secret (the owner's own boards included)."""
    full = token(client, "alice")
    plain = token(client, "alice", scopes="boards:read,boards:write,pins:read,pins:write")
    reader = token(client, "alice", scopes="boards:read,boards:write,pins:read,pins:write,boards:read_secret")
    r = client.post("/v5/boards", json={"name": "Shop", "privacy": "PROTECTED"}, headers=bearer(plain))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write_secret" in r.json()["message"]
    r = client.post("/v5/boards", json={"name": "Shop", "privacy": "PROTECTED"}, headers=bearer(reader))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write_secret" in r.json()["message"]
    assert collect_pages(client, "/v5/boards", bearer(full)) == []  # nothing was made
    protected = board(client, full, name="Shop", privacy="PROTECTED")
    public = board(client, full, name="Open")
    # read: hidden without boards:read_secret (404 code 40, as a secret board), shown with it
    r = client.get(f"/v5/boards/{protected['id']}", headers=bearer(plain))
    assert r.status_code == 404 and r.json()["code"] == 40 and "Board not found." in r.json()["message"]
    assert client.get(f"/v5/boards/{protected['id']}", headers=bearer(reader)).json()["privacy"] == "PROTECTED"
    r = client.get(f"/v5/boards/{protected['id']}/pins", headers=bearer(plain))
    assert r.status_code == 404 and r.json()["code"] == 40
    assert client.get(f"/v5/boards/{protected['id']}/pins", headers=bearer(reader)).status_code == 200
    # list: left out without the scope (also with privacy=ALL); asked for by name, refused
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(plain))] == [public["id"]]
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(plain), {"privacy": "ALL"})] == [public["id"]]
    r = client.get("/v5/boards", params={"privacy": "PROTECTED"}, headers=bearer(plain))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:read_secret" in r.json()["message"]
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(reader))] == [protected["id"], public["id"]]
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(reader), {"privacy": "PROTECTED"})] == \
        [protected["id"]]
    # write: update and delete need boards:write_secret; without even boards:read_secret the board is hidden
    for method in ("patch", "delete"):
        kwargs = {"json": {"name": "x"}} if method == "patch" else {}
        r = client.request(method, f"/v5/boards/{protected['id']}", headers=bearer(reader), **kwargs)
        assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write_secret" in r.json()["message"]
        r = client.request(method, f"/v5/boards/{protected['id']}", headers=bearer(plain), **kwargs)
        assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write_secret" in r.json()["message"]
    r = client.post(f"/v5/boards/{protected['id']}/sections", json={"name": "Part"}, headers=bearer(reader))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write_secret" in r.json()["message"]
    assert client.get(f"/v5/boards/{protected['id']}", headers=bearer(full)).json()["name"] == "Shop"  # unchanged
    r = client.patch(f"/v5/boards/{protected['id']}", json={"name": "Shop 2"}, headers=bearer(full))
    assert r.status_code == 200 and r.json()["name"] == "Shop 2" and r.json()["privacy"] == "PROTECTED"
    assert client.delete(f"/v5/boards/{protected['id']}", headers=bearer(full)).status_code == 204


def test_protected_boards_through_business_access(client):
    """The role rule is the spec's: protected boards need the secret scopes but not the Owner or Admin
    role (an Analyst sees and changes them); secret boards need both."""
    owner, analyst = token(client, "owner"), token(client, "analyst")
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "analyst", ["ANALYST"])
    analyst_plain = token(client, "analyst", scopes="boards:read,boards:write,pins:read,pins:write")
    protected = board(client, owner, name="Shop", privacy="PROTECTED")
    board(client, owner, name="Gifts", privacy="SECRET")
    q = {"ad_account_id": acct}
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(analyst), q)] == [protected["id"]]
    assert client.get(f"/v5/boards/{protected['id']}", params=q, headers=bearer(analyst)).status_code == 200
    r = client.patch(f"/v5/boards/{protected['id']}", params=q, json={"name": "By analyst"}, headers=bearer(analyst))
    assert r.status_code == 200 and r.json()["name"] == "By analyst"
    made = client.post("/v5/boards", params=q, json={"name": "Shop 2", "privacy": "PROTECTED"}, headers=bearer(analyst))
    assert made.status_code == 201 and made.json()["owner"]["username"] == "owner"
    # ... but not without the secret scopes
    assert collect_pages(client, "/v5/boards", bearer(analyst_plain), q) == []
    r = client.get(f"/v5/boards/{protected['id']}", params=q, headers=bearer(analyst_plain))
    assert r.status_code == 404 and r.json()["code"] == 40
    r = client.get("/v5/boards", params={**q, "privacy": "PROTECTED"}, headers=bearer(analyst_plain))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:read_secret" in r.json()["message"]
    r = client.patch(f"/v5/boards/{protected['id']}", params=q, json={"name": "x"}, headers=bearer(analyst_plain))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write_secret" in r.json()["message"]


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


# -- update ---------------------------------------------------------------------------------------
def test_update(client):
    tok = token(client, "alice")
    b = board(client, tok, name="Recipes", description="Things to cook")
    r = client.patch(f"/v5/boards/{b['id']}", json={"name": "Summer Recipes", "privacy": "SECRET"},
                     headers=bearer(tok))
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["name"], got["description"], got["privacy"]) == ("Summer Recipes", "Things to cook", "SECRET")
    assert got["id"] == b["id"] and got["created_at"] == b["created_at"]
    assert client.get(f"/v5/boards/{b['id']}", headers=bearer(tok)).json() == got
    # only the fields sent change; null clears the description
    r = client.patch(f"/v5/boards/{b['id']}", json={"description": None}, headers=bearer(tok))
    assert r.json()["description"] is None and r.json()["name"] == "Summer Recipes"
    r = client.patch(f"/v5/boards/{b['id']}", json={}, headers=bearer(tok))
    assert r.status_code == 200 and r.json()["privacy"] == "SECRET"
    r = client.patch(f"/v5/boards/{b['id']}", json={"privacy": "PUBLIC", "name": "summer recipes"},
                     headers=bearer(tok))  # its own name, other case: not a duplicate
    assert r.status_code == 200 and r.json()["privacy"] == "PUBLIC"


@pytest.mark.parametrize("body, field", [
    ({"name": ""}, "name"), ({"name": "   "}, "name"), ({"name": None}, "name"), ({"name": "n" * 181}, "name"),
    ({"name": 5}, "name"), ({"privacy": "PROTECTED"}, "privacy"), ({"privacy": None}, "privacy"),
    ({"description": "d" * 501}, "description"), ({"name": "TAKEN"}, "name"),
])
def test_update_validation(client, body, field):
    tok = token(client, "alice")
    b = board(client, tok, name="Mine")
    board(client, tok, name="Taken")
    r = client.patch(f"/v5/boards/{b['id']}", json=body, headers=bearer(tok))
    assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], r.text
    assert client.get(f"/v5/boards/{b['id']}", headers=bearer(tok)).json() == b  # unchanged


def test_update_and_delete_rules(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    public = board(client, alice, name="Open")
    protected = board(client, alice, name="Shop", privacy="PROTECTED")
    secret = board(client, alice, name="Gifts", privacy="SECRET")
    plain = token(client, "alice", scopes="boards:read,boards:write,boards:read_secret")
    for method in ("patch", "delete"):
        kwargs = {"json": {"name": "x"}} if method == "patch" else {}
        verb = "update" if method == "patch" else "delete"
        r = client.request(method, f"/v5/boards/{public['id']}", headers=bearer(bob), **kwargs)
        assert r.status_code == 403 and r.json()["code"] == 29
        assert r.json()["message"].startswith(f"Not authorized to {verb} the board.")
        for hidden in (protected["id"], "123456789"):
            r = client.request(method, f"/v5/boards/{hidden}", headers=bearer(bob), **kwargs)
            assert r.status_code == 404 and r.json()["code"] == 40
        r = client.request(method, f"/v5/boards/{secret['id']}", headers=bearer(plain), **kwargs)
        assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write_secret" in r.json()["message"]
        r = client.request(method, "/v5/boards/1x", headers=bearer(alice), **kwargs)
        assert r.status_code == 400 and "board_id" in r.json()["message"]
    r = client.patch(f"/v5/boards/{public['id']}", json={"privacy": "SECRET"}, headers=bearer(plain))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write_secret" in r.json()["message"]
    assert client.get(f"/v5/boards/{public['id']}", headers=bearer(alice)).json()["privacy"] == "PUBLIC"


def test_update_and_delete_through_business_access(client):
    owner, admin, analyst = (token(client, u) for u in ("owner", "admin", "analyst"))
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "admin", ["ADMIN"])
    grant(client, acct, "analyst", ["ANALYST"])
    public = board(client, owner, name="Public")
    secret = board(client, owner, name="Secret", privacy="SECRET")
    q = {"ad_account_id": acct}
    r = client.patch(f"/v5/boards/{public['id']}", params=q, json={"name": "By analyst"}, headers=bearer(analyst))
    assert r.status_code == 200 and r.json()["name"] == "By analyst"
    r = client.patch(f"/v5/boards/{secret['id']}", params=q, json={"name": "x"}, headers=bearer(analyst))
    assert r.status_code == 403 and r.json()["code"] == 29
    r = client.patch(f"/v5/boards/{public['id']}", params=q, json={"privacy": "SECRET"}, headers=bearer(analyst))
    assert r.status_code == 403 and r.json()["code"] == 29
    assert client.delete(f"/v5/boards/{secret['id']}", params=q, headers=bearer(admin)).status_code == 204
    r = client.get(f"/v5/boards/{secret['id']}", headers=bearer(owner))
    assert r.status_code == 404 and r.json()["code"] == 40


# -- delete ---------------------------------------------------------------------------------------
def test_delete_cascades(client):
    from tests.factories import ad_group, campaign, section, share_board

    alice, bob = token(client, "alice"), token(client, "bob")
    b = board(client, alice, name="Doomed")
    keep = board(client, alice, name="Kept")
    sec = section(client, alice, b["id"])
    share_board(client, b["id"], "bob")
    mine = pin(client, alice, b["id"], board_section_id=sec["id"])
    theirs = pin(client, bob, b["id"])
    kept = pin(client, alice, keep["id"])
    acct = ad_account(client, alice)["id"]
    group = ad_group(client, alice, acct, campaign(client, alice, acct)["id"])
    r = client.post(f"/v5/ad_accounts/{acct}/ads", headers=bearer(alice), json=[{
        "ad_group_id": group["id"], "creative_type": "REGULAR", "pin_id": mine["id"], "status": "ACTIVE"}])
    ad = r.json()["items"][0]["data"]

    r = client.delete(f"/v5/boards/{b['id']}", headers=bearer(alice))
    assert r.status_code == 204 and r.content == b""
    r = client.get(f"/v5/boards/{b['id']}", headers=bearer(alice))
    assert r.status_code == 404 and r.json()["code"] == 40
    for p in (mine, theirs):
        r = client.get(f"/v5/pins/{p['id']}", headers=bearer(alice))
        assert r.status_code == 404 and r.json()["code"] == 50
    assert client.get(f"/v5/boards/{b['id']}/sections", headers=bearer(alice)).status_code == 404
    assert [x["id"] for x in collect_pages(client, "/v5/pins", bearer(alice))] == [kept["id"]]
    assert collect_pages(client, "/v5/pins", bearer(bob)) == []
    assert collect_pages(client, "/v5/boards", bearer(bob)) == []
    # the ad stays, and says its Pin is gone
    got = client.get(f"/v5/ad_accounts/{acct}/ads/{ad['id']}", headers=bearer(alice)).json()
    assert got["pin_id"] == mine["id"] and got["is_pin_deleted"] is True
    # gone is gone
    r = client.delete(f"/v5/boards/{b['id']}", headers=bearer(alice))
    assert r.status_code == 404 and r.json()["code"] == 40
    # the name is free again
    assert board(client, alice, name="Doomed")["id"] != b["id"]


def test_delete_removes_the_boards_follows(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    b = board(client, alice, name="Followed")
    kept = board(client, alice, name="Also followed")
    for board_id in (b["id"], kept["id"]):
        r = client.put(f"/_sandbox/users/bob/following/boards/{board_id}")
        assert r.status_code == 200 and r.json()["following"] is True, r.text
    assert client.get(f"/v5/boards/{b['id']}", headers=bearer(alice)).json()["follower_count"] == 1
    assert client.delete(f"/v5/boards/{b['id']}", headers=bearer(alice)).status_code == 204
    got = collect_pages(client, "/v5/user_account/following/boards", bearer(bob))
    assert [x["id"] for x in got] == [kept["id"]]
    # the follow itself is gone (the sandbox's unfollow reads the follows, not the boards)
    r = client.delete(f"/_sandbox/users/bob/following/boards/{b['id']}")
    assert r.status_code == 200 and r.json()["was_following"] is False
    r = client.delete(f"/_sandbox/users/bob/following/boards/{kept['id']}")
    assert r.status_code == 200 and r.json()["was_following"] is True


def test_update_delete_auth(client):
    tok = token(client, "alice")
    b = board(client, tok)["id"]
    assert client.patch(f"/v5/boards/{b}", json={"name": "x"}).json()["code"] == 2
    assert client.delete(f"/v5/boards/{b}").status_code == 401
    ro = token(client, "alice", scopes="boards:read,pins:read")
    for r in (client.patch(f"/v5/boards/{b}", json={"name": "x"}, headers=bearer(ro)),
              client.delete(f"/v5/boards/{b}", headers=bearer(ro))):
        assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write" in r.json()["message"]


# -- pins on a board -----------------------------------------------------------------------------
def test_list_pins(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    b = board(client, alice)["id"]
    other = board(client, alice)["id"]
    made = [pin(client, alice, b)["id"] for _ in range(5)]
    carousel = pin(client, alice, b, media_source={"source_type": "multiple_image_urls", "items": [
        {"url": "https://e.com/1.jpg"}, {"url": "https://e.com/2.jpg"}]})["id"]
    pin(client, alice, other)
    url = f"/v5/boards/{b}/pins"
    got = collect_pages(client, url, bearer(alice), page_size=2)
    assert [p["id"] for p in got] == sorted(made + [carousel], reverse=True)  # newest first
    assert all(p["board_id"] == b for p in got)
    assert [p["id"] for p in collect_pages(client, url, bearer(alice), {"creative_types": "CAROUSEL"})] == [carousel]
    assert [p["id"] for p in collect_pages(client, url, bearer(alice), {"creative_types": "REGULAR,VIDEO"})] == \
        sorted(made, reverse=True)
    r = client.get(url, params={"pin_metrics": "true", "page_size": 1}, headers=bearer(alice))
    assert r.status_code == 200 and r.json()["items"][0]["id"] == carousel
    # someone else's public board can be read; its Pins are not theirs
    got = collect_pages(client, url, bearer(bob), page_size=250)
    assert len(got) == 6 and not any(p["is_owner"] for p in got)
    first = client.get(url, params={"page_size": 1}, headers=bearer(alice)).json()
    r = client.get(f"/v5/boards/{other}/pins", params={"bookmark": first["bookmark"]}, headers=bearer(alice))
    assert r.status_code == 400 and "bookmark" in r.json()["message"]
    for params, field in (({"creative_types": "GIF"}, "creative_types"), ({"page_size": 0}, "page_size")):
        r = client.get(url, params=params, headers=bearer(alice))
        assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"]


def test_list_pins_visibility(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    protected = board(client, alice, privacy="PROTECTED")["id"]
    secret = board(client, alice, privacy="SECRET")["id"]
    pin(client, alice, protected)
    pin(client, alice, secret)
    no_secret = token(client, "alice", scopes="boards:read,pins:read")
    assert len(collect_pages(client, f"/v5/boards/{protected}/pins", bearer(alice))) == 1
    assert len(collect_pages(client, f"/v5/boards/{secret}/pins", bearer(alice))) == 1
    for tok, board_id in ((bob, protected), (bob, secret), (no_secret, secret), (alice, "123456789")):
        r = client.get(f"/v5/boards/{board_id}/pins", headers=bearer(tok))
        assert r.status_code == 404 and r.json()["code"] == 40 and "Board not found." in r.json()["message"]
    r = client.get(f"/v5/boards/{protected}/pins", headers=bearer(token(client, "u", scopes="boards:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:read" in r.json()["message"]
    assert client.get(f"/v5/boards/{protected}/pins").json()["code"] == 2


# -- group boards ---------------------------------------------------------------------------------
def test_group_boards(client):
    from tests.factories import share_board

    alice, bob, carol = token(client, "alice"), token(client, "bob"), token(client, "carol")
    group = board(client, alice, name="Group", privacy="PROTECTED")
    secret_group = board(client, alice, name="Secret group", privacy="SECRET")
    own = board(client, bob, name="Bob's")
    body = share_board(client, group["id"], "bob")
    assert body == {"board_id": group["id"], "owner": "alice", "collaborators": ["bob"]}
    share_board(client, group["id"], "carol")
    share_board(client, group["id"], "bob")  # idempotent
    share_board(client, secret_group["id"], "bob")
    assert client.get(f"/v5/boards/{group['id']}", headers=bearer(alice)).json()["collaborator_count"] == 2
    # a collaborator lists, gets and pins on the group board, as on their own
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(bob))] == \
        [group["id"], secret_group["id"], own["id"]]
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(bob), {"privacy": "PROTECTED"})] == \
        [group["id"]]
    # without boards:read_secret a collaborator sees neither the protected nor the secret group board
    bob_plain = token(client, "bob", scopes="boards:read,boards:write,pins:read,pins:write")
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(bob_plain))] == [own["id"]]
    for hidden in (group["id"], secret_group["id"]):
        r = client.get(f"/v5/boards/{hidden}", headers=bearer(bob_plain))
        assert r.status_code == 404 and r.json()["code"] == 40
    got = client.get(f"/v5/boards/{group['id']}", headers=bearer(bob)).json()
    assert got["owner"]["username"] == "alice"
    bobs_pin = pin(client, bob, group["id"])
    assert bobs_pin["board_owner"]["username"] == "alice" and bobs_pin["is_owner"] is True
    alices_pin = pin(client, alice, group["id"])
    listed = collect_pages(client, f"/v5/boards/{group['id']}/pins", bearer(carol))
    assert [p["id"] for p in listed] == [alices_pin["id"], bobs_pin["id"]]
    assert [p["is_owner"] for p in listed] == [False, False]
    # his Pins on the group board are his: pins/list shows them (include_protected_pins: a protected board)
    assert [p["id"] for p in collect_pages(client, "/v5/pins", bearer(bob), {"include_protected_pins": "true"})] \
        == [bobs_pin["id"]]
    # ... but only the owner updates or deletes the board
    r = client.patch(f"/v5/boards/{group['id']}", json={"name": "Mine now"}, headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29 and "collaborator" in r.json()["message"]
    r = client.delete(f"/v5/boards/{group['id']}", headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29
    # no longer shared: the board is hidden again
    r = client.delete(f"/_sandbox/boards/{group['id']}/collaborators/bob")
    assert r.status_code == 200 and r.json()["collaborators"] == ["carol"]
    r = client.get(f"/v5/boards/{group['id']}", headers=bearer(bob))
    assert r.status_code == 404 and r.json()["code"] == 40
    assert [b["id"] for b in collect_pages(client, "/v5/boards", bearer(bob))] == [secret_group["id"], own["id"]]


def test_collaborator_sandbox_endpoint_errors(client):
    alice = token(client, "alice")
    b = board(client, alice)["id"]
    r = client.put(f"/_sandbox/boards/{b}/collaborators", json={"username": "nobody"})
    assert r.status_code == 404 and r.json()["code"] == 30
    r = client.put("/_sandbox/boards/123456789/collaborators", json={"username": "alice"})
    assert r.status_code == 404 and r.json()["code"] == 40
    r = client.put(f"/_sandbox/boards/{b}/collaborators", json={"username": "alice"})
    assert r.status_code == 400 and r.json()["code"] == 1 and "username" in r.json()["message"]
    r = client.put(f"/_sandbox/boards/{b}/collaborators", json={})
    assert r.status_code == 400 and "username" in r.json()["message"]
    r = client.put("/_sandbox/boards/12x/collaborators", json={"username": "alice"})
    assert r.status_code == 400 and "board_id" in r.json()["message"]
    token(client, "bob")
    r = client.delete(f"/_sandbox/boards/{b}/collaborators/bob")
    assert r.status_code == 404

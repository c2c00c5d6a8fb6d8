"""Follows: follow user, followers, following (users), following boards — through HTTP."""

from tests.factories import ad_account, bearer, board, collect_pages, grant, pin, token


def follow(client, tok, username, **body):
    return client.post(f"/v5/user_account/following/{username}", json=body, headers=bearer(tok))


def follow_board(client, username, board_id):
    r = client.put(f"/_sandbox/users/{username}/following/boards/{board_id}")
    assert r.status_code == 200, r.text
    return r.json()


def names(items):
    return [i["username"] for i in items]


def test_follow_user(client):
    alice, bob = token(client, "alice"), token(client, "bob", account_type="PINNER")
    r = follow(client, alice, "bob")
    assert r.status_code == 200 and r.json() == {"username": "bob", "type": "user"}
    # idempotent: following again changes nothing
    assert follow(client, alice, "bob").status_code == 200
    assert names(collect_pages(client, "/v5/user_account/followers", bearer(bob))) == ["alice"]
    assert names(collect_pages(client, "/v5/user_account/following", bearer(alice))) == ["bob"]
    me = client.get("/v5/user_account", headers=bearer(alice)).json()
    assert me["following_count"] == 1 and me["follower_count"] == 0
    them = client.get("/v5/user_account", headers=bearer(bob)).json()
    assert them["follower_count"] == 1 and them["following_count"] == 0
    # a body is optional (the fields have defaults)
    token(client, "carol")
    assert client.post("/v5/user_account/following/carol", headers=bearer(alice)).status_code == 200


def test_follow_user_errors(client):
    alice = token(client, "alice")
    token(client, "bob", account_type="PINNER")
    r = follow(client, alice, "nobody")
    assert r.status_code == 404 and r.json()["code"] == 30 and r.json()["message"].startswith("User not found.")
    r = follow(client, alice, "alice")
    assert r.status_code == 400 and r.json()["code"] == 1 and "username" in r.json()["message"]
    r = follow(client, alice, "12345")
    assert r.status_code == 400 and r.json()["code"] == 1 and "username" in r.json()["message"]
    r = follow(client, alice, "bob", auto_follow="maybe")
    assert r.status_code == 400 and r.json()["code"] == 1 and "auto_follow" in r.json()["message"]
    # auto-follow links exist for partners (business accounts) only
    r = follow(client, alice, "bob", auto_follow=True)
    assert r.status_code == 400 and r.json()["code"] == 1 and "auto_follow" in r.json()["message"]
    token(client, "shop")
    assert follow(client, alice, "shop", auto_follow=True).status_code == 200
    r = client.post("/v5/user_account/following/bob", content=b"{not json", headers={
        **bearer(alice), "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 1
    # auth
    r = client.post("/v5/user_account/following/bob", json={})
    assert r.status_code == 401 and r.json()["code"] == 2
    reader = token(client, "alice", scopes="user_accounts:read")
    r = follow(client, reader, "bob")
    assert r.status_code == 401 and r.json()["code"] == 3 and "user_accounts:write" in r.json()["message"]
    assert names(collect_pages(client, "/v5/user_account/following", bearer(alice))) == ["shop"]


def test_followers_newest_first_and_pagination(client):
    star = token(client, "star")
    fans = [f"fan{i}" for i in range(7)]
    for fan in fans:
        assert follow(client, token(client, fan), "star").status_code == 200
    got = collect_pages(client, "/v5/user_account/followers", bearer(star), page_size=3)
    assert names(got) == list(reversed(fans))
    assert all(item == {"username": item["username"], "type": "user"} for item in got)
    assert client.get("/v5/user_account", headers=bearer(star)).json()["follower_count"] == 7
    # empty list
    r = client.get("/v5/user_account/followers", headers=bearer(token(client, "loner")))
    assert r.json() == {"items": [], "bookmark": None}


def test_followers_errors(client):
    tok = token(client, "alice")
    for params, field in (({"page_size": 0}, "page_size"), ({"page_size": 251}, "page_size"),
                          ({"page_size": "x"}, "page_size"), ({"bookmark": "forged"}, "bookmark")):
        r = client.get("/v5/user_account/followers", params=params, headers=bearer(tok))
        assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], (params, r.text)
    assert client.get("/v5/user_account/followers").json()["code"] == 2
    r = client.get("/v5/user_account/followers", headers=bearer(token(client, "alice", scopes="ads:read")))
    assert r.status_code == 401 and r.json()["code"] == 3


def test_board_follows_are_implicit_user_follows(client):
    alice, bob, carol = token(client, "alice"), token(client, "bob"), token(client, "carol")
    travel = board(client, bob, name="Travel")
    food = board(client, bob, name="Food")
    follow_board(client, "alice", travel["id"])
    # alice follows bob implicitly (through his board), not explicitly
    assert names(collect_pages(client, "/v5/user_account/following", bearer(alice))) == ["bob"]
    assert collect_pages(client, "/v5/user_account/following", bearer(alice),
                         params={"explicit_following": "true"}) == []
    # bob's followers include alice
    assert names(collect_pages(client, "/v5/user_account/followers", bearer(bob))) == ["alice"]
    # following boards: the followed board only
    got = collect_pages(client, "/v5/user_account/following/boards", bearer(alice))
    assert [b["id"] for b in got] == [travel["id"]]
    assert got[0]["owner"] == {"username": "bob"} and got[0]["name"] == "Travel"
    # the board counts its follower; the owner's other board does not
    assert got[0]["follower_count"] == 1
    assert client.get(f"/v5/boards/{travel['id']}", headers=bearer(bob)).json()["follower_count"] == 1
    assert client.get(f"/v5/boards/{food['id']}", headers=bearer(bob)).json()["follower_count"] == 0
    # following a user implies following their public boards (unless explicit_following)
    assert follow(client, alice, "carol").status_code == 200
    cb1, cb2 = board(client, carol, name="C1"), board(client, carol, name="C2")
    board(client, carol, name="Hidden", privacy="SECRET")
    board(client, carol, name="Prot", privacy="PROTECTED")
    got = collect_pages(client, "/v5/user_account/following/boards", bearer(alice), page_size=1)
    assert {b["id"] for b in got} == {travel["id"], cb1["id"], cb2["id"]}
    # following carol follows her public boards: they count alice
    assert {b["id"]: b["follower_count"] for b in got if b["id"] != travel["id"]} == {cb1["id"]: 1, cb2["id"]: 1}
    explicit = collect_pages(client, "/v5/user_account/following/boards", bearer(alice),
                             params={"explicit_following": True})
    assert [b["id"] for b in explicit] == [travel["id"]]
    assert food["id"] not in {b["id"] for b in got}
    assert names(collect_pages(client, "/v5/user_account/following", bearer(alice),
                               params={"explicit_following": True})) == ["carol"]
    assert set(names(collect_pages(client, "/v5/user_account/following", bearer(alice)))) == {"bob", "carol"}
    assert client.get("/v5/user_account", headers=bearer(alice)).json()["following_count"] == 2
    # unfollowing the board ends the implicit follow
    r = client.delete(f"/_sandbox/users/alice/following/boards/{travel['id']}")
    assert r.status_code == 200 and r.json()["was_following"] is True
    assert names(collect_pages(client, "/v5/user_account/following", bearer(alice))) == ["carol"]
    assert collect_pages(client, "/v5/user_account/followers", bearer(bob)) == []
    assert client.get(f"/v5/boards/{travel['id']}", headers=bearer(bob)).json()["follower_count"] == 0


def test_board_follow_rules(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    own = board(client, alice, name="Mine")
    secret = board(client, bob, name="Secret", privacy="SECRET")
    protected = board(client, bob, name="Prot", privacy="PROTECTED")
    r = client.put(f"/_sandbox/users/alice/following/boards/{own['id']}")
    assert r.status_code == 400 and "board_id" in r.json()["message"]
    r = client.put(f"/_sandbox/users/alice/following/boards/{secret['id']}")
    assert r.status_code == 404 and r.json()["code"] == 40
    r = client.put(f"/_sandbox/users/alice/following/boards/{protected['id']}")
    assert r.status_code == 404 and r.json()["code"] == 40
    r = client.put("/_sandbox/users/alice/following/boards/999")
    assert r.status_code == 404 and r.json()["code"] == 40
    r = client.put(f"/_sandbox/users/nobody/following/boards/{own['id']}")
    assert r.status_code == 404 and r.json()["code"] == 30


def test_following_feed_types(client):
    me = token(client, "me")
    makers = {n: token(client, n) for n in ("maker", "saver", "popular", "quiet")}
    original = pin(client, makers["maker"], board(client, makers["maker"], name="Made")["id"])
    # saver only saves someone else's Pin (a repin, parent_pin_id set): not a creator
    pin(client, makers["saver"], board(client, makers["saver"], name="Saved")["id"], parent_pin_id=original["id"],
        media_source=None)
    pin(client, makers["popular"], board(client, makers["popular"], name="Pop")["id"])
    for n in ("maker", "saver", "popular", "quiet"):
        assert follow(client, me, n).status_code == 200
    # popular gets three more followers, maker one more
    for fan in ("f1", "f2", "f3"):
        assert follow(client, token(client, fan), "popular").status_code == 200
    assert follow(client, token(client, "f4"), "maker").status_code == 200

    def listed(feed):
        return names(collect_pages(client, "/v5/user_account/following", bearer(me), params={"feed_type": feed}))

    assert listed("ALL") == ["quiet", "popular", "saver", "maker"]  # newest follow first
    assert listed("CREATOR_ONLY") == ["popular", "maker"]
    assert listed("RANKED") == ["popular", "maker", "quiet", "saver"]  # by followers (4, 2, 1, 1), then newest
    assert listed("RANKED_CREATOR_ONLY") == ["popular", "maker"]
    r = client.get("/v5/user_account/following", params={"feed_type": "SOMETIMES"}, headers=bearer(me))
    assert r.status_code == 400 and r.json()["code"] == 1 and "feed_type" in r.json()["message"]
    r = client.get("/v5/user_account/following", params={"explicit_following": "perhaps"}, headers=bearer(me))
    assert r.status_code == 400 and r.json()["code"] == 1 and "explicit_following" in r.json()["message"]
    # a bookmark is bound to its feed type
    first = client.get("/v5/user_account/following", params={"feed_type": "ALL", "page_size": 1},
                       headers=bearer(me)).json()
    r = client.get("/v5/user_account/following", params={"feed_type": "RANKED", "page_size": 1,
                                                         "bookmark": first["bookmark"]}, headers=bearer(me))
    assert r.status_code == 400 and "bookmark" in r.json()["message"]


def test_following_through_business_access(client):
    owner, analyst, stranger = token(client, "owner"), token(client, "analyst"), token(client, "stranger")
    acct = ad_account(client, owner)["id"]
    token(client, "idol")
    assert follow(client, owner, "idol").status_code == 200
    follow_board(client, "owner", board(client, token(client, "idol"), name="Idol board")["id"])
    grant(client, acct, "analyst", ["ANALYST"])
    for url in ("/v5/user_account/following", "/v5/user_account/following/boards"):
        r = client.get(url, params={"ad_account_id": acct}, headers=bearer(analyst))
        assert r.status_code == 200 and len(r.json()["items"]) == 1, r.text
        r = client.get(url, params={"ad_account_id": acct}, headers=bearer(stranger))
        assert r.status_code == 403 and r.json()["code"] == 29
        r = client.get(url, params={"ad_account_id": "999"}, headers=bearer(analyst))
        assert r.status_code == 404 and r.json()["code"] == 2
        r = client.get(url, params={"ad_account_id": "x1"}, headers=bearer(analyst))
        assert r.status_code == 400 and r.json()["code"] == 1 and "ad_account_id" in r.json()["message"]
        assert client.get(url).status_code == 401
        r = client.get(url, headers=bearer(token(client, "analyst", scopes="boards:read")))
        assert r.status_code == 401 and r.json()["code"] == 3
    # the analyst's own lists are empty
    assert client.get("/v5/user_account/following", headers=bearer(analyst)).json()["items"] == []


def test_followers_mirror_following(client):
    """V is among U's followers exactly when U lists V among the users it follows (implicit included)."""
    users = {n: token(client, n) for n in ("u1", "u2", "u3", "u4")}
    boards_ = {n: board(client, t, name=f"{n} board")["id"] for n, t in users.items()}
    assert follow(client, users["u1"], "u2").status_code == 200
    assert follow(client, users["u3"], "u2").status_code == 200
    follow_board(client, "u4", boards_["u2"])
    follow_board(client, "u2", boards_["u1"])
    follow_board(client, "u1", boards_["u3"])
    following = {n: set(names(collect_pages(client, "/v5/user_account/following", bearer(t))))
                 for n, t in users.items()}
    followers = {n: set(names(collect_pages(client, "/v5/user_account/followers", bearer(t))))
                 for n, t in users.items()}
    for u in users:
        for v in users:
            assert (v in following[u]) == (u in followers[v]), (u, v)
    assert followers["u2"] == {"u1", "u3", "u4"}
    counts = {n: client.get("/v5/user_account", headers=bearer(t)).json() for n, t in users.items()}
    assert all(counts[n]["follower_count"] == len(followers[n]) for n in users)
    assert all(counts[n]["following_count"] == len(following[n]) for n in users)


def test_sandbox_user_follow_controls(client):
    token(client, "alice")
    bob = token(client, "bob")
    r = client.put("/_sandbox/users/alice/following/bob")
    assert r.status_code == 200 and r.json()["following"] is True
    assert names(collect_pages(client, "/v5/user_account/followers", bearer(bob))) == ["alice"]
    r = client.delete("/_sandbox/users/alice/following/bob")
    assert r.status_code == 200 and r.json()["was_following"] is True
    assert collect_pages(client, "/v5/user_account/followers", bearer(bob)) == []
    assert client.delete("/_sandbox/users/alice/following/bob").json()["was_following"] is False
    assert client.put("/_sandbox/users/alice/following/nobody").status_code == 404

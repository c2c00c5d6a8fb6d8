"""search: the user's boards, the user's Pins, partner Pins — through HTTP."""

from tests.factories import ad_account, bearer, board, collect_pages, grant, pin, token


def collect_pins(client, url, headers, params):
    """Follow bookmarks of an operation without page_size (25 per page)."""
    items, params = [], dict(params)
    for _ in range(100):
        r = client.get(url, params=params, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "bookmark"}
        items += body["items"]
        if body["bookmark"] is None:
            return items
        params["bookmark"] = body["bookmark"]
    raise AssertionError("pagination did not end")


# -- boards -----------------------------------------------------------------------------------------------
def test_search_boards_keywords_and_ranking(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    summer = board(client, alice, name="Summer Recipes", description="Cold soups and salads")
    salads = board(client, alice, name="Salads", description="Summer bowls")
    board(client, alice, name="Winter", description="stews")
    board(client, bob, name="Summer Recipes too")  # not alice's
    got = collect_pages(client, "/v5/search/boards", bearer(alice), params={"query": "SUMMER"})
    # the name match (2) ranks before the description match (1)
    assert [b["id"] for b in got] == [summer["id"], salads["id"]]
    assert got[0]["owner"] == {"username": "alice"} and got[0]["name"] == "Summer Recipes"
    # every keyword must match (in any field), case-insensitively, as a substring
    got = collect_pages(client, "/v5/search/boards", bearer(alice), params={"query": "summer salad"})
    assert [b["id"] for b in got] == [salads["id"], summer["id"]]
    assert collect_pages(client, "/v5/search/boards", bearer(alice), params={"query": "summer stews"}) == []


def test_search_boards_without_query_by_ids_and_all_types(client):
    alice = token(client, "alice")
    made = [board(client, alice, name=f"B{i}", privacy=p)["id"]
            for i, p in enumerate(["PUBLIC", "PROTECTED", "SECRET", "PUBLIC", "PUBLIC"])]
    got = collect_pages(client, "/v5/search/boards", bearer(alice), page_size=2)
    assert [b["id"] for b in got] == list(reversed(made))  # all types, newest first
    got = collect_pages(client, "/v5/search/boards", bearer(alice), params={"query": f"{made[0]}, {made[2]}"})
    assert [b["id"] for b in got] == [made[2], made[0]]
    # a Pin id finds the board holding it
    p = pin(client, alice, made[3])
    got = collect_pages(client, "/v5/search/boards", bearer(alice), params={"query": p["id"]})
    assert [b["id"] for b in got] == [made[3]]


def test_search_boards_includes_group_boards(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    shared = board(client, bob, name="Shared garden", privacy="PROTECTED")
    board(client, bob, name="Bob's garden")  # not shared with alice
    r = client.put(f"/_sandbox/boards/{shared['id']}/collaborators", json={"username": "alice"})
    assert r.status_code == 200, r.text
    got = collect_pages(client, "/v5/search/boards", bearer(alice), params={"query": "garden"})
    assert [b["id"] for b in got] == [shared["id"]] and got[0]["owner"] == {"username": "bob"}


def test_search_boards_business_access_and_secret(client):
    owner, analyst, admin = token(client, "owner"), token(client, "analyst"), token(client, "admin")
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "analyst", ["ANALYST"])
    grant(client, acct, "admin", ["ADMIN"])
    public = board(client, owner, name="Shop public")
    secret = board(client, owner, name="Shop secret", privacy="SECRET")
    params = {"ad_account_id": acct, "query": "shop"}
    assert [b["id"] for b in collect_pages(client, "/v5/search/boards", bearer(analyst), params=params)] == [
        public["id"]]  # analysts do not act on secret content
    assert [b["id"] for b in collect_pages(client, "/v5/search/boards", bearer(admin), params=params)] == [
        secret["id"], public["id"]]
    r = client.get("/v5/search/boards", params=params, headers=bearer(token(client, "stranger")))
    assert r.status_code == 403 and r.json()["code"] == 29
    r = client.get("/v5/search/boards", params={"ad_account_id": "42", "query": "x"}, headers=bearer(admin))
    assert r.status_code == 404 and r.json()["code"] == 2


def test_search_protected_boards_and_pins_need_the_secret_scopes(client):
    """Protected boards and their Pins are searched as secret ones: search boards and search pins need
    the *_secret scopes (401 code 3 without them, before anything is searched); through an ad account
    an Analyst finds protected content (the spec's roles) but not secret content."""
    owner, analyst = token(client, "owner"), token(client, "analyst")
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "analyst", ["ANALYST"])
    public = board(client, owner, name="Shop public")
    protected = board(client, owner, name="Shop protected", privacy="PROTECTED")
    board(client, owner, name="Shop secret", privacy="SECRET")
    on_public = pin(client, owner, public["id"], title="Shop lamp")
    on_protected = pin(client, owner, protected["id"], title="Shop lamp protected")
    got = collect_pages(client, "/v5/search/boards", bearer(owner), params={"query": "shop"})
    assert {b["privacy"] for b in got} == {"PUBLIC", "PROTECTED", "SECRET"}
    params = {"ad_account_id": acct, "query": "shop"}
    got = collect_pages(client, "/v5/search/boards", bearer(analyst), params=params)
    assert [b["id"] for b in got] == [protected["id"], public["id"]]
    got = collect_pins(client, "/v5/search/pins", bearer(analyst), {"query": "lamp", "ad_account_id": acct})
    assert [p["id"] for p in got] == [on_protected["id"], on_public["id"]]
    for path, query, scopes, missing in (
            ("/v5/search/boards", "shop", "boards:read,pins:read,pins:read_secret", "boards:read_secret"),
            ("/v5/search/pins", "lamp", "boards:read,pins:read,pins:read_secret", "boards:read_secret"),
            ("/v5/search/pins", "lamp", "boards:read,boards:read_secret,pins:read", "pins:read_secret")):
        r = client.get(path, params={"query": query}, headers=bearer(token(client, "owner", scopes=scopes)))
        assert r.status_code == 401 and r.json()["code"] == 3 and missing in r.json()["message"], (path, r.text)


def test_search_boards_errors(client):
    tok = token(client, "alice")
    for params, field in (({"query": "!!!"}, "query"), ({"page_size": 0}, "page_size"),
                          ({"page_size": 251}, "page_size"), ({"bookmark": "zzz"}, "bookmark"),
                          ({"ad_account_id": "1a"}, "ad_account_id")):
        r = client.get("/v5/search/boards", params=params, headers=bearer(tok))
        assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], (params, r.text)
    assert client.get("/v5/search/boards").json()["code"] == 2
    r = client.get("/v5/search/boards", headers=bearer(token(client, "alice", scopes="boards:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:read_secret" in r.json()["message"]
    # a bookmark is bound to its query
    for i in range(3):
        board(client, tok, name=f"Plants {i}")
    first = client.get("/v5/search/boards", params={"query": "plants", "page_size": 1}, headers=bearer(tok)).json()
    r = client.get("/v5/search/boards", params={"query": "plant", "page_size": 1, "bookmark": first["bookmark"]},
                   headers=bearer(tok))
    assert r.status_code == 400 and "bookmark" in r.json()["message"]


# -- the user's Pins --------------------------------------------------------------------------------------
def test_search_pins(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    b = board(client, alice)
    secret = board(client, alice, name="Gifts", privacy="SECRET")
    fern = pin(client, alice, b["id"], title="Fern", description="Shade plants for the porch")
    cactus = pin(client, alice, b["id"], title="Cactus plants", description="desert")
    hidden = pin(client, alice, secret["id"], title="Plants for mum")
    pin(client, alice, b["id"], title="Chairs")
    pin(client, bob, board(client, bob)["id"], title="Plants of bob")
    got = collect_pins(client, "/v5/search/pins", bearer(alice), {"query": "Plants"})
    assert [p["id"] for p in got] == [hidden["id"], cactus["id"], fern["id"]]  # titles first, then newest
    assert got[0]["is_owner"] is True and got[0]["board_id"] == secret["id"]
    got = collect_pins(client, "/v5/search/pins", bearer(alice), {"query": f"{fern['id']},{cactus['id']}"})
    assert [p["id"] for p in got] == [cactus["id"], fern["id"]]
    found = collect_pins(client, "/v5/search/pins", bearer(alice), {"query": "plants porch shade"})
    assert [p["id"] for p in found] == [fern["id"]]
    # alt text and carousel items are searched too
    alt = pin(client, alice, b["id"], title="x", alt_text="A golden retriever")
    carousel = pin(client, alice, b["id"], title="Set", media_source={
        "source_type": "multiple_image_urls", "items": [
            {"url": "https://example.com/1.jpg", "title": "Blue vase"},
            {"url": "https://example.com/2.jpg", "description": "Red vase"}]})
    found = collect_pins(client, "/v5/search/pins", bearer(alice), {"query": "retriever"})
    assert [p["id"] for p in found] == [alt["id"]]
    assert [p["id"] for p in collect_pins(client, "/v5/search/pins", bearer(alice), {"query": "vase red"})] == [
        carousel["id"]]


def test_search_pins_pagination(client):
    alice = token(client, "alice")
    b = board(client, alice)
    made = [pin(client, alice, b["id"], title=f"Lamp {i}")["id"] for i in range(27)]
    first = client.get("/v5/search/pins", params={"query": "lamp"}, headers=bearer(alice)).json()
    assert len(first["items"]) == 25 and first["bookmark"]
    got = collect_pins(client, "/v5/search/pins", bearer(alice), {"query": "lamp"})
    assert [p["id"] for p in got] == list(reversed(made))


def test_search_pins_business_access(client):
    owner, analyst = token(client, "owner"), token(client, "analyst")
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "analyst", ["ANALYST"])
    public = pin(client, owner, board(client, owner)["id"], title="Boots")
    pin(client, owner, board(client, owner, name="S", privacy="SECRET")["id"], title="Boots secret")
    got = collect_pins(client, "/v5/search/pins", bearer(analyst), {"query": "boots", "ad_account_id": acct})
    assert [p["id"] for p in got] == [public["id"]]
    assert got[0]["is_owner"] is True


def test_search_pins_errors(client):
    tok = token(client, "alice")
    for params, field in (({}, "query"), ({"query": "   "}, "query"), ({"query": "x", "bookmark": "no"}, "bookmark"),
                          ({"query": "x", "ad_account_id": "-1"}, "ad_account_id")):
        r = client.get("/v5/search/pins", params=params, headers=bearer(tok))
        assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], (params, r.text)
    assert client.get("/v5/search/pins", params={"query": "x"}).json()["code"] == 2
    r = client.get("/v5/search/pins", params={"query": "x"},
                   headers=bearer(token(client, "alice", scopes="boards:read,boards:read_secret,pins:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:read_secret" in r.json()["message"]


# -- partner Pins -----------------------------------------------------------------------------------------
def test_partner_pins(client):
    us, de, nobody = token(client, "us_shop"), token(client, "de_shop"), token(client, "nobody")
    ad_account(client, us, country="US")
    ad_account(client, de, country="DE")
    us_pin = pin(client, us, board(client, us)["id"], title="Hiking boots", description="waterproof",
                 link="https://us.example.com/boots", alt_text="boots on a rock")
    de_pin = pin(client, de, board(client, de)["id"], title="Wanderschuhe", description="hiking boots")
    anon = pin(client, nobody, board(client, nobody)["id"], title="Old hiking boots")
    pin(client, nobody, board(client, nobody, name="S", privacy="SECRET")["id"], title="Secret hiking boots")
    pin(client, nobody, board(client, nobody, name="P", privacy="PROTECTED")["id"], title="Protected hiking boots")
    r = client.get("/v5/search/partner/pins", params={"term": "hiking boots", "country_code": "US"},
                   headers=bearer(de))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["bookmark"] is None
    # US creators first; then by score (title beats description), then newest
    assert [p["title"] for p in body["items"]] == ["Hiking boots", "Old hiking boots", "Wanderschuhe"]
    assert body["items"][0] == {"media": us_pin["media"], "alt_text": "boots on a rock",
                                "link": "https://us.example.com/boots", "title": "Hiking boots",
                                "description": "waterproof"}
    got = client.get("/v5/search/partner/pins", params={"term": "HIKING", "country_code": "de", "locale": "de-DE"},
                     headers=bearer(us)).json()
    assert [p["title"] for p in got["items"]] == ["Wanderschuhe", "Old hiking boots", "Hiking boots"]
    assert de_pin["id"] and anon["id"]


def test_partner_pins_show_the_pins_public_media(client):
    """A video Pin's media in partner search is the Pin's media as pins/get shows it: no upload
    media_id (no Pin schema has one)."""
    from tests.factories import video_media

    tok = token(client, "alice")
    b = board(client, tok)["id"]
    media_id = video_media(client, tok)
    r = client.post("/v5/pins", headers=bearer(tok), json={
        "board_id": b, "title": "Surfing video", "media_source": {
            "source_type": "video_id", "media_id": media_id, "cover_image_url": "https://e.com/cover.jpg"}})
    assert r.status_code == 201, r.text
    video = r.json()
    assert video["media"]["media_type"] == "video" and "media_id" not in video["media"]
    body = client.get("/v5/search/partner/pins", params={"term": "surfing", "country_code": "US"},
                      headers=bearer(tok)).json()
    assert [p["title"] for p in body["items"]] == ["Surfing video"]
    media = body["items"][0]["media"]
    assert media == video["media"] and "media_id" not in media
    assert media["duration"] == 14_000 and media["cover_image_url"].startswith("https://i.pinimg.com/videos/")


def test_partner_pins_limit_and_pagination(client):
    tok = token(client, "alice")
    b = board(client, tok)
    titles = [f"Candle {i}" for i in range(23)]
    for t in titles:
        pin(client, tok, b["id"], title=t)
    first = client.get("/v5/search/partner/pins", params={"term": "candle", "country_code": "US"},
                       headers=bearer(tok)).json()
    assert len(first["items"]) == 10 and first["bookmark"]  # the default limit
    seen, params = [], {"term": "candle", "country_code": "US", "limit": 4}
    for _ in range(20):
        body = client.get("/v5/search/partner/pins", params=params, headers=bearer(tok)).json()
        assert len(body["items"]) <= 4
        seen += [p["title"] for p in body["items"]]
        if body["bookmark"] is None:
            break
        params["bookmark"] = body["bookmark"]
    assert seen == list(reversed(titles))
    r = client.get("/v5/search/partner/pins", params={"term": "candle", "country_code": "US", "limit": 50},
                   headers=bearer(tok))
    assert len(r.json()["items"]) == 23 and r.json()["bookmark"] is None


def test_partner_pins_errors(client):
    tok = token(client, "alice")
    base = {"term": "x", "country_code": "US"}
    for params, field in (({"country_code": "US"}, "term"), ({"term": "x"}, "country_code"),
                          ({**base, "term": "  ?"}, "term"), ({**base, "country_code": "XX"}, "country_code"),
                          ({**base, "country_code": "USA"}, "country_code"), ({**base, "locale": "english!"}, "locale"),
                          ({**base, "limit": 0}, "limit"), ({**base, "limit": 51}, "limit"),
                          ({**base, "limit": "ten"}, "limit"), ({**base, "bookmark": "forged"}, "bookmark")):
        r = client.get("/v5/search/partner/pins", params=params, headers=bearer(tok))
        assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], (params, r.text)
    assert client.get("/v5/search/partner/pins", params=base).json()["code"] == 2
    r = client.get("/v5/search/partner/pins", params=base, headers=bearer(token(client, "alice", scopes="pins:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:read" in r.json()["message"]

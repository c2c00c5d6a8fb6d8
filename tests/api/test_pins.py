"""pins: create, get, list, update, delete, save — through HTTP."""

import base64
import struct

import pytest

from tests.factories import ad_account, bearer, board, collect_pages, grant, pin, token

PIN_KEYS = {"id", "created_at", "link", "title", "description", "dominant_color", "alt_text", "creative_type",
            "board_id", "board_section_id", "board_owner", "is_owner", "media", "parent_pin_id", "is_standard",
            "has_been_promoted", "note", "pin_metrics"}


def png(width: int, height: int) -> str:
    raw = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", width, height) + b"\x08\x02\0\0\0"
    return base64.b64encode(raw + b"\0" * 16).decode()


def test_create_from_image_url_and_get(client):
    tok = token(client, "alice")
    b = board(client, tok)
    body = {"board_id": b["id"], "title": "Shed", "description": "A garden shed", "link": "https://example.com/shed",
            "alt_text": "wooden shed", "dominant_color": "#6E7874", "note": "buy in spring",
            "media_source": {"source_type": "image_url", "url": "https://example.com/shed.jpg"}}
    r = client.post("/v5/pins", json=body, headers=bearer(tok))
    assert r.status_code == 201, r.text
    p = r.json()
    assert set(p) == PIN_KEYS
    assert p["id"].isdigit() and p["board_id"] == b["id"] and p["board_section_id"] is None
    assert (p["title"], p["description"], p["link"], p["alt_text"], p["dominant_color"], p["note"]) == (
        "Shed", "A garden shed", "https://example.com/shed", "wooden shed", "#6E7874", "buy in spring")
    assert p["creative_type"] == "REGULAR" and p["is_owner"] is True and p["board_owner"] == {"username": "alice"}
    assert p["is_standard"] is True and p["has_been_promoted"] is False and p["pin_metrics"] is None
    assert p["parent_pin_id"] is None and p["created_at"].endswith("-00:00")
    assert p["media"]["media_type"] == "image"
    images = p["media"]["images"]
    assert set(images) == {"150x150", "400x300", "600x", "1200x"}
    assert images["150x150"]["width"] == 150 and images["150x150"]["url"].startswith("https://i.pinimg.com/150x150/")
    r = client.get(f"/v5/pins/{p['id']}", headers=bearer(tok))
    assert r.status_code == 200 and r.json() == p


def test_pin_metrics(client):
    """pin_metrics=true: 90-day and lifetime counters from the organic analytics (none recorded: zeros)."""
    assert client.put("/_sandbox/clock", json={"advance_seconds": -2 * 86400}).status_code == 200
    tok = token(client, "alice")
    b = board(client, tok)["id"]
    made = [pin(client, tok, b)["id"] for _ in range(2)]  # created two days ago
    assert client.put("/_sandbox/clock", json={"advance_seconds": 2 * 86400}).status_code == 200
    zeros = {"90d": {"pin_click": 0, "impression": 0, "clickthrough": 0},
             "all_time": {"pin_click": 0, "impression": 0, "clickthrough": 0, "reaction": 0, "comment": 0}}
    r = client.get(f"/v5/pins/{made[0]}", params={"pin_metrics": "true"}, headers=bearer(tok))
    assert r.status_code == 200 and r.json()["pin_metrics"] == zeros
    for url in ("/v5/pins", f"/v5/boards/{b}/pins"):
        got = collect_pages(client, url, bearer(tok), {"pin_metrics": "true"}, page_size=1)
        assert [p["id"] for p in got] == made[::-1] and all(p["pin_metrics"] == zeros for p in got)
        assert all(p["pin_metrics"] is None for p in collect_pages(client, url, bearer(tok)))
    r = client.get("/v5/pins", params={"pin_metrics": "maybe"}, headers=bearer(tok))
    assert r.status_code == 400 and r.json()["code"] == 1 and "pin_metrics" in r.json()["message"]
    # recorded activity (a fact fixture for yesterday) shows up
    import datetime as dt

    now = dt.datetime.fromisoformat(client.get("/_sandbox/clock").json()["now"].replace("Z", "+00:00"))
    yesterday = (now.date() - dt.timedelta(days=1)).isoformat()
    r = client.post("/_sandbox/facts", json={"table": "organic", "rows": [
        {"day": yesterday, "pin_id": made[0], "app_type": "MOBILE", "impression": 120, "pin_click": 9,
         "outbound_click": 4}]})
    assert r.status_code == 200, r.text
    got = client.get(f"/v5/pins/{made[0]}", params={"pin_metrics": "true"}, headers=bearer(tok)).json()
    assert got["pin_metrics"]["90d"] == {"pin_click": 9, "impression": 120, "clickthrough": 4}
    assert got["pin_metrics"]["all_time"]["impression"] == 120


def test_media_source_variants(client):
    tok = token(client, "alice")
    b = board(client, tok)["id"]
    p = pin(client, tok, b, media_source={"source_type": "image_base64", "content_type": "image/png",
                                          "data": png(1000, 500)})
    assert p["media"]["images"]["600x"] == {**p["media"]["images"]["600x"], "width": 600, "height": 300}
    assert p["dominant_color"].startswith("#") and len(p["dominant_color"]) == 7
    items = [{"url": f"https://example.com/{i}.jpg", "title": f"slide {i}"} for i in range(3)]
    p = pin(client, tok, b, media_source={"source_type": "multiple_image_urls", "items": items, "index": 0})
    assert p["creative_type"] == "CAROUSEL" and p["media"]["media_type"] == "multiple_images"
    assert [i["title"] for i in p["media"]["items"]] == ["slide 0", "slide 1", "slide 2"]
    assert all(set(i["images"]) == {"150x150", "400x300", "600x", "1200x"} for i in p["media"]["items"])
    p = pin(client, tok, b, media_source={"source_type": "multiple_image_base64", "items": [
        {"content_type": "image/png", "data": png(200, 200)}, {"content_type": "image/png", "data": png(300, 300)}]})
    assert p["creative_type"] == "CAROUSEL" and len(p["media"]["items"]) == 2
    p = pin(client, tok, b, link="https://shop.example.com/item/1",
            media_source={"source_type": "pin_url", "is_affiliate_link": True})
    # a product Pin (PinMediaSourcePinURL: "for product pin creation"): creative type SHOPPING, an image
    assert p["creative_type"] == "SHOPPING" and p["media"]["media_type"] == "image" and p["is_standard"] is True
    assert p["link"] == "https://shop.example.com/item/1" and "is_affiliate_link" not in p
    assert set(p["media"]["images"]) == {"150x150", "400x300", "600x", "1200x"}
    assert [x["id"] for x in collect_pages(client, "/v5/pins", bearer(tok), {"creative_types": "SHOPPING"})] == \
        [p["id"]]
    assert p["id"] not in [x["id"] for x in collect_pages(client, "/v5/pins", bearer(tok),
                                                          {"creative_types": "REGULAR"})]
    # saving an existing Pin copies its media
    saved = pin(client, tok, b, parent_pin_id=p["id"], media_source=None)
    assert saved["parent_pin_id"] == p["id"] and saved["media"] == p["media"]


@pytest.mark.parametrize("body_update, status, code, field", [
    ({"board_id": None}, 400, 1, "board_id"),
    ({"board_id": "12ab"}, 400, 1, "board_id"),
    ({"title": "t" * 101}, 400, 1, "title"),
    ({"description": "d" * 801}, 400, 1, "description"),
    ({"alt_text": "a" * 501}, 400, 1, "alt_text"),
    ({"dominant_color": "red"}, 400, 1, "dominant_color"),
    ({"link": "not a url"}, 400, 1, "link"),
    ({"link": "https://e.com/" + "x" * 2048}, 400, 1, "link"),
    ({"media_source": None}, 400, 1, "media_source"),
    ({"media_source": {"url": "https://e.com/a.jpg"}}, 400, 1, "source_type"),
    ({"media_source": {"source_type": "gif"}}, 400, 1, "source_type"),
    ({"media_source": {"source_type": "image_url"}}, 400, 1, "url"),
    ({"media_source": {"source_type": "image_url", "url": "ftp://e.com/a.jpg"}}, 400, 1, "media_source.url"),
    ({"media_source": {"source_type": "image_base64", "data": "AAAA"}}, 400, 1, "content_type"),
    ({"media_source": {"source_type": "image_base64", "content_type": "image/png"}}, 400, 1, "data"),
    ({"media_source": {"source_type": "image_base64", "content_type": "image/gif", "data": "AAAA"}}, 400, 1,
     "content_type"),
    ({"media_source": {"source_type": "image_base64", "content_type": "image/png", "data": "A$$$"}}, 400, 1, "data"),
    ({"media_source": {"source_type": "image_base64", "content_type": "image/png", "data": "AAAA"}}, 403, 235,
     "media_source.data"),
    ({"media_source": {"source_type": "image_base64", "content_type": "image/png", "data": png(50, 400)}}, 403, 233,
     "media_source.data"),
    ({"media_source": {"source_type": "video_id"}}, 400, 1, "media_id"),
    ({"media_source": {"source_type": "video_id", "media_id": "123"}}, 400, 1, "media_id"),
    ({"media_source": {"source_type": "multiple_image_urls", "items": [{"url": "https://e.com/1.jpg"}]}}, 400, 1,
     "items"),
    ({"media_source": {"source_type": "multiple_image_urls", "items": [{"title": "a"}, {"title": "b"}]}}, 400, 1,
     "url"),
    ({"media_source": {"source_type": "multiple_image_urls", "index": 5,
                       "items": [{"url": "https://e.com/1.jpg"}, {"url": "https://e.com/2.jpg"}]}}, 400, 1, "index"),
    ({"media_source": {"source_type": "multiple_image_base64", "items": [{"data": "AAAA"}, {"data": "AAAA"}]}}, 400,
     1, "content_type"),
    ({"media_source": {"source_type": "pin_url"}, "link": None}, 400, 1, "link"),
    ({"board_section_id": "123"}, 404, 2031, "board_section_id"),
    ({"parent_pin_id": "123"}, 404, 50, "parent_pin_id"),
])
def test_create_validation(client, body_update, status, code, field):
    tok = token(client, "alice")
    b = board(client, tok)["id"]
    body = {"board_id": b, "link": "https://example.com/x",
            "media_source": {"source_type": "image_url", "url": "https://example.com/a.jpg"}, **body_update}
    body = {k: v for k, v in body.items() if v is not None}
    r = client.post("/v5/pins", json=body, headers=bearer(tok))
    assert r.status_code == status, r.text
    assert r.json()["code"] == code and field in r.json()["message"]
    assert collect_pages(client, "/v5/pins", bearer(tok)) == []  # nothing half-written


def test_board_rules(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    mine = board(client, alice)["id"]
    theirs = board(client, bob)["id"]
    hidden = board(client, bob, privacy="PROTECTED")["id"]
    src = {"source_type": "image_url", "url": "https://e.com/a.jpg"}
    r = client.post("/v5/pins", json={"board_id": theirs, "media_source": src}, headers=bearer(alice))
    assert r.status_code == 403 and r.json()["code"] == 29
    r = client.post("/v5/pins", json={"board_id": hidden, "media_source": src}, headers=bearer(alice))
    assert r.status_code == 404 and r.json()["code"] == 40
    r = client.post("/v5/pins", json={"board_id": "999", "media_source": src}, headers=bearer(alice))
    assert r.status_code == 404 and r.json()["code"] == 40 and "Board not found." in r.json()["message"]
    assert pin(client, alice, mine)["board_owner"]["username"] == "alice"


def test_get_visibility(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    plain = token(client, "alice", scopes="boards:read,pins:read")
    public = pin(client, alice, board(client, alice)["id"])
    protected = pin(client, alice, board(client, alice, privacy="PROTECTED")["id"])
    secret = pin(client, alice, board(client, alice, privacy="SECRET")["id"], note="private")
    # others see public Pins (without the private note), not protected or secret ones
    r = client.get(f"/v5/pins/{public['id']}", headers=bearer(bob))
    assert r.status_code == 200 and r.json()["is_owner"] is False and r.json()["note"] is None
    for p in (protected, secret):
        r = client.get(f"/v5/pins/{p['id']}", headers=bearer(bob))
        assert r.status_code == 403 and r.json()["code"] == 29
    # the owner needs a secret scope for Pins on protected and secret boards
    for p in (protected, secret):
        r = client.get(f"/v5/pins/{p['id']}", headers=bearer(plain))
        assert r.status_code == 401 and r.json()["code"] == 3 and "pins:read_secret" in r.json()["message"]
        assert "boards:read_secret" in r.json()["message"]
    assert client.get(f"/v5/pins/{secret['id']}", headers=bearer(alice)).json()["note"] == "private"
    pins_secret = token(client, "alice", scopes="boards:read,pins:read,pins:read_secret")
    boards_secret = token(client, "alice", scopes="boards:read,pins:read,boards:read_secret")
    for tok in (pins_secret, boards_secret):
        for p in (protected, secret):
            assert client.get(f"/v5/pins/{p['id']}", headers=bearer(tok)).json()["id"] == p["id"]
    for missing in ("123456", "abc"):
        r = client.get(f"/v5/pins/{missing}", headers=bearer(alice))
        assert r.status_code == 404 and r.json()["code"] == 50 and "Pin not found." in r.json()["message"]


def test_protected_board_pins_need_secret_scopes(client):
    """Pins on protected boards are read with pins:read_secret or boards:read_secret and written with
    pins:write_secret or boards:write_secret, as Pins on secret boards."""
    alice = token(client, "alice")
    plain = token(client, "alice", scopes="boards:read,boards:write,pins:read,pins:write")
    readers = token(client, "alice", scopes="boards:read,boards:write,pins:read,pins:write,pins:read_secret,"
                                            "boards:read_secret")
    protected_board = board(client, alice, privacy="PROTECTED")["id"]
    public_board = board(client, alice)["id"]
    on_protected = pin(client, alice, protected_board)
    on_public = pin(client, alice, public_board)
    src = {"source_type": "image_url", "url": "https://e.com/a.jpg"}
    # create on, save to, move to a protected board
    for tok, board_error in ((plain, 404), (readers, 401)):
        r = client.post("/v5/pins", json={"board_id": protected_board, "media_source": src}, headers=bearer(tok))
        assert r.status_code == 401 and r.json()["code"] == 3 and "pins:write_secret" in r.json()["message"]
        r = client.post(f"/v5/pins/{on_public['id']}/save", json={"board_id": protected_board}, headers=bearer(tok))
        assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write_secret" in r.json()["message"]
        r = client.patch(f"/v5/pins/{on_public['id']}", json={"board_id": protected_board}, headers=bearer(tok))
        assert r.status_code == 401 and r.json()["code"] == 3 and "pins:write_secret" in r.json()["message"]
    # update and delete a Pin there: without a read scope the Pin cannot be read; with it, not written
    for method in ("patch", "delete"):
        kwargs = {"json": {"title": "x"}} if method == "patch" else {}
        r = client.request(method, f"/v5/pins/{on_protected['id']}", headers=bearer(plain), **kwargs)
        assert r.status_code == 401 and r.json()["code"] == 3 and "pins:read_secret" in r.json()["message"]
        r = client.request(method, f"/v5/pins/{on_protected['id']}", headers=bearer(readers), **kwargs)
        assert r.status_code == 401 and r.json()["code"] == 3 and "pins:write_secret" in r.json()["message"]
    assert [p["id"] for p in collect_pages(client, f"/v5/boards/{protected_board}/pins", bearer(alice))] == \
        [on_protected["id"]]  # nothing was created, saved, moved or deleted
    assert client.get(f"/v5/pins/{on_protected['id']}", headers=bearer(alice)).json() == on_protected
    # with a write scope
    for scope in ("pins:write_secret", "boards:write_secret"):
        writer = token(client, "alice",
                       scopes=f"boards:read,boards:write,pins:read,pins:write,pins:read_secret,{scope}")
        made = client.post("/v5/pins", json={"board_id": protected_board, "media_source": src}, headers=bearer(writer))
        assert made.status_code == 201 and made.json()["board_id"] == protected_board
        r = client.patch(f"/v5/pins/{made.json()['id']}", json={"title": scope}, headers=bearer(writer))
        assert r.status_code == 200 and r.json()["title"] == scope
        assert client.delete(f"/v5/pins/{made.json()['id']}", headers=bearer(writer)).status_code == 204


def test_protected_board_pins_through_business_access(client):
    """The spec's roles: Pins on protected boards are for Owner, Admin, Analyst, Campaign Manager (with
    the secret scopes); Pins on secret boards for Owner and Admin."""
    owner, analyst = token(client, "owner"), token(client, "analyst")
    analyst_plain = token(client, "analyst", scopes="boards:read,boards:write,pins:read,pins:write")
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "analyst", ["ANALYST"])
    protected = pin(client, owner, board(client, owner, privacy="PROTECTED")["id"])
    public = pin(client, owner, board(client, owner)["id"])
    q = {"ad_account_id": acct}
    assert client.get(f"/v5/pins/{protected['id']}", params=q, headers=bearer(analyst)).json()["is_owner"] is True
    got = collect_pages(client, "/v5/pins", bearer(analyst), {**q, "include_protected_pins": "true"})
    assert [p["id"] for p in got] == [public["id"], protected["id"]]
    r = client.patch(f"/v5/pins/{protected['id']}", params=q, json={"title": "ba"}, headers=bearer(analyst))
    assert r.status_code == 200 and r.json()["title"] == "ba"
    r = client.get(f"/v5/pins/{protected['id']}", params=q, headers=bearer(analyst_plain))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:read_secret" in r.json()["message"]
    r = client.get("/v5/pins", params={**q, "include_protected_pins": "true"}, headers=bearer(analyst_plain))
    assert r.status_code == 401 and r.json()["code"] == 3


def test_secret_board_pin_creation_needs_write_secret(client):
    alice = token(client, "alice")
    secret_board = board(client, alice, privacy="SECRET")["id"]
    limited = token(client, "alice", scopes="boards:read,boards:write,pins:read,pins:write,boards:read_secret")
    src = {"source_type": "image_url", "url": "https://e.com/a.jpg"}
    r = client.post("/v5/pins", json={"board_id": secret_board, "media_source": src}, headers=bearer(limited))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:write_secret" in r.json()["message"]
    assert pin(client, alice, secret_board)["board_id"] == secret_board


def test_list_filters_and_pagination(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    plain = token(client, "alice", scopes="boards:read,pins:read")
    pub = board(client, alice)["id"]
    regular = [pin(client, alice, pub)["id"] for _ in range(4)]
    carousel = pin(client, alice, pub, media_source={"source_type": "multiple_image_urls", "items": [
        {"url": "https://e.com/1.jpg"}, {"url": "https://e.com/2.jpg"}]})["id"]
    repin = pin(client, alice, pub, parent_pin_id=regular[0], media_source=None)["id"]
    protected = pin(client, alice, board(client, alice, privacy="PROTECTED")["id"])["id"]
    secret = pin(client, alice, board(client, alice, privacy="SECRET")["id"])["id"]
    pin(client, bob, board(client, bob)["id"])

    def ids(tok=alice, **params):
        return [p["id"] for p in collect_pages(client, "/v5/pins", bearer(tok), params, page_size=2)]

    public_ids = sorted(regular + [carousel, repin], reverse=True)  # newest first
    assert ids(plain) == public_ids
    assert ids() == sorted(public_ids + [secret], reverse=True)
    assert ids(include_protected_pins="true") == sorted(public_ids + [secret, protected], reverse=True)
    assert ids(pin_type="PRIVATE") == [secret]
    assert ids(pin_filter="exclude_repins") == sorted(regular + [carousel, secret], reverse=True)
    assert ids(pin_filter="exclude_native") == [repin]
    assert ids(creative_types="CAROUSEL") == [carousel]
    assert ids(creative_types=["CAROUSEL", "VIDEO"]) == [carousel]
    assert ids(pin_filter="has_been_promoted") == []
    r = client.get("/v5/pins", params={"pin_type": "PRIVATE"}, headers=bearer(plain))
    assert r.status_code == 401 and r.json()["code"] == 3
    # include_protected_pins asks for Pins on protected boards: it needs pins:read_secret or boards:read_secret
    r = client.get("/v5/pins", params={"include_protected_pins": "true"}, headers=bearer(plain))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:read_secret" in r.json()["message"]
    assert "include_protected_pins" in r.json()["message"]
    assert ids(plain, include_protected_pins="false") == public_ids
    for scope in ("pins:read_secret", "boards:read_secret"):
        reader = token(client, "alice", scopes=f"boards:read,pins:read,{scope}")
        assert ids(reader, include_protected_pins="true") == sorted(public_ids + [secret, protected], reverse=True)
    for key, value in (("pin_filter", "nope"), ("creative_types", "GIF"), ("pin_type", "PUBLIC"),
                       ("page_size", "0")):
        r = client.get("/v5/pins", params={key: value}, headers=bearer(alice))
        assert r.status_code == 400 and r.json()["code"] == 1 and key in r.json()["message"]


def test_business_access(client):
    owner, admin, analyst, stranger = (token(client, u) for u in ("owner", "admin", "analyst", "stranger"))
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "admin", ["ADMIN"])
    grant(client, acct, "analyst", ["ANALYST"])
    public = pin(client, owner, board(client, owner)["id"])
    secret = pin(client, owner, board(client, owner, privacy="SECRET")["id"])
    q = {"ad_account_id": acct}
    r = client.get(f"/v5/pins/{public['id']}", params=q, headers=bearer(analyst))
    assert r.status_code == 200 and r.json()["is_owner"] is True
    r = client.get(f"/v5/pins/{secret['id']}", params=q, headers=bearer(analyst))
    assert r.status_code == 403 and r.json()["code"] == 29
    assert client.get(f"/v5/pins/{secret['id']}", params=q, headers=bearer(admin)).status_code == 200
    assert [p["id"] for p in collect_pages(client, "/v5/pins", bearer(analyst), q)] == [public["id"]]
    assert [p["id"] for p in collect_pages(client, "/v5/pins", bearer(admin), q)] == [secret["id"], public["id"]]
    made = client.post("/v5/pins", params=q, headers=bearer(admin), json={
        "board_id": public["board_id"], "media_source": {"source_type": "image_url", "url": "https://e.com/b.jpg"}})
    assert made.status_code == 201 and made.json()["board_owner"]["username"] == "owner"
    r = client.get("/v5/pins", params=q, headers=bearer(stranger))
    assert r.status_code == 403 and r.json()["code"] == 29


def test_auth_errors(client):
    assert client.get("/v5/pins").status_code == 401
    r = client.get("/v5/pins", headers=bearer(token(client, "u", scopes="boards:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:read" in r.json()["message"]
    r = client.post("/v5/pins", json={}, headers=bearer(token(client, "v", scopes="boards:read,pins:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:write" in r.json()["message"]


# -- sections and group boards on create ------------------------------------------------------------
def test_create_in_a_section_and_on_a_group_board(client):
    from tests.factories import section, share_board

    alice, bob, carol = token(client, "alice"), token(client, "bob"), token(client, "carol")
    b = board(client, alice)["id"]
    other = board(client, alice)["id"]
    s = section(client, alice, b)
    p = pin(client, alice, b, board_section_id=s["id"])
    assert p["board_section_id"] == s["id"] and p["board_id"] == b
    src = {"source_type": "image_url", "url": "https://e.com/a.jpg"}
    r = client.post("/v5/pins", json={"board_id": other, "board_section_id": s["id"], "media_source": src},
                    headers=bearer(alice))
    assert r.status_code == 404 and r.json()["code"] == 2031 and "board_section_id" in r.json()["message"]
    # a collaborator pins on the group board (and into its sections); others may not
    r = client.post("/v5/pins", json={"board_id": b, "media_source": src}, headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29
    share_board(client, b, "bob")
    made = pin(client, bob, b, board_section_id=s["id"])
    assert made["is_owner"] is True and made["board_owner"]["username"] == "alice"
    r = client.post("/v5/pins", json={"board_id": b, "media_source": src}, headers=bearer(carol))
    assert r.status_code == 403 and r.json()["code"] == 29


# -- update ---------------------------------------------------------------------------------------
def test_update(client):
    from tests.factories import section

    tok = token(client, "alice")
    b = board(client, tok)["id"]
    to = board(client, tok)["id"]
    s_from, s_to = section(client, tok, b), section(client, tok, to)
    p = pin(client, tok, b, board_section_id=s_from["id"], title="Old", description="Old text", alt_text="old",
            note="old note")
    r = client.patch(f"/v5/pins/{p['id']}", json={"title": "New", "link": "https://example.com/new",
                                                  "note": None, "description": None}, headers=bearer(tok))
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["title"], got["link"], got["note"], got["description"], got["alt_text"]) == (
        "New", "https://example.com/new", None, None, "old")
    assert got["board_id"] == b and got["board_section_id"] == s_from["id"] and got["media"] == p["media"]
    assert client.get(f"/v5/pins/{p['id']}", headers=bearer(tok)).json() == got
    # out of its section, then to another board's section; moving boards without a section leaves none
    r = client.patch(f"/v5/pins/{p['id']}", json={"board_section_id": None}, headers=bearer(tok))
    assert r.json()["board_section_id"] is None and r.json()["board_id"] == b
    r = client.patch(f"/v5/pins/{p['id']}", json={"board_id": to, "board_section_id": s_to["id"]},
                     headers=bearer(tok))
    assert (r.json()["board_id"], r.json()["board_section_id"]) == (to, s_to["id"])
    assert client.get(f"/v5/boards/{b}", headers=bearer(tok)).json()["pin_count"] == 0
    assert client.get(f"/v5/boards/{to}", headers=bearer(tok)).json()["pin_count"] == 1
    r = client.patch(f"/v5/pins/{p['id']}", json={"board_id": b}, headers=bearer(tok))
    assert (r.json()["board_id"], r.json()["board_section_id"]) == (b, None)
    r = client.patch(f"/v5/pins/{p['id']}", json={"board_id": None, "alt_text": "alt"}, headers=bearer(tok))
    assert r.status_code == 200 and r.json()["board_id"] == b and r.json()["alt_text"] == "alt"


def test_update_carousel_slots(client):
    tok = token(client, "alice")
    b = board(client, tok)["id"]
    items = [{"url": f"https://e.com/{i}.jpg", "title": f"slide {i}", "link": f"https://e.com/p/{i}"}
             for i in range(3)]
    p = pin(client, tok, b, media_source={"source_type": "multiple_image_urls", "items": items})
    r = client.patch(f"/v5/pins/{p['id']}", json={"carousel_slots": [
        {"title": "First"}, {"description": "the second", "link": "https://e.com/two"}]}, headers=bearer(tok))
    assert r.status_code == 200, r.text
    slots = r.json()["media"]["items"]
    assert [(s["title"], s["description"], s["link"]) for s in slots] == [
        ("First", None, "https://e.com/p/0"), ("slide 1", "the second", "https://e.com/two"),
        ("slide 2", None, "https://e.com/p/2")]
    assert slots[0]["images"] == p["media"]["items"][0]["images"]
    r = client.patch(f"/v5/pins/{p['id']}", json={"carousel_slots": [{}] * 4}, headers=bearer(tok))
    assert r.status_code == 400 and "carousel_slots" in r.json()["message"]
    r = client.patch(f"/v5/pins/{p['id']}", json={"carousel_slots": [{"link": "nope"}]}, headers=bearer(tok))
    assert r.status_code == 400 and "carousel_slots[0].link" in r.json()["message"]
    plain = pin(client, tok, b)
    r = client.patch(f"/v5/pins/{plain['id']}", json={"carousel_slots": [{"title": "x"}]}, headers=bearer(tok))
    assert r.status_code == 400 and r.json()["code"] == 1 and "carousel_slots" in r.json()["message"]


@pytest.mark.parametrize("body, status, code, field", [
    ({"title": "t" * 101}, 400, 1, "title"),
    ({"description": "d" * 801}, 400, 1, "description"),
    ({"alt_text": "a" * 501}, 400, 1, "alt_text"),
    ({"link": "not a url"}, 400, 1, "link"),
    ({"link": "https://e.com/" + "x" * 2048}, 400, 1, "link"),
    ({"board_id": "12ab"}, 400, 1, "board_id"),
    ({"board_section_id": "x"}, 400, 1, "board_section_id"),
    ({"carousel_slots": "x"}, 400, 1, "carousel_slots"),
    ({"board_id": "123456789"}, 404, 40, "Board not found."),
    ({"board_section_id": "123456789"}, 404, 2031, "board_section_id"),
])
def test_update_validation(client, body, status, code, field):
    tok = token(client, "alice")
    p = pin(client, tok, board(client, tok)["id"])
    r = client.patch(f"/v5/pins/{p['id']}", json=body, headers=bearer(tok))
    assert r.status_code == status and r.json()["code"] == code and field in r.json()["message"], r.text
    assert client.get(f"/v5/pins/{p['id']}", headers=bearer(tok)).json() == p  # unchanged


def test_update_rules(client):
    from tests.factories import share_board

    alice, bob = token(client, "alice"), token(client, "bob")
    mine = board(client, alice)["id"]
    p = pin(client, alice, mine)
    r = client.patch(f"/v5/pins/{p['id']}", json={"title": "x"}, headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29 and r.json()["message"].startswith(
        "Not authorized to update Pin.")
    share_board(client, mine, "bob")  # collaborators save Pins on the board, but a Pin is updated by its owner
    r = client.patch(f"/v5/pins/{p['id']}", json={"title": "x"}, headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29
    r = client.patch(f"/v5/pins/{p['id']}", json={"board_id": board(client, bob)["id"]}, headers=bearer(alice))
    assert r.status_code == 403 and r.json()["code"] == 29
    for missing in ("123456789", "abc"):
        r = client.patch(f"/v5/pins/{missing}", json={"title": "x"}, headers=bearer(alice))
        assert r.status_code == 404 and r.json()["code"] == 50
    # secret boards need a secret write scope, to change a Pin there or to move one there
    secret_board = board(client, alice, privacy="SECRET")["id"]
    secret_pin = pin(client, alice, secret_board)
    limited = token(client, "alice", scopes="boards:read,boards:write,pins:read,pins:write,pins:read_secret")
    r = client.patch(f"/v5/pins/{secret_pin['id']}", json={"title": "x"}, headers=bearer(limited))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:write_secret" in r.json()["message"]
    r = client.patch(f"/v5/pins/{p['id']}", json={"board_id": secret_board}, headers=bearer(limited))
    assert r.status_code == 401 and r.json()["code"] == 3
    pins_secret = token(client, "alice", scopes="boards:read,boards:write,pins:read,pins:write,pins:read_secret,"
                                                "pins:write_secret")
    r = client.patch(f"/v5/pins/{secret_pin['id']}", json={"title": "ok"}, headers=bearer(pins_secret))
    assert r.status_code == 200 and r.json()["title"] == "ok"
    # Business Access: an analyst updates the owner's public Pins, not secret ones
    owner, analyst = token(client, "owner"), token(client, "analyst")
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "analyst", ["ANALYST"])
    op = pin(client, owner, board(client, owner)["id"])
    osecret = pin(client, owner, board(client, owner, privacy="SECRET")["id"])
    q = {"ad_account_id": acct}
    assert client.patch(f"/v5/pins/{op['id']}", params=q, json={"title": "ba"}, headers=bearer(analyst)).json()[
        "title"] == "ba"
    r = client.patch(f"/v5/pins/{osecret['id']}", params=q, json={"title": "x"}, headers=bearer(analyst))
    assert r.status_code == 403 and r.json()["code"] == 29


# -- delete ---------------------------------------------------------------------------------------
def test_delete(client):
    from tests.factories import share_board

    alice, bob, carol = token(client, "alice"), token(client, "bob"), token(client, "carol")
    b = board(client, alice)["id"]
    p = pin(client, alice, b)
    keep = pin(client, alice, b)
    r = client.delete(f"/v5/pins/{keep['id']}", headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29
    assert client.delete(f"/v5/pins/{p['id']}", headers=bearer(alice)).status_code == 204
    r = client.get(f"/v5/pins/{p['id']}", headers=bearer(alice))
    assert r.status_code == 404 and r.json()["code"] == 50
    r = client.delete(f"/v5/pins/{p['id']}", headers=bearer(alice))
    assert r.status_code == 404 and r.json()["code"] == 50
    assert client.get(f"/v5/boards/{b}", headers=bearer(alice)).json()["pin_count"] == 1
    # on a group board: the owner and collaborators delete anyone's Pins
    share_board(client, b, "bob")
    share_board(client, b, "carol")
    bobs = pin(client, bob, b)
    assert client.delete(f"/v5/pins/{keep['id']}", headers=bearer(bob)).status_code == 204
    assert client.delete(f"/v5/pins/{bobs['id']}", headers=bearer(carol)).status_code == 204
    assert collect_pages(client, f"/v5/boards/{b}/pins", bearer(alice)) == []


def test_delete_secret_and_hidden(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    secret = pin(client, alice, board(client, alice, privacy="SECRET")["id"])
    protected = pin(client, alice, board(client, alice, privacy="PROTECTED")["id"])
    r = client.delete(f"/v5/pins/{protected['id']}", headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29
    limited = token(client, "alice", scopes="boards:read,boards:write,pins:read,pins:write,pins:read_secret")
    r = client.delete(f"/v5/pins/{secret['id']}", headers=bearer(limited))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:write_secret" in r.json()["message"]
    assert client.delete(f"/v5/pins/{secret['id']}", headers=bearer(alice)).status_code == 204


# -- save -----------------------------------------------------------------------------------------
def test_save(client):
    from tests.factories import section

    alice, bob = token(client, "alice"), token(client, "bob")
    original = pin(client, alice, board(client, alice)["id"], title="Shed", note="alice's note",
                   media_source={"source_type": "multiple_image_urls", "items": [
                       {"url": "https://e.com/1.jpg"}, {"url": "https://e.com/2.jpg"}]})
    target = board(client, bob)["id"]
    s = section(client, bob, target)
    r = client.post(f"/v5/pins/{original['id']}/save", json={"board_id": target}, headers=bearer(bob))
    assert r.status_code == 201, r.text
    saved = r.json()
    assert saved["id"] != original["id"] and saved["parent_pin_id"] == original["id"]
    assert (saved["board_id"], saved["board_section_id"], saved["is_owner"]) == (target, None, True)
    assert saved["board_owner"]["username"] == "bob" and saved["note"] is None
    for key in ("title", "link", "media", "creative_type", "dominant_color", "alt_text", "description"):
        assert saved[key] == original[key], key
    # into a section: with its board, or the section alone
    r = client.post(f"/v5/pins/{original['id']}/save", json={"board_id": target, "board_section_id": s["id"]},
                    headers=bearer(bob))
    assert r.status_code == 201 and r.json()["board_section_id"] == s["id"]
    r = client.post(f"/v5/pins/{original['id']}/save", json={"board_section_id": s["id"]}, headers=bearer(bob))
    assert r.status_code == 201 and (r.json()["board_id"], r.json()["board_section_id"]) == (target, s["id"])
    # a save of a save points at the Pin saved
    r = client.post(f"/v5/pins/{saved['id']}/save", json={"board_id": board(client, alice)["id"]},
                    headers=bearer(alice))
    assert r.status_code == 201 and r.json()["parent_pin_id"] == saved["id"]
    got = collect_pages(client, "/v5/pins", bearer(bob), {"pin_filter": "exclude_native"})
    assert len(got) == 3 and all(p["parent_pin_id"] == original["id"] for p in got)
    assert collect_pages(client, "/v5/pins", bearer(bob), {"pin_filter": "exclude_repins"}) == []


@pytest.mark.parametrize("body, status, code, field", [
    ({}, 400, 1, "board_id"),
    ({"board_id": None, "board_section_id": None}, 400, 1, "board_id"),
    ({"board_id": "12ab"}, 400, 1, "board_id"),
    ({"board_section_id": "x"}, 400, 1, "board_section_id"),
    ({"board_id": "123456789"}, 404, 40, "Board not found."),
    ({"board_section_id": "123456789"}, 404, 2031, "board_section_id"),
])
def test_save_validation(client, body, status, code, field):
    tok = token(client, "alice")
    p = pin(client, tok, board(client, tok)["id"])
    r = client.post(f"/v5/pins/{p['id']}/save", json=body, headers=bearer(tok))
    assert r.status_code == status and r.json()["code"] == code and field in r.json()["message"], r.text
    assert len(collect_pages(client, "/v5/pins", bearer(tok))) == 1


def test_save_rules(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    public = pin(client, alice, board(client, alice)["id"])
    protected = pin(client, alice, board(client, alice, privacy="PROTECTED")["id"])
    bobs_board = board(client, bob)["id"]
    alices_board = board(client, alice)["id"]
    for pin_id, board_id, status, code in (
            (protected["id"], bobs_board, 403, 29),  # a Pin Bob may not see
            (public["id"], alices_board, 403, 29),  # a board Bob may not save to
            ("123456789", bobs_board, 404, 50)):
        r = client.post(f"/v5/pins/{pin_id}/save", json={"board_id": board_id}, headers=bearer(bob))
        assert r.status_code == status and r.json()["code"] == code, r.text
    secret_board = board(client, bob, privacy="SECRET")["id"]
    limited = token(client, "bob", scopes="boards:read,boards:write,pins:read,pins:write,boards:read_secret")
    r = client.post(f"/v5/pins/{public['id']}/save", json={"board_id": secret_board}, headers=bearer(limited))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:write_secret" in r.json()["message"]
    assert client.post(f"/v5/pins/{public['id']}/save", json={"board_id": secret_board},
                       headers=bearer(bob)).status_code == 201


def test_write_auth_errors(client):
    tok = token(client, "alice")
    b = board(client, tok)["id"]
    p = pin(client, tok, b)
    calls = [("patch", f"/v5/pins/{p['id']}", {"json": {"title": "x"}}), ("delete", f"/v5/pins/{p['id']}", {}),
             ("post", f"/v5/pins/{p['id']}/save", {"json": {"board_id": b}})]
    reader = token(client, "alice", scopes="boards:read,boards:write,pins:read")
    for method, path, kwargs in calls:
        r = client.request(method, path, **kwargs)
        assert r.status_code == 401 and r.json()["code"] == 2
        r = client.request(method, path, headers=bearer(reader), **kwargs)
        assert r.status_code == 401 and r.json()["code"] == 3 and "pins:write" in r.json()["message"]
    assert client.get(f"/v5/pins/{p['id']}", headers=bearer(tok)).json() == p

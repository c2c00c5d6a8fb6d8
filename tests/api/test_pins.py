"""pins: create, get, list — through HTTP."""

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
    r = client.get(f"/v5/pins/{p['id']}", params={"pin_metrics": "true"}, headers=bearer(tok))
    assert r.status_code == 200 and r.json() == p


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
    assert p["media"]["media_type"] == "image"
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
    # the owner needs a secret scope for Pins on secret boards
    assert client.get(f"/v5/pins/{protected['id']}", headers=bearer(plain)).status_code == 200
    r = client.get(f"/v5/pins/{secret['id']}", headers=bearer(plain))
    assert r.status_code == 401 and r.json()["code"] == 3 and "pins:read_secret" in r.json()["message"]
    assert client.get(f"/v5/pins/{secret['id']}", headers=bearer(alice)).json()["note"] == "private"
    pins_secret = token(client, "alice", scopes="boards:read,pins:read,pins:read_secret")
    assert client.get(f"/v5/pins/{secret['id']}", headers=bearer(pins_secret)).status_code == 200
    for missing in ("123456", "abc"):
        r = client.get(f"/v5/pins/{missing}", headers=bearer(alice))
        assert r.status_code == 404 and r.json()["code"] == 50 and "Pin not found." in r.json()["message"]


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

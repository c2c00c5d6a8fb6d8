"""Setup through HTTP: users and tokens (sandbox endpoint), then the API itself."""

from __future__ import annotations

from typing import Any

import httpx


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token(client: httpx.Client, username: str = "alice", scopes: str = "all", account_type: str = "BUSINESS") -> str:
    r = client.post("/_sandbox/tokens", json={"username": username, "scopes": scopes, "account_type": account_type})
    assert r.status_code == 200, r.text
    return r.json()["access_token"]


def user_id(client: httpx.Client, tok: str) -> str:
    r = client.get("/v5/user_account", headers=bearer(tok))
    assert r.status_code == 200, r.text
    return r.json()["id"]


def ad_account(client: httpx.Client, tok: str, **fields: Any) -> dict[str, Any]:
    body = {"name": "ACME Tools", "country": "US", **fields}
    r = client.post("/v5/ad_accounts", json=body, headers=bearer(tok))
    assert r.status_code == 200, r.text
    return r.json()


def grant(client: httpx.Client, ad_account_id: str, username: str, roles: list[str]) -> None:
    r = client.put(f"/_sandbox/ad_accounts/{ad_account_id}/members", json={"username": username, "roles": roles})
    assert r.status_code == 200, r.text


def collect_pages(client: httpx.Client, url: str, headers: dict[str, str], params: dict[str, Any] | None = None,
                  page_size: int = 2) -> list[dict[str, Any]]:
    """Follow bookmarks to the end; assert the last page says bookmark null."""
    items: list[dict[str, Any]] = []
    params = dict(params or {}, page_size=page_size)
    for _ in range(1000):
        r = client.get(url, params=params, headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert set(body) == {"items", "bookmark"}
        assert len(body["items"]) <= page_size
        items.extend(body["items"])
        if body["bookmark"] is None:
            return items
        params["bookmark"] = body["bookmark"]
    raise AssertionError("pagination did not end")


def board(client: httpx.Client, tok: str, **fields: Any) -> dict[str, Any]:
    """POST /v5/boards (201); a unique name unless given."""
    import uuid

    body = {"name": f"Board {uuid.uuid4().hex[:8]}", **fields}
    r = client.post("/v5/boards", json=body, headers=bearer(tok))
    assert r.status_code == 201, r.text
    return r.json()


def pin(client: httpx.Client, tok: str, board_id: str, **fields: Any) -> dict[str, Any]:
    """POST /v5/pins (201) on `board_id`, from an image URL unless `media_source` is given."""
    body = {"board_id": board_id, "title": "A pin", "link": "https://example.com/product",
            "media_source": {"source_type": "image_url", "url": "https://example.com/image.jpg"}, **fields}
    r = client.post("/v5/pins", json=body, headers=bearer(tok))
    assert r.status_code == 201, r.text
    return r.json()


def campaign(client: httpx.Client, tok: str, ad_account_id: str, **fields: Any) -> dict[str, Any]:
    """POST /v5/ad_accounts/{id}/campaigns with one item; the created campaign (asserts no exception).

    Default: an ACTIVE CONSIDERATION campaign without campaign budget (not CBO), so its ad groups carry
    their own budgets."""
    import uuid

    body = {"ad_account_id": ad_account_id, "name": f"Campaign {uuid.uuid4().hex[:8]}",
            "objective_type": "CONSIDERATION", **fields}
    r = client.post(f"/v5/ad_accounts/{ad_account_id}/campaigns", json=[body], headers=bearer(tok))
    assert r.status_code == 200, r.text
    item = r.json()["items"][0]
    assert item["exceptions"] == [] and item["data"], r.text
    return item["data"]


_FIRST_BILLABLE_EVENT = {"AWARENESS": "IMPRESSION", "CONSIDERATION": "CLICKTHROUGH", "VIDEO_VIEW": "VIDEO_V_50_MRC",
                         "WEB_CONVERSION": "IMPRESSION", "CATALOG_SALES": "CLICKTHROUGH", "WEB_SESSIONS": "CLICKTHROUGH"}


def ad_group(client: httpx.Client, tok: str, ad_account_id: str, campaign_id: str, **fields: Any) -> dict[str, Any]:
    """POST /v5/ad_accounts/{id}/ad_groups with one item; the created ad group (asserts no exception).

    Defaults fit the campaign (read first): a billable event its objective allows, AUTOMATIC_BID (no bid
    floor to clear), and outside CBO a DAILY budget of 10,000 currency units (above every currency's
    minimum); WEB_CONVERSION ad groups get a conversion goal."""
    import uuid

    r = client.get(f"/v5/ad_accounts/{ad_account_id}/campaigns/{campaign_id}", headers=bearer(tok))
    assert r.status_code == 200, r.text
    parent = r.json()
    body: dict[str, Any] = {"campaign_id": campaign_id, "name": f"Ad group {uuid.uuid4().hex[:8]}",
                            "billable_event": _FIRST_BILLABLE_EVENT[parent["objective_type"]],
                            "bid_strategy_type": "AUTOMATIC_BID"}
    if not parent["is_campaign_budget_optimization"]:
        body["budget_in_micro_currency"] = 10_000 * 1_000_000
        if parent["objective_type"] == "WEB_SESSIONS":
            body.update(budget_type="LIFETIME", end_time=parent["end_time"] or 4_102_444_800)
    if parent["objective_type"] == "WEB_CONVERSION":
        body["optimization_goal_metadata"] = {"conversion_tag_v3_goal_metadata": {
            "conversion_tag_id": "1234567890", "conversion_event": "CHECKOUT"}}
    body.update(fields)
    r = client.post(f"/v5/ad_accounts/{ad_account_id}/ad_groups", json=[body], headers=bearer(tok))
    assert r.status_code == 200, r.text
    item = r.json()["items"][0]
    assert item["exceptions"] == [] and item["data"], r.text
    return item["data"]


# -- organic: sections, group boards, media uploads ------------------------------------------------
def section(client: httpx.Client, tok: str, board_id: str, name: str | None = None) -> dict[str, Any]:
    """POST /v5/boards/{board_id}/sections (201); a unique name unless given."""
    import uuid

    r = client.post(f"/v5/boards/{board_id}/sections", json={"name": name or f"Section {uuid.uuid4().hex[:8]}"},
                    headers=bearer(tok))
    assert r.status_code == 201, r.text
    return r.json()


def share_board(client: httpx.Client, board_id: str, username: str) -> dict[str, Any]:
    """Make `username` a collaborator of the board (sandbox: the API cannot invite)."""
    r = client.put(f"/_sandbox/boards/{board_id}/collaborators", json={"username": username})
    assert r.status_code == 200, r.text
    return r.json()


def mp4(width: int = 1280, height: int = 720, duration_ms: int = 14_000, *, video: bool = True,
        mdat: bytes = b"\0" * 64) -> bytes:
    """A minimal ISO base media file: ftyp, moov (mvhd, one trak with tkhd and a hdlr), mdat."""
    import struct

    def box(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", 8 + len(payload)) + kind + payload

    mvhd = box(b"mvhd", b"\0" * 4 + b"\0" * 8 + struct.pack(">II", 1000, duration_ms) + b"\0" * 80)
    tkhd = box(b"tkhd", b"\0\0\0\x03" + b"\0" * 72 + struct.pack(">II", width << 16, height << 16))
    hdlr = box(b"hdlr", b"\0" * 8 + (b"vide" if video else b"soun") + b"\0" * 12 + b"VideoHandler\0")
    trak = box(b"trak", tkhd + box(b"mdia", hdlr))
    return box(b"ftyp", b"isom\0\0\x02\0isomiso2mp41") + box(b"moov", mvhd + trak) + box(b"mdat", mdat)


def register_media(client: httpx.Client, tok: str) -> dict[str, Any]:
    """POST /v5/media {"media_type": "video"} (201): the upload form."""
    r = client.post("/v5/media", json={"media_type": "video"}, headers=bearer(tok))
    assert r.status_code == 201, r.text
    return r.json()


def upload(client: httpx.Client, form: dict[str, Any], content: bytes, **overrides: Any) -> httpx.Response:
    """POST the file to the form's upload_url with its upload_parameters, as one posts to S3."""
    from urllib.parse import urlparse

    fields = {**form["upload_parameters"], **overrides}
    fields = {k: v for k, v in fields.items() if v is not None}
    url = urlparse(form["upload_url"])
    return client.post(url.path, data=fields, files={"file": ("video.mp4", content, "video/mp4")})


def video_media(client: httpx.Client, tok: str, content: bytes | None = None) -> str:
    """A media id whose upload has succeeded: register, upload, let the sandbox clock pass processing."""
    form = register_media(client, tok)
    r = upload(client, form, content if content is not None else mp4())
    assert r.status_code == 204, r.text
    r = client.put("/_sandbox/clock", json={"advance_seconds": 10})
    assert r.status_code == 200, r.text
    r = client.get(f"/v5/media/{form['media_id']}", headers=bearer(tok))
    assert r.status_code == 200 and r.json()["status"] == "succeeded", r.text
    return form["media_id"]

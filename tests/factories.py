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

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

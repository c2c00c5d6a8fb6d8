"""Entities for the simulator and facts tests, made through HTTP (on top of tests/factories.py).

`advertiser(client)` freezes the sandbox clock at `T0` (so ad groups start then), creates a token, an ad
account, a board and a campaign; `ad_group(...)` and `ad(...)` add to it.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from tests import factories as f

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 3, 2, tzinfo=UTC)  # a Monday, 00:00 UTC
T0_TS = int(T0.timestamp())
DAY = 86_400
MICRO = 1_000_000


def set_clock(client: httpx.Client, when: dt.datetime) -> None:
    r = client.put("/_sandbox/clock", json={"now": when.isoformat(), "frozen": True})
    assert r.status_code == 200, r.text


@dataclass
class Advertiser:
    client: httpx.Client
    token: str
    account: dict[str, Any]
    board: dict[str, Any]

    @property
    def id(self) -> str:
        return self.account["id"]

    @property
    def h(self) -> dict[str, str]:
        return f.bearer(self.token)

    def campaign(self, **fields: Any) -> dict[str, Any]:
        return f.campaign(self.client, self.token, self.id, **fields)

    def ad_group(self, campaign: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return f.ad_group(self.client, self.token, self.id, campaign["id"], **fields)

    def ad(self, group: dict[str, Any], **fields: Any) -> dict[str, Any]:
        pin = f.pin(self.client, self.token, self.board["id"])
        body = {"ad_group_id": group["id"], "creative_type": "REGULAR", "pin_id": pin["id"],
                "name": f"Ad {uuid.uuid4().hex[:6]}", **fields}
        r = self.client.post(f"/v5/ad_accounts/{self.id}/ads", json=[body], headers=self.h)
        assert r.status_code == 200, r.text
        item = r.json()["items"][0]
        assert item.get("exceptions") in (None, [], {}), r.text
        return item["data"]

    def keywords(self, group: dict[str, Any], *values: str) -> None:
        body = {"parent_id": group["id"], "keywords": [{"match_type": "BROAD", "value": v} for v in values]}
        r = self.client.post(f"/v5/ad_accounts/{self.id}/keywords", json=body, headers=self.h)
        assert r.status_code == 200, r.text
        assert r.json().get("errors") in (None, []), r.text

    def patch(self, kind: str, item: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"id": item["id"], **fields}
        if kind in ("campaigns",):
            body["ad_account_id"] = self.id
        r = self.client.patch(f"/v5/ad_accounts/{self.id}/{kind}", json=[body], headers=self.h)
        assert r.status_code == 200, r.text
        out = r.json()["items"][0]
        assert out.get("exceptions") in (None, [], {}), r.text
        return out["data"]


def advertiser(client: httpx.Client, *, username: str = "simuser", country: str = "US", **account: Any) -> Advertiser:
    set_clock(client, T0)
    tok = f.token(client, username)
    acct = f.ad_account(client, tok, country=country, **account)
    board = f.board(client, tok)
    return Advertiser(client, tok, acct, board)


@contextmanager
def simulation_running(store) -> Iterator[None]:
    """Inside: a simulation holds the data dir's 'simulate' lock (from another thread, as simulator.simulate
    would while it writes its chunks); on exit it finishes."""
    held, release = threading.Event(), threading.Event()

    def simulation() -> None:
        with store.facts.exclusive("simulate"):
            held.set()
            release.wait(30)

    t = threading.Thread(target=simulation)
    t.start()
    assert held.wait(10)
    try:
        yield
    finally:
        release.set()
        t.join()

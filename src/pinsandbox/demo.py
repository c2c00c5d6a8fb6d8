"""The demo business: a user, an app, two ad accounts with campaigns, ad groups, boards, pins and ads.

Seeded once per data dir, through the API itself (in-process), so demo data obeys every rule a
client's data does. `seed(store)` returns the demo user's name and a fresh token with every scope.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx

from pinsandbox.core import db, identity
from pinsandbox.core.auth import ALL_SCOPES
from pinsandbox.core.store import Store

DEMO_USER = "demo"
_MARK = "demo_seeded"
DEMO_SEED = 7


class DemoError(RuntimeError):
    pass


def _ok(r: httpx.Response) -> Any:
    if r.status_code not in (200, 201):
        raise DemoError(f"{r.request.method} {r.request.url.path} -> {r.status_code} {r.text}")
    return r.json()


def _created(body: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for item in body["items"]:
        if item.get("exceptions"):
            raise DemoError(str(item["exceptions"]))
        out.append(item["data"])
    return out


def mint_demo_token(store: Store) -> str:
    with store.write() as conn:
        now = store.clock.epoch_seconds()
        user = identity.ensure_user(conn, DEMO_USER, now=now, business_name="Demo Shop")
        return identity.mint_access_token(conn, user_id=user.id, scopes=list(ALL_SCOPES), now=now,
                                          ttl_seconds=store.settings.access_token_ttl_seconds)


def seed(store: Store) -> tuple[str, bool]:
    """Seed the demo business unless done before; returns (token, seeded_now)."""
    token = mint_demo_token(store)
    with store.read() as conn:
        if db.get_state(conn, _MARK):
            return token, False
    from pinsandbox.app import create_app

    app = create_app(store=store)
    transport = httpx.ASGITransport(app=app)

    async def run() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://sandbox",
                                     headers={"Authorization": f"Bearer {token}"}) as c:
            await _seed_business(c)

    asyncio.run(run())
    # 90 days of delivery history up to now, so analytics answer at once; the sandbox keeps
    # delivering as its clock moves on.
    from pinsandbox.reporting import simulator

    end = simulator.hour_floor(store.clock.now())
    simulator.simulate(store, start=end - dt.timedelta(days=90), end=end, seed=DEMO_SEED)
    with store.write() as conn:
        db.put_state(conn, _MARK, "1")
    return token, True


async def _seed_business(c: httpx.AsyncClient) -> None:
    clock = (await c.get("/_sandbox/clock")).json()
    start = int(dt.datetime.fromisoformat(clock["now"].replace("Z", "+00:00")).timestamp()) - 90 * 86400
    boards = []
    for name, privacy in (("Spring Collection", "PUBLIC"), ("Kitchen Ideas", "PUBLIC"), ("Drafts", "SECRET")):
        boards.append(_ok(await c.post("/v5/boards", json={"name": name, "description": f"Demo board: {name}",
                                                             "privacy": privacy})))
    pins = []
    for i in range(6):
        board = boards[i % 2]
        pins.append(_ok(await c.post("/v5/pins", json={
            "board_id": board["id"], "title": f"Demo product {i + 1}", "description": "A demo pin",
            "link": f"https://shop.example.com/products/{i + 1}", "alt_text": f"Product {i + 1}",
            "media_source": {"source_type": "image_url",
                             "url": f"https://shop.example.com/images/{i + 1}.jpg"}})))
    for acct_name, country in (("Demo Shop US", "US"), ("Demo Shop EU", "DE")):
        acct = _ok(await c.post("/v5/ad_accounts", json={"name": acct_name, "country": country}))
        aid = acct["id"]
        campaigns = _created(_ok(await c.post(f"/v5/ad_accounts/{aid}/campaigns", json=[
            {"ad_account_id": aid, "name": "Always-on awareness", "objective_type": "AWARENESS", "status": "ACTIVE",
             "daily_spend_cap": 50_000_000, "start_time": start},
            {"ad_account_id": aid, "name": "Holiday conversions", "objective_type": "CONSIDERATION",
             "status": "ACTIVE", "lifetime_spend_cap": 2_000_000_000, "start_time": start},
        ])))
        for ci, camp in enumerate(campaigns):
            billable = "IMPRESSION" if camp["objective_type"] == "AWARENESS" else "CLICKTHROUGH"
            groups = _created(_ok(await c.post(f"/v5/ad_accounts/{aid}/ad_groups", json=[
                {"campaign_id": camp["id"], "name": f"{camp['name']} — {seg}", "status": "ACTIVE",
                 "budget_in_micro_currency": 20_000_000, "bid_in_micro_currency": 2_000_000,
                 "budget_type": "DAILY", "billable_event": billable, "start_time": start,
                 "targeting_spec": {"GENDER": genders, "AGE_BUCKET": ["25-34", "35-44"], "LOCALE": ["en-US"],
                                    "LOCATION": ["US"] if country == "US" else ["DE"]}}
                for seg, genders in (("women", ["female"]), ("everyone", ["female", "male", "unknown"]))
            ])))
            for gi, group in enumerate(groups):
                _created(_ok(await c.post(f"/v5/ad_accounts/{aid}/ads", json=[
                    {"ad_group_id": group["id"], "creative_type": "REGULAR", "pin_id": pins[(ci * 2 + gi + k) % 6]["id"],
                     "name": f"Ad {k + 1}", "status": "ACTIVE",
                     "destination_url": pins[(ci * 2 + gi + k) % 6]["link"]}
                    for k in range(2)
                ])))

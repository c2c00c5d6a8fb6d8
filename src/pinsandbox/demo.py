"""The demo business: a user, an app, two ad accounts with campaigns, ad groups, boards, pins and ads.

Seeded through the API itself (in-process), so demo data obeys every rule a client's data does; seeded
again whenever it is not there (a new data dir, or after `POST /_sandbox/reset` / `pinsandbox reset`
dropped it), never twice over itself. `seed(store)` returns a fresh token with every scope for the demo
user, whether it seeded now, and the demo OAuth app (client id, secret, redirect URI) for the authorize
flow, registered if missing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa

from pinsandbox.core import db, identity
from pinsandbox.core.auth import ALL_SCOPES
from pinsandbox.core.store import Store
from pinsandbox.core.tables import ad_accounts, apps

DEMO_USER = "demo"
_MARK = "demo_seeded"
DEMO_SEED = 7
DEMO_ACCOUNTS = ("Demo Shop US", "Demo Shop EU")
DEMO_APP = "Demo app"
DEMO_REDIRECT_URI = "http://localhost:8085/callback"
DEMO_REDIRECT_URIS = [DEMO_REDIRECT_URI, "http://127.0.0.1:8085/callback", "http://localhost:8085/"]


@dataclass(frozen=True)
class DemoSeed:
    token: str  # an access token of the demo user with every scope
    seeded: bool  # the demo business was seeded by this call
    client_id: str  # the demo OAuth app
    client_secret: str
    redirect_uri: str


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


def demo_app(store: Store) -> sa.Row:
    """The demo OAuth app (owned by the demo user), registered if missing: apps survive a reset unless it
    drops identities too."""
    with store.write() as conn:
        now = store.clock.epoch_seconds()
        user = identity.ensure_user(conn, DEMO_USER, now=now, business_name="Demo Shop")
        row = conn.execute(sa.select(apps).where(apps.c.name == DEMO_APP, apps.c.owner_user_id == user.id)
                           .order_by(apps.c.id)).first()
        return row or identity.create_app_record(conn, name=DEMO_APP, owner_user_id=user.id, now=now,
                                                 redirect_uris=list(DEMO_REDIRECT_URIS))


def is_seeded(store: Store) -> bool:
    """The demo business is there: seeding finished once (the marker, which a reset keeps with the
    identities) and the demo user still owns data of it, an ad account or a board (a reset drops both). A
    demo user who deleted some of it keeps the rest: seeding over it would clash (board names are unique)."""
    from pinsandbox.organic.boards.tables import boards

    with store.read() as conn:
        if not db.get_state(conn, _MARK):
            return False
        user = identity.get_user_by_name(conn, DEMO_USER)
        if user is None:
            return False
        return any(conn.execute(sa.select(table.c.id).where(table.c.owner_user_id == user.id).limit(1)).first()
                   for table in (ad_accounts, boards))


def seed(store: Store) -> DemoSeed:
    """Seed the demo business unless it is there; a fresh token and the demo app either way."""
    token = mint_demo_token(store)
    app_row = demo_app(store)
    result = DemoSeed(token=token, seeded=False, client_id=str(app_row.id), client_secret=app_row.secret,
                      redirect_uri=DEMO_REDIRECT_URI)
    if is_seeded(store):
        return result
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
    return dataclasses.replace(result, seeded=True)


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
    for acct_name, country in zip(DEMO_ACCOUNTS, ("US", "DE")):
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

"""demo.seed: seeded when its data is not there (also after a reset), never twice; the demo OAuth app."""

from __future__ import annotations

import os
from urllib.parse import parse_qs, urlsplit

import pytest

from pinsandbox import demo
from tests.factories import bearer

pytestmark = pytest.mark.skipif(bool(os.environ.get("PINSANDBOX_TEST_URL")),
                                reason="seeds the in-process store, which a live server does not read")


def demo_accounts(client, tok: str) -> list[str]:
    r = client.get("/v5/ad_accounts", headers=bearer(tok))
    assert r.status_code == 200, r.text
    return sorted(a["name"] for a in r.json()["items"])


def test_seed_once_and_again_after_a_reset(client, store):
    first = demo.seed(store)
    assert first.seeded and demo_accounts(client, first.token) == sorted(demo.DEMO_ACCOUNTS)
    again = demo.seed(store)
    assert not again.seeded and demo_accounts(client, again.token) == sorted(demo.DEMO_ACCOUNTS)  # not twice

    # A reset keeps identities (and the "seeded" marker with them) but drops the data: the demo seeds again.
    assert client.post("/_sandbox/reset", json={}).status_code == 200
    assert demo_accounts(client, again.token) == []
    after = demo.seed(store)
    assert after.seeded and demo_accounts(client, after.token) == sorted(demo.DEMO_ACCOUNTS)
    r = client.get("/v5/boards", headers=bearer(after.token))
    assert len(r.json()["items"]) == 3
    assert (after.client_id, after.client_secret) == (first.client_id, first.client_secret)  # the app was kept

    # store.reset(keep_identities=False) drops the marker too, and the app: both come back.
    store.reset(keep_identities=False)
    fresh = demo.seed(store)
    assert fresh.seeded and demo_accounts(client, fresh.token) == sorted(demo.DEMO_ACCOUNTS)
    assert fresh.client_id != first.client_id


def test_the_demo_app_serves_the_authorize_flow(client, store):
    seeded = demo.seed(store)
    r = client.get("/oauth/", follow_redirects=False, params={
        "client_id": seeded.client_id, "redirect_uri": "http://localhost:8085/callback", "response_type": "code",
        "scope": "ads:read,user_accounts:read", "state": "abc", "username": demo.DEMO_USER})
    assert r.status_code == 302, r.text
    location = urlsplit(r.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == seeded.redirect_uri
    query = parse_qs(location.query)
    assert query["state"] == ["abc"]
    r = client.post("/v5/oauth/token", auth=(seeded.client_id, seeded.client_secret),
                    data={"grant_type": "authorization_code", "code": query["code"][0],
                          "redirect_uri": seeded.redirect_uri})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["access_token"].startswith("pina_") and body["scope"] == "ads:read,user_accounts:read"
    me = client.get("/v5/user_account", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["username"] == demo.DEMO_USER
    assert sorted(a["name"] for a in client.get("/v5/ad_accounts", headers=bearer(body["access_token"])).json()["items"]) \
        == sorted(demo.DEMO_ACCOUNTS)
    # a wrong secret is refused
    r = client.post("/v5/oauth/token", auth=(seeded.client_id, "nope"),
                    data={"grant_type": "authorization_code", "code": query["code"][0],
                          "redirect_uri": seeded.redirect_uri})
    assert r.status_code == 401

"""Storage: a restart keeps everything, on SQLite and on PostgreSQL; a failed request writes nothing.

Each test builds a Store and the app on a fresh database, writes through HTTP, disposes the Store
(the "process" ends), builds a new Store on the same URL (migrations run again and must be
idempotent) and reads everything back through HTTP.

PostgreSQL: the server at 127.0.0.1:5432 (trust auth; role `postgres`, else `root`, else the
PINSANDBOX_TEST_PG_URL admin URL). Each test gets its own database `pinsandbox_test_<random>`,
dropped afterwards. When no server answers, the PostgreSQL cases are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from pinsandbox.app import create_app
from pinsandbox.core.store import Store
from pinsandbox.settings import Settings
from tests.databases import fresh_database
from tests.factories import ad_account, ad_group, bearer, board, campaign, collect_pages, pin, token

_database = fresh_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request, tmp_path) -> Iterator[Settings]:
    with _database(request.param, tmp_path) as s:
        yield s


@contextmanager
def running(settings: Settings) -> Iterator[TestClient]:
    """One "process": a Store (migrating) and the app on it; disposed on exit."""
    store = Store(settings)
    try:
        with TestClient(create_app(store=store), raise_server_exceptions=False) as client:
            yield client
    finally:
        store.dispose()


def _implemented(client: TestClient) -> set[str]:
    doc = client.get("/v5/openapi.json").json()
    return {o.get("operationId") for item in doc["paths"].values() for o in item.values() if isinstance(o, dict)}


def test_a_restart_keeps_everything(settings):
    with running(settings) as c:
        assert Store(settings, migrate=True) is not None  # a second migration run on a live database is a no-op
        tok = token(c, "alice")
        viewer = token(c, "victor", scopes="ads:read")
        h = bearer(tok)
        accounts = [ad_account(c, tok, name=f"Account {i}", country="DE" if i % 2 else "US") for i in range(3)]
        acct = accounts[0]["id"]
        r = c.put(f"/_sandbox/ad_accounts/{acct}/members", json={"username": "victor", "roles": ["ANALYST"]})
        assert r.status_code == 200, r.text
        r = c.put("/_sandbox/clock", json={"advance_seconds": 86_400})  # within the tokens' 30-day lifetime
        assert r.status_code == 200, r.text
        ops = _implemented(c)
        before: dict[str, object] = {"accounts": [c.get(f"/v5/ad_accounts/{a['id']}", headers=h).json()
                                                  for a in accounts]}
        r = c.get("/v5/ad_accounts", params={"page_size": 1}, headers=h)
        assert r.status_code == 200 and r.json()["bookmark"], r.text
        bookmark = r.json()["bookmark"]
        if {"campaigns/create", "campaigns/get", "campaigns/list"} <= ops:
            camps = [campaign(c, tok, acct, name=f"Campaign {i}") for i in range(3)]
            before["campaigns"] = collect_pages(c, f"/v5/ad_accounts/{acct}/campaigns", h)
            assert {x["id"] for x in before["campaigns"]} == {x["id"] for x in camps}
            if {"ad_groups/create", "ad_groups/get"} <= ops:
                group = ad_group(c, tok, acct, camps[0]["id"])
                before["ad_group"] = c.get(f"/v5/ad_accounts/{acct}/ad_groups/{group['id']}", headers=h).json()
        if {"boards/create", "pins/create", "pins/get"} <= ops:
            b = board(c, tok)
            p = pin(c, tok, b["id"])
            before["pin"] = c.get(f"/v5/pins/{p['id']}", headers=h).json()
            before["board"] = c.get(f"/v5/boards/{b['id']}", headers=h).json()

    with running(settings) as c:  # a new process on the same database
        h = bearer(tok)
        after_accounts = [c.get(f"/v5/ad_accounts/{a['id']}", headers=h) for a in accounts]
        assert [r.status_code for r in after_accounts] == [200, 200, 200]
        assert [r.json() for r in after_accounts] == before["accounts"]
        # the token, the business access grant, the clock and the bookmark secret survived too
        r = c.get(f"/v5/ad_accounts/{acct}", headers=bearer(viewer))
        assert r.status_code == 200 and r.json()["id"] == acct, r.text
        assert round(c.get("/_sandbox/clock").json()["offset_seconds"]) == 86_400
        r = c.get("/v5/ad_accounts", params={"page_size": 1, "bookmark": bookmark}, headers=h)
        assert r.status_code == 200, r.text
        assert {a["id"] for a in collect_pages(c, "/v5/ad_accounts", h)} == {a["id"] for a in accounts}
        if "campaigns" in before:
            assert collect_pages(c, f"/v5/ad_accounts/{acct}/campaigns", h) == before["campaigns"]
        if "ad_group" in before:
            gid = before["ad_group"]["id"]
            assert c.get(f"/v5/ad_accounts/{acct}/ad_groups/{gid}", headers=h).json() == before["ad_group"]
        if "pin" in before:
            assert c.get(f"/v5/pins/{before['pin']['id']}", headers=h).json() == before["pin"]
            assert c.get(f"/v5/boards/{before['board']['id']}", headers=h).json() == before["board"]
        # and new writes still work after the restart
        ad_account(c, tok, name="After restart")
        assert len(collect_pages(c, "/v5/ad_accounts", h)) == 4


def _account_ids(c: TestClient, h: dict[str, str]) -> set[str]:
    return {a["id"] for a in collect_pages(c, "/v5/ad_accounts", h, page_size=250)}


def test_a_rejected_request_writes_nothing(settings):
    with running(settings) as c:
        tok = token(c, "alice")
        h = bearer(tok)
        ad_account(c, tok, name="Existing")
        before = _account_ids(c, h)
        for body in ({"country": "US"}, {"name": "x", "country": "XX"}, {"name": "x" * 300},
                     {"name": "x", "owner_user_id": "12x"}, {"name": "x", "owner_user_id": "123"}):
            r = c.post("/v5/ad_accounts", json=body, headers=h)
            assert 400 <= r.status_code < 500, (body, r.text)
        assert _account_ids(c, h) == before
    with running(settings) as c:
        assert _account_ids(c, bearer(tok)) == before


def test_a_request_failing_after_its_insert_is_rolled_back(settings, monkeypatch):
    """The row is inserted, then the request fails (500): the transaction rolls the insert back."""
    from pinsandbox.ads.ad_accounts import service

    with running(settings) as c:
        tok = token(c, "alice")
        h = bearer(tok)
        before = _account_ids(c, h)

        def broken_render(*args, **kwargs):
            raise RuntimeError("fails after the INSERT")

        monkeypatch.setattr(service, "render", broken_render)
        r = c.post("/v5/ad_accounts", json={"name": "Half written", "country": "US"}, headers=h)
        assert r.status_code == 500 and r.json()["code"] == 12, r.text
        monkeypatch.undo()
        assert _account_ids(c, h) == before
    with running(settings) as c:
        assert _account_ids(c, bearer(tok)) == before

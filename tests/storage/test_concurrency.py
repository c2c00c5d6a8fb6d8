"""Several processes on one sandbox (here: several Stores on one database, used from threads at once):
writers run one at a time on both databases, so checks and merges never race; the clock never loses an
advance; a reset waits for a running simulation; the sandbox secret never needs a write inside a request's
write transaction. (Found by a stress run with two servers and a worker on one sandbox.)"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from fastapi.testclient import TestClient

from pinsandbox.app import create_app
from pinsandbox.core.clock import Clock
from pinsandbox.core.store import Store
from pinsandbox.settings import Settings
from tests.databases import fresh_database
from tests.factories import bearer, token


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def settings(request, tmp_path) -> Iterator[Settings]:
    with fresh_database(request.param, tmp_path) as s:
        yield s


def test_writers_run_one_at_a_time(settings):
    a, b = Store(settings), Store(settings)
    try:
        inside = threading.Event()
        times: dict[str, float] = {}

        def first() -> None:
            with a.write():
                inside.set()
                time.sleep(0.5)
                times["first_done"] = time.monotonic()

        t = threading.Thread(target=first)
        t.start()
        assert inside.wait(10)
        with b.write():
            times["second_in"] = time.monotonic()
        t.join()
        assert times["second_in"] >= times["first_done"]
    finally:
        a.dispose()
        b.dispose()


def test_concurrent_creates_and_patches_through_two_processes(settings):
    """Two apps on two Stores: same-name boards (one 201, the rest 400 "duplicated"), and PATCHes of different fields of
    one campaign from both (each change kept)."""
    with ExitStack() as stack:
        stores = [Store(settings), Store(settings)]
        for s in stores:
            stack.callback(s.dispose)
        clients = [stack.enter_context(TestClient(create_app(store=s), raise_server_exceptions=False))
                   for s in stores]
        tok = token(clients[0], "racer")
        h = bearer(tok)
        user_id = clients[0].get("/v5/user_account", headers=h).json()["id"]
        acct = clients[0].post("/v5/ad_accounts", headers=h, json={
            "name": "race", "owner_user_id": user_id, "country": "US"}).json()["id"]

        def race(calls) -> list:
            out: list = [None] * len(calls)
            start = threading.Barrier(len(calls))

            def run(i: int) -> None:
                start.wait()
                out[i] = calls[i]()

            threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return out

        for round_ in range(5):
            name = f"board-{round_}"
            got = race([lambda c=c: c.post("/v5/boards", headers=h, json={"name": name}) for c in clients * 2])
            codes = sorted(r.status_code for r in got)
            assert codes == [201, 400, 400, 400] and all("duplicated" in r.text for r in got if r.status_code == 400), \
                [(r.status_code, r.text[:80]) for r in got]
        boards = clients[1].get("/v5/boards", headers=h, params={"page_size": 50}).json()["items"]
        assert sorted(b["name"] for b in boards) == [f"board-{i}" for i in range(5)]

        r = clients[0].post(f"/v5/ad_accounts/{acct}/campaigns", headers=h, json=[
            {"ad_account_id": acct, "name": "c", "objective_type": "AWARENESS"}])
        camp = r.json()["items"][0]["data"]["id"]
        for round_ in range(5):
            got = race([
                lambda: clients[0].patch(f"/v5/ad_accounts/{acct}/campaigns", headers=h, json=[
                    {"id": camp, "ad_account_id": acct, "name": f"name-{round_}"}]),
                lambda: clients[1].patch(f"/v5/ad_accounts/{acct}/campaigns", headers=h, json=[
                    {"id": camp, "ad_account_id": acct, "daily_spend_cap": (round_ + 5) * 1_000_000}]),
            ])
            assert all(r.status_code == 200 and not r.json()["items"][0].get("exceptions") for r in got), \
                [r.text for r in got]
            now = clients[0].get(f"/v5/ad_accounts/{acct}/campaigns/{camp}", headers=h).json()
            assert now["name"] == f"name-{round_}" and now["daily_spend_cap"] == (round_ + 5) * 1_000_000, now


def test_advances_from_two_processes_add_up(settings):
    a, b = Store(settings), Store(settings)
    try:
        a.clock.set(Clock().now().replace(year=2026, month=3, day=1, hour=0, minute=0, second=0, microsecond=0),
                    frozen=True)
        start = b.clock.timestamp()  # b reads (and caches) the clock
        a.clock.advance(3600)
        b.clock.advance(3600)  # from the stored state, not b's cache of a moment ago
        a.clock._loaded_at = -1e18
        assert a.clock.timestamp() - start == 7200
    finally:
        a.dispose()
        b.dispose()


def test_reset_waits_for_a_running_simulation(settings):
    from tests.simdata import simulation_running

    store = Store(settings)
    try:
        done = threading.Event()
        r = threading.Thread(target=lambda: (store.reset(), done.set()))
        with simulation_running(store):
            r.start()
            assert not done.wait(0.5)  # the reset waits for the simulation to finish
        assert done.wait(30)
        r.join()
    finally:
        store.dispose()


def test_the_secret_is_read_without_a_write(settings):
    """A Store made the sandbox secret when it opened; another one reads it, even inside its own write
    transaction (that used to take a second write lock: 30 s on SQLite, then a 500)."""
    a = Store(settings)
    b = Store(settings)
    try:
        b._secret = None
        t0 = time.monotonic()
        with b.write():
            assert b.secret == a.secret
        assert time.monotonic() - t0 < 5
    finally:
        a.dispose()
        b.dispose()


def test_a_nested_write_in_one_thread_is_refused_at_once(settings):
    """A write opened inside another write of the same thread on the same database would wait for the first
    forever (PostgreSQL's advisory lock) or for SQLite's 30 s busy timeout: it is a RuntimeError at once, and
    the outer transaction can still commit. Another thread, or another database, is not affected."""
    a, b = Store(settings), Store(settings)
    try:
        t0 = time.monotonic()
        with a.write() as conn:
            with pytest.raises(RuntimeError, match="already open"):
                with b.write():
                    pass
            with pytest.raises(RuntimeError, match="already open"):
                b.clock.advance(1)
            conn.execute(__import__("sqlalchemy").text("SELECT 1"))
        assert time.monotonic() - t0 < 5
        with b.write():  # released
            pass
    finally:
        a.dispose()
        b.dispose()

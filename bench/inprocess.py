"""Where a request's time goes, without HTTP: the app called as ASGI in a loop, in this process.

    .venv/bin/python bench/inprocess.py [--repeats 15] [--calls 200] [--profile ENDPOINT]

Prints the CPU time per request (the best of `--repeats` batches of `--calls` requests, so that other
processes on the machine disturb it little) for the hello-world baseline (bench/hello.py) and for
pinsandbox's GET campaign, list campaigns (page_size 25) and GET ad account, on a fresh temporary
SQLite data dir with one ad account and 50 campaigns — the setup of bench/load.py. With `--profile`,
it runs cProfile over one endpoint and prints the functions with the most cumulative time.
uvicorn's own cost (HTTP parsing, sockets) is not in these figures; bench/load.py measures it all.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))


async def call(app, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> tuple[int, bytes]:
    """One request through the ASGI app; the status and body."""
    route, _, query = path.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
             "scheme": "http", "path": route, "raw_path": route.encode(), "query_string": query.encode(),
             "root_path": "", "headers": [(b"host", b"bench"), *headers], "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 80)}
    sent = False

    async def receive():
        nonlocal sent
        if sent:
            await asyncio.sleep(3600)  # no disconnect while the app works
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status, chunks = 0, []

    async def send(message):
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


async def setup(data_dir: Path):
    from pinsandbox.app import create_app
    from pinsandbox.core import identity
    from pinsandbox.core.auth import parse_scopes
    from pinsandbox.settings import Settings

    app = create_app(Settings(data_dir=data_dir))
    store = app.state.store
    with store.write() as conn:
        now = store.clock.epoch_seconds()
        user = identity.ensure_user(conn, "bench", now=now, account_type="BUSINESS")
        token = identity.mint_access_token(conn, user_id=user.id, scopes=parse_scopes("all"), now=now,
                                           ttl_seconds=None)
    auth = [(b"authorization", f"Bearer {token}".encode())]
    post = [*auth, (b"content-type", b"application/json")]
    status, body = await call(app, "POST", "/v5/ad_accounts", post, json.dumps({"name": "Bench", "country": "US"}).encode())
    assert status == 200, body
    account = json.loads(body)["id"]
    ids = []
    for start in (0, 25):
        items = [{"ad_account_id": account, "name": f"Bench campaign {i}", "objective_type": "CONSIDERATION"}
                 for i in range(start, start + 25)]
        status, body = await call(app, "POST", f"/v5/ad_accounts/{account}/campaigns", post, json.dumps(items).encode())
        assert status == 200, body
        ids += [item["data"]["id"] for item in json.loads(body)["items"]]
    paths = {
        "GET campaign": f"/v5/ad_accounts/{account}/campaigns/{ids[25]}",
        "list campaigns": f"/v5/ad_accounts/{account}/campaigns?page_size=25",
        "GET ad account": f"/v5/ad_accounts/{account}",
    }
    return app, auth, paths


async def best_cpu_per_call(app, path: str, headers, *, repeats: int, calls: int) -> float:
    for _ in range(100):
        status, body = await call(app, "GET", path, headers)
    assert status == 200, (path, status, body[:300])
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(calls):
            await call(app, "GET", path, headers)
        best = min(best, (time.process_time() - start) / calls)
    return best


async def main(args: argparse.Namespace) -> None:
    from hello import app as hello_app

    with tempfile.TemporaryDirectory(prefix="pinsandbox-inprocess-") as tmp:
        app, auth, paths = await setup(Path(tmp))
        if args.profile:
            path = paths[args.profile]
            await best_cpu_per_call(app, path, auth, repeats=1, calls=50)
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.calls * 5):
                await call(app, "GET", path, auth)
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)
            return
        cases = {"hello-world GET /hello": (hello_app, "/hello", []),
                 **{f"pinsandbox {name}": (app, path, auth) for name, path in paths.items()}}
        hello = None
        for name, (target, path, headers) in cases.items():
            cpu = await best_cpu_per_call(target, path, headers, repeats=args.repeats, calls=args.calls)
            hello = hello or cpu
            print(f"{name:28} {cpu * 1e6:7.0f} µs CPU per request  ({cpu / hello:4.1f}× hello-world)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--profile", choices=["GET campaign", "list campaigns", "GET ad account"])
    parser.add_argument("--top", type=int, default=40, help="lines of the profile to print")
    arguments = parser.parse_args()
    try:
        import uvloop  # what uvicorn uses when it is installed
    except ImportError:
        uvloop = None
    (uvloop.run if uvloop else asyncio.run)(main(arguments))

"""core/dispatch.py: the route index picks exactly the route FastAPI's own loop would pick.

For every route of the app and sample paths built from it (numeric and non-numeric values for its
parameters, a trailing slash, an extra segment) and every method, the first FULL match among the
index's candidates must be the first FULL match of the app's route list; where FastAPI has none
(405, 404, redirect), the index must have none either, so the request falls back to FastAPI.
"""

from __future__ import annotations

import re

import pytest
from starlette.routing import Match

from pinsandbox.core.dispatch import IndexedDispatch, RouteIndex
from tests.factories import bearer, token

METHODS = ("GET", "POST", "PATCH", "PUT", "DELETE", "HEAD")


def scope(method: str, path: str) -> dict:
    return {"type": "http", "method": method, "path": path, "root_path": "", "query_string": b"", "headers": []}


def fastapi_choice(routes, s):
    for route in routes:
        match, _ = route.matches(s)
        if match is Match.FULL:
            return route
    return None


def index_choice(index: RouteIndex, s):
    for route in index.candidates(s["path"]):
        match, _ = route.matches(s)
        if match is Match.FULL:
            return route
    return None


def sample_paths(routes) -> list[str]:
    out = set()
    for route in routes:
        path = getattr(route, "path", None)
        if not isinstance(path, str):
            continue
        for value in ("123456789", "abc", "analytics"):
            concrete = re.sub(r"\{[^}]+\}", value, path)
            out |= {concrete, concrete + "/", concrete + "/x", concrete.rstrip("/") + "/123"}
    return sorted(out | {"/", "/v5", "/v5/", "/v5/no_such_thing", "/_sandbox/nothing/here"})


def test_the_index_is_installed(app):
    assert isinstance(app.router.middleware_stack, IndexedDispatch)
    assert app.router.middleware_stack.enabled


def test_index_picks_what_fastapi_picks(app):
    routes = list(app.router.routes)
    index = RouteIndex(routes)
    paths = sample_paths(routes)
    assert len(paths) > 500
    checked = 0
    for path in paths:
        for method in METHODS:
            s = scope(method, path)
            expected = fastapi_choice(routes, s)
            got = index_choice(index, s)
            assert got is expected, (method, path, expected, got)
            checked += expected is not None
    assert checked > 200  # many of the samples do reach a route


@pytest.mark.parametrize("path", ["/v5/ad_accounts/1/campaigns/2", "/v5/ad_accounts/1/campaigns/analytics",
                                  "/v5/pins/123", "/v5/boards/1/sections/2/pins"])
def test_candidates_are_few(app, path):
    index = RouteIndex(app.router.routes)
    assert 1 <= len(index.candidates(path)) <= 6


def test_fallback_answers_404_405_and_501_as_before(client):
    h = bearer(token(client))
    assert client.get("/v5/no_such_thing", headers=h).status_code == 404
    r = client.delete("/v5/ad_accounts", headers=h)
    assert r.status_code == 405 and r.json()["code"] == 405
    r = client.get("/v5/ad_accounts/123/campaigns/analytics", headers=h)
    assert r.status_code in (200, 400, 404, 501)  # its own route (implemented or the 501), never the GET by id
    assert r.status_code != 404 or r.json()["code"] != 1012

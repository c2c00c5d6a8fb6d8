"""core/handler.py: FastRoute's handler answers exactly as FastAPI's own.

The same requests go through the app twice: as it runs (FastRoute's plans) and with a dependency
override registered, which makes every FastRoute hand the request to FastAPI's handler. Status and
body must be equal: values, defaults, validation errors (400 code 1 naming the parameter), the order
of checks (401 before 400), 403/404 from the route.
"""

from __future__ import annotations

from fastapi.routing import APIRoute

from pinsandbox.core.handler import FastRoute, plan_for
from tests.factories import ad_account, bearer, campaign, grant, token


def _unused_dependency() -> None:  # pragma: no cover - only registered as an override, never called
    pass


def both(client, app, method: str, url: str, **kwargs):
    fast = client.request(method, url, **kwargs)
    app.dependency_overrides[_unused_dependency] = _unused_dependency
    try:
        standard = client.request(method, url, **kwargs)
    finally:
        app.dependency_overrides.pop(_unused_dependency, None)
    return fast, standard


def test_the_get_routes_have_plans(app):
    routes = {(r.path, m): r for r in app.router.routes if isinstance(r, APIRoute) for m in r.methods}
    for key in [("/v5/ad_accounts/{ad_account_id}/campaigns", "GET"),
                ("/v5/ad_accounts/{ad_account_id}/campaigns/{campaign_id:digits}", "GET"),
                ("/v5/ad_accounts/{ad_account_id}", "GET"), ("/v5/ad_accounts", "GET")]:
        route = routes[key]
        assert isinstance(route, FastRoute) and plan_for(route) is not None, key
    # a body route keeps FastAPI's handler
    assert plan_for(routes[("/v5/ad_accounts/{ad_account_id}/campaigns", "POST")]) is None


def test_fast_and_standard_handlers_answer_alike(client, app):
    tok = token(client)
    h = bearer(tok)
    acct = ad_account(client, tok)["id"]
    camps = [campaign(client, tok, acct, name=f"C{i}") for i in range(3)]
    other = token(client, "bob")
    pins_only = token(client, "carol", scopes="pins:read")
    stranger = bearer(token(client, "dave"))
    grant(client, acct, "bob", ["ANALYST"])
    base = f"/v5/ad_accounts/{acct}/campaigns"
    first = client.get(base, params={"page_size": 1}, headers=h).json()["bookmark"]
    cases = [
        (base, {}, h), (base, {"page_size": 2}, h), (base, {"page_size": 0}, h), (base, {"page_size": 251}, h),
        (base, {"page_size": "abc"}, h), (base, {"page_size": ""}, h), (base, {"bookmark": "nope"}, h),
        (base, {"bookmark": first, "page_size": 1}, h), (base, {"order": "DESCENDING"}, h),
        (base, {"order": "UP"}, h), (base, {"campaign_ids": f"{camps[0]['id']},{camps[2]['id']}"}, h),
        (base, [("campaign_ids", camps[0]["id"]), ("campaign_ids", camps[1]["id"])], h),
        (base, {"campaign_ids": "x"}, h), (base, {"entity_statuses": "ACTIVE,PAUSED,ARCHIVED"}, h),
        (base, {"entity_statuses": "NOPE"}, h), (base, {"page_size": 0}, {}), (base, {"page_size": 0}, bearer(pins_only)),
        (base, {}, bearer(other)), (f"/v5/ad_accounts/{acct}x/campaigns", {}, h),
        ("/v5/ad_accounts/99999/campaigns", {}, h), ("/v5/ad_accounts/" + "9" * 19 + "/campaigns", {}, h),
        (f"{base}/{camps[1]['id']}", {}, h), (f"{base}/42", {}, h), (f"{base}/{camps[1]['id']}", {}, bearer(other)),
        (f"{base}/{camps[1]['id']}", {}, {"Authorization": "Bearer pina_nope"}),
        (f"/v5/ad_accounts/{acct}", {}, h), (f"/v5/ad_accounts/{acct}", {}, bearer(other)),
        (f"/v5/ad_accounts/{acct}", {}, stranger), (base, {}, stranger), (f"{base}/{camps[0]['id']}", {}, stranger),
        ("/v5/ad_accounts", {}, h), ("/v5/ad_accounts", {"include_shared_accounts": "false"}, bearer(other)),
        ("/v5/ad_accounts", {"include_shared_accounts": "maybe"}, h), ("/v5/ad_accounts", {"page_size": 1}, h),
        ("/v5/user_account", {}, h),
    ]
    for url, params, headers in cases:
        fast, standard = both(client, app, "GET", url, params=params, headers=headers)
        assert (fast.status_code, fast.content) == (standard.status_code, standard.content), (url, params)
        assert fast.headers["content-type"] == standard.headers["content-type"]
    statuses = {both(client, app, "GET", u, params=p, headers=hd)[0].status_code for u, p, hd in cases}
    assert {200, 400, 401, 403, 404} <= statuses  # the cases reach every kind of answer


def test_fastapi_telemetry_is_off_unless_asked_for(tmp_path):
    from pinsandbox.app import create_app
    from pinsandbox.settings import Settings

    off = create_app(Settings(data_dir=tmp_path / "a"))
    assert not off._native_telemetry.enabled() and off._telemetry["tracing"] is False
    on = create_app(Settings(data_dir=tmp_path / "b", telemetry=True))
    assert on._telemetry["tracing"] is True and on._telemetry["metrics"] is True
    for app in (off, on):
        app.state.store.dispose()

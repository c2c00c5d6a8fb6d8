"""Every route of a spec operation checks exactly the OAuth scopes the official spec lists for it.

The scopes a route checks are those of the `core.auth.ScopeCheck` dependencies in its dependency
tree (`require("ads:read", ...)`); the spec's are its `security: [{pinterest_oauth2: [...]}]`.
"""

from __future__ import annotations

import json

import pytest
from fastapi.routing import APIRoute

from pinsandbox.api import api_routes
from pinsandbox.core.auth import ScopeCheck
from tests.live import SPEC_PATH

if not SPEC_PATH.exists():
    pytest.skip(f"the official spec is absent ({SPEC_PATH})", allow_module_level=True)


def spec_security() -> dict[str, list[dict[str, list[str]]]]:
    spec = json.loads(SPEC_PATH.read_text())
    return {op["operationId"]: op.get("security", spec.get("security")) or []
            for item in spec["paths"].values() for op in item.values() if isinstance(op, dict) and "operationId" in op}


SECURITY = spec_security()


def scope_checks(dependant) -> list[ScopeCheck]:
    found = []
    for dep in dependant.dependencies:
        if isinstance(dep.call, ScopeCheck):
            found.append(dep.call)
        found.extend(scope_checks(dep))
    return found


def spec_routes() -> list[APIRoute]:
    """The /v5 routes as their domains declare them (`api_routes()`: what `include_routers` mounts)."""
    return [r for r in api_routes() if r.operation_id in SECURITY]


def test_there_are_routes_to_check():
    ids = {r.operation_id for r in spec_routes()}
    assert {"ad_accounts/get", "ad_accounts/list", "ad_accounts/create", "user_account/get"} <= ids


def test_route_scopes_equal_the_spec():
    wrong = []
    for route in spec_routes():
        security = SECURITY[route.operation_id]
        oauth = [s["pinterest_oauth2"] for s in security if "pinterest_oauth2" in s]
        checks = scope_checks(route.dependant)
        got = sorted({s for c in checks for s in c.scopes})
        if oauth:
            expected = sorted(set(oauth[0]))
            if not checks:
                wrong.append(f"{route.operation_id}: no scope check (spec: {expected})")
            elif got != expected:
                wrong.append(f"{route.operation_id}: checks {got}, spec lists {expected}")
            accepts_conversion = any(c.accept_conversion for c in checks)
            if accepts_conversion != any("conversion_token" in s for s in security):
                wrong.append(f"{route.operation_id}: accepts conversion tokens = {accepts_conversion}, "
                             f"spec security {security}")
        elif got:
            wrong.append(f"{route.operation_id}: checks {got}, but the spec's security is {security}")
    assert not wrong, "\n".join(wrong)


def test_every_v5_route_of_the_app_is_a_spec_operation_or_public_on_purpose(app):
    """The app's OpenAPI document lists the same /v5 operations as `api_routes()` (nothing mounted around it)."""
    doc = app.openapi()
    mounted = {o["operationId"] for p, item in doc["paths"].items() if p.startswith("/v5/")
               for o in item.values() if isinstance(o, dict) and "operationId" in o}
    assert mounted == {r.operation_id for r in api_routes()}
    assert mounted <= set(SECURITY), sorted(mounted - set(SECURITY))

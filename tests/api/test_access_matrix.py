"""The access matrix of issue 3's operations, through HTTP: for every operation, every way in.

Cells (each a test): the owner gets in (so the request itself is valid); no token and an unknown token are
401 code 2; a token lacking one of the scopes the spec's `security` lists for the operation is 401 code 3
naming it; where an ad account is involved (in the path, or the organic operations' `ad_account_id`), a user
with no role on it is 403 code 29, a role the operation does not take is 403 code 29 (ANALYST on an ads
write) and a role it takes gets in; an unknown ad account is 404 code 2, an unknown object is 404 with its
code (1012 campaign / ad group / ad, 40 board, 50 pin) — or, in a batch write, a per-item exception 1012.

One world (an ad account with a campaign, an ad group, an ad, a board and a pin, and users holding roles)
is built once per module: no cell writes anything another cell reads.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

import httpx
import pytest

from pinsandbox.core.auth import ALL_SCOPES
from tests.conftest import SPEC_PATH, fresh_client
from tests.factories import ad_account, ad_group, bearer, board, campaign, grant, pin, token

UNKNOWN = "1"  # no generated id is this small


@dataclass(frozen=True)
class Op:
    operation_id: str
    method: str
    path: str  # "{acct}", "{campaign}", "{ad_group}", "{ad}", "{board}", "{pin}" filled from the world
    body: Callable[[dict[str, Any]], Any] | None = None
    account: str | None = None  # "path": the ad account is in the path; "query": the organic ad_account_id
    write: bool = False
    batch: bool = False  # answers {"items": [{"data", "exceptions"}]}
    unknown: dict[str, Any] | None = field(default=None)  # {"fill": {...}} or {"body": fn}, and "code"


def _name() -> str:
    return f"Access {uuid.uuid4().hex[:8]}"


OPS = [
    Op("ad_accounts/list", "GET", "/v5/ad_accounts"),
    Op("ad_accounts/create", "POST", "/v5/ad_accounts", lambda w: {"name": _name(), "country": "US"}, write=True),
    Op("ad_accounts/get", "GET", "/v5/ad_accounts/{acct}", account="path"),
    Op("campaigns/list", "GET", "/v5/ad_accounts/{acct}/campaigns", account="path"),
    Op("campaigns/create", "POST", "/v5/ad_accounts/{acct}/campaigns",
       lambda w: [{"ad_account_id": w["acct"], "name": _name(), "objective_type": "CONSIDERATION"}],
       account="path", write=True, batch=True),
    Op("campaigns/update", "PATCH", "/v5/ad_accounts/{acct}/campaigns",
       lambda w: [{"ad_account_id": w["acct"], "id": w["campaign"], "name": _name()}], account="path", write=True,
       batch=True, unknown={"body": lambda w: [{"ad_account_id": w["acct"], "id": UNKNOWN, "name": "x"}],
                            "code": 1012}),
    Op("campaigns/get", "GET", "/v5/ad_accounts/{acct}/campaigns/{campaign}", account="path",
       unknown={"fill": {"campaign": UNKNOWN}, "code": 1012}),
    Op("ad_groups/list", "GET", "/v5/ad_accounts/{acct}/ad_groups", account="path"),
    Op("ad_groups/create", "POST", "/v5/ad_accounts/{acct}/ad_groups",
       lambda w: [{"campaign_id": w["campaign"], "name": _name(), "billable_event": "CLICKTHROUGH",
                   "bid_strategy_type": "AUTOMATIC_BID", "budget_in_micro_currency": 10_000_000_000}],
       account="path", write=True, batch=True,
       unknown={"body": lambda w: [{"campaign_id": UNKNOWN, "name": "x", "billable_event": "CLICKTHROUGH",
                                    "bid_strategy_type": "AUTOMATIC_BID", "budget_in_micro_currency": 10_000_000_000}],
                "code": 1012}),
    Op("ad_groups/update", "PATCH", "/v5/ad_accounts/{acct}/ad_groups",
       lambda w: [{"id": w["ad_group"], "name": _name()}], account="path", write=True, batch=True,
       unknown={"body": lambda w: [{"id": UNKNOWN, "name": "x"}], "code": 1012}),
    Op("ad_groups/get", "GET", "/v5/ad_accounts/{acct}/ad_groups/{ad_group}", account="path",
       unknown={"fill": {"ad_group": UNKNOWN}, "code": 1012}),
    Op("ad_groups_bid_floor/get", "POST", "/v5/ad_accounts/{acct}/bid_floor",
       lambda w: {"bid_floor_specs": [{"billable_event": "IMPRESSION", "currency": "USD"}]}, account="path"),
    Op("ads/list", "GET", "/v5/ad_accounts/{acct}/ads", account="path"),
    Op("ads/create", "POST", "/v5/ad_accounts/{acct}/ads",
       lambda w: [{"ad_group_id": w["ad_group"], "creative_type": "REGULAR", "pin_id": w["new_pin"](), "name": _name()}],
       account="path", write=True, batch=True,
       unknown={"body": lambda w: [{"ad_group_id": UNKNOWN, "creative_type": "REGULAR", "pin_id": w["pin"]}],
                "code": 1012}),
    Op("ads/update", "PATCH", "/v5/ad_accounts/{acct}/ads", lambda w: [{"id": w["ad"], "name": _name()}],
       account="path", write=True, batch=True, unknown={"body": lambda w: [{"id": UNKNOWN, "name": "x"}], "code": 1012}),
    Op("ads/get", "GET", "/v5/ad_accounts/{acct}/ads/{ad}", account="path",
       unknown={"fill": {"ad": UNKNOWN}, "code": 1012}),
    Op("boards/create", "POST", "/v5/boards", lambda w: {"name": _name()}, account="query", write=True),
    Op("boards/get", "GET", "/v5/boards/{board}", account="query", unknown={"fill": {"board": UNKNOWN}, "code": 40}),
    Op("boards/list", "GET", "/v5/boards", account="query"),
    Op("pins/create", "POST", "/v5/pins",
       lambda w: {"board_id": w["board"], "title": _name(), "link": "https://example.com/p",
                  "media_source": {"source_type": "image_url", "url": "https://example.com/i.jpg"}},
       account="query", write=True,
       unknown={"body": lambda w: {"board_id": UNKNOWN, "media_source": {
           "source_type": "image_url", "url": "https://example.com/i.jpg"}}, "code": 40}),
    Op("pins/get", "GET", "/v5/pins/{pin}", account="query", unknown={"fill": {"pin": UNKNOWN}, "code": 50}),
    Op("pins/list", "GET", "/v5/pins", account="query"),
    Op("user_account/get", "GET", "/v5/user_account", account="query"),
]
OPS_BY_ID = {op.operation_id: op for op in OPS}


def spec_scopes() -> dict[str, list[str]]:
    """operationId -> the scopes of its `pinterest_oauth2` security requirement, from the spec."""
    if not SPEC_PATH.exists():
        pytest.skip(f"the official spec is not at {SPEC_PATH}")
    spec = json.loads(SPEC_PATH.read_text())
    out: dict[str, list[str]] = {}
    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and op.get("operationId") in OPS_BY_ID:
                [requirement] = [s for s in op["security"] if "pinterest_oauth2" in s]
                out[op["operationId"]] = requirement["pinterest_oauth2"]
    return out


def _scope_cells() -> list[tuple[str, str]]:
    """(operationId, scope) for every scope of every operation; none without the spec (the test is then skipped)."""
    try:
        scopes = spec_scopes()
    except pytest.skip.Exception:
        return []
    return [(op_id, s) for op_id, needed in sorted(scopes.items()) for s in needed]


# -- the world -------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mclient(app, store):
    """A client whose sandbox is reset once for the module (the world below is built once)."""
    yield from fresh_client(app, store)


@pytest.fixture(scope="module")
def world(mclient) -> dict[str, Any]:
    c = mclient
    owner = token(c, "owner")
    acct = ad_account(c, owner)["id"]
    camp = campaign(c, owner, acct)["id"]
    group = ad_group(c, owner, acct, camp)["id"]
    b = board(c, owner)["id"]
    p = pin(c, owner, b)["id"]
    r = c.post(f"/v5/ad_accounts/{acct}/ads", headers=bearer(owner),
               json=[{"ad_group_id": group, "creative_type": "REGULAR", "pin_id": p, "name": "ad"}])
    assert r.status_code == 200, r.text
    ad = r.json()["items"][0]["data"]["id"]
    w = {"acct": acct, "campaign": camp, "ad_group": group, "ad": ad, "board": b, "pin": p, "owner": owner,
         "stranger": token(c, "stranger"),
         "new_pin": lambda: pin(c, owner, b)["id"]}  # a Pin is promoted once per ad group: ads/create takes new ones
    for username, role in (("analyst", "ANALYST"), ("campaign_manager", "CAMPAIGN_MANAGER"),
                           ("finance_manager", "FINANCE_MANAGER")):
        w[username] = token(c, username)
        grant(c, acct, username, [role])
    return w


def call(c: httpx.Client, op: Op, w: dict[str, Any], tok: str | None, *, fill: dict[str, str] | None = None,
         body: Any = None, with_account: bool = False) -> httpx.Response:
    values = {**w, **(fill or {})}
    url = op.path.format(**values)
    params = {"ad_account_id": values["acct"]} if with_account else None
    headers = bearer(tok) if tok is not None else {}
    payload = body if body is not None else (op.body(w) if op.body else None)
    return c.request(op.method, url, params=params, headers=headers, json=payload)


def assert_error(r: httpx.Response, status: int, code: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert body["code"] == code and isinstance(body["message"], str) and body["message"], body
    assert r.headers["x-pinterest-rid"]
    return body


def item_code(r: httpx.Response) -> int | None:
    """The code of the first batch item's exception (None: it succeeded). Ads answer one object, others a list."""
    assert r.status_code == 200, r.text
    [item] = r.json()["items"]
    exc = item.get("exceptions")
    if not exc:
        assert item["data"], item
        return None
    assert item["data"] in ({}, None), item
    return (exc[0] if isinstance(exc, list) else exc)["code"]


def assert_ok(op: Op, r: httpx.Response) -> None:
    assert r.status_code in (200, 201), r.text
    if op.batch:
        assert item_code(r) is None, r.text


# -- the cells --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", OPS, ids=lambda o: o.operation_id)
def test_owner_gets_in(mclient, world, op):
    assert_ok(op, call(mclient, op, world, world["owner"]))


@pytest.mark.parametrize("op", OPS, ids=lambda o: o.operation_id)
@pytest.mark.parametrize("tok", [None, "pina_" + "x" * 60, "not-a-token"], ids=["no-token", "unknown", "garbage"])
def test_no_or_unknown_token_is_401_code_2(mclient, world, op, tok):
    body = assert_error(call(mclient, op, world, tok), 401, 2)
    assert body.get("status") == "failure"


@pytest.mark.parametrize("op_id,scope", _scope_cells())
def test_a_token_lacking_a_scope_of_the_spec_is_401_code_3(mclient, world, op_id, scope):
    op = OPS_BY_ID[op_id]
    lacking = token(mclient, "owner", scopes=",".join(s for s in ALL_SCOPES if s != scope))
    body = assert_error(call(mclient, op, world, lacking), 401, 3)
    assert scope in body["message"]


def test_the_spec_gives_scopes_for_every_operation_here():
    scopes = spec_scopes()
    assert set(scopes) == set(OPS_BY_ID) and all(scopes.values()), set(OPS_BY_ID) - set(scopes)


ACCOUNT_OPS = [op for op in OPS if op.account]


@pytest.mark.parametrize("op", ACCOUNT_OPS, ids=lambda o: o.operation_id)
def test_a_user_with_no_role_on_the_ad_account_is_403_code_29(mclient, world, op):
    r = call(mclient, op, world, world["stranger"], with_account=op.account == "query")
    assert_error(r, 403, 29)


# Which role each operation refuses and which it takes (core/access.py: ads reads take ADMIN, ANALYST and
# CAMPAIGN_MANAGER; ads writes not ANALYST; the ad account itself any role; organic operations acting as the
# account's owner ADMIN, ANALYST, CAMPAIGN_MANAGER).
def roles_of(op: Op) -> tuple[str | None, str]:
    if op.operation_id == "ad_accounts/get":
        return None, "finance_manager"
    if op.account == "query":
        return "finance_manager", "analyst"
    return ("analyst", "campaign_manager") if op.write else ("finance_manager", "analyst")


@pytest.mark.parametrize("op", [op for op in ACCOUNT_OPS if roles_of(op)[0]], ids=lambda o: o.operation_id)
def test_a_role_the_operation_does_not_take_is_403_code_29(mclient, world, op):
    refused, _ = roles_of(op)
    body = assert_error(call(mclient, op, world, world[refused], with_account=op.account == "query"), 403, 29)
    assert world["acct"] in body["message"]


@pytest.mark.parametrize("op", ACCOUNT_OPS, ids=lambda o: o.operation_id)
def test_a_role_the_operation_takes_gets_in(mclient, world, op):
    _, taken = roles_of(op)
    assert_ok(op, call(mclient, op, world, world[taken], with_account=op.account == "query"))


@pytest.mark.parametrize("op", ACCOUNT_OPS, ids=lambda o: o.operation_id)
def test_an_unknown_ad_account_is_404_code_2(mclient, world, op):
    r = call(mclient, op, world, world["owner"], fill={"acct": UNKNOWN}, with_account=op.account == "query",
             body=op.body({**world, "acct": UNKNOWN}) if op.body else None)
    assert_error(r, 404, 2)


@pytest.mark.parametrize("op", [op for op in OPS if op.unknown], ids=lambda o: o.operation_id)
def test_an_unknown_object_is_404_or_a_per_item_exception(mclient, world, op):
    spec = op.unknown
    r = call(mclient, op, world, world["owner"], fill=spec.get("fill"),
             body=spec["body"](world) if "body" in spec else None)
    if op.batch:
        assert item_code(r) == spec["code"], r.text
    else:
        assert_error(r, 404, spec["code"])

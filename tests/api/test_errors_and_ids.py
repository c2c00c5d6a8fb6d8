"""Error answers every client can meet: unexpected 500s (request id and cache headers like any answer),
bodies nested too deeply to parse, and ids in paths that are not ASCII digits."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from pinsandbox.app import create_app
from tests.factories import ad_account, ad_group, bearer, campaign, token

CACHE_HEADERS = {"cache-control": "no-cache, no-store, must-revalidate", "x-content-type-options": "nosniff"}


def test_an_unexpected_error_is_a_500_with_the_request_id_it_was_logged_under(store, caplog):
    app = create_app(store=store)  # a test instance: the route below exists only here

    @app.get("/_test/boom")
    async def boom():
        raise RuntimeError("kaboom")

    with TestClient(app, raise_server_exceptions=False) as c, caplog.at_level(logging.ERROR, logger="pinsandbox"):
        r = c.get("/_test/boom")
        ok = c.get("/_sandbox/health")
    assert r.status_code == 500 and r.json() == {"code": 12, "message": "Something went wrong on our end. Sorry about that."}
    assert r.headers["content-type"] == "application/json"
    rid = r.headers["x-pinterest-rid"]
    assert len(rid) == 16 and rid != ok.headers["x-pinterest-rid"]
    assert {k: r.headers[k] for k in CACHE_HEADERS} == CACHE_HEADERS
    [record] = [rec for rec in caplog.records if rec.exc_info and rec.exc_info[0] is RuntimeError]
    assert rid in record.getMessage() and record.request_id == rid and "/_test/boom" in record.getMessage()


def test_a_body_nested_too_deeply_is_400_code_1_naming_the_body(client):
    h = bearer(token(client))
    acct = ad_account(client, token(client))["id"]
    for url in (f"/v5/ad_accounts/{acct}/campaigns", "/v5/ad_accounts", "/v5/boards"):
        r = client.post(url, content="[" * 2000, headers={**h, "content-type": "application/json"})
        assert r.status_code == 400, (url, r.text)
        assert r.json()["code"] == 1 and "body" in r.json()["message"] and "nested" in r.json()["message"], r.text
        assert r.headers["x-pinterest-rid"]
    # Malformed (not deep) JSON keeps its own message.
    r = client.post("/v5/ad_accounts", content="{", headers={**h, "content-type": "application/json"})
    assert r.status_code == 400 and r.json() == {"code": 1, "message": "Invalid request body: malformed JSON."}


@pytest.fixture
def world(client):
    tok = token(client)
    acct = ad_account(client, tok)["id"]
    c = campaign(client, tok, acct)
    g = ad_group(client, tok, acct, c["id"])
    return {"h": bearer(tok), "acct": acct, "campaign": c["id"], "ad_group": g["id"]}


@pytest.mark.parametrize("bad", ["abc", "١٢", "12a", "１２"])  # letters, Arabic-Indic and fullwidth digits
@pytest.mark.parametrize("path,param", [
    ("/v5/ad_accounts/{bad}", "ad_account_id"),
    ("/v5/ad_accounts/{bad}/campaigns", "ad_account_id"),
    ("/v5/ad_accounts/{acct}/campaigns/{bad}", "campaign_id"),
    ("/v5/ad_accounts/{acct}/ad_groups/{bad}", "ad_group_id"),
    ("/v5/ad_accounts/{acct}/ads/{bad}", "ad_id"),
    ("/v5/ad_accounts/{bad}/campaigns/{campaign}", "ad_account_id"),
])
def test_a_path_id_that_is_not_ascii_digits_is_400_code_1_naming_it(client, world, path, param, bad):
    url = path.format(bad=bad, **world)
    r = client.get(url, headers=world["h"])
    assert r.status_code == 400, (url, r.text)
    assert r.json()["code"] == 1 and f"'{param}'" in r.json()["message"], r.text
    # the token check still comes first
    r = client.get(url)
    assert r.status_code == 401 and r.json()["code"] == 2


def test_ascii_digit_ids_and_sibling_paths_still_route(client, world):
    h, acct = world["h"], world["acct"]
    assert client.get(f"/v5/ad_accounts/{acct}/campaigns/{world['campaign']}", headers=h).status_code == 200
    assert client.get(f"/v5/ad_accounts/{acct}/ad_groups/{world['ad_group']}", headers=h).status_code == 200
    r = client.get(f"/v5/ad_accounts/{acct}/campaigns/42", headers=h)
    assert r.status_code == 404 and r.json()["code"] == 1012
    r = client.get(f"/v5/ad_accounts/{acct}/ad_groups/audience_sizing", headers=h)
    assert r.status_code == 501  # a sibling operation, not a bad ad_group_id
    r = client.get(f"/v5/ad_accounts/{acct}/campaigns/analytics", headers=h)
    assert r.status_code != 404 and "campaign_id" not in r.json().get("message", "")
    # the fallback routes are not in the served OpenAPI document (the spec's operation is there once)
    paths = client.get("/v5/openapi.json").json()["paths"]
    assert list(paths["/v5/ad_accounts/{ad_account_id}/campaigns/{campaign_id}"]) == ["get"]


def test_id_lists_in_queries_take_ascii_digits_only(client, world):
    r = client.get(f"/v5/ad_accounts/{world['acct']}/campaigns", params={"campaign_ids": "١٢"}, headers=world["h"])
    assert r.status_code == 400 and r.json()["code"] == 1 and "campaign_ids" in r.json()["message"]


def test_a_body_past_the_size_limit_is_413_before_it_is_read(client):
    from pinsandbox.core.middleware import MAX_API_BODY_BYTES

    h = {**bearer(token(client, "bigbody")), "content-type": "application/json"}
    big = b'{"name": "' + b"x" * (MAX_API_BODY_BYTES + 1) + b'"}'
    r = client.post("/v5/boards", content=big, headers=h)
    assert r.status_code == 413 and r.json()["code"] == 413 and "larger than" in r.json()["message"], r.text
    assert r.headers.get("x-pinterest-rid")

    def chunks():  # no content-length: counted while it is read
        for _ in range(MAX_API_BODY_BYTES // (1 << 20) + 2):
            yield b"x" * (1 << 20)

    r = client.post("/v5/boards", content=chunks(), headers=h)
    assert r.status_code == 413 and r.json()["code"] == 413, r.text
    assert client.get("/v5/boards", headers=h).json()["items"] == []  # nothing was made
    assert client.post("/v5/boards", json={"name": "small"}, headers=h).status_code == 201


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_json_body_sent_with_another_content_type_says_so(client, ctype):
    h = {**bearer(token(client, "ctype")), "content-type": ctype}
    r = client.post("/v5/boards", content=b'{"name": "b"}', headers=h)
    assert r.status_code == 400 and r.json()["code"] == 1, r.text
    assert "Content-Type: application/json" in r.json()["message"] and ctype in r.json()["message"]


def test_a_number_with_thousands_of_digits_is_named(client):
    h = {**bearer(token(client, "digits")), "content-type": "application/json"}
    r = client.post("/v5/boards", content=b'{"name": "b", "n": ' + b"1" * 5000 + b"}", headers=h)
    assert r.status_code == 400 and r.json()["code"] == 1 and "digits" in r.json()["message"], r.text

"""Bad input to the sandbox's own endpoints and to OAuth: 400s naming the field, never 500s (found by fuzzing
/_sandbox and /oauth, which the official-spec conformance run does not reach)."""

from __future__ import annotations

import base64

import pytest

TOO_BIG = "9" * 20  # past a 64-bit id


def token(client, username: str = "inputs") -> dict:
    r = client.post("/_sandbox/tokens", json={"username": username})
    assert r.status_code == 200, r.text
    return {"authorization": f"Bearer {r.json()['access_token']}"}


@pytest.mark.parametrize("method, path, body, name", [
    ("PUT", f"/_sandbox/ad_accounts/{TOO_BIG}/members", {"username": "inputs", "roles": []}, "ad_account_id"),
    ("PUT", f"/_sandbox/ad_accounts/{TOO_BIG}/terms_of_service", {"accepted": True}, "ad_account_id"),
    ("PUT", f"/_sandbox/users/inputs/following/boards/{TOO_BIG}", None, "board_id"),
    ("DELETE", f"/_sandbox/users/inputs/following/boards/{TOO_BIG}", None, "board_id"),
])
def test_over_long_ids_in_sandbox_paths(client, method, path, body, name):
    token(client)
    r = client.request(method, path, json=body)
    assert r.status_code == 400 and r.json()["code"] == 1 and name in r.json()["message"], r.text


def test_member_username_and_repeated_roles(client):
    headers = token(client, "owner")
    acct = client.post("/v5/ad_accounts", headers=headers, json={
        "name": "acct", "owner_user_id": client.get("/v5/user_account", headers=headers).json()["id"],
        "country": "US"}).json()
    token(client, "bob")
    for bad in ("", "bob smith", "x" * 101):
        r = client.put(f"/_sandbox/ad_accounts/{acct['id']}/members", json={"username": bad, "roles": []})
        assert r.status_code == 400 and "username" in r.json()["message"], r.text
    r = client.put(f"/_sandbox/ad_accounts/{acct['id']}/members", json={"username": "bob",
                                                                        "roles": ["ANALYST", "ANALYST"]})
    assert r.status_code == 200 and r.json()["roles"] == ["ANALYST"]


@pytest.mark.parametrize("uri", ["http://[::1", "http://a:abc/", "http://a:99999/", "http://:80/"])
def test_app_redirect_uris_must_be_valid_urls(client, uri):
    r = client.post("/_sandbox/apps", json={"name": "x", "redirect_uris": [uri]})
    assert r.status_code == 400 and r.json()["code"] == 1 and "redirect_uris" in r.json()["message"], r.text


def test_an_over_long_client_id_is_an_unknown_app(client):
    long_id = "1" * 5000  # int() refuses more than 4,300 digits: this was a 500 on both endpoints
    r = client.get("/oauth/", params={"client_id": long_id, "redirect_uri": "http://localhost/cb",
                                      "response_type": "code", "scope": "boards:read"}, follow_redirects=False)
    assert 400 <= r.status_code < 500, r.text
    basic = base64.b64encode(f"{long_id}:secret".encode()).decode()
    r = client.post("/v5/oauth/token", headers={"authorization": f"Basic {basic}"},
                    data={"grant_type": "client_credentials"})
    assert r.status_code == 401 and r.json()["code"] == 2, r.text


@pytest.mark.parametrize("scopes", ["", ",,,", " "])
def test_a_token_needs_a_scope(client, scopes):
    r = client.post("/_sandbox/tokens", json={"username": "noscope", "scopes": scopes})
    assert r.status_code == 400 and r.json()["code"] == 1 and "scopes" in r.json()["message"], r.text

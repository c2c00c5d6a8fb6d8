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


def test_a_reset_waiting_for_a_simulation_does_not_stall_other_requests(client, store):
    """The reset waits for a running simulation (the 'simulate' lock, any process) in a worker thread, not on
    the event loop: meanwhile the server answers."""
    import threading
    import time

    from tests.simdata import simulation_running

    answers: list = []
    r = threading.Thread(target=lambda: answers.append(client.post("/_sandbox/reset", json={})))
    with simulation_running(store):
        r.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        assert client.get("/_sandbox/health").status_code == 200
        assert time.monotonic() - t0 < 2 and not answers  # answered while the reset still waits
    r.join(30)
    assert answers and answers[0].status_code == 200


def test_a_nul_byte_in_an_api_form_is_a_400(client):
    for ctype, body in [
        ("application/x-www-form-urlencoded", b"grant_type=client_credentials&scope=ads\x00"),
        ("multipart/form-data; boundary=B",
         b'--B\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient\x00_credentials\r\n--B--\r\n'),
    ]:
        r = client.post("/v5/oauth/token", content=body, headers={"content-type": ctype, "authorization": "Basic eDp5"})
        assert r.status_code == 400 and r.json()["code"] == 1 and "NUL" in r.json()["message"], r.text

"""OAuth 2 through HTTP: authorize → redirect → token → API → refresh, and every error on the way."""

from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import parse_qs, urlsplit

from tests.factories import ad_account, bearer, token

REDIRECT = "https://app.example.com/callback"
DAY = 24 * 3600


def register(client, redirect_uris=(REDIRECT,), owner_username=None, name="My app") -> dict:
    body = {"name": name, "redirect_uris": list(redirect_uris)}
    if owner_username:
        body["owner_username"] = owner_username
    r = client.post("/_sandbox/apps", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def basic(app: dict, secret: str | None = None) -> dict[str, str]:
    raw = f"{app['client_id']}:{secret if secret is not None else app['client_secret']}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def authorize(client, app: dict, scope="user_accounts:read,ads:read", state="xyz", **extra):
    params = {"client_id": app["client_id"], "redirect_uri": REDIRECT, "response_type": "code", "scope": scope,
              "state": state, **extra}
    return client.get("/oauth/", params=params, follow_redirects=False)


def get_code(client, app: dict, **kw) -> str:
    r = authorize(client, app, **kw)
    assert r.status_code == 302, r.text
    return parse_qs(urlsplit(r.headers["location"]).query)["code"][0]


def exchange(client, app: dict, code: str, redirect_uri: str = REDIRECT):
    return client.post("/v5/oauth/token", headers=basic(app),
                       data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})


def refresh(client, app: dict, refresh_token: str, **extra):
    return client.post("/v5/oauth/token", headers=basic(app),
                       data={"grant_type": "refresh_token", "refresh_token": refresh_token, **extra})


def assert_400(r, field: str) -> None:
    assert r.status_code == 400, r.text
    assert r.json()["code"] == 1 and f"'{field}'" in r.json()["message"], r.json()


def test_full_authorization_code_flow(client):
    app = register(client)
    assert app["client_id"].isdigit() and app["client_secret"] and app["redirect_uris"] == [REDIRECT]

    r = authorize(client, app, username="carol")
    assert r.status_code == 302
    location = urlsplit(r.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"] and query["code"][0]

    r = exchange(client, app, query["code"][0])
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"access_token", "refresh_token", "response_type", "token_type", "expires_in",
                         "refresh_token_expires_in", "scope"}
    assert body["response_type"] == "authorization_code" and body["token_type"] == "bearer"
    assert body["access_token"].startswith("pina_") and body["refresh_token"].startswith("pinr_")
    assert body["expires_in"] == 30 * DAY and body["refresh_token_expires_in"] == 365 * DAY
    assert body["scope"] == "ads:read,user_accounts:read"

    me = client.get("/v5/user_account", headers=bearer(body["access_token"]))
    assert me.status_code == 200 and me.json()["username"] == "carol"
    # The granted scopes are the token's: nothing more.
    r = client.get("/v5/boards", headers=bearer(body["access_token"]))
    assert r.status_code == 401 and r.json()["code"] == 3
    # A refresh token is not an access token.
    assert client.get("/v5/user_account", headers=bearer(body["refresh_token"])).status_code == 401

    # Plain refresh: a new access token, no new refresh token.
    r = refresh(client, app, body["refresh_token"])
    assert r.status_code == 200, r.text
    plain = r.json()
    assert set(plain) == {"access_token", "response_type", "token_type", "expires_in", "scope"}
    assert plain["response_type"] == "refresh_token" and plain["access_token"] != body["access_token"]
    assert plain["scope"] == body["scope"] and plain["expires_in"] == 30 * DAY
    assert client.get("/v5/user_account", headers=bearer(plain["access_token"])).json()["username"] == "carol"

    # Continuous refresh: a new refresh token too, with its expiry.
    now = client.get("/_sandbox/clock").json()
    r = refresh(client, app, body["refresh_token"], refresh_on="true")
    assert r.status_code == 200, r.text
    ever = r.json()
    assert set(ever) == {"access_token", "refresh_token", "response_type", "token_type", "expires_in",
                         "refresh_token_expires_in", "refresh_token_expires_at", "scope"}
    assert ever["response_type"] == "everlasting_refresh" and ever["refresh_token"].startswith("pinr_")
    assert ever["refresh_token"] != body["refresh_token"] and ever["refresh_token_expires_in"] == 365 * DAY
    assert isinstance(ever["refresh_token_expires_at"], int)
    issued_around = int(dt.datetime.fromisoformat(now["now"].replace("Z", "+00:00")).timestamp())
    assert abs(ever["refresh_token_expires_at"] - (issued_around + 365 * DAY)) <= 5
    # The new refresh token works.
    r = refresh(client, app, ever["refresh_token"])
    assert r.status_code == 200 and r.json()["response_type"] == "refresh_token"


def test_refresh_scope_narrowing_not_widening(client):
    app = register(client)
    body = exchange(client, app, get_code(client, app, scope="user_accounts:read,ads:read,pins:read")).json()
    r = refresh(client, app, body["refresh_token"], scope="user_accounts:read")
    assert r.status_code == 200 and r.json()["scope"] == "user_accounts:read"
    narrowed = r.json()["access_token"]
    assert client.get("/v5/user_account", headers=bearer(narrowed)).status_code == 200
    r = client.get("/v5/ad_accounts", headers=bearer(narrowed))
    assert r.status_code == 401 and r.json()["code"] == 3
    assert_400(refresh(client, app, body["refresh_token"], scope="user_accounts:read,boards:read"), "scope")
    assert "boards:read" in refresh(client, app, body["refresh_token"], scope="boards:read").json()["message"]
    assert_400(refresh(client, app, body["refresh_token"], scope="nope:read"), "scope")
    # Narrowing the access token keeps the grant: a continuous refresh still carries every granted scope.
    r = refresh(client, app, body["refresh_token"], scope="pins:read", refresh_on="true")
    assert r.status_code == 200 and r.json()["scope"] == "pins:read"
    r = refresh(client, app, r.json()["refresh_token"])
    assert r.json()["scope"] == "ads:read,pins:read,user_accounts:read"


def test_authorize_errors_never_redirect(client):
    app = register(client, redirect_uris=[REDIRECT, "http://localhost:8085/"])
    cases = [
        ({"client_id": None}, "client_id"),
        ({"client_id": "999"}, "client_id"),
        ({"client_id": "abc"}, "client_id"),
        ({"redirect_uri": None}, "redirect_uri"),
        ({"redirect_uri": "https://evil.example.com/callback"}, "redirect_uri"),
        ({"response_type": "token"}, "response_type"),
        ({"response_type": None}, "response_type"),
        ({"scope": "ads:read,ads:fly"}, "scope"),
        ({"scope": None}, "scope"),
        ({"username": "bad name!"}, "username"),
    ]
    for change, field in cases:
        params = {"client_id": app["client_id"], "redirect_uri": REDIRECT, "response_type": "code",
                  "scope": "ads:read", "state": "s", **change}
        params = {k: v for k, v in params.items() if v is not None}
        r = client.get("/oauth/", params=params, follow_redirects=False)
        assert "location" not in r.headers
        assert_400(r, field)
    # Another registered URI works, and keeps its own query; no state → none in the redirect.
    r = client.get("/oauth/", params={"client_id": app["client_id"], "redirect_uri": "http://localhost:8085/",
                                      "response_type": "code", "scope": "all"}, follow_redirects=False)
    assert r.status_code == 302
    q = parse_qs(urlsplit(r.headers["location"]).query)
    assert set(q) == {"code"}


def test_redirect_uri_with_query_is_kept(client):
    uri = "https://app.example.com/cb?tenant=7"
    app = register(client, redirect_uris=[uri])
    r = client.get("/oauth/", params={"client_id": app["client_id"], "redirect_uri": uri, "response_type": "code",
                                      "scope": "ads:read", "state": "a b"}, follow_redirects=False)
    q = parse_qs(urlsplit(r.headers["location"]).query)
    assert q["tenant"] == ["7"] and q["state"] == ["a b"]
    assert exchange(client, app, q["code"][0], redirect_uri=uri).status_code == 200


def test_default_username(client):
    app = register(client)
    body = exchange(client, app, get_code(client, app)).json()
    assert client.get("/v5/user_account", headers=bearer(body["access_token"])).json()["username"] == "sandbox-user"


def test_code_single_use_expiry_and_binding(client):
    app = register(client)
    other = register(client, name="Other app")
    code = get_code(client, app)
    # A code belongs to its app.
    r = client.post("/v5/oauth/token", headers=basic(other),
                    data={"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert_400(r, "code")
    # redirect_uri must be the one the code was issued for.
    assert_400(exchange(client, app, code, redirect_uri="http://localhost:8085/"), "redirect_uri")
    assert exchange(client, app, code).status_code == 200
    r = exchange(client, app, code)
    assert_400(r, "code")
    assert "already been used" in r.json()["message"]
    assert_400(exchange(client, app, "not-a-code"), "code")

    late = get_code(client, app)
    client.put("/_sandbox/clock", json={"advance_seconds": 601})
    r = exchange(client, app, late)
    assert_400(r, "code")
    assert "expired" in r.json()["message"]

    fresh = get_code(client, app)
    client.put("/_sandbox/clock", json={"advance_seconds": 590})
    assert exchange(client, app, fresh).status_code == 200


def test_token_expiry(client):
    app = register(client)
    body = exchange(client, app, get_code(client, app)).json()
    client.put("/_sandbox/clock", json={"advance_seconds": 30 * DAY + 1})
    r = client.get("/v5/user_account", headers=bearer(body["access_token"]))
    assert r.status_code == 401 and r.json()["code"] == 2
    r = refresh(client, app, body["refresh_token"])
    assert r.status_code == 200
    assert client.get("/v5/user_account", headers=bearer(r.json()["access_token"])).status_code == 200
    client.put("/_sandbox/clock", json={"advance_seconds": 336 * DAY})
    r = refresh(client, app, body["refresh_token"])
    assert_400(r, "refresh_token")
    assert "expired" in r.json()["message"]


def test_client_authentication(client):
    app = register(client)
    code = get_code(client, app)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    for headers in ({}, basic(app, secret="wrong"), {"Authorization": "Basic !!!notbase64"},
                    {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
                    {"Authorization": "Basic " + base64.b64encode(b"999:x").decode()},
                    {"Authorization": f"Bearer {token(client)}"}):
        r = client.post("/v5/oauth/token", headers=headers, data=data)
        assert r.status_code == 401, r.text
        assert r.json()["code"] == 2 and r.json()["status"] == "failure"
        assert r.json()["message"].startswith("Authentication failed.")
    # Auth is checked before the body: no credentials and no body is still 401.
    assert client.post("/v5/oauth/token").status_code == 401
    # The code was not consumed by the failed attempts.
    assert exchange(client, app, code).status_code == 200


def test_odd_client_credentials_are_refused_not_500(client):
    """A client_id of digits int() refuses ("²": str.isdigit() takes it) and a non-ASCII secret
    (compare_digest refuses non-ASCII str) were 500s."""
    app = register(client)
    data = {"grant_type": "client_credentials", "scope": "ads:read"}
    for raw in ("²:x", "①:x", f"{app['client_id']}:é", f"{app['client_id']}:{app['client_secret']}é"):
        r = client.post("/v5/oauth/token", data=data,
                        headers={"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()})
        assert r.status_code == 401 and r.json()["code"] == 2, (raw, r.text)
    assert_400(authorize(client, {**app, "client_id": "²"}), "client_id")
    assert client.post("/v5/oauth/token", headers=basic(app), data=data).status_code == 200


def test_token_request_validation(client):
    app = register(client)
    post = lambda data: client.post("/v5/oauth/token", headers=basic(app), data=data)  # noqa: E731
    assert_400(post({}), "grant_type")
    assert_400(post({"grant_type": "password"}), "grant_type")
    assert_400(post({"grant_type": "authorization_code", "redirect_uri": REDIRECT}), "code")
    assert_400(post({"grant_type": "authorization_code", "code": "x"}), "redirect_uri")
    assert_400(post({"grant_type": "refresh_token"}), "refresh_token")
    assert_400(post({"grant_type": "refresh_token", "refresh_token": "pinr_nope"}), "refresh_token")
    assert_400(post({"grant_type": "client_credentials"}), "scope")
    r = client.post("/v5/oauth/token", headers=basic(app), json={"grant_type": "client_credentials"})
    assert_400(r, "grant_type")
    assert "x-www-form-urlencoded" in r.json()["message"]
    body = exchange(client, app, get_code(client, app)).json()
    assert_400(refresh(client, app, body["refresh_token"], refresh_on="maybe"), "refresh_on")
    assert refresh(client, app, body["refresh_token"], refresh_on="false").json()["response_type"] == "refresh_token"
    # An access token is not a refresh token; another app's refresh token is not this app's.
    assert_400(refresh(client, app, body["access_token"]), "refresh_token")
    other = register(client, name="Other")
    r = client.post("/v5/oauth/token", headers=basic(other),
                    data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]})
    assert_400(r, "refresh_token")


def test_client_credentials(client):
    owned = register(client, owner_username="dana")
    r = client.post("/v5/oauth/token", headers=basic(owned),
                    data={"grant_type": "client_credentials", "scope": "user_accounts:read"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"access_token", "response_type", "token_type", "expires_in", "scope"}
    assert body["response_type"] == "client_credentials" and body["access_token"].startswith("pina_")
    assert body["scope"] == "user_accounts:read" and body["expires_in"] == 30 * DAY
    assert client.get("/v5/user_account", headers=bearer(body["access_token"])).json()["username"] == "dana"

    ownerless = register(client)
    tokens = []
    for _ in range(2):
        r = client.post("/v5/oauth/token", headers=basic(ownerless),
                        data={"grant_type": "client_credentials", "scope": "user_accounts:read"})
        assert r.status_code == 200
        tokens.append(r.json()["access_token"])
    names = {client.get("/v5/user_account", headers=bearer(t)).json()["username"] for t in tokens}
    assert names == {f"app-{ownerless['client_id']}-owner"}


def test_register_app_validation(client):
    r = client.post("/_sandbox/apps", json={"name": "x", "redirect_uris": []})
    assert_400(r, "redirect_uris")
    r = client.post("/_sandbox/apps", json={"name": "x", "redirect_uris": ["not a url"]})
    assert_400(r, "redirect_uris.0")
    r = client.post("/_sandbox/apps", json={"name": "x", "redirect_uris": [REDIRECT, "https://a.example/#frag"]})
    assert_400(r, "redirect_uris.1")
    r = client.post("/_sandbox/apps", json={"redirect_uris": [REDIRECT]})
    assert_400(r, "name")
    r = client.post("/_sandbox/apps", json={"name": "x", "redirect_uris": [REDIRECT], "owner_username": "a b"})
    assert_400(r, "owner_username")
    a, b = register(client), register(client)
    assert a["client_id"] != b["client_id"] and a["client_secret"] != b["client_secret"]


def test_conversion_token(client):
    alice = token(client, "alice")
    acct = ad_account(client, alice)
    r = client.post(f"/_sandbox/ad_accounts/{acct['id']}/conversion_token")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["access_token"].startswith("pinc_") and body["ad_account_id"] == acct["id"]
    assert body["user_id"] == client.get("/v5/user_account", headers=bearer(alice)).json()["id"]
    # Only the conversion events endpoint takes it: a normal endpoint answers 401 code 2.
    for path in ("/v5/ad_accounts", f"/v5/ad_accounts/{acct['id']}", "/v5/user_account"):
        r = client.get(path, headers=bearer(body["access_token"]))
        assert r.status_code == 401 and r.json()["code"] == 2, (path, r.text)
    r = client.post("/_sandbox/ad_accounts/123456/conversion_token")
    assert r.status_code == 404 and r.json()["code"] == 2
    r = client.post("/_sandbox/ad_accounts/12x/conversion_token")
    assert_400(r, "ad_account_id")

"""core/body.py: lone UTF-16 surrogates in JSON bodies are found and named; pairs (emoji) are not."""

from __future__ import annotations

import json

import pytest

from pinsandbox.core.body import lone_surrogate_at
from pinsandbox.core.responses import dumps


@pytest.mark.parametrize("body, where", [
    ({"name": "ok"}, None),
    ({"name": "\U0001F600"}, None),  # an emoji, escaped as a surrogate pair by json.dumps
    ('{"name": "\\\\ud800"}', None),  # an escaped backslash: the text \ud800, no surrogate
    ({"name": "\ud800"}, "name"),
    ({"name": "x\udc00y"}, "name"),
    ({"title": "\ud800", "media_source": {"url": "\ud800"}}, "title"),
    ({"media_source": {"url": "http://a/\udfff"}}, "media_source.url"),
    ([{"name": "ok"}, {"name": "\ud83d"}], "[1].name"),
    ({"keywords": [{"value": "a"}, {"value": "\ud800"}]}, "keywords[1].value"),
    ({"\ud800": 1}, "body"),
    ("\ud800", "body"),
    ('{"name": "\\ud800"', None),  # not JSON: the body parser reports that
])
def test_lone_surrogate_at(body, where):
    raw = (body if isinstance(body, str) and body.startswith(("{", "[")) else json.dumps(body)).encode()
    assert lone_surrogate_at(raw) == where


def test_dumps_escapes_what_utf8_cannot_encode():
    assert json.loads(dumps({"message": "bad: \ud800", "big": 2**70})) == {"message": "bad: \ud800", "big": 2**70}


def test_bodies_with_lone_surrogates_are_400s_naming_the_field(client):
    r = client.post("/_sandbox/tokens", json={"username": "surr"})
    headers = {"authorization": f"Bearer {r.json()['access_token']}", "content-type": "application/json"}
    for path, body, field in [
        ("/v5/boards", {"name": "\ud800"}, "'name'"),  # a plain str field: reached SQLite as a 500 before
        ("/v5/boards", {"name": "b", "description": "\udc00"}, "'description'"),
        ("/_sandbox/apps", {"name": "x", "redirect_uris": ["http://a/\ud800"]}, "'redirect_uris[0]'"),
        ("/_sandbox/tokens", {"username": "surr", "scopes": "\ud800"}, "'scopes'"),
    ]:
        r = client.post(path, content=json.dumps(body), headers=headers)
        assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], r.text
    r = client.post("/v5/boards", content=json.dumps({"name": "Pins \U0001F600"}), headers=headers)
    assert r.status_code == 201 and r.json()["name"] == "Pins \U0001F600"
    assert client.get("/v5/boards", headers=headers).json()["items"][0]["name"] == "Pins \U0001F600"


@pytest.mark.parametrize("body, found", [
    ({"name": "a\x00b"}, ("name", "NUL")),
    ({"items": [{"title": "ok"}, {"title": "\x00"}]}, ("items[1].title", "NUL")),
    ({"name": "\ud800", "other": "\x00"}, ("name", "surrogate")),
    ({"name": "\\u0000 as text"}, None),  # a backslash, then u0000: text, not a NUL
])
def test_unstorable_string_at(body, found):
    from pinsandbox.core.body import unstorable_string_at

    got = unstorable_string_at(json.dumps(body).encode())
    assert (got[0], "NUL" if "NUL" in got[1] else "surrogate") == found if found else got is None


def test_nul_in_parameters():
    from pinsandbox.core.body import nul_in_parameters

    assert nul_in_parameters("/v5/boards", b"page_size=5&bookmark=abc") is None
    assert "'query'" in nul_in_parameters("/v5/search/pins", b"query=a%00b")
    assert "'bad'" in nul_in_parameters("/v5/search/pins", b"ok=1&bad%00=2")
    assert "path" in nul_in_parameters("/v5/users/a\x00b/interests/follow", b"")


def test_nul_characters_are_400s_naming_where(client):
    r = client.post("/_sandbox/tokens", json={"username": "nul"})
    h = {"authorization": f"Bearer {r.json()['access_token']}", "content-type": "application/json"}
    r = client.post("/v5/boards", content=json.dumps({"name": "a\x00b"}), headers=h)
    assert r.status_code == 400 and "'name'" in r.json()["message"] and "NUL" in r.json()["message"], r.text
    r = client.get("/v5/search/pins", params={"query": "a\x00b"}, headers=h)
    assert r.status_code == 400 and "'query'" in r.json()["message"] and r.headers["x-pinterest-rid"], r.text
    r = client.get("/v5/users/a%00b/interests/follow", headers=h)
    assert r.status_code == 400 and r.json()["code"] == 1 and "path" in r.json()["message"], r.text
    r = client.post("/v5/oauth/token", content=b"grant_type=client_credentials&scope=ads%00",
                    headers={"content-type": "application/x-www-form-urlencoded", "authorization": "Basic eDp5"})
    assert r.status_code == 400 and "'scope'" in r.json()["message"], r.text
    assert client.get("/v5/boards", headers=h).json()["items"] == []

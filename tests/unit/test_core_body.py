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

"""board sections: list, create, update, delete, list Pins — through HTTP."""

import pytest

from tests.factories import ad_account, bearer, board, collect_pages, grant, pin, section, share_board, token


def test_create_list_update_delete(client):
    tok = token(client, "alice")
    b = board(client, tok)["id"]
    r = client.post(f"/v5/boards/{b}/sections", json={"name": "Salads", "id": "999"}, headers=bearer(tok))
    assert r.status_code == 201, r.text
    salads = r.json()
    assert set(salads) == {"id", "name"} and salads["id"].isdigit() and salads["id"] != "999"
    assert salads["name"] == "Salads"
    made = [salads] + [section(client, tok, b, f"Part {i}") for i in range(4)]
    got = collect_pages(client, f"/v5/boards/{b}/sections", bearer(tok), page_size=2)
    assert got == made  # oldest first
    r = client.patch(f"/v5/boards/{b}/sections/{salads['id']}", json={"name": "  Green salads "}, headers=bearer(tok))
    assert r.status_code == 200 and r.json() == {"id": salads["id"], "name": "Green salads"}
    r = client.patch(f"/v5/boards/{b}/sections/{salads['id']}", json={"name": "green SALADS"}, headers=bearer(tok))
    assert r.status_code == 200 and r.json()["name"] == "green SALADS"  # its own name is not a duplicate
    r = client.delete(f"/v5/boards/{b}/sections/{salads['id']}", headers=bearer(tok))
    assert r.status_code == 204 and r.content == b""
    assert [s["id"] for s in collect_pages(client, f"/v5/boards/{b}/sections", bearer(tok))] == \
        [s["id"] for s in made[1:]]
    r = client.delete(f"/v5/boards/{b}/sections/{salads['id']}", headers=bearer(tok))
    assert r.status_code == 404 and r.json()["code"] == 2031
    # another board's sections are its own
    other = board(client, tok)["id"]
    assert collect_pages(client, f"/v5/boards/{other}/sections", bearer(tok)) == []
    assert section(client, tok, other, "Part 0")["name"] == "Part 0"


@pytest.mark.parametrize("body, field", [
    ({}, "name"), ({"name": ""}, "name"), ({"name": "   "}, "name"), ({"name": "n" * 181}, "name"),
    ({"name": None}, "name"), ({"name": ["a"]}, "name"), ({"name": "taken"}, "name"),
])
def test_validation(client, body, field):
    tok = token(client, "alice")
    b = board(client, tok)["id"]
    keep = section(client, tok, b, "Taken")
    other = section(client, tok, b, "Other")
    r = client.post(f"/v5/boards/{b}/sections", json=body, headers=bearer(tok))
    assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], r.text
    r = client.patch(f"/v5/boards/{b}/sections/{other['id']}", json=body, headers=bearer(tok))
    assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], r.text
    assert collect_pages(client, f"/v5/boards/{b}/sections", bearer(tok)) == [keep, other]


def test_not_found(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    b = board(client, alice)["id"]
    other = board(client, alice)["id"]
    hidden = board(client, bob, privacy="PROTECTED")["id"]
    s = section(client, alice, b)
    foreign = section(client, alice, other)
    for method, suffix, kwargs in (("get", "", {}), ("post", "", {"json": {"name": "x"}})):
        for board_id in ("123456789", hidden):
            r = client.request(method, f"/v5/boards/{board_id}/sections{suffix}", headers=bearer(alice), **kwargs)
            assert r.status_code == 404 and r.json()["code"] == 40, (method, r.text)
    for method, suffix, kwargs in (("patch", "", {"json": {"name": "x"}}), ("delete", "", {}), ("get", "/pins", {})):
        for section_id in ("123456789", foreign["id"]):
            r = client.request(method, f"/v5/boards/{b}/sections/{section_id}{suffix}", headers=bearer(alice),
                               **kwargs)
            assert r.status_code == 404 and r.json()["code"] == 2031, (method, r.text)
            assert "couldn't find this board section" in r.json()["message"]
        r = client.request(method, f"/v5/boards/123456789/sections/{s['id']}{suffix}", headers=bearer(alice),
                           **kwargs)
        assert r.status_code == 404 and r.json()["code"] == 40
        for path in (f"/v5/boards/{b}/sections/1x{suffix}", f"/v5/boards/1x/sections/{s['id']}{suffix}"):
            r = client.request(method, path, headers=bearer(alice), **kwargs)
            assert r.status_code == 400 and r.json()["code"] == 1 and "_id" in r.json()["message"]


def test_who_may_change_sections(client):
    alice, bob, carol = token(client, "alice"), token(client, "bob"), token(client, "carol")
    b = board(client, alice)["id"]
    s = section(client, alice, b, "Alice's")
    # anyone may read a public board's sections; only its owner and collaborators change them
    assert collect_pages(client, f"/v5/boards/{b}/sections", bearer(carol)) == [s]
    for method, path, kwargs, text in (
            ("post", f"/v5/boards/{b}/sections", {"json": {"name": "x"}}, "Not authorized to create board sections."),
            ("patch", f"/v5/boards/{b}/sections/{s['id']}", {"json": {"name": "x"}},
             "Not authorized to update board section."),
            ("delete", f"/v5/boards/{b}/sections/{s['id']}", {}, "Not authorized to delete board section.")):
        r = client.request(method, path, headers=bearer(carol), **kwargs)
        assert r.status_code == 403 and r.json()["code"] == 29 and r.json()["message"].startswith(text)
    share_board(client, b, "bob")
    by_bob = section(client, bob, b, "Bob's")
    r = client.patch(f"/v5/boards/{b}/sections/{s['id']}", json={"name": "Renamed by Bob"}, headers=bearer(bob))
    assert r.status_code == 200
    assert client.delete(f"/v5/boards/{b}/sections/{by_bob['id']}", headers=bearer(bob)).status_code == 204
    assert collect_pages(client, f"/v5/boards/{b}/sections", bearer(alice)) == [{"id": s["id"],
                                                                                 "name": "Renamed by Bob"}]


def test_secret_boards(client):
    alice = token(client, "alice")
    secret = board(client, alice, privacy="SECRET")["id"]
    s = section(client, alice, secret, "Hidden")
    read_only_secret = token(client, "alice", scopes="boards:read,boards:write,boards:read_secret,pins:read")
    no_secret = token(client, "alice", scopes="boards:read,boards:write,pins:read")
    assert collect_pages(client, f"/v5/boards/{secret}/sections", bearer(read_only_secret)) == [s]
    r = client.get(f"/v5/boards/{secret}/sections", headers=bearer(no_secret))
    assert r.status_code == 404 and r.json()["code"] == 40
    for tok in (read_only_secret, no_secret):
        r = client.post(f"/v5/boards/{secret}/sections", json={"name": "x"}, headers=bearer(tok))
        assert r.status_code == 401 and r.json()["code"] == 3 and "boards:write_secret" in r.json()["message"]
        r = client.delete(f"/v5/boards/{secret}/sections/{s['id']}", headers=bearer(tok))
        assert r.status_code == 401 and r.json()["code"] == 3
    # Business Access: an analyst acts as the owner, but not on secret boards
    owner, analyst = token(client, "owner"), token(client, "analyst")
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "analyst", ["ANALYST"])
    public = board(client, owner)["id"]
    hidden = board(client, owner, privacy="SECRET")["id"]
    q = {"ad_account_id": acct}
    r = client.post(f"/v5/boards/{public}/sections", params=q, json={"name": "By analyst"}, headers=bearer(analyst))
    assert r.status_code == 201
    r = client.post(f"/v5/boards/{hidden}/sections", params=q, json={"name": "x"}, headers=bearer(analyst))
    assert r.status_code == 403 and r.json()["code"] == 29
    r = client.get(f"/v5/boards/{hidden}/sections", params=q, headers=bearer(analyst))
    assert r.status_code == 404 and r.json()["code"] == 40


def test_section_pins(client):
    tok = token(client, "alice")
    b = board(client, tok)["id"]
    s1, s2 = section(client, tok, b), section(client, tok, b)
    in_s1 = [pin(client, tok, b, board_section_id=s1["id"])["id"] for _ in range(5)]
    in_s2 = pin(client, tok, b, board_section_id=s2["id"])["id"]
    loose = pin(client, tok, b)["id"]
    got = collect_pages(client, f"/v5/boards/{b}/sections/{s1['id']}/pins", bearer(tok), page_size=2)
    assert [p["id"] for p in got] == sorted(in_s1, reverse=True)
    assert {p["board_section_id"] for p in got} == {s1["id"]}
    assert len(collect_pages(client, f"/v5/boards/{b}/pins", bearer(tok))) == 7
    # deleting a section deletes its Pins, not the others
    assert client.delete(f"/v5/boards/{b}/sections/{s1['id']}", headers=bearer(tok)).status_code == 204
    assert sorted(p["id"] for p in collect_pages(client, f"/v5/boards/{b}/pins", bearer(tok))) == \
        sorted([in_s2, loose])
    assert client.get(f"/v5/pins/{in_s1[0]}", headers=bearer(tok)).json()["code"] == 50
    assert client.get(f"/v5/boards/{b}", headers=bearer(tok)).json()["pin_count"] == 2


def test_auth_errors(client):
    tok = token(client, "alice")
    b = board(client, tok)["id"]
    s = section(client, tok, b)
    calls = [("get", f"/v5/boards/{b}/sections", {}), ("post", f"/v5/boards/{b}/sections", {"json": {"name": "x"}}),
             ("patch", f"/v5/boards/{b}/sections/{s['id']}", {"json": {"name": "x"}}),
             ("delete", f"/v5/boards/{b}/sections/{s['id']}", {}),
             ("get", f"/v5/boards/{b}/sections/{s['id']}/pins", {})]
    for method, path, kwargs in calls:
        r = client.request(method, path, **kwargs)
        assert r.status_code == 401 and r.json()["code"] == 2
    reader = token(client, "alice", scopes="boards:read")
    for method, path, kwargs in calls[1:]:
        r = client.request(method, path, headers=bearer(reader), **kwargs)
        assert r.status_code == 401 and r.json()["code"] == 3, (method, path)
        assert ("pins:read" if path.endswith("/pins") else "boards:write") in r.json()["message"]
    r = client.get(f"/v5/boards/{b}/sections", headers=bearer(token(client, "alice", scopes="pins:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "boards:read" in r.json()["message"]

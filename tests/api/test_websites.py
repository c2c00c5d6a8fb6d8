"""Websites: verification code, verify (claim), list, unverify — with the sandbox playing the website."""

import re

from tests.factories import bearer, collect_pages, token


def code_of(client, tok):
    r = client.get("/v5/user_account/websites/verification", headers=bearer(tok))
    assert r.status_code == 200, r.text
    return r.json()


def serve(client, **body):
    r = client.put("/_sandbox/websites", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def verify(client, tok, website, method=None):
    body = {"website": website} if method is None else {"website": website, "verification_method": method}
    return client.post("/v5/user_account/websites", json=body, headers=bearer(tok))


def test_verification_code(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    got = code_of(client, alice)
    code = got["verification_code"]
    assert set(got) == {"verification_code", "dns_txt_record", "metatag", "filename", "file_content"}
    assert re.fullmatch(r"[0-9a-f]{32}", code)
    assert got["dns_txt_record"] == f"pinterest-site-verification={code}"
    assert got["metatag"] == f'<meta name="p:domain_verify" content="{code}"/>'
    assert got["filename"] == f"pinterest-{code[:5]}.html"
    assert code in got["file_content"] and got["file_content"].startswith("<!DOCTYPE html>")
    assert code_of(client, alice) == got  # stable
    assert code_of(client, bob)["verification_code"] != code  # per user
    assert client.get("/v5/user_account/websites/verification").json()["code"] == 2
    r = client.get("/v5/user_account/websites/verification", headers=bearer(token(client, "c", scopes="ads:read")))
    assert r.status_code == 401 and r.json()["code"] == 3


def test_verify_with_meta_tag(client):
    alice = token(client, "alice")
    code = code_of(client, alice)
    serve(client, website="https://MySite.test/", meta_tag=f"<head><title>x</title>{code['metatag']}</head>")
    r = verify(client, alice, "mysite.test")  # METATAG is the default method
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["website"] == "mysite.test" and body["status"] == "success"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}", body["verified_at"])
    # verifying again: already verified by this user
    r = verify(client, alice, "http://mysite.test")
    assert r.status_code == 200 and r.json()["status"] == "already_verified_by_user"
    assert r.json()["verified_at"] == body["verified_at"]
    assert collect_pages(client, "/v5/user_account/websites", bearer(alice)) == [
        {"website": "mysite.test", "status": "verified", "verified_at": body["verified_at"]}]


def test_verify_uses_the_sandbox_clock(client):
    client.put("/_sandbox/clock", json={"now": "2025-03-04T05:06:07", "frozen": True})
    alice = token(client, "alice")
    serve(client, website="clock.test", meta_tag=code_of(client, alice)["metatag"])
    assert verify(client, alice, "clock.test").json()["verified_at"] == "2025-03-04T05:06:07.000000"


def test_meta_tag_forms(client):
    alice = token(client, "alice")
    code = code_of(client, alice)["verification_code"]
    serve(client, website="a.test", meta_tag=f"<META content='{code}' NAME='p:domain_verify'>")
    assert verify(client, alice, "a.test").json()["status"] == "success"
    other_code = "0123456789abcdef0123456789abcdef"
    serve(client, website="b.test", meta_tag=f'<meta name="p:domain_verify" content="{other_code}"/>')
    r = verify(client, alice, "b.test")
    assert r.status_code == 400 and r.json()["code"] == 1 and "0123456789abcdef" in r.json()["message"]
    serve(client, website="c.test", meta_tag="<meta name='description' content='shop'>")
    r = verify(client, alice, "c.test")
    assert r.status_code == 400 and "p:domain_verify" in r.json()["message"]


def test_verify_with_file(client):
    alice = token(client, "alice")
    got = code_of(client, alice)
    serve(client, website="shop.test/en", file={"name": got["filename"], "content": got["file_content"]})
    r = verify(client, alice, "shop.test/en/", "FILENAME")
    assert r.status_code == 200 and r.json()["website"] == "shop.test/en" and r.json()["status"] == "success"
    # wrong name, wrong content
    serve(client, website="x.test", file={"name": "pinterest-00000.html", "content": got["file_content"]})
    r = verify(client, alice, "x.test", "FILENAME")
    assert r.status_code == 400 and r.json()["code"] == 1 and got["filename"] in r.json()["message"]
    serve(client, website="y.test", file={"name": got["filename"], "content": "hello"})
    r = verify(client, alice, "y.test", "FILENAME")
    assert r.status_code == 400 and "verification code" in r.json()["message"]
    # a meta tag does not verify by file
    serve(client, website="z.test", meta_tag=got["metatag"])
    assert verify(client, alice, "z.test", "FILENAME").status_code == 400


def test_verify_with_dns(client):
    alice = token(client, "alice")
    got = code_of(client, alice)
    serve(client, website="dns.test", dns_txt=["v=spf1 -all", got["dns_txt_record"]])
    assert verify(client, alice, "dns.test", "DNSTXT").json()["status"] == "success"
    # the TXT records of the host verify a path of it, even if the path serves nothing itself
    assert verify(client, alice, "dns.test/blog", "DNSTXT").json()["status"] == "success"
    serve(client, website="nodns.test", dns_txt=["pinterest-site-verification=nope"])
    r = verify(client, alice, "nodns.test", "DNSTXT")
    assert r.status_code == 400 and r.json()["code"] == 1 and "TXT" in r.json()["message"]


def test_website_that_does_not_exist(client):
    alice = token(client, "alice")
    r = verify(client, alice, "nowhere.test")
    assert r.status_code == 400 and r.json()["code"] == 75
    assert r.json()["message"].startswith("Website is invalid or does not exist.")
    # taken down
    serve(client, website="gone.test", meta_tag=code_of(client, alice)["metatag"])
    assert client.delete("/_sandbox/websites", params={"website": "gone.test"}).status_code == 204
    assert verify(client, alice, "gone.test").json()["code"] == 75
    assert client.delete("/_sandbox/websites", params={"website": "gone.test"}).status_code == 404
    assert collect_pages(client, "/v5/user_account/websites", bearer(alice)) == []


def test_claimed_by_another_user(client):
    alice, bob = token(client, "alice"), token(client, "bob")
    serve(client, website="shared.test", meta_tag=code_of(client, alice)["metatag"] + code_of(client, bob)["metatag"])
    assert verify(client, alice, "shared.test").status_code == 200
    r = verify(client, bob, "shared.test")
    assert r.status_code == 409 and r.json()["code"] == 71 and "claimed by another user" in r.json()["message"]
    # another path of the same host is another website
    serve(client, website="shared.test/bob", meta_tag=code_of(client, bob)["metatag"])
    assert verify(client, bob, "shared.test/bob").status_code == 200
    # once alice unverifies, bob may claim it
    assert client.delete("/v5/user_account/websites", params={"website": "shared.test"},
                         headers=bearer(alice)).status_code == 204
    assert verify(client, bob, "shared.test").json()["status"] == "success"


def test_verify_validation(client):
    alice = token(client, "alice")
    for body, field in (({}, "website"), ({"website": 5}, "website"), ({"website": "  "}, "website"),
                        ({"website": "ftp://site.test"}, "website"), ({"website": "localhost"}, "website"),
                        ({"website": "site.test:8080"}, "website"), ({"website": "site.test/?q=1"}, "website"),
                        ({"website": "a b.test"}, "website"),
                        ({"website": "site.test", "verification_method": "EMAIL"}, "verification_method")):
        r = client.post("/v5/user_account/websites", json=body, headers=bearer(alice))
        assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], (body, r.text)
    r = client.post("/v5/user_account/websites", json={"website": "site.test"})
    assert r.status_code == 401 and r.json()["code"] == 2
    r = verify(client, token(client, "alice", scopes="user_accounts:read"), "site.test")
    assert r.status_code == 401 and r.json()["code"] == 3 and "user_accounts:write" in r.json()["message"]


def test_list_and_unverify(client):
    alice = token(client, "alice")
    meta = code_of(client, alice)["metatag"]
    sites = [f"site{i}.test" for i in range(5)]
    for s in sites:
        serve(client, website=s, meta_tag=meta)
        assert verify(client, alice, s).status_code == 200
    got = collect_pages(client, "/v5/user_account/websites", bearer(alice), page_size=2)
    assert [w["website"] for w in got] == list(reversed(sites))
    assert all(w["status"] == "verified" and "verified_at" in w for w in got)
    r = client.delete("/v5/user_account/websites", params={"website": "https://site2.test/"}, headers=bearer(alice))
    assert r.status_code == 204 and r.content == b""
    listed = {w["website"]: w for w in collect_pages(client, "/v5/user_account/websites", bearer(alice))}
    assert listed["site2.test"] == {"website": "site2.test", "status": "unverified"}  # claimed or not
    # unverify again, or a website never verified: 404
    for site in ("site2.test", "other.test"):
        r = client.delete("/v5/user_account/websites", params={"website": site}, headers=bearer(alice))
        assert r.status_code == 404 and r.json()["message"].startswith("Website not in user list.")
    # verify again
    assert verify(client, alice, "site2.test").json()["status"] == "success"
    # someone else's websites are not in my list
    assert collect_pages(client, "/v5/user_account/websites", bearer(token(client, "bob"))) == []


def test_unverify_and_list_errors(client):
    alice = token(client, "alice")
    r = client.delete("/v5/user_account/websites", headers=bearer(alice))
    assert r.status_code == 400 and r.json()["code"] == 1 and "website" in r.json()["message"]
    r = client.delete("/v5/user_account/websites", params={"website": "bad host"}, headers=bearer(alice))
    assert r.status_code == 400 and r.json()["code"] == 1 and "website" in r.json()["message"]
    assert client.delete("/v5/user_account/websites", params={"website": "a.test"}).json()["code"] == 2
    r = client.delete("/v5/user_account/websites", params={"website": "a.test"},
                      headers=bearer(token(client, "alice", scopes="user_accounts:read")))
    assert r.status_code == 401 and r.json()["code"] == 3
    r = client.get("/v5/user_account/websites", params={"page_size": 0}, headers=bearer(alice))
    assert r.status_code == 400 and "page_size" in r.json()["message"]
    assert client.get("/v5/user_account/websites").json()["code"] == 2
    r = client.get("/v5/user_account/websites", headers=bearer(token(client, "alice", scopes="ads:read")))
    assert r.status_code == 401 and r.json()["code"] == 3


def test_sandbox_website_validation(client):
    for body in ({"website": "no host"}, {"website": "x.test", "unknown": 1}, {"meta_tag": "x"},
                 {"website": "x.test", "file": {"name": ""}}):
        r = client.put("/_sandbox/websites", json=body)
        assert r.status_code == 400 and r.json()["code"] == 1, (body, r.text)
    got = serve(client, website="HTTPS://Ex.Test/Path/", dns_txt=[" a "])
    assert got == {"website": "ex.test/Path", "meta_tag": None, "file": None, "dns_txt": ["a"]}

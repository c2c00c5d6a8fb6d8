"""terms: related and suggested terms; terms_of_service — through HTTP."""

from tests.factories import ad_account, ad_group, bearer, board, campaign, grant, pin, token


# -- related ----------------------------------------------------------------------------------------------
def test_related_terms(client):
    tok = token(client, "alice")
    r = client.get("/v5/terms/related", params={"terms": "workout"}, headers=bearer(tok))
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"id", "related_term_count", "related_terms_list"}
    assert body["id"] == "workout"
    (entry,) = body["related_terms_list"]
    assert entry["term"] == "workout"
    related = entry["related_terms"]
    assert {"one song workout", "yoga workout", "workout motivation"} <= set(related)
    assert "workout" not in related and len(related) == len(set(related)) <= 20
    assert body["related_term_count"] == len(related)
    # deterministic
    again = client.get("/v5/terms/related", params={"terms": "workout"}, headers=bearer(tok)).json()
    assert again == body


def test_related_terms_several_and_comma_separated(client):
    tok = token(client, "alice")
    a = client.get("/v5/terms/related", params={"terms": "Clothes, workout"}, headers=bearer(tok)).json()
    b = client.get("/v5/terms/related", params=[("terms", "clothes"), ("terms", "workout")], headers=bearer(tok)).json()
    assert a == b
    assert a["id"] == "clothes" and [x["term"] for x in a["related_terms_list"]] == ["clothes", "workout"]
    clothes = a["related_terms_list"][0]["related_terms"]
    assert {"shoes", "cute clothes"} <= set(clothes)
    assert a["related_term_count"] == sum(len(x["related_terms"]) for x in a["related_terms_list"])
    # an unknown term has no related terms
    r = client.get("/v5/terms/related", params={"terms": "qwxzv"}, headers=bearer(tok)).json()
    assert r["related_terms_list"] == [{"term": "qwxzv", "related_terms": []}] and r["related_term_count"] == 0


def test_related_terms_learn_from_content(client):
    tok = token(client, "alice")
    b = board(client, tok, name="Kayak trips")
    pin(client, tok, b["id"], title="Kayak camping checklist")
    got = client.get("/v5/terms/related", params={"terms": "kayak"}, headers=bearer(tok)).json()
    related = got["related_terms_list"][0]["related_terms"]
    assert {"kayak trips", "kayak camping checklist"} <= set(related)
    # "kayak camping checklist" holds "camping" (Travel): it is related to Travel's phrases too
    travel = client.get("/v5/terms/related", params={"terms": "kayak camping checklist"}, headers=bearer(tok)).json()
    assert "travel" in travel["related_terms_list"][0]["related_terms"]
    # secret boards are not content anyone searches
    board(client, tok, name="Zorbing secret", privacy="SECRET")
    r = client.get("/v5/terms/related", params={"terms": "zorbing"}, headers=bearer(tok)).json()
    assert r["related_terms_list"][0]["related_terms"] == []


def test_related_terms_errors(client):
    tok = token(client, "alice")
    for params in ({}, {"terms": ""}, {"terms": " , "}, {"terms": "x" * 101}, {"terms": ",".join(["a"] * 51)}):
        r = client.get("/v5/terms/related", params=params, headers=bearer(tok))
        assert r.status_code == 400 and r.json()["code"] == 1 and "terms" in r.json()["message"], (params, r.text)
    assert client.get("/v5/terms/related", params={"terms": "x"}).json()["code"] == 2
    r = client.get("/v5/terms/related", params={"terms": "x"}, headers=bearer(token(client, "a", scopes="pins:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "ads:read" in r.json()["message"]


# -- suggested --------------------------------------------------------------------------------------------
def test_suggested_terms(client):
    tok = token(client, "alice")
    r = client.get("/v5/terms/suggested", params={"term": "sport"}, headers=bearer(tok))
    assert r.status_code == 200, r.text
    got = r.json()
    assert isinstance(got, list) and len(got) == 4  # the default limit
    assert all(t.startswith("sport") and t != "sport" for t in got)
    ten = client.get("/v5/terms/suggested", params={"term": "Sport", "limit": 10}, headers=bearer(tok)).json()
    assert ten[:4] == got and len(ten) == 10
    assert {"sports bar", "sportswear"} <= set(ten) and "motor sports" not in ten
    one = client.get("/v5/terms/suggested", params={"term": "sport", "limit": 1}, headers=bearer(tok)).json()
    assert one == got[:1]
    assert client.get("/v5/terms/suggested", params={"term": "qwxzv"}, headers=bearer(tok)).json() == []


def test_suggested_terms_learn_from_content(client):
    tok = token(client, "alice")
    assert client.get("/v5/terms/suggested", params={"term": "zebrawood"}, headers=bearer(tok)).json() == []
    b = board(client, tok, name="Zebrawood furniture")
    pin(client, tok, b["id"], title="Zebrawood coffee table", description="zebrawoods are striped")
    got = client.get("/v5/terms/suggested", params={"term": "zebrawood", "limit": 10}, headers=bearer(tok)).json()
    assert set(got) == {"zebrawood furniture", "zebrawood coffee table", "zebrawoods"}
    # advertisers' keywords count too
    acct = ad_account(client, tok)["id"]
    camp = campaign(client, tok, acct)
    group = ad_group(client, tok, acct, camp["id"])
    r = client.post(f"/v5/ad_accounts/{acct}/keywords", json={"parent_id": group["id"], "keywords": [
        {"match_type": "BROAD", "value": "Zebrawood guitar"}]}, headers=bearer(tok))
    assert r.status_code == 200, r.text
    got = client.get("/v5/terms/suggested", params={"term": "zebrawood g"}, headers=bearer(tok)).json()
    assert got == ["zebrawood guitar"]


def test_suggested_terms_errors(client):
    tok = token(client, "alice")
    for params, field in (({}, "term"), ({"term": "  "}, "term"), ({"term": "x" * 101}, "term"),
                          ({"term": "a", "limit": 0}, "limit"), ({"term": "a", "limit": 11}, "limit"),
                          ({"term": "a", "limit": "4.5"}, "limit")):
        r = client.get("/v5/terms/suggested", params=params, headers=bearer(tok))
        assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], (params, r.text)
    assert client.get("/v5/terms/suggested", params={"term": "a"}).json()["code"] == 2
    r = client.get("/v5/terms/suggested", params={"term": "a"}, headers=bearer(token(client, "a", scopes="pins:read")))
    assert r.status_code == 401 and r.json()["code"] == 3


# -- terms of service -------------------------------------------------------------------------------------
def test_terms_of_service(client):
    tok = token(client, "alice")
    acct = ad_account(client, tok)["id"]
    r = client.get(f"/v5/ad_accounts/{acct}/terms_of_service", headers=bearer(tok))
    assert r.status_code == 200, r.text
    tos = r.json()
    assert set(tos) == {"id", "html", "has_accepted", "ad_account_id"}
    assert tos["ad_account_id"] == acct and tos["has_accepted"] is True and tos["id"].isdigit()
    assert "<" not in tos["html"] and "advertising terms" in tos["html"]  # plain text by default
    html = client.get(f"/v5/ad_accounts/{acct}/terms_of_service", params={"include_html": "true"},
                      headers=bearer(tok)).json()
    assert html["html"].startswith("<h1>") and html["id"] == tos["id"]
    lead = client.get(f"/v5/ad_accounts/{acct}/terms_of_service", params={"tos_type": "lead_ads"},
                      headers=bearer(tok)).json()
    assert lead["has_accepted"] is False and lead["id"] != tos["id"]
    # the advertiser accepts the lead ads terms (Ads Manager), and withdraws the advertising terms
    r = client.put(f"/_sandbox/ad_accounts/{acct}/terms_of_service", json={"tos_type": "LEAD_ADS", "accepted": True})
    assert r.status_code == 200 and r.json()["has_accepted"] is True
    client.put(f"/_sandbox/ad_accounts/{acct}/terms_of_service", json={"accepted": False})
    assert client.get(f"/v5/ad_accounts/{acct}/terms_of_service", params={"tos_type": "LEAD_ADS"},
                      headers=bearer(tok)).json()["has_accepted"] is True
    assert client.get(f"/v5/ad_accounts/{acct}/terms_of_service", headers=bearer(tok)).json()["has_accepted"] is False
    # per ad account
    other = ad_account(client, tok)["id"]
    assert client.get(f"/v5/ad_accounts/{other}/terms_of_service", headers=bearer(tok)).json()["has_accepted"] is True


def test_terms_of_service_access_and_errors(client):
    owner, analyst, finance = token(client, "owner"), token(client, "analyst"), token(client, "finance")
    acct = ad_account(client, owner)["id"]
    grant(client, acct, "analyst", ["ANALYST"])
    grant(client, acct, "finance", ["FINANCE_MANAGER"])
    url = f"/v5/ad_accounts/{acct}/terms_of_service"
    assert client.get(url, headers=bearer(analyst)).status_code == 200
    r = client.get(url, headers=bearer(finance))
    assert r.status_code == 403 and r.json()["code"] == 29
    r = client.get("/v5/ad_accounts/123/terms_of_service", headers=bearer(owner))
    assert r.status_code == 404 and r.json()["code"] == 2
    for params, field in (({"tos_type": "EULA"}, "tos_type"), ({"include_html": "perhaps"}, "include_html")):
        r = client.get(url, params=params, headers=bearer(owner))
        assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], (params, r.text)
    r = client.get("/v5/ad_accounts/12x/terms_of_service", headers=bearer(owner))
    assert r.status_code in (400, 404) and r.json()["code"] in (1, 404)
    assert client.get(url).json()["code"] == 2
    r = client.get(url, headers=bearer(token(client, "owner", scopes="pins:read")))
    assert r.status_code == 401 and r.json()["code"] == 3
    # the sandbox control
    r = client.put("/_sandbox/ad_accounts/999/terms_of_service", json={"accepted": True})
    assert r.status_code == 404 and r.json()["code"] == 2
    r = client.put(f"/_sandbox/ad_accounts/{acct}/terms_of_service", json={"tos_type": "EULA", "accepted": True})
    assert r.status_code == 400 and "tos_type" in r.json()["message"]
    r = client.put(f"/_sandbox/ad_accounts/{acct}/terms_of_service", json={})
    assert r.status_code == 400 and "accepted" in r.json()["message"]


def test_related_and_suggested_terms_do_not_depend_on_the_hash_seed():
    """The answers are the same in every process: interests are sets, and ties among them were once broken
    by set order (PYTHONHASHSEED), so two runs of one sandbox could relate a term to other terms."""
    import json
    import subprocess
    import sys

    script = (
        "import json\n"
        "from pinsandbox.organic.terms import service as s\n"
        "v = s._build(((), (), ()))\n"
        # 'events experiments' took its interests from a tie among sets before (differed by hash seed)
        "terms = sorted(v.popularity)[::7] + ['events experiments', 'garden shed', 'blue velvet sofa', 'zzz']\n"
        "print(json.dumps([[t, s.related(v, t), s.suggested(v, t, limit=10)] for t in terms]))\n")
    outs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")]
    assert json.loads(outs[0]) and outs[0] == outs[1] == outs[2]

"""DELETE /v5/ad_accounts/{ad_account_id}/sandbox — through HTTP."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from tests.factories import ad_account, bearer, grant, token
from tests.simdata import T0, advertiser

EM = "a" * 64  # a sha256-looking hashed email


def test_owner_deletes_the_account_and_all_its_ads_data(client):
    adv = advertiser(client, username="alice")
    camp = adv.campaign()
    group = adv.ad_group(camp)
    ad = adv.ad(group)
    adv.keywords(group, "hammer")
    tag = client.post(f"/v5/ad_accounts/{adv.id}/conversion_tags", json={"name": "t"}, headers=adv.h)
    assert tag.status_code == 200, tag.text
    event = {"event_name": "checkout", "action_source": "web", "event_time": int(T0.timestamp()) - 60,
             "event_id": "e1", "user_data": {"em": [EM]}}
    r = client.post(f"/v5/ad_accounts/{adv.id}/events", json={"data": [event]}, headers=adv.h)
    assert r.status_code == 200, r.text
    conv = client.post(f"/_sandbox/ad_accounts/{adv.id}/conversion_token").json()["access_token"]
    token(client, "bob")
    grant(client, adv.id, "bob", ["ANALYST"])
    rid = client.post(f"/v5/ad_accounts/{adv.id}/bulk/download", json={}, headers=adv.h).json()["request_id"]
    kept = ad_account(client, adv.token, name="Kept")["id"]
    kept_campaign = client.post(f"/v5/ad_accounts/{kept}/campaigns", headers=adv.h, json=[
        {"ad_account_id": kept, "name": "Stays", "objective_type": "AWARENESS"}]).json()["items"][0]["data"]

    r = client.delete(f"/v5/ad_accounts/{adv.id}/sandbox", headers=adv.h)
    assert r.status_code == 200, r.text
    assert r.json() == "Delete Success"

    for path in ("", "/campaigns", f"/campaigns/{camp['id']}", f"/ad_groups/{group['id']}", f"/ads/{ad['id']}",
                 "/keywords", "/conversion_tags", f"/bulk/{rid}"):
        r = client.get(f"/v5/ad_accounts/{adv.id}{path}", headers=adv.h)
        assert r.status_code == 404 and r.json()["code"] == 2, (path, r.text)
    listed = client.get("/v5/ad_accounts", headers=adv.h).json()["items"]
    assert [a["id"] for a in listed] == [kept]
    bob_sees = client.get("/v5/ad_accounts", headers=bearer(token(client, "bob"))).json()["items"]
    assert bob_sees == []
    r = client.post(f"/v5/ad_accounts/{adv.id}/events", json={"data": [event]}, headers=bearer(conv))
    assert r.status_code == 401 and r.json()["code"] == 2  # the account's conversion token went with it
    # the user's other account, and the organic content (boards, pins), stay
    r = client.get(f"/v5/ad_accounts/{kept}/campaigns/{kept_campaign['id']}", headers=adv.h)
    assert r.status_code == 200 and r.json()["name"] == "Stays"
    assert client.get(f"/v5/boards/{adv.board['id']}", headers=adv.h).status_code == 200
    # deleting again: the account is gone
    r = client.delete(f"/v5/ad_accounts/{adv.id}/sandbox", headers=adv.h)
    assert r.status_code == 404 and r.json()["code"] == 2
    # the job runner has nothing left to do for it
    assert client.post("/_sandbox/jobs/run").status_code == 200


@pytest.mark.skipif(bool(os.environ.get("PINSANDBOX_TEST_URL")), reason="counts fact rows in the in-process store")
def test_the_accounts_facts_are_deleted_and_the_others_stay(client, store):
    gone = advertiser(client, username="alice")
    stays = advertiser(client, username="bob")
    ads = {a.id: a.ad(a.ad_group(a.campaign()))["id"] for a in (gone, stays)}
    day = (T0 - dt.timedelta(days=1)).date().isoformat()

    def delivery(adv, hours):
        return [{"hour": f"{day}T{h:02d}:00:00Z", "ad_id": ads[adv.id], "impression_1": 100 + h,
                 "clickthrough_1": 3, "spend_micro": 1_000_000 * h} for h in hours]

    def conversion(adv):
        return {"ad_id": ads[adv.id], "action_type": "CLICK", "action_time": f"{day}T05:00:00Z",
                "conversion_time": f"{day}T07:00:00Z", "event_type": "CHECKOUT", "value_micro": 9_000_000}

    for table, rows in (("delivery", delivery(gone, (1, 2, 3)) + delivery(stays, (4, 5))),
                        ("conversions", [conversion(gone), conversion(stays)])):
        r = client.post("/_sandbox/facts", json={"table": table, "rows": rows})
        assert r.status_code == 200, r.text

    def counts(adv):
        return tuple(store.facts.fetch(f"SELECT count(*) FROM {table} WHERE ad_account_id = ?", [int(adv.id)])[0][0]
                     for table in ("delivery", "conversions"))

    assert (counts(gone), counts(stays)) == ((3, 1), (2, 1))
    params = {"start_date": day, "end_date": day, "columns": "SPEND_IN_MICRO_DOLLAR,IMPRESSION_1",
              "granularity": "DAY"}
    before = client.get(f"/v5/ad_accounts/{stays.id}/analytics", params=params, headers=stays.h)
    assert before.status_code == 200 and before.json(), before.text

    r = client.delete(f"/v5/ad_accounts/{gone.id}/sandbox", headers=gone.h)
    assert r.status_code == 200, r.text
    assert (counts(gone), counts(stays)) == ((0, 0), (2, 1))
    after = client.get(f"/v5/ad_accounts/{stays.id}/analytics", params=params, headers=stays.h)
    assert after.json() == before.json()


def test_auth_roles_and_bad_ids(client):
    tok = token(client, "alice")
    acct = ad_account(client, tok)["id"]
    url = f"/v5/ad_accounts/{acct}/sandbox"
    r = client.delete(url)
    assert r.status_code == 401 and r.json()["code"] == 2
    r = client.delete(url, headers=bearer(token(client, "alice", scopes="ads:read")))
    assert r.status_code == 401 and r.json()["code"] == 3 and "ads:write" in r.json()["message"]
    bob = bearer(token(client, "bob"))
    r = client.delete(url, headers=bob)
    assert r.status_code == 403 and r.json()["code"] == 29
    for role in ("ADMIN", "CAMPAIGN_MANAGER", "ANALYST"):  # only the owner deletes the account
        grant(client, acct, "bob", [role])
        r = client.delete(url, headers=bob)
        assert r.status_code == 403 and r.json()["code"] == 29 and "owner" in r.json()["message"], r.text
    assert client.get(f"/v5/ad_accounts/{acct}", headers=bearer(tok)).status_code == 200
    r = client.delete("/v5/ad_accounts/999999/sandbox", headers=bearer(tok))
    assert r.status_code == 404 and r.json()["code"] == 2
    r = client.delete("/v5/ad_accounts/12x/sandbox", headers=bearer(tok))
    assert r.status_code == 400 and r.json()["code"] == 1 and "ad_account_id" in r.json()["message"]
    r = client.delete(f"/v5/ad_accounts/{'9' * 19}/sandbox", headers=bearer(tok))
    assert r.status_code == 400 and r.json()["code"] == 1

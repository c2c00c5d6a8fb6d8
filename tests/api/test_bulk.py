"""bulk download, bulk upsert and bulk request status — through HTTP, jobs finished with
POST /_sandbox/jobs/run."""

from __future__ import annotations

import csv
import io
import json
import os

import pytest

from tests.factories import ad_account, ad_group, bearer, board, campaign, grant, pin, token

TYPES = ("CAMPAIGN", "AD_GROUP", "PRODUCT_GROUP", "AD", "KEYWORD")
FILE_KEYS = {"CAMPAIGN": "campaigns", "AD_GROUP": "ad_groups", "PRODUCT_GROUP": "product_groups", "AD": "ads",
             "KEYWORD": "keywords"}


# -- helpers ---------------------------------------------------------------------------------------
def run_jobs(client) -> None:
    r = client.post("/_sandbox/jobs/run")
    assert r.status_code == 200, r.text


def make_ad(client, s, group_id: str, **fields) -> dict:
    p = pin(client, s["tok"], s["board"])
    body = {"ad_group_id": group_id, "creative_type": "REGULAR", "pin_id": p["id"], "name": "An ad", **fields}
    r = client.post(f"/v5/ad_accounts/{s['acct']}/ads", json=[body], headers=s["h"])
    assert r.status_code == 200, r.text
    item = r.json()["items"][0]
    assert "exceptions" not in item, r.text
    return item["data"]


def make_keywords(client, s, parent_id: str, *keywords: dict) -> list[dict]:
    r = client.post(f"/v5/ad_accounts/{s['acct']}/keywords", json={"parent_id": parent_id, "keywords": list(keywords)},
                    headers=s["h"])
    assert r.status_code == 200 and r.json()["errors"] == [], r.text
    return r.json()["keywords"]


def submit(client, s, what: str, body, *, acct: str | None = None, headers=None) -> str:
    r = client.post(f"/v5/ad_accounts/{acct or s['acct']}/bulk/{what}", json=body, headers=headers or s["h"])
    assert r.status_code == 200, r.text
    assert set(r.json()) == {"request_id"} and r.json()["request_id"]
    return r.json()["request_id"]


def status(client, s, request_id: str, *, acct: str | None = None, **params) -> dict:
    r = client.get(f"/v5/ad_accounts/{acct or s['acct']}/bulk/{request_id}", params=params, headers=s["h"])
    assert r.status_code == 200, r.text
    return r.json()


def finished(client, s, request_id: str, **params) -> dict:
    run_jobs(client)
    body = status(client, s, request_id, **params)
    assert body["status"] == "SUCCEEDED", body
    assert body["result_url"].startswith("http"), body
    return body


def fetch(client, url: str) -> str:
    r = client.get(url)  # a signed link: no Authorization header
    assert r.status_code == 200, r.text
    return r.text


def download(client, s, body: dict | None = None) -> dict:
    rid = submit(client, s, "download", body or {})
    return json.loads(fetch(client, finished(client, s, rid)["result_url"]))


def download_csv(client, s, body: dict) -> list[dict]:
    rid = submit(client, s, "download", {**body, "output_format": "CSV"})
    text = fetch(client, finished(client, s, rid)["result_url"])
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    return [dict(zip(header, r)) for r in rows[1:]], header


def upsert(client, s, body: dict) -> tuple[str, dict]:
    rid = submit(client, s, "upsert", body)
    result = json.loads(fetch(client, finished(client, s, rid)["result_url"]))
    assert result["request_id"] == rid
    return rid, result


def get(client, s, path: str) -> dict:
    r = client.get(f"/v5/ad_accounts/{s['acct']}/{path}", headers=s["h"])
    assert r.status_code == 200, r.text
    return r.json()


def ids(items) -> list[str]:
    return [i["id"] for i in items]


def bad_request(r, field: str) -> str:
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["code"] == 1 and field in body["message"], body
    return body["message"]


@pytest.fixture
def s(client):
    """alice's account: campaign c1 (CONSIDERATION, ACTIVE) with ad group g1 (ad a1, keywords k1/k2, a
    campaign-level negative keyword), campaign c2 (AWARENESS, PAUSED) with ad group g2 (ad a2), and a
    negative keyword of the ad account itself."""
    tok = token(client, "alice")
    h = bearer(tok)
    acct = ad_account(client, tok)["id"]
    out = {"tok": tok, "h": h, "acct": acct, "board": board(client, tok)["id"]}
    c1 = campaign(client, tok, acct, name="Spring Tools")
    c2 = campaign(client, tok, acct, name="Winter boots", objective_type="AWARENESS", status="PAUSED")
    g1 = ad_group(client, tok, acct, c1["id"])
    g2 = ad_group(client, tok, acct, c2["id"])
    a1 = make_ad(client, out, g1["id"])
    a2 = make_ad(client, out, g2["id"])
    k1, k2 = make_keywords(client, out, g1["id"], {"value": "hammer", "match_type": "BROAD"},
                           {"value": "drill", "match_type": "EXACT"})
    [kc] = make_keywords(client, out, "C" + c1["id"], {"value": "toy", "match_type": "EXACT_NEGATIVE"})
    [ka] = make_keywords(client, out, acct, {"value": "free", "match_type": "PHRASE_NEGATIVE"})
    out.update(c1=c1["id"], c2=c2["id"], g1=g1["id"], g2=g2["id"], a1=a1["id"], a2=a2["id"], k1=k1["id"],
               k2=k2["id"], kc=kc["id"], ka=ka["id"])
    return out


# -- download --------------------------------------------------------------------------------------
def test_download_everything_renders_entities_as_their_get_endpoints(client, s):
    rid = submit(client, s, "download", {})
    assert status(client, s, rid) == {"status": "RUNNING"}  # queued until the runner takes it
    body = finished(client, s, rid)
    assert set(body) == {"status", "result_url"}
    data = json.loads(fetch(client, body["result_url"]))
    assert list(data) == ["campaigns", "ad_groups", "product_groups", "ads", "keywords"]
    assert ids(data["campaigns"]) == sorted([s["c1"], s["c2"]])
    assert data["campaigns"][0] == get(client, s, f"campaigns/{data['campaigns'][0]['id']}")
    assert ids(data["ad_groups"]) == sorted([s["g1"], s["g2"]])
    assert data["ad_groups"][0] == get(client, s, f"ad_groups/{data['ad_groups'][0]['id']}")
    assert ids(data["ads"]) == sorted([s["a1"], s["a2"]])
    assert data["ads"][1] == get(client, s, f"ads/{data['ads'][1]['id']}")
    assert data["product_groups"] == []
    assert sorted(ids(data["keywords"])) == sorted([s["k1"], s["k2"], s["kc"], s["ka"]])
    listed = client.get(f"/v5/ad_accounts/{s['acct']}/keywords", params={"ad_group_id": s["g1"]}, headers=s["h"])
    assert [k for k in data["keywords"] if k["parent_id"] == s["g1"]] == listed.json()["items"]


@pytest.mark.parametrize("entity_type", TYPES)
def test_download_one_entity_type_json(client, s, entity_type):
    data = download(client, s, {"entity_types": [entity_type], "output_format": "JSON"})
    assert list(data) == [FILE_KEYS[entity_type]]
    expected = {"CAMPAIGN": [s["c1"], s["c2"]], "AD_GROUP": [s["g1"], s["g2"]], "PRODUCT_GROUP": [],
                "AD": [s["a1"], s["a2"]], "KEYWORD": [s["k1"], s["k2"], s["kc"], s["ka"]]}[entity_type]
    assert sorted(ids(data[FILE_KEYS[entity_type]])) == sorted(expected)


@pytest.mark.parametrize("entity_type", TYPES)
def test_download_one_entity_type_csv(client, s, entity_type):
    rows, header = download_csv(client, s, {"entity_types": [entity_type]})
    assert header[0] == "entity_type"
    expected = {"CAMPAIGN": [s["c1"], s["c2"]], "AD_GROUP": [s["g1"], s["g2"]], "PRODUCT_GROUP": [],
                "AD": [s["a1"], s["a2"]], "KEYWORD": [s["k1"], s["k2"], s["kc"], s["ka"]]}[entity_type]
    assert sorted(r["id"] for r in rows) == sorted(expected)
    assert {r["entity_type"] for r in rows} <= {entity_type}
    if entity_type != "PRODUCT_GROUP":
        assert header[1] == "id"


def test_download_csv_layout_mixes_types_with_empty_cells_and_json_values(client, s):
    rows, header = download_csv(client, s, {"entity_types": ["CAMPAIGN", "AD_GROUP", "KEYWORD"]})
    assert header[:3] == ["entity_type", "id", "ad_account_id"]
    assert len(header) == len(set(header))
    assert "targeting_spec" in header and "match_type" in header and "objective_type" in header
    assert [r["entity_type"] for r in rows] == ["CAMPAIGN"] * 2 + ["AD_GROUP"] * 2 + ["KEYWORD"] * 4
    c1 = next(r for r in rows if r["id"] == s["c1"])
    live = get(client, s, f"campaigns/{s['c1']}")
    assert c1["name"] == "Spring Tools" and c1["objective_type"] == "CONSIDERATION" and c1["status"] == "ACTIVE"
    assert c1["is_campaign_budget_optimization"] == "false" and c1["daily_spend_cap"] == ""
    assert c1["created_time"] == str(live["created_time"])
    assert c1["match_type"] == "" and c1["targeting_spec"] == ""  # fields of other types stay empty
    g1 = next(r for r in rows if r["id"] == s["g1"])
    assert json.loads(g1["targeting_spec"]) == get(client, s, f"ad_groups/{s['g1']}")["targeting_spec"]
    assert g1["campaign_id"] == s["c1"]
    k1 = next(r for r in rows if r["id"] == s["k1"])
    assert (k1["value"], k1["match_type"], k1["archived"], k1["parent_id"]) == ("hammer", "BROAD", "false", s["g1"])


def test_download_entity_ids_bring_children_and_grandchildren(client, s):
    everything = {"entity_types": list(TYPES)}
    data = download(client, s, {**everything, "entity_ids": [s["c1"]]})
    assert ids(data["campaigns"]) == [s["c1"]] and ids(data["ad_groups"]) == [s["g1"]]
    assert ids(data["ads"]) == [s["a1"]]
    assert sorted(ids(data["keywords"])) == sorted([s["k1"], s["k2"], s["kc"]])  # not the account's own

    data = download(client, s, {**everything, "entity_ids": [s["g2"]]})  # parents are not added
    assert (data["campaigns"], ids(data["ad_groups"]), ids(data["ads"]), data["keywords"]) == \
        ([], [s["g2"]], [s["a2"]], [])
    data = download(client, s, {**everything, "entity_ids": [s["a1"], s["k2"]]})
    assert ids(data["ads"]) == [s["a1"]] and ids(data["keywords"]) == [s["k2"]] and data["ad_groups"] == []
    data = download(client, s, {**everything, "entity_ids": [s["acct"]]})  # the account: everything
    assert len(data["keywords"]) == 4 and len(data["campaigns"]) == 2
    data = download(client, s, {"entity_types": ["AD"], "entity_ids": [s["c2"], s["g1"]]})
    assert sorted(ids(data["ads"])) == sorted([s["a1"], s["a2"]])
    data = download(client, s, {"entity_types": ["AD"], "entity_ids": []})  # an empty list filters nothing
    assert sorted(ids(data["ads"])) == sorted([s["a1"], s["a2"]])


def test_download_campaign_filter(client, s):
    def campaigns_for(flt, types=("CAMPAIGN",)):
        return download(client, s, {"entity_types": list(types), "campaign_filter": flt})

    assert ids(campaigns_for({"name": "spring"})["campaigns"]) == [s["c1"]]  # case-insensitive substring
    assert campaigns_for({"name": "summer"})["campaigns"] == []
    assert ids(campaigns_for({"campaign_status": ["PAUSED"]})["campaigns"]) == [s["c2"]]
    assert ids(campaigns_for({"campaign_status": ["RUNNING", "PAUSED"]})["campaigns"]) == sorted([s["c1"], s["c2"]])
    assert ids(campaigns_for({"objective_type": ["AWARENESS"]})["campaigns"]) == [s["c2"]]
    assert campaigns_for({"objective_type": ["AWARENESS"], "name": "spring"})["campaigns"] == []
    # children follow their campaigns; the ad account's own keywords belong to none
    data = campaigns_for({"objective_type": ["CONSIDERATION"]}, TYPES)
    assert ids(data["campaigns"]) == [s["c1"]] and ids(data["ad_groups"]) == [s["g1"]]
    assert ids(data["ads"]) == [s["a1"]] and sorted(ids(data["keywords"])) == sorted([s["k1"], s["k2"], s["kc"]])
    # time window: campaigns without dates run from their creation, open-ended
    created = get(client, s, f"campaigns/{s['c1']}")["created_time"]
    assert len(campaigns_for({"start_time": str(created - 10)})["campaigns"]) == 2
    assert campaigns_for({"end_time": str(created - 86_400)})["campaigns"] == []
    window = {"start_time": str(created - 86_400), "end_time": str(created + 86_400)}
    assert len(campaigns_for(window)["campaigns"]) == 2


def test_download_campaign_filter_window_uses_campaign_dates(client, s):
    now = get(client, s, f"campaigns/{s['c1']}")["created_time"]
    c3 = campaign(client, s["tok"], s["acct"], name="Dated", is_campaign_budget_optimization=True,
                  objective_type="AWARENESS", lifetime_spend_cap=100_000_000, start_time=now + 10 * 86_400,
                  end_time=now + 20 * 86_400)
    window = {"start_time": str(now + 12 * 86_400), "end_time": str(now + 13 * 86_400)}
    got = ids(download(client, s, {"entity_types": ["CAMPAIGN"], "campaign_filter": window})["campaigns"])
    assert got == sorted([s["c1"], s["c2"], c3["id"]])  # the open-ended ones run then too
    after = {"start_time": str(now + 21 * 86_400)}
    got = ids(download(client, s, {"entity_types": ["CAMPAIGN"], "campaign_filter": after})["campaigns"])
    assert c3["id"] not in got
    before = {"end_time": str(now + 5 * 86_400)}
    got = ids(download(client, s, {"entity_types": ["CAMPAIGN"], "campaign_filter": before})["campaigns"])
    assert got == sorted([s["c1"], s["c2"]])
    not_started = {"campaign_status": ["NOT_STARTED"]}
    assert ids(download(client, s, {"entity_types": ["CAMPAIGN"], "campaign_filter": not_started})["campaigns"]) \
        == [c3["id"]]


def test_download_updated_since(client, s):
    before = get(client, s, f"campaigns/{s['c2']}")["updated_time"]
    client.put("/_sandbox/clock", json={"advance_seconds": 3600})
    r = client.patch(f"/v5/ad_accounts/{s['acct']}/campaigns",
                     json=[{"id": s["c2"], "ad_account_id": s["acct"], "name": "Winter boots 2"}], headers=s["h"])
    assert r.status_code == 200 and r.json()["items"][0]["exceptions"] == [], r.text
    data = download(client, s, {"entity_types": ["CAMPAIGN", "AD_GROUP"], "updated_since": str(before + 1800)})
    assert ids(data["campaigns"]) == [s["c2"]] and data["ad_groups"] == []
    assert data["campaigns"][0]["name"] == "Winter boots 2"
    data = download(client, s, {"entity_types": ["CAMPAIGN"], "updated_since": before})  # a number works too
    assert len(data["campaigns"]) == 2


def test_download_statuses_archived_listed_deleted_drafts_hidden(client, s):
    draft = campaign(client, s["tok"], s["acct"], name="Draft", status="DRAFT")
    r = client.patch(f"/v5/ad_accounts/{s['acct']}/campaigns", headers=s["h"],
                     json=[{"id": draft["id"], "ad_account_id": s["acct"], "status": "DELETED_DRAFT"},
                           {"id": s["c2"], "ad_account_id": s["acct"], "status": "ARCHIVED"}])
    assert all(i["exceptions"] == [] for i in r.json()["items"]), r.text
    got = ids(download(client, s, {"entity_types": ["CAMPAIGN"]})["campaigns"])
    assert got == sorted([s["c1"], s["c2"]])
    flt = {"campaign_status": ["DELETED_DRAFT"]}
    assert ids(download(client, s, {"entity_types": ["CAMPAIGN"], "campaign_filter": flt})["campaigns"]) == \
        [draft["id"]]


def test_download_reads_state_when_the_job_runs(client, s):
    rid = submit(client, s, "download", {"entity_types": ["CAMPAIGN"]})
    c3 = campaign(client, s["tok"], s["acct"])
    data = json.loads(fetch(client, finished(client, s, rid)["result_url"]))
    assert c3["id"] in ids(data["campaigns"])


@pytest.mark.parametrize("body, field", [
    ({"entity_types": []}, "entity_types"),
    ({"entity_types": ["CAMPAIGN", "FOO"]}, "entity_types.1"),
    ({"entity_types": ["AD"] * 6}, "entity_types"),
    ({"output_format": "XML"}, "output_format"),
    ({"updated_since": "yesterday"}, "updated_since"),
    ({"updated_since": -5}, "updated_since"),
    ({"entity_ids": ["12ab"]}, "entity_ids.0"),
    ({"entity_ids": "123"}, "entity_ids"),
    ({"campaign_filter": {"campaign_status": ["ON"]}}, "campaign_filter.campaign_status.0"),
    ({"campaign_filter": {"objective_type": ["SALES"]}}, "campaign_filter.objective_type.0"),
    ({"campaign_filter": {"start_time": "soon"}}, "campaign_filter.start_time"),
    ({"campaign_filter": {"start_time": "200", "end_time": "100"}}, "campaign_filter.end_time"),
    ({"campaign_filter": {"colour": "red"}}, "campaign_filter.colour"),
    ({"entity_typez": ["AD"]}, "entity_typez"),
])
def test_download_validation_errors(client, s, body, field):
    r = client.post(f"/v5/ad_accounts/{s['acct']}/bulk/download", json=body, headers=s["h"])
    bad_request(r, field)


def test_download_unknown_or_foreign_entity_ids_are_400(client, s):
    other = ad_account(client, s["tok"], name="Other")["id"]
    foreign = campaign(client, s["tok"], other)["id"]
    for bad in ("123", foreign):
        r = client.post(f"/v5/ad_accounts/{s['acct']}/bulk/download", json={"entity_ids": [s["c1"], bad]},
                        headers=s["h"])
        assert bad in bad_request(r, "entity_ids")


def test_download_body_must_be_an_object(client, s):
    r = client.post(f"/v5/ad_accounts/{s['acct']}/bulk/download", content=b"[1]",
                    headers={**s["h"], "Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 1


# -- status ----------------------------------------------------------------------------------------
def test_status_unknown_and_foreign_request_ids_are_404(client, s):
    r = client.get(f"/v5/ad_accounts/{s['acct']}/bulk/nope", headers=s["h"])
    assert r.status_code == 404 and "nope" in r.json()["message"], r.text
    other = ad_account(client, s["tok"], name="Other")["id"]
    rid = submit(client, s, "download", {}, acct=other)  # the same user's other account
    r = client.get(f"/v5/ad_accounts/{s['acct']}/bulk/{rid}", headers=s["h"])
    assert r.status_code == 404, r.text
    assert status(client, s, rid, acct=other)["status"] == "RUNNING"
    # an async report or any other kind of job is not a bulk request
    r = client.get(f"/v5/ad_accounts/{s['acct']}/bulk/download", headers=s["h"])
    assert r.status_code == 404


def test_status_include_details(client, s):
    rid = submit(client, s, "download", {"entity_types": ["CAMPAIGN", "KEYWORD"], "output_format": "CSV"})
    body = finished(client, s, rid, include_details="true")
    assert body["details"] == {"output_format": "CSV", "entity_counts": {"campaigns": 2, "keywords": 4}}
    rid, result = upsert(client, s, {"update": {"campaigns": [{"id": "1", "ad_account_id": s["acct"]}]}})
    body = status(client, s, rid, include_details="true")
    assert body["details"] == result
    assert "details" not in status(client, s, rid)
    r = client.get(f"/v5/ad_accounts/{s['acct']}/bulk/{rid}", params={"include_details": "maybe"}, headers=s["h"])
    bad_request(r, "include_details")


def test_result_url_is_a_short_lived_signed_link(client, s):
    rid = submit(client, s, "download", {})
    url = finished(client, s, rid)["result_url"]
    assert rid in url and "signature=" in url and "expires=" in url
    assert client.get(url.replace("signature=", "signature=0")).status_code == 403
    client.put("/_sandbox/clock", json={"advance_seconds": 301})
    assert client.get(url).status_code == 403
    fresh = status(client, s, rid)["result_url"]  # asking again signs a new link
    assert fetch(client, fresh)


def test_deleting_an_account_drops_its_queued_requests_others_still_run(client, s):
    rid = submit(client, s, "download", {})
    bob = bearer(token(client, "bob"))
    acct = ad_account(client, token(client, "bob"))["id"]
    rid2 = submit(client, s, "upsert", {"create": {"campaigns": [{"ad_account_id": acct, "name": "x",
                                                                  "objective_type": "AWARENESS"}]}},
                  acct=acct, headers=bob)
    r = client.delete(f"/v5/ad_accounts/{acct}/sandbox", headers=bob)
    assert r.status_code == 200, r.text
    run_jobs(client)
    assert status(client, s, rid)["status"] == "SUCCEEDED"  # alice's account is untouched
    r = client.get(f"/v5/ad_accounts/{acct}/bulk/{rid2}", headers=bob)
    assert r.status_code == 404 and r.json()["code"] == 2  # the account (and its requests) are gone


def test_a_job_whose_account_is_gone_fails_with_the_reason(client, s, store):
    """A job that outlives its ad account (e.g. running while the account is deleted) FAILS, saying why."""
    if os.environ.get("PINSANDBOX_TEST_URL"):
        pytest.skip("submits a job for a missing account straight through the job service (in-process only)")
    from pinsandbox.jobs import service as jobs

    with store.write() as conn:
        job = jobs.submit(conn, kind="bulk_download", ad_account_id=12345, params={"entity_types": ["AD"]},
                          now=store.clock.now())
    jobs.run_pending(store)
    with store.write() as conn:
        done = jobs.get(conn, job.id, now=store.clock.now())
    assert done.status == "FAILED" and done.error == "Ad account 12345 no longer exists."


# -- upsert ----------------------------------------------------------------------------------------
def test_upsert_mixed_rows_good_ones_land_bad_ones_name_the_field(client, s):
    p = pin(client, s["tok"], s["board"])
    body = {
        "create": {
            "campaigns": [
                {"ad_account_id": s["acct"], "name": "Bulk campaign", "objective_type": "AWARENESS"},
                {"ad_account_id": s["acct"], "name": "Too small cap", "objective_type": "AWARENESS",
                 "daily_spend_cap": 5},
                {"ad_account_id": s["acct"], "objective_type": "AWARENESS"},
            ],
            "ad_groups": [
                {"campaign_id": s["c1"], "name": "Bulk group", "billable_event": "CLICKTHROUGH",
                 "budget_in_micro_currency": 20_000_000, "bid_strategy_type": "AUTOMATIC_BID"},
                {"campaign_id": "123", "name": "Orphan", "billable_event": "CLICKTHROUGH",
                 "budget_in_micro_currency": 20_000_000},
            ],
            "ads": [
                {"ad_group_id": s["g1"], "creative_type": "REGULAR", "pin_id": p["id"], "name": "Bulk ad"},
                {"ad_group_id": s["g1"], "creative_type": "REGULAR", "pin_id": "999", "name": "No pin"},
            ],
            "keywords": [
                {"parent_id": s["g2"], "keywords": [{"value": "boots", "match_type": "BROAD"},
                                                    {"value": "hammer", "match_type": "PHRASE"},
                                                    {"value": "boots", "match_type": "BROAD"}]},
                {"parent_id": "AG123", "keywords": [{"value": "x", "match_type": "BROAD"}]},
                {"parent_id": s["g1"], "keywords": [{"value": "x", "match_type": "WIDE"}]},
            ],
            "product_groups": [{"ad_group_id": s["g1"], "product_group_promotion": [{"status": "ACTIVE"}]}],
        },
        "update": {
            "campaigns": [{"id": s["c2"], "ad_account_id": s["acct"], "name": "Renamed", "status": "ACTIVE"},
                          {"id": s["c1"], "ad_account_id": s["acct"], "status": "DRAFT"}],
            "ad_groups": [{"id": s["g2"], "name": "Renamed group"}, {"id": "42"}],
            "ads": [{"id": s["a1"], "status": "PAUSED"}, {"id": s["a2"], "destination_url": "not a url"}],
            "keywords": [{"id": s["k1"], "archived": True}, {"id": s["k2"], "bid": "high"}],
        },
    }
    rid, result = upsert(client, s, body)
    create, update = result["create"], result["update"]
    assert list(create) == ["campaigns", "ad_groups", "ads", "product_groups", "keywords"]
    assert list(update) == ["campaigns", "ad_groups", "ads", "keywords"]

    good, small_cap, no_name = create["campaigns"]
    assert good["exceptions"] == [] and good["data"]["name"] == "Bulk campaign"
    assert get(client, s, f"campaigns/{good['data']['id']}") == good["data"]
    assert small_cap["data"] == {} and small_cap["exceptions"][0]["code"] == 1509
    assert "daily_spend_cap" in small_cap["exceptions"][0]["message"]
    assert no_name["exceptions"][0]["code"] == 1 and "'name'" in no_name["exceptions"][0]["message"]

    group, orphan = create["ad_groups"]
    assert group["exceptions"] == [] and get(client, s, f"ad_groups/{group['data']['id']}")["name"] == "Bulk group"
    assert orphan["exceptions"][0]["code"] == 1012 and "campaign_id" in orphan["exceptions"][0]["message"]

    ad, no_pin = create["ads"]
    assert ad["exceptions"] == [] and get(client, s, f"ads/{ad['data']['id']}")["pin_id"] == p["id"]
    assert no_pin["exceptions"][0]["code"] == 50 and "pin_id" in no_pin["exceptions"][0]["message"]

    [pg] = create["product_groups"]
    assert pg["data"] == {} and pg["exceptions"][0]["code"] == 501

    kw_ok, kw_parent, kw_shape = create["keywords"]
    assert kw_ok["exceptions"] == []
    assert [k["value"] for k in kw_ok["data"]["keywords"]] == ["boots", "hammer"]
    [dup] = kw_ok["data"]["errors"]
    assert dup["data"]["value"] == "boots" and "value" in dup["error_messages"][0]
    assert kw_parent["exceptions"][0]["code"] == 1012 and "parent_id" in kw_parent["exceptions"][0]["message"]
    assert kw_shape["exceptions"][0]["code"] == 1 and "keywords.0.match_type" in kw_shape["exceptions"][0]["message"]

    renamed, to_draft = update["campaigns"]
    assert renamed["data"]["name"] == "Renamed" and renamed["data"]["status"] == "ACTIVE"
    assert get(client, s, f"campaigns/{s['c2']}")["status"] == "ACTIVE"
    assert to_draft["exceptions"][0]["code"] == 1530 and "status" in to_draft["exceptions"][0]["message"]
    assert get(client, s, f"campaigns/{s['c1']}")["status"] == "ACTIVE"
    g_ok, g_missing = update["ad_groups"]
    assert g_ok["data"]["name"] == "Renamed group" and g_missing["exceptions"][0]["code"] == 1012
    a_ok, a_bad = update["ads"]
    assert a_ok["data"]["status"] == "PAUSED" and get(client, s, f"ads/{s['a1']}")["status"] == "PAUSED"
    assert a_bad["exceptions"][0]["code"] == 1 and "destination_url" in a_bad["exceptions"][0]["message"]
    k_ok, k_bad = update["keywords"]
    assert k_ok["data"]["archived"] is True and k_bad["exceptions"][0]["code"] == 1
    assert "bid" in k_bad["exceptions"][0]["message"]

    assert result["summary"] == {"rows": 19, "succeeded": 7, "failed": 12}
    assert status(client, s, rid)["status"] == "SUCCEEDED"  # row errors do not fail the request


def test_upsert_rows_follow_the_same_rules_as_the_single_endpoints(client, s):
    now = client.get("/_sandbox/clock").json()["now"]
    client.put("/_sandbox/clock", json={"now": now, "frozen": True})  # messages that name "now" match
    rows = [{"ad_account_id": s["acct"], "name": "CBO", "objective_type": "VIDEO_VIEW",
             "is_campaign_budget_optimization": True, "daily_spend_cap": 50_000_000},
            {"ad_account_id": "1", "name": "Elsewhere", "objective_type": "AWARENESS"},
            {"ad_account_id": s["acct"], "name": "Past end", "objective_type": "AWARENESS", "end_time": 1000},
            {"ad_account_id": s["acct"], "name": 5, "objective_type": "AWARENESS"}]
    r = client.post(f"/v5/ad_accounts/{s['acct']}/campaigns", json=rows, headers=s["h"])
    single = [i["exceptions"] for i in r.json()["items"]]
    _, result = upsert(client, s, {"create": {"campaigns": rows}})
    assert [e["exceptions"] for e in result["create"]["campaigns"]] == single
    assert all(single)

    rows = [{"campaign_id": s["c2"], "name": "Low bid", "billable_event": "IMPRESSION", "bid_in_micro_currency": 1,
             "budget_in_micro_currency": 20_000_000},
            {"campaign_id": s["c1"], "name": "Wrong event", "billable_event": "VIDEO_V_50_MRC",
             "budget_in_micro_currency": 20_000_000}]
    r = client.post(f"/v5/ad_accounts/{s['acct']}/ad_groups", json=rows, headers=s["h"])
    single = [i["exceptions"] for i in r.json()["items"]]
    _, result = upsert(client, s, {"create": {"ad_groups": rows}})
    assert [e["exceptions"] for e in result["create"]["ad_groups"]] == single and all(single)


def test_upsert_then_download_round_trip(client, s):
    data = download(client, s, {"entity_types": ["CAMPAIGN"], "entity_ids": [s["c1"]]})
    [c1] = data["campaigns"]
    c1.update(name="Spring Tools (edited)", daily_spend_cap=30_000_000)
    row = {k: v for k, v in c1.items() if k not in ("summary_status", "created_time", "updated_time", "type")}
    _, result = upsert(client, s, {"update": {"campaigns": [row]}})
    assert result["update"]["campaigns"][0]["exceptions"] == [], result
    again = download(client, s, {"entity_types": ["CAMPAIGN"], "entity_ids": [s["c1"]]})["campaigns"][0]
    assert again["name"] == "Spring Tools (edited)" and again["daily_spend_cap"] == 30_000_000


def test_upsert_is_one_transaction_applied_when_the_job_runs(client, s):
    rid = submit(client, s, "upsert", {"create": {"campaigns": [
        {"ad_account_id": s["acct"], "name": "Later", "objective_type": "AWARENESS"}]}})
    names = [c["name"] for c in get(client, s, "campaigns")["items"]]
    assert "Later" not in names
    assert status(client, s, rid)["status"] == "RUNNING"
    run_jobs(client)
    names = [c["name"] for c in get(client, s, "campaigns")["items"]]
    assert "Later" in names


@pytest.mark.parametrize("body, field", [
    ({}, "body"),
    ({"create": {}}, "body"),
    ({"create": {"campaigns": []}, "update": {"ads": []}}, "body"),
    ({"create": []}, "create"),
    ({"create": {"campaigns": "x"}}, "create.campaigns"),
    ({"create": {"campaigns": [1]}}, "create.campaigns.0"),
    ({"update": {"audiences": [{}]}}, "update.audiences"),
    ({"delete": {"campaigns": [{}]}}, "delete"),
])
def test_upsert_validation_errors(client, s, body, field):
    r = client.post(f"/v5/ad_accounts/{s['acct']}/bulk/upsert", json=body, headers=s["h"])
    bad_request(r, field)


def test_upsert_row_limit(client, s):
    rows = [{"id": "1"}] * 5001
    r = client.post(f"/v5/ad_accounts/{s['acct']}/bulk/upsert", json={"update": {"keywords": rows}}, headers=s["h"])
    assert "5000" in bad_request(r, "body")


# -- auth, roles, 404 ------------------------------------------------------------------------------
def test_auth_scopes(client, s):
    url = f"/v5/ad_accounts/{s['acct']}/bulk"
    for method, path, body in (("post", "download", {}), ("post", "upsert", {"create": {"campaigns": [{}]}}),
                               ("get", "x", None)):
        r = client.request(method, f"{url}/{path}", json=body)
        assert r.status_code == 401 and r.json()["code"] == 2, r.text
    pins_only = bearer(token(client, "alice", scopes="pins:read"))
    assert client.post(f"{url}/download", json={}, headers=pins_only).json()["code"] == 3
    assert client.get(f"{url}/x", headers=pins_only).json()["code"] == 3
    read_only = bearer(token(client, "alice", scopes="ads:read"))
    r = client.post(f"{url}/upsert", json={"create": {"campaigns": [{}]}}, headers=read_only)
    assert r.status_code == 401 and r.json()["code"] == 3
    assert client.post(f"{url}/download", json={}, headers=read_only).status_code == 200


@pytest.mark.parametrize("role, can_read, can_write", [
    ("ADMIN", True, True), ("CAMPAIGN_MANAGER", True, True), ("ANALYST", True, False),
    ("FINANCE_MANAGER", False, False),
])
def test_business_access_roles(client, s, role, can_read, can_write):
    bob = bearer(token(client, "bob"))
    grant(client, s["acct"], "bob", [role])
    url = f"/v5/ad_accounts/{s['acct']}/bulk"
    r = client.post(f"{url}/download", json={}, headers=bob)
    assert r.status_code == (200 if can_read else 403), r.text
    if not can_read:
        assert r.json()["code"] == 29
    rid = submit(client, s, "download", {})
    assert client.get(f"{url}/{rid}", headers=bob).status_code == (200 if can_read else 403)
    r = client.post(f"{url}/upsert", json={"create": {"campaigns": [{"ad_account_id": s["acct"], "name": "B",
                                                                      "objective_type": "AWARENESS"}]}}, headers=bob)
    assert r.status_code == (200 if can_write else 403), r.text


def test_no_access_and_unknown_account(client, s):
    carol = bearer(token(client, "carol"))
    url = f"/v5/ad_accounts/{s['acct']}/bulk"
    assert client.post(f"{url}/download", json={}, headers=carol).status_code == 403
    assert client.post(f"{url}/upsert", json={"create": {"campaigns": [{}]}}, headers=carol).status_code == 403
    rid = submit(client, s, "download", {})
    assert client.get(f"{url}/{rid}", headers=carol).status_code == 403
    for method, path, body in (("post", "download", {}), ("post", "upsert", {"create": {"campaigns": [{}]}}),
                               ("get", rid, None)):
        r = client.request(method, f"/v5/ad_accounts/999999/bulk/{path}", json=body, headers=s["h"])
        assert r.status_code == 404 and r.json()["code"] == 2, r.text
    r = client.post("/v5/ad_accounts/12x/bulk/download", json={}, headers=s["h"])
    bad_request(r, "ad_account_id")


# -- exactly once ----------------------------------------------------------------------------------
@pytest.fixture
def in_process():
    if os.environ.get("PINSANDBOX_TEST_URL"):
        pytest.skip("drives the job runner's claims directly (in-process only)")


def test_upsert_applied_once_when_a_worker_dies_after_the_commit(client, s, store, in_process):
    import sqlalchemy as sa

    from pinsandbox.ads.bulk.jobs import run_upsert
    from pinsandbox.jobs import service as jobs
    from pinsandbox.jobs.tables import jobs as jobs_table

    rid = submit(client, s, "upsert", {"create": {"campaigns": [
        {"ad_account_id": s["acct"], "name": "Exactly once", "objective_type": "AWARENESS"}]}})
    job = jobs.claim(store, worker="doomed-worker", kinds=["bulk_upsert"], ignore_delay=True)
    assert job is not None and job.id == rid
    run_upsert(jobs.JobContext(store=store, job=job))  # rows committed ... then the worker "dies"
    with store.write() as conn:  # its lease lapses
        conn.execute(sa.update(jobs_table).where(jobs_table.c.id == rid).values(lease_until=0))
    run_jobs(client)  # attempt 2
    body = status(client, s, rid, include_details="true")
    assert body["status"] == "SUCCEEDED"
    [row] = body["details"]["create"]["campaigns"]
    names = [c["name"] for c in get(client, s, "campaigns")["items"]]
    assert names.count("Exactly once") == 1 and row["data"]["name"] == "Exactly once"


def test_upsert_cancelled_before_its_commit_applies_nothing(client, s, store, in_process):
    from pinsandbox.ads.bulk.jobs import run_upsert
    from pinsandbox.jobs import service as jobs

    rid = submit(client, s, "upsert", {"create": {"campaigns": [
        {"ad_account_id": s["acct"], "name": "Never", "objective_type": "AWARENESS"}]}})
    job = jobs.claim(store, worker="w", kinds=["bulk_upsert"], ignore_delay=True)
    with store.write() as conn:
        jobs.cancel(conn, rid)
    with pytest.raises(jobs.JobFailed):
        run_upsert(jobs.JobContext(store=store, job=job))
    assert "Never" not in [c["name"] for c in get(client, s, "campaigns")["items"]]
    body = status(client, s, rid, include_details="true")
    assert body == {"status": "FAILED", "details": {"error": "The bulk request was cancelled."}}

"""MMM reports through HTTP: POST /v5/ad_accounts/{id}/mmm_reports (a job), GET ?token= (status, signed
link), the download itself, and the sandbox job controls (POST /_sandbox/jobs/run, GET /_sandbox/jobs).
Facts are hand-made fixtures (POST /_sandbox/facts) and the clock is frozen, so every number is known."""

from __future__ import annotations

import csv
import io
import os
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from tests import factories as f
from tests.factories import bearer

NOW = "2026-03-15T12:00:00Z"
BASE = {"report_name": "Spring MMM", "start_date": "2026-03-01", "end_date": "2026-03-14", "granularity": "DAY",
        "level": "CAMPAIGN_TARGETING", "targeting_types": ["GENDER"],
        "columns": ["SPEND_IN_DOLLAR", "TOTAL_IMPRESSION", "ECTR", "TOTAL_ENGAGEMENT"]}
LIVE = bool(os.environ.get("PINSANDBOX_TEST_URL"))


def _ad(client, tok: str, acct: str, group_id: str, board: str, creative_type: str = "REGULAR") -> str:
    item = {"ad_group_id": group_id, "creative_type": creative_type, "pin_id": f.pin(client, tok, board)["id"]}
    r = client.post(f"/v5/ad_accounts/{acct}/ads", json=[item], headers=bearer(tok))
    assert r.status_code == 200, r.text
    assert r.json()["items"][0].get("exceptions") in (None, []) and r.json()["items"][0]["data"], r.text
    return r.json()["items"][0]["data"]["id"]


@pytest.fixture
def w(client) -> dict[str, Any]:
    """Campaign C1 "Spring" (ad group G1: A1 REGULAR, A2 SHOPPING) and C2 "Summer" (G2: A3 REGULAR)."""
    r = client.put("/_sandbox/clock", json={"now": NOW, "frozen": True})
    assert r.status_code == 200, r.text
    tok = f.token(client, "alice")
    acct = f.ad_account(client, tok, name="ACME Tools")["id"]
    c1 = f.campaign(client, tok, acct, name="Spring")["id"]
    c2 = f.campaign(client, tok, acct, name="Summer")["id"]
    g1 = f.ad_group(client, tok, acct, c1, name="Spring group")["id"]
    g2 = f.ad_group(client, tok, acct, c2, name="Summer group")["id"]
    board = f.board(client, tok)["id"]
    a1 = _ad(client, tok, acct, g1, board)
    a2 = _ad(client, tok, acct, g1, board, "SHOPPING")
    a3 = _ad(client, tok, acct, g2, board)
    rows = [
        {"ad_id": a1, "hour": "2026-03-10T10:00:00Z", "impression_1": 100, "clickthrough_1": 4, "engagement_1": 10,
         "spend_micro": 2_000_000, "gender": "female", "country": "US", "apptype": "iphone", "location": "500"},
        {"ad_id": a1, "hour": "2026-03-11T09:00:00Z", "impression_1": 50, "clickthrough_1": 1, "spend_micro": 1_000_000,
         "gender": "male", "country": "US", "apptype": "android_mobile"},
        {"ad_id": a2, "hour": "2026-03-10T15:00:00Z", "impression_1": 200, "spend_micro": 500_000, "gender": "female",
         "country": "CA", "apptype": "iphone"},
        {"ad_id": a3, "hour": "2026-03-12T00:00:00Z", "impression_1": 30, "impression_2": 10, "clickthrough_1": 3,
         "clickthrough_2": 1, "spend_micro": 3_000_000, "gender": "unknown"},
        {"ad_id": a1, "hour": "2026-02-01T05:00:00Z", "impression_1": 9, "gender": "female"},  # before the range
    ]
    r = client.post("/_sandbox/facts", json={"table": "delivery", "rows": rows})
    assert r.status_code == 200, r.text
    return {"tok": tok, "h": bearer(tok), "acct": acct, "c1": c1, "c2": c2, "g1": g1, "g2": g2}


def create(client, w, **changes) -> str:
    body = {**BASE, **changes}
    r = client.post(f"/v5/ad_accounts/{w['acct']}/mmm_reports", json=body, headers=w["h"])
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["code"] == 0 and set(data) == {"code", "data"}
    assert data["data"]["report_status"] == "IN_PROGRESS" and data["data"]["status"] == "success"
    assert data["data"]["message"] is None
    return data["data"]["token"]


def poll(client, w, token: str) -> dict[str, Any]:
    r = client.get(f"/v5/ad_accounts/{w['acct']}/mmm_reports", params={"token": token}, headers=w["h"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["code"] == 0 and body["status"] == "success" and set(body["data"]) == {"report_status", "url", "size"}
    return body


def run_all(client) -> dict[str, Any]:
    r = client.post("/_sandbox/jobs/run")
    assert r.status_code == 200, r.text
    return r.json()


def report(client, w, **changes) -> list[dict[str, str]]:
    """Create, run, poll, download: the CSV rows as dicts."""
    token = create(client, w, **changes)
    run_all(client)
    body = poll(client, w, token)["data"]
    assert body["report_status"] == "FINISHED", body
    r = client.get(body["url"])  # no Authorization: the signature is the credential
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert len(r.content) == body["size"]
    return list(csv.DictReader(io.StringIO(r.text)))


def nums(row: dict[str, str], *cols: str) -> list[float]:
    return [float(row[c]) for c in cols]


# -- the full flow -----------------------------------------------------------------------------------------
def test_full_flow_create_poll_run_poll_download(client, w):
    token = create(client, w)
    assert poll(client, w, token)["data"] == {"report_status": "IN_PROGRESS", "url": None, "size": None}
    listed = client.get("/_sandbox/jobs").json()["items"]
    assert [(j["id"], j["kind"], j["ad_account_id"]) for j in listed] == [(token, "mmm_report", w["acct"])]
    assert listed[0]["status"] in ("QUEUED", "RUNNING")  # RUNNING: a live server's own workers took it
    ran = run_all(client)
    assert ran["count"] == 1 and ran["ran"][0]["id"] == token and ran["ran"][0]["status"] == "FINISHED"
    body = poll(client, w, token)
    assert body["message"] == "ok" and body["data"]["report_status"] == "FINISHED"
    url = urlparse(body["data"]["url"])
    assert url.path == f"/_sandbox/files/{token}" and set(parse_qs(url.query)) == {"expires", "signature"}
    r = client.get(body["data"]["url"])
    assert r.status_code == 200 and 'filename="Spring_MMM.csv"' in r.headers["content-disposition"]
    head = client.head(body["data"]["url"])
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) == len(r.content)
    lines = r.text.splitlines()
    assert lines[0] == "DATE,CAMPAIGN_ID,TARGETING_TYPE,TARGETING_VALUE,SPEND_IN_DOLLAR,TOTAL_IMPRESSION,ECTR," \
                       "TOTAL_ENGAGEMENT"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    got = [(x["DATE"], x["CAMPAIGN_ID"], x["TARGETING_VALUE"], *nums(x, "SPEND_IN_DOLLAR", "TOTAL_IMPRESSION", "ECTR",
                                                                   "TOTAL_ENGAGEMENT")) for x in rows]
    assert got == [
        ("2026-03-10", w["c1"], "female", 2.5, 300, pytest.approx(4 / 300), 10),  # A1 + A2
        ("2026-03-11", w["c1"], "male", 1.0, 50, 0.02, 0),
        ("2026-03-12", w["c2"], "unknown", 3.0, 40, 0.1, 0),
    ]
    assert {x["TARGETING_TYPE"] for x in rows} == {"GENDER"}
    jobs = client.get("/_sandbox/jobs").json()["items"]
    assert jobs[0]["status"] == "FINISHED" and jobs[0]["result_size"] == body["data"]["size"]
    assert jobs[0]["attempts"] == 1 and jobs[0]["result_meta"]["rows"] == 3
    assert client.post("/_sandbox/jobs/run").json()["count"] == 0  # nothing runs twice


def test_each_targeting_type_is_broken_down_on_its_own(client, w):
    rows = report(client, w, targeting_types=["CREATIVE_TYPE", "COUNTRY", "APPTYPE", "LOCATION"],
                  columns=["SPEND_IN_MICRO_DOLLAR", "IMPRESSION_1", "IMPRESSION_2", "CLICKTHROUGH_1",
                           "CLICKTHROUGH_2", "TOTAL_CLICKTHROUGH"])
    got = [(x["TARGETING_TYPE"], x["DATE"], x["CAMPAIGN_ID"], x["TARGETING_VALUE"],
            *[int(x[c]) for c in ("SPEND_IN_MICRO_DOLLAR", "IMPRESSION_1", "IMPRESSION_2", "CLICKTHROUGH_1",
                                  "CLICKTHROUGH_2", "TOTAL_CLICKTHROUGH")]) for x in rows]
    c1, c2 = w["c1"], w["c2"]
    assert got == [
        ("CREATIVE_TYPE", "2026-03-10", c1, "REGULAR", 2_000_000, 100, 0, 4, 0, 4),
        ("CREATIVE_TYPE", "2026-03-10", c1, "SHOPPING", 500_000, 200, 0, 0, 0, 0),
        ("CREATIVE_TYPE", "2026-03-11", c1, "REGULAR", 1_000_000, 50, 0, 1, 0, 1),
        ("CREATIVE_TYPE", "2026-03-12", c2, "REGULAR", 3_000_000, 30, 10, 3, 1, 4),
        ("COUNTRY", "2026-03-10", c1, "CA", 500_000, 200, 0, 0, 0, 0),  # A3's row has no country
        ("COUNTRY", "2026-03-10", c1, "US", 2_000_000, 100, 0, 4, 0, 4),
        ("COUNTRY", "2026-03-11", c1, "US", 1_000_000, 50, 0, 1, 0, 1),
        ("APPTYPE", "2026-03-10", c1, "iphone", 2_500_000, 300, 0, 4, 0, 4),
        ("APPTYPE", "2026-03-11", c1, "android_mobile", 1_000_000, 50, 0, 1, 0, 1),
        ("LOCATION", "2026-03-10", c1, "500", 2_000_000, 100, 0, 4, 0, 4),
    ]


def test_week_granularity_labels_weeks_by_their_first_day_in_range(client, w):
    rows = report(client, w, start_date="2026-03-05", end_date="2026-03-14", granularity="WEEK",
                  columns=["TOTAL_IMPRESSION", "EENGAGEMENT_RATE", "ECPC_IN_DOLLAR", "ECPM_IN_DOLLAR"])
    got = [(x["DATE"], x["CAMPAIGN_ID"], x["TARGETING_VALUE"],
            *nums(x, "TOTAL_IMPRESSION", "EENGAGEMENT_RATE", "ECPC_IN_DOLLAR", "ECPM_IN_DOLLAR")) for x in rows]
    assert got == [  # Monday 2026-03-09 starts the week of every fact row
        ("2026-03-09", w["c1"], "female", 300, pytest.approx(10 / 300), 2.5 / 4, pytest.approx(2.5 * 1000 / 300)),
        ("2026-03-09", w["c1"], "male", 50, 0.0, 1.0, 20.0),
        ("2026-03-09", w["c2"], "unknown", 40, 0.0, 0.75, 75.0),
    ]
    rows = report(client, w, start_date="2026-03-11", end_date="2026-03-14", granularity="WEEK",
                  columns=["TOTAL_IMPRESSION"])
    assert [(x["DATE"], x["TOTAL_IMPRESSION"]) for x in rows] == [("2026-03-11", "50"), ("2026-03-11", "40")]


def test_countries_filter_the_delivery(client, w):
    rows = report(client, w, countries=["US", "US"], columns=["SPEND_IN_DOLLAR", "TOTAL_IMPRESSION"])
    assert [(x["DATE"], x["TARGETING_VALUE"], *nums(x, "SPEND_IN_DOLLAR", "TOTAL_IMPRESSION")) for x in rows] == [
        ("2026-03-10", "female", 2.0, 100), ("2026-03-11", "male", 1.0, 50)]
    assert report(client, w, countries=["JP"]) == []


def test_ad_group_level_with_names_and_ids(client, w):
    cols = ["AD_GROUP_NAME", "CAMPAIGN_NAME", "CAMPAIGN_ID", "ADVERTISER_ID", "ADVERTISER_NAME", "AD_GROUP_ID",
            "SPEND_ORDER_LINE_PAID_TYPE", "TOTAL_IMPRESSION"]
    token = create(client, w, level="AD_GROUP_TARGETING", columns=cols, end_date="2026-03-10")
    run_all(client)
    text = client.get(poll(client, w, token)["data"]["url"]).text
    assert text.splitlines()[0] == ("DATE,AD_GROUP_ID,TARGETING_TYPE,TARGETING_VALUE,AD_GROUP_NAME,CAMPAIGN_NAME,"
                                    "CAMPAIGN_ID,ADVERTISER_ID,ADVERTISER_NAME,SPEND_ORDER_LINE_PAID_TYPE,"
                                    "TOTAL_IMPRESSION")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows == [{"DATE": "2026-03-10", "AD_GROUP_ID": w["g1"], "TARGETING_TYPE": "GENDER",
                     "TARGETING_VALUE": "female", "AD_GROUP_NAME": "Spring group", "CAMPAIGN_NAME": "Spring",
                     "CAMPAIGN_ID": w["c1"], "ADVERTISER_ID": w["acct"], "ADVERTISER_NAME": "ACME Tools",
                     "SPEND_ORDER_LINE_PAID_TYPE": "", "TOTAL_IMPRESSION": "300"}]


def test_a_report_with_no_delivery_has_only_the_header(client, w):
    token = create(client, w, start_date="2026-01-01", end_date="2026-01-31")
    run_all(client)
    r = client.get(poll(client, w, token)["data"]["url"])
    assert r.text == "DATE,CAMPAIGN_ID,TARGETING_TYPE,TARGETING_VALUE,SPEND_IN_DOLLAR,TOTAL_IMPRESSION,ECTR," \
                     "TOTAL_ENGAGEMENT\n"


def test_rows_whose_metrics_are_all_zero_are_left_out(client, w):
    cols = ["CLICKTHROUGH_1", "CLICKTHROUGH_2"]
    rows = report(client, w, targeting_types=["CREATIVE_TYPE", "COUNTRY"], columns=cols)
    got = [(x["TARGETING_TYPE"], x["DATE"], x["CAMPAIGN_ID"], x["TARGETING_VALUE"], *[int(x[c]) for c in cols])
           for x in rows]
    c1, c2 = w["c1"], w["c2"]
    assert got == [  # A2 (SHOPPING, CA) had impressions and spend but no clicks: no row of its own
        ("CREATIVE_TYPE", "2026-03-10", c1, "REGULAR", 4, 0),
        ("CREATIVE_TYPE", "2026-03-11", c1, "REGULAR", 1, 0),
        ("CREATIVE_TYPE", "2026-03-12", c2, "REGULAR", 3, 1),
        ("COUNTRY", "2026-03-10", c1, "US", 4, 0),
        ("COUNTRY", "2026-03-11", c1, "US", 1, 0),
    ]
    # the same delivery with a metric it has: its rows are there
    spent = report(client, w, targeting_types=["CREATIVE_TYPE"], columns=["CLICKTHROUGH_1", "SPEND_IN_MICRO_DOLLAR"])
    assert ("SHOPPING", "0", "500000") in [(x["TARGETING_VALUE"], x["CLICKTHROUGH_1"], x["SPEND_IN_MICRO_DOLLAR"])
                                           for x in spent]
    # no metric asked: every row with delivery stays
    names = report(client, w, targeting_types=["CREATIVE_TYPE"], columns=["CAMPAIGN_NAME"])
    assert [(x["DATE"], x["TARGETING_VALUE"], x["CAMPAIGN_NAME"]) for x in names] == [
        ("2026-03-10", "REGULAR", "Spring"), ("2026-03-10", "SHOPPING", "Spring"), ("2026-03-11", "REGULAR", "Spring"),
        ("2026-03-12", "REGULAR", "Summer")]


@pytest.mark.skipif(LIVE, reason="watches the query layer in-process")
def test_the_report_is_as_of_its_request_and_written_by_the_engine(client, w, monkeypatch):
    """The query's `now` is the sandbox clock of the request (stored as `as_of`), not the clock when the job
    runs; the rows go from DuckDB to the file (COPY), never through Python's row fetching."""
    from pinsandbox.reporting import facts as facts_module
    from pinsandbox.reporting import query

    token = create(client, w)
    job = client.get(f"/_sandbox/jobs/{token}").json()
    assert job["params"]["as_of"] == "2026-03-15T12:00:00+00:00"
    assert client.put("/_sandbox/clock", json={"advance_seconds": 2 * 86400}).status_code == 200
    seen: list = []
    real_compile = query.compile_query
    monkeypatch.setattr(query, "compile_query", lambda q, **kw: seen.append(q.now) or real_compile(q, **kw))

    def no_fetch(*args, **kwargs):
        raise AssertionError("an MMM report must not fetch its rows into Python")

    monkeypatch.setattr(query, "run_query", no_fetch)
    monkeypatch.setattr(facts_module.FactStore, "fetch", no_fetch)
    monkeypatch.setattr(facts_module.FactStore, "fetch_arrow", no_fetch)
    run_all(client)
    body = poll(client, w, token)["data"]
    assert body["report_status"] == "FINISHED", client.get(f"/_sandbox/jobs/{token}").json()
    assert seen and {n.isoformat() for n in seen} == {"2026-03-15T12:00:00+00:00"}
    meta = client.get(f"/_sandbox/jobs/{token}").json()["result_meta"]
    assert meta["as_of"] == "2026-03-15T12:00:00+00:00" and meta["rows"] == 3
    monkeypatch.undo()
    rows = list(csv.DictReader(io.StringIO(client.get(body["url"]).text)))
    assert [x["TARGETING_VALUE"] for x in rows] == ["female", "male", "unknown"]


# -- polling and links --------------------------------------------------------------------------------------
def test_unknown_and_foreign_tokens_do_not_exist(client, w):
    assert poll(client, w, "nope")["data"] == {"report_status": "DOES_NOT_EXIST", "url": None, "size": None}
    token = create(client, w)
    other = f.ad_account(client, w["tok"], name="Other")["id"]
    r = client.get(f"/v5/ad_accounts/{other}/mmm_reports", params={"token": token}, headers=w["h"])
    assert r.status_code == 200 and r.json()["data"]["report_status"] == "DOES_NOT_EXIST"


def test_forged_and_expired_links_are_refused(client, w):
    token = create(client, w)
    run_all(client)
    url = poll(client, w, token)["data"]["url"]
    sig = parse_qs(urlparse(url).query)["signature"][0]
    forged = url.replace(sig, sig[:-3] + ("AAA" if sig[-3:] != "AAA" else "BBB"))
    r = client.get(forged)
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/xml")
    assert "<Code>SignatureDoesNotMatch</Code>" in r.text
    r = client.get(url.split("?")[0])
    assert r.status_code == 403 and "SignatureDoesNotMatch" in r.text
    assert client.put("/_sandbox/clock", json={"advance_seconds": 300}).status_code == 200
    assert client.get(url).status_code == 200  # valid for 5 minutes
    assert client.put("/_sandbox/clock", json={"advance_seconds": 1}).status_code == 200
    r = client.get(url)
    assert r.status_code == 403 and "<Code>AccessDenied</Code><Message>Request has expired</Message>" in r.text
    fresh = poll(client, w, token)["data"]["url"]  # polling again gives a new link
    assert fresh != url and client.get(fresh).status_code == 200


def test_the_report_expires_after_an_hour(client, w):
    token = create(client, w)
    run_all(client)
    assert client.put("/_sandbox/clock", json={"advance_seconds": 3599}).status_code == 200
    assert poll(client, w, token)["data"]["report_status"] == "FINISHED"
    assert client.put("/_sandbox/clock", json={"advance_seconds": 1}).status_code == 200
    assert poll(client, w, token)["data"] == {"report_status": "EXPIRED", "url": None, "size": None}
    ran = run_all(client)  # housekeeping runs too: the file is deleted
    assert ran["count"] == 0
    job = client.get(f"/_sandbox/jobs/{token}").json()
    assert job["status"] == "EXPIRED" and job["report_status"] == "EXPIRED"


@pytest.mark.skipif(LIVE, reason="signs a link in-process")
def test_an_expired_result_is_no_such_key_even_with_a_valid_link(client, w, store):
    from pinsandbox.jobs import service as jobs

    token = create(client, w)
    run_all(client)
    assert client.put("/_sandbox/clock", json={"advance_seconds": 3600}).status_code == 200
    run_all(client)
    with store.read() as conn:
        job = jobs.get(conn, token, now=store.clock.now())
    assert job.status == "EXPIRED" and job.result_path is None
    r = client.get(jobs.download_url(store, job, base_url="http://testserver"))
    assert r.status_code == 404 and "<Code>NoSuchKey</Code>" in r.text and "EXPIRED" in r.text


def test_cancelled_report(client, w):
    token = create(client, w)
    r = client.post(f"/_sandbox/jobs/{token}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "CANCELLED"
    assert run_all(client)["count"] == 0
    assert poll(client, w, token)["data"]["report_status"] == "CANCELLED"
    assert client.post("/_sandbox/jobs/nope/cancel").status_code == 404
    assert client.get("/_sandbox/jobs/nope").status_code == 404


def test_sandbox_jobs_list_filters(client, w):
    a = create(client, w)
    b = create(client, w, report_name="second")
    run_all(client)
    c = create(client, w)
    items = client.get("/_sandbox/jobs").json()["items"]
    assert [j["id"] for j in items] == [c, b, a]  # newest first
    assert [j["id"] for j in client.get("/_sandbox/jobs", params={"status": "FINISHED"}).json()["items"]] == [b, a]
    assert [j["id"] for j in client.get("/_sandbox/jobs", params={"limit": 1}).json()["items"]] == [c]
    assert client.get("/_sandbox/jobs", params={"kind": "report"}).json()["items"] == []
    assert len(client.get("/_sandbox/jobs", params={"ad_account_id": w["acct"]}).json()["items"]) == 3
    assert client.get("/_sandbox/jobs", params={"status": "DONE"}).status_code == 400


# -- errors ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("field", ["report_name", "start_date", "end_date", "granularity", "level",
                                   "targeting_types", "columns"])
def test_required_fields(client, w, field):
    body = {k: v for k, v in BASE.items() if k != field}
    r = client.post(f"/v5/ad_accounts/{w['acct']}/mmm_reports", json=body, headers=w["h"])
    assert r.status_code == 400 and r.json() == {"code": 1, "message": f"Field '{field}' is required."}


@pytest.mark.parametrize("changes, needle", [
    ({"granularity": "HOUR"}, "granularity"),
    ({"level": "CAMPAIGN"}, "level"),
    ({"targeting_types": []}, "targeting_types"),
    ({"targeting_types": ["GENDER", "COUNTRY", "APPTYPE", "LOCATION", "CREATIVE_TYPE", "GENDER"]}, "targeting_types"),
    ({"targeting_types": ["AGE_BUCKET"]}, "targeting_types"),
    ({"columns": ["SPEND_IN_DOLLAR", "CTR"]}, "columns"),
    ({"columns": []}, "columns"),
    ({"countries": ["XX"]}, "countries"),
    ({"start_date": "2026-3-1"}, "start_date"),
    ({"start_date": "2026-02-30"}, "start_date"),
    ({"start_date": "20260301"}, "'start_date'"),
    ({"end_date": "2026-W11-6"}, "'end_date'"),
    ({"end_date": "2026-13-01"}, "end_date"),
    ({"start_date": "2026-03-10", "end_date": "2026-03-09"}, "end_date 2026-03-09 is before start_date 2026-03-10"),
    ({"start_date": "2023-09-12"}, "at most 914 days back"),
    ({"end_date": "9999-12-31"}, "'end_date': 9999-12-31 is out of range"),  # was accepted, then the job FAILED
    ({"columns": ["AD_GROUP_ID"]}, "AD_GROUP_ID needs the level AD_GROUP_TARGETING"),
    ({"columns": ["AD_GROUP_NAME"]}, "AD_GROUP_NAME"),
    ({"report_name": ""}, "report_name"),
    ({"report_name": "   "}, "report_name"),
    ({"format": "CSV"}, "format"),
])
def test_validation_errors_name_the_field(client, w, changes, needle):
    r = client.post(f"/v5/ad_accounts/{w['acct']}/mmm_reports", json={**BASE, **changes}, headers=w["h"])
    assert r.status_code == 400, r.text
    assert r.json()["code"] == 1 and needle in r.json()["message"], r.json()
    assert client.get("/_sandbox/jobs").json()["items"] == []  # nothing queued


def test_oldest_start_date_is_accepted(client, w):
    create(client, w, start_date="2023-09-13")  # 914 days before 2026-03-15


def test_get_needs_the_token(client, w):
    r = client.get(f"/v5/ad_accounts/{w['acct']}/mmm_reports", headers=w["h"])
    assert r.status_code == 400 and r.json() == {"code": 1, "message": "Parameter 'token' is required."}


@pytest.mark.parametrize("method", ["post", "get"])
def test_no_token_is_401_code_2(client, w, method):
    url = f"/v5/ad_accounts/{w['acct']}/mmm_reports"
    r = client.post(url, json=BASE) if method == "post" else client.get(url, params={"token": "x"})
    assert r.status_code == 401 and r.json()["code"] == 2


@pytest.mark.parametrize("method", ["post", "get"])
def test_missing_scope_is_401_code_3(client, w, method):
    tok = f.token(client, "alice", scopes="ads:write,pins:read")
    url = f"/v5/ad_accounts/{w['acct']}/mmm_reports"
    r = (client.post(url, json=BASE, headers=bearer(tok)) if method == "post"
         else client.get(url, params={"token": "x"}, headers=bearer(tok)))
    assert r.status_code == 401 and r.json()["code"] == 3 and "ads:read" in r.json()["message"]


def test_business_access_roles(client, w):
    bob = f.token(client, "bob")
    url = f"/v5/ad_accounts/{w['acct']}/mmm_reports"
    r = client.post(url, json=BASE, headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29
    r = client.get(url, params={"token": "x"}, headers=bearer(bob))
    assert r.status_code == 403 and r.json()["code"] == 29
    f.grant(client, w["acct"], "bob", ["AUDIENCE_MANAGER"])
    r = client.post(url, json=BASE, headers=bearer(bob))
    assert r.status_code == 403 and "ANALYST" in r.json()["message"]
    f.grant(client, w["acct"], "bob", ["ANALYST"])
    r = client.post(url, json=BASE, headers=bearer(bob))
    assert r.status_code == 200, r.text
    token = r.json()["data"]["token"]
    run_all(client)
    r = client.get(url, params={"token": token}, headers=bearer(bob))
    assert r.json()["data"]["report_status"] == "FINISHED"


def test_unknown_ad_account_is_404(client, w):
    url = "/v5/ad_accounts/123456789/mmm_reports"
    r = client.post(url, json=BASE, headers=w["h"])
    assert r.status_code == 404 and r.json()["code"] == 2
    r = client.get(url, params={"token": "x"}, headers=w["h"])
    assert r.status_code == 404 and r.json()["code"] == 2
    r = client.post("/v5/ad_accounts/12a/mmm_reports", json=BASE, headers=w["h"])
    assert r.status_code == 400 and r.json()["code"] == 1


@pytest.mark.skipif(LIVE, reason="turns rate limits on in-process")
def test_five_creates_per_minute_per_advertiser_when_rate_limits_are_on(client, w, store):
    from pinsandbox.ads.mmm import routes

    store.limiter.configure("standard")
    routes._beta_limiters.pop(id(store), None)
    try:
        url = f"/v5/ad_accounts/{w['acct']}/mmm_reports"
        for _ in range(5):
            assert client.post(url, json=BASE, headers=w["h"]).status_code == 200
        r = client.post(url, json=BASE, headers=w["h"])
        assert r.status_code == 429 and r.json()["code"] == 8 and int(r.headers["X-RateLimit-Reset"]) >= 1
        other = f.ad_account(client, w["tok"], name="Other")["id"]  # per advertiser: another account may
        assert client.post(f"/v5/ad_accounts/{other}/mmm_reports", json=BASE, headers=w["h"]).status_code == 200
        assert len(client.get("/_sandbox/jobs").json()["items"]) == 6  # the refused one queued nothing
    finally:
        store.limiter.configure("off")
        routes._beta_limiters.pop(id(store), None)


def test_no_extra_limit_when_rate_limits_are_off(client, w):
    url = f"/v5/ad_accounts/{w['acct']}/mmm_reports"
    assert all(client.post(url, json=BASE, headers=w["h"]).status_code == 200 for _ in range(7))


@pytest.mark.parametrize("spec", ["OFF", "None", " off "])
def test_no_extra_limit_when_rate_limits_are_off_in_any_spelling(client, w, store, spec):
    from pinsandbox.ads.mmm import routes

    store.limiter.configure(spec)
    try:
        url = f"/v5/ad_accounts/{w['acct']}/mmm_reports"
        assert all(client.post(url, json=BASE, headers=w["h"]).status_code == 200 for _ in range(7))
    finally:
        store.limiter.configure("off")
        routes._beta_limiters.pop(id(store), None)

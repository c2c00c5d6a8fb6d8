"""Contract: async reports and report templates through Pinterest's own generated Python client
(PyPI `pinterest-generated-client`) against a real pinsandbox server.

The flow an integration writes: request a report (`analytics_create_report`), poll it
(`analytics_get_report`) until FINISHED, download the `url` with a bare GET (no Pinterest auth, as the
pre-signed S3 links are), then the same from a saved template (`templates_list`,
`analytics_create_template_report`). The client decodes every answer with its models, so the shapes
and enums must be Pinterest's. Setup that Pinterest does elsewhere (facts, a template saved in Ads
Manager, running the jobs at once) goes through the sandbox's own endpoints.
"""

from __future__ import annotations

import csv
import io
import uuid

import httpx
import pytest

from tests.live import live_server, mint_token  # noqa: F401

client_pkg = pytest.importorskip("openapi_generated.pinterest_client",
                                 reason="pinterest-generated-client is not installed (pip install -e '.[test]')")

from openapi_generated.pinterest_client import ApiClient, Configuration  # noqa: E402
from openapi_generated.pinterest_client.api.ad_accounts_api import AdAccountsApi  # noqa: E402
from openapi_generated.pinterest_client.exceptions import ApiException  # noqa: E402
from openapi_generated.pinterest_client.model.ads_analytics_create_async_request import (  # noqa: E402
    AdsAnalyticsCreateAsyncRequest)
from openapi_generated.pinterest_client.model.reporting_column_async import ReportingColumnAsync  # noqa: E402

NOW = "2026-03-15T12:00:00Z"


@pytest.fixture(scope="module")
def world(live_server):  # noqa: F811
    """An ad account with one campaign, ad group and ad, and a day of delivery facts (through HTTP)."""
    root = live_server.root
    token = mint_token(root, "reports-contract")
    h = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=root, timeout=30) as c:
        assert c.put("/_sandbox/clock", json={"now": NOW, "frozen": True}).status_code == 200
        acct = c.post("/v5/ad_accounts", json={"name": "Reports", "country": "US"}, headers=h).json()["id"]
        camp = c.post(f"/v5/ad_accounts/{acct}/campaigns", headers=h, json=[
            {"ad_account_id": acct, "name": f"C {uuid.uuid4().hex[:6]}", "objective_type": "CONSIDERATION"}
        ]).json()["items"][0]["data"]["id"]
        group = c.post(f"/v5/ad_accounts/{acct}/ad_groups", headers=h, json=[
            {"campaign_id": camp, "name": "G", "billable_event": "CLICKTHROUGH", "bid_strategy_type": "AUTOMATIC_BID",
             "budget_in_micro_currency": 10_000 * 1_000_000}]).json()["items"][0]["data"]["id"]
        board = c.post("/v5/boards", json={"name": f"B {uuid.uuid4().hex[:6]}"}, headers=h).json()["id"]
        pin = c.post("/v5/pins", headers=h, json={"board_id": board, "title": "P", "link": "https://example.com/p",
                                                   "media_source": {"source_type": "image_url",
                                                                    "url": "https://example.com/i.jpg"}}).json()["id"]
        ad = c.post(f"/v5/ad_accounts/{acct}/ads", headers=h, json=[
            {"ad_group_id": group, "creative_type": "REGULAR", "pin_id": pin}]).json()["items"][0]["data"]["id"]
        r = c.post("/_sandbox/facts", json={"table": "delivery", "rows": [
            {"ad_id": ad, "hour": "2026-03-10T10:00:00Z", "impression_1": 120, "clickthrough_1": 6,
             "spend_micro": 3_000_000},
            {"ad_id": ad, "hour": "2026-03-11T10:00:00Z", "impression_1": 80, "spend_micro": 1_000_000}]})
        assert r.status_code == 200, r.text
    config = Configuration(host=live_server.api, access_token=token)
    try:
        with ApiClient(configuration=config) as api_client:
            yield {"api": AdAccountsApi(api_client), "root": root, "acct": acct, "campaign": camp}
    finally:  # the live server is the session's: the modules that use it after this one get the real clock
        httpx.put(root + "/_sandbox/clock", json={"real": True}, timeout=30).raise_for_status()


def _run_jobs(root: str) -> None:
    r = httpx.post(root + "/_sandbox/jobs/run", timeout=60)
    assert r.status_code == 200, r.text


def _finish(world, token: str):
    api = world["api"]
    first = api.analytics_get_report(world["acct"], token)
    assert first.report_status == "IN_PROGRESS"
    _run_jobs(world["root"])
    got = api.analytics_get_report(world["acct"], token)
    assert got.report_status == "FINISHED"
    assert got.size > 0
    r = httpx.get(got.url, timeout=30)  # no Authorization header
    assert r.status_code == 200, r.text
    assert len(r.content) == got.size
    return r


def test_report_json_through_the_client(world):
    request = AdsAnalyticsCreateAsyncRequest(
        start_date="2026-03-10", end_date="2026-03-12", granularity="DAY", level="CAMPAIGN",
        columns=[ReportingColumnAsync("SPEND_IN_DOLLAR"), ReportingColumnAsync("PAID_IMPRESSION"),
                 ReportingColumnAsync("CTR")],
        click_window_days=7, report_format="JSON")
    created = world["api"].analytics_create_report(world["acct"], request)
    assert created.report_status == "IN_PROGRESS" and created.token
    body = _finish(world, created.token).json()
    camp = world["campaign"]
    assert body == {camp: [
        {"CAMPAIGN_ID": camp, "DATE": "2026-03-10", "SPEND_IN_DOLLAR": 3.0, "PAID_IMPRESSION": 120, "CTR": 0.05},
        {"CAMPAIGN_ID": camp, "DATE": "2026-03-11", "SPEND_IN_DOLLAR": 1.0, "PAID_IMPRESSION": 80}]}


def test_report_csv_through_the_client(world):
    request = AdsAnalyticsCreateAsyncRequest(
        start_date="2026-03-10", end_date="2026-03-12", granularity="TOTAL", level="ADVERTISER",
        columns=[ReportingColumnAsync("SPEND_IN_MICRO_DOLLAR"), ReportingColumnAsync("PAID_IMPRESSION")],
        report_format="CSV")
    created = world["api"].analytics_create_report(world["acct"], request)
    rows = list(csv.reader(io.StringIO(_finish(world, created.token).text)))
    assert rows == [["Advertiser", "Spend (micro-currency)", "Paid impressions"], [world["acct"], "4000000", "200"]]


def test_unknown_token_and_bad_request_through_the_client(world):
    got = world["api"].analytics_get_report(world["acct"], "A" * 40)
    assert got.report_status == "DOES_NOT_EXIST"
    request = AdsAnalyticsCreateAsyncRequest(
        start_date="2026-03-12", end_date="2026-03-10", granularity="DAY", level="CAMPAIGN",
        columns=[ReportingColumnAsync("SPEND_IN_DOLLAR")])
    with pytest.raises(ApiException) as info:
        world["api"].analytics_create_report(world["acct"], request)
    assert info.value.status == 400 and '"code":1' in info.value.body.replace(" ", "")


def test_template_report_through_the_client(world):
    r = httpx.post(world["root"] + f"/_sandbox/ad_accounts/{world['acct']}/templates", timeout=30, json={
        "name": "Weekly spend", "report_level": "CAMPAIGN", "columns": ["SPEND_IN_DOLLAR", "PAID_IMPRESSION"],
        "granularity": "TOTAL",
        "date_range": {"relative_date_range": {"type": "relative", "start_days_in_past": 7, "end_days_in_past": 1}}})
    assert r.status_code == 200, r.text
    api = world["api"]
    listed = api.templates_list(world["acct"], page_size=25)
    items = [i if isinstance(i, dict) else i.to_dict() for i in listed["items"]]
    template = next(i for i in items if i["name"] == "Weekly spend")
    assert template["report_level"] == "CAMPAIGN"
    created = api.analytics_create_template_report(world["acct"], template["id"], granularity="DAY")
    body = _finish(world, created.token).json()
    assert [(row["DATE"], row["PAID_IMPRESSION"]) for row in body[world["campaign"]]] == [("2026-03-10", 120),
                                                                                         ("2026-03-11", 80)]

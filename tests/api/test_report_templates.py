"""Report templates: POST /_sandbox/ad_accounts/{id}/templates (as Ads Manager saves them), GET
/v5/ad_accounts/{id}/templates (paged), POST /v5/ad_accounts/{id}/templates/{template_id}/reports (dates
and granularity overridable, never saved back), and `pinsandbox template create`."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import pytest

from tests import factories as f
from tests.api.test_reports import (TODAY, bad, create, download, ok, poll, run_jobs,  # noqa: F401
                                    w)
from tests.factories import bearer

LIVE = bool(os.environ.get("PINSANDBOX_TEST_URL"))
TEMPLATE_KEYS = {"id", "ad_account_id", "ad_account_ids", "user_id", "name", "report_start_relative_days_in_past",
                 "report_end_relative_days_in_past", "date_range", "report_level", "report_format", "columns",
                 "granularity", "view_window_days", "click_window_days", "engagement_window_days",
                 "conversion_report_time_type", "filters_json", "is_owned_by_user", "is_scheduled",
                 "creation_source", "is_deleted", "updated_time", "custom_column_ids", "type", "ingestion_sources"}


def template(client, acct: str, **fields: Any):
    body = {"name": "Spend by day", "report_level": "CAMPAIGN", "columns": ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION"],
            "granularity": "DAY",
            "date_range": {"relative_date_range": {"type": "relative", "start_days_in_past": 5, "end_days_in_past": 3}},
            **fields}
    return client.post(f"/_sandbox/ad_accounts/{acct}/templates", json=body)


def made(client, acct: str, **fields: Any) -> dict[str, Any]:
    r = template(client, acct, **fields)
    assert r.status_code == 200, r.text
    return r.json()


def template_report(client, w, template_id: str, tok: str | None = None, acct: str | None = None, **params: Any):
    headers = bearer(tok or w["tok"]) if tok != "" else {}
    return client.post(f"/v5/ad_accounts/{acct or w['acct']}/templates/{template_id}/reports", params=params,
                       headers=headers)


def run_template(client, w, template_id: str, **params: Any) -> Any:
    created = ok(template_report(client, w, template_id, **params))
    assert created["report_status"] == "IN_PROGRESS" and set(created) == {"report_status", "token", "message"}
    run_jobs(client)
    got = ok(poll(client, w, created["token"]))
    assert got["report_status"] == "FINISHED", got
    r = download(client, got["url"])
    return r.json() if r.headers["content-type"].startswith("application/json") else r.text


def direct(client, w, **body: Any) -> Any:
    created = ok(create(client, w, **body))
    run_jobs(client)
    got = ok(poll(client, w, created["token"]))
    return download(client, got["url"]).json()


def listing(client, w, tok: str | None = None, acct: str | None = None, **params: Any):
    return client.get(f"/v5/ad_accounts/{acct or w['acct']}/templates", params=params,
                      headers=bearer(tok or w["tok"]) if tok != "" else {})


# -- create and list ------------------------------------------------------------------------------------------------
def test_create_and_list(client, w):
    t = made(client, w["acct"], filters_json=None)
    assert set(t) == TEMPLATE_KEYS
    assert t["ad_account_id"] == w["acct"] and t["ad_account_ids"] == [w["acct"]] and t["id"].isdigit()
    assert t["report_start_relative_days_in_past"] == 5 and t["report_end_relative_days_in_past"] == 3
    assert t["date_range"] == {"dynamic_date_range": None, "absolute_date_range": None,
                               "relative_date_range": {"type": "relative", "start_days_in_past": 5, "end_days_in_past": 3}}
    assert t["report_level"] == "CAMPAIGN" and t["report_format"] == "JSON" and t["type"] == "TABLE"
    assert (t["view_window_days"], t["click_window_days"], t["engagement_window_days"]) == (1, 30, 30)
    assert t["is_deleted"] is False and t["creation_source"] == "ADS_MANAGER_REPORT_BUILDER"
    body = ok(listing(client, w))
    assert body == {"items": [t], "bookmark": None}
    assert body["items"][0]["user_id"] == f.user_id(client, w["tok"]) and body["items"][0]["is_owned_by_user"]
    # another user with a role on the account sees it, not as its owner
    bob = f.token(client, "bob")
    f.grant(client, w["acct"], "bob", ["ANALYST"])
    assert ok(listing(client, w, tok=bob))["items"][0]["is_owned_by_user"] is False
    # a template object as Pinterest returns it loads as is (read-only fields ignored)
    copy = {k: v for k, v in t.items()}
    again = made(client, w["acct"], **copy)
    assert again["id"] != t["id"] and {k: again[k] for k in ("columns", "date_range", "name")} == \
        {k: t[k] for k in ("columns", "date_range", "name")}


def test_list_pages_to_the_end_and_order(client, w):
    ids = [made(client, w["acct"], name=f"T{i}")["id"] for i in range(5)]
    h = bearer(w["tok"])
    url = f"/v5/ad_accounts/{w['acct']}/templates"
    assert [t["id"] for t in f.collect_pages(client, url, h)] == ids
    assert [t["id"] for t in f.collect_pages(client, url, h, {"order": "DESCENDING"})] == ids[::-1]
    first = ok(listing(client, w, page_size=2))
    bad(listing(client, w, page_size=2, order="DESCENDING", bookmark=first["bookmark"]), "bookmark")
    bad(listing(client, w, page_size=0), "page_size")
    bad(listing(client, w, page_size=251), "page_size")
    bad(listing(client, w, order="SIDEWAYS"), "order")
    bad(listing(client, w, bookmark="forged"), "bookmark")


def test_shared_templates(client, w):
    other = f.ad_account(client, w["tok"], name="Other")["id"]
    t = made(client, w["acct"], ad_account_ids=[other])
    assert t["ad_account_ids"] == [w["acct"], other]
    assert [x["id"] for x in ok(listing(client, w, acct=other))["items"]] == [t["id"]]
    own = made(client, other)
    assert [x["id"] for x in ok(listing(client, w))["items"]] == [t["id"]]  # not the other account's own
    assert ok(template_report(client, w, t["id"], acct=other))["report_status"] == "IN_PROGRESS"
    assert template_report(client, w, own["id"]).status_code == 404


@pytest.mark.parametrize("change,words", [
    ({"report_level": None}, ["report_level"]),
    ({"report_level": "PIN"}, ["report_level"]),
    ({"columns": None}, ["columns"]),
    ({"columns": []}, ["columns"]),
    ({"columns": ["NOPE"]}, ["columns", "NOPE"]),
    ({"columns": ["AD_ID"]}, ["columns", "AD_ID"]),
    ({"report_level": "PRODUCT_ITEM", "columns": ["AD_NAME"]}, ["columns", "AD_NAME"]),
    ({"granularity": "YEAR"}, ["granularity"]),
    ({"report_format": "PDF"}, ["report_format"]),
    ({"view_window_days": 3}, ["view_window_days"]),
    ({"conversion_report_time_type": "NOW"}, ["conversion_report_time_type"]),
    ({"date_range": None}, ["date_range"]),
    ({"date_range": {}}, ["date_range"]),
    ({"date_range": {"dynamic_date_range": {"type": "dynamic", "range": "LAST_MONTH"},
                     "relative_date_range": {"start_days_in_past": 3, "end_days_in_past": 1}}}, ["date_range"]),
    ({"date_range": {"dynamic_date_range": {"type": "dynamic", "range": "LAST_YEAR"}}}, ["range"]),
    ({"date_range": {"relative_date_range": {"start_days_in_past": 1, "end_days_in_past": 3}}}, ["start_days_in_past"]),
    ({"date_range": {"relative_date_range": {"start_days_in_past": -1, "end_days_in_past": 0}}}, ["start_days_in_past"]),
    ({"date_range": {"absolute_date_range": {"start_date": 1_773_360_000, "end_date": 1_773_100_000}}},
     ["absolute_date_range", "start_date"]),
    ({"date_range": {"relative_date_range": {"start_days_in_past": 5, "end_days_in_past": 3}},
      "report_start_relative_days_in_past": 9, "report_end_relative_days_in_past": 3},
     ["report_start_relative_days_in_past"]),
    ({"filters_json": "[{"}, ["filters_json", "JSON"]),
    ({"filters_json": "{}"}, ["filters_json", "array"]),
    ({"filters_json": '[{"field": "SPEND_IN_DOLLAR", "operator": "=="}]'}, ["filters_json"]),
    ({"filters_json": '[{"field": "NOPE", "operator": "=", "value": 1}]'}, ["filters_json", "NOPE"]),
    ({"filters_json": '[{"field": "AD_NAME", "operator": "=", "value": "x"}]'}, ["filters_json", "AD_NAME"]),
    ({"filters_json": '[{"field": "SPEND_IN_DOLLAR", "operator": "~~", "value": 1}]'}, ["filters_json", "operator"]),
    ({"filters_json": '[{"field": "SPEND_IN_DOLLAR", "operator": ">", "value": "lots"}]'}, ["filters_json", "lots"]),
    ({"filters_json": '[{"field": "SPEND_IN_DOLLAR", "operator": "in", "value": 3}]'}, ["filters_json", "list"]),
    ({"filters_json": '[{"field": "CAMPAIGN_NAME", "operator": ">", "value": "a"}]'}, ["filters_json", "text"]),
    ({"filters_json": '[{"field": "CAMPAIGN_NAME", "operator": "~", "value": "("}]'}, ["filters_json"]),
    ({"filters_json": '[{"field": "CAMPAIGN_NAME", "operator": "~", "value": "(?=lookahead)"}]'},
     ["filters_json", "regular expression"]),
    ({"custom_column_ids": ["1597252063"]}, ["custom_column_ids", "1597252063"]),
    ({"ingestion_sources": ["TAG"]}, ["ingestion_sources"]),
    ({"ingestion_sources": ["PIGEON"]}, ["ingestion_sources"]),
    ({"user_id": "123456789"}, ["user_id", "123456789"]),
    ({"ad_account_ids": ["123456789"]}, ["ad_account_ids", "123456789"]),
    ({"name": "x" * 256}, ["name"]),
    ({"colour": "blue"}, ["colour"]),
])
def test_create_validation_errors(client, w, change, words):
    body = {"name": "T", "report_level": "CAMPAIGN", "columns": ["PAID_IMPRESSION"], "granularity": "DAY",
            "date_range": {"relative_date_range": {"type": "relative", "start_days_in_past": 5, "end_days_in_past": 3}}}
    for k, v in change.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    bad(client.post(f"/_sandbox/ad_accounts/{w['acct']}/templates", json=body), *words)


def test_create_for_unknown_account(client, w):
    r = template(client, "123456789")
    assert r.status_code == 404 and r.json()["code"] == 2


def test_list_auth_and_access(client, w):
    r = listing(client, w, tok="")
    assert r.status_code == 401 and r.json()["code"] == 2
    r = listing(client, w, tok=f.token(client, "alice", scopes="pins:read"))
    assert r.status_code == 401 and r.json()["code"] == 3
    assert listing(client, w, tok=f.token(client, "bob")).status_code == 403
    assert listing(client, w, acct="123456789").status_code == 404


# -- template reports ------------------------------------------------------------------------------------------------
def test_template_report_equals_the_direct_report(client, w):
    cols = ["CAMPAIGN_NAME", "SPEND_IN_DOLLAR", "PAID_IMPRESSION", "CTR", "TOTAL_CONVERSIONS"]
    t = made(client, w["acct"], columns=cols, click_window_days=7, view_window_days=0)
    got = run_template(client, w, t["id"])
    # relative 5..3 days before 2026-03-15: 2026-03-10 .. 2026-03-12
    same = direct(client, w, level="CAMPAIGN", granularity="DAY", columns=cols, start_date="2026-03-10",
                  end_date="2026-03-12", click_window_days=7, view_window_days=0)
    assert got == same and sorted(got) == sorted([w["c1"], w["c2"]])
    assert [r["DATE"] for r in got[w["c1"]]] == ["2026-03-10", "2026-03-11"]


def test_overrides_are_not_saved(client, w):
    t = made(client, w["acct"], columns=["PAID_IMPRESSION"])
    got = run_template(client, w, t["id"], start_date="2026-03-11", end_date="2026-03-12", granularity="TOTAL")
    assert got == {w["c1"]: [{"CAMPAIGN_ID": w["c1"], "PAID_IMPRESSION": 50}],
                   w["c2"]: [{"CAMPAIGN_ID": w["c2"], "PAID_IMPRESSION": 30}]}
    got = run_template(client, w, t["id"], end_date="2026-03-10")  # the start stays the template's (03-10)
    assert got == {w["c1"]: [{"CAMPAIGN_ID": w["c1"], "DATE": "2026-03-10", "PAID_IMPRESSION": 300}]}
    assert ok(listing(client, w))["items"] == [t]  # unchanged


@pytest.mark.parametrize("date_range,first,last", [
    ({"dynamic_date_range": {"type": "dynamic", "range": "MONTH_TO_DATE"}}, "2026-03-01", "2026-03-15"),
    ({"dynamic_date_range": {"type": "dynamic", "range": "LAST_MONTH"}}, "2026-02-01", "2026-02-28"),
    ({"dynamic_date_range": {"type": "dynamic", "range": "QUARTER_TO_DATE"}}, "2026-01-01", "2026-03-15"),
    ({"dynamic_date_range": {"type": "dynamic", "range": "YEAR_TO_DATE"}}, "2026-01-01", "2026-03-15"),
    ({"absolute_date_range": {"type": "absolute", "start_date": 1_773_100_800, "end_date": 1_773_273_600}},
     "2026-03-10", "2026-03-12"),
])
def test_date_ranges(client, w, date_range, first, last):
    t = made(client, w["acct"], columns=["PAID_IMPRESSION"], granularity="TOTAL", date_range=date_range)
    start, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    assert t["report_start_relative_days_in_past"] == (TODAY - start).days
    assert t["report_end_relative_days_in_past"] == (TODAY - end).days
    got = run_template(client, w, t["id"])
    same = direct(client, w, level="CAMPAIGN", granularity="TOTAL", columns=["PAID_IMPRESSION"], start_date=first,
                  end_date=last)
    assert got == same and got


def test_filters_json_and_csv(client, w):
    t = made(client, w["acct"], columns=["CAMPAIGN_NAME", "PAID_IMPRESSION"], report_format="CSV",
             filters_json=json.dumps([{"field": "CAMPAIGN_NAME", "operator": "contains_substring", "value": "Spring"},
                                      {"field": "SPEND_IN_DOLLAR", "operator": ">", "value": 1.5}]))
    text = run_template(client, w, t["id"])
    assert text.splitlines() == ["Campaign ID,Date,Campaign name,Paid impressions",
                                 f'{w["c1"]},2026-03-10,"Spring, ""big"" sale",300']


def test_template_report_errors(client, w):
    t = made(client, w["acct"])
    assert template_report(client, w, "123456789").status_code == 404
    bad(template_report(client, w, t["id"], start_date="yesterday"), "start_date")
    bad(template_report(client, w, t["id"], start_date="20260311"), "start_date", "YYYY-MM-DD")
    bad(template_report(client, w, t["id"], start_date="2026-03-12", end_date="2026-03-10"), "end_date")
    bad(template_report(client, w, t["id"], start_date=(TODAY - dt.timedelta(days=915)).isoformat()), "start_date")
    bad(template_report(client, w, t["id"], granularity="HOUR", end_date=TODAY.isoformat()), "HOUR", "3 days")
    bad(template_report(client, w, t["id"], granularity="HOUR", start_date="2026-03-07", end_date="2026-03-08"),
        "HOUR", "start_date")
    bad(template_report(client, w, t["id"], granularity="YEAR"), "granularity")
    # 2.5 years of range are fine for template reports (direct reports stop at 186 days)
    assert ok(template_report(client, w, t["id"], start_date=(TODAY - dt.timedelta(days=900)).isoformat(),
                              end_date=TODAY.isoformat()))["report_status"] == "IN_PROGRESS"
    r = template_report(client, w, t["id"], tok="")
    assert r.status_code == 401 and r.json()["code"] == 2
    r = template_report(client, w, t["id"], tok=f.token(client, "alice", scopes="pins:read"))
    assert r.status_code == 401 and r.json()["code"] == 3
    assert template_report(client, w, t["id"], tok=f.token(client, "bob")).status_code == 403
    assert template_report(client, w, t["id"], acct="123456789").status_code == 404
    run_jobs(client)


# -- the CLI ------------------------------------------------------------------------------------------------------------
@pytest.mark.skipif(LIVE, reason="writes a sandbox data directory of its own")
def test_cli_template_create(tmp_path):
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from pinsandbox.app import create_app
    from pinsandbox.cli import app as cli
    from pinsandbox.core.store import Store
    from pinsandbox.settings import Settings

    def serve():
        store = Store(Settings(data_dir=tmp_path))
        return store, TestClient(create_app(store=store))

    store, c = serve()
    with c:
        tok = f.token(c, "carol")
        acct = f.ad_account(c, tok)["id"]
    store.dispose()
    spec = tmp_path / "template.json"
    spec.write_text(json.dumps({"name": "From a file", "report_level": "AD_GROUP", "columns": ["PAID_IMPRESSION"],
                                "date_range": {"dynamic_date_range": {"type": "dynamic", "range": "LAST_MONTH"}}}))
    runner = CliRunner()
    r = runner.invoke(cli, ["template", "create", "--ad-account", acct, "--file", str(spec), "--data-dir",
                            str(tmp_path), "--format", "CSV"])
    assert r.exit_code == 0, r.output
    r2 = runner.invoke(cli, ["template", "create", "--ad-account", acct, "--name", "Flags", "--level", "CAMPAIGN",
                             "--columns", "SPEND_IN_DOLLAR,PAID_IMPRESSION", "--relative", "14:1", "--data-dir",
                             str(tmp_path)])
    assert r2.exit_code == 0, r2.output
    r3 = runner.invoke(cli, ["template", "create", "--ad-account", acct, "--level", "CAMPAIGN", "--columns", "NOPE",
                             "--relative", "14:1", "--data-dir", str(tmp_path)])
    assert r3.exit_code == 1 and "NOPE" in r3.output
    r4 = runner.invoke(cli, ["template", "create", "--ad-account", "123", "--file", str(spec), "--data-dir",
                             str(tmp_path)])
    assert r4.exit_code == 1 and "not found" in r4.output
    store, c = serve()
    with c:
        items = ok(c.get(f"/v5/ad_accounts/{acct}/templates", headers=bearer(tok)))["items"]
    store.dispose()
    assert [(t["name"], t["report_level"], t["report_format"]) for t in items] == [
        ("From a file", "AD_GROUP", "CSV"), ("Flags", "CAMPAIGN", "JSON")]
    assert items[1]["date_range"]["relative_date_range"]["start_days_in_past"] == 14

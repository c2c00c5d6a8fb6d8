"""Reporting engine benchmark (issue 4): simulation throughput and analytics endpoint overhead.

    .venv/bin/python bench/analytics.py [--ads 2000] [--days 365] [--runs 15] [--out docs/benchmarks.md]

1. Builds one ad account with 50 campaigns x 2 ad groups x (ads/100) ads through the API, then
   simulates `--days` of hourly delivery for all of them: delivery + conversion rows per second.
2. Campaign analytics, DAY, 90 days, 50 campaigns (5 columns incl. a ratio and conversions), and a
   campaign targeting query (GENDER, AGE_BUCKET): the endpoint's median time through the ASGI app
   (parameter checks, access, id checks, query, JSON) against the same aggregation as one hand-written
   DuckDB query on the same facts, in the same run. Target: endpoint <= 1.3 x raw + 5 ms.
The figures replace the "Reporting engine" section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from pinsandbox.app import create_app  # noqa: E402
from pinsandbox.core.store import Store  # noqa: E402
from pinsandbox.reporting.simulator import simulate  # noqa: E402
from pinsandbox.settings import Settings  # noqa: E402


def build(c: TestClient, h: dict, n_ads: int) -> tuple[str, list[str]]:
    acct = c.post("/v5/ad_accounts", json={"name": "Bench", "country": "US"}, headers=h).json()["id"]
    board = c.post("/v5/boards", json={"name": "Bench"}, headers=h).json()["id"]
    n_campaigns, groups_per = 50, 2
    per_group = max(1, n_ads // (n_campaigns * groups_per))
    # an ad group promotes a Pin once: one Pin per ad in a group, shared across groups
    pins = [c.post("/v5/pins", json={"board_id": board, "title": f"p{i}", "link": f"https://ex.com/{i}",
                                      "media_source": {"source_type": "image_url", "url": f"https://ex.com/{i}.jpg"}},
                   headers=h).json()["id"] for i in range(per_group)]
    start = int(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    campaign_ids = []
    for first in range(0, n_campaigns, 30):  # the spec caps a batch at 30 items
        r = c.post(f"/v5/ad_accounts/{acct}/campaigns", headers=h, json=[
            {"ad_account_id": acct, "name": f"c{i}", "objective_type": "CONSIDERATION", "status": "ACTIVE",
             "start_time": start} for i in range(first, min(first + 30, n_campaigns))])
        assert r.status_code == 200, r.text
        campaign_ids += [x["data"]["id"] for x in r.json()["items"]]
    assert len(campaign_ids) == n_campaigns
    for cid in campaign_ids:
        groups = c.post(f"/v5/ad_accounts/{acct}/ad_groups", headers=h, json=[
            {"campaign_id": cid, "name": f"g{g}", "status": "ACTIVE", "billable_event": "CLICKTHROUGH",
             "bid_strategy_type": "AUTOMATIC_BID", "budget_in_micro_currency": 500 * 1_000_000,
             "budget_type": "DAILY", "start_time": start,
             "targeting_spec": {"GENDER": ["female", "male"], "AGE_BUCKET": ["25-34", "35-44"], "LOCATION": ["US"]}}
            for g in range(groups_per)]).json()["items"]
        for g in groups:
            r = c.post(f"/v5/ad_accounts/{acct}/ads", headers=h, json=[
                {"ad_group_id": g["data"]["id"], "creative_type": "REGULAR", "pin_id": pins[k],
                 "status": "ACTIVE", "name": f"a{k}"} for k in range(per_group)])
            assert r.status_code == 200 and all("exceptions" not in x for x in r.json()["items"]), r.text
    return acct, campaign_ids


def timed_pair(a, b, runs: int) -> tuple[float, float]:
    """Median ms of `a` and of `b`, run alternately (a, b, a, b, ...) after one warm-up each, so that a change
    in the machine's load touches both alike."""
    a()
    b()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, out in ((a, samples[0]), (b, samples[1])):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return statistics.median(samples[0]) * 1000, statistics.median(samples[1]) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ads", type=int, default=2000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--out", default=str(ROOT / "docs" / "benchmarks.md"))
    ap.add_argument("--data", help="data directory; with --keep, a later run reuses its entities and facts "
                                   "(the simulation figure is then the first run's)")
    ap.add_argument("--keep", action="store_true", help="keep the data directory for another run")
    args = ap.parse_args()

    import json
    import shutil

    data = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="pinsandbox-bench-"))
    marker = data / "bench-analytics.json"
    store = Store(Settings(data_dir=data))
    app = create_app(store=store)
    now = dt.datetime(2026, 6, 30, tzinfo=dt.timezone.utc)
    with TestClient(app) as c:
        c.put("/_sandbox/clock", json={"now": now.isoformat(), "frozen": True})
        tok = c.post("/_sandbox/tokens", json={"username": "bench", "scopes": "all"})
        token = tok.json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}
        if marker.exists():  # a kept run: same entities, same facts
            kept = json.loads(marker.read_text())
            acct, campaign_ids, sim_s = kept["account"], kept["campaigns"], kept["sim_s"]
        else:
            acct, campaign_ids = build(c, h, args.ads)
            n_ads = store.facts  # open the fact store before timing
            t = time.perf_counter()
            simulate(store, start=now - dt.timedelta(days=args.days), end=now, seed=7)
            sim_s = time.perf_counter() - t
            del n_ads
            marker.write_text(json.dumps({"account": acct, "campaigns": campaign_ids, "sim_s": sim_s}))
        rows = store.facts.fetch("SELECT (SELECT count(*) FROM delivery), (SELECT count(*) FROM conversions)")[0]

        end = (now - dt.timedelta(days=1)).date()
        start = end - dt.timedelta(days=89)
        cols = "SPEND_IN_MICRO_DOLLAR,PAID_IMPRESSION,CTR,TOTAL_CLICKTHROUGH,TOTAL_CONVERSIONS"
        params = {"start_date": start.isoformat(), "end_date": end.isoformat(), "granularity": "DAY",
                  "columns": cols, "campaign_ids": ",".join(campaign_ids)}

        def endpoint():
            r = c.get(f"/v5/ad_accounts/{acct}/campaigns/analytics", params=params, headers=h)
            assert r.status_code == 200, r.text

        lo = dt.datetime.combine(start, dt.time())
        hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
        ids = [int(x) for x in campaign_ids]
        marks = ",".join("?" for _ in ids)
        raw_sql = (
            "WITH d AS (SELECT campaign_id, CAST(hour AS DATE) AS day, SUM(spend_micro) s, SUM(impression_1) i, "
            "SUM(clickthrough_1) c1, SUM(clickthrough_2) c2 FROM delivery WHERE ad_account_id = ? AND hour >= ? "
            f"AND hour < ? AND campaign_id IN ({marks}) GROUP BY ALL), "
            # conversions: those attributed at ingest, plus of each Conversions API event's candidate actions
            # (rows sharing a conversion_key) the best one the windows allow — the engine's rule
            "w AS (SELECT * FROM conversions WHERE ad_account_id = ? AND conversion_time <= ? "
            "AND ((action_type = 'CLICK' AND conversion_time <= action_time + INTERVAL 30 DAY) "
            "OR (action_type = 'ENGAGEMENT' AND conversion_time <= action_time + INTERVAL 30 DAY) "
            "OR (action_type = 'VIEW' AND conversion_time <= action_time + INTERVAL 1 DAY))), "
            "cv AS (SELECT campaign_id, CAST(action_time AS DATE) AS day, count(*) n FROM ("
            "SELECT campaign_id, action_time FROM w WHERE conversion_key IS NULL UNION ALL "
            "SELECT campaign_id, action_time FROM w WHERE conversion_key IS NOT NULL QUALIFY row_number() OVER ("
            "PARTITION BY conversion_key ORDER BY CASE action_type WHEN 'CLICK' THEN 0 WHEN 'ENGAGEMENT' THEN 1 "
            "ELSE 2 END, action_time DESC, ad_id) = 1) "
            f"WHERE action_time >= ? AND action_time < ? AND campaign_id IN ({marks}) GROUP BY ALL) "
            "SELECT campaign_id, day, s, i, c1 / NULLIF(i, 0), c1 + c2, coalesce(n, 0) FROM d "
            "LEFT JOIN cv USING (campaign_id, day) ORDER BY campaign_id, day")
        raw_params = [int(acct), lo, hi, *ids, int(acct), now.replace(tzinfo=None), lo, hi, *ids]

        def raw():
            store.facts.fetch(raw_sql, raw_params)

        tparams = {**params, "granularity": "TOTAL", "targeting_types": "GENDER,AGE_BUCKET", "columns":
                   "SPEND_IN_MICRO_DOLLAR,PAID_IMPRESSION,CTR"}

        def t_endpoint():
            r = c.get(f"/v5/ad_accounts/{acct}/campaigns/targeting_analytics", params=tparams, headers=h)
            assert r.status_code == 200, r.text

        t_sql = " UNION ALL ".join(
            f"SELECT '{t}', campaign_id, {col} AS v, SUM(spend_micro), SUM(impression_1), "
            f"SUM(clickthrough_1) / NULLIF(SUM(impression_1), 0) FROM delivery WHERE ad_account_id = ? AND hour >= ? "
            f"AND hour < ? AND campaign_id IN ({marks}) AND {col} IS NOT NULL GROUP BY campaign_id, {col}"
            for t, col in (("GENDER", "gender"), ("AGE_BUCKET", "age_bucket")))
        t_params = [int(acct), lo, hi, *ids] * 2

        def t_raw():
            store.facts.fetch(t_sql, t_params)

        results = {}
        for name, e, r in (("campaign analytics, DAY, 90 days, 50 campaigns", endpoint, raw),
                           ("campaign targeting analytics (GENDER, AGE_BUCKET), TOTAL, 90 days", t_endpoint, t_raw)):
            e_ms, r_ms = timed_pair(e, r, args.runs)
            results[name] = (e_ms, r_ms)
    store.dispose()
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)

    cmd = "python bench/analytics.py " + " ".join(sys.argv[1:])
    lines = ["## Reporting engine (issue 4)", "",
             f"Command: `{cmd.strip()}` — {dt.date.today().isoformat()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}, {platform.machine()}.", "",
             f"Simulation: {args.days} days hourly for {args.ads} ads: {rows[0]:,} delivery rows + {rows[1]:,} "
             f"conversion rows in {sim_s:.1f} s = **{(rows[0] + rows[1]) / sim_s:,.0f} rows/s**.", "",
             "| query | endpoint (median ms) | raw DuckDB (median ms) | ratio | target ≤ 1.3 × raw + 5 ms |",
             "|---|---:|---:|---:|---|"]
    for name, (e_ms, r_ms) in results.items():
        ok = e_ms <= 1.3 * r_ms + 5
        lines.append(f"| {name} | {e_ms:.1f} | {r_ms:.1f} | {e_ms / r_ms:.2f} | {'met' if ok else 'missed'} |")
    lines += ["", "Endpoint = the whole request through the ASGI app in process (parameter checks, access, "
              "id checks, query, JSON); raw = the same aggregation as one hand-written DuckDB query on the same "
              "facts (conversions by the engine's rule: attributed at ingest, or the best candidate of a Conversions API event). Medians of the runs, endpoint and raw alternating, after one warm-up each.", ""]
    section = "\n".join(lines)
    print(section)
    out = Path(args.out)
    text = out.read_text() if out.exists() else "# Benchmarks\n\n"
    pattern = re.compile(r"## Reporting engine \(issue 4\).*?(?=\n## |\Z)", re.S)
    text = pattern.sub(section.rstrip() + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    out.write_text(text)


if __name__ == "__main__":
    main()

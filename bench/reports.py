"""Async report writer benchmark (issue 5): time against DuckDB's own COPY, and peak memory.

    .venv/bin/python bench/reports.py [--ads 2000] [--days 365] [--runs 3] [--data DIR]

1. Builds one ad account with 2,000 ads through the API (as bench/analytics.py does: 50 campaigns x 2 ad
   groups) and simulates `--days` of hourly delivery for them (skipped when `--data` names a directory a
   previous run left, with `--keep`).
2. Time: a `--days`-long, AD-level (PIN_PROMOTION), DAY, CSV report (`reporting.export.write`: the
   compiled query, the ad names joined, zero rows dropped, display-name headers, zero-filled, written
   by DuckDB's COPY) against DuckDB's own `COPY (<the compiled query>) TO ... (HEADER)` of the same
   statement, in the same run: medians after a warm-up. Target: <= 1.5 x. Also the JSON report, and one
   report through the API (a template report, since direct reports stop at 186 days: POST, then
   POST /_sandbox/jobs/run, poll, download).
3. Peak memory: one fresh subprocess per report size (a quarter, half and all of the days) writes the report
   (CSV, then JSON in another process); it prints its resident-memory high-water mark above its
   baseline (store open, one small query run) and Python's peak allocations (tracemalloc) while writing.
   Target: independent of the report's size. Reports run in the fact store's batch engine (its own
   DuckDB, memory limit PINSANDBOX_BATCH_MEMORY_LIMIT, default 256MB); DuckDB's COPY baseline runs there too.
Prints the figures (docs/benchmarks.md is written by hand from them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

NOW = dt.datetime(2026, 6, 30, tzinfo=dt.timezone.utc)
COLUMNS = ["AD_NAME", "SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "TOTAL_CLICKTHROUGH", "CTR", "CPC_IN_MICRO_DOLLAR",
           "OUTBOUND_CLICK_1", "TOTAL_ENGAGEMENT", "TOTAL_CONVERSIONS", "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"]


def _chunks(items: list, n: int = 30) -> list[list]:
    return [items[i:i + n] for i in range(0, len(items), n)]


def build(c, h: dict, n_ads: int) -> str:
    """One ad account: 50 campaigns x 2 ad groups x (ads / 100) ads, as bench/analytics.py builds them (in
    batches of at most 30 items, the API's limit)."""
    def post(path: str, items: list[dict]) -> list[dict]:
        out = []
        for chunk in _chunks(items):
            r = c.post(path, headers=h, json=chunk)
            assert r.status_code == 200, r.text
            failed = [x["exceptions"] for x in r.json()["items"] if x.get("exceptions")]
            assert not failed, failed[0]
            out += [x["data"] for x in r.json()["items"]]
        return out

    acct = c.post("/v5/ad_accounts", json={"name": "Bench", "country": "US"}, headers=h).json()["id"]
    board = c.post("/v5/boards", json={"name": "Bench"}, headers=h).json()["id"]
    per_group = max(1, n_ads // 100)
    # one Pin per ad of a group (an ad group promotes a Pin once)
    pins = [c.post("/v5/pins", json={"board_id": board, "title": f"p{i}", "link": f"https://ex.com/{i}",
                                      "media_source": {"source_type": "image_url", "url": f"https://ex.com/{i}.jpg"}},
                   headers=h).json()["id"] for i in range(max(10, per_group))]
    start = int(dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc).timestamp())
    camps = post(f"/v5/ad_accounts/{acct}/campaigns", [
        {"ad_account_id": acct, "name": f"c{i}", "objective_type": "CONSIDERATION", "status": "ACTIVE",
         "start_time": start} for i in range(50)])
    groups = post(f"/v5/ad_accounts/{acct}/ad_groups", [
        {"campaign_id": cp["id"], "name": f"g{g}", "status": "ACTIVE", "billable_event": "CLICKTHROUGH",
         "bid_strategy_type": "AUTOMATIC_BID", "budget_in_micro_currency": 500 * 1_000_000, "budget_type": "DAILY",
         "start_time": start,
         "targeting_spec": {"GENDER": ["female", "male"], "AGE_BUCKET": ["25-34", "35-44"], "LOCATION": ["US"]}}
        for cp in camps for g in range(2)])
    post(f"/v5/ad_accounts/{acct}/ads", [
        {"ad_group_id": g["id"], "creative_type": "REGULAR", "pin_id": pins[k % len(pins)], "status": "ACTIVE",
         "name": f"a{n}-{k}"} for n, g in enumerate(groups) for k in range(per_group)])
    return acct


def _params(days: int, fmt: str) -> dict:
    end = (NOW - dt.timedelta(days=1)).date()
    start = end - dt.timedelta(days=days - 1)
    return {"level": "PIN_PROMOTION", "granularity": "DAY", "columns": COLUMNS, "start_date": start.isoformat(),
            "end_date": end.isoformat(), "report_format": fmt, "as_of": NOW.isoformat()}


def _plan(store, acct: int, days: int, fmt: str):
    import sqlalchemy as sa

    from pinsandbox.ads.reports import service
    from pinsandbox.core.tables import ad_accounts

    with store.read() as conn:
        account = conn.execute(sa.select(ad_accounts).where(ad_accounts.c.id == acct)).one()
        spec = service.spec_of(conn, account, _params(days, fmt))
        lookups = service.lookups_of(conn, account, spec)
    return spec, lookups


def raw_copy(store, spec, path: Path) -> int:
    """DuckDB's own COPY of the compiled query the report wraps (same level, range, metrics, windows)."""
    from pinsandbox.reporting import export
    from pinsandbox.reporting.catalog import CATALOG
    from pinsandbox.reporting.query import AnalyticsQuery, compile_query

    level = export.LEVELS[spec.level]
    metrics = [c for c in spec.columns if CATALOG[c].kind == "metric"]
    q = AnalyticsQuery(ad_account_id=spec.ad_account_id, level=level.query_level, start=spec.start, end=spec.end,
                       granularity=spec.granularity, metrics=metrics, now=spec.now)
    c = compile_query(q)
    # Where reports run (the batch engine, its memory limit; the main engine if the query does not fit it):
    # the same engine on both sides.
    return export.in_batch_engine(store.facts, lambda cur: export.copy_csv(cur, c.sql, c.params, path))


def _rss() -> int:
    """Current resident set size, bytes (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(args: argparse.Namespace) -> None:
    """One report in a fresh process: how far resident memory rises above where it was while writing it
    (sampled every 2 ms), and Python's own peak allocations."""
    import threading
    import tracemalloc

    from pinsandbox.core.store import Store
    from pinsandbox.reporting import export
    from pinsandbox.settings import Settings

    store = Store(Settings(data_dir=Path(args.data)), migrate=False)
    raw = args.format == "RAW"  # DuckDB's own COPY of the compiled query, for comparison
    spec, lookups = _plan(store, args.account, args.days, "CSV" if raw else args.format)
    store.facts.fetch("SELECT count(*) FROM delivery WHERE ad_id = 0")  # open the facts, warm the engines
    store.facts.batch_cursor().execute("SELECT count(*) FROM delivery WHERE ad_id = 0").fetchall()
    base = _rss()
    peak = [base]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.002)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    tracemalloc.start()
    t = time.perf_counter()
    if raw:
        w = export.Written(Path(args.out), 0, raw_copy(store, spec, Path(args.out)))
        w.size = Path(args.out).stat().st_size
    else:
        w = export.write(store.facts, spec, Path(args.out), lookups)
    seconds = time.perf_counter() - t
    _, py_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    done.set()
    sampler.join()
    print(json.dumps({"rows": w.rows, "bytes": w.size, "seconds": seconds, "baseline_mb": base / 2**20,
                      "fallbacks": _Fallbacks.count,
                      "peak_mb": peak[0] / 2**20, "above_baseline_mb": (peak[0] - base) / 2**20,
                      "python_peak_mb": py_peak / 2**20,
                      "high_water_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    store.dispose()


def memory(data: Path, account: int, days: int, fmt: str) -> dict:
    out = Path(tempfile.mkdtemp(prefix="pinsandbox-report-")) / f"report.{'json' if fmt == 'JSON' else 'csv'}"
    cmd = [sys.executable, __file__, "--child", "--data", str(data), "--account", str(account), "--days", str(days),
           "--format", fmt, "--out", str(out)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    shutil.rmtree(out.parent, ignore_errors=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


class _Fallbacks:
    """Counts reports written in the main engine because they did not fit the batch engine's limit."""

    count = 0

    @classmethod
    def install(cls) -> None:
        import logging

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                if "did not fit the batch engine" in record.getMessage():
                    cls.count += 1

        logging.getLogger("pinsandbox.reports").addHandler(Handler())


def main() -> None:
    _Fallbacks.install()
    ap = argparse.ArgumentParser()
    ap.add_argument("--ads", type=int, default=2000)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data", help="data directory (reused when it holds a previous run's facts, with --keep)")
    ap.add_argument("--keep", action="store_true", help="keep the data directory for another run")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--account", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--format", default="CSV", help=argparse.SUPPRESS)
    ap.add_argument("--out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args)
        return

    from fastapi.testclient import TestClient

    from pinsandbox.app import create_app
    from pinsandbox.core.store import Store
    from pinsandbox.reporting import export
    from pinsandbox.reporting.facts import BATCH_MEMORY_LIMIT
    from pinsandbox.reporting.simulator import simulate
    from pinsandbox.settings import Settings

    data = Path(args.data) if args.data else Path(tempfile.mkdtemp(prefix="pinsandbox-bench-reports-"))
    marker = data / "bench-reports.json"
    store = Store(Settings(data_dir=data))
    app = create_app(store=store)
    with TestClient(app) as c:
        c.put("/_sandbox/clock", json={"now": NOW.isoformat(), "frozen": True})
        token = c.post("/_sandbox/tokens", json={"username": "bench", "scopes": "all"}).json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}
        if marker.exists():
            info = json.loads(marker.read_text())
            acct, sim_s = info["account"], None
        else:
            t = time.perf_counter()
            acct = build(c, h, args.ads)
            build_s = time.perf_counter() - t
            t = time.perf_counter()
            simulate(store, start=NOW - dt.timedelta(days=args.days), end=NOW, seed=7)
            sim_s = time.perf_counter() - t
            marker.write_text(json.dumps({"account": acct, "build_s": build_s, "sim_s": sim_s}))
        acct = int(acct)
        n_ads, n_delivery = store.facts.fetch(
            "SELECT count(DISTINCT ad_id), count(*) FROM delivery WHERE ad_account_id = ?", [acct])[0]

        tmp = Path(tempfile.mkdtemp(prefix="pinsandbox-report-"))
        spec, lookups = _plan(store, acct, args.days, "CSV")
        jspec, jlookups = _plan(store, acct, args.days, "JSON")
        results: dict[str, list[float]] = {"report": [], "raw": [], "json": []}
        rows = {}

        def timed(name: str, fn) -> None:
            t = time.perf_counter()
            rows[name] = fn()
            results[name].append(time.perf_counter() - t)

        # warm-up once each, then alternate so both see the same cache state
        export.write(store.facts, spec, tmp / "warm.csv", lookups)
        raw_copy(store, spec, tmp / "warm-raw.csv")
        for _ in range(args.runs):
            timed("report", lambda: export.write(store.facts, spec, tmp / "report.csv", lookups).rows)
            timed("raw", lambda: raw_copy(store, spec, tmp / "raw.csv"))
            timed("json", lambda: export.write(store.facts, jspec, tmp / "report.json", jlookups).rows)
        sizes = {"report": (tmp / "report.csv").stat().st_size, "raw": (tmp / "raw.csv").stat().st_size,
                 "json": (tmp / "report.json").stat().st_size}

        # one report through the API: a template (reports over 186 days are template reports)
        r = c.post(f"/_sandbox/ad_accounts/{acct}/templates", json={
            "name": "bench", "report_level": "PIN_PROMOTION", "columns": COLUMNS, "granularity": "DAY",
            "report_format": "CSV", "date_range": {"relative_date_range": {
                "type": "relative", "start_days_in_past": args.days, "end_days_in_past": 1}}})
        assert r.status_code == 200, r.text
        t = time.perf_counter()
        created = c.post(f"/v5/ad_accounts/{acct}/templates/{r.json()['id']}/reports", headers=h).json()
        c.post("/_sandbox/jobs/run")
        got = c.get(f"/v5/ad_accounts/{acct}/reports", params={"token": created["token"]}, headers=h).json()
        body = c.get(got["url"])
        api_s = time.perf_counter() - t
        assert got["report_status"] == "FINISHED" and len(body.content) == got["size"], got
    store.dispose()

    lengths = sorted({max(1, args.days // 4), max(1, args.days // 2), args.days})
    mem = {(fmt, d): memory(data, acct, d, fmt) for fmt in ("CSV", "JSON", "RAW") for d in lengths}
    shutil.rmtree(tmp, ignore_errors=True)
    if not args.keep and not args.data:
        shutil.rmtree(data, ignore_errors=True)

    med = {k: statistics.median(v) for k, v in results.items()}
    print(f"## Async reports (issue 5)\n\nCommand: `python bench/reports.py {' '.join(sys.argv[1:])}` — "
          f"{dt.date.today().isoformat()}, {os.cpu_count()} cores, Python {platform.python_version()}.\n")
    print(f"Facts: {n_ads:,} ads with delivery, {n_delivery:,} hourly delivery rows"
          + (f" (simulated in {sim_s:.0f} s)" if sim_s else " (reused)") + ".")
    print(f"Report: {args.days} days, AD level (PIN_PROMOTION), DAY, {len(COLUMNS)} columns "
          f"({', '.join(COLUMNS)}); {rows['report']:,} rows.\n")
    print("| what | median s | runs (s) | file |")
    print("|---|---:|---|---:|")
    for name, label in (("report", "CSV report (reporting.export.write)"),
                        ("raw", "DuckDB COPY of the same compiled query"),
                        ("json", "JSON report (record-batch streaming)")):
        runs = " · ".join(f"{x:.2f}" for x in results[name])
        print(f"| {label} | {med[name]:.2f} | {runs} | {sizes[name] / 2**20:.1f} MiB |")
    ratio = med["report"] / med["raw"]
    print(f"\nBatch engine memory limit: {os.environ.get('PINSANDBOX_BATCH_MEMORY_LIMIT') or BATCH_MEMORY_LIMIT}; "
          f"writes that fell back to the main engine in the timing process (warm-ups and timed runs, reports and "
          f"COPY alike): {_Fallbacks.count}.")
    print(f"\nCSV report / DuckDB COPY = **{ratio:.2f}x** (target <= 1.5x: {'met' if ratio <= 1.5 else 'missed'}).")
    print(f"Through the API (template report: POST, jobs/run, poll, download): {api_s:.2f} s.\n")
    print("| format | days | rows | file | write s | peak RSS above the start of the write | Python peak (tracemalloc) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for (fmt, d), m in mem.items():
        fmt = "DuckDB COPY of the compiled query" if fmt == "RAW" else fmt
        engine = " (fell back to the main engine)" if m.get("fallbacks") else ""
        print(f"| {fmt} | {d} | {m['rows']:,} | {m['bytes'] / 2**20:.1f} MiB | {m['seconds']:.2f} | "
              f"{m['above_baseline_mb']:.0f} MiB (baseline {m['baseline_mb']:.0f} MiB){engine} | "
              f"{m['python_peak_mb']:.1f} MiB |")


if __name__ == "__main__":
    main()

"""`pinsandbox serve --workers N` and `pinsandbox worker`, as processes: the server's own workers finish a
report after the minimum processing time; with `--workers 0` reports wait until a `pinsandbox worker`
process on the same data dir runs them; the worker stops cleanly on SIGTERM; bad options are refused."""

from __future__ import annotations

import subprocess
import time

import httpx

from tests.cli.test_cli import PINSANDBOX, free_port
from tests.storage.test_jobs_processes import Proc, serve

MMM = {"report_name": "cli", "start_date": "2026-01-01", "end_date": "2026-01-07", "granularity": "DAY",
       "level": "CAMPAIGN_TARGETING", "targeting_types": ["GENDER"], "columns": ["SPEND_IN_DOLLAR"]}
NOW = "2026-02-01T12:00:00Z"  # the sandbox clock (running) MMM's dates are checked against, not the real date
TIMEOUT = 30  # seconds for one request (httpx's default, 5 s, is short for a busy CI machine)


def _setup(base: str) -> tuple[dict[str, str], str]:
    assert httpx.put(f"{base}/_sandbox/clock", json={"now": NOW}, timeout=TIMEOUT).status_code == 200
    tok = httpx.post(f"{base}/_sandbox/tokens", json={"username": "cli"}, timeout=TIMEOUT).json()["access_token"]
    h = {"Authorization": f"Bearer {tok}"}
    r = httpx.post(f"{base}/v5/ad_accounts", json={"name": "CLI", "country": "US"}, headers=h, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return h, r.json()["id"]


def _create(base: str, h: dict[str, str], acct: str) -> str:
    r = httpx.post(f"{base}/v5/ad_accounts/{acct}/mmm_reports", json=MMM, headers=h, timeout=TIMEOUT)
    assert r.status_code == 200, r.text
    return r.json()["data"]["token"]


def _status(base: str, h: dict[str, str], acct: str, token: str) -> dict:
    return httpx.get(f"{base}/v5/ad_accounts/{acct}/mmm_reports", params={"token": token}, headers=h,
                     timeout=TIMEOUT).json()["data"]


def test_serve_workers_finish_reports_after_the_minimum_time(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    min_seconds = 2.5
    proc = serve(tmp_path, port, {"PINSANDBOX_JOB_MIN_SECONDS": str(min_seconds)}, "--workers", "2")
    try:
        h, acct = _setup(base)
        t0 = time.time()
        seen: dict[str, list[str]] = {}
        for _ in range(3):  # each polled as soon as it is created: well inside its minimum time
            token = _create(base, h, acct)
            seen[token] = [_status(base, h, acct, token)["report_status"]]
        tokens = list(seen)
        while time.time() - t0 < 60:
            for t in tokens:
                seen[t].append(_status(base, h, acct, t)["report_status"])
            if all(s[-1] == "FINISHED" for s in seen.values()):
                break
            time.sleep(0.1)
        took = time.time() - t0
        assert all(s[0] == "IN_PROGRESS" and s[-1] == "FINISHED" for s in seen.values()), seen
        assert took >= min_seconds - 0.1  # never before the minimum processing time
        jobs = httpx.get(f"{base}/_sandbox/jobs", timeout=TIMEOUT).json()["items"]
        assert {j["status"] for j in jobs} == {"FINISHED"}
        assert all("/w" in j["worker"] for j in jobs)  # run by the server's own worker threads
        url = _status(base, h, acct, tokens[0])["url"]
        assert httpx.get(url, timeout=TIMEOUT).status_code == 200
    finally:
        proc.stop()


def test_serve_without_workers_leaves_jobs_to_a_worker_process(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {"PINSANDBOX_JOB_MIN_SECONDS": "0"}
    proc = serve(tmp_path, port, env, "--workers", "0")
    worker = None
    try:
        h, acct = _setup(base)
        token = _create(base, h, acct)
        time.sleep(1.5)
        assert _status(base, h, acct, token)["report_status"] == "IN_PROGRESS"
        job = httpx.get(f"{base}/_sandbox/jobs/{token}", timeout=TIMEOUT).json()
        assert job["status"] == "QUEUED"  # nobody runs it
        worker = Proc(["worker", "--data-dir", str(tmp_path), "--concurrency", "1"], env)
        worker.wait_for("pinsandbox worker")
        deadline = time.time() + 90
        while time.time() < deadline and _status(base, h, acct, token)["report_status"] != "FINISHED":
            time.sleep(0.1)
        data = _status(base, h, acct, token)
        assert data["report_status"] == "FINISHED", worker.output()
        job = httpx.get(f"{base}/_sandbox/jobs/{token}", timeout=TIMEOUT).json()
        assert job["worker"].split(":")[1] == str(worker.popen.pid)  # the worker process ran it
        r = httpx.get(data["url"], timeout=TIMEOUT)  # and the server serves the file it wrote
        assert r.status_code == 200 and r.text.startswith("DATE,CAMPAIGN_ID,")
        worker.popen.terminate()  # SIGTERM: stop claiming, finish, exit 0
        assert worker.popen.wait(30) == 0
        assert "stopping" in worker.output()
    finally:
        if worker is not None:
            worker.stop()
        proc.stop()


def test_worker_refuses_unknown_kinds_and_unreachable_databases(tmp_path):
    bad = subprocess.run([*PINSANDBOX, "worker", "--data-dir", str(tmp_path), "--kinds", "mmm_report,teleport"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "unknown job kind(s) teleport" in bad.stderr
    down = subprocess.run([*PINSANDBOX, "worker", "--database-url", "postgresql://nobody@127.0.0.1:1/none"],
                          capture_output=True, text=True, timeout=120)
    assert down.returncode == 2 and "cannot open the state database" in down.stderr
    bad = subprocess.run([*PINSANDBOX, "serve", "--workers", "-1", "--data-dir", str(tmp_path)],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "--workers" in bad.stderr


def test_sigterm_lets_the_servers_running_jobs_finish(tmp_path):
    from pinsandbox.core.store import Store
    from pinsandbox.jobs import service as jobs
    from pinsandbox.settings import Settings
    from tests.storage.test_jobs_processes import wait_job

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = serve(tmp_path, port, {"PINSANDBOX_JOB_MIN_SECONDS": "60"}, "--workers", "1")
    try:
        h, acct = _setup(base)
        token = _create(base, h, acct)
        wait_job(base, token, {"RUNNING"}, timeout=45)  # held for its 60 s minimum
        proc.popen.terminate()
        proc.popen.wait(30)
    finally:
        proc.stop()
    store = Store(Settings(data_dir=tmp_path))
    try:
        with store.read() as conn:
            job = jobs.get(conn, token, now=store.clock.now())
        assert job.status == jobs.FINISHED and job.attempts == 1  # not left to a lapsing lease
    finally:
        store.dispose()

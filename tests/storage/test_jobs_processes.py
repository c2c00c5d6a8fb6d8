"""The job runner across threads and processes, for real:

- concurrent claims from many threads take each job exactly once (SQLite: BEGIN IMMEDIATE; PostgreSQL:
  FOR UPDATE SKIP LOCKED);
- `pinsandbox serve` killed with SIGKILL while an async report is RUNNING (SQLite and PostgreSQL): after a
  restart the job is claimed again once its lease lapses and FINISHES (or, with no attempts left, is FAILED
  "worker died ...") — never left IN_PROGRESS;
- two `pinsandbox worker` processes against one PostgreSQL database share many queued jobs, and each job runs
  exactly once (one claim, one result file).

PostgreSQL: 127.0.0.1:5432 (see tests/storage/test_restart.py: a fresh database per test, dropped
afterwards); skipped with the reason when no server answers.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from pinsandbox.app import create_app
from pinsandbox.core.store import Store
from pinsandbox.jobs import service as jobs
from pinsandbox.jobs.service import JobContext, JobResult
from pinsandbox.jobs.tables import jobs as jobs_table
from pinsandbox.settings import Settings
from tests import factories as f
from tests.factories import bearer
from tests.databases import fresh_database as _database

PINSANDBOX = [sys.executable, "-m", "pinsandbox.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proc:
    """A pinsandbox subprocess whose output is collected by a thread (so its pipe never fills)."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.popen = subprocess.Popen([*PINSANDBOX, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True, env={**os.environ, "COLUMNS": "200", **env})
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.popen.stdout:
            self.lines.append(line)

    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(text in line for line in self.lines):
                return
            if self.popen.poll() is not None:
                raise AssertionError(f"process ended ({self.popen.returncode}):\n{self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"{text!r} not seen in:\n{self.output()}")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(10)


def serve(data_dir: Path, port: int, env: dict[str, str], *extra: str) -> Proc:
    proc = Proc(["serve", "--port", str(port), "--data-dir", str(data_dir), *extra], env)
    deadline = time.time() + 180  # a loaded 2-core CI machine starts slowly
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_sandbox/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
        if proc.popen.poll() is not None:
            raise AssertionError(proc.output())
    proc.stop()
    raise AssertionError(f"server did not start:\n{proc.output()}")


def wait_job(base: str, job_id: str, statuses: set[str], timeout: float = 60) -> dict:
    deadline = time.time() + timeout
    job = None
    while time.time() < deadline:
        job = httpx.get(f"{base}/_sandbox/jobs/{job_id}", timeout=5).json()
        if job["status"] in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job never reached {statuses}: {job}")


# -- claims under contention ---------------------------------------------------------------------------------
def _count(ctx: JobContext) -> JobResult:
    path = ctx.result_file(".txt")
    path.write_text(ctx.job.id)
    return JobResult(path=path)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_concurrent_claims_take_each_job_once(kind, tmp_path):
    jobs.register("t_count", _count)
    try:
        with _database(kind, tmp_path) as settings:
            store = Store(settings)
            try:
                now = store.clock.now()
                with store.write() as conn:
                    ids = {jobs.submit(conn, kind="t_count", ad_account_id=None, params={}, now=now).id
                           for _ in range(60)}
                claimed: list[str] = []
                lock = threading.Lock()

                def claimer(n: int) -> None:
                    while (job := jobs.claim(store, worker=f"t{n}", kinds=["t_count"])) is not None:
                        with lock:
                            claimed.append(job.id)
                        jobs.execute(store, job, worker=f"t{n}", hold=False)

                threads = [threading.Thread(target=claimer, args=(n,)) for n in range(8)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join(120)
                assert sorted(claimed) == sorted(ids)
                with store.read() as conn:
                    rows = conn.execute(sa.select(jobs_table.c.status, jobs_table.c.attempts)).all()
                assert {(r.status, r.attempts) for r in rows} == {("FINISHED", 1)}
            finally:
                store.dispose()
    finally:
        jobs._HANDLERS.pop("t_count", None)


# -- kill -9 -----------------------------------------------------------------------------------------------
REPORT_COLUMNS = ["SPEND_IN_MICRO_DOLLAR", "PAID_IMPRESSION", "TOTAL_CLICKTHROUGH", "TOTAL_CONVERSIONS"]


def _report_world(c: httpx.Client) -> dict:
    """A campaign with two ads and a week of delivery (and conversions) ending yesterday (real clock)."""
    tok = f.token(c, "kim")
    acct = f.ad_account(c, tok, name="Kill")["id"]
    camp = f.campaign(c, tok, acct, name="Killed mid-report")["id"]
    group = f.ad_group(c, tok, acct, camp)["id"]
    board = f.board(c, tok)["id"]
    ads = []
    for _ in range(2):
        r = c.post(f"/v5/ad_accounts/{acct}/ads", headers=bearer(tok), json=[{
            "ad_group_id": group, "creative_type": "REGULAR", "pin_id": f.pin(c, tok, board)["id"]}])
        assert r.status_code == 200, r.text
        ads.append(r.json()["items"][0]["data"]["id"])
    today = dt.datetime.now(dt.timezone.utc).date()
    days = [today - dt.timedelta(days=n) for n in range(7, 0, -1)]
    rows = [{"ad_id": ad, "hour": f"{d.isoformat()}T{10 + i}:00:00Z", "impression_1": 100 * (n + 1) + i,
             "clickthrough_1": n + i, "spend_micro": (n + 1) * 250_000 * (i + 1), "gender": "female"}
            for n, d in enumerate(days) for i, ad in enumerate(ads)]
    r = c.post("/_sandbox/facts", json={"table": "delivery", "rows": rows})
    assert r.status_code == 200, r.text
    r = c.post("/_sandbox/facts", json={"table": "conversions", "rows": [
        {"ad_id": ads[0], "action_type": "CLICK", "action_time": f"{days[2].isoformat()}T11:00:00Z",
         "conversion_time": f"{days[2].isoformat()}T15:00:00Z", "event_type": "CHECKOUT", "value_micro": 9_000_000}]})
    assert r.status_code == 200, r.text
    return {"h": bearer(tok), "acct": acct, "camp": camp, "start": days[0].isoformat(), "end": days[-1].isoformat()}


def _job_row(settings: Settings, job_id: str):
    """The job's row, read straight from the state database (not through the server)."""
    engine = sa.create_engine(settings.resolved_database_url())
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(jobs_table).where(jobs_table.c.id == job_id)).one()
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
@pytest.mark.parametrize("max_attempts, outcome", [(3, "FINISHED"), (1, "FAILED")])
def test_a_report_running_when_the_server_is_killed_ends_after_restart(tmp_path, kind, max_attempts, outcome):
    """An async report (POST /v5/ad_accounts/{id}/reports) is RUNNING in `pinsandbox serve` — its worker
    holds it for the minimum processing time (10 s), heartbeating — when the server is killed with
    SIGKILL. After a restart the lease (3 s) lapses and the job is taken up again and FINISHES (its
    file downloads, with the numbers of sync analytics), or with no attempts left is FAILED with the
    reason; polling never sees it IN_PROGRESS past a bounded wait. The kill lands after the worker claimed
    the job: while it writes the file or while it holds the written file for the minimum time. Either way
    the row says RUNNING, held by the killed process (checked before and after the kill)."""
    env = {"PINSANDBOX_JOB_MIN_SECONDS": "10", "PINSANDBOX_JOB_LEASE_SECONDS": "3",
           "PINSANDBOX_JOB_MAX_ATTEMPTS": str(max_attempts)}
    with _database(kind, tmp_path) as settings:
        data_dir = settings.data_dir
        extra = ["--workers", "1"] + (["--database-url", settings.database_url] if settings.database_url else [])
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        proc = serve(data_dir, port, env, *extra)
        try:
            with httpx.Client(base_url=base, timeout=30) as c:
                w = _report_world(c)
                body = {"level": "CAMPAIGN", "granularity": "DAY", "columns": REPORT_COLUMNS,
                        "start_date": w["start"], "end_date": w["end"]}
                r = c.post(f"/v5/ad_accounts/{w['acct']}/reports", json=body, headers=w["h"])
                assert r.status_code == 200, r.text
                token = r.json()["token"]
                poll_url = f"/v5/ad_accounts/{w['acct']}/reports"
                first = wait_job(base, token, {"RUNNING"}, timeout=10)
                # really running, in this very process, before the kill
                row = _job_row(settings, token)
                assert (row.status, row.attempts) == ("RUNNING", 1), row
                assert row.worker.split(":")[1] == str(proc.popen.pid)
                assert row.lease_until > time.time() * 1000
                assert c.get(poll_url, params={"token": token}, headers=w["h"]).json() == {
                    "report_status": "IN_PROGRESS", "url": None, "size": None}
                proc.popen.kill()  # SIGKILL: no cleanup of any kind
                proc.popen.wait(10)
                assert _job_row(settings, token).status == "RUNNING"  # left as the dead process left it
                proc = serve(data_dir, port, env, *extra)

                seen = set()
                deadline = time.time() + 90
                while time.time() < deadline:
                    polled = c.get(poll_url, params={"token": token}, headers=w["h"]).json()
                    seen.add(polled["report_status"])
                    if polled["report_status"] != "IN_PROGRESS":
                        break
                    time.sleep(0.2)
                assert seen <= {"IN_PROGRESS", outcome} and polled["report_status"] == outcome, (seen, polled)
                job = c.get(f"/_sandbox/jobs/{token}").json()
                assert job["status"] == outcome, job
                if outcome == "FINISHED":
                    assert job["attempts"] == 2 and job["worker"].split(":")[1] == str(proc.popen.pid)
                    got = httpx.get(polled["url"], timeout=30)  # no token: the signed link is the credential
                    assert got.status_code == 200 and len(got.content) == polled["size"]
                    report = got.json()
                    sync = c.get(f"/v5/ad_accounts/{w['acct']}/campaigns/analytics", headers=w["h"], params={
                        "campaign_ids": w["camp"], "granularity": "DAY", "columns": ",".join(REPORT_COLUMNS),
                        "start_date": w["start"], "end_date": w["end"]}).json()
                    assert len(sync) == 7 and list(report) == [w["camp"]]
                    assert [(x["DATE"], [x.get(k, 0) for k in REPORT_COLUMNS]) for x in report[w["camp"]]] == [
                        (x["DATE"], [x.get(k, 0) for k in REPORT_COLUMNS]) for x in sync]
                    assert sum(x.get("TOTAL_CONVERSIONS", 0) for x in report[w["camp"]]) == 1
                    files = sorted(p.name for p in (data_dir / "results").iterdir())
                    assert files == [_job_row(settings, token).result_path]
                    assert files[0].startswith(f"{token}.2-")  # the killed attempt's file (if any) is gone
                else:
                    assert polled == {"report_status": "FAILED", "url": None, "size": None}
                    assert job["attempts"] == 1
                    assert job["error"].startswith("worker died while running the job: 1 attempt"), job
        finally:
            proc.stop()


# -- two worker processes ----------------------------------------------------------------------------------
@pytest.mark.postgres
def test_two_worker_processes_share_the_queue_and_run_each_job_once(tmp_path):
    with _database("postgresql", tmp_path) as settings:
        n_jobs = 60
        store = Store(settings)  # migrates; the workers find the schema ready
        try:
            with TestClient(create_app(store=store)) as c:
                tok = f.token(c, "wendy")
                acct = f.ad_account(c, tok)["id"]
                camp = f.campaign(c, tok, acct, name="Shared")["id"]
                group = f.ad_group(c, tok, acct, camp)["id"]
                pin = f.pin(c, tok, f.board(c, tok)["id"])["id"]
                r = c.post(f"/v5/ad_accounts/{acct}/ads", json=[{"ad_group_id": group, "creative_type": "REGULAR",
                                                                 "pin_id": pin}], headers=bearer(tok))
                ad = r.json()["items"][0]["data"]["id"]
                r = c.post("/_sandbox/facts", json={"table": "delivery", "rows": [
                    {"ad_id": ad, "hour": f"2026-01-{d:02d}T10:00:00Z", "impression_1": 100 * d, "spend_micro": d * 10**6,
                     "gender": "female"} for d in range(1, 29)]})
                assert r.status_code == 200, r.text
            env = {"PINSANDBOX_JOB_MIN_SECONDS": "1"}
            args = ["worker", "--database-url", settings.database_url, "--data-dir", str(settings.data_dir),
                    "--concurrency", "2"]
            workers = [Proc(args, env), Proc(args, env)]
            try:
                for w in workers:
                    w.wait_for("pinsandbox worker")
                now = store.clock.now()
                with store.write() as conn:
                    ids = [jobs.submit(conn, kind="mmm_report", ad_account_id=int(acct), params={
                        "report_name": f"r{i}", "start_date": "2026-01-01", "end_date": "2026-01-28",
                        "granularity": "WEEK", "level": "CAMPAIGN_TARGETING", "targeting_types": ["GENDER"],
                        "columns": ["TOTAL_IMPRESSION", "SPEND_IN_DOLLAR"], "countries": None}, now=now).id
                        for i in range(n_jobs)]
                deadline = time.time() + 180
                while time.time() < deadline:
                    with store.read() as conn:
                        left = conn.execute(sa.select(sa.func.count()).select_from(jobs_table).where(
                            jobs_table.c.status.in_(["QUEUED", "RUNNING"]))).scalar()
                    if left == 0:
                        break
                    time.sleep(0.2)
                assert left == 0, "\n".join(w.output() for w in workers)
            finally:
                for w in workers:
                    w.stop()
            with store.read() as conn:
                rows = conn.execute(sa.select(jobs_table).where(jobs_table.c.id.in_(ids))).all()
            assert {(r.status, r.attempts, r.error) for r in rows} == {("FINISHED", 1, None)}
            processes = {r.worker.split("/")[0] for r in rows}
            assert len(processes) == 2, processes  # both processes took jobs
            files = sorted((settings.data_dir / "results").iterdir())
            assert len(files) == n_jobs  # one result written per job
            assert sorted(p.name for p in files) == sorted(r.result_path for r in rows)
            assert all(p.name.split(".")[1].startswith("1-") for p in files)  # all by the first attempt
            first = files[0].read_text().splitlines()
            assert first[0] == "DATE,CAMPAIGN_ID,TARGETING_TYPE,TARGETING_VALUE,TOTAL_IMPRESSION,SPEND_IN_DOLLAR"
            assert [line.split(",")[0] for line in first[1:]] == [  # weeks, labelled by their first day in range
                "2026-01-01", "2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"]
            assert "stopping" in workers[0].output()
        finally:
            store.dispose()

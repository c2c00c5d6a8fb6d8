"""The job runner (pinsandbox.jobs) without HTTP: submit/claim/run, statuses, atomic claims, leases and
crash recovery, the minimum processing time, expiry, signed links, cancel and deferral.

Handlers here are test kinds registered for the module (`echo`, `boom`, ...); they do real work (write
the file the job asks for) so the runner's bookkeeping around them is what is tested."""

from __future__ import annotations

import datetime as dt
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from pinsandbox.core.clock import UTC
from pinsandbox.core.store import Store
from pinsandbox.jobs import service as jobs
from pinsandbox.jobs.runner import JobRunner
from pinsandbox.jobs.service import JobContext, JobDeferred, JobFailed, JobResult
from pinsandbox.jobs.tables import jobs as jobs_table
from pinsandbox.settings import Settings

NOW = dt.datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
RUNS: list[tuple[str, int]] = []  # (job id, attempt) per handler run


def _echo(ctx: JobContext) -> JobResult:
    RUNS.append((ctx.job.id, ctx.job.attempts))
    path = ctx.result_file("txt")
    path.write_text(ctx.job.params.get("text", ""))
    return JobResult(path=path, meta={"echoed": len(ctx.job.params.get("text", ""))})


def _slow(ctx: JobContext) -> JobResult:
    RUNS.append((ctx.job.id, ctx.job.attempts))
    time.sleep(ctx.job.params.get("seconds", 0.5))
    path = ctx.result_file(".json")
    path.write_text('{"done": true}')
    return JobResult(path=path)


def _fails(ctx: JobContext) -> JobResult:
    ctx.result_file(".csv").write_text("partial")  # a partial file the runner must delete
    raise JobFailed("the account has no campaigns in that range")


def _crashes(ctx: JobContext) -> JobResult:
    ctx.result_file(".csv").write_text("partial")
    raise ValueError("bug")


def _defers(ctx: JobContext) -> JobResult:
    RUNS.append((ctx.job.id, ctx.job.attempts))
    raise JobDeferred("not here", delay_seconds=60)


def _no_file(ctx: JobContext) -> JobResult:
    return JobResult(path=None, size=0, meta={"items": 3})


KINDS = {"t_echo": _echo, "t_slow": _slow, "t_fails": _fails, "t_crashes": _crashes, "t_defers": _defers,
         "t_nofile": _no_file}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    for kind, fn in KINDS.items():
        jobs.register(kind, fn)
    # a 2 s lease: heartbeats (every third of it) keep it with 1.3 s of slack for a thread the busy machine
    # does not schedule at once; tests that need it lapsed set lease_until
    s = Store(Settings(data_dir=tmp_path_factory.mktemp("jobs"), job_min_seconds=0.0, job_lease_seconds=2.0,
                       job_max_attempts=2, job_result_ttl_seconds=3600, job_poll_seconds=0.05))
    yield s
    s.dispose()
    for kind in KINDS:
        jobs._HANDLERS.pop(kind, None)


@pytest.fixture(autouse=True)
def fresh(store):
    with store.write() as conn:
        conn.execute(jobs_table.delete())
    store.clock.set(NOW, frozen=True)
    store.settings.job_min_seconds = 0.0
    RUNS.clear()
    yield
    store.clock.reset()


def submit(store, kind: str = "t_echo", **params) -> jobs.Job:
    with store.write() as conn:
        return jobs.submit(conn, kind=kind, ad_account_id=42, params=params, now=store.clock.now())


def get(store, job_id: str) -> jobs.Job:
    with store.read() as conn:
        job = jobs.get(conn, job_id, now=store.clock.now())
    assert job is not None
    return job


def row(store, job_id: str):
    with store.read() as conn:
        return conn.execute(sa.select(jobs_table).where(jobs_table.c.id == job_id)).first()


def set_row(store, job_id: str, **values) -> None:
    with store.write() as conn:
        conn.execute(sa.update(jobs_table).where(jobs_table.c.id == job_id).values(**values))


def files_of(store, job_id: str) -> list[Path]:
    d = jobs.results_dir(store)
    return sorted(d.glob(f"{job_id}.*")) if d.is_dir() else []


# -- submit, get, run ------------------------------------------------------------------------------------
def test_submit_queues_with_an_opaque_unique_id(store):
    a, b = submit(store, text="x"), submit(store, text="y")
    assert a.status == b.status == jobs.QUEUED and a.report_status == "IN_PROGRESS"
    assert a.id != b.id and len(a.id) == jobs.ID_LENGTH and a.id.isalnum()
    got = get(store, a.id)
    assert (got.kind, got.ad_account_id, got.params, got.attempts) == ("t_echo", 42, {"text": "x"}, 0)
    assert got.created_at == NOW and got.started_at is None and got.result_path is None
    with store.read() as conn:
        assert jobs.get(conn, "nope", now=NOW) is None
        assert jobs.get(conn, "x" * 100, now=NOW) is None


def test_run_pending_runs_each_queued_job_once_and_records_the_result(store):
    ids = [submit(store, text="hello" * i).id for i in range(1, 4)]
    assert jobs.run_pending(store) == 3
    assert sorted(RUNS) == sorted((i, 1) for i in ids)
    for n, job_id in enumerate(ids, start=1):
        job = get(store, job_id)
        assert job.status == jobs.FINISHED and job.report_status == "FINISHED" and job.error is None
        assert job.attempts == 1 and job.worker.endswith("/sync")
        assert job.result_size == 5 * n and job.result_meta == {"echoed": 5 * n}
        assert job.started_at == job.finished_at == NOW
        assert job.expires_at == NOW + dt.timedelta(seconds=3600)
        path = jobs.result_file_path(store, job)
        assert path.read_text() == "hello" * n and path.parent == jobs.results_dir(store)
        assert jobs.content_type(job).startswith("text/plain")
    assert jobs.run_pending(store) == 0  # nothing left; finished jobs do not run again
    assert len(RUNS) == 3


def test_run_pending_limit(store):
    for _ in range(3):
        submit(store)
    assert jobs.run_pending(store, limit=2) == 2
    assert jobs.run_pending(store) == 1


def test_a_result_without_a_file(store):
    job = submit(store, "t_nofile")
    jobs.run_pending(store)
    done = get(store, job.id)
    assert done.status == jobs.FINISHED and done.result_path is None and done.result_size == 0
    assert done.result_meta == {"items": 3}


def test_handler_errors_fail_the_job_with_the_reason_and_leave_no_file(store, caplog):
    failed, crashed = submit(store, "t_fails"), submit(store, "t_crashes")
    jobs.run_pending(store)
    a, b = get(store, failed.id), get(store, crashed.id)
    assert (a.status, a.error, a.report_status) == ("FAILED", "the account has no campaigns in that range", "FAILED")
    assert (b.status, b.error) == ("FAILED", "internal error: ValueError")
    assert a.finished_at == NOW and a.result_path is None and a.expires_at is None
    assert files_of(store, failed.id) == [] and files_of(store, crashed.id) == []
    assert any("bug" in r.getMessage() or (r.exc_info and "bug" in str(r.exc_info[1])) for r in caplog.records)


def test_a_kind_without_handler_stays_queued(store):
    with store.write() as conn:
        job = jobs.submit(conn, kind="t_unknown_kind", ad_account_id=None, params={}, now=NOW)
    assert jobs.run_pending(store) == 0
    assert get(store, job.id).status == jobs.QUEUED


# -- claiming --------------------------------------------------------------------------------------------
def test_concurrent_claims_take_each_job_exactly_once(store):
    ids = {submit(store).id for _ in range(40)}
    got: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def claimer(n: int) -> None:
        try:
            while True:
                job = jobs.claim(store, worker=f"t/{n}", kinds=["t_echo"])
                if job is None:
                    return
                assert job.status == jobs.RUNNING and job.attempts == 1 and job.worker == f"t/{n}"
                with lock:
                    got.append(job.id)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(got) == sorted(ids)  # every job, none twice


def test_claim_takes_the_oldest_first_and_only_the_kinds_asked(store):
    a, b = submit(store), submit(store)
    other = submit(store, "t_slow")
    assert jobs.claim(store, worker="w", kinds=["t_echo"]).id == a.id
    assert jobs.claim(store, worker="w", kinds=["t_echo"]).id == b.id
    assert jobs.claim(store, worker="w", kinds=["t_echo"]) is None
    assert jobs.claim(store, worker="w", kinds=[]) is None
    assert get(store, other.id).status == jobs.QUEUED


def test_a_lapsed_lease_is_claimed_again_and_the_old_worker_cannot_write(store):
    job = submit(store, text="once")
    first = jobs.claim(store, worker="dead", kinds=["t_echo"])
    assert first.id == job.id and first.attempts == 1
    assert jobs.claim(store, worker="other", kinds=["t_echo"]) is None  # leased: not claimable
    set_row(store, job.id, lease_until=0)  # the worker died: its lease lapsed
    second = jobs.claim(store, worker="alive", kinds=["t_echo"])
    assert second.id == job.id and second.attempts == 2 and second.worker == "alive"
    stale = jobs.execute(store, first, worker="dead", hold=False)  # the old worker wakes up: fenced out
    assert stale.status == jobs.RUNNING and stale.worker == "alive"
    assert files_of(store, job.id) == []  # its file was discarded
    done = jobs.execute(store, second, worker="alive", hold=False)
    assert done.status == jobs.FINISHED and done.attempts == 2
    assert [p.name.split(".")[1].split("-")[0] for p in files_of(store, job.id)] == ["2"]


def test_after_max_attempts_a_dead_workers_job_fails_with_the_reason(store):
    job = submit(store)
    jobs.claim(store, worker="w1", kinds=["t_echo"])
    set_row(store, job.id, lease_until=0)
    jobs.claim(store, worker="w2", kinds=["t_echo"])  # attempt 2 of 2
    set_row(store, job.id, lease_until=0)
    assert jobs.claim(store, worker="w3", kinds=["t_echo"]) is None
    failed = get(store, job.id)
    assert failed.status == jobs.FAILED and failed.finished_at == NOW
    assert failed.error.startswith("worker died while running the job: 2 attempt(s)") and "w2" in failed.error


def test_the_lease_is_renewed_while_the_handler_runs(store):
    job = submit(store, "t_slow", seconds=3.0)  # longer than the 2 s lease
    claimed = jobs.claim(store, worker="w", kinds=["t_slow"])
    thief: list = []
    t = threading.Thread(target=lambda: thief.append(jobs.execute(store, claimed, worker="w", hold=False)))
    t.start()
    deadline = time.time() + 2.7
    while time.time() < deadline:  # nobody can take it meanwhile: heartbeats keep the lease
        assert jobs.claim(store, worker="thief", kinds=["t_slow"]) is None
        time.sleep(0.2)
    t.join()
    assert thief[0].status == jobs.FINISHED and thief[0].attempts == 1
    assert RUNS == [(job.id, 1)]


# -- minimum processing time -----------------------------------------------------------------------------
def test_minimum_processing_time_holds_the_result_and_run_pending_ignores_it(store):
    store.settings.job_min_seconds = 1.5
    # JobRunner() imports every handler module (seconds, the first time in a process: numpy, ...): before
    # the submit, or the minimum time passes meanwhile and the job finishes as soon as it is claimed
    runner = JobRunner(store, workers=1, kinds=["t_echo"])
    start = time.time()
    held = submit(store, text="a")
    runner.start()
    try:
        seen = set()
        while time.time() - start < 60:  # a bound for a broken runner, not a timing
            job = get(store, held.id)
            seen.add(job.status)
            if job.status == jobs.FINISHED:
                break
            time.sleep(0.05)
        took = time.time() - start
    finally:
        runner.stop()
    assert job.status == jobs.FINISHED and jobs.RUNNING in seen
    assert took >= 1.45  # submitted after `start`: not FINISHED before min_seconds (1 ms: created_real's rounding)
    created_real = row(store, held.id).created_real / 1000
    assert time.time() - created_real >= 1.5
    store.settings.job_min_seconds = 30.0  # run_pending does not wait for it
    quick = submit(store, text="b")
    t0 = time.time()
    assert jobs.run_pending(store) == 1
    assert time.time() - t0 < 10 and get(store, quick.id).status == jobs.FINISHED


def test_run_pending_rushes_and_awaits_jobs_other_workers_hold(store):
    store.settings.job_min_seconds = 30.0
    job = submit(store, text="rush")
    runner = JobRunner(store, workers=1, kinds=["t_echo"]).start()
    try:
        deadline = time.time() + 20
        while get(store, job.id).status != jobs.RUNNING and time.time() < deadline:
            time.sleep(0.02)
        assert get(store, job.id).status == jobs.RUNNING  # the background worker holds it (30 s minimum)
        t0 = time.time()
        ran, awaited = jobs.run_pending_jobs(store)
        assert time.time() - t0 < 15  # rushed: well before the 30 s minimum
    finally:
        runner.stop()
    assert ran == [] and [j.id for j in awaited] == [job.id] and awaited[0].status == jobs.FINISHED


def test_runner_stop_ends_the_hold_and_finishes(store):
    store.settings.job_min_seconds = 60.0
    job = submit(store)
    runner = JobRunner(store, workers=2, kinds=["t_echo"]).start()
    try:
        deadline = time.time() + 20
        while get(store, job.id).status != jobs.RUNNING and time.time() < deadline:
            time.sleep(0.02)
        assert get(store, job.id).status == jobs.RUNNING  # held (60 s minimum)
    finally:
        t0 = time.time()
        runner.stop(timeout=40)
    assert time.time() - t0 < 20  # the hold ends at once, well before its 60 s
    assert get(store, job.id).status == jobs.FINISHED


# -- expiry -----------------------------------------------------------------------------------------------
def test_expiry_marks_the_job_expired_and_deletes_the_file(store):
    job = submit(store, text="bye")
    jobs.run_pending(store)
    path = jobs.result_file_path(store, get(store, job.id))
    assert path.is_file()
    store.clock.set(NOW + dt.timedelta(seconds=3599), frozen=True)
    assert get(store, job.id).status == jobs.FINISHED
    assert jobs.expire_due(store) == []
    store.clock.set(NOW + dt.timedelta(seconds=3600), frozen=True)
    assert get(store, job.id).status == jobs.EXPIRED  # reported at once (a read does not store it)
    assert row(store, job.id).status == jobs.FINISHED and path.is_file()
    assert jobs.expire_due(store) == [job.id]
    stored = row(store, job.id)
    assert stored.status == jobs.EXPIRED and stored.result_path is None and stored.result_size == 3
    assert not path.exists()
    assert get(store, job.id).report_status == "EXPIRED"


def test_get_in_a_write_transaction_stores_the_expiry(store):
    job = submit(store)
    jobs.run_pending(store)
    store.clock.set(NOW + dt.timedelta(hours=2), frozen=True)
    with store.write() as conn:
        assert jobs.get(conn, job.id, now=store.clock.now()).status == jobs.EXPIRED
    assert row(store, job.id).status == jobs.EXPIRED


def test_expire_due_deletes_orphan_files_of_deleted_jobs(store):
    job = submit(store)
    jobs.run_pending(store)
    path = jobs.result_file_path(store, get(store, job.id))
    with store.write() as conn:  # what a sandbox reset does to the rows
        conn.execute(jobs_table.delete())
    jobs.expire_due(store)
    assert path.exists()  # young files are left alone (a job may be writing)
    jobs.expire_due(store, orphan_age_seconds=0)
    assert not path.exists()


# -- signed links -----------------------------------------------------------------------------------------
def test_signed_download_links(store):
    job = submit(store)
    jobs.run_pending(store)
    job = get(store, job.id)
    url = jobs.download_url(store, job, base_url="http://sandbox:8080/", ttl_seconds=300)
    prefix = f"http://sandbox:8080/_sandbox/files/{job.id}?expires="
    assert url.startswith(prefix)
    expires, sig = url[len(prefix):].split("&signature=")
    assert int(expires) == int(NOW.timestamp()) + 300
    assert jobs.check_signature(store, job.id, expires, sig) == (True, False)
    assert jobs.check_signature(store, job.id, str(int(expires) + 1), sig)[0] is False  # altered expiry
    assert jobs.check_signature(store, "another" + job.id[7:], expires, sig)[0] is False  # another job
    # forged: the last two characters changed (never to what they already were: 1 in 4096 signatures
    # ends in "AA", which made this test flaky)
    forged = sig[:-2] + ("AA" if sig[-2:] != "AA" else "BB")
    assert jobs.check_signature(store, job.id, expires, forged)[0] is False
    assert jobs.check_signature(store, job.id, None, sig) == (False, False)
    assert jobs.check_signature(store, job.id, "12x", sig) == (False, False)
    # digits int() refuses ("²": str.isdigit() takes it) and a non-ASCII signature were 500s
    assert jobs.check_signature(store, job.id, "1²", sig) == (False, False)
    assert jobs.check_signature(store, job.id, expires, "é" + sig[1:]) == (False, False)
    store.clock.set(NOW + dt.timedelta(seconds=300), frozen=True)
    assert jobs.check_signature(store, job.id, expires, sig) == (True, False)
    store.clock.set(NOW + dt.timedelta(seconds=301), frozen=True)
    assert jobs.check_signature(store, job.id, expires, sig) == (True, True)


# -- cancel and defer -------------------------------------------------------------------------------------
def test_cancel_a_queued_job(store):
    job = submit(store)
    with store.write() as conn:
        cancelled = jobs.cancel(conn, job.id, now=NOW)
        assert jobs.cancel(conn, "missing") is None
    assert cancelled.status == jobs.CANCELLED and cancelled.report_status == "CANCELLED"
    assert jobs.run_pending(store) == 0 and RUNS == []


def test_cancel_a_running_job_discards_its_outcome(store):
    job = submit(store)
    claimed = jobs.claim(store, worker="w", kinds=["t_echo"])
    with store.write() as conn:
        jobs.cancel(conn, job.id, now=NOW)
    after = jobs.execute(store, claimed, worker="w", hold=False)
    assert after.status == jobs.CANCELLED and files_of(store, job.id) == []


def test_cancel_leaves_a_finished_job(store):
    job = submit(store)
    jobs.run_pending(store)
    with store.write() as conn:
        assert jobs.cancel(conn, job.id).status == jobs.FINISHED


def test_a_deferred_job_goes_back_to_the_queue_uncounted(store):
    job = submit(store, "t_defers")
    assert jobs.run_pending(store) == 1  # it ran (and deferred); run_pending does not loop on it
    again = get(store, job.id)
    assert again.status == jobs.QUEUED and again.attempts == 0 and again.worker is None
    assert not jobs.has_claimable(store, kinds=["t_defers"])  # deferred 60 s
    assert jobs.has_claimable(store, kinds=["t_defers"], ignore_delay=True)
    assert jobs.claim(store, worker="w", kinds=["t_defers"]) is None


def test_as_dict_is_what_the_sandbox_lists(store):
    job = submit(store, text="x")
    jobs.run_pending(store)
    d = get(store, job.id).as_dict()
    assert d["id"] == job.id and d["status"] == "FINISHED" and d["ad_account_id"] == "42"
    assert d["created_at"] == "2026-05-01T12:00:00.000Z" and d["expires_at"] == "2026-05-01T13:00:00.000Z"
    assert d["attempts"] == 1 and d["result_size"] == 1 and d["params"] == {"text": "x"}


def test_files_of_dead_attempts_do_not_stay(store):
    job = submit(store, text="x")
    d = jobs.results_dir(store)
    d.mkdir(parents=True, exist_ok=True)
    dead = d / f"{job.id}.1-dead.txt"  # what a killed worker left behind
    dead.write_text("half")
    set_row(store, job.id, attempts=1)  # that attempt was counted
    jobs.run_pending(store)
    done = get(store, job.id)
    assert done.status == jobs.FINISHED and done.attempts == 2
    assert files_of(store, job.id) == [jobs.result_file_path(store, done)]
    failed = submit(store, "t_fails")
    left = d / f"{failed.id}.1-dead.csv"
    left.write_text("half")
    with store.write() as conn:  # the worker died, the reaper failed the job: nobody deleted the file
        conn.execute(sa.update(jobs_table).where(jobs_table.c.id == failed.id).values(
            status=jobs.FAILED, attempts=2, error="worker died"))
    jobs.expire_due(store, orphan_age_seconds=0)
    assert not left.exists() and jobs.result_file_path(store, done).exists()


def test_every_mmm_column_of_the_spec_is_computed_or_looked_up():
    import json
    import typing

    from pinsandbox.ads.mmm import service as mmm
    from pinsandbox.ads.mmm.schemas import MMMReportingColumn, MMMReportingTargetingType
    from pinsandbox.reporting.catalog import CATALOG
    from pinsandbox.reporting.facts import DIMENSIONS
    from tests.live import SPEC_PATH

    columns = set(typing.get_args(MMMReportingColumn))
    if SPEC_PATH.exists():
        spec = json.loads(SPEC_PATH.read_text())["components"]["schemas"]
        assert columns == set(spec["MMMReportingColumn"]["enum"])
        assert set(typing.get_args(MMMReportingTargetingType)) == set(spec["MMMReportingTargetingType"]["enum"])
    assert columns == set(mmm.METRICS) | set(mmm.CATALOG_ATTRIBUTES) | set(mmm.OTHER_ATTRIBUTES)
    assert all(CATALOG[source].kind == "metric" for source, _ in mmm.METRICS.values())
    assert all(CATALOG[name].kind == "attribute" for name in mmm.CATALOG_ATTRIBUTES)
    assert set(typing.get_args(MMMReportingTargetingType)) - set(DIMENSIONS) == {"CREATIVE_TYPE"}

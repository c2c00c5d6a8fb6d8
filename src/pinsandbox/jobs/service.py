"""Jobs: durable rows in the state database, claimed atomically, run by registered handlers.

The life of a job::

    submit ──> QUEUED ──claim──> RUNNING ──handler returns──> FINISHED ──result TTL──> EXPIRED
                 ^                  │ ├──JobFailed / exception──> FAILED
                 │                  │ └──cancel──> CANCELLED
                 └──JobDeferred─────┘   (lease lapsed: claimed again, at most `job_max_attempts`
                                         claims, then FAILED "worker died ...")

* **Claiming** is one short write transaction: on PostgreSQL `SELECT ... FOR UPDATE SKIP LOCKED`, so
  concurrent workers never take the same row and never wait on each other; on SQLite the store's write
  transaction is `BEGIN IMMEDIATE`, so one claimer at a time. A claim increments `attempts`, names the
  worker and sets a lease (real time); the worker's heartbeat renews the lease while the handler runs.
  Every later write of the worker is fenced on (id, worker, attempts, RUNNING): a worker that lost its
  job (lease lapsed and someone else claimed it, or it was cancelled) cannot overwrite the outcome, and
  its result file is deleted. So a job's outcome is written once.
* **Crash recovery**: a RUNNING job whose lease lapsed (its process died) is claimed again; after
  `job_max_attempts` claims it is FAILED with the reason.
* **Minimum processing time**: a job finishes no earlier than `job_min_seconds` (real time) after it
  was submitted; the worker holds the finished result (job RUNNING, lease renewed) until then.
  `run_pending` (and `POST /_sandbox/jobs/run`) skip it.
* **Expiry**: a FINISHED result expires after its kind's lifetime (sandbox clock): the `result_ttl_seconds`
  its handler was registered with (async reports: 1 hour, as Pinterest documents), else the
  `job_result_ttl_seconds` setting. The job becomes EXPIRED and its file is deleted (`expire_due`, run by
  every runner's housekeeping and by `run_pending`; `get` already reports EXPIRED).
* **Results** are files under `<data_dir>/results/`, named `<job id>.<attempt>-<random><suffix>`;
  `download_url` signs a link to `/_sandbox/files/<job id>` (HMAC-SHA256 with the sandbox secret,
  expiring on the sandbox clock).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import socket
import string
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pinsandbox.core.clock import UTC, real_time
from pinsandbox.core.ids import new_id
from pinsandbox.jobs.tables import jobs

log = logging.getLogger("pinsandbox.jobs")

QUEUED, RUNNING, FINISHED, FAILED, CANCELLED, EXPIRED = (
    "QUEUED", "RUNNING", "FINISHED", "FAILED", "CANCELLED", "EXPIRED")

# Pinterest's BulkReportingJobStatus for each state (QUEUED and RUNNING are both "in progress").
REPORT_STATUS = {QUEUED: "IN_PROGRESS", RUNNING: "IN_PROGRESS", FINISHED: "FINISHED", FAILED: "FAILED",
                 CANCELLED: "CANCELLED", EXPIRED: "EXPIRED"}

_ID_ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 40  # 238 bits of randomness: unguessable, unique across processes
CONTENT_TYPES = {".json": "application/json", ".csv": "text/csv; charset=utf-8", ".txt": "text/plain; charset=utf-8",
                 ".zip": "application/zip", ".gz": "application/gzip", ".parquet": "application/vnd.apache.parquet"}


class JobFailed(Exception):
    """Raised by a handler: the job is FAILED with this reason (shown to the client)."""


class JobDeferred(Exception):
    """Raised by a handler (or the store) when the job cannot run in this process now (e.g. another
    process holds the facts database): the job goes back to QUEUED, the claim is not counted, and
    it is not claimed again for `delay_seconds`."""

    def __init__(self, reason: str, *, delay_seconds: float = 2.0):
        super().__init__(reason)
        self.delay_seconds = delay_seconds


# --------------------------------------------------------------------------------------------------
# The job object
# --------------------------------------------------------------------------------------------------
def _ms(t: datetime) -> int:
    return int(round(t.timestamp() * 1000))


def _dt(ms: int | None) -> datetime | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)


def _real_ms() -> int:
    return int(real_time() * 1000)


@dataclass
class Job:
    id: str
    kind: str
    ad_account_id: int | None
    params: dict
    status: str
    error: str | None
    result_path: str | None
    result_size: int | None
    result_meta: dict
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None
    attempts: int = 0
    worker: str | None = None

    @classmethod
    def from_row(cls, row: Any) -> Job:
        return cls(id=row.id, kind=row.kind, ad_account_id=row.ad_account_id, params=dict(row.params or {}),
                   status=row.status, error=row.error, result_path=row.result_path, result_size=row.result_size,
                   result_meta=dict(row.result_meta or {}), created_at=_dt(row.created_at),
                   started_at=_dt(row.started_at), finished_at=_dt(row.finished_at), expires_at=_dt(row.expires_at),
                   attempts=row.attempts, worker=row.worker)

    @property
    def report_status(self) -> str:
        """Pinterest's `report_status` for this job (BulkReportingJobStatus)."""
        return REPORT_STATUS[self.status]

    def as_dict(self) -> dict[str, Any]:
        """The sandbox's view (GET /_sandbox/jobs)."""

        def iso(t: datetime | None) -> str | None:
            return None if t is None else t.isoformat(timespec="milliseconds").replace("+00:00", "Z")

        return {"id": self.id, "kind": self.kind,
                "ad_account_id": None if self.ad_account_id is None else str(self.ad_account_id),
                "status": self.status, "report_status": self.report_status, "attempts": self.attempts,
                "worker": self.worker, "error": self.error, "result_size": self.result_size,
                "result_meta": self.result_meta, "params": self.params, "created_at": iso(self.created_at),
                "started_at": iso(self.started_at), "finished_at": iso(self.finished_at),
                "expires_at": iso(self.expires_at)}


# --------------------------------------------------------------------------------------------------
# Handlers
# --------------------------------------------------------------------------------------------------
@dataclass
class JobResult:
    path: Path | None
    size: int | None = None
    meta: dict = field(default_factory=dict)  # optional keys `content_type` and `filename` shape the download


@dataclass
class JobContext:
    store: Any
    job: Job
    files: list[Path] = field(default_factory=list)  # every path handed out (the runner deletes the unused)

    def result_file(self, suffix: str) -> Path:
        """A fresh path under <data_dir>/results/ to write the result into (suffix e.g. ".csv")."""
        if suffix and not suffix.startswith("."):
            suffix = "." + suffix
        directory = results_dir(self.store)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.job.id}.{self.job.attempts}-{secrets.token_hex(4)}{suffix}"
        self.files.append(path)
        return path


Handler = Callable[[JobContext], JobResult]
_HANDLERS: dict[str, Handler] = {}
_RESULT_TTL: dict[str, int] = {}  # kind -> its results' lifetime in seconds (kinds with a lifetime of their own)


def register(kind: str, handler: Handler, *, result_ttl_seconds: int | None = None) -> None:
    """Register the handler of a job kind (at import of its module; see jobs/handlers.py).

    `result_ttl_seconds`: how long a FINISHED result of this kind lives (sandbox clock) when the kind has
    a documented lifetime of its own; None: the `job_result_ttl_seconds` setting."""
    if len(kind) > 32:
        raise ValueError(f"job kind {kind!r} is longer than 32 characters")
    if result_ttl_seconds is not None and int(result_ttl_seconds) < 1:
        raise ValueError(f"result_ttl_seconds of {kind!r} must be at least 1 second")
    _HANDLERS[kind] = handler
    if result_ttl_seconds is None:
        _RESULT_TTL.pop(kind, None)
    else:
        _RESULT_TTL[kind] = int(result_ttl_seconds)


def result_ttl_seconds(settings: Any, kind: str) -> int:
    """How long a FINISHED result of `kind` lives: the kind's own lifetime, else the setting."""
    own = _RESULT_TTL.get(kind)
    return own if own is not None else int(settings.job_result_ttl_seconds)


def handlers() -> dict[str, Handler]:
    """Every registered handler, after importing every handler module."""
    import pinsandbox.jobs.handlers  # noqa: F401

    return dict(_HANDLERS)


# --------------------------------------------------------------------------------------------------
# What domains call, inside their transaction
# --------------------------------------------------------------------------------------------------
def new_job_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(ID_LENGTH))


def submit(conn: sa.Connection, *, kind: str, ad_account_id: int | None, params: dict, now: datetime) -> Job:
    """Queue a job, inside the caller's write transaction (it becomes visible when that commits)."""
    job_id = new_job_id()
    real = _real_ms()
    conn.execute(sa.insert(jobs).values(
        id=job_id, seq=new_id(), kind=kind, ad_account_id=ad_account_id, params=params, status=QUEUED,
        result_meta={}, created_at=_ms(now), attempts=0, created_real=real, run_after=real, rush=False))
    return Job(id=job_id, kind=kind, ad_account_id=ad_account_id, params=dict(params), status=QUEUED, error=None,
               result_path=None, result_size=None, result_meta={}, created_at=_dt(_ms(now)), started_at=None,
               finished_at=None, expires_at=None)


def _can_write(conn: sa.Connection) -> bool:
    # A SQLite reader must not upgrade to a writer (its snapshot may be stale: SQLITE_BUSY_SNAPSHOT).
    return conn.dialect.name != "sqlite" or bool(conn.get_execution_options().get("pinsandbox_write"))


def get(conn: sa.Connection, job_id: str, *, now: datetime) -> Job | None:
    """The job, or None. A FINISHED job past its expiry is EXPIRED (stored so when `conn` may write;
    the housekeeping deletes its file)."""
    if not isinstance(job_id, str) or not job_id or len(job_id) > 64:
        return None
    row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
    if row is None:
        return None
    job = Job.from_row(row)
    if job.status == FINISHED and row.expires_at is not None and row.expires_at <= _ms(now):
        if _can_write(conn):
            conn.execute(sa.update(jobs).where(jobs.c.id == job_id, jobs.c.status == FINISHED)
                         .values(status=EXPIRED))
        job.status = EXPIRED
    return job


def cancel(conn: sa.Connection, job_id: str, *, now: datetime | None = None) -> Job | None:
    """Cancel a QUEUED or RUNNING job (a running handler's outcome is then discarded). A job that has
    ended is left as it is. None when there is no such job."""
    row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
    if row is None:
        return None
    if row.status in (QUEUED, RUNNING):
        values: dict[str, Any] = {"status": CANCELLED, "lease_until": None}
        if now is not None:
            values["finished_at"] = _ms(now)
        conn.execute(sa.update(jobs).where(jobs.c.id == job_id, jobs.c.status == row.status).values(**values))
        row = conn.execute(sa.select(jobs).where(jobs.c.id == job_id)).first()
    return Job.from_row(row)


def list_jobs(conn: sa.Connection, *, status: str | None = None, kind: str | None = None,
              ad_account_id: int | None = None, limit: int = 100) -> list[Job]:
    """Newest first."""
    stmt = sa.select(jobs)
    if status is not None:
        stmt = stmt.where(jobs.c.status == status)
    if kind is not None:
        stmt = stmt.where(jobs.c.kind == kind)
    if ad_account_id is not None:
        stmt = stmt.where(jobs.c.ad_account_id == ad_account_id)
    return [Job.from_row(r) for r in conn.execute(stmt.order_by(jobs.c.seq.desc()).limit(limit))]


# --------------------------------------------------------------------------------------------------
# Result files and signed links
# --------------------------------------------------------------------------------------------------
def results_dir(store: Any) -> Path:
    return Path(store.settings.data_dir).resolve() / "results"


def result_file_path(store: Any, job: Job) -> Path | None:
    if not job.result_path:
        return None
    return results_dir(store) / job.result_path


def content_type(job: Job) -> str:
    given = job.result_meta.get("content_type")
    if given:
        return str(given)
    return CONTENT_TYPES.get(Path(job.result_path or "").suffix.lower(), "application/octet-stream")


def signature(secret: bytes, job_id: str, expires: int) -> str:
    mac = hmac.new(secret, f"{job_id}\n{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def download_url(store: Any, job: Job, *, base_url: str, ttl_seconds: int = 300) -> str:
    """A link to the job's result, signed with the sandbox secret, valid `ttl_seconds` on the sandbox
    clock: `{base_url}/_sandbox/files/{job.id}?expires=<epoch>&signature=<hmac>`. Call it outside a
    write transaction (the first use of the secret may write it)."""
    expires = store.clock.epoch_seconds() + int(ttl_seconds)
    return (f"{base_url.rstrip('/')}/_sandbox/files/{job.id}?expires={expires}"
            f"&signature={signature(store.secret, job.id, expires)}")


def check_signature(store: Any, job_id: str, expires: str | None, sig: str | None) -> tuple[bool, bool]:
    """(signature valid, link expired) for a download request."""
    if not expires or not sig or not (expires.isascii() and expires.isdigit()) or len(expires) > 12:
        return False, False
    # bytes: compare_digest refuses str with non-ASCII characters (a 500 for a tampered link)
    ok = hmac.compare_digest(signature(store.secret, job_id, int(expires)).encode(), sig.encode())
    return ok, store.clock.epoch_seconds() > int(expires)


def _delete_file(path: Path | None) -> None:
    if path is None:
        return
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError:  # pragma: no cover - permissions etc.: logged, the sweep tries again
        log.warning("could not delete result file %s", path, exc_info=True)


def _delete_job_files(store: Any, job_id: str, *, attempt: int | None = None, keep: Path | None = None) -> None:
    """The job's files (of one attempt, or of every attempt), but `keep`."""
    directory = results_dir(store)
    if directory.is_dir():
        for path in directory.glob(f"{job_id}.{attempt}-*" if attempt is not None else f"{job_id}.*"):
            if keep is None or path.resolve() != keep:
                _delete_file(path)


def expire_due(store: Any, *, orphan_age_seconds: float = 60.0) -> list[str]:
    """Housekeeping: FINISHED jobs past their expiry become EXPIRED; result files of EXPIRED (and
    CANCELLED/FAILED) jobs are deleted; files of jobs that no longer exist (a reset) older than
    `orphan_age_seconds` are deleted. Returns the ids whose files were deleted or that expired."""
    now_ms = _ms(store.clock.now())
    done: list[str] = []
    expired: list[str] = []
    gone: list = []
    due = sa.or_(sa.and_(jobs.c.status == FINISHED, jobs.c.expires_at <= now_ms),
                 sa.and_(jobs.c.status.in_([EXPIRED, CANCELLED, FAILED]), jobs.c.result_path.is_not(None)))
    with store.read() as conn:  # most of the time there is nothing to do: no write lock for that
        anything = conn.execute(sa.select(jobs.c.id).where(due).limit(1)).first() is not None
    if anything:
        with store.write() as conn:
            expired = [r.id for r in conn.execute(sa.select(jobs.c.id).where(
                jobs.c.status == FINISHED, jobs.c.expires_at <= now_ms))]
            if expired:
                conn.execute(sa.update(jobs).where(jobs.c.id.in_(expired), jobs.c.status == FINISHED)
                             .values(status=EXPIRED))
            gone = list(conn.execute(sa.select(jobs.c.id, jobs.c.result_path).where(
                jobs.c.status.in_([EXPIRED, CANCELLED, FAILED]), jobs.c.result_path.is_not(None))))
            if gone:
                conn.execute(sa.update(jobs).where(jobs.c.id.in_([r.id for r in gone])).values(result_path=None))
    for r in gone:
        _delete_file(results_dir(store) / r.result_path)
    done.extend(dict.fromkeys(expired + [r.id for r in gone]))
    directory = results_dir(store)
    if directory.is_dir():
        # Leftovers: files of jobs that no longer exist (a reset), or of attempts whose worker died (not
        # the job's result, and the job not RUNNING). Only files older than `orphan_age_seconds`.
        cutoff = real_time() - orphan_age_seconds
        old = [p for p in directory.iterdir() if p.is_file() and p.stat().st_mtime < cutoff]
        if old:
            ids = {p.name.split(".", 1)[0] for p in old}
            with store.read() as conn:
                known = {r.id: r for r in conn.execute(sa.select(jobs.c.id, jobs.c.status, jobs.c.result_path)
                                                       .where(jobs.c.id.in_(ids)))}
            for p in old:
                r = known.get(p.name.split(".", 1)[0])
                if r is None or (r.status != RUNNING and r.result_path != p.name):
                    _delete_file(p)
    return done


# --------------------------------------------------------------------------------------------------
# Claiming and running (the runner's threads and run_pending)
# --------------------------------------------------------------------------------------------------
_PROCESS: tuple[int, str] | None = None


def process_worker_id() -> str:
    """host:pid:random — unique per process (recomputed after a fork)."""
    global _PROCESS
    pid = os.getpid()
    if _PROCESS is None or _PROCESS[0] != pid:
        _PROCESS = (pid, f"{socket.gethostname()[:40]}:{pid}:{secrets.token_hex(3)}")
    return _PROCESS[1]


def _claimable(now_real: int, *, ignore_delay: bool) -> sa.ColumnElement:
    queued = jobs.c.status == QUEUED
    if not ignore_delay:
        queued = sa.and_(queued, jobs.c.run_after <= now_real)
    lapsed = sa.and_(jobs.c.status == RUNNING, jobs.c.lease_until < now_real)
    return sa.or_(queued, lapsed)


def has_claimable(store: Any, *, kinds: Iterable[str], ignore_delay: bool = False) -> bool:
    """A cheap read: is there anything to claim (so idle workers do not take the write lock)?"""
    with store.read() as conn:
        return conn.execute(sa.select(jobs.c.id).where(
            _claimable(_real_ms(), ignore_delay=ignore_delay), jobs.c.kind.in_(list(kinds))).limit(1)).first() \
            is not None


def _reap(conn: sa.Connection, *, now_real: int, now_ms: int, max_attempts: int) -> None:
    """RUNNING jobs whose lease lapsed and that used up their attempts: FAILED with the reason."""
    rows = conn.execute(sa.select(jobs.c.id, jobs.c.attempts, jobs.c.worker).where(
        jobs.c.status == RUNNING, jobs.c.lease_until < now_real, jobs.c.attempts >= max_attempts)
        .order_by(jobs.c.id).with_for_update(skip_locked=True)).all()  # another claimer reaps what it locked
    for r in rows:
        conn.execute(sa.update(jobs).where(jobs.c.id == r.id, jobs.c.status == RUNNING,
                                           jobs.c.lease_until < now_real).values(
            status=FAILED, finished_at=now_ms, lease_until=None,
            error=f"worker died while running the job: {r.attempts} attempt(s) started and none finished "
                  f"(the last by worker {r.worker}, whose lease lapsed)"))


def claim(store: Any, *, worker: str, kinds: Iterable[str], ignore_delay: bool = False,
          exclude: Iterable[str] = ()) -> Job | None:
    """Atomically take the oldest claimable job of `kinds` (QUEUED and due, or RUNNING with a lapsed
    lease and attempts left) for `worker`; None when there is none."""
    kinds = list(kinds)
    if not kinds:
        return None
    settings = store.settings
    now_real = _real_ms()
    now_ms = _ms(store.clock.now())
    with store.write() as conn:
        _reap(conn, now_real=now_real, now_ms=now_ms, max_attempts=settings.job_max_attempts)
        stmt = (sa.select(jobs.c.id, jobs.c.status).where(_claimable(now_real, ignore_delay=ignore_delay),
                                                          jobs.c.kind.in_(kinds))
                .order_by(jobs.c.seq).limit(1).with_for_update(skip_locked=True))
        exclude = list(exclude)
        if exclude:
            stmt = stmt.where(jobs.c.id.not_in(exclude))
        row = conn.execute(stmt).first()
        if row is None:
            return None
        done = conn.execute(sa.update(jobs).where(jobs.c.id == row.id, jobs.c.status == row.status).values(
            status=RUNNING, worker=worker, attempts=jobs.c.attempts + 1, started_at=now_ms,
            lease_until=now_real + int(settings.job_lease_seconds * 1000)))
        if done.rowcount != 1:  # pragma: no cover - the row lock / write lock makes this impossible
            return None
        return Job.from_row(conn.execute(sa.select(jobs).where(jobs.c.id == row.id)).first())


def _fence(job: Job, worker: str) -> sa.ColumnElement:
    """Our claim still holds: same attempt, same worker, still RUNNING."""
    return sa.and_(jobs.c.id == job.id, jobs.c.status == RUNNING, jobs.c.worker == worker,
                   jobs.c.attempts == job.attempts)


class _Heartbeats:
    """One thread per store renews the lease of every job this process is running, every third of the
    lease time (a thread per job would cost more than a small job itself)."""

    def __init__(self, store: Any):
        self.store = store
        self.lease_ms = int(store.settings.job_lease_seconds * 1000)
        self._held: dict[tuple[str, int], tuple[Job, str]] = {}
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def hold(self, job: Job, worker: str) -> None:
        with self._lock:
            self._held[(job.id, job.attempts)] = (job, worker)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="job-heartbeats", daemon=True)
                self._thread.start()

    def release(self, job: Job) -> None:
        with self._lock:
            self._held.pop((job.id, job.attempts), None)

    def _run(self) -> None:
        while True:
            time.sleep(self.lease_ms / 3000)
            with self._lock:
                held = list(self._held.values())
                if not held:
                    self._thread = None
                    return
            try:
                with self.store.write() as conn:
                    until = _real_ms() + self.lease_ms
                    for job, worker in held:
                        conn.execute(sa.update(jobs).where(_fence(job, worker)).values(lease_until=until))
            except Exception:  # noqa: BLE001 - a missed heartbeat is retried; the lease has slack
                log.warning("job heartbeat failed", exc_info=True)


_HEARTBEATS: dict[int, _Heartbeats] = {}
_HEARTBEATS_LOCK = threading.Lock()


def _heartbeats(store: Any) -> _Heartbeats:
    with _HEARTBEATS_LOCK:
        beats = _HEARTBEATS.get(id(store))
        if beats is None or beats.store is not store:
            beats = _HEARTBEATS[id(store)] = _Heartbeats(store)
        return beats


def _is_facts_lock(exc: BaseException) -> bool:
    """DuckDB's error when another process holds the facts database."""
    return type(exc).__name__ == "IOException" and "lock" in str(exc).lower()


def _wait_for_hold(store: Any, job: Job, worker: str, stop: threading.Event | None) -> None:
    """The minimum processing time: wait until `job_min_seconds` after submission, unless rushed
    (`run_pending`), cancelled, taken over, or the runner is stopping."""
    with store.read() as conn:
        created_real = conn.execute(sa.select(jobs.c.created_real).where(jobs.c.id == job.id)).scalar()
    if created_real is None:
        return
    until = created_real / 1000 + store.settings.job_min_seconds
    checked = 0.0
    while real_time() < until:
        if stop is not None and stop.is_set():
            return
        if real_time() - checked >= 0.2:
            checked = real_time()
            with store.read() as conn:
                row = conn.execute(sa.select(jobs.c.rush).where(_fence(job, worker))).first()
            if row is None or row.rush:  # cancelled / taken over (the finish will be refused) or rushed
                return
        time.sleep(max(0.0, min(0.05, until - real_time())))


def _run_handler(store: Any, ctx: JobContext, *, worker: str, hold: bool, stop: threading.Event | None
                 ) -> tuple[dict[str, Any], Path | None]:
    """(outcome values or {"deferred": exc}, the result file)."""
    job = ctx.job
    handler = _HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise JobFailed(f"no handler for job kind {job.kind!r} in this process")
        result = handler(ctx)
        if not isinstance(result, JobResult):
            raise TypeError(f"handler of {job.kind!r} returned {type(result).__name__}, not JobResult")
        rel = keep = None
        size = result.size
        if result.path is not None:
            keep = Path(result.path).resolve()
            try:
                rel = str(keep.relative_to(results_dir(store)))
            except ValueError:
                raise ValueError(f"result {keep} is not under {results_dir(store)}") from None
            if size is None:
                size = keep.stat().st_size
        if hold:
            _wait_for_hold(store, job, worker, stop)
        return {"status": FINISHED, "error": None, "result_path": rel, "result_size": size,
                "result_meta": dict(result.meta or {})}, keep
    except JobDeferred as exc:
        return {"deferred": exc}, None
    except JobFailed as exc:
        return {"status": FAILED, "error": str(exc) or "the job failed"}, None
    except Exception as exc:  # noqa: BLE001 - recorded on the job, and logged
        if _is_facts_lock(exc):
            return {"deferred": JobDeferred(f"facts database locked by another process: {exc}")}, None
        log.exception("job %s (%s) failed", job.id, job.kind)
        return {"status": FAILED, "error": f"internal error: {type(exc).__name__}"}, None


def execute(store: Any, job: Job, *, worker: str, hold: bool, stop: threading.Event | None = None) -> Job:
    """Run a claimed job's handler (its lease renewed meanwhile) and record the outcome, fenced on the
    claim. Returns the job as stored afterwards (or as we left it when it is gone)."""
    ctx = JobContext(store=store, job=job)
    beats = _heartbeats(store)
    beats.hold(job, worker)
    try:
        outcome, keep = _run_handler(store, ctx, worker=worker, hold=hold, stop=stop)
        now_ms = _ms(store.clock.now())
        with store.write() as conn:
            if "deferred" in outcome:
                exc = outcome["deferred"]
                log.info("job %s (%s) deferred: %s", job.id, job.kind, exc)
                written = conn.execute(sa.update(jobs).where(_fence(job, worker)).values(
                    status=QUEUED, attempts=jobs.c.attempts - 1, worker=None, lease_until=None, started_at=None,
                    run_after=_real_ms() + int(exc.delay_seconds * 1000))).rowcount
            else:
                values = {**outcome, "finished_at": now_ms, "lease_until": None}
                if outcome["status"] == FINISHED:
                    values["expires_at"] = now_ms + result_ttl_seconds(store.settings, job.kind) * 1000
                written = conn.execute(sa.update(jobs).where(_fence(job, worker)).values(**values)).rowcount
            row = conn.execute(sa.select(jobs).where(jobs.c.id == job.id)).first()
    finally:
        beats.release(job)
    kept = keep if written and outcome.get("status") == FINISHED else None
    for path in ctx.files:  # only the recorded result stays
        if path.resolve() != kept:
            _delete_file(path)
    if not written:
        log.warning("job %s: the outcome of attempt %s was discarded (the job was cancelled, deleted or taken "
                    "over)", job.id, job.attempts)
    elif job.attempts > 1:  # files an earlier attempt's dead worker left
        _delete_job_files(store, job.id, keep=kept)
    if row is None:
        return job
    return Job.from_row(row)


def run_pending(store: Any, *, limit: int | None = None) -> int:
    """Claim and run queued jobs synchronously in this thread, ignoring the minimum processing time
    (tests and POST /_sandbox/jobs/run). Returns how many ran."""
    return len(run_pending_jobs(store, limit=limit)[0])


def run_pending_jobs(store: Any, *, limit: int | None = None, wait_seconds: float = 60.0
                     ) -> tuple[list[Job], list[Job]]:
    """`run_pending`, returning (the jobs this call ran, the jobs other workers were running that it
    waited for). Jobs other workers hold are rushed (their minimum time ends now) and awaited for at
    most `wait_seconds`; one whose worker died is claimed here once its lease lapses."""
    kinds = list(handlers())
    worker = process_worker_id() + "/sync"
    with store.write() as conn:
        running = [r.id for r in conn.execute(sa.select(jobs.c.id).where(jobs.c.status == RUNNING))]
        conn.execute(sa.update(jobs).where(jobs.c.status.in_([QUEUED, RUNNING])).values(rush=True))
    ran: list[Job] = []
    tried: list[str] = []
    deadline = real_time() + wait_seconds
    while limit is None or len(ran) < limit:
        job = claim(store, worker=worker, kinds=kinds, ignore_delay=True, exclude=tried)
        if job is None:
            with store.read() as conn:
                busy = conn.execute(sa.select(jobs.c.id).where(jobs.c.status == RUNNING, jobs.c.kind.in_(kinds),
                                                               jobs.c.id.not_in(tried or [""])).limit(1)).first()
            if busy is None or real_time() > deadline:
                break
            time.sleep(0.05)
            continue
        tried.append(job.id)
        ran.append(execute(store, job, worker=worker, hold=False))
    expire_due(store)
    awaited: list[Job] = []
    mine = {j.id for j in ran}
    if running:
        with store.read() as conn:
            awaited = [Job.from_row(r) for r in conn.execute(sa.select(jobs).where(
                jobs.c.id.in_([i for i in running if i not in mine])).order_by(jobs.c.seq))]
    return ran, awaited

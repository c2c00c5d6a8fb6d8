"""Job workers: threads that claim and run jobs, in `pinsandbox serve` or in `pinsandbox worker` processes.

`JobRunner(store, workers=N)` starts N worker threads and one housekeeping thread. A worker thread
polls (a cheap read first, so idle workers do not take SQLite's write lock), claims one job at a time
(`service.claim`), runs it (`service.execute`: heartbeat, minimum processing time, fenced outcome) and
loops. Housekeeping expires results (`service.expire_due`) every few seconds. Processes share the state
database (jobs), the data dir (result files) and the facts (Parquet segments any process may read and
append to), so any number of processes can run workers side by side.
"""

from __future__ import annotations

import logging
import threading

from pinsandbox.core.clock import real_time
from pinsandbox.core.store import Store
from pinsandbox.jobs import service

log = logging.getLogger("pinsandbox.jobs")

HOUSEKEEPING_SECONDS = 5.0


class JobRunner:
    """`workers` claiming threads (of `kinds`, default every registered kind) plus housekeeping."""

    def __init__(self, store: Store, *, workers: int, kinds: list[str] | None = None):
        self.store = store
        self.workers = workers
        registered = service.handlers()
        self.kinds = [k for k in (kinds or registered) if k in registered]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> JobRunner:
        pid = service.process_worker_id()
        for n in range(self.workers):
            t = threading.Thread(target=self._work, args=(f"{pid}/w{n + 1}",), name=f"job-worker-{n + 1}", daemon=True)
            t.start()
            self._threads.append(t)
        t = threading.Thread(target=self._housekeeping, name="job-housekeeping", daemon=True)
        t.start()
        self._threads.append(t)
        log.info("job runner started: %d worker(s) for %s", self.workers, ", ".join(self.kinds) or "no kinds")
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop claiming; let running jobs finish (their minimum time is cut short) for up to `timeout`."""
        self._stop.set()
        deadline = real_time() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - real_time()))

    @property
    def stopping(self) -> threading.Event:
        return self._stop

    def _work(self, worker: str) -> None:
        poll = self.store.settings.job_poll_seconds
        while not self._stop.is_set():
            try:
                job = None
                if service.has_claimable(self.store, kinds=self.kinds):
                    job = service.claim(self.store, worker=worker, kinds=self.kinds)
            except Exception:  # noqa: BLE001 - e.g. the database restarting: log, wait, retry
                log.warning("claiming a job failed", exc_info=True)
                job = None
            if job is None:
                self._stop.wait(poll)
                continue
            try:
                done = service.execute(self.store, job, worker=worker, hold=True, stop=self._stop)
                log.info("job %s (%s) %s", job.id, job.kind, done.status)
            except Exception:  # noqa: BLE001 - the database failed while recording: the lease will lapse
                log.exception("running job %s failed", job.id)

    def _housekeeping(self) -> None:
        while True:
            try:
                service.expire_due(self.store)
            except Exception:  # noqa: BLE001
                log.warning("job housekeeping failed", exc_info=True)
            if self._stop.wait(HOUSEKEEPING_SECONDS):
                return

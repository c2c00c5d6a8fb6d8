"""Job handlers of the bulk operations (registered at import; `pinsandbox.jobs.handlers` imports this).

`bulk_download`: one read transaction (a consistent snapshot at the time the job runs), the file
written as JSON or CSV (docs/bulk.md). `bulk_upsert`: one write transaction for all rows, each row in
its own savepoint; the result file lists every row's outcome. An ad account deleted in between fails
the job with a reason.

The upsert applies its rows exactly once. The runner claims a job again when its worker's lease lapses
(a process died), and it may be cancelled while running; so, in the same transaction as the rows, the
handler checks that its claim still holds (same worker and attempt, still RUNNING) and records the
per-row results on the job row (`result_meta.applied`). A claim lost before the commit rolls every row
back; a later attempt finding `applied` writes the result file from it instead of applying the rows
again. (The runner replaces `result_meta` with the handler's meta when the job finishes.)
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from pinsandbox.ads.bulk import service
from pinsandbox.core.errors import ApiError
from pinsandbox.core.tables import ad_accounts
from pinsandbox.jobs.service import RUNNING, JobContext, JobFailed, JobResult, register
from pinsandbox.jobs.tables import jobs


def _account(conn: sa.Connection, ad_account_id: int | None) -> sa.Row:
    row = conn.execute(sa.select(ad_accounts).where(ad_accounts.c.id == ad_account_id)).first()
    if row is None:
        raise JobFailed(f"Ad account {ad_account_id} no longer exists.")
    return row


def run_download(ctx: JobContext) -> JobResult:
    store, job = ctx.store, ctx.job
    with store.read() as conn:
        account = _account(conn, job.ad_account_id)
        try:
            entities = service.collect(conn, ad_account_id=account.id, params=job.params,
                                       now=store.clock.epoch_seconds())
        except ApiError as err:  # e.g. an entity of `entity_ids` gone since the request was made
            raise JobFailed(err.message) from None
    fmt = job.params.get("output_format", "JSON")
    path = ctx.result_file(".csv" if fmt == "CSV" else ".json")
    (service.write_csv if fmt == "CSV" else service.write_json)(path, entities)
    counts = {service.FILE_KEYS[t]: len(rows) for t, rows in entities.items()}
    return JobResult(path=path, size=path.stat().st_size, meta={"output_format": fmt, "entity_counts": counts})


def _record_applied(conn: sa.Connection, ctx: JobContext, results: dict) -> None:
    job = ctx.job
    held = conn.execute(sa.update(jobs).where(
        jobs.c.id == job.id, jobs.c.status == RUNNING, jobs.c.worker == job.worker, jobs.c.attempts == job.attempts
    ).values(result_meta={"applied": results})).rowcount
    if held != 1:  # cancelled, deleted or taken over meanwhile: roll every row back
        raise JobFailed("The bulk request was cancelled or taken over before its rows were applied; none was.")


def run_upsert(ctx: JobContext) -> JobResult:
    store, job = ctx.store, ctx.job
    results = (job.result_meta or {}).get("applied")
    if results is None:
        with store.write() as conn:
            account = _account(conn, job.ad_account_id)
            results = service.upsert(conn, account=account, params=job.params, now=store.clock.epoch_seconds())
            _record_applied(conn, ctx, results)
    path = ctx.result_file(".json")
    path.write_text(json.dumps({"request_id": job.id, **results}, ensure_ascii=False, separators=(",", ":")),
                    encoding="utf-8")
    return JobResult(path=path, size=path.stat().st_size, meta={"summary": results["summary"]})


register(service.DOWNLOAD, run_download)
register(service.UPSERT, run_upsert)

"""The `mmm_report` job: the MMM report, as of its request, written as CSV by the reporting engine
(streamed: DuckDB's COPY writes the file; see `service.write_report`)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from pinsandbox.ads.mmm import service
from pinsandbox.core.tables import ad_accounts
from pinsandbox.jobs.service import JobContext, JobFailed, JobResult, register


def run_mmm_report(ctx: JobContext) -> JobResult:
    store, job = ctx.store, ctx.job
    with store.read() as conn:
        account = conn.execute(sa.select(ad_accounts).where(ad_accounts.c.id == job.ad_account_id)).first()
    if account is None:
        raise JobFailed(f"ad account {job.ad_account_id} no longer exists")
    now = service.as_of(job.params, job.created_at)
    path = ctx.result_file(".csv")
    written = service.write_report(store, account=account, params=job.params, now=now, path=path)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", job.params.get("report_name") or "mmm_report").strip("._") or "mmm_report"
    return JobResult(path=path, size=written.size, meta={
        "rows": written.rows, "columns": written.header, "as_of": now.isoformat(), "filename": f"{name[:100]}.csv",
        "content_type": "text/csv; charset=utf-8"})


register(service.KIND, run_mmm_report)

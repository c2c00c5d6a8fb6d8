"""The `mmm_report` job: computes the MMM report from the facts and writes it as CSV."""

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
    head, rows = service.report_rows(store, account=account, params=job.params)
    path = ctx.result_file(".csv")
    size = service.write_csv(path, head, rows)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", job.params.get("report_name") or "mmm_report").strip("._") or "mmm_report"
    return JobResult(path=path, size=size, meta={"rows": len(rows), "columns": head, "filename": f"{name[:100]}.csv",
                                                 "content_type": "text/csv; charset=utf-8"})


register(service.KIND, run_mmm_report)

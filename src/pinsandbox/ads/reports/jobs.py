"""The job handler of kind "report": writes an async report's file from the reporting engine.

The parameters are those `service.parse_create` / `service.template_report_params` stored: the request,
with dates resolved and `as_of` (the sandbox clock when it was requested: conversions after it are not
counted, and status filters read the entities as they were then). Entity filters and attribute lookups
are read from the state database when the job runs; the file is streamed by `reporting.export`.
"""

from __future__ import annotations

import sqlalchemy as sa

from pinsandbox.ads.analytics.service import _catch_up
from pinsandbox.ads.reports import service
from pinsandbox.core.tables import ad_accounts
from pinsandbox.jobs.service import JobContext, JobFailed, JobResult, register
from pinsandbox.reporting import export


def run_report(ctx: JobContext) -> JobResult:
    store, job = ctx.store, ctx.job
    params = job.params
    _catch_up(store, job.ad_account_id)  # simulate the hours the clock passed; attribute Conversions API events
    with store.read() as conn:
        account = conn.execute(sa.select(ad_accounts).where(ad_accounts.c.id == job.ad_account_id)).first()
        if account is None:
            raise JobFailed(f"ad account {job.ad_account_id} no longer exists")
        spec = service.spec_of(conn, account, params)
        lookups = service.lookups_of(conn, account, spec)
    path = ctx.result_file(".csv" if spec.report_format == "CSV" else ".json")
    written = export.write(store.facts, spec, path, lookups)
    return JobResult(path=path, size=written.size, meta={"rows": written.rows, "format": spec.report_format,
                                                         "level": spec.level})


# A report lives one hour, as Pinterest documents, whatever PINSANDBOX_JOB_RESULT_TTL_SECONDS says (MMM and bulk).
register(service.JOB_KIND, run_report, result_ttl_seconds=service.REPORT_TTL_SECONDS)

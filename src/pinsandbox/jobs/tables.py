"""The `jobs` table: one row per asynchronous job (report, MMM report, bulk download, bulk upsert, ...).

Times named `*_at` are epoch milliseconds on the sandbox clock (what the API shows and what result
expiry follows); `created_real`, `run_after` and `lease_until` are epoch milliseconds of real time
(operational: leases, deferrals and the minimum processing time must not jump when a test moves the
sandbox clock).
"""

from __future__ import annotations

import sqlalchemy as sa

from pinsandbox.core.db import JSONType, metadata

jobs = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),  # opaque token (report token, bulk request id)
    sa.Column("seq", sa.BigInteger, nullable=False),  # creation order, unique across processes (core.ids)
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("ad_account_id", sa.BigInteger),
    sa.Column("params", JSONType, nullable=False),
    # QUEUED | RUNNING | FINISHED | FAILED | CANCELLED | EXPIRED
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("error", sa.Text),
    sa.Column("result_path", sa.Text),  # relative to <data_dir>/results/; NULL once the file is deleted
    sa.Column("result_size", sa.BigInteger),
    sa.Column("result_meta", JSONType, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("started_at", sa.BigInteger),
    sa.Column("finished_at", sa.BigInteger),
    sa.Column("expires_at", sa.BigInteger),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),  # claims so far
    sa.Column("worker", sa.String(128)),  # who holds (or last held) the job
    sa.Column("lease_until", sa.BigInteger),  # real ms; a RUNNING job past it is reclaimed
    sa.Column("created_real", sa.BigInteger, nullable=False),  # real ms, start of the minimum processing time
    sa.Column("run_after", sa.BigInteger, nullable=False),  # real ms; a deferred job waits until then
    sa.Column("rush", sa.Boolean, nullable=False, server_default=sa.false()),  # skip the minimum time
)
sa.Index("ix_jobs_status_run_after", jobs.c.status, jobs.c.run_after)
sa.Index("ix_jobs_account_kind", jobs.c.ad_account_id, jobs.c.kind)
sa.Index("ix_jobs_seq", jobs.c.seq, unique=True)

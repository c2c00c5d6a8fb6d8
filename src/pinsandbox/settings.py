"""Settings, read from PINSANDBOX_* environment variables (and CLI flags, which set the same fields)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PINSANDBOX_", extra="ignore")

    data_dir: Path = Field(default=Path(".pinsandbox"), description="Where state, facts and report files live.")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default SQLite in data_dir.")
    host: str = "127.0.0.1"
    port: int = 8080
    # OAuth lifetimes, as Pinterest documents them (30 days access, 365 days refresh).
    access_token_ttl_seconds: int = 30 * 24 * 3600
    refresh_token_ttl_seconds: int = 365 * 24 * 3600
    # Rate limiting: "off" (default) or "standard" (Pinterest's published Standard-tier limits).
    rate_limits: str = "off"
    # SQL echo for debugging.
    echo_sql: bool = False
    # Jobs (async reports, MMM reports, bulk): see docs/architecture.md "Jobs" and docs/sandbox.md.
    telemetry: bool = Field(default=False, description="FastAPI's OpenTelemetry spans and metrics for each request "
                            "(off: its per-request check is a tenth of a simple GET's time).")
    workers: int = Field(default=2, ge=0, description="In-process job workers of `pinsandbox serve`.")
    job_min_seconds: float = Field(default=2.0, ge=0, description="A job finishes no earlier than this many "
                                   "real seconds after it was submitted (clients' polling sees IN_PROGRESS).")
    job_result_ttl_seconds: int = Field(default=3600, ge=1, description="A finished MMM report or bulk "
                                        "result lives this long (sandbox clock), then EXPIRED. Async reports always "
                                        "live Pinterest's documented hour.")
    job_lease_seconds: float = Field(default=30.0, gt=0, description="A running job's lease (real time), "
                                     "renewed by heartbeats; a lapsed lease means its worker died.")
    job_max_attempts: int = Field(default=3, ge=1, description="Claims of a job before it is FAILED.")
    job_poll_seconds: float = Field(default=0.5, gt=0, description="Idle workers look for jobs this often.")
    download_url_ttl_seconds: int = Field(default=300, ge=1, description="Signed result links live this long "
                                          "(sandbox clock; Pinterest: 5 minutes).")

    def resolved_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Accept the libpq-style postgresql:// URL and use psycopg 3.
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{(self.data_dir / 'state.db').resolve()}"

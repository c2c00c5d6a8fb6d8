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

    def resolved_database_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Accept the libpq-style postgresql:// URL and use psycopg 3.
            if url.startswith("postgresql://") or url.startswith("postgres://"):
                url = "postgresql+psycopg://" + url.split("://", 1)[1]
            return url
        return f"sqlite:///{(self.data_dir / 'state.db').resolve()}"

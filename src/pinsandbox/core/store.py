"""The Store: one sandbox's state (engine, clock, settings) and its transactions.

Routes are `async def` and open exactly one short transaction with `store.read()` or
`store.write()`: the whole unit of work runs synchronously inside it, with no `await` in between,
so a request never holds a database lock across an event-loop switch (SQLite writers would
otherwise block the loop). A failure inside rolls the whole request back: stored data is never
half-written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
import threading

import sqlalchemy as sa

from pinsandbox.core import db
from pinsandbox.core.auth import TokenCache
from pinsandbox.core.clock import Clock
from pinsandbox.core.ratelimit import RateLimiter
from pinsandbox.settings import Settings

# Tables that `reset` keeps unless asked: the identities tokens are made from.
IDENTITY_TABLES = {"users", "apps", "tokens", "oauth_codes", "sandbox_state"}


class Store:
    def __init__(self, settings: Settings, *, migrate: bool = True):
        self.settings = settings
        self.url = settings.resolved_database_url()
        self.engine = db.create_db_engine(self.url, echo=settings.echo_sql)
        if migrate:
            db.upgrade(self.engine)
        self.clock = Clock(self.engine)
        self.token_cache = TokenCache()
        self.limiter = RateLimiter(settings.rate_limits)
        self._secret: bytes | None = None
        self._facts = None
        self._facts_lock = threading.Lock()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(pinsandbox_write=False)
            with conn.begin():
                yield conn

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(pinsandbox_write=True)
            with conn.begin():
                yield conn

    def reset(self, *, keep_identities: bool = True) -> None:
        """Drop all data; keep users, apps and tokens (and the clock) unless asked not to."""
        keep = IDENTITY_TABLES if keep_identities else {"sandbox_state"}
        with self.write() as conn:
            db.delete_all(conn, keep=keep)
            if not keep_identities:
                conn.execute(db.sandbox_state.delete().where(db.sandbox_state.c.key != "secret"))
        self.token_cache.clear()
        if not keep_identities:
            self.clock.reset()
        self.facts.clear()

    @property
    def facts(self):
        """The analytics fact store (DuckDB in the data dir), opened on first use."""
        if self._facts is None:
            with self._facts_lock:
                if self._facts is None:
                    from pinsandbox.reporting.facts import FactStore

                    self._facts = FactStore(self.settings.data_dir / "facts.duckdb")
        return self._facts

    @property
    def secret(self) -> bytes:
        """A per-sandbox secret (signs bookmarks and download links), made once and kept."""
        import secrets

        if self._secret is not None:
            return self._secret
        with self.write() as conn:
            value = db.get_state(conn, "secret")
            if value is None:
                value = secrets.token_hex(32)
                db.put_state(conn, "secret", value)
        self._secret = bytes.fromhex(value)
        return self._secret

    def dispose(self) -> None:
        if self._facts is not None:
            self._facts.close()
            self._facts = None
        self.engine.dispose()

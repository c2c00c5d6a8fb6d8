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

from pinsandbox.core import db, ids
from pinsandbox.core.auth import TokenCache
from pinsandbox.core.clock import Clock
from pinsandbox.core.ratelimit import RateLimiter
from pinsandbox.settings import Settings

# Tables that `reset` keeps unless asked: the identities tokens are made from.
IDENTITY_TABLES = {"users", "apps", "tokens", "oauth_codes", "sandbox_state"}
_KEPT_MEMO_KEY = "pinsandbox_kept_memo"  # conn.info: the connection's memo, kept between transactions
_KEPT_READERS = 8  # SQLite reader connections kept between requests (the pool holds 8 + 16)


@contextmanager
def _sqlite_read_transaction(conn: sa.Connection) -> Iterator[None]:
    """A read transaction begun and ended on the driver connection (SQLAlchemy's begin/commit events
    cost more than the reads of a GET). A statement run through SQLAlchemy inside it makes SQLAlchemy
    "autobegin" its own transaction object on top (core/db.py's BEGIN hook sees the driver is in one
    already); it is then ended through SQLAlchemy, which ends the driver's."""
    driver = conn.connection.driver_connection
    driver.execute("BEGIN")
    # The first statement starts the snapshot and tells which database it is (db.SnapshotMemo).
    version = driver.execute("PRAGMA data_version").fetchone()[0]
    info = conn.info
    # data_version does not move for the connection's own commits: a connection that has written since
    # (it served as a writer before, or wrote in here) starts a fresh memo too.
    changes = driver.total_changes
    memo = info.get(_KEPT_MEMO_KEY)
    if memo is None or memo.version != version or memo.changes != changes:
        memo = info[_KEPT_MEMO_KEY] = db.SnapshotMemo(version, changes)
    info[db.MEMO_INFO_KEY] = memo  # Query(memo=True) uses it until the transaction ends
    try:
        yield
    except BaseException:
        info.pop(db.MEMO_INFO_KEY, None)
        if conn.in_transaction():
            conn.rollback()
        elif driver.in_transaction:
            driver.execute("ROLLBACK")
        raise
    info.pop(db.MEMO_INFO_KEY, None)
    if conn.in_transaction():
        conn.commit()
    elif driver.in_transaction:
        driver.execute("COMMIT")


class Store:
    def __init__(self, settings: Settings, *, migrate: bool = True):
        self.settings = settings
        self.url = settings.resolved_database_url()
        self.engine = db.create_db_engine(self.url, echo=settings.echo_sql)
        if migrate:
            db.upgrade(self.engine)
        self._node_lease = ids.claim_node(self.engine)  # ids unique across the live processes of this sandbox
        self.clock = Clock(self.engine)
        self.token_cache = TokenCache()
        self.limiter = RateLimiter(settings.rate_limits)
        self._secret: bytes | None = None
        self._facts = None
        self._facts_lock = threading.Lock()
        self._keep_readers = self.dialect == "sqlite"
        self._local = threading.local()
        self._kept: dict[sa.Connection, threading.Thread] = {}
        self._kept_lock = threading.Lock()
        if migrate:
            self.secret  # noqa: B018 - made (once per sandbox) before any request's write transaction needs it

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        conn = self._reader()  # `pinsandbox_write` is unset on it: a reader
        try:
            if self._keep_readers:
                with _sqlite_read_transaction(conn):
                    yield conn
            else:
                with conn.begin():
                    yield conn
        finally:
            self._put_back(conn)

    # Readers on SQLite keep their connection between requests: one per thread, at most
    # `_KEPT_READERS` in all, so the pool always has room for writers. Checking a connection out
    # of SQLAlchemy's pool and back costs more than most reads (~30 µs); between transactions
    # a SQLite connection holds no lock and sees every commit. PostgreSQL connections go back to
    # the pool (which pings them after a server restart).
    def _reader(self) -> sa.Connection:
        conn = getattr(self._local, "reader", None)
        if conn is not None:
            self._local.reader = None
            if not (conn.closed or conn.invalidated):
                return conn
            self._forget(conn)
        return self.engine.connect()

    def _put_back(self, conn: sa.Connection) -> None:
        if (self._keep_readers and not (conn.closed or conn.invalidated)
                and not conn.connection.driver_connection.in_transaction  # e.g. a COMMIT that failed
                and getattr(self._local, "reader", None) is None and self._adopt(conn)):
            self._local.reader = conn
            return
        self._forget(conn)
        conn.close()

    def _adopt(self, conn: sa.Connection) -> bool:
        with self._kept_lock:
            if conn in self._kept:
                return True
            if len(self._kept) >= _KEPT_READERS:  # close those of threads that have ended
                for other, thread in list(self._kept.items()):
                    if not thread.is_alive():
                        del self._kept[other]
                        other.close()
            if len(self._kept) >= _KEPT_READERS:
                return False
            self._kept[conn] = threading.current_thread()
            return True

    def _forget(self, conn: sa.Connection) -> None:
        with self._kept_lock:
            self._kept.pop(conn, None)

    def _close_kept(self) -> None:
        with self._kept_lock:
            kept, self._kept = list(self._kept), {}
        for conn in kept:
            conn.close()
        self._local = threading.local()

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """A write transaction; writers run one at a time (SQLite: BEGIN IMMEDIATE; PostgreSQL: an
        advisory lock, core/db.py `lock_for_write`)."""
        with db.write_transaction(self.engine) as conn:
            yield conn

    def reset(self, *, keep_identities: bool = True) -> None:
        """Drop all data; keep users, apps and tokens (and the clock) unless asked not to."""
        keep = IDENTITY_TABLES if keep_identities else {"sandbox_state"}
        # a simulation running meanwhile (in any process) would write its later chunks, seed and watermark
        # after the facts were cleared: wait for it, and keep the next from starting until the reset is done
        with self.facts.exclusive("simulate"):
            with self.write() as conn:
                db.delete_all(conn, keep=keep)
                if not keep_identities:
                    conn.execute(db.sandbox_state.delete().where(
                        db.sandbox_state.c.key != "secret", ~db.sandbox_state.c.key.like(ids.NODE_KEY_PREFIX + "%")))
            self.token_cache.clear()
            if not keep_identities:
                self.clock.reset()
            self.facts.clear()

    @property
    def facts(self):
        """The analytics fact store (Parquet segments in `<data_dir>/facts`, read through DuckDB), opened on
        first use. Any number of processes may open the same data dir."""
        if self._facts is None:
            with self._facts_lock:
                if self._facts is None:
                    from pinsandbox.reporting.facts import FactStore

                    self._facts = FactStore(self.settings.data_dir / "facts")
        return self._facts

    @property
    def secret(self) -> bytes:
        """A per-sandbox secret (signs bookmarks and download links), made once and kept."""
        import secrets

        if self._secret is not None:
            return self._secret
        # read first: only the first use in a sandbox's life writes (a write here, inside a request's own
        # write transaction, once waited on its own SQLite lock for the busy timeout and failed)
        with self.engine.connect() as conn:
            value = db.get_state(conn, "secret")
        if value is None:
            with self.write() as conn:
                value = db.get_state(conn, "secret")
                if value is None:
                    value = secrets.token_hex(32)
                    db.put_state(conn, "secret", value)
        self._secret = bytes.fromhex(value)
        return self._secret

    def dispose(self) -> None:
        self._node_lease.release()
        if self._facts is not None:
            self._facts.close()
            self._facts = None
        self._close_kept()
        self.engine.dispose()

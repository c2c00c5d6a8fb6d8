"""Storage: one SQLAlchemy metadata, engines for SQLite (WAL) and PostgreSQL, migrations, transactions.

Domains declare their tables on `metadata` in their own `tables.py`; `pinsandbox.models` imports
them all so Alembic and `reset` see every table. Services receive a `Connection` that is already
inside a transaction (one per request, opened by the route with `store.read()` / `store.write()`);
they never commit.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

JSONType = sa.JSON().with_variant(JSONB(), "postgresql")

sandbox_state = sa.Table(
    "sandbox_state",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


def entity_columns() -> list[sa.Column]:
    """The columns every stored API object shares: numeric id, the object's fields as JSON, times.

    Fields that the API filters, joins or checks rules on are real columns beside these; the rest of
    Pinterest's wide objects live in `data`, validated by the pydantic schemas on the way in.
    """
    return [
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("data", JSONType, nullable=False),
        sa.Column("created_time", sa.BigInteger, nullable=False),
        sa.Column("updated_time", sa.BigInteger, nullable=False),
    ]


_LONG_NUMBER = re.compile(r"\d{19}")  # may be an integer beyond 64 bits


def json_loads(text: str | bytes) -> Any:
    """Stored JSON to Python, as `json.loads` gives it: orjson (~4× faster on our `data` columns, which
    every row of a list decodes), except where orjson differs: integers beyond 64 bits (it makes them
    floats; a run of 19+ digits sends the text to `json`), and what it refuses (NaN and Infinity, which
    `json.dumps` writes; lone surrogates)."""
    if _LONG_NUMBER.search(text if isinstance(text, str) else text.decode("utf-8", "replace")):
        return json.loads(text)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def create_db_engine(url: str, *, echo: bool = False) -> sa.Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False},
                                  pool_size=8, max_overflow=16, json_deserializer=json_loads)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _: Any) -> None:
            # Take transaction control from pysqlite so BEGIN happens where SQLAlchemy says.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn: sa.Connection) -> None:
            # Writers take the write lock up front (no deadlock on lock upgrade); readers do not block.
            # On the DBAPI connection itself: SQLAlchemy's statement machinery costs more than BEGIN does.
            driver = conn.connection.driver_connection
            if driver.in_transaction:  # a read transaction Store.read() began on the driver itself
                return
            write = conn.get_execution_options().get("pinsandbox_write", False)
            driver.execute("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine
    return sa.create_engine(url, echo=echo, pool_size=10, max_overflow=20, pool_pre_ping=True,
                            json_deserializer=json_loads)


def _json_value(value: Any) -> Any:
    """SQLAlchemy's JSON result processing on SQLite, in one call: text is decoded, NULL stays None,
    a bare number (SQLite's JSON may store one) stays as it is."""
    if value is None or not isinstance(value, (str, bytes)):
        return value
    return json_loads(value)


def _result_processor(column_type: sa.types.TypeEngine, dialect: sa.Dialect) -> Any:
    impl = column_type.dialect_impl(dialect)
    processor = impl.result_processor(dialect, None)
    if processor is not None and isinstance(impl, sa.JSON) and dialect.name == "sqlite":
        return _json_value
    return processor


MEMO_INFO_KEY = "pinsandbox_snapshot_memo"  # conn.info: the memo of the open SQLite read transaction


class SnapshotMemo:
    """Query results of one SQLite connection, valid while the database is unchanged.

    A SQLite read transaction begins with `PRAGMA data_version` (core/store.py): that statement
    starts the transaction's snapshot and answers a number that, on the same connection, changes
    whenever another connection has committed since — and only then. So two read transactions of one
    connection with the same number read the same database, and a result computed in one is the
    result in the other: a memo keyed by (query, parameters) and tagged with the number is exact, not
    a cache with a lifetime. Any commit anywhere (another request, a job in another process, a reset,
    the clock) makes the next read transaction start a fresh memo. PostgreSQL has no such number:
    there, nothing is memoized.
    """

    __slots__ = ("version", "changes", "_results")
    MAX_ENTRIES = 1024  # a bound on memory between commits (e.g. many distinct bookmarks)

    def __init__(self, version: int, changes: int):
        self.version = version
        self.changes = changes  # the connection's own total_changes when the memo began
        self._results: dict[Any, tuple] = {}

    def get(self, key: Any) -> tuple | None:
        return self._results.get(key)

    def keep(self, key: Any, value: Any) -> Any:
        """Keep `value` for `key` as it is (see `memoized`)."""
        if len(self._results) >= self.MAX_ENTRIES:
            self._results.clear()
        self._results[key] = value
        return value

    def put(self, key: Any, rows: tuple) -> tuple:
        """Keep `rows` (named tuples) for `key`; decoded JSON lists become tuples, so that no request can
        change what another reads. Rows holding a JSON object are answered but not kept."""
        frozen = []
        for row in rows:
            if any(isinstance(v, (list, dict, set)) for v in row):
                if any(isinstance(v, (dict, set)) for v in row):
                    return rows
                row = row._make(tuple(v) if isinstance(v, list) else v for v in row)
            frozen.append(row)
        if len(self._results) >= self.MAX_ENTRIES:
            self._results.clear()
        rows = self._results[key] = tuple(frozen)
        return rows


def memoized(conn: sa.Connection, key: Any, compute: Any) -> Any:
    """`compute()`, kept for `key` in the open SQLite read transaction's SnapshotMemo (computed afresh
    elsewhere). For values that are a function of the stored data alone (not of the clock or the
    request), and that no caller changes."""
    memo = conn.info.get(MEMO_INFO_KEY)
    if memo is None:
        return compute()
    hit = memo.get(key)
    if hit is None:
        hit = memo.keep(key, compute())
    return hit


class Query:
    """A SELECT compiled once per dialect and run straight on the DBAPI cursor: the hot read paths.

    SQLAlchemy's execution of even a prebuilt statement (cache key, compiled-cache lookup, execution
    context, result metadata) costs ~40 µs on SQLite, where the query itself takes ~5 µs, and building
    a `select()` per call ~110 µs more. The reads every request makes (the ad account and the caller's
    roles on it, an object by id, a page of a list) are therefore declared once as a Query and run here.

    Binds are `sa.bindparam(name)`s filled from `params` (literal values in the statement stay fixed);
    bind and result values go through the column types' processors for the dialect, so a row reads
    like SQLAlchemy's (JSON decoded, booleans as bool). Rows are named tuples of the selected columns,
    with `_mapping` like SQLAlchemy's Row. `IN` lists are not supported: one Query per list length.
    With `echo` on, statements go through SQLAlchemy so that they are logged.
    """

    __slots__ = ("stmt", "_plans", "memo")

    def __init__(self, stmt: sa.Select, *, memo: bool = False):
        self.stmt = stmt
        self._plans: dict[Any, tuple] = {}
        # `memo`: inside a SQLite read transaction (core/store.py), results are kept per snapshot
        # (see SnapshotMemo). Only for queries whose rows hold no mutable values (no decoded JSON):
        # a memoized row is shared by every request that reads the same snapshot.
        self.memo = memo

    def _plan(self, dialect: sa.Dialect) -> tuple:
        key = (dialect.name, dialect.driver, dialect.paramstyle)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._compile(dialect)
        return plan

    def _compile(self, dialect: sa.Dialect) -> tuple:
        from collections import namedtuple

        compiled = self.stmt.compile(dialect=dialect)
        binds = []  # (name in the SQL, key in params or None for a literal, fixed value, processor)
        for name, bind in compiled.binds.items():
            if bind.expanding:
                raise ValueError(f"Query does not take IN lists ({bind.key}): build one per length")
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            given = bind.value is None and bind.callable is None
            binds.append((name, bind.key if given else None, None if given else bind.effective_value, processor))
        positional = compiled.positiontup is not None
        if positional:
            by_name = {b[0]: b for b in binds}
            binds = [by_name[name] for name in compiled.positiontup]
        columns = list(self.stmt.selected_columns)
        processors = [_result_processor(c.type, dialect) for c in columns]
        base = namedtuple("QueryRow", list(self.stmt.selected_columns.keys()), rename=True)
        row_class = type("QueryRow", (base,), {"__slots__": (), "_mapping": property(lambda r: r._asdict())})
        processors = tuple((i, p) for i, p in enumerate(processors) if p is not None)
        return compiled.string, positional, tuple(binds), row_class, processors or None

    @staticmethod
    def _arguments(binds: tuple, positional: bool, params: dict[str, Any]) -> Any:
        values = []
        for _, key, fixed, processor in binds:
            value = params[key] if key is not None else fixed
            values.append(processor(value) if processor is not None else value)
        return tuple(values) if positional else {b[0]: v for b, v in zip(binds, values)}

    def _run(self, conn: sa.Connection, params: dict[str, Any] | None, one: bool) -> list:
        sql, positional, binds, row_class, processors = self._plan(conn.dialect)
        cursor = conn.connection.cursor()
        try:
            cursor.execute(sql, self._arguments(binds, positional, params or {}))
            if one:
                raw = cursor.fetchone()
                raw = [] if raw is None else [raw]
            else:
                raw = cursor.fetchall()
        finally:
            cursor.close()
        make = row_class._make
        if processors is None:
            return [make(r) for r in raw]
        if len(processors) == 1:  # the usual case: one JSON `data` column
            (i, processor), = processors
            return [make((*r[:i], processor(r[i]), *r[i + 1:])) for r in raw]
        out = []
        for r in raw:
            r = list(r)
            for i, processor in processors:
                r[i] = processor(r[i])
            out.append(make(r))
        return out

    def _rows(self, conn: sa.Connection, params: dict[str, Any] | None, one: bool) -> Any:
        """The rows, from the open read transaction's SnapshotMemo when this Query is memoized (a tuple then:
        shared, so callers must not change it)."""
        memo = conn.info.get(MEMO_INFO_KEY) if self.memo else None
        if memo is None:
            return self._run(conn, params, one=one)
        key = (self, one, tuple(params.items()) if params else ())
        try:
            rows = memo.get(key)
        except TypeError:  # an unhashable parameter value: not memoized
            return self._run(conn, params, one=one)
        if rows is None:
            rows = memo.put(key, tuple(self._run(conn, params, one=one)))
        return rows

    def all(self, conn: sa.Connection, params: dict[str, Any] | None = None) -> list:
        if conn.engine.echo:
            return list(conn.execute(self.stmt, params or {}))
        return list(self._rows(conn, params, False))  # the caller's own list; the rows are immutable

    def first(self, conn: sa.Connection, params: dict[str, Any] | None = None) -> Any:
        if conn.engine.echo:
            return conn.execute(self.stmt, params or {}).first()
        rows = self._rows(conn, params, True)
        return rows[0] if rows else None

    def scalar(self, conn: sa.Connection, params: dict[str, Any] | None = None) -> Any:
        row = self.first(conn, params)
        return row[0] if row is not None else None


def migrations_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest migration (idempotent)."""
    from alembic import command

    import pinsandbox.models  # noqa: F401  (registers every table)

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")  # parallel branches until merged


# PostgreSQL writers take this transaction-level advisory lock first, so they run one at a time, as SQLite's
# writers do (BEGIN IMMEDIATE). The services read, check and write in one transaction (a name is free, a Pin
# is not promoted twice in an ad group, a PATCH merges the stored row): under READ COMMITTED two of them
# could both pass a check or both merge the same old row. The lock is per database (advisory locks are
# scoped to the database), released at commit or rollback.
WRITE_LOCK_KEY = 0x70696E73  # "pins"


def lock_for_write(conn: sa.Connection) -> None:
    """Make the open write transaction of `conn` the only one (PostgreSQL; SQLite did so at BEGIN)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})


_writing = threading.local()


@contextmanager
def one_writer_per_thread(engine: sa.Engine) -> Iterator[None]:
    """Around a write transaction: a second one opened on the same database by the same thread while the
    first is open would wait for the first forever (PostgreSQL's advisory lock) or for SQLite's busy
    timeout, then fail; it is refused at once instead, naming the mistake (a bug, never a client's)."""
    held = _writing.__dict__.setdefault("urls", set())
    key = engine.url  # hashable; two engines on one database have equal URLs
    if key in held:
        raise RuntimeError("a write transaction is already open in this thread on this database: "
                           "do this write inside it, or after it")
    held.add(key)
    try:
        yield
    finally:
        held.discard(key)


@contextmanager
def write_transaction(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A write transaction on `engine`: one per thread per database (one_writer_per_thread), SQLite's
    BEGIN IMMEDIATE (the `pinsandbox_write` option), PostgreSQL's advisory lock (lock_for_write). What
    Store.write, the clock and the id-node leases use."""
    with one_writer_per_thread(engine), engine.connect() as conn:
        conn.execution_options(pinsandbox_write=True)
        with conn.begin():
            lock_for_write(conn)
            yield conn


def get_state(conn: sa.Connection, key: str) -> str | None:
    return conn.execute(sa.select(sandbox_state.c.value).where(sandbox_state.c.key == key)).scalar()


def put_state(conn: sa.Connection, key: str, value: str) -> None:
    updated = conn.execute(sa.update(sandbox_state).where(sandbox_state.c.key == key).values(value=value))
    if updated.rowcount == 0:
        conn.execute(sa.insert(sandbox_state).values(key=key, value=value))


def delete_all(conn: sa.Connection, *, keep: set[str]) -> None:
    """Delete every row of every table but `keep`, children first."""
    import pinsandbox.models  # noqa: F401

    for table in reversed(metadata.sorted_tables):
        if table.name not in keep:
            conn.execute(table.delete())

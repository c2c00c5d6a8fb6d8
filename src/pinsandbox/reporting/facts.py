"""The fact store: what happened, as immutable Parquet segments under `<data_dir>/facts/`, read through DuckDB.

Tables
------
`delivery` — hourly grain per ad and audience segment. One row says: in this UTC hour, this ad (with
its pin, ad group, campaign and ad account) was delivered to this segment (one value per targeting
dimension, NULL where the dimension does not apply) and produced these base counters (the columns
named in `catalog.BASES`). A breakdown by one targeting type is a GROUP BY on its column, so the
values of a single-valued dimension (GENDER, AGE_BUCKET, COUNTRY, APPTYPE, PLACEMENT, ...) always add
up to the total. Reach: each row also names the block of people it reached, `[people_lo,
people_lo + people_n)` in the ad account's person-id space; reach over any grouping is the size of
the union of those blocks (`reporting.query`), so it is never a sum.

`conversions` — one row per attributed conversion: the ad (and its hierarchy) and segment of the ad
action, the action type (CLICK, ENGAGEMENT, VIEW) and time, the conversion time, event type,
channel (WEB, INAPP, OFFLINE, PINTEREST), device of action and of conversion, attribution (INDIVIDUAL
or HOUSEHOLD), quantity and value in micro-units of the account's currency.

`organic` — daily organic activity per pin (columns in `reporting.organic_facts`).

Ids are stored as BIGINT (they are 18-digit numbers) and rendered as strings by the query layer.

Storage (several processes on one data dir)
-------------------------------------------
`<data_dir>/facts/` holds `manifest.json` and segment files `<table>/<uuid>.parquet`. The manifest is
`{"version": n, "segments": {table: [file, ...]}, "meta": {key: value}, ...}` (plus each segment's row
count and column set, and the retired files awaiting deletion). A segment is never changed once
written. A commit writes its new segment files, then the new manifest to a temporary file, and
`os.replace`s it over `manifest.json`: readers see the whole commit or none of it. Writers take an
fcntl lock on `facts/.lock` (across processes) and a thread lock (within one), then re-read the
manifest, so concurrent writers from any process queue up and none loses another's commit.

Each process reads through its own in-memory DuckDB connection whose `delivery`, `conversions` and
`organic` are VIEWS over the manifest's segments (`read_parquet([...])`, typed columns even when a
table has no segment). Before each read (`cursor()`, `fetch`, `fetch_arrow`, `get_meta`) the store
stats the manifest (inode, size, mtime; re-reading the version while the mtime is too recent to trust)
and re-creates the views when another process or instance committed: a few microseconds per read.

Deleting rows (`FactWriter.delete`, e.g. the simulator re-simulating a range, or one ad account's
facts) rewrites only the segments holding matching rows, without those rows. Every segment is sorted
by the table's `SORT_KEYS` (ad account, then time), so DuckDB's row-group statistics prune scans and
deletes. Compaction keeps segment counts bounded: segments below `FULL_SEGMENT_ROWS` rows are
grouped in size tiers (factor `TIER_FANOUT`), and a tier that reaches `TIER_FANOUT` segments is merged
into one (sorted) in the same commit. Files a commit no longer references are "retired" in the
manifest and deleted by a later commit once `grace_seconds` (5 minutes) have passed, since readers in
other processes may still be scanning them; files no manifest names (left by a crashed writer) are
deleted after the same grace. The simulator's seed and watermark live in the manifest's `meta`,
committed atomically with the facts they describe.

Writers use `with facts.writing() as w: w.delete(...); w.append(...); w.set_meta(...)`: all or nothing.
Appends go through Arrow to Parquet (snappy, row groups of ROW_GROUP_ROWS: DuckDB pays per row group a
query touches, so they are large); merges and rewrites through DuckDB's COPY. Each process's DuckDB
gets a quarter of the machine's memory (PINSANDBOX_FACTS_MEMORY_LIMIT, e.g. "4GB", overrides it) and
spills beyond it to a temporary directory of its own. Async and MMM reports read through `batch_cursor()`:
a second DuckDB with its own, smaller limit (PINSANDBOX_BATCH_MEMORY_LIMIT, default 256MB), so a report's
working memory is bounded however long the report is.
The former single DuckDB file `<data_dir>/facts.duckdb` is no longer used.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
import uuid
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pinsandbox.reporting.catalog import BASES
from pinsandbox.reporting.organic_facts import ORGANIC_COLUMNS

# Targeting type (API) -> column of the facts.
DIMENSIONS: dict[str, str] = {
    "KEYWORD": "keyword", "APPTYPE": "apptype", "GENDER": "gender", "LOCATION": "location",
    "PLACEMENT": "placement", "COUNTRY": "country", "TARGETED_INTEREST": "targeted_interest",
    "PINNER_INTEREST": "pinner_interest", "AUDIENCE_INCLUDE": "audience_include", "GEO": "geo",
    "AGE_BUCKET": "age_bucket", "REGION": "region",
}
ENTITY_COLUMNS = ("ad_account_id", "campaign_id", "ad_group_id", "ad_id", "pin_id")

DELIVERY_COLUMNS: list[tuple[str, str]] = (
    [("hour", "TIMESTAMP NOT NULL")]
    + [(c, "BIGINT NOT NULL") for c in ENTITY_COLUMNS]
    + [(c, "VARCHAR") for c in DIMENSIONS.values()]
    + [(b, "BIGINT NOT NULL DEFAULT 0") for b in BASES]
    + [("people_lo", "BIGINT NOT NULL DEFAULT 0"), ("people_n", "BIGINT NOT NULL DEFAULT 0"),
       ("source", "VARCHAR NOT NULL DEFAULT 'fixture'")]
)

CONVERSION_COLUMNS: list[tuple[str, str]] = (
    [(c, "BIGINT NOT NULL") for c in ENTITY_COLUMNS]
    + [(c, "VARCHAR") for c in DIMENSIONS.values()]
    + [("action_type", "VARCHAR NOT NULL"), ("action_time", "TIMESTAMP NOT NULL"),
       ("conversion_time", "TIMESTAMP NOT NULL"), ("event_type", "VARCHAR NOT NULL"),
       ("channel", "VARCHAR NOT NULL DEFAULT 'WEB'"), ("action_device", "VARCHAR NOT NULL DEFAULT 'MOBILE'"),
       ("conversion_device", "VARCHAR NOT NULL DEFAULT 'MOBILE'"),
       ("attribution", "VARCHAR NOT NULL DEFAULT 'INDIVIDUAL'"), ("quantity", "BIGINT NOT NULL DEFAULT 1"),
       ("value_micro", "BIGINT NOT NULL DEFAULT 0"),
       # Rows sharing a conversion_key are candidate attributions of ONE conversion (a Conversions API event:
       # its best click, engagement and view); the query layer counts the best one the request's windows
       # allow. NULL: the row is a conversion of its own (simulator, fixtures).
       ("conversion_key", "BIGINT"),
       ("source", "VARCHAR NOT NULL DEFAULT 'fixture'")]
)

TABLES = {"delivery": DELIVERY_COLUMNS, "conversions": CONVERSION_COLUMNS, "organic": ORGANIC_COLUMNS}

# The order of rows inside every segment (the first of these columns that the table has lead).
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "delivery": ("ad_account_id", "hour"),
    "conversions": ("ad_account_id", "action_time"),
    "organic": ("owner_user_id", "day"),
}
MANIFEST = "manifest.json"
GRACE_SECONDS = 300.0  # retired and orphaned segment files are deleted this long after
FULL_SEGMENT_ROWS = 1_000_000  # a segment this large is never merged again
TIER_FANOUT = 8  # size tiers grow by this factor; a tier holding this many segments is merged
TIER_BASE_ROWS = 8192  # tier 0: segments below this many rows
PARQUET_COMPRESSION = "snappy"
ROW_GROUP_ROWS = 1_048_576  # the unit of pruning and of parallel scans; DuckDB pays per row group scanned
RACY_NS = 1_000_000_000  # a manifest this recently modified may change without its stat changing


# ---- column declarations ------------------------------------------------------------------------
_NO_VALUE = object()
_ARROW_TYPES: dict[str, pa.DataType] = {
    "BIGINT": pa.int64(), "INTEGER": pa.int32(), "VARCHAR": pa.string(), "TIMESTAMP": pa.timestamp("us"),
    "DATE": pa.date32(), "BOOLEAN": pa.bool_(), "DOUBLE": pa.float64(),
}
_SAFE_INTS = (pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint16(), pa.uint32())


def _cheap_cast(col: pa.ChunkedArray, target: pa.DataType) -> pa.ChunkedArray | None:
    """`col` as `target` when Arrow can convert it without any possible failure or change of value;
    None when DuckDB must cast it."""
    t = col.type
    if t == target:
        return col
    if pa.types.is_null(t):
        return col.cast(target)
    if pa.types.is_dictionary(t) and t.value_type == target == pa.string():
        return col  # written as a dictionary-encoded string column: no need to decode it
    if target == pa.string() and (pa.types.is_large_string(t) or pa.types.is_string_view(t)):
        return col.cast(target)
    if target == pa.int64() and t in _SAFE_INTS:
        return col.cast(target)
    if pa.types.is_timestamp(t) and pa.types.is_timestamp(target) and t.unit == target.unit:
        return col.cast(target)  # a zone-aware instant: its UTC time, as DuckDB's TIMESTAMPTZ -> TIMESTAMP
    return None


class _Column:
    __slots__ = ("name", "type", "not_null", "default")

    def __init__(self, name: str, decl: str):
        upper = decl.upper()
        cut = [i for i in (upper.find(" NOT NULL"), upper.find(" DEFAULT ")) if i >= 0]
        self.name = name
        self.type = decl[:min(cut)].strip() if cut else decl.strip()
        self.not_null = "NOT NULL" in upper
        i = upper.find(" DEFAULT ")
        if i >= 0:
            rest = decl[i + len(" DEFAULT "):]
            j = rest.upper().find(" NOT NULL")
            self.default: str | None = (rest[:j] if j >= 0 else rest).strip()
        else:
            self.default = None

    @property
    def py_default(self) -> Any:
        """The default as a Python value (_NO_VALUE when it is an expression)."""
        d = self.default
        if d is None or d.upper() == "NULL":
            return None
        if d.upper() in ("TRUE", "FALSE"):
            return d.upper() == "TRUE"
        if len(d) >= 2 and d[0] == d[-1] == "'":
            return d[1:-1].replace("''", "'")
        try:
            return int(d)
        except ValueError:
            pass
        try:
            return float(d)
        except ValueError:
            return _NO_VALUE

    def constant(self) -> str:
        """The value of a row that does not name this column."""
        return f"CAST({self.default if self.default is not None else 'NULL'} AS {self.type})"


def _columns(table: str) -> list[_Column]:
    if table not in TABLES:
        raise ValueError(f"unknown fact table {table!r}")
    return _parsed(tuple(TABLES[table]))


@functools.lru_cache(maxsize=32)
def _parsed(decls: tuple[tuple[str, str], ...]) -> list[_Column]:
    return [_Column(n, d) for n, d in decls]


def _names(table: str) -> list[str]:
    return [n for n, _ in TABLES[table]]


def _schema_id(names: Sequence[str]) -> str:
    return hashlib.sha1(",".join(names).encode()).hexdigest()[:12]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _order_by(table: str) -> str:
    have = set(_names(table))
    keys = [k for k in SORT_KEYS.get(table, ()) if k in have]
    return ", ".join(_q(k) for k in keys)


def _tier(rows: int) -> int:
    """0 below TIER_BASE_ROWS; k for TIER_BASE_ROWS * TIER_FANOUT**(k-1) <= rows < TIER_BASE_ROWS * TIER_FANOUT**k."""
    tier, bound = 0, TIER_BASE_ROWS
    while rows >= bound:
        tier, bound = tier + 1, bound * TIER_FANOUT
    return tier


def _empty_manifest() -> dict[str, Any]:
    return {"version": 0, "segments": {t: [] for t in TABLES}, "meta": {}, "files": {}, "schemas": {},
            "retired": []}


# ---- locks --------------------------------------------------------------------------------------
class _ProcessLock:
    """Exclusive across threads (an RLock, re-entrant in its thread) and processes (flock on a file)."""

    def __init__(self, path: Path):
        self.path = path
        self._rlock = threading.RLock()
        self._depth = 0
        self._fd: int | None = None

    def __enter__(self) -> _ProcessLock:
        self._rlock.acquire()
        if self._depth == 0:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                except BaseException:
                    os.close(fd)
                    raise
            except BaseException:
                self._rlock.release()
                raise
            self._fd = fd
        self._depth += 1
        return self

    def __exit__(self, *exc: Any) -> None:
        self._depth -= 1
        try:
            if self._depth == 0 and self._fd is not None:
                fd, self._fd = self._fd, None
                try:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                finally:
                    os.close(fd)
        finally:
            self._rlock.release()


# ---- the store ----------------------------------------------------------------------------------
class FactStore:
    """The fact store of one directory (`<data_dir>/facts`). `path=None`: a private temporary directory
    removed on close (tests of the engine alone)."""

    def __init__(self, path: Path | str | None, *, grace_seconds: float | None = None,
                 memory_limit: str | None = None):
        if path is None:
            self._tmp: str | None = tempfile.mkdtemp(prefix="pinsandbox-facts-")
            self.dir = Path(self._tmp)
            self._durable = False  # nobody else reads it and it dies with the process: no fsync, no grace
            self.grace_seconds = 0.0 if grace_seconds is None else grace_seconds
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._tmp, True)
        else:
            self._tmp = None
            self.dir = Path(path)
            self._durable = True
            self.grace_seconds = GRACE_SECONDS if grace_seconds is None else grace_seconds
            self._cleanup = None
        self.path = path
        self.dir.mkdir(parents=True, exist_ok=True)
        for table in TABLES:
            (self.dir / table).mkdir(exist_ok=True)
        self._manifest_path = self.dir / MANIFEST
        # Several processes each run their own DuckDB: each gets a share of the memory (and spills the rest
        # to its own temporary directory), not DuckDB's default of 80% of it.
        # (DuckDB creates it only when it spills, and removes it on close.)
        self._spill = os.path.join(tempfile.gettempdir(), f"pinsandbox-duckdb-{os.getpid()}-{uuid.uuid4().hex}")
        self._spill_cleanup = weakref.finalize(self, shutil.rmtree, self._spill, True)
        limit = memory_limit or os.environ.get("PINSANDBOX_FACTS_MEMORY_LIMIT") or _default_memory_limit()
        self._con = duckdb.connect(":memory:", config={"memory_limit": limit, "temp_directory": self._spill})
        self._con.execute("SET GLOBAL parquet_metadata_cache = true")  # segments never change: footers read once
        self._lock = _ProcessLock(self.dir / ".lock")
        self._view_lock = threading.Lock()
        self._local = threading.local()
        self._writer_of = threading.local()
        self._cursors: list[duckdb.DuckDBPyConnection] = []
        self._named_locks: dict[str, _ProcessLock] = {}
        self._manifest: dict[str, Any] = _empty_manifest()
        self._seen: tuple[int, int, int] | None = None
        self._views_version = -1
        self._view_sql: dict[str, str] = {}
        # The batch engine (async reports, MMM reports): a second DuckDB of its own, opened on first use,
        # whose memory limit bounds what one report may take, however long the report (see batch_cursor).
        self._batch_con: duckdb.DuckDBPyConnection | None = None
        self._batch_view_sql: dict[str, str] = {}
        self._batch_views_version = -1
        self._batch_local = threading.local()
        self._closed = False
        self._refresh(force=True)

    # -- reading the manifest ----------------------------------------------------------------------
    def _read_manifest(self) -> tuple[dict[str, Any], tuple[int, int, int] | None]:
        """The current manifest and the stat key of the file it came from (one open: consistent)."""
        try:
            fh = open(self._manifest_path, "rb")
        except FileNotFoundError:
            return _empty_manifest(), None
        with fh:
            st = os.fstat(fh.fileno())
            data = json.loads(fh.read())
        return data, (st.st_ino, st.st_size, st.st_mtime_ns)

    def _check(self) -> None:
        """Re-create the views if the manifest changed since they were made (a stat, mostly)."""
        try:
            st = os.stat(self._manifest_path)
        except FileNotFoundError:
            key = None
        else:
            key = (st.st_ino, st.st_size, st.st_mtime_ns)
        if key == self._seen and (key is None or time.time_ns() - key[2] > RACY_NS):
            return
        self._refresh()

    def _refresh(self, *, force: bool = False) -> None:
        with self._view_lock:
            manifest, key = self._read_manifest()
            if force or manifest["version"] != self._views_version:
                self._install_views(manifest)
            self._manifest, self._seen = manifest, key

    def _adopt(self, manifest: dict[str, Any], key: tuple[int, int, int]) -> None:
        """After our own commit: the views follow it at once."""
        with self._view_lock:
            if manifest["version"] != self._views_version:
                self._install_views(manifest)
            self._manifest, self._seen = manifest, key

    def _install_views(self, manifest: dict[str, Any]) -> None:
        """(Re)create the views of the tables whose segments changed, in one DuckDB transaction: a query
        sees every table as of one commit."""
        self._install_views_on(self._con, self._view_sql, manifest)
        self._views_version = manifest["version"]

    def _install_views_on(self, con: duckdb.DuckDBPyConnection, view_sql: dict[str, str],
                          manifest: dict[str, Any]) -> None:
        changed = {}
        for table in TABLES:
            files = manifest["segments"].get(table, [])
            sql = self._scan_sql(table, files, manifest)
            if view_sql.get(table) != sql:
                changed[table] = sql
        if changed:
            con.execute("BEGIN TRANSACTION")
            try:
                for table, sql in changed.items():
                    con.execute(f"CREATE OR REPLACE VIEW {table} AS {sql}")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
            view_sql.update(changed)

    def _scan_sql(self, table: str, files: Sequence[str], manifest: Mapping[str, Any], *,
                  with_filename: bool = False) -> str:
        """SELECT of the table's columns (declared order and types) over these segment files."""
        cols = _columns(table)
        if not files:
            sel = ", ".join(f"CAST(NULL AS {c.type}) AS {_q(c.name)}" for c in cols)
            extra = ", CAST(NULL AS VARCHAR) AS filename" if with_filename else ""
            return f"SELECT {sel}{extra} WHERE false"
        current = _schema_id([c.name for c in cols])
        groups: dict[str, list[str]] = {}
        for f in files:
            groups.setdefault(manifest["files"].get(f, {}).get("schema", current), []).append(f)
        parts = []
        for sid, group in groups.items():
            paths = "[" + ", ".join(_lit(str(self.dir / f)) for f in group) + "]"
            opts = ", hive_partitioning = false" + (", filename = true" if with_filename else "")
            if sid == current:  # the file has exactly the columns, in order: `*` binds several times faster
                sel = "*"
            else:  # segments written before a column was added (or changed): defaults for what they lack
                have = set(manifest["schemas"].get(sid, []))
                sel = ", ".join(f"CAST({_q(c.name)} AS {c.type}) AS {_q(c.name)}" if c.name in have
                                else f"{c.constant()} AS {_q(c.name)}" for c in cols)
            if with_filename and sel != "*":
                sel += ", filename"
            parts.append(f"SELECT {sel} FROM read_parquet({paths}{opts})")
        return " UNION ALL ".join(parts)

    # -- access ------------------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling thread (DuckDB connections are not shared across threads), its views
        showing the latest commit of any process, ready for new work (an unread execute() result left on
        it is dropped, so register() works)."""
        self._check()
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._new_cursor()
        else:
            cur.abort()
        return cur

    def batch_cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor of the batch engine for the calling thread, its views as `cursor()`'s.

        Async and MMM reports run here, not in the engine of the sync endpoints: a second in-memory DuckDB
        whose memory limit (PINSANDBOX_BATCH_MEMORY_LIMIT, default 256MB) bounds a report's working memory
        — a grouped, ordered report spills to the temporary directory beyond it instead of growing with
        the report — and which a long report cannot take from the sync endpoints' engine."""
        self._check()
        with self._view_lock:
            if self._closed:
                raise RuntimeError("the fact store is closed")
            if self._batch_con is None:
                limit = os.environ.get("PINSANDBOX_BATCH_MEMORY_LIMIT") or BATCH_MEMORY_LIMIT
                self._batch_con = duckdb.connect(":memory:", config={
                    "memory_limit": limit, "temp_directory": self._spill + "-batch"})
                self._batch_con.execute("SET GLOBAL parquet_metadata_cache = true")
            if self._batch_views_version != self._views_version:
                self._install_views_on(self._batch_con, self._batch_view_sql, self._manifest)
                self._batch_views_version = self._views_version
            cur = getattr(self._batch_local, "cursor", None)
            if cur is None:
                cur = self._batch_local.cursor = self._batch_con.cursor()
                self._cursors.append(cur)
            else:
                cur.abort()
            return cur

    def _new_cursor(self) -> duckdb.DuckDBPyConnection:
        with self._view_lock:
            if self._closed:
                raise RuntimeError("the fact store is closed")
            cur = self._con.cursor()
            self._cursors.append(cur)
            return cur

    def fetch(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[tuple]:
        return self.cursor().execute(sql, params).fetchall()

    def fetch_arrow(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> pa.Table:
        return self.cursor().sql(sql, params=params or None).to_arrow_table()

    @property
    def version(self) -> int:
        """The version of the manifest the views show (after checking for a newer one)."""
        self._check()
        return int(self._manifest["version"])

    def segments(self, table: str) -> list[str]:
        """The current segment files of a table (paths relative to the store's directory)."""
        _columns(table)
        self._check()
        return list(self._manifest["segments"].get(table, []))

    # -- writing -----------------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[FactWriter]:
        """One write transaction under the writer locks: all or nothing. Inside another `writing()` of the
        same thread it joins that transaction."""
        outer = getattr(self._writer_of, "writer", None)
        if outer is not None:
            yield outer
            return
        with self._lock:
            manifest, _ = self._read_manifest()  # under the lock: the latest commit of any process
            w = FactWriter(self, manifest)
            self._writer_of.writer = w
            try:
                yield w
                w._commit()
            except BaseException:
                w._rollback()  # a no-op once the new manifest is in place
                raise
            finally:
                self._writer_of.writer = None
                w._close()

    def append(self, table: str, data: pa.Table, cur: FactWriter | None = None) -> int:
        """Add rows of an Arrow table (columns by name; missing columns take their defaults); in `cur`'s
        transaction when given, else in one of its own."""
        _check_columns(table, data)
        if data.num_rows == 0:
            return 0
        if cur is not None:
            return cur.append(table, data)
        with self.writing() as w:
            return w.append(table, data)

    def clear(self) -> None:
        """Drop every fact and all meta."""
        with self.writing() as w:
            w.clear()

    # -- meta --------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        self._check()
        value = self._manifest.get("meta", {}).get(key)
        return None if value is None else str(value)

    def meta(self) -> dict[str, str]:
        self._check()
        return dict(self._manifest.get("meta", {}))

    def set_meta(self, key: str, value: str | None, cur: FactWriter | None = None) -> None:
        if cur is not None:
            cur.set_meta(key, value)
            return
        with self.writing() as w:
            w.set_meta(key, value)

    # -- cross-process exclusion -------------------------------------------------------------------
    def exclusive(self, name: str) -> _ProcessLock:
        """A named lock held by one thread of one process at a time (e.g. one simulator run per data dir).
        Re-entrant in its thread. Independent of the writer lock: take it before `writing()`, not inside."""
        if not name.isidentifier():
            raise ValueError(f"lock name {name!r}")
        with self._view_lock:
            lock = self._named_locks.get(name)
            if lock is None:
                lock = self._named_locks[name] = _ProcessLock(self.dir / f".{name}.lock")
            return lock

    def close(self) -> None:
        with self._view_lock:
            if self._closed:
                return
            self._closed = True
            for cur in self._cursors:
                with contextlib.suppress(Exception):
                    cur.close()
            self._cursors.clear()
            self._con.close()
            if self._batch_con is not None:
                self._batch_con.close()
        if self._cleanup is not None:
            self._cleanup()
        self._spill_cleanup()
        shutil.rmtree(self._spill + "-batch", ignore_errors=True)


BATCH_MEMORY_LIMIT = "256MB"  # the batch engine's (async and MMM reports) default memory limit


def _default_memory_limit() -> str:
    """A quarter of the machine's memory (PINSANDBOX_FACTS_MEMORY_LIMIT overrides it, e.g. '4GB')."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "2GB"
    return f"{max(256, total // 4 // 2**20)}MB"


def _check_columns(table: str, data: pa.Table) -> None:
    known = set(_names(table)) if table in TABLES else None
    if known is None:
        raise ValueError(f"unknown fact table {table!r}")
    unknown = [c for c in data.column_names if c not in known]
    if unknown:
        raise ValueError(f"unknown columns for {table}: {', '.join(unknown)}")


class FactWriter:
    """One write transaction (from `FactStore.writing()`): changes are invisible until it commits."""

    def __init__(self, store: FactStore, manifest: dict[str, Any]):
        self._store = store
        self._base = manifest
        self._cur = store._new_cursor()
        self.segments: dict[str, list[str]] = {t: list(manifest["segments"].get(t, [])) for t in TABLES}
        self._files: dict[str, dict[str, Any]] = {f: dict(v) for f, v in manifest.get("files", {}).items()}
        self._schemas: dict[str, list[str]] = {k: list(v) for k, v in manifest.get("schemas", {}).items()}
        self._meta: dict[str, str] = dict(manifest.get("meta", {}))
        self._new: list[str] = []  # files this transaction wrote (deleted again on rollback)
        self._touched: set[str] = set()
        self._changed = False
        self._published = False

    # -- meta --------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """The value as this transaction sees it (its own changes included)."""
        return self._meta.get(key)

    def set_meta(self, key: str, value: str | None) -> None:
        if value is None:
            if key in self._meta:
                del self._meta[key]
                self._changed = True
        elif self._meta.get(key) != str(value):
            self._meta[key] = str(value)
            self._changed = True

    # -- rows --------------------------------------------------------------------------------------
    def append(self, table: str, data: pa.Table) -> int:
        """Add rows (Arrow columns by name; missing columns take their defaults) as a new segment.
        A NULL in a NOT NULL column raises duckdb.ConstraintException; a value DuckDB cannot cast to the
        column's type, duckdb.ConversionException (as an INSERT did). A large append is written sorted by
        the table's SORT_KEYS (small ones are sorted when compaction merges them)."""
        _check_columns(table, data)
        if data.num_rows == 0:
            return 0
        normal = self._normalize(table, data)
        if normal.num_rows >= FULL_SEGMENT_ROWS:
            keys = [k for k in SORT_KEYS.get(table, ()) if k in normal.column_names]
            if keys:
                normal = normal.sort_by([(k, "ascending") for k in keys])
        rel = self._new_path(table)
        pq.write_table(normal, self._store.dir / rel, compression=PARQUET_COMPRESSION, row_group_size=ROW_GROUP_ROWS,
                       store_schema=False)
        self._written(table, rel, normal.num_rows)
        self.segments[table].append(rel)
        self._touched.add(table)
        self._changed = True
        return normal.num_rows

    def _normalize(self, table: str, data: pa.Table) -> pa.Table:
        """The rows with exactly the table's columns, in order and of its types. Arrow does the casts
        that cannot fail (wider ints, tz-aware to UTC timestamps, string kinds), DuckDB all others, so
        values and errors are DuckDB's."""
        cols = _columns(table)
        have = set(data.column_names)
        n = data.num_rows
        out: dict[str, Any] = {}
        constants: dict[tuple[str, Any], pa.Array] = {}
        by_duckdb: list[str] = []
        for c in cols:
            target = _ARROW_TYPES.get(c.type)
            if c.name in have:
                cast = _cheap_cast(data.column(c.name), target) if target is not None else None
                if cast is None:
                    by_duckdb.append(f"CAST({_q(c.name)} AS {c.type}) AS {_q(c.name)}")
                else:
                    out[c.name] = cast
            elif c.not_null and c.default is None:
                raise duckdb.ConstraintException(f"NOT NULL constraint failed: {table}.{c.name}")
            elif target is not None and (c.default is None or c.py_default is not _NO_VALUE):
                key = (str(target), None if c.default is None else c.py_default)
                if key not in constants:  # one array per value, shared by the columns that take it
                    constants[key] = (pa.nulls(n, target) if c.default is None
                                      else pa.repeat(pa.scalar(c.py_default, target), n))
                out[c.name] = constants[key]
            else:
                by_duckdb.append(f"{c.constant()} AS {_q(c.name)}")
        if by_duckdb:
            cur = self._cur
            cur.register("_incoming", data)
            try:
                cast = cur.sql("SELECT " + ", ".join(by_duckdb) + " FROM _incoming").to_arrow_table()
            finally:
                cur.unregister("_incoming")
            for name in cast.column_names:
                out[name] = cast.column(name)
        for c in cols:
            if c.not_null and out[c.name].null_count:
                raise duckdb.ConstraintException(f"NOT NULL constraint failed: {table}.{c.name}")
        return pa.table({c.name: out[c.name] for c in cols})

    def delete(self, table: str, where: str = "true", params: Sequence[Any] = ()) -> int:
        """Delete the rows of `table` for which the SQL condition `where` (over its columns, `?`
        parameters) is true; only the segments holding such rows are rewritten. The rows deleted."""
        _columns(table)
        files = self.segments[table]
        if not files:
            return 0
        scan = self._store._scan_sql(table, files, self._view(), with_filename=True)
        found = self._cur.execute(
            f"SELECT filename, count(*) FROM ({scan}) AS t WHERE ({where}) GROUP BY filename", list(params)).fetchall()
        if not found:
            return 0
        by_path = {str(self._store.dir / f): f for f in files}
        hit = {by_path[name]: int(n) for name, n in found}
        deleted = 0
        out: list[str] = []
        for f in files:
            n = hit.get(f)
            if not n:
                out.append(f)
                continue
            deleted += n
            if n >= self._files[f]["rows"]:
                continue  # nothing stays: the segment just goes
            keep = self._store._scan_sql(table, [f], self._view())
            out.append(self._write(table, f"SELECT * FROM ({keep}) AS t WHERE ({where}) IS NOT TRUE", params))
        self.segments[table] = out
        self._touched.add(table)
        self._changed = True
        return deleted

    def clear(self, table: str | None = None) -> None:
        """Drop every row of one table, or of all tables and all meta."""
        for t in ([table] if table is not None else list(TABLES)):
            _columns(t)
            if self.segments[t]:
                self.segments[t] = []
                self._changed = True
        if table is None and self._meta:
            self._meta = {}
            self._changed = True

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """Read this transaction's state: `sql` may name the tables, which show its changes so far."""
        ctes = ", ".join(f"{t} AS ({self._store._scan_sql(t, self.segments[t], self._view())})" for t in TABLES)
        return self._cur.execute(f"WITH {ctes} {sql}", list(params)).fetchall()

    def compact(self, table: str, *, force: bool = False) -> int:
        """Merge small segments (see the module doc); `force` merges all the table's segments into one.
        The number of segments merged."""
        _columns(table)
        merged = 0
        if force:
            files = self.segments[table]
            if len(files) > 1:
                self._merge(table, files)
                merged = len(files)
            return merged
        while True:
            tiers: dict[int, list[str]] = {}
            for f in self.segments[table]:
                rows = self._files[f]["rows"]
                if rows < FULL_SEGMENT_ROWS:
                    tiers.setdefault(_tier(rows), []).append(f)
            group = next((fs for _, fs in sorted(tiers.items()) if len(fs) >= TIER_FANOUT), None)
            if group is None:
                return merged
            # in manifest (i.e. mostly time) order, in runs of at most 2 x FULL_SEGMENT_ROWS rows
            runs: list[list[str]] = [[]]
            total = 0
            for f in group:
                rows = self._files[f]["rows"]
                if runs[-1] and total + rows > 2 * FULL_SEGMENT_ROWS:
                    runs.append([])
                    total = 0
                runs[-1].append(f)
                total += rows
            for run in runs:
                if len(run) > 1:
                    self._merge(table, run)
                    merged += len(run)

    # -- internals ---------------------------------------------------------------------------------
    def _view(self) -> dict[str, Any]:
        return {"files": self._files, "schemas": self._schemas}

    def _merge(self, table: str, group: list[str]) -> None:
        scan = self._store._scan_sql(table, group, self._view())
        order = _order_by(table)
        rel = self._write(table, f"SELECT * FROM ({scan}) AS t" + (f" ORDER BY {order}" if order else ""))
        gone = set(group)
        out: list[str] = []
        for f in self.segments[table]:
            if f in gone:
                if rel not in out:
                    out.append(rel)  # the merged segment takes the place of the first one
            else:
                out.append(f)
        self.segments[table] = out
        self._touched.add(table)
        self._changed = True

    def _new_path(self, table: str) -> str:
        rel = f"{table}/{uuid.uuid4().hex}.parquet"
        self._new.append(rel)  # from now on a rollback deletes it
        return rel

    def _write(self, table: str, select: str, params: Sequence[Any] = ()) -> str:
        """COPY a SELECT (the table's columns, in order) to a new segment file; its relative path."""
        rel = self._new_path(table)
        path = self._store.dir / rel
        result = self._cur.execute(f"COPY ({select}) TO {_lit(str(path))} (FORMAT parquet, COMPRESSION "
                                   f"{PARQUET_COMPRESSION}, ROW_GROUP_SIZE {ROW_GROUP_ROWS})", list(params)).fetchall()
        self._written(table, rel, int(result[0][0]) if result else pq.read_metadata(path).num_rows)
        return rel

    def _written(self, table: str, rel: str, rows: int) -> None:
        if self._store._durable:
            fd = os.open(self._store.dir / rel, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        names = _names(table)
        sid = _schema_id(names)
        self._schemas[sid] = names
        self._files[rel] = {"rows": rows, "schema": sid}

    def _commit(self) -> None:
        for table in sorted(self._touched):
            self.compact(table)
        if not self._changed:
            self._discard_new()
            return
        store = self._store
        referenced = {f for files in self.segments.values() for f in files}
        base_files = {f for files in self._base["segments"].values() for f in files}
        now = time.time()
        retired = [list(r) for r in self._base.get("retired", [])]
        retired += [[f, now] for f in sorted(base_files - referenced)]
        for f in self._new:  # written and dropped again within this transaction: nobody saw them
            if f not in referenced:
                _unlink(store.dir / f)
        self._new = [f for f in self._new if f in referenced]
        due = [r for r in retired if now - r[1] >= store.grace_seconds]
        retired = [r for r in retired if now - r[1] < store.grace_seconds]
        used_schemas = {self._files[f]["schema"] for f in referenced}
        manifest = {
            "version": int(self._base["version"]) + 1,
            "segments": {t: self.segments[t] for t in TABLES},
            "meta": self._meta,
            "files": {f: self._files[f] for f in sorted(referenced)},
            "schemas": {k: v for k, v in self._schemas.items() if k in used_schemas},
            "retired": retired,
        }
        tmp = store.dir / f".{MANIFEST}.{uuid.uuid4().hex}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, separators=(",", ":"))
            if store._durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, store._manifest_path)
        self._published = True
        if store._durable:
            _fsync_dir(store.dir)
        with contextlib.suppress(Exception):  # else the next read refreshes the views
            st = os.stat(store._manifest_path)
            store._adopt(manifest, (st.st_ino, st.st_size, st.st_mtime_ns))
        for f, _ in due:
            _unlink(store.dir / f)
        self._sweep_orphans(manifest, now)

    def _sweep_orphans(self, manifest: dict[str, Any], now: float) -> None:
        """Files no manifest names (a writer that died before its commit), once past the grace period."""
        store = self._store
        known = set(manifest["files"]) | {r[0] for r in manifest["retired"]}
        grace = store.grace_seconds
        candidates: list[tuple[Path, str | None]] = []
        with contextlib.suppress(OSError):
            for entry in os.scandir(store.dir):
                if entry.name.startswith(f".{MANIFEST}.") and entry.name.endswith(".tmp"):
                    candidates.append((Path(entry.path), None))
        for table in TABLES:
            with contextlib.suppress(OSError):
                for entry in os.scandir(store.dir / table):
                    rel = f"{table}/{entry.name}"
                    if rel not in known:
                        candidates.append((Path(entry.path), rel))
        for path, _ in candidates:
            try:
                if now - path.stat().st_mtime >= max(grace, 1.0):
                    _unlink(path)
            except OSError:
                pass

    def _discard_new(self) -> None:
        for f in self._new:
            _unlink(self._store.dir / f)
        self._new = []

    def _rollback(self) -> None:
        if not self._published:
            self._discard_new()

    def _close(self) -> None:
        store = self._store
        with store._view_lock:
            with contextlib.suppress(ValueError):
                store._cursors.remove(self._cur)
        with contextlib.suppress(Exception):
            self._cur.close()


def _unlink(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

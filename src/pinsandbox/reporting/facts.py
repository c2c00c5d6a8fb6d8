"""The fact store: an embedded DuckDB database (`<data_dir>/facts.duckdb`) holding what happened.

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

`facts_meta` — key/value: the simulator's watermark and seed.

Ids are stored as BIGINT (they are 18-digit numbers) and rendered as strings by the query layer.
Writers go through `append_*`/`delete_*` under one lock; readers use their own cursor.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from pinsandbox.reporting.catalog import BASES

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
       ("value_micro", "BIGINT NOT NULL DEFAULT 0"), ("source", "VARCHAR NOT NULL DEFAULT 'fixture'")]
)

TABLES = {"delivery": DELIVERY_COLUMNS, "conversions": CONVERSION_COLUMNS}


class FactStore:
    """One DuckDB database. `path=None` keeps it in memory (tests of the engine alone)."""

    def __init__(self, path: Path | None):
        self.path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._con = duckdb.connect(str(path) if path is not None else ":memory:")
        self._lock = threading.RLock()
        self._local = threading.local()
        self._ensure_schema()

    # -- schema ------------------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        with self._lock:
            con = self._con
            for table, columns in TABLES.items():
                cols = ", ".join(f"{name} {typ}" for name, typ in columns)
                con.execute(f"CREATE TABLE IF NOT EXISTS {table} ({cols})")
                have = {r[0] for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}
                for name, typ in columns:  # a base counter added to the catalog later: a new column, 0 so far
                    if name not in have:
                        con.execute(f"ALTER TABLE {table} ADD COLUMN {name} {typ.replace(' NOT NULL', '')}")
            con.execute("CREATE TABLE IF NOT EXISTS facts_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")

    # -- access ------------------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for the calling thread (DuckDB connections are not shared across threads)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self._local.cursor = self._con.cursor()
        return cur

    @contextmanager
    def writing(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One write transaction under the writer lock: all or nothing."""
        with self._lock:
            cur = self._con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    def fetch(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[tuple]:
        return self.cursor().execute(sql, params).fetchall()

    def fetch_arrow(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> pa.Table:
        return self.cursor().execute(sql, params).fetch_arrow_table()

    # -- writes ------------------------------------------------------------------------------------
    def append(self, table: str, data: pa.Table, cur: duckdb.DuckDBPyConnection | None = None) -> int:
        """Insert rows of an Arrow table (columns by name; missing columns take their defaults)."""
        if table not in TABLES:
            raise ValueError(f"unknown fact table {table!r}")
        known = {name for name, _ in TABLES[table]}
        unknown = [c for c in data.column_names if c not in known]
        if unknown:
            raise ValueError(f"unknown columns for {table}: {', '.join(unknown)}")
        if data.num_rows == 0:
            return 0
        cols = ", ".join(data.column_names)

        def run(c: duckdb.DuckDBPyConnection) -> None:
            c.register("_incoming", data)
            try:
                c.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _incoming")
            finally:
                c.unregister("_incoming")

        if cur is not None:
            run(cur)
        else:
            with self.writing() as c:
                run(c)
        return data.num_rows

    def clear(self) -> None:
        with self.writing() as cur:
            for table in TABLES:
                cur.execute(f"DELETE FROM {table}")
            cur.execute("DELETE FROM facts_meta")

    # -- meta --------------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.cursor().execute("SELECT value FROM facts_meta WHERE key = ?", [key]).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str | None, cur: duckdb.DuckDBPyConnection | None = None) -> None:
        c = cur or self.cursor()
        c.execute("DELETE FROM facts_meta WHERE key = ?", [key])
        if value is not None:
            c.execute("INSERT INTO facts_meta VALUES (?, ?)", [key, value])

    def close(self) -> None:
        with self._lock:
            self._con.close()

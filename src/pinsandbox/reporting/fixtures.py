"""Fact fixtures: exact delivery and conversion rows loaded from CSV, Parquet or JSON.

`load_facts(store, path_or_file, table=None)` reads a CSV or Parquet file (a path, bytes or a binary
file object; Parquet is recognised by its magic bytes), `load_rows(store, table, rows)` takes JSON-like
dicts. Both validate every row, then insert all of them in one transaction (nothing is written when any
row is bad) with `source = 'fixture'` unless the rows say otherwise. They return the rows written.

Columns are the fact tables' (`reporting.facts`):

* The table is inferred when not named: a `hour` column means delivery, `conversion_time` means
  conversions. A column the table does not have is a ValueError naming it.
* Ids are numbers or numeric strings. `ad_id` is required; `ad_account_id`, `campaign_id`,
  `ad_group_id` and `pin_id`, when missing, come from the ad in the state database (an ad it does not
  know needs them all, except `pin_id`, which is then 0).
* Times are ISO-8601 (`2026-01-05T14:00:00Z`, `2026-01-05 14:00:00`, `2026-01-05`); an offset is
  converted to UTC, a naive time is UTC. Delivery `hour` must be on the hour.
* Base counters (and people_lo / people_n) are non-negative integers, 0 when missing. people_n is
  at most impression_1 + impression_2.
* Conversions: action_type, event_type, channel, action_device, conversion_device and attribution
  take the catalog's values (`catalog.ACTIONS`, ...); conversion_time ≥ action_time; quantity and
  value_micro are non-negative integers (defaults 1 and 0). conversion_key (optional, a positive integer):
  rows sharing one are candidate attributions of a single conversion (the query layer counts the best
  one the request's windows allow, as for Conversions API events).
* Targeting values: gender, apptype, age_bucket and placement take their vocabularies
  (`reporting.vocab`), country is two capital letters, location a numeric metro code; an empty value
  is NULL.

Errors name the row (rows count from 1; a CSV header is not a row) and the column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from pinsandbox.reporting import vocab
from pinsandbox.reporting.catalog import ACTIONS, ATTRIBUTIONS, BASES, CHANNELS, DEVICES, EVENTS
from pinsandbox.reporting.facts import DIMENSIONS, ENTITY_COLUMNS, TABLES

UTC = dt.timezone.utc
_INT = re.compile(r"^\s*[+-]?\d+\s*$")
COUNTERS = tuple(BASES) + ("people_lo", "people_n")
CLOSED_DIMENSIONS: dict[str, frozenset[str]] = {
    "gender": frozenset(vocab.GENDER), "apptype": frozenset(vocab.APPTYPE),
    "age_bucket": frozenset(vocab.AGE_TARGETS), "placement": frozenset(vocab.PLACEMENT),
}
PATTERN_DIMENSIONS: dict[str, tuple[re.Pattern[str], str]] = {
    "country": (re.compile(r"^[A-Z]{2}$"), "a two-letter country code (ISO 3166-1 alpha-2)"),
    "location": (re.compile(r"^\d+$"), "a numeric metro (DMA) code"),
}
CONVERSION_ENUMS: dict[str, tuple[str, ...]] = {
    "action_type": ACTIONS, "event_type": EVENTS, "channel": CHANNELS, "action_device": DEVICES,
    "conversion_device": DEVICES, "attribution": ATTRIBUTIONS,
}
CONVERSION_DEFAULTS = {"channel": "WEB", "action_device": "MOBILE", "conversion_device": "MOBILE",
                       "attribution": "INDIVIDUAL"}


class FactsError(ValueError):
    """Bad fixture input; the message names the row and column (or the unknown columns)."""


# ---- reading -------------------------------------------------------------------------------------
def read_table(source: str | Path | bytes | BinaryIO) -> pa.Table:
    """A CSV or Parquet file as an Arrow table of strings (Parquet keeps its types)."""
    if isinstance(source, (str, Path)):
        data = Path(source).read_bytes()
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        data = source.read()
    if data[:4] == b"PAR1":
        import pyarrow.parquet as pq

        try:
            return pq.read_table(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises several types for broken files
            raise FactsError(f"cannot read the Parquet file: {exc}") from None
    return _read_csv(data)


def _read_csv(data: bytes) -> pa.Table:
    import pyarrow.csv as pa_csv

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FactsError("cannot read the file: it is neither Parquet nor UTF-8 CSV") from None
    try:
        first = next(csv.reader(io.StringIO(text)), None)
    except csv.Error as exc:  # CR-only line ends, a header cell over the csv module's field limit, ...
        raise FactsError(f"cannot read the CSV header: {exc}") from None
    if not first or not any(c.strip() for c in first):
        raise FactsError("the CSV file has no header row")
    names = [c.strip() for c in first]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise FactsError(f"the CSV header repeats columns: {', '.join(dup)}")
    try:
        return pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            convert_options=pa_csv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                  strings_can_be_null=True, quoted_strings_can_be_null=True))
    except pa.ArrowInvalid as exc:
        raise FactsError(f"cannot read the CSV file: {exc}") from None


def rows_table(rows: Any) -> pa.Table:
    """JSON rows (a list of objects) as an Arrow table of strings."""
    if not isinstance(rows, list):
        raise FactsError("'rows' must be a list of objects")
    names: dict[str, None] = {}
    for i, row in enumerate(rows, 1):
        if not isinstance(row, Mapping):
            raise FactsError(f"row {i}: each row must be an object")
        for key, value in row.items():
            if isinstance(value, (dict, list)):
                raise FactsError(f"row {i}, column '{key}': {type(value).__name__} is not a value")
            names.setdefault(str(key), None)
    for name in names:
        if not _encodable(name):
            raise FactsError(f"column {name!r}: the name is not valid Unicode")
    cols: dict[str, pa.Array] = {}
    for n in names:
        values = [_text(row.get(n)) for row in rows]
        try:
            cols[n] = pa.array(values, type=pa.string())
        except UnicodeEncodeError:  # a lone surrogate ("\ud800") that JSON allows and UTF-8 does not
            i = next(i for i, v in enumerate(values) if v is not None and not _encodable(v))
            raise FactsError(f"row {i + 1}, column '{n}': the value is not valid Unicode") from None
    return pa.table(cols) if cols else pa.table({})


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# ---- validation ----------------------------------------------------------------------------------
def infer_table(columns: Iterable[str]) -> str:
    cols = set(columns)
    if "hour" in cols and "conversion_time" in cols:
        raise FactsError("cannot tell the table: the columns name both 'hour' (delivery) and 'conversion_time' "
                         "(conversions)")
    if "hour" in cols:
        return "delivery"
    if "conversion_time" in cols:
        return "conversions"
    if "day" in cols:
        return "organic"
    raise FactsError("cannot tell the table: give an 'hour' column (delivery), a 'conversion_time' column "
                     "(conversions) or a 'day' column (organic), or name the table")


def _strings(col: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
        return col
    if pa.types.is_dictionary(col.type):
        return col.cast(pa.string())
    if pa.types.is_timestamp(col.type):
        if col.type.tz is not None:
            col = col.cast(pa.timestamp(col.type.unit, tz="UTC"))
            col = pc.local_timestamp(col)
        return pc.strftime(col, format="%Y-%m-%dT%H:%M:%S")
    if pa.types.is_date(col.type):
        return pc.strftime(col.cast(pa.timestamp("s")), format="%Y-%m-%dT%H:%M:%S")
    if pa.types.is_floating(col.type):
        arr = col.to_numpy(zero_copy_only=False)
        out = []
        for v in arr:
            out.append(None if v != v else str(int(v)) if float(v).is_integer() else repr(float(v)))
        return pa.chunked_array([pa.array(out, type=pa.string())])
    try:
        return col.cast(pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise FactsError(f"a column of type {col.type} cannot be read as values") from None


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


# The largest count or micro-amount one fact row may hold: sums of a few counters in a row (engagement,
# impressions) and of many rows (DuckDB sums BIGINT as HUGEINT) can then never wrap, and every value is exact
# as a JSON number in any client (2^53 - 1). 2^53 micro-dollars are 9 billion dollars an hour for one ad.
COUNTER_MAX = 2**53 - 1


def _integers(name: str, col: pa.ChunkedArray, *, required: bool, default: int | None,
              minimum: int | None = 0, maximum: int | None = None) -> np.ndarray:
    values = _strings(col).combine_chunks()
    null = np.asarray(values.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    blank = np.asarray(pc.fill_null(pc.equal(pc.utf8_trim_whitespace(values), ""), False).to_numpy(
        zero_copy_only=False), dtype=bool)
    missing = null | blank
    if missing.any():
        if required:
            raise FactsError(f"row {_first(missing) + 1}, column '{name}': a value is required")
    ok = np.asarray(pc.fill_null(pc.match_substring_regex(values, _INT.pattern), True).to_numpy(
        zero_copy_only=False), dtype=bool) | missing
    if not ok.all():
        i = _first(~ok)
        raise FactsError(f"row {i + 1}, column '{name}': {values[i].as_py()!r} is not an integer")
    filled = pc.if_else(pa.array(missing), pa.scalar(str(default if default is not None else 0)), values)
    try:
        out = pc.cast(pc.utf8_trim_whitespace(filled), pa.int64()).to_numpy(zero_copy_only=False)
    except pa.ArrowInvalid:
        raise FactsError(f"column '{name}': a value is out of range for a 64-bit integer") from None
    if minimum is not None and (out < minimum).any():
        i = _first(out < minimum)
        raise FactsError(f"row {i + 1}, column '{name}': {int(out[i])} is below {minimum}")
    if maximum is not None and (out > maximum).any():
        i = _first(out > maximum)
        raise FactsError(f"row {i + 1}, column '{name}': {int(out[i])} is above {maximum}")
    return out.astype(np.int64)


def _times(name: str, col: pa.ChunkedArray) -> np.ndarray:
    """Epoch microseconds (UTC) of ISO-8601 values; a value is required."""
    values = _strings(col).combine_chunks()
    encoded = values.dictionary_encode()
    parsed: list[int] = []
    for j, text in enumerate(encoded.dictionary.to_pylist()):
        try:
            t = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            i = _first(np.asarray(encoded.indices.to_numpy(zero_copy_only=False)) == j)
            raise FactsError(f"row {i + 1}, column '{name}': {text!r} is not an ISO-8601 time") from None
        try:
            if t.tzinfo is not None:
                t = t.astimezone(UTC).replace(tzinfo=None)
        except OverflowError:  # year 1 or 9999 moved to UTC by its offset
            i = _first(np.asarray(encoded.indices.to_numpy(zero_copy_only=False)) == j)
            raise FactsError(f"row {i + 1}, column '{name}': {text!r} is out of range") from None
        parsed.append(int((t - dt.datetime(1970, 1, 1)) // dt.timedelta(microseconds=1)))
    indices = encoded.indices
    if indices.null_count:
        i = _first(np.asarray(indices.is_null().to_numpy(zero_copy_only=False), dtype=bool))
        raise FactsError(f"row {i + 1}, column '{name}': a time is required")
    lookup = np.array(parsed, dtype=np.int64)
    return lookup[indices.to_numpy(zero_copy_only=False)] if len(lookup) else np.zeros(0, dtype=np.int64)


def _labels(name: str, col: pa.ChunkedArray, *, allowed: Iterable[str] | None = None,
            pattern: tuple[re.Pattern[str], str] | None = None, default: str | None = None) -> pa.Array:
    """A text column: empty -> NULL (or the default); checked against a vocabulary or a pattern."""
    values = _strings(col).combine_chunks()
    trimmed = pc.utf8_trim_whitespace(values)
    empty = pc.fill_null(pc.equal(trimmed, ""), True)
    out = pc.if_else(empty, pa.scalar(default, type=pa.string()), trimmed)
    present = np.asarray(pc.invert(pc.is_null(out)).to_numpy(zero_copy_only=False), dtype=bool)
    if allowed is not None:
        allowed = list(allowed)
        good = np.asarray(pc.or_(pc.is_in(out, value_set=pa.array(allowed)), pc.is_null(out)).to_numpy(
            zero_copy_only=False), dtype=bool)
        if not good.all():
            i = _first(~good)
            raise FactsError(f"row {i + 1}, column '{name}': {out[i].as_py()!r} is not one of "
                             f"{', '.join(allowed)}")
    if pattern is not None:
        regex, what = pattern
        good = np.asarray(pc.fill_null(pc.match_substring_regex(out, regex.pattern), True).to_numpy(
            zero_copy_only=False), dtype=bool)
        if not good.all():
            i = _first(~good & present)
            raise FactsError(f"row {i + 1}, column '{name}': {out[i].as_py()!r} is not {what}")
    return out


def _hierarchy(store, ad_ids: np.ndarray) -> dict[int, tuple[int, int, int, int]]:
    """ad id -> (ad_account_id, campaign_id, ad_group_id, pin_id) for the ads the state database knows."""
    from pinsandbox.ads.ads.tables import ads

    wanted = sorted({int(x) for x in np.unique(ad_ids)})
    out: dict[int, tuple[int, int, int, int]] = {}
    if store is None or not wanted:
        return out
    with store.read() as conn:
        for i in range(0, len(wanted), 500):
            for r in conn.execute(sa.select(ads.c.id, ads.c.ad_account_id, ads.c.campaign_id, ads.c.ad_group_id,
                                            ads.c.pin_id).where(ads.c.id.in_(wanted[i:i + 500]))):
                out[r.id] = (r.ad_account_id, r.campaign_id, r.ad_group_id, r.pin_id or 0)
    return out


def prepare(table: str, data: pa.Table, *, store=None) -> pa.Table:
    """Validate `data` for fact table `table`; the rows as the table stores them."""
    if table not in TABLES:
        raise FactsError(f"unknown fact table {table!r}: use 'delivery', 'conversions' or 'organic'")
    if table == "organic":  # daily per Pin: its own rules (reporting/organic_facts.py)
        from pinsandbox.reporting.organic_facts import prepare_organic

        return prepare_organic(data, store=store)
    known = [name for name, _ in TABLES[table]]
    unknown = [c for c in data.column_names if c not in known]
    if unknown:
        raise FactsError(f"unknown columns for {table}: {', '.join(unknown)} (the {table} columns are "
                         f"{', '.join(known)})")
    n = data.num_rows
    cols: dict[str, pa.Array] = {}
    have = set(data.column_names)

    def col(name: str) -> pa.ChunkedArray:
        return data.column(name)

    # entity ids
    if "ad_id" not in have:
        raise FactsError(f"the {table} rows need an 'ad_id' column")
    ad_id = _integers("ad_id", col("ad_id"), required=True, default=None, minimum=1)
    ids: dict[str, np.ndarray] = {"ad_id": ad_id}
    missing = {}
    for name in ENTITY_COLUMNS:
        if name == "ad_id":
            continue
        if name in have:
            values = _strings(col(name)).combine_chunks()
            blank = np.asarray(pc.fill_null(pc.equal(pc.utf8_trim_whitespace(values), ""), True).to_numpy(
                zero_copy_only=False), dtype=bool)
            ids[name] = _integers(name, col(name), required=False, default=0, minimum=0)
            if blank.any():
                missing[name] = blank
        else:
            ids[name] = np.zeros(n, dtype=np.int64)
            missing[name] = np.ones(n, dtype=bool)
    if missing:
        known_ads = _hierarchy(store, ad_id[np.any(np.vstack(list(missing.values())), axis=0)])
        order = ("ad_account_id", "campaign_id", "ad_group_id", "pin_id")
        for name, mask in missing.items():
            k = order.index(name)
            for i in np.flatnonzero(mask):
                found = known_ads.get(int(ad_id[i]))
                if found is not None:
                    ids[name][i] = found[k]
                elif name != "pin_id":
                    raise FactsError(f"row {i + 1}, column '{name}': a value is required (ad {int(ad_id[i])} is not "
                                     "an ad of the sandbox, so it cannot be looked up)")
    for name in ENTITY_COLUMNS:
        cols[name] = pa.array(ids[name])
    for name in ("ad_account_id", "campaign_id", "ad_group_id"):
        if (ids[name] <= 0).any():
            i = _first(ids[name] <= 0)
            raise FactsError(f"row {i + 1}, column '{name}': {int(ids[name][i])} is not an id")

    # targeting values
    for name in DIMENSIONS.values():
        if name in have:
            cols[name] = _labels(name, col(name), allowed=CLOSED_DIMENSIONS.get(name),
                                 pattern=PATTERN_DIMENSIONS.get(name))
    if "source" in have:
        cols["source"] = _labels("source", col("source"), default="fixture")

    if table == "delivery":
        if "hour" not in have:
            raise FactsError("the delivery rows need an 'hour' column")
        hour = _times("hour", col("hour"))
        off = hour % 3_600_000_000 != 0
        if off.any():
            i = _first(off)
            raise FactsError(f"row {i + 1}, column 'hour': {_iso(hour[i])} is not on the hour (delivery facts are "
                             "hourly)")
        cols["hour"] = pa.array(hour.astype("datetime64[us]"))
        counts: dict[str, np.ndarray] = {}
        for name in COUNTERS:
            if name in have:
                counts[name] = _integers(name, col(name), required=False, default=0, maximum=COUNTER_MAX)
                cols[name] = pa.array(counts[name])
        impressions = counts.get("impression_1", np.zeros(n, np.int64)) + counts.get("impression_2", np.zeros(n, np.int64))
        people = counts.get("people_n")
        if people is not None and (people > impressions).any():
            i = _first(people > impressions)
            raise FactsError(f"row {i + 1}, column 'people_n': {int(people[i])} people cannot have been reached with "
                             f"{int(impressions[i])} impressions (impression_1 + impression_2)")
    else:
        for name in ("action_time", "conversion_time"):
            if name not in have:
                raise FactsError(f"the conversions rows need a '{name}' column")
        action = _times("action_time", col("action_time"))
        conversion = _times("conversion_time", col("conversion_time"))
        early = conversion < action
        if early.any():
            i = _first(early)
            raise FactsError(f"row {i + 1}, column 'conversion_time': {_iso(conversion[i])} is before the action_time "
                             f"{_iso(action[i])}")
        cols["action_time"] = pa.array(action.astype("datetime64[us]"))
        cols["conversion_time"] = pa.array(conversion.astype("datetime64[us]"))
        for name, allowed in CONVERSION_ENUMS.items():
            if name in have:
                cols[name] = _labels(name, col(name), allowed=allowed, default=CONVERSION_DEFAULTS.get(name))
                if cols[name].null_count:
                    i = _first(np.asarray(cols[name].is_null().to_numpy(zero_copy_only=False), dtype=bool))
                    raise FactsError(f"row {i + 1}, column '{name}': a value is required")
            elif name not in CONVERSION_DEFAULTS:
                raise FactsError(f"the conversions rows need a '{name}' column")
        for name, default in (("quantity", 1), ("value_micro", 0)):
            if name in have:
                cols[name] = pa.array(_integers(name, col(name), required=False, default=default,
                                                maximum=COUNTER_MAX))
        if "conversion_key" in have:  # candidate attributions of one conversion (see reporting.query); empty: NULL
            values = _strings(col("conversion_key")).combine_chunks()
            blank = np.asarray(pc.fill_null(pc.equal(pc.utf8_trim_whitespace(values), ""), True).to_numpy(
                zero_copy_only=False), dtype=bool)
            keys = _integers("conversion_key", col("conversion_key"), required=False, default=1, minimum=1)
            cols["conversion_key"] = pa.array(keys, mask=blank)
    return pa.table(cols)


def _iso(us: int) -> str:
    return (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=int(us))).isoformat() + "Z"


# ---- loading -------------------------------------------------------------------------------------
def insert(store, table: str, data: pa.Table) -> int:
    """Write validated rows in one transaction."""
    if data.num_rows == 0:
        return 0
    with store.facts.writing() as w:
        return w.append(table, data)


def load_facts(store, source: str | Path | bytes | BinaryIO, *, table: str | None = None) -> int:
    """Validate and insert the rows of a CSV or Parquet file; the number of rows written."""
    data = read_table(source)
    name = table or infer_table(data.column_names)
    return insert(store, name, prepare(name, data, store=store))


def load_rows(store, table: str | None, rows: list[Mapping[str, Any]]) -> int:
    """Validate and insert JSON rows; the number of rows written."""
    data = rows_table(rows)
    name = table or infer_table(data.column_names)
    return insert(store, name, prepare(name, data, store=store))

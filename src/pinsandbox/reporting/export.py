"""Async report files (JSON or CSV), streamed from the reporting engine.

A report is the query layer's statement (`reporting.query.compile_query`, the one sync analytics run,
so the numbers agree) wrapped once more in SQL:

    rows:   per targeting type (or once): the compiled query, its entity's attributes joined from
            small tables of the state database's entities (names, statuses, ...), DATE labels, and
            for the KEYWORD level the keyword ids (facts carry keyword text and the ad group)
    file:   UNION ALL of those, rows where every metric column is 0 dropped, filters, ORDER BY entity

and then written without holding the report in Python memory:

- CSV: DuckDB itself writes the file (`COPY (...) TO ... (HEADER)`): display-name headers, metrics
  zero-filled (a metric without a value is 0).
- JSON: DuckDB renders each row's JSON object text (metrics that are 0 or have no value left out: JSON
  reports are not zero-filled); Python streams record batches and writes Pinterest's layout, an object
  keyed by the level's entity id whose values are lists of rows: `{"<id>": [{...}, ...], ...}`.

Row layout (both formats): the level's id column (`CAMPAIGN_ID`, CSV `Campaign ID`, ...), `DATE` for
time granularities, `TARGETING_TYPE` and `TARGETING_VALUE` for the `*_TARGETING` levels, then the
requested columns in request order. Levels whose entities the facts do not carry yet (product groups and
items) give a valid, empty file. See docs/reporting.md ("Async reports").
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from pinsandbox.reporting.catalog import CATALOG, Metric

log = logging.getLogger("pinsandbox.reports")
from pinsandbox.reporting.query import FACT_ENTITY_KEYS, LEVEL_KEYS, AnalyticsQuery, compile_query, is_integer


@dataclass(frozen=True)
class Level:
    query_level: str  # the query layer's level (its entity key)
    id_column: str  # the row's id column (API name; CSV header: its display name) and the JSON key's entity
    visible: frozenset[str]  # entities whose attribute columns a row of this level can carry
    targeting: bool = False  # a *_TARGETING level: rows per targeting type and value
    keyword: bool = False  # the KEYWORD level: ad group rows broken down by keyword, keyed by keyword id


_ACCOUNT = frozenset({"ad_account", "order_line"})
_CAMPAIGN = _ACCOUNT | {"campaign"}
_AD_GROUP = _CAMPAIGN | {"ad_group"}
_AD = _AD_GROUP | {"ad", "pin"}
_PRODUCT_GROUP = _AD_GROUP | {"product_group"}
_PRODUCT_ITEM = _PRODUCT_GROUP | {"product_item"}

LEVELS: dict[str, Level] = {
    "ADVERTISER": Level("AD_ACCOUNT", "ADVERTISER_ID", _ACCOUNT),
    "ADVERTISER_TARGETING": Level("AD_ACCOUNT", "ADVERTISER_ID", _ACCOUNT, targeting=True),
    "CAMPAIGN": Level("CAMPAIGN", "CAMPAIGN_ID", _CAMPAIGN),
    "CAMPAIGN_TARGETING": Level("CAMPAIGN", "CAMPAIGN_ID", _CAMPAIGN, targeting=True),
    "AD_GROUP": Level("AD_GROUP", "AD_GROUP_ID", _AD_GROUP),
    "AD_GROUP_TARGETING": Level("AD_GROUP", "AD_GROUP_ID", _AD_GROUP, targeting=True),
    "PIN_PROMOTION": Level("AD", "AD_ID", _AD),
    "PIN_PROMOTION_TARGETING": Level("AD", "AD_ID", _AD, targeting=True),
    "KEYWORD": Level("AD_GROUP", "KEYWORD_ID", _AD_GROUP, keyword=True),
    "PRODUCT_GROUP": Level("PRODUCT_GROUP", "PRODUCT_GROUP_ID", _PRODUCT_GROUP),
    "PRODUCT_GROUP_TARGETING": Level("PRODUCT_GROUP", "PRODUCT_GROUP_ID", _PRODUCT_GROUP,
                                     targeting=True),
    "PRODUCT_ITEM": Level("PRODUCT_ITEM", "STANDARD_AD_FEED_ITEM_ID", _PRODUCT_ITEM),
}

# The fact column an attribute's value depends on (None: the same on every row of the account).
_ATTRIBUTE_KEY = {"campaign": "campaign_id", "order_line": "campaign_id", "ad_group": "ad_group_id",
                  "ad": "ad_id"}

# CSV headers are the columns' display names (Ads Manager's). Where two async columns share one, the
# alias or the micro-currency variant says so; ADVERTISER_ID is "Advertiser" as Pinterest's CSV has it.
CSV_HEADER_OVERRIDES = {
    "ADVERTISER_ID": "Advertiser",
    "SPEND_IN_MICRO_DOLLAR": "Spend (micro-currency)",
    "ECPC_IN_MICRO_DOLLAR": "eCPC (micro-currency)",
    "CPM_IN_MICRO_DOLLAR": "CPM (micro-currency)",
    "COST_PER_OUTBOUND_CLICK": "Cost per outbound click (micro-currency)",
    "IMPRESSION_1": "Paid impressions (IMPRESSION_1)",
    "CAMPAIGN_ENTITY_STATUS": "Campaign entity status",
    "AD_GROUP_ENTITY_STATUS": "Ad group entity status",
    "PIN_PROMOTION_ID": "Pin promotion ID",
    "PIN_PROMOTION_NAME": "Pin promotion name",
    "PIN_PROMOTION_STATUS": "Pin promotion status",
}
SPECIAL_HEADERS = {"DATE": "Date", "TARGETING_TYPE": "Targeting Type", "TARGETING_VALUE": "Targeting Value",
                   "KEYWORD_ID": "Keyword ID"}

ROW_FILTER_OPERATORS = ("=", "!=", "in", "not_in", "~", ">", "<", "contains_substring")


def csv_header(name: str) -> str:
    if name in SPECIAL_HEADERS:
        return SPECIAL_HEADERS[name]
    return CSV_HEADER_OVERRIDES.get(name) or CATALOG[name].display_name


@dataclass(frozen=True)
class RowFilter:
    """A template filter (`filters_json`): keep rows whose `field` compares with `value` by `operator`.
    Metric fields compare as numbers (a metric without a value is 0); attribute fields as text."""

    field: str
    operator: str
    value: Any


@dataclass
class ReportSpec:
    ad_account_id: int
    level: str  # a key of LEVELS
    start: dt.date
    end: dt.date
    granularity: str
    columns: list[str]  # requested async columns, in order
    now: dt.datetime  # conversions after this have not happened yet
    report_format: str = "JSON"  # JSON | CSV
    click_window_days: int = 30
    engagement_window_days: int = 30
    view_window_days: int = 1
    conversion_report_time: str = "TIME_OF_AD_ACTION"
    attribution: str | None = None
    targeting_types: list[str] = field(default_factory=list)
    filters: dict[str, list[int]] = field(default_factory=dict)  # entity column -> allowed ids
    metric_filters: list[tuple[str, str, float]] = field(default_factory=list)
    row_filters: list[RowFilter] = field(default_factory=list)


@dataclass
class Lookups:
    """What the report joins from the state database (small: one row per entity, never per report row).

    `attributes`: fact key (`campaign_id`, `ad_group_id`, `ad_id`) -> table with `id` and one column per
    attribute column name; `constants`: attribute column -> its value on every row (the ad account id);
    `keywords`: (ad_group_id, value, keyword_id), the KEYWORD level's ids."""

    attributes: dict[str, pa.Table] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    keywords: pa.Table | None = None


@dataclass
class Plan:
    """The report's rows as SQL over the facts and the registered lookup tables."""

    sql: str  # canonical row columns: _entity, _type_idx, [DATE], [TARGETING_*], columns, hidden
    params: list[Any]
    level: Level
    columns: list[str]  # row columns after the id column, in output order (DATE, targeting, requested)
    metrics: list[str]  # requested metric columns (the ones a zero row is judged by)
    tables: dict[str, pa.Table]  # name -> table to register on the cursor while the statement runs
    order: list[str]


def attribute_key(m: Metric) -> str | None:
    return _ATTRIBUTE_KEY.get(m.entity or "")


def extra_keys(query_level: str, attributes: list[Metric]) -> list[str]:
    """Fact keys to group by besides the level's entity, so each row can carry these attributes (the
    same rule as sync analytics: an account's campaigns have several order lines, so none there)."""
    keys = []
    for m in attributes:
        key = attribute_key(m)
        if key is None or (m.entity == "order_line" and query_level == "AD_ACCOUNT"):
            continue
        keys.append(key)
    return list(dict.fromkeys(keys))


def output_columns(spec: ReportSpec) -> list[str]:
    """The requested columns without the level's id column (it always comes first) and duplicates."""
    level = LEVELS[spec.level]
    return [c for c in dict.fromkeys(spec.columns) if c != level.id_column]


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def plan(spec: ReportSpec, lookups: Lookups | None = None) -> Plan:
    lookups = lookups or Lookups()
    level = LEVELS[spec.level]
    outputs = output_columns(spec)
    filter_fields = [f.field for f in spec.row_filters if f.field not in outputs and f.field != level.id_column]
    wanted = list(dict.fromkeys(outputs + filter_fields))
    metric_cols = [c for c in wanted if CATALOG[c].kind == "metric"]
    attr_cols = [c for c in wanted if CATALOG[c].kind == "attribute"]
    keys = extra_keys(level.query_level, [CATALOG[c] for c in attr_cols])
    uid = uuid.uuid4().hex[:10]
    tables: dict[str, pa.Table] = {}
    join_sql = []
    for key, table in lookups.attributes.items():
        if key in keys or key == _entity_key(level):
            name = f"_rep_{key}_{uid}"
            tables[name] = table
            join_sql.append(f" LEFT JOIN {name} a_{key} ON a_{key}.id = q.k_{key}")
    if level.keyword:
        name = f"_rep_keywords_{uid}"
        tables[name] = lookups.keywords if lookups.keywords is not None else _EMPTY_KEYWORDS
        join_sql.insert(0, f" JOIN {name} kw ON kw.ad_group_id = q.k_ad_group_id AND kw.value = q.k_dim")

    types: list[str | None] = list(spec.targeting_types) if level.targeting else [None]
    if level.keyword:
        types = ["KEYWORD"]
    timed = spec.granularity != "TOTAL"
    branches, params = [], []
    for idx, ttype in enumerate(types):
        q = AnalyticsQuery(
            ad_account_id=spec.ad_account_id, level=level.query_level, start=spec.start, end=spec.end,
            granularity=spec.granularity, metrics=metric_cols, now=spec.now,
            click_window_days=spec.click_window_days, engagement_window_days=spec.engagement_window_days,
            view_window_days=spec.view_window_days, conversion_report_time=spec.conversion_report_time,
            attribution=spec.attribution, targeting_type=ttype, extra_keys=keys, filters=dict(spec.filters),
            metric_filters=list(spec.metric_filters))
        compiled = compile_query(q, ordered=False)
        entity = "kw.keyword_id" if level.keyword else f"q.k_{_entity_key(level)}"
        sel = [f"{entity} AS _entity", f"{idx} AS _type_idx"]
        if timed:
            label = ("strftime(q.k_time, '%Y-%m-%dT%H:%M:%S')" if spec.granularity == "HOUR"
                     else "CAST(q.k_time AS VARCHAR)")
            sel.append(f"{label} AS \"DATE\"")
        if level.targeting:
            sel.append(f"{_lit(ttype)} AS \"TARGETING_TYPE\"")
            sel.append("CAST(q.k_dim AS VARCHAR) AS \"TARGETING_VALUE\"")
        for c in wanted:
            m = CATALOG[c]
            if m.kind == "metric":
                sel.append(f"CAST(q.{_q(c)} AS {'BIGINT' if is_integer(m) else 'DOUBLE'}) AS {_q(c)}")
            else:
                sel.append(f"{_attribute_expr(m, level, keys, lookups, tables)} AS {_q(c)}")
        branches.append(f"SELECT {', '.join(sel)} FROM ({compiled.sql}) q{''.join(join_sql)}")
        params.extend(compiled.params)
    columns = (["DATE"] if timed else []) + (["TARGETING_TYPE", "TARGETING_VALUE"] if level.targeting else []) \
        + outputs
    order = ["_entity", "_type_idx"] + (["\"DATE\""] if timed else []) + \
        (["\"TARGETING_VALUE\""] if level.targeting else [])
    sql = " UNION ALL ".join(f"({b})" for b in branches)
    requested_metrics = [c for c in outputs if CATALOG[c].kind == "metric"]
    return Plan(sql=sql, params=params, level=level, columns=columns, metrics=requested_metrics, tables=tables,
                order=order)


_EMPTY_KEYWORDS = pa.table({"ad_group_id": pa.array([], pa.int64()), "value": pa.array([], pa.string()),
                            "keyword_id": pa.array([], pa.int64())})


def _entity_key(level: Level) -> str:
    return LEVEL_KEYS[level.query_level]


def _attribute_expr(m: Metric, level: Level, keys: list[str], lookups: Lookups, tables: dict[str, pa.Table]) -> str:
    sql_type = "BIGINT" if m.unit == "micro_currency" else "VARCHAR"
    key = attribute_key(m)
    if key is None or m.entity == "order_line" and level.query_level == "AD_ACCOUNT":
        value = lookups.constants.get(m.name) if key is None else None
        return f"CAST({_lit(value)} AS {sql_type})"
    if key not in keys and key != _entity_key(level):
        return f"CAST(NULL AS {sql_type})"
    table = lookups.attributes.get(key)
    if table is None or m.name not in table.column_names or key not in FACT_ENTITY_KEYS:
        return f"CAST(NULL AS {sql_type})"
    return f"CAST(a_{key}.{_q(m.name)} AS {sql_type})"


# -- the file's statement ------------------------------------------------------------------------------
def _filters(p: Plan, spec: ReportSpec) -> tuple[str, list[Any]]:
    cond, params = [], []
    if p.metrics:  # "Both report formats will omit rows where all the columns are equal to 0."
        cond.append("(" + " OR ".join(f"COALESCE({_q(m)}, 0) <> 0" for m in p.metrics) + ")")
    for f in spec.row_filters:
        sql, ps = _row_filter(f, "CAST(_entity AS VARCHAR)" if f.field == p.level.id_column else None)
        cond.append(sql)
        params.extend(ps)
    return (" WHERE " + " AND ".join(cond)) if cond else "", params


def _row_filter(f: RowFilter, column: str | None = None) -> tuple[str, list[Any]]:
    m = CATALOG[f.field]
    numeric = m.kind == "metric" or m.unit == "micro_currency"
    col = column or (f"COALESCE({_q(f.field)}, 0)" if m.kind == "metric" else _q(f.field))
    values = f.value if isinstance(f.value, list) else [f.value]
    conv = (lambda v: float(v)) if numeric else (lambda v: str(v))  # noqa: E731
    op = f.operator
    if op in ("=", "!=", ">", "<"):
        sql_op = {"=": "=", "!=": "IS DISTINCT FROM", ">": ">", "<": "<"}[op]
        return f"({col} {sql_op} ?)", [conv(values[0])]
    if op in ("in", "not_in"):
        marks = ", ".join("?" for _ in values)
        if op == "in":
            return f"({col} IN ({marks}))", [conv(v) for v in values]
        return f"COALESCE({col} NOT IN ({marks}), TRUE)", [conv(v) for v in values]
    if op == "~":
        return f"COALESCE(regexp_matches(CAST({col} AS VARCHAR), ?), FALSE)", [str(values[0])]
    if op == "contains_substring":
        return f"COALESCE(contains(CAST({col} AS VARCHAR), ?), FALSE)", [str(values[0])]
    raise ValueError(f"row filter operator {op!r}")


def csv_sql(p: Plan, spec: ReportSpec) -> tuple[str, list[Any]]:
    """The CSV's statement: display-name headers, metrics zero-filled, attributes empty when unknown."""
    where, wparams = _filters(p, spec)
    first = csv_header(p.level.id_column)
    sel = [f"CAST(_entity AS VARCHAR) AS {_q(first)}"]
    seen = {first}
    for c in p.columns:
        header = csv_header(c)
        if header in seen:  # never two columns of one name (a safety net; the overrides keep them apart)
            header = f"{header} ({c})"
        seen.add(header)
        if c in CATALOG and CATALOG[c].kind == "metric":
            sel.append(f"COALESCE({_q(c)}, 0) AS {_q(header)}")
        else:
            sel.append(f"{_q(c)} AS {_q(header)}")
    sql = f"SELECT {', '.join(sel)} FROM ({p.sql}) r{where} ORDER BY {', '.join(p.order)}"
    return sql, p.params + wparams


def json_sql(p: Plan, spec: ReportSpec) -> tuple[str, list[Any]]:
    """(entity id, the row's JSON object text): metrics that are 0 or without a value left out."""
    where, wparams = _filters(p, spec)
    parts = [f"'\"{p.level.id_column}\":\"' || CAST(_entity AS VARCHAR) || '\"'"]
    for c in p.columns:
        key = json.dumps(c) + ":"
        if c in ("DATE", "TARGETING_TYPE", "TARGETING_VALUE") or CATALOG[c].kind == "attribute":
            parts.append(f"CASE WHEN {_q(c)} IS NOT NULL THEN {_lit(key)} || CAST(to_json({_q(c)}) AS VARCHAR) END")
        else:
            parts.append(f"CASE WHEN {_q(c)} <> 0 THEN {_lit(key)} || CAST({_q(c)} AS VARCHAR) END")
    row = "'{' || concat_ws(',', " + ", ".join(parts) + ") || '}'"
    sql = f"SELECT CAST(_entity AS VARCHAR) AS entity, {row} AS row FROM ({p.sql}) r{where} ORDER BY {', '.join(p.order)}"
    return sql, p.params + wparams


# -- writing ---------------------------------------------------------------------------------------------
@dataclass
class Written:
    path: Path
    size: int  # bytes
    rows: int


@contextmanager
def _registered(cur: Any, tables: dict[str, pa.Table]) -> Iterator[None]:
    for name, table in tables.items():
        cur.register(name, table)
    try:
        yield
    finally:
        for name in tables:
            try:
                cur.unregister(name)
            except Exception:  # pragma: no cover - the cursor is gone
                pass


def write(facts: Any, spec: ReportSpec, path: Path, lookups: Lookups | None = None, *,
          batch_rows: int = 10_000) -> Written:
    """Write the report file to `path` in `spec.report_format`, streaming; the bytes and rows written."""
    p = plan(spec, lookups)

    def run(cur: Any) -> int:
        with _registered(cur, p.tables):
            if spec.report_format == "CSV":
                sql, params = csv_sql(p, spec)
                return copy_csv(cur, sql, params, path)
            sql, params = json_sql(p, spec)
            return stream_json(cur, sql, params, path, batch_rows=batch_rows)

    rows = in_batch_engine(facts, run)
    return Written(path=path, size=path.stat().st_size, rows=rows)


def in_batch_engine(facts: Any, run: Any) -> Any:
    """`run(cursor)` in the fact store's batch engine (a bounded working memory: reporting/facts.py); if
    DuckDB cannot fit the query in that bound, once more in the main engine (a larger limit) — a report
    that is too big for the bound takes more memory rather than failing. `run` rewrites its file whole."""
    import duckdb

    try:
        return run(facts.batch_cursor())
    except duckdb.OutOfMemoryException as exc:
        log.warning("a report did not fit the batch engine's memory limit (%s); writing it in the main engine",
                    str(exc).splitlines()[0])
    return run(facts.cursor())


def copy_csv(cur: Any, sql: str, params: list[Any], path: Path) -> int:
    target = str(path).replace("'", "''")
    result = cur.execute(f"COPY ({sql}) TO '{target}' (FORMAT CSV, HEADER)", params).fetchone()
    return int(result[0]) if result else 0


def stream_json(cur: Any, sql: str, params: list[Any], path: Path, *, batch_rows: int = 10_000) -> int:
    """`{"<entity>": [<row>, ...], ...}` written batch by batch from DuckDB's ordered result."""
    reader = cur.sql(sql, params=params).to_arrow_reader(batch_rows)
    rows = 0
    current: str | None = None
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("{")
        for batch in reader:
            entities = batch.column(0).to_pylist()
            texts = batch.column(1).to_pylist()
            out = []
            for entity, text in zip(entities, texts):
                if entity != current:
                    if current is not None:
                        out.append("],")
                    out.append(json.dumps(entity))
                    out.append(":[")
                    out.append(text)
                    current = entity
                else:
                    out.append(",")
                    out.append(text)
            rows += len(texts)
            fh.write("".join(out))
        if current is not None:
            fh.write("]")
        fh.write("}")
    return rows

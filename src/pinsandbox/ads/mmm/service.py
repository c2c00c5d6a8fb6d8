"""Marketing Mix Modeling (MMM) reports: the request rules and the report, computed by the reporting engine.

Rules (docs/reporting.md "MMM reports" has the choices made where Pinterest is silent):
- Dates are UTC `YYYY-MM-DD`, real calendar dates; end_date >= start_date; start_date at most 914 days
  before today (the sandbox clock's), the reach of Pinterest's asynchronous reporting.
- `columns`: at least one; duplicates are ignored. AD_GROUP_ID / AD_GROUP_NAME need the
  AD_GROUP_TARGETING level. `targeting_types` (1..5) and `countries` are de-duplicated too.
- `countries` keeps only the delivery in those countries (the COUNTRY segment of the facts).

The report is one CSV file (`text/csv`, one header line): `DATE` (the day, or the first day of the
week inside the range for WEEK), the level's id (`CAMPAIGN_ID` or `AD_GROUP_ID`), `TARGETING_TYPE`,
`TARGETING_VALUE`, then the requested columns in the order asked. One row per (date, entity, targeting
type, value) that had delivery, except rows whose requested metrics are all 0 (or without value), as
Pinterest's async reports omit them; each targeting type is broken down on its own (rows per type, never
a cross product). Metric values come from the query layer (`reporting.query.compile_query`, the
statement sync analytics run): ratios are ratios of sums, as in every other report. A metric without a
value (a ratio over zero) is written 0 (CSV zero-fills); an attribute the sandbox does not hold
(SPEND_ORDER_LINE_PAID_TYPE: no billing order lines) is left empty. CREATIVE_TYPE is the ads'
`creative_type`: one engine query per creative type over that type's ads.

The report is as of its request: the sandbox clock then is stored in the job's parameters (`as_of`) and
is the query's `now` (conversions after it have not happened), as for async reports. The file is written
by DuckDB itself (`COPY (<the report's statement>) TO <file> (FORMAT CSV, HEADER)`): every targeting
type's statement in one UNION ALL, names joined from small lookup tables of the state database's
entities, zero rows dropped and sorted inside the engine; Python never holds the report's rows.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from pinsandbox.ads.ads.tables import ads
from pinsandbox.core.errors import InvalidParameter
from pinsandbox.reporting.catalog import CATALOG
from pinsandbox.reporting.dates import DateOutOfRange, iso_date

KIND = "mmm_report"
MAX_BACK_DAYS = 914
LEVELS = {"CAMPAIGN_TARGETING": "CAMPAIGN", "AD_GROUP_TARGETING": "AD_GROUP"}
LEVEL_ID_COLUMN = {"CAMPAIGN": "CAMPAIGN_ID", "AD_GROUP": "AD_GROUP_ID"}
LEVEL_KEY = {"CAMPAIGN": "campaign_id", "AD_GROUP": "ad_group_id"}

# MMM metric column -> (catalog metric the engine computes, divisor applied to its value)
METRICS: dict[str, tuple[str, int | None]] = {
    "SPEND_IN_DOLLAR": ("SPEND_IN_DOLLAR", None),
    "SPEND_IN_MICRO_DOLLAR": ("SPEND_IN_MICRO_DOLLAR", None),
    "ECPC_IN_DOLLAR": ("ECPC_IN_DOLLAR", None),
    "ECTR": ("ECTR", None),
    "TOTAL_ENGAGEMENT": ("TOTAL_ENGAGEMENT", None),
    "EENGAGEMENT_RATE": ("EENGAGEMENT_RATE", None),
    "ECPM_IN_DOLLAR": ("ECPM_IN_MICRO_DOLLAR", 1_000_000),  # the catalog's eCPM in micro-units, in currency units
    "CLICKTHROUGH_1": ("CLICKTHROUGH_1", None),
    "IMPRESSION_1": ("IMPRESSION_1", None),
    "CLICKTHROUGH_2": ("CLICKTHROUGH_2", None),
    "IMPRESSION_2": ("IMPRESSION_2", None),
    "TOTAL_CLICKTHROUGH": ("TOTAL_CLICKTHROUGH", None),
    "TOTAL_IMPRESSION": ("TOTAL_IMPRESSION", None),
}
# Attribute columns read from the state database (catalog attributes), and the two MMM-only ones.
CATALOG_ATTRIBUTES = ("CAMPAIGN_NAME", "CAMPAIGN_ID", "ADVERTISER_ID", "AD_GROUP_ID", "AD_GROUP_NAME")
OTHER_ATTRIBUTES = ("ADVERTISER_NAME", "SPEND_ORDER_LINE_PAID_TYPE")
AD_GROUP_ONLY = ("AD_GROUP_ID", "AD_GROUP_NAME")
DEFAULT_CREATIVE_TYPE = "REGULAR"


def _date(name: str, value: str) -> dt.date:
    try:
        return iso_date(value)
    except DateOutOfRange as exc:
        raise InvalidParameter(f"Invalid field '{name}': {exc}.") from None
    except ValueError:
        raise InvalidParameter(f"Invalid field '{name}': {value!r} is not a date in the format YYYY-MM-DD.") from None


def parse_request(body: Any, *, today: dt.date, now: dt.datetime) -> dict[str, Any]:
    """The job's params from a validated `CreateMMMReportRequest` (rules across fields checked here), with
    `as_of`: the sandbox clock of the request, the report's time."""
    start, end = _date("start_date", body.start_date), _date("end_date", body.end_date)
    if end < start:
        raise InvalidParameter(f"Invalid fields: end_date {end} is before start_date {start}.")
    earliest = today - dt.timedelta(days=MAX_BACK_DAYS)
    if start < earliest:
        raise InvalidParameter(f"Invalid field 'start_date': it can be at most {MAX_BACK_DAYS} days back (no earlier "
                               f"than {earliest}); got {start}.")
    if not body.report_name.strip():
        raise InvalidParameter("Invalid field 'report_name': give the report a name.")
    columns = list(dict.fromkeys(body.columns))
    if not columns:
        raise InvalidParameter("Invalid field 'columns': give at least one column.")
    if body.level == "CAMPAIGN_TARGETING":
        for c in columns:
            if c in AD_GROUP_ONLY:
                raise InvalidParameter(f"Invalid field 'columns': {c} needs the level AD_GROUP_TARGETING "
                                       "(this report is at CAMPAIGN_TARGETING).")
    return {"report_name": body.report_name, "start_date": start.isoformat(), "end_date": end.isoformat(),
            "granularity": body.granularity, "level": body.level,
            "targeting_types": list(dict.fromkeys(body.targeting_types)), "columns": columns,
            "countries": list(dict.fromkeys(body.countries)) if body.countries else None,
            "as_of": now.isoformat()}


def header(params: dict[str, Any]) -> list[str]:
    level = LEVELS[params["level"]]
    id_col = LEVEL_ID_COLUMN[level]
    return ["DATE", id_col, "TARGETING_TYPE", "TARGETING_VALUE"] + [c for c in params["columns"] if c != id_col]


def as_of(params: dict[str, Any], default: dt.datetime) -> dt.datetime:
    """The sandbox clock when the report was requested (`default`, the job's creation time, for jobs
    queued without it)."""
    value = params.get("as_of")
    return dt.datetime.fromisoformat(value) if value else default


def _creative_groups(store: Any, ad_account_id: int) -> dict[str, list[int]]:
    with store.read() as conn:
        rows = conn.execute(sa.select(ads.c.id, ads.c.data).where(ads.c.ad_account_id == ad_account_id))
        groups: dict[str, list[int]] = {}
        for r in rows:
            groups.setdefault((r.data or {}).get("creative_type") or DEFAULT_CREATIVE_TYPE, []).append(r.id)
    return dict(sorted(groups.items()))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(value: str | None) -> str:
    return "CAST(NULL AS VARCHAR)" if value is None else "'" + str(value).replace("'", "''") + "'"


@dataclass
class Statement:
    """The report's rows as one DuckDB statement (header names as column names, sorted, zero rows
    dropped) and the lookup tables to register while it runs."""

    sql: str
    params: list[Any]
    tables: dict[str, Any]
    header: list[str]


def statement(store: Any, *, account: Any, params: dict[str, Any], now: dt.datetime) -> Statement:
    """The report's statement over the facts: per targeting type (and per creative type for
    CREATIVE_TYPE) the query layer's statement, names joined, then UNION ALL, rows whose requested
    metrics are all 0 dropped, ORDER BY targeting type (request order), date, entity, value."""
    from pinsandbox.ads.reports.service import lookups_of
    from pinsandbox.reporting.export import ReportSpec, attribute_key, extra_keys
    from pinsandbox.reporting.query import AnalyticsQuery, compile_query, is_integer

    level = LEVELS[params["level"]]
    key = LEVEL_KEY[level]
    head = header(params)
    outputs = head[4:]
    metric_cols = [c for c in outputs if c in METRICS]
    attr_cols = [c for c in outputs if c in CATALOG_ATTRIBUTES]
    engine_metrics = list(dict.fromkeys(METRICS[c][0] for c in metric_cols))
    attrs = [CATALOG[c] for c in attr_cols]
    keys = extra_keys(level, attrs)
    start, end = dt.date.fromisoformat(params["start_date"]), dt.date.fromisoformat(params["end_date"])
    segment_filters = {"COUNTRY": params["countries"]} if params.get("countries") else {}

    lookups = None
    if attrs:
        spec = ReportSpec(ad_account_id=account.id, level=params["level"], start=start, end=end,
                          granularity=params["granularity"], columns=attr_cols, now=now)
        with store.read() as conn:
            lookups = lookups_of(conn, account, spec)
    uid = uuid.uuid4().hex[:10]
    tables: dict[str, Any] = {}
    joins: list[str] = []
    if lookups is not None:
        for k, table in lookups.attributes.items():
            if k in keys or k == key:
                name = f"_mmm_{k}_{uid}"
                tables[name] = table
                joins.append(f" LEFT JOIN {name} a_{k} ON a_{k}.id = q.k_{k}")

    def cell(c: str) -> str:
        if c in METRICS:
            name, divisor = METRICS[c]
            value = f"CAST(q.{_q(name)} AS {'BIGINT' if is_integer(CATALOG[name]) and divisor is None else 'DOUBLE'})"
            return f"{value} / {float(divisor)!r}" if divisor is not None else value
        if c == "ADVERTISER_NAME":
            return _lit(account.name)
        if c == "SPEND_ORDER_LINE_PAID_TYPE":
            return _lit(None)  # no billing order lines in the sandbox
        m = CATALOG[c]
        k = attribute_key(m)
        if k is None:
            return _lit(lookups.constants.get(c) if lookups is not None else None)
        table = lookups.attributes.get(k) if lookups is not None else None
        if (k not in keys and k != key) or table is None or c not in table.column_names:
            return _lit(None)
        return f"CAST(a_{k}.{_q(c)} AS VARCHAR)"

    branches: list[str] = []
    sql_params: list[Any] = []
    for idx, ttype in enumerate(params["targeting_types"]):
        parts: list[tuple[str, dict[str, Any]]] = []
        if ttype == "CREATIVE_TYPE":
            parts = [(_lit(creative), {"filters": {"ad_id": ad_ids}})
                     for creative, ad_ids in _creative_groups(store, account.id).items()]
        else:
            parts = [("CAST(q.k_dim AS VARCHAR)", {"targeting_type": ttype})]
        for value, kw in parts:
            compiled = compile_query(AnalyticsQuery(
                ad_account_id=account.id, level=level, start=start, end=end, granularity=params["granularity"],
                metrics=engine_metrics, now=now, extra_keys=keys, segment_filters=segment_filters, **kw),
                ordered=False)
            sel = [f"{idx} AS _type_idx", "CAST(q.k_time AS VARCHAR) AS _date", f"q.k_{key} AS _entity",
                   f"{_lit(ttype)} AS _ttype", f"{value} AS _tvalue"]
            sel += [f"{cell(c)} AS {_q(c)}" for c in outputs]
            branches.append(f"SELECT {', '.join(sel)} FROM ({compiled.sql}) q{''.join(joins)}")
            sql_params.extend(compiled.params)

    out = ["_date AS \"DATE\"", f"CAST(_entity AS VARCHAR) AS {_q(head[1])}", "_ttype AS \"TARGETING_TYPE\"",
           "_tvalue AS \"TARGETING_VALUE\""]
    out += [f"COALESCE({_q(c)}, 0) AS {_q(c)}" if c in METRICS else _q(c) for c in outputs]
    if not branches:  # pragma: no cover - targeting_types has at least one item
        raise ValueError("an MMM report needs a targeting type")
    where = (" WHERE " + " OR ".join(f"COALESCE({_q(c)}, 0) <> 0" for c in metric_cols)) if metric_cols else ""
    sql = (f"SELECT {', '.join(out)} FROM ({' UNION ALL '.join(f'({b})' for b in branches)}) r{where} "
           "ORDER BY _type_idx, _date, _entity, _tvalue")
    return Statement(sql=sql, params=sql_params, tables=tables, header=head)


@dataclass
class Written:
    size: int  # bytes
    rows: int
    header: list[str]


def write_report(store: Any, *, account: Any, params: dict[str, Any], now: dt.datetime, path: Path) -> Written:
    """Catch the facts up (simulated hours, Conversions API events), then write the CSV with DuckDB's
    COPY, streaming: the rows never pass through Python."""
    from pinsandbox.ads.analytics.service import _catch_up
    from pinsandbox.reporting.export import copy_csv, in_batch_engine

    _catch_up(store, account.id)
    st = statement(store, account=account, params=params, now=now)

    def run(cur) -> int:  # in the batch engine, as async reports (reporting/facts.py)
        for name, table in st.tables.items():
            cur.register(name, table)
        try:
            return copy_csv(cur, st.sql, st.params, path)
        finally:
            for name in st.tables:
                try:
                    cur.unregister(name)
                except Exception:  # pragma: no cover - the cursor is gone
                    pass

    rows = in_batch_engine(store.facts, run)
    return Written(size=path.stat().st_size, rows=rows, header=st.header)

"""The query layer: one analytics request -> one DuckDB statement over the facts.

`compile_query(q)` turns an `AnalyticsQuery` (level, ids, dates, granularity, metric columns,
attribution windows, report time, attribution type, optional targeting breakdown) into SQL:

    d: delivery bases summed per group            (only the bases the columns need)
    c: conversion measures per group              (under the windows, report time, attribution)
    r: reach per group = size of the union of the people blocks (never a sum)
    k: the groups that had any delivery or conversion
    SELECT keys, <metric expressions over d, c, r> FROM k LEFT JOIN d, c, r

Group keys: the level's entity id, the time bucket (absent for TOTAL) and the targeting value (for a
breakdown). Metric formulas come from `catalog.CATALOG` and compile to expressions over the summed
columns, so ratios are always ratios of sums. A division by zero gives NULL: the column has no value.

Time buckets (UTC): DAY = the date; HOUR = the hour; WEEK = ISO weeks (Monday first), MONTH =
calendar months, each labelled by its first date *inside the requested range* (so the first bucket
of a range that starts mid-week is labelled with start_date). Buckets partition the range.

Conversions: an ad action's conversion counts when its lag is inside the window of its action type
(click/engagement/view window days; a 0-day window means the same UTC day as the action, every
other window N means within N*24 hours), when it has happened by the sandbox clock's `now`, and it
is bucketed by the time of the ad action (TIME_OF_AD_ACTION, default) or of the conversion
(TIME_OF_CONVERSION). attribution INDIVIDUAL counts individual matches only; HOUSEHOLD (and no
attribution type given) counts individual and household matches. Conversion facts that share a
`conversion_key` (the Conversions API's candidate actions of one event, reporting/attribution.py) are
one conversion: of those that count under the windows, clock and attribution, the click, else the
engagement, else the view (the latest action first) is the one counted, chosen before the range, ids
and segment filters apply.

Filters (async reports): `filters` restricts the facts to entities by id (fact column -> allowed ids;
an empty list allows none), the same for delivery and conversions; `metric_filters` keeps only the
output rows whose metric compares as asked (`<` / `>` a number). Levels whose entities the facts do
not carry yet (product groups and items: no catalogs) compile to a statement with the same columns
and no rows.
`segment_filters` restricts the facts to segments (targeting type -> allowed values, e.g. the MMM
reports' `countries` as {"COUNTRY": [...]}), the same for delivery and conversions.
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from pinsandbox.reporting.catalog import BASES, CATALOG, CONV_AGGS, CONV_FILTERS, Metric
from pinsandbox.reporting.facts import DIMENSIONS, FactStore

LEVEL_KEYS = {"AD_ACCOUNT": "ad_account_id", "CAMPAIGN": "campaign_id", "AD_GROUP": "ad_group_id", "AD": "ad_id",
              "PIN": "pin_id", "PRODUCT_GROUP": "product_group_id", "PRODUCT_ITEM": "product_item_id"}
# Entity columns the facts carry; a level or filter on another entity matches no facts.
FACT_ENTITY_KEYS = frozenset({"ad_account_id", "campaign_id", "ad_group_id", "ad_id", "pin_id"})
METRIC_FILTER_OPERATORS = {"LESS_THAN": "<", "GREATER_THAN": ">"}
GRANULARITIES = ("TOTAL", "DAY", "HOUR", "WEEK", "MONTH")
WINDOW_DAYS = (0, 1, 7, 14, 30, 60)


@dataclass
class AnalyticsQuery:
    ad_account_id: int
    level: str  # key of LEVEL_KEYS
    start: dt.date
    end: dt.date  # inclusive
    granularity: str
    metrics: list[str]  # catalog metric names (kind "metric")
    now: dt.datetime  # conversions after this have not happened yet
    ids: list[int] | None = None
    click_window_days: int = 30
    engagement_window_days: int = 30
    view_window_days: int = 1
    conversion_report_time: str = "TIME_OF_AD_ACTION"
    attribution: str | None = None  # INDIVIDUAL | HOUSEHOLD | None
    targeting_type: str | None = None  # a key of DIMENSIONS: break down by it
    extra_keys: list[str] = field(default_factory=list)  # more fact columns to group by (e.g. campaign_id)
    filters: dict[str, list[int]] = field(default_factory=dict)  # entity column -> allowed ids ([] = none)
    metric_filters: list[tuple[str, str, float]] = field(default_factory=list)  # (metric, LESS_THAN|GREATER_THAN, v)
    segment_filters: dict[str, list[str]] = field(default_factory=dict)  # targeting type -> allowed values (MMM)


@dataclass
class Compiled:
    sql: str
    params: list[Any]
    key_names: list[str]  # output columns before the metrics: entity, extra keys, [time], [dimension]
    metrics: list[str]


class _Compiler:
    """Compiles catalog formulas into SQL over the joined CTE columns."""

    def __init__(self) -> None:
        self.bases: set[str] = set()
        self.conv: dict[tuple, str] = {}  # (agg, filters...) -> alias
        self.reach = False
        self._stack: list[str] = []

    def metric(self, m: Metric) -> str:
        if m.formula is None:
            raise ValueError(f"{m.name} is not computed from facts")
        if m.name in self._stack:
            raise ValueError(f"circular formula at {m.name}")
        self._stack.append(m.name)
        try:
            return self._expr(ast.parse(m.formula, mode="eval").body)
        finally:
            self._stack.pop()

    def _expr(self, node: ast.AST) -> str:
        if isinstance(node, ast.BinOp):
            left, right = self._expr(node.left), self._expr(node.right)
            if isinstance(node.op, ast.Div):
                return f"(CAST({left} AS DOUBLE) / NULLIF({right}, 0))"
            op = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*"}.get(type(node.op))
            if op is None:
                raise ValueError(f"unsupported operator in formula: {ast.dump(node.op)}")
            return f"({left} {op} {right})"
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return repr(node.value)
        if isinstance(node, ast.Name):
            name = node.id
            if name in BASES:
                self.bases.add(name)
                return f"COALESCE(d.{name}, 0)"
            if name == "reach":
                self.reach = True
                return "COALESCE(r.reach, 0)"
            if name in CATALOG:
                return f"({self.metric(CATALOG[name])})"
            raise ValueError(f"unknown name in formula: {name}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "conv":
            agg = node.args[0].value  # type: ignore[attr-defined]
            if agg not in CONV_AGGS:
                raise ValueError(f"unknown conversion aggregate {agg}")
            filters = tuple(sorted((k.arg, k.value.value) for k in node.keywords))  # type: ignore[attr-defined]
            for k, v in filters:
                if v not in CONV_FILTERS[k]:
                    raise ValueError(f"unknown conversion filter {k}={v}")
            key = (agg, filters)
            alias = self.conv.setdefault(key, f"cv{len(self.conv)}")
            return f"COALESCE(c.{alias}, 0)"
        raise ValueError(f"unsupported formula element: {ast.dump(node)}")

    def conv_select(self) -> list[str]:
        out = []
        for (agg, filters), alias in self.conv.items():
            cond = " AND ".join(f"{_CONV_COLUMN[k]} = '{v}'" for k, v in filters) or "TRUE"
            value = {"count": "1", "quantity": "quantity", "value": "value_micro"}[agg]
            out.append(f"SUM(CASE WHEN {cond} THEN {value} ELSE 0 END) AS {alias}")
        return out


_CONV_COLUMN = {"action": "action_type", "event": "event_type", "channel": "channel",
                "action_device": "action_device", "conversion_device": "conversion_device"}


def _bucket(granularity: str, ts: str, start: dt.date) -> str | None:
    if granularity == "TOTAL":
        return None
    if granularity == "DAY":
        return f"CAST({ts} AS DATE)"
    if granularity == "HOUR":
        return f"date_trunc('hour', {ts})"
    unit = {"WEEK": "week", "MONTH": "month"}[granularity]
    return f"GREATEST(CAST(date_trunc('{unit}', {ts}) AS DATE), DATE '{start.isoformat()}')"


_ACTION_RANK = "CASE action_type WHEN 'CLICK' THEN 0 WHEN 'ENGAGEMENT' THEN 1 ELSE 2 END"


def _window(days: int) -> str:
    if days == 0:
        return "CAST(conversion_time AS DATE) = CAST(action_time AS DATE)"
    return f"conversion_time <= action_time + INTERVAL {int(days)} DAY"


def compile_query(q: AnalyticsQuery, *, ordered: bool = True) -> Compiled:
    """`ordered=False` leaves out the final ORDER BY (a caller that wraps the statement sorts itself)."""
    if q.granularity not in GRANULARITIES:
        raise ValueError(f"granularity {q.granularity}")
    entity = LEVEL_KEYS[q.level]
    comp = _Compiler()
    exprs = [f"{comp.metric(CATALOG[m])} AS \"{m}\"" for m in q.metrics]
    having = []
    for name, op, value in q.metric_filters:
        if op not in METRIC_FILTER_OPERATORS:
            raise ValueError(f"metric filter operator {op}")
        having.append(f"({comp.metric(CATALOG[name])}) {METRIC_FILTER_OPERATORS[op]} {float(value)!r}")

    lo = dt.datetime.combine(q.start, dt.time())
    hi = dt.datetime.combine(q.end + dt.timedelta(days=1), dt.time())
    dim = DIMENSIONS[q.targeting_type] if q.targeting_type else None

    keys = [entity] + [k for k in q.extra_keys if k != entity]
    key_aliases = [f"k_{k}" for k in keys]

    def key_expr(k: str) -> str:
        return k if k in FACT_ENTITY_KEYS else "CAST(NULL AS BIGINT)"

    def group_keys(ts: str) -> list[tuple[str, str]]:
        out = [(key_expr(k), f"k_{k}") for k in keys]
        b = _bucket(q.granularity, ts, q.start)
        if b is not None:
            out.append((b, "k_time"))
        if dim:
            out.append((dim, "k_dim"))
        return out

    def where(ts: str) -> tuple[str, list[Any]]:
        cond = [f"ad_account_id = ?", f"{ts} >= ?", f"{ts} < ?"]
        params: list[Any] = [q.ad_account_id, lo, hi]
        if q.ids is not None and entity in FACT_ENTITY_KEYS:
            cond.append(f"{entity} IN ({', '.join('?' for _ in q.ids)})" if q.ids else "FALSE")
            params.extend(q.ids)
        if dim:
            cond.append(f"{dim} IS NOT NULL")
        if any(k not in FACT_ENTITY_KEYS for k in keys):
            cond.append("FALSE")  # no facts carry this level's entity yet
        for column, allowed in sorted(q.filters.items()):
            if column not in FACT_ENTITY_KEYS or not allowed:
                cond.append("FALSE")
            else:
                cond.append(f"{column} IN (SELECT UNNEST(?))")
                params.append([int(i) for i in allowed])
        for ttype, values in sorted(q.segment_filters.items()):  # e.g. MMM `countries`: COUNTRY in (...)
            if not values:
                cond.append("FALSE")
            else:
                cond.append(f"{DIMENSIONS[ttype]} IN (SELECT UNNEST(?))")
                params.append([str(v) for v in values])
        return " AND ".join(cond), params

    all_aliases = key_aliases + (["k_time"] if q.granularity != "TOTAL" else []) + (["k_dim"] if dim else [])
    ctes: list[str] = []
    params: list[Any] = []
    sources: list[str] = []

    # delivery bases (also needed when only conversions are asked: groups come from delivery too)
    gk = group_keys("hour")
    sel = ", ".join(f"{e} AS {a}" for e, a in gk)
    grp = ", ".join(e for e, _ in gk)
    w, p = where("hour")
    base_sel = "".join(f", SUM({b}) AS {b}" for b in sorted(comp.bases))
    ctes.append(f"d AS (SELECT {sel}{base_sel} FROM delivery WHERE {w} GROUP BY {grp})")
    params += p
    sources.append("d")

    if comp.conv:
        ts = "action_time" if q.conversion_report_time == "TIME_OF_AD_ACTION" else "conversion_time"
        gk = group_keys(ts)
        sel = ", ".join(f"{e} AS {a}" for e, a in gk)
        grp = ", ".join(e for e, _ in gk)
        w, p = where(ts)
        windows = " OR ".join(
            f"(action_type = '{a}' AND {_window(days)})" for a, days in
            (("CLICK", q.click_window_days), ("ENGAGEMENT", q.engagement_window_days), ("VIEW", q.view_window_days)))
        # counts at all: happened by now, inside the window of its action type, of the attribution asked
        counts = f"conversion_time <= ? AND ({windows})"
        counts_p: list[Any] = [q.now.replace(tzinfo=None)]
        if q.attribution == "INDIVIDUAL":
            counts += " AND attribution = 'INDIVIDUAL'"
        # A row without conversion_key is a conversion; rows sharing one are candidate attributions of one
        # conversion (Conversions API events): the best candidate that counts is picked first (a click
        # before an engagement before a view, the latest action first), over the whole ad account, and
        # only then filtered by range, ids and segments, so the choice does not depend on them.
        plain = f"SELECT * FROM conversions WHERE conversion_key IS NULL AND {w} AND {counts}"
        picked = (f"SELECT * EXCLUDE (pick) FROM (SELECT *, row_number() OVER (PARTITION BY conversion_key ORDER BY "
                  f"{_ACTION_RANK}, action_time DESC, ad_id) AS pick FROM conversions WHERE conversion_key IS NOT NULL "
                  f"AND ad_account_id = ? AND {counts}) WHERE pick = 1 AND {w}")
        ctes.append(f"c AS (SELECT {sel}, {', '.join(comp.conv_select())} FROM ({plain} UNION ALL {picked}) "
                    f"GROUP BY {grp})")
        params += p + counts_p + [q.ad_account_id] + counts_p + p
        sources.append("c")

    if comp.reach:
        gk = group_keys("hour")
        w, p = where("hour")
        inner_sel = ", ".join(f"{e} AS {a}" for e, a in gk)
        part = ", ".join(all_aliases)
        ctes.append(
            "r AS (SELECT " + part + ", SUM(hi_max - lo_min) AS reach FROM ("
            "SELECT " + part + ", island, MIN(lo) AS lo_min, MAX(hi) AS hi_max FROM ("
            "SELECT " + part + ", lo, hi, SUM(CASE WHEN prev_max IS NULL OR lo > prev_max THEN 1 ELSE 0 END) "
            "OVER (PARTITION BY " + part + " ORDER BY lo, hi ROWS UNBOUNDED PRECEDING) AS island FROM ("
            "SELECT " + part + ", lo, hi, MAX(hi) OVER (PARTITION BY " + part + " ORDER BY lo, hi "
            "ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max FROM ("
            f"SELECT DISTINCT {inner_sel}, people_lo AS lo, people_lo + people_n AS hi FROM delivery "
            f"WHERE {w} AND people_n > 0))) GROUP BY {part}, island) GROUP BY {part})")
        params += p
        sources.append("r")

    union = " UNION ".join(f"SELECT {', '.join(all_aliases)} FROM {s}" for s in sources if s in ("d", "c"))
    ctes.append(f"k AS ({union})")
    joins = "".join(f" LEFT JOIN {s} USING ({', '.join(all_aliases)})" for s in sources)
    select = ", ".join([f"k.{a}" for a in all_aliases] + exprs)
    where_out = f" WHERE {' AND '.join(having)}" if having else ""
    order = f" ORDER BY {', '.join(f'k.{a}' for a in all_aliases)}" if ordered else ""
    sql = f"WITH {', '.join(ctes)} SELECT {select} FROM k{joins}{where_out}{order}"
    names = keys + (["time"] if q.granularity != "TOTAL" else []) + (["dimension"] if dim else [])
    return Compiled(sql=sql, params=params, key_names=names, metrics=list(q.metrics))


def run_query(facts: FactStore, q: AnalyticsQuery) -> list[dict[str, Any]]:
    """Rows as dicts: key names (entity columns, 'time', 'dimension') and the metric values that have one."""
    c = compile_query(q)
    rows = facts.fetch(c.sql, c.params)
    nk = len(c.key_names)
    out = []
    for row in rows:
        item: dict[str, Any] = dict(zip(c.key_names, row[:nk]))
        for name, value in zip(c.metrics, row[nk:]):
            if value is None:
                continue
            item[name] = _number(CATALOG[name], value)
        out.append(item)
    return out


def is_integer(m: Metric) -> bool:
    """Counts and summed micro-currency amounts are integers; ratios, costs and currency units are not."""
    return m.unit == "count" or (m.additive and m.unit == "micro_currency")


def _number(m: Metric, value: Any) -> int | float:
    return int(value) if is_integer(m) else float(value)

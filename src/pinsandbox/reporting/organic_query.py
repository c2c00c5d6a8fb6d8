"""Queries over the `organic` facts: sums of the counters per group, and the organic metric formulas.

`sums(facts, scope, start=, end=, by=)` runs one DuckDB statement: the rows of the scope (a Pin's, or
a user account's with its filters) in [start, end], counters summed per group. Groups are any of
`bucket` (the split value: 'all', the app type, CLAIMED/OTHER, YOUR_PINS/OTHER_PINS, the pin format),
`day` and `pin_id`. Metrics are evaluated from those sums (`value`): counts are the sums, ratios are
ratios of sums (0.0 over zero, as Pinterest's organic answers show), so a summary over any range is the
same formula over the summed days.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pinsandbox.reporting.catalog import ORGANIC_CATALOG, Metric
from pinsandbox.reporting.organic_facts import ORGANIC_COUNTERS

SPLITS = ("NO_SPLIT", "APP_TYPE", "OWNED_CONTENT", "SOURCE", "PIN_FORMAT")


@dataclass(frozen=True)
class Scope:
    """Which organic rows count. Either `pin_id` (Pin analytics: every row of the Pin) or `user_id`
    (user account analytics: rows of the user's Pins and of others' Pins of the user's claimed
    website), narrowed by the filters (None: no filter)."""

    pin_id: int | None = None
    user_id: int | None = None
    app_types: tuple[str, ...] | None = None
    content_types: tuple[str, ...] | None = None
    pin_formats: tuple[str, ...] | None = None
    source: str | None = None  # YOUR_PINS | OTHER_PINS
    claimed: str | None = None  # CLAIMED | OTHER


def _in(column: str, values: Iterable[Any], params: list[Any]) -> str:
    values = list(values)
    if not values:
        return "FALSE"
    params.extend(values)
    return f"{column} IN ({', '.join('?' for _ in values)})"


def where(scope: Scope, params: list[Any]) -> str:
    cond: list[str] = []
    if scope.pin_id is not None:
        cond.append("pin_id = ?")
        params.append(scope.pin_id)
    if scope.user_id is not None:
        u = scope.user_id
        if scope.source == "YOUR_PINS":
            cond.append("owner_user_id = ?")
            params.append(u)
        elif scope.source == "OTHER_PINS":
            cond.append("owner_user_id <> ? AND claimant_user_id = ?")
            params += [u, u]
        else:
            cond.append("(owner_user_id = ? OR claimant_user_id = ?)")
            params += [u, u]
        if scope.claimed == "CLAIMED":
            cond.append("claimant_user_id = ?")
            params.append(u)
        elif scope.claimed == "OTHER":
            cond.append("claimant_user_id IS DISTINCT FROM ?")
            params.append(u)
    if scope.app_types is not None:
        cond.append(_in("app_type", scope.app_types, params))
    if scope.content_types is not None:
        cond.append(_in("content_type", scope.content_types, params))
    if scope.pin_formats is not None:
        cond.append(_in("pin_format", scope.pin_formats, params))
    return " AND ".join(cond) or "TRUE"


def bucket_expr(split: str, user_id: int | None, params: list[Any]) -> str:
    """The SQL of a row's split bucket (the key of the answer)."""
    if split == "NO_SPLIT":
        return "'all'"
    if split == "APP_TYPE":
        return "app_type"
    if split == "PIN_FORMAT":
        return "pin_format"
    if user_id is None:
        raise ValueError(f"split {split} needs a user")
    params.append(user_id)
    if split == "OWNED_CONTENT":
        return "CASE WHEN claimant_user_id = ? THEN 'CLAIMED' ELSE 'OTHER' END"
    if split == "SOURCE":
        return "CASE WHEN owner_user_id = ? THEN 'YOUR_PINS' ELSE 'OTHER_PINS' END"
    raise ValueError(f"unknown split {split}")


def sums(facts: Any, scope: Scope, *, start: dt.date | None, end: dt.date | None, by: tuple[str, ...],
         split: str = "NO_SPLIT", counters: Iterable[str] = ORGANIC_COUNTERS) -> list[dict[str, Any]]:
    """Counters summed per group of `by` (any of 'bucket', 'day', 'pin_id'), days in [start, end]
    (None: open). Groups without rows are absent."""
    counters = [c for c in ORGANIC_COUNTERS if c in set(counters)]
    params: list[Any] = []
    keys = []
    for k in by:
        if k == "bucket":
            keys.append(f"{bucket_expr(split, scope.user_id, params)} AS bucket")
        elif k in ("day", "pin_id"):
            keys.append(k)
        else:
            raise ValueError(f"unknown group key {k}")
    cond = where(scope, params)
    if start is not None:
        cond += " AND day >= ?"
        params.append(start)
    if end is not None:
        cond += " AND day <= ?"
        params.append(end)
    select = ", ".join(keys + [f"CAST(SUM({c}) AS BIGINT) AS {c}" for c in counters])
    group = f" GROUP BY {', '.join(str(i + 1) for i in range(len(keys)))}" if keys else ""
    sql = f"SELECT {select} FROM organic WHERE {cond}{group}"
    names = list(by) + counters
    rows = facts.fetch(sql, params)
    out = []
    for r in rows:
        item = dict(zip(names, r))
        if not keys and all(v is None for v in r):  # no rows at all: SUM over nothing
            item = {c: 0 for c in counters}
        for c in counters:
            item[c] = int(item[c] or 0)
        out.append(item)
    return out


# ---- metric formulas --------------------------------------------------------------------------------
@lru_cache(maxsize=None)
def _compiled(name: str) -> Callable[[dict[str, int]], float]:
    m = ORGANIC_CATALOG[name]

    def build(node: ast.AST) -> Callable[[dict[str, int]], float]:
        if isinstance(node, ast.Name):
            key = node.id
            return lambda s: s.get(key, 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            v = node.value
            return lambda s: v
        if isinstance(node, ast.BinOp):
            a, b = build(node.left), build(node.right)
            if isinstance(node.op, ast.Div):
                return lambda s: (a(s) / d) if (d := b(s)) else 0.0
            if isinstance(node.op, ast.Add):
                return lambda s: a(s) + b(s)
            if isinstance(node.op, ast.Sub):
                return lambda s: a(s) - b(s)
            if isinstance(node.op, ast.Mult):
                return lambda s: a(s) * b(s)
        raise ValueError(f"unsupported element in the formula of {name}")

    return build(ast.parse(m.formula, mode="eval").body)


def value(name: str, s: dict[str, int]) -> int | float:
    """Metric `name` over summed counters `s`: an int for counts, a float for ratios and averages."""
    m: Metric = ORGANIC_CATALOG[name]
    v = _compiled(name)(s)
    return int(v) if m.additive else float(v)


def counters_of(names: Iterable[str]) -> set[str]:
    """The counters the metrics' formulas read."""
    out: set[str] = set()
    for n in names:
        for node in ast.walk(ast.parse(ORGANIC_CATALOG[n].formula, mode="eval")):
            if isinstance(node, ast.Name):
                out.add(node.id)
    return out

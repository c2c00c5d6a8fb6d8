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
type, value) that had delivery; each targeting type is broken down on its own (rows per type, never a
cross product). Metric values come from `reporting.query.run_query` over the facts: ratios are ratios
of sums, as in every other report. A metric without a value (a ratio over zero) is written 0 (CSV
zero-fills); an attribute the sandbox does not hold (SPEND_ORDER_LINE_PAID_TYPE: no billing order
lines) is left empty. CREATIVE_TYPE is the ads' `creative_type`: one engine query per creative type
over that type's ads.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import sqlalchemy as sa

from pinsandbox.ads.ads.tables import ads
from pinsandbox.core.errors import InvalidParameter
from pinsandbox.reporting.catalog import CATALOG

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
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidParameter(f"Invalid field '{name}': {value!r} is not a date in the format YYYY-MM-DD.") from None


def parse_request(body: Any, *, today: dt.date) -> dict[str, Any]:
    """The job's params from a validated `CreateMMMReportRequest` (rules across fields checked here)."""
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
            "countries": list(dict.fromkeys(body.countries)) if body.countries else None}


def header(params: dict[str, Any]) -> list[str]:
    level = LEVELS[params["level"]]
    id_col = LEVEL_ID_COLUMN[level]
    return ["DATE", id_col, "TARGETING_TYPE", "TARGETING_VALUE"] + [c for c in params["columns"] if c != id_col]


def _creative_groups(store: Any, ad_account_id: int) -> dict[str, list[int]]:
    with store.read() as conn:
        rows = conn.execute(sa.select(ads.c.id, ads.c.data).where(ads.c.ad_account_id == ad_account_id))
        groups: dict[str, list[int]] = {}
        for r in rows:
            groups.setdefault((r.data or {}).get("creative_type") or DEFAULT_CREATIVE_TYPE, []).append(r.id)
    return dict(sorted(groups.items()))


def _format(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if value == value else ""  # NaN never leaves the engine; be safe
    return str(value)


def report_rows(store: Any, *, account: Any, params: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """The report's header and rows, from the facts (and the state database for names)."""
    from pinsandbox.ads.analytics.service import _Attributes, _catch_up, _extra_keys
    from pinsandbox.reporting.query import AnalyticsQuery, run_query

    level = LEVELS[params["level"]]
    key = LEVEL_KEY[level]
    columns: list[str] = params["columns"]
    metrics = list(dict.fromkeys(METRICS[c][0] for c in columns if c in METRICS))
    attrs = [CATALOG[c] for c in columns if c in CATALOG_ATTRIBUTES]
    segment_filters = {"COUNTRY": params["countries"]} if params.get("countries") else {}
    start, end = dt.date.fromisoformat(params["start_date"]), dt.date.fromisoformat(params["end_date"])
    now = store.clock.now()
    _catch_up(store, account.id)

    def query(**kw: Any) -> list[dict[str, Any]]:
        q = AnalyticsQuery(ad_account_id=account.id, level=level, start=start, end=end,
                           granularity=params["granularity"], metrics=metrics, now=now,
                           extra_keys=_extra_keys(level, [a.name for a in attrs]), segment_filters=segment_filters,
                           **kw)
        return run_query(store.facts, q)

    found: list[tuple[int, str, str, dict[str, Any]]] = []  # (type index, type, value, engine row)
    for i, ttype in enumerate(params["targeting_types"]):
        if ttype == "CREATIVE_TYPE":
            for creative, ad_ids in _creative_groups(store, account.id).items():
                found.extend((i, ttype, creative, r) for r in query(filters={"ad_id": ad_ids}))
        else:
            found.extend((i, ttype, str(r["dimension"]), r) for r in query(targeting_type=ttype))

    lookup = None
    if attrs and found:
        with store.read() as conn:
            lookup = _Attributes(conn, account, attrs, [r for *_, r in found])
    head = header(params)
    out: list[tuple[tuple, list[str]]] = []
    for i, ttype, value, r in found:
        date = r["time"].isoformat() if hasattr(r["time"], "isoformat") else str(r["time"])
        date = date[:10]
        cells: dict[str, Any] = {"DATE": date, LEVEL_ID_COLUMN[level]: str(r[key]), "TARGETING_TYPE": ttype,
                                 "TARGETING_VALUE": value}
        for c in columns:
            if c in cells:
                continue
            if c in METRICS:
                name, divisor = METRICS[c]
                v = r.get(name, 0)  # no value (a ratio over zero): 0, as CSV reports zero-fill
                cells[c] = v / divisor if divisor is not None else v
            elif c == "ADVERTISER_NAME":
                cells[c] = account.name
            elif c == "SPEND_ORDER_LINE_PAID_TYPE":
                cells[c] = None  # no billing order lines in the sandbox
            else:
                cells[c] = lookup.value(CATALOG[c], r) if lookup else None
        out.append(((i, date, r[key], value), [_format(cells[h]) for h in head]))
    out.sort(key=lambda item: item[0])
    return head, [row for _, row in out]


def write_csv(path: Any, head: list[str], rows: list[list[str]]) -> int:
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(head)
    writer.writerows(rows)
    data = buf.getvalue().encode("utf-8")
    with open(path, "wb") as fh:
        fh.write(data)
    return len(data)

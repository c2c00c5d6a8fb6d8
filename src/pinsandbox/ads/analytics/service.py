"""Sync ads analytics and targeting analytics: parameter rules, then the reporting engine.

Rules (docs/reporting.md has the full list and the choices made where Pinterest is silent):
- Dates are UTC `YYYY-MM-DD`; end_date >= start_date. Non-HOUR: start_date no more than 90 days
  before today (the sandbox clock's), range at most 90 days. HOUR: start_date less than 8 days
  back; at most 3 days of range (ad account analytics states no HOUR range; the sandbox applies
  the 90-day one there).
- `columns`: comma-joined, each one of the sync enum; an attribute column of an entity below the
  endpoint's level (AD_ID in campaign analytics, ...) is refused, naming it.
- Id lists: 1..100 ids of the path's ad account; an id of another account is refused, naming it.
- Rows exist for each (entity, time bucket[, targeting value]) that had delivery or conversions:
  nothing is zero-filled, and an entity with no activity has no row. The level's id column is
  always present; DATE (`YYYY-MM-DD`) only for DAY/HOUR/WEEK/MONTH, and HOUR rows add `HOUR` (the UTC
  hour, 0-23). A metric with no value (a ratio over zero) is left out of its row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from pinsandbox.ads.ad_groups.tables import ad_groups
from pinsandbox.ads.ads.tables import ads
from pinsandbox.ads.campaigns.tables import campaigns
from pinsandbox.core.errors import InvalidParameter
from pinsandbox.core.params import enum_list, id_list, split_list
from pinsandbox.reporting.catalog import CATALOG, Metric
from pinsandbox.reporting.columns import SYNC_COLUMNS, TARGETING_TYPES
from pinsandbox.reporting.dates import DateOutOfRange, iso_date
from pinsandbox.reporting.query import AnalyticsQuery, run_query

LEVEL_ID_COLUMN = {"AD_ACCOUNT": "AD_ACCOUNT_ID", "CAMPAIGN": "CAMPAIGN_ID", "AD_GROUP": "AD_GROUP_ID", "AD": "AD_ID"}
LEVEL_ENTITY = {"AD_ACCOUNT": "ad_account", "CAMPAIGN": "campaign", "AD_GROUP": "ad_group", "AD": "ad"}
# Which entities' attributes a row at a level can carry (the entity itself and those above it).
VISIBLE = {
    "AD_ACCOUNT": {"ad_account"},
    "CAMPAIGN": {"ad_account", "campaign"},
    "AD_GROUP": {"ad_account", "campaign", "ad_group"},
    "AD": {"ad_account", "campaign", "ad_group", "ad", "pin"},
}
FACT_KEY = {"ad_account": "ad_account_id", "campaign": "campaign_id", "ad_group": "ad_group_id", "ad": "ad_id",
            "pin": "pin_id"}
ID_TABLES = {"CAMPAIGN": ("campaign_ids", campaigns, "campaign"), "AD_GROUP": ("ad_group_ids", ad_groups, "ad group"),
             "AD": ("ad_ids", ads, "ad")}
WINDOWS = (0, 1, 7, 14, 30, 60)


@dataclass
class Params:
    start: dt.date
    end: dt.date
    granularity: str
    columns: list[str]
    click_window_days: int
    engagement_window_days: int
    view_window_days: int
    conversion_report_time: str
    attribution: str | None = None


def parse_date(name: str, value: str) -> dt.date:
    """A `YYYY-MM-DD` date (reporting.dates.iso_date: no other ISO 8601 form); else 400 code 1 naming `name`."""
    try:
        return iso_date(value)
    except DateOutOfRange as exc:
        raise InvalidParameter(f"Invalid parameter '{name}': {exc}.") from None
    except ValueError:
        raise InvalidParameter(f"Invalid parameter '{name}': {value!r} is not a date in the format YYYY-MM-DD.") from None


def check_dates(start: dt.date, end: dt.date, granularity: str, *, today: dt.date, hour_range_days: int | None = 3,
                back_days: int = 90, range_days: int = 90, hour_back_days: int = 7) -> None:
    """The documented date limits. HOUR: start at most `hour_back_days` back (7: "8 days back" is refused,
    as Pinterest's own tests expect), range at most `hour_range_days`; then start at most `back_days`
    back and range at most `range_days` for every granularity."""
    if end < start:
        raise InvalidParameter(f"Invalid parameters: end_date {end} is before start_date {start}.")
    if granularity == "HOUR":
        if start < today - dt.timedelta(days=hour_back_days):
            raise InvalidParameter(f"Invalid parameter 'start_date': with granularity HOUR, start_date must be "
                                   f"within the last {hour_back_days + 1} days (no earlier than "
                                   f"{today - dt.timedelta(days=hour_back_days)}); got {start}.")
        if hour_range_days is not None and (end - start).days > hour_range_days:
            raise InvalidParameter(f"Invalid parameters: with granularity HOUR, the range from start_date to end_date "
                                   f"may be at most {hour_range_days} days; got {(end - start).days}.")
    if start < today - dt.timedelta(days=back_days):
        raise InvalidParameter(f"Invalid parameter 'start_date': it can be at most {back_days} days back "
                               f"(no earlier than {today - dt.timedelta(days=back_days)}); got {start}.")
    if (end - start).days > range_days:
        raise InvalidParameter(f"Invalid parameters: the range from start_date to end_date may be at most "
                               f"{range_days} days; got {(end - start).days}.")


def parse_columns(raw: list[str] | None, level: str) -> list[str]:
    cols = split_list(raw) or []
    if not cols:
        raise InvalidParameter("Invalid parameter 'columns': give at least one column.")
    seen = []
    for c in cols:
        if c not in SYNC_COLUMNS:
            raise InvalidParameter(f"Invalid parameter 'columns': {c!r} is not a reporting column of this endpoint.")
        m = CATALOG[c]
        if m.kind == "attribute" and m.entity not in VISIBLE[level] | {"order_line"}:
            raise InvalidParameter(f"Invalid parameter 'columns': {c} is not available in "
                                   f"{LEVEL_ENTITY[level].replace('_', ' ')} analytics.")
        if c not in seen:
            seen.append(c)
    return seen


def parse_params(*, start_date: str, end_date: str, granularity: str, columns: list[str] | None, level: str,
                 click_window_days: int, engagement_window_days: int, view_window_days: int,
                 conversion_report_time: str, attribution_types: str | None, today: dt.date,
                 hour_range_days: int | None = 3) -> Params:
    for name, value in (("click_window_days", click_window_days), ("engagement_window_days", engagement_window_days),
                        ("view_window_days", view_window_days)):
        if value not in WINDOWS:
            raise InvalidParameter(f"Invalid parameter '{name}': {value} is not one of 0, 1, 7, 14, 30 or 60.")
    start, end = parse_date("start_date", start_date), parse_date("end_date", end_date)
    check_dates(start, end, granularity, today=today, hour_range_days=hour_range_days)
    cols = parse_columns(columns, level)
    return Params(start=start, end=end, granularity=granularity, columns=cols, click_window_days=click_window_days,
                  engagement_window_days=engagement_window_days, view_window_days=view_window_days,
                  conversion_report_time=conversion_report_time, attribution=attribution_types)


def check_ids(conn: sa.Connection, level: str, ids: list[int], ad_account_id: int) -> None:
    name, table, word = ID_TABLES[level]
    found = {r[0] for r in conn.execute(sa.select(table.c.id).where(table.c.ad_account_id == ad_account_id,
                                                                      table.c.id.in_(ids)))}
    for i in ids:
        if i not in found:
            raise InvalidParameter(f"Invalid parameter '{name}': {i} is not the id of a {word} of ad account "
                                   f"{ad_account_id}.")


def parse_ids(level: str, raw: list[str] | None) -> list[int]:
    name = ID_TABLES[level][0]
    ids = id_list(name, raw, min_items=1, max_items=100)
    if not ids:
        raise InvalidParameter(f"Invalid parameter '{name}': give 1 to 100 ids.")
    return list(dict.fromkeys(ids))


def parse_targeting_types(raw: list[str] | None) -> list[str]:
    types = enum_list("targeting_types", raw, TARGETING_TYPES, max_items=15) or []
    if not types:
        raise InvalidParameter("Invalid parameter 'targeting_types': give 1 to 15 targeting types.")
    return list(dict.fromkeys(types))


def _date_label(value: Any) -> dict[str, Any]:
    """The row's time keys: `DATE` (`YYYY-MM-DD`, the spec's `format: date`) and, for an HOUR bucket,
    `HOUR` (the UTC hour, 0-23; the response schemas allow additional properties)."""
    if isinstance(value, dt.datetime):
        return {"DATE": value.date().isoformat(), "HOUR": value.hour}
    return {"DATE": value.isoformat()}


class _Attributes:
    """Names, statuses and caps for attribute columns, read once per request from the state DB."""

    def __init__(self, conn: sa.Connection, account: Any, wanted: list[Metric], rows: list[dict[str, Any]] | None,
                 *, whole_account: bool = False):
        """Loads the entities `rows` name, or (`whole_account`) every entity of the account."""
        self.account = account
        self.by_entity: dict[str, dict[int, dict[str, Any]]] = {}
        entities = {m.entity for m in wanted}
        if "order_line" in entities:  # the order line is read from the campaign
            entities.add("campaign")
        for entity, table in (("campaign", campaigns), ("ad_group", ad_groups), ("ad", ads)):
            if entity not in entities:
                continue
            if whole_account:
                where = table.c.ad_account_id == account.id
            else:
                ids = {r.get(FACT_KEY[entity]) for r in rows or ()} - {None}  # an account row has no campaign
                if not ids:
                    continue
                where = table.c.id.in_(ids)
            got = {}
            for row in conn.execute(sa.select(table).where(where)):
                fields = dict(row.data or {})
                fields.update(id=str(row.id), status=row.status)
                if entity == "ad":
                    fields["pin_id"] = str(row.pin_id) if row.pin_id is not None else None
                got[row.id] = fields
            self.by_entity[entity] = got

    def value(self, m: Metric, row: dict[str, Any]) -> Any:
        if m.entity == "ad_account":
            return str(self.account.id)
        if m.entity == "order_line":
            camp = self.by_entity.get("campaign", {}).get(row.get("campaign_id"), {})
            return camp.get("order_line_id") if m.state_field == "id" else None
        if m.entity in ("pin", "product_group", "product_item"):
            return None  # video length: no video Pins yet; product groups/items: no catalogs yet
        fields = self.by_entity.get(m.entity, {}).get(row.get(FACT_KEY[m.entity]))
        if fields is None:
            return None
        v = fields.get(m.state_field)
        if m.state_field == "is_automated_campaign":
            return "AUTOMATED" if v else "MANUAL"
        return v


def _extra_keys(level: str, columns: list[str]) -> list[str]:
    keys = []
    for c in columns:
        m = CATALOG[c]
        if m.kind == "attribute" and m.entity in FACT_KEY and m.entity != "ad_account":
            keys.append(FACT_KEY[m.entity])
        if m.kind == "attribute" and m.entity == "order_line" and level != "AD_ACCOUNT":
            # an account's campaigns have several order lines: grouping by campaign would split its row
            keys.append("campaign_id")
    return list(dict.fromkeys(keys))


def analytics(store: Any, conn: sa.Connection, *, account: Any, level: str, ids: list[int] | None, p: Params,
              targeting_type: str | None = None) -> list[dict[str, Any]]:
    """Rows of sync analytics at `level` (the row dicts Pinterest returns), or targeting metrics dicts."""
    _catch_up(store, account.id)
    metrics = [c for c in p.columns if CATALOG[c].kind == "metric"]
    attrs = [CATALOG[c] for c in p.columns if CATALOG[c].kind == "attribute"]
    q = AnalyticsQuery(ad_account_id=account.id, level=level, start=p.start, end=p.end, granularity=p.granularity,
                       metrics=metrics, now=store.clock.now(), ids=ids, click_window_days=p.click_window_days,
                       engagement_window_days=p.engagement_window_days, view_window_days=p.view_window_days,
                       conversion_report_time=p.conversion_report_time, attribution=p.attribution,
                       targeting_type=targeting_type, extra_keys=_extra_keys(level, p.columns))
    rows = run_query(store.facts, q)
    lookup = _Attributes(conn, account, attrs, rows) if attrs else None
    id_col, key = LEVEL_ID_COLUMN[level], FACT_KEY[LEVEL_ENTITY[level]]
    out = []
    for r in rows:
        item: dict[str, Any] = {id_col: str(r[key])}
        if "time" in r:
            item.update(_date_label(r["time"]))
        for m in attrs:
            v = lookup.value(m, r) if lookup else None
            if v is not None:
                item[m.name] = v
        for name in metrics:
            if name in r:
                item[name] = r[name]
        if targeting_type:
            out.append({"targeting_type": targeting_type, "targeting_value": r["dimension"], "metrics": item})
        else:
            out.append(item)
    return out


def _catch_up(store: Any, ad_account_id: int | None = None) -> None:
    """Before answering: deliver the hours the sandbox clock has moved past (when simulating), and
    attribute Conversions API events received since the last query."""
    from pinsandbox.reporting.attribution import attribute_pending
    from pinsandbox.reporting.simulator import catch_up

    catch_up(store)
    attribute_pending(store, ad_account_id)

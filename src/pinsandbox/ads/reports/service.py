"""Async reports (`POST/GET /ad_accounts/{id}/reports`) and report templates: the rules.

Creating a report
* The body is checked (schemas, then here) and becomes the parameters of a job of kind "report"
  (`pinsandbox.jobs`); the job's id is the report's `token`, and the answer says IN_PROGRESS.
* `level` and `targeting_types`: a `*_TARGETING` level needs 1..5 targeting types, and only those levels
  take them. KEYWORD rows are ad group delivery broken down by the ad group's keywords, keyed by keyword id.
  PRODUCT_GROUP(_TARGETING) and PRODUCT_ITEM are accepted and give an empty report: the sandbox has no
  catalogs yet, so no facts carry product groups or items.
* `columns`: 1 or more of the async column enum. Attribute columns of an entity below the level are
  refused (as in sync analytics); at PRODUCT_ITEM level, ad and Pin promotion columns are refused, and so
  are `ad_ids` and `ad_statuses` (the spec).
* Dates (UTC, the sandbox clock's today): end not before start. Not HOUR: start at most 914 days back,
  range at most 186 days. HOUR: start at most 7 days back ("8 days back" is refused, as for sync
  analytics), range at most 3 days. PRODUCT_ITEM: start at most 92 days back, range at most 31 days.
* `campaign_ids`, `ad_group_ids`, `ad_ids` must belong to the ad account (400 naming the id).
  Product group / item ids cannot be checked (no catalogs) and match no facts.
* Filters combine with AND: ids, summary statuses (as the entity shows when the report is requested,
  by the sandbox clock) and objective types restrict which entities' facts count, whatever the level.
  `metrics_filters` keep the rows whose metric is less / greater than every value given.
* `attribution_types`: only INDIVIDUAL counts individual matches; with HOUSEHOLD (or none) individual and
  household matches count, as in sync analytics.

Polling (`GET ?token=`): IN_PROGRESS while queued or running; FINISHED with a signed download `url` (valid
5 minutes; a new one per poll) and the file's `size` in bytes; FAILED, CANCELLED; EXPIRED an hour after it
finished (the report's life). A token that is well formed but unknown, of another kind of job, or of
another ad account: DOES_NOT_EXIST. A token that cannot be one (empty, too long, other characters): 400.

Templates: see `create_template` and docs/reporting.md.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
from typing import Any

import sqlalchemy as sa

from pinsandbox.ads.ad_groups.tables import ad_groups
from pinsandbox.ads.ads.tables import ads
from pinsandbox.ads.analytics.service import _Attributes, check_dates, parse_date
from pinsandbox.ads.campaigns.tables import campaigns
from pinsandbox.ads.keywords.tables import keywords
from pinsandbox.ads.reports.schemas import ReportCreate, TemplateCreate
from pinsandbox.ads.reports.tables import report_template_accounts, report_templates
from pinsandbox.core.errors import InvalidParameter, NotFound
from pinsandbox.core.ids import new_id, parse_id
from pinsandbox.core.pagination import PageParams, fingerprint, paginate
from pinsandbox.core.tables import ad_accounts, users
from pinsandbox.reporting import export
from pinsandbox.reporting.catalog import CATALOG
from pinsandbox.reporting.columns import ASYNC_COLUMNS

JOB_KIND = "report"
DOWNLOAD_TTL_SECONDS = 300  # "The link is valid for five minutes"
REPORT_TTL_SECONDS = 3600  # "... and the report is valid for one hour"

_ASYNC = frozenset(ASYNC_COLUMNS)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_\-=.~]{1,1024}$")

# (days back, range days) by granularity / level; template reports: "2.5 years" back and range.
LIMITS = {"DEFAULT": (914, 186), "PRODUCT_ITEM": (92, 31), "TEMPLATE": (914, 914)}
HOUR_LIMITS = (7, 3)
_AD_ENTITIES = ("ad", "pin")


# -- validation ----------------------------------------------------------------------------------------------
def check_columns(columns: list[str], level: str, *, name: str = "columns") -> list[str]:
    if not columns:
        raise InvalidParameter(f"Invalid field '{name}': give at least one column.")
    lv = export.LEVELS[level]
    out = []
    for c in columns:
        if c not in _ASYNC:
            raise InvalidParameter(f"Invalid field '{name}': {c!r} is not a reporting column of async reports "
                                   "(ReportingColumnAsync).")
        m = CATALOG[c]
        if level == "PRODUCT_ITEM" and m.kind == "attribute" and m.entity in _AD_ENTITIES:
            raise InvalidParameter(f"Invalid field '{name}': {c} is a Pin promotion / ad column; columns related "
                                   "to pin promotion and ad are not allowed when level is PRODUCT_ITEM.")
        if m.kind == "attribute" and m.entity not in lv.visible:
            raise InvalidParameter(f"Invalid field '{name}': {c} is not available in {level} level reports "
                                   f"(it belongs to an entity below that level).")
        if c not in out:
            out.append(c)
    return out


def check_report_dates(start: dt.date, end: dt.date, granularity: str, level: str, *, today: dt.date,
                       limits: str = "DEFAULT") -> None:
    back, span = LIMITS["PRODUCT_ITEM" if level == "PRODUCT_ITEM" else limits]
    for name, value in (("start_date", start), ("end_date", end)):
        if value >= dt.date(9999, 12, 31):
            raise InvalidParameter(f"Invalid field '{name}': {value} is out of range.")
    check_dates(start, end, granularity, today=today, back_days=back, range_days=span,
                hour_back_days=HOUR_LIMITS[0], hour_range_days=HOUR_LIMITS[1])


def _check_ids(conn: sa.Connection, name: str, table: sa.Table, word: str, ids: list[str] | None,
               ad_account_id: int) -> None:
    if not ids:
        return
    wanted = [int(i) for i in ids]
    found = {r[0] for r in conn.execute(sa.select(table.c.id).where(table.c.ad_account_id == ad_account_id,
                                                                      table.c.id.in_(wanted)))}
    for i in wanted:
        if i not in found:
            raise InvalidParameter(f"Invalid field '{name}': {i} is not the id of a {word} of ad account "
                                   f"{ad_account_id}.")


def parse_create(body: ReportCreate, *, conn: sa.Connection, account: Any, today: dt.date,
                 now: dt.datetime) -> dict[str, Any]:
    """The job parameters of a valid report request (400 code 1 naming the field otherwise)."""
    level = body.level
    lv = export.LEVELS[level]
    if lv.targeting and not body.targeting_types:
        raise InvalidParameter(f"Invalid field 'targeting_types': level {level} needs 1 to 5 targeting types.")
    if body.targeting_types and not lv.targeting:
        raise InvalidParameter(f"Invalid field 'targeting_types': it requires `level` to be a value ending in "
                               f"_TARGETING; got {level}.")
    if level == "PRODUCT_ITEM":
        for name in ("ad_ids", "ad_statuses"):
            if getattr(body, name) is not None:
                raise InvalidParameter(f"Invalid field '{name}': it is not allowed when level is PRODUCT_ITEM.")
    columns = check_columns(body.columns, level)
    start, end = parse_date("start_date", body.start_date), parse_date("end_date", body.end_date)
    check_report_dates(start, end, body.granularity, level, today=today)
    _check_ids(conn, "campaign_ids", campaigns, "campaign", body.campaign_ids, account.id)
    _check_ids(conn, "ad_group_ids", ad_groups, "ad group", body.ad_group_ids, account.id)
    _check_ids(conn, "ad_ids", ads, "ad", body.ad_ids, account.id)
    params = body.model_dump(exclude_none=True)
    params.update(columns=columns, start_date=start.isoformat(), end_date=end.isoformat(), as_of=now.isoformat())
    if body.targeting_types:
        params["targeting_types"] = list(dict.fromkeys(body.targeting_types))
    return params


# -- the job: parameters -> report spec and lookups ------------------------------------------------------------
def _attribution(types: list[str] | None) -> str | None:
    if not types:
        return None
    return "INDIVIDUAL" if set(types) == {"INDIVIDUAL"} else "HOUSEHOLD"


def _intersect(current: set[int] | None, ids: set[int]) -> set[int]:
    return ids if current is None else current & ids


def resolve_filters(conn: sa.Connection, account_id: int, p: dict[str, Any], now: dt.datetime) -> dict[str, list[int]]:
    """Entity filters -> allowed ids per fact column (statuses as the entities show at `now`)."""
    from pinsandbox.ads.ad_groups.service import group_summary_status
    from pinsandbox.ads.ads.service import summary_status as ad_summary_status
    from pinsandbox.ads.campaigns.service import summary_status

    epoch = int(now.timestamp())
    out: dict[str, list[int]] = {}
    camp: set[int] | None = {int(i) for i in p["campaign_ids"]} if p.get("campaign_ids") else None
    statuses, objectives = p.get("campaign_statuses"), p.get("campaign_objective_types")
    rows_by_id: dict[int, sa.Row] = {}
    if statuses or objectives or p.get("ad_group_statuses"):
        rows_by_id = {r.id: r for r in conn.execute(sa.select(campaigns).where(campaigns.c.ad_account_id == account_id))}
    if statuses:
        camp = _intersect(camp, {i for i, r in rows_by_id.items() if summary_status(
            r.status, (r.data or {}).get("start_time"), (r.data or {}).get("end_time"), epoch) in statuses})
    if objectives:
        camp = _intersect(camp, {i for i, r in rows_by_id.items() if (r.data or {}).get("objective_type") in objectives})
    if camp is not None:
        out["campaign_id"] = sorted(camp)

    group: set[int] | None = {int(i) for i in p["ad_group_ids"]} if p.get("ad_group_ids") else None
    if p.get("ad_group_statuses"):
        wanted = set(p["ad_group_statuses"])
        rows = conn.execute(sa.select(ad_groups).where(ad_groups.c.ad_account_id == account_id))
        group = _intersect(group, {r.id for r in rows if r.campaign_id in rows_by_id and group_summary_status(
            r.status, r.data or {}, rows_by_id[r.campaign_id], epoch) in wanted})
    if group is not None:
        out["ad_group_id"] = sorted(group)

    ad: set[int] | None = {int(i) for i in p["ad_ids"]} if p.get("ad_ids") else None
    if p.get("ad_statuses"):
        wanted = set(p["ad_statuses"])
        rows = conn.execute(sa.select(ads.c.id, ads.c.status, ads.c.data).where(ads.c.ad_account_id == account_id))
        ad = _intersect(ad, {r.id for r in rows if ad_summary_status(
            r.status, (r.data or {}).get("review_status", "APPROVED")) in wanted})
    if ad is not None:
        out["ad_id"] = sorted(ad)

    # No catalogs yet: no product group or item exists, so these filters match nothing.
    if p.get("product_group_ids") or p.get("product_group_statuses"):
        out["product_group_id"] = [int(i) for i in p.get("product_group_ids") or []]
    if p.get("product_item_ids"):
        out["product_item_id"] = [int(i) for i in p["product_item_ids"]]
    return out


def spec_of(conn: sa.Connection, account: Any, p: dict[str, Any]) -> export.ReportSpec:
    now = dt.datetime.fromisoformat(p["as_of"])
    metric_filters = [(f["field"], f["operator"], float(v)) for f in p.get("metrics_filters") or []
                      for v in f["values"]]
    row_filters = [export.RowFilter(f["field"], f["operator"], f["value"]) for f in p.get("row_filters") or []]
    return export.ReportSpec(
        ad_account_id=account.id, level=p["level"], start=dt.date.fromisoformat(p["start_date"]),
        end=dt.date.fromisoformat(p["end_date"]), granularity=p["granularity"], columns=list(p["columns"]), now=now,
        report_format=p.get("report_format", "JSON"), click_window_days=p.get("click_window_days", 30),
        engagement_window_days=p.get("engagement_window_days", 30), view_window_days=p.get("view_window_days", 1),
        conversion_report_time=p.get("conversion_report_time", "TIME_OF_AD_ACTION"),
        attribution=_attribution(p.get("attribution_types")), targeting_types=list(p.get("targeting_types") or []),
        filters=resolve_filters(conn, account.id, p, now), metric_filters=metric_filters, row_filters=row_filters)


def lookups_of(conn: sa.Connection, account: Any, spec: export.ReportSpec) -> export.Lookups:
    """Attribute tables (one row per entity of the account) and the KEYWORD level's keyword ids."""
    import pyarrow as pa

    names = list(dict.fromkeys(spec.columns + [f.field for f in spec.row_filters]))
    wanted = [CATALOG[c] for c in names if CATALOG[c].kind == "attribute"]
    out = export.Lookups()
    if wanted:
        attrs = _Attributes(conn, account, wanted, None, whole_account=True)
        by_key: dict[str, list] = {}
        for m in wanted:
            key = export.attribute_key(m)
            if key is None:
                out.constants[m.name] = attrs.value(m, {})
            else:
                by_key.setdefault(key, []).append(m)
        entity_of = {"campaign_id": "campaign", "ad_group_id": "ad_group", "ad_id": "ad"}
        for key, metrics in by_key.items():
            ids = sorted(attrs.by_entity.get(entity_of[key], {}))
            cols = {"id": pa.array(ids, pa.int64())}
            for m in metrics:
                values = [attrs.value(m, {key: i}) for i in ids]
                if m.unit == "micro_currency":
                    cols[m.name] = pa.array([int(v) if v is not None else None for v in values], pa.int64())
                else:
                    cols[m.name] = pa.array([str(v) if v is not None else None for v in values], pa.string())
            out.attributes[key] = pa.table(cols)
    if export.LEVELS[spec.level].keyword:
        from pinsandbox.ads.keywords.schemas import NEGATIVE_MATCH_TYPES

        first: dict[tuple[int, str], int] = {}
        rows = conn.execute(sa.select(keywords.c.id, keywords.c.parent_id, keywords.c.data).where(
            keywords.c.ad_account_id == account.id, keywords.c.parent_type == "ad_group",
            keywords.c.match_type.not_in(sorted(NEGATIVE_MATCH_TYPES))).order_by(keywords.c.id))
        for r in rows:
            first.setdefault((r.parent_id, (r.data or {}).get("value")), r.id)
        items = [(g, v, i) for (g, v), i in first.items() if v is not None]
        out.keywords = pa.table({"ad_group_id": pa.array([g for g, _, _ in items], pa.int64()),
                                 "value": pa.array([v for _, v, _ in items], pa.string()),
                                 "keyword_id": pa.array([i for _, _, i in items], pa.int64())})
    return out


# -- submit and poll -------------------------------------------------------------------------------------------
def submit(conn: sa.Connection, *, account: Any, params: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    from pinsandbox.jobs.service import submit as submit_job

    job = submit_job(conn, kind=JOB_KIND, ad_account_id=account.id, params=params, now=now)
    return {"report_status": job.report_status, "token": job.id, "message": ""}


def check_token(token: str) -> str:
    if not TOKEN_RE.match(token or ""):
        raise InvalidParameter("Invalid parameter 'token': it is not a report token (give the token that creating "
                               "the report returned).")
    return token


def poll(conn: sa.Connection, store: Any, *, account_id: int, token: str, now: dt.datetime,
         base_url: str) -> dict[str, Any]:
    from pinsandbox.jobs.service import download_url, get

    job = get(conn, check_token(token), now=now)
    if job is None or job.kind != JOB_KIND or job.ad_account_id != account_id:
        return {"report_status": "DOES_NOT_EXIST", "url": None, "size": None}
    status = job.report_status  # QUEUED and RUNNING are IN_PROGRESS
    if status != "FINISHED":
        return {"report_status": status, "url": None, "size": None}
    return {"report_status": "FINISHED",
            "url": download_url(store, job, base_url=base_url, ttl_seconds=DOWNLOAD_TTL_SECONDS),
            "size": job.result_size}


# -- templates ---------------------------------------------------------------------------------------------------
def _parse_filters_json(text: str | None, level: str) -> list[dict[str, Any]]:
    if text is None:
        return []
    try:
        items = json.loads(text)
    except ValueError:
        raise InvalidParameter("Invalid field 'filters_json': it is not valid JSON.") from None
    if not isinstance(items, list):
        raise InvalidParameter("Invalid field 'filters_json': give a JSON array of filter objects.")
    out = []
    for n, f in enumerate(items):
        where = f"Invalid field 'filters_json' (filter {n + 1})"
        if not isinstance(f, dict) or set(f) != {"field", "operator", "value"}:
            raise InvalidParameter(f"{where}: each filter is an object with exactly 'field', 'operator' and 'value'.")
        field, op, value = f["field"], f["operator"], f["value"]
        if not isinstance(field, str):
            raise InvalidParameter(f"{where}: 'field' must be a column name.")
        check_columns([field], level, name="filters_json")
        if op not in export.ROW_FILTER_OPERATORS:
            raise InvalidParameter(f"{where}: 'operator' {op!r} is not one of "
                                   f"{', '.join(export.ROW_FILTER_OPERATORS)}.")
        m = CATALOG[field]
        numeric = m.kind == "metric" or m.unit == "micro_currency"
        values = value if isinstance(value, list) else [value]
        if op in ("in", "not_in"):
            if not isinstance(value, list) or not value:
                raise InvalidParameter(f"{where}: operator {op} needs a non-empty list of values.")
        elif isinstance(value, list):
            raise InvalidParameter(f"{where}: operator {op} needs a single value.")
        for v in values:
            if isinstance(v, bool) or not isinstance(v, (int, float, str)):
                raise InvalidParameter(f"{where}: {v!r} is not a number or a string.")
        if op in ("~", "contains_substring"):
            if not isinstance(value, str):
                raise InvalidParameter(f"{where}: operator {op} needs a string.")
            if op == "~":  # the engine's regular expressions (RE2) decide, not Python's
                import duckdb

                con = duckdb.connect(":memory:")
                try:
                    con.execute("SELECT regexp_matches('', ?)", [value]).fetchall()
                except duckdb.Error as exc:
                    raise InvalidParameter(f"{where}: {value!r} is not a regular expression "
                                           f"({str(exc).splitlines()[0]}).") from None
                finally:
                    con.close()
        elif numeric:
            for v in values:
                if isinstance(v, str):
                    try:
                        float(v)
                    except ValueError:
                        raise InvalidParameter(f"{where}: {field} is a number; {v!r} is not.") from None
        elif op in (">", "<"):
            raise InvalidParameter(f"{where}: {field} is text; operator {op} compares numbers.")
        out.append({"field": field, "operator": op, "value": value})
    return out


def create_template(conn: sa.Connection, *, account: Any, body: TemplateCreate, now: int) -> sa.Row:
    """A template as Ads Manager saves it. Rules: `columns` as for reports at `report_level`; exactly one
    date range (or both `report_*_relative_days_in_past`), start not after end; `filters_json` a JSON
    array of {field, operator, value} (field: a column of that level; value types fit the operator);
    `ad_account_ids` (shared with) and `user_id` (creator, default the account owner) must exist. The
    sandbox has no custom columns and no conversion ingestion methods in its facts, so
    `custom_column_ids` and `ingestion_sources` must be empty."""
    columns = check_columns(body.columns, body.report_level)
    date_range = _template_range(body)
    filters = _parse_filters_json(body.filters_json, body.report_level)
    if body.custom_column_ids:
        raise InvalidParameter(f"Invalid field 'custom_column_ids': custom column {body.custom_column_ids[0]} does "
                               "not exist (the sandbox has no custom columns).")
    if body.ingestion_sources:
        raise InvalidParameter("Invalid field 'ingestion_sources': the sandbox's conversion facts do not record the "
                               "ingestion method, so reports cannot filter by it; leave it out or null.")
    user_id = int(body.user_id) if body.user_id is not None else account.owner_user_id
    if conn.execute(sa.select(users.c.id).where(users.c.id == user_id)).first() is None:
        raise InvalidParameter(f"Invalid field 'user_id': user {user_id} does not exist.")
    shared = [account.id] + [int(i) for i in body.ad_account_ids or [] if int(i) != account.id]
    shared = list(dict.fromkeys(shared))
    found = {r[0] for r in conn.execute(sa.select(ad_accounts.c.id).where(ad_accounts.c.id.in_(shared)))}
    for i in shared:
        if i not in found:
            raise InvalidParameter(f"Invalid field 'ad_account_ids': ad account {i} does not exist.")
    data = {
        "name": body.name, "report_level": body.report_level, "columns": columns, "granularity": body.granularity,
        "date_range": date_range, "report_format": body.report_format, "view_window_days": body.view_window_days,
        "click_window_days": body.click_window_days, "engagement_window_days": body.engagement_window_days,
        "conversion_report_time_type": body.conversion_report_time_type, "filters_json": body.filters_json,
        "filters": filters, "is_scheduled": body.is_scheduled, "creation_source": body.creation_source,
        "type": body.type, "custom_column_ids": body.custom_column_ids, "ingestion_sources": body.ingestion_sources,
    }
    tid = new_id()
    conn.execute(sa.insert(report_templates).values(id=tid, data=data, created_time=now, updated_time=now,
                                                    ad_account_id=account.id, user_id=user_id))
    conn.execute(sa.insert(report_template_accounts), [{"template_id": tid, "ad_account_id": i} for i in shared])
    return conn.execute(sa.select(report_templates).where(report_templates.c.id == tid)).one()


def _template_range(body: TemplateCreate) -> dict[str, Any]:
    given = {k: v for k, v in (body.date_range.model_dump() if body.date_range else {}).items() if v is not None}
    rel_fields = (body.report_start_relative_days_in_past, body.report_end_relative_days_in_past)
    if len(given) > 1:
        raise InvalidParameter("Invalid field 'date_range': give exactly one of dynamic_date_range, "
                               "relative_date_range and absolute_date_range.")
    if not given:
        if None in rel_fields:
            raise InvalidParameter("Invalid field 'date_range': give a date range (or both "
                                   "report_start_relative_days_in_past and report_end_relative_days_in_past).")
        given = {"relative_date_range": {"type": "relative", "start_days_in_past": rel_fields[0],
                                         "end_days_in_past": rel_fields[1]}}
    kind, value = next(iter(given.items()))
    if kind == "relative_date_range":
        if value["start_days_in_past"] < value["end_days_in_past"]:
            raise InvalidParameter("Invalid field 'date_range.relative_date_range': start_days_in_past must not be "
                                   "less than end_days_in_past (the start lies further back).")
        if None not in rel_fields and rel_fields != (value["start_days_in_past"], value["end_days_in_past"]):
            raise InvalidParameter("Invalid field 'report_start_relative_days_in_past': it disagrees with "
                                   "date_range.relative_date_range.")
    elif None not in rel_fields:
        raise InvalidParameter("Invalid field 'report_start_relative_days_in_past': it is derived from the "
                               f"template's {kind}; leave it out.")
    if kind == "absolute_date_range":
        if value["start_date"] > value["end_date"]:
            raise InvalidParameter("Invalid field 'date_range.absolute_date_range': start_date is after end_date.")
        for name in ("start_date", "end_date"):
            try:
                dt.datetime.fromtimestamp(value[name], tz=dt.timezone.utc)
            except (OverflowError, OSError, ValueError):
                raise InvalidParameter(f"Invalid field 'date_range.absolute_date_range.{name}': {value[name]} is not "
                                       "a time (Unix epoch seconds).") from None
    return {kind: value}


def template_dates(data: dict[str, Any], today: dt.date) -> tuple[dt.date, dt.date]:
    """The template's date range as of `today` (UTC)."""
    (kind, value), = data["date_range"].items()
    if kind == "relative_date_range":
        return (today - dt.timedelta(days=int(value["start_days_in_past"])),
                today - dt.timedelta(days=int(value["end_days_in_past"])))
    if kind == "absolute_date_range":
        return tuple(dt.datetime.fromtimestamp(value[k], tz=dt.timezone.utc).date()  # type: ignore[return-value]
                     for k in ("start_date", "end_date"))
    rng = value["range"]
    if rng == "YEAR_TO_DATE":
        return dt.date(today.year, 1, 1), today
    if rng == "QUARTER_TO_DATE":
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if rng == "MONTH_TO_DATE":
        return today.replace(day=1), today
    last = today.replace(day=1) - dt.timedelta(days=1)  # LAST_MONTH
    return last.replace(day=1), last.replace(day=calendar.monthrange(last.year, last.month)[1])


def get_template(conn: sa.Connection, *, ad_account_id: int, template_id: str | int) -> sa.Row:
    t, ta = report_templates, report_template_accounts
    row = conn.execute(sa.select(t).join(ta, ta.c.template_id == t.c.id).where(
        t.c.id == parse_id(template_id), ta.c.ad_account_id == ad_account_id)).first()
    if row is None:
        raise NotFound(f"Template {template_id} not found in ad account {ad_account_id}.")
    return row


def template_report_params(row: sa.Row, *, start_date: str | None, end_date: str | None, granularity: str | None,
                           today: dt.date, now: dt.datetime) -> dict[str, Any]:
    """A template's report parameters; start/end date and granularity may be overridden (not saved)."""
    d = row.data
    start, end = template_dates(d, today)
    if start_date is not None:
        start = parse_date("start_date", start_date)
    if end_date is not None:
        end = parse_date("end_date", end_date)
    gran = granularity or d["granularity"]
    check_report_dates(start, end, gran, d["report_level"], today=today, limits="TEMPLATE")
    return {"level": d["report_level"], "columns": d["columns"], "granularity": gran,
            "start_date": start.isoformat(), "end_date": end.isoformat(),
            "click_window_days": d["click_window_days"], "engagement_window_days": d["engagement_window_days"],
            "view_window_days": d["view_window_days"], "conversion_report_time": d["conversion_report_time_type"],
            "report_format": d["report_format"], "row_filters": d.get("filters") or [], "template_id": str(row.id),
            "as_of": now.isoformat()}


def list_templates(conn: sa.Connection, *, ad_account_id: int, order: str | None, page: PageParams, secret: bytes
                   ) -> tuple[list[sa.Row], str | None]:
    t, ta = report_templates, report_template_accounts
    stmt = sa.select(t).join(ta, ta.c.template_id == t.c.id).where(ta.c.ad_account_id == ad_account_id)
    fp = fingerprint("templates/list", account=ad_account_id, order=order)
    return paginate(conn, stmt, key=t.c.id, page=page, secret=secret, fp=fp, descending=order == "DESCENDING")


def render_templates(conn: sa.Connection, rows: list[sa.Row], *, user_id: int, today: dt.date) -> list[dict[str, Any]]:
    ta = report_template_accounts
    shared: dict[int, list[str]] = {}
    if rows:
        for r in conn.execute(sa.select(ta).where(ta.c.template_id.in_([r.id for r in rows]))
                              .order_by(ta.c.template_id, ta.c.ad_account_id)):
            shared.setdefault(r.template_id, []).append(str(r.ad_account_id))
    out = []
    for row in rows:
        d = row.data
        start, end = template_dates(d, today)
        accounts = shared.get(row.id, [])
        owner = str(row.ad_account_id)
        out.append({
            "id": str(row.id), "ad_account_id": owner,
            "ad_account_ids": [owner] + [a for a in accounts if a != owner], "user_id": str(row.user_id),
            "name": d["name"], "report_start_relative_days_in_past": (today - start).days,
            "report_end_relative_days_in_past": (today - end).days,
            "date_range": {k: d["date_range"].get(k) for k in ("dynamic_date_range", "relative_date_range",
                                                               "absolute_date_range")},
            "report_level": d["report_level"], "report_format": d["report_format"], "columns": d["columns"],
            "granularity": d["granularity"], "view_window_days": d["view_window_days"],
            "click_window_days": d["click_window_days"], "engagement_window_days": d["engagement_window_days"],
            "conversion_report_time_type": d["conversion_report_time_type"], "filters_json": d["filters_json"],
            "is_owned_by_user": row.user_id == user_id, "is_scheduled": d["is_scheduled"],
            "creation_source": d["creation_source"], "is_deleted": False, "updated_time": row.updated_time,
            "custom_column_ids": d["custom_column_ids"], "type": d["type"], "ingestion_sources": d["ingestion_sources"],
        })
    return out

"""Bulk download, bulk upsert, bulk request status, and deleting an ad account's sandbox data.

Both bulk operations are jobs of the job runner (`pinsandbox.jobs`): the POST validates the request,
stores it as a job (kind `bulk_download` / `bulk_upsert`) and answers its id; the handlers in
`bulk/jobs.py` do the work; `GET .../bulk/{bulk_request_id}` reports the job. Choices where the spec
is silent are in docs/bulk.md.

Download (`collect`): reads the state database at the time the job runs, one read transaction (a
consistent snapshot), and renders every entity with the render function of its own GET endpoint, so a
downloaded campaign is byte for byte what `GET /campaigns/{id}` answers. Selection:

* `entity_types` (default: all five) says which kinds of entities the file lists.
* `entity_ids` (campaigns, ad groups, ads or keywords of the account; the ad account's own id means
  the whole account) selects those entities and their children and grandchildren: a campaign brings
  its ad groups, their ads and the keywords of the campaign and of its ad groups; an ad group its ads
  and keywords. Parents of a listed id are not added. An id that is none of these is a 400.
* `campaign_filter` selects campaigns (all its conditions must hold) and everything under them:
  `name` is a case-insensitive substring; `campaign_status` matches the campaign's `summary_status`
  (derived at the job's time, as GET shows it); `objective_type` matches; `start_time`/`end_time`
  keep the campaigns whose run [start_time or created_time, end_time or open) overlaps the window.
  Keywords of the ad account itself belong to no campaign and drop out.
* `updated_since` keeps each entity whose `updated_time` is at or after it.
* Status: ACTIVE, PAUSED, ARCHIVED and DRAFT entities are listed (archived keywords too, with
  `archived: true`); DELETED_DRAFT ones are not, unless `campaign_filter.campaign_status` names
  DELETED_DRAFT (for campaigns).
* PRODUCT_GROUP: the sandbox has no product group promotions (their endpoints answer 501), so the
  list is always empty.

Upsert (`upsert`): each row goes through the same service function as the single endpoint — campaigns
and ad groups `create_one` / `update_one`, ads `create_one` / `update_one`, keywords `create` (one row
is a KeywordsRequest: a parent and its keywords) / `update_one` — inside its own savepoint, via the
same `run_batch` the batch endpoints use: a bad row becomes `{"data": {}, "exceptions": [{code,
message}]}` and the others land. Order: creates before updates; within each, campaigns, ad groups,
ads, product groups, keywords. The whole job is one write transaction: if it dies, nothing lands.

Delete (`delete_account`): every row that belongs to the account, in every table with an `ad_account_id`
column or a foreign key to ad_accounts (campaigns, ad groups, ads, keywords, conversion tags and
events, members, jobs, conversion tokens, ...), children first, then the ad account itself;
`delete_account_facts` removes the account's rows from the fact store.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel

from pinsandbox.ads.ad_groups import service as ad_groups_service
from pinsandbox.ads.ad_groups.schemas import AdGroupResponse
from pinsandbox.ads.ad_groups.tables import ad_groups
from pinsandbox.ads.ads import service as ads_service
from pinsandbox.ads.ads.schemas import AdResponse
from pinsandbox.ads.ads.tables import ads
from pinsandbox.ads.bulk.schemas import (ENTITY_TYPES, MAX_UPSERT_ROWS, BulkDownloadRequest, BulkUpsertRequest,
                                         BulkUpsertRows)
from pinsandbox.ads.campaigns import service as campaigns_service
from pinsandbox.ads.campaigns.schemas import Campaign
from pinsandbox.ads.campaigns.tables import campaigns
from pinsandbox.ads.keywords import service as keywords_service
from pinsandbox.ads.keywords.schemas import Keyword, KeywordsRequest, KeywordUpdate
from pinsandbox.ads.keywords.tables import keywords
from pinsandbox.core import db
from pinsandbox.core.errors import ApiError, InvalidParameter, NotFound
from pinsandbox.core.tables import ad_accounts, tokens

DOWNLOAD, UPSERT = "bulk_download", "bulk_upsert"
KINDS = (DOWNLOAD, UPSERT)

# Entity type -> key of the JSON file (the same keys as the upsert's lists, so a download can be edited
# and sent back), and the response model whose fields are the CSV columns.
FILE_KEYS = {"CAMPAIGN": "campaigns", "AD_GROUP": "ad_groups", "PRODUCT_GROUP": "product_groups", "AD": "ads",
             "KEYWORD": "keywords"}
MODELS: dict[str, type[BaseModel] | None] = {"CAMPAIGN": Campaign, "AD_GROUP": AdGroupResponse,
                                             "PRODUCT_GROUP": None, "AD": AdResponse, "KEYWORD": Keyword}
CSV_LEADING = ("id", "ad_account_id", "campaign_id", "ad_group_id", "parent_id", "parent_type", "name", "status")
UPSERT_ORDER = ("campaigns", "ad_groups", "ads", "product_groups", "keywords")
HIDDEN_STATUS = "DELETED_DRAFT"

UNAVAILABLE = 501  # a row of a kind the sandbox does not serve (product group promotions)


# -- download: request -------------------------------------------------------------------------------
def download_params(conn: sa.Connection, *, account: sa.Row, request: BulkDownloadRequest) -> dict[str, Any]:
    """The job's parameters: the request normalized, with `entity_ids` checked against the account."""
    types = [t.value for t in request.entity_types] if request.entity_types else list(ENTITY_TYPES)
    ids = sorted({int(i) for i in request.entity_ids}) if request.entity_ids else None  # []: no filter
    if ids:
        resolve_ids(conn, ad_account_id=account.id, ids=ids)  # a 400 now rather than a FAILED job later
    cf = request.campaign_filter
    campaign_filter = None
    if cf is not None:
        start = int(cf.start_time) if cf.start_time is not None else None
        end = int(cf.end_time) if cf.end_time is not None else None
        if start is not None and end is not None and start > end:
            raise InvalidParameter(f"Invalid field 'campaign_filter.end_time': {end} is before "
                                   f"'campaign_filter.start_time' ({start}).")
        def values(items: list | None) -> list[str] | None:
            return sorted({i.value for i in items}) if items is not None else None

        campaign_filter = {"start_time": start, "end_time": end, "name": cf.name,
                           "campaign_status": values(cf.campaign_status), "objective_type": values(cf.objective_type)}
    return {"entity_types": [t for t in ENTITY_TYPES if t in types], "entity_ids": ids,
            "updated_since": int(request.updated_since) if request.updated_since is not None else None,
            "campaign_filter": campaign_filter, "output_format": request.output_format.value}


@dataclass
class Selection:
    """What `entity_ids` picked: the whole account, or these entities (each with its descendants)."""

    whole: bool = True
    campaigns: set[int] = field(default_factory=set)
    ad_groups: set[int] = field(default_factory=set)
    ads: set[int] = field(default_factory=set)
    keywords: set[int] = field(default_factory=set)


def resolve_ids(conn: sa.Connection, *, ad_account_id: int, ids: list[int] | None) -> Selection:
    if ids is None or ad_account_id in ids:
        return Selection()
    sel = Selection(whole=False)
    for table, found in ((campaigns, sel.campaigns), (ad_groups, sel.ad_groups), (ads, sel.ads),
                         (keywords, sel.keywords)):
        found.update(conn.execute(sa.select(table.c.id).where(table.c.ad_account_id == ad_account_id,
                                                              table.c.id.in_(ids))).scalars())
    known = sel.campaigns | sel.ad_groups | sel.ads | sel.keywords
    unknown = [str(i) for i in ids if i not in known]
    if unknown:
        shown = ", ".join(unknown[:10]) + (f" (and {len(unknown) - 10} more)" if len(unknown) > 10 else "")
        raise InvalidParameter(f"Invalid field 'entity_ids': {shown} {'is' if len(unknown) == 1 else 'are'} not the "
                               f"ad account {ad_account_id} or one of its campaigns, ad groups, ads or keywords.")
    return sel


# -- download: the job -------------------------------------------------------------------------------
def _campaign_matches(row: sa.Row, flt: dict[str, Any], now: int) -> bool:
    d = row.data or {}
    if flt.get("name") is not None and flt["name"].casefold() not in (d.get("name") or "").casefold():
        return False
    if flt.get("objective_type") is not None and d.get("objective_type") not in flt["objective_type"]:
        return False
    if flt.get("campaign_status") is not None:
        status = campaigns_service.summary_status(row.status, d.get("start_time"), d.get("end_time"), now)
        if status not in flt["campaign_status"]:
            return False
    begin = d.get("start_time") if d.get("start_time") is not None else row.created_time
    end = d.get("end_time")
    if flt.get("end_time") is not None and begin > flt["end_time"]:
        return False
    if flt.get("start_time") is not None and end is not None and end < flt["start_time"]:
        return False
    return True


def collect(conn: sa.Connection, *, ad_account_id: int, params: dict[str, Any], now: int) -> dict[str, list[dict]]:
    """The entities a download lists, rendered as their GET endpoints render them: {entity type: [...]}."""
    sel = resolve_ids(conn, ad_account_id=ad_account_id, ids=params.get("entity_ids"))
    flt = params.get("campaign_filter")
    since = params.get("updated_since")
    shown_campaign_statuses = (flt or {}).get("campaign_status")

    chosen: set[int] | None = None  # campaigns the campaign_filter keeps
    if flt is not None:
        rows = conn.execute(sa.select(campaigns).where(campaigns.c.ad_account_id == ad_account_id))
        chosen = {r.id for r in rows if _campaign_matches(r, flt, now)}

    def rows_of(table: sa.Table, scope: list[Any], has_status: bool, hide_status: bool = True) -> list[sa.Row]:
        stmt = sa.select(table).where(table.c.ad_account_id == ad_account_id)
        if not sel.whole:
            stmt = stmt.where(sa.or_(*scope) if scope else sa.false())
        if has_status and hide_status:
            stmt = stmt.where(table.c.status != HIDDEN_STATUS)
        if since is not None:
            stmt = stmt.where(table.c.updated_time >= since)
        found = list(conn.execute(stmt.order_by(table.c.id)))
        if chosen is not None:
            key = "id" if table is campaigns else "campaign_id"
            found = [r for r in found if getattr(r, key) in chosen]
        return found

    def within(table: sa.Table, own: set[int], *parents: tuple[sa.Column, set[int]]) -> list[Any]:
        conds = [table.c.id.in_(sorted(own))] if own else []
        conds += [col.in_(sorted(ids)) for col, ids in parents if ids]
        return conds

    out: dict[str, list[dict]] = {}
    for entity_type in params["entity_types"]:
        if entity_type == "CAMPAIGN":
            rows = rows_of(campaigns, within(campaigns, sel.campaigns), True,
                           hide_status=not (shown_campaign_statuses and HIDDEN_STATUS in shown_campaign_statuses))
            out[entity_type] = [campaigns_service.render(r, now=now) for r in rows]
        elif entity_type == "AD_GROUP":
            rows = rows_of(ad_groups, within(ad_groups, sel.ad_groups, (ad_groups.c.campaign_id, sel.campaigns)), True)
            out[entity_type] = ad_groups_service.render_rows(conn, rows, now=now) if rows else []
        elif entity_type == "AD":
            rows = rows_of(ads, within(ads, sel.ads, (ads.c.ad_group_id, sel.ad_groups),
                                       (ads.c.campaign_id, sel.campaigns)), True)
            out[entity_type] = [ads_service.render(conn, r) for r in rows]
        elif entity_type == "KEYWORD":
            rows = rows_of(keywords, within(keywords, sel.keywords, (keywords.c.ad_group_id, sel.ad_groups),
                                            (keywords.c.campaign_id, sel.campaigns)), False)
            out[entity_type] = [keywords_service.render(r) for r in rows]
        else:  # PRODUCT_GROUP: no product group promotions exist in the sandbox
            out[entity_type] = []
    return out


def write_json(path: Path, entities: dict[str, list[dict]]) -> None:
    """{"campaigns": [...], "ad_groups": [...], ...}: the requested types, in the spec's enum order."""
    body = {FILE_KEYS[t]: rows for t, rows in entities.items()}
    path.write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def csv_columns(entity_types: Iterable[str], entities: dict[str, list[dict]]) -> list[str]:
    """`entity_type`, the id columns, then every field of the requested types (their response models,
    in order; a field a row has beyond its model goes last)."""
    fields: list[str] = []
    for t in entity_types:
        model = MODELS[t]
        names = list(model.model_fields) if model is not None else []
        for row in entities.get(t, []):
            names += [k for k in row if k not in names]
        fields += [n for n in names if n not in fields]
    leading = [c for c in CSV_LEADING if c in fields]
    return ["entity_type", *leading, *[f for f in fields if f not in leading]]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def write_csv(path: Path, entities: dict[str, list[dict]]) -> None:
    """One header line, then one line per entity (campaigns first, then ad groups, ads, keywords);
    empty cells where a field does not apply; nested values as compact JSON."""
    columns = csv_columns(entities, entities)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for t, rows in entities.items():
            for row in rows:
                writer.writerow([t if c == "entity_type" else _cell(row.get(c)) for c in columns])


# -- upsert -------------------------------------------------------------------------------------------
def upsert_params(request: BulkUpsertRequest) -> dict[str, Any]:
    """The job's parameters: the rows, as sent, by action and entity list (shape checked, rules not yet)."""
    params: dict[str, Any] = {}
    total = 0
    for action in ("create", "update"):
        part: BulkUpsertRows | None = getattr(request, action)
        if part is None:
            continue
        lists = {k: v for k, v in part.model_dump(exclude_none=True).items() if v is not None}
        total += sum(len(v) for v in lists.values())
        params[action] = lists
    if total == 0:
        raise InvalidParameter("Invalid request body: give at least one row in 'create' or 'update' (campaigns, "
                               "ad_groups, ads, product_groups or keywords).")
    if total > MAX_UPSERT_ROWS:
        raise InvalidParameter(f"Invalid request body: at most {MAX_UPSERT_ROWS} rows per bulk upsert, got {total}.")
    return params


def _product_group_row(*_: Any) -> dict[str, Any]:
    raise ApiError("Product group promotions are not available in this sandbox (the product_group_promotions "
                   "endpoints answer 501), so this row was not applied.", status=501, code=UNAVAILABLE)


def _keywords_create_row(conn: sa.Connection, account: sa.Row, raw: Any, now: int) -> dict[str, Any]:
    """One KeywordsRequest row: what keywords/create answers for it ({"keywords": [...], "errors": [...]})."""
    item = campaigns_service.validated(KeywordsRequest, raw)
    return keywords_service.create(conn, account=account, parent_id=item.parent_id, items=item.keywords, now=now)


def _keyword_update_row(conn: sa.Connection, account: sa.Row, raw: Any, now: int) -> dict[str, Any]:
    item = campaigns_service.validated(KeywordUpdate, raw)
    row = keywords_service.get_row(conn, ad_account_id=account.id, keyword_id=item.id)
    return keywords_service.render(keywords_service.update_one(conn, account=account, row=row, item=item, now=now))


RowFn = Callable[[sa.Connection, sa.Row, Any, int], dict[str, Any]]
ROWS: dict[tuple[str, str], RowFn] = {
    ("create", "campaigns"): lambda conn, account, raw, now: campaigns_service.render(
        campaigns_service.create_one(conn, account=account, raw=raw, now=now), now=now),
    ("update", "campaigns"): lambda conn, account, raw, now: campaigns_service.render(
        campaigns_service.update_one(conn, account=account, raw=raw, now=now), now=now),
    ("create", "ad_groups"): lambda conn, account, raw, now: ad_groups_service.render_rows(
        conn, [ad_groups_service.create_one(conn, account=account, raw=raw, now=now)], now=now)[0],
    ("update", "ad_groups"): lambda conn, account, raw, now: ad_groups_service.render_rows(
        conn, [ad_groups_service.update_one(conn, account=account, raw=raw, now=now)], now=now)[0],
    ("create", "ads"): lambda conn, account, raw, now: ads_service.render(
        conn, ads_service.create_one(conn, account=account, raw=raw, now=now)),
    ("update", "ads"): lambda conn, account, raw, now: ads_service.render(
        conn, ads_service.update_one(conn, account=account, raw=raw, now=now)),
    ("create", "product_groups"): _product_group_row,
    ("update", "product_groups"): _product_group_row,
    ("create", "keywords"): _keywords_create_row,
    ("update", "keywords"): _keyword_update_row,
}


def _row_failed(element: dict[str, Any]) -> bool:
    return bool(element["exceptions"]) or bool((element.get("data") or {}).get("errors"))


def upsert(conn: sa.Connection, *, account: sa.Row, params: dict[str, Any], now: int) -> dict[str, Any]:
    """Apply every row; {"create": {list: [element]}, "update": {...}, "summary": {rows, succeeded, failed}}."""
    out: dict[str, Any] = {}
    rows = failed = 0
    for action in ("create", "update"):
        lists = params.get(action)
        if lists is None:
            continue
        out[action] = {}
        for kind in UPSERT_ORDER:
            if kind not in lists:
                continue
            fn = ROWS[(action, kind)]
            elements = campaigns_service.run_batch(conn, lists[kind], lambda raw, fn=fn: fn(conn, account, raw, now))
            out[action][kind] = elements
            rows += len(elements)
            failed += sum(1 for e in elements if _row_failed(e))
    out["summary"] = {"rows": rows, "succeeded": rows - failed, "failed": failed}
    return out


# -- status -------------------------------------------------------------------------------------------
STATUS = {"QUEUED": "RUNNING", "RUNNING": "RUNNING", "FINISHED": "SUCCEEDED", "FAILED": "FAILED",
          "CANCELLED": "FAILED", "EXPIRED": "FAILED"}


def bulk_status(job_status: str) -> str:
    """BulkUpsertStatus of a job: queued or running is RUNNING; finished SUCCEEDED; anything else FAILED."""
    return STATUS[job_status]


def not_found(ad_account_id: int | str, request_id: str) -> NotFound:
    shown = request_id if len(request_id) <= 80 else request_id[:80] + "..."
    return NotFound(f"Bulk request {shown!r} (bulk_request_id) not found in ad account {ad_account_id}.")


def failure_reason(job: Any) -> str:
    if job.status == "EXPIRED":
        return "The bulk request's result expired; make the request again."
    if job.status == "CANCELLED":
        return "The bulk request was cancelled."
    return job.error or "The bulk request failed."


# -- delete the ad account's sandbox data -------------------------------------------------------------
def account_columns() -> list[sa.Column]:
    """The column that ties each table to an ad account — `ad_account_id`, or any column with a foreign
    key to ad_accounts.id — children's tables first (the order deletes must run in)."""
    import pinsandbox.models  # noqa: F401  (every table module)

    out = []
    for table in reversed(db.metadata.sorted_tables):
        if table is ad_accounts:
            continue
        for column in table.c:
            if column.name == "ad_account_id" or any(fk.column is ad_accounts.c.id for fk in column.foreign_keys):
                out.append(column)
    return out


def account_tables() -> list[sa.Table]:
    return list(dict.fromkeys(c.table for c in account_columns()))


def delete_account(conn: sa.Connection, *, ad_account_id: int) -> dict[str, int]:
    """Delete the ad account and every row that belongs to it; {table: rows deleted} (non-zero only)."""
    removed: dict[str, int] = {}
    for column in account_columns():
        count = conn.execute(column.table.delete().where(column == ad_account_id)).rowcount
        if count:
            removed[column.table.name] = removed.get(column.table.name, 0) + count
    removed["ad_accounts"] = conn.execute(ad_accounts.delete().where(ad_accounts.c.id == ad_account_id)).rowcount
    return removed


def tokens_removed(removed: dict[str, int]) -> bool:
    return bool(removed.get(tokens.name))


def job_files(conn: sa.Connection, store: Any, *, ad_account_id: int) -> list[Path]:
    """The result files of the account's jobs (deleted with them, after the commit)."""
    from pinsandbox.jobs import service as jobs_service
    from pinsandbox.jobs.tables import jobs

    rows = conn.execute(sa.select(jobs.c.id, jobs.c.result_path).where(jobs.c.ad_account_id == ad_account_id))
    directory = jobs_service.results_dir(store)
    out: list[Path] = []
    for r in rows:
        out += list(directory.glob(f"{r.id}.*")) if directory.is_dir() else []  # every attempt's file
    return out


def remove_files(paths: Iterable[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def delete_account_facts(facts: Any, *, ad_account_id: int) -> dict[str, int]:
    """Delete the account's rows from every fact table that has an `ad_account_id` column, in one fact
    transaction (all or nothing); {table: rows deleted}."""
    from pinsandbox.reporting.facts import TABLES

    removed: dict[str, int] = {}
    with facts.writing() as w:
        for table, columns in TABLES.items():
            if any(name == "ad_account_id" for name, _ in columns):
                removed[table] = w.delete(table, "ad_account_id = ?", [ad_account_id])
    return removed

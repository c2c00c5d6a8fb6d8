"""Pin analytics and user account analytics (and the pin_metrics of Pins), from the organic facts.

Rules (docs/reporting.md, "Organic analytics", has the full list and the choices where Pinterest is
silent):
- Dates are UTC `YYYY-MM-DD`; end_date >= start_date; start_date at most 90 days before today (the
  sandbox clock's), end_date at most 90 days after start_date. Days after today may be asked for.
- One `daily_metrics` entry per day of the range. Its `data_status`: PROCESSING from today on (the day
  is not over); BEFORE_PIN_CREATED (Pin analytics) before the day the Pin was created;
  BEFORE_BUSINESS_CREATED (user account analytics, top Pins) before the day the account was created;
  else READY. Only READY days carry numbers; the others carry every requested metric as 0.0.
- `summary_metrics` covers the READY days: additive metrics are the sum of the daily values, ratios
  are the formula over the summed counters (0.0 over zero).
- Pin analytics' TOTAL_COMMENTS and TOTAL_REACTIONS are lifetime metrics: `lifetime_metrics` sums every
  READY day of the Pin (not only the range); for a Pin created before 2023-03-20 only video and Idea
  Pins have them.
- Splits: the body is keyed by bucket: "all" unsplit, else every value of the split field the filters
  allow (MOBILE/TABLET/WEB; CLAIMED/OTHER; YOUR_PINS/OTHER_PINS; the stored pin formats), each with
  its own summary and days; the buckets of a split add up to the unsplit answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

import sqlalchemy as sa

from pinsandbox.core.access import NOT_PERMITTED, ad_account_access
from pinsandbox.core.errors import Forbidden, InvalidParameter, NotFound
from pinsandbox.core.params import split_list
from pinsandbox.core.tables import users
from pinsandbox.organic.boards import service as boards_service
from pinsandbox.organic.boards.service import Viewer
from pinsandbox.organic.pins import service as pins_service
from pinsandbox.organic.pins.tables import pins
from pinsandbox.reporting.catalog import ORGANIC_CATALOG
from pinsandbox.reporting.dates import DateOutOfRange, iso_date
from pinsandbox.reporting.organic_facts import (APP_TYPES, ORGANIC_FORMATS, PAID_FORMATS, PIN_FORMAT_GROUPS,
                                                PIN_FORMATS, VIDEO_FORMATS, pin_format_of, utc_day)
from pinsandbox.reporting.organic_query import Scope, counters_of, sums, value

PIN_PARAMS = "Invalid pins analytics parameters."
USER_PARAMS = "Invalid user accounts analytics parameters."
NOT_AUTHORIZED_PIN = "Not authorized to access board or Pin."

MAX_BACK_DAYS = 90
LAST_90_DAYS = "You can only get data from the last 90 days."  # Pinterest's text (pinterest-behaviour.md §8)
MAX_RANGE_DAYS = 90
LIFETIME_ALL_FORMATS_SINCE = dt.date(2023, 3, 20)

# Business Access roles that may read analytics as the account's owner ("Admin, Analyst"; secret
# boards: Admin — that part is the Viewer's secret_role).
ANALYTICS_ROLES = frozenset({"OWNER", "ADMIN", "ANALYST"})

PIN_STANDARD_METRICS = ("IMPRESSION", "OUTBOUND_CLICK", "PIN_CLICK", "SAVE", "SAVE_RATE", "TOTAL_COMMENTS",
                        "TOTAL_REACTIONS")
PIN_VIDEO_METRICS = ("VIDEO_MRC_VIEW", "VIDEO_10S_VIEW", "QUARTILE_95_PERCENT_VIEW", "VIDEO_V50_WATCH_TIME",
                     "VIDEO_START", "VIDEO_AVG_WATCH_TIME")
PIN_METRICS = PIN_STANDARD_METRICS + PIN_VIDEO_METRICS
LIFETIME_METRICS = ("TOTAL_COMMENTS", "TOTAL_REACTIONS")
USER_METRICS = ("ENGAGEMENT", "ENGAGEMENT_RATE", "IMPRESSION", "OUTBOUND_CLICK", "OUTBOUND_CLICK_RATE", "PIN_CLICK",
                "PIN_CLICK_RATE", "SAVE", "SAVE_RATE")
TOP_PINS_SORT = ("ENGAGEMENT", "IMPRESSION", "OUTBOUND_CLICK", "PIN_CLICK", "SAVE")
TOP_VIDEO_METRICS = ("IMPRESSION", "SAVE", "VIDEO_MRC_VIEW", "VIDEO_AVG_WATCH_TIME", "VIDEO_V50_WATCH_TIME",
                     "QUARTILE_95_PERCENT_VIEW", "VIDEO_10S_VIEW", "VIDEO_START", "OUTBOUND_CLICK")
TOP_VIDEO_SORT = ("IMPRESSION", "SAVE", "OUTBOUND_CLICK", "VIDEO_MRC_VIEW", "VIDEO_AVG_WATCH_TIME",
                  "VIDEO_V50_WATCH_TIME", "QUARTILE_95_PERCENT_VIEW", "VIDEO_10S_VIEW", "VIDEO_START")


# ---- parameters ---------------------------------------------------------------------------------------
def _invalid(prefix: str, detail: str) -> InvalidParameter:
    return InvalidParameter(f"{prefix} {detail}")


def parse_dates(prefix: str, start_date: str, end_date: str, *, today: dt.date) -> tuple[dt.date, dt.date]:
    def parse(name: str, text: str) -> dt.date:
        try:
            return iso_date(text)
        except DateOutOfRange as exc:
            raise _invalid(prefix, f"Parameter '{name}': {exc}.") from None
        except ValueError:
            raise _invalid(prefix, f"Parameter '{name}': {text!r} is not a date in the format YYYY-MM-DD.") from None

    start, end = parse("start_date", start_date), parse("end_date", end_date)
    if end < start:
        raise _invalid(prefix, f"Parameter 'end_date': {end} is before start_date {start}.")
    if start < today - dt.timedelta(days=MAX_BACK_DAYS):
        raise _invalid(prefix, f"{LAST_90_DAYS} Parameter 'start_date' can be at most {MAX_BACK_DAYS} days back "
                               f"from today (no earlier than {today - dt.timedelta(days=MAX_BACK_DAYS)}); got {start}.")
    if (end - start).days > MAX_RANGE_DAYS:
        raise _invalid(prefix, f"Parameter 'end_date': it can be at most {MAX_RANGE_DAYS} days past start_date "
                               f"(no later than {start + dt.timedelta(days=MAX_RANGE_DAYS)}); got {end}.")
    return start, end


def parse_metrics(prefix: str, raw: list[str] | None, allowed: tuple[str, ...], *, required: bool) -> list[str]:
    items = split_list(raw)
    if not items:
        if required or items is not None:
            raise _invalid(prefix, f"Parameter 'metric_types': give at least one of {', '.join(allowed)}.")
        return list(allowed)
    for m in items:
        if m not in allowed:
            raise _invalid(prefix, f"Parameter 'metric_types': {m!r} is not one of {', '.join(allowed)}.")
    return list(dict.fromkeys(items))


@dataclass(frozen=True)
class Filters:
    """The user account analytics filters, as given (their defaults mean no filter)."""

    app_types: str = "ALL"
    content_type: str = "ALL"
    source: str = "ALL"
    from_claimed_content: str = "BOTH"
    pin_format: str = "ALL"

    def scope(self, user_id: int, *, formats: Iterable[str] | None = None) -> Scope:
        allowed = self.formats()
        if formats is not None:
            allowed = tuple(f for f in allowed if f in set(formats))
        return Scope(user_id=user_id, app_types=self.app_buckets() if self.app_types != "ALL" else None,
                     content_types=None if self.content_type == "ALL" else (self.content_type,),
                     pin_formats=allowed if allowed != PIN_FORMATS else None,
                     source=None if self.source == "ALL" else self.source,
                     claimed=None if self.from_claimed_content == "BOTH" else self.from_claimed_content)

    def app_buckets(self) -> tuple[str, ...]:
        return APP_TYPES if self.app_types == "ALL" else (self.app_types,)

    def formats(self) -> tuple[str, ...]:
        """The stored pin formats the pin_format and content_type filters leave."""
        out = PIN_FORMAT_GROUPS[self.pin_format] if self.pin_format != "ALL" else PIN_FORMATS
        if self.content_type == "ORGANIC":
            out = tuple(f for f in out if f in ORGANIC_FORMATS)
        elif self.content_type == "PAID":
            out = tuple(f for f in out if f in PAID_FORMATS)
        return out

    def buckets(self, split: str) -> list[str]:
        if split == "NO_SPLIT":
            return ["all"]
        if split == "APP_TYPE":
            return list(self.app_buckets())
        if split == "OWNED_CONTENT":
            return ["CLAIMED", "OTHER"] if self.from_claimed_content == "BOTH" else [self.from_claimed_content]
        if split == "SOURCE":
            return ["YOUR_PINS", "OTHER_PINS"] if self.source == "ALL" else [self.source]
        if split == "PIN_FORMAT":
            return list(self.formats())
        raise ValueError(split)


# ---- who may read what ----------------------------------------------------------------------------------
def analytics_viewer(conn: sa.Connection, *, user_id: int, scopes: frozenset[str], ad_account_id: str | None
                     ) -> Viewer:
    """The operation user_account; through an ad account, the token user needs Admin or Analyst."""
    if ad_account_id is not None:
        ad_account_access(conn, user_id=user_id, ad_account_id=ad_account_id, roles=ANALYTICS_ROLES)
    return boards_service.viewer(conn, user_id=user_id, scopes=scopes, ad_account_id=ad_account_id)


def analytics_pin(conn: sa.Connection, *, viewer: Viewer, pin_id: str) -> sa.Row:
    """The Pin, when the operation user owns it or it is on a group board shared with them."""
    row = pins_service.get(conn, viewer=viewer, pin_id=pin_id)  # 404 code 50; hidden or secret: 403 / 401
    if row.owner_user_id == viewer.user_id:
        return row
    board = boards_service.load(conn, row.board_id) if row.board_id is not None else None
    if board is not None and boards_service.role_of(conn, board, viewer.user_id) is not None:
        return row
    raise Forbidden(f"{NOT_AUTHORIZED_PIN} {NOT_PERMITTED} Pin {row.id} belongs to another user and is not on a "
                    "group board shared with the operation user_account.", code=29)


def user_created_day(conn: sa.Connection, user_id: int) -> dt.date:
    created = conn.execute(sa.select(users.c.created_time).where(users.c.id == user_id)).scalar()
    if created is None:
        raise NotFound("User not found.", code=30)
    return utc_day(created)


# ---- the days ----------------------------------------------------------------------------------------
def day_status(day: dt.date, *, today: dt.date, created: dt.date, before: str) -> str:
    if day >= today:
        return "PROCESSING"
    if day < created:
        return before
    return "READY"


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _ready_range(start: dt.date, end: dt.date, *, today: dt.date, created: dt.date) -> tuple[dt.date, dt.date]:
    return max(start, created), min(end, today - dt.timedelta(days=1))


def bucket_answers(facts: Any, scope: Scope, *, split: str, buckets: list[str], metrics: list[str],
                    start: dt.date, end: dt.date, today: dt.date, created: dt.date, before: str
                    ) -> dict[str, dict[str, Any]]:
    """{bucket: {"summary_metrics", "daily_metrics"}} for the metrics over the range."""
    lo, hi = _ready_range(start, end, today=today, created=created)
    need = counters_of(metrics) if metrics else {"impression"}
    per: dict[str, dict[dt.date, dict[str, int]]] = {b: {} for b in buckets}
    if lo <= hi:
        for r in sums(facts, scope, start=lo, end=hi, by=("bucket", "day"), split=split, counters=need):
            if r["bucket"] in per:
                per[r["bucket"]][r["day"]] = r
    days = _days(start, end)
    status = {d: day_status(d, today=today, created=created, before=before) for d in days}
    out: dict[str, dict[str, Any]] = {}
    for b in buckets:
        total = {c: 0 for c in need}
        daily = []
        for d in days:
            if status[d] == "READY":
                s = per[b].get(d) or {c: 0 for c in need}
                for c in need:
                    total[c] += s[c]
                values = {m: value(m, s) for m in metrics}
            else:
                values = {m: 0.0 for m in metrics}
            daily.append({"date": d.isoformat(), "data_status": status[d], "metrics": values})
        out[b] = {"summary_metrics": {m: value(m, total) for m in metrics}, "daily_metrics": daily}
    return out


def _catch_up(store: Any) -> None:
    """Simulated facts up to the clock's last completed hour (when a simulation runs)."""
    from pinsandbox.reporting.simulator import catch_up

    catch_up(store)


# ---- Pin analytics -------------------------------------------------------------------------------------
def lifetime_available(pin: sa.Row) -> bool:
    """Lifetime metrics exist for every Pin created since 2023-03-20, before that for video and Idea Pins."""
    if utc_day(pin.created_time) >= LIFETIME_ALL_FORMATS_SINCE:
        return True
    data = pin.data or {}
    return pin_format_of(data) == "ORGANIC_VIDEO" or data.get("creative_type") == "IDEA"


def pin_analytics(store: Any, *, pin: sa.Row, start: dt.date, end: dt.date, app_types: str, metrics: list[str],
                  split_field: str) -> dict[str, Any]:
    _catch_up(store)
    today = store.clock.today()
    created = utc_day(pin.created_time)
    buckets = list(APP_TYPES if app_types == "ALL" else (app_types,)) if split_field == "APP_TYPE" else ["all"]
    scope = Scope(pin_id=pin.id, app_types=None if app_types == "ALL" else (app_types,))
    period = [m for m in metrics if m not in LIFETIME_METRICS]
    lifetime = [m for m in metrics if m in LIFETIME_METRICS]
    out = bucket_answers(store.facts, scope, split=split_field, buckets=buckets, metrics=period, start=start,
                          end=end, today=today, created=created, before="BEFORE_PIN_CREATED")
    if lifetime and lifetime_available(pin):
        yesterday = today - dt.timedelta(days=1)
        got: dict[str, dict[str, int]] = {}
        if created <= yesterday:
            for r in sums(store.facts, scope, start=created, end=yesterday, by=("bucket",), split=split_field,
                          counters=counters_of(lifetime)):
                got[r["bucket"]] = r
        for b in buckets:
            s = got.get(b, {})
            out[b] = {"lifetime_metrics": {m: int(value(m, s)) for m in lifetime}, **out[b]}
    return out


# ---- user account analytics ----------------------------------------------------------------------------
def user_account_analytics(store: Any, conn: sa.Connection, *, user_id: int, start: dt.date, end: dt.date,
                           filters: Filters, metrics: list[str], split_field: str) -> dict[str, Any]:
    _catch_up(store)
    return bucket_answers(store.facts, filters.scope(user_id), split=split_field, buckets=filters.buckets(split_field),
                           metrics=metrics, start=start, end=end, today=store.clock.today(),
                           created=user_created_day(conn, user_id), before="BEFORE_BUSINESS_CREATED")


def top_pins(store: Any, conn: sa.Connection, *, user_id: int, start: dt.date, end: dt.date, filters: Filters,
             metrics: list[str], sort_by: str, num_of_pins: int, created_in_last_n_days: int | None,
             video: bool, viewer: Viewer | None = None) -> dict[str, Any]:
    """The user's Pins with the most `sort_by` over the READY days of the range (at most num_of_pins),
    each with the requested metrics; top video Pins read video formats only. With `viewer`, only Pins the
    token may see: Pins on protected and secret boards need pins:read_secret or boards:read_secret (as
    pins/get), so a token without them is not told those Pins' ids."""
    _catch_up(store)
    today = store.clock.today()
    created = user_created_day(conn, user_id)
    lo, hi = _ready_range(start, end, today=today, created=created)
    scope = filters.scope(user_id, formats=VIDEO_FORMATS if video else None)
    cutoff = (store.clock.epoch_seconds() - created_in_last_n_days * 86_400
              if created_in_last_n_days is not None else None)
    keep = None
    if cutoff is not None or viewer is not None:
        keep = partial(_kept_pins, conn, cutoff=cutoff, viewer=viewer)
    ranked = rank_pins(store.facts, scope, start=lo, end=hi, metrics=metrics, sort_by=sort_by, limit=num_of_pins,
                       keep=keep)
    status = "PROCESSING" if end >= today else ("BEFORE_BUSINESS_CREATED" if end < created else "READY")
    out_pins = [{"pin_id": str(r["pin_id"]), "metrics": {m: value(m, r) for m in metrics},
                 "data_status": {m: status for m in metrics}} for r in ranked]
    latest = dt.datetime.combine(today, dt.time(), tzinfo=dt.timezone.utc).timestamp() - 1
    return {"sort_by": sort_by, "pins": out_pins,
            "date_availability": {"latest_available_timestamp": int(latest * 1000), "is_realtime": False}}


def rank_pins(facts: Any, scope: Scope, *, start: dt.date, end: dt.date, metrics: list[str], sort_by: str,
              limit: int, keep: Callable[[list[int]], set[int]] | None = None) -> list[dict[str, Any]]:
    """The summed counters of the scope's Pins over [start, end], the most `sort_by` first (ties: the
    lower Pin id), at most `limit`; `keep(ids)` narrows the Pins (a set of ids to keep)."""
    if start > end:
        return []
    rows = sums(facts, scope, start=start, end=end, by=("pin_id",), counters=counters_of(metrics + [sort_by]))
    if keep is not None and rows:
        kept = keep([r["pin_id"] for r in rows])
        rows = [r for r in rows if r["pin_id"] in kept]
    return sorted(rows, key=lambda r: (-value(sort_by, r), r["pin_id"]))[:limit]


def _kept_pins(conn: sa.Connection, ids: list[int], *, cutoff: int | None, viewer: Viewer | None) -> set[int]:
    """The Pins of `ids` to keep: with `cutoff` (epoch seconds), only Pins the sandbox has that were created at
    or after it; with `viewer`, none on a board whose privacy the token may not see (a Pin without a board, or
    known only from fact fixtures, is public)."""
    from pinsandbox.organic.boards.tables import boards

    out: set[int] = set(ids) if cutoff is None else set()
    for i in range(0, len(ids), 500):
        stmt = (sa.select(pins.c.id, pins.c.created_time, boards.c.privacy)
                .select_from(pins.outerjoin(boards, pins.c.board_id == boards.c.id))
                .where(pins.c.id.in_(ids[i:i + 500])))
        for pin_id, created_time, privacy in conn.execute(stmt):
            recent = cutoff is None or created_time >= cutoff
            visible = viewer is None or viewer.may(privacy or "PUBLIC", pins_service.PIN_READ_SECRET)
            if recent and visible:
                out.add(pin_id)
            else:
                out.discard(pin_id)
    return out


# ---- pin_metrics of pins/get and pins/list -----------------------------------------------------------------
def pin_metrics(store: Any, conn: sa.Connection, pins_or_ids: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """The `pin_metrics` object of each Pin (rows of the pins table, or ids), keyed by the Pin id string:
    `{"90d": {"pin_click", "impression", "clickthrough"}, "all_time": {... , "reaction", "comment"}}` over
    READY days (the 90 days before today; every day since the Pin was created). `clickthrough` is
    outbound clicks. `all_time` is left out where lifetime metrics are not available (a Pin created
    before 2023-03-20 that is neither a video nor an Idea Pin). Unknown ids are left out."""
    rows: dict[int, Any] = {}
    ids: list[int] = []
    for p in pins_or_ids:
        if hasattr(p, "created_time"):
            rows[int(p.id)] = p
        elif str(p).isdigit() and len(str(p)) <= 18:
            ids.append(int(p))
    for i in range(0, len(ids), 500):
        for r in conn.execute(sa.select(pins).where(pins.c.id.in_(ids[i:i + 500]))):
            rows[r.id] = r
    if not rows:
        return {}
    _catch_up(store)
    today = store.clock.today()
    since = today - dt.timedelta(days=90)
    keys = ("impression", "pin_click", "outbound_click", "total_reactions", "total_comments")
    placeholders = ", ".join("?" for _ in rows)
    sql = (f"SELECT pin_id, {', '.join(f'CAST(SUM(CASE WHEN day >= ? THEN {k} ELSE 0 END) AS BIGINT)' for k in keys)}, "
           f"{', '.join(f'CAST(SUM({k}) AS BIGINT)' for k in keys)} FROM organic WHERE pin_id IN ({placeholders}) "
           "AND day < ? GROUP BY pin_id")
    params: list[Any] = [since] * len(keys) + list(rows) + [today]
    got = {}
    for r in store.facts.fetch(sql, params):
        got[int(r[0])] = (dict(zip(keys, r[1:1 + len(keys)])), dict(zip(keys, r[1 + len(keys):])))
    out: dict[str, dict[str, Any]] = {}
    for pid, row in rows.items():
        recent, total = got.get(pid, ({k: 0 for k in keys}, {k: 0 for k in keys}))
        item: dict[str, Any] = {"90d": {"pin_click": int(recent["pin_click"] or 0),
                                        "impression": int(recent["impression"] or 0),
                                        "clickthrough": int(recent["outbound_click"] or 0)}}
        if lifetime_available(row):
            item["all_time"] = {"pin_click": int(total["pin_click"] or 0), "impression": int(total["impression"] or 0),
                                "clickthrough": int(total["outbound_click"] or 0),
                                "reaction": int(total["total_reactions"] or 0),
                                "comment": int(total["total_comments"] or 0)}
        out[str(pid)] = item
    return out


def check_metric_names() -> None:
    """Every metric these endpoints name is in the organic catalog (checked at import)."""
    missing = [m for m in PIN_METRICS + USER_METRICS + TOP_VIDEO_METRICS if m not in ORGANIC_CATALOG]
    if missing:
        raise RuntimeError(f"organic metrics missing from the catalog: {', '.join(missing)}")


check_metric_names()

"""The `organic` fact table: daily activity per Pin, the source of Pin and user account analytics.

One row says: on this UTC `day`, people on `app_type` (MOBILE, TABLET, WEB) saw and acted on Pin
`pin_id` — owned by `owner_user_id` — through `content_type` distribution (ORGANIC, or PAID when the
Pin was promoted), and produced these counters. `pin_format` is the Pin's format as user account
analytics filter and split it (ORGANIC_IMAGE, ORGANIC_PRODUCT, ORGANIC_VIDEO for organic rows;
ADS_STANDARD, ADS_PRODUCT, ADS_VIDEO, ADS_IDEA for paid ones). `claimant_user_id` is the user whose
claimed website the Pin links to (NULL: none in the sandbox).

Whose analytics a row belongs to, for user U (`organic_query`):
* the row counts for U when `owner_user_id = U` (source YOUR_PINS) or `claimant_user_id = U`
  (source OTHER_PINS when someone else owns the Pin: activity on others' Pins of U's claimed website);
* `from_claimed_content` CLAIMED keeps the rows with `claimant_user_id = U`, OTHER the others.
Pin analytics read every row of the Pin.

Counters (all additive, non-negative): impression, save, pin_click, outbound_click, engagement (the
simulator makes it saves + Pin clicks + outbound clicks + comments + reactions), total_comments,
total_reactions (new ones that day; lifetime values are their sums), and for video Pins video_start,
video_mrc_view, video_10s_view, quartile_95_percent_view and video_v50_watch_time_ms (milliseconds
of play with at least 50% of the video in view).

`prepare_organic` validates fixture rows for this table (called by `reporting.fixtures`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

ORGANIC_COUNTERS: tuple[str, ...] = (
    "impression", "save", "pin_click", "outbound_click", "engagement", "total_comments", "total_reactions",
    "video_start", "video_mrc_view", "video_10s_view", "quartile_95_percent_view", "video_v50_watch_time_ms",
)
ENGAGEMENT_PARTS: tuple[str, ...] = ("save", "pin_click", "outbound_click", "total_comments", "total_reactions")

APP_TYPES: tuple[str, ...] = ("MOBILE", "TABLET", "WEB")
CONTENT_TYPES: tuple[str, ...] = ("ORGANIC", "PAID")
ORGANIC_FORMATS: tuple[str, ...] = ("ORGANIC_IMAGE", "ORGANIC_PRODUCT", "ORGANIC_VIDEO")
PAID_FORMATS: tuple[str, ...] = ("ADS_STANDARD", "ADS_PRODUCT", "ADS_VIDEO", "ADS_IDEA")
PIN_FORMATS: tuple[str, ...] = ORGANIC_FORMATS + PAID_FORMATS
VIDEO_FORMATS: tuple[str, ...] = ("ORGANIC_VIDEO", "ADS_VIDEO")
# The `pin_format` parameter's umbrella values: the stored formats each one covers.
PIN_FORMAT_GROUPS: dict[str, tuple[str, ...]] = {
    **{f: (f,) for f in PIN_FORMATS},
    "PRODUCT": ("ORGANIC_PRODUCT", "ADS_PRODUCT"),
    "REGULAR": ("ORGANIC_IMAGE", "ADS_STANDARD", "ADS_IDEA"),
    "VIDEO": VIDEO_FORMATS,
}

ORGANIC_COLUMNS: list[tuple[str, str]] = (
    [("day", "DATE NOT NULL"), ("pin_id", "BIGINT NOT NULL"), ("owner_user_id", "BIGINT NOT NULL"),
     ("claimant_user_id", "BIGINT"), ("app_type", "VARCHAR NOT NULL"),
     ("content_type", "VARCHAR NOT NULL DEFAULT 'ORGANIC'"),
     ("pin_format", "VARCHAR NOT NULL DEFAULT 'ORGANIC_IMAGE'")]
    + [(c, "BIGINT NOT NULL DEFAULT 0") for c in ORGANIC_COUNTERS]
    + [("source", "VARCHAR NOT NULL DEFAULT 'fixture'")]
)


# ---- what the state database says about Pins ------------------------------------------------------
def pin_format_of(data: dict[str, Any] | None, *, paid: bool = False, ad_creative_type: str | None = None) -> str:
    """The stored pin_format of a Pin (its `data`), organic or as an ad of `ad_creative_type`."""
    data = data or {}
    media_type = (data.get("media") or {}).get("media_type")
    creative = data.get("creative_type")
    video = media_type == "video" or creative in ("VIDEO", "MAX_VIDEO", "IDEA")
    product = "is_affiliate_link" in data or creative in ("SHOPPING", "SHOP_THE_PIN", "COLLECTION")
    if paid:
        ct = ad_creative_type or creative
        if ct in ("VIDEO", "MAX_VIDEO") or (video and ct not in ("IDEA",)):
            return "ADS_VIDEO"
        if ct == "IDEA":
            return "ADS_IDEA"
        if ct in ("SHOPPING", "SHOP_THE_PIN", "COLLECTION") or product:
            return "ADS_PRODUCT"
        return "ADS_STANDARD"
    if video:
        return "ORGANIC_VIDEO"
    if product:
        return "ORGANIC_PRODUCT"
    return "ORGANIC_IMAGE"


def utc_day(epoch_seconds: int | float) -> dt.date:
    return dt.datetime.fromtimestamp(int(epoch_seconds), tz=dt.timezone.utc).date()


# ---- fixtures -------------------------------------------------------------------------------------
def _pins_known(store, pin_ids: list[int]) -> dict[int, tuple[int, int, str]]:
    """pin id -> (owner, creation day ordinal, organic pin_format) for the Pins the state database has."""
    import sqlalchemy as sa

    from pinsandbox.organic.pins.tables import pins

    out: dict[int, tuple[int, int, str]] = {}
    if store is None or not pin_ids:
        return out
    with store.read() as conn:
        for i in range(0, len(pin_ids), 500):
            for r in conn.execute(sa.select(pins.c.id, pins.c.owner_user_id, pins.c.created_time, pins.c.data)
                                  .where(pins.c.id.in_(pin_ids[i:i + 500]))):
                out[r.id] = (r.owner_user_id, utc_day(r.created_time).toordinal(), pin_format_of(r.data))
    return out


def _users_known(store, user_ids: list[int]) -> dict[int, int]:
    """user id -> creation day ordinal for the users the state database has."""
    import sqlalchemy as sa

    from pinsandbox.core.tables import users

    out: dict[int, int] = {}
    if store is None or not user_ids:
        return out
    with store.read() as conn:
        for i in range(0, len(user_ids), 500):
            chunk = user_ids[i:i + 500]
            for r in conn.execute(sa.select(users.c.id, users.c.created_time).where(users.c.id.in_(chunk))):
                out[r.id] = utc_day(r.created_time).toordinal()
    return out


def prepare_organic(data: pa.Table, *, store=None) -> pa.Table:
    """Validate fixture rows for the organic table; the rows as the table stores them.

    `day` (YYYY-MM-DD, or a time at midnight) and `pin_id` are required, and `app_type`. For a Pin of
    the sandbox, `owner_user_id` and `pin_format` default to the Pin's, and `day` may not be before the
    day it was created; any other Pin needs `owner_user_id`. `content_type` defaults to ORGANIC and
    `pin_format` must belong to it (ORGANIC_* for ORGANIC, ADS_* for PAID). Counters are non-negative
    integers, 0 when missing, except `engagement`, which defaults to saves + Pin clicks + outbound
    clicks + comments + reactions. No row may be dated before its owner's account was created."""
    from pinsandbox.reporting.fixtures import COUNTER_MAX, FactsError, _first, _integers, _labels, _strings, _times

    known_cols = [name for name, _ in ORGANIC_COLUMNS]
    unknown = [c for c in data.column_names if c not in known_cols]
    if unknown:
        raise FactsError(f"unknown columns for organic: {', '.join(unknown)} (the organic columns are "
                         f"{', '.join(known_cols)})")
    have = set(data.column_names)
    n = data.num_rows
    for name in ("day", "pin_id", "app_type"):
        if name not in have:
            raise FactsError(f"the organic rows need a '{name}' column")
    cols: dict[str, pa.Array] = {}

    us = _times("day", data.column("day"))
    off = us % 86_400_000_000 != 0
    if off.any():
        i = _first(off)
        raise FactsError(f"row {i + 1}, column 'day': {_day_text(us[i])} is not a date (organic facts are daily)")
    day_ord = us // 86_400_000_000 + dt.date(1970, 1, 1).toordinal()
    pin_id = _integers("pin_id", data.column("pin_id"), required=True, default=None, minimum=1)
    owner = (_integers("owner_user_id", data.column("owner_user_id"), required=False, default=0, minimum=0)
             if "owner_user_id" in have else np.zeros(n, dtype=np.int64))
    claimant = None
    if "claimant_user_id" in have:
        claimant = _integers("claimant_user_id", data.column("claimant_user_id"), required=False, default=0,
                             minimum=0)
    app_type = _labels("app_type", data.column("app_type"), allowed=APP_TYPES)
    if app_type.null_count:
        i = _first(np.asarray(app_type.is_null().to_numpy(zero_copy_only=False), dtype=bool))
        raise FactsError(f"row {i + 1}, column 'app_type': a value is required (one of {', '.join(APP_TYPES)})")
    content = (_labels("content_type", data.column("content_type"), allowed=CONTENT_TYPES, default="ORGANIC")
               if "content_type" in have else pa.array(["ORGANIC"] * n, type=pa.string()))
    formats = (_labels("pin_format", data.column("pin_format"), allowed=PIN_FORMATS)
               if "pin_format" in have else pa.nulls(n, type=pa.string()))

    pins = _pins_known(store, sorted({int(x) for x in np.unique(pin_id)}))
    content_py, formats_py = content.to_pylist(), formats.to_pylist()
    for i in range(n):
        p = pins.get(int(pin_id[i]))
        if p is not None:
            p_owner, p_day, p_format = p
            if owner[i] == 0:
                owner[i] = p_owner
            elif owner[i] != p_owner:
                raise FactsError(f"row {i + 1}, column 'owner_user_id': Pin {int(pin_id[i])} belongs to user "
                                 f"{p_owner}, not {int(owner[i])}")
            if day_ord[i] < p_day:
                raise FactsError(f"row {i + 1}, column 'day': {dt.date.fromordinal(int(day_ord[i]))} is before Pin "
                                 f"{int(pin_id[i])} was created ({dt.date.fromordinal(p_day)}); set the sandbox "
                                 "clock back before creating the Pin to give it history")
            if formats_py[i] is None:
                formats_py[i] = p_format if content_py[i] == "ORGANIC" else _paid_of(p_format)
        elif owner[i] == 0:
            raise FactsError(f"row {i + 1}, column 'owner_user_id': a value is required (Pin {int(pin_id[i])} is "
                             "not a Pin of the sandbox, so its owner cannot be looked up)")
        if formats_py[i] is None:
            formats_py[i] = "ORGANIC_IMAGE" if content_py[i] == "ORGANIC" else "ADS_STANDARD"
        family = ORGANIC_FORMATS if content_py[i] == "ORGANIC" else PAID_FORMATS
        if formats_py[i] not in family:
            raise FactsError(f"row {i + 1}, column 'pin_format': {formats_py[i]} is not a format of "
                             f"{content_py[i]} content (one of {', '.join(family)})")
    user_days = _users_known(store, sorted({int(x) for x in np.unique(owner)}))
    for i in range(n):
        u_day = user_days.get(int(owner[i]))
        if u_day is not None and day_ord[i] < u_day:
            raise FactsError(f"row {i + 1}, column 'day': {dt.date.fromordinal(int(day_ord[i]))} is before user "
                             f"{int(owner[i])} created their account ({dt.date.fromordinal(u_day)})")

    cols["day"] = pa.array((us // 86_400_000_000).astype("datetime64[D]"))
    cols["pin_id"] = pa.array(pin_id)
    cols["owner_user_id"] = pa.array(owner)
    if claimant is not None:
        cols["claimant_user_id"] = pa.array(claimant, mask=claimant == 0)
    cols["app_type"] = app_type
    cols["content_type"] = content
    cols["pin_format"] = pa.array(formats_py, type=pa.string())
    counts: dict[str, np.ndarray] = {}
    for name in ORGANIC_COUNTERS:
        if name in have and name != "engagement":
            counts[name] = _integers(name, data.column(name), required=False, default=0, maximum=COUNTER_MAX)
            cols[name] = pa.array(counts[name])
    parts = sum((counts.get(p, np.zeros(n, dtype=np.int64)) for p in ENGAGEMENT_PARTS), np.zeros(n, dtype=np.int64))
    if "engagement" in have:
        values = data.column("engagement")
        text = _strings(values).combine_chunks()
        blank = np.asarray(pc.fill_null(pc.equal(pc.utf8_trim_whitespace(text), ""), True).to_numpy(
            zero_copy_only=False), dtype=bool)
        given = _integers("engagement", values, required=False, default=0, maximum=COUNTER_MAX)
        cols["engagement"] = pa.array(np.where(blank, parts, given))
    else:
        cols["engagement"] = pa.array(parts)
    if "source" in have:
        cols["source"] = _labels("source", data.column("source"), default="fixture")
    return pa.table(cols)


def _paid_of(organic_format: str) -> str:
    return {"ORGANIC_VIDEO": "ADS_VIDEO", "ORGANIC_PRODUCT": "ADS_PRODUCT"}.get(organic_format, "ADS_STANDARD")


def _day_text(us: int) -> str:
    return (dt.datetime(1970, 1, 1) + dt.timedelta(microseconds=int(us))).isoformat() + "Z"

"""The organic simulator: deterministic daily activity per Pin, written to the `organic` facts.

`simulate(store, start=, end=, seed=)` writes the rows (source 'sim') of every UTC day that is
complete inside [start, end) — days D with start < D's end <= end — after deleting the 'sim' organic
rows of those days, so running it again is the same as running it once, and simulating a range in
pieces gives the same rows as at once (a day depends only on the seed, the Pins and that day). The
delivery simulator calls it at the end of each run, so catch-up (the clock moving on) adds each day
once it is over.

ORGANIC rows. Every Pin of the state database that is not on a secret board, from the day it was
created: one row per app type (MOBILE, TABLET, WEB) with any activity. A Pin has its own level
(impressions per day at maturity, log-uniform 3-300; video Pins a third more), ramp (the expected
volume grows with the Pin's age as 1 - exp(-(age+1)/tau), tau 4-30 days), app-type mix (about 62%
mobile, 28% web, 10% tablet, tilted per Pin) and rates (saves 0.4-4% of impressions, Pin clicks
0.5-5%, outbound clicks 15-60% of Pin clicks when the Pin has a link, reactions and comments a few
per thousand). Each day varies it by weekday and noise. Engagement = saves + Pin clicks + outbound
clicks + reactions + comments. Video metrics only for video Pins: starts 30-70% of impressions, MRC
views 50-90% of starts, 10-second views and 95% views fractions of the starts (10-second views only
when the video lasts 10 s or more), watch time from an average view of 2-12 s (at most the video's
length). `pin_format` is ORGANIC_IMAGE, ORGANIC_PRODUCT or ORGANIC_VIDEO from the Pin.

PAID rows. The simulated delivery (source 'sim') of ads promoting a Pin of the sandbox, summed per
day, Pin, app type and format: impressions, saves, Pin clicks, outbound clicks, engagements, video
starts, MRC views, 95% views and watch time are the paid (`_1`) counters; the delivery facts have no
10-second views, reactions or comments, so those are 0. App types come from the device of the
delivery's apptype (desktop: WEB); `pin_format` from the ad's creative type (ADS_VIDEO, ADS_IDEA,
ADS_PRODUCT for shopping ads, else ADS_STANDARD).

Both kinds name the owner of the Pin and `claimant_user_id`: the user who claimed (verified, `POST
/v5/user_account/websites`) the website the Pin's link points into — same host, and the website's path
a prefix of the link's — as the simulation runs (a website is claimed by one user at most).

Every random number is a counter-based hash of (seed, Pin id, day, app type, stream).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import numpy as np
import pyarrow as pa
import sqlalchemy as sa

from pinsandbox.reporting import vocab
from pinsandbox.reporting.organic_facts import APP_TYPES, ORGANIC_COUNTERS, pin_format_of

DAY = 86_400
SOURCE = "sim"
TARGET_ROWS_PER_CHUNK = 300_000
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
APP_SHARE = np.array([0.62, 0.10, 0.28])  # MOBILE, TABLET, WEB
WEEKDAY = np.array([0.96, 0.97, 0.98, 1.00, 0.99, 1.04, 1.08])  # Monday first
DEVICE_APP = {"MOBILE": "MOBILE", "TABLET": "TABLET", "DESKTOP": "WEB"}
PAID_COUNTERS = {  # organic counter <- delivery base
    "impression": "impression_1", "save": "repin_1", "pin_click": "clickthrough_1",
    "outbound_click": "outbound_click_1", "engagement": "engagement_1", "video_start": "video_p0_combined_1",
    "video_mrc_view": "video_mrc_views_1", "quartile_95_percent_view": "video_p95_combined_1",
    "video_v50_watch_time_ms": "video_watchtime_ms_1",
}

# ---- counter-based random numbers (splitmix64) ----------------------------------------------------
_MASK = (1 << 64) - 1
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_GOLD = 0x9E3779B97F4A7C15


def _mix(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> np.uint64(30))
    x = x * _M1
    x = x ^ (x >> np.uint64(27))
    x = x * _M2
    return x ^ (x >> np.uint64(31))


def _uniform(keys: np.ndarray, stream: int) -> np.ndarray:
    """A uniform in (0, 1) per key and stream."""
    salted = _mix(keys + np.uint64((stream * _GOLD + 0x632BE59BD9B4E019) & _MASK))
    return ((salted >> np.uint64(11)).astype(np.float64) + 0.5) * (1.0 / (1 << 53))


def _log_between(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * u)


def _between(u: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return lo + (hi - lo) * u


def _sr(x: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Stochastic rounding: a whole number with mean x; never more than n when x = n * rate, rate <= 1."""
    return np.floor(x + u).astype(np.int64)


# ---- what the state database holds ---------------------------------------------------------------------
@dataclass
class _Pins:
    ids: np.ndarray  # int64
    owner: np.ndarray
    claimant: np.ndarray  # 0: none
    created_day: np.ndarray  # days since the epoch
    video: np.ndarray  # bool
    has_link: np.ndarray
    duration_s: np.ndarray  # video length, seconds (0: unknown)
    fmt: list[str]  # organic pin_format
    data: list[dict[str, Any]]

    def index(self) -> dict[int, int]:
        return {int(p): i for i, p in enumerate(self.ids)}


def _claims(conn: sa.Connection) -> dict[str, list[tuple[str, int]]]:
    """Verified websites by host: host -> [(website, user id)]."""
    try:
        from pinsandbox.organic.user_account.tables import user_websites
    except ImportError:  # websites not built: nothing is claimed
        return {}
    out: dict[str, list[tuple[str, int]]] = {}
    for r in conn.execute(sa.select(user_websites.c.website, user_websites.c.user_id)
                          .where(user_websites.c.status == "verified").order_by(user_websites.c.id)):
        out.setdefault(r.website.partition("/")[0], []).append((r.website, r.user_id))
    return out


def _claimant(claims: dict[str, list[tuple[str, int]]], link: str | None) -> int:
    """The user who claimed the website `link` points into (0: nobody)."""
    if not link or not claims:
        return 0
    from pinsandbox.organic.user_account.websites import is_claimed_link

    try:
        host = (urlparse(link).hostname or "").lower().rstrip(".")
    except ValueError:
        return 0
    for site, user_id in claims.get(host, ()):
        if is_claimed_link([site], link):
            return user_id
    return 0


def _load_pins(store) -> _Pins:
    from pinsandbox.organic.boards.tables import boards
    from pinsandbox.organic.pins.tables import pins

    with store.read() as conn:
        claims = _claims(conn)
        rows = list(conn.execute(
            sa.select(pins.c.id, pins.c.owner_user_id, pins.c.created_time, pins.c.data, boards.c.privacy)
            .select_from(pins.outerjoin(boards, pins.c.board_id == boards.c.id)).order_by(pins.c.id)))
    n = len(rows)
    ids, owner, claimant = np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64)
    created, video, link, duration = np.zeros(n, np.int64), np.zeros(n, bool), np.zeros(n, bool), np.zeros(n)
    secret = np.zeros(n, bool)
    fmt, datas = [], []
    for i, r in enumerate(rows):
        data = r.data or {}
        ids[i], owner[i], created[i] = r.id, r.owner_user_id, int(r.created_time) // DAY
        claimant[i] = _claimant(claims, data.get("link"))
        f = pin_format_of(data)
        fmt.append(f)
        datas.append(data)
        video[i] = f == "ORGANIC_VIDEO"
        link[i] = bool(data.get("link"))
        dur = (data.get("media") or {}).get("duration")
        duration[i] = float(dur) / 1000.0 if isinstance(dur, (int, float)) and dur > 0 else 0.0
        secret[i] = r.privacy == "SECRET"
    keep = ~secret
    return _Pins(ids[keep], owner[keep], claimant[keep], created[keep], video[keep], link[keep], duration[keep],
                 [f for f, k in zip(fmt, keep) if k], [d for d, k in zip(datas, keep) if k])


# ---- organic rows ----------------------------------------------------------------------------------------
def _organic_rows(p: _Pins, days: np.ndarray, seed: int) -> dict[str, np.ndarray] | None:
    """The ORGANIC rows of these Pins on these days (epoch day numbers)."""
    if len(p.ids) == 0 or len(days) == 0:
        return None
    pi, di = np.meshgrid(np.arange(len(p.ids)), days, indexing="ij")
    pi, di = pi.ravel(), di.ravel()
    alive = di >= p.created_day[pi]
    pi, di = pi[alive], di[alive]
    if len(pi) == 0:
        return None
    seed_key = np.uint64((int(seed) * _GOLD + 0x2545F4914F6CDD1D) & _MASK)
    pin_key = _mix(p.ids.astype(np.uint64) ^ seed_key)  # per-Pin traits
    level = _log_between(_uniform(pin_key, 1), 3.0, 300.0) * np.where(p.video, 4.0 / 3.0, 1.0)
    tau = _between(_uniform(pin_key, 2), 4.0, 30.0)
    tilt = np.stack([_between(_uniform(pin_key, 3 + a), 0.6, 1.4) for a in range(3)], axis=1) * APP_SHARE
    tilt = tilt / tilt.sum(axis=1, keepdims=True)
    save_rate = _log_between(_uniform(pin_key, 6), 0.004, 0.04)
    click_rate = _log_between(_uniform(pin_key, 7), 0.005, 0.05)
    outbound_share = np.where(p.has_link, _between(_uniform(pin_key, 8), 0.15, 0.6), 0.0)
    reaction_rate = _log_between(_uniform(pin_key, 9), 0.0005, 0.006)
    comment_rate = _log_between(_uniform(pin_key, 10), 0.0001, 0.0015)
    start_rate = _between(_uniform(pin_key, 11), 0.3, 0.7)
    mrc_share = _between(_uniform(pin_key, 12), 0.5, 0.9)
    ten_share = np.where((p.duration_s == 0) | (p.duration_s >= 10), _between(_uniform(pin_key, 13), 0.15, 0.5), 0.0)
    q95_share = _between(_uniform(pin_key, 14), 0.05, 0.3)
    avg_view_s = _between(_uniform(pin_key, 15), 2.0, 12.0)
    avg_view_s = np.where(p.duration_s > 0, np.minimum(avg_view_s, p.duration_s), avg_view_s)

    day_key = _mix(pin_key[pi] + (di.astype(np.uint64) * np.uint64(0xD6E8FEB86659FD93)))
    age = (di - p.created_day[pi]).astype(np.float64)
    expected = (level[pi] * (1.0 - np.exp(-(age + 1.0) / tau[pi])) * WEEKDAY[(di + 3) % 7]
                * _between(_uniform(day_key, 1), 0.75, 1.25))
    # one row per (pin, day, app type)
    n = len(pi)
    pi3, di3 = np.repeat(pi, 3), np.repeat(di, 3)
    app = np.tile(np.arange(3), n)
    key = _mix(np.repeat(day_key, 3) + app.astype(np.uint64) * np.uint64(0xA0761D6478BD642F))
    u = lambda s: _uniform(key, s)  # noqa: E731
    imp = _sr(np.repeat(expected, 3) * tilt[pi3, app], u(1))
    c: dict[str, np.ndarray] = {"impression": imp}
    c["save"] = _sr(imp * save_rate[pi3], u(2))
    c["pin_click"] = _sr(imp * click_rate[pi3], u(3))
    c["outbound_click"] = _sr(c["pin_click"] * outbound_share[pi3], u(4))
    c["total_reactions"] = _sr(imp * reaction_rate[pi3], u(5))
    c["total_comments"] = _sr(imp * comment_rate[pi3], u(6))
    c["engagement"] = c["save"] + c["pin_click"] + c["outbound_click"] + c["total_reactions"] + c["total_comments"]
    is_video = p.video[pi3]
    starts = np.where(is_video, _sr(imp * start_rate[pi3], u(7)), 0)
    c["video_start"] = starts
    c["video_mrc_view"] = _sr(starts * mrc_share[pi3], u(8))
    c["video_10s_view"] = _sr(starts * ten_share[pi3], u(9))
    c["quartile_95_percent_view"] = _sr(starts * q95_share[pi3], u(10))
    c["video_v50_watch_time_ms"] = _sr(starts * avg_view_s[pi3] * 1000.0 * _between(u(11), 0.8, 1.2), u(12))
    active = np.zeros(len(imp), dtype=bool)
    for v in c.values():
        active |= v > 0
    out = {k: v[active] for k, v in c.items()}
    sel = pi3[active]
    out["_pin"] = sel
    out["_day"] = di3[active]
    out["_app"] = app[active]
    return out


def _organic_table(p: _Pins, rows: dict[str, np.ndarray]) -> pa.Table:
    sel = rows["_pin"]
    fmt_dict = sorted(set(p.fmt))
    fmt_idx = np.array([fmt_dict.index(f) for f in p.fmt], dtype=np.int32)
    claimant = p.claimant[sel]
    cols: dict[str, pa.Array] = {
        "day": pa.array(rows["_day"].astype("datetime64[D]")),
        "pin_id": pa.array(p.ids[sel]),
        "owner_user_id": pa.array(p.owner[sel]),
        "claimant_user_id": pa.array(claimant, mask=claimant == 0),
        "app_type": pa.DictionaryArray.from_arrays(pa.array(rows["_app"].astype(np.int32)), pa.array(APP_TYPES)),
        "content_type": pa.array(["ORGANIC"] * len(sel), type=pa.string()),
        "pin_format": pa.DictionaryArray.from_arrays(pa.array(fmt_idx[sel]), pa.array(fmt_dict)),
    }
    for name in ORGANIC_COUNTERS:
        cols[name] = pa.array(rows[name])
    cols["source"] = pa.array([SOURCE] * len(sel), type=pa.string())
    return pa.table(cols)


# ---- paid rows -------------------------------------------------------------------------------------------
def _paid_table(store, p: _Pins, lo_day: int, hi_day: int) -> pa.Table | None:
    """The simulated delivery of days [lo_day, hi_day] as PAID organic rows (see the module doc)."""
    from pinsandbox.ads.ads.tables import ads

    lo = dt.datetime(1970, 1, 1) + dt.timedelta(days=lo_day)
    hi = dt.datetime(1970, 1, 1) + dt.timedelta(days=hi_day + 1)
    bases = ", ".join(f"CAST(SUM({b}) AS BIGINT)" for b in PAID_COUNTERS.values())
    found = store.facts.fetch(
        f"SELECT CAST(hour AS DATE) AS day, pin_id, ad_id, apptype, {bases} FROM delivery "
        f"WHERE source = '{SOURCE}' AND hour >= ? AND hour < ? AND pin_id > 0 GROUP BY ALL", [lo, hi])
    if not found:
        return None
    index = p.index()
    ad_ids = sorted({int(r[2]) for r in found})
    creative: dict[int, str | None] = {}
    with store.read() as conn:
        for i in range(0, len(ad_ids), 500):
            for r in conn.execute(sa.select(ads.c.id, ads.c.data).where(ads.c.id.in_(ad_ids[i:i + 500]))):
                creative[r.id] = (r.data or {}).get("creative_type")
    acc: dict[tuple[dt.date, int, str, str], list[int]] = {}
    for day, pin_id, ad_id, apptype, *values in found:
        i = index.get(int(pin_id))
        if i is None or day.toordinal() - EPOCH_ORDINAL < p.created_day[i]:
            continue  # a Pin the sandbox no longer has, or a day before it existed
        device = vocab.DEVICE_OF_APPTYPE.get(apptype or "", "MOBILE")
        fmt = pin_format_of(p.data[i], paid=True, ad_creative_type=creative.get(int(ad_id)))
        key = (day, i, DEVICE_APP[device], fmt)
        row = acc.setdefault(key, [0] * len(values))
        for k, v in enumerate(values):
            row[k] += int(v or 0)
    if not acc:
        return None
    keys = sorted(acc, key=lambda k: (k[0], int(p.ids[k[1]]), k[2], k[3]))
    idx = np.array([k[1] for k in keys], dtype=np.int64)
    claimant = p.claimant[idx]
    cols: dict[str, pa.Array] = {
        "day": pa.array([k[0] for k in keys], type=pa.date32()),
        "pin_id": pa.array(p.ids[idx]), "owner_user_id": pa.array(p.owner[idx]),
        "claimant_user_id": pa.array(claimant, mask=claimant == 0),
        "app_type": pa.array([k[2] for k in keys], type=pa.string()),
        "content_type": pa.array(["PAID"] * len(keys), type=pa.string()),
        "pin_format": pa.array([k[3] for k in keys], type=pa.string()),
    }
    for k, name in enumerate(PAID_COUNTERS):
        cols[name] = pa.array([acc[key][k] for key in keys], type=pa.int64())
    cols["source"] = pa.array([SOURCE] * len(keys), type=pa.string())
    return pa.table(cols)


# ---- the run -------------------------------------------------------------------------------------------
def complete_days(start: dt.datetime, end: dt.datetime) -> tuple[int, int]:
    """The epoch day numbers [first, last] of the days complete in [start, end) (last < first: none)."""
    s_lo, s_hi = int(start.timestamp()), int(end.timestamp())
    return s_lo // DAY, s_hi // DAY - 1


def simulate(store, *, start: dt.datetime, end: dt.datetime, seed: int) -> int:
    """Write the organic facts (ORGANIC and PAID, source 'sim') of the days complete in [start, end);
    the rows written. Each chunk of days is one transaction (its old 'sim' rows out, the new in)."""
    first, last = complete_days(start, end)
    if last < first:
        return 0
    p = _load_pins(store)
    per_day = max(1, len(p.ids) * 3)
    chunk = max(1, min(366, TARGET_ROWS_PER_CHUNK // per_day))
    written = 0
    for lo in range(first, last + 1, chunk):
        hi = min(last, lo + chunk - 1)
        rows = _organic_rows(p, np.arange(lo, hi + 1, dtype=np.int64), seed)
        organic = _organic_table(p, rows) if rows is not None and len(rows["_pin"]) else None
        paid = _paid_table(store, p, lo, hi) if len(p.ids) else None
        d_lo = dt.date.fromordinal(EPOCH_ORDINAL + lo)
        d_hi = dt.date.fromordinal(EPOCH_ORDINAL + hi)
        with store.facts.writing() as w:
            w.delete("organic", f"source = '{SOURCE}' AND day >= ? AND day <= ?", [d_lo, d_hi])
            for table in (organic, paid):
                if table is not None:
                    written += w.append("organic", table)
    return written

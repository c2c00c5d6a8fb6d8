"""Invariants of organic analytics (Pin and user account analytics) and of the organic simulator.

Random organic facts (hypothesis): 3 users, 6 Pins with fixed owners, random claimants (the user whose
website a Pin links to), app types, content types with matching formats, days in a 30-day range, and
small random counters. For random users, ranges, "today"s, account creation days, filters, splits and
metric sets, checked against a plain-Python recomputation from the rows:
- every day of the range has one entry; data_status is PROCESSING from today on, BEFORE_* before the
  account (or Pin) existed, READY otherwise; only READY days carry numbers, the others 0.0;
- summary = sum of the daily values for additive metrics; ratios are the formula over summed counters;
- the buckets of every split add up to the unsplit answer, per day and in the summary;
- the filters select exactly the rows their definitions say (source, claimed content, content type,
  pin format, app type); top Pins are sorted by their metric and add up to the total.

The simulator (against the test sandbox: Pins made through the API): deterministic per seed,
idempotent, the same in pieces as at once, no activity before a Pin existed or for secret Pins, video
metrics only for video Pins, counters in order (outbound <= Pin clicks, views <= starts, engagement =
its parts), growth with the Pin's age, and PAID rows equal to the simulated delivery of the Pin's ads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pinsandbox.organic.analytics.service import (PIN_METRICS, TOP_VIDEO_METRICS, USER_METRICS, Filters,
                                                  LIFETIME_METRICS, bucket_answers, day_status, rank_pins)
from pinsandbox.reporting import organic_sim
from pinsandbox.reporting.catalog import ORGANIC_CATALOG
from pinsandbox.reporting.facts import FactStore
from pinsandbox.reporting.organic_facts import (APP_TYPES, ORGANIC_COUNTERS, ORGANIC_FORMATS, PAID_FORMATS,
                                                PIN_FORMAT_GROUPS)
from pinsandbox.reporting.organic_query import Scope
from tests import factories as f
from tests.factories import bearer

BASE = dt.date(2025, 6, 1)
DAYS = 30
USERS = (1, 2, 3)
OWNER = {11: 1, 12: 1, 13: 2, 14: 2, 15: 3, 16: 1}
COUNTERS = ("impression", "save", "pin_click", "outbound_click", "engagement", "video_start",
            "video_v50_watch_time_ms", "total_comments")
ADDITIVE_USER = [m for m in USER_METRICS if ORGANIC_CATALOG[m].additive]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_STORE: list[FactStore] = []


def facts() -> FactStore:
    if not _STORE:
        _STORE.append(FactStore(None))
    return _STORE[0]


@st.composite
def rows(draw) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(0, 60))):
        pin = draw(st.sampled_from(sorted(OWNER)))
        content = draw(st.sampled_from(("ORGANIC", "PAID")))
        row = {"day": BASE + dt.timedelta(days=draw(st.integers(0, DAYS - 1))), "pin_id": pin,
               "owner_user_id": OWNER[pin], "claimant_user_id": draw(st.sampled_from((None, 1, 2, 3))),
               "app_type": draw(st.sampled_from(APP_TYPES)), "content_type": content,
               "pin_format": draw(st.sampled_from(ORGANIC_FORMATS if content == "ORGANIC" else PAID_FORMATS))}
        for c in COUNTERS:
            row[c] = draw(st.integers(0, 50))
        out.append(row)
    return out


def load(rs: list[dict[str, Any]]) -> None:
    store = facts()
    with store.writing() as w:
        w.clear("organic")
        if rs:
            cols = {k: [r[k] for r in rs] for k in rs[0]}
            table = pa.table({k: pa.array(v, type=pa.date32() if k == "day" else None) for k, v in cols.items()})
            w.append("organic", table)


FILTER_VALUES = {"app_types": APP_TYPES, "content_type": ("PAID", "ORGANIC"), "source": ("YOUR_PINS", "OTHER_PINS"),
                 "from_claimed_content": ("CLAIMED", "OTHER"), "pin_format": tuple(PIN_FORMAT_GROUPS)}


@st.composite
def filters(draw) -> Filters:
    """At most two filters set (the others at their defaults), so that most examples still select rows."""
    active = draw(st.sets(st.sampled_from(sorted(FILTER_VALUES)), max_size=2))
    return Filters(**{name: draw(st.sampled_from(FILTER_VALUES[name])) for name in sorted(active)})


@st.composite
def window(draw) -> dict[str, dt.date]:
    start = BASE + dt.timedelta(days=draw(st.integers(0, DAYS // 2)))
    end = start + dt.timedelta(days=draw(st.integers(0, DAYS)))
    today = BASE + dt.timedelta(days=draw(st.integers(3, DAYS + 5)))
    created = BASE + dt.timedelta(days=draw(st.integers(-3, DAYS // 2)))
    return {"start": start, "end": end, "today": today, "created": created}


# -- a plain-Python model of the definitions ----------------------------------------------------------
def keep_user(r: dict[str, Any], u: int, fl: Filters) -> bool:
    mine, claimed = r["owner_user_id"] == u, r["claimant_user_id"] == u
    if not (mine or claimed):
        return False
    if fl.source == "YOUR_PINS" and not mine or fl.source == "OTHER_PINS" and mine:
        return False
    if fl.from_claimed_content == "CLAIMED" and not claimed or fl.from_claimed_content == "OTHER" and claimed:
        return False
    if fl.app_types != "ALL" and r["app_type"] != fl.app_types:
        return False
    if fl.content_type != "ALL" and r["content_type"] != fl.content_type:
        return False
    return fl.pin_format == "ALL" or r["pin_format"] in PIN_FORMAT_GROUPS[fl.pin_format]


def model(metric: str, rs: list[dict[str, Any]]) -> float:
    s = {c: sum(r.get(c, 0) for r in rs) for c in ORGANIC_COUNTERS}
    m = ORGANIC_CATALOG[metric]
    if "/" in m.formula:
        num, den = (x.strip() for x in m.formula.split("/"))
        return s[num] / s[den] if s[den] else 0.0
    return s[m.formula]


def check_days(ans: dict[str, Any], metrics: list[str], w: dict[str, dt.date], before: str) -> None:
    n = (w["end"] - w["start"]).days + 1
    for bucket in ans.values():
        days = bucket["daily_metrics"]
        assert [d["date"] for d in days] == [(w["start"] + dt.timedelta(days=i)).isoformat() for i in range(n)]
        for d in days:
            day = dt.date.fromisoformat(d["date"])
            expected = ("PROCESSING" if day >= w["today"] else before if day < w["created"] else "READY")
            assert d["data_status"] == expected == day_status(day, today=w["today"], created=w["created"],
                                                              before=before)
            if expected != "READY":
                assert d["metrics"] == {m: 0.0 for m in metrics}
                assert all(isinstance(v, float) for v in d["metrics"].values())
            else:
                for m in metrics:
                    assert isinstance(d["metrics"][m], int if ORGANIC_CATALOG[m].additive else float)
        for m in metrics:
            if ORGANIC_CATALOG[m].additive:  # summary = sum of the days
                assert bucket["summary_metrics"][m] == sum(d["metrics"][m] for d in days)


def ready(r: dict[str, Any], w: dict[str, dt.date]) -> bool:
    return w["start"] <= r["day"] <= w["end"] and w["created"] <= r["day"] < w["today"]


# -- user account analytics ----------------------------------------------------------------------------
@SETTINGS
@given(rs=rows(), w=window(), fl=filters(), u=st.sampled_from(USERS),
       split=st.sampled_from(("NO_SPLIT", "APP_TYPE", "OWNED_CONTENT", "SOURCE", "PIN_FORMAT")),
       metrics=st.lists(st.sampled_from(USER_METRICS + TOP_VIDEO_METRICS), min_size=1, max_size=6, unique=True))
def test_user_account_analytics_invariants(rs, w, fl, u, split, metrics):
    load(rs)
    kw = dict(metrics=metrics, start=w["start"], end=w["end"], today=w["today"], created=w["created"],
              before="BEFORE_BUSINESS_CREATED")
    ans = bucket_answers(facts(), fl.scope(u), split=split, buckets=fl.buckets(split), **kw)
    check_days(ans, metrics, w, "BEFORE_BUSINESS_CREATED")
    whole = bucket_answers(facts(), fl.scope(u), split="NO_SPLIT", buckets=["all"], **kw)["all"]
    # the model: the unsplit summary from the raw rows
    kept = [r for r in rs if keep_user(r, u, fl) and ready(r, w)]
    for m in metrics:
        assert whole["summary_metrics"][m] == pytest.approx(model(m, kept))
    # the buckets add up to the whole, in the summary and per day
    for m in metrics:
        if ORGANIC_CATALOG[m].additive:
            assert sum(b["summary_metrics"][m] for b in ans.values()) == whole["summary_metrics"][m]
            for i, day in enumerate(whole["daily_metrics"]):
                assert sum(b["daily_metrics"][i]["metrics"][m] for b in ans.values()) == day["metrics"][m]
    # each bucket is its own filter
    if split == "SOURCE":
        for b, got in ans.items():
            sub = [r for r in kept if (r["owner_user_id"] == u) == (b == "YOUR_PINS")]
            for m in metrics:
                assert got["summary_metrics"][m] == pytest.approx(model(m, sub))


@SETTINGS
@given(rs=rows(), w=window(), fl=filters(), u=st.sampled_from(USERS),
       sort_by=st.sampled_from(("ENGAGEMENT", "IMPRESSION", "OUTBOUND_CLICK", "PIN_CLICK", "SAVE")),
       limit=st.integers(1, 50))
def test_top_pins_are_sorted_and_add_up(rs, w, fl, u, sort_by, limit):
    load(rs)
    lo, hi = max(w["start"], w["created"]), min(w["end"], w["today"] - dt.timedelta(days=1))
    ranked = rank_pins(facts(), fl.scope(u), start=lo, end=hi, metrics=["IMPRESSION", "SAVE_RATE"], sort_by=sort_by,
                       limit=limit)
    values = [model(sort_by, [r for r in rs if r["pin_id"] == p["pin_id"] and keep_user(r, u, fl) and ready(r, w)])
              for p in ranked]
    assert values == sorted(values, reverse=True)
    assert len(ranked) <= limit and len({p["pin_id"] for p in ranked}) == len(ranked)
    if limit == 50:  # every Pin: they add up to the user's total
        kept = [r for r in rs if keep_user(r, u, fl) and ready(r, w)]
        assert sum(p["impression"] for p in ranked) == model("IMPRESSION", kept)
        assert {p["pin_id"] for p in ranked} == {r["pin_id"] for r in kept}


def _fixed_rows(n: int = 300, seed: int = 4) -> list[dict[str, Any]]:
    """Many rows covering every combination often (seeded): for exhaustive filter checks."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        pin = int(rng.choice(sorted(OWNER)))
        content = str(rng.choice(["ORGANIC", "PAID"]))
        claimant = [None, 1, 2, 3][int(rng.integers(0, 4))]
        out.append({"day": BASE + dt.timedelta(days=int(rng.integers(0, DAYS))), "pin_id": pin,
                    "owner_user_id": OWNER[pin], "claimant_user_id": claimant,
                    "app_type": str(rng.choice(APP_TYPES)), "content_type": content,
                    "pin_format": str(rng.choice(ORGANIC_FORMATS if content == "ORGANIC" else PAID_FORMATS)),
                    **{c: int(rng.integers(0, 50)) for c in COUNTERS}})
    return out


@pytest.mark.parametrize("name, val", [(n, v) for n, vals in sorted(FILTER_VALUES.items()) for v in vals])
def test_every_filter_value_against_the_model(name, val):
    rs = _fixed_rows()
    load(rs)
    fl = Filters(**{name: val})
    w = {"start": BASE, "end": BASE + dt.timedelta(days=DAYS - 1), "today": BASE + dt.timedelta(days=DAYS),
         "created": BASE}
    for u in USERS:
        for split in ("NO_SPLIT", "APP_TYPE", "OWNED_CONTENT", "SOURCE", "PIN_FORMAT"):
            ans = bucket_answers(facts(), fl.scope(u), split=split, buckets=fl.buckets(split),
                                 metrics=["IMPRESSION", "SAVE_RATE"], start=w["start"], end=w["end"], today=w["today"],
                                 created=w["created"], before="BEFORE_BUSINESS_CREATED")
            kept = [r for r in rs if keep_user(r, u, fl)]
            assert sum(b["summary_metrics"]["IMPRESSION"] for b in ans.values()) == model("IMPRESSION", kept)
            if split == "NO_SPLIT":
                assert ans["all"]["summary_metrics"]["SAVE_RATE"] == pytest.approx(model("SAVE_RATE", kept))
        assert model("IMPRESSION", [r for r in rs if keep_user(r, u, fl)]) > 0  # not vacuous


# -- Pin analytics -------------------------------------------------------------------------------------
@SETTINGS
@given(rs=rows(), w=window(), pin=st.sampled_from(sorted(OWNER)), app=st.sampled_from(("ALL",) + APP_TYPES),
       metrics=st.lists(st.sampled_from([m for m in PIN_METRICS if m not in LIFETIME_METRICS]), min_size=1,
                        max_size=6, unique=True))
def test_pin_analytics_invariants(rs, w, pin, app, metrics):
    load(rs)
    apps = APP_TYPES if app == "ALL" else (app,)
    kw = dict(metrics=metrics, start=w["start"], end=w["end"], today=w["today"], created=w["created"],
              before="BEFORE_PIN_CREATED")
    scope = Scope(pin_id=pin, app_types=None if app == "ALL" else (app,))
    split = bucket_answers(facts(), scope, split="APP_TYPE", buckets=list(apps), **kw)
    whole = bucket_answers(facts(), scope, split="NO_SPLIT", buckets=["all"], **kw)
    check_days(split, metrics, w, "BEFORE_PIN_CREATED")
    check_days(whole, metrics, w, "BEFORE_PIN_CREATED")
    kept = [r for r in rs if r["pin_id"] == pin and r["app_type"] in apps and ready(r, w)]
    for m in metrics:
        assert whole["all"]["summary_metrics"][m] == pytest.approx(model(m, kept))
        for a in apps:
            assert split[a]["summary_metrics"][m] == pytest.approx(model(m, [r for r in kept if r["app_type"] == a]))
        if ORGANIC_CATALOG[m].additive:
            assert sum(b["summary_metrics"][m] for b in split.values()) == whole["all"]["summary_metrics"][m]


# -- the simulator -------------------------------------------------------------------------------------
UTC = dt.timezone.utc
START = dt.datetime(2026, 1, 1, tzinfo=UTC)


def organic_rows(store, where: str = "TRUE") -> list[tuple]:
    cols = ", ".join(["day", "pin_id", "owner_user_id", "claimant_user_id", "app_type", "content_type", "pin_format",
                      *ORGANIC_COUNTERS, "source"])
    return store.facts.fetch(f"SELECT {cols} FROM organic WHERE {where} ORDER BY ALL")


@pytest.fixture
def world(client, store):
    """alice (claimed website example.com) with 4 public Pins made on 2026-01-01 .. 2026-01-20 (one a video Pin,
    one linking elsewhere) and one secret Pin; bob with a Pin linking to example.com."""
    client.put("/_sandbox/clock", json={"now": START.isoformat(), "frozen": True})
    tok = f.token(client, "alice")
    bob = f.token(client, "bob")
    # alice claims example.com: the website serves her code, she verifies it
    code = client.get("/v5/user_account/websites/verification", headers=bearer(tok)).json()
    r = client.put("/_sandbox/websites", json={"website": "https://example.com", "meta_tag": code["metatag"]})
    assert r.status_code == 200, r.text
    r = client.post("/v5/user_account/websites", json={"website": "example.com", "verification_method": "METATAG"},
                    headers=bearer(tok))
    assert r.status_code == 200, r.text
    board = f.board(client, tok)["id"]
    secret = f.board(client, tok, privacy="SECRET")["id"]
    pins = []
    for i in range(4):
        client.put("/_sandbox/clock", json={"now": (START + dt.timedelta(days=5 * i)).isoformat(), "frozen": True})
        tok = f.token(client, "alice")
        link = "https://example.com/p" if i != 3 else "https://elsewhere.org/"
        pins.append(f.pin(client, tok, board, link=link)["id"])
    secret_pin = f.pin(client, tok, secret)["id"]
    bob_pin = f.pin(client, bob, f.board(client, bob)["id"], link="https://shop.example.com/x")["id"]
    from pinsandbox.organic.pins.tables import pins as pins_table

    with store.write() as conn:  # pins[1] becomes a video Pin of 30 s
        data = conn.execute(sa.select(pins_table.c.data).where(pins_table.c.id == int(pins[1]))).scalar()
        data = {**data, "creative_type": "VIDEO", "media": {"media_type": "video", "duration": 30000}}
        conn.execute(sa.update(pins_table).where(pins_table.c.id == int(pins[1])).values(data=data))
    return {"pins": pins, "secret_pin": secret_pin, "bob_pin": bob_pin, "alice": f.user_id(client, tok),
            "tok": tok}


def test_simulator_is_deterministic_idempotent_and_piecewise(client, store, world):
    end = START + dt.timedelta(days=60)
    n = organic_sim.simulate(store, start=START, end=end, seed=5)
    first = organic_rows(store)
    assert n == len(first) > 0
    organic_sim.simulate(store, start=START, end=end, seed=5)
    assert organic_rows(store) == first  # idempotent
    with store.facts.writing() as w:
        w.clear("organic")
    mid = START + dt.timedelta(days=23, hours=7)  # pieces need not be whole days
    organic_sim.simulate(store, start=START, end=mid, seed=5)
    organic_sim.simulate(store, start=mid - dt.timedelta(hours=7), end=end, seed=5)
    assert organic_rows(store) == first
    organic_sim.simulate(store, start=START, end=end, seed=6)
    assert organic_rows(store) != first  # another seed, other numbers
    # only whole days: a range that completes no day writes nothing
    assert organic_sim.simulate(store, start=end + dt.timedelta(hours=1), end=end + dt.timedelta(hours=20), seed=5) == 0


def test_simulated_rows_follow_the_pins(client, store, world):
    organic_sim.simulate(store, start=START, end=START + dt.timedelta(days=80), seed=11)
    rows = organic_rows(store)
    col = {name: i for i, name in enumerate(["day", "pin_id", "owner_user_id", "claimant_user_id", "app_type",
                                             "content_type", "pin_format", *ORGANIC_COUNTERS, "source"])}
    pins = [int(p) for p in world["pins"]]
    assert {r[col["pin_id"]] for r in rows} == set(pins) | {int(world["bob_pin"])}  # no secret Pin
    for r in rows:
        c = {k: r[col[k]] for k in ORGANIC_COUNTERS}
        assert r[col["source"]] == "sim" and r[col["content_type"]] == "ORGANIC"
        assert c["outbound_click"] <= c["pin_click"]
        assert c["engagement"] == c["save"] + c["pin_click"] + c["outbound_click"] + c["total_comments"] + \
            c["total_reactions"]
        for v in ("video_mrc_view", "video_10s_view", "quartile_95_percent_view"):
            assert c[v] <= c["video_start"] <= c["impression"]
        if r[col["pin_id"]] == pins[1]:
            assert r[col["pin_format"]] == "ORGANIC_VIDEO"
        else:
            assert r[col["pin_format"]] == "ORGANIC_IMAGE"
            assert c["video_start"] == c["video_v50_watch_time_ms"] == c["video_10s_view"] == 0
        # alice's website is example.com: her Pins linking there are claimed by her; bob's Pin links to
        # shop.example.com (another host), pins[3] elsewhere
        claimed = r[col["pin_id"]] in pins[:3]
        assert r[col["claimant_user_id"]] == (int(world["alice"]) if claimed else None)
    # nothing before a Pin was created (pins[i] on 2026-01-01 + 5 i days)
    for i, p in enumerate(pins):
        days = [r[col["day"]] for r in rows if r[col["pin_id"]] == p]
        assert min(days) >= (START + dt.timedelta(days=5 * i)).date()
    # growth with age: over the Pins, the first week averages fewer impressions than weeks 7-9
    early, late = [], []
    for i, p in enumerate(pins):
        born = (START + dt.timedelta(days=5 * i)).date()
        per_day: dict[dt.date, int] = {}
        for r in rows:
            if r[col["pin_id"]] == p:
                per_day[r[col["day"]]] = per_day.get(r[col["day"]], 0) + r[col["impression"]]
        early.append(np.mean([per_day.get(born + dt.timedelta(days=k), 0) for k in range(7)]))
        late.append(np.mean([per_day.get(born + dt.timedelta(days=k), 0) for k in range(42, 63)]))
    assert sum(late) > sum(early)


def test_paid_rows_are_the_simulated_delivery(client, store, world):
    tok, pin = world["tok"], world["pins"][0]
    acct = f.ad_account(client, tok)["id"]
    camp = f.campaign(client, tok, acct)["id"]
    group = f.ad_group(client, tok, acct, camp)["id"]
    r = client.post(f"/v5/ad_accounts/{acct}/ads", json=[{"ad_group_id": group, "creative_type": "REGULAR",
                                                           "pin_id": pin}], headers=bearer(tok))
    ad = r.json()["items"][0]["data"]["id"]
    delivery = [
        {"hour": "2026-01-10T03:00:00Z", "ad_id": ad, "impression_1": 100, "repin_1": 3, "clickthrough_1": 5,
         "outbound_click_1": 2, "engagement_1": 11, "apptype": "iphone", "source": "sim"},
        {"hour": "2026-01-10T20:00:00Z", "ad_id": ad, "impression_1": 50, "clickthrough_1": 1, "apptype": "web",
         "source": "sim"},
        {"hour": "2026-01-10T21:00:00Z", "ad_id": ad, "impression_1": 7, "apptype": "ipad", "source": "fixture"},
    ]
    assert client.post("/_sandbox/facts", json={"table": "delivery", "rows": delivery}).status_code == 200
    organic_sim.simulate(store, start=START, end=START + dt.timedelta(days=12), seed=3)
    paid = store.facts.fetch("SELECT day, app_type, pin_format, impression, save, pin_click, outbound_click, "
                             "engagement, video_10s_view FROM organic WHERE content_type = 'PAID' ORDER BY app_type")
    assert paid == [(dt.date(2026, 1, 10), "MOBILE", "ADS_STANDARD", 100, 3, 5, 2, 11, 0),
                    (dt.date(2026, 1, 10), "WEB", "ADS_STANDARD", 50, 0, 1, 0, 0, 0)]


def test_simulated_facts_answer_through_the_api(client, store, world):
    """The simulated rows, read through user account analytics: the split adds up, READY days carry them."""
    organic_sim.simulate(store, start=START, end=START + dt.timedelta(days=40), seed=9)
    client.put("/_sandbox/clock", json={"now": (START + dt.timedelta(days=40, hours=5)).isoformat(), "frozen": True})
    tok = f.token(client, "alice")
    params = {"start_date": "2026-01-15", "end_date": "2026-02-10", "metric_types": "IMPRESSION,SAVE"}
    whole = client.get("/v5/user_account/analytics", params=params, headers=bearer(tok)).json()["all"]
    split = client.get("/v5/user_account/analytics", params={**params, "split_field": "APP_TYPE"},
                       headers=bearer(tok)).json()
    expected = store.facts.fetch("SELECT SUM(impression) FROM organic WHERE (owner_user_id = ? OR claimant_user_id = ?)"
                                 " AND day BETWEEN ? AND ?", [int(world["alice"])] * 2 +
                                 [dt.date(2026, 1, 15), dt.date(2026, 2, 9)])[0][0]
    assert whole["summary_metrics"]["IMPRESSION"] == expected > 0
    assert sum(b["summary_metrics"]["IMPRESSION"] for b in split.values()) == expected
    assert [d["data_status"] for d in whole["daily_metrics"]][-1] == "PROCESSING"  # 2026-02-10 is today


def test_simulate_endpoint_and_catch_up_write_organic_facts(client, store, world):
    """POST /_sandbox/simulate writes the organic facts of the days it completes; moving the clock on
    past midnight makes catch-up add the day that ended."""
    client.put("/_sandbox/clock", json={"now": "2026-02-10T05:30:00Z", "frozen": True})
    r = client.post("/_sandbox/simulate", json={"days": 20, "seed": 4})
    assert r.status_code == 200, r.text
    days = [d for (d,) in store.facts.fetch("SELECT DISTINCT day FROM organic ORDER BY 1")]
    assert days[0] == dt.date(2026, 1, 21) and days[-1] == dt.date(2026, 2, 9)  # 2026-02-10 is not over
    client.put("/_sandbox/clock", json={"now": "2026-02-11T02:00:00Z", "frozen": True})
    tok = f.token(client, "alice")
    r = client.get("/v5/user_account/analytics", headers=bearer(tok), params={
        "start_date": "2026-02-09", "end_date": "2026-02-11", "metric_types": "IMPRESSION"})
    assert r.status_code == 200
    got = r.json()["all"]["daily_metrics"]
    assert [d["data_status"] for d in got] == ["READY", "READY", "PROCESSING"]
    assert got[1]["metrics"]["IMPRESSION"] > 0  # 2026-02-10, simulated by catch-up
    assert store.facts.fetch("SELECT max(day) FROM organic")[0][0] == dt.date(2026, 2, 10)

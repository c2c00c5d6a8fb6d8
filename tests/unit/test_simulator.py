"""The delivery simulator: determinism, chunk invariance, caps, funnel, reach, targeting, conversions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
import sqlalchemy as sa

from pinsandbox.ads.ads.tables import ads as ads_table
from pinsandbox.reporting import simulator, vocab
from tests.simdata import DAY, MICRO, T0, T0_TS, advertiser, set_clock

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def rows(store, table: str, order: str) -> list[dict]:
    cur = store.facts.cursor().execute(f"SELECT * FROM {table} ORDER BY {order}")
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def delivery(store) -> list[dict]:
    return rows(store, "delivery", "hour, ad_id, people_lo")


def conversions(store) -> list[dict]:
    return rows(store, "conversions", "action_time, ad_id, conversion_time, event_type")


def run(store, start: dt.datetime, end: dt.datetime, seed: int = 7) -> simulator.SimResult:
    return simulator.simulate(store, start=start, end=end, seed=seed)


@pytest.fixture
def mixed(client, store):
    """Two campaigns with varied targeting and caps (some bind), one video ad, keywords."""
    adv = advertiser(client)
    c1 = adv.campaign()
    g_female = adv.ad_group(c1, targeting_spec={"GENDER": ["female"], "LOCATION": ["US"]})
    c3 = adv.campaign(objective_type="AWARENESS")
    g_small = adv.ad_group(c3, billable_event="IMPRESSION", budget_in_micro_currency=2 * MICRO)
    g_gb = adv.ad_group(c1, targeting_spec={"LOCATION": ["GB", "501"], "INTEREST": ["918530398158"],
                                        "AGE_BUCKET": ["25-34", "35-44"], "APPTYPE": ["iphone", "web"]})
    g_life = adv.ad_group(c1, budget_type="LIFETIME", budget_in_micro_currency=6 * MICRO,
                          end_time=T0_TS + 10 * DAY, placement_group="SEARCH",
                          targeting_spec={"AUDIENCE_INCLUDE": ["5551234"]})
    adv.keywords(g_life, "spring garden ideas", "raised beds")
    c2 = adv.campaign(objective_type="AWARENESS", daily_spend_cap=3 * MICRO)
    g_aw = adv.ad_group(c2, billable_event="IMPRESSION")
    ads = {"female": [adv.ad(g_female), adv.ad(g_female)], "gb": [adv.ad(g_gb)], "life": [adv.ad(g_life)],
           "small": [adv.ad(g_small)],
           "aw": [adv.ad(g_aw), adv.ad(g_aw)]}
    with store.write() as conn:  # a video ad (the sandbox cannot upload videos through the API yet)
        vid = int(ads["aw"][1]["id"])
        data = dict(conn.execute(sa.select(ads_table.c.data).where(ads_table.c.id == vid)).scalar())
        data["creative_type"] = "VIDEO"
        conn.execute(sa.update(ads_table).where(ads_table.c.id == vid).values(data=data))
    set_clock(client, T0 + 9 * D)
    return {"adv": adv, "groups": {"female": g_female, "gb": g_gb, "life": g_life, "aw": g_aw, "small": g_small},
            "campaigns": {"c1": c1, "c2": c2}, "ads": ads}


def test_same_seed_same_facts_and_rerun_is_idempotent(store, mixed):
    first = run(store, T0, T0 + 3 * D)
    assert first.delivery_rows > 100 and first.conversion_rows > 10
    d1, c1 = delivery(store), conversions(store)
    again = run(store, T0, T0 + 3 * D)  # deletes the range's sim rows, writes them again
    assert (again.delivery_rows, again.conversion_rows) == (first.delivery_rows, first.conversion_rows)
    assert delivery(store) == d1 and conversions(store) == c1
    store.facts.clear()
    run(store, T0, T0 + 3 * D, seed=8)
    assert delivery(store) != d1


def test_split_ranges_give_the_same_facts(store, mixed, monkeypatch):
    run(store, T0, T0 + 5 * D)
    whole_d, whole_c = delivery(store), conversions(store)
    store.facts.clear()
    monkeypatch.setattr(simulator, "TARGET_ROWS_PER_CHUNK", 1)  # one day per chunk: the pipelined path
    b = T0 + 2 * D + 7 * H  # mid-day: the day is generated whole both times
    run(store, T0, b)
    run(store, b, T0 + 3 * D + 13 * H)
    run(store, T0 + 3 * D + 13 * H, T0 + 5 * D)
    assert delivery(store) == whole_d
    assert conversions(store) == whole_c
    assert store.facts.get_meta("sim_watermark") == (T0 + 5 * D).replace(tzinfo=None).isoformat()


def test_caps_are_never_exceeded(store, mixed):
    run(store, T0, T0 + 9 * D)
    g, c = mixed["groups"], mixed["campaigns"]
    per_day = defaultdict(int)
    total = defaultdict(int)
    for r in store.facts.fetch("SELECT ad_group_id, campaign_id, CAST(hour AS DATE), SUM(spend_micro) FROM delivery "
                               "GROUP BY ALL"):
        gid, cid, day, spend = str(r[0]), str(r[1]), r[2], int(r[3])
        per_day[(gid, day)] += spend
        per_day[(cid, day)] += spend
        total[gid] += spend
        total[cid] += spend
    days = {day for (_, day) in per_day}
    assert len(days) == 9
    # DAILY ad group budget of 2 units: binds (uncapped delivery would spend more) and never passes
    small_days = [per_day[(g["small"]["id"], d)] for d in days]
    assert max(small_days) <= 2 * MICRO and min(small_days) > 1.8 * MICRO
    # LIFETIME budget of 6 units over the ad group's life: spent, then delivery stops
    assert 4 * MICRO < total[g["life"]["id"]] <= 6 * MICRO
    life_days = sorted(d for d in days if per_day[(g["life"]["id"], d)] > 0)
    assert len(life_days) < 9
    # campaign daily_spend_cap of 3 units across its ad groups
    c2_days = [per_day[(c["c2"]["id"], d)] for d in days]
    assert max(c2_days) <= 3 * MICRO and min(c2_days) > 2 * MICRO
    # lifetime caps also count the spend before a run
    store.facts.clear()
    run(store, T0, T0 + 4 * D)
    run(store, T0 + 4 * D, T0 + 9 * D)
    assert store.facts.fetch("SELECT SUM(spend_micro) FROM delivery WHERE ad_group_id = ?",
                             [int(g["life"]["id"])])[0][0] == total[g["life"]["id"]]


def test_campaign_lifetime_cap_and_cbo_budget(client, store):
    adv = advertiser(client, username="capper")
    life = adv.campaign(lifetime_spend_cap=5 * MICRO)
    adv.ad(adv.ad_group(life))
    adv.ad(adv.ad_group(life))
    cbo = adv.campaign(objective_type="AWARENESS", is_campaign_budget_optimization=True, daily_spend_cap=2 * MICRO)
    adv.ad(adv.ad_group(cbo, billable_event="IMPRESSION"))
    adv.ad(adv.ad_group(cbo, billable_event="IMPRESSION"))
    set_clock(client, T0 + 6 * D)
    run(store, T0, T0 + 6 * D)
    assert 3 * MICRO < store.facts.fetch("SELECT SUM(spend_micro) FROM delivery WHERE campaign_id = ?",
                                         [int(life["id"])])[0][0] <= 5 * MICRO
    cbo_days = [int(r[0]) for r in store.facts.fetch(
        "SELECT SUM(spend_micro) FROM delivery WHERE campaign_id = ? GROUP BY CAST(hour AS DATE)", [int(cbo["id"])])]
    assert len(cbo_days) == 6 and max(cbo_days) <= 2 * MICRO and min(cbo_days) > MICRO


def test_funnel_and_reach_invariants(store, mixed):
    run(store, T0, T0 + 3 * D)
    video_ad = int(mixed["ads"]["aw"][1]["id"])
    got = delivery(store)
    per_ad_hour = defaultdict(int)
    for r in got:
        imps = r["impression_1"] + r["impression_2"]
        assert r["impression_1"] > 0
        assert 1 <= r["people_n"] <= imps
        assert 0 <= r["people_lo"] and r["people_lo"] + r["people_n"] <= 2 ** 24
        assert r["engagement_1"] == r["clickthrough_1"] + r["outbound_click_1"] + r["repin_1"] + r["closeup_1"]
        assert r["engagement_2"] == r["clickthrough_2"] + r["outbound_click_2"] + r["repin_2"] + r["closeup_2"]
        assert r["outbound_click_1"] <= r["clickthrough_1"] and r["web_sessions_1"] <= r["outbound_click_1"]
        assert r["web_sessions_2"] <= r["outbound_click_2"]
        assert r["impression_1_gross"] >= r["impression_1"] and r["clickthrough_1_gross"] >= r["clickthrough_1"]
        assert r["impression_2"] <= r["impression_1"] and r["clickthrough_2"] <= r["clickthrough_1"]
        for b in ("onsite_checkouts_1", "leads", "quiz_completed", "showcase_sessions", "idea_pin_product_tag_visit_1"):
            assert r[b] == 0
        if r["ad_id"] == video_ad:
            for n in (1, 2):
                q = [r[f"video_{k}_{n}"] for k in ("p0_combined", "p25_combined", "p50_combined", "p75_combined",
                                                   "p95_combined", "p100_complete")]
                assert q == sorted(q, reverse=True)
                assert r[f"video_3sec_views_{n}"] <= q[0] and r[f"video_mrc_views_{n}"] <= q[0]
                assert (r[f"video_watchtime_ms_{n}"] > 0) == (q[0] > 0)
        else:
            assert all(r[k] == 0 for k in r if k.startswith("video_"))
        per_ad_hour[(r["ad_id"], r["hour"])] += 1
    assert max(per_ad_hour.values()) == 4 and min(per_ad_hour.values()) == 1
    assert sum(r["video_p0_combined_1"] for r in got if r["ad_id"] == video_ad) > 0
    # CTR of each ad with enough impressions in the documented range; earned impressions 3-15% of paid
    checked = 0
    for ad_id in {r["ad_id"] for r in got}:
        mine = [r for r in got if r["ad_id"] == ad_id]
        imps = sum(r["impression_1"] for r in mine)
        if imps < 10_000:
            continue
        checked += 1
        assert 0.002 <= sum(r["clickthrough_1"] for r in mine) / imps <= 0.025
        assert 0.025 <= sum(r["impression_2"] for r in mine) / imps <= 0.16
    assert checked >= 2
    # reach: one ad's blocks of a day overlap (daily reach < sum of hourly), stay in its group's block,
    # and move from day to day
    ad_id = int(mixed["ads"]["female"][0]["id"])
    spans = defaultdict(list)
    for r in got:
        if r["ad_id"] == ad_id:
            spans[r["hour"].date()].append((r["people_lo"], r["people_lo"] + r["people_n"]))
    unions = {}
    for day, blocks in spans.items():
        covered = set()
        for lo, hi in blocks:
            covered.update(range(lo, hi))
        unions[day] = covered
        assert len(covered) < 0.8 * sum(hi - lo for lo, hi in blocks)
    days = sorted(unions)
    assert unions[days[0]] != unions[days[1]]
    assert unions[days[0]] & unions[days[1]] or min(unions[days[1]]) > max(unions[days[0]]) - 10 ** 7


def test_segments_respect_targeting(store, mixed):
    run(store, T0, T0 + 2 * D)
    g = mixed["groups"]
    by_group = defaultdict(list)
    for r in delivery(store):
        by_group[str(r["ad_group_id"])].append(r)
    female = by_group[g["female"]["id"]]
    assert {r["gender"] for r in female} == {"female"}
    assert {r["country"] for r in female} == {"US"}
    assert all(r["location"] in vocab.METROS and r["region"] == vocab.METROS[r["location"]].region for r in female)
    assert all(r["geo"].startswith("US:") for r in female)
    assert len({r["location"] for r in female}) > 5
    assert all(r["targeted_interest"] is None and r["audience_include"] is None for r in female)
    assert {r["placement"] for r in female} == {"SEARCH", "BROWSE", "OTHER"}
    assert all(r["keyword"] is None for r in female)  # no keywords in that group
    assert {r["gender"] for r in by_group[g["gb"]["id"]]} == {"female", "male", "unknown"}

    gb = by_group[g["gb"]["id"]]
    assert {r["country"] for r in gb} == {"GB", "US"}
    assert {r["location"] for r in gb if r["country"] == "US"} == {"501"}
    assert all(r["location"] is None and r["region"].startswith("GB-") and r["geo"].startswith("GB:")
               for r in gb if r["country"] == "GB")
    assert {r["targeted_interest"] for r in gb} == {"Food and Drinks"}
    assert {r["age_bucket"] for r in gb} == {"25-34", "35-44"}
    assert {r["apptype"] for r in gb} == {"iphone", "web"}
    assert len({r["pinner_interest"] for r in gb}) > 1
    interests = {name for name, _ in vocab.INTERESTS.values()}
    assert all(r["pinner_interest"] in interests for rs in by_group.values() for r in rs)

    life = by_group[g["life"]["id"]]
    assert {r["placement"] for r in life} == {"SEARCH"}
    assert {r["keyword"] for r in life} == {"spring garden ideas", "raised beds"}
    assert {r["audience_include"] for r in life} == {"5551234"}
    assert {r["country"] for r in life} == {"US"}  # no LOCATION: the ad account's country


def test_conversions_follow_their_rows(store, mixed):
    run(store, T0, T0 + 3 * D)
    seg = ("ad_id", "ad_group_id", "campaign_id", "pin_id", "gender", "age_bucket", "apptype", "placement",
           "country", "location", "region", "geo", "keyword", "targeted_interest", "pinner_interest",
           "audience_include")
    rows_at = defaultdict(set)
    for r in delivery(store):
        rows_at[r["hour"]].add(tuple(r[k] for k in seg))
    got = conversions(store)
    assert len(got) > 50
    app_types = {"iphone", "ipad", "android_mobile", "android_tablet"}
    for c in got:
        hour = c["action_time"].replace(minute=0, second=0, microsecond=0)
        assert tuple(c[k] for k in seg) in rows_at[hour]
        lag = c["conversion_time"] - c["action_time"]
        assert dt.timedelta(0) <= lag < dt.timedelta(days=60)
        assert c["action_device"] == vocab.DEVICE_OF_APPTYPE[c["apptype"]]
        if c["channel"] == "INAPP":
            assert c["apptype"] in app_types and c["conversion_device"] == c["action_device"]
        if c["channel"] == "PINTEREST":
            assert c["event_type"] == "CHECKOUT"
        if c["event_type"] == "APP_INSTALL":
            assert c["channel"] == "INAPP"
        assert 1 <= c["quantity"] <= 3
        assert (c["value_micro"] > 0) == (c["event_type"] in ("CHECKOUT", "ADD_TO_CART", "CUSTOM"))
        assert c["action_type"] in ("CLICK", "ENGAGEMENT", "VIEW") and c["source"] == "sim"
    share = sum(c["attribution"] == "INDIVIDUAL" for c in got) / len(got)
    assert 0.7 < share < 0.97
    same = sum(c["conversion_device"] == c["action_device"] for c in got) / len(got)
    assert same > 0.75
    assert {c["channel"] for c in got} >= {"WEB", "INAPP"}
    assert max(c["conversion_time"] for c in got) > (T0 + 3 * D).replace(tzinfo=None)  # lags past the range


def test_only_live_entities_in_their_time_windows(client, store):
    adv = advertiser(client, username="windows")
    camp = adv.campaign(start_time=T0_TS + DAY, end_time=T0_TS + 3 * DAY)
    group = adv.ad_group(camp, start_time=T0_TS + DAY + 6 * 3600, end_time=T0_TS + 2 * DAY + 18 * 3600)
    live = adv.ad(group)
    adv.ad(group, status="PAUSED")
    paused_camp = adv.campaign(status="PAUSED")
    adv.ad(adv.ad_group(paused_camp))
    other = adv.campaign()
    paused_group = adv.ad_group(other, status="PAUSED")
    adv.ad(paused_group)
    set_clock(client, T0 + 4 * D)
    run(store, T0, T0 + 4 * D)
    ads_, lo, hi = store.facts.fetch("SELECT list(DISTINCT ad_id), min(hour), max(hour) FROM delivery")[0]
    assert ads_ == [int(live["id"])]
    assert lo == (T0 + D + 6 * H).replace(tzinfo=None) and hi == (T0 + 2 * D + 17 * H).replace(tzinfo=None)


def test_spend_is_in_the_account_currency(client, store):
    spend = {}
    for country in ("US", "JP"):
        adv = advertiser(client, username=f"cur{country}", country=country)
        camp = adv.campaign(objective_type="AWARENESS")
        adv.ad(adv.ad_group(camp, billable_event="IMPRESSION", targeting_spec={"LOCATION": ["US"]}))
        spend[country] = camp["id"]
    set_clock(client, T0 + 3 * D)
    run(store, T0, T0 + 3 * D)
    cpm = {}
    for country, cid in spend.items():
        s, i = store.facts.fetch("SELECT SUM(spend_micro), SUM(impression_1) FROM delivery WHERE campaign_id = ?",
                                 [int(cid)])[0]
        cpm[country] = s / i
    assert 40 < cpm["JP"] / cpm["US"] < 600  # JPY is ~150 to the dollar


def test_catch_up_follows_the_clock(client, store, mixed):
    assert simulator.catch_up(store) == 0  # never started
    assert store.facts.fetch("SELECT count(*) FROM delivery")[0][0] == 0
    run(store, T0, T0 + 2 * D)
    set_clock(client, T0 + 2 * D + 5 * H + dt.timedelta(minutes=40))
    written = simulator.catch_up(store)
    assert written > 0
    lo, hi = store.facts.fetch("SELECT min(hour), max(hour) FROM delivery WHERE hour >= ?",
                               [(T0 + 2 * D).replace(tzinfo=None)])[0]
    assert lo == (T0 + 2 * D).replace(tzinfo=None) and hi == (T0 + 2 * D + 4 * H).replace(tzinfo=None)
    assert simulator.catch_up(store) == 0  # nothing new: the hour in progress is not simulated
    assert simulator.status(store) == {"enabled": True, "seed": 7,
                                       "watermark": (T0 + 2 * D + 5 * H).replace(tzinfo=None).isoformat()}
    simulator.disable(store)
    set_clock(client, T0 + 3 * D)
    assert simulator.catch_up(store) == 0
    simulator.enable(store, seed=7)  # from the current hour on
    set_clock(client, T0 + 3 * D + 2 * H)
    assert simulator.catch_up(store) > 0
    assert store.facts.fetch("SELECT count(*) FROM delivery WHERE hour >= ? AND hour < ?",
                             [(T0 + 2 * D + 5 * H).replace(tzinfo=None), (T0 + 3 * D).replace(tzinfo=None)])[0][0] == 0


def test_empty_sandbox_and_bad_range(store, client):
    result = run(store, T0, T0 + D)
    assert (result.delivery_rows, result.conversion_rows, result.ads) == (0, 0, 0)
    assert simulator.status(store)["watermark"] == (T0 + D).replace(tzinfo=None).isoformat()
    with pytest.raises(ValueError, match="before start"):
        run(store, T0 + D, T0)


def test_catch_up_after_a_long_jump_simulates_only_the_last_days(store, client, monkeypatch):
    """A clock moved years ahead (or a watermark left far back) does not make the next analytics call
    simulate every hour in between: catch-up starts at most CATCH_UP_MAX_DAYS before now."""
    simulator.enable(store, seed=3, start=dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc))
    set_clock(client, T0 + 5 * H + dt.timedelta(minutes=10))
    calls = []
    real = simulator.simulate
    monkeypatch.setattr(simulator, "simulate", lambda store, **kw: calls.append(kw) or real(store, **kw))
    simulator.catch_up(store)
    assert [(c["start"], c["end"]) for c in calls] == [
        (T0 + 5 * H - dt.timedelta(days=simulator.CATCH_UP_MAX_DAYS), T0 + 5 * H)]
    assert simulator.status(store)["watermark"] == (T0 + 5 * H).replace(tzinfo=None).isoformat()


def test_stored_times_past_int64_do_not_stop_the_simulator(client, store):
    """The API bounds start/end times now; a row stored before it did (end_time 2**63) must not make the
    simulator, and with it every account's analytics, fail."""
    adv = advertiser(client)
    group = adv.ad_group(adv.campaign())
    ad = adv.ad(group)
    with store.write() as conn:
        from pinsandbox.ads.campaigns.tables import campaigns

        cid = int(group["campaign_id"])
        data = dict(conn.execute(sa.select(campaigns.c.data).where(campaigns.c.id == cid)).scalar())
        data["end_time"] = 2**63
        conn.execute(sa.update(campaigns).where(campaigns.c.id == cid).values(data=data))
    result = run(store, T0, T0 + D)
    assert result.ads == 1 and result.delivery_rows > 0 and ad

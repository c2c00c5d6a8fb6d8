"""The query layer over a hand-built in-memory fact store: exact numbers for each kind of metric,
conversion windows, report time, attribution, time buckets, breakdowns and entity filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pyarrow as pa
import pytest

from pinsandbox.reporting.facts import FactStore
from pinsandbox.reporting.query import AnalyticsQuery, run_query

UTC = dt.timezone.utc
ACCT, OTHER_ACCT = 1, 2
# ad -> (campaign, ad group, pin)
ADS = {1000: (10, 100, 5000), 1001: (10, 100, 5001), 2000: (20, 200, 5002), 9000: (90, 900, 5009)}
ACCOUNT_OF = {1000: ACCT, 1001: ACCT, 2000: ACCT, 9000: OTHER_ACCT}
LATER = dt.datetime(2026, 1, 1, tzinfo=UTC)


def _entity(ad: int) -> dict[str, int]:
    campaign, group, pin = ADS[ad]
    return {"ad_account_id": ACCOUNT_OF[ad], "campaign_id": campaign, "ad_group_id": group, "ad_id": ad,
            "pin_id": pin}


def deliver(facts: FactStore, ad: int, hour: dt.datetime, **counters: Any) -> None:
    facts.append("delivery", pa.Table.from_pylist([{"hour": hour, **_entity(ad), **counters}]))


def convert(facts: FactStore, ad: int, action_time: dt.datetime, lag: dt.timedelta, *, action: str = "CLICK",
            event: str = "CHECKOUT", **fields: Any) -> None:
    row = {**_entity(ad), "action_type": action, "action_time": action_time, "conversion_time": action_time + lag,
           "event_type": event, **fields}
    facts.append("conversions", pa.Table.from_pylist([row]))


def query(facts: FactStore, metrics: list[str], *, start: dt.date, end: dt.date | None = None,
          granularity: str = "TOTAL", level: str = "AD", now: dt.datetime = LATER, **kw: Any) -> list[dict[str, Any]]:
    q = AnalyticsQuery(ad_account_id=kw.pop("ad_account_id", ACCT), level=level, start=start, end=end or start,
                       granularity=granularity, metrics=metrics, now=now, **kw)
    return run_query(facts, q)


@pytest.fixture
def facts():
    f = FactStore(None)
    yield f
    f.close()


D = dt.date(2025, 3, 5)  # a Wednesday


def at(day: dt.date, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute))


# -- kinds of metric -------------------------------------------------------------------------------

def test_counts_and_micro_currency_are_sums(facts):
    deliver(facts, 1000, at(D, 10), impression_1=100, impression_2=20, clickthrough_1=5, clickthrough_2=1,
            spend_micro=1_500_000, engagement_1=9, engagement_2=2)
    deliver(facts, 1000, at(D, 11), impression_1=50, impression_2=10, clickthrough_1=3, clickthrough_2=0,
            spend_micro=2_500_000, engagement_1=4, engagement_2=1)
    [row] = query(facts, ["PAID_IMPRESSION", "IMPRESSION_2", "TOTAL_IMPRESSION", "CLICKTHROUGH_1", "TOTAL_CLICKTHROUGH",
                          "SPEND_IN_MICRO_DOLLAR", "TOTAL_ENGAGEMENT"], start=D)
    assert row == {"ad_id": 1000, "PAID_IMPRESSION": 150, "IMPRESSION_2": 30, "TOTAL_IMPRESSION": 180,
                   "CLICKTHROUGH_1": 8, "TOTAL_CLICKTHROUGH": 9, "SPEND_IN_MICRO_DOLLAR": 4_000_000,
                   "TOTAL_ENGAGEMENT": 16}
    assert all(isinstance(row[k], int) for k in row)


def test_ratios_costs_and_currency_are_ratios_of_sums(facts):
    # per-row CTRs are 5% and 10%; the ratio of sums is 25/300, not their mean
    deliver(facts, 1000, at(D, 10), impression_1=200, clickthrough_1=10, impression_2=40, clickthrough_2=4,
            spend_micro=3_000_000, engagement_1=20, outbound_click_1=4)
    deliver(facts, 1000, at(D, 12), impression_1=100, clickthrough_1=10, impression_2=60, clickthrough_2=1,
            spend_micro=1_000_000, engagement_1=5, outbound_click_1=0)
    [row] = query(facts, ["CTR", "ECTR", "CPC_IN_MICRO_DOLLAR", "ECPC_IN_MICRO_DOLLAR", "CPM_IN_MICRO_DOLLAR",
                          "CPM_IN_DOLLAR", "SPEND_IN_DOLLAR", "ECPC_IN_DOLLAR", "ENGAGEMENT_RATE",
                          "COST_PER_OUTBOUND_CLICK_IN_DOLLAR"], start=D)
    assert row["CTR"] == pytest.approx(20 / 300)
    assert row["ECTR"] == pytest.approx(25 / 400)
    assert row["CPC_IN_MICRO_DOLLAR"] == pytest.approx(4_000_000 / 20)
    assert row["ECPC_IN_MICRO_DOLLAR"] == pytest.approx(4_000_000 / 25)
    assert row["CPM_IN_MICRO_DOLLAR"] == pytest.approx(4_000_000 * 1000 / 300)
    assert row["CPM_IN_DOLLAR"] == pytest.approx(4.0 * 1000 / 300)
    assert row["SPEND_IN_DOLLAR"] == 4.0
    assert row["ECPC_IN_DOLLAR"] == pytest.approx(4.0 / 25)
    assert row["ENGAGEMENT_RATE"] == pytest.approx(25 / 300)
    assert row["COST_PER_OUTBOUND_CLICK_IN_DOLLAR"] == pytest.approx(4.0 / 4)
    assert isinstance(row["CPC_IN_MICRO_DOLLAR"], float) and isinstance(row["SPEND_IN_DOLLAR"], float)


def test_zero_denominator_leaves_the_column_out(facts):
    deliver(facts, 1000, at(D, 10), impression_1=0, impression_2=30, clickthrough_2=3, spend_micro=0)
    deliver(facts, 1001, at(D, 10), impression_1=10, clickthrough_1=0, spend_micro=500)
    rows = {r["ad_id"]: r for r in query(facts, ["CTR", "CTR_2", "CPC_IN_MICRO_DOLLAR", "PAID_IMPRESSION"], start=D)}
    assert rows[1000] == {"ad_id": 1000, "CTR_2": pytest.approx(0.1), "PAID_IMPRESSION": 0}  # no paid impression
    assert rows[1001] == {"ad_id": 1001, "CTR": 0.0, "PAID_IMPRESSION": 10}  # 0 clicks: CTR 0, CPC none, CTR_2 none


def test_reach_is_the_union_of_people_blocks_and_frequency_divides_by_it(facts):
    deliver(facts, 1000, at(D, 1), impression_1=120, people_lo=0, people_n=100)
    deliver(facts, 1000, at(D, 2), impression_1=60, people_lo=50, people_n=50)  # inside the first block
    deliver(facts, 1000, at(D, 3), impression_1=80, people_lo=90, people_n=60)  # overlaps [90, 100)
    deliver(facts, 1000, at(D, 4), impression_1=10, people_lo=1000, people_n=10)  # disjoint
    deliver(facts, 1000, at(D, 5), impression_1=30, people_lo=150, people_n=5)  # adjacent to [90, 150)
    [row] = query(facts, ["TOTAL_IMPRESSION_USER", "TOTAL_IMPRESSION_FREQUENCY", "PAID_IMPRESSION"], start=D)
    assert row["TOTAL_IMPRESSION_USER"] == 155 + 10
    assert row["TOTAL_IMPRESSION_FREQUENCY"] == pytest.approx(300 / 165)
    # a day with no people reached: reach 0, frequency has no value
    deliver(facts, 1001, at(D, 1), impression_1=5)
    rows = {r["ad_id"]: r for r in query(facts, ["TOTAL_IMPRESSION_USER", "TOTAL_IMPRESSION_FREQUENCY"], start=D)}
    assert rows[1001] == {"ad_id": 1001, "TOTAL_IMPRESSION_USER": 0}


def test_reach_with_repeated_blocks_after_a_gap(facts):
    """Identical blocks (several segment rows reaching the same people) after a gap: the gap is not reach."""
    deliver(facts, 1000, at(D, 1), impression_1=10, people_lo=0, people_n=10)
    facts.append("delivery", pa.Table.from_pylist([
        {"hour": at(D, 2 + i % 20), **_entity(1000 + i % 2), "impression_1": 10, "people_lo": 100, "people_n": 10}
        for i in range(40)]))
    [row] = query(facts, ["TOTAL_IMPRESSION_USER"], start=D, level="AD_GROUP")
    assert row["TOTAL_IMPRESSION_USER"] == 20


def test_reach_over_days_and_entities_is_not_a_sum(facts):
    nxt = D + dt.timedelta(days=1)
    deliver(facts, 1000, at(D, 1), impression_1=10, people_lo=0, people_n=10)
    deliver(facts, 1000, at(nxt, 1), impression_1=10, people_lo=5, people_n=10)  # 5 repeat people
    deliver(facts, 1001, at(D, 1), impression_1=10, people_lo=8, people_n=4)
    days = query(facts, ["TOTAL_IMPRESSION_USER"], start=D, end=nxt, granularity="DAY", level="AD_GROUP")
    assert [(r["time"], r["TOTAL_IMPRESSION_USER"]) for r in days] == [(D, 12), (nxt, 10)]
    [total] = query(facts, ["TOTAL_IMPRESSION_USER"], start=D, end=nxt, level="AD_GROUP")
    assert total["TOTAL_IMPRESSION_USER"] == 15


def test_video_average_watch_time(facts):
    deliver(facts, 1000, at(D, 1), video_watchtime_ms_1=30_000, video_p0_combined_1=10, video_watchtime_ms_2=9_000,
            video_p0_combined_2=2)
    deliver(facts, 1000, at(D, 2), video_watchtime_ms_1=6_000, video_p0_combined_1=2)
    [row] = query(facts, ["VIDEO_AVG_WATCHTIME_IN_SECOND_1", "VIDEO_AVG_WATCHTIME_IN_SECOND_2",
                          "TOTAL_VIDEO_AVG_WATCHTIME_IN_SECOND", "TOTAL_VIDEO_P0_COMBINED"], start=D)
    assert row["VIDEO_AVG_WATCHTIME_IN_SECOND_1"] == pytest.approx(36.0 / 12)
    assert row["VIDEO_AVG_WATCHTIME_IN_SECOND_2"] == pytest.approx(9.0 / 2)
    assert row["TOTAL_VIDEO_AVG_WATCHTIME_IN_SECOND"] == pytest.approx(45.0 / 14)
    assert row["TOTAL_VIDEO_P0_COMBINED"] == 14


def test_conversion_measures_filter_by_event_channel_device_and_value(facts):
    t = at(D, 9)
    deliver(facts, 1000, at(D, 9), spend_micro=2_000_000, clickthrough_1=4)
    convert(facts, 1000, t, dt.timedelta(hours=1), event="CHECKOUT", channel="WEB", quantity=2, value_micro=30_000_000)
    convert(facts, 1000, t, dt.timedelta(hours=2), event="CHECKOUT", channel="INAPP", quantity=1, value_micro=10_000_000,
            action_device="DESKTOP", conversion_device="MOBILE")
    convert(facts, 1000, t, dt.timedelta(hours=3), event="SIGNUP", action="ENGAGEMENT")
    [row] = query(facts, ["TOTAL_CONVERSIONS", "TOTAL_CONVERSIONS_QUANTITY", "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR",
                          "TOTAL_CLICK_CHECKOUT", "TOTAL_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "TOTAL_ENGAGEMENT_SIGNUP",
                          "TOTAL_WEB_CHECKOUT", "TOTAL_WEB_CHECKOUT_VALUE_IN_MICRO_DOLLAR", "TOTAL_INAPP_CHECKOUT",
                          "TOTAL_CHECKOUT_DESKTOP_ACTION_TO_MOBILE_CONVERSION", "CHECKOUT_ROAS",
                          "CHECKOUT_COST_PER_ACTION", "TOTAL_CHECKOUT_CONVERSION_RATE", "TOTAL_VIEW_CHECKOUT"],
                  start=D)
    assert row["TOTAL_CONVERSIONS"] == 3 and row["TOTAL_CONVERSIONS_QUANTITY"] == 4
    assert row["TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR"] == 40_000_000
    assert row["TOTAL_CLICK_CHECKOUT"] == 2 and row["TOTAL_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR"] == 40_000_000
    assert row["TOTAL_ENGAGEMENT_SIGNUP"] == 1 and row["TOTAL_VIEW_CHECKOUT"] == 0
    assert row["TOTAL_WEB_CHECKOUT"] == 1 and row["TOTAL_WEB_CHECKOUT_VALUE_IN_MICRO_DOLLAR"] == 30_000_000
    assert row["TOTAL_INAPP_CHECKOUT"] == 1 and row["TOTAL_CHECKOUT_DESKTOP_ACTION_TO_MOBILE_CONVERSION"] == 1
    assert row["CHECKOUT_ROAS"] == pytest.approx(40_000_000 / 2_000_000)
    assert row["CHECKOUT_COST_PER_ACTION"] == pytest.approx(2_000_000 / 2)
    assert row["TOTAL_CHECKOUT_CONVERSION_RATE"] == pytest.approx(2 / 4)


# -- conversion windows ----------------------------------------------------------------------------

# lags from an ad action at 10:00 UTC
LAGS = [dt.timedelta(hours=10),            # same UTC day
        dt.timedelta(hours=19),            # next UTC day, within 24 hours
        dt.timedelta(days=1, hours=12), dt.timedelta(days=5),
        dt.timedelta(days=10), dt.timedelta(days=20), dt.timedelta(days=45),
        dt.timedelta(days=65)]             # outside every window
EXPECTED = {0: 1, 1: 2, 7: 4, 14: 5, 30: 6, 60: 7}
WINDOW_PARAM = {"CLICK": "click_window_days", "ENGAGEMENT": "engagement_window_days", "VIEW": "view_window_days"}


@pytest.mark.parametrize("action", ["CLICK", "ENGAGEMENT", "VIEW"])
def test_each_window_counts_conversions_by_lag(facts, action):
    for lag in LAGS:
        convert(facts, 1000, at(D, 10), lag, action=action)
    for days, expected in EXPECTED.items():
        windows = {p: (days if a == action else 0) for a, p in WINDOW_PARAM.items()}
        [row] = query(facts, ["TOTAL_CONVERSIONS", f"TOTAL_{action}_CHECKOUT"], start=D, **windows)
        assert (days, row["TOTAL_CONVERSIONS"], row[f"TOTAL_{action}_CHECKOUT"]) == (days, expected, expected)


def test_windows_apply_per_action_type(facts):
    for action in ("CLICK", "ENGAGEMENT", "VIEW"):
        for lag in LAGS:
            convert(facts, 1000, at(D, 10), lag, action=action)
    [row] = query(facts, ["TOTAL_CONVERSIONS", "TOTAL_CLICK_CHECKOUT", "TOTAL_ENGAGEMENT_CHECKOUT", "TOTAL_VIEW_CHECKOUT"],
                  start=D)  # defaults: click 30, engagement 30, view 1
    assert row == {"ad_id": 1000, "TOTAL_CONVERSIONS": 6 + 6 + 2, "TOTAL_CLICK_CHECKOUT": 6,
                   "TOTAL_ENGAGEMENT_CHECKOUT": 6, "TOTAL_VIEW_CHECKOUT": 2}
    [row] = query(facts, ["TOTAL_CONVERSIONS"], start=D, click_window_days=7, engagement_window_days=60,
                  view_window_days=0)
    assert row["TOTAL_CONVERSIONS"] == 4 + 7 + 1


def test_window_edges(facts):
    late = at(D, 23, 30)
    convert(facts, 1000, late, dt.timedelta(minutes=20))   # same day
    convert(facts, 1000, late, dt.timedelta(minutes=40))   # 00:10 the next day: outside the 0-day window
    convert(facts, 1000, at(D, 10), dt.timedelta(days=1))  # exactly 24 hours: inside the 1-day window
    convert(facts, 1000, at(D, 10), dt.timedelta(days=1, seconds=1))  # just outside
    counts = {w: query(facts, ["TOTAL_CONVERSIONS"], start=D, click_window_days=w)[0]["TOTAL_CONVERSIONS"]
              for w in (0, 1, 7)}
    assert counts == {0: 1, 1: 3, 7: 4}


# -- report time and the clock ---------------------------------------------------------------------

def test_report_time_buckets_by_action_or_conversion(facts):
    d1, d3 = D, D + dt.timedelta(days=2)
    convert(facts, 1000, at(d1, 23), dt.timedelta(hours=26), value_micro=7)  # converts on d3 at 01:00
    span = dict(start=d1, end=d1 + dt.timedelta(days=4), granularity="DAY")
    by_action = query(facts, ["TOTAL_CONVERSIONS", "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR"], **span)
    by_conversion = query(facts, ["TOTAL_CONVERSIONS", "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR"],
                          conversion_report_time="TIME_OF_CONVERSION", **span)
    assert by_action == [{"ad_id": 1000, "time": d1, "TOTAL_CONVERSIONS": 1, "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR": 7}]
    assert by_conversion == [{"ad_id": 1000, "time": d3, "TOTAL_CONVERSIONS": 1,
                              "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR": 7}]
    # the range filters on the same time: only d3 asked
    assert query(facts, ["TOTAL_CONVERSIONS"], start=d3) == []
    assert query(facts, ["TOTAL_CONVERSIONS"], start=d3, conversion_report_time="TIME_OF_CONVERSION") == [
        {"ad_id": 1000, "TOTAL_CONVERSIONS": 1}]
    # HOUR buckets follow the same choice
    [h] = query(facts, ["TOTAL_CONVERSIONS"], start=d1, end=d3, granularity="HOUR",
                conversion_report_time="TIME_OF_CONVERSION")
    assert h["time"] == at(d3, 1)


def test_conversions_after_now_are_not_counted(facts):
    convert(facts, 1000, at(D, 1), dt.timedelta(hours=10))   # 11:00
    convert(facts, 1000, at(D, 1), dt.timedelta(hours=12))   # 13:00
    convert(facts, 1000, at(D, 1), dt.timedelta(hours=11))   # 12:00 exactly
    now = dt.datetime.combine(D, dt.time(12), tzinfo=UTC)
    for report_time in ("TIME_OF_AD_ACTION", "TIME_OF_CONVERSION"):
        [row] = query(facts, ["TOTAL_CONVERSIONS"], start=D, now=now, conversion_report_time=report_time)
        assert row["TOTAL_CONVERSIONS"] == 2
    [row] = query(facts, ["TOTAL_CONVERSIONS"], start=D, now=now + dt.timedelta(hours=1))
    assert row["TOTAL_CONVERSIONS"] == 3


def test_attribution_individual_or_household(facts):
    convert(facts, 1000, at(D, 1), dt.timedelta(hours=1), attribution="INDIVIDUAL", value_micro=1)
    convert(facts, 1000, at(D, 2), dt.timedelta(hours=1), attribution="INDIVIDUAL", value_micro=10)
    convert(facts, 1000, at(D, 3), dt.timedelta(hours=1), attribution="HOUSEHOLD", value_micro=100)
    cols = ["TOTAL_CONVERSIONS", "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR"]
    got = {a: query(facts, cols, start=D, attribution=a)[0] for a in ("INDIVIDUAL", "HOUSEHOLD", None)}
    assert (got["INDIVIDUAL"]["TOTAL_CONVERSIONS"], got["INDIVIDUAL"]["TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR"]) == (2, 11)
    assert (got["HOUSEHOLD"]["TOTAL_CONVERSIONS"], got["HOUSEHOLD"]["TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR"]) == (3, 111)
    assert got[None] == got["HOUSEHOLD"]


# -- time buckets ----------------------------------------------------------------------------------

def _daily(facts, first: dt.date, last: dt.date, ad: int = 1000) -> None:
    """One delivery row per day at noon: 1 impression, spend = the day of the month (one append)."""
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    facts.append("delivery", pa.Table.from_pylist([{"hour": at(day, 12), **_entity(ad), "impression_1": 1,
                                                     "spend_micro": day.day} for day in days]))


def test_day_rows_only_where_there_was_activity(facts):
    deliver(facts, 1000, at(D, 3), impression_1=4)
    deliver(facts, 1000, at(D + dt.timedelta(days=3), 3), impression_1=6)
    rows = query(facts, ["PAID_IMPRESSION", "CTR"], start=D - dt.timedelta(days=2), end=D + dt.timedelta(days=6),
                 granularity="DAY")
    assert rows == [{"ad_id": 1000, "time": D, "PAID_IMPRESSION": 4, "CTR": 0.0},
                    {"ad_id": 1000, "time": D + dt.timedelta(days=3), "PAID_IMPRESSION": 6, "CTR": 0.0}]


def test_week_buckets_are_iso_weeks_labelled_inside_the_range(facts):
    _daily(facts, dt.date(2025, 2, 25), dt.date(2025, 3, 25))  # also outside the range
    rows = query(facts, ["PAID_IMPRESSION"], start=dt.date(2025, 3, 5), end=dt.date(2025, 3, 20), granularity="WEEK")
    assert [(r["time"], r["PAID_IMPRESSION"]) for r in rows] == [
        (dt.date(2025, 3, 5), 5),    # Wed 5 .. Sun 9: labelled start_date, not Monday 3
        (dt.date(2025, 3, 10), 7),
        (dt.date(2025, 3, 17), 4)]   # Mon 17 .. Thu 20 (end_date)
    # a range starting on a Monday keeps the Monday label
    rows = query(facts, ["PAID_IMPRESSION"], start=dt.date(2025, 3, 10), end=dt.date(2025, 3, 11), granularity="WEEK")
    assert [(r["time"], r["PAID_IMPRESSION"]) for r in rows] == [(dt.date(2025, 3, 10), 2)]


def test_month_buckets_are_calendar_months_labelled_inside_the_range(facts):
    _daily(facts, dt.date(2025, 2, 1), dt.date(2025, 4, 30))
    rows = query(facts, ["PAID_IMPRESSION", "SPEND_IN_MICRO_DOLLAR"], start=dt.date(2025, 2, 20),
                 end=dt.date(2025, 4, 10), granularity="MONTH")
    assert [(r["time"], r["PAID_IMPRESSION"], r["SPEND_IN_MICRO_DOLLAR"]) for r in rows] == [
        (dt.date(2025, 2, 20), 9, sum(range(20, 29))),
        (dt.date(2025, 3, 1), 31, sum(range(1, 32))),
        (dt.date(2025, 4, 1), 10, sum(range(1, 11)))]


def test_hour_buckets(facts):
    deliver(facts, 1000, at(D, 10), impression_1=3)
    deliver(facts, 1000, at(D, 10), impression_1=4)  # another segment, same hour
    deliver(facts, 1000, at(D, 11), impression_1=5)
    deliver(facts, 1000, at(D + dt.timedelta(days=1), 0), impression_1=6)  # outside the one-day range
    rows = query(facts, ["PAID_IMPRESSION"], start=D, granularity="HOUR")
    assert [(r["time"], r["PAID_IMPRESSION"]) for r in rows] == [(at(D, 10), 7), (at(D, 11), 5)]


# -- targeting breakdown ---------------------------------------------------------------------------

def test_targeting_breakdown_groups_by_value_and_skips_null(facts):
    deliver(facts, 1000, at(D, 1), impression_1=10, clickthrough_1=1, gender="female", people_lo=0, people_n=10)
    deliver(facts, 1000, at(D, 2), impression_1=20, clickthrough_1=4, gender="female", people_lo=5, people_n=10)
    deliver(facts, 1001, at(D, 1), impression_1=30, gender="male", people_lo=100, people_n=30)
    deliver(facts, 1000, at(D, 3), impression_1=40, keyword="garden tools")  # no gender: not in a GENDER breakdown
    convert(facts, 1000, at(D, 1), dt.timedelta(hours=1), gender="female")
    convert(facts, 1000, at(D, 1), dt.timedelta(hours=1))  # no gender
    cols = ["PAID_IMPRESSION", "CTR", "TOTAL_IMPRESSION_USER", "TOTAL_CONVERSIONS"]
    rows = query(facts, cols, start=D, level="AD_ACCOUNT", targeting_type="GENDER")
    assert rows == [
        {"ad_account_id": ACCT, "dimension": "female", "PAID_IMPRESSION": 30, "CTR": pytest.approx(5 / 30),
         "TOTAL_IMPRESSION_USER": 15, "TOTAL_CONVERSIONS": 1},
        {"ad_account_id": ACCT, "dimension": "male", "PAID_IMPRESSION": 30, "CTR": 0.0, "TOTAL_IMPRESSION_USER": 30,
         "TOTAL_CONVERSIONS": 0}]
    rows = query(facts, ["PAID_IMPRESSION", "TOTAL_CONVERSIONS"], start=D, level="AD_ACCOUNT",
                 targeting_type="KEYWORD")
    assert rows == [{"ad_account_id": ACCT, "dimension": "garden tools", "PAID_IMPRESSION": 40, "TOTAL_CONVERSIONS": 0}]
    # with a time bucket: keys are entity, time, value
    rows = query(facts, ["PAID_IMPRESSION"], start=D, level="AD", granularity="DAY", targeting_type="GENDER")
    assert [(r["ad_id"], r["time"], r["dimension"], r["PAID_IMPRESSION"]) for r in rows] == [
        (1000, D, "female", 30), (1001, D, "male", 30)]


# -- levels and entity filters ---------------------------------------------------------------------

@pytest.fixture
def three_ads(facts):
    deliver(facts, 1000, at(D, 1), impression_1=1, spend_micro=100)
    deliver(facts, 1001, at(D, 1), impression_1=2, spend_micro=200)
    deliver(facts, 2000, at(D, 1), impression_1=4, spend_micro=400)
    deliver(facts, 9000, at(D, 1), impression_1=8, spend_micro=800)  # another ad account
    convert(facts, 9000, at(D, 1), dt.timedelta(hours=1))
    return facts


def test_levels_sum_their_children_and_stay_in_the_account(three_ads):
    f = three_ads
    by = lambda level, key, **kw: {r[key]: r["PAID_IMPRESSION"] for r in query(f, ["PAID_IMPRESSION"], start=D,  # noqa: E731
                                                                               level=level, **kw)}
    assert by("AD_ACCOUNT", "ad_account_id") == {ACCT: 7}
    assert by("CAMPAIGN", "campaign_id") == {10: 3, 20: 4}
    assert by("AD_GROUP", "ad_group_id") == {100: 3, 200: 4}
    assert by("AD", "ad_id") == {1000: 1, 1001: 2, 2000: 4}
    assert by("PIN", "pin_id") == {5000: 1, 5001: 2, 5002: 4}
    assert by("AD_ACCOUNT", "ad_account_id", ad_account_id=OTHER_ACCT) == {OTHER_ACCT: 8}


def test_entity_filters(three_ads):
    f = three_ads
    assert query(f, ["SPEND_IN_MICRO_DOLLAR"], start=D, level="AD", ids=[1001]) == [
        {"ad_id": 1001, "SPEND_IN_MICRO_DOLLAR": 200}]
    assert query(f, ["SPEND_IN_MICRO_DOLLAR"], start=D, level="CAMPAIGN", ids=[20, 10]) == [
        {"campaign_id": 10, "SPEND_IN_MICRO_DOLLAR": 300}, {"campaign_id": 20, "SPEND_IN_MICRO_DOLLAR": 400}]
    assert query(f, ["SPEND_IN_MICRO_DOLLAR"], start=D, level="AD_GROUP", ids=[200]) == [
        {"ad_group_id": 200, "SPEND_IN_MICRO_DOLLAR": 400}]
    # an id of another account gives nothing in this account
    assert query(f, ["SPEND_IN_MICRO_DOLLAR", "TOTAL_CONVERSIONS"], start=D, level="AD", ids=[9000]) == []
    # an entity with no activity has no row
    assert query(f, ["SPEND_IN_MICRO_DOLLAR"], start=D, level="AD", ids=[1000, 424242]) == [
        {"ad_id": 1000, "SPEND_IN_MICRO_DOLLAR": 100}]


def test_extra_keys_group_by_the_parent_too(three_ads):
    rows = query(three_ads, ["PAID_IMPRESSION"], start=D, level="AD", extra_keys=["campaign_id", "ad_group_id"])
    assert [(r["ad_id"], r["campaign_id"], r["ad_group_id"], r["PAID_IMPRESSION"]) for r in rows] == [
        (1000, 10, 100, 1), (1001, 10, 100, 2), (2000, 20, 200, 4)]


def test_conversion_only_groups_have_rows(facts):
    convert(facts, 2000, at(D, 5), dt.timedelta(hours=1), value_micro=9)
    rows = query(facts, ["PAID_IMPRESSION", "CTR", "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR"], start=D, level="CAMPAIGN")
    assert rows == [{"campaign_id": 20, "PAID_IMPRESSION": 0, "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR": 9}]


# -- candidate attributions of one conversion (conversion_key: Conversions API events) ----------------

def test_candidates_of_one_conversion_count_once_the_best_the_windows_allow(facts):
    conv_time = at(D, 20)
    # one conversion (key 7): the person clicked ad 1000 3 days before, engaged with ad 1001 30 h before and
    # saw ad 2000 2 h before
    for ad, action, before in ((1000, "CLICK", dt.timedelta(days=3)), (1001, "ENGAGEMENT", dt.timedelta(hours=30)),
                               (2000, "VIEW", dt.timedelta(hours=2))):
        convert(facts, ad, conv_time - before, before, action=action, conversion_key=7, value_micro=5_000_000)
    convert(facts, 1000, at(D, 9), dt.timedelta(hours=1))  # a conversion of its own (no key)
    metrics = ["TOTAL_CONVERSIONS", "TOTAL_CLICK_CHECKOUT", "TOTAL_ENGAGEMENT_CHECKOUT", "TOTAL_VIEW_CHECKOUT",
               "TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"]
    start = D - dt.timedelta(days=5)

    def account(**windows: int) -> dict[str, Any]:
        rows = query(facts, metrics, start=start, end=D, level="AD_ACCOUNT", **windows)
        assert len(rows) <= 1
        row = rows[0] if rows else dict.fromkeys(metrics, 0)  # no row: nothing counted
        return {m: row[m] for m in metrics[1:4]} | {"n": row["TOTAL_CONVERSIONS"]}

    # the click within 30 days wins; the keyed conversion counts once (plus the unkeyed one)
    assert account() == {"TOTAL_CLICK_CHECKOUT": 2, "TOTAL_ENGAGEMENT_CHECKOUT": 0, "TOTAL_VIEW_CHECKOUT": 0, "n": 2}
    # a 1-day click window drops the click: the engagement (30 h, in a 7-day window) takes it
    assert account(click_window_days=1, engagement_window_days=7) == {
        "TOTAL_CLICK_CHECKOUT": 1, "TOTAL_ENGAGEMENT_CHECKOUT": 1, "TOTAL_VIEW_CHECKOUT": 0, "n": 2}
    # ... or, with a 1-day engagement window too, the view 2 h before
    assert account(click_window_days=1, engagement_window_days=1) == {
        "TOTAL_CLICK_CHECKOUT": 1, "TOTAL_ENGAGEMENT_CHECKOUT": 0, "TOTAL_VIEW_CHECKOUT": 1, "n": 2}
    # a 0-day view window still holds the view (the same UTC day as the conversion)
    assert account(click_window_days=0, engagement_window_days=0, view_window_days=0)["TOTAL_VIEW_CHECKOUT"] == 1
    # the value is counted once, with whichever candidate
    [row] = query(facts, metrics, start=start, end=D, level="AD_ACCOUNT", click_window_days=1)
    assert row["TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"] == 5_000_000

    # no candidate within its window: the conversion is not counted at all
    facts.clear()
    late = at(D, 1)  # a conversion at 01:00 of a view 21 h before (the day before) and a click 3 days before
    convert(facts, 2000, late - dt.timedelta(hours=21), dt.timedelta(hours=21), action="VIEW", conversion_key=8)
    convert(facts, 1000, late - dt.timedelta(days=3), dt.timedelta(days=3), conversion_key=8)
    assert account(click_window_days=1, view_window_days=0)["n"] == 0
    assert account(click_window_days=1, view_window_days=1) == {
        "TOTAL_CLICK_CHECKOUT": 0, "TOTAL_ENGAGEMENT_CHECKOUT": 0, "TOTAL_VIEW_CHECKOUT": 1, "n": 1}
    assert account(click_window_days=7, view_window_days=0)["TOTAL_CLICK_CHECKOUT"] == 1


def test_the_candidate_is_chosen_before_ids_range_and_segment_filters(facts):
    conv_time = at(D, 20)
    convert(facts, 1000, at(D - dt.timedelta(days=3), 10), conv_time - at(D - dt.timedelta(days=3), 10),
            action="CLICK", conversion_key=9, gender="female")
    convert(facts, 2000, at(D, 18), dt.timedelta(hours=2), action="VIEW", conversion_key=9, gender="male")
    per_ad = {r["ad_id"]: r["TOTAL_CONVERSIONS"] for r in query(facts, ["TOTAL_CONVERSIONS"], start=D - dt.timedelta(
        days=5), end=D)}
    assert per_ad == {1000: 1}  # the click's ad, not both
    # asking for ad 2000 only does not make the view count: the conversion is the click's
    assert query(facts, ["TOTAL_CONVERSIONS"], start=D - dt.timedelta(days=5), end=D, ids=[2000]) == []
    # a range holding only the view's day: the click (outside the range) has it, by the time of the ad action
    assert query(facts, ["TOTAL_CONVERSIONS"], start=D, level="AD_ACCOUNT") == []
    # ... and by the time of the conversion it is in the range, on the click's ad
    [row] = query(facts, ["TOTAL_CONVERSIONS"], start=D, conversion_report_time="TIME_OF_CONVERSION")
    assert row == {"ad_id": 1000, "TOTAL_CONVERSIONS": 1}
    # breakdowns follow the chosen candidate's segment
    rows = query(facts, ["TOTAL_CONVERSIONS"], start=D - dt.timedelta(days=5), end=D, level="AD_ACCOUNT",
                 targeting_type="GENDER")
    assert [(r["dimension"], r["TOTAL_CONVERSIONS"]) for r in rows] == [("female", 1)]
    # with a 1-day click window the view has it: ad 2000, male, on D
    rows = query(facts, ["TOTAL_CONVERSIONS"], start=D, level="AD_ACCOUNT", targeting_type="GENDER",
                 click_window_days=1)
    assert [(r["dimension"], r["TOTAL_CONVERSIONS"]) for r in rows] == [("male", 1)]


def test_repeated_candidates_of_a_key_count_once(facts):
    # attributing an event twice (a crash between the fact commit and the event's mark) writes its candidates
    # again under the same key: still one conversion
    for _ in range(2):
        convert(facts, 1000, at(D, 10), dt.timedelta(hours=3), action="CLICK", conversion_key=11, value_micro=7)
    [row] = query(facts, ["TOTAL_CONVERSIONS", "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR"], start=D)
    assert row == {"ad_id": 1000, "TOTAL_CONVERSIONS": 1, "TOTAL_CONVERSIONS_VALUE_IN_MICRO_DOLLAR": 7}

"""campaigns.service.render_json (raw rows, RenderedRows cache) gives the bytes of Json(render(row))."""

from __future__ import annotations

import json
from collections import namedtuple
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from pinsandbox.ads.campaigns import service
from pinsandbox.core.responses import LATE, RenderedRows, dumps

Raw = namedtuple("Raw", "id ad_account_id status data created_time updated_time")

optional_int = st.one_of(st.none(), st.integers(min_value=0, max_value=10**15))
data = st.fixed_dictionaries(
    {"name": st.one_of(st.text(max_size=40), st.just(LATE), st.just("é ✓ \x00late\x00 x")),
     "objective_type": st.sampled_from(["AWARENESS", "CONSIDERATION", "WEB_CONVERSION"])},
    optional={"lifetime_spend_cap": optional_int, "daily_spend_cap": optional_int, "start_time": optional_int,
              "end_time": optional_int, "order_line_id": st.one_of(st.none(), st.text(max_size=10)),
              "tracking_urls": st.one_of(st.none(), st.fixed_dictionaries({}, optional={
                  "click": st.lists(st.text(max_size=20), max_size=3)})),
              "is_flexible_daily_budgets": st.one_of(st.none(), st.booleans()),
              "is_campaign_budget_optimization": st.booleans(), "is_automated_campaign": st.booleans(),
              "default_ad_group_budget_in_micro_currency": optional_int})


@settings(max_examples=200, deadline=None)
@given(data=data, status=st.sampled_from(["ACTIVE", "PAUSED", "ARCHIVED", "DRAFT"]),
       now=st.integers(min_value=0, max_value=2 * 10**15))
def test_render_json_equals_rendering_afresh(data, status, now):
    raw = Raw(549755813900, 549755813001, status, json.dumps(data), 1_700_000_000, 1_700_000_100)
    decoded = SimpleNamespace(**{**raw._asdict(), "data": data})
    expected = dumps(service.render(decoded, now=now))
    assert service.render_json(raw, now=now) == expected
    assert service.render_json(raw, now=now) == expected  # from the cache
    assert json.loads(expected)["summary_status"] == service.summary_status(status, data.get("start_time"),
                                                                            data.get("end_time"), now)


def test_rendered_rows_start_over_when_full():
    calls = []

    def render(row):
        calls.append(row)
        return {"id": row[0], "late": LATE}, None

    cache = RenderedRows(render, maxsize=2)
    for row in [(1,), (2,), (1,), (3,), (1,)]:
        (head, tail), _ = cache.parts(row)
        assert head + b"0" + tail == dumps({"id": row[0], "late": 0})
    assert calls == [(1,), (2,), (3,), (1,)]  # (1,) again from the cache; after (3,) filled it, anew


def test_a_string_equal_to_the_marker_is_not_split():
    cache = RenderedRows(lambda row: ({"a": LATE, "b": LATE if row else "x"}, None))
    assert cache.parts(False) is not None
    assert cache.parts(True) is not None  # two markers, two splits: fine
    cache = RenderedRows(lambda row: ({"a": LATE, "b": "\x00late\x00"}, None))
    assert cache.parts(1) is None  # a stored value that looks like the marker: render without the cache


def test_a_page_renders_as_its_rows():
    rows = [Raw(1000 + i, 7, status, json.dumps({"name": f"c{i}", "objective_type": "AWARENESS", "end_time": 50}),
                1, 2) for i, status in enumerate(["ACTIVE", "PAUSED", "ACTIVE"])]
    rows.append(Raw(2000, 7, "ACTIVE", json.dumps({"name": LATE, "objective_type": "AWARENESS"}), 1, 2))  # not split
    for now in (10, 60):
        assert service.render_jsons(rows, now=now) == [service.render_json(r, now=now) for r in rows]

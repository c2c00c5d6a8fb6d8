"""The metrics catalog: every column of the spec's enums is declared once and compiles."""

from __future__ import annotations

import json

import pytest

from pinsandbox.reporting.catalog import BASES, CATALOG, delivery_metrics
from pinsandbox.reporting.columns import ASYNC_COLUMNS, SYNC_COLUMNS, TARGETING_TYPES
from pinsandbox.reporting.facts import DIMENSIONS
from pinsandbox.reporting.query import _Compiler
from tests.live import SPEC_PATH


def test_every_sync_and_async_column_is_in_the_catalog():
    assert len(SYNC_COLUMNS) == 149 and len(ASYNC_COLUMNS) == 561
    assert [c for c in SYNC_COLUMNS + ASYNC_COLUMNS if c not in CATALOG] == []


@pytest.mark.parametrize("name", sorted(set(SYNC_COLUMNS + ASYNC_COLUMNS)))
def test_each_metric_compiles_or_is_an_attribute(name):
    m = CATALOG[name]
    assert m.definition and m.display_name and m.category == "ADS"
    if m.kind == "attribute":
        assert m.entity and m.state_field and m.formula is None
        return
    comp = _Compiler()
    sql = comp.metric(m)
    assert sql
    assert comp.bases <= set(BASES)
    if m.additive:  # additive metrics are plain sums: no division anywhere
        assert "/" not in m.formula and "reach" not in m.formula


def test_ratios_are_ratios_of_sums():
    comp = _Compiler()
    sql = comp.metric(CATALOG["CTR"])
    assert sql == "(CAST(COALESCE(d.clickthrough_1, 0) AS DOUBLE) / NULLIF(COALESCE(d.impression_1, 0), 0))"
    assert comp.bases == {"clickthrough_1", "impression_1"}


def test_conversion_metrics_are_filtered_measures():
    comp = _Compiler()
    comp.metric(CATALOG["TOTAL_WEB_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR"])
    comp.metric(CATALOG["TOTAL_CHECKOUT_MOBILE_ACTION_TO_DESKTOP_CONVERSION"])
    keys = set(comp.conv)
    assert ("value", (("action", "CLICK"), ("channel", "WEB"), ("event", "CHECKOUT"))) in keys
    assert ("count", (("action_device", "MOBILE"), ("conversion_device", "DESKTOP"), ("event", "CHECKOUT"))) in keys


def test_targeting_types_have_fact_columns():
    assert set(TARGETING_TYPES) == set(DIMENSIONS)


def test_delivery_metrics_shapes():
    items = delivery_metrics("SYNC")
    assert [i["name"] for i in items] == list(SYNC_COLUMNS)
    assert {"name": "CLICKTHROUGH_2", "category": "ADS",
            "definition": "Total number of Pin clicks from ads saved to another person's board",
            "display_name": "Earned Pin clicks"} in items  # the guide's own example
    assert len(delivery_metrics("ASYNC")) == 561
    assert len(delivery_metrics(None)) == len(set(SYNC_COLUMNS) | set(ASYNC_COLUMNS))


@pytest.mark.skipif(not SPEC_PATH.exists(), reason=f"the official spec is absent ({SPEC_PATH})")
def test_generated_columns_match_the_spec():
    spec = json.loads(SPEC_PATH.read_text())
    schemas = spec["components"]["schemas"]
    assert tuple(schemas["ReportingColumnAsync"]["enum"]) == ASYNC_COLUMNS
    assert tuple(schemas["AdsAnalyticsTargetingType"]["enum"]) == TARGETING_TYPES
    params = spec["components"]["parameters"]
    for p in spec["paths"]["/ad_accounts/{ad_account_id}/campaigns/analytics"]["get"]["parameters"]:
        p = params[p["$ref"].rsplit("/", 1)[-1]] if "$ref" in p else p
        if p["name"] == "columns":
            assert tuple(p["schema"]["items"]["enum"]) == SYNC_COLUMNS

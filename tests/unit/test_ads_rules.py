"""Campaign and ad group rules without HTTP: bid floor formula, summary status, status transitions, caps."""

from __future__ import annotations

import pytest

from pinsandbox.ads.ad_groups.service import bid_floor, check_billable_event, targeted_countries
from pinsandbox.ads.campaigns.service import (ERROR_CODES, check_campaign, check_status_transition, min_spend_cap,
                                              summary_status)
from pinsandbox.core.errors import ApiError


def code_of(fn, *args, **kwargs) -> int:
    with pytest.raises(ApiError) as err:
        fn(*args, **kwargs)
    return err.value.code


def test_error_codes_are_distinct():
    assert len(set(ERROR_CODES.values())) == len(ERROR_CODES)
    assert ERROR_CODES["SPEND_CAP"] == 1509 and ERROR_CODES["UNKNOWN_ENTITY"] == 1012


def test_bid_floor_formula():
    assert bid_floor(billable_event="CLICKTHROUGH", currency="USD") == 100_000
    assert bid_floor(billable_event="IMPRESSION", currency="USD") == 2_000_000
    assert bid_floor(billable_event="VIDEO_V_50_MRC", currency="USD") == 30_000
    # objective x1.5, tier-2 country x0.6: 100,000 * 1.5 * 0.6 = 90,000
    assert bid_floor(billable_event="CLICKTHROUGH", currency="USD", objective_type="WEB_CONVERSION",
                     countries=["BR"]) == 90_000
    # the highest tier among the countries wins
    assert bid_floor(billable_event="CLICKTHROUGH", currency="USD", countries=["IN", "US"]) == 100_000
    assert bid_floor(billable_event="CLICKTHROUGH", currency="USD", countries=["IN"]) == 30_000
    # currency scaling, video creative x1.25, rounded up to 0.01 of a unit (10,000 micro)
    assert bid_floor(billable_event="CLICKTHROUGH", currency="JPY") == 15_000_000
    assert bid_floor(billable_event="CLICKTHROUGH", currency="GBP", creative_type="VIDEO") == 100_000
    assert bid_floor(billable_event="VIDEO_V_50_MRC", currency="GBP", countries=["IN"]) == 10_000
    assert targeted_countries({"LOCATION": ["US", "807", "Narnia"]}) == ["US"]


def test_summary_status():
    assert summary_status("PAUSED", None, None, 100) == "PAUSED"
    assert summary_status("ARCHIVED", 0, 50, 100) == "ARCHIVED"
    assert summary_status("ACTIVE", None, None, 100) == "RUNNING"
    assert summary_status("ACTIVE", 150, None, 100) == "NOT_STARTED"
    assert summary_status("ACTIVE", 50, 100, 100) == "COMPLETED"
    assert summary_status("ACTIVE", 50, 101, 100) == "RUNNING"


@pytest.mark.parametrize("current,new,ok", [
    (None, "ACTIVE", True), (None, "DRAFT", True), (None, "ARCHIVED", False), (None, "DELETED_DRAFT", False),
    ("ACTIVE", "PAUSED", True), ("PAUSED", "ARCHIVED", True), ("ARCHIVED", "ACTIVE", False),
    ("ARCHIVED", "PAUSED", False), ("ACTIVE", "DRAFT", False), ("DRAFT", "ACTIVE", True),
    ("DRAFT", "DELETED_DRAFT", True), ("PAUSED", "DELETED_DRAFT", False), ("DELETED_DRAFT", "DRAFT", False),
    ("ARCHIVED", "ARCHIVED", True),
])
def test_status_transitions(current, new, ok):
    if ok:
        check_status_transition(current, new, entity="campaign", entity_id=1)
    else:
        assert code_of(check_status_transition, current, new, entity="campaign", entity_id=1) == 1530


def campaign_state(**fields):
    return {"objective_type": "AWARENESS", "is_campaign_budget_optimization": False, **fields}


def test_campaign_rules():
    ok = dict(currency="USD", now=1000, end_changed=True)
    check_campaign(campaign_state(daily_spend_cap=1_000_000), **ok)
    assert code_of(check_campaign, campaign_state(daily_spend_cap=999_999), **ok) == 1509
    assert code_of(check_campaign, campaign_state(daily_spend_cap=150_000_000 - 1), currency="JPY", now=0,
                   end_changed=False) == 1509
    assert min_spend_cap("JPY") == 150_000_000
    assert code_of(check_campaign, campaign_state(daily_spend_cap=2_000_000, lifetime_spend_cap=9_000_000), **ok) == 1509
    assert code_of(check_campaign, campaign_state(is_campaign_budget_optimization=True), **ok) == 1509
    assert code_of(check_campaign, campaign_state(objective_type="VIDEO_VIEW", is_campaign_budget_optimization=True,
                                                  daily_spend_cap=2_000_000), **ok) == 1510
    assert code_of(check_campaign, campaign_state(start_time=2000, end_time=1500), **ok) == 1520
    assert code_of(check_campaign, campaign_state(end_time=999), **ok) == 1520
    check_campaign(campaign_state(end_time=999), currency="USD", now=1000, end_changed=False)  # unchanged past end
    assert code_of(check_campaign, campaign_state(is_campaign_budget_optimization=True, lifetime_spend_cap=9_000_000),
                   **ok) == 1510  # a lifetime CBO budget needs an end_time
    check_campaign(campaign_state(is_campaign_budget_optimization=True, lifetime_spend_cap=9_000_000, end_time=2000), **ok)


def test_billable_events_by_objective():
    check_billable_event({"billable_event": "IMPRESSION"}, objective="AWARENESS")
    assert code_of(check_billable_event, {"billable_event": "CLICKTHROUGH"}, objective="AWARENESS") == 1560
    check_billable_event({"billable_event": "VIDEO_V_50_MRC"}, objective="VIDEO_VIEW")

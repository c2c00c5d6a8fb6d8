"""Conversions API events become conversion facts, attributed to the person's earlier ad action."""

from __future__ import annotations

import hashlib

from pinsandbox.reporting.attribution import person_id
from tests.factories import ad_account, ad_group, bearer, campaign, token

EM = hashlib.sha256(b"ana@example.com").hexdigest()
OTHER = hashlib.sha256(b"nobody@example.com").hexdigest()
NOW = 1_780_000_000  # 2026-05-28T20:26:40Z
START = "2026-05-20"


def _setup(client):
    client.put("/_sandbox/clock", json={"now": "2026-05-28T20:26:40Z", "frozen": True})
    tok = token(client)
    acct = ad_account(client, tok)["id"]
    camp = campaign(client, tok, acct)["id"]
    group = ad_group(client, tok, acct, camp)["id"]
    return tok, acct, camp, group


def _delivery(client, acct, camp, group, *, people_lo, hour, clicks, engagements):
    r = client.post("/_sandbox/facts", json={"table": "delivery", "rows": [{
        "hour": hour, "ad_account_id": acct, "campaign_id": camp, "ad_group_id": group, "ad_id": "77", "pin_id": "5",
        "apptype": "iphone", "gender": "female", "impression_1": 100, "clickthrough_1": clicks,
        "engagement_1": engagements, "spend_micro": 1_000_000, "people_lo": people_lo, "people_n": 100}]})
    assert r.status_code == 200, r.text


def _event(event_time, em, name="checkout", value="12.50"):
    return {"event_name": name, "action_source": "web", "event_time": event_time, "event_id": f"{em[:6]}{event_time}",
            "user_data": {"em": [em]}, "custom_data": {"currency": "USD", "value": value, "num_items": 2}}


def _analytics(client, tok, acct, camp, columns, **params):
    r = client.get(f"/v5/ad_accounts/{acct}/campaigns/analytics", headers=bearer(tok), params={
        "start_date": START, "end_date": "2026-05-28", "granularity": "TOTAL", "campaign_ids": camp,
        "columns": columns, **params})
    assert r.status_code == 200, r.text
    return r.json()


def test_an_event_is_attributed_to_the_persons_click(client):
    tok, acct, camp, group = _setup(client)
    p = person_id(EM)
    # The person is the block's first person: one of the `clicks` who clicked.
    _delivery(client, acct, camp, group, people_lo=p, hour="2026-05-27T10:00:00", clicks=3, engagements=10)
    r = client.post(f"/v5/ad_accounts/{acct}/events", headers=bearer(tok),
                    json={"data": [_event(NOW - 3600, EM), _event(NOW - 3600, OTHER)]})
    assert r.status_code == 200, r.text
    cols = ("TOTAL_CONVERSIONS,TOTAL_CLICK_CHECKOUT,TOTAL_VIEW_CHECKOUT,TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR,"
            "TOTAL_WEB_CHECKOUT,TOTAL_WEB_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR,TOTAL_OFFLINE_CHECKOUT")
    [row] = _analytics(client, tok, acct, camp, cols)
    assert row["TOTAL_CONVERSIONS"] == 1  # the other person saw no ad: no conversion
    assert row["TOTAL_CLICK_CHECKOUT"] == 1 and row["TOTAL_VIEW_CHECKOUT"] == 0
    assert row["TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"] == 12_500_000
    assert row["TOTAL_WEB_CHECKOUT"] == 1 and row["TOTAL_WEB_CLICK_CHECKOUT_VALUE_IN_MICRO_DOLLAR"] == 12_500_000
    assert row["TOTAL_OFFLINE_CHECKOUT"] == 0
    # Looked at once: asking again does not count it twice.
    assert _analytics(client, tok, acct, camp, "TOTAL_CONVERSIONS")[0]["TOTAL_CONVERSIONS"] == 1
    # The lag is ~33 h: outside a 1-day click window, inside 7 days.
    assert _analytics(client, tok, acct, camp, "TOTAL_CONVERSIONS", click_window_days=1)[0]["TOTAL_CONVERSIONS"] == 0
    assert _analytics(client, tok, acct, camp, "TOTAL_CONVERSIONS", click_window_days=7)[0]["TOTAL_CONVERSIONS"] == 1


def test_a_viewer_converts_view_through_and_windows_apply(client):
    tok, acct, camp, group = _setup(client)
    p = person_id(EM)
    # The person is the 51st of the block: past the 3 clickers and 10 engagers, a viewer.
    _delivery(client, acct, camp, group, people_lo=p - 50, hour="2026-05-28T10:00:00", clicks=3, engagements=10)
    r = client.post(f"/v5/ad_accounts/{acct}/events", headers=bearer(tok), json={"data": [_event(NOW - 600, EM)]})
    assert r.status_code == 200, r.text
    [row] = _analytics(client, tok, acct, camp, "TOTAL_VIEW_CHECKOUT,TOTAL_CLICK_CHECKOUT", view_window_days=1)
    assert row["TOTAL_VIEW_CHECKOUT"] == 1 and row["TOTAL_CLICK_CHECKOUT"] == 0
    # Same UTC day as the view: counted even with a 0-day window.
    assert _analytics(client, tok, acct, camp, "TOTAL_VIEW_CHECKOUT", view_window_days=0)[0]["TOTAL_VIEW_CHECKOUT"] == 1


def test_test_events_and_unreached_people_make_no_facts(client):
    tok, acct, camp, group = _setup(client)
    _delivery(client, acct, camp, group, people_lo=person_id(EM), hour="2026-05-27T10:00:00", clicks=3,
              engagements=10)
    r = client.post(f"/v5/ad_accounts/{acct}/events", headers=bearer(tok), params={"test": "true"},
                    json={"data": [_event(NOW - 60, EM)]})
    assert r.status_code == 200, r.text
    assert _analytics(client, tok, acct, camp, "TOTAL_CONVERSIONS")[0]["TOTAL_CONVERSIONS"] == 0



def test_a_short_click_window_falls_back_to_the_persons_view(client):
    """The event keeps its best click, engagement and view; each request counts the best its windows allow."""
    tok, acct, camp, group = _setup(client)
    p = person_id(EM)
    # a click ~58 h before the event (the person is the block's first: a clicker) ...
    _delivery(client, acct, camp, group, people_lo=p, hour="2026-05-26T10:00:00", clicks=3, engagements=10)
    # ... and a view ~11 h before, the same UTC day (the 51st of the block: past the clickers and engagers)
    _delivery(client, acct, camp, group, people_lo=p - 50, hour="2026-05-28T09:00:00", clicks=3, engagements=10)
    r = client.post(f"/v5/ad_accounts/{acct}/events", headers=bearer(tok), json={"data": [_event(NOW, EM)]})
    assert r.status_code == 200, r.text
    cols = "TOTAL_CONVERSIONS,TOTAL_CLICK_CHECKOUT,TOTAL_VIEW_CHECKOUT,TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"

    def counted(**params):
        [row] = _analytics(client, tok, acct, camp, cols, **params)
        assert row["TOTAL_CHECKOUT_VALUE_IN_MICRO_DOLLAR"] == 12_500_000 * row["TOTAL_CONVERSIONS"]
        return row["TOTAL_CONVERSIONS"], row["TOTAL_CLICK_CHECKOUT"], row["TOTAL_VIEW_CHECKOUT"]

    assert counted() == (1, 1, 0)  # click window 30 days: the click has it
    assert counted(click_window_days=7) == (1, 1, 0)
    assert counted(click_window_days=1) == (1, 0, 1)  # the click is out of 1 day: the view (1-day window) has it
    assert counted(click_window_days=0, view_window_days=0) == (1, 0, 1)  # the view is on the event's UTC day
    # by the time of the ad action: the click's day (05-26) with 30 days, the view's (05-28) with 1 day
    assert _analytics(client, tok, acct, camp, "TOTAL_CONVERSIONS", start_date="2026-05-28")[0] == {
        "CAMPAIGN_ID": camp, "TOTAL_CONVERSIONS": 0}
    [day] = _analytics(client, tok, acct, camp, "TOTAL_CONVERSIONS", start_date="2026-05-28", click_window_days=1)
    assert day["TOTAL_CONVERSIONS"] == 1
    [day] = _analytics(client, tok, acct, camp, "TOTAL_CONVERSIONS", end_date="2026-05-27")
    assert day["TOTAL_CONVERSIONS"] == 1


HOUR_20 = NOW - 1600  # 2026-05-28T20:00:00Z


def test_an_action_in_the_conversions_own_hour_does_not_count(client):
    """A delivery row is an hour: an action in the event's hour may have come after it, so only hours that
    ended by the event's time hold actions before it."""
    tok, acct, camp, group = _setup(client)
    p = person_id(EM)
    # the person is a clicker of the 20:00 hour; the event is at 20:26:40
    _delivery(client, acct, camp, group, people_lo=p, hour="2026-05-28T20:00:00", clicks=3, engagements=10)
    client.put("/_sandbox/clock", json={"now": "2026-05-28T21:30:00Z", "frozen": True})
    first = _event(NOW, EM)
    r = client.post(f"/v5/ad_accounts/{acct}/events", headers=bearer(tok), json={"data": [first]})
    assert r.status_code == 200, r.text
    assert _analytics(client, tok, acct, camp, "TOTAL_CONVERSIONS")[0]["TOTAL_CONVERSIONS"] == 0
    # an event at 21:00:00 sharp: the 20:00 hour is over, the click is before it
    r = client.post(f"/v5/ad_accounts/{acct}/events", headers=bearer(tok),
                    json={"data": [_event(HOUR_20 + 3600, EM, name="signup")]})
    assert r.status_code == 200, r.text
    [row] = _analytics(client, tok, acct, camp, "TOTAL_CONVERSIONS,TOTAL_CLICK_SIGNUP,TOTAL_CLICK_CHECKOUT")
    assert (row["TOTAL_CONVERSIONS"], row["TOTAL_CLICK_SIGNUP"], row["TOTAL_CLICK_CHECKOUT"]) == (1, 1, 0)

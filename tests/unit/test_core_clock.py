"""core/clock.py: the sandbox clock (set, frozen, advance, reset), shared through the database."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from pinsandbox.core.clock import UTC, Clock, parse_instant, real_time
from pinsandbox.core.db import create_db_engine, upgrade


def test_real_by_default():
    clock = Clock()
    assert abs(clock.timestamp() - real_time()) < 1
    assert clock.now().tzinfo is not None and clock.today() == clock.now().date()
    assert clock.epoch_seconds() == int(clock.timestamp())


def test_set_runs_on_from_the_given_instant():
    clock = Clock()
    clock.set(dt.datetime(2030, 1, 1, tzinfo=UTC))
    first = clock.timestamp()
    assert abs(first - dt.datetime(2030, 1, 1, tzinfo=UTC).timestamp()) < 1
    time.sleep(0.02)
    assert clock.timestamp() > first  # not frozen: it keeps running


def test_frozen_stays_put_and_advance_moves_it_exactly():
    clock = Clock()
    instant = dt.datetime(2029, 6, 30, 23, 59, 59, tzinfo=UTC)
    clock.set(instant, frozen=True)
    time.sleep(0.02)
    assert clock.now() == instant and clock.state().frozen_at == instant.timestamp()
    clock.advance(1)
    assert clock.now() == dt.datetime(2029, 7, 1, tzinfo=UTC) and clock.today() == dt.date(2029, 7, 1)
    clock.advance(-86_400)
    assert clock.today() == dt.date(2029, 6, 30)


def test_advance_while_running_adds_to_the_offset_and_reset_returns_to_real():
    clock = Clock()
    clock.advance(3600)
    assert abs(clock.timestamp() - (real_time() + 3600)) < 1
    clock.advance(-7200)
    assert abs(clock.state().offset_seconds + 3600) < 1e-6
    clock.reset()
    assert clock.state().frozen_at is None and clock.state().offset_seconds == 0
    assert abs(clock.timestamp() - real_time()) < 1


def test_state_is_shared_by_every_clock_on_one_database(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'state.db'}")
    upgrade(engine)
    try:
        a, b = Clock(engine, cache_seconds=0), Clock(engine, cache_seconds=0)
        a.set(dt.datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC), frozen=True)
        assert b.now() == dt.datetime(2031, 2, 3, 4, 5, 6, tzinfo=UTC)
        b.advance(60)
        assert a.now() == dt.datetime(2031, 2, 3, 4, 6, 6, tzinfo=UTC)
        cached = Clock(engine, cache_seconds=3600)
        assert cached.now() == a.now()
        a.reset()
        assert cached.now() == dt.datetime(2031, 2, 3, 4, 6, 6, tzinfo=UTC)  # within its cache time, by design
        assert abs(Clock(engine).timestamp() - real_time()) < 1
    finally:
        engine.dispose()


@pytest.mark.parametrize("text,expected", [
    ("2030-01-02T03:04:05Z", dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2030-01-02T03:04:05", dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ("2030-01-02T05:04:05+02:00", dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)),
])
def test_parse_instant(text, expected):
    assert parse_instant(text) == expected


def test_clock_through_http(client):
    r = client.put("/_sandbox/clock", json={"now": "2030-05-01T12:00:00Z", "frozen": True})
    assert r.status_code == 200 and r.json()["frozen"] is True and r.json()["now"] == "2030-05-01T12:00:00Z"
    r = client.put("/_sandbox/clock", json={"advance_seconds": 90})
    assert r.json()["now"] == "2030-05-01T12:01:30Z"
    r = client.put("/_sandbox/clock", json={"advance_seconds": 1, "real": True})
    assert r.status_code == 400 and r.json()["code"] == 1
    r = client.put("/_sandbox/clock", json={"real": True})
    assert r.status_code == 200 and r.json()["frozen"] is False and r.json()["offset_seconds"] == 0


@pytest.mark.parametrize("raw, field", [
    ('{"advance_seconds": 1e18}', "advance_seconds"),
    ('{"advance_seconds": NaN}', "advance_seconds"),
    ('{"advance_seconds": Infinity}', "advance_seconds"),
    ('{"advance_seconds": "inf"}', "advance_seconds"),
    ('{"advance_seconds": -1e12}', "advance_seconds"),
    ('{"now": "9999-12-31T23:59:59-14:00"}', "now"),
    ('{"now": "0001-01-01T00:00:00+14:00"}', "now"),
    ('{"now": "0001-01-01T00:00:00Z"}', "now"),
    ('{"now": "1999-12-31T23:59:59Z"}', "now"),
    ('{"now": "2200-01-01T00:00:00Z"}', "now"),
])
def test_a_clock_out_of_range_is_refused_and_nothing_is_saved(client, raw, field):
    """The clock stays between 2000 and 2200: out of that range (or inf / NaN) is a 400 naming the field,
    and the clock keeps its time (a saved out-of-range clock once broke every request, tokens included)."""
    assert client.put("/_sandbox/clock", json={"now": "2199-12-31T23:00:00Z", "frozen": True}).status_code == 200
    before = client.get("/_sandbox/clock").json()
    r = client.put("/_sandbox/clock", content=raw, headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == 1 and field in r.json()["message"], r.text
    assert client.get("/_sandbox/clock").json() == before
    # moving past the end from a clock near it is refused too; a step inside the range is taken
    r = client.put("/_sandbox/clock", json={"advance_seconds": 3600})
    assert r.status_code == 400 and "advance_seconds" in r.json()["message"]
    r = client.put("/_sandbox/clock", json={"advance_seconds": 3599})
    assert r.status_code == 200 and r.json()["now"] == "2199-12-31T23:59:59Z"


def test_clock_range_in_process():
    from pinsandbox.core.clock import MAX_NOW, MIN_NOW, ClockRangeError

    clock = Clock()
    clock.set(MIN_NOW, frozen=True)
    with pytest.raises(ClockRangeError):
        clock.advance(-1)
    with pytest.raises(ClockRangeError):
        clock.set(MAX_NOW)
    assert clock.now() == MIN_NOW

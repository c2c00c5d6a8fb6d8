"""core/ratelimit.py: Pinterest's rate-limit categories, per user and app; 429 code 8 over HTTP."""

from __future__ import annotations

import pytest

from pinsandbox.core.errors import RateLimited
from pinsandbox.core.ratelimit import DEFAULT_STANDARD, MESSAGE, STANDARD, RateLimiter, parse
from tests.factories import ad_account, bearer, token


def test_parse():
    assert parse("off") is None and parse("") is None and parse("none") is None
    assert parse("standard") == (STANDARD, DEFAULT_STANDARD)
    assert parse("ads_read=5/60,org_read=100") == ({"ads_read": (5, 60.0), "org_read": (100, 60.0)}, None)
    assert parse("*=3/10") == ({}, (3, 10.0))


def test_limiter_counts_per_user_app_and_category():
    limiter = RateLimiter("ads_read=2/60")
    for _ in range(2):
        limiter.hit(user_id=1, app_id=None, category="ads_read")
    with pytest.raises(RateLimited) as info:
        limiter.hit(user_id=1, app_id=None, category="ads_read")
    assert info.value.status == 429 and info.value.code == 8 and info.value.message == MESSAGE
    assert 1 <= int(info.value.headers["X-RateLimit-Reset"]) <= 61
    limiter.hit(user_id=2, app_id=None, category="ads_read")  # another user
    limiter.hit(user_id=1, app_id=7, category="ads_read")  # another app
    limiter.hit(user_id=1, app_id=None, category="org_read")  # a category without a rule
    limiter.configure("off")
    for _ in range(10):
        limiter.hit(user_id=1, app_id=None, category="ads_read")


def test_window_slides(monkeypatch):
    from pinsandbox.core import ratelimit

    now = [1000.0]
    monkeypatch.setattr(ratelimit, "real_time", lambda: now[0])
    limiter = RateLimiter("*=1/10")
    limiter.hit(user_id=1, app_id=None, category="x")
    now[0] += 4
    with pytest.raises(RateLimited) as info:
        limiter.hit(user_id=1, app_id=None, category="x")
    assert info.value.headers["X-RateLimit-Reset"] == "7"
    now[0] += 6.5
    limiter.hit(user_id=1, app_id=None, category="x")


def test_429_code_8_over_http(client, store):
    tok = token(client, "alice")
    other = token(client, "bob")
    acct = ad_account(client, tok)["id"]
    store.limiter.configure("ads_read=2/60")
    try:
        answers = [client.get(f"/v5/ad_accounts/{acct}", headers=bearer(tok)) for _ in range(3)]
        assert [r.status_code for r in answers] == [200, 200, 429]
        assert answers[2].json() == {"code": 8, "message": MESSAGE}
        assert 1 <= int(answers[2].headers["X-RateLimit-Reset"]) <= 61
        # ads_write and org_read have their own budgets; other users have theirs
        assert client.get("/v5/user_account", headers=bearer(tok)).status_code == 200
        assert client.post("/v5/ad_accounts", json={"name": "x"}, headers=bearer(tok)).status_code == 200
        assert client.get("/v5/ad_accounts", headers=bearer(other)).status_code == 200
        # a rejected request is not served, and the list operation shares the ads_read budget
        assert client.get("/v5/ad_accounts", headers=bearer(tok)).status_code == 429
    finally:
        store.limiter.configure("off")

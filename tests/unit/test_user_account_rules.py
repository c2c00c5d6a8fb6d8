"""Rules of the user account, search and terms services, without HTTP."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

from pinsandbox.core.errors import InvalidParameter
from pinsandbox.organic.search import service as search
from pinsandbox.organic.terms import service as terms
from pinsandbox.organic.terms import tos
from pinsandbox.organic.user_account import service as account
from pinsandbox.organic.user_account import websites


@pytest.mark.parametrize("given, expected", [
    ("mysite.test", "mysite.test"), ("https://MySite.test/", "mysite.test"), ("http://shop.test/en/", "shop.test/en"),
    ("  www.Shop.test/Path/Deep  ", "www.shop.test/Path/Deep"), ("bücher.test", "xn--bcher-kva.test"),
    ("pintest-website-12345678.test/test_1", "pintest-website-12345678.test/test_1"),
])
def test_normalize_website(given, expected):
    assert websites.normalize(given) == expected


@pytest.mark.parametrize("bad", ["", "   ", "localhost", "ftp://x.test", "x.test:80", "x.test?a=1", "x.test#top",
                                 "user@x.test", "a b.test", "-x.test", "x..test", "x" * 64 + ".test",
                                 "x.test/" + "p" * 600])
def test_normalize_website_rejects(bad):
    with pytest.raises(InvalidParameter) as err:
        websites.normalize(bad)
    assert "'website'" in err.value.message and err.value.code == 1


def test_claimed_links():
    claimed = ["shop.test", "blog.test/en"]
    assert websites.is_claimed_link(claimed, "https://shop.test/p/1")
    assert websites.is_claimed_link(claimed, "http://SHOP.test")
    assert websites.is_claimed_link(claimed, "https://blog.test/en/post")
    assert websites.is_claimed_link(claimed, "https://blog.test/en")
    assert not websites.is_claimed_link(claimed, "https://blog.test/english")
    assert not websites.is_claimed_link(claimed, "https://blog.test/fr/post")
    assert not websites.is_claimed_link(claimed, "https://www.shop.test/")
    assert not websites.is_claimed_link(claimed, "mailto:a@shop.test")
    assert not websites.is_claimed_link(claimed, None)


def test_verification_codes():
    a = websites.verification(b"secret", 1)
    assert a == websites.verification(b"secret", 1)
    assert a["verification_code"] != websites.verification(b"secret", 2)["verification_code"]
    assert a["verification_code"] != websites.verification(b"other", 1)["verification_code"]
    assert a["filename"] == f"pinterest-{a['verification_code'][:5]}.html"


def test_meta_codes():
    page = ("<html><head><meta charset=utf-8><meta name=\"p:domain_verify\" content=\"abc\"/>"
            "<meta content='def' name='P:Domain_Verify'><meta name=description content=x></head></html>")
    assert websites._meta_codes(page) == ["abc", "def"]
    assert websites._meta_codes(None) == []


def test_search_scoring():
    assert search.keywords("Summer, SUMMER recipes!") == ["summer", "recipes"]
    assert search.ids_of("12, 34,") == [12, 34]
    assert search.ids_of("12 plants") is None
    fields = [("Summer Recipes", 2), ("cold soups", 1), (None, 1)]
    assert search.score(["summer", "soup"], fields) == 3
    assert search.score(["recipe"], fields) == 2
    assert search.score(["summer", "stew"], fields) is None
    assert search.check_country("us") == "US"
    with pytest.raises(InvalidParameter):
        search.check_country("ZZ")
    for ok in ("en", "en-US", "en_US", "es-419", "zh-Hant-TW"):
        assert search.check_locale(ok) == ok
    for bad in ("e", "english", "en-USA1", "en US"):
        with pytest.raises(InvalidParameter):
            search.check_locale(bad)


def test_terms_from_the_shipped_vocabulary():
    vocab = terms.shipped()
    related = terms.related(vocab, "workout")
    assert {"one song workout", "yoga workout", "workout motivation"} <= set(related)
    # phrases holding the term come first
    holding = [p for p in related if " workout " in f" {p} "]
    assert related[:len(holding)] == holding
    assert len(related) == terms.MAX_RELATED
    assert terms.related(vocab, "qwxzv") == []
    # an unknown phrase borrows the interests of the phrases holding its words
    assert "workout" in terms.related(vocab, "sunrise workout")
    assert {"stretching", "yoga"} <= set(terms.related(vocab, "kayak stretching"))
    sport = terms.suggested(vocab, "sport", limit=10)
    assert "sports bar" in sport and "sportswear" in sport and "motor sports" not in sport
    assert sport == sorted(sport, key=lambda p: (-vocab.popularity[p], p))
    assert terms.suggested(vocab, "sport", limit=2) == sport[:2]


def test_terms_parameters():
    assert terms.check_terms(["Clothes , workout", "clothes"]) == ["clothes", "workout"]
    for bad in ([], [" , "], ["x" * 101], ["a"] * 51):
        with pytest.raises(InvalidParameter):
            terms.check_terms(bad)


def test_terms_of_service_text():
    assert tos.check_type(None) == "ADVERTISING" and tos.check_type("lead_ads") == "LEAD_ADS"
    with pytest.raises(InvalidParameter):
        tos.check_type("EULA")
    text = tos.plain_text(tos.TERMS["ADVERTISING"].html)
    assert "<" not in text and text.splitlines()[0] == "pinsandbox advertising terms"
    assert any(line.startswith("- ") for line in text.splitlines())


def test_monthly_views_counts_the_last_30_days():
    from pinsandbox.reporting.facts import FactStore

    facts = FactStore(None)
    today = dt.date(2026, 5, 31)
    days = [today, today - dt.timedelta(days=29), today - dt.timedelta(days=30), today + dt.timedelta(days=1)]
    facts.append("organic", pa.table({
        "day": days + [today], "pin_id": [1, 2, 3, 4, 5], "owner_user_id": [7, 7, 7, 7, 8],
        "app_type": ["WEB"] * 5, "impression": [10, 20, 400, 800, 1600]}))
    assert account.monthly_views(facts, user_id=7, today=today) == 30
    assert account.monthly_views(facts, user_id=8, today=today) == 1600
    assert account.monthly_views(facts, user_id=9, today=today) == 0
    facts.close()

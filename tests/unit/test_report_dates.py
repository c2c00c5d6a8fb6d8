"""reporting.dates.iso_date: the one date parser of every analytics and report parameter."""

from __future__ import annotations

import datetime as dt

import pytest

from pinsandbox.ads.analytics.service import parse_date
from pinsandbox.core.errors import InvalidParameter
from pinsandbox.reporting.dates import iso_date


@pytest.mark.parametrize("text,want", [("2026-05-25", dt.date(2026, 5, 25)), ("2024-02-29", dt.date(2024, 2, 29)),
                                       ("0001-01-01", dt.date(1, 1, 1))])
def test_yyyy_mm_dd_dates_are_read(text, want):
    assert iso_date(text) == want


@pytest.mark.parametrize("text", [
    "20260525",       # ISO 8601 basic format: date.fromisoformat takes it
    "2026-W21-1",     # ISO week date: date.fromisoformat takes it
    "2026W211",
    "2026-145",       # ordinal date
    "2026-05-25T00:00:00", "2026-05-25 ", " 2026-05-25", "2026-05-25\n", "2026-5-25", "26-05-25",
    "\u0662\u0660\u0662\u0666-\u0660\u0665-\u0662\u0665",  # Arabic-Indic digits
    "2026-02-29", "2026-13-01", "2026-00-10", "", "yesterday",
])
def test_other_forms_and_impossible_dates_are_refused(text):
    with pytest.raises(ValueError):
        iso_date(text)


@pytest.mark.parametrize("value", [None, 20260525, b"2026-05-25"])
def test_non_strings_are_refused(value):
    with pytest.raises(ValueError):
        iso_date(value)


def test_parse_date_is_400_code_1_naming_the_parameter():
    assert dt.date.fromisoformat("2026-W21-1") == dt.date(2026, 5, 18)  # what the strict check is for
    with pytest.raises(InvalidParameter) as e:
        parse_date("end_date", "2026-W21-1")
    assert e.value.status == 400 and e.value.code == 1
    assert "'end_date'" in e.value.message and "YYYY-MM-DD" in e.value.message

"""Report dates as the API takes them: exactly `YYYY-MM-DD` (ASCII digits), a real calendar date.

`datetime.date.fromisoformat` alone also takes ISO 8601's other forms since Python 3.11 ("20260525",
"2026-W21-1", ...), which the API's "Format: YYYY-MM-DD" does not; every analytics and report
parameter parser (sync and targeting analytics, async and template reports, MMM reports, Pin and user
account analytics, metrics_ready_state) reads dates through `iso_date`.
"""

from __future__ import annotations

import datetime as dt
import re

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


# The latest date any parameter takes: the engine works with the day after a date and a few days more (a
# range's end, the conversion lag), which must stay representable (9999-12-31 + 1 day is an OverflowError).
MAX_DATE = dt.date(9998, 12, 31)


class DateOutOfRange(ValueError):
    """A real date past MAX_DATE (its message says so; callers name the parameter)."""


def iso_date(value: object) -> dt.date:
    """The date `value` names; ValueError unless it is a `YYYY-MM-DD` string of a real date, DateOutOfRange
    when it is after MAX_DATE."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError(f"{value!r} is not a date in the format YYYY-MM-DD")
    day = dt.date.fromisoformat(value)
    if day > MAX_DATE:
        raise DateOutOfRange(f"{value} is out of range (the latest date taken is {MAX_DATE})")
    return day

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


def iso_date(value: object) -> dt.date:
    """The date `value` names; ValueError unless it is a `YYYY-MM-DD` string of a real date."""
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError(f"{value!r} is not a date in the format YYYY-MM-DD")
    return dt.date.fromisoformat(value)

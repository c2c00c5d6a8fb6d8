"""Rate limits by Pinterest's categories (`x-ratelimit-category`), per user per app.

Off by default (a sandbox should not slow tests down). `PINSANDBOX_RATE_LIMITS=standard` applies
Pinterest's published Standard-tier limits per minute; `ads_read=5/60,org_read=100/60` sets any.
Exceeding one answers 429 code 8 with Pinterest's message and an `X-RateLimit-Reset` header.
"""

from __future__ import annotations

import threading
from collections import deque

from pinsandbox.core.clock import real_time
from pinsandbox.core.errors import RateLimited

# Per minute per user per app (developers.pinterest.com rate-limits page, Standard tier). Categories whose
# numbers were not published use 1,000/minute.
STANDARD = {
    "ads_analytics": (300, 60), "ads_read": (1000, 60), "ads_conversions": (120_000, 60),
}
DEFAULT_STANDARD = (1000, 60)

MESSAGE = ("This request exceeded a rate limit. This can happen if the client exceeds one of the published "
           "rate limits or if multiple write operations are applied to an object within a short time window.")


# Pinterest's rate-limit categories (the spec's `x-ratelimit-category` values)
CATEGORIES = ("ads_analytics", "ads_conversions", "ads_read", "ads_write", "catalogs_read", "catalogs_write",
              "org_analytics", "org_read", "org_write", "trends_read")


def parse(spec: str, categories: tuple[str, ...] = CATEGORIES
          ) -> tuple[dict[str, tuple[int, float]], tuple[int, float] | None] | None:
    """`off` / `standard` / `ads_read=100/60,*=1000/60` (COUNT per SECONDS, seconds default 60). ValueError
    naming what is wrong: an unknown category (a typo would silently limit nothing), a count or a window
    that is not a positive number."""
    spec = spec.strip()
    if spec.lower() in ("", "off", "none"):
        return None
    if spec.lower() == "standard":
        return dict(STANDARD), DEFAULT_STANDARD
    limits: dict[str, tuple[int, float]] = {}
    default = None
    for part in spec.split(","):
        name, eq, rule = part.partition("=")
        name = name.strip()
        count, _, seconds = rule.partition("/")
        if not eq or (name != "*" and name not in categories):
            raise ValueError(f"{part.strip()!r}: give off, standard, or CATEGORY=COUNT/SECONDS with a category "
                             f"of {', '.join(categories)} or * (every other)")
        try:
            value = (int(count), float(seconds or 60))
        except ValueError:
            value = (0, 0.0)
        if value[0] < 1 or not (0 < value[1] < float("inf")):
            raise ValueError(f"{part.strip()!r}: COUNT/SECONDS must be a whole number of requests (1 or more) per "
                             "a positive number of seconds, e.g. 100/60")
        if name == "*":
            default = value
        else:
            limits[name] = value
    return limits, default


class RateLimiter:
    def __init__(self, spec: str = "off", categories: tuple[str, ...] = CATEGORIES):
        self.categories = categories
        self.configure(spec)
        self._lock = threading.Lock()

    def configure(self, spec: str) -> None:
        self.spec = spec
        self._rules = parse(spec, self.categories)
        self._hits: dict[tuple, deque] = {}

    @property
    def enabled(self) -> bool:
        return self._rules is not None

    def hit(self, *, user_id: int, app_id: int | None, category: str) -> None:
        if self._rules is None:
            return
        limits, default = self._rules
        rule = limits.get(category, default)
        if rule is None:
            return
        count, window = rule
        now = real_time()
        key = (user_id, app_id, category)
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and q[0] <= now - window:
                q.popleft()
            if len(q) >= count:
                reset = int(q[0] + window - now) + 1
                raise RateLimited(MESSAGE, headers={"X-RateLimit-Reset": str(reset)})
            q.append(now)

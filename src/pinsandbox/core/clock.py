"""The sandbox clock: the only place that reads the wall clock.

Real UTC unless set. Its state (an offset from real time, or a frozen instant) is kept in the
state database so every process of one sandbox agrees; each process caches it for a second.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

UTC = dt.timezone.utc
_STATE_KEY = "clock"
# The range the sandbox clock may be set to: wide enough for any test, narrow enough that every date the
# API derives from now (914 days back, a year ahead, ...) is representable and catch-up stays bounded.
MIN_NOW = dt.datetime(2000, 1, 1, tzinfo=UTC)
MAX_NOW = dt.datetime(2200, 1, 1, tzinfo=UTC)


class ClockRangeError(ValueError):
    """A requested now outside [MIN_NOW, MAX_NOW): refused, nothing saved."""


def _checked(ts: float) -> float:
    if not (MIN_NOW.timestamp() <= ts < MAX_NOW.timestamp()):  # NaN fails both comparisons
        raise ClockRangeError(f"the sandbox clock must stay between {MIN_NOW:%Y-%m-%d} and {MAX_NOW:%Y-%m-%d}")
    return ts


def real_time() -> float:
    """Real wall-clock seconds. Used for ids and cache expiry, never for API semantics."""
    return time.time()


@dataclass(frozen=True)
class ClockState:
    offset_seconds: float = 0.0
    frozen_at: float | None = None  # epoch seconds when frozen

    def now_ts(self) -> float:
        return self.frozen_at if self.frozen_at is not None else real_time() + self.offset_seconds


class Clock:
    def __init__(self, engine: sa.Engine | None = None, cache_seconds: float = 1.0):
        self._engine = engine
        self._cache_seconds = cache_seconds
        self._state = ClockState()
        self._loaded_at = -1e18
        self._lock = threading.Lock()

    # -- reading ---------------------------------------------------------------------------
    def state(self) -> ClockState:
        if self._engine is not None and real_time() - self._loaded_at > self._cache_seconds:
            self._reload()
        return self._state

    def timestamp(self) -> float:
        return self.state().now_ts()

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.timestamp(), tz=UTC)

    def today(self) -> dt.date:
        return self.now().date()

    def epoch_seconds(self) -> int:
        return int(self.timestamp())

    # -- setting ---------------------------------------------------------------------------
    def set(self, now: dt.datetime, *, frozen: bool = False) -> ClockState:
        try:
            ts = _checked(now.timestamp())
        except (OverflowError, ValueError) as exc:  # an aware datetime at year 1 or 9999 with an offset
            raise ClockRangeError(str(exc) if isinstance(exc, ClockRangeError) else
                                  f"the sandbox clock must stay between {MIN_NOW:%Y-%m-%d} and {MAX_NOW:%Y-%m-%d}") from None
        state = ClockState(frozen_at=ts) if frozen else ClockState(offset_seconds=ts - real_time())
        self._save(state)
        return state

    def advance(self, seconds: float) -> ClockState:
        """Move the clock on from the time stored now (read in the write transaction: two processes that
        advance at once move it twice, never once from a state cached a moment ago)."""
        def moved(cur: ClockState) -> ClockState:
            _checked(cur.now_ts() + seconds)
            if cur.frozen_at is not None:
                return ClockState(frozen_at=cur.frozen_at + seconds)
            return ClockState(offset_seconds=cur.offset_seconds + seconds)

        return self._save(moved)

    def reset(self) -> ClockState:
        self._save(ClockState())
        return self._state

    # -- persistence -----------------------------------------------------------------------
    def _reload(self) -> None:
        from pinsandbox.core.db import sandbox_state

        with self._engine.connect() as conn:
            raw = conn.execute(sa.select(sandbox_state.c.value).where(sandbox_state.c.key == _STATE_KEY)).scalar()
        with self._lock:
            self._state = ClockState(**json.loads(raw)) if raw else ClockState()
            self._loaded_at = real_time()

    def _save(self, state: ClockState | Callable[[ClockState], ClockState]) -> ClockState:
        """Store a state, or the state a function makes of the stored one, in one write transaction."""
        from pinsandbox.core.db import get_state, put_state, write_transaction

        if self._engine is None:
            new = state(self._state) if callable(state) else state
        else:
            with write_transaction(self._engine) as conn:
                if callable(state):
                    raw = get_state(conn, _STATE_KEY)
                    new = state(ClockState(**json.loads(raw)) if raw else ClockState())
                else:
                    new = state
                put_state(conn, _STATE_KEY, json.dumps({"offset_seconds": new.offset_seconds,
                                                        "frozen_at": new.frozen_at}))
        with self._lock:
            self._state = new
            self._loaded_at = real_time()
        return new


def parse_instant(value: str) -> dt.datetime:
    """Parse an ISO-8601 instant; a naive one is taken as UTC."""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

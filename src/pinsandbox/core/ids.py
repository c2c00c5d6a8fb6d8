"""Pinterest-like numeric ids: 18-digit, increasing with creation time, unique across processes.

Layout: milliseconds since 2020-01-01, shifted 20 bits | node (4 bits) | sequence (16 bits): 18 digits
(below the spec's maxLength 18) until the 2050s.
Ids follow real time, not the sandbox clock, so "higher id = created later" holds even when a
test moves the sandbox clock backwards, and keyset pagination stays stable.
"""

from __future__ import annotations

import os
import random
import threading

from pinsandbox.core.clock import real_time

_EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
_NODE = (os.getpid() ^ random.getrandbits(16)) & 0xF


class IdGenerator:
    def __init__(self, node: int = _NODE):
        self._node = node & 0xF
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            candidate = ((int(real_time() * 1000) - _EPOCH_MS) << 20) | (self._node << 16)
            if candidate <= self._last:
                candidate = self._last + 1
            self._last = candidate
            return candidate


_generator = IdGenerator()


def new_id() -> int:
    return _generator.next()


def new_id_str() -> str:
    return str(_generator.next())


_MAX_ID = 2**63 - 1


def parse_id(text: str | int, prefix: str = "") -> int:
    """The integer an id reference names, for lookups: `"AG123"` with prefix "AG" -> 123.

    A reference too large for a 64-bit column (the spec allows up to 20 characters in some bodies)
    cannot name a stored row, so it maps to 0, which no generated id ever takes: the lookup then
    answers "not found" instead of failing in the database driver.
    """
    if isinstance(text, int):
        return text if 0 < text <= _MAX_ID else 0
    digits = text.removeprefix(prefix) if prefix else text
    if not digits.isdigit() or not digits.isascii():
        return 0
    digits = digits.lstrip("0")
    if len(digits) > 19:  # past _MAX_ID (and int() refuses 4,300 digits or more)
        return 0
    value = int(digits or "0")
    return value if value <= _MAX_ID else 0

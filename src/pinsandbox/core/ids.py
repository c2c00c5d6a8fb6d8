"""Pinterest-like numeric ids: 18-digit, increasing with creation time, unique across processes.

Layout: milliseconds since 2020-01-01, shifted 20 bits | node (10 bits) | sequence (10 bits): 18 digits
(below the spec's maxLength 18) until the 2050s.
The node is unique per process of one sandbox: each `Store` claims the next number from a counter in the
state database (`claim_node`), so two processes (API workers, job workers, the CLI) never make the same id,
whatever millisecond they share. A process that makes more than 1,024 ids in one millisecond goes on in the
next millisecond of its own node, never into another node's numbers.
Ids follow real time, not the sandbox clock, so "higher id = created later" holds even when a
test moves the sandbox clock backwards, and keyset pagination stays stable.
"""

from __future__ import annotations

import os
import random
import threading
from typing import Any

from pinsandbox.core.clock import real_time

_EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
NODE_BITS = 10
SEQUENCE_BITS = 10
_NODE_MASK = (1 << NODE_BITS) - 1
_SEQUENCE_MASK = (1 << SEQUENCE_BITS) - 1
# until a Store claims one: random (what a process without a database, e.g. a unit test, uses)
_NODE = (os.getpid() ^ random.getrandbits(16)) & _NODE_MASK
NODE_COUNTER_KEY = "id_nodes"  # sandbox_state: how many nodes were ever claimed (kept by every reset)


class IdGenerator:
    def __init__(self, node: int = _NODE):
        self._node = node & _NODE_MASK
        self._ms = 0
        self._sequence = 0
        self._lock = threading.Lock()

    @property
    def node(self) -> int:
        return self._node

    def set_node(self, node: int) -> None:
        with self._lock:
            self._node = node & _NODE_MASK

    def next(self) -> int:
        with self._lock:
            ms = int(real_time() * 1000) - _EPOCH_MS
            if ms <= self._ms:  # the same millisecond (or the wall clock went back): next in sequence
                ms, sequence = self._ms, self._sequence + 1
                if sequence > _SEQUENCE_MASK:  # 1,024 ids in one millisecond: borrow the next one
                    ms, sequence = ms + 1, 0
            else:
                sequence = 0
            self._ms, self._sequence = ms, sequence
            return (ms << (NODE_BITS + SEQUENCE_BITS)) | (self._node << SEQUENCE_BITS) | sequence


_generator = IdGenerator()


def claim_node(engine: Any) -> int:
    """Take this process's node from the state database's counter (atomically: SQLite's write lock, a
    PostgreSQL row lock) and make it the node of the ids this process makes. 1,024 processes of one sandbox
    at a time get distinct nodes."""
    import sqlalchemy as sa

    from pinsandbox.core.db import lock_for_write, one_writer_per_thread, sandbox_state

    with one_writer_per_thread(engine), engine.connect() as conn:
        conn.execution_options(pinsandbox_write=True)  # SQLite: BEGIN IMMEDIATE (core/db.py)
        with conn.begin():
            lock_for_write(conn)
            if conn.dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            conn.execute(insert(sandbox_state).values(key=NODE_COUNTER_KEY, value="0")
                         .on_conflict_do_nothing(index_elements=["key"]))
            conn.execute(sa.update(sandbox_state).where(sandbox_state.c.key == NODE_COUNTER_KEY)
                         .values(value=sa.cast(sa.cast(sandbox_state.c.value, sa.BigInteger) + 1, sa.Text)))
            claimed = int(conn.execute(sa.select(sandbox_state.c.value)
                                       .where(sandbox_state.c.key == NODE_COUNTER_KEY)).scalar_one())
    _generator.set_node(claimed)
    return claimed & _NODE_MASK


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

"""Pinterest-like numeric ids: 18-digit, increasing with creation time, unique across processes.

Layout: milliseconds since 2020-01-01, shifted 20 bits | node (10 bits) | sequence (10 bits): 18 digits
(below the spec's maxLength 18) until the 2050s.
The node is unique among the live processes of one sandbox: each `Store` leases a node in the state
database (`NodeLease`: renewed while the process lives, released when the Store is disposed), so two processes
(API workers, job workers, the CLI) never make the same id, whatever millisecond they share. A process that makes more than 1,024 ids in one millisecond goes on in the
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

# Nodes are leased, not counted: a process holds `id_node:<n>` in sandbox_state ("<expires> <owner>", real
# time) and renews it; a node is given to a new process only while no live lease holds it, so however many
# processes come and go, the live ones never share a node.
NODE_KEY_PREFIX = "id_node:"
NODE_LEASE_SECONDS = 600.0
_RENEW_EVERY = NODE_LEASE_SECONDS / 5
_leases: list["NodeLease"] = []  # this process's live leases; the newest one's node makes the ids
_leases_lock = threading.Lock()


class NodeLease:
    """This process's lease on an id node in one sandbox's state database: renewed by a daemon thread (a
    lease lost while the process was stopped for longer than the lease is replaced by a new one), released
    by `release()`."""

    def __init__(self, engine: Any):
        self._engine = engine
        self.owner = f"{os.getpid()}-{random.getrandbits(48):012x}"
        self.node = self._claim()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew_loop, name=f"id-node-{self.node}", daemon=True)
        self._thread.start()

    def _transaction(self):
        from pinsandbox.core.db import write_transaction

        return write_transaction(self._engine)

    def _claim(self) -> int:
        import sqlalchemy as sa

        from pinsandbox.core.db import put_state, sandbox_state

        with self._transaction() as conn:
            now = real_time()
            held: dict[int, float] = {}
            for key, value in conn.execute(sa.select(sandbox_state.c.key, sandbox_state.c.value)
                                           .where(sandbox_state.c.key.like(NODE_KEY_PREFIX + "%"))):
                try:
                    held[int(key[len(NODE_KEY_PREFIX):])] = float(value.split()[0])
                except (ValueError, IndexError):
                    continue
            free = [n for n in range(_NODE_MASK + 1) if held.get(n, 0.0) <= now]
            node = free[0] if free else min(held, key=held.__getitem__)  # all live: the lease that ends first
            put_state(conn, f"{NODE_KEY_PREFIX}{node}", f"{now + NODE_LEASE_SECONDS} {self.owner}")
        with _leases_lock:
            _leases.append(self)
            _generator.set_node(node)
        return node

    def _renew_loop(self) -> None:
        while not self._stop.wait(_RENEW_EVERY):
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - a database gone away (a test's temp dir, a restart): next round
                if self._stop.is_set():
                    return

    def renew(self) -> None:
        """Extend the lease; when another process holds the node by now (this one was stopped past its
        lease), take a free node instead."""
        from pinsandbox.core.db import get_state, put_state

        with self._transaction() as conn:
            key = f"{NODE_KEY_PREFIX}{self.node}"
            value = get_state(conn, key) or ""
            mine = value.split()[1:] == [self.owner]
            if mine:
                put_state(conn, key, f"{real_time() + NODE_LEASE_SECONDS} {self.owner}")
        if not mine:
            with _leases_lock:
                if self in _leases:
                    _leases.remove(self)
            self.node = self._claim()

    def release(self) -> None:
        """Stop renewing and give the node back (the ids of this process go on with its newest other lease)."""
        from pinsandbox.core.db import get_state, sandbox_state

        self._stop.set()
        with _leases_lock:
            if self in _leases:
                _leases.remove(self)
                if _leases:
                    _generator.set_node(_leases[-1].node)
        try:
            import sqlalchemy as sa

            with self._transaction() as conn:
                key = f"{NODE_KEY_PREFIX}{self.node}"
                if (get_state(conn, key) or "").split()[1:] == [self.owner]:
                    conn.execute(sa.delete(sandbox_state).where(sandbox_state.c.key == key))
        except Exception:  # noqa: BLE001 - the database is gone: the lease lapses by itself
            pass


def claim_node(engine: Any) -> NodeLease:
    """Lease a node in the state database for this process's ids (see NodeLease); `.node` is its number."""
    return NodeLease(engine)


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

"""core/ids.py: 18-digit, increasing, unique ids."""

from __future__ import annotations

import threading

import pytest

from pinsandbox.core import ids
from pinsandbox.core.ids import IdGenerator, new_id, new_id_str


def test_ids_have_18_digits_and_increase():
    values = [new_id() for _ in range(5000)]
    assert all(len(str(v)) == 18 for v in values)
    assert values == sorted(values) and len(set(values)) == len(values)
    s = new_id_str()
    assert s.isdigit() and len(s) == 18 and int(s) > values[-1]


def test_ids_keep_increasing_when_the_wall_clock_goes_back(monkeypatch):
    gen = IdGenerator(node=3)
    now = [1_800_000_000.0]
    monkeypatch.setattr(ids, "real_time", lambda: now[0])
    first = gen.next()
    now[0] -= 3600  # NTP step backwards
    second = gen.next()
    now[0] += 7200
    third = gen.next()
    assert first < second < third


def test_ids_follow_real_time_and_node():
    a, b = IdGenerator(node=1), IdGenerator(node=2)
    x, y = a.next(), b.next()
    assert (x >> ids.SEQUENCE_BITS) & 0x3FF == 1 and (y >> ids.SEQUENCE_BITS) & 0x3FF == 2
    assert x != y


def test_more_than_1024_ids_in_one_millisecond_stay_in_their_node(monkeypatch):
    """Two nodes making ids in the same (frozen) millisecond never meet: a node that runs out of sequence
    numbers goes on in its own next millisecond, not into the other node's numbers."""
    monkeypatch.setattr(ids, "real_time", lambda: 1_800_000_000.0)
    a, b = IdGenerator(node=1), IdGenerator(node=2)
    xs = [a.next() for _ in range(3000)]
    ys = [b.next() for _ in range(3000)]
    assert xs == sorted(xs) and not set(xs) & set(ys)
    assert {(x >> ids.SEQUENCE_BITS) & 0x3FF for x in xs} == {1}


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_each_store_leases_its_own_node(tmp_path, kind):
    """Every Store (one per process in a deployment: API workers, job workers, the CLI) leases a node no live
    Store holds; a disposed Store gives its node back; a full reset keeps the leases."""
    from pinsandbox.core.store import Store
    from tests.databases import fresh_database

    with fresh_database(kind, tmp_path) as settings:
        first, second = Store(settings), Store(settings)
        try:
            assert (first._node_lease.node, second._node_lease.node) == (0, 1)
            assert ids._generator.node == 1  # the newest lease makes this process's ids
            second.reset(keep_identities=False)
            third = Store(settings)
            assert third._node_lease.node == 2  # leases survive the reset
            third.dispose()
            assert ids._generator.node == 1
            fourth = Store(settings)
            assert fourth._node_lease.node == 2  # given back by third
            fourth.dispose()
        finally:
            second.dispose()
            first.dispose()


def test_a_lapsed_lease_is_taken_over_and_its_old_holder_moves_on(tmp_path, monkeypatch):
    """A process stopped longer than its lease (a laptop asleep) loses its node to a new process; its next
    renewal sees that and leases another node instead of sharing one."""
    from pinsandbox.core.db import create_db_engine, upgrade

    url = f"sqlite:///{tmp_path / 'state.db'}"
    engine = create_db_engine(url)
    upgrade(engine)
    now = [1_800_000_000.0]
    monkeypatch.setattr(ids, "real_time", lambda: now[0])
    asleep = ids.NodeLease(engine)
    assert asleep.node == 0
    now[0] += ids.NODE_LEASE_SECONDS + 1  # its renewals did not happen
    newcomer = ids.NodeLease(engine)
    assert newcomer.node == 0
    asleep.renew()
    assert asleep.node == 1 and newcomer.node == 0
    newcomer.renew()
    assert newcomer.node == 0
    for lease in (asleep, newcomer):
        lease.release()
    engine.dispose()


def test_nodes_leased_concurrently_are_distinct(tmp_path):
    """Processes starting at once (threads here, each with its own engine) get distinct nodes."""
    from pinsandbox.core.db import create_db_engine, upgrade

    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(create_db_engine(url))
    engines = [create_db_engine(url) for _ in range(8)]
    got: list = []
    lock = threading.Lock()

    def claim(engine) -> None:
        lease = ids.claim_node(engine)
        with lock:
            got.append(lease)

    threads = [threading.Thread(target=claim, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(lease.node for lease in got) == list(range(8))
    for lease in got:
        lease.release()
    for e in engines:
        e.dispose()


def test_parse_id_maps_references_that_cannot_name_a_row_to_zero():
    from pinsandbox.core.ids import parse_id

    assert parse_id("228178023812169728") == 228178023812169728
    assert parse_id("AG42", "AG") == 42
    assert parse_id("9" * 19) == 0  # beyond a 64-bit column: "not found", never a driver error
    assert parse_id("AG" + "9" * 19, "AG") == 0
    assert parse_id("１２") == 0  # non-ASCII digits
    assert parse_id("") == 0

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
def test_each_store_claims_its_own_node(tmp_path, kind):
    """Every Store (one per process in a deployment: API workers, job workers, the CLI) takes the next node
    from the state database, so processes of one sandbox never make the same id; a full reset keeps the
    counter."""
    from pinsandbox.core.store import Store
    from tests.databases import fresh_database

    with fresh_database(kind, tmp_path) as settings:
        first = Store(settings)
        try:
            n1 = ids._generator.node
            assert n1 == 1
            second = Store(settings)
            assert ids._generator.node == 2
            second.reset(keep_identities=False)
            second.dispose()
            third = Store(settings)
            assert ids._generator.node == 3
            third.dispose()
        finally:
            first.dispose()


def test_nodes_claimed_concurrently_are_distinct(tmp_path):
    """Processes starting at once (threads here, each with its own engine) get distinct nodes."""
    from pinsandbox.core.db import create_db_engine, upgrade

    url = f"sqlite:///{tmp_path / 'state.db'}"
    upgrade(create_db_engine(url))
    engines = [create_db_engine(url) for _ in range(8)]
    got: list[int] = []
    lock = threading.Lock()

    def claim(engine) -> None:
        node = ids.claim_node(engine)
        with lock:
            got.append(node)

    threads = [threading.Thread(target=claim, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    # each claim's own return value (the shared generator keeps only the last one)
    assert sorted(got) == list(range(1, 9))


def test_ids_are_unique_across_threads():
    gen = IdGenerator(node=5)
    out: list[list[int]] = [[] for _ in range(8)]

    def work(i: int) -> None:
        out[i].extend(gen.next() for _ in range(2000))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = [v for chunk in out for v in chunk]
    assert len(set(flat)) == len(flat) == 16000
    assert all(chunk == sorted(chunk) for chunk in out)


def test_parse_id_maps_references_that_cannot_name_a_row_to_zero():
    from pinsandbox.core.ids import parse_id

    assert parse_id("228178023812169728") == 228178023812169728
    assert parse_id("AG42", "AG") == 42
    assert parse_id("9" * 19) == 0  # beyond a 64-bit column: "not found", never a driver error
    assert parse_id("AG" + "9" * 19, "AG") == 0
    assert parse_id("１２") == 0  # non-ASCII digits
    assert parse_id("") == 0

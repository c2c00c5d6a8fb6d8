"""core/ids.py: 18-digit, increasing, unique ids."""

from __future__ import annotations

import threading

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
    assert (x >> 16) & 0xF == 1 and (y >> 16) & 0xF == 2
    assert x != y


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

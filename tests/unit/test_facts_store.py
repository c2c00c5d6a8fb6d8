"""The fact store: Parquet segments + an atomically replaced manifest, shared by processes."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pinsandbox.reporting import facts as facts_mod
from pinsandbox.reporting.facts import CONVERSION_COLUMNS, DELIVERY_COLUMNS, TABLES, FactStore

ROOT = Path(__file__).resolve().parents[2]
H0 = dt.datetime(2026, 1, 1)


def delivery(n: int, *, account: int = 1, start: int = 0, source: str = "fixture", **extra: Any) -> pa.Table:
    return pa.Table.from_pylist([
        {"hour": H0 + dt.timedelta(hours=start + i), "ad_account_id": account, "campaign_id": 10 * account,
         "ad_group_id": 100 * account, "ad_id": 1000 * account + i % 3, "pin_id": 7, "impression_1": start + i,
         "source": source, **extra} for i in range(n)])


def conversions(n: int, *, account: int = 1) -> pa.Table:
    return pa.Table.from_pylist([
        {"ad_account_id": account, "campaign_id": 10, "ad_group_id": 100, "ad_id": 1000, "pin_id": 7,
         "action_type": "CLICK", "action_time": H0 + dt.timedelta(hours=i),
         "conversion_time": H0 + dt.timedelta(hours=i + 1), "event_type": "CHECKOUT", "value_micro": i}
        for i in range(n)])


def count(f: FactStore, table: str = "delivery") -> int:
    return f.fetch(f"SELECT count(*) FROM {table}")[0][0]


def files_on_disk(d: Path, table: str = "delivery") -> set[str]:
    return {f"{table}/{p.name}" for p in (d / table).glob("*.parquet")}


@pytest.fixture
def store(tmp_path):
    f = FactStore(tmp_path / "facts")
    yield f
    f.close()


# ---- schema -------------------------------------------------------------------------------------
def test_empty_tables_are_queryable_with_typed_columns(store):
    for table, columns in TABLES.items():
        described = store.fetch(f"DESCRIBE {table}")
        assert [r[0] for r in described] == [name for name, _ in columns]
        assert [r[1] for r in described] == [facts_mod._Column(n, d).type for n, d in columns]
        assert count(store, table) == 0
    assert store.fetch("SELECT sum(impression_1), max(hour) FROM delivery") == [(None, None)]
    assert store.fetch("SELECT count(*) FROM delivery d JOIN conversions c USING (ad_id)") == [(0,)]
    assert store.get_meta("sim_watermark") is None and store.version == 0
    assert not (store.dir / "manifest.json").exists()


def test_append_fills_defaults_and_casts_like_an_insert(store):
    assert store.append("delivery", delivery(3)) == 3
    row = store.fetch("SELECT hour, ad_id, impression_1, clickthrough_1, spend_micro, source, gender FROM delivery "
                      "ORDER BY hour LIMIT 1")[0]
    assert row == (H0, 1000, 0, 0, 0, "fixture", None)
    store.append("conversions", conversions(2))
    assert store.fetch("SELECT channel, attribution, quantity, value_micro FROM conversions ORDER BY value_micro") == [
        ("WEB", "INDIVIDUAL", 1, 0), ("WEB", "INDIVIDUAL", 1, 1)]
    # ids given as strings are cast to BIGINT, as DuckDB's INSERT did
    store.append("delivery", pa.table({"hour": [H0], "ad_account_id": ["5"], "campaign_id": ["6"],
                                       "ad_group_id": ["7"], "ad_id": ["8"], "pin_id": ["9"]}))
    assert store.fetch("SELECT ad_id, typeof(ad_id) FROM delivery WHERE ad_account_id = 5") == [(8, "BIGINT")]


def test_bad_rows_raise_duckdb_errors_and_write_nothing(store):
    store.append("delivery", delivery(2))
    version, on_disk = store.version, files_on_disk(store.dir)
    with pytest.raises(duckdb.ConstraintException, match="delivery.hour"):
        store.append("delivery", pa.table({"hour": pa.array([None], pa.timestamp("us")), "ad_account_id": [1],
                                           "campaign_id": [1], "ad_group_id": [1], "ad_id": [1], "pin_id": [1]}))
    with pytest.raises(duckdb.ConstraintException, match="delivery.pin_id"):  # a required column left out
        store.append("delivery", pa.table({"hour": [H0], "ad_account_id": [1], "campaign_id": [1],
                                           "ad_group_id": [1], "ad_id": [1]}))
    with pytest.raises(duckdb.ConversionException):
        store.append("delivery", pa.table({"hour": [H0], "ad_account_id": ["x"], "campaign_id": [1],
                                           "ad_group_id": [1], "ad_id": [1], "pin_id": [1]}))
    with pytest.raises(ValueError, match="unknown columns for delivery: nope"):
        store.append("delivery", pa.table({"nope": [1]}))
    with pytest.raises(ValueError, match="unknown fact table"):
        store.append("nope", pa.table({"a": [1]}))
    assert store.version == version and count(store) == 2 and files_on_disk(store.dir) == on_disk


# ---- transactions -------------------------------------------------------------------------------
def test_a_failing_writer_leaves_nothing(store):
    store.append("delivery", delivery(5))
    store.set_meta("sim_seed", "3")
    before = store.fetch("SELECT * FROM delivery ORDER BY ALL")
    version, on_disk = store.version, files_on_disk(store.dir)
    with pytest.raises(RuntimeError, match="boom"):
        with store.writing() as w:
            assert w.delete("delivery", "impression_1 < ?", [3]) == 3
            w.append("delivery", delivery(4, start=100))
            w.append("conversions", conversions(3))
            w.set_meta("sim_seed", "4")
            w.set_meta("sim_watermark", "2026-01-02T00:00:00")
            assert w.fetch("SELECT count(*) FROM delivery") == [(6,)]  # the writer sees its own changes
            assert count(store) == 5  # readers do not
            raise RuntimeError("boom")
    assert store.fetch("SELECT * FROM delivery ORDER BY ALL") == before
    assert count(store, "conversions") == 0
    assert store.meta() == {"sim_seed": "3"} and store.version == version
    assert files_on_disk(store.dir) == on_disk and files_on_disk(store.dir, "conversions") == set()


def test_a_commit_is_all_at_once(store):
    store.append("delivery", delivery(5))
    with store.writing() as w:
        assert w.delete("delivery", "impression_1 >= ?", [3]) == 2
        w.append("conversions", conversions(2))
        w.set_meta("sim_watermark", "2026-01-01T05:00:00")
        store.append("delivery", delivery(1, start=50), cur=w)  # joins this transaction
        with store.writing() as inner:  # so does a nested writing() of the same thread
            assert inner is w
            inner.set_meta("sim_seed", "9")
    assert store.fetch("SELECT list(impression_1 ORDER BY impression_1) FROM delivery") == [([0, 1, 2, 50],)]
    assert count(store, "conversions") == 2
    assert store.meta() == {"sim_watermark": "2026-01-01T05:00:00", "sim_seed": "9"}
    manifest = json.loads((store.dir / "manifest.json").read_text())
    assert manifest["version"] == store.version and manifest["meta"] == store.meta()
    assert set(manifest["segments"]) == set(TABLES)


def test_delete_rewrites_only_segments_with_matching_rows(store):
    for account in (1, 2, 3):
        store.append("delivery", delivery(4, account=account))
    segs = store.segments("delivery")
    assert len(segs) == 3
    with store.writing() as w:
        assert w.delete("delivery", "ad_account_id = ?", [2]) == 4  # one whole segment: dropped, not rewritten
    assert store.segments("delivery") == [segs[0], segs[2]]
    with store.writing() as w:
        assert w.delete("delivery", "ad_account_id = ? AND impression_1 >= 2", [3]) == 2
        assert w.delete("delivery", "ad_account_id = 99") == 0
        assert w.delete("delivery", "gender = 'female'") == 0  # NULL is not true: nothing goes
    now = store.segments("delivery")
    assert now[0] == segs[0] and now[1] not in segs and len(now) == 2
    assert store.fetch("SELECT ad_account_id, count(*) FROM delivery GROUP BY ALL ORDER BY ALL") == [(1, 4), (3, 2)]
    with store.writing() as w:
        w.clear("delivery")
        w.set_meta("k", "v")
    assert count(store) == 0 and store.meta() == {"k": "v"}
    store.clear()
    assert store.meta() == {} and all(count(store, t) == 0 for t in TABLES)


# ---- other readers ------------------------------------------------------------------------------
def test_views_follow_another_instances_commits(tmp_path):
    a, b = FactStore(tmp_path / "facts"), FactStore(tmp_path / "facts")
    try:
        assert count(b) == 0
        a.append("delivery", delivery(3))
        assert count(b) == 3  # b stats the manifest before each read
        cur = b.cursor()
        a.set_meta("sim_watermark", "2026-01-01T03:00:00")
        assert b.get_meta("sim_watermark") == "2026-01-01T03:00:00"
        with a.writing() as w:
            w.delete("delivery", "impression_1 = 0")
        assert b.cursor() is cur and cur.execute("SELECT count(*) FROM delivery").fetchone()[0] == 2
        b.append("conversions", conversions(1))  # b writes on top of a's commits: nothing lost
        assert count(a) == 2 and count(a, "conversions") == 1 and a.version == b.version == 4
    finally:
        a.close()
        b.close()


def test_each_thread_has_its_own_cursor_on_current_views(store):
    store.append("delivery", delivery(2))
    seen: dict[str, Any] = {}

    def other() -> None:
        seen["cursor"] = store.cursor()
        seen["count"] = count(store)

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert seen["cursor"] is not store.cursor() and seen["count"] == 2


def test_a_streaming_reader_finishes_while_a_commit_retires_its_segments(tmp_path):
    writer, reader = FactStore(tmp_path / "facts"), FactStore(tmp_path / "facts")
    try:
        for k in range(4):
            writer.append("delivery", delivery(3000, start=10_000 * k))
        stream = reader.cursor().sql("SELECT impression_1 FROM delivery").to_arrow_reader(1000)
        first = stream.read_next_batch()
        writer.clear()  # retires every segment the stream reads
        rows = first.num_rows + sum(b.num_rows for b in stream)
        assert rows == 12_000
        assert count(reader) == 0
    finally:
        writer.close()
        reader.close()


# ---- processes ----------------------------------------------------------------------------------
CHILD_WRITER = """
import datetime as dt, os, sys, time
import pyarrow as pa
from pinsandbox.reporting.facts import FactStore
f = FactStore(sys.argv[1])
tag, n = sys.argv[2], int(sys.argv[3])
go = sys.argv[4] if len(sys.argv) > 4 else None  # halfway, wait (at most 60 s) until this file exists
for i in range(n):
    if go and i == n // 2:
        deadline = time.monotonic() + 60
        while not os.path.exists(go) and time.monotonic() < deadline:
            time.sleep(0.01)
    with f.writing() as w:
        k = int(w.get_meta("counter") or 0)
        w.append("delivery", pa.Table.from_pylist([{"hour": dt.datetime(2026, 1, 1), "ad_account_id": 1,
            "campaign_id": 1, "ad_group_id": 1, "ad_id": 1, "pin_id": 1, "impression_1": i, "source": tag}] * 3))
        w.append("conversions", pa.Table.from_pylist([{"ad_account_id": 1, "campaign_id": 1, "ad_group_id": 1,
            "ad_id": 1, "pin_id": 1, "action_type": "CLICK", "action_time": dt.datetime(2026, 1, 1),
            "conversion_time": dt.datetime(2026, 1, 1), "event_type": "CHECKOUT", "source": tag}] * 3))
        w.set_meta("counter", str(k + 1))
        w.set_meta("last_" + tag, str(i))
print(f.version, flush=True)
f.close()
"""


def test_a_second_process_writes_while_this_one_reads(tmp_path):
    f = FactStore(tmp_path / "facts")
    try:
        f.append("delivery", delivery(1))
        go = tmp_path / "go"  # the child pauses halfway until this reader has seen a commit in between
        child = subprocess.Popen([sys.executable, "-c", CHILD_WRITER, str(f.dir), "child", "25", str(go)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        seen = []
        while child.poll() is None:
            d, c = f.fetch("SELECT (SELECT count(*) FROM delivery WHERE source = 'child'), "
                           "(SELECT count(*) FROM conversions)")[0]
            assert d == c  # both tables of one commit, or neither
            assert not seen or d >= seen[-1]
            seen.append(d)
            if 0 < d < 75:
                go.touch()
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        assert count(f) == 1 + 75 and count(f, "conversions") == 75
        assert f.get_meta("counter") == "25" and f.get_meta("last_child") == "24"
        assert f.version == int(out.strip())
        assert any(0 < d < 75 for d in seen)  # it read while the child was writing (the pause makes sure)
    finally:
        f.close()


def test_writers_in_two_processes_both_land(tmp_path):
    f = FactStore(tmp_path / "facts")
    try:
        procs = [subprocess.Popen([sys.executable, "-c", CHILD_WRITER, str(f.dir), tag, "15"], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for tag in ("a", "b")]
        for p in procs:
            _, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
        assert f.get_meta("counter") == "30"  # every read-modify-write saw the one before: no lost update
        assert f.fetch("SELECT source, count(*) FROM delivery GROUP BY ALL ORDER BY ALL") == [("a", 45), ("b", 45)]
        assert count(f, "conversions") == 90 and f.version == 30
        assert f.meta()["last_a"] == "14" and f.meta()["last_b"] == "14"
    finally:
        f.close()


def test_exclusive_lock_is_held_across_processes(tmp_path):
    f = FactStore(tmp_path / "facts")
    try:
        child = subprocess.Popen([sys.executable, "-c", (
            "import sys, time\nfrom pinsandbox.reporting.facts import FactStore\nf = FactStore(sys.argv[1])\n"
            "with f.exclusive('simulate'):\n    print('held', flush=True)\n    time.sleep(1.0)\n"
            "    print(time.monotonic(), flush=True)\nprint('done')\n"),
            str(f.dir)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert child.stdout.readline().strip() == "held"
        with f.exclusive("simulate"):
            acquired = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process of the machine
            with f.exclusive("simulate"):  # re-entrant in its thread
                pass
        still_held = float(child.stdout.readline())  # the child's last moment inside its lock
        # not "waited > 0.5 s" (a busy machine may run this process late): ours came after the child's lock
        assert acquired > still_held
        child.wait(30)
    finally:
        f.close()


# ---- compaction and retired files ---------------------------------------------------------------
def test_compaction_merges_small_segments_sorted_and_keeps_the_data(store):
    expected = []
    for k in range(facts_mod.TIER_FANOUT * 2 + 3):
        account = 3 - k % 3
        t = delivery(5, account=account, start=100 * k)
        expected += t.to_pylist()
        store.append("delivery", t)
        assert len(store.segments("delivery")) < facts_mod.TIER_FANOUT
    got = store.fetch_arrow("SELECT * FROM delivery").to_pylist()
    key = lambda r: (r["ad_account_id"], r["hour"], r["ad_id"])  # noqa: E731
    assert sorted(got, key=key) == sorted([{**dict.fromkeys(got[0]), **{"clickthrough_1": 0}, **_full(r)}
                                           for r in expected], key=key)
    merged = [s for s in store.segments("delivery") if pq.read_metadata(store.dir / s).num_rows > 5]
    assert merged
    for s in merged:  # a merged segment is sorted by account, then hour
        rows = pq.read_table(store.dir / s, columns=["ad_account_id", "hour"]).to_pylist()
        assert rows == sorted(rows, key=lambda r: (r["ad_account_id"], r["hour"]))
    with store.writing() as w:
        assert w.compact("delivery", force=True) == len(store.segments("delivery"))
    assert len(store.segments("delivery")) == 1
    assert sorted(store.fetch_arrow("SELECT * FROM delivery").to_pylist(), key=key) == sorted(got, key=key)


def _full(row: dict) -> dict:
    """A row as the store returns it: every column, defaults for those left out."""
    out = {}
    for name, decl in DELIVERY_COLUMNS:
        col = facts_mod._Column(name, decl)
        default = None if col.default is None else (0 if col.type == "BIGINT" else col.default.strip("'"))
        out[name] = row.get(name, default)
    return out


def test_tiers():
    base, fan = facts_mod.TIER_BASE_ROWS, facts_mod.TIER_FANOUT
    assert [facts_mod._tier(n) for n in (0, 1, base - 1, base, base * fan - 1, base * fan)] == [0, 0, 0, 1, 1, 2]


class _SteppedTime:
    """`time` for reporting/facts.py whose time() moves only when a test says so (time_ns, for the manifest's
    racy-mtime check, stays real): grace periods measured without sleeping, whatever the machine's load."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        return self.now

    def __getattr__(self, name: str) -> Any:
        return getattr(time, name)


def test_retired_files_stay_for_the_grace_period_then_go(tmp_path, monkeypatch):
    clock = _SteppedTime()
    monkeypatch.setattr(facts_mod, "time", clock)
    f = FactStore(tmp_path / "facts", grace_seconds=0.5)
    try:
        f.append("delivery", delivery(3))
        old = f.segments("delivery")[0]
        f.clear()
        manifest = json.loads((f.dir / "manifest.json").read_text())
        assert [r[0] for r in manifest["retired"]] == [old]
        assert (f.dir / old).exists()  # a reader in another process may still scan it
        f.set_meta("a", "1")  # a commit before the grace has passed keeps it
        assert (f.dir / old).exists()
        stray = f.dir / "delivery" / "0123456789abcdef.parquet"  # left by a writer that died before committing
        stray.write_bytes(b"x")
        fresh = f.dir / "delivery" / "fedcba9876543210.parquet"
        fresh.write_bytes(b"x")
        os.utime(stray, (time.time() - 10, time.time() - 10))
        clock.now += 0.6  # past the grace; `fresh` (written after clock.now was read) is at most 0.6 s old
        f.set_meta("a", "2")
        assert not (f.dir / old).exists() and not stray.exists()
        assert fresh.exists()  # younger than the grace period (at least a second for strays)
        assert json.loads((f.dir / "manifest.json").read_text())["retired"] == []
    finally:
        f.close()


def test_default_grace_is_five_minutes(tmp_path):
    f = FactStore(tmp_path / "facts")
    try:
        assert f.grace_seconds == 300
        f.append("delivery", delivery(1))
        seg = f.segments("delivery")[0]
        f.clear()
        f.set_meta("x", "1")
        assert (f.dir / seg).exists()
    finally:
        f.close()


# ---- schema evolution and the in-memory variant ----------------------------------------------------
def test_segments_written_before_a_column_was_added_read_its_default(tmp_path, monkeypatch):
    f = FactStore(tmp_path / "facts")
    try:
        short = [c for c in DELIVERY_COLUMNS if c[0] != "people_n"]
        monkeypatch.setitem(TABLES, "delivery", short)
        f.append("delivery", delivery(2, people_lo=5))
        monkeypatch.setitem(TABLES, "delivery", DELIVERY_COLUMNS)
        f.append("delivery", delivery(2, start=10, people_n=4))
        other = FactStore(tmp_path / "facts")
        try:
            assert other.fetch("SELECT impression_1, people_n FROM delivery ORDER BY 1") == [
                (0, 0), (1, 0), (10, 4), (11, 4)]
        finally:
            other.close()
        with f.writing() as w:
            assert w.delete("delivery", "people_n = 0 AND impression_1 = 1") == 1
            assert w.compact("delivery", force=True) == 2
        assert f.fetch("SELECT impression_1, people_n, people_lo FROM delivery ORDER BY 1") == [
            (0, 0, 5), (10, 4, 0), (11, 4, 0)]
        assert len(json.loads((f.dir / "manifest.json").read_text())["schemas"]) == 1
    finally:
        f.close()


def test_in_memory_store_is_a_private_temp_dir_removed_on_close():
    f = FactStore(None)
    d = f.dir
    f.append("delivery", delivery(2))
    f.append("conversions", conversions(1))
    old = f.segments("delivery")
    f.clear()
    f.append("delivery", delivery(1))
    assert not (d / old[0]).exists()  # nobody else reads it: no grace period
    assert count(f) == 1 and f.path is None
    f.close()
    assert not d.exists()


def test_conversion_columns_match_the_declared_types(store):
    store.append("conversions", conversions(1))
    types = dict((r[0], r[1]) for r in store.fetch("DESCRIBE conversions"))
    assert types == {n: facts_mod._Column(n, d).type for n, d in CONVERSION_COLUMNS}


# ---- the batch engine (async and MMM reports) -----------------------------------------------------
def test_the_batch_engine_sees_the_same_facts_and_follows_commits(tmp_path):
    a, b = FactStore(tmp_path / "facts"), FactStore(tmp_path / "facts")
    try:
        b.append("delivery", delivery(3))
        cur = b.batch_cursor()
        assert cur.execute("SELECT count(*) FROM delivery").fetchone()[0] == 3
        a.append("delivery", delivery(4, start=10))  # another instance (process) commits
        assert b.batch_cursor() is cur  # one cursor per thread
        assert cur.execute("SELECT count(*) FROM delivery").fetchone()[0] == 7
        assert cur.execute("SELECT * FROM delivery ORDER BY ALL").fetchall() == \
            b.fetch("SELECT * FROM delivery ORDER BY ALL")
        b.append("conversions", conversions(2))  # its own commit
        assert b.batch_cursor().execute("SELECT count(*) FROM conversions").fetchone()[0] == 2
    finally:
        a.close()
        b.close()


def test_the_batch_engine_has_its_own_memory_limit(tmp_path, monkeypatch):
    monkeypatch.setenv("PINSANDBOX_FACTS_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("PINSANDBOX_BATCH_MEMORY_LIMIT", "96MB")
    f = FactStore(tmp_path / "facts")
    try:
        def limit(cur):
            return cur.execute("SELECT current_setting('memory_limit')").fetchone()[0]

        main, batch = limit(f.cursor()), limit(f.batch_cursor())
        assert main != batch
        assert batch.replace(" ", "").upper().startswith(("96", "91")), batch  # DuckDB shows MiB (91.5 MiB)
    finally:
        f.close()
    with pytest.raises(RuntimeError, match="closed"):
        f.batch_cursor()


def test_the_batch_engine_of_each_thread(store):
    store.append("delivery", delivery(5))
    seen = {}

    def read(name):
        cur = store.batch_cursor()
        seen[name] = (id(cur), cur.execute("SELECT count(*) FROM delivery").fetchone()[0])

    threads = [threading.Thread(target=read, args=(n,)) for n in ("x", "y")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["x"][1] == seen["y"][1] == 5 and seen["x"][0] != seen["y"][0]

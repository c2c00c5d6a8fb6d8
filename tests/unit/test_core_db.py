"""core/db.py `Query` (statements run on the DBAPI cursor) and core/store.py's kept SQLite readers."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa

from pinsandbox.core import store as store_module
from pinsandbox.core.db import Query, json_loads
from pinsandbox.core.store import Store
from pinsandbox.core.tables import ad_account_members, ad_accounts, apps, oauth_codes, users
from pinsandbox.settings import Settings


@pytest.fixture
def fresh(tmp_path):
    s = Store(Settings(data_dir=tmp_path))
    with s.write() as conn:
        conn.execute(sa.insert(users).values(id=1, username="ann", created_time=5))
        conn.execute(sa.insert(users).values(id=2, username="bo", created_time=6, business_name=None))
        conn.execute(sa.insert(ad_accounts).values(id=10, owner_user_id=1, name="A", country="US", currency="USD",
                                                   created_time=1, updated_time=2))
        conn.execute(sa.insert(ad_account_members).values(ad_account_id=10, user_id=2, roles=["ANALYST", "ADMIN"]))
        conn.execute(sa.insert(apps).values(id=7, name="app", secret="s", owner_user_id=1, redirect_uris=["https://x"],
                                            created_time=1))
        conn.execute(sa.insert(oauth_codes).values(code="c1", app_id=7, user_id=1, redirect_uri="x", scopes="",
                                                   expires_at=9, used=True))
    yield s
    s.dispose()


def test_query_rows_equal_sqlalchemy_rows(fresh):
    cases = [
        (sa.select(ad_accounts).where(ad_accounts.c.id == sa.bindparam("id")), {"id": 10}),
        (sa.select(ad_accounts).where(ad_accounts.c.id == 10), {}),  # a literal bind
        (sa.select(ad_account_members.c.roles, ad_account_members.c.user_id)
         .where(ad_account_members.c.ad_account_id == sa.bindparam("a")), {"a": 10}),  # JSON decoded
        (sa.select(users).order_by(users.c.id.desc()).limit(sa.bindparam("n", type_=sa.Integer)), {"n": 5}),
        (sa.select(users.c.username, users.c.business_name).where(users.c.id.in_([sa.bindparam("x"),
                                                                                  sa.bindparam("y")])),
         {"x": 1, "y": 2}),
        (sa.select(users).where(users.c.id == sa.bindparam("id")), {"id": 404}),  # no row
        (sa.select(oauth_codes.c.used, apps.c.redirect_uris).join(apps, apps.c.id == oauth_codes.c.app_id), {}),
    ]
    with fresh.read() as conn:
        for stmt, params in cases:
            expected = [tuple(r) for r in conn.execute(stmt, params)]
            got = Query(stmt).all(conn, params)
            assert [tuple(r) for r in got] == expected, stmt
            assert [r._mapping for r in got] == [dict(r._mapping) for r in conn.execute(stmt, params)]
            first = Query(stmt).first(conn, params)
            assert (tuple(first) if first is not None else None) == (expected[0] if expected else None)
        row = Query(cases[0][0]).first(conn, {"id": 10})
        assert (row.id, row.name, row.owner_user_id) == (10, "A", 1)
        assert Query(sa.select(ad_account_members.c.roles)).scalar(conn) == ["ANALYST", "ADMIN"]


def test_query_refuses_in_lists():
    with pytest.raises(ValueError):
        Query(sa.select(users).where(users.c.id.in_([1, 2])))._compile(sa.create_engine("sqlite://").dialect)


def test_query_with_echo_goes_through_sqlalchemy(tmp_path):
    s = Store(Settings(data_dir=tmp_path, echo_sql=True))
    try:
        with s.read() as conn:
            assert Query(sa.select(sa.literal(3).label("x"))).scalar(conn) == 3
    finally:
        s.dispose()


def test_json_loads_takes_what_json_dumps_wrote():
    assert json_loads('{"a": [1, 2.5, null, "é"]}') == {"a": [1, 2.5, None, "é"]}
    assert str(json_loads('{"x": NaN}')["x"]) == "nan"  # json.dumps writes NaN; orjson alone refuses it
    assert json_loads(b"[]") == []
    for text in ['{"n": 123456789012345678901234567890}', '[-99999999999999999999, 18446744073709551615]',
                 '{"x": 1e400, "y": -0.0, "z": 0.1}', '{"a": 1, "a": 2}', '"\\udbdd alone"', '[9223372036854775807]']:
        got, expected = json_loads(text), json.loads(text)
        assert got == expected and json.dumps(got) == json.dumps(expected), text


def test_readers_keep_their_connection_and_see_new_commits(fresh):
    with fresh.read() as first:
        pass
    with fresh.read() as second:
        assert second is first
        assert Query(sa.select(users.c.username).where(users.c.id == 1)).scalar(second) == "ann"
    with fresh.write() as conn:
        conn.execute(sa.update(users).where(users.c.id == 1).values(username="anne"))
    with fresh.read() as third:
        assert third is first
        assert Query(sa.select(users.c.username).where(users.c.id == 1)).scalar(third) == "anne"
        assert not third.in_transaction()  # begun on the driver, not through SQLAlchemy
        assert third.connection.driver_connection.in_transaction
    assert not first.connection.driver_connection.in_transaction  # committed


def test_a_read_using_sqlalchemy_statements_is_ended_cleanly(fresh):
    with fresh.read() as conn:
        assert conn.execute(sa.select(users.c.username).where(users.c.id == 2)).scalar() == "bo"
        assert conn.in_transaction()  # SQLAlchemy's own transaction on top of the driver's
    assert not conn.in_transaction() and not conn.connection.driver_connection.in_transaction
    with fresh.read() as again:
        assert again is conn


def test_a_failing_read_rolls_back_and_the_connection_stays_usable(fresh):
    with pytest.raises(RuntimeError):
        with fresh.read() as conn:
            conn.execute(sa.select(users)).all()
            raise RuntimeError("boom")
    assert not conn.connection.driver_connection.in_transaction
    with fresh.read() as again:
        assert again is conn
        assert Query(sa.select(sa.func.count()).select_from(users)).scalar(again) == 2


def test_nested_reads_and_a_write_inside_a_read(fresh):
    with fresh.read() as outer:
        with fresh.read() as inner:
            assert inner is not outer
            assert Query(sa.select(users.c.id)).all(inner)
        with fresh.write() as w:
            w.execute(sa.update(users).where(users.c.id == 2).values(username="bob"))
    kept = list(fresh._kept)
    assert len(kept) == 1 and all(not c.closed for c in kept)
    with fresh.read() as conn:
        assert Query(sa.select(users.c.username).where(users.c.id == 2)).scalar(conn) == "bob"


def test_kept_readers_are_bounded_and_closed_on_dispose(fresh, monkeypatch):
    monkeypatch.setattr(store_module, "_KEPT_READERS", 3)
    ready, go = threading.Barrier(6), threading.Event()

    def reader():
        with fresh.read() as conn:
            Query(sa.select(users.c.id)).all(conn)
        ready.wait()
        go.wait()

    threads = [threading.Thread(target=reader) for _ in range(5)]
    for t in threads:
        t.start()
    ready.wait()
    assert len(fresh._kept) == 3
    ended = list(fresh._kept)
    go.set()
    for t in threads:
        t.join()
    with fresh.read():  # the cap is reached: the connections of ended threads are closed, this one kept
        pass
    assert all(c.closed for c in ended)
    assert list(fresh._kept.values()) == [threading.current_thread()]
    kept = list(fresh._kept)
    fresh.dispose()
    assert all(c.closed for c in kept)


def test_readers_not_kept_go_back_to_the_pool(fresh):
    assert fresh._keep_readers  # SQLite; a PostgreSQL store keeps none (its reads run in tests/storage)
    fresh._keep_readers = False
    with fresh.read() as conn:
        pass
    assert conn.closed


def test_a_reader_left_in_a_transaction_is_not_kept(fresh):
    with fresh.read() as conn:
        pass
    conn.connection.driver_connection.execute("BEGIN")  # as if its COMMIT had failed
    fresh._local.reader = None
    fresh._put_back(conn)
    assert conn.closed and conn not in fresh._kept
    with fresh.read() as other:
        assert other is not conn


# -- SnapshotMemo: Query(memo=True) results kept per SQLite snapshot -------------------------------------------------

_MEMO_ACCOUNT = Query(sa.select(ad_accounts.c.id, ad_accounts.c.name).where(ad_accounts.c.id == sa.bindparam("id")),
                      memo=True)
_MEMO_ROLES = Query(sa.select(ad_account_members.c.roles).where(ad_account_members.c.user_id == sa.bindparam("u")),
                    memo=True)




def _name(store, account_id=10):
    with store.read() as conn:
        return _MEMO_ACCOUNT.first(conn, {"id": account_id}).name


def _rename(conn, name):
    conn.execute(sa.update(ad_accounts).where(ad_accounts.c.id == 10).values(name=name))


def test_memo_hits_while_nothing_is_committed(fresh):
    assert _name(fresh) == "A"
    with fresh.read() as conn:
        calls = []
        original = Query._run

        def spy(self, *a, **k):
            calls.append(self)
            return original(self, *a, **k)

        Query._run = spy
        try:
            assert _MEMO_ACCOUNT.first(conn, {"id": 10}).name == "A"
            assert _MEMO_ACCOUNT.first(conn, {"id": 11}) is None  # another key: a query
        finally:
            Query._run = original
    assert calls == [_MEMO_ACCOUNT]


def test_a_commit_from_another_connection_is_seen_at_once(fresh):
    assert _name(fresh) == "A"
    with fresh.write() as conn:
        _rename(conn, "B")
    assert _name(fresh) == "B"


def test_a_commit_from_another_thread_and_connection_is_seen(fresh):
    assert _name(fresh) == "A"
    done = threading.Event()

    def other():
        with fresh.write() as conn:
            _rename(conn, "from a thread")
        done.set()

    threading.Thread(target=other).start()
    assert done.wait(10)
    assert _name(fresh) == "from a thread"


def test_a_commit_from_another_store_like_another_process_is_seen(fresh, tmp_path):
    assert _name(fresh) == "A"
    other = Store(Settings(data_dir=tmp_path), migrate=False)  # its own engine and connections
    try:
        with other.write() as conn:
            _rename(conn, "from elsewhere")
    finally:
        other.dispose()
    assert _name(fresh) == "from elsewhere"


def test_a_connection_that_wrote_does_not_reuse_its_memo(fresh):
    """data_version does not move for a connection's own commits: the memo checks total_changes too."""
    with fresh.read() as conn:
        assert _MEMO_ACCOUNT.first(conn, {"id": 10}).name == "A"
        _rename(conn, "written by the reader")  # a read transaction that writes (nothing should, but)
    assert _name(fresh) == "written by the reader"


def test_memoized_json_lists_are_frozen(fresh):
    with fresh.read() as conn:
        roles = _MEMO_ROLES.first(conn, {"u": 2}).roles
        again = _MEMO_ROLES.first(conn, {"u": 2}).roles
    assert roles == ("ANALYST", "ADMIN") and again is roles  # a tuple: no request can change another's


def test_no_memo_outside_read_transactions_or_on_writers(fresh):
    with fresh.write() as conn:
        assert _MEMO_ACCOUNT.first(conn, {"id": 10}).name == "A"
        _rename(conn, "C")
        assert _MEMO_ACCOUNT.first(conn, {"id": 10}).name == "C"  # a writer reads its own change
    assert _name(fresh) == "C"


def test_memoized_value_is_kept_per_snapshot(fresh):
    from pinsandbox.core.db import memoized

    made = []

    def compute():
        made.append(1)
        return object()

    with fresh.read() as conn:
        first = memoized(conn, ("k",), compute)
    with fresh.read() as conn:
        assert memoized(conn, ("k",), compute) is first
    with fresh.write() as conn:
        _rename(conn, "D")
        assert memoized(conn, ("k",), compute) is not first  # no memo on a writer
    with fresh.read() as conn:
        assert memoized(conn, ("k",), compute) is not first  # a new snapshot
    assert len(made) == 3

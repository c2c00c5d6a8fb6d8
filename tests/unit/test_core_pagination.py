"""core/pagination.py: signed, filter-bound bookmarks and keyset pages."""

from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from pinsandbox.core.errors import InvalidParameter
from pinsandbox.core.pagination import (PageParams, decode_bookmark, encode_bookmark, fingerprint, paginate,
                                        paginate_list)
from tests.factories import ad_account, bearer, collect_pages, token

SECRET = b"s" * 32
FP = fingerprint("things/list", status=["ACTIVE"], ad_account_id="1")


def test_round_trip_keeps_the_key():
    for key in (1, 228154106544193536, "abc", [3, "x"]):
        assert decode_bookmark(SECRET, encode_bookmark(SECRET, key=key, fp=FP), fp=FP) == key


def test_fingerprint_ignores_filter_order_but_not_values_or_operation():
    assert fingerprint("op", a=1, b=[2]) == fingerprint("op", b=[2], a=1)
    assert fingerprint("op", a=1) != fingerprint("op", a=2)
    assert fingerprint("op", a=1) != fingerprint("other", a=1)
    assert fingerprint("op", a=None) != fingerprint("op")


def test_bookmark_reused_with_other_filters_is_400_naming_bookmark():
    bookmark = encode_bookmark(SECRET, key=5, fp=FP)
    with pytest.raises(InvalidParameter) as info:
        decode_bookmark(SECRET, bookmark, fp=fingerprint("things/list", status=["PAUSED"], ad_account_id="1"))
    assert info.value.status == 400 and info.value.code == 1
    assert "'bookmark'" in info.value.message and "other filters" in info.value.message


def test_bookmark_of_another_sandbox_is_rejected():
    bookmark = encode_bookmark(b"t" * 32, key=5, fp=FP)
    with pytest.raises(InvalidParameter) as info:
        decode_bookmark(SECRET, bookmark, fp=FP)
    assert "'bookmark'" in info.value.message


def test_every_single_byte_tamper_is_rejected():
    bookmark = encode_bookmark(SECRET, key=228154106544193536, fp=FP)
    raw = bytearray(base64.urlsafe_b64decode(bookmark + "=" * (-len(bookmark) % 4)))
    for i in range(len(raw)):
        tampered = bytearray(raw)
        tampered[i] ^= 0x01
        text = base64.urlsafe_b64encode(bytes(tampered)).decode().rstrip("=")
        with pytest.raises(InvalidParameter):
            decode_bookmark(SECRET, text, fp=FP)


def test_forged_payload_with_a_valid_looking_shape_is_rejected():
    forged = base64.urlsafe_b64encode(b'{"k":0,"f":"' + FP.encode() + b'"}.' + b"\0" * 16).decode().rstrip("=")
    with pytest.raises(InvalidParameter):
        decode_bookmark(SECRET, forged, fp=FP)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_garbage_is_a_400_never_another_error(text):
    try:
        decode_bookmark(SECRET, text, fp=FP)
    except InvalidParameter as exc:
        assert exc.code == 1 and "'bookmark'" in exc.message
    else:  # pragma: no cover - would be a forged signature
        pytest.fail(f"accepted {text!r}")


@pytest.fixture
def things():
    engine = sa.create_engine("sqlite://")
    meta = sa.MetaData()
    table = sa.Table("things", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("kind", sa.String))
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(table.insert(), [{"id": i, "kind": "even" if i % 2 == 0 else "odd"} for i in range(1, 12)])
    with engine.connect() as conn:
        yield conn, table
    engine.dispose()


def _all_pages(conn, table, *, where=None, descending=False, size=3):
    stmt = sa.select(table) if where is None else sa.select(table).where(where)
    fp = fingerprint("things/list", where=str(where), descending=descending)
    seen, bookmark = [], None
    for _ in range(20):
        rows, bookmark = paginate(conn, stmt, key=table.c.id, page=PageParams(page_size=size, bookmark=bookmark),
                                  secret=SECRET, fp=fp, descending=descending)
        assert len(rows) <= size
        seen.extend(r.id for r in rows)
        if bookmark is None:
            return seen
    raise AssertionError("no end")


def test_paginate_walks_all_rows_in_order_and_ends_with_null(things):
    conn, table = things
    assert _all_pages(conn, table) == list(range(1, 12))
    assert _all_pages(conn, table, descending=True) == list(range(11, 0, -1))
    assert _all_pages(conn, table, where=table.c.kind == "even", size=2) == [2, 4, 6, 8, 10]
    assert _all_pages(conn, table, size=11) == list(range(1, 12))  # exactly one full page: no bookmark


def test_paginate_is_stable_while_rows_are_inserted(things):
    conn, table = things
    fp = fingerprint("things/list")
    rows, bookmark = paginate(conn, sa.select(table), key=table.c.id, page=PageParams(page_size=4), secret=SECRET, fp=fp)
    conn.execute(table.insert().values(id=0, kind="even"))  # before the cursor: not served again, no duplicates
    rest, _ = paginate(conn, sa.select(table), key=table.c.id, page=PageParams(page_size=50, bookmark=bookmark),
                       secret=SECRET, fp=fp)
    assert [r.id for r in rows] + [r.id for r in rest] == list(range(1, 12))


def test_paginate_rejects_a_bookmark_of_another_query(things):
    conn, table = things
    _, bookmark = paginate(conn, sa.select(table), key=table.c.id, page=PageParams(page_size=2), secret=SECRET,
                           fp=fingerprint("things/list", kind="odd"))
    with pytest.raises(InvalidParameter):
        paginate(conn, sa.select(table), key=table.c.id, page=PageParams(page_size=2, bookmark=bookmark),
                 secret=SECRET, fp=fingerprint("things/list", kind="even"))


def test_paginate_list_has_the_same_contract():
    items = [{"id": i} for i in range(1, 8)]
    fp = fingerprint("list")
    page1, bm = paginate_list(items, key=lambda i: i["id"], page=PageParams(page_size=3), secret=SECRET, fp=fp)
    page2, bm2 = paginate_list(items, key=lambda i: i["id"], page=PageParams(page_size=3, bookmark=bm),
                               secret=SECRET, fp=fp)
    page3, bm3 = paginate_list(items, key=lambda i: i["id"], page=PageParams(page_size=3, bookmark=bm2),
                               secret=SECRET, fp=fp)
    assert [i["id"] for i in page1 + page2 + page3] == list(range(1, 8)) and bm3 is None
    with pytest.raises(InvalidParameter):
        paginate_list(items, key=lambda i: i["id"], page=PageParams(page_size=3, bookmark=bm), secret=SECRET,
                      fp=fingerprint("other"))


def test_through_http_bookmarks_and_page_size_bounds(client):
    tok = token(client)
    h = bearer(tok)
    made = {ad_account(client, tok, name=f"A{i}")["id"] for i in range(5)}
    assert {a["id"] for a in collect_pages(client, "/v5/ad_accounts", h, page_size=2)} == made
    r = client.get("/v5/ad_accounts", params={"page_size": 2}, headers=h)
    bookmark = r.json()["bookmark"]
    tampered = bookmark[:-2] + ("A" if bookmark[-2] != "A" else "B") + bookmark[-1]
    for params in ({"bookmark": tampered}, {"bookmark": "not-a-bookmark"},
                   {"bookmark": bookmark, "include_shared_accounts": "false"}):
        r = client.get("/v5/ad_accounts", params={"page_size": 2, **params}, headers=h)
        assert r.status_code == 400 and r.json()["code"] == 1 and "bookmark" in r.json()["message"], (params, r.text)
    for size in (0, 251, "x"):
        r = client.get("/v5/ad_accounts", params={"page_size": size}, headers=h)
        assert r.status_code == 400 and r.json()["code"] == 1 and "page_size" in r.json()["message"], r.text

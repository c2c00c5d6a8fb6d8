"""Bookmark pagination, declared once: opaque, signed cursors bound to the query's filters.

A bookmark holds the sort key of the last row served (keyset pagination, so pages stay stable
while rows are inserted) and a fingerprint of the filters; it is signed with the sandbox's secret.
A bookmark the server did not issue, or one reused with other filters, is a 400 code 1.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
import sqlalchemy as sa
from fastapi import Depends, Query

from pinsandbox.core.errors import InvalidParameter

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 250


@dataclass(frozen=True)
class PageParams:
    page_size: int = DEFAULT_PAGE_SIZE
    bookmark: str | None = None


async def _page_params(
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Maximum number of items to include "
                                    "in a single page of the response.")] = DEFAULT_PAGE_SIZE,
    bookmark: Annotated[str | None, Query(description="Cursor used to fetch the next page of items")] = None,
) -> PageParams:
    return PageParams(page_size=page_size, bookmark=bookmark or None)


Page = Annotated[PageParams, Depends(_page_params)]


def fingerprint(operation: str, **filters: Any) -> str:
    try:  # the same filters again (a client polling its first page): remembered
        key = (operation, *sorted((k, type(v), _hashable(v)) for k, v in filters.items()))
        hit = _FINGERPRINTS.get(key)
    except TypeError:  # unhashable filter values: computed each time
        return _fingerprint(operation, filters)
    if hit is None:
        if len(_FINGERPRINTS) >= 4096:
            _FINGERPRINTS.clear()
        hit = _FINGERPRINTS[key] = _fingerprint(operation, filters)
    return hit


_FINGERPRINTS: dict[tuple, str] = {}


def _hashable(value: Any) -> Any:
    """A key equal only for values that render alike (True and 1 hash alike, not so their JSON)."""
    if isinstance(value, (list, tuple)):
        return tuple((type(v), _hashable(v)) for v in value)
    return value


def _fingerprint(operation: str, filters: dict[str, Any]) -> str:
    raw = json.dumps([operation, sorted((k, v) for k, v in filters.items())], default=str, separators=(",", ":"))
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_bookmark(secret: bytes, *, key: Any, fp: str) -> str:
    try:  # the signature covers these bytes, whichever encoder made them
        payload = orjson.dumps({"k": key, "f": fp})
    except TypeError:
        payload = json.dumps({"k": key, "f": fp}, separators=(",", ":")).encode()
    sig = hmac.new(secret, payload, hashlib.sha256).digest()[:16]
    return _b64(payload + b"." + sig)


def decode_bookmark(secret: bytes, bookmark: str, *, fp: str) -> Any:
    bad = InvalidParameter(f"Invalid parameter 'bookmark': {bookmark[:40]!r} is not a bookmark this server "
                           "issued for this query.")
    try:
        raw = _unb64(bookmark)
        payload, sep, sig = raw[:-17], raw[-17:-16], raw[-16:]  # the signature is 16 bytes, any value
        if not payload or sep != b"." or not hmac.compare_digest(hmac.new(secret, payload, hashlib.sha256).digest()[:16], sig):
            raise bad
        data = json.loads(payload)
    except InvalidParameter:
        raise
    except Exception:
        raise bad from None
    if data.get("f") != fp:
        raise InvalidParameter("Invalid parameter 'bookmark': it was issued for a query with other filters; "
                               "resend the query it came from.")
    return data["k"]


def after_key(page: PageParams, *, secret: bytes, fp: str) -> Any:
    """The sort key the page starts after (its bookmark's), or None on the first page."""
    return decode_bookmark(secret, page.bookmark, fp=fp) if page.bookmark else None


def cut_page(rows: list[Any], *, key: str, page: PageParams, secret: bytes, fp: str) -> tuple[list[Any], str | None]:
    """`rows`: up to `page_size + 1` rows in page order; the page and the bookmark of the next one."""
    if len(rows) <= page.page_size:
        return rows, None
    rows = rows[: page.page_size]
    return rows, encode_bookmark(secret, key=rows[-1]._mapping[key], fp=fp)


def paginate(conn: sa.Connection, stmt: sa.Select, *, key: sa.ColumnElement, page: PageParams, secret: bytes,
             fp: str, descending: bool = False) -> tuple[list[sa.Row], str | None]:
    """Run `stmt` (already filtered) one page at a time by `key` (a unique, increasing column)."""
    after = after_key(page, secret=secret, fp=fp)
    if after is not None:
        stmt = stmt.where(key < after if descending else key > after)
    stmt = stmt.order_by(key.desc() if descending else key.asc()).limit(page.page_size + 1)
    rows = list(conn.execute(stmt))
    return cut_page(rows, key=key.name, page=page, secret=secret, fp=fp)


def paginate_list(items: list[Any], *, key: Any, page: PageParams, secret: bytes, fp: str
                  ) -> tuple[list[Any], str | None]:
    """The same contract for an in-memory list already sorted by `key(item)` ascending."""
    if page.bookmark:
        after = decode_bookmark(secret, page.bookmark, fp=fp)
        items = [i for i in items if key(i) > after]
    if len(items) <= page.page_size:
        return items, None
    items = items[: page.page_size]
    return items, encode_bookmark(secret, key=key(items[-1]), fp=fp)

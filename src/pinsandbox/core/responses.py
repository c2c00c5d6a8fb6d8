"""Rendering: plain JSON bodies, fast (routes return these; response models document the shape)."""

from __future__ import annotations

import json
from typing import Any

import orjson
from starlette.responses import Response

_ORJSON_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(content: Any) -> bytes:
    """Compact UTF-8 JSON. orjson is ~10× faster than the standard library on our bodies (a page of
    25 campaigns: ~5 µs instead of ~60 µs); what it refuses (integers beyond 64 bits) goes through `json`."""
    try:
        return orjson.dumps(content, option=_ORJSON_OPTIONS)
    except TypeError:
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate echoed from a request ("\ud800"): escaped, as JSON allows
            return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


class Json(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)


class RawJson(Response):
    """A body that is JSON already (bytes), e.g. assembled from `RenderedRows` fragments."""

    media_type = "application/json"


def page_body(items: list[Any], bookmark: str | None) -> dict[str, Any]:
    return {"items": items, "bookmark": bookmark}


def page_json(fragments: list[bytes], bookmark: str | None) -> RawJson:
    """`Json(page_body(items, bookmark))`, from the items' JSON fragments: the same bytes."""
    return RawJson(b'{"items":[' + b",".join(fragments) + b'],"bookmark":' + dumps(bookmark) + b"}")


LATE = "\x00late\x00"  # where a rendered object has a field that each request fills in
_LATE_JSON = orjson.dumps(LATE)


class RenderedRows:
    """The JSON of stored objects, rendered once per distinct stored content.

    A list renders every row: decode its JSON `data`, build Pinterest's dict, encode it; ~4 µs a row, so
    ~100 µs for a page of 25, more than the rest of the request. `parts(row)` keys on the row's whole
    raw content (every selected column, the JSON as the stored text): a changed row is another key, so
    nothing can be stale, and the result is what rendering it afresh gives. A field that depends on
    the request (a campaign's `summary_status` depends on the sandbox clock) is rendered as `LATE`, and
    the caller puts its value between the parts. `render(row)` returns the object and any extra values
    the caller needs for that (kept with the parts). At most `maxsize` rows are kept; then it starts over.
    """

    def __init__(self, render: Any, *, maxsize: int = 20_000):
        self._render = render
        self._maxsize = maxsize
        self._entries: dict[Any, tuple[tuple[bytes, ...], Any]] = {}

    def parts(self, row: Any) -> tuple[tuple[bytes, ...], Any] | None:
        """(the JSON around each LATE field, extra), or None if the row cannot be split so (a stored
        string that is exactly LATE): then the caller renders the row itself."""
        hit = self._entries.get(row)
        if hit is None:
            obj, extra = self._render(row)
            parts = tuple(dumps(obj).split(_LATE_JSON))
            if len(parts) != 1 + sum(1 for v in obj.values() if v is LATE):
                return None
            hit = (parts, extra)
            if len(self._entries) >= self._maxsize:
                self._entries.clear()
            self._entries[row] = hit
        return hit

    def clear(self) -> None:
        self._entries.clear()
